"""Command set bytes out: a message as the exact bytes real peers send.

Owns: the Implicit VR Little Endian encoding of command sets (PS3.7 6.3.1; PS3.5 7.1.2):
elements in ascending tag order, each at most once, Command Group Length first and
computed in one pass, UI padded with NUL and text with a space to even length, US/UL
little endian, AT as (group, element) pairs; the Command Data Set Type as a per-call
choice; and writing back what a decoded message kept of the wire.  Encoding is strict:
the message was validated when it was built.  No pydicom Dataset is built on this path.

Must not know: PDUs, presentation contexts, decoding (``_command_decode``), or the
Dataset/JSON forms (``_converter``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Final

import attrs

from ._errors import DimseError
from ._layout import (
    COMMAND_DATA_SET_TYPE,
    COMMAND_FIELD,
    GROUP_LENGTH,
    LAYOUTS,
    NO_DATA_SET,
    Layout,
)
from .messages import Message

__all__ = ["data_set_type_for", "encode_command"]

DEFAULT_DATA_SET_TYPE: Final = 0x0001
"""What DCMTK and pynetdicom send for "a data set follows" (commands.md section 3)."""

_HEADER: Final = struct.Struct("<HHI")
_TAG_PAIR: Final = struct.Struct("<HH")

# --- value encoders (Python value -> value bytes, even length) ---------------------------


def _encode_ui(value: str) -> bytes:
    data = value.encode("latin-1")
    return data + b"\0" if len(data) & 1 else data


def _encode_text(value: str) -> bytes:
    data = value.encode("latin-1")
    return data + b" " if len(data) & 1 else data


def _encode_us(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _encode_ul(value: int) -> bytes:
    return value.to_bytes(4, "little")


def _encode_at(value: tuple[int, ...]) -> bytes:
    return b"".join(_TAG_PAIR.pack(tag >> 16, tag & 0xFFFF) for tag in value)


_ENCODERS: Final[dict[str, Callable[[object], bytes]]] = {
    "UI": _encode_ui,  # type: ignore[dict-item]
    "AE": _encode_text,  # type: ignore[dict-item]
    "LO": _encode_text,  # type: ignore[dict-item]
    "US": _encode_us,  # type: ignore[dict-item]
    "UL": _encode_ul,  # type: ignore[dict-item]
    "AT": _encode_at,  # type: ignore[dict-item]
}


def _tag_prefix(tag: int) -> bytes:
    return _TAG_PAIR.pack(tag >> 16, tag & 0xFFFF)


@attrs.frozen
class _Plan:
    """What encoding one class needs, computed once: element prefixes in tag order."""

    # (tag, 4-byte tag prefix, attribute name or None for CF/CDST, value encoder)
    entries: tuple[tuple[int, bytes, str | None, Callable[[object], bytes]], ...]
    command_field: bytes
    data_set_field: str | None


def _plan(layout: Layout) -> _Plan:
    entries: list[tuple[int, bytes, str | None, Callable[[object], bytes]]] = [
        (spec.tag, _tag_prefix(spec.tag), name, _ENCODERS[spec.vr]) for name, spec in layout.fields
    ]
    for spec in (COMMAND_FIELD, COMMAND_DATA_SET_TYPE):
        entries.append((spec.tag, _tag_prefix(spec.tag), None, _encode_us))  # type: ignore[arg-type]
    entries.sort(key=lambda entry: entry[0])
    command_field = _encode_us(layout.message_class.command_field)
    return _Plan(tuple(entries), command_field, layout.data_set_field)


_PLANS: Final[dict[type[Message], _Plan]] = {cls: _plan(lay) for cls, lay in LAYOUTS.items()}
_GROUP_LENGTH_PREFIX: Final = _tag_prefix(GROUP_LENGTH.tag) + b"\x04\x00\x00\x00"
_DATA_SET_TYPE_TAG: Final = COMMAND_DATA_SET_TYPE.tag
_COMMAND_FIELD_TAG: Final = COMMAND_FIELD.tag


def data_set_type_for(message: Message, data_set_type: int | None) -> int:
    """The Command Data Set Type to send for ``message`` (PS3.7 9.3, 10.3).

    0x0101 when the message carries no data set.  Otherwise ``data_set_type`` if given
    (real toolkits send 0x0000, 0x0001, 0x0102 or 0x0202: any value but 0x0101 means
    "present"), else the value received if the message was decoded, else 0x0001.
    """
    has_data_set = message.data_set_payload is not None
    if not has_data_set:
        return NO_DATA_SET
    if data_set_type is not None:
        if data_set_type == NO_DATA_SET or not 0 <= data_set_type <= 0xFFFF:
            raise DimseError(
                f"data_set_type 0x{data_set_type:04X} cannot announce the data set "
                f"{type(message).__name__} carries: 0x0101 means none, and the value is "
                "a US (PS3.7 9.3, 10.3)"
            )
        return data_set_type
    wire = message.wire
    if wire is not None and wire.command_data_set_type != NO_DATA_SET:
        return wire.command_data_set_type
    return DEFAULT_DATA_SET_TYPE


def encode_command(message: Message, *, data_set_type: int | None = None) -> bytes:
    """The command set of ``message`` as Implicit VR Little Endian bytes (PS3.7 6.3.1).

    ``data_set_type`` chooses the Command Data Set Type sent when the message carries a
    data set (see :func:`data_set_type_for`); it is a per-call option, never a setting.
    A decoded message's unknown and retired elements are written back in tag order, so
    re-encoding reproduces canonical input byte for byte.
    """
    try:
        plan = _PLANS[type(message)]
    except KeyError:
        raise DimseError(f"{type(message).__name__} is not a DIMSE message class") from None
    cdst = data_set_type_for(message, data_set_type)
    chunks: list[bytes] = []
    append = chunks.append
    for _tag, prefix, name, encode in plan.entries:
        if name is None:
            value_bytes = plan.command_field if _tag == _COMMAND_FIELD_TAG else _encode_us(cdst)
        else:
            value = getattr(message, name)
            if value is None:
                continue
            value_bytes = encode(value)
        append(prefix)
        append(len(value_bytes).to_bytes(4, "little"))
        append(value_bytes)
    wire = message.wire
    if wire is not None and wire.extra_elements:
        body = _merge_extras(plan, chunks, wire.extra_elements)
    else:
        body = b"".join(chunks)
    return _GROUP_LENGTH_PREFIX + len(body).to_bytes(4, "little") + body


def _merge_extras(plan: _Plan, chunks: list[bytes], extras: tuple[tuple[int, bytes], ...]) -> bytes:
    """Put the remembered extra elements back among the others, in tag order."""
    elements: list[tuple[int, bytes]] = []
    for index in range(0, len(chunks), 3):
        prefix = chunks[index]
        group, element = _TAG_PAIR.unpack(prefix)
        elements.append(((group << 16) | element, prefix + chunks[index + 1] + chunks[index + 2]))
    for tag, raw in extras:
        elements.append((tag, _tag_prefix(tag) + len(raw).to_bytes(4, "little") + raw))
    elements.sort(key=lambda item: item[0])
    return b"".join(item[1] for item in elements)
