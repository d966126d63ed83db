"""Pickles made before the layers became packages still load, and give equal objects.

The fixture was written by tests/data/pickles/make.py on commit a2612de, before any module
moved: public classes, enums and functions by reference, and instances of every picklable
public type.  Pickle names a class by its __module__; so each public name must keep the
__module__ it had then, and that module name must still import.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

import dimsekit as dk
from tests.data.pickles.objects import objects

FIXTURE: dict[str, Any] = pickle.loads(
    (Path(__file__).parent / "data" / "pickles" / "main-a2612de.pickle").read_bytes()
)
NOW = dict(objects())


def test_every_public_name_keeps_its_module() -> None:
    now = {name: getattr(dk, name).__module__ for name in FIXTURE["modules"]}
    assert now == FIXTURE["modules"]


def _state(value: object) -> object:
    """What two equal objects share: the object itself, or an error's text and fields
    (exceptions compare by identity, also inside an event)."""
    if isinstance(value, BaseException):
        return (str(value), vars(value))
    if isinstance(value, dk.UndecodableMessage):
        return (value.context_id, _state(value.error), value.command)
    return value


@pytest.mark.parametrize(
    ("label", "then"), FIXTURE["objects"], ids=[label for label, _ in FIXTURE["objects"]]
)
def test_an_old_pickle_loads_as_the_object_of_today(label: str, then: object) -> None:
    now = NOW[label]
    assert type(then) is type(now)
    assert _state(then) == _state(now)
    assert _state(pickle.loads(pickle.dumps(now, protocol=5))) == _state(now)
