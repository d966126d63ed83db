"""N-GET (PS3.7 10.1.2, messages 10.3.2): read attribute values of a SOP Instance.

Owns: NGetRequest and NGetResponse.
Must not know: how they are encoded.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from .._model import vr
from .._model.payload import DataSetPayload, check_optional_payload, to_optional_payload
from .._model.vr import AttributeTags, CommandField
from ._base import A, C, Rule, U, message
from ._dimse_n import AddressedRequest, DimseNResponse

__all__ = ["NGetRequest", "NGetResponse"]


@message(CommandField.N_GET_RQ, section="10.3.2.1")
@attrs.frozen(kw_only=True)
class NGetRequest(AddressedRequest["NGetResponse"]):
    """N-GET-RQ (0x0110): read the listed attributes, or all of them if no list is given.

    An empty ``attribute_identifier_list`` is kept as given: on the wire it is a
    zero-length element, which asks for all attributes like an absent one
    (PS3.7 10.1.2.1.4).
    """

    attribute_identifier_list: AttributeTags | None = attrs.field(
        default=None,
        converter=vr.to_optional_tags,
        validator=vr.check_optional_tags_may_be_empty,
        metadata=U,
    )


@message(
    CommandField.N_GET_RSP,
    Rule(
        ("attribute_list", "status"),
        "the Attribute List comes with Success or a Warning (0107: the values that could be "
        "read) and is absent with a Failure",
        "PS3.7 10.1.2.1.6, 10.1.2.1.9",
        lambda m: m.attribute_list is None or not m.status.is_failure,
    ),
    section="10.3.2.2",
    answers=NGetRequest,
)
@attrs.frozen(kw_only=True)
class NGetResponse(DimseNResponse):
    """N-GET-RSP (0x8110): the values read (Attribute List)."""

    success_fields: ClassVar[frozenset[str]] = frozenset({"attribute_list"})

    attribute_identifier_list: AttributeTags | None = attrs.field(
        default=None, converter=vr.to_optional_tags, validator=vr.check_optional_tags, metadata=A
    )
    attribute_list: DataSetPayload | None = attrs.field(
        default=None, converter=to_optional_payload, validator=check_optional_payload, metadata=C
    )
