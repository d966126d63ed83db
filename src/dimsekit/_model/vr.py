"""Value types of command elements: converters that normalise, validators that enforce.

Owns: the rules of the value representations a command set uses (PS3.5 6.2, Table
6.2-1): UI, AE, US, AT and LO, and the enumerations Priority (PS3.7 9.3.1.1, E.1) and
CommandField (PS3.7 E.1); and :class:`AttributeTags`, the value of an AT field, which
holds its tags packed as the value bytes of an AT element in a command set (PS3.5
7.1.2, 6.2: each tag its group, then its element, as 16-bit little-endian numbers), so
that the codec reads and writes a whole list in one call and a tag costs four bytes.

Each value rule is stated once here and everything that applies it is derived from that
statement: the validator (the attrs path, with the words of each refusal), its inline
form in :data:`INLINE_CHECKS` (an expression built from the same constants and
pattern, which the fast ``__init__`` and the canonical decoders both inline; the
optional validators and their forms are derived from the required ones by
:func:`optional`), and each converter's inline forms in :data:`INLINE_CONVERTERS`.
Other modules declare the forms of their own validators the same way (``_model.payload``,
``_model.status``, ``messages._base``).  The rules know no command set: the AE rule
(:data:`AE_TEXT`) serves an AE title of an A-ASSOCIATE-RQ (PS3.8 9.3.2) as it serves
Move Destination.  Also: :data:`KNOWN_UIDS`, the one memory of valid UIDs both fast
paths share.

Converters only normalise and never raise: a value they cannot make sense of is passed
through unchanged (an AT list with the rule it breaks) so that the field's validator,
which knows the message class and the field, reports it (attrs runs every converter
before any validator).  Validators raise
:class:`~dimsekit._errors.InvalidMessageError`.

Must not know: which message uses which element, or how a value is encoded in bytes
(beyond the packing of :class:`AttributeTags`, which is the AT value as it is sent).
"""

from __future__ import annotations

import enum
import operator
import re
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    Final,
    NoReturn,
    SupportsIndex,
    TypeAlias,
    cast,
    final,
    overload,
)

import attrs
from attrs import Attribute
from pydicom.tag import BaseTag, Tag
from pydicom.uid import UID

from .._codegen import compile_function, slot_setter
from .._errors import DecodeError, InvalidMessageError

__all__ = [
    "AttributeTags",
    "CommandField",
    "Priority",
    "TagLike",
    "truncate_error_comment",
]

TagLike: TypeAlias = int | str | tuple[int, int]
"""What a tag may be given as: an int (``0x00100010``), a keyword or a (group, element) pair."""

UI_MAX: Final = 64
AE_MAX: Final = 16
LO_MAX: Final = 64
US_MAX: Final = 0xFFFF

# PS3.5 9.1: components of digits, no leading zero in a multi-digit component.  The
# repeats are possessive: a run of digits given back could only be followed by a digit,
# which nothing accepts, so the same strings match, with less backtracking.
UID_SYNTAX: Final = re.compile(r"(?:0|[1-9][0-9]*+)(?:\.(?:0|[1-9][0-9]*+))*+")
# Default Character Repertoire (ISO-IR 6) without control characters or backslash.
DEFAULT_TEXT: Final = re.compile(r"[ -\[\]-~]*")


class Priority(enum.IntEnum):
    """Priority (0000,0700) of a C-STORE, C-FIND, C-GET or C-MOVE request (PS3.7 9.3)."""

    MEDIUM = 0x0000
    HIGH = 0x0001
    LOW = 0x0002


class CommandField(enum.IntEnum):
    """Command Field (0000,0100): which DIMSE message a command set is (PS3.7 E.1).

    A response's code is its request's code with bit 15 set.
    """

    C_STORE_RQ = 0x0001
    C_STORE_RSP = 0x8001
    C_GET_RQ = 0x0010
    C_GET_RSP = 0x8010
    C_FIND_RQ = 0x0020
    C_FIND_RSP = 0x8020
    C_MOVE_RQ = 0x0021
    C_MOVE_RSP = 0x8021
    C_ECHO_RQ = 0x0030
    C_ECHO_RSP = 0x8030
    N_EVENT_REPORT_RQ = 0x0100
    N_EVENT_REPORT_RSP = 0x8100
    N_GET_RQ = 0x0110
    N_GET_RSP = 0x8110
    N_SET_RQ = 0x0120
    N_SET_RSP = 0x8120
    N_ACTION_RQ = 0x0130
    N_ACTION_RSP = 0x8130
    N_CREATE_RQ = 0x0140
    N_CREATE_RSP = 0x8140
    N_DELETE_RQ = 0x0150
    N_DELETE_RSP = 0x8150
    C_CANCEL_RQ = 0x0FFF

    @property
    def is_response(self) -> bool:
        """True for the ``*-RSP`` codes."""
        return bool(self & 0x8000)

    @property
    def message_name(self) -> str:
        """The PS3.7 name, e.g. ``"C-MOVE-RQ"``."""
        return _MESSAGE_NAMES[self]

    @property
    def service(self) -> str:
        """The DIMSE service, e.g. ``"C-MOVE"`` or ``"N-EVENT-REPORT"``."""
        return _SERVICES[self]


PRIORITIES: Final = (Priority.MEDIUM, Priority.HIGH, Priority.LOW)
"""Every Priority, at the index of its value."""
_PADDING: Final = ("\0", " ")

_MESSAGE_NAMES: Final = {field: field.name.replace("_", "-") for field in CommandField}
_SERVICES: Final = {field: name.rsplit("-", 1)[0] for field, name in _MESSAGE_NAMES.items()}


def truncate_error_comment(text: str) -> str:
    """Make any text fit Error Comment (0000,0902): LO, 64 characters, default repertoire.

    Characters outside the Default Character Repertoire (and the backslash, which LO
    forbids) become ``?``; the result is cut to 64 characters.  Construction never does
    this silently: call it when you want it.
    """
    cleaned = "".join(ch if DEFAULT_TEXT.fullmatch(ch) else "?" for ch in text.strip())
    return cleaned[:LO_MAX].strip() or "?"


# --- converters (normalise only, never raise) -------------------------------------------


def text_of(value: object) -> object:
    """Text as the text converters read it: bytes as Latin-1 (one character a byte, as
    the codec writes them), anything else unchanged."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    return value


def to_uid(value: str | bytes) -> UID:
    """str or bytes -> pydicom UID, trailing NUL/space padding stripped (PS3.5 9.1)."""
    kind = type(value)
    if (kind is UID or kind is str) and value[-1:] not in _PADDING:  # nothing to strip
        return value if kind is UID else str.__new__(UID, value)  # type: ignore[return-value]
    text = text_of(value)
    if isinstance(text, str):
        # str.__new__ skips pydicom's own validation, which depends on a global setting;
        # the field validator applies our rule instead.
        return str.__new__(UID, text.rstrip("\0 "))
    return cast(UID, text)


def to_optional_uid(value: str | bytes | None) -> UID | None:
    """As :func:`to_uid`, keeping None."""
    return None if value is None else to_uid(value)


def to_ae(value: str | bytes) -> str:
    """str or bytes -> AE title with its insignificant leading/trailing spaces removed."""
    text = text_of(value)
    return text.strip(" ") if isinstance(text, str) else cast(str, text)


def to_optional_ae(value: str | bytes | None) -> str | None:
    """As :func:`to_ae`, keeping None."""
    return None if value is None else to_ae(value)


def to_optional_lo(value: str | bytes | None) -> str | None:
    """str or bytes -> LO text with insignificant leading/trailing spaces removed."""
    if value is None:
        return None
    text = text_of(value)
    return text.strip(" ") if isinstance(text, str) else cast(str, text)


def to_priority(value: int) -> Priority:
    """int -> Priority; an unknown number is left for the validator to refuse."""
    if type(value) is Priority:
        return value
    if type(value) is int and 0 <= value <= 2:
        return PRIORITIES[value]
    if isinstance(value, bool) or not isinstance(value, int):
        return cast(Priority, value)  # True or 1.0 is no US value (PS3.5 6.2)
    try:
        return Priority(value)
    except (ValueError, TypeError):
        return cast(Priority, value)


# --- AT: tag lists (PS3.5 6.2, 6.4) ---------------------------------------------------

TAG_PAIR: Final = struct.Struct("<HH")
"""A tag as the value bytes of an AT element hold it: group, then element (PS3.5 6.2,
7.1.2); the codec writes an element's tag so too."""
_TAG_MAX: Final = 0xFFFFFFFF
_NOT_A_SEQUENCE: Final = "an AT list must be a sequence of tags (int, keyword or (group, element))"
_NOT_A_TAG: Final = "not a DICOM tag"
_AT_REFERENCE: Final = "PS3.5 6.2"


@final
class AttributeTags(Sequence[BaseTag]):
    """The value of an AT field: DICOM tags in order, immutable, four bytes a tag.

    ``AttributeTags(tags)`` takes any iterable of tags in the forms a message field takes
    (an int such as ``0x00100010``, a keyword, a ``(group, element)`` pair, a pydicom
    ``BaseTag``) and refuses anything else with the
    :class:`~dimsekit.InvalidMessageError` the field would raise.  Items come out as
    ``BaseTag``, slices as ``AttributeTags``.  It equals any sequence of the same tags
    as numbers (``AttributeTags(["PatientName"]) == (0x00100010,)``, a list too) and
    hashes as the tuple of its tags, so equal values hash equal.

    The tags are held as one ``bytes`` object in the layout of an AT value in a command
    set (PS3.5 7.1.2, 6.2): :meth:`to_bytes` gives it and :meth:`from_bytes` reads it,
    without an object per tag; a list of a quarter of a million tags costs a megabyte.
    """

    __slots__ = ("_hash", "_packed")
    _packed: bytes
    _hash: int

    def __new__(cls, tags: Iterable[TagLike] = ()) -> AttributeTags:
        made = _pack_tags(tags)
        if isinstance(made, _NotTags):
            raise InvalidMessageError(
                "AttributeTags", ("tags",), made.value, made.rule, _AT_REFERENCE
            )
        return made

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> AttributeTags:
        """The tags of an AT value's bytes as a command set holds them (PS3.5 7.1.2: each
        tag four bytes, group then element, little endian); a length that is not a
        multiple of four is a :class:`~dimsekit.DecodeError`."""
        packed = bytes(data)
        if len(packed) & 3:
            raise DecodeError(
                f"an AT value of {len(packed)} bytes; AT values are 4 bytes each (PS3.5 6.2)"
            )
        return tags_of(packed)

    def to_bytes(self) -> bytes:
        """The AT value bytes of these tags, as a command set holds them (PS3.5 7.1.2)."""
        return self._packed

    def __len__(self) -> int:
        return len(self._packed) >> 2

    @overload
    def __getitem__(self, index: SupportsIndex) -> BaseTag: ...
    @overload
    def __getitem__(self, index: slice) -> AttributeTags: ...
    def __getitem__(self, index: SupportsIndex | slice) -> BaseTag | AttributeTags:
        packed = self._packed
        if isinstance(index, slice):
            start, stop, step = index.indices(len(packed) >> 2)
            if step == 1:
                return tags_of(packed[4 * start : 4 * stop])
            return tags_of(b"".join(packed[4 * i : 4 * i + 4] for i in range(start, stop, step)))
        try:
            position = operator.index(index)
        except TypeError:
            raise TypeError(
                f"AttributeTags indices must be integers or slices, not {type(index).__name__}"
            ) from None
        size = len(packed) >> 2
        if position < 0:
            position += size
        if not 0 <= position < size:
            raise IndexError("AttributeTags index out of range")
        group, element = TAG_PAIR.unpack_from(packed, 4 * position)
        return BaseTag(group << 16 | element)

    def __iter__(self) -> Iterator[BaseTag]:
        return (
            BaseTag(group << 16 | element) for group, element in TAG_PAIR.iter_unpack(self._packed)
        )

    def __contains__(self, value: object) -> bool:
        if isinstance(value, int) and 0 <= value <= _TAG_MAX:
            packed = self._packed
            wanted = TAG_PAIR.pack(value >> 16, value & 0xFFFF)
            found = packed.find(wanted)
            while found >= 0 and found & 3:  # only a whole tag counts
                found = packed.find(wanted, found + 1)
            return found >= 0
        return super().__contains__(value)

    def __eq__(self, other: object) -> bool:
        if type(other) is AttributeTags:
            return self._packed == other._packed
        if not isinstance(other, Sequence) or isinstance(
            other, str | bytes | bytearray | memoryview
        ):
            return NotImplemented
        if len(other) != len(self):
            return False
        return all(
            isinstance(theirs, int) and mine == theirs
            for mine, theirs in zip(self, other, strict=True)
        )

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:
            found = hash(tuple(self))
            _set_hash(self, found)
            return found

    def __repr__(self) -> str:
        return f"AttributeTags([{', '.join(map(str, self))}])"

    def __reduce__(self) -> tuple[object, ...]:
        return (AttributeTags.from_bytes, (self._packed,))

    if not TYPE_CHECKING:  # seen, they would let a type checker take any attribute

        def __setattr__(self, name: str, value: object) -> None:
            raise AttributeError(f"AttributeTags is immutable: cannot set {name!r}")

        def __delattr__(self, name: str) -> None:
            raise AttributeError(f"AttributeTags is immutable: cannot delete {name!r}")


_new_tags = object.__new__
_set_packed = slot_setter(AttributeTags, "_packed")
_set_hash = slot_setter(AttributeTags, "_hash")


def tags_of(packed: bytes) -> AttributeTags:
    """AttributeTags over ``packed``, AT value bytes of a length divisible by four (for
    the codec, which checked it)."""
    tags = _new_tags(AttributeTags)
    _set_packed(tags, packed)
    return tags


@attrs.frozen
class _NotTags:
    """What the AT converter makes of a value that is no tag list, for the validator to
    refuse: the value to name and the rule it breaks."""

    value: object
    rule: str


def _ambiguous(group: int, element: int) -> str:
    """A tuple of two numbers up to 0xFFFF given as a whole AT list: is ``(0x0010,
    0x0010)`` one tag (0010,0010) or two tags (0000,0010)?  The caller must say."""
    return (
        f"(0x{group:04X}, 0x{element:04X}) is ambiguous: read as a sequence, two tags "
        f"(0000,{group:04X}) and (0000,{element:04X}); read as (group, element), the one "
        f"tag ({group:04X},{element:04X}); write [(0x{group:04X}, 0x{element:04X})] for "
        "the one tag, or a list for two"
    )


def _pack_tags(value: object) -> AttributeTags | _NotTags:
    """Tags in any form pydicom's ``Tag()`` takes -> AttributeTags, or why not: the rules
    of a tag list, stated once (PS3.5 6.2).  Any iterable is taken, but not text, a
    number or bytes; nor a tuple of two plain numbers up to 0xFFFF, which could mean one
    tag or two.  Each item is an int from 0 to 0xFFFFFFFF, a keyword or a (group,
    element) pair (not True, not 1.5, which ``Tag()`` would take as (0000,0001))."""
    if type(value) is AttributeTags:
        return value
    if isinstance(value, str | int | bytes | bytearray | memoryview):
        return _NotTags(value, _NOT_A_SEQUENCE)
    if type(value) is tuple and len(value) == 2:
        first, second = value
        if (
            type(first) is int  # plain numbers: not BaseTag, not bool
            and type(second) is int
            and 0 <= first <= 0xFFFF
            and 0 <= second <= 0xFFFF
        ):
            return _NotTags((first, second), _ambiguous(first, second))
    try:
        items = iter(cast(Iterable[object], value))
    except TypeError:
        return _NotTags(value, _NOT_A_SEQUENCE)
    # Each tag as the number (element << 16 | group), whose four little-endian bytes are
    # the tag's group and then its element, each little endian (PS3.5 7.1.2).
    words: list[int] = []
    for item in items:
        tag = item if type(item) is int or type(item) is BaseTag else _tag_or_none(item)
        if tag is None or not 0 <= tag <= _TAG_MAX:
            return _NotTags(item, _NOT_A_TAG)
        words.append((tag & 0xFFFF) << 16 | tag >> 16)
    return tags_of(struct.pack(f"<{len(words)}I", *words))


def _tag_or_none(item: object) -> int | None:
    """One item of a tag list as its tag, or None if it is none."""
    if isinstance(item, int):
        return None if isinstance(item, bool) else item
    if isinstance(item, str | tuple | list):
        try:
            return Tag(cast(TagLike, item))  # or refused
        except (ValueError, TypeError, OverflowError):
            return None
    return None


def to_optional_tags(value: Iterable[TagLike] | None) -> AttributeTags | None:
    """A sequence of tags in any form pydicom's ``Tag()`` takes -> :class:`AttributeTags`.

    What is no tag list is kept, with the rule it breaks, for the validator to name (and
    kept as it is if converted again).
    """
    given: object = value
    if given is None or type(given) is AttributeTags or type(given) is _NotTags:
        return cast(AttributeTags | None, given)
    return cast(AttributeTags, _pack_tags(given))


# --- validators (raise InvalidMessageError naming the class and the field) --------------

Validator: TypeAlias = Callable[[Any, "Attribute[Any]", Any], None]
"""An attrs field validator: (instance, attribute, value), raising when it refuses."""


def refuse(inst: object, name: str, value: object, rule: str, reference: str) -> NoReturn:
    """Raise the error for one field of the message being built."""
    raise InvalidMessageError(type(inst).__name__, (name,), value, rule, reference)


def optional(check: Validator, name: str) -> Validator:
    """The validator ``name`` that lets None pass and hands any other value to ``check``;
    where ``check`` has an inline form, so has it (``{v} is None or`` that form)."""

    def check_optional(inst: object, attribute: Attribute[Any], value: object) -> None:
        if value is not None:
            check(inst, attribute, value)

    check_optional.__name__ = check_optional.__qualname__ = name
    check_optional.__doc__ = f"As {check.__name__}, letting None (no element) pass."
    form = INLINE_CHECKS.get(check)
    if form is not None:
        INLINE_CHECKS[check_optional] = form.or_none()
    return check_optional


def check_uid(inst: object, attribute: Attribute[Any], value: object) -> None:
    """UI: 1-64 characters of digits and dots, no empty component, no leading zero."""
    if not isinstance(value, str):
        refuse(inst, attribute.name, value, "a UID must be str or bytes", "PS3.5 9.1")
    elif not 0 < len(value) <= UI_MAX:
        refuse(inst, attribute.name, value, "a UID has 1 to 64 characters", "PS3.5 9.1")
    elif UID_SYNTAX.fullmatch(value) is None:
        refuse(inst, attribute.name, value, _uid_problem(value), "PS3.5 9.1")


def _uid_problem(value: str) -> str:
    """Which rule of PS3.5 9.1 a UID breaks (called only for a UID that breaks one)."""
    if value.strip("0123456789."):
        return "a UID has only digits and dots"
    components = value.split(".")
    if "" in components:
        return "a UID has no empty component"
    return "a multi-digit UID component has no leading zero"


@attrs.frozen
class TextRule:
    """The rule of a text VR in a command set, with the words of each way to break it:
    1 to ``maximum`` characters of the Default Character Repertoire without backslash or
    control characters (PS3.5 6.2; PS3.7 C.4.1 for Error Comment), leading and trailing
    spaces already removed by the converter."""

    maximum: int
    not_text: str
    empty: str
    too_long: str
    repertoire: str
    repertoire_reference: str = "PS3.5 6.2"

    def problem(self, value: object) -> tuple[str, str] | None:
        """What keeps ``value`` from being such text, and where that rule is, or None:
        for callers that are not building a message (an AE title of an A-ASSOCIATE-RQ
        follows the AE rule too, PS3.8 9.3.2)."""
        if not isinstance(value, str):
            return self.not_text, "PS3.5 6.2"
        if not value:
            return self.empty, "PS3.5 6.2"
        if len(value) > self.maximum:
            return self.too_long, "PS3.5 6.2"
        if DEFAULT_TEXT.fullmatch(value) is None:
            return self.repertoire, self.repertoire_reference
        return None


AE_TEXT: Final = TextRule(
    AE_MAX,
    "an AE title must be str or bytes",
    "an AE title must not be empty or all spaces",
    "an AE title has at most 16 significant characters",
    "an AE title uses the Default Character Repertoire without backslash or control characters",
)
LO_TEXT: Final = TextRule(
    LO_MAX,
    "LO text must be str or bytes",
    "LO text must not be empty or all spaces (leave the field out instead)",
    "LO text has at most 64 characters (truncate_error_comment() shortens it)",
    "command set text uses only the Default Character Repertoire, "
    "without backslash or control characters",
    "PS3.7 C.4.1, PS3.5 6.2",
)


def check_ae(inst: object, attribute: Attribute[Any], value: object) -> None:
    """AE: 1-16 characters of the default repertoire, no backslash or control characters."""
    problem = AE_TEXT.problem(value)
    if problem is not None:
        refuse(inst, attribute.name, value, *problem)


def check_lo(inst: object, attribute: Attribute[Any], value: object) -> None:
    """LO text of a command set: 1-64 characters of the Default Character Repertoire."""
    problem = LO_TEXT.problem(value)
    if problem is not None:
        refuse(inst, attribute.name, value, *problem)


def us_problem(value: object) -> str | None:
    """What keeps ``value`` from being a US value (an int from 0 to 65535, PS3.5 6.2),
    or None: the rule of :func:`check_us`, for callers that are not building a message."""
    if type(value) is not int and (not isinstance(value, int) or isinstance(value, bool)):
        return "a US value must be an int"
    if not 0 <= value <= US_MAX:
        return "a US value is from 0 to 65535"
    return None


def check_us(inst: object, attribute: Attribute[Any], value: object) -> None:
    """US: an int from 0 to 65535."""
    problem = us_problem(value)
    if problem is not None:
        refuse(inst, attribute.name, value, problem, "PS3.5 6.2")


def _check_tags(inst: object, attribute: Attribute[Any], value: object, allow_empty: bool) -> None:
    if type(value) is not AttributeTags:
        problem = value if isinstance(value, _NotTags) else _NotTags(value, _NOT_A_SEQUENCE)
        refuse(inst, attribute.name, problem.value, problem.rule, _AT_REFERENCE)
    if not value and not allow_empty:
        refuse(
            inst, attribute.name, value, "an AT list of VM 1-n has at least one tag", "PS3.5 6.4"
        )


def check_tags(inst: object, attribute: Attribute[Any], value: object) -> None:
    """AT, VM 1-n: a non-empty :class:`AttributeTags`."""
    _check_tags(inst, attribute, value, allow_empty=False)


def check_tags_may_be_empty(inst: object, attribute: Attribute[Any], value: object) -> None:
    """AT where an empty list has a meaning (N-GET-RQ: "all attributes", PS3.7 10.1.2.1.4)."""
    _check_tags(inst, attribute, value, allow_empty=True)


# --- the inline forms: each rule above once more, as generated code checks it ----------


@attrs.frozen
class InlineCheck:
    """A validator's form inline in generated code (the fast ``__init__``, the canonical
    decoders): a Python expression over ``{v}`` that is true only for values the
    validator accepts (on a false one the fast path calls the validator, or declines),
    and the names it uses, with what each stands for.

    ``covers_us``: every value two bytes of a US element can hold passes, so a decoder
    that read the value as a US need not test it.  ``bind``: names that depend on the
    message class (a status check, which depends on the service), given the class.
    """

    expression: str
    names: Mapping[str, object] = attrs.field(factory=dict)
    covers_us: bool = False
    bind: Callable[[Any], Mapping[str, object]] | None = None

    def or_none(self) -> InlineCheck:
        """This form, letting None pass too (the form of :func:`optional`'s validator)."""
        return attrs.evolve(self, expression=f"({{v}} is None or {self.expression})")

    def of(self, value: str) -> str:
        """The expression for the variable ``value``."""
        return self.expression.format(v=value)

    def names_for(self, cls: object) -> dict[str, object]:
        """Every name the expression uses, for message class ``cls``."""
        return {**self.names, **(self.bind(cls) if self.bind is not None else {})}


INLINE_CHECKS: Final[dict[object, InlineCheck]] = {}
"""Validator -> its inline form, declared with the validator (here, in ``_model.payload`` and
``messages._base``); a validator with none is called by the generated code."""


def add_inline_names(namespace: dict[str, Any], names: Mapping[str, object]) -> None:
    """Add the names an inline form uses to generated code's globals; a name stands for
    one thing in all the forms one function inlines."""
    for name, value in names.items():
        if namespace.setdefault(name, value) is not value:
            raise ValueError(f"two inline forms use {name} for different things")


def declare_inline(validator: Validator, form: InlineCheck) -> None:
    """State ``form`` as the inline form of ``validator`` (once: a second is a bug)."""
    if validator in INLINE_CHECKS:
        raise ValueError(f"{validator.__name__} has an inline form already")
    INLINE_CHECKS[validator] = form


def exact_type(kind: type, rule: str, reference: str, name: str) -> Validator:
    """The validator ``name`` that takes a value of exactly ``kind`` (what the field's
    converter makes of every value it accepts) and refuses any other by ``rule`` (at
    ``reference``); its inline form is declared with it."""

    def check(inst: object, attribute: Attribute[Any], value: object) -> None:
        if type(value) is not kind:
            refuse(inst, attribute.name, value, rule, reference)

    check.__name__ = check.__qualname__ = name
    check.__doc__ = f"A {kind.__name__}, as the converter makes it ({reference})."
    alias = f"_{kind.__name__}"
    declare_inline(check, InlineCheck(f"(type({{v}}) is {alias})", {alias: kind}))
    return check


check_priority: Final = exact_type(
    Priority, "Priority is 0 (MEDIUM), 1 (HIGH) or 2 (LOW)", "PS3.7 9.3.1.1", "check_priority"
)
_UID_NAMES: Final = {"_UID": UID, "_uid_match": UID_SYNTAX.fullmatch}
_TEXT_NAMES: Final = {"_text_match": DEFAULT_TEXT.fullmatch}
_TAG_NAMES: Final = {"_Tags": AttributeTags}
# Each as its validator checks it, from the same constants; the type tested exactly (the
# converter's own type), so that a subclass goes to the validator.
declare_inline(
    check_uid,
    InlineCheck(
        f"(type({{v}}) is _UID and len({{v}}) <= {UI_MAX} and _uid_match({{v}}) is not None)",
        _UID_NAMES,
    ),
)
declare_inline(
    check_us,
    InlineCheck(f"(type({{v}}) is int and 0 <= {{v}} <= {US_MAX})", covers_us=US_MAX == 0xFFFF),
)
for _check, _rule in ((check_ae, AE_TEXT), (check_lo, LO_TEXT)):
    declare_inline(
        _check,
        InlineCheck(
            f"(type({{v}}) is str and 0 < len({{v}}) <= {_rule.maximum} "
            "and _text_match({v}) is not None)",
            _TEXT_NAMES,
        ),
    )
declare_inline(check_tags, InlineCheck("(type({v}) is _Tags and len({v}) > 0)", _TAG_NAMES))
declare_inline(check_tags_may_be_empty, InlineCheck("(type({v}) is _Tags)", _TAG_NAMES))

check_optional_uid: Final = optional(check_uid, "check_optional_uid")
check_optional_ae: Final = optional(check_ae, "check_optional_ae")
check_optional_lo: Final = optional(check_lo, "check_optional_lo")
check_optional_us: Final = optional(check_us, "check_optional_us")
check_optional_tags: Final = optional(check_tags, "check_optional_tags")
check_optional_tags_may_be_empty: Final = optional(
    check_tags_may_be_empty, "check_optional_tags_may_be_empty"
)


def inline_predicate(validator: Validator, label: str) -> Callable[[object], bool]:
    """The inline form of ``validator`` as a function of one value, compiled from the
    declaration itself, for plain code that needs the same yes/no."""
    form = INLINE_CHECKS[validator]
    source = f"def holds(v):\n    return {form.of('v')}\n"
    namespace: dict[str, Any] = dict(form.names)
    return compile_function(source, "holds", label, namespace)


@attrs.frozen
class InlineConverter:
    """A converter's forms in generated code.  ``produces``: the exact type it returns
    for any value it converts, which it returns unchanged (so it need not be called on
    that type); ``keeps_none``: it gives None for None; ``common``: an expression over
    ``{v}`` and ``{call}`` (the converter's call) that gives exactly what the converter
    gives, quicker for the common raw input; ``names``: what the expression uses."""

    produces: type | None = None
    keeps_none: bool = False
    common: str | None = None
    names: Mapping[str, object] = attrs.field(factory=dict)


INLINE_CONVERTERS: Final[dict[object, InlineConverter]] = {}
"""Converter -> its forms, declared with the converter."""


def declare_converter(converter: Callable[..., object], form: InlineConverter) -> None:
    """State ``form`` as the inline forms of ``converter`` (once)."""
    if converter in INLINE_CONVERTERS:
        raise ValueError(f"{converter.__name__} has inline forms already")
    INLINE_CONVERTERS[converter] = form


# to_uid's first branch: a str with nothing to strip.
_STR_UID: Final = InlineConverter(
    UID,
    common="_str_new(_UID, {v}) if type({v}) is str and {v}[-1:] not in _PADS else {call}",
    names={"_UID": UID, "_str_new": str.__new__, "_PADS": _PADDING},
)
declare_converter(to_uid, _STR_UID)
declare_converter(to_optional_uid, attrs.evolve(_STR_UID, keeps_none=True))
declare_converter(
    to_priority,
    InlineConverter(
        Priority,
        common=f"_priorities[{{v}}] if type({{v}}) is int and 0 <= {{v}} < {len(PRIORITIES)} "
        "else {call}",
        names={"_priorities": PRIORITIES},
    ),
)
# The text converters' last step, for text: the insignificant spaces go.
_STRIP: Final = InlineConverter(common="{v}.strip(' ') if type({v}) is str else {call}")
declare_converter(to_ae, _STRIP)
declare_converter(to_optional_ae, attrs.evolve(_STRIP, keeps_none=True))
declare_converter(to_optional_lo, attrs.evolve(_STRIP, keeps_none=True))
declare_converter(to_optional_tags, InlineConverter(AttributeTags, keeps_none=True))


# --- UIDs seen before (a SOP Class UID repeats from message to message) -----------------

UIDS_REMEMBERED: Final = 512
"""How many valid UIDs :data:`KNOWN_UIDS` holds, at most."""
KNOWN_UIDS: Final[dict[str, UID]] = {}
"""Valid UIDs by their text (plain ``str`` keys), each as the UID it converts to: the one
memory both fast paths (building a message, decoding one) share, through the inline
forms of :func:`to_sop_class_uid` and :func:`check_sop_class_uid`.  It holds UIDs of
our own, never a caller's object (a pydicom UID can carry attributes), so later
messages get what attrs would give them."""
_valid_uid: Final = inline_predicate(check_uid, "check_uid inline")


def remember_uid(uid: UID) -> bool:
    """Whether ``uid`` (already converted) passes the inline UID check; if it does,
    remembers it in :data:`KNOWN_UIDS` while there is room."""
    if not _valid_uid(uid):
        return False
    if len(KNOWN_UIDS) < UIDS_REMEMBERED:
        text = str(uid)
        KNOWN_UIDS[text] = str.__new__(UID, text)
    return True


def to_sop_class_uid(value: str | bytes) -> UID:
    """As :func:`to_uid`, for an element holding a SOP Class UID (PS3.7 E.1).  Its inline
    form gives a text remembered valid (:data:`KNOWN_UIDS`) the UID remembered for it."""
    return to_uid(value)


def to_optional_sop_class_uid(value: str | bytes | None) -> UID | None:
    """As :func:`to_sop_class_uid`, keeping None."""
    return None if value is None else to_uid(value)


def check_sop_class_uid(inst: object, attribute: Attribute[Any], value: object) -> None:
    """UI holding a SOP Class UID (Affected or Requested SOP Class UID, PS3.7 E.1):
    :func:`check_uid`'s rule and words.  Its inline form takes a UID remembered valid
    (:data:`KNOWN_UIDS`) at once and checks, and remembers, any other: an association
    uses a handful, each of which would otherwise be checked once per message."""
    check_uid(inst, attribute, value)


_MEMORY_NAMES: Final = {"_known_uids": KNOWN_UIDS, "_known_uids_get": KNOWN_UIDS.get}
# to_uid's inline form, a remembered text first: its UID, converted and checked already.
_REMEMBERED_UID: Final = attrs.evolve(
    _STR_UID,
    common=f"(_known_uids_get({{v}}) if type({{v}}) is str else None) or ({_STR_UID.common})",
    names={**_STR_UID.names, **_MEMORY_NAMES},
)
declare_converter(to_sop_class_uid, _REMEMBERED_UID)
declare_converter(to_optional_sop_class_uid, attrs.evolve(_REMEMBERED_UID, keeps_none=True))
declare_inline(
    check_sop_class_uid,
    InlineCheck(
        "(type({v}) is _UID and ({v} in _known_uids or _remember_uid({v})))",
        {"_UID": UID, **_MEMORY_NAMES, "_remember_uid": remember_uid},
    ),
)
check_optional_sop_class_uid: Final = optional(check_sop_class_uid, "check_optional_sop_class_uid")
