"""Properties of P-DATA framing over generated messages (Hypothesis)."""

from __future__ import annotations

import itertools
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dimsekit as dk
from dimsekit import MessageAssembler
from dimsekit.testing import message_of, messages

from .helpers import MAX_PDU_LENGTHS, corrupt, examples, p_data, pdu_stream, pdv

CLASSES = sorted(dk.MESSAGE_CLASSES.values(), key=lambda cls: cls.command_field)
relaxed = settings(suppress_health_check=[HealthCheck.too_slow])


def stream_of(message: dk.Message, max_pdu: int, pack: bool = False) -> bytes:
    return pdu_stream(message, context_id=5, max_pdu=max_pdu, pack=pack)


def split(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(stream) + 1) for cut in cuts} | {0, len(stream)})
    return [stream[a:b] for a, b in itertools.pairwise(points)]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@settings(relaxed, max_examples=examples(40))
@given(data=st.data(), max_pdu=MAX_PDU_LENGTHS, pack=st.booleans())
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


@settings(relaxed, max_examples=examples(30))
@given(
    size=st.sampled_from([0, 2, 1000, 65536, 1 << 20, 3 << 20]),
    max_pdu=MAX_PDU_LENGTHS,
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


@settings(relaxed, max_examples=examples(600))
@given(
    messages(),
    MAX_PDU_LENGTHS,
    st.sampled_from(["truncate", "flip", "insert", "delete"]),
    st.integers(min_value=0),
    st.integers(min_value=0, max_value=255),
    st.booleans(),
)
def test_corrupted_streams_only_give_our_errors(
    message: dk.Message, max_pdu: int, how: str, where: int, byte: int, strict: bool
) -> None:
    stream = corrupt(stream_of(message, max_pdu), how, where, byte)
    assembler = MessageAssembler(max_pdu_length=max_pdu, strict=strict)
    try:
        events = assembler.feed(stream)
        events += assembler.close()
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


@settings(relaxed, max_examples=examples(300))
@given(st.binary(max_size=300))
def test_random_streams_only_give_our_errors(stream: bytes) -> None:
    assembler = MessageAssembler(max_pdu_length=16382)
    try:
        events = assembler.feed(stream)
        events += assembler.close()
    except dk.FramingError:
        return
    assert all(
        isinstance(event, dk.MessageReceived | dk.UndecodableMessage | dk.PDUReceived)
        for event in events
    )


def pdvs_of(stream: bytes) -> list[tuple[int, int, bytes]]:
    """(context ID, control header, fragment) of every PDV of a P-DATA-TF stream."""
    found = []
    offset = 0
    while offset < len(stream):
        length = struct.unpack_from(">I", stream, offset + 2)[0]
        end = offset + 6 + length
        offset += 6
        while offset < end:
            item_length, context_id, control = struct.unpack_from(">IBB", stream, offset)
            found.append((context_id, control, stream[offset + 6 : offset + 4 + item_length]))
            offset += 4 + item_length
    return found


def one_pdv_per_pdu(items: list[tuple[int, int, bytes]]) -> bytes:
    return b"".join(p_data(pdv(*item)) for item in items)


def events_of(stream: bytes, step: int, strict: bool = False) -> list[object]:
    assembler = MessageAssembler(strict=strict)
    events: list[object] = []
    try:
        for start in range(0, len(stream), step):
            events.extend(assembler.feed(stream[start : start + step]))
        events.extend(assembler.close())
    except dk.FramingError as error:
        events.extend(error.events)
        events.append((error.offset, error.rule))
    return events


@settings(relaxed, max_examples=examples(150))
@given(messages(), MAX_PDU_LENGTHS, st.booleans(), st.integers(min_value=0))
def test_an_empty_fragment_anywhere_is_reported_fed_whole_or_byte_by_byte(
    message: dk.Message, max_pdu: int, pack: bool, where: int
) -> None:
    """The one-pass paths leave a message with an empty fragment to the walk, which
    reports it; so both ways of feeding give the same events."""
    items = pdvs_of(stream_of(message, max_pdu, pack))
    index = where % len(items)  # before this PDV, of its kind, not the last
    items.insert(index, (5, items[index][1] & 0x01, b""))
    for stream in (one_pdv_per_pdu(items), stream_of(message, max_pdu, pack)):
        whole = events_of(stream, len(stream))
        assert whole == events_of(stream, 1)
    stream = one_pdv_per_pdu(items)
    (event,) = events_of(stream, len(stream))
    assert isinstance(event, dk.MessageReceived) and event.message == message
    where_inserted = sum(12 + len(fragment) for _, _, fragment in items[:index]) + 6
    empty = [d for d in event.diagnostics if d.what.startswith("empty ")]
    assert [(d.offset, d.severity) for d in empty] == [(where_inserted, dk.Severity.WARNING)]
    # No clause forbids it (PS3.8 9.3.5.1, E.1): strict reports it the same way.
    assert events_of(stream, len(stream), strict=True) == [event]
