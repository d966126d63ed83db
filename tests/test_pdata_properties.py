"""Properties of P-DATA framing over generated messages (Hypothesis)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dimsekit as dk
from dimsekit import MessageAssembler, fragment_message
from dimsekit.testing import message_of, messages

CLASSES = sorted(dk.MESSAGE_CLASSES.values(), key=lambda cls: cls.command_field)
MAX_PDUS = st.one_of(
    st.just(0), st.integers(min_value=8, max_value=64), st.integers(min_value=65, max_value=70000)
)
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def stream_of(message: dk.Message, max_pdu: int, pack: bool = False) -> bytes:
    return b"".join(
        b"".join(parts)
        for parts in fragment_message(message, 5, max_pdu, pack_command_with_data=pack)
    )


def split(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(stream) + 1) for cut in cuts} | {0, len(stream)})
    return [stream[a:b] for a, b in itertools.pairwise(points)]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@settings(relaxed, max_examples=40)
@given(data=st.data(), max_pdu=MAX_PDUS, pack=st.booleans())
def test_every_class_survives_fragmenting_fed_byte_by_byte(
    cls: type[dk.Message], data: st.DataObject, max_pdu: int, pack: bool
) -> None:
    message = data.draw(message_of(cls))
    stream = stream_of(message, max_pdu, pack)
    assembler = MessageAssembler(max_pdu_length=max_pdu)
    events: list[dk.Event] = []
    for index in range(len(stream)):
        events.extend(assembler.feed(stream[index : index + 1]))
    assert events == [dk.MessageReceived(5, message, ())]


@settings(relaxed, max_examples=30)
@given(
    size=st.sampled_from([0, 2, 1000, 65536, 1 << 20, 3 << 20]),
    max_pdu=MAX_PDUS,
    cuts=st.lists(st.integers(min_value=0), max_size=20),
)
def test_payloads_up_to_several_mib_survive_any_split(
    size: int, max_pdu: int, cuts: list[int]
) -> None:
    payload = bytes(range(256)) * (size // 256)
    message = dk.CStoreRequest(
        message_id=1,
        affected_sop_class_uid="1.2.840.10008.5.1.4.1.1.7",
        affected_sop_instance_uid="1.2.3",
        data_set=payload,
    )
    max_pdu = max_pdu if max_pdu == 0 or max_pdu > 1000 else max_pdu + 1000
    stream = stream_of(message, max_pdu)
    assembler = MessageAssembler(max_pdu_length=max_pdu)
    events = [event for piece in split(stream, cuts) for event in assembler.feed(piece)]
    (event,) = events
    assert isinstance(event, dk.MessageReceived)
    assert event.message == message


@settings(relaxed, max_examples=600)
@given(
    messages(),
    MAX_PDUS,
    st.sampled_from(["truncate", "flip", "insert", "delete"]),
    st.integers(min_value=0),
    st.integers(min_value=0, max_value=255),
    st.booleans(),
)
def test_corrupted_streams_only_give_our_errors(
    message: dk.Message, max_pdu: int, how: str, where: int, byte: int, strict: bool
) -> None:
    stream = bytearray(stream_of(message, max_pdu))
    position = where % len(stream)
    if how == "truncate":
        del stream[position:]
    elif how == "flip":
        stream[position] ^= byte or 1
    elif how == "insert":
        stream.insert(position, byte)
    else:
        del stream[position]
    assembler = MessageAssembler(max_pdu_length=max_pdu, strict=strict)
    try:
        events = assembler.feed(bytes(stream))
    except dk.FramingError as error:
        events = []
        rule = error.rule
    else:
        rule = "framed"
    assert rule
    for event in events:
        if isinstance(event, dk.UndecodableMessage):
            assert isinstance(event.error, dk.DecodeError)
        else:
            assert isinstance(event, dk.MessageReceived | dk.PDUReceived)


@settings(relaxed, max_examples=300)
@given(st.binary(max_size=300))
def test_random_streams_only_give_our_errors(stream: bytes) -> None:
    try:
        events = MessageAssembler(max_pdu_length=16382).feed(stream)
    except dk.FramingError:
        return
    assert all(
        isinstance(event, dk.MessageReceived | dk.UndecodableMessage | dk.PDUReceived)
        for event in events
    )
