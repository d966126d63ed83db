"""Whole conversations of real peers replayed into an association engine of each role.

tests/data/association/conversations/ holds both byte streams of five connections
recorded between DCMTK and pynetdicom peers (its README says which).  An engine of the
requestor's role is given the acceptor's stream, and one of the acceptor's role the
requestor's stream, while it sends, in the recorded order, what its side sent: the
recorded A-ASSOCIATE-RQ or -AC (decoded, as a caller would hand it over), the message of
each recorded P-DATA-TF (decoded, and sent with ``send_message``, so that the engine
tracks its operation), and the release and abort PDUs as the local primitives that make
them.  What it answers is the standard's: the engine must take every PDU the real peer
sent, give the same messages that the framing layer reads from the stream on its own,
each as its operation's event, every response paired with the request it answers, write
byte for byte what the real side wrote, and end in Sta1 with the transport closed, whole
and one byte at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import dimsekit as dk
from dimsekit._association.states import State
from tests.data.association import record
from tests.helpers import dimse_events, received_message

CONVERSATIONS = Path(__file__).parent / "data" / "association" / "conversations"
NAMES = sorted(path.stem for path in CONVERSATIONS.glob("*.json"))
PEER = {dk.Role.REQUESTOR: "acceptor", dk.Role.ACCEPTOR: "requestor"}
"""Whose stream an engine of each role is fed."""


def pdus(name: str, side: str) -> list[bytes]:
    return record.split_pdus((CONVERSATIONS / f"{name}.{side}").read_bytes())


def local_event(pdu: bytes) -> dk.LocalEvent:
    """The local primitive that makes a recorded PDU of ours (PS3.8 Table 9-10)."""
    decoded = dk.decode_pdu(pdu, strict=True).pdu
    match decoded:
        case dk.AAssociateRQ():
            return dk.AssociateRequest(decoded)
        case dk.AAssociateAC():
            return dk.AssociateAccept(decoded)
        case dk.AAssociateRJ():
            return dk.AssociateReject(decoded)
        case dk.AReleaseRQ():
            return dk.ReleaseRequest()
        case dk.AReleaseRP():
            return dk.ReleaseResponse()
        case dk.AAbort():
            return dk.AbortRequest()
    raise AssertionError(f"no local primitive makes {decoded!r}")


def turns(ours: list[bytes]) -> Iterator[list[bytes]]:
    """Our PDUs in the units a user sends them: all the P-DATA-TF of one message (up to
    the one whose last PDV has the last-fragment bit of a data set or of a command
    announcing none), or one other PDU."""
    unit: list[bytes] = []
    for pdu in ours:
        if pdu[0] != dk.PDUType.P_DATA_TF:
            if unit:
                yield unit
                unit = []
            yield [pdu]
            continue
        unit.append(pdu)
        if _ends_a_message(unit):
            yield unit
            unit = []
    if unit:
        yield unit


def _ends_a_message(unit: list[bytes]) -> bool:
    assembler = dk.MessageAssembler()
    return any(isinstance(e, dk.MessageReceived) for pdu in unit for e in assembler.feed(pdu))


def messages_in(stream: bytes) -> list[tuple[int, dk.Message]]:
    """The messages the framing layer reads from ``stream`` alone, with their context."""
    events = dk.MessageAssembler().feed(stream)
    return [(e.context_id, e.message) for e in events if isinstance(e, dk.MessageReceived)]


ANSWERED = (
    dk.AssociationRequested,
    dk.AssociationAccepted,
    dk.RequestReceived,
    dk.ResponseReceived,
    dk.ReleaseRequested,
)
"""The events after which a side's user sends its next unit."""


@attrs.define
class Replay:
    role: dk.Role
    engine: dk.Association
    written: list[bytes] = attrs.Factory(list)
    events: list[object] = attrs.Factory(list)
    log: list[tuple[str, object]] = attrs.Factory(list)
    """What we sent (``"sent"``, its context and message, for a message) and each event
    (``"event"``), in order."""

    def send(self, unit: list[bytes]) -> None:
        if unit[0][0] == dk.PDUType.P_DATA_TF:
            ((context_id, message),) = messages_in(b"".join(unit))
            pdus = self.engine.send_message(context_id, message, now=0.0)
            self.written.append(b"".join(b"".join(pdu) for pdu in pdus))
            self.log.append(("sent", (context_id, message)))
            return
        for pdu in unit:
            self.written.append(b"".join(self.engine.send(local_event(pdu), now=0.0)))
            self.log.append(("sent", dk.decode_pdu(pdu).pdu))

    def feed(self, data: bytes) -> int:
        """Feed ``data``; how many events call for our next unit."""
        self.engine.receive_data(data, now=0.0)
        self.written.append(b"".join(self.engine.data_to_send()))
        calls = 0
        for event in self.engine.events():
            self.events.append(event)
            self.log.append(("event", event))
            calls += isinstance(event, ANSWERED)
        return calls


def replay(name: str, role: dk.Role, *, bytewise: bool) -> Replay:
    """Feed the peer's stream a PDU (or a byte) at a time, sending our next unit after each
    event that calls for it, as the real side did: a peer sends only when it is its turn,
    so its stream cannot be handed over all at once before we answer."""
    ours = list(turns(pdus(name, role.value)))
    run = Replay(role, dk.Association(role, now=0.0))
    owed = 1 if role is dk.Role.REQUESTOR else 0  # the requestor speaks first
    pieces = [
        piece
        for pdu in pdus(name, PEER[role])
        for piece in ([pdu[i : i + 1] for i in range(len(pdu))] if bytewise else [pdu])
    ]
    for piece in [*pieces, b""]:
        while owed and ours:
            run.send(ours.pop(0))
            owed -= 1
        owed += run.feed(piece)
    assert ours == [], f"{name}: the engine never let us send {len(ours)} more unit(s)"
    return run


@pytest.mark.parametrize("role", list(dk.Role), ids=lambda role: role.value)
@pytest.mark.parametrize("name", NAMES)
def test_a_real_conversation_replays_into_an_engine(name: str, role: dk.Role) -> None:
    whole = replay(name, role, bytewise=False)
    theirs = (CONVERSATIONS / f"{name}.{PEER[role]}").read_bytes()
    # every message the peer sent, as the framing layer reads the stream alone, on its
    # context, each as the event of its operation
    received = [received_message(e) for e in dimse_events(whole.events)]
    assert received == messages_in(theirs)
    assert not any(isinstance(e, dk.UndecodableMessage | dk.Diagnostics) for e in whole.events)
    # what the engine wrote is what the real side wrote, byte for byte
    assert b"".join(whole.written) == (CONVERSATIONS / f"{name}.{role.value}").read_bytes()
    # the end: released or aborted as recorded, the transport closed, Sta1
    sent = json.loads((CONVERSATIONS / f"{name}.json").read_text())["sent"]
    aborted = [e for e in whole.events if isinstance(e, dk.Aborted)]
    if "A-ABORT" in sent[PEER[role]]:
        (abort,) = aborted
        assert abort.by_peer and abort.source == dk.AbortSource.SERVICE_USER
    elif "A-ABORT" in sent[role.value]:
        assert aborted == []  # our own abort: the user asked for it, nothing to be told
    else:
        assert aborted == [] and any(isinstance(e, dk.Released) for e in whole.events) == (
            role is dk.Role.REQUESTOR
        )
    assert whole.engine.state is State.STA1
    # one byte at a time: the same events, the same bytes
    bytewise = replay(name, role, bytewise=True)
    assert bytewise.events == whole.events
    assert b"".join(bytewise.written) == b"".join(whole.written)


def test_the_replayed_conversations_are_those_recorded() -> None:
    assert len(NAMES) == 5 and all(pdus(name, "requestor") for name in NAMES)


def responses_in(name: str, side: str) -> int:
    """How many responses ``side`` sent in conversation ``name``."""
    stream = (CONVERSATIONS / f"{name}.{side}").read_bytes()
    return sum(isinstance(m, dk.Response) for _, m in messages_in(stream))


@pytest.mark.parametrize("role", list(dk.Role), ids=lambda role: role.value)
@pytest.mark.parametrize("name", NAMES)
def test_the_replayed_streams_give_the_same_operations_each_paired_with_its_request(
    name: str, role: dk.Role
) -> None:
    """The recorded real-peer streams replayed into the engine give the same operations,
    each paired with its request: every request the peer sent is a RequestReceived; every
    response it sent, a final ResponseReceived paired with the request we sent earlier
    in the stream (its Message ID, its context, no check_response mismatch); every
    response we sent answers a request received earlier; what is left unanswered is only
    what an abort cut, reported as OperationsUnfinished; whole and one byte at a time,
    the same events."""
    whole = replay(name, role, bytewise=False)
    bytewise = replay(name, role, bytewise=True)
    assert bytewise.log == whole.log  # the same events, between the same sends
    ours: dict[int, tuple[int, dk.Message]] = {}  # our requests awaiting their response
    taken: dict[int, dk.Operation] = {}  # the peer's awaiting ours
    responses = answered = 0
    for kind, item in whole.log:
        if kind == "sent" and isinstance(item, tuple):
            context_id, message = item
            if isinstance(message, dk.Request):
                assert message.message_id not in ours
                ours[message.message_id] = (context_id, message)
            else:  # our response, to a request taken earlier in the stream
                assert isinstance(message, dk.Response)
                operation = taken.pop(message.message_id_being_responded_to)
                answered += 1
                assert operation.context_id == context_id
                assert operation.request.check_response(message) == []
        elif isinstance(item, dk.OperationEvent):
            assert isinstance(item, dk.RequestReceived | dk.ResponseReceived), item
            assert item.diagnostics == ()
            if isinstance(item, dk.RequestReceived):
                assert not item.operation.ours
                taken[item.request.message_id] = item.operation
                continue
            responses += 1
            context_id, request = ours.pop(item.response.message_id_being_responded_to)
            assert item.operation.ours and item.final and not item.cancelled
            assert (item.operation.context_id, item.operation.request) == (context_id, request)
            assert item.operation.message_id == item.response.message_id_being_responded_to
            assert item.mismatches == ()
            assert isinstance(request, dk.Request) and request.check_response(item.response) == []
    assert (responses, answered) == (
        responses_in(name, PEER[role]),
        responses_in(name, role.value),
    )
    # every conversation but the one whose acceptor aborted in place of its response
    # has a pairing to check
    assert (responses + answered > 0) == (name != "storescu-storescp-abort")
    # left unanswered: only what an abort cut, ended with the association (ours first)
    unfinished = [e for e in whole.events if isinstance(e, dk.OperationsUnfinished)]
    left = [m for _, m in ours.values()] + [o.request for o in taken.values()]
    assert [o.request for u in unfinished for o in u.operations] == left
    assert bool(left) == (name == "storescu-storescp-abort")
    assert whole.engine.outstanding_ours == {} and whole.engine.outstanding_peers == {}
