"""Helpers the test modules share, each defined once here.

Imported as ``from .helpers import ...``, as ps37_message_fields.py and pynetdicom_bridge.py
are.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

import pytest

import dimsekit as dk

CT = "1.2.840.10008.5.1.4.1.1.2"  # CT Image Storage (PS3.4 B.5)


# --- messages ------------------------------------------------------------------------------


def store(data_set: object) -> dk.CStoreRequest:
    """A C-STORE-RQ (Message ID 9) of a CT image carrying ``data_set``."""
    return dk.CStoreRequest(
        message_id=9,
        affected_sop_class_uid=CT,
        affected_sop_instance_uid="1.2.3.4",
        data_set=data_set,  # type: ignore[arg-type]
    )


# --- refusals --------------------------------------------------------------------------------


def refused(build: Callable[[], object]) -> dk.InvalidMessageError:
    """The error ``build`` raises, checked for what every refusal says: a ValueError and a
    DimseError that names each field it is about, its rule and, in brackets, its reference
    to the standard."""
    with pytest.raises(dk.InvalidMessageError) as caught:
        build()
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, dk.DimseError)
    assert error.fields
    assert all(f"{error.message_class}.{name}" in str(error) for name in error.fields)
    assert error.rule in str(error)
    assert error.reference.startswith("PS3.")
    assert f"[{error.reference}]" in str(error)
    return error


# --- callers' own types ----------------------------------------------------------------------


class StrSubclass(str):
    """A str of the caller's own type."""


class IntEnumOne(enum.IntEnum):
    """An int of the caller's own type."""

    ONE = 1
