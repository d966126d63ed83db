"""Command set bytes in, the common case: one compiled pass per message class.

Owns: :func:`decode_canonical`, which decodes the command sets real peers send in the
form they nearly always have (DCMTK, dcm4che, pynetdicom and dimsekit all write it):
Command Group Length first and right, every element once in ascending tag order
(PS3.7 6.3.1), every value of a length its VR's decoder reads without a word
(``_codec.received_values.VALUE_LENGTHS``: even, a US of 2 bytes, an AE value of at most
16, ...), UIDs padded with at most one NUL, every mandatory element present (none left
to the model's default), no element the class has no field for, and values PS3.7
accepts.  For each class a decoder is compiled
once that walks the expected tags in order (a run of US elements read in one ``struct``
call, on the guess that all of them are there), reads each value straight from the
bytes, checks it inline (each field's validator in the inline form declared with it,
``_model.value_rules.INLINE_CHECKS``, as the fast ``__init__`` checks it, and the
Annex C rule of the status-related fields as ``messages._base.annex_c_condition``
states it) and runs the class's other rules; the message is then built without going
through its ``__init__`` again.  Decoding is on the hot path of every
DICOM program (a C-FIND-RSP per match, a C-STORE-RQ per instance), and the general
decoder's element table, diagnostics and keyword call cost about three times as much.

Contract: this path only ever *accepts*, and only input for which the general decoder
(``_codec.decode``) has nothing to report; for anything else it returns None and the
general decoder decides, with its diagnostics and errors.  What it returns equals what
the general decoder returns for the same bytes, wire details included
(``tests/test_fast_decode.py`` compares the two on generated, mutated and hand-made
input).

Must not know: PDUs or presentation contexts; diagnostics (it never reports, it
declines); how messages are encoded.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any, Final, cast

import attrs
from pydicom.uid import UID

from .._codegen import compile_function, slot_setter
from .._errors import InvalidMessageError
from .._model.fields import ElementSpec
from .._model.payload import EMPTY_PAYLOAD, DataSetPayload
from .._model.value_rules import INLINE_CHECKS, INLINE_CONVERTERS, InlineConverter, add_inline_names
from .._model.vr import AttributeTags, tags_of
from .._model.wire_details import PLAIN_WIRE, WireDetails
from ..messages import Message, fast_rules
from .layout import ANNOUNCES_DATA_SET, COMMAND_DATA_SET_TYPE, COMMAND_FIELD, LAYOUTS, Layout
from .received_values import UL_SIZE, US_SIZE, VALUE_LENGTHS

__all__ = ["decode_canonical"]

# Command Group Length (tag, length 4, value), then the next element's tag, length and,
# if it is the Command Field, value.
_START: Final = struct.Struct("<IIIIIH")
_HEAD: Final = struct.Struct("<II")  # tag as one little-endian word, value length
# The same and the two bytes after it: the value, if the element is a US.
_HEAD_AND_US: Final = struct.Struct("<IIH")
_NO_US: Final = 0x10000  # no US value: any check of a US value refuses it
assert _HEAD_AND_US.size - _HEAD.size == US_SIZE, "a US value read with its header"
_END: Final = (-1, 0, _NO_US)  # the "next element" once the command set is used up


def _last_head(raw: bytes, pos: int) -> tuple[int, int, int]:
    """The next element's header with fewer than 10 bytes left but some (raises
    struct.error on a truncated header, which the decoder turns into None)."""
    tw, ln = _HEAD.unpack_from(raw, pos)
    return tw, ln, _NO_US


# The generated line that reads the next element's header (with its US value, if it is
# one), or _END after the last element.
_NEXT_HEAD: Final = (
    "tw, ln, us = _head(raw, pos) if pos + 10 <= n else "
    "(_END if pos >= n else _last_head(raw, pos))"
)


Decoder = Callable[[bytes, int, "DataSetPayload | None"], "Message | None"]


def _word(tag: int) -> int:
    """A group 0000 tag as ``_HEAD`` reads it: group in the low half, element high."""
    return (tag & 0xFFFF) << 16 | tag >> 16


def _attrs_field(cls: type[Message], name: str) -> attrs.Attribute[Any]:
    field: attrs.Attribute[Any] = getattr(attrs.fields(cls), name)
    return field


_NOTHING_INLINE: Final = InlineConverter()


def _read_value(
    name: str, spec: ElementSpec, field: attrs.Attribute[Any], namespace: dict[str, Any]
) -> tuple[list[str], bool]:
    """Source lines that read the value at ``pos`` (length ``ln``) into ``name``, and
    whether they check everything its validator checks (else the validator is called).

    The value is read as the general decoder reads it in its canonical form, a length
    its VR's decoder does not read as it is declined (``VALUE_LENGTHS``); the converter
    is applied in its declared inline form, and the validator's check is its declared
    inline form (``_model.value_rules.INLINE_CHECKS``), as the fast ``__init__`` applies them.
    """
    value = "raw[pos + 8 : pos + 8 + ln]"
    validator, converter = field.validator, field.converter
    conversion = INLINE_CONVERTERS.get(converter, _NOTHING_INLINE) if converter else None
    check = INLINE_CHECKS.get(validator) if validator is not None else None
    length = VALUE_LENGTHS.get(spec.vr)
    declined = [] if length is None else [f"if {length.breaks('ln')}: return None"]
    if spec.vr == "US":
        lines = [*declined, f"{name} = us"]  # read with the header
    elif spec.vr == "UI" and conversion is not None and conversion.produces is UID:
        # One trailing NUL pads an odd length (PS3.5 9.1); any other padding is left in,
        # which no UID check accepts: the general decoder reports it.  (An empty value is
        # declined: raw[pos + 7 + ln] is the value's last byte.)
        text = f"raw[pos + 8 : pos + 7 + ln] if raw[pos + 7 + ln] == 0 else {value}"
        read = f"{name} = _str_new(_UID, {text}, 'latin-1')"
        if conversion.received is not None and check is not None:
            # Bytes the converter's declared memory knows give their UID, valid already;
            # any others are read, checked and then remembered by their bytes.
            add_inline_names(namespace, conversion.names)
            add_inline_names(namespace, check.names_for(namespace["_cls"]))
            remember = (conversion.remember or "pass").format(raw=value, v=name)
            return [
                *declined,
                f"{name} = {conversion.received.format(raw=value)}",
                f"if {name} is None:",
                f"    {read}",
                f"    if not {check.of(name)}: return None",
                f"    {remember}",
            ], True
        lines = [*declined, read]
        conversion = None  # done: a UID of the text, as to_uid makes it
    elif spec.vr in ("AE", "LO"):
        lines = [*declined, f"{name} = _str({value}, 'latin-1')"]
    elif spec.vr == "AT" and conversion is not None and conversion.produces is AttributeTags:
        # The value bytes are the list's packed form (PS3.5 7.1.2): no object per tag.
        lines = [*declined, f"{name} = _tags_of({value})"]
        conversion = None
    else:
        raise TypeError(f"no fast reading for {spec.keyword} ({spec.vr}) of this kind")
    if conversion is not None:
        add_inline_names(namespace, conversion.names)
        namespace[f"_convert_{name}"] = converter
        call = f"_convert_{name}({name})"
        lines.append(f"{name} = " + (conversion.common or "{call}").format(v=name, call=call))
    if check is None:
        return lines, False
    if not (spec.vr == "US" and converter is None and check.covers_us):
        add_inline_names(namespace, check.names_for(namespace["_cls"]))
        lines.append(f"if not {check.of(name)}: return None")
    return lines, True


def _compile(cls: type[Message]) -> Decoder:
    layout = LAYOUTS[cls]
    rules, condition = fast_rules(cls)
    requirements = cls.requirements()
    namespace: dict[str, Any] = {
        "_cls": cls,
        "_new": object.__new__,
        "_head": _HEAD_AND_US.unpack_from,
        "_last_head": _last_head,
        "_END": _END,
        "_str": str,
        "_str_new": str.__new__,
        "_UID": UID,
        "_tags_of": tags_of,
        "_Payload": DataSetPayload,
        "_EMPTY": EMPTY_PAYLOAD,
        "_plain_wire": PLAIN_WIRE.get,
        "_Wire": WireDetails,
        "_rules": rules,
        "_Invalid": InvalidMessageError,
        "_struct_error": struct.error,
    }
    if condition is not None:
        add_inline_names(namespace, condition.names)
    entries: list[tuple[str | None, ElementSpec]] = list(layout.fields)
    entries += [(None, COMMAND_FIELD), ("_cdst", COMMAND_DATA_SET_TYPE)]
    entries.sort(key=lambda entry: entry[1].tag)
    validate: list[str] = []
    us_declined = VALUE_LENGTHS["US"].breaks("ln")
    advance = [
        "pos += 8 + ln",
        _NEXT_HEAD,
    ]
    # Per element in tag order: its tag as read, the lines that read it where it may or
    # may not be, and for a US element the lines that check its value ``us`` once its
    # header is known to be right (to read a run of US elements in one go).
    steps: list[tuple[int, list[str], list[str] | None]] = []
    for name, spec in entries:
        word = _word(spec.tag)
        if name is None:  # Command Field: the dispatcher read it already
            check = f"if tw != 0x{word:08X} or {us_declined}: return None"
            steps.append((word, [check, *advance], []))
            continue
        if name == "_cdst":
            check = f"if tw != 0x{word:08X} or {us_declined}: return None"
            steps.append((word, [check, "_cdst = us", *advance], ["_cdst = us"]))
            continue
        field = _attrs_field(cls, name)
        lines, complete = _read_value(name, spec, field, namespace)
        if not complete and field.validator is not None:
            namespace[f"_validate_{name}"] = field.validator
            namespace[f"_field_{name}"] = field
            call = f"_validate_{name}(self, _field_{name}, {name})"
            # An optional field's validator passes None (check_optional_*).
            validate.append(f"if {name} is not None: {call}" if field.default is None else call)
        step = [f"if tw == 0x{word:08X}:", *(f"    {line}" for line in (*lines, *advance)), "else:"]
        if name in layout.required or requirements[name] == "M":
            # Absent, a mandatory element the model has a default for is reported by the
            # general decoder, which says what it assumed.
            step.append("    return None")
        else:
            default = field.default
            if field.converter is not None:
                default = cast(Callable[[object], object], field.converter)(default)
            namespace[f"_default_{name}"] = default
            step.append(f"    {name} = _default_{name}")
        us_lines = lines[1:] if spec.vr == "US" else None  # after the length is declined
        steps.append((word, step, us_lines))
    body = _with_us_runs(steps, namespace)
    data_set_lines = _data_set_lines(layout)
    fields = [f.name for f in attrs.fields(cls) if f.init]
    for name in ("_wire", *fields):
        namespace[f"_set_{name.lstrip('_')}"] = slot_setter(cls, name)
    source = "\n".join(
        [
            "def decode(raw, n, _data_set):",
            "    try:",
            "        pos = 12",
            f"        {_NEXT_HEAD}",
            *(f"        {line}" for line in body),
            "    except (IndexError, _struct_error):",
            "        return None",
            "    if pos != n: return None",
            *(f"    {line}" for line in data_set_lines),
            *([f"    if not {condition.expression}: return None"] if condition else []),
            "    wire = _plain_wire(_cdst) or _Wire(command_data_set_type=_cdst)",
            "    self = _new(_cls)",
            "    _set_wire(self, wire)",
            *(f"    _set_{name}(self, {name})" for name in fields),
            "    try:",
            *(f"        {line}" for line in validate or ["pass"]),
            "    except _Invalid:",
            "        return None",
            "    for holds in _rules:",
            "        if not holds(self):",
            "            return None",
            "    return self",
        ]
    )
    decoder: Decoder = compile_function(source, "decode", f"{cls.__name__} decoder", namespace)
    return decoder


def _with_us_runs(
    steps: list[tuple[int, list[str], list[str] | None]], namespace: dict[str, Any]
) -> list[str]:
    """The decoder's body: each element's lines in turn, except that two or more US
    elements in a row are first read in one ``struct`` call, on the guess that all of
    them are there (as they nearly always are); if their headers say otherwise, element
    by element after all."""
    body: list[str] = []
    index = runs = 0
    while index < len(steps):
        run = 0
        while index + run < len(steps) and steps[index + run][2] is not None:
            run += 1
        if run < 2:
            body += steps[index][1]
            index += 1
            continue
        chosen = steps[index : index + run]
        number = runs
        runs += 1
        namespace[f"_run_{number}"] = struct.Struct("<" + "QH" * run).unpack_from
        # The tag and length of each, as one little-endian 8-byte word.
        namespace[f"_heads_{number}"] = tuple(word | US_SIZE << 32 for word, _, _ in chosen)
        body += [
            f"r = _run_{number}(raw, pos) if pos + {10 * run} <= n else None",
            f"if r is not None and r[0::2] == _heads_{number}:",
        ]
        for position, (_, _, us_lines) in enumerate(chosen):
            if not us_lines:  # the Command Field, which the dispatcher read
                continue
            first, *rest = us_lines  # "<name> = us", then checks of <name>
            assert first.endswith(" = us"), first
            body += [f"    {first[:-2]}r[{2 * position + 1}]", *(f"    {line}" for line in rest)]
        body += [
            f"    pos += {10 * run}",
            f"    {_NEXT_HEAD}",
            "else:",
            *(f"    {line}" for _, step, _ in chosen for line in step),
        ]
        index += run
    return body


def _data_set_lines(layout: Layout) -> list[str]:
    """Where the data set goes, as :meth:`Layout.place_data_set` says for each of the four
    cases (a data set announced or not, given or not).  A case with a deviation declines,
    and so does one that drops a given data set: this path puts all it is given into
    the message, or leaves the input to the general decoder."""

    def placed(announced: bool, given: bool) -> list[str]:
        placement = layout.place_data_set(announced, given)
        if placement.deviation is not None or (given and placement.field is None):
            return ["return None"]
        if placement.field is not None:
            return [f"{placement.field} = {'_data_set' if given else '_EMPTY'}"]
        return [] if layout.data_set_field is None else [f"{layout.data_set_field} = None"]

    lines = []
    announces = f"if {ANNOUNCES_DATA_SET.format(v='_cdst')}:"
    for test, announced in ((announces, True), ("else:", False)):
        lines.append(test)
        alone, given = placed(announced, False) or ["pass"], placed(announced, True) or ["pass"]
        if alone == given:  # the same either way
            lines += [f"    {line}" for line in alone]
            continue
        for given_test, body in (("if _data_set is None:", alone), ("else:", given)):
            lines += [f"    {given_test}", *(f"        {line}" for line in body)]
    return lines


_DECODERS: Final[dict[int, Decoder]] = {int(cls.command_field): _compile(cls) for cls in LAYOUTS}
_COMMAND_FIELD_WORD: Final = _word(COMMAND_FIELD.tag)


def decode_canonical(raw: bytes, data_set: DataSetPayload | None = None) -> Message | None:
    """The message in ``raw`` if it is a canonical, valid command set; otherwise None.

    ``data_set`` (a DataSetPayload or None) is what followed the command, as for
    :func:`~dimsekit.decode_command`.
    """
    n = len(raw)
    if n < 22 or (data_set is not None and type(data_set) is not DataSetPayload):
        return None
    try:
        gl_tag, gl_length, length, tw, ln, command_field = _START.unpack_from(raw, 0)
        if gl_tag or gl_length != UL_SIZE or length != n - 12:
            return None
        if tw < _COMMAND_FIELD_WORD:  # (0000,0002) or (0000,0003), a SOP Class UID first
            tw, ln, command_field = _HEAD_AND_US.unpack_from(raw, 20 + ln)
        if tw != _COMMAND_FIELD_WORD or ln != US_SIZE:
            return None
    except struct.error:
        return None
    decoder = _DECODERS.get(command_field)
    return None if decoder is None else decoder(raw, n, data_set)
