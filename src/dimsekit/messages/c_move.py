"""C-MOVE (PS3.7 9.1.4, messages 9.3.4): send instances to a named AE.

Owns: CMoveRequest and CMoveResponse.  The fields and conditions they share with C-GET
live in ``_query_retrieve``.
Must not know: how they are encoded.
"""

from __future__ import annotations

import attrs

from .._model import vr
from .._model.status import ServiceClass
from .._model.vr import CommandField
from ._base import M, message
from ._query_retrieve import RETRIEVE_RULES, QueryRetrieveRequest, RetrieveResponse

__all__ = ["CMoveRequest", "CMoveResponse"]


@message(CommandField.C_MOVE_RQ, section="9.3.4.1")
@attrs.frozen(kw_only=True)
class CMoveRequest(QueryRetrieveRequest["CMoveResponse"]):
    """C-MOVE-RQ (0x0021): store the instances ``identifier`` names at ``move_destination``."""

    move_destination: str = attrs.field(converter=vr.to_ae, validator=vr.check_ae, metadata=M)


@message(CommandField.C_MOVE_RSP, *RETRIEVE_RULES, section="9.3.4.2", answers=CMoveRequest)
@attrs.frozen(kw_only=True)
class CMoveResponse(RetrieveResponse):
    """C-MOVE-RSP (0x8021): progress (Pending) or the end of the C-STORE sub-operations."""

    status_service_class = ServiceClass.QR_MOVE
