"""The compiled decoder of canonical command sets gives what the general decoder gives.

``decode_canonical`` may only accept: whatever it returns, the general decoder returns
too, clean, equal and with the same wire details; on everything our encoder writes for a
valid message it must accept (else it is no fast path).  These tests run the general
decoder alone by switching the fast path off.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydicom.uid import UID

import dimsekit as dk
from dimsekit._codec import decode as codec_decode
from dimsekit._codec import fast_decode
from dimsekit._codec.fast_decode import decode_canonical
from dimsekit._codec.layout import (
    ANNOUNCES_DATA_SET,
    DEFAULT_DATA_SET_TYPE,
    LAYOUTS,
    NO_DATA_SET,
)
from dimsekit._codec.received_values import US_SIZE, VALUE_LENGTHS
from dimsekit._model.vr import KNOWN_UIDS, RECEIVED_UIDS, UIDS_REMEMBERED, forget_uids
from dimsekit.messages import build_leniently
from dimsekit.testing import invalid_constructions, messages

from .helpers import (
    CT,
    INSTANCE,
    command,
    element,
    examples,
    mutate,
    mutations,
    one_field_toggled,
    us,
)
from .message_examples import build

CT_UID = CT.encode() + b"\0"  # 25 characters: one NUL makes the length even


@contextmanager
def general_decoder_only() -> Iterator[None]:
    with mock.patch.object(codec_decode, "decode_canonical", return_value=None):
        yield


def general(buffer: bytes, data_set: dk.DataSetPayload | None = None) -> dk.DecodedCommand | None:
    with general_decoder_only():
        try:
            return dk.decode_command(buffer, data_set=data_set)
        except dk.DecodeError:
            return None


def same(fast: dk.Message, slow: dk.Message) -> None:
    assert type(fast) is type(slow)
    assert fast == slow
    assert repr(fast) == repr(slow)
    assert fast.wire == slow.wire
    for field in attrs.fields(type(fast)):
        assert type(getattr(fast, field.name)) is type(getattr(slow, field.name)), field.name


def check_agreement(buffer: bytes, data_set: dk.DataSetPayload | None = None) -> bool:
    """The fast path accepts only what the general decoder accepts cleanly, and equally."""
    fast = decode_canonical(buffer, data_set)
    if fast is None:
        return False
    slow = general(buffer, data_set)
    assert slow is not None and slow.clean, (buffer, slow)
    same(fast, slow.message)
    return True


@settings(max_examples=examples(3000))
@given(messages())
def test_every_valid_message_takes_the_fast_path(message: dk.Message) -> None:
    encoded = dk.encode_command(message)
    payload = message.data_set_payload
    assert check_agreement(encoded, payload)
    fast = decode_canonical(encoded, payload)
    assert fast == message
    if payload is not None:
        assert fast is not None and fast.data_set_payload is payload


@settings(max_examples=examples(3000))
@given(messages(), mutations())
def test_mutated_command_sets_never_take_the_fast_path_wrongly(
    message: dk.Message, how: tuple[str, int, int]
) -> None:
    check_agreement(mutate(dk.encode_command(message), how), message.data_set_payload)


@settings(max_examples=examples(1500), suppress_health_check=[HealthCheck.too_slow])
@given(invalid_constructions())
def test_values_the_model_refuses_never_take_the_fast_path(
    case: tuple[type[dk.Message], dict[str, Any]],
) -> None:
    cls, values = case
    message, problems = build_leniently(cls, values)
    assert problems
    try:
        encoded = dk.encode_command(message)
    except Exception:  # a value of the wrong type cannot even be written: nothing to decode
        return
    # Some refused values are written as valid bytes (True as 1): then both accept.
    check_agreement(encoded, message.data_set_payload)


@settings(max_examples=examples(1000))
@given(messages(), st.data())
def test_broken_rules_never_take_the_fast_path(message: dk.Message, data: st.DataObject) -> None:
    """Drop or add one optional field, bypassing the checks: accepted only if valid."""
    cls = type(message)
    values = one_field_toggled(message, data, defaulted=False)
    if values is None:
        return
    changed, problems = build_leniently(cls, values)
    encoded = dk.encode_command(changed)
    accepted = check_agreement(encoded, changed.data_set_payload)
    assert accepted == (not problems)


# --- hand-made deviations real peers send: the fast path declines, the general one reports


def echo(uid: bytes = b"1.2.840.10008.1.1\0", *extra: bytes, cdst: int = 0x0101) -> bytes:
    return command(
        element(0x0002, uid), element(0x0100, us(0x0030)), element(0x0110, us(7)),
        element(0x0800, us(cdst)), *extra,
    )  # fmt: skip


def test_a_plain_echo_takes_the_fast_path_from_bytes_and_buffers() -> None:
    for buffer in (echo(), bytearray(echo()), memoryview(echo())):
        decoded = dk.decode_command(buffer)
        assert decoded.clean and decoded.message == dk.CEchoRequest(message_id=7)
    assert check_agreement(echo())


DEVIATIONS = {
    "space-padded UID": echo(b"1.2.840.10008.1.1 "),
    "UID padded with three NULs": echo(b"1.2.840.10008.1.1\0\0\0"),
    "UID padded with two NULs": echo(b"1.2.840.10008.1.10\0\0"),
    "UID with a leading space": echo(b" 1.2.840.10008.1.1"),
    "UID with a NUL making it odd": echo(b"1.2.840.10008.1.10\0"),
    "C-ECHO-RQ without its SOP Class UID": command(
        element(0x0100, us(0x0030)), element(0x0110, us(7)), element(0x0800, us(0x0101))
    ),
    "C-STORE-RQ without Priority": command(
        element(0x0002, CT_UID),
        element(0x0100, us(0x0001)),
        element(0x0110, us(7)),
        element(0x0800, us(0x0001)),
        element(0x1000, INSTANCE.encode() + b"\0"),
    ),
    "C-FIND-RQ without Priority": command(
        element(0x0002, b"1.2.840.10008.5.1.4.1.2.2.1\0"),
        element(0x0100, us(0x0020)),
        element(0x0110, us(7)),
        element(0x0800, us(0x0001)),
    ),
    "AE title of 18 bytes, its spaces included": command(
        element(0x0002, CT_UID),
        element(0x0100, us(0x0001)),
        element(0x0110, us(7)),
        element(0x0700, us(0)),
        element(0x0800, us(0x0001)),
        element(0x1000, INSTANCE.encode() + b"\0"),
        element(0x1030, b"  MOVER           "),
        element(0x1031, us(9)),
    ),
    "AE title padded with NUL": command(
        element(0x0002, CT_UID),
        element(0x0100, us(0x0001)),
        element(0x0110, us(7)),
        element(0x0700, us(0)),
        element(0x0800, us(0x0001)),
        element(0x1000, INSTANCE.encode() + b"\0"),
        element(0x1030, b"MOVER\0"),
        element(0x1031, us(9)),
    ),
    "C-GET-RSP Success with Remaining (pynetdicom)": command(
        element(0x0002, b"1.2.840.10008.5.1.4.1.2.2.3\0"),
        element(0x0100, us(0x8010)),
        element(0x0120, us(7)),
        element(0x0800, us(0x0101)),
        element(0x0900, us(0x0000)),
        element(0x1020, us(0)),
        element(0x1021, us(2)),
        element(0x1022, us(0)),
        element(0x1023, us(0)),
    ),
    "odd UID length": echo(b"1.2.840.10008.1.1"),
    "leading zero in a UID": echo(b"1.02.3\0"),
    "empty UID": echo(b""),
    "UID over 64 characters": echo(b"1." + b"2" * 64),
    "C-ECHO announcing a data set": echo(cdst=0x0001),
    "an element of another class": echo(
        b"1.2.840.10008.1.1\0", element(0x0901, b"\x10\x00\x10\x00")
    ),
    "a retired element": echo(b"1.2.840.10008.1.1\0", element(0x5010, b"xx")),
    "no Command Data Set Type": command(element(0x0100, us(0x0030)), element(0x0110, us(7))),
    "no Message ID": command(
        element(0x0002, b"1.2\0"), element(0x0100, us(0x0030)), element(0x0800, us(0x0101))
    ),
    "truncated": echo()[:-2],
    "wrong group length": echo()[:8] + struct.pack("<I", 99) + echo()[12:],
    "no group length": echo()[12:],
    "out of order": command(
        element(0x0100, us(0x0030)),
        element(0x0002, b"1.2\0"),
        element(0x0110, us(7)),
        element(0x0800, us(0x0101)),
    ),
    "US with VM 2": command(
        element(0x0100, us(0x0030)),
        element(0x0110, b"\x07\x00\x08\x00"),
        element(0x0800, us(0x0101)),
    ),
    "unknown Command Field": command(element(0x0100, us(0x9999)), element(0x0800, us(0x0101))),
    "C-STORE-RSP Pending": command(
        element(0x0100, us(0x8001)),
        element(0x0120, us(7)),
        element(0x0800, us(0x0101)),
        element(0x0900, us(0xFF00)),
    ),
    "status of no class": command(
        element(0x0100, us(0x8001)),
        element(0x0120, us(7)),
        element(0x0800, us(0x0101)),
        element(0x0900, us(0xD000)),
    ),
    "priority 3": command(
        element(0x0002, CT_UID),
        element(0x0100, us(0x0001)),
        element(0x0110, us(7)),
        element(0x0700, us(3)),
        element(0x0800, us(0x0001)),
        element(0x1000, INSTANCE.encode() + b"\0"),
    ),
    "C-STORE-RQ saying no data set": command(
        element(0x0002, CT_UID),
        element(0x0100, us(0x0001)),
        element(0x0110, us(7)),
        element(0x0800, us(0x0101)),
        element(0x1000, INSTANCE.encode() + b"\0"),
    ),
    "empty AE title": command(
        element(0x0002, CT_UID),
        element(0x0100, us(0x0001)),
        element(0x0110, us(7)),
        element(0x0800, us(0x0001)),
        element(0x1000, INSTANCE.encode() + b"\0"),
        element(0x1030, b"  "),
    ),
    "AE title without its Message ID (a rule)": command(
        element(0x0002, CT_UID),
        element(0x0100, us(0x0001)),
        element(0x0110, us(7)),
        element(0x0800, us(0x0001)),
        element(0x1000, INSTANCE.encode() + b"\0"),
        element(0x1030, b"MOVER "),
    ),
}


@pytest.mark.parametrize("buffer", DEVIATIONS.values(), ids=DEVIATIONS.keys())
def test_deviations_leave_the_fast_path(buffer: bytes) -> None:
    assert decode_canonical(buffer) is None
    slow = general(buffer)
    assert slow is None or not slow.clean  # and the general decoder has something to say


def test_a_data_set_where_the_command_says_none_leaves_the_fast_path() -> None:
    assert decode_canonical(echo(), dk.DataSetPayload(b"\0\0")) is None


def test_a_c_store_with_its_originator_takes_the_fast_path() -> None:
    buffer = command(
        element(0x0002, CT_UID), element(0x0100, us(0x0001)), element(0x0110, us(7)),
        element(0x0700, us(2)), element(0x0800, us(0x0102)),
        element(0x1000, INSTANCE.encode() + b"\0"), element(0x1030, b"MOVER "),
        element(0x1031, us(9)),
    )  # fmt: skip
    message = decode_canonical(buffer)
    assert isinstance(message, dk.CStoreRequest)
    assert message.move_originator_application_entity_title == "MOVER"
    assert message.priority is dk.Priority.LOW
    assert message.wire == dk.WireDetails(command_data_set_type=0x0102)
    assert message.data_set == dk.DataSetPayload(b"")
    assert check_agreement(buffer)


def test_only_valid_sop_class_uids_are_remembered_and_only_so_many() -> None:
    forget_uids()
    assert decode_canonical(echo(b"1.02\0")) is None
    assert not KNOWN_UIDS
    for number in range(UIDS_REMEMBERED + 100):
        uid = f"1.2.3.{number}".encode()
        decoded = decode_canonical(echo(uid + b"\0" * (len(uid) & 1)))
        assert isinstance(decoded, dk.CEchoRequest)
        assert decoded.affected_sop_class_uid == UID(uid.decode())
    assert len(KNOWN_UIDS) == len(RECEIVED_UIDS) == UIDS_REMEMBERED
    assert all(type(text) is str for text in KNOWN_UIDS)
    assert all(type(raw) is bytes for raw in RECEIVED_UIDS)
    forget_uids()


def test_a_sop_class_uid_met_again_is_taken_by_its_bytes_as_first_read() -> None:
    forget_uids()
    first = decode_canonical(echo(b"1.2.840.10008.1.1\0"))  # odd: one NUL pads it
    assert isinstance(first, dk.CEchoRequest)
    uid = KNOWN_UIDS["1.2.840.10008.1.1"]  # our own UID, equal to the one first decoded
    assert uid == first.affected_sop_class_uid
    assert {b"1.2.840.10008.1.1\0": uid} == RECEIVED_UIDS
    assert RECEIVED_UIDS[b"1.2.840.10008.1.1\0"] is uid
    again = decode_canonical(echo(b"1.2.840.10008.1.1\0"))
    assert isinstance(again, dk.CEchoRequest) and again.affected_sop_class_uid is uid
    # What the memory holds is taken unchecked (planted here, as nothing valid would
    # put it there); once forgotten, the same bytes are read and refused.
    RECEIVED_UIDS[b"1.02"] = str.__new__(UID, "1.02")
    assert isinstance(decode_canonical(echo(b"1.02")), dk.CEchoRequest)
    forget_uids()
    assert decode_canonical(echo(b"1.02")) is None
    assert not RECEIVED_UIDS and not KNOWN_UIDS


# --- the checks of each decoder are the declared inline forms ---------------------------


def test_each_decoder_checks_with_the_declared_forms() -> None:
    """Each field's check in each compiled decoder is its validator's declared inline
    form (a US form that holds for every 16-bit value is left out); the Annex C rules are
    the one condition ``messages._base`` states; no validator is called."""
    import linecache

    from dimsekit._model.value_rules import INLINE_CHECKS
    from dimsekit.messages import MESSAGE_CLASSES
    from dimsekit.messages._base import fast_rules

    for cls in MESSAGE_CLASSES.values():
        decoder = fast_decode._DECODERS[int(cls.command_field)]
        source = "".join(linecache.getlines(decoder.__code__.co_filename))
        assert "_validate_" not in source
        for field in attrs.fields(cls):
            if not field.init or field.name == cls.data_set_field():
                continue  # a data set is placed, not read
            form = INLINE_CHECKS[field.validator]
            if form.covers_us and field.converter is None:
                assert form.of(field.name) not in source
            else:
                assert f"if not {form.of(field.name)}: return None" in source, (cls, field)
        condition = fast_rules(cls)[1]
        if condition is not None:
            assert f"if not {condition.expression}: return None" in source
        assert f"if {ANNOUNCES_DATA_SET.format(v='_cdst')}:" in source  # the layout's test
        for _, spec in LAYOUTS[cls].fields:  # each length declined as the VR declares
            assert f"if {VALUE_LENGTHS[spec.vr].breaks('ln')}: return None" in source
        assert f"ln != {US_SIZE}" in source  # the Command Field's and the Data Set Type's


def with_data_set_type(encoded: bytes, data_set_type: int) -> bytes:
    """``encoded`` with its Command Data Set Type value replaced (the element is 10 bytes:
    tag (0000,0800), length 2, value)."""
    at = encoded.index(b"\x00\x00\x00\x08\x02\x00\x00\x00") + 8
    return encoded[:at] + us(data_set_type) + encoded[at + 2 :]


@pytest.mark.parametrize("cls", list(LAYOUTS), ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("announced", [True, False], ids=["announced", "none-announced"])
@pytest.mark.parametrize("given", [True, False], ids=["given", "not-given"])
def test_where_the_data_set_goes_is_what_the_layout_says_on_both_paths(
    cls: type[dk.Message], announced: bool, given: bool
) -> None:
    layout = LAYOUTS[cls]
    placement = layout.place_data_set(announced, given)
    buffer = with_data_set_type(
        dk.encode_command(build(cls)), DEFAULT_DATA_SET_TYPE if announced else NO_DATA_SET
    )
    payload = dk.DataSetPayload(b"\x08\x00\x18\x00\x00\x00\x00\x00") if given else None
    slow = general(buffer, payload)
    assert slow is not None
    deviations = [d for d in slow.diagnostics if d.tag == 0x0000_0800]
    assert len(deviations) == (placement.deviation is not None)
    if layout.data_set_field is not None:
        held = getattr(slow.message, layout.data_set_field)
        if placement.field is None:
            assert held is None
        else:
            assert held == (payload or dk.DataSetPayload(b""))
    fast = decode_canonical(buffer, payload)
    # the compiled path takes every case the layout places without a deviation and
    # without dropping a given data set, when nothing else is to be said
    takes = slow.clean and not (given and placement.field is None)
    assert (fast is not None) == takes
    if fast is not None:
        same(fast, slow.message)
