"""Command set bytes in: decode what a peer sent, leniently, and say what deviated.

Owns: reading Implicit VR Little Endian command sets (PS3.7 6.3.1; PS3.5 7.1.2) into the
typed message: accepting what real peers get wrong but can still be understood and
reporting each deviation as a :class:`~dimsekit.Diagnostic` (PS3.7 6.3.1, E.1), keeping
unknown and retired elements and the received Command Data Set Type so that canonical
input re-encodes byte for byte, and refusing what cannot be understood with a
:class:`~dimsekit.DecodeError` naming the offset, the tag, the reason and the status to
answer with.  ``assemble`` is shared with the Dataset and JSON forms (``_converter``).

Nothing is filled in without saying so: an absent mandatory element (M in the message's
table, PS3.7 9.3, 10.3; ``Message.section``) that decoding can do without gets an ERROR
diagnostic naming the element and what was assumed in its place: the model's default
(Priority, Affected SOP Class UID of a C-ECHO-RQ), the Command Data Set Type the message
implies, or for the Command Group Length the length of the elements that follow.
What a hostile command set can make decoding hold stays within a few times its size:
unknown elements are kept as offsets and then as ranges of the received bytes
(:class:`~dimsekit._wire_details.ExtraElements`), repeats only counted, diagnostics
bounded by the :class:`~dimsekit._diagnostics.DiagnosticLog`; input over
:data:`MAX_COMMAND_LENGTH` is refused unread.

No pydicom Dataset is built on this path: it is the hot path of every DICOM program.
What real toolkits send, canonical and valid, is decoded by ``_fast_decode`` first;
this module decides everything else.

Must not know: PDUs or presentation contexts; how messages are encoded (``_command``).
"""

from __future__ import annotations

import enum
from array import array
from collections.abc import Callable, Iterator, Mapping
from typing import Final, TypeAlias

import attrs
from pydicom.uid import UID

from ._codegen import slot_setter
from ._diagnostics import Diagnostic, DiagnosticLog, Severity
from ._errors import DecodeError, InvalidMessageError
from ._errors import show as _show
from ._fast_decode import decode_canonical
from ._fields import BY_NAME, BY_TAG, ElementSpec
from ._layout import (
    COMMAND_DATA_SET_TYPE,
    COMMAND_FIELD,
    DEFAULT_DATA_SET_TYPE,
    GROUP_LENGTH,
    LAYOUTS,
    NO_DATA_SET,
    PROTOCOL_TAGS,
    DataSetDeviation,
    Layout,
)
from ._payload import EMPTY_PAYLOAD, DataSetPayload, PayloadInput, to_payload
from ._representable import refuse_unrepresentable as _refuse_unrepresentable
from ._vr import AE_MAX, AttributeTags
from ._wire import ELEMENT_HEADER as _HEADER
from ._wire_details import PLAIN_WIRE, ExtraElements, WireDetails
from .messages import MESSAGE_CLASSES, Message

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
_ABSENT: Final = object()
# Command sets longer than this (only a huge AT list makes one) skip the fast path, so
# that a huge buffer is never copied only to be refused.
_CANONICAL_MAX: Final = 1 << 16
_Raw: TypeAlias = bytes | memoryview


def _decode_us(raw: _Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    size = len(raw)
    if size == 2:
        return raw[0] | (raw[1] << 8)
    if size == 0:
        diags.append(_diag(offset, spec, "zero-length US value; taken as absent", "PS3.5 6.2"))
        return _ABSENT
    if size < 2:
        raise DecodeError(
            f"{spec.keyword} (US) has a {size}-byte value; a US value has 2 bytes (PS3.5 6.2)",
            offset=offset,
            tag=spec.tag,
        )
    diags.append(
        _diag(
            offset,
            spec,
            f"{spec.keyword} has {size} bytes (VM > 1) where VM is 1; the first value is kept",
            "PS3.7 E.1 (VM 1)",
        )
    )
    return raw[0] | (raw[1] << 8)


def _decode_ul(raw: _Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    if len(raw) != 4:
        raise DecodeError(
            f"{spec.keyword} (UL) has a {len(raw)}-byte value; a UL value has 4 bytes",
            offset=offset,
            tag=spec.tag,
        )
    return int.from_bytes(raw, "little")


def _decode_ui(raw: _Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    """A UID is padded with one trailing NUL, to an even length, and with nothing else
    (PS3.5 9.1, 6.2): other padding (spaces anywhere, more NULs) is removed and reported.
    A NUL that makes the length odd is reported as the odd length it makes."""
    text = str(raw, "latin-1")
    core = text.rstrip("\0 ")
    if not core:
        what = f"UID {text!r} is padding only" if text else "zero-length UID"
        diags.append(_diag(offset, spec, f"{what}; taken as absent", "PS3.5 9.1"))
        return _ABSENT
    value = core.lstrip(" ")
    leading = len(core) - len(value)
    trailing = text[len(core) :]
    if leading or (trailing and trailing != "\0"):
        diags.append(
            _diag(offset, spec, f"UID {text!r} {_uid_padding(leading, trailing)}", "PS3.5 6.2, 9.1")
        )
    return str.__new__(UID, value)  # what the model's converter would make of it


def _uid_padding(leading: int, trailing: str) -> str:
    if not leading and trailing == " ":
        return "padded with a space, not NUL"
    spaces, nuls = trailing.count(" "), trailing.count("\0")
    parts = [
        f"{count} {what}{'s' if count > 1 else ''}"
        for count, what in (
            (leading, "leading space"),
            (spaces, "trailing space"),
            (nuls if nuls > 1 or spaces else 0, "trailing NUL"),
        )
        if count
    ]
    return f"padded with {' and '.join(parts)}; a UID is padded with one NUL, to an even length"


def _decode_ae(raw: _Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    """Leading and trailing spaces of an AE title are not significant (PS3.5 6.2): they
    are removed without a word.  NUL padding is removed and reported, and so is a value
    longer than 16 bytes whose title fits (one that does not is the validator's)."""
    text = str(raw, "latin-1")
    core = text.rstrip("\0 ")
    value = core.strip(" ")
    if not value:
        diags.append(_diag(offset, spec, "empty AE value; taken as absent", "PS3.5 6.2"))
        return _ABSENT
    if "\0" in text[len(core) :]:
        diags.append(
            _diag(offset, spec, f"AE title {text!r} padded with NUL, not a space", "PS3.5 6.2")
        )
    if len(raw) > AE_MAX and len(value) <= AE_MAX:
        diags.append(
            _diag(
                offset,
                spec,
                f"AE value of {len(raw)} bytes; an AE value has at most {AE_MAX}",
                "PS3.5 6.2",
            )
        )
    return value


def _decode_text(raw: _Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    text = str(raw, "latin-1").strip(" ")
    if not text:
        diags.append(_diag(offset, spec, f"empty {spec.vr} value; taken as absent", "PS3.5 6.2"))
        return _ABSENT
    return text


def _decode_at(raw: _Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    size = len(raw)
    if size % 4:
        raise DecodeError(
            f"{spec.keyword} (AT) has {size} bytes; AT values are 4 bytes each (PS3.5 6.2)",
            offset=offset,
            tag=spec.tag,
        )
    return AttributeTags.from_bytes(raw)  # the received bytes are its packed form


_DecodeFn = Callable[[_Raw, int, ElementSpec, DiagnosticLog], object]
_DECODERS: Final[dict[str, _DecodeFn]] = {
    "UI": _decode_ui,
    "AE": _decode_ae,
    "LO": _decode_text,
    "US": _decode_us,
    "UL": _decode_ul,
    "AT": _decode_at,
}
# Per class, what to read for each field: computed once.
_FIELD_DECODERS: Final[dict[type[Message], tuple[tuple[str, ElementSpec, _DecodeFn], ...]]] = {
    cls: tuple((name, spec, _DECODERS[spec.vr]) for name, spec in layout.fields)
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


def _diag(
    offset: int | None,
    spec: ElementSpec | None,
    what: str,
    rule: str,
    severity: Severity = Severity.WARNING,
) -> Diagnostic:
    return Diagnostic(
        what=what,
        rule=rule,
        severity=severity,
        offset=offset,
        tag=None if spec is None else spec.tag,
    )


# Elements the command dictionary has no entry for (unknown ones) are kept apart from the
# others, as offsets of their first occurrence: a command set of a million bytes holds a
# hundred thousand of them, and none is worth an object of its own (see ``_Unknown``).
_NO_TAG: Final = 1 << 16  # above every group 0000 element number


class _Unknown:
    """The unknown elements of a command set, by the offset of each one's first
    occurrence: in an ``array`` while they come in ascending tag order (as they do in
    nearly every command set that has any), in a table of all 65536 group 0000 element
    numbers (offset + 1, 0 for none) from the first one that does not."""

    __slots__ = ("last", "offsets", "table", "view")

    def __init__(self, view: _Raw) -> None:
        self.view = view
        self.offsets = array("I")
        self.table: array[int] | None = None
        self.last = -1

    def _tag_at(self, offset: int) -> int:
        view = self.view
        return view[offset + 2] | view[offset + 3] << 8

    def _table(self) -> array[int]:
        table = self.table
        if table is None:
            self.table = table = array("I", (0,)) * _NO_TAG
            for offset in self.offsets:
                table[self._tag_at(offset)] = offset + 1
            self.offsets = array("I")
        return table

    def seen(self, tag: int) -> bool:
        """Whether an element with this tag was kept."""
        if self.table is None and tag >= self.last:  # above, or the last one repeated
            return tag == self.last
        return bool(self._table()[tag])

    def add(self, tag: int, offset: int) -> None:
        """Keep the element at ``offset``, whose tag was not seen."""
        if self.table is None and tag > self.last:
            self.offsets.append(offset)
            self.last = tag
        else:
            self._table()[tag] = offset + 1

    def in_tag_order(self) -> Iterator[tuple[int, int]]:
        """(tag, offset) of each, by tag."""
        table = self.table
        if table is None:
            for offset in self.offsets:
                yield self._tag_at(offset), offset
            return
        for tag, found in enumerate(table):
            if found:
                yield tag, found - 1


def _parse(view: _Raw, diags: DiagnosticLog) -> tuple[dict[int, tuple[int, _Raw]], _Unknown | None]:
    """Split a command set into its elements: tag -> (offset, value bytes) for those the
    command dictionary knows, and the unknown ones apart (None if there are none).  The
    first occurrence of a tag is kept; repeats are only reported."""
    elements: dict[int, tuple[int, _Raw]] = {}
    unknown: _Unknown | None = None
    size = len(view)
    offset = 0
    previous = -1
    unpack = _HEADER.unpack_from
    while offset < size:
        if size - offset < 8:
            raise DecodeError(
                f"truncated element header: {size - offset} bytes left where an element "
                "needs 8 (tag, length) (PS3.5 7.1.2)",
                offset=offset,
            )
        group, element, length = unpack(view, offset)
        tag = (group << 16) | element
        end = offset + 8 + length
        known = tag in BY_TAG
        if group or end > size or length & 1 or tag <= previous:
            _refuse_element(offset, group, element, length, size)
            seen = tag in elements if known else unknown is not None and unknown.seen(tag)
            _report_element(diags, offset, tag, length, seen, tag < previous)
            if seen:
                offset = end
                continue
        if known:
            elements[tag] = (offset, view[offset + 8 : end])
        else:
            if unknown is None:
                unknown = _Unknown(view)
            unknown.add(tag, offset)
        if tag > previous:
            previous = tag
        offset = end
    return elements, unknown


def _refuse_element(offset: int, group: int, element: int, length: int, size: int) -> None:
    """What cannot be read: an element of another group, a value past the end."""
    tag = (group << 16) | element
    if group:
        raise DecodeError(
            f"element ({group:04X},{element:04X}) is outside group 0000: a command set "
            "holds command elements only (PS3.7 6.3.1)",
            offset=offset,
            tag=tag,
        )
    if offset + 8 + length > size:
        raise DecodeError(
            f"value length {length} runs past the end of the command set "
            f"({size - offset - 8} bytes left) (PS3.5 7.1.2)",
            offset=offset,
            tag=tag,
        )


def _report_element(
    diags: DiagnosticLog, offset: int, tag: int, length: int, seen: bool, out_of_order: bool
) -> None:
    """Report an odd length, a repeated element, one out of order."""
    if length & 1:
        diags.append(
            Diagnostic(
                what=f"odd value length {length}",
                rule="PS3.7 6.3.1: command element lengths are even",
                offset=offset,
                tag=tag,
            )
        )
    if seen:
        diags.append(
            Diagnostic(
                what="element repeated; the first occurrence is kept",
                rule="PS3.7 6.3.1: each tag at most once",
                offset=offset,
                tag=tag,
            )
        )
    elif out_of_order:
        diags.append(
            Diagnostic(
                what="element out of ascending tag order",
                rule="PS3.7 6.3.1: elements in ascending tag order",
                offset=offset,
                tag=tag,
            )
        )


def _check_group_length(
    cls: type[Message], elements: dict[int, tuple[int, _Raw]], size: int, diags: DiagnosticLog
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
        diags.append(_diag(offset, GROUP_LENGTH, f"{len(raw)}-byte value; UL has 4", "PS3.5 6.2"))
        return
    value = int.from_bytes(raw, "little")
    expected = size - (offset + 12)
    if value != expected:
        diags.append(
            _diag(
                offset,
                GROUP_LENGTH,
                f"Command Group Length says {value}, the elements after it have {expected} "
                "bytes; the length is ignored",
                "PS3.7 9.3, 10.3",
            )
        )


def _message_class(elements: dict[int, tuple[int, _Raw]], diags: DiagnosticLog) -> type[Message]:
    found = elements.get(_COMMAND_FIELD_TAG)
    if found is None:
        raise DecodeError(
            "no Command Field (0000,0100): the command set names no DIMSE message "
            "(PS3.7 9.3, 10.3)",
            tag=_COMMAND_FIELD_TAG,
        )
    offset, raw = found
    value = _decode_us(raw, offset, COMMAND_FIELD, diags)
    cls = _CLASS_BY_CODE.get(value)
    if cls is None:
        shown = "empty" if value is _ABSENT else f"0x{value:04X}"
        raise DecodeError(
            f"Command Field {shown} is no DIMSE message (PS3.7 E.1)",
            offset=offset,
            tag=_COMMAND_FIELD_TAG,
            suggested_status=0x0211,
        )
    return cls


def _as_view(buffer: bytes | bytearray | memoryview) -> _Raw:
    """Bytes stay bytes (slicing them is cheapest); other buffers become a byte view."""
    if type(buffer) is bytes:
        return buffer
    try:
        view = memoryview(buffer)
    except TypeError:
        raise TypeError(
            "buffer must be bytes, bytearray or memoryview (any contiguous bytes-like "
            f"object), not {type(buffer).__name__}"
        ) from None
    if not view.c_contiguous:
        raise TypeError("buffer must be a contiguous bytes-like object")
    if view.format != "B" or view.ndim != 1:
        view = view.cast("B")
    return view


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
    view = _as_view(buffer)
    size = len(view)
    if data_set is not None and type(data_set) is not DataSetPayload:
        payload = to_payload(data_set)  # what the message's field would make of it
        if type(payload) is DataSetPayload:  # else its validator refuses it, below
            data_set = payload
    if (data_set is None or type(data_set) is DataSetPayload) and size <= _CANONICAL_MAX:
        message = decode_canonical(view if type(view) is bytes else bytes(view), data_set)
        if message is not None:  # the common case, quickly (``_fast_decode``)
            return DecodedCommand(message)
    if not size:
        raise DecodeError("empty input: no command set (PS3.7 6.3.1)", offset=0)
    if size > MAX_COMMAND_LENGTH:
        raise DecodeError(command_too_long(size), offset=0)
    diags = DiagnosticLog()
    elements, unknown = _parse(view, diags)
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
        if value is not _ABSENT:
            values[name] = value
    cdst_found = elements.get(_DATA_SET_TYPE_TAG)
    cdst: int | None = None
    cdst_offset: int | None = None
    if cdst_found is not None:
        used += 1
        cdst_offset, raw = cdst_found
        decoded = _decode_us(raw, cdst_offset, COMMAND_DATA_SET_TYPE, diags)
        cdst = None if decoded is _ABSENT else decoded  # type: ignore[assignment]
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
    view: _Raw,
    elements: dict[int, tuple[int, _Raw]],
    unknown: _Unknown | None,
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
        cdst = DEFAULT_DATA_SET_TYPE if announced else NO_DATA_SET
        if layout.data_set_required:
            why = f"a data set follows: a {name} carries its {field}"
        elif data_set is not None:
            why = "a data set follows: one was given"
        else:
            why = "no data set"
        diags.append(_absent_mandatory(cls, COMMAND_DATA_SET_TYPE, f"0x{cdst:04X} ({why})"))
    else:
        cdst = received
        announced = cdst != NO_DATA_SET
    placement = layout.place_data_set(announced, data_set is not None)
    if placement.deviation is not None:
        what = _DEVIATIONS[placement.deviation].format(cdst=cdst, name=name, field=field)
        diags.append(_diag(offset, COMMAND_DATA_SET_TYPE, what, "PS3.7 9.3, 10.3", Severity.ERROR))
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
        message, problems = cls._build_leniently(values)
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
    return DecodedCommand(message._with_wire(wire), diags.freeze())


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
    wire = message.wire
    if wire is None:
        return message.data_set_payload is not None
    return wire.command_data_set_type != NO_DATA_SET


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


def peek_data_set_type(buffer: bytes | bytearray | memoryview) -> int | None:
    """The Command Data Set Type of an encoded command set, without decoding it.

    None when the element is absent, malformed or the bytes cannot be walked; the full
    decoder then has the last word.
    """
    view = _as_view(buffer)
    offset = 0
    size = len(view)
    while offset + 8 <= size:
        group, element, length = _HEADER.unpack_from(view, offset)
        if group != 0:
            return None
        if element == 0x0800:
            if length != 2 or offset + 10 > size:
                return None
            return view[offset + 8] | (view[offset + 9] << 8)
        if element > 0x0800:
            return None
        offset += 8 + length
    return None
