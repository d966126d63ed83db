"""C-GET (PS3.7 9.1.3, messages 9.3.3): retrieve instances over the same association.

Owns: CGetRequest and CGetResponse.  The fields and conditions they share with C-MOVE
live in ``_query_retrieve``.
Must not know: how they are encoded.
"""

from __future__ import annotations

import attrs

from .._model.status import ServiceClass
from .._model.vr import CommandField
from ._base import message
from ._query_retrieve import RETRIEVE_RULES, QueryRetrieveRequest, RetrieveResponse

__all__ = ["CGetRequest", "CGetResponse"]


@message(CommandField.C_GET_RQ, section="9.3.3.1")
@attrs.frozen(kw_only=True)
class CGetRequest(QueryRetrieveRequest["CGetResponse"]):
    """C-GET-RQ (0x0010): send the instances ``identifier`` names back to the requester."""


@message(CommandField.C_GET_RSP, *RETRIEVE_RULES, section="9.3.3.2", answers=CGetRequest)
@attrs.frozen(kw_only=True)
class CGetResponse(RetrieveResponse):
    """C-GET-RSP (0x8010): progress (Pending) or the end of the C-STORE sub-operations."""

    status_service_class = ServiceClass.QR_GET
