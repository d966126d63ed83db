"""The compiled ``__init__`` of each class gives exactly what attrs' ``__init__`` gives."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dimsekit as dk
from dimsekit.testing import invalid_constructions, messages


def attrs_init(cls: type[dk.Message], values: dict[str, Any]) -> dk.Message:
    """Build with the attrs-generated __init__ the fast one falls back to."""
    instance = object.__new__(cls)
    cls.__init__.__wrapped__(instance, **values)  # type: ignore[attr-defined]
    return instance


def init_values(message: dk.Message) -> dict[str, Any]:
    return {f.name: getattr(message, f.name) for f in attrs.fields(type(message)) if f.init}


@settings(max_examples=1500, deadline=None)
@given(messages())
def test_valid_messages_are_the_same_either_way(message: dk.Message) -> None:
    values = init_values(message)
    fast, slow = type(message)(**values), attrs_init(type(message), values)
    assert fast == slow
    assert repr(fast) == repr(slow)
    assert fast.wire is None and slow.wire is None


@settings(max_examples=1500, deadline=None)
@given(invalid_constructions())
def test_invalid_messages_fail_the_same_way(case: tuple[type[dk.Message], dict[str, Any]]) -> None:
    cls, values = case
    with pytest.raises(dk.InvalidMessageError) as fast:
        cls(**values)
    with pytest.raises(dk.InvalidMessageError) as slow:
        attrs_init(cls, values)
    assert str(fast.value) == str(slow.value)


@settings(max_examples=500, deadline=None)
@given(messages(), st.data())
def test_breaking_a_rule_fails_the_same_way(message: dk.Message, data: st.DataObject) -> None:
    """Drop or add one optional field at random: both paths agree on the outcome."""
    values = init_values(message)
    optional = [f for f in attrs.fields(type(message)) if f.init and f.default is not attrs.NOTHING]
    if not optional:
        return
    field = data.draw(st.sampled_from(optional))
    donor = data.draw(messages(type(message)))
    values[field.name] = None if values[field.name] is not None else getattr(donor, field.name)
    assert _outcome(type(message), values, fast=True) == _outcome(type(message), values, fast=False)


def _outcome(cls: type[dk.Message], values: dict[str, Any], *, fast: bool) -> str:
    try:
        return repr(cls(**values) if fast else attrs_init(cls, values))
    except dk.InvalidMessageError as error:
        return str(error)


def test_the_fast_path_is_installed_on_every_class() -> None:
    for cls in dk.MESSAGE_CLASSES.values():
        assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"
        assert hasattr(cls.__init__, "__wrapped__")


def test_disabled_attrs_validators_are_respected_as_attrs_does() -> None:
    attrs.validators.set_disabled(True)
    try:
        odd = dk.CEchoRequest(message_id=70000)  # attrs would not validate either
    finally:
        attrs.validators.set_disabled(False)
    assert odd.message_id == 70000
    with pytest.raises(dk.InvalidMessageError):
        dk.CEchoRequest(message_id=70000)
