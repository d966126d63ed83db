"""What a command element can carry at all: the line between refused and reported.

Owns: deciding, for a value given for a command element, whether the element can hold
it at all, whatever door the command came through (bytes, a pydicom Dataset, a command
dict or JSON): a US value is an int from 0 to 65535 (the rule of ``_model.vr``); the text of
a UI, AE or LO value is characters the codec writes one byte each (its value encoders,
``_codec.wire``: a command set has no Specific Character Set, PS3.7 6.3.1, PS3.5 6.1); an
AT value is an :class:`~dimsekit.AttributeTags`, which the AT encoder writes as it is;
a Status is a code of a status class (``_model.status``, PS3.7 Annex C); a Priority is one of
the three (PS3.7 9.3.1.1).

A value that fails here is not one a peer got wrong but one no peer can have sent and
no encoder can write: it ends decoding in either mode, with a
:class:`~dimsekit.DecodeError` naming the element.  A value that passes but breaks a
rule of PS3.5 or PS3.7 (a UID with a letter, an AE title of 17 characters) is the
lenient decoder's to report, and the message that holds it still encodes.

Must not know: which door a value came through; the rules of a valid value, beyond
asking ``_model.vr`` for the US one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from .._errors import DecodeError, show
from .._model.fields import BY_TAG, ElementSpec
from .._model.status import status_category
from .._model.vr import AttributeTags, Priority, us_problem
from ..messages import Message
from .layout import LAYOUTS
from .wire import VALUE_ENCODERS

__all__ = ["refuse_unrepresentable", "unrepresentable"]

_STATUS: Final = BY_TAG[0x0000_0900]
_PRIORITY: Final = BY_TAG[0x0000_0700]
_PRIORITIES: Final = frozenset(member.value for member in Priority)
_TEXT_VRS: Final = frozenset({"UI", "AE", "LO"})


def _text_problem(spec: ElementSpec, value: object) -> str | None:
    if not isinstance(value, str):
        return f"a {spec.vr} value is text (PS3.5 6.2)"
    try:
        VALUE_ENCODERS[spec.vr](value)
    except UnicodeEncodeError as problem:
        character = value[problem.start]
        return (
            f"a command set has no Specific Character Set, its text is one byte per "
            f"character, and {character!r} is none (PS3.7 6.3.1, PS3.5 6.1)"
        )
    return None


def _tags_problem(spec: ElementSpec, value: object) -> str | None:
    if type(value) is AttributeTags:  # every one holds tags from (0000,0000) to (FFFF,FFFF)
        return None
    return "an AT value is a sequence of tags from (0000,0000) to (FFFF,FFFF) (PS3.5 6.2)"


def _us_problem(spec: ElementSpec, value: object) -> str | None:
    problem = us_problem(value)
    return None if problem is None else f"{problem} (PS3.5 6.2)"


_PROBLEMS: Final[dict[str, Callable[[ElementSpec, object], str | None]]] = {
    **dict.fromkeys(_TEXT_VRS, _text_problem),
    "AT": _tags_problem,
    "US": _us_problem,
}


def unrepresentable(spec: ElementSpec, value: object) -> str | None:
    """Why the element ``spec`` cannot carry ``value`` at all, as an error reason naming
    the element; None when it can (whether or not the value is valid)."""
    problem = _PROBLEMS[spec.vr](spec, value)
    if problem is not None:
        return f"{spec.keyword} {show(value)}: {problem}"
    if spec is _STATUS and isinstance(value, int) and status_category(value) is None:
        return (
            f"Status 0x{value:04X} belongs to no status class; no other value may be used "
            "(PS3.7 Annex C)"
        )
    if spec is _PRIORITY and value not in _PRIORITIES:
        return f"Priority {value} is none of 0 MEDIUM, 1 HIGH, 2 LOW (PS3.7 9.3.1.1)"
    return None


def refuse_unrepresentable(
    cls: type[Message], values: Mapping[str, object], offsets: Mapping[int, tuple[int, object]]
) -> None:
    """Raise :class:`~dimsekit.DecodeError` for the first field of ``values`` whose
    element cannot carry its value (``offsets``: tag -> (byte offset, ...) where known).
    None, for an optional field, is absence and always representable."""
    for name, spec, problem, coded in _FIELDS[cls]:
        value = values.get(name)
        if value is None or (not coded and problem(spec, value) is None):
            continue  # the common case, in one call
        reason = unrepresentable(spec, value)
        if reason is not None:
            found = offsets.get(spec.tag)
            raise DecodeError(reason, offset=None if found is None else found[0], tag=spec.tag)


_FIELDS: Final = {
    cls: tuple(
        (name, spec, _PROBLEMS[spec.vr], spec is _STATUS or spec is _PRIORITY)
        for name, spec in layout.fields
    )
    for cls, layout in LAYOUTS.items()
}
