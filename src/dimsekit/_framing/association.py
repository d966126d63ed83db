"""What a DIMSE reader needs from A-ASSOCIATE-RQ/AC: contexts, syntaxes, maximum lengths.

Owns: reading (not negotiating) the variable items of A-ASSOCIATE-RQ and -AC PDUs
(PS3.8 9.3.2, 9.3.3): the AE titles, each presentation context with its abstract syntax,
proposed or accepted transfer syntaxes and result, and the Maximum Length sub-item of
the user information (PS3.8 D.1).  A decoder uses it to know each context's transfer
syntax and each side's maximum PDU length.

Must not know: DIMSE messages; association state or policy (accepting, rejecting).
"""

from __future__ import annotations

import struct
from typing import Final

import attrs

from .events import FramingError
from .pdu import PDU_HEADER, PDU_LENGTHS, PDUType

__all__ = ["AssociationSummary", "PresentationContext", "read_associate"]

_ITEM_HEADER: Final = struct.Struct(">BBH")
_RESULTS: Final = {
    0: "acceptance",
    1: "user-rejection",
    2: "no-reason",
    3: "abstract-syntax-not-supported",
    4: "transfer-syntaxes-not-supported",
}


@attrs.frozen
class PresentationContext:
    """One presentation context as an A-ASSOCIATE-RQ proposes or an -AC answers it."""

    context_id: int
    abstract_syntax: str | None
    """Only in the RQ."""
    transfer_syntaxes: tuple[str, ...]
    """Proposed ones in the RQ; the one accepted in the AC."""
    result: int | None = None
    """Only in the AC: 0 acceptance, 1-4 the reasons for refusal (PS3.8 9.3.3.2)."""

    @property
    def accepted(self) -> bool:
        return self.result == 0

    @property
    def result_name(self) -> str | None:
        return None if self.result is None else _RESULTS.get(self.result, "unknown")


@attrs.frozen
class AssociationSummary:
    """The parts of an A-ASSOCIATE-RQ or -AC that a DIMSE reader needs."""

    pdu_type: PDUType
    called_ae_title: str
    calling_ae_title: str
    contexts: tuple[PresentationContext, ...]
    max_pdu_length: int | None
    """The sender's Maximum Length Received (0: none), or None if the item is missing."""
    implementation_class_uid: str | None = None


def _text(raw: bytes) -> str:
    return raw.decode("latin-1").strip(" \0")


def _items(body: bytes, offset: int, end: int, base: int) -> list[tuple[int, bytes]]:
    items = []
    while offset < end:
        if offset + 4 > end:
            raise FramingError("truncated item header (PS3.8 9.3.2)", offset=base + offset)
        item_type, _, length = _ITEM_HEADER.unpack_from(body, offset)
        if offset + 4 + length > end:
            raise FramingError(
                f"item 0x{item_type:02X} of {length} bytes runs past its PDU (PS3.8 9.3.2)",
                offset=base + offset,
            )
        items.append((item_type, body[offset + 4 : offset + 4 + length]))
        offset += 4 + length
    return items


def read_associate(pdu: bytes, *, stream_offset: int = 0) -> AssociationSummary:
    """Read an A-ASSOCIATE-RQ (0x01) or -AC (0x02) PDU, header included."""
    fixed = PDU_HEADER.size + PDU_LENGTHS[PDUType.A_ASSOCIATE_RQ].fixed_fields
    if len(pdu) < fixed:
        raise FramingError(
            f"an A-ASSOCIATE PDU has at least {fixed} bytes (PS3.8 9.3.2, 9.3.3)",
            offset=stream_offset,
        )
    pdu_type, _, length = PDU_HEADER.unpack_from(pdu)
    if pdu_type not in (PDUType.A_ASSOCIATE_RQ, PDUType.A_ASSOCIATE_AC) or length + 6 != len(pdu):
        raise FramingError("not a whole A-ASSOCIATE-RQ/AC PDU", offset=stream_offset)
    called, calling = _text(pdu[10:26]), _text(pdu[26:42])
    contexts: list[PresentationContext] = []
    max_length: int | None = None
    implementation: str | None = None
    for item_type, value in _items(pdu, fixed, len(pdu), stream_offset):
        if item_type in (0x20, 0x21) and len(value) >= 4:
            sub_items = _items(value, 4, len(value), stream_offset)
            abstract = next((_text(v) for t, v in sub_items if t == 0x30), None)
            syntaxes = tuple(_text(v) for t, v in sub_items if t == 0x40)
            contexts.append(
                PresentationContext(
                    value[0], abstract, syntaxes, value[2] if item_type == 0x21 else None
                )
            )
        elif item_type == 0x50:
            for sub_type, sub_value in _items(value, 0, len(value), stream_offset):
                if sub_type == 0x51 and len(sub_value) == 4:
                    max_length = int.from_bytes(sub_value, "big")
                elif sub_type == 0x52:
                    implementation = _text(sub_value)
    return AssociationSummary(
        PDUType(pdu_type), called, calling, tuple(contexts), max_length, implementation
    )


def build_associate(
    pdu_type: PDUType,
    called_ae_title: str,
    calling_ae_title: str,
    contexts: list[PresentationContext],
    max_pdu_length: int,
    implementation_class_uid: str = "1.2.826.0.1.3680043.8.498.1",
) -> bytes:
    """An A-ASSOCIATE-RQ or -AC PDU (for examples and tests; no negotiation logic)."""

    def item(kind: int, value: bytes) -> bytes:
        return _ITEM_HEADER.pack(kind, 0, len(value)) + value

    body = bytearray(b"\x00\x01\x00\x00")
    body += called_ae_title.encode().ljust(16) + calling_ae_title.encode().ljust(16)
    body += bytes(32)
    body += item(0x10, b"1.2.840.10008.3.1.1.1")
    for context in contexts:
        syntaxes = b"".join(item(0x40, ts.encode()) for ts in context.transfer_syntaxes)
        if pdu_type == PDUType.A_ASSOCIATE_RQ:
            abstract = item(0x30, (context.abstract_syntax or "").encode())
            body += item(0x20, bytes([context.context_id, 0, 0, 0]) + abstract + syntaxes)
        else:
            result = 0 if context.result is None else context.result
            body += item(0x21, bytes([context.context_id, 0, result, 0]) + syntaxes)
    user = item(0x51, max_pdu_length.to_bytes(4, "big"))
    user += item(0x52, implementation_class_uid.encode())
    body += item(0x50, user)
    return PDU_HEADER.pack(pdu_type, 0, len(body)) + bytes(body)
