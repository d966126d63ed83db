"""Upper Layer PDUs to bytes: :func:`encode_pdu`, walking the layouts of ``pdu_layout``.

Owns: writing a PDU, item or sub-item as its layout declares it (PS3.8 9.3, Annex D;
PS3.7 D.3.3), and :func:`item_length`, the length an item's header states (what the
items module asks to enforce the 16-bit limit).  A built PDU gets its items in
increasing type order and zero in every reserved field; a decoded one gets what it kept
(:class:`~dimsekit._framing.pdu_layout.Received`: the reserved bytes, the padding, the
order its items came in), so canonical input comes out byte for byte.

Must not know: the rules values follow (the classes enforce them when built), the
classes themselves: it reads the fields a layout names, by name, from the object whose
``ITEM_TYPE`` or ``PDU_TYPE`` says which layout is its; an object with neither is an
unknown item (``item_type``, ``reserved``, ``data``).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from typing import Any, Final, NamedTuple, cast

from .._codegen import compile_function
from . import items
from .pdu import COMMAND_BIT, LAST_BIT, MAX_LENGTH_FIELD, PDU_HEADER, PDV_HEADER
from .pdu_layout import (
    ITEM_HEADER,
    ITEM_LAYOUTS,
    LENGTH_PREFIX,
    PDU_LAYOUTS,
    Count,
    ItemLayout,
    Kind,
    Part,
    ValueKind,
)
from .pdus import PDU, PDataTF

__all__ = ["encode_pdu"]

_pack_item_header: Final = ITEM_HEADER.pack
_pack_prefix: Final = LENGTH_PREFIX.pack


class Plan(NamedTuple):
    """A layout made ready to walk: the struct of its opening fixed fields, those fields,
    and the rest, each FIXED or RESERVED one with its own struct."""

    head: struct.Struct
    head_parts: tuple[Part, ...]
    tail: tuple[tuple[Part, struct.Struct | None], ...]
    reserved_index: dict[str, int]
    """Each reserved field's place in ``Received.reserved`` (0 is the header's byte)."""


def plan_of(layout: ItemLayout) -> Plan:
    head_parts = layout.head_parts
    tail = tuple(
        (part, struct.Struct(">" + part.fmt) if part.fmt else None)
        for part in layout.parts[len(head_parts) :]
    )
    reserved_index = {part.name: index for index, part in enumerate(layout.reserved, 1)}
    return Plan(layout.head, head_parts, tail, reserved_index)


ITEM_PLANS: Final = {code: plan_of(layout) for code, layout in ITEM_LAYOUTS.items()}
PDU_PLANS: Final = {code: plan_of(layout) for code, layout in PDU_LAYOUTS.items()}
"""The layouts of ``pdu_layout`` made ready to walk (the decoder walks the same plans)."""


def _text_bytes(part: Part, value: Any, raw: dict[str, bytes] | None) -> bytes:
    """The bytes of a field after any length prefix (the UIDS entries' own prefixes: the
    16-bit length of a UID of at most 64 bytes)."""
    if raw is not None:
        kept = raw.get(part.name)
        if kept is not None:
            return kept
    if part.value is ValueKind.BYTES:
        return bytes(value)
    if part.value is ValueKind.UIDS:
        return b"".join(_pack_prefix(len(uid)) + uid.encode("latin-1") for uid in value)
    encoded: bytes = value.encode("latin-1")
    return encoded.ljust(16) if part.value is ValueKind.AE else encoded


def _head_value(
    obj: Any, part: Part, plan: Plan, received: Any, raw: dict[str, bytes] | None
) -> Any:
    if part.kind is Kind.RESERVED:
        if received is not None and received.reserved:
            return received.reserved[plan.reserved_index[part.name]]
        return part.zero()
    if part.value is ValueKind.VERSION:
        return 1 if received is None or received.version is None else received.version
    value = getattr(obj, part.name)
    if part.value is ValueKind.AE:
        return _text_bytes(part, value, raw)
    return value


_MEASURING_PREFIX: Final = bytes(LENGTH_PREFIX.size)
"""What stands for a 16-bit length prefix while an item is only measured: its size, so
that a field too long for its prefix is measured (and refused) rather than packed."""


def _body(obj: Any, plan: Plan, measuring: bool = False) -> bytes:
    received = obj.received
    raw = dict(received.raw) if received is not None and received.raw else None
    pieces = [
        plan.head.pack(*[_head_value(obj, part, plan, received, raw) for part in plan.head_parts])
    ]
    for part, single in plan.tail:
        kind = part.kind
        if kind is Kind.ITEMS:
            pieces.extend(_children(obj, part, received, raw))
        elif single is not None:
            pieces.append(single.pack(_head_value(obj, part, plan, received, raw)))
        else:
            data = _text_bytes(part, getattr(obj, part.name), raw)
            if kind is not Kind.REST:
                pieces.append(_MEASURING_PREFIX if measuring else _pack_prefix(len(data)))
            pieces.append(data)
    return b"".join(pieces)


def _bare(item_type: int, uid: str) -> bytes:
    data = uid.encode("latin-1")
    return _pack_item_header(item_type, 0, len(data)) + data


def _children(obj: Any, part: Part, received: Any, raw: dict[str, bytes] | None) -> Iterator[bytes]:
    """The encoded children of ``obj``'s field ``part``, as they came or in type order."""
    if part.children is None:
        for item in getattr(obj, part.name):
            yield encode_item(item)
        return
    streams: dict[int, Iterator[tuple[int, Any]]] = {}
    for child in part.children:
        value = getattr(obj, child.field)
        values: Iterable[Any] = (
            value if child.occurs is Count.MANY else (() if value is None else (value,))
        )
        streams[child.item_type] = iter(enumerate(values))
    bare: dict[int, str] = {
        child.item_type: child.field
        for child in part.children
        if ITEM_LAYOUTS[child.item_type].bare
    }
    unknown = obj.unknown_items

    def one(item_type: int, index: int, value: Any) -> bytes:
        if item_type in bare:
            if raw is not None:
                kept = raw.get(f"{bare[item_type]}.{index}")
                if kept is not None:
                    return kept
            return _bare(item_type, value)
        return encode_item(value)

    order = None if received is None else received.order
    if order is not None:
        unknowns = iter(unknown)
        for item_type in order:
            if item_type == 0:
                yield encode_item(next(unknowns))
            else:
                index, value = next(streams[item_type])
                yield one(item_type, index, value)
        return
    if not unknown:
        for item_type, stream in streams.items():
            for index, value in stream:
                yield one(item_type, index, value)
        return
    typed = [
        (item_type, one(item_type, index, value))
        for item_type, stream in streams.items()
        for index, value in stream
    ]
    typed.extend((item.item_type, encode_item(item)) for item in unknown)
    typed.sort(key=lambda pair: pair[0])  # stable: increasing type order (PS3.8 9.3.1)
    for _, data in typed:
        yield data


def encode_item(item: Any) -> bytes:
    """An item or sub-item with its header."""
    writer = _WRITERS.get(type(item))
    if writer is not None:
        return cast(bytes, writer(item))
    return _encode_item(item)


def _encode_item(item: Any) -> bytes:
    """An item or sub-item with its header, by the general walk."""
    item_type = getattr(type(item), "ITEM_TYPE", None)
    if item_type is None:
        return _unknown(item)
    layout = ITEM_LAYOUTS[item_type]
    body = _body(item, ITEM_PLANS[item_type])
    if layout.header_field is not None:
        second = getattr(item, layout.header_field)
    else:
        received = item.received
        second = received.reserved[0] if received is not None and received.reserved else 0
    return _pack_item_header(item_type, second, len(body)) + body


def item_length(item: Any) -> int:
    """The Item-length an item's header states: the bytes after the header."""
    item_type = getattr(type(item), "ITEM_TYPE", None)
    if item_type is None:
        return len(item.data)
    return len(_body(item, ITEM_PLANS[item_type], measuring=True))


def _pdv(pdv: Any) -> bytes:
    control = (COMMAND_BIT if pdv.is_command else 0) | (LAST_BIT if pdv.is_last else 0)
    received = pdv.received
    if received is not None and received.reserved:
        control |= received.reserved[0]  # the control header's other bits, as received
    fragment: bytes = pdv.fragment
    return PDV_HEADER.pack(len(fragment) + 2, pdv.context_id, control) + fragment


def encode_pdu(pdu: PDU) -> bytes:
    """The bytes of ``pdu``, its PDU header included (PS3.8 9.3)."""
    pdu_type = getattr(type(pdu), "PDU_TYPE", None)
    if pdu_type is None:
        raise TypeError(f"encode_pdu takes a PDU (AAssociateRQ, ...), not {type(pdu).__name__}")
    if isinstance(pdu, PDataTF):
        body = b"".join([_pdv(pdv) for pdv in pdu.pdvs])
    elif pdu.received is None and not getattr(pdu, "unknown_items", ()):
        body = _PDU_BODIES[pdu_type](pdu)
    else:
        body = _body(pdu, PDU_PLANS[pdu_type])
    if len(body) > MAX_LENGTH_FIELD:
        raise ValueError(f"a PDU of {len(body)} bytes does not fit the 32-bit PDU-length")
    received = pdu.received
    reserved = received.reserved[0] if received is not None and received.reserved else 0
    return PDU_HEADER.pack(pdu_type, reserved, len(body)) + body


# --- the canonical writers, generated from the layouts ----------------------------------------
# What a built item is (nothing received, no unknown children): its fields in layout order,
# reserved fields zero, children in type order.  Anything else takes the general walk above.

_BARE_KEPT: Final = 512
"""How many encoded 30H/40H sub-items (a UID each) are remembered, at most."""
_BARE: Final[dict[tuple[int, str], bytes]] = {}


def _bare_memo(item_type: int, uid: str) -> bytes:
    """A 30H/40H sub-item holding ``uid``: the same UIDs recur, so they are remembered."""
    key = (item_type, uid)
    data = _BARE.get(key)
    if data is None:
        data = _bare(item_type, uid)
        if len(_BARE) < _BARE_KEPT:
            _BARE[key] = data
    return data


def _value_expression(part: Part, access: str) -> list[str]:
    """The expressions that write a part's value (after any length prefix) from ``access``."""
    kind = part.value
    if kind is ValueKind.BYTES:
        return [access]
    if kind is ValueKind.UIDS:
        return [f"_uids({access})"]
    if kind is ValueKind.AE:
        return [f"{access}.encode('latin-1').ljust(16)"]
    return [f"{access}.encode('latin-1')"]


def _uids(uids: tuple[str, ...]) -> bytes:
    return b"".join(_pack_prefix(len(uid)) + uid.encode("latin-1") for uid in uids)


def _writer_source(
    function: str, layout: ItemLayout, code: int | None
) -> tuple[str, dict[str, Any]]:
    """A function of one object that gives the body (``code`` None: a PDU's) or the whole
    item of a canonical object of ``layout``, or None where it is not canonical."""
    plan = plan_of(layout)
    namespace: dict[str, Any] = {
        "_head": plan.head.pack,
        "_header": _pack_item_header,
        "_prefix": _pack_prefix,
        "_bare": _bare_memo,
        "_uids": _uids,
        "_any": encode_item,
        "_join": b"".join,
    }
    args = []
    for part in plan.head_parts:
        if part.kind is Kind.RESERVED:
            args.append(repr(part.zero()))
        elif part.value is ValueKind.VERSION:
            args.append("1")
        elif part.value is ValueKind.AE:
            args += _value_expression(part, f"obj.{part.name}")
        else:
            args.append(f"obj.{part.name}")
    pieces = [f"_head({', '.join(args)})"] if plan.head_parts else []
    lines = [f"def {function}(obj):", "    if obj.received is not None: return None"]
    for index, (part, single) in enumerate(plan.tail):
        access = f"obj.{part.name}"
        if part.kind is Kind.ITEMS:
            if part.children is None:
                pieces.append(f"*[_any(x) for x in {access}]")
                continue
            lines.append("    if obj.unknown_items: return None")
            for child in part.children:
                value = f"obj.{child.field}"
                if ITEM_LAYOUTS[child.item_type].bare:
                    one = f"_bare({int(child.item_type)}, {{v}})"
                else:
                    one = "_any({v})"
                if child.occurs is Count.MANY:
                    pieces.append(f"*[{one.format(v='x')} for x in {value}]")
                elif child.occurs is Count.ONE:
                    pieces.append(one.format(v=value))
                else:
                    pieces.append(f"(b'' if {value} is None else {one.format(v=value)})")
            continue
        if single is not None:
            namespace[f"_single{index}"] = single.pack
            value = repr(part.zero()) if part.kind is Kind.RESERVED else access
            pieces.append(f"_single{index}({value})")
            continue
        var = f"v{index}"
        lines.append(f"    {var} = {_value_expression(part, access)[0]}")
        if part.kind is not Kind.REST:
            pieces.append(f"_prefix(len({var}))")
        pieces.append(var)
    lines.append(f"    body = _join([{', '.join(pieces)}])")
    if code is None:
        lines.append("    return body")
    else:
        second = f"obj.{layout.header_field}" if layout.header_field else "0"
        lines.append(f"    return _header({code}, {second}, len(body)) + body")
    return "\n".join(lines) + "\n", namespace


def _writer(function: str, layout: ItemLayout, code: int | None, fallback: Any) -> Any:
    source, namespace = _writer_source(function, layout, code)
    canonical = compile_function(source, function, f"write {layout.name}", namespace)

    def write(obj: Any) -> bytes:
        data = canonical(obj)
        return fallback(obj) if data is None else data  # type: ignore[no-any-return]

    write.__name__ = function
    return write


def _unknown(item: Any) -> bytes:
    data: bytes = item.data
    return _pack_item_header(item.item_type, item.reserved, len(data)) + data


def _writer_of(cls: type) -> Any:
    item_type = getattr(cls, "ITEM_TYPE", None)
    if item_type is None:
        return _unknown
    return _writer(f"write_{item_type:02x}", ITEM_LAYOUTS[item_type], int(item_type), _encode_item)


_WRITERS: Final[dict[type, Any]] = {
    cls: _writer_of(cls)
    for cls in vars(items).values()
    if isinstance(cls, type)
    and (isinstance(vars(cls).get("ITEM_TYPE"), int) or cls is items.UnknownItem)
}
"""Each item class's writer (a class found by its ``ITEM_TYPE``; the unknown item)."""
items.measure_with(item_length)


def _pdu_body(layout: ItemLayout) -> Any:
    function = f"write_{layout.name.replace('-', '_')}"
    source, namespace = _writer_source(function, layout, None)
    return compile_function(source, function, f"write {layout.name}", namespace)


_PDU_BODIES: Final = {code: _pdu_body(layout) for code, layout in PDU_LAYOUTS.items()}
"""The body of each PDU (but P-DATA-TF) that was built, not received."""
