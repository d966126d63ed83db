"""N-DELETE (PS3.7 10.1.6, messages 10.3.6): delete a SOP Instance.

Owns: NDeleteRequest and NDeleteResponse.  Neither carries a data set.
Must not know: how they are encoded.
"""

from __future__ import annotations

import attrs

from .._model.vr import CommandField
from ._base import message
from ._dimse_n import AddressedRequest, DimseNResponse

__all__ = ["NDeleteRequest", "NDeleteResponse"]


@message(CommandField.N_DELETE_RQ, section="10.3.6.1")
@attrs.frozen(kw_only=True)
class NDeleteRequest(AddressedRequest["NDeleteResponse"]):
    """N-DELETE-RQ (0x0150): delete the addressed instance."""


@message(CommandField.N_DELETE_RSP, section="10.3.6.2", answers=NDeleteRequest)
@attrs.frozen(kw_only=True)
class NDeleteResponse(DimseNResponse):
    """N-DELETE-RSP (0x8150)."""
