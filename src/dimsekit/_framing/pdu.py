"""Upper-layer PDU constants shared by the P-DATA sender and receiver (PS3.8 9.3).

Owns: the PDU types, the byte layouts of the PDU header and the PDV item header
(big-endian, unlike the command set they carry) and what each field of the PDV item
header counts (:data:`ITEM_LENGTH_FIELD`, :data:`ITEM_FIXED`), the PDU-lengths the standard fixes or
bounds (:data:`PDU_LENGTHS`), the message control header bits (PS3.8 E.2) and the checks
on a maximum PDU length (PS3.8 D.1).

Must not know: DIMSE messages.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, NamedTuple

from .._errors import DimseError

__all__ = ["PDUType"]


class PDUType(enum.IntEnum):
    """The upper-layer PDU types (PS3.8 9.3.1)."""

    A_ASSOCIATE_RQ = 0x01
    A_ASSOCIATE_AC = 0x02
    A_ASSOCIATE_RJ = 0x03
    P_DATA_TF = 0x04
    A_RELEASE_RQ = 0x05
    A_RELEASE_RP = 0x06
    A_ABORT = 0x07

    @property
    def label(self) -> str:
        """The PDU's name as PS3.8 9.3 writes it: ``A-ASSOCIATE-RQ``, ``P-DATA-TF``."""
        return self.name.replace("_", "-")


PDU_HEADER: Final = struct.Struct(">BBI")
"""PDU-type, reserved, PDU-length (bytes after the header)."""
PDV_HEADER: Final = struct.Struct(">IBB")
"""Item-length (context ID + control header + fragment), context ID, control header."""
ITEM_LENGTH_FIELD: Final = struct.calcsize(PDV_HEADER.format[:2])  # its first field
"""The bytes of a PDV item's Item-length field, which it does not count (PS3.8 9.3.5.1):
a PDU of PDV items counts this much more than their item lengths."""
ITEM_FIXED: Final = PDV_HEADER.size - ITEM_LENGTH_FIELD
"""What every PDV item length counts before the fragment: context ID, control header."""
PDU_AND_PDV_HEADERS: Final = struct.Struct(PDU_HEADER.format + PDV_HEADER.format[1:])
"""A P-DATA-TF's PDU header and its first PDV item header, packed or read in one call."""


class PDULength(NamedTuple):
    """What the standard says of one PDU type's PDU-length (the bytes after the header)."""

    fixed_fields: int
    """The bytes of its fixed fields: the PDU-length is at least this."""
    only_fixed: bool
    """True when the PDU has nothing else: the PDU-length is exactly ``fixed_fields``."""
    clause: str
    """Where the PDU's fields are laid out."""

    def breach(self, length: int) -> str | None:
        """What is wrong with a PDU-length of ``length``, in words, or None."""
        if self.only_fixed and length != self.fixed_fields:
            return f"PDU-length {length}; the standard fixes it at {self.fixed_fields}"
        if length < self.fixed_fields:
            return f"PDU-length {length}; its fixed fields alone take {self.fixed_fields} bytes"
        return None


PDU_LENGTHS: Final[Mapping[PDUType, PDULength]] = MappingProxyType(
    {
        PDUType.A_ASSOCIATE_RQ: PDULength(68, False, "PS3.8 9.3.2"),
        PDUType.A_ASSOCIATE_AC: PDULength(68, False, "PS3.8 9.3.3"),
        PDUType.A_ASSOCIATE_RJ: PDULength(4, True, "PS3.8 9.3.4"),
        PDUType.A_RELEASE_RQ: PDULength(4, True, "PS3.8 9.3.6"),
        PDUType.A_RELEASE_RP: PDULength(4, True, "PS3.8 9.3.7"),
        PDUType.A_ABORT: PDULength(4, True, "PS3.8 9.3.8"),
    }
)
"""The PDU-length of every PDU but P-DATA-TF (whose PDV items PS3.8 9.3.5 sizes): an
A-ASSOCIATE-RQ/AC has 68 bytes of fixed fields (protocol version, reserved, the two AE
titles or their echo, 32 reserved) before its variable items; the other four have 4
bytes, all fixed."""

COMMAND_BIT: Final = 0x01
"""Message control header bit 0: the fragment is command information (PS3.8 E.2)."""
LAST_BIT: Final = 0x02
"""Message control header bit 1: the fragment is the last of its command or data set."""
MAX_LENGTH_FIELD: Final = 0xFFFF_FFFF
"""The largest value the 32-bit PDU-length field can hold."""


def check_context_id(context_id: int) -> None:
    """A presentation context ID is an odd integer from 1 to 255 (PS3.8 9.3.2.2)."""
    if isinstance(context_id, bool) or not isinstance(context_id, int):
        raise DimseError(f"a presentation context ID is an int, not {context_id!r}")
    if not 1 <= context_id <= 255 or not context_id & 1:
        raise DimseError(
            f"presentation context ID {context_id} is not an odd integer from 1 to 255 "
            "(PS3.8 9.3.2.2)"
        )


def check_max_pdu_length(max_pdu_length: int) -> None:
    """0 (no maximum) or a length that leaves room for an even, non-empty fragment.

    A PDV item costs 6 bytes (item length, context ID, control header) and fragments
    are even (PS3.8 E.1), so a peer maximum from 1 to 7 can carry no fragment at all.
    """
    if isinstance(max_pdu_length, bool) or not isinstance(max_pdu_length, int):
        raise DimseError(f"a maximum PDU length is an int, not {max_pdu_length!r}")
    if not 0 <= max_pdu_length <= MAX_LENGTH_FIELD:
        raise DimseError(f"maximum PDU length {max_pdu_length} is outside 0 to 2**32-1 (PS3.8 D.1)")
    if 0 < max_pdu_length < 8:
        raise DimseError(
            f"maximum PDU length {max_pdu_length} leaves no room for a fragment: a PDV item "
            "needs 6 bytes of header and fragments have an even, non-zero length "
            "(PS3.8 9.3.5, E.1); use 0 or at least 8"
        )
