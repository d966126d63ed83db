"""The assembler's one-pass path for whole messages (pdata_receive) gives what its
byte-wise parser gives.

Fed a whole message at once, ``MessageAssembler`` frames it in one pass and tries the
compiled decoder of canonical command sets first; fed a byte at a time it cannot: both
must give the same events, the same framing errors at the same offsets (PS3.8 9.3.5,
E.2), and the data set must not be held in a buffer the caller reuses.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from unittest import mock

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dimsekit as dk
from dimsekit._codec import decode as codec_decode
from dimsekit._codec.fast_decode import decode_canonical
from dimsekit._framing import pdata_receive
from dimsekit._framing.rules import inline as rules_inline
from dimsekit._model.payload import received_payload
from dimsekit.testing import messages

from .helpers import (
    CT,
    INSTANCE,
    MAX_PDU_LENGTHS,
    corrupt,
    examples,
    p_data,
    pdu_stream,
    pdv,
    store,
)


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
    received = received_payload

    def decode(raw: bytes, data_set: dk.DataSetPayload | None = None) -> dk.Message | None:
        tries.append(raw)
        return decode_canonical(raw, data_set)

    def copy(data: bytes) -> dk.DataSetPayload:
        copied.append(len(data))
        return received(data)

    with (
        mock.patch.object(pdata_receive, "decode_canonical", decode),
        mock.patch.object(pdata_receive, "received_payload", copy),
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
    real = codec_decode.with_data_set

    def completed(decoded: dk.Message, data_set: dk.DataSetPayload) -> dk.Message:
        assert decoded.data_set_payload == dk.DataSetPayload(b"")  # the stand-in until now
        received.append((decoded, data_set))
        return real(decoded, data_set)

    assembler = dk.MessageAssembler(max_pdu_length=16382)
    with mock.patch.object(pdata_receive, "with_data_set", completed):
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


def test_the_events_and_framing_error_keep_their_names_and_their_types_resolve() -> None:
    """They live in ``_framing.events`` (so ``_errors`` imports nothing of ours), named where
    pickles name them; their annotations resolve where ``__module__`` says."""
    import pickle
    import typing

    from dimsekit import _errors
    from dimsekit._framing import events as event_types

    for cls in (dk.MessageReceived, dk.UndecodableMessage, dk.PDUReceived):
        assert cls.__module__ == "dimsekit._pdata_receive"
        assert getattr(pdata_receive, cls.__name__) is cls is getattr(event_types, cls.__name__)
        assert typing.get_type_hints(cls)
    assert dk.FramingError.__module__ == "dimsekit" and issubclass(dk.FramingError, dk.DimseError)
    assert typing.get_type_hints(dk.FramingError)["events"] == tuple[dk.Event, ...]
    assert not hasattr(_errors, "FramingError")
    error = dk.FramingError("PDV item length 0 (PS3.8 9.3.5.1)", offset=12)
    assert error.__reduce__()[0] is _errors._rebuild_framing_error
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is dk.FramingError and (again.rule, again.offset) == (error.rule, 12)


# --- the framing rules, stated once (_framing.rules) ------------------------------------------

ECHO = dk.encode_command(dk.CEchoRequest(message_id=1))
DATA = b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY "
FIND = dk.encode_command(
    dk.CFindRequest(
        message_id=3, affected_sop_class_uid="1.2.840.10008.5.1.4.1.2.2.1", identifier=DATA
    )
)


def test_the_one_pass_scan_is_generated_from_every_framing_rule() -> None:
    """The scan's source (as a traceback shows it) holds each rule's own expression."""
    import inspect

    from dimsekit._framing.pdata_one_pass import scan_whole_message
    from dimsekit._framing.rules import RULES

    source = inspect.getsource(scan_whole_message)
    assert inspect.getsourcefile(scan_whole_message) is not None
    for rule in RULES.values():
        assert f"({rule.expression})" in source, rule.name


def test_the_scans_first_test_inlines_the_rules_the_loop_checks_on_its_pdv() -> None:
    """The first test (one command PDV filling its PDU) is written from the framing
    rules' declarations: each rule the loop checks on a first command fragment, and the
    command's limit, appears in it as its own expression."""
    from dimsekit._framing import pdata_one_pass
    from dimsekit._framing.rules import RULES

    source, inlined = rules_inline(pdata_one_pass._FIRST_PDU)
    names = {rule.name for rule in inlined}
    assert names == {
        "p_data_has_pdv", "within_max_pdu_length", "pdv_item_fits", "fragment_not_empty",
        "fragment_even", "fragment_in_order", "command_within_limit",
    }  # fmt: skip
    for name in names:
        assert f"({RULES[name].expression})" in source


def _scanned(found: object) -> object:
    """A scan's answer in comparable form (the data set fragments as bytes)."""
    if found is None:
        return None
    assert isinstance(found, tuple)
    context, command, data, after = found
    return context, command, [bytes(fragment) for fragment in data], after


def _first_test_agrees(buffer: bytes, start: int, max_pdu: int) -> None:
    """The scan generated with its first test and the one generated without it (the
    loop alone) give the same answer on ``buffer`` from ``start``, whole or cut short."""
    from dimsekit._framing import pdata_one_pass

    loop_alone = pdata_one_pass._generate("")
    assert loop_alone.__code__.co_code != pdata_one_pass.scan_whole_message.__code__.co_code
    view = memoryview(buffer)
    for end in {len(buffer), max(start, len(buffer) - 1)}:
        assert _scanned(pdata_one_pass.scan_whole_message(view, start, end, max_pdu)) == (
            _scanned(loop_alone(view, start, end, max_pdu))
        )


_SCAN_MAX_PDU = st.sampled_from([0, 16, 40, 86, 16382])


@settings(max_examples=examples(500), suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([4, 1]),
    st.sampled_from([0x03, 0x01, 0x02, 0x00]),
    st.integers(min_value=0, max_value=3),
    st.binary(max_size=9),
    st.integers(min_value=-2, max_value=2),
    st.sampled_from([b"", p_data(pdv(1, 0x02, DATA)), p_data(pdv(2, 0x00, DATA + b"\0"))]),
    _SCAN_MAX_PDU,
    st.integers(min_value=0, max_value=2),
)
def test_the_scans_first_test_agrees_with_the_loop_around_one_pdv_filling_its_pdu(
    pdu_type: int,
    control: int,
    context_id: int,
    fragment: bytes,
    skew: int,
    after: bytes,
    max_pdu: int,
    start: int,
) -> None:
    """A first PDU of one PDV, of every type, control and fragment length (empty, odd,
    over the maximum), its item length filling the PDU or off by ``skew``, with data
    after it or not: what the first test takes, the loop takes the same way."""
    item = pdv(context_id, control, fragment)
    item = (len(item) - 4 + skew).to_bytes(4, "big", signed=skew < -4) + item[4:]
    pdu = bytes([pdu_type]) + p_data(item)[1:]
    _first_test_agrees(bytes(start) + pdu + after, start, max_pdu)


@settings(max_examples=examples(500), suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(messages(), min_size=1, max_size=2),
    MAX_PDU_LENGTHS,
    st.booleans(),
    st.sampled_from(["none", "flip", "insert", "delete", "truncate"]),
    st.integers(min_value=0),
    st.integers(min_value=0, max_value=255),
    _SCAN_MAX_PDU,
)
def test_the_scans_first_test_agrees_with_the_loop_on_any_stream(
    batch: list[dk.Message], fragment_at: int, pack: bool, how: str, where: int, byte: int,
    max_pdu: int,
) -> None:  # fmt: skip
    stream = pdu_stream(*batch, max_pdu=fragment_at, pack=pack)
    if how != "none":
        stream = corrupt(stream, how, where, byte)
    for limit in {0, fragment_at, max_pdu}:
        _first_test_agrees(stream, 0, limit)


@pytest.mark.parametrize(
    ("stream", "max_pdu", "said"),
    [
        (
            p_data(pdv(1, 0x03, FIND)) + p_data(pdv(1, 0x02, DATA + b"\0")),
            0,
            "odd fragment length 15",
        ),
        (p_data(pdv(1, 0x01, b""), pdv(1, 0x03, ECHO)), 0, "empty command fragment"),
        (p_data(pdv(1, 0x01, ECHO[:8]), pdv(3, 0x03, ECHO[8:])), 0, "context ID changes"),
        (p_data(pdv(1, 0x03, ECHO)), 40, "exceeds the maximum length we advertised, 40"),
        (p_data(pdv(1, 0x02, DATA)), 0, "a data set fragment before any command fragment"),
        (
            p_data(pdv(1, 0x03, ECHO))[:6] + pdv(1, 0x03, ECHO + bytes(4))[:6] + ECHO,
            0,
            "PDV item length 74 disagrees",
        ),
        (p_data(pdv(1, 0x01, ECHO[:8])) + p_data(pdv(1, 0x00, DATA)), 0, "last command"),
    ],
    ids=["odd", "empty", "context", "max length", "data first", "item length", "order"],
)
def test_where_a_framing_rule_breaks_the_scan_gives_up_and_the_walk_says_which(
    stream: bytes, max_pdu: int, said: str
) -> None:
    from dimsekit._framing.pdata_one_pass import scan_whole_message

    view = memoryview(stream)
    assert scan_whole_message(view, 0, len(view), max_pdu) is None
    assert scan_whole_message(memoryview(p_data(pdv(1, 0x03, ECHO))), 0, 86, 0) is not None
    assembler = dk.MessageAssembler(max_pdu_length=max_pdu)
    told: list[str] = []
    try:
        events = assembler.feed(stream)
    except dk.FramingError as error:
        told.append(error.rule)
    else:
        told += [d.what for e in events for d in getattr(e, "diagnostics", ())]
    assert any(said in text for text in told), told


def _repeated_headers(*, last_context: int = 1) -> tuple[bytes, bytes]:
    """A C-STORE-RQ whose data set comes in four PDUs of the same header bytes and a last
    one (on ``last_context``), and its data set."""
    data = bytes(range(256)) * 4
    pieces = [data[i : i + 200] for i in range(0, 800, 200)]
    command = dk.encode_command(store(data))
    stream = p_data(pdv(1, 0x03, command))
    stream += b"".join(p_data(pdv(1, 0x00, piece)) for piece in pieces)
    return stream + p_data(pdv(last_context, 0x02, data[800:])), data


def test_the_scan_reads_a_data_pdu_header_it_has_checked_once_and_compares_the_rest() -> None:
    """Each distinct data PDU header is read (and its rules checked) once; the PDUs that
    begin with the same bytes are compared where they lie, in a bytes or a bytearray."""
    from dimsekit._framing import pdata_one_pass

    stream, data = _repeated_headers()
    read = mock.Mock(wraps=pdata_one_pass.scan_whole_message.__globals__["pdu_and_pdv"])
    for buffer in (stream, bytearray(stream)):
        read.reset_mock()
        with mock.patch.dict(pdata_one_pass.scan_whole_message.__globals__, pdu_and_pdv=read):
            scanned = pdata_one_pass.scan_whole_message(memoryview(buffer), 0, len(stream), 0)
        assert scanned is not None and b"".join(scanned[2]) == data
        assert read.call_count == 3  # the command's PDU, the first data PDU, the last


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "inside a longer buffer"])
def test_data_pdus_of_the_same_header_give_what_the_walk_gives(kind: str) -> None:
    stream, data = _repeated_headers()
    piece: bytes | bytearray | memoryview = (
        stream
        if kind == "bytes"
        else bytearray(stream)
        if kind == "bytearray"
        else memoryview(b"\0" + stream + b"\0")[1:-1]
    )
    whole = dk.MessageAssembler().feed(piece)
    assert outcome(dk.MessageAssembler(), [stream]) == outcome(
        dk.MessageAssembler(), [stream[i : i + 1] for i in range(len(stream))]
    )
    (event,) = whole
    assert isinstance(event, dk.MessageReceived)
    payload = event.message.data_set_payload
    assert payload is not None and payload.to_bytes() == data


def test_a_data_pdu_of_a_header_checked_before_still_ends_in_the_buffer() -> None:
    """A PDU that begins as the one before but is not wholly in the buffer (up to
    ``end``) leaves the message to the walk; and a last PDU on another context is said."""
    from dimsekit._framing.pdata_one_pass import scan_whole_message

    stream, _ = _repeated_headers()
    cut = len(stream) - len(p_data(pdv(1, 0x02, bytes(224)))) - 100  # in the 4th data PDU
    assert scan_whole_message(memoryview(stream), 0, cut, 0) is None
    assert scan_whole_message(memoryview(stream[:cut]), 0, cut, 0) is None
    assert dk.MessageAssembler().feed(stream[:cut]) == []
    other, _ = _repeated_headers(last_context=3)
    assert scan_whole_message(memoryview(other), 0, len(other), 0) is None
    with pytest.raises(dk.FramingError, match="context ID changes from 1 to 3"):
        dk.MessageAssembler().feed(other)


def test_the_predicates_and_their_conjunction_agree_with_the_declarations() -> None:
    from dimsekit._framing import rules

    values = {"item_length": 8, "room": 12, "is_command": 1, "in_data": False}
    values |= {"context_id": 3, "message_context": 3}
    assert rules.fragment_clean(*values.values())
    for name in ("pdv_item_fits", "fragment_not_empty", "fragment_in_order", "one_context"):
        rule = rules.RULES[name]
        assert rule.holds(*(values[n] for n in rule.names)) is True
        assert getattr(rules, name.upper()) is rule  # named by its constant
    assert not rules.FRAGMENT_EVEN.holds(7) and rules.FRAGMENT_EVEN.holds(8)
    assert not rules.PDV_ITEM_FITS.holds(9, 12) and rules.PDV_ITEM_FITS.holds(8, 12)
    assert not rules.fragment_clean(7, 12, 1, False, 3, 3)  # odd
    assert not rules.fragment_clean(8, 12, 1, False, 3, 5)  # another context
    assert not rules.FRAGMENT_IN_ORDER.holds(0, False)
    assert not rules.FRAGMENT_IN_ORDER.holds(1, True)


def test_a_p_data_tf_with_no_pdv_item_is_refused_in_the_words_it_always_had() -> None:
    with pytest.raises(dk.FramingError) as raised:
        dk.MessageAssembler().feed(b"\x04\x00\x00\x00\x00\x00")
    assert raised.value.rule == "P-DATA-TF with no PDV item (PS3.8 9.3.5: one or more)"
    assert raised.value.offset == 0


# --- the typed PDUs (PS3.8 9.3) ----------------------------------------------------------------

RECORDINGS = Path(__file__).parent / "data" / "association"
RECORDED = {path.stem: path.read_bytes() for path in sorted(RECORDINGS.glob("*.pdu"))}


@pytest.mark.parametrize("step", [1, 7, 1 << 20])
def test_every_recorded_pdu_comes_out_typed_as_decode_pdu_reads_it(step: int) -> None:
    """Each PDU a real peer sent, fed between messages whole or split anywhere, comes out
    with its typed form: what decode_pdu gives for its bytes, decoded strictly by a
    strict assembler."""
    echo = pdu_stream(dk.CEchoRequest(message_id=1), max_pdu=0)
    stream = b"".join(pdu + echo for pdu in RECORDED.values())
    for strict in (False, True):
        events = feed_in_steps(dk.MessageAssembler(strict=strict), stream, step)
        received = [event for event in events if isinstance(event, dk.PDUReceived)]
        assert [event.pdu for event in received] == list(RECORDED.values())
        for event in received:
            decoded = event.decoded
            assert isinstance(decoded, dk.DecodedPDU), decoded
            assert decoded == dk.decode_pdu(event.pdu, strict=strict)
            assert dk.PDUType(event.pdu[0]) is event.pdu_type
            assert dk.encode_pdu(decoded.pdu) == event.pdu


def feed_in_steps(assembler: dk.MessageAssembler, stream: bytes, step: int) -> list[dk.Event]:
    events: list[dk.Event] = []
    for start in range(0, len(stream), step):
        events += assembler.feed(stream[start : start + step])
    return events


def test_a_deviating_pdu_has_its_diagnostics_and_strictly_its_decode_error() -> None:
    """A protocol version without bit 0 (PS3.8 9.3.2): lenient, the typed RQ with the
    diagnostic; strict, the DecodeError that decode_pdu raises, on the event (the PDU is
    framed correctly, so the stream goes on, as with an undecodable command set)."""
    rq = RECORDED["storescu-rq"]
    bad = rq[:6] + b"\x00\x02" + rq[8:]
    echo = pdu_stream(dk.CEchoRequest(message_id=1), max_pdu=0)
    lenient, message = dk.MessageAssembler().feed(bad + echo)
    assert isinstance(lenient, dk.PDUReceived) and lenient.diagnostics == ()
    assert isinstance(lenient.decoded, dk.DecodedPDU)
    assert isinstance(lenient.decoded.pdu, dk.AAssociateRQ)
    assert [(d.rule, d.offset) for d in lenient.decoded.diagnostics] == [("PS3.8 9.3.2", 6)]
    assert isinstance(message, dk.MessageReceived)
    strict, message = dk.MessageAssembler(strict=True).feed(bad + echo)
    assert isinstance(strict, dk.PDUReceived) and isinstance(strict.decoded, dk.DecodeError)
    assert strict.decoded.offset == 6 and "lacks bit 0" in str(strict.decoded)
    assert isinstance(message, dk.MessageReceived)


def test_a_pdu_that_does_not_decode_is_named_on_its_event_and_the_stream_goes_on() -> None:
    # an A-ASSOCIATE-RQ whose Application Context item runs past the PDU
    cut = bytes([1, 0]) + (74).to_bytes(4, "big") + RECORDED["storescu-rq"][6:80]
    echo = pdu_stream(dk.CEchoRequest(message_id=1), max_pdu=0)
    for strict in (False, True):
        for step in (1, len(cut)):
            event, message = feed_in_steps(dk.MessageAssembler(strict=strict), cut + echo, step)
            assert isinstance(event, dk.PDUReceived) and event.pdu == cut
            assert isinstance(event.decoded, dk.DecodeError) and event.decoded.offset == 74
            assert "runs past the end of the A-ASSOCIATE-RQ" in str(event.decoded)
            assert isinstance(message, dk.MessageReceived)


def test_the_typed_pdu_is_derived_so_equality_pickles_and_hand_made_events_keep() -> None:
    import pickle

    release = RECORDED["storescu-release-rq"]
    by_hand = dk.PDUReceived(dk.PDUType.A_RELEASE_RQ, release)
    assert by_hand.decoded == dk.DecodedPDU(dk.AReleaseRQ())
    (fed,) = dk.MessageAssembler().feed(release)
    assert fed == by_hand and repr(fed) == repr(by_hand)
    again = pickle.loads(pickle.dumps(fed))
    assert again == fed and again.decoded == fed.decoded
    # a pickle of before the typed PDUs (no "decoded" in its state) decodes its bytes
    old = dk.PDUReceived.__new__(dk.PDUReceived)
    old.__setstate__({"pdu_type": dk.PDUType.A_RELEASE_RQ, "pdu": release, "diagnostics": ()})
    assert old == fed and old.decoded == fed.decoded


def test_the_one_pass_event_is_the_one_its_init_makes_and_only_a_plain_class_gets_one() -> None:
    """The one-pass path builds MessageReceived by its slots, generated from its attrs
    fields: the same event as its ``__init__``; a class whose ``__init__`` would check or
    convert a field is refused at import, not built past its checks."""
    message = dk.CEchoRequest(message_id=7)
    built = pdata_receive._message_received(3, message, (), b"\x01\x02")
    made = dk.MessageReceived(3, message, (), b"\x01\x02")
    assert type(built) is dk.MessageReceived and built == made
    assert attrs.astuple(built, recurse=False) == attrs.astuple(made, recurse=False)

    @attrs.frozen
    class Checked:
        context_id: int = attrs.field(validator=attrs.validators.instance_of(int))

    with pytest.raises(AssertionError, match="does more than set its fields"):
        pdata_receive._slot_builder(Checked)  # type: ignore[arg-type]
