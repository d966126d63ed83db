"""The compiled command encoder of each class (``_codec.encode``) gives what the element loop gives.

These tests are test_command.py's (the codec's module) and move there with its next
change; the fast paths of fragment_message are test_pdata_send.py's, the shortcuts of the
converters and of the compiled ``__init__`` test_vr.py's, test_payload.py's and
test_fast_init.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dimsekit as dk
from dimsekit._codec.encode import _COMPILED, _encode_elements
from dimsekit.testing import messages

from .helpers import examples


@settings(max_examples=examples(1000))
@given(messages(), st.sampled_from([0x0000, 0x0001, 0x0101, 0x0102, 0xFFFF]))
def test_compiled_encoders_equal_the_element_loop(message: dk.Message, cdst: int) -> None:
    plan, encoder = _COMPILED[type(message)]
    assert encoder(message, cdst) == _encode_elements(message, plan, cdst, ())


def _raises(call: Callable[[], object]) -> tuple[type, str] | bytes:
    try:
        return cast(bytes, call())
    except Exception as error:
        return type(error), str(error)


@pytest.mark.parametrize(
    ("cls", "values"),
    [
        (dk.CEchoRequest, {"message_id": 70000}),
        (dk.CEchoRequest, {"message_id": -1}),
        (dk.CEchoRequest, {"message_id": "7"}),
        (dk.CEchoRequest, {"message_id": 1, "affected_sop_class_uid": 12}),
        (dk.CEchoRequest, {"message_id": 1, "affected_sop_class_uid": "1.2.3é"}),
        (dk.CEchoRequest, {"message_id": 1, "affected_sop_class_uid": "1.2\u20ac"}),
        (dk.CEchoRequest, {"message_id": None}),
        (
            dk.CStoreRequest,
            {
                "message_id": 1,
                "affected_sop_class_uid": "1.2",
                "affected_sop_instance_uid": "1" * 100,
                "move_originator_application_entity_title": "X" * 80,
                "move_originator_message_id": 3,
                "priority": 9,
                "data_set": b"ab",
            },
        ),
    ],
)
def test_unvalidated_values_encode_or_fail_the_same_way(
    cls: type[dk.Message], values: dict[str, Any]
) -> None:
    """With attrs' validators off nothing is checked: both encoders still agree."""
    attrs.validators.set_disabled(True)
    try:
        message = cls(**values)
    finally:
        attrs.validators.set_disabled(False)
    plan, encoder = _COMPILED[cls]
    for cdst in (0x0001, 0x0101):
        assert _raises(lambda: encoder(message, cdst)) == _raises(  # noqa: B023
            lambda: _encode_elements(message, plan, cdst, ())  # noqa: B023
        )
