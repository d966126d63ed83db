"""Streamed receiving and sending (pdata_receive's StreamingAssembler, pdata_send's
MessageFragmenter): a data set handed on as its bytes arrive, and cut again as they
come, giving what the whole-message assembler and ``fragment_message`` give.

A StreamingAssembler's events, the data set fragments joined back under their command,
must be the MessageAssembler's events for any stream, whole or a byte at a time, broken
or not (PS3.8 9.3.5, E.1, E.2); and a MessageFragmenter fed any split of a data set must
give the PDUs ``fragment_message`` gives for the whole message.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dimsekit as dk
from dimsekit._codec.decode import peek_data_set_type
from dimsekit._codec.layout import announces_data_set
from dimsekit._framing.events import CommandReceived, DataSetEnd, DataSetFragment, StreamEvent
from dimsekit._framing.pdata_receive import StreamingAssembler
from dimsekit._framing.pdata_send import MessageFragmenter
from dimsekit.testing import messages

from .helpers import MAX_PDU_LENGTHS, corrupt, examples, joined, pdu_stream, store

ABORT = bytes([7, 0, 0, 0, 0, 4, 0, 0, 2, 0])


def _message(event: dk.MessageReceived) -> tuple[object, ...]:
    message = event.message
    payload = message.data_set_payload
    data = None if payload is None else payload.to_bytes()
    return _fields(event.context_id, message, event.diagnostics, event.command, data)


def _fields(
    context_id: int,
    message: dk.Message,
    diagnostics: tuple[dk.Diagnostic, ...],
    command: bytes,
    data: bytes | None,
) -> tuple[object, ...]:
    fields = attrs.asdict(message, recurse=False)
    fields.pop(message.data_set_field() or "", None)
    return (context_id, type(message), fields, diagnostics, message.wire, command, data)


def _undecodable(event: dk.UndecodableMessage) -> tuple[object, ...]:
    return ("undecodable", event.context_id, str(event.error), event.error.offset, event.command)


def rejoined(events: Iterable[StreamEvent], streamed: bool = True) -> list[object]:
    """Events in comparable form; ``streamed`` ones as the MessageAssembler would have
    given them: a message with a data set where its DataSetEnd is, its fragments joined;
    one an A-ABORT dropped not at all."""
    seen: list[object] = []
    pending: CommandReceived | dk.UndecodableMessage | None = None
    data: list[bytes] = []
    for event in events:
        if isinstance(event, CommandReceived):
            pending, data = event, []
        elif isinstance(event, dk.UndecodableMessage):
            data_set_type = peek_data_set_type(event.command)
            if streamed and data_set_type is not None and announces_data_set(data_set_type):
                pending, data = event, []
            else:
                pending = None
                seen.append(_undecodable(event))
        elif isinstance(event, DataSetFragment):
            assert pending is not None and event.context_id == pending.context_id
            assert len(event.data) and event.data.readonly
            data.append(bytes(event.data))
        elif isinstance(event, DataSetEnd):
            assert pending is not None and event.context_id == pending.context_id
            assert event.length == sum(map(len, data))
            if isinstance(pending, CommandReceived):
                # a message that carries no data set (a C-ECHO-RQ announcing one) has none,
                # whatever came: the MessageAssembler ignores it, as its diagnostic says
                carries = pending.message.data_set_field() is not None
                seen.append(
                    _fields(
                        event.context_id, pending.message, event.diagnostics, pending.command,
                        b"".join(data) if carries else None,
                    )
                )  # fmt: skip
            else:
                seen.append(_undecodable(pending))
            pending = None
        elif isinstance(event, dk.MessageReceived):
            pending = None  # a message an A-ABORT cut is never finished
            seen.append(_message(event))
        else:
            seen.append(event)
    return seen


def whole_outcome(assembler: dk.MessageAssembler, pieces: list[bytes]) -> list[object]:
    seen: list[object] = []
    try:
        for piece in pieces:
            seen += rejoined(assembler.feed(piece), streamed=False)
    except dk.FramingError as error:
        seen += rejoined(error.events, streamed=False)
        seen.append(("framing", error.rule, error.offset))
    return [*seen, (assembler.stream_offset, assembler.in_message)]


def stream_outcome(assembler: StreamingAssembler, pieces: list[bytes]) -> tuple[list[object], bool]:
    """What feeding ``pieces`` gives, rejoined; and whether the stream broke."""
    events: list[StreamEvent] = []
    broken: list[object] = []
    try:
        for piece in pieces:
            events += assembler.feed(piece)
    except dk.FramingError as error:
        events += error.events
        broken.append(("framing", error.rule, error.offset))
    seen = [*rejoined(events), *broken, (assembler.stream_offset, assembler.in_message)]
    return seen, bool(broken)


@settings(max_examples=examples(1000), suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(messages(), min_size=1, max_size=3),
    MAX_PDU_LENGTHS,
    st.booleans(),
    st.booleans(),
    st.sampled_from(["none", "flip", "insert", "delete", "truncate"]),
    st.integers(min_value=0),
    st.integers(min_value=0, max_value=255),
)
def test_streamed_events_rejoined_are_the_whole_message_events(
    batch: list[dk.Message],
    max_pdu: int,
    pack: bool,
    strict: bool,
    how: str,
    where: int,
    byte: int,
) -> None:
    stream = pdu_stream(*batch, context_id=3, max_pdu=max_pdu, pack=pack)
    if how != "none":
        stream = corrupt(stream, how, where, byte)
    if not stream:
        return
    bytewise = [stream[i : i + 1] for i in range(len(stream))]
    expected = whole_outcome(dk.MessageAssembler(max_pdu_length=max_pdu, strict=strict), bytewise)
    for pieces in (bytewise, [stream]):
        assembler = StreamingAssembler(max_pdu_length=max_pdu, strict=strict)
        got, broken = stream_outcome(assembler, pieces)
        if broken and len(pieces) == 1:
            # fed whole, the error carries only the Events of the feed it broke
            assert got[-2:] == expected[-2:]
        else:
            assert got == expected


def _data_set(size: int) -> bytes:
    return bytes(range(256)) * (size // 256) + bytes(size % 256)


def test_the_data_set_comes_out_as_it_arrives_as_views_of_the_bytes_fed() -> None:
    data = _data_set(300_000)
    stream = pdu_stream(store(data), max_pdu=16_384)
    command_end = 6 + struct.unpack_from(">I", stream, 2)[0]  # the command's one PDU
    assembler = StreamingAssembler(max_pdu_length=16_384)
    (command,) = assembler.feed(stream[:command_end])
    assert isinstance(command, CommandReceived) and command.context_id == 1
    assert command.message == store(b"") and assembler.in_message  # before any data set byte
    came = b""
    for start in range(command_end, len(stream), 10_000):
        piece = stream[start : start + 10_000]
        events = assembler.feed(piece)
        fragments = [event for event in events if isinstance(event, DataSetFragment)]
        assert all(fragment.data.obj is piece for fragment in fragments)  # not copied
        came += b"".join(fragment.data for fragment in fragments)
        # every data byte fed so far is out: only PDU and PDV headers are held
        assert data.startswith(came) and len(data[len(came) :]) < len(stream) - start
    assert came == data
    assert events[-1] == DataSetEnd(1, len(data)) and not assembler.in_message
    assert assembler.close() == []


def test_a_whole_message_in_one_feed_comes_in_parts_too() -> None:
    data = _data_set(40_000)
    stream = bytearray(pdu_stream(store(data), max_pdu=16_384))
    command, *fragments, end = StreamingAssembler().feed(stream)
    assert isinstance(command, CommandReceived) and command.message == store(b"")
    assert all(isinstance(f, DataSetFragment) and f.data.readonly for f in fragments)
    assert b"".join(f.data for f in fragments) == data  # type: ignore[union-attr]
    assert end == DataSetEnd(1, len(data))


def test_an_undecodable_command_comes_before_its_data_set() -> None:
    field = b"\x00\x00\x00\x01\x02\x00\x00\x00"  # (0000,0100) Command Field, length 2
    command = dk.encode_command(store(b"\x00\x00")).replace(
        field + b"\x01\x00", field + b"\x99\x09"
    )
    stream = bytes([4, 0]) + struct.pack(">I", len(command) + 6)
    stream += struct.pack(">IBB", len(command) + 2, 1, 3) + command
    data_pdu = bytes([4, 0, 0, 0, 0, 10]) + struct.pack(">IBB", 6, 1, 2) + b"\x01\x02\x03\x04"
    assembler = StreamingAssembler()
    (undecodable,) = assembler.feed(stream)
    assert isinstance(undecodable, dk.UndecodableMessage) and undecodable.command == command
    fragment, end = assembler.feed(data_pdu)
    assert isinstance(fragment, DataSetFragment) and bytes(fragment.data) == b"\x01\x02\x03\x04"
    assert end == DataSetEnd(1, 4)


def test_an_a_abort_drops_a_streamed_message_with_its_warning_and_no_end() -> None:
    stream = pdu_stream(store(_data_set(40_000)), max_pdu=16_384)
    end = 0
    for _ in range(2):  # the command's PDU and the data set's first
        end += 6 + struct.unpack_from(">I", stream, end + 2)[0]
    cut = stream[:end]
    assembler = StreamingAssembler(max_pdu_length=16_384)
    events = assembler.feed(cut + ABORT)
    assert isinstance(events[0], CommandReceived)
    abort = events[-1]
    assert isinstance(abort, dk.PDUReceived) and abort.pdu == ABORT
    assert "the message is dropped" in abort.diagnostics[0].what
    assert not any(isinstance(event, DataSetEnd) for event in events)
    assert not assembler.in_message and assembler.close() == []


def test_a_framing_error_carries_the_whole_events_before_it_not_the_fragments() -> None:
    echo = pdu_stream(dk.CEchoRequest(message_id=1), max_pdu=0)
    stored = pdu_stream(store(b"\x01\x02"), max_pdu=0)
    with pytest.raises(dk.FramingError) as raised:
        StreamingAssembler().feed(echo + stored + b"\x09\x00\x00\x00\x00\x00")
    assert raised.value.rule == "unknown PDU type 0x09 (PS3.8 9.3.1)"
    assert [type(event) for event in raised.value.events] == [dk.MessageReceived]


# --- MessageFragmenter -------------------------------------------------------------------------


def _fragmented(message: dk.CStoreRequest, max_pdu: int, cuts: list[int], chunk: int) -> bytes:
    fragmenter = MessageFragmenter(1, max_pdu, chunk)
    out = list(fragmenter.command(dk.encode_command(message)))
    data = message.data_set_payload.to_bytes() if message.data_set_payload else b""
    start = 0
    for cut in [*sorted({min(cut, len(data)) for cut in cuts}), len(data)]:
        out += fragmenter.data(data[start:cut])
        start = cut
    out.append(fragmenter.end())
    return b"".join(joined(parts) for parts in out)


@settings(max_examples=examples(300))
@given(
    st.integers(min_value=0, max_value=20_000).map(lambda n: _data_set(n * 2)),
    MAX_PDU_LENGTHS,
    st.lists(st.integers(min_value=0, max_value=40_000), max_size=12),
    st.sampled_from([2, 4096, 1 << 20]),
)
def test_a_data_set_cut_as_it_comes_gives_the_pdus_of_the_whole_message(
    data: bytes, max_pdu: int, cuts: list[int], chunk: int
) -> None:
    message = store(data)
    want = b"".join(
        joined(parts) for parts in dk.fragment_message(message, 1, max_pdu, chunk_size=chunk)
    )
    assert _fragmented(message, max_pdu, cuts, chunk) == want


def test_full_fragments_go_out_at_once_as_views_and_only_the_last_is_held() -> None:
    fragmenter = MessageFragmenter(1, 16_384)
    piece = _data_set(100_000)
    pdus = fragmenter.data(piece)
    size = 16_384 - 6
    assert [len(data) for _, data in pdus] == [size] * (100_000 // size)
    assert all(isinstance(data, memoryview) and data.obj is piece for _, data in pdus)
    header, last = fragmenter.end()
    assert len(last) == 100_000 % size and header[-1] == 0x02  # the last, flagged


def test_an_odd_data_set_is_refused_at_its_end() -> None:
    fragmenter = MessageFragmenter(1, 0)
    fragmenter.data(b"\x01\x02\x03")
    with pytest.raises(dk.DimseError, match="odd length"):
        fragmenter.end()


def test_the_fragmenter_refuses_what_fragment_message_refuses() -> None:
    with pytest.raises(dk.DimseError):
        MessageFragmenter(2, 16_384)  # an even context ID (PS3.8 9.3.5.1)
    with pytest.raises(dk.DimseError):
        MessageFragmenter(1, 7)
