"""The assembler's one-pass path for whole messages (_pdata_receive) gives what its
byte-wise parser gives.

Fed a whole message at once, ``MessageAssembler`` frames it in one pass and tries the
compiled decoder of canonical command sets first; fed a byte at a time it cannot: both
must give the same events, the same framing errors at the same offsets (PS3.8 9.3.5,
E.2), and the data set must not be held in a buffer the caller reuses.
"""

from __future__ import annotations

from collections.abc import Iterable
from unittest import mock

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dimsekit as dk
from dimsekit import _command_decode, _pdata_receive
from dimsekit._fast_decode import decode_canonical
from dimsekit.testing import messages

from .helpers import CT, INSTANCE, MAX_PDU_LENGTHS, corrupt, examples, pdu_stream


def outcome(assembler: dk.MessageAssembler, pieces: list[bytes]) -> list[object]:
    """What feeding ``pieces`` gives, in comparable form: events (with the command bytes
    and data set bytes and type they carry), then the framing error if any, and where the
    stream stands."""
    seen: list[object] = []

    def record(events: Iterable[dk.Event]) -> None:
        for event in events:
            if isinstance(event, dk.MessageReceived):
                message = event.message
                payload = message.data_set_payload
                # Payloads compare by content; two spill files are never equal objects.
                held = (
                    None
                    if payload is None
                    else ("file" if payload.is_file else type(payload.encoded), payload.to_bytes())
                )
                fields = attrs.asdict(message, recurse=False)
                fields.pop(message.data_set_field() or "", None)
                seen.append(
                    (event.context_id, type(message), fields, event.diagnostics, message.wire,
                     event.command, held)
                )  # fmt: skip
            elif isinstance(event, dk.UndecodableMessage):
                seen.append(("undecodable", str(event.error), event.error.offset, event.command))
            else:
                seen.append(event)

    try:
        for piece in pieces:
            record(assembler.feed(piece))
    except dk.FramingError as error:
        record(error.events)
        seen.append(("framing", error.rule, error.offset))
    seen.append((assembler.stream_offset, assembler.in_message))
    return seen


@settings(max_examples=examples(1500), suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(messages(), min_size=1, max_size=3),
    MAX_PDU_LENGTHS,
    st.booleans(),
    st.sampled_from([None, 0, 100]),
    st.sampled_from(["none", "flip", "insert", "delete", "truncate"]),
    st.integers(min_value=0),
    st.integers(min_value=0, max_value=255),
)
def test_one_piece_and_byte_by_byte_give_the_same_events(
    batch: list[dk.Message],
    max_pdu: int,
    pack: bool,
    budget: int | None,
    how: str,
    where: int,
    byte: int,
) -> None:
    """Fed whole, a stream takes the whole-message path; fed a byte at a time, it cannot."""
    stream = pdu_stream(*batch, context_id=3, max_pdu=max_pdu, pack=pack)
    if how != "none":
        stream = corrupt(stream, how, where, byte)
    if not stream:
        return

    def assembler() -> dk.MessageAssembler:
        return dk.MessageAssembler(max_pdu_length=max_pdu, memory_budget=budget)

    whole = outcome(assembler(), [stream])
    bytewise = outcome(assembler(), [stream[i : i + 1] for i in range(len(stream))])
    assert whole == bytewise
    if how == "none":
        assert [item[1] for item in whole[:-1]] == [type(m) for m in batch]  # type: ignore[index]


def test_the_whole_message_path_copies_the_data_set_out_of_a_reused_buffer() -> None:
    message = dk.CStoreRequest(
        message_id=1, affected_sop_class_uid=CT, affected_sop_instance_uid=INSTANCE,
        data_set=b"\x01\x02" * 50_000,
    )  # fmt: skip
    buffer = bytearray(pdu_stream(message, max_pdu=16382))
    (event,) = dk.MessageAssembler(max_pdu_length=16382).feed(buffer)
    buffer[:] = bytes(len(buffer))  # the caller reuses its receive buffer
    assert isinstance(event, dk.MessageReceived)
    assert event.message == message


@pytest.mark.parametrize(
    ("max_pdu", "pack"),
    [(16382, False), (16382, True), (0, False), (40, False), (40, True)],
    ids=["one PDV per PDU", "data PDVs packed after the command", "no limit", "command split",
         "command split, data packed"],
)  # fmt: skip
def test_whole_messages_of_every_shape_take_the_one_pass_path(
    max_pdu: int, pack: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def general_parser(*args: object) -> None:
        raise AssertionError("the general parser was used")

    monkeypatch.setattr(dk.MessageAssembler, "_parse", general_parser)
    batch: list[dk.Message] = [
        dk.CStoreRequest(
            message_id=1, affected_sop_class_uid=CT, affected_sop_instance_uid=INSTANCE,
            data_set=bytes(range(256)) * 300,
        ),
        dk.CEchoRequest(message_id=2),
        dk.CFindRequest(
            message_id=3, affected_sop_class_uid="1.2.840.10008.5.1.4.1.2.2.1",
            identifier=b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY ",
        ),
    ]  # fmt: skip
    assembler = dk.MessageAssembler(max_pdu_length=max_pdu)
    for message in batch:
        stream = pdu_stream(message, max_pdu=max_pdu, pack=pack)
        (event,) = assembler.feed(stream)
        assert isinstance(event, dk.MessageReceived) and event.message == message
        assert event.command == dk.encode_command(message)
    assert assembler.stream_offset > 0 and not assembler.in_message


def test_a_non_canonical_message_is_tried_once_and_its_data_set_not_copied_in_vain() -> None:
    message = dk.CStoreRequest(
        message_id=1, affected_sop_class_uid=CT, affected_sop_instance_uid="1.2.3",
        data_set=b"\x01\x02" * 40_000,
    )  # fmt: skip
    pdus = [b"".join(parts) for parts in dk.fragment_message(message, 1, 16382)]
    pdus[0] = pdus[0].replace(b"1.2.3\0", b"1.2.3 ")  # padded with a space: not canonical
    tries: list[bytes] = []
    copied: list[int] = []
    received = dk.DataSetPayload._received

    def decode(raw: bytes, data_set: dk.DataSetPayload | None = None) -> dk.Message | None:
        tries.append(raw)
        return decode_canonical(raw, data_set)

    def copy(data: bytes) -> dk.DataSetPayload:
        copied.append(len(data))
        return received(data)

    with (
        mock.patch.object(_pdata_receive, "decode_canonical", decode),
        mock.patch.object(dk.DataSetPayload, "_received", copy),
    ):
        (event,) = dk.MessageAssembler(max_pdu_length=16382).feed(b"".join(pdus))
    assert isinstance(event, dk.MessageReceived)
    assert [d.rule for d in event.diagnostics] == ["PS3.5 6.2, 9.1"]
    assert event.message == message
    assert len(tries) == 1  # the one-pass path declined once; the general parser took it
    assert sum(copied) <= len(message.data_set)  # by the general parser alone, if at all


@pytest.mark.parametrize("pieces", ["whole", "byte by byte"])
def test_the_data_set_gets_into_the_message_through_the_decoder_alone(pieces: str) -> None:
    message = dk.CStoreRequest(
        message_id=1, affected_sop_class_uid=CT, affected_sop_instance_uid=INSTANCE,
        data_set=b"\x08\x00\x18\x00\x00\x00\x00\x00",
    )  # fmt: skip
    stream = pdu_stream(message, max_pdu=16382)
    received: list[tuple[dk.Message, dk.DataSetPayload]] = []
    real = _command_decode.with_data_set

    def completed(decoded: dk.Message, data_set: dk.DataSetPayload) -> dk.Message:
        assert decoded.data_set_payload == dk.DataSetPayload(b"")  # the stand-in until now
        received.append((decoded, data_set))
        return real(decoded, data_set)

    assembler = dk.MessageAssembler(max_pdu_length=16382)
    with mock.patch.object(_pdata_receive, "with_data_set", completed):
        if pieces == "whole":
            events = assembler.feed(stream)
        else:
            events = [
                event for i in range(len(stream)) for event in assembler.feed(stream[i : i + 1])
            ]
    (event,) = events
    assert isinstance(event, dk.MessageReceived) and event.message == message
    ((decoded, data_set),) = received
    assert decoded is event.message and event.message.data_set_payload is data_set
