"""C-CANCEL (PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3): stop a C-FIND, C-GET or C-MOVE.

Owns: CCancelRequest.  One type serves C-CANCEL-FIND-RQ, C-CANCEL-GET-RQ and
C-CANCEL-MOVE-RQ: their layout is identical, and which operation is cancelled is told by
the Message ID it names and the presentation context it travels on, not by its content.
There is no C-CANCEL response: the cancelled operation ends with its own final response.

Must not know: how it is encoded.
"""

from __future__ import annotations

import attrs

from .._model import vr
from .._model.vr import CommandField
from ._base import M, Message, message

__all__ = ["CCancelRequest"]


@message(CommandField.C_CANCEL_RQ, section="9.3.2.3, 9.3.3.3, 9.3.4.3")
@attrs.frozen(kw_only=True)
class CCancelRequest(Message):
    """C-CANCEL-RQ (0x0FFF): cancel the operation whose request had this Message ID."""

    message_id_being_responded_to: int = attrs.field(validator=vr.check_us, metadata=M)
