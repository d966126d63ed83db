"""N-ACTION (PS3.7 10.1.4, messages 10.3.4): ask a SOP Instance to perform an action.

Owns: NActionRequest and NActionResponse.
Must not know: how they are encoded.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from .._model import vr
from .._model.payload import DataSetPayload, check_optional_payload, to_optional_payload
from .._model.vr import CommandField
from ._base import C_EQ, C, FieldPairs, M, U, message
from ._dimse_n import AddressedRequest, DimseNResponse, typed_reply_rules

__all__ = ["NActionRequest", "NActionResponse"]


@message(CommandField.N_ACTION_RQ, section="10.3.4.1")
@attrs.frozen(kw_only=True)
class NActionRequest(AddressedRequest["NActionResponse"]):
    """N-ACTION-RQ (0x0130): perform action ``action_type_id`` on an instance."""

    action_type_id: int = attrs.field(validator=vr.check_us, metadata=M)
    action_information: DataSetPayload | None = attrs.field(
        default=None, converter=to_optional_payload, validator=check_optional_payload, metadata=U
    )

    echoed: ClassVar[FieldPairs] = (*AddressedRequest.echoed, ("action_type_id", "action_type_id"))
    must_equal: ClassVar[FieldPairs] = (("action_type_id", "action_type_id"),)


@message(
    CommandField.N_ACTION_RSP,
    *typed_reply_rules("action_type_id", "action_reply", "PS3.7 10.1.4.1.5, 10.1.4.1.7"),
    section="10.3.4.2",
    answers=NActionRequest,
)
@attrs.frozen(kw_only=True)
class NActionResponse(DimseNResponse):
    """N-ACTION-RSP (0x8130)."""

    success_fields: ClassVar[frozenset[str]] = frozenset({"action_type_id"})

    action_type_id: int | None = attrs.field(
        default=None, validator=vr.check_optional_us, metadata=C_EQ
    )
    action_reply: DataSetPayload | None = attrs.field(
        default=None, converter=to_optional_payload, validator=check_optional_payload, metadata=C
    )
