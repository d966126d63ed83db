"""Value types of command elements: converters that normalise, validators that enforce.

Owns: the rules of the value representations a command set uses (PS3.5 6.2, Table
6.2-1): UI, AE, US, AT and LO, and the enumerations Priority (PS3.7 9.3.1.1, E.1) and
CommandField (PS3.7 E.1).

Converters only normalise and never raise: a value they cannot make sense of is passed
through unchanged so that the field's validator, which knows the message class and the
field, reports it (attrs runs every converter before any validator).  Validators raise
:class:`~dimsekit._errors.InvalidMessageError`.

Must not know: which message uses which element, or how a value is encoded in bytes.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import Any, Final, NoReturn, TypeAlias, cast

import attrs
from attrs import Attribute
from pydicom.tag import BaseTag, Tag
from pydicom.uid import UID

from ._errors import InvalidMessageError

__all__ = [
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

# PS3.5 9.1: components of digits, no leading zero in a multi-digit component.
_UID_SYNTAX: Final = re.compile(r"(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*")
# Default Character Repertoire (ISO-IR 6) without control characters or backslash.
_DEFAULT_TEXT: Final = re.compile(r"[ -\[\]-~]*")


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
    cleaned = "".join(ch if _DEFAULT_TEXT.fullmatch(ch) else "?" for ch in text.strip())
    return cleaned[:LO_MAX].strip() or "?"


# --- converters (normalise only, never raise) -------------------------------------------


def _text(value: object) -> object:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    return value


def to_uid(value: str | bytes) -> UID:
    """str or bytes -> pydicom UID, trailing NUL/space padding stripped (PS3.5 9.1)."""
    kind = type(value)
    if (kind is UID or kind is str) and value[-1:] not in _PADDING:  # nothing to strip
        return value if kind is UID else str.__new__(UID, value)  # type: ignore[return-value]
    text = _text(value)
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
    text = _text(value)
    return text.strip(" ") if isinstance(text, str) else cast(str, text)


def to_optional_ae(value: str | bytes | None) -> str | None:
    """As :func:`to_ae`, keeping None."""
    return None if value is None else to_ae(value)


def to_optional_lo(value: str | bytes | None) -> str | None:
    """str or bytes -> LO text with insignificant leading/trailing spaces removed."""
    if value is None:
        return None
    text = _text(value)
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


@attrs.frozen
class _AmbiguousTagPair:
    """A tuple of two numbers up to 0xFFFF given as a whole AT list, for the validator
    to refuse: is ``(0x0010, 0x0010)`` one tag (0010,0010) or two tags (0000,0010)?"""

    pair: tuple[int, int]


def to_optional_tags(value: Iterable[TagLike] | None) -> tuple[BaseTag, ...] | None:
    """A sequence of tags in any form pydicom's ``Tag()`` takes -> tuple of BaseTag.

    Items that are not tags are kept as they are, for the validator to name; so is a
    tuple of two plain numbers up to 0xFFFF, which could mean one tag or two.
    """
    if value is None or isinstance(value, str | int | bytes):
        return cast(tuple[BaseTag, ...] | None, value)
    if type(value) is tuple and len(value) == 2:
        first, second = value
        if (
            type(first) is int  # plain numbers: not BaseTag, not bool
            and type(second) is int
            and 0 <= first <= 0xFFFF
            and 0 <= second <= 0xFFFF
        ):
            return cast(tuple[BaseTag, ...], _AmbiguousTagPair((first, second)))
    try:
        items = tuple(value)
    except TypeError:
        return cast(tuple[BaseTag, ...], value)
    tags: list[object] = []
    for item in items:
        if type(item) is BaseTag:
            tags.append(item)
            continue
        if isinstance(item, bool) or not isinstance(item, int | str | tuple | list):
            tags.append(item)  # Tag() would take True or 1.5 as (0000,0001)
            continue
        try:
            tags.append(Tag(item))
        except (ValueError, TypeError, OverflowError):
            tags.append(item)
    return cast(tuple[BaseTag, ...], tuple(tags))


# --- validators (raise InvalidMessageError naming the class and the field) --------------


def refuse(inst: object, name: str, value: object, rule: str, reference: str) -> NoReturn:
    """Raise the error for one field of the message being built."""
    raise InvalidMessageError(type(inst).__name__, (name,), value, rule, reference)


def check_uid(inst: object, attribute: Attribute[Any], value: object) -> None:
    """UI: 1-64 characters of digits and dots, no empty component, no leading zero."""
    if not isinstance(value, str):
        refuse(inst, attribute.name, value, "a UID must be str or bytes", "PS3.5 9.1")
    elif not 0 < len(value) <= UI_MAX:
        refuse(inst, attribute.name, value, "a UID has 1 to 64 characters", "PS3.5 9.1")
    elif _UID_SYNTAX.fullmatch(value) is None:
        refuse(inst, attribute.name, value, _uid_problem(value), "PS3.5 9.1")


def _uid_problem(value: str) -> str:
    """Which rule of PS3.5 9.1 a UID breaks (called only for a UID that breaks one)."""
    if value.strip("0123456789."):
        return "a UID has only digits and dots"
    components = value.split(".")
    if "" in components:
        return "a UID has no empty component"
    return "a multi-digit UID component has no leading zero"


def check_optional_uid(inst: object, attribute: Attribute[Any], value: object) -> None:
    if value is not None:
        check_uid(inst, attribute, value)


def check_ae(inst: object, attribute: Attribute[Any], value: object) -> None:
    """AE: 1-16 characters of the default repertoire, no backslash or control characters."""
    if not isinstance(value, str):
        refuse(inst, attribute.name, value, "an AE title must be str or bytes", "PS3.5 6.2")
    elif not value:
        refuse(
            inst, attribute.name, value, "an AE title must not be empty or all spaces", "PS3.5 6.2"
        )
    elif len(value) > AE_MAX:
        refuse(
            inst,
            attribute.name,
            value,
            "an AE title has at most 16 significant characters",
            "PS3.5 6.2",
        )
    elif _DEFAULT_TEXT.fullmatch(value) is None:
        refuse(
            inst,
            attribute.name,
            value,
            "an AE title uses the Default Character Repertoire without backslash "
            "or control characters",
            "PS3.5 6.2",
        )


def check_optional_ae(inst: object, attribute: Attribute[Any], value: object) -> None:
    if value is not None:
        check_ae(inst, attribute, value)


def check_optional_lo(inst: object, attribute: Attribute[Any], value: object) -> None:
    """LO text of a command set: 1-64 characters of the Default Character Repertoire."""
    if value is None:
        return
    if not isinstance(value, str):
        refuse(inst, attribute.name, value, "LO text must be str or bytes", "PS3.5 6.2")
    elif not value:
        refuse(
            inst,
            attribute.name,
            value,
            "LO text must not be empty or all spaces (leave the field out instead)",
            "PS3.5 6.2",
        )
    elif len(value) > LO_MAX:
        refuse(
            inst,
            attribute.name,
            value,
            "LO text has at most 64 characters (truncate_error_comment() shortens it)",
            "PS3.5 6.2",
        )
    elif _DEFAULT_TEXT.fullmatch(value) is None:
        refuse(
            inst,
            attribute.name,
            value,
            "command set text uses only the Default Character Repertoire, "
            "without backslash or control characters",
            "PS3.7 C.4.1, PS3.5 6.2",
        )


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


def check_optional_us(inst: object, attribute: Attribute[Any], value: object) -> None:
    if value is not None:
        check_us(inst, attribute, value)


def check_priority(inst: object, attribute: Attribute[Any], value: object) -> None:
    if type(value) is not Priority:
        refuse(
            inst,
            attribute.name,
            value,
            "Priority is 0 (MEDIUM), 1 (HIGH) or 2 (LOW)",
            "PS3.7 9.3.1.1",
        )


def _check_tags(inst: object, attribute: Attribute[Any], value: object, allow_empty: bool) -> None:
    if isinstance(value, _AmbiguousTagPair):
        group, element = value.pair
        refuse(
            inst,
            attribute.name,
            value.pair,
            f"(0x{group:04X}, 0x{element:04X}) is ambiguous: read as a sequence, two tags "
            f"(0000,{group:04X}) and (0000,{element:04X}); read as (group, element), the one "
            f"tag ({group:04X},{element:04X}); write [(0x{group:04X}, 0x{element:04X})] for "
            "the one tag, or a list for two",
            "PS3.5 6.2",
        )
    if not isinstance(value, tuple):
        refuse(
            inst,
            attribute.name,
            value,
            "an AT list must be a sequence of tags (int, keyword or (group, element))",
            "PS3.5 6.2",
        )
        return
    for item in value:
        if type(item) is not BaseTag:
            refuse(inst, attribute.name, item, "not a DICOM tag", "PS3.5 6.2")
    if not value and not allow_empty:
        refuse(
            inst, attribute.name, value, "an AT list of VM 1-n has at least one tag", "PS3.5 6.4"
        )


def check_optional_tags(inst: object, attribute: Attribute[Any], value: object) -> None:
    """AT, VM 1-n: a non-empty tuple of tags."""
    if value is not None:
        _check_tags(inst, attribute, value, allow_empty=False)


def check_optional_tags_may_be_empty(
    inst: object, attribute: Attribute[Any], value: object
) -> None:
    """AT where an empty list has a meaning (N-GET-RQ: "all attributes", PS3.7 10.1.2.1.4)."""
    if value is not None:
        _check_tags(inst, attribute, value, allow_empty=True)
