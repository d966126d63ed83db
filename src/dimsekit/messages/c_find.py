"""C-FIND (PS3.7 9.1.2, messages 9.3.2): match an Identifier against managed instances.

Owns: CFindRequest and CFindResponse, their fields and their conditions.
Must not know: how they are encoded.
"""

from __future__ import annotations

import attrs

from .._model.payload import DataSetPayload, check_optional_payload, to_optional_payload
from .._model.status import ServiceClass, Status
from .._model.vr import CommandField
from ._base import C, Rule, message
from ._dimse_c import DimseCResponse
from ._query_retrieve import QueryRetrieveRequest

__all__ = ["CFindRequest", "CFindResponse"]


@message(CommandField.C_FIND_RQ, section="9.3.2.1")
@attrs.frozen(kw_only=True)
class CFindRequest(QueryRetrieveRequest["CFindResponse"]):
    """C-FIND-RQ (0x0020): find the instances that match ``identifier``."""


@message(
    CommandField.C_FIND_RSP,
    Rule(
        ("identifier", "status"),
        "a C-FIND response carries an Identifier (one match) exactly when its status is "
        "Pending (FF00/FF01)",
        "PS3.7 9.1.2.1; PS3.4 C.4.1.1.4",
        lambda m: (m.identifier is not None) == m.status.is_pending,
    ),
    section="9.3.2.2",
    answers=CFindRequest,
)
@attrs.frozen(kw_only=True)
class CFindResponse(DimseCResponse):
    """C-FIND-RSP (0x8020): one match (Pending) or the end of matching."""

    status_service_class = ServiceClass.QR_FIND

    identifier: DataSetPayload | None = attrs.field(
        default=None, converter=to_optional_payload, validator=check_optional_payload, metadata=C
    )

    @classmethod
    def may_carry(cls, name: str, status: Status) -> bool:
        if name == "identifier":
            return status.is_pending
        return super().may_carry(name, status)
