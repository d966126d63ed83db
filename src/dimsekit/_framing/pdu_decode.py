"""Bytes to Upper Layer PDUs: :func:`decode_pdu`, lenient, walking the layouts of ``pdu_layout``.

Owns: reading one whole PDU (PS3.8 9.3) into the typed classes of ``_framing.pdus`` and
``_framing.items``, as the layouts declare it, and :class:`DecodedPDU`.  Structural
breaks (a PDU shorter than its header or its length, an item or a field running past its
parent, fixed fields cut short) are :class:`~dimsekit.DecodeError` with the offset.  Any
other deviation is a :class:`~dimsekit.Diagnostic` (strict decoding raises the first):
every rule the classes state (``problems``) is checked on what was received, a missing
item is reported with what was assumed, an unknown item is kept.  Reserved fields are
never tested (PS3.8 9.3.1), the protocol version is tested on bit 0 only (PS3.8 9.3.2),
user information sub-items come in any order without a word (CP 280), and what the
fields do not hold (reserved bytes, padding, order) is kept as ``received`` so the PDU
re-encodes byte for byte.  Nothing is allocated beyond the input.

Must not know: how values are checked (it asks the classes), the encoder, association
state, DIMSE messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs
from pydicom.uid import UID

from .._diagnostics import Diagnostic, DiagnosticLog, Severity
from .._errors import DecodeError, show
from .._model import vr
from . import items as _items_module
from .items import ApplicationContext, UnknownItem, UserInformation
from .pdu import COMMAND_BIT, LAST_BIT, PDU_HEADER, PDU_LENGTHS, PDV_HEADER, PDUType
from .pdu_encode import ITEM_PLANS, PDU_PLANS, Plan
from .pdu_layout import (
    ITEM_HEADER,
    ITEM_LAYOUTS,
    LENGTH_PREFIX,
    PDU_LAYOUTS,
    Child,
    Count,
    ItemLayout,
    ItemType,
    Kind,
    Part,
    Received,
    ValueKind,
)
from .pdus import PDU, PDU_CLASSES, PDataTF, PresentationDataValue

__all__ = ["DecodedPDU", "decode_pdu"]

_unpack_item_header: Final = ITEM_HEADER.unpack_from
_unpack_prefix: Final = LENGTH_PREFIX.unpack_from
_known_uids: Final = vr.KNOWN_UIDS
_remember_uid: Final = vr.remember_uid
_str_new: Final = str.__new__
_new: Final = object.__new__
_set: Final = object.__setattr__

ITEM_CLASSES: Final[dict[int, type]] = {
    cls.ITEM_TYPE: cls
    for cls in vars(_items_module).values()
    if isinstance(cls, type) and isinstance(vars(cls).get("ITEM_TYPE"), int)
}
"""The class of each item type that has one (30H and 40H are held as UIDs)."""

_LAYOUT_NAMES: Final = {code: layout.name for code, layout in ITEM_LAYOUTS.items()}


@attrs.frozen
class DecodedPDU:
    """A decoded PDU and what deviated from PS3.8 in it."""

    pdu: PDU
    diagnostics: tuple[Diagnostic, ...] = ()


def _field_converters(cls: type) -> dict[str, Any]:
    """The converters of ``cls``'s fields, which the decoder applies, as the constructor
    would, to the ints it read (enums, flags); UIDs and text it converts itself."""
    return {field.name: field.converter for field in attrs.fields(cls) if field.converter}


_CONVERTERS: Final = {
    cls: _field_converters(cls)
    for cls in (*ITEM_CLASSES.values(), *PDU_CLASSES.values(), PresentationDataValue)
}


def _build(cls: type, values: dict[str, Any], received: Received | None) -> Any:
    """An instance of ``cls`` holding ``values`` as they are, without its checks (the
    decoder reports what breaks them as diagnostics)."""
    obj = _new(cls)
    converters = _CONVERTERS[cls]
    for field in attrs.fields(cls):
        name = field.name
        if name == "received":
            continue
        if name in values:
            value = values[name]
        elif field.default is not attrs.NOTHING:
            default = field.default
            value = default.factory() if isinstance(default, attrs.Factory) else default  # type: ignore[call-arg]
        else:
            value = None
        converter = converters.get(name)
        if converter is not None and type(value) is int:
            if isinstance(converter, attrs.Converter):
                value = converter.converter(value, obj)  # type: ignore[call-arg]
            else:
                value = converter(value)
        _set(obj, name, value)
    _set(obj, "received", received)
    return obj


class _Decoder:
    """One PDU's decoding: its bytes, and the diagnostics found."""

    __slots__ = ("data", "log")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.log = DiagnosticLog()

    def note(self, what: str, rule: str, offset: int, severity: Severity = Severity.ERROR) -> None:
        self.log.append(Diagnostic(what=what, rule=rule, severity=severity, offset=offset))

    def check(self, obj: Any, offset: int) -> None:
        """Every rule ``obj`` states, checked on what was received."""
        for fields, value, rule, reference in obj.problems():
            where = ", ".join(f"{type(obj).__name__}.{name}" for name in fields)
            self.note(f"{where}: {rule}; got {show(value)}", reference, offset)

    # --- values ------------------------------------------------------------------------

    def uid(self, raw: bytes) -> tuple[UID, bool]:
        """A received UID and whether its bytes are what the encoder writes for it."""
        text = raw.decode("latin-1")
        known = _known_uids.get(text)
        if known is not None:
            return known, len(known) == len(text)
        uid = vr.to_uid(text)
        _remember_uid(uid, text)
        return uid, uid == text

    def value(self, part: Part, raw: bytes, offset: int) -> tuple[Any, bool]:
        """The value of a UID, text or bytes field and whether its bytes are canonical."""
        kind = part.value
        if kind is ValueKind.UID:
            return self.uid(raw)
        if kind is ValueKind.BYTES:
            return raw, True
        if kind is ValueKind.UIDS:
            uids, canonical, position = [], True, 0
            while position < len(raw):
                if position + 2 > len(raw):
                    raise DecodeError(
                        f"{part.name}: a 16-bit UID-length cut short",
                        offset=offset + position,
                    )
                (length,) = _unpack_prefix(raw, position)
                position += 2
                if position + length > len(raw):
                    raise DecodeError(
                        f"{part.name}: a UID of {length} bytes runs past its field "
                        f"({len(raw) - position} bytes left) (PS3.7 D.3.3.6.1)",
                        offset=offset + position - 2,
                    )
                uid, fine = self.uid(raw[position : position + length])
                uids.append(uid)
                canonical &= fine
                position += length
            return tuple(uids), canonical
        text = raw.decode("latin-1")
        value = vr.to_ae(text)
        expected = value.encode("latin-1")
        if kind is ValueKind.AE:
            expected = expected.ljust(16)
        return value, expected == raw

    # --- items -------------------------------------------------------------------------

    def walk(self, start: int, end: int, parent: str) -> list[tuple[int, int, int, int]]:
        """(item type, reserved byte, body start, body end) of each item from ``start``
        to ``end``, checked to stay inside their parent."""
        data = self.data
        found = []
        position = start
        while position < end:
            if position + 4 > end:
                raise DecodeError(
                    f"{end - position} bytes left in the {parent}, too few for an item "
                    "header (4 bytes) (PS3.8 9.3.1)",
                    offset=position,
                )
            item_type, reserved, length = _unpack_item_header(data, position)
            body = position + 4
            stop = body + length
            if stop > end:
                raise DecodeError(
                    f"item {item_type:02X}H of {length} bytes runs past the end of the "
                    f"{parent} ({end - body} bytes left) (PS3.8 9.3.1)",
                    offset=position,
                )
            found.append((item_type, reserved, body, stop))
            position = stop
        return found

    def fields(
        self, layout: ItemLayout, plan: Plan, start: int, end: int
    ) -> tuple[
        dict[str, Any], list[int | bytes], list[tuple[str, bytes]], dict[str, tuple[int, int]]
    ]:
        """The values of a layout's fields from ``start`` to ``end``: the values, the
        reserved fields' values, the raw bytes of non-canonical text, and where each
        field of sub-items lies."""
        data = self.data
        head = plan.head
        if start + head.size > end:
            raise DecodeError(
                f"the {layout.name} has {end - start} bytes after its header; its fixed "
                f"fields take {head.size} ({layout.clause})",
                offset=start,
            )
        values: dict[str, Any] = {}
        reserved: list[int | bytes] = []
        raw: list[tuple[str, bytes]] = []
        spans: dict[str, tuple[int, int]] = {}
        for part, value in zip(plan.head_parts, head.unpack_from(data, start), strict=True):
            self.head_value(layout, part, value, values, reserved, raw, start)
        position = start + head.size
        for part, single in plan.tail:
            kind = part.kind
            if kind is Kind.ITEMS:
                spans[part.name] = (position, end)
                position = end
                continue
            if single is not None:
                if position + single.size > end:
                    raise DecodeError(
                        f"the {layout.name}'s {part.name} runs past its end ({layout.clause})",
                        offset=position,
                    )
                self.head_value(
                    layout,
                    part,
                    single.unpack_from(data, position)[0],
                    values,
                    reserved,
                    raw,
                    position,
                )
                position += single.size
                continue
            if kind is Kind.REST:
                stop = end
            else:
                if position + 2 > end:
                    raise DecodeError(
                        f"the {layout.name} ends inside the length of its {part.name} "
                        f"({layout.clause})",
                        offset=position,
                    )
                (length,) = _unpack_prefix(data, position)
                position += 2
                stop = position + length
                if stop > end:
                    raise DecodeError(
                        f"the {layout.name}'s {part.name} of {length} bytes runs past its "
                        f"end ({end - position} bytes left) ({layout.clause})",
                        offset=position - 2,
                    )
            field_bytes = data[position:stop]
            value, canonical = self.value(part, field_bytes, position)
            values[part.name] = value
            if not canonical:
                raw.append((part.name, field_bytes))
            position = stop
        if position != end:
            raise DecodeError(
                f"the {layout.name} has {end - position} bytes after its last field "
                f"({layout.clause})",
                offset=position,
            )
        return values, reserved, raw, spans

    def head_value(
        self,
        layout: ItemLayout,
        part: Part,
        value: Any,
        values: dict[str, Any],
        reserved: list[int | bytes],
        raw: list[tuple[str, bytes]],
        offset: int,
    ) -> None:
        if part.kind is Kind.RESERVED:
            reserved.append(value)  # never tested (PS3.8 9.3.1)
        elif part.value is ValueKind.VERSION:
            values[part.name] = value
            if not value & 1:
                self.note(
                    f"protocol version 0x{value:04X} lacks bit 0 (version 1)", layout.clause, offset
                )
        elif part.value is ValueKind.AE:
            text, canonical = self.value(part, value, offset)
            values[part.name] = text
            if not canonical:
                raw.append((part.name, value))
        else:
            values[part.name] = value

    def item(self, item_type: int, reserved_byte: int, start: int, end: int) -> Any:
        """A known item (not 30H/40H), its sub-items decoded, checked, as its class."""
        layout = ITEM_LAYOUTS[item_type]
        cls = ITEM_CLASSES[item_type]
        values, reserved, raw, spans = self.fields(layout, ITEM_PLANS[item_type], start, end)
        if layout.header_field is not None:
            values[layout.header_field] = reserved_byte
            reserved_byte = 0
        order = None
        for part in layout.parts:
            if part.kind is Kind.ITEMS:
                order = self.children(layout.name, part, spans[part.name], values, raw)
        if reserved_byte or any(reserved) or raw or order is not None:
            received = Received(reserved=(reserved_byte, *reserved), raw=tuple(raw), order=order)
        else:
            received = None
        obj = _build(cls, values, received)
        self.check(obj, start - 4)
        return obj

    def children(
        self,
        parent: str,
        part: Part,
        span: tuple[int, int],
        values: dict[str, Any],
        raw: list[tuple[str, bytes]],
    ) -> bytes | None:
        """Decode the items of ``span`` into ``values``; the order they came in, where it
        is not the one the encoder writes."""
        found = self.walk(span[0], span[1], parent)
        if part.children is None:  # user information: every sub-item kept, in order
            sub_items = []
            for item_type, reserved_byte, start, end in found:
                sub_items.append(self.sub_item(parent, item_type, reserved_byte, start, end))
            values[part.name] = tuple(sub_items)
            return None
        by_type: dict[int, Child] = {child.item_type: child for child in part.children}
        collected: dict[str, list[Any]] = {child.field: [] for child in part.children}
        unknown: list[UnknownItem] = []
        order = bytearray()
        in_order = True
        last = 0
        for item_type, reserved_byte, start, end in found:
            child = by_type.get(item_type)
            if child is not None and (child.count is Count.MANY or not collected[child.field]):
                layout = ITEM_LAYOUTS[item_type]
                into = collected[child.field]
                if layout.bare:
                    uid, canonical = self.uid(self.data[start:end])
                    if not canonical or reserved_byte:
                        raw.append((f"{child.field}.{len(into)}", self.data[start - 4 : end]))
                    into.append(uid)
                else:
                    into.append(self.item(item_type, reserved_byte, start, end))
                order.append(item_type)
            else:
                if child is not None:
                    self.note(
                        f"a second {_LAYOUT_NAMES[item_type]} in the {parent}: kept as an "
                        "unknown item",
                        f"{ITEM_LAYOUTS[item_type].clause}: {child.count.value}",
                        start - 4,
                    )
                else:
                    self.unknown_note(parent, item_type, start - 4)
                unknown.append(
                    UnknownItem(
                        item_type=item_type, data=self.data[start:end], reserved=reserved_byte
                    )
                )
                order.append(0)
                in_order = False
            if item_type < last:
                in_order = False
            last = item_type
        for child in part.children:
            got = collected[child.field]
            if child.count is Count.MANY:
                values[child.field] = tuple(got)
            elif got:
                values[child.field] = got[0]
            elif child.count is Count.ONE:
                values[child.field] = self.missing(parent, child, span[0])
                in_order = False  # the assumed item was not there: re-encoded without it
        values["unknown_items"] = tuple(unknown)
        return None if in_order else bytes(order)

    def missing(self, parent: str, child: Child, offset: int) -> Any:
        """What is assumed for a required child that is not there, said in a diagnostic."""
        layout = ITEM_LAYOUTS[child.item_type]
        if child.item_type == ItemType.APPLICATION_CONTEXT:
            value: Any = ApplicationContext()
            assumed = f"assumed the DICOM application context {value.name}"
        elif child.item_type == ItemType.USER_INFORMATION:
            value = _build(UserInformation, {"sub_items": ()}, None)
            assumed = "assumed an empty User Information item"
        else:
            value, assumed = UID(""), "assumed none (an empty UID)"
        self.note(
            f"the {parent} has no {layout.name}: {assumed}",
            f"{layout.clause}: {child.count.value}",
            offset,
        )
        return value

    def unknown_note(self, parent: str, item_type: int, offset: int) -> None:
        known = _LAYOUT_NAMES.get(item_type)
        what = f"a {known}" if known else f"an item of unknown type {item_type:02X}H"
        self.note(
            f"{what} in the {parent}: kept, skipped",
            "PS3.8 9.3.1, D.2: unrecognised items are ignored",
            offset,
            Severity.WARNING,
        )

    def sub_item(
        self, parent: str, item_type: int, reserved_byte: int, start: int, end: int
    ) -> Any:
        cls = ITEM_CLASSES.get(item_type)
        if cls is None or cls is UserInformation or item_type < 0x51:
            self.unknown_note(parent, item_type, start - 4)
            return UnknownItem(
                item_type=item_type, data=self.data[start:end], reserved=reserved_byte
            )
        return self.item(item_type, reserved_byte, start, end)

    # --- PDUs --------------------------------------------------------------------------

    def pdu(self, pdu_type: PDUType, reserved_byte: int, length: int) -> PDU:
        end = 6 + length
        if pdu_type is PDUType.P_DATA_TF:
            return self.p_data(reserved_byte, end)
        layout = PDU_LAYOUTS[pdu_type]
        cls = PDU_CLASSES[pdu_type]
        values, reserved, raw, spans = self.fields(layout, PDU_PLANS[pdu_type], 6, end)
        order = None
        if "items" in spans:
            order = self.children(layout.name, layout.parts[-1], spans["items"], values, raw)
        version = values.pop("protocol_version", 1)
        if (
            reserved_byte
            or any(value for value in reserved)
            or raw
            or order is not None
            or version != 1
        ):
            received = Received(
                reserved=(reserved_byte, *reserved),
                raw=tuple(raw),
                order=order,
                version=None if version == 1 else version,
            )
        else:
            received = None
        obj = _build(cls, values, received)
        self.check(obj, 0)
        return obj  # type: ignore[no-any-return]

    def p_data(self, reserved_byte: int, end: int) -> PDataTF:
        data = self.data
        pdvs = []
        position = 6
        while position < end:
            if position + PDV_HEADER.size > end:
                raise DecodeError(
                    f"{end - position} bytes left in the P-DATA-TF, too few for a PDV item "
                    "header (6 bytes) (PS3.8 9.3.5.1)",
                    offset=position,
                )
            length, context_id, control = PDV_HEADER.unpack_from(data, position)
            stop = position + 4 + length
            if length < 2 or stop > end:
                raise DecodeError(
                    f"a PDV item of length {length} runs past the P-DATA-TF or holds no "
                    f"context ID and control header ({end - position - 4} bytes left) "
                    "(PS3.8 9.3.5.1)",
                    offset=position,
                )
            other = control & ~(COMMAND_BIT | LAST_BIT)
            pdv = _build(
                PresentationDataValue,
                {
                    "context_id": context_id,
                    "is_command": bool(control & COMMAND_BIT),
                    "is_last": bool(control & LAST_BIT),
                    "fragment": data[position + 6 : stop],
                },
                Received(reserved=(other,)) if other else None,
            )
            self.check(pdv, position)
            pdvs.append(pdv)
            position = stop
        pdu = _build(
            PDataTF,
            {"pdvs": tuple(pdvs)},
            Received(reserved=(reserved_byte,)) if reserved_byte else None,
        )
        self.check(pdu, 0)
        return pdu  # type: ignore[no-any-return]


def decode_pdu(data: bytes | bytearray | memoryview, *, strict: bool = False) -> DecodedPDU:
    """Decode one whole PDU, its header included (PS3.8 9.3).

    Lenient: what deviates from PS3.8 but leaves the peer's meaning clear is a
    diagnostic; ``strict`` raises :class:`~dimsekit.DecodeError` for the first.  A PDU
    whose structure is broken (cut short, an item past its parent, a PDU-length that
    disagrees with the bytes) is a DecodeError either way, with the offset.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"decode_pdu takes bytes, not {type(data).__name__}")
    if type(data) is not bytes:
        data = bytes(data)
    if len(data) < PDU_HEADER.size:
        raise DecodeError(f"{len(data)} bytes: a PDU has a 6-byte header (PS3.8 9.3.1)", offset=0)
    pdu_type, reserved_byte, length = PDU_HEADER.unpack_from(data)
    if pdu_type not in _PDU_TYPES:
        raise DecodeError(f"unknown PDU type 0x{pdu_type:02X} (PS3.8 9.3.1)", offset=0)
    kind = _PDU_TYPES[pdu_type]
    if len(data) - 6 != length:
        raise DecodeError(
            f"the {kind.label} states a PDU-length of {length} and {len(data) - 6} bytes "
            "follow its header (PS3.8 9.3.1)",
            offset=2,
        )
    shape = PDU_LENGTHS.get(kind)
    breach = None if shape is None else shape.breach(length)
    if breach is not None:
        raise DecodeError(f"{kind.label} {breach} ({shape.clause})", offset=2)  # type: ignore[union-attr]
    decoder = _Decoder(data)
    pdu = decoder.pdu(kind, reserved_byte, length)
    first = decoder.log.first
    if strict and first is not None:
        raise DecodeError(f"{first.what} [{first.rule}] (strict)", offset=first.offset)
    return DecodedPDU(pdu, decoder.log.freeze())


_PDU_TYPES: Final = {int(kind): kind for kind in PDUType}
