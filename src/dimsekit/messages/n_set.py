"""N-SET (PS3.7 10.1.3, messages 10.3.3): modify attribute values of a SOP Instance.

Owns: NSetRequest and NSetResponse.
Must not know: how they are encoded.
"""

from __future__ import annotations

import attrs

from .._model import vr
from .._model.payload import (
    DataSetPayload,
    check_optional_payload,
    check_payload,
    to_optional_payload,
    to_payload,
)
from .._model.vr import AttributeTags, CommandField
from ._base import A, M, U, message
from ._dimse_n import AddressedRequest, DimseNResponse

__all__ = ["NSetRequest", "NSetResponse"]


@message(CommandField.N_SET_RQ, section="10.3.3.1")
@attrs.frozen(kw_only=True)
class NSetRequest(AddressedRequest["NSetResponse"]):
    """N-SET-RQ (0x0120): set the values in ``modification_list`` on an instance."""

    modification_list: DataSetPayload = attrs.field(
        converter=to_payload, validator=check_payload, metadata=M
    )


@message(CommandField.N_SET_RSP, section="10.3.3.2", answers=NSetRequest)
@attrs.frozen(kw_only=True)
class NSetResponse(DimseNResponse):
    """N-SET-RSP (0x8120).  ``attribute_list`` may carry the values after the change,
    or with 0106/0116 the invalid values (PS3.7 C.4.3)."""

    attribute_identifier_list: AttributeTags | None = attrs.field(
        default=None, converter=vr.to_optional_tags, validator=vr.check_optional_tags, metadata=A
    )
    attribute_list: DataSetPayload | None = attrs.field(
        default=None, converter=to_optional_payload, validator=check_optional_payload, metadata=U
    )
