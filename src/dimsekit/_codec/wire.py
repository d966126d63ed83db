"""The byte form of a command element, the one both halves of the codec use.

Owns: an element of a command set as the encoder (``_codec.encode``) writes it and the
decoders (``_codec.decode``) read it, Implicit VR Little Endian (PS3.7 6.3.1): its
header, the tag's group, the tag's element and a 32-bit value length, each little
endian, with no VR (PS3.5 7.1.2); and the value bytes of each VR a command set uses
(PS3.5 6.2), of even length: UI padded with NUL, AE and LO text with a space, one byte
a character (a command set has no Specific Character Set), US and UL little endian, AT
as the packed pairs an :class:`~dimsekit.AttributeTags` holds (``_model.vr.TAG_PAIR``).  What
these encoders cannot write, no command element can carry (``_codec.representable``).

Must not know: messages, which elements a command set holds, or the rules of a valid
value (``_model.vr``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Final, TypeAlias

from .._model.vr import AttributeTags

__all__ = [
    "ELEMENT_HEADER",
    "Raw",
    "VALUE_ENCODERS",
    "encode_at",
    "encode_text",
    "encode_ui",
    "encode_ul",
    "encode_us",
]

ELEMENT_HEADER: Final = struct.Struct("<HHI")
"""(group, element, value length) of an element, 8 bytes (PS3.5 7.1.2)."""
Raw: TypeAlias = bytes | memoryview
"""Received bytes: the caller's ``bytes``, or a view of another buffer."""

# --- value encoders (Python value -> value bytes, even length) ---------------------------


def encode_ui(value: str) -> bytes:
    data = value.encode("latin-1")
    return data + b"\0" if len(data) & 1 else data


def encode_text(value: str) -> bytes:
    data = value.encode("latin-1")
    return data + b" " if len(data) & 1 else data


def encode_us(value: int) -> bytes:
    return value.to_bytes(2, "little")


def encode_ul(value: int) -> bytes:
    return value.to_bytes(4, "little")


def encode_at(value: AttributeTags) -> bytes:
    return value.to_bytes()  # packed as an AT value is sent (PS3.5 7.1.2)


VALUE_ENCODERS: Final[dict[str, Callable[[object], bytes]]] = {
    "UI": encode_ui,  # type: ignore[dict-item]
    "AE": encode_text,  # type: ignore[dict-item]
    "LO": encode_text,  # type: ignore[dict-item]
    "US": encode_us,  # type: ignore[dict-item]
    "UL": encode_ul,  # type: ignore[dict-item]
    "AT": encode_at,  # type: ignore[dict-item]
}
