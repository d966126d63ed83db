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

import re
from collections.abc import Callable, Mapping
from typing import Any, Final, NoReturn

import attrs
from pydicom.uid import UID

from .._codegen import compile_function, slot_setter
from .._diagnostics import Diagnostic, DiagnosticLog, Severity
from .._errors import DecodeError, show
from .._model import vr
from .._model.value_rules import InlineCheck
from . import items as _items_module
from .items import ApplicationContext, Problem, UnknownItem, UserInformation
from .pdu import COMMAND_BIT, LAST_BIT, PDU_HEADER, PDU_LENGTHS, PDV_HEADER, PDUType
from .pdu_encode import ITEM_PLANS, PDU_PLANS, Plan
from .pdu_layout import (
    ITEM_HEADER,
    ITEM_LAYOUTS,
    LENGTH_PREFIX,
    PDU_LAYOUTS,
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
    vars(cls)["ITEM_TYPE"]: cls
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


def _default_of(field: attrs.Attribute[Any]) -> Any:
    """A field's default (a factory's product), or None where it has none."""
    default = field.default
    factory = getattr(default, "factory", None)
    if callable(factory):
        return factory()
    return None if default is attrs.NOTHING else default


def _build(cls: type, values: dict[str, Any], received: Received | None) -> Any:
    """An instance of ``cls`` holding ``values`` as they are, without its checks (the
    decoder reports what breaks them as diagnostics)."""
    obj: Any = _new(cls)
    converters = _CONVERTERS[cls]
    for field in attrs.fields(cls):
        name = field.name
        if name == "received":
            continue
        if name in values:
            value = values[name]
        elif field.default is not attrs.NOTHING:
            value = _default_of(field)
        else:
            value = None
        converter = converters.get(name)
        if converter is not None and type(value) is int:
            if isinstance(converter, attrs.Converter):
                value = converter.converter(value, obj)  # type: ignore[attr-defined]
            else:
                value = converter(value)
        _set(obj, name, value)
    _set(obj, "received", received)
    return obj


class _Decoder:
    """One PDU's decoding: its bytes, the diagnostics found, and the slow paths and
    errors the generated readers call."""

    __slots__ = ("data", "log", "noted")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.log = DiagnosticLog()
        self.noted = 0

    def note(self, what: str, rule: str, offset: int, severity: Severity = Severity.ERROR) -> None:
        self.noted += 1
        self.log.append(Diagnostic(what=what, rule=rule, severity=severity, offset=offset))

    def check(self, obj: Any, offset: int) -> None:
        """Every rule ``obj`` states, checked on what was received."""
        for problem in obj.problems():
            self.report(obj, problem, offset)

    def report(self, obj: Any, problem: Problem, offset: int) -> None:
        """One rule ``obj`` breaks, as a diagnostic."""
        fields, value, rule, reference = problem
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
        _remember_uid(uid)
        return uid, uid == text

    def text(self, raw: bytes, width: int = 0) -> tuple[str, bool]:
        """Received text, its insignificant spaces gone, and whether its bytes are what
        the encoder writes for it (``width``: a fixed field padded with spaces)."""
        value = vr.to_ae(raw.decode("latin-1"))
        expected = value.encode("latin-1")
        return value, (expected.ljust(width) if width else expected) == raw

    def uids(self, name: str, raw: bytes, offset: int) -> tuple[tuple[UID, ...], bool]:
        """A list of (16-bit length, UID) entries (PS3.7 D.3.3.6.1)."""
        uids, canonical, position = [], True, 0
        while position < len(raw):
            if position + 2 > len(raw):
                raise DecodeError(
                    f"{name}: a 16-bit UID-length cut short (PS3.7 D.3.3.6.1)",
                    offset=offset + position,
                )
            (length,) = _unpack_prefix(raw, position)
            position += 2
            if position + length > len(raw):
                raise DecodeError(
                    f"{name}: a UID of {length} bytes runs past its field "
                    f"({len(raw) - position} bytes left) (PS3.7 D.3.3.6.1)",
                    offset=offset + position - 2,
                )
            uid, fine = self.uid(raw[position : position + length])
            uids.append(uid)
            canonical &= fine
            position += length
        return tuple(uids), canonical

    def version(self, value: int, clause: str, offset: int) -> None:
        self.note(f"protocol version 0x{value:04X} lacks bit 0 (version 1)", clause, offset)

    # --- structure: the errors ----------------------------------------------------------

    def short(self, name: str, clause: str, start: int, end: int, size: int) -> NoReturn:
        raise DecodeError(
            f"the {name} has {end - start} bytes after its header; its fixed fields take "
            f"{size} ({clause})",
            offset=start,
        )

    def past_end(self, name: str, field: str, clause: str, offset: int) -> NoReturn:
        raise DecodeError(f"the {name}'s {field} runs past its end ({clause})", offset=offset)

    def cut_length(self, name: str, field: str, clause: str, offset: int) -> NoReturn:
        raise DecodeError(
            f"the {name} ends inside the length of its {field} ({clause})", offset=offset
        )

    def overrun_field(
        self, name: str, field: str, clause: str, length: int, offset: int, end: int
    ) -> NoReturn:
        raise DecodeError(
            f"the {name}'s {field} of {length} bytes runs past its end "
            f"({end - offset - 2} bytes left) ({clause})",
            offset=offset,
        )

    def trailing(self, name: str, clause: str, offset: int, end: int) -> NoReturn:
        raise DecodeError(
            f"the {name} has {end - offset} bytes after its last field ({clause})",
            offset=offset,
        )

    def no_header(self, parent: str, offset: int, end: int) -> NoReturn:
        raise DecodeError(
            f"{end - offset} bytes left in the {parent}, too few for an item header "
            "(4 bytes) (PS3.8 9.3.1)",
            offset=offset,
        )

    def overrun(self, parent: str, item_type: int, length: int, offset: int, end: int) -> NoReturn:
        raise DecodeError(
            f"item {item_type:02X}H of {length} bytes runs past the end of the {parent} "
            f"({end - offset - 4} bytes left) (PS3.8 9.3.1)",
            offset=offset,
        )

    # --- items that are not where they belong ------------------------------------------

    def extra(
        self, parent: str, item_type: int, reserved: int, start: int, end: int, count: str | None
    ) -> UnknownItem:
        """An item kept as unknown: of a type the parent does not hold (``count`` None), or
        one more than it holds (``count``: how many it may)."""
        if count is not None:
            self.note(
                f"a second {_LAYOUT_NAMES[item_type]} in the {parent}: kept as an unknown item",
                f"{ITEM_LAYOUTS[item_type].clause}: {count}",
                start - 4,
            )
        else:
            self.unknown_note(parent, item_type, start - 4)
        return UnknownItem(item_type=item_type, data=self.data[start:end], reserved=reserved)

    def missing(self, parent: str, item_type: int, count: str, offset: int) -> Any:
        """What is assumed for a required child that is not there, said in a diagnostic."""
        layout = ITEM_LAYOUTS[item_type]
        if item_type == ItemType.APPLICATION_CONTEXT:
            value: Any = ApplicationContext()
            assumed = f"assumed the DICOM application context {value.name}"
        elif item_type == ItemType.USER_INFORMATION:
            value = _build(UserInformation, {"sub_items": ()}, None)
            assumed = "assumed an empty User Information item"
        else:
            value, assumed = UID(""), "assumed none (an empty UID)"
        self.note(
            f"the {parent} has no {layout.name}: {assumed}", f"{layout.clause}: {count}", offset
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

    def sub_items(self, parent: str, start: int, end: int) -> tuple[Any, ...]:
        """The user information sub-items, every one kept, in the order they came."""
        data = self.data
        found = []
        position = start
        while position < end:
            if position + 4 > end:
                self.no_header(parent, position, end)
            item_type, reserved, length = _unpack_item_header(data, position)
            body = position + 4
            stop = body + length
            if stop > end:
                self.overrun(parent, item_type, length, position, end)
            reader = _SUB_ITEM_READERS.get(item_type)
            if reader is None:
                found.append(self.extra(parent, item_type, reserved, body, stop, None))
            else:
                found.append(reader(self, data, body, stop, reserved))
            position = stop
        return tuple(found)

    # --- P-DATA-TF ----------------------------------------------------------------------

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


_RECEIVED: Final[dict[tuple[object, ...], Received]] = {}
_RESERVED_ONLY: Final[dict[tuple[int | bytes, ...], Received]] = {}
"""The shared Received of an item that differs from the encoder's only by reserved bytes."""
_RECEIVED_KEPT: Final = 256


def received(
    reserved: tuple[int | bytes, ...],
    raw: tuple[tuple[str, bytes], ...],
    order: bytes | None,
    version: int | None,
) -> Received:
    """The :class:`Received` of these values; the same ones (DCMTK's FFH in each context
    it proposes) share one, up to a bound."""
    key = (reserved, raw, order, version)
    kept = _RECEIVED.get(key)
    if kept is None:
        kept = Received(reserved=reserved, raw=raw, order=order, version=version)
        if len(_RECEIVED) < _RECEIVED_KEPT and len(raw) < 2 and order is None:
            _RECEIVED[key] = kept
            if not raw and version is None:
                _RESERVED_ONLY[reserved] = kept
    return kept


def _add(raw: list[tuple[str, bytes]] | None, name: str, value: bytes) -> list[tuple[str, bytes]]:
    if raw is None:
        raw = []
    raw.append((name, value))
    return raw


# --- the readers, generated from the layouts ------------------------------------------------


def _value_lines(part: Part, var: str, source: str, offset: str) -> list[str]:
    """Lines that set ``v_<name>`` from the bytes ``source`` (at ``offset``), noting in
    ``raw`` the bytes of a value that is not written back as it came."""
    name = part.name
    kind = part.value
    if kind is ValueKind.BYTES:
        return [f"{var} = {source}"]
    if kind is ValueKind.UID:
        call = f"dec.uid({source})"
    elif kind is ValueKind.UIDS:
        call = f"dec.uids({name!r}, {source}, {offset})"
    elif kind is ValueKind.AE:
        call = f"dec.text({source}, 16)"
    else:
        call = f"dec.text({source})"
    return [f"{var}, ok = {call}", f"if not ok: raw = _add(raw, {name!r}, {source})"]


def _children_lines(
    label: str, part: Part, namespace: dict[str, Any], fields_hold: Mapping[str, str] | None
) -> tuple[list[str], dict[str, str], bool]:
    """The loop over a parent's items that sorts them into its fields; the variable of each
    field; and whether the lines set ``held``, true where every child field's part of
    the parent's declared form (``fields_hold``) is known to hold.  The order the items
    came in is kept only once it departs from the one the encoder writes (an unknown
    item, a type lower than the one before, a missing item): until then they came in
    type order, so the ones before are the children so far, in declared order
    (``so_far``)."""
    assert part.children is not None
    variables = {child.field: f"c{index}" for index, child in enumerate(part.children)}
    all_bare = all(ITEM_LAYOUTS[child.item_type].bare for child in part.children)
    runs = [
        variables[child.field] for child in part.children if all_bare and child.occurs is Count.MANY
    ]
    so_far = " + ".join(
        f"bytes([{int(child.item_type)}]) * len({variables[child.field]})"
        for child in part.children
    )
    lines = [f"{var} = []" for var in variables.values()]
    lines += [f"run_{var} = None" for var in runs]
    lines += [
        "unknown = None",
        "order = None",
        "last = 0",
        "while pos < end:",
        f"    if pos + 4 > end: dec.no_header({label!r}, pos, end)",
        "    t, r, n = _item_header(data, pos)",
        "    b = pos + 4",
        "    stop = b + n",
        f"    if stop > end: dec.overrun({label!r}, t, n, pos, end)",
        f"    if t < last and order is None: order = bytearray({so_far})",
    ]
    for index, child in enumerate(part.children):
        var = variables[child.field]
        test = f"t == {int(child.item_type)}"
        if child.occurs is not Count.MANY:
            test += f" and not {var}"
        lines.append(f"    {'elif' if index else 'if'} {test}:")
        if var in runs:
            # The first of a run of these: the same run read before (by its bytes, to
            # the parent's end) gives the same UIDs (see _remembered).
            namespace[f"_run_get_{var}"] = _run_memory(namespace, var).get
            lines += [
                f"        if not {var} and raw is None and order is None:",
                f"            hit = _run_get_{var}(data[pos:end])",
                "            if hit is not None:",
                f"                {var} = hit",
                "                pos = end",
                "                break",
                f"            run_{var} = pos",
            ]
        if ITEM_LAYOUTS[child.item_type].bare:
            lines += [
                # A UID of the shared memory (vr.KNOWN_UIDS), its bytes as the encoder
                # writes them (no padding, header byte 0), is taken as it is; any other
                # goes through dec.uid (which remembers a valid one) and keeps its bytes.
                "        u = _known_get(data[b:stop].decode('latin-1'))",
                "        if u is None or len(u) != n or r:",
                "            u, ok = dec.uid(data[b:stop])",
                "            if not ok or r:",
                f"                raw = _add(raw, f'{child.field}.{{len({var})}}', data[pos:stop])",
                f"        {var}.append(u)",
            ]
        else:
            namespace[f"_read_{child.item_type:02x}"] = None  # bound once all are compiled
            lines.append(
                f"        {var}.append(_read_{child.item_type:02x}(dec, data, b, stop, r))"
            )
        lines.append("        if order is not None: order.append(t)")
    namespace["_counts"] = {int(child.item_type): child.occurs.value for child in part.children}
    lines += [
        "    else:",
        f"        if order is None: order = bytearray({so_far})",
        "        if unknown is None: unknown = []",
        f"        unknown.append(dec.extra({label!r}, t, r, b, stop, _counts.get(t)))",
        "        order.append(0)",
        "    last = t",
        "    pos = stop",
    ]
    for child in part.children:
        var = variables[child.field]
        if child.occurs is Count.ONE:
            lines += [
                f"if not {var}:",
                f"    if order is None: order = bytearray({so_far})",
                f"    {var} = [dec.missing({label!r}, {int(child.item_type)}, "
                f"{child.occurs.value!r}, start)]",
            ]
            if ITEM_LAYOUTS[child.item_type].bare:
                # The diagnostic said what was assumed (no UID): the UID rule is not
                # reported again on it.
                lines.append(f"    assumed = ({child.field!r},)")
    for child in part.children:
        var = variables[child.field]
        if child.occurs is Count.MANY:
            lines.append(f"{var} = tuple({var})")
        else:
            lines.append(f"{var} = {var}[0] if {var} else None")
    lines.append("unknown = () if unknown is None else tuple(unknown)")
    lines.append("order = None if order is None else bytes(order)")
    variables["unknown_items"] = "unknown"
    held = all_bare and fields_hold is not None
    if all_bare:
        parts = None
        if fields_hold is not None:
            parts = {variables[child.field]: fields_hold[child.field] for child in part.children}
        lines = _remembered(
            lines,
            [variables[child.field] for child in part.children],
            runs,
            namespace,
            _first_test(part, variables, runs, parts),
            parts,
        )
    return lines, variables, held


def _first_test(
    part: Part, variables: dict[str, str], runs: list[str], parts: dict[str, str] | None
) -> list[str] | None:
    """The conditions under which a parent of UID children is read in one go, each
    setting a variable, or None where the children's declaration gives it none.

    The usual children (each child declared ONE, in rising type order, with at most a
    run of a repeated child last): each one's header read with the same struct as the
    loop's, of its declared type, reserved byte 0, within the parent, its UID one the
    shared memory knows with the length it came in; the last child's run one the run
    memory holds, by its bytes to the parent's end (or, with no repeated child, the
    last ONE ending at the parent's end).  Those are the conditions under which the
    loop takes each item as it is, noting nothing, setting no ``raw`` nor ``order``
    (see ``_children_lines``), so that both give the same children; any other case is
    left to the loop.  With ``parts`` (each child variable's part of the parent's
    declared form), each ONE child's part holds of what it read too, as the run memory
    holds only runs whose part held (see :func:`_remembered`)."""
    assert part.children is not None
    conditions: list[str] = []
    position = "pos"
    types = [int(child.item_type) for child in part.children]
    if types != sorted(set(types)):
        return None
    for index, child in enumerate(part.children):
        var = variables[child.field]
        last = index == len(part.children) - 1
        if child.occurs is Count.MANY and last and var in runs:
            conditions.append(f"(f_{var} := _run_get_{var}(data[{position}:end])) is not None")
            return conditions
        if child.occurs is not Count.ONE:
            return None
        header, stop, uid = f"i_{var}", f"s_{var}", f"f_{var}"
        conditions += [
            f"end - {position} >= 4",
            f"({header} := _item_header(data, {position}))[0] == {int(child.item_type)}",
            f"not {header}[1]",
            f"({stop} := {position} + 4 + {header}[2]) <= end",
            f"({uid} := _known_get(data[{position} + 4 : {stop}].decode('latin-1'))) is not None",
            f"len({uid}) == {header}[2]",
        ]
        if parts is not None:
            conditions.append(f"({parts[var].format(v=uid)})")
        position = stop
    conditions.append(f"{position} == end")
    return conditions


def _run_memory(namespace: dict[str, Any], var: str) -> dict[bytes, tuple[object, ...]]:
    memory: dict[bytes, tuple[object, ...]] = {}
    _MEMORIES.append(memory)
    namespace[f"_run_memory_{var}"] = memory
    return memory


_MEMORIES: Final[list[dict[Any, Any]]] = [_RECEIVED, _RESERVED_ONLY]
"""Every memory the decoder keeps of what it read before, by bytes or by value: the
shared Received values, and (added as the readers are compiled) each context reader's
runs of sub-items."""


def forget() -> None:
    """Empty the decoder's memories (:data:`_MEMORIES`), as if it had read nothing yet:
    what a benchmark of first reads, or a test of the slow path, starts from.  The UIDs
    ``_model.vr.KNOWN_UIDS`` shares with the message codec are not the decoder's own and
    stay."""
    for memory in _MEMORIES:
        memory.clear()


_CHILDREN_KEPT: Final = 512
"""How many runs of 30H/40H sub-items each context reader remembers, at most."""


def _remembered(
    lines: list[str],
    fields: list[str],
    runs: list[str],
    namespace: dict[str, Any],
    first_test: list[str] | None,
    parts: dict[str, str] | None,
) -> list[str]:
    """The loop of a parent whose children are all UIDs (a presentation context), with a
    memory: the same run of sub-items (bytes for bytes) gives the same UIDs, so a run
    read before in full, found canonical and breaking no rule, is not read again.  Its
    parent's own fields and rules are read and checked every time.  The same holds for
    the run of each repeated child to the parent's end (``runs``: the transfer syntaxes
    after the abstract syntax, which a requestor proposes alike for many contexts).

    Not held yet, the usual children are taken in one go (``first_test``, see
    :func:`_first_test`): what the loop would take from them, without its set-up, and
    remembered as the loop would remember them.

    With ``parts`` (each child variable's part of the parent's declared form, over its
    value: ``FIELDS_HOLD``), the memories hold only children of which every part held
    when they were read, the run memory only runs of which their own part held; as a
    part found true of a value stays true of it, the lines set ``held`` to say so of
    what came from a memory (or was checked so in the first test), and the reader asks
    the children's parts again only where it is false (``_reader``)."""
    memory: dict[bytes, tuple[object, ...]] = {}
    _MEMORIES.append(memory)
    namespace["_children_memory"] = memory
    namespace["_children_get"] = memory.get
    values = ", ".join(fields) + ","
    held = [] if parts is None else ["    held = True"]
    each_held = (
        "" if parts is None else "".join(f" and ({parts[var].format(v=var)})" for var in fields)
    )
    one_go: list[str] = []
    if first_test is not None:
        one_go = [
            f"elif ({' and '.join(first_test)}):",
            *(f"    {var} = f_{var}" for var in fields),
            "    unknown = ()",
            "    order = None",
            "    pos = end",
            *held,
            f"    if len(_children_memory) < {_CHILDREN_KEPT}:",
            f"        _children_memory[region] = ({values})",
        ]
    return [
        "region = data[pos:end]",
        "hit = _children_get(region)",
        "if hit is not None:",
        f"    ({values}) = hit",
        "    unknown = ()",
        "    order = None",
        "    pos = end",
        *held,
        *one_go,
        "else:",
        *([] if parts is None else ["    held = False"]),
        "    noted = dec.noted",
        *(f"    {line}" for line in lines),
        "    if (raw is None and order is None and not unknown and dec.noted == noted",
        f"            and len(_children_memory) < {_CHILDREN_KEPT}{each_held}):",
        f"        _children_memory[region] = ({values})",
        *(
            line
            for var in runs
            for line in (
                f"        if (run_{var} is not None and len(_run_memory_{var}) < {_CHILDREN_KEPT}"
                + ("" if parts is None else f" and ({parts[var].format(v=var)})")
                + "):",
                f"            _run_memory_{var}[data[run_{var}:end]] = {var}",
            )
        ),
    ]


def _reader(function: str, layout: ItemLayout, cls: type, offset_back: int) -> Callable[..., Any]:
    """The reader of ``layout`` into ``cls``: ``(dec, data, start, end, second)`` where
    ``start``-``end`` are the bytes after the header and ``second`` its second byte."""
    plan = ITEM_PLANS.get(ITEM_CODES.get(cls, -1)) or _PDU_PLAN_OF[cls]
    namespace: dict[str, Any] = {
        "_new": _new,
        "_cls": cls,
        "_item_header": _unpack_item_header,
        "_prefix": _unpack_prefix,
        "_known_get": _known_uids.get,
        "_add": _add,
        "_Received": received,
        "_reserved_only": _RESERVED_ONLY.get,
        "_head": plan.head.unpack_from,
    }
    label = layout.name
    clause = layout.clause
    fields_hold: Mapping[str, str] | None = getattr(cls, "FIELDS_HOLD", None)
    held_fields: list[str] = []  # the children whose parts ``held`` says hold
    head_vars = [f"h{index}" for index in range(len(plan.head_parts))]
    lines = ["raw = None", "order = None", "assumed = None", f"pos = start + {plan.head.size}"]
    if head_vars:
        lines += [
            f"if pos > end: dec.short({label!r}, {clause!r}, start, end, {plan.head.size})",
            f"({', '.join(head_vars)},) = _head(data, start)",
        ]
    variables: dict[str, str] = {}
    reserved_vars: list[str] = []
    version_var = None
    for part, var in zip(plan.head_parts, head_vars, strict=True):
        if part.kind is Kind.RESERVED:
            reserved_vars.append(var)
        elif part.value is ValueKind.VERSION:
            version_var = var
            lines.append(f"if not {var} & 1: dec.version({var}, {clause!r}, start)")
        elif part.value is ValueKind.AE:
            variables[part.name] = f"v_{part.name}"
            lines += _value_lines(part, f"v_{part.name}", var, "start")
        else:
            variables[part.name] = var
    for index, (part, single) in enumerate(plan.tail):
        var = f"v_{part.name}"
        if part.kind is Kind.ITEMS:
            if part.children is None:
                variables[part.name] = var
                lines += [f"{var} = dec.sub_items({label!r}, pos, end)", "pos = end"]
            else:
                child_lines, child_vars, held = _children_lines(label, part, namespace, fields_hold)
                lines += child_lines
                variables.update(child_vars)
                if held:
                    held_fields = [child.field for child in part.children or ()]
            continue
        if single is not None:
            namespace[f"_single{index}"] = single.unpack_from
            lines += [
                f"if pos + {single.size} > end: dec.past_end({label!r}, {part.name!r}, "
                f"{clause!r}, pos)",
                f"({var},) = _single{index}(data, pos)",
                f"pos += {single.size}",
            ]
            if part.kind is Kind.RESERVED:
                reserved_vars.append(var)
            else:
                variables[part.name] = var
            continue
        if part.kind is Kind.REST:
            lines += ["fb = data[pos:end]", "at = pos", "pos = end"]
        else:
            lines += [
                f"if pos + 2 > end: dec.cut_length({label!r}, {part.name!r}, {clause!r}, pos)",
                "(n,) = _prefix(data, pos)",
                f"if pos + 2 + n > end: dec.overrun_field({label!r}, {part.name!r}, "
                f"{clause!r}, n, pos, end)",
                "fb = data[pos + 2 : pos + 2 + n]",
                "at = pos + 2",
                "pos += 2 + n",
            ]
        lines += _value_lines(part, var, "fb", "at")
        variables[part.name] = var
    lines.append(f"if pos != end: dec.trailing({label!r}, {clause!r}, pos, end)")
    second = "second"
    if layout.header_field is not None:
        variables[layout.header_field] = "second"
        second = "0"
    lines.append("obj = _new(_cls)")
    as_read: dict[str, str] = {}  # the fields set to a variable as it is, by name
    for field in attrs.fields(cls):
        if field.name == "received":
            continue
        namespace[f"_set_{field.name}"] = slot_setter(cls, field.name)
        value = variables.get(field.name)
        if value is not None:
            as_read[field.name] = value
        if value is None:
            namespace[f"_default_{field.name}"] = _default_of(field)
            value = f"_default_{field.name}"
        elif field.converter is not None and field.type not in ("str", "UID"):
            converter = field.converter
            if isinstance(converter, attrs.Converter):
                namespace[f"_convert_{field.name}"] = converter.converter  # type: ignore[attr-defined]
                value = f"_convert_{field.name}({value}, obj)"
            elif (
                any(p.name == field.name and p.value is ValueKind.INT for p in layout.parts)
                or field.name == layout.header_field
            ):
                namespace[f"_convert_{field.name}"] = converter
                value = f"_convert_{field.name}({value})"
        if value != as_read.get(field.name):
            as_read.pop(field.name, None)
        lines.append(f"_set_{field.name}(obj, {value})")
    namespace["_set_received"] = slot_setter(cls, "received")
    deviations = [
        *([second] if second != "0" else []),
        *reserved_vars,
        "raw is not None",
        "order is not None",
    ]
    if version_var is not None:
        deviations.append(f"{version_var} != 1")
    version = "None" if version_var is None else f"None if {version_var} == 1 else {version_var}"
    reserved = f"({second}, {''.join(v + ', ' for v in reserved_vars)})"
    lines += [
        f"if {' or '.join(deviations)}:",
        # Reserved bytes only (DCMTK's FFH): the Received kept for them, looked up at once.
        f"    kept = _reserved_only({reserved}) if raw is None and order is None"
        f"{'' if version_var is None else f' and {version_var} == 1'} else None",
        "    if kept is None:",
        f"        kept = _Received({reserved}, () if raw is None else tuple(raw), order, "
        f"{version})",
        "    _set_received(obj, kept)",
        "else:",
        "    _set_received(obj, None)",
    ]
    holds = getattr(cls, "HOLDS", None)
    check = ["for problem in obj.problems():"]
    if holds is not None:
        # The class's declared form of "breaks no rule": problems() is asked only when
        # it is false.
        namespace.update(holds.names)
        form = _over_variables(holds, as_read)
        if fields_hold is not None:
            form = _by_parts(cls, holds, fields_hold, as_read, held_fields)
        check = [f"if not {form}:", "  for problem in obj.problems():"]
    lines += [
        *check,
        f"    if problem[0] != assumed: dec.report(obj, problem, start - {offset_back})",
        "return obj",
    ]
    source = f"def {function}(dec, data, start, end, second):\n" + "".join(
        f"    {line}\n" for line in lines
    )
    return compile_function(source, function, f"read {label}", namespace)


_FIELD_OF: Final = re.compile(r"\b_obj_\.(\w+)")


def _over_variables(holds: InlineCheck, as_read: dict[str, str]) -> str:
    """``holds`` (the class's declared form of "breaks no rule") over the item being
    built, each field it names read from the variable the reader set that field's slot
    to (``as_read``: a field set to anything else is read from ``obj``): the same
    values, without a slot lookup each."""
    return _FIELD_OF.sub(
        lambda match: as_read.get(match[1], f"obj.{match[1]}"), holds.of("_obj_")
    ).replace("_obj_", "obj")


def _by_parts(
    cls: type,
    holds: InlineCheck,
    fields_hold: Mapping[str, str],
    as_read: dict[str, str],
    held_fields: list[str],
) -> str:
    """``holds`` as the conjunction of its parts (``fields_hold``, which it must be: else
    an error at import), over the variables read, the parts of ``held_fields`` asked
    only where ``held`` is false (see :func:`_remembered`)."""
    if (
        holds.of("_obj_")
        != "("
        + " and ".join(f"({form.format(v='_obj_.' + name)})" for name, form in fields_hold.items())
        + ")"
    ):
        raise AssertionError(f"{cls.__name__}.HOLDS is not the conjunction of FIELDS_HOLD")

    def part(name: str) -> str:
        return f"({fields_hold[name].format(v=as_read.get(name, 'obj.' + name))})"

    own = [part(name) for name in fields_hold if name not in held_fields]
    children = [part(name) for name in fields_hold if name in held_fields]
    if children:
        own.append(f"(held or ({' and '.join(children)}))")
    return f"({' and '.join(own)})"


ITEM_CODES: Final = {cls: code for code, cls in ITEM_CLASSES.items()}
_PDU_PLAN_OF: Final[dict[type, Plan]] = {
    PDU_CLASSES[code]: plan for code, plan in PDU_PLANS.items()
}
_ITEM_READERS: Final = {
    code: _reader(f"read_{code:02x}", ITEM_LAYOUTS[code], cls, 4)
    for code, cls in ITEM_CLASSES.items()
}
_PDU_READERS: Final = {
    code: _reader(f"read_{layout.name.replace('-', '_')}", layout, PDU_CLASSES[code], 0)
    for code, layout in PDU_LAYOUTS.items()
}
for _reader_function in (*_ITEM_READERS.values(), *_PDU_READERS.values()):
    for _code, _read in _ITEM_READERS.items():
        if f"_read_{_code:02x}" in _reader_function.__globals__:
            _reader_function.__globals__[f"_read_{_code:02x}"] = _read
_SUB_ITEM_READERS: Final = {code: read for code, read in _ITEM_READERS.items() if code >= 0x51}
"""The readers of the user information sub-items (PS3.8 Annex D; PS3.7 D.3.3)."""


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
    if kind is PDUType.P_DATA_TF:
        pdu: PDU = decoder.p_data(reserved_byte, 6 + length)
    else:
        pdu = _PDU_READERS[kind](decoder, data, 6, 6 + length, reserved_byte)
    first = decoder.log.first
    if strict and first is not None:
        raise DecodeError(f"{first.what} [{first.rule}] (strict)", offset=first.offset)
    return DecodedPDU(pdu, decoder.log.freeze())


_PDU_TYPES: Final = {int(kind): kind for kind in PDUType}
