"""Value types of command elements: converters that normalise, validators that enforce.

Owns: the rules of the value representations a command set uses (PS3.5 6.2, Table
6.2-1): UI, AE, US, AT and LO, and the enumerations Priority (PS3.7 9.3.1.1, E.1) and
CommandField (PS3.7 E.1); and :class:`AttributeTags`, the value of an AT field, which
holds its tags packed as the value bytes of an AT element in a command set (PS3.5
7.1.2, 6.2: each tag its group, then its element, as 16-bit little-endian numbers), so
that the codec reads and writes a whole list in one call and a tag costs four bytes.

Each value rule is stated once here, as a :class:`~dimsekit._model.value_rules.ValueRule`
(declared with the clauses of ``_model.value_rules``: each a Python expression over the
value, in the order they are tested, with the words and the reference a value that
breaks it is refused with); its validator, its ``problem`` and its inline form, which
the fast ``__init__`` and the canonical decoders both inline, are derived from the
clauses there.  The optional validators are derived from the required ones; Priority is
a rule of one exact type.  Each converter's inline forms are declared here with the
converter.  The rules know no command set: the AE rule (:data:`AE_TEXT`) serves an AE
title of an A-ASSOCIATE-RQ (PS3.8 9.3.2) as it serves Move Destination.  Also:
:data:`KNOWN_UIDS`, the one memory of valid UIDs both fast paths share, and the SOP
Class UID converter and validator whose inline forms consult it.

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
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    Final,
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

from .._codegen import slot_setter
from .._errors import DecodeError, InvalidMessageError
from .value_rules import (
    Clause,
    InlineCheck,
    InlineConverter,
    ValueRule,
    declare_converter,
    declare_inline,
    exact_type,
    inline_predicate,
    optional,
)

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


# --- the value rules (each declared once, as clauses: see _model.value_rules) ------------


def _uid_problem(value: str) -> str:
    """Which rule of PS3.5 9.1 a UID breaks (called only for a UID that breaks one)."""
    if value.strip("0123456789."):
        return "a UID has only digits and dots"
    components = value.split(".")
    if "" in components:
        return "a UID has no empty component"
    return "a multi-digit UID component has no leading zero"


UI_RULE: Final = ValueRule(
    "UI",
    (
        Clause("isinstance({v}, str)", "a UID must be str or bytes", "PS3.5 9.1"),
        Clause(f"0 < len({{v}}) <= {UI_MAX}", "a UID has 1 to 64 characters", "PS3.5 9.1"),
        Clause("_uid_match({v}) is not None", _uid_problem, "PS3.5 9.1"),
    ),
    {"_uid_match": UID_SYNTAX.fullmatch},
    exact=UID,
    doc="UI: 1-64 characters of digits and dots, no empty component, no leading zero.",
)
"""A UID (PS3.5 9.1), as its converter leaves it: padding stripped."""
check_uid: Final = UI_RULE.validator("check_uid", module=__name__)


@attrs.frozen(eq=False)
class TextRule:
    """The rule of a text VR in a command set, with the words of each way to break it:
    1 to ``maximum`` characters of the Default Character Repertoire without backslash or
    control characters (PS3.5 6.2; PS3.7 C.4.1 for Error Comment), leading and trailing
    spaces already removed by the converter.  :attr:`rule` is its :class:`ValueRule`, and
    :attr:`problem` that rule's: what keeps a value from being such text, and where that
    clause is, or None, for callers that are not building a message (an AE title of an
    A-ASSOCIATE-RQ follows the AE rule too, PS3.8 9.3.2)."""

    maximum: int
    not_text: str
    empty: str
    too_long: str
    repertoire: str
    repertoire_reference: str = "PS3.5 6.2"
    vr: str = attrs.field(default="text", kw_only=True)
    """The VR, as the rule's name and its validator's docstring give it."""
    rule: ValueRule = attrs.field(init=False)
    problem: Callable[[object], tuple[str, str] | None] = attrs.field(init=False, repr=False)

    @rule.default
    def _rule(self) -> ValueRule:
        return ValueRule(
            self.vr,
            (
                Clause("isinstance({v}, str)", self.not_text, "PS3.5 6.2"),
                Clause("{v} != ''", self.empty, "PS3.5 6.2"),
                Clause(f"len({{v}}) <= {self.maximum}", self.too_long, "PS3.5 6.2"),
                Clause("_text_match({v}) is not None", self.repertoire, self.repertoire_reference),
            ),
            {"_text_match": DEFAULT_TEXT.fullmatch},
            exact=str,
            doc=f"{self.vr}: 1-{self.maximum} characters of the Default Character Repertoire, "
            f"no backslash or control characters ({self.repertoire_reference}).",
        )

    @problem.default
    def _problem(self) -> Callable[[object], tuple[str, str] | None]:
        return self.rule.problem


AE_TEXT: Final = TextRule(
    AE_MAX,
    "an AE title must be str or bytes",
    "an AE title must not be empty or all spaces",
    "an AE title has at most 16 significant characters",
    "an AE title uses the Default Character Repertoire without backslash or control characters",
    vr="AE",
)
LO_TEXT: Final = TextRule(
    LO_MAX,
    "LO text must be str or bytes",
    "LO text must not be empty or all spaces (leave the field out instead)",
    "LO text has at most 64 characters (truncate_error_comment() shortens it)",
    "command set text uses only the Default Character Repertoire, "
    "without backslash or control characters",
    "PS3.7 C.4.1, PS3.5 6.2",
    vr="LO",
)
check_ae: Final = AE_TEXT.rule.validator("check_ae", module=__name__)
check_lo: Final = LO_TEXT.rule.validator("check_lo", module=__name__)

US_RULE: Final = ValueRule(
    "US",
    (
        Clause(
            "type({v}) is int or (isinstance({v}, int) and not isinstance({v}, bool))",
            "a US value must be an int",
            "PS3.5 6.2",
        ),
        Clause.between(0, US_MAX, "a US value is from 0 to 65535", "PS3.5 6.2"),
    ),
    exact=int,
    doc="US: an int from 0 to 65535 (PS3.5 6.2).",
)
check_us: Final = US_RULE.validator("check_us", module=__name__)


def us_problem(value: object) -> str | None:
    """What keeps ``value`` from being a US value (an int from 0 to 65535, PS3.5 6.2),
    or None: the rule of :func:`check_us`, for callers that are not building a message."""
    problem = US_RULE.problem(value)
    return None if problem is None else problem[0]


def _not_tags(value: object) -> _NotTags:
    """What an AT field is refused for that holds no AttributeTags: the converter's note
    of what it could not read, or the value, which is no sequence."""
    return value if isinstance(value, _NotTags) else _NotTags(value, _NOT_A_SEQUENCE)


_TAG_LIST: Final = Clause(
    "type({v}) is _Tags",
    lambda value: _not_tags(value).rule,
    _AT_REFERENCE,
    shown=lambda value: _not_tags(value).value,
)
_TAG_NAMES: Final = {"_Tags": AttributeTags}
AT_RULE: Final = ValueRule(
    "AT",
    (_TAG_LIST, Clause("len({v}) > 0", "an AT list of VM 1-n has at least one tag", "PS3.5 6.4")),
    _TAG_NAMES,
    doc="AT, VM 1-n: a non-empty AttributeTags (PS3.5 6.2, 6.4).",
)
AT_RULE_MAY_BE_EMPTY: Final = ValueRule(
    "AT, may be empty",
    (_TAG_LIST,),
    _TAG_NAMES,
    doc='AT where an empty list has a meaning (N-GET-RQ: "all attributes", PS3.7 10.1.2.1.4).',
)
check_tags: Final = AT_RULE.validator("check_tags", module=__name__)
check_tags_may_be_empty: Final = AT_RULE_MAY_BE_EMPTY.validator(
    "check_tags_may_be_empty", module=__name__
)


check_priority: Final = exact_type(
    Priority,
    "Priority is 0 (MEDIUM), 1 (HIGH) or 2 (LOW)",
    "PS3.7 9.3.1.1",
    "check_priority",
    module=__name__,
)

check_optional_uid: Final = optional(check_uid, "check_optional_uid", module=__name__)
check_optional_ae: Final = optional(check_ae, "check_optional_ae", module=__name__)
check_optional_lo: Final = optional(check_lo, "check_optional_lo", module=__name__)
check_optional_us: Final = optional(check_us, "check_optional_us", module=__name__)
check_optional_tags: Final = optional(check_tags, "check_optional_tags", module=__name__)
check_optional_tags_may_be_empty: Final = optional(
    check_tags_may_be_empty, "check_optional_tags_may_be_empty", module=__name__
)


# --- the converters' inline forms -------------------------------------------------------

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
RECEIVED_UIDS: Final[dict[bytes, UID]] = {}
"""The same memory by the value bytes a decoder read a UID from (the one padding NUL of
an odd length included, PS3.5 9.1): each as the UID :data:`KNOWN_UIDS` holds for its
text, so a decoder that meets them again skips reading and checking them.  (Kept apart
from the text keys: bytes and str of the same characters hash alike.)"""
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


def forget_uids() -> None:
    """Empty the memory, by text and by received bytes alike."""
    KNOWN_UIDS.clear()
    RECEIVED_UIDS.clear()


def remember_received(raw: bytes, uid: UID) -> None:
    """Remember that the value bytes ``raw`` are received as ``uid``, already found
    valid (and so remembered under its text while there was room)."""
    if len(RECEIVED_UIDS) < UIDS_REMEMBERED:
        RECEIVED_UIDS[raw] = KNOWN_UIDS.get(str(uid), uid)


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
    names={
        **_STR_UID.names,
        **_MEMORY_NAMES,
        "_received_uids_get": RECEIVED_UIDS.get,
        "_remember_received": remember_received,
    },
    received="_received_uids_get({raw})",
    remember="_remember_received({raw}, {v})",
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
check_optional_sop_class_uid: Final = optional(
    check_sop_class_uid, "check_optional_sop_class_uid", module=__name__
)
