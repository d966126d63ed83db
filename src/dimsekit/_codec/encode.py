"""Command set bytes out: a message as the exact bytes real peers send.

Owns: the Implicit VR Little Endian encoding of command sets (PS3.7 6.3.1; PS3.5 7.1.2):
elements in ascending tag order, each at most once, Command Group Length first and
computed in one pass, each element as ``_codec.wire`` lays it out (header and value bytes);
the Command Data Set Type as a per-call choice; and writing back what a decoded message
kept of the wire.  Encoding is strict: the message was validated when it was built.  No
pydicom Dataset is built on this path: each class gets, once, a compiled straight-line
encoder (its elements unrolled, their headers precomputed) that gives the same bytes as
the general element loop, which still encodes the messages with remembered extra
elements.

Must not know: PDUs, presentation contexts, decoding (``_codec.decode``), or the
Dataset/JSON forms (``_codec.converter``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeAlias

import attrs

from .._codegen import compile_function
from .._errors import DimseError
from .._model.payload import DataSetPayload
from .._model.vr import TAG_PAIR
from ..messages import Message
from .layout import (
    COMMAND_DATA_SET_TYPE,
    COMMAND_FIELD,
    GROUP_LENGTH,
    LAYOUTS,
    Layout,
    announces_data_set,
    data_set_type,
)
from .wire import ELEMENT_HEADER, VALUE_ENCODERS, encode_text, encode_ui, encode_us

__all__ = ["data_set_type_for", "encode_command"]


def _tag_prefix(tag: int) -> bytes:
    return TAG_PAIR.pack(tag >> 16, tag & 0xFFFF)


def _header(tag: int, length: int) -> bytes:
    """The element header of ``tag`` with a value of ``length`` bytes (PS3.5 7.1.2)."""
    return ELEMENT_HEADER.pack(tag >> 16, tag & 0xFFFF, length)


@attrs.frozen
class _Plan:
    """What encoding one class needs, computed once: element prefixes in tag order."""

    # (tag, 4-byte tag prefix, attribute name or None for CF/CDST, value encoder)
    entries: tuple[tuple[int, bytes, str | None, Callable[[object], bytes]], ...]
    command_field: bytes
    data_set_field: str | None


_Encoder: TypeAlias = Callable[[Message, int], bytes]
"""A compiled command encoder: (message, Command Data Set Type) -> command set bytes."""


def _plan(layout: Layout) -> _Plan:
    entries: list[tuple[int, bytes, str | None, Callable[[object], bytes]]] = [
        (spec.tag, _tag_prefix(spec.tag), name, VALUE_ENCODERS[spec.vr])
        for name, spec in layout.fields
    ]
    for spec in (COMMAND_FIELD, COMMAND_DATA_SET_TYPE):
        entries.append((spec.tag, _tag_prefix(spec.tag), None, encode_us))  # type: ignore[arg-type]
    entries.sort(key=lambda entry: entry[0])
    command_field = encode_us(layout.message_class.command_field)
    return _Plan(tuple(entries), command_field, layout.data_set_field)


def _compile(cls: type[Message], plan: _Plan) -> _Encoder:
    """A straight-line encoder for one class: the loop of :func:`_encode_elements`
    unrolled, with the 8-byte header of every US element, of every UI, AE or LO element
    of up to 64 bytes, and the whole Command Field element computed once.  Same values
    read in the same order, same encoders, same bytes and errors; it is not used for a
    message with remembered extra elements."""
    namespace: dict[str, object] = {"group_length": _GROUP_LENGTH_PREFIX}
    lines = ["def encode(message, cdst):"]
    parts = []
    for index, (tag, prefix, name, encode) in enumerate(plan.entries):
        head, value = f"h{index}", f"v{index}"
        parts += [head, value]
        us_header = _header(tag, 2)
        if name is None:
            namespace[head] = us_header
            if tag == _COMMAND_FIELD_TAG:
                namespace[value] = plan.command_field
            else:  # Command Data Set Type
                lines.append(f"    {value} = cdst.to_bytes(2, 'little')")
            continue
        lines.append(f"    {value} = message.{name}")
        lines.append(f"    if {value} is None:\n        {head} = {value} = b''")
        if encode is encode_us:
            namespace[f"k{index}"] = us_header
            lines.append(f"    else:\n        {head} = k{index}")
            lines.append(f"        {value} = {value}.to_bytes(2, 'little')")
            continue
        namespace[f"k{index}"] = prefix
        namespace[f"t{index}"] = tuple(_header(tag, length) for length in range(_SHORT + 1))
        lines.append("    else:")
        if encode is encode_ui or encode is encode_text:
            pad = "b'\\0'" if encode is encode_ui else "b' '"
            lines.append(f"        {value} = {value}.encode('latin-1')")
            lines.append(f"        if len({value}) & 1:\n            {value} += {pad}")
        else:
            namespace[f"encode{index}"] = encode
            lines.append(f"        {value} = encode{index}({value})")
        lines.append(f"        n = len({value})")
        lines.append(
            f"        {head} = t{index}[n] if n <= {_SHORT} else k{index} + n.to_bytes(4, 'little')"
        )
    lines.append(f"    body = b''.join(({', '.join(parts)}))")
    lines.append("    return group_length + len(body).to_bytes(4, 'little') + body")
    encoder: _Encoder = compile_function(
        "\n".join(lines), "encode", f"{cls.__name__} encoder", namespace
    )
    return encoder


_SHORT: Final = 64
"""Value lengths up to this have their element header precomputed (UI, AE, LO fit)."""
_GROUP_LENGTH_PREFIX: Final = _header(GROUP_LENGTH.tag, 4)
_DATA_SET_TYPE_TAG: Final = COMMAND_DATA_SET_TYPE.tag
_COMMAND_FIELD_TAG: Final = COMMAND_FIELD.tag
_PLANS: Final[dict[type[Message], _Plan]] = {cls: _plan(lay) for cls, lay in LAYOUTS.items()}
_COMPILED: Final[dict[type[Message], tuple[_Plan, _Encoder]]] = {
    cls: (plan, _compile(cls, plan)) for cls, plan in _PLANS.items()
}
_ANNOUNCING: Final = (data_set_type(False), data_set_type(True))
"""The Command Data Set Type sent by default, by whether a data set follows."""


def data_set_type_for(message: Message, data_set_type: int | None) -> int:
    """The Command Data Set Type to send for ``message`` (PS3.7 9.3, 10.3).

    0x0101 when the message carries no data set.  Otherwise ``data_set_type`` if given
    (real toolkits send 0x0000, 0x0001, 0x0102 or 0x0202: any value but 0x0101 means
    "present"), else the value received if the message was decoded, else 0x0001.
    """
    return _data_set_type(message, message.data_set_payload is not None, data_set_type)


def _data_set_type(message: Message, has_data_set: bool, chosen: int | None) -> int:
    if not has_data_set:
        return _ANNOUNCING[False]
    if chosen is not None:
        if not announces_data_set(chosen) or not 0 <= chosen <= 0xFFFF:
            raise DimseError(
                f"data_set_type 0x{chosen:04X} cannot announce the data set "
                f"{type(message).__name__} carries: 0x0101 means none, and the value is "
                "a US (PS3.7 9.3, 10.3)"
            )
        return chosen
    wire = message.wire
    if wire is not None and announces_data_set(wire.command_data_set_type):
        return wire.command_data_set_type
    return _ANNOUNCING[True]


def encode_command(message: Message, *, data_set_type: int | None = None) -> bytes:
    """The command set of ``message`` as Implicit VR Little Endian bytes (PS3.7 6.3.1).

    ``data_set_type`` chooses the Command Data Set Type sent when the message carries a
    data set (see :func:`data_set_type_for`); it is a per-call option, never a setting.
    A decoded message's unknown and retired elements are written back in tag order, so
    re-encoding reproduces canonical input byte for byte.
    """
    return encode_command_and_payload(message, data_set_type)[0]


def encode_command_and_payload(
    message: Message, data_set_type: int | None
) -> tuple[bytes, DataSetPayload | None]:
    """:func:`encode_command`, and the data set the message carries (its
    ``data_set_payload``), looked up once for both (for ``_framing.pdata_send``)."""
    try:
        plan, encoder = _COMPILED[type(message)]
    except KeyError:
        raise DimseError(f"{type(message).__name__} is not a DIMSE message class") from None
    field = plan.data_set_field
    payload = getattr(message, field) if field is not None else None
    if not isinstance(payload, DataSetPayload):
        payload = None
    wire = message.wire_slot
    if wire is None and data_set_type is None:  # a built message, the default: no call
        return encoder(message, _ANNOUNCING[payload is not None]), payload
    cdst = _data_set_type(message, payload is not None, data_set_type)
    if wire is not None and wire.extra_elements:
        return _encode_elements(message, plan, cdst, wire.extra_elements), payload
    return encoder(message, cdst), payload


def _encode_elements(
    message: Message, plan: _Plan, cdst: int, extras: tuple[tuple[int, bytes], ...]
) -> bytes:
    """The general encoder: every element in tag order, the extras merged in."""
    chunks: list[bytes] = []
    append = chunks.append
    for _tag, prefix, name, encode in plan.entries:
        if name is None:
            value_bytes = plan.command_field if _tag == _COMMAND_FIELD_TAG else encode_us(cdst)
        else:
            value = getattr(message, name)
            if value is None:
                continue
            value_bytes = encode(value)
        append(prefix)
        append(len(value_bytes).to_bytes(4, "little"))
        append(value_bytes)
    body = _merge_extras(plan, chunks, extras) if extras else b"".join(chunks)
    return _GROUP_LENGTH_PREFIX + len(body).to_bytes(4, "little") + body


def _merge_extras(plan: _Plan, chunks: list[bytes], extras: tuple[tuple[int, bytes], ...]) -> bytes:
    """Put the remembered extra elements back among the others, in tag order."""
    elements: list[tuple[int, bytes]] = []
    for index in range(0, len(chunks), 3):
        prefix = chunks[index]
        group, element = TAG_PAIR.unpack(prefix)
        elements.append(((group << 16) | element, prefix + chunks[index + 1] + chunks[index + 2]))
    for tag, raw in extras:
        elements.append((tag, _tag_prefix(tag) + len(raw).to_bytes(4, "little") + raw))
    elements.sort(key=lambda item: item[0])
    return b"".join(item[1] for item in elements)
