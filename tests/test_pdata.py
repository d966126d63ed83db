"""P-DATA framing: fragmenting (PS3.8 9.3.5, E.1) and reassembling a byte stream."""

from __future__ import annotations

import io
import struct
import tempfile
from pathlib import Path

import pytest
from pydicom.dataset import Dataset

import dimsekit as dk
from dimsekit import FramingError, MessageAssembler, fragment_message
from dimsekit._codec.decode import MAX_COMMAND_LENGTH

from .conftest import EXAMPLES, clean_ends, parse_pdu
from .helpers import p_data, pdv, store


def pdus(message: dk.Message, max_pdu: int, **options: object) -> list[bytes]:
    return [b"".join(parts) for parts in fragment_message(message, 1, max_pdu, **options)]  # type: ignore[arg-type]


def feed(assembler: MessageAssembler, stream: bytes, step: int) -> list[dk.Event]:
    events: list[dk.Event] = []
    for start in range(0, len(stream), step):
        events.extend(assembler.feed(stream[start : start + step]))
    return events


# --- sending ---------------------------------------------------------------------------------


def test_c_echo_in_one_pdu_matches_the_worked_example() -> None:
    (pdu,) = pdus(dk.CEchoRequest(message_id=1), 0)
    assert pdu[:12] == bytes.fromhex("04 00 0000004A 00000046 01 03")
    assert pdu[12:] == dk.encode_command(dk.CEchoRequest(message_id=1))
    assert len(pdu) == 80


def test_c_echo_with_a_32_byte_limit_is_26_26_16() -> None:
    pieces = [parse_pdu(pdu) for pdu in pdus(dk.CEchoRequest(message_id=1), 32)]
    assert [[(c, h, len(f)) for c, h, f in items] for items in pieces] == [
        [(1, 0x01, 26)],
        [(1, 0x01, 26)],
        [(1, 0x03, 16)],
    ]


@pytest.mark.parametrize("max_pdu", [8, 9, 10, 11, 31, 32, 33, 100, 4096, 16382, 16383, 0])
@pytest.mark.parametrize("size", [0, 2, 100, 5000])
def test_fragments_are_even_within_the_limit_and_flagged_in_order(max_pdu: int, size: int) -> None:
    message = store(bytes(range(256)) * (size // 256) + bytes(size % 256))
    controls = []
    for pdu in pdus(message, max_pdu):
        if max_pdu:
            assert len(pdu) - 6 <= max_pdu
        for context_id, control, fragment in parse_pdu(pdu):
            assert context_id == 1
            assert len(fragment) % 2 == 0
            controls.append(control)
    commands = [c for c in controls if c & 1]
    data = [c for c in controls if not c & 1]
    assert controls == commands + data  # the command comes first
    assert commands[-1] == 0x03 and all(c == 0x01 for c in commands[:-1])
    assert data[-1] == 0x02 and all(c == 0x00 for c in data[:-1])


def test_no_data_pdv_without_a_data_set() -> None:
    controls = [c for pdu in pdus(dk.CEchoRequest(message_id=1), 16) for _, c, _ in parse_pdu(pdu)]
    assert all(c & 1 for c in controls)


def test_the_data_set_is_sliced_not_copied() -> None:
    buffer = bytearray(b"\x01\x02" * 5000)
    parts = [part for pdu in fragment_message(store(buffer), 1, 1000) for part in pdu]
    views = [part for part in parts if isinstance(part, memoryview) and part.obj is buffer]
    assert sum(len(v) for v in views) == len(buffer)
    buffer[0] = 0xFF
    assert views[0][0] == 0xFF


def test_packing_puts_last_command_and_first_data_pdv_in_one_pdu() -> None:
    message = store(b"\x00" * 64)
    unpacked = pdus(message, 0)
    packed = pdus(message, 0, pack_command_with_data=True)
    assert len(unpacked) == 2
    (only,) = packed
    assert [control for _, control, _ in parse_pdu(only)] == [0x03, 0x02]
    assert b"".join(f for _, _, f in parse_pdu(only)) == b"".join(
        f for pdu in unpacked for _, _, f in parse_pdu(pdu)
    )


def test_packing_is_skipped_when_both_pdvs_do_not_fit() -> None:
    message = store(b"\x00" * 64)
    command_length = len(dk.encode_command(message))
    tight = command_length + 6 + 6 + 10
    packed = pdus(message, tight, pack_command_with_data=True)
    assert all(len(parse_pdu(pdu)) == 1 for pdu in packed)
    assert all(len(pdu) - 6 <= tight for pdu in packed)


@pytest.mark.parametrize("max_pdu", [1, 2, 7, -1, 2**32])
def test_unusable_peer_maximums_are_refused(max_pdu: int) -> None:
    with pytest.raises(dk.DimseError, match="maximum PDU length"):
        pdus(dk.CEchoRequest(message_id=1), max_pdu)


@pytest.mark.parametrize("context_id", [0, 2, 256, -1])
def test_context_ids_are_odd_from_1_to_255(context_id: int) -> None:
    with pytest.raises(dk.DimseError, match="odd integer from 1 to 255"):
        list(fragment_message(dk.CEchoRequest(message_id=1), context_id, 0))


def test_odd_data_set_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(dk.DimseError, match="odd length"):
        next(iter(fragment_message(store(b"\x00" * 3), 1, 0)))


def test_dataset_payload_needs_and_uses_the_transfer_syntax() -> None:
    dataset = Dataset()
    dataset.PatientID = "12345"
    message = store(dataset)
    with pytest.raises(dk.DimseError, match="transfer_syntax"):
        pdus(message, 0)
    for syntax in ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99"]:
        stream = b"".join(pdus(message, 64, transfer_syntax=syntax))
        (event,) = MessageAssembler().feed(stream)
        assert isinstance(event, dk.MessageReceived)
        payload = event.message.data_set_payload
        assert payload is not None
        assert payload.to_dataset(syntax) == dataset


def test_file_payload_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "instance.raw"
    path.write_bytes(bytes(range(256)) * 40)
    payload = dk.DataSetPayload.from_file(path, offset=256, length=256 * 30)
    stream = b"".join(pdus(store(payload), 1000, chunk_size=3000))
    (event,) = MessageAssembler().feed(stream)
    assert isinstance(event, dk.MessageReceived)
    received = event.message.data_set_payload
    assert received is not None
    assert received.to_bytes() == path.read_bytes()[256 : 256 * 31]


# --- receiving -------------------------------------------------------------------------------


MESSAGES: list[dk.Message] = [
    dk.CEchoRequest(message_id=1),
    store(b""),
    store(b"\xab\xcd" * 3000),
    dk.CFindResponse(message_id_being_responded_to=2, status=0xFF00, identifier=b"\x10" * 40),
    dk.CCancelRequest(message_id_being_responded_to=2),
]


@pytest.mark.parametrize("max_pdu", [8, 31, 128, 16382, 0])
@pytest.mark.parametrize("step", [1, 3, 1000, 10**9])
def test_round_trip_whatever_the_split(max_pdu: int, step: int) -> None:
    stream = b"".join(b"".join(pdus(m, max_pdu)) for m in MESSAGES)
    assembler = MessageAssembler(max_pdu_length=max_pdu)
    events = feed(assembler, stream, step)
    assert [e.message for e in events if isinstance(e, dk.MessageReceived)] == MESSAGES
    assert all(isinstance(e, dk.MessageReceived) and e.context_id == 1 for e in events)
    assert all(not e.diagnostics for e in events if isinstance(e, dk.MessageReceived))
    assert not assembler.in_message
    assert assembler.stream_offset == len(stream)


def test_other_pdus_pass_through_whole_between_messages() -> None:
    associate = bytes([1, 0]) + struct.pack(">I", 4) + b"abcd"
    release = bytes([5, 0, 0, 0, 0, 4, 0, 0, 0, 0])
    abort = bytes([7, 0, 0, 0, 0, 4, 0, 0, 2, 0])
    echo = b"".join(pdus(dk.CEchoRequest(message_id=1), 0))
    stream = associate + echo + release + abort
    events = feed(MessageAssembler(), stream, 5)
    assert [type(e).__name__ for e in events] == [
        "PDUReceived",
        "MessageReceived",
        "PDUReceived",
        "PDUReceived",
    ]
    first, _, second, third = events
    assert isinstance(first, dk.PDUReceived) and first.pdu == associate and first.body == b"abcd"
    assert first.pdu_type is dk.PDUType.A_ASSOCIATE_RQ
    assert isinstance(second, dk.PDUReceived) and second.pdu_type is dk.PDUType.A_RELEASE_RQ
    assert isinstance(third, dk.PDUReceived) and third.pdu == abort


def test_a_dcm4che_style_packed_pdu_is_accepted() -> None:
    message = store(b"\x00" * 64)
    stream = b"".join(pdus(message, 0, pack_command_with_data=True))
    (event,) = MessageAssembler().feed(stream)
    assert isinstance(event, dk.MessageReceived) and event.message == message


def test_received_data_set_is_not_copied_into_bytes() -> None:
    message = store(b"\x01\x00" * 100)
    (event,) = MessageAssembler().feed(b"".join(pdus(message, 0)))
    assert isinstance(event, dk.MessageReceived)
    payload = event.message.data_set_payload
    assert payload is not None and isinstance(payload.encoded, memoryview)
    assert payload.encoded.readonly


def test_data_sets_past_the_budget_go_to_the_spill_file(tmp_path: Path) -> None:
    opened: list[tuple[int, dk.Message | None]] = []
    files: list[io.BufferedRandom] = []

    def spill(context_id: int, command: dk.Message | None) -> io.BufferedRandom:
        opened.append((context_id, command))
        files.append(open(tmp_path / f"{len(opened)}.raw", "w+b"))  # noqa: SIM115
        return files[-1]

    data = bytes(range(256)) * 64
    stream = b"".join(pdus(store(data), 1000)) + b"".join(pdus(store(b"\x00" * 10), 1000))
    assembler = MessageAssembler(memory_budget=4096, spill=spill)
    events = feed(assembler, stream, 777)
    big, small = (e for e in events if isinstance(e, dk.MessageReceived))
    assert len(opened) == 1
    assert opened[0][0] == 1 and isinstance(opened[0][1], dk.CStoreRequest)
    payload = big.message.data_set_payload
    assert payload is not None and payload.is_file
    assert payload.to_bytes() == data
    assert (tmp_path / "1.raw").read_bytes() == data
    assert small.message.data_set_payload == dk.DataSetPayload(b"\x00" * 10)
    for file in files:
        file.close()


def test_budget_zero_spills_always() -> None:
    stream = b"".join(pdus(store(b"\x00" * 10), 0))
    (event,) = MessageAssembler(memory_budget=0).feed(stream)
    assert isinstance(event, dk.MessageReceived)
    payload = event.message.data_set_payload
    assert payload is not None and payload.is_file and payload.to_bytes() == b"\x00" * 10


def test_undecodable_command_does_not_break_the_stream() -> None:
    bad_command = dk.encode_command(dk.CEchoRequest(message_id=1)).replace(
        b"\x30\x00", b"\x31\x00", 1
    )
    item = struct.pack(">IBB", 2 + len(bad_command), 3, 0x03) + bad_command
    stream = struct.pack(">BBI", 4, 0, len(item)) + item
    stream += b"".join(pdus(dk.CEchoRequest(message_id=2), 0))
    first, second = MessageAssembler().feed(stream)
    assert isinstance(first, dk.UndecodableMessage)
    assert first.context_id == 3 and first.error.suggested_status == 0x0211
    assert first.command == bad_command
    assert isinstance(second, dk.MessageReceived) and second.message.message_id == 2  # type: ignore[attr-defined]


# --- framing errors --------------------------------------------------------------------------


def other_pdu(pdu_type: int, length: int) -> bytes:
    return struct.pack(">BBI", pdu_type, 0, length) + bytes(length)


COMMAND = dk.encode_command(store(b"\x00\x00"))


@pytest.mark.parametrize(
    ("stream", "offset", "rule"),
    [
        (p_data(pdv(1, 0x02, b"\x00\x00")), 6, "data set fragment before any command"),
        (
            p_data(pdv(1, 0x01, COMMAND[:10])) + p_data(pdv(3, 0x03, COMMAND[10:])),
            6 + 6 + 10 + 6,
            "context ID changes from 1 to 3",
        ),
        (
            p_data(pdv(1, 0x03, COMMAND))
            + p_data(pdv(1, 0x00, b"\x00\x00"))
            + p_data(pdv(1, 0x01, b"\x00\x00")),
            12 + len(COMMAND) + 14 + 6,
            "a command fragment inside the data set, after 2 bytes of it",
        ),
        (
            p_data(pdv(1, 0x01, COMMAND[:10]), pdv(1, 0x00, b"\x00\x00")),
            6 + 6 + 10,
            "data set fragment before the last command fragment",
        ),
        (
            struct.pack(">BBI", 4, 0, 20) + pdv(1, 0x03, b"\x00" * 20),
            6,
            "PDV item length 22 disagrees with its PDU",
        ),
        (
            struct.pack(">BBI", 4, 0, 10) + pdv(1, 0x01, b"\x00" * 2) + b"\x00\x00",
            6 + 8,
            "ends 2 bytes into a PDV item header",
        ),
        (struct.pack(">BBI", 4, 0, 6) + struct.pack(">IBB", 0, 1, 3), 6, "PDV item length 0"),
        (struct.pack(">BBI", 4, 0, 0), 0, "no PDV item"),
        (struct.pack(">BBI", 9, 0, 0), 0, "unknown PDU type 0x09"),
        (struct.pack(">BBI", 0x50, 0, 0), 0, "unknown PDU type 0x50"),
        (
            struct.pack(">BBI", 4, 0, 20000) + b"\x00" * 20000,
            0,
            "exceeds the maximum length we advertised, 16382",
        ),
        (struct.pack(">BBI", 2, 0, 2**31), 0, "beyond the"),
    ],
)
def test_framing_errors_name_the_offset_and_the_rule(stream: bytes, offset: int, rule: str) -> None:
    for step in (1, len(stream)):
        assembler = MessageAssembler(max_pdu_length=16382)
        with pytest.raises(FramingError) as caught:
            feed(assembler, stream, step)
        assert caught.value.offset == offset
        assert rule in caught.value.rule
        with pytest.raises(FramingError, match="cannot be resumed"):
            assembler.feed(b"\x04")


@pytest.mark.parametrize("last", [True, False])
def test_a_command_set_over_the_limit_is_refused_as_the_decoder_refuses_it(last: bool) -> None:
    size = MAX_COMMAND_LENGTH + 2
    header = struct.pack(">BBIIBB", 4, 0, size + 6, size + 2, 1, 0x03 if last else 0x01)
    with pytest.raises(dk.DecodeError) as decoded:
        dk.decode_command(bytes(size))
    with pytest.raises(FramingError) as caught:
        MessageAssembler().feed(header)  # refused at the PDV header, before its bytes
    assert caught.value.offset == 6
    said = "command set of {}{} bytes, longer than {}, the most dimsekit reads (real ones "
    said += "have a few hundred; PS3.7 sets no limit)"
    assert decoded.value.reason == said.format("", size, MAX_COMMAND_LENGTH)
    assert caught.value.rule == said.format("" if last else "at least ", size, MAX_COMMAND_LENGTH)


def test_odd_fragments_are_a_diagnostic_when_lenient_and_an_error_when_strict() -> None:
    command = dk.encode_command(store(b"\x00" * 4))
    stream = (
        p_data(pdv(1, 0x03, command))
        + p_data(pdv(1, 0x00, b"\x00" * 3))
        + p_data(pdv(1, 0x02, b"\x00"))
    )
    (event,) = MessageAssembler().feed(stream)
    assert isinstance(event, dk.MessageReceived)
    assert [d.what for d in event.diagnostics] == ["odd fragment length 3", "odd fragment length 1"]
    assert event.message.data_set_payload == dk.DataSetPayload(b"\x00" * 4)
    with pytest.raises(FramingError, match="odd fragment length 3"):
        MessageAssembler(strict=True).feed(stream)


def test_assembler_refuses_bad_settings() -> None:
    with pytest.raises(dk.DimseError):
        MessageAssembler(max_pdu_length=5)
    with pytest.raises(ValueError, match="memory_budget"):
        MessageAssembler(memory_budget=-1)


def test_messages_completed_before_a_framing_error_ride_on_it() -> None:
    first, second = store(b"\x01\x00" * 10), dk.CEchoRequest(message_id=2)
    stream = b"".join(pdus(first, 0) + pdus(second, 0)) + b"\x09\x00\x00\x00\x00\x00"
    assembler = MessageAssembler()
    with pytest.raises(dk.FramingError) as caught:
        assembler.feed(stream)
    assert "unknown PDU type 0x09" in caught.value.rule
    assert [event.message for event in caught.value.events] == [first, second]  # type: ignore[union-attr]
    with pytest.raises(dk.FramingError) as again:
        assembler.feed(b"")
    assert again.value.events == ()


def test_an_unfinished_spill_file_is_closed_when_the_stream_breaks() -> None:
    opened: list[io.BufferedRandom] = []

    def spill(context_id: int, command: dk.Message | None) -> io.BufferedRandom:
        opened.append(tempfile.TemporaryFile())  # noqa: SIM115
        return opened[-1]

    # The caller's own spill files stay open: the caller owns them.
    parts = pdus(store(b"\x01\x00" * 5000), 4096)  # a command PDU, then data PDUs
    broken = b"".join(parts[:3]) + b"\x09" + parts[3][1:]  # the third data PDU's type
    with pytest.raises(dk.FramingError):
        MessageAssembler(memory_budget=0, spill=spill).feed(broken)
    assert len(opened) == 1 and not opened[0].closed
    opened[0].close()
    # Ours (the default temporary files) are closed at once.
    assembler = MessageAssembler(memory_budget=0)
    with pytest.raises(dk.FramingError):
        assembler.feed(broken)
    finalizer = assembler._unfinished_spill
    assert finalizer is not None and not finalizer.alive


def test_a_str_or_an_int_is_a_type_error_naming_the_parameter() -> None:
    for wrong in ("text", 5, memoryview(b"abcd")[::2]):
        with pytest.raises(TypeError, match=r"^data is the bytes received: .*, not (str|int|memo)"):
            MessageAssembler().feed(wrong)  # type: ignore[arg-type]


# --- the end of the stream -------------------------------------------------------------------

EXAMPLE_STREAMS = sorted(EXAMPLES.glob("*.pdu"))
ECHO = b"".join(pdus(dk.CEchoRequest(message_id=2), 0))
RELEASE_RQ = bytes([5, 0, 0, 0, 0, 4, 0, 0, 0, 0])


def outcome_of_the_end(assembler: MessageAssembler, pieces: list[memoryview]) -> str | None:
    """The rule ``close`` raises after ``pieces`` were fed, or None if it ends cleanly."""
    for piece in pieces:
        assembler.feed(piece)
    try:
        assert assembler.close() == []
    except FramingError as error:
        return error.rule
    return None


@pytest.mark.parametrize("path", EXAMPLE_STREAMS, ids=lambda path: path.name)
def test_a_real_stream_cut_anywhere_but_between_messages_does_not_end_cleanly(path: Path) -> None:
    stream = path.read_bytes()
    view = memoryview(stream)
    ends = clean_ends(stream)
    assert len(stream) in ends and len(ends) >= 2
    for cut in range(len(stream) + 1):
        rule = outcome_of_the_end(MessageAssembler(), [view[:cut]])
        assert (rule is None) == (cut in ends or cut == 0), (cut, rule)
    # A sample fed a byte at a time: every tenth of the stream, and around each clean end.
    sample = set(range(1, len(stream), len(stream) // 10))
    sample |= {end + step for end in ends for step in (-1, 0, 1) if 0 < end + step <= len(stream)}
    for cut in sorted(sample):
        pieces = [view[index : index + 1] for index in range(cut)]
        rule = outcome_of_the_end(MessageAssembler(), pieces)
        assert rule == outcome_of_the_end(MessageAssembler(), [view[:cut]]), cut


def cut_rule(stream: bytes, **options: object) -> tuple[int, str]:
    """The offset and rule ``close`` raises for ``stream``, fed whole and byte by byte
    (the same both ways), after which the stream stays broken."""
    seen = set()
    for step in (len(stream), 1):
        assembler = MessageAssembler(**options)  # type: ignore[arg-type]
        feed(assembler, stream, step)
        with pytest.raises(FramingError) as caught:
            assembler.close()
        assert caught.value.events == ()
        seen.add((caught.value.offset, caught.value.rule))
        with pytest.raises(FramingError, match="cannot be resumed"):
            assembler.feed(b"\x04")
        with pytest.raises(FramingError, match="cannot be resumed"):
            assembler.close()
    (found,) = seen
    return found


STORE_COMMAND_PDU = p_data(pdv(1, 0x03, COMMAND))


@pytest.mark.parametrize(
    ("stream", "offset", "rule"),
    [
        (ECHO[:3], 0, "the stream ends inside a PDU header: 3 of its 6 bytes came"),
        (ECHO + ECHO[:5], 80, "inside a PDU header: 5 of its 6 bytes came"),
        (ECHO[:6], 0, "the stream ends inside a P-DATA-TF: 0 of its 74 body bytes came"),
        (ECHO[:9], 0, "inside a P-DATA-TF: 3 of its 74 body bytes came"),
        (ECHO[:-1], 0, "inside a P-DATA-TF: 73 of its 74 body bytes came"),
        (RELEASE_RQ[:8], 0, "the stream ends inside an A-RELEASE-RQ: 2 of its 4 body bytes came"),
        (ECHO + RELEASE_RQ[:6], 80, "inside an A-RELEASE-RQ: 0 of its 4 body bytes came"),
        (
            p_data(pdv(1, 0x01, COMMAND[:10])) + p_data(pdv(1, 0x01, COMMAND[10:20])),
            6,
            "inside a message's command set: 20 bytes of command fragments came, not the last",
        ),
        (
            STORE_COMMAND_PDU,
            6,
            "ends after a command that announces a data set (Command Data Set Type 0x0001), "
            "which never came (PS3.7 9.3, 10.3",
        ),
        (
            STORE_COMMAND_PDU + p_data(pdv(1, 0x00, b"\x00" * 4)),
            6,
            "inside a message's data set: cut after 4 bytes, 1 fragment(s), none of them the last",
        ),
    ],
    ids=[
        "PDU header",
        "PDU header after a message",
        "P-DATA-TF header alone",
        "P-DATA-TF into a PDV header",
        "P-DATA-TF but its last byte",
        "A-RELEASE-RQ body",
        "A-RELEASE-RQ header alone",
        "command fragments",
        "data set announced",
        "data set begun",
    ],
)
def test_close_names_what_the_end_of_the_stream_cut(stream: bytes, offset: int, rule: str) -> None:
    assert cut_rule(stream) == (offset, cut_rule(stream, strict=True)[1])
    assert rule in cut_rule(stream)[1]


def test_close_on_a_clean_end_returns_nothing_and_takes_no_more_bytes() -> None:
    for stream in (b"", ECHO, ECHO + RELEASE_RQ):
        for step in (1, 10**9):
            assembler = MessageAssembler()
            feed(assembler, stream, step)
            assert assembler.close() == []
            assert assembler.close() == []  # again: the same
            for more in (b"", ECHO):
                with pytest.raises(FramingError, match="the stream was closed") as caught:
                    assembler.feed(more)
                assert caught.value.offset == len(stream)


def test_an_unfinished_spill_file_is_closed_when_the_stream_ends_cut() -> None:
    assembler = MessageAssembler(memory_budget=0)
    assembler.feed(STORE_COMMAND_PDU + p_data(pdv(1, 0x00, b"\x00" * 4)))
    finalizer = assembler._unfinished_spill
    assert finalizer is not None and finalizer.alive
    with pytest.raises(FramingError, match="cut after 4 bytes"):
        assembler.close()
    assert not finalizer.alive


# --- a data set announced that never comes ---------------------------------------------------


@pytest.mark.parametrize(
    ("follower", "what", "then"),
    [
        (ECHO, "a new command followed", dk.MessageReceived(1, dk.CEchoRequest(message_id=2))),
        (
            RELEASE_RQ,
            "an A-RELEASE-RQ followed",
            dk.PDUReceived(dk.PDUType.A_RELEASE_RQ, RELEASE_RQ),
        ),
    ],
    ids=["command", "release"],
)
def test_a_data_set_announced_that_never_came_is_an_error_diagnostic_or_strictly_an_error(
    follower: bytes, what: str, then: dk.Event
) -> None:
    stream = STORE_COMMAND_PDU + follower
    where = len(STORE_COMMAND_PDU) + (6 if follower is ECHO else 0)
    for step in (1, 7, len(stream)):
        for budget in (None, 0):
            assembler = MessageAssembler(memory_budget=budget)
            held, after = feed(assembler, stream, step)
            assert isinstance(held, dk.MessageReceived)
            assert held.message == store(b"")  # the empty payload the decoder put there
            (diagnostic,) = held.diagnostics
            assert diagnostic.severity is dk.Severity.ERROR
            assert diagnostic.tag == 0x0000_0800 and diagnostic.offset == where
            assert diagnostic.what == (
                f"the command announces a data set (Command Data Set Type 0x0001) that never "
                f"came: {what}"
            )
            assert diagnostic.rule == "PS3.7 9.3, 10.3 Command Data Set Type; PS3.8 E.1"
            assert after == then
            assert assembler.close() == []
        with pytest.raises(FramingError, match="never came: " + what) as caught:
            feed(MessageAssembler(strict=True), stream, step)
        assert caught.value.offset == where


def test_a_spill_file_of_ours_for_a_data_set_that_never_came_is_closed() -> None:
    assembler = MessageAssembler(memory_budget=0)
    assert assembler.feed(STORE_COMMAND_PDU) == []
    finalizer = assembler._unfinished_spill
    assert finalizer is not None and finalizer.alive
    (held,) = assembler.feed(RELEASE_RQ[:6])
    assert isinstance(held, dk.MessageReceived) and held.diagnostics
    assert not finalizer.alive


def test_a_data_set_cut_after_some_fragments_by_a_new_command_is_an_error_in_both_modes() -> None:
    begun = STORE_COMMAND_PDU + p_data(pdv(1, 0x00, b"\x00\x00"))
    for strict in (False, True):
        with pytest.raises(FramingError, match="a command fragment inside the data set") as caught:
            MessageAssembler(strict=strict).feed(begun + ECHO)
        assert caught.value.offset == len(begun) + 6


# --- other PDUs inside a message (PS3.8 E.1; an A-ABORT at any time, PS3.8 7.3) -------------

ABORT = bytes([7, 0, 0, 0, 0, 4, 0, 0, 2, 0])
RELEASE_RP = bytes([6, 0, 0, 0, 0, 4, 0, 0, 0, 0])
ASSOCIATE_RQ = other_pdu(1, 68)
STORE_4 = dk.encode_command(store(b"\x00" * 4))
# A C-STORE-RQ cut where another PDU comes, the rest of it, and where it stands then.
INSIDE = {
    "command fragments": (
        p_data(pdv(1, 0x01, STORE_4[:10])),
        p_data(pdv(1, 0x03, STORE_4[10:]), pdv(1, 0x02, b"\x00" * 4)),
        "in the middle of a message on context 1, after 10 bytes of its command set, before "
        "its last fragment",
    ),
    "data fragments": (
        p_data(pdv(1, 0x03, STORE_4), pdv(1, 0x00, b"\x00\x00")),
        p_data(pdv(1, 0x02, b"\x00\x00")),
        "in the middle of a C-STORE-RQ on context 1, after 2 bytes of its data set in 1 "
        "fragment(s), before its last",
    ),
}
OTHER_PDUS = {
    "A-RELEASE-RQ": RELEASE_RQ,
    "A-RELEASE-RP": RELEASE_RP,
    "A-ASSOCIATE-RQ": ASSOCIATE_RQ,
}


@pytest.mark.parametrize(("before", "rest", "where"), INSIDE.values(), ids=INSIDE.keys())
@pytest.mark.parametrize("name", OTHER_PDUS)
def test_a_pdu_inside_a_message_is_an_error_diagnostic_or_strictly_an_error(
    name: str, before: bytes, rest: bytes, where: str
) -> None:
    pdu = OTHER_PDUS[name]
    stream = before + pdu + rest
    what = f"{name} {where}; the message stays pending"
    for step in (1, 7, len(stream)):
        assembler = MessageAssembler()
        other, stored = feed(assembler, stream, step)
        assert isinstance(other, dk.PDUReceived) and other.pdu == pdu
        assert other.diagnostics == (
            dk.Diagnostic(
                what=what, rule="PS3.8 E.1", severity=dk.Severity.ERROR, offset=len(before)
            ),
        )
        # The message waited for the rest of its fragments, and is whole.
        assert isinstance(stored, dk.MessageReceived) and stored.diagnostics == ()
        assert stored.message == store(b"\x00" * 4)
        assert assembler.close() == []
        # Cut there, it is pending: the end of the stream says so.
        cut = MessageAssembler()
        feed(cut, before + pdu, step)
        assert cut.in_message
        with pytest.raises(FramingError, match="the stream ends inside a message's"):
            cut.close()
        with pytest.raises(FramingError, match=f"^stream offset {len(before)}: ") as caught:
            feed(MessageAssembler(strict=True), stream, step)
        assert caught.value.rule == (
            f"{what} (PS3.8 E.1: a message's fragments are sent in order, and nothing else "
            "comes between its first and its last)"
        )


ABORTED = {
    **{name: (before, where) for name, (before, _, where) in INSIDE.items()},
    "data set not begun": (
        STORE_COMMAND_PDU,
        "in the middle of a C-STORE-RQ on context 1, after a command that announces a data "
        "set (Command Data Set Type 0x0001), before any of it",
    ),
}


@pytest.mark.parametrize(("before", "where"), ABORTED.values(), ids=ABORTED.keys())
def test_an_a_abort_inside_a_message_drops_it_with_a_warning_in_both_modes(
    before: bytes, where: str
) -> None:
    stream = before + ABORT + ECHO
    for strict in (False, True):
        for step in (1, 7, len(stream)):
            for budget in (None, 0):
                assembler = MessageAssembler(strict=strict, memory_budget=budget)
                abort, echo = feed(assembler, stream, step)
                assert isinstance(abort, dk.PDUReceived) and abort.pdu == ABORT
                assert abort.diagnostics == (
                    dk.Diagnostic(
                        what=f"A-ABORT {where}; the message is dropped: nothing more comes "
                        "on an aborted association",
                        rule="PS3.8 7.3: an A-ABORT may come at any time",
                        severity=dk.Severity.WARNING,
                        offset=len(before),
                    ),
                )
                assert echo == dk.MessageReceived(1, dk.CEchoRequest(message_id=2))
                assert assembler.close() == []


def test_a_spill_file_of_ours_for_a_message_an_a_abort_dropped_is_closed() -> None:
    assembler = MessageAssembler(memory_budget=0)
    assert assembler.feed(INSIDE["data fragments"][0]) == []
    finalizer = assembler._unfinished_spill
    assert finalizer is not None and finalizer.alive
    (abort,) = assembler.feed(ABORT)
    assert isinstance(abort, dk.PDUReceived) and abort.diagnostics
    assert not finalizer.alive and not assembler.in_message


def test_other_pdus_between_messages_are_clean_even_strictly() -> None:
    stream = ECHO + RELEASE_RQ + ECHO + ABORT + ECHO + ASSOCIATE_RQ + RELEASE_RP
    for step in (1, len(stream)):
        events = feed(MessageAssembler(strict=True), stream, step)
        assert len(events) == 7
        assert all(not event.diagnostics for event in events)  # type: ignore[union-attr]


# --- PDU lengths the standard fixes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("pdu_type", "length", "breach", "clause"),
    [
        (3, 0, "PDU-length 0; the standard fixes it at 4", "PS3.8 9.3.4"),
        (5, 6, "PDU-length 6; the standard fixes it at 4", "PS3.8 9.3.6"),
        (6, 2, "PDU-length 2; the standard fixes it at 4", "PS3.8 9.3.7"),
        (7, 5, "PDU-length 5; the standard fixes it at 4", "PS3.8 9.3.8"),
        (1, 20, "PDU-length 20; its fixed fields alone take 68 bytes", "PS3.8 9.3.2"),
        (2, 67, "PDU-length 67; its fixed fields alone take 68 bytes", "PS3.8 9.3.3"),
    ],
)
def test_a_pdu_length_its_type_does_not_allow_is_a_diagnostic_or_strictly_an_error(
    pdu_type: int, length: int, breach: str, clause: str
) -> None:
    pdu = other_pdu(pdu_type, length)
    name = dk.PDUType(pdu_type).label
    for step in (1, len(pdu) + len(ECHO)):
        pdu_event, echo = feed(MessageAssembler(), pdu + ECHO, step)
        assert isinstance(pdu_event, dk.PDUReceived) and pdu_event.pdu == pdu
        assert pdu_event.diagnostics == (
            dk.Diagnostic(
                what=f"{name} with {breach}", rule=clause, severity=dk.Severity.ERROR, offset=0
            ),
        )
        assert isinstance(echo, dk.MessageReceived)
        with pytest.raises(FramingError, match=f"^stream offset 0: {name} with {breach} .{clause}"):
            feed(MessageAssembler(strict=True), pdu, step)


@pytest.mark.parametrize("pdu_type", [1, 2, 3, 5, 6, 7])
def test_a_pdu_length_its_type_allows_is_clean_even_strictly(pdu_type: int) -> None:
    lengths = [68, 300] if pdu_type in (1, 2) else [4]
    for length in lengths:
        (event,) = MessageAssembler(strict=True).feed(other_pdu(pdu_type, length))
        assert isinstance(event, dk.PDUReceived) and event.diagnostics == ()


# --- empty fragments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (
            p_data(pdv(1, 0x03, STORE_4))
            + p_data(pdv(1, 0x00, b""))
            + p_data(pdv(1, 0x02, b"\x00" * 4)),
            [("empty data set fragment (PDV item length 2)", 12 + len(STORE_4) + 6)],
        ),
        (
            p_data(pdv(1, 0x03, STORE_4), pdv(1, 0x00, b"\x00" * 4), pdv(1, 0x02, b"")),
            [("empty data set fragment (PDV item length 2)", 12 + len(STORE_4) + 10)],
        ),
        (
            p_data(pdv(1, 0x01, b""))
            + p_data(pdv(1, 0x03, STORE_4))
            + p_data(pdv(1, 0x02, b"\x00" * 4)),
            [("empty command fragment (PDV item length 2)", 6)],
        ),
        (
            p_data(pdv(1, 0x01, STORE_4), pdv(1, 0x03, b"")) + p_data(pdv(1, 0x02, b"\x00" * 4)),
            [("empty command fragment (PDV item length 2)", 12 + len(STORE_4))],
        ),
    ],
    ids=["data, not last", "data, last after data", "command, first", "command, last"],
)
def test_an_empty_fragment_is_a_warning_even_strictly(
    stream: bytes, expected: list[tuple[str, int]]
) -> None:
    # No clause of PS3.8 (9.3.5.1, Annex E) forbids it, so strict mode does not refuse it.
    for strict in (False, True):
        for step in (1, len(stream)):  # whole, the one-pass paths must leave it to the walk
            (event,) = feed(MessageAssembler(strict=strict), stream, step)
            assert isinstance(event, dk.MessageReceived)
            assert event.message == store(b"\x00" * 4)
            assert [(d.what, d.offset) for d in event.diagnostics] == expected
            assert {(d.rule, d.severity) for d in event.diagnostics} == {
                ("PS3.8 9.3.5.1, E.1", dk.Severity.WARNING)
            }


def test_the_one_fragment_of_an_empty_data_set_is_clean_even_strictly() -> None:
    stream = b"".join(pdus(store(b""), 0))
    assert stream.endswith(pdv(1, 0x02, b""))  # how an empty data set is sent
    for step in (1, len(stream)):
        (event,) = feed(MessageAssembler(strict=True), stream, step)
        assert isinstance(event, dk.MessageReceived) and event.diagnostics == ()
        assert event.message == store(b"")


# --- bounded cost for hostile sizes ----------------------------------------------------------


@pytest.mark.parametrize(("per_pdu", "step"), [(100_000, 10**9), (4_000, 65536)])
def test_a_data_set_in_one_byte_fragments_costs_its_size_and_one_counted_diagnostic(
    per_pdu: int, step: int
) -> None:
    """100 000 odd fragments of 1 byte, 0.67 MiB of PDV items: each one a deviation."""
    import tracemalloc

    count = 100_000
    items = [pdv(1, 0x00, b"\x01")] * (count - 1) + [pdv(1, 0x02, b"\x01")]
    stream = p_data(pdv(1, 0x03, dk.encode_command(store(b"\x00\x00")))) + b"".join(
        p_data(*items[start : start + per_pdu]) for start in range(0, count, per_pdu)
    )
    del items
    tracemalloc.start()
    try:
        (event,) = feed(MessageAssembler(), stream, step)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(event, dk.MessageReceived)
    payload = event.message.data_set_payload
    assert payload is not None and payload.to_bytes() == b"\x01" * count
    (diagnostic,) = event.diagnostics
    assert diagnostic.what == "odd fragment length 1" and diagnostic.repeats == count - 1
    # The data set is gathered once, in place, and handed out as it is.
    assert isinstance(payload.encoded, memoryview)
    assert isinstance(payload.encoded.obj, bytearray)
    # Measured: 109 KiB whole, 160 KiB in 64 KiB pieces (the test's own slices), for
    # 684 KiB of input and 98 KiB of data; before DiagnosticLog, 19.8 MiB.  A second copy
    # of the data set would add 98 KiB.
    assert peak < len(stream) // 3
    pieces = step if step < len(stream) else 0  # the test's own slice of the stream
    assert peak < count * 3 // 2 + pieces + 32 * 1024
