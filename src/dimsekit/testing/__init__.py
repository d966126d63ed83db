"""Hypothesis strategies for DIMSE messages, for dimsekit's tests and for yours.

Owns: strategies that generate valid instances of every message class
(:func:`messages`), values of each command element type, and invalid constructions
(:func:`invalid_constructions`) that the model must refuse.  Valid messages are found by
drawing a candidate and mending what the model refuses: an optional field the error
names is dropped when present, or drawn when absent, until the message builds.  The
rules therefore live only in the model; new rules need no change here.

Requires Hypothesis (``pip install dimsekit[testing]``).

Must not know: encodings.
"""

from __future__ import annotations

import importlib.util
from typing import Any, Final, TypeVar

import attrs

if importlib.util.find_spec("hypothesis") is None:  # pragma: no cover - environment
    raise ImportError("dimsekit.testing needs Hypothesis: pip install 'dimsekit[testing]'")

from hypothesis import strategies as st

from .._codec.layout import LAYOUTS
from .._errors import InvalidMessageError
from .._model.fields import BY_NAME, DATA_SET_PARAMETERS
from .._model.payload import DataSetPayload
from .._model.status import CANCEL_CODES, PENDING_CODES, refused_statuses
from .._model.vr import AttributeTags, Priority, check_optional_tags_may_be_empty
from ..messages import MESSAGE_CLASSES, Message, Response

__all__ = [
    "ae_titles",
    "attribute_tags",
    "invalid_constructions",
    "message_of",
    "messages",
    "status_codes",
    "uids",
]

_M = TypeVar("_M", bound=Message)

_DEFAULT_TEXT: Final = st.characters(
    min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="\\"
)
_COMPONENT: Final = st.one_of(st.just("0"), st.integers(min_value=1, max_value=10**12).map(str))


@st.composite
def uids(draw: st.DrawFn) -> str:
    """Valid UIDs: dot-separated numbers, no leading zeros, 1-64 characters."""
    root = draw(st.sampled_from(["1.2.840.10008", "1.2.826.0.1.3680043.8.498", "2.25", "1"]))
    parts = draw(st.lists(_COMPONENT, min_size=0, max_size=8))
    uid = ".".join([root, *parts])
    while len(uid) > 64:
        uid = uid.rsplit(".", 1)[0]
    return uid


def _text(max_size: int) -> st.SearchStrategy[str]:
    return (
        st.text(_DEFAULT_TEXT, min_size=1, max_size=max_size)
        .map(lambda text: text.strip(" "))
        .filter(bool)
    )


def ae_titles() -> st.SearchStrategy[str]:
    """Valid AE titles, as the model normalises them (no outer spaces)."""
    return _text(16)


def attribute_tags() -> st.SearchStrategy[AttributeTags]:
    """Non-empty lists of tags, as an AT field holds them."""
    return st.lists(st.integers(min_value=0, max_value=0xFFFFFFFF), min_size=1, max_size=6).map(
        AttributeTags
    )


def _payloads() -> st.SearchStrategy[DataSetPayload]:
    """Encoded data sets: any bytes of even length (PS3.5 7.1), as they are sent."""
    return st.binary(max_size=64).map(
        lambda data: DataSetPayload(data + b"\0" if len(data) & 1 else data)
    )


def status_codes(cls: type[Response] | None = None) -> st.SearchStrategy[int]:
    """Valid status codes; for a response class, ones its service may answer with."""
    final = st.one_of(
        st.sampled_from(
            [0x0000, 0x0001, 0x0107, 0x0116, 0x0110, 0x0112, 0x0115, 0x0122, 0x0211, 0xA700]
        ),
        st.integers(min_value=0xA000, max_value=0xAFFF),
        st.integers(min_value=0xB000, max_value=0xBFFF),
        st.integers(min_value=0xC000, max_value=0xCFFF),
        st.integers(min_value=0x0100, max_value=0x02FF),
    )
    pending_or_cancel = PENDING_CODES | CANCEL_CODES
    if cls is not None:
        pending_or_cancel -= refused_statuses(cls.command_field.service)
    extra = sorted(pending_or_cancel)
    return st.one_of(final, st.sampled_from(extra)) if extra else final


def _value_strategy(cls: type[Message], name: str) -> st.SearchStrategy[Any]:
    if name in DATA_SET_PARAMETERS:
        return _payloads()
    if name == "status":
        return status_codes(cls) if issubclass(cls, Response) else status_codes()
    if name == "priority":
        return st.sampled_from(Priority)
    vr = BY_NAME[name].vr
    if vr == "UI":
        return uids()
    if vr == "AE":
        return ae_titles()
    if vr == "LO":
        return _text(64)
    if vr == "AT":
        return attribute_tags()
    return st.integers(min_value=0, max_value=0xFFFF)


@st.composite
def message_of(draw: st.DrawFn, cls: type[_M]) -> _M:
    """A valid instance of ``cls``, with a random choice of its optional fields."""
    values: dict[str, Any] = {}
    optional: set[str] = set()
    for field in attrs.fields(cls):
        if not field.init:
            continue
        if field.default is attrs.NOTHING:
            values[field.name] = draw(_value_strategy(cls, field.name), label=field.name)
        else:
            optional.add(field.name)
            if draw(st.booleans(), label=f"include {field.name}"):
                values[field.name] = draw(_value_strategy(cls, field.name), label=field.name)
    for _ in range(4 * len(optional) + 4):
        try:
            return cls(**values)
        except InvalidMessageError as problem:
            mended = False
            for name in problem.fields:
                if name not in optional:
                    continue
                if values.get(name) is not None:
                    values.pop(name)
                else:
                    values[name] = draw(_value_strategy(cls, name), label=f"mend {name}")
                mended = True
                break
            if not mended:
                raise
    return cls(**values)


def messages(
    *classes: type[Message],
) -> st.SearchStrategy[Message]:
    """Valid messages of the given classes (all 23 if none is given)."""
    chosen = classes or tuple(LAYOUTS)
    return st.sampled_from(chosen).flatmap(message_of)


_BAD_VALUES: Final[dict[str, list[object]]] = {
    "UI": ["", "1..2", "1.02", "1.2.a", "1." + "2" * 64, 12],
    "AE": ["", "   ", "A" * 17, "BACK\\SLASH", "TAB\tAE", 5],
    "LO": ["x" * 65, "back\\slash", "é", "   "],
    "US": [-1, 0x10000, True, "7", 1.5],
    "AT": [[], ["NotAKeyword"], [2**32], "PatientID"],
}


@st.composite
def invalid_constructions(
    draw: st.DrawFn, *classes: type[Message]
) -> tuple[type[Message], dict[str, Any]]:
    """(class, keyword arguments) that the model must refuse with InvalidMessageError.

    A valid message's fields with one value replaced by one its value representation
    forbids, or its status replaced by a code of no status class.
    """
    cls = draw(st.sampled_from(classes or tuple(MESSAGE_CLASSES.values())))
    message = draw(message_of(cls))
    values = {field.name: getattr(message, field.name) for field in attrs.fields(cls) if field.init}
    candidates = [name for name in values if name in BY_NAME and name != "status"]
    name = draw(st.sampled_from(candidates))
    if name == "priority":
        bad: object = draw(st.sampled_from([3, -1, 0x10000]))
    else:
        choices = _BAD_VALUES[BY_NAME[name].vr]
        if attrs.fields_dict(cls)[name].validator is check_optional_tags_may_be_empty:
            choices = [choice for choice in choices if choice != []]
        bad = draw(st.sampled_from(choices))
    values[name] = bad
    if issubclass(cls, Response) and draw(st.booleans()):
        values[name] = getattr(message, name)
        values["status"] = draw(st.sampled_from([0x0002, 0x00FF, 0x0300, 0xD000, 0xFF02]))
    return cls, values
