"""Command set bytes in: decode what a peer sent, leniently, and say what deviated.

Owns: the decoder's entries: :func:`decode_command`, reading Implicit VR Little Endian
command sets (PS3.7 6.3.1; PS3.5 7.1.2) into the typed message, accepting what real
peers get wrong but can still be understood and reporting each deviation as a
:class:`~dimsekit.Diagnostic` (PS3.7 6.3.1, E.1), keeping unknown and retired elements
and the received Command Data Set Type so that canonical input re-encodes byte for
byte, and refusing what cannot be understood with a :class:`~dimsekit.DecodeError`
naming the offset, the tag, the reason and the status to answer with; ``assemble``,
building the message from decoded values, shared with the Dataset and JSON forms
(``_codec.converter``); and :func:`with_data_set`, the one way a data set that came after its
command (PS3.8 E.1) gets into the message decoded from it, where
:meth:`~dimsekit._codec.layout.Layout.place_data_set` says.

Nothing is filled in without saying so: an absent mandatory element (M in the message's
table, PS3.7 9.3, 10.3; ``Message.section``) that decoding can do without gets an ERROR
diagnostic naming the element and what was assumed in its place: the model's default
(Priority, Affected SOP Class UID of a C-ECHO-RQ), the Command Data Set Type the message
implies, or for the Command Group Length the length of the elements that follow.
What a hostile command set can make decoding hold stays within a few times its size:
unknown elements are kept as offsets (``_codec.element_walk``) and then as ranges of the
received bytes (:class:`~dimsekit._model.wire_details.ExtraElements`), repeats only counted,
diagnostics bounded by the :class:`~dimsekit._diagnostics.DiagnosticLog`; input over
:data:`MAX_COMMAND_LENGTH` is refused unread.

No pydicom Dataset is built on this path: it is the hot path of every DICOM program.
What real toolkits send, canonical and valid, is decoded by ``_codec.fast_decode`` first
(:func:`decode_canonical`, offered here too, for the receiver's one-pass path); the
element walk is ``_codec.element_walk``'s, each value's reading ``_codec.received_values``'s; this
module decides everything else.

Must not know: PDUs or presentation contexts; how messages are encoded (``_codec.encode``).
"""

from __future__ import annotations

import enum
from array import array
from collections.abc import Iterator, Mapping
from typing import Final

import attrs
from pydicom.uid import UID

from .._codegen import slot_setter
from .._diagnostics import Diagnostic, DiagnosticLog, Severity
from .._errors import DecodeError, InvalidMessageError
from .._errors import show as _show
from .._model.fields import BY_NAME, BY_TAG, ElementSpec
from .._model.payload import EMPTY_PAYLOAD, DataSetPayload, PayloadInput, to_payload
from .._model.wire_details import PLAIN_WIRE, ExtraElements, WireDetails
from ..messages import MESSAGE_CLASSES, Message, build_leniently, with_wire
from .element_walk import UnknownElements, as_view, peek_data_set_type, walk_elements
from .fast_decode import decode_canonical
from .layout import (
    COMMAND_DATA_SET_TYPE,
    COMMAND_FIELD,
    GROUP_LENGTH,
    LAYOUTS,
    PROTOCOL_TAGS,
    DataSetDeviation,
    Layout,
    announces_data_set,
    data_set_type,
)
from .received_values import ABSENT, VALUE_DECODERS, ValueDecoder, decode_us, diagnostic_at
from .representable import refuse_unrepresentable as _refuse_unrepresentable
from .wire import ELEMENT_HEADER as _HEADER
from .wire import Raw

__all__ = [
    "MAX_COMMAND_LENGTH",
    "DecodedCommand",
    "assemble",
    "command_too_long",
    "data_set_follows",
    "decode_canonical",
    "decode_command",
    "extra_elements",
    "peek_data_set_type",
    "with_data_set",
]

MAX_COMMAND_LENGTH: Final = 1 << 20
"""The longest command set dimsekit reads (real ones have a few hundred bytes); PS3.7 sets
no limit.  Longer input is refused before it is parsed (:func:`command_too_long` says why)."""


def command_too_long(size: int, *, at_least: bool = False) -> str:
    """Why a command set of ``size`` bytes (``at_least``: more is still to come), over
    :data:`MAX_COMMAND_LENGTH`, is refused: the one wording every reader of command sets
    uses."""
    return (
        f"command set of {'at least ' if at_least else ''}{size} bytes, longer than "
        f"{MAX_COMMAND_LENGTH}, the most dimsekit reads (real ones have a few hundred; "
        "PS3.7 sets no limit)"
    )


@attrs.frozen
class DecodedCommand:
    """A decoded command set: the typed message and what deviated on the way."""

    message: Message
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def clean(self) -> bool:
        """True when nothing deviated from PS3.7."""
        return not self.diagnostics


_COMMAND_FIELD_TAG: Final = COMMAND_FIELD.tag
_DATA_SET_TYPE_TAG: Final = COMMAND_DATA_SET_TYPE.tag
# Command sets longer than this (only a huge AT list makes one) skip the fast path, so
# that a huge buffer is never copied only to be refused.
_CANONICAL_MAX: Final = 1 << 16


# Per class, what to read for each field: computed once.
_FIELD_DECODERS: Final[dict[type[Message], tuple[tuple[str, ElementSpec, ValueDecoder], ...]]] = {
    cls: tuple((name, spec, VALUE_DECODERS[spec.vr]) for name, spec in layout.fields)
    for cls, layout in LAYOUTS.items()
}
_CLASS_BY_CODE: Final[dict[object, type[Message]]] = {
    int(code): cls for code, cls in MESSAGE_CLASSES.items()
}


def _absent_mandatory(cls: type[Message], spec: ElementSpec, assumed: str) -> Diagnostic:
    """What is said of a mandatory element (M in ``cls``'s table) that is absent and what
    is taken in its place: an ERROR (nothing is filled in without saying so).  The
    element is named by its keyword; ``Diagnostic.__str__`` adds its tag."""
    return Diagnostic(
        what=f"no {spec.keyword}; {assumed} assumed",
        rule=f"{cls.section}: M",
        severity=Severity.ERROR,
        tag=spec.tag,
    )


def _shown(value: object) -> str:
    """A default as a diagnostic names it: ``MEDIUM (0)``, a UID with its name."""
    if isinstance(value, enum.Enum):
        return f"{value.name} ({value.value})"
    if isinstance(value, UID) and value.name != value:
        return f"{value} ({value.name})"
    return repr(value)


def _check_group_length(
    cls: type[Message], elements: dict[int, tuple[int, Raw]], size: int, diags: DiagnosticLog
) -> None:
    """Command Group Length (M in every message's table) says how many bytes of elements
    follow it; the decoder does not need it, and uses what it finds."""
    found = elements.get(GROUP_LENGTH.tag)
    if found is None:
        diags.append(
            _absent_mandatory(
                cls, GROUP_LENGTH, f"the length of the elements that follow ({size} bytes)"
            )
        )
        return
    offset, raw = found
    if len(raw) != 4:
        diags.append(
            diagnostic_at(offset, GROUP_LENGTH, f"{len(raw)}-byte value; UL has 4", "PS3.5 6.2")
        )
        return
    value = int.from_bytes(raw, "little")
    expected = size - (offset + 12)
    if value != expected:
        diags.append(
            diagnostic_at(
                offset,
                GROUP_LENGTH,
                f"Command Group Length says {value}, the elements after it have {expected} "
                "bytes; the length is ignored",
                "PS3.7 9.3, 10.3",
            )
        )


def _message_class(elements: dict[int, tuple[int, Raw]], diags: DiagnosticLog) -> type[Message]:
    found = elements.get(_COMMAND_FIELD_TAG)
    if found is None:
        raise DecodeError(
            "no Command Field (0000,0100): the command set names no DIMSE message "
            "(PS3.7 9.3, 10.3)",
            tag=_COMMAND_FIELD_TAG,
        )
    offset, raw = found
    value = decode_us(raw, offset, COMMAND_FIELD, diags)
    cls = _CLASS_BY_CODE.get(value)
    if cls is None:
        shown = "empty" if value is ABSENT else f"0x{value:04X}"
        raise DecodeError(
            f"Command Field {shown} is no DIMSE message (PS3.7 E.1)",
            offset=offset,
            tag=_COMMAND_FIELD_TAG,
            suggested_status=0x0211,
        )
    return cls


def decode_command(
    buffer: bytes | bytearray | memoryview,
    *,
    data_set: PayloadInput | None = None,
    strict: bool = False,
) -> DecodedCommand:
    """Decode a command set (Implicit VR Little Endian) into its typed message.

    ``data_set`` is the data set that followed the command, if any (the P-DATA layer
    passes it).  When the command announces a data set and none is given, an empty
    payload stands in for it.

    Lenient by default: what real peers get wrong but can still be understood is
    accepted and reported as diagnostics (padding, order, group length, VM, retired or
    unknown elements, any Command Data Set Type, a mandatory element whose value the
    model assumes, broken PS3.7 conditions).  With ``strict=True`` any deviation raises
    :class:`~dimsekit.DecodeError`, as does input that cannot be understood at all, in
    either mode: empty input, or more than :data:`MAX_COMMAND_LENGTH` bytes.  Nothing
    else is ever raised, but a :class:`TypeError` for a ``buffer`` that holds no bytes.
    """
    view = as_view(buffer)
    size = len(view)
    if data_set is not None and type(data_set) is not DataSetPayload:
        payload = to_payload(data_set)  # what the message's field would make of it
        if type(payload) is DataSetPayload:  # else its validator refuses it, below
            data_set = payload
    if (data_set is None or type(data_set) is DataSetPayload) and size <= _CANONICAL_MAX:
        message = decode_canonical(view if type(view) is bytes else bytes(view), data_set)
        if message is not None:  # the common case, quickly (``_codec.fast_decode``)
            return DecodedCommand(message)
    if not size:
        raise DecodeError("empty input: no command set (PS3.7 6.3.1)", offset=0)
    if size > MAX_COMMAND_LENGTH:
        raise DecodeError(command_too_long(size), offset=0)
    diags = DiagnosticLog()
    elements, unknown = walk_elements(view, diags)
    cls = _message_class(elements, diags)
    _check_group_length(cls, elements, size, diags)
    values: dict[str, object] = {}
    used = 2 if GROUP_LENGTH.tag in elements else 1  # and Command Field
    for name, spec, decode in _FIELD_DECODERS[cls]:
        found = elements.get(spec.tag)
        if found is None:
            continue
        used += 1
        value = decode(found[1], found[0], spec, diags)
        if value is not ABSENT:
            values[name] = value
    cdst_found = elements.get(_DATA_SET_TYPE_TAG)
    cdst: int | None = None
    cdst_offset: int | None = None
    if cdst_found is not None:
        used += 1
        cdst_offset, raw = cdst_found
        decoded = decode_us(raw, cdst_offset, COMMAND_DATA_SET_TYPE, diags)
        cdst = None if decoded is ABSENT else decoded  # type: ignore[assignment]
    extras: ExtraElements | tuple[()] = ()
    if used != len(elements) or unknown is not None:
        extras = _received_extras(cls, view, elements, unknown, diags)
    return assemble(
        cls,
        values,
        offsets=elements,
        data_set_type=(cdst, cdst_offset),
        extras=extras,
        data_set=data_set,
        diags=diags,
        strict=strict,
    )


def _extra_diagnostic(cls: type[Message], tag: int, offset: int | None) -> Diagnostic:
    """What is said of an element the class has no field for (it is kept as received)."""
    spec = BY_TAG.get(tag)
    name = cls.command_field.message_name
    if spec is None:
        what = f"unknown command element in a {name}; kept as received"
        rule = "PS3.7 E.1"
    elif spec.retired:
        what = f"retired command element {spec.keyword} in a {name}; kept as received"
        rule = "PS3.7 E.2"
    else:
        what = f"{spec.keyword} is not a field of {name}; kept as received"
        rule = "PS3.7 9.3, 10.3 (retired usage)" if tag == 0x0110 else "PS3.7 9.3, 10.3"
    return Diagnostic(what=what, rule=rule, offset=offset, tag=tag)


def extra_elements(
    cls: type[Message],
    elements: dict[int, tuple[int | None, memoryview | bytes]],
    diags: DiagnosticLog,
) -> tuple[tuple[int, bytes], ...]:
    """Elements the class has no field for, reported and kept as raw value bytes (for
    the Dataset and JSON forms)."""
    extras: list[tuple[int, bytes]] = []
    for tag, (offset, raw) in sorted(elements.items()):
        diags.append(_extra_diagnostic(cls, tag, offset))
        extras.append((tag, bytes(raw)))
    return tuple(extras)


def _received_extras(
    cls: type[Message],
    view: Raw,
    elements: dict[int, tuple[int, Raw]],
    unknown: UnknownElements | None,
    diags: DiagnosticLog,
) -> ExtraElements:
    """The elements of a command set the class has no field for, reported in tag order
    and kept as ranges of the received bytes (copied once if they were not bytes)."""
    known = LAYOUTS[cls].tags | PROTOCOL_TAGS
    others = sorted((tag, found[0]) for tag, found in elements.items() if tag not in known)
    ranges = array("I")
    unpack = _HEADER.unpack_from
    for tag, offset in _merged(others, () if unknown is None else unknown.in_tag_order()):
        diags.append(_extra_diagnostic(cls, tag, offset))
        start = offset + 8
        ranges.extend((tag, start, start + unpack(view, offset)[2]))
    source = view if type(view) is bytes else bytes(view)
    return ExtraElements(source, ranges.tobytes())


def _merged(
    first: list[tuple[int, int]], second: Iterator[tuple[int, int]] | tuple[()]
) -> Iterator[tuple[int, int]]:
    """Two runs of (tag, offset) in tag order, with no tag in both, as one."""
    pending = iter(first)
    head = next(pending, None)
    for item in second:
        while head is not None and head[0] < item[0]:
            yield head
            head = next(pending, None)
        yield item
    if head is not None:
        yield head
        yield from pending


_DEVIATIONS: Final = {
    DataSetDeviation.NOT_CARRIED: (
        "Command Data Set Type 0x{cdst:04X} announces a data set, but a {name} carries none; "
        "ignored"
    ),
    DataSetDeviation.REQUIRED: (
        "Command Data Set Type 0x0101 says no data set, but a {name} must carry its {field}; "
        "an empty one stands in"
    ),
    DataSetDeviation.NOT_ANNOUNCED: (
        "a data set was supplied, but Command Data Set Type 0x0101 says none; ignored"
    ),
}
"""What the general decoder says of each way a command and its data set disagree with
the class (``Layout.place_data_set``)."""


def _data_set_type(
    cls: type[Message],
    layout: Layout,
    found: tuple[int | None, int | None],
    data_set: PayloadInput | None,
    values: dict[str, object],
    diags: DiagnosticLog,
) -> int:
    """Check Command Data Set Type and put the data set where the class keeps it
    (``Layout.place_data_set``).

    An absent one (M in every message's table) is taken to announce a data set when one
    was given or the message must carry one, and none otherwise; which one is said."""
    name = cls.command_field.message_name
    field = layout.data_set_field
    received, offset = found
    if received is None:
        announced = data_set is not None or layout.data_set_required
        cdst = data_set_type(announced)
        if layout.data_set_required:
            why = f"a data set follows: a {name} carries its {field}"
        elif data_set is not None:
            why = "a data set follows: one was given"
        else:
            why = "no data set"
        diags.append(_absent_mandatory(cls, COMMAND_DATA_SET_TYPE, f"0x{cdst:04X} ({why})"))
    else:
        cdst = received
        announced = announces_data_set(cdst)
    placement = layout.place_data_set(announced, data_set is not None)
    if placement.deviation is not None:
        what = _DEVIATIONS[placement.deviation].format(cdst=cdst, name=name, field=field)
        diags.append(
            diagnostic_at(offset, COMMAND_DATA_SET_TYPE, what, "PS3.7 9.3, 10.3", Severity.ERROR)
        )
    if placement.field is not None:
        values[placement.field] = EMPTY_PAYLOAD if data_set is None else data_set
    return cdst


def assemble(
    cls: type[Message],
    values: dict[str, object],
    *,
    offsets: Mapping[int, tuple[int, object]],
    data_set_type: tuple[int | None, int | None],
    extras: tuple[tuple[int, bytes], ...] | ExtraElements,
    data_set: PayloadInput | None,
    diags: DiagnosticLog,
    strict: bool,
) -> DecodedCommand:
    """Build the message from decoded field values: strictly, or leniently with diagnostics.

    Shared by every form a command set comes in (bytes, Dataset, JSON).  ``values`` maps
    attribute names to typed values; ``offsets`` maps tags to (byte offset, value) where
    known;
    ``data_set_type`` is the received Command Data Set Type (None if absent) with its
    offset.
    """
    layout = LAYOUTS[cls]
    cdst = _data_set_type(cls, layout, data_set_type, data_set, values, diags)
    wire = PLAIN_WIRE.get(cdst) if not extras else None
    if wire is None:
        wire = WireDetails(command_data_set_type=cdst, extra_elements=extras)
    name = cls.command_field.message_name
    for field_name in () if layout.required <= values.keys() else sorted(layout.required):
        if field_name in values:
            continue
        spec = BY_TAG.get(_tag_of(layout, field_name) or -1)
        raise DecodeError(
            f"a {name} must have {spec.keyword if spec else field_name}, and this one has "
            f"none ({cls.section}: M)",
            tag=None if spec is None else spec.tag,
        )
    for field_name, spec, default in layout.assumed:
        if field_name not in values:  # nothing is filled in without saying so
            diags.append(_absent_mandatory(cls, spec, _shown(default)))
    _refuse_unrepresentable(cls, values, offsets)
    first = diags.first
    if strict and first is not None:
        raise DecodeError(f"{first.what} [{first.rule}]", offset=first.offset, tag=first.tag)
    try:
        message = cls(**values)
    except InvalidMessageError as problem:
        if strict:
            where = _where(problem, offsets)
            raise DecodeError(str(problem), offset=where[0], tag=where[1]) from None
        message, problems = build_leniently(cls, values)
        for found, severity in problems:
            offset, tag = _where(found, offsets)
            diags.append(
                Diagnostic(
                    what=f"{found.rule}; got {_show(found.value)}",
                    rule=found.reference,
                    severity=severity,
                    offset=offset,
                    tag=tag,
                )
            )
    return DecodedCommand(with_wire(message, wire), diags.freeze())


def _tag_of(layout: Layout, field_name: str) -> int | None:
    for name, spec in layout.fields:
        if name == field_name:
            return spec.tag
    return None


def _offset(offsets: Mapping[int, tuple[int, object]], tag: int) -> int | None:
    found = offsets.get(tag)
    return None if found is None else found[0]


def _where(
    problem: InvalidMessageError, offsets: Mapping[int, tuple[int, object]]
) -> tuple[int | None, int | None]:
    for name in problem.fields:
        spec = BY_NAME.get(name)
        if spec is not None:
            return _offset(offsets, spec.tag), spec.tag
    return None, None


_DATA_SET_SETTERS: Final = {
    cls: (layout.data_set_field, slot_setter(cls, layout.data_set_field))
    for cls, layout in LAYOUTS.items()
    if layout.data_set_field is not None
}


def data_set_follows(message: Message) -> bool:
    """Whether a data set follows the command set ``message`` was decoded from: its
    Command Data Set Type is any value but 0101H (PS3.7 9.3, 10.3), and the receiver
    waits for the data set's fragments (PS3.8 E.1).  For a message built, not decoded,
    whether it carries one."""
    wire = message.wire_slot  # not the property: once per message
    if wire is None:
        return message.data_set_payload is not None
    return announces_data_set(wire.command_data_set_type)


def with_data_set(message: Message, data_set: DataSetPayload) -> Message:
    """``message``, decoded from a command set that announced a data set
    (:func:`data_set_follows`) and given none, now holding ``data_set``, the data set
    that came after it (PS3.8 E.1): the one way a received data set gets into a message
    decoded before it came.

    Decoding put the empty payload in the class's data-set field
    (``Layout.place_data_set``) to stand in for the data set; it is replaced here, in
    place, without another copy, and the message returned: until now it was held only
    by the receiver that is completing it.  A message whose class carries no data set
    is returned as it is (its decoding reported the data set as ignored).  A
    :class:`ValueError` if the field holds anything but the stand-in.
    """
    found = _DATA_SET_SETTERS.get(type(message))
    if found is None:
        return message
    field, setter = found
    if getattr(message, field) is not EMPTY_PAYLOAD:
        raise ValueError(
            f"{type(message).__name__}.{field} holds a data set already; only a message "
            "decoded without its data set takes one"
        )
    setter(message, data_set)
    return message
