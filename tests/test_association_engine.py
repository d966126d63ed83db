"""The association engine, the h11 way: a requestor and an acceptor talking in memory,
every scenario fed whole and one byte at a time; every cell of PS3.8 Table 9-10 driven
on a real engine; a fuzz target."""

from __future__ import annotations

import io
import json
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dimsekit as dk
from dimsekit import (
    NEED_DATA,
    Aborted,
    AbortRequest,
    Action,
    AssociateAccept,
    AssociateReject,
    AssociateRequest,
    Association,
    AssociationAccepted,
    AssociationRejected,
    AssociationRequested,
    AwaitTransportClose,
    Branch,
    CloseTransport,
    Diagnostics,
    LocalProtocolError,
    PData,
    Released,
    ReleaseRequest,
    ReleaseRequested,
    ReleaseResponse,
    Role,
    State,
    TimedOut,
    ULEvent,
)
from dimsekit._association import engine as engine_module
from tests.helpers import (
    CT,
    EnginePair,
    Side,
    dimse_events,
    joined,
    p_data,
    pdv,
    received_message,
    store,
)

VERIFICATION = "1.2.840.10008.1.1"
IMPLICIT = "1.2.840.10008.1.2"
EXPLICIT = "1.2.840.10008.1.2.1"
S = State


def state_of(engine: Association) -> State:
    """The engine's state (a call, so that type checkers do not narrow it across steps)."""
    return engine.state


BOTH_ROLES = dk.RoleSelection(sop_class_uid=CT, scu_role=1, scp_role=1)
"""CT Image Storage with either side SCU and SCP: proposed in the RQ, accepted in the AC
(PS3.7 D.3.3.4), for an acceptor that sends C-STORE-RQ too."""


def user_information(maximum_length: int = 16382, roles: bool = False) -> dk.UserInformation:
    return dk.UserInformation.of(
        maximum_length=maximum_length,
        implementation_class_uid="1.2.826.0.1.3680043.9.1",
        others=[BOTH_ROLES] if roles else [],
    )


def make_rq(maximum_length: int = 16382, roles: bool = False, **kwargs: Any) -> dk.AAssociateRQ:
    fields: dict[str, Any] = {
        "called_ae_title": "ACCEPTOR",
        "calling_ae_title": "REQUESTOR",
        "presentation_contexts": [
            dk.PresentationContextRQ(
                context_id=1, abstract_syntax=VERIFICATION, transfer_syntaxes=[IMPLICIT]
            ),
            dk.PresentationContextRQ(
                context_id=3, abstract_syntax=CT, transfer_syntaxes=[EXPLICIT, IMPLICIT]
            ),
            dk.PresentationContextRQ(
                context_id=5, abstract_syntax="1.2.3", transfer_syntaxes=[IMPLICIT]
            ),
        ],
        "user_information": user_information(maximum_length, roles),
    }
    fields.update(kwargs)
    return dk.AAssociateRQ(**fields)


def make_ac(
    rq: dk.AAssociateRQ, maximum_length: int = 16382, roles: bool = False
) -> dk.AAssociateAC:
    return dk.AAssociateAC.answering(
        rq,
        presentation_contexts=[
            dk.PresentationContextAC(context_id=1, transfer_syntax=IMPLICIT),
            dk.PresentationContextAC(context_id=3, transfer_syntax=EXPLICIT),
            dk.PresentationContextAC(
                context_id=5, result=dk.ContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED
            ),
        ],
        user_information=user_information(maximum_length, roles),
    )


RQ = make_rq()
AC = make_ac(RQ)
RJ = dk.AAssociateRJ(result=1, source=1, reason=7)
ECHO = dk.CEchoRequest(message_id=1)
ECHO_RSP = dk.CEchoResponse(message_id_being_responded_to=1, status=0)
ROLES_RQ = make_rq(roles=True)
ROLES_AC = make_ac(ROLES_RQ, roles=True)


def store_rsp(request: dk.CStoreRequest) -> dk.CStoreResponse:
    """The success answering ``request`` (PS3.4 B.2.3)."""
    return dk.CStoreResponse(
        message_id_being_responded_to=request.message_id,
        status=0,
        affected_sop_class_uid=request.affected_sop_class_uid,
        affected_sop_instance_uid=request.affected_sop_instance_uid,
    )


def request_received(event: object, context_id: int, request: dk.Message) -> dk.Operation:
    """``event`` is the peer's ``request`` taken on ``context_id``: its operation."""
    assert isinstance(event, dk.RequestReceived), event
    assert (event.request, event.operation.context_id, event.diagnostics) == (
        request,
        context_id,
        (),
    )
    assert not event.operation.ours
    return event.operation


def response_received(event: object, request: dk.Message, response: dk.Message) -> None:
    """``event`` is ``response``, final and matching, paired with our ``request``."""
    assert isinstance(event, dk.ResponseReceived), event
    assert event.response == response and event.operation.request == request
    assert event.operation.ours and event.final and not event.cancelled
    assert event.mismatches == () and event.diagnostics == ()
    assert isinstance(request, dk.Request) and request.check_response(event.response) == []


def message_bytes(message: dk.Message, context_id: int = 1, max_pdu: int = 16382) -> bytes:
    return b"".join(joined(p) for p in dk.fragment_message(message, context_id, max_pdu))


def unknown_pdu() -> bytes:
    return struct.pack(">BBI", 0x09, 0, 4) + bytes(4)


# --- the pair (tests/helpers.py's EnginePair) ----------------------------------------------


def both_ways(scenario: Callable[[EnginePair], None], **options: Any) -> EnginePair:
    """Run ``scenario`` fed whole and fed a byte at a time: the same events."""
    whole, bytewise = EnginePair(**options), EnginePair(bytewise=True, **options)
    scenario(whole)
    scenario(bytewise)
    assert whole.log == bytewise.log
    assert whole.requestor.state == bytewise.requestor.state
    assert whole.acceptor.state == bytewise.acceptor.state
    return whole


# --- scenarios ---------------------------------------------------------------------------


def test_association_established() -> None:
    pair = both_ways(lambda pair: pair.associate(RQ, AC))
    assert pair.kinds() == [
        ("acceptor", "AssociationRequested"),
        ("requestor", "AssociationAccepted"),
    ]
    requested = pair.log[0][1]
    assert isinstance(requested, AssociationRequested) and requested.rq == RQ
    accepted = pair.log[1][1]
    assert isinstance(accepted, AssociationAccepted)
    assert accepted.ac == AC and accepted.diagnostics == ()
    assert sorted(accepted.agreement.contexts) == [1, 3]
    assert state_of(pair.requestor) is state_of(pair.acceptor) is S.STA6
    assert pair.requestor.agreement == pair.acceptor.agreement == accepted.agreement
    assert pair.requestor.next_event() is NEED_DATA


@pytest.mark.parametrize("result", list(dk.RejectResult))
@pytest.mark.parametrize("reason", list(dk.RejectReason))
def test_rejection_every_result_source_reason(
    result: dk.RejectResult, reason: dk.RejectReason
) -> None:
    rj = dk.AAssociateRJ(result=result, source=reason.source, reason=reason)

    def scenario(pair: EnginePair) -> None:
        pair.send("requestor", AssociateRequest(RQ))
        pair.send("acceptor", AssociateReject(rj))

    pair = both_ways(scenario)
    assert pair.kinds() == [
        ("acceptor", "AssociationRequested"),
        ("acceptor", "AwaitTransportClose"),
        ("requestor", "AssociationRejected"),
        ("requestor", "CloseTransport"),
    ]
    rejected = pair.log[2][1]
    assert isinstance(rejected, AssociationRejected)
    assert (rejected.rj, rejected.by_peer) == (rj, True)
    assert (rejected.rj.result, rejected.rj.source, rejected.rj.reason) == (
        result,
        reason.source,
        reason,
    )
    assert state_of(pair.requestor) is S.STA1
    assert state_of(pair.acceptor) is S.STA13
    pair.close("acceptor")  # the requestor closed: AR-5
    assert state_of(pair.acceptor) is S.STA1 and pair.acceptor.deadline is None


def test_the_provider_rejects_an_unacceptable_rq_itself() -> None:
    odd = make_rq(application_context=dk.ApplicationContext(name="1.2.3.4"))

    def scenario(pair: EnginePair) -> None:
        pair.send("requestor", AssociateRequest(odd))

    pair = both_ways(scenario)
    assert pair.kinds() == [
        ("acceptor", "AssociationRejected"),
        ("acceptor", "AwaitTransportClose"),
        ("requestor", "AssociationRejected"),
        ("requestor", "CloseTransport"),
    ]
    ours, theirs = pair.log[0][1], pair.log[2][1]
    assert isinstance(ours, AssociationRejected) and isinstance(theirs, AssociationRejected)
    assert not ours.by_peer and theirs.by_peer and ours.rj == theirs.rj
    assert state_of(pair.acceptor) is S.STA13 and pair.acceptor.deadline == 30.0


def with_context_ids(rq: dk.AAssociateRQ, ids: list[int]) -> bytes:
    """``rq`` encoded, its presentation context items' IDs set to ``ids`` (bytes the
    encoder, being strict, never writes)."""
    data = bytearray(dk.encode_pdu(rq))
    position, found = 6 + 68, iter(ids)  # the variable items follow the fixed fields
    while position < len(data):
        item_type, length = data[position], struct.unpack_from(">H", data, position + 2)[0]
        if item_type == 0x20:
            data[position + 4] = next(found)
        position += 4 + length
    return bytes(data)


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize(
    ("ids", "wrong"),
    [
        ([1, 2, 5], "odd integer from 1 to 255; got 2"),
        ([0, 3, 5], "odd integer from 1 to 255; got 0"),
        ([1, 3, 3], "used once in a PDU; got 3"),
    ],
)
def test_an_rq_with_context_ids_against_the_rule_is_an_invalid_pdu(
    strict: bool, ids: list[int], wrong: str
) -> None:
    engine = Association(Role.ACCEPTOR, now=0, strict=strict)
    engine.receive_data(with_context_ids(RQ, ids), now=0)
    aborted, wait = engine.events()  # never an AssociationRequested it could not answer
    assert isinstance(aborted, Aborted) and isinstance(wait, AwaitTransportClose)
    assert (aborted.source, aborted.reason, aborted.by_peer) == (
        dk.AbortSource.SERVICE_USER,  # AA-1 in Sta2 (PS3.8 Table 9-10, Evt19)
        dk.AbortReason.NOT_SPECIFIED,
        False,
    )
    assert "Sta2" in aborted.why and wrong in aborted.why
    assert engine.data_to_send() == [dk.encode_pdu(dk.AAbort(source=0, reason=0))]
    assert state_of(engine) is S.STA13


BIG_STORE = store(b"\x01\x02" * 20_000)
SMALL_STORE = store(b"ab" * 10)


def echo_and_store(pair: EnginePair) -> None:
    pair.associate(ROLES_RQ, ROLES_AC)  # the acceptor may be SCU of CT too
    pair.message("requestor", 1, ECHO)
    pair.message("acceptor", 1, ECHO_RSP)
    pair.message("requestor", 3, BIG_STORE)
    pair.message("acceptor", 3, SMALL_STORE)  # the same Message ID: the other sender's
    pair.message("acceptor", 3, store_rsp(BIG_STORE))
    pair.message("requestor", 3, store_rsp(SMALL_STORE))


def test_p_data_both_ways() -> None:
    pair = both_ways(echo_and_store)
    received = [(side, e) for side, e in pair.log if isinstance(e, dk.OperationEvent)]
    assert [(side, *received_message(e)) for side, e in received] == [
        ("acceptor", 1, ECHO),
        ("requestor", 1, ECHO_RSP),
        ("acceptor", 3, BIG_STORE),
        ("requestor", 3, SMALL_STORE),
        ("requestor", 3, store_rsp(BIG_STORE)),
        ("acceptor", 3, store_rsp(SMALL_STORE)),
    ]
    events = [e for _, e in received]
    request_received(events[0], 1, ECHO)
    response_received(events[1], ECHO, ECHO_RSP)
    request_received(events[2], 3, BIG_STORE)
    request_received(events[3], 3, SMALL_STORE)
    # the same Message ID Being Responded To: each paired with its own side's request
    response_received(events[4], BIG_STORE, store_rsp(BIG_STORE))
    response_received(events[5], SMALL_STORE, store_rsp(SMALL_STORE))
    for engine in (pair.requestor, pair.acceptor):  # every operation ended
        assert engine.outstanding_ours == {} and engine.outstanding_peers == {}
    assert pair.requestor.agreement is not None
    assert pair.requestor.agreement.contexts[3].requestor_is_scp  # the roles negotiated


def test_a_request_on_a_context_where_we_are_not_scu_is_refused_nothing_sent() -> None:
    pair = EnginePair()
    pair.associate(RQ, AC)  # the default roles: the acceptor is only SCP of CT
    with pytest.raises(LocalProtocolError, match="did not make the acceptor SCU") as raised:
        pair.acceptor.send_message(3, SMALL_STORE, now=0)
    assert (raised.value.state, raised.value.event) == ("Sta6", "Evt9")
    assert pair.acceptor.outstanding_ours == {} and pair.acceptor.data_to_send() == []


def test_a_data_set_larger_than_the_peers_maximum_goes_in_pdus_within_it() -> None:
    pair = EnginePair()
    rq = make_rq(maximum_length=1000, roles=True)  # the acceptor may send a C-STORE-RQ too
    pair.send("requestor", AssociateRequest(rq))
    pair.send("acceptor", AssociateAccept(make_ac(rq, maximum_length=4000, roles=True)))
    sides: tuple[tuple[Side, int], ...] = (("requestor", 4000), ("acceptor", 1000))
    for sender, limit in sides:
        pdus = [joined(p) for p in pair.side(sender).send_message(3, store(b"xy" * 10_000), now=0)]
        assert len(pdus) > 20_000 // limit
        assert all(len(p) - 6 <= limit for p in pdus)
        for p in pdus:
            pair.deliver(sender, p)
    received = [(side, e) for side, e in pair.log if isinstance(e, dk.OperationEvent)]
    assert [side for side, _ in received] == ["acceptor", "requestor"]
    for _, event in received:
        request_received(event, 3, store(b"xy" * 10_000))


def test_a_peer_maximum_of_zero_means_our_cap() -> None:
    pair = EnginePair()
    pair.send("requestor", AssociateRequest(RQ))
    pair.send("acceptor", AssociateAccept(make_ac(RQ, maximum_length=0)))
    size = dk.UNLIMITED_SEND_CAP * 2 + 100
    pdus = [joined(p) for p in pair.requestor.send_message(3, store(b"z" * size), now=0)]
    assert max(len(p) - 6 for p in pdus) == dk.UNLIMITED_SEND_CAP


def release(pair: EnginePair) -> None:
    pair.associate(RQ, AC)
    pair.send("requestor", ReleaseRequest())
    pair.send("acceptor", ReleaseResponse())


def test_release() -> None:
    pair = both_ways(release)
    assert pair.kinds()[2:] == [
        ("acceptor", "ReleaseRequested"),
        ("acceptor", "AwaitTransportClose"),
        ("requestor", "Released"),
        ("requestor", "CloseTransport"),
    ]
    assert state_of(pair.requestor) is S.STA1 and state_of(pair.acceptor) is S.STA13
    assert pair.log[2][1] == ReleaseRequested(collision=False, must_respond=True)
    assert pair.log[4][1] == Released(must_respond=False)


def test_release_by_the_acceptor() -> None:
    def scenario(pair: EnginePair) -> None:
        pair.associate(RQ, AC)
        pair.send("acceptor", ReleaseRequest())
        pair.send("requestor", ReleaseResponse())

    pair = both_ways(scenario)
    assert state_of(pair.acceptor) is S.STA1 and state_of(pair.requestor) is S.STA13


@pytest.mark.parametrize("requestor_first", [True, False])
@pytest.mark.parametrize("rq_and_rp_together", [True, False])
def test_release_collision(requestor_first: bool, rq_and_rp_together: bool) -> None:
    """Both users release at once (PS3.8 7.2.2): the requestor answers first (Sta9,
    Sta11), the acceptor after its confirmation (Sta10, Sta12)."""

    def scenario(pair: EnginePair) -> None:
        pair.associate(RQ, AC)
        pair.send("requestor", ReleaseRequest(), hold=True)
        pair.send("acceptor", ReleaseRequest(), hold=True)
        assert state_of(pair.requestor) is state_of(pair.acceptor) is S.STA7
        if requestor_first and not rq_and_rp_together:
            pair.release("requestor")
            assert state_of(pair.acceptor) is S.STA10
            pair.release("acceptor")
            assert state_of(pair.requestor) is S.STA9
            pair.send("requestor", ReleaseResponse())
        elif requestor_first:
            pair.release("acceptor")  # the acceptor's RQ first, then ours with our RP
            pair.send("requestor", ReleaseResponse(), hold=True)
            assert state_of(pair.requestor) is S.STA11
            pair.release("requestor")  # RQ and RP in one read: Sta7 -> Sta10 -> Sta12
        else:
            pair.release("acceptor")
            assert state_of(pair.requestor) is S.STA9
            pair.release("requestor")
            assert state_of(pair.acceptor) is S.STA10
            pair.send("requestor", ReleaseResponse(), hold=not rq_and_rp_together)
            if not rq_and_rp_together:
                assert state_of(pair.requestor) is S.STA11
                pair.release("requestor")
        assert state_of(pair.acceptor) is S.STA12
        pair.send("acceptor", ReleaseResponse())

    pair = both_ways(scenario)
    assert state_of(pair.requestor) is S.STA1 and state_of(pair.acceptor) is S.STA13
    requestor = [e for side, e in pair.log if side == "requestor"][1:]
    acceptor = [e for side, e in pair.log if side == "acceptor"][1:]
    # must_respond: the requestor answers at its indication (Sta9), the acceptor only at
    # its confirmation (Sta10, then Sta12)
    assert requestor == [
        ReleaseRequested(collision=True, must_respond=True),
        Released(must_respond=False),
        CloseTransport(),
    ]
    assert acceptor == [
        ReleaseRequested(collision=True, must_respond=False),
        Released(must_respond=True),
        AwaitTransportClose(30.0),
    ]


def test_p_data_while_releasing_ar_6_and_ar_7() -> None:
    def scenario(pair: EnginePair) -> None:
        pair.associate(RQ, AC)
        pair.message("requestor", 1, ECHO)
        # the C-ECHO outstanding: a release is refused unless the user abandons it
        with pytest.raises(LocalProtocolError, match="outstanding"):
            pair.requestor.send(ReleaseRequest(), now=pair.now)
        pair.send("requestor", ReleaseRequest(abandon_outstanding=True))
        assert state_of(pair.acceptor) is S.STA8
        with pytest.raises(LocalProtocolError, match="outstanding"):
            pair.acceptor.send(ReleaseResponse(), now=pair.now)  # the C-ECHO is still owed
        pair.message("acceptor", 1, ECHO_RSP)  # AR-7
        assert state_of(pair.acceptor) is S.STA8 and state_of(pair.requestor) is S.STA7  # AR-6
        pair.send("acceptor", ReleaseResponse())

    pair = both_ways(scenario)
    assert pair.kinds()[2:] == [
        ("acceptor", "RequestReceived"),
        ("acceptor", "ReleaseRequested"),
        ("requestor", "ResponseReceived"),  # paired: no OperationsUnfinished at the end
        ("acceptor", "AwaitTransportClose"),
        ("requestor", "Released"),
        ("requestor", "CloseTransport"),
    ]
    request_received(pair.log[2][1], 1, ECHO)
    response_received(pair.log[4][1], ECHO, ECHO_RSP)


@pytest.mark.parametrize("who", ["requestor", "acceptor"])
def test_abort_both_ways(who: Side) -> None:
    def scenario(pair: EnginePair) -> None:
        pair.associate(RQ, AC)
        pair.send(who, AbortRequest())

    pair = both_ways(scenario)
    other = pair.other(who)
    assert pair.kinds()[2:] == [
        (who, "AwaitTransportClose"),
        (other, "Aborted"),
        (other, "CloseTransport"),
    ]
    aborted = pair.log[3][1]
    assert isinstance(aborted, Aborted)
    assert (aborted.source, aborted.reason, aborted.by_peer) == (
        dk.AbortSource.SERVICE_USER,
        dk.AbortReason.NOT_SPECIFIED,
        True,
    )
    assert aborted.pdu == dk.AAbort() and "service user" in aborted.why
    assert state_of(pair.side(who)) is S.STA13 and state_of(pair.side(other)) is S.STA1
    pair.close(who)
    assert state_of(pair.side(who)) is S.STA1


def test_provider_abort_received_says_its_reason() -> None:
    pair = EnginePair()
    pair.associate(RQ, AC)
    pair.feed("requestor", dk.encode_pdu(dk.AAbort(source=2, reason=6)))
    aborted = pair.log[-2][1]
    assert isinstance(aborted, Aborted) and aborted.by_peer
    assert aborted.reason is dk.AbortReason.INVALID_PDU_PARAMETER_VALUE
    assert "service provider" in aborted.why and "INVALID_PDU_PARAMETER_VALUE" in aborted.why


def test_artim_expires_in_sta2() -> None:
    def scenario(pair: EnginePair) -> None:
        assert pair.acceptor.deadline == 30.0
        pair.timer("acceptor", 29.9)
        assert state_of(pair.acceptor) is S.STA2
        pair.timer("acceptor", 30.0)

    pair = both_ways(scenario)
    assert pair.log == [("acceptor", TimedOut("artim")), ("acceptor", CloseTransport())]
    assert state_of(pair.acceptor) is S.STA1 and pair.acceptor.deadline is None


def test_artim_expires_in_sta13() -> None:
    def scenario(pair: EnginePair) -> None:
        release(pair)
        pair.now = 5
        assert pair.acceptor.deadline == 30.0
        pair.timer("acceptor", 31.0)

    pair = both_ways(scenario)
    assert pair.log[-2:] == [("acceptor", TimedOut("artim")), ("acceptor", CloseTransport())]
    assert state_of(pair.acceptor) is S.STA1


@pytest.mark.parametrize("which", ["request", "release"])
def test_an_unanswered_request_or_release_times_out_and_aborts(which: str) -> None:
    def scenario(pair: EnginePair) -> None:
        if which == "request":
            pair.send("requestor", AssociateRequest(RQ), hold=True)
        else:
            pair.associate(RQ, AC)
            pair.send("requestor", ReleaseRequest(), hold=True)
        assert pair.requestor.deadline == 10.0
        pair.timer("requestor", 10.0)

    pair = both_ways(scenario, request_timeout=10.0, release_timeout=10.0)
    mine = [e for side, e in pair.log if side == "requestor"]
    assert mine[-3:-1] == [TimedOut(which), mine[-2]]  # type: ignore[arg-type]
    aborted = mine[-2]
    assert isinstance(aborted, Aborted) and not aborted.by_peer
    assert aborted.source is dk.AbortSource.SERVICE_USER
    waited = {"request": "A-ASSOCIATE-AC or -RJ", "release": "A-RELEASE-RP"}[which]
    assert f"no {waited} came within {which}_timeout (10.0 s) in Sta" in aborted.why
    assert "not ARTIM" not in aborted.why
    assert mine[-1] == AwaitTransportClose(40.0)
    assert state_of(pair.requestor) is S.STA13
    # ARTIM now runs for Sta13, from the abort: an application timeout is not ARTIM.
    assert pair.requestor.deadline == 40.0


def test_idle_timeout_only_says_so() -> None:
    pair = EnginePair(idle_timeout=5.0)
    pair.associate(RQ, AC)
    assert pair.requestor.deadline == 5.0
    pair.now = 3
    pair.message("requestor", 1, ECHO)
    assert pair.requestor.deadline == 8.0 and pair.acceptor.deadline == 8.0
    pair.timer("requestor", 8.0)
    assert pair.log[-1] == ("requestor", TimedOut("idle"))
    assert state_of(pair.requestor) is S.STA6 and pair.requestor.deadline is None
    assert pair.requestor.data_to_send() == []


def test_the_idle_timer_restarts_at_each_pdu_received_not_each_message() -> None:
    engine = established(Role.ACCEPTOR, idle_timeout=10.0)
    assert engine.deadline == 10.0
    stream = message_bytes(store(b"ab" * 100), 3, max_pdu=100)
    pdus = []
    while stream:
        length = 6 + struct.unpack_from(">I", stream, 2)[0]
        pdus.append(stream[:length])
        stream = stream[length:]
    assert len(pdus) > 3
    for now, pdu in zip((5.0, 9.0, 14.0), pdus, strict=False):
        engine.receive_data(pdu, now=now)  # the message is not whole yet
        assert engine.deadline == now + 10.0
    engine.receive_data(pdus[3][:3], now=20.0)  # a PDU header begun only
    engine.handle_timer(now=23.0)
    assert engine.events() == [] and state_of(engine) is S.STA6
    engine.receive_data(b"".join(pdus[3:])[3:], now=24.0)
    assert engine.deadline == 34.0
    (received,) = engine.events()
    request_received(received, 3, store(b"ab" * 100))
    engine.handle_timer(now=34.0)
    assert engine.events() == [TimedOut("idle")]


def test_p_data_while_awaiting_the_release_rp_restarts_the_release_timer() -> None:
    engine = established(Role.REQUESTOR, release_timeout=10.0)
    list(engine.send_message(1, ECHO, now=0.5))
    engine.send(ReleaseRequest(abandon_outstanding=True), now=1.0)  # its response to come
    assert state_of(engine) is S.STA7 and engine.deadline == 11.0
    stream = message_bytes(ECHO_RSP, 1, max_pdu=100)
    engine.receive_data(stream[:20], now=8.0)  # a P-DATA-TF begun (AR-6)
    assert engine.deadline == 18.0
    engine.receive_data(stream[20:], now=9.0)  # and ended: the message
    assert engine.deadline == 19.0
    engine.handle_timer(now=12.0)
    (received,) = engine.events()
    response_received(received, ECHO, ECHO_RSP)
    assert engine.outstanding_ours == {}
    engine.receive_data(RELEASE_RQ, now=13.0)  # not P-DATA: no restart (Sta9 now)
    assert engine.deadline == 19.0
    engine.handle_timer(now=19.0)
    assert engine.events()[:2] == [ReleaseRequested(collision=True), TimedOut("release")]


def test_request_timeout_none_never_fires() -> None:
    requestor = Association(Role.REQUESTOR, now=0, request_timeout=None)
    requestor.send(AssociateRequest(RQ), now=0)
    assert requestor.deadline is None
    requestor.handle_timer(now=1e9)
    assert state_of(requestor) is S.STA5 and requestor.events() == []


# --- the peer's maximum, ours, and the ceiling --------------------------------------------------


def established(role: Role, roles: bool = False, **options: Any) -> Association:
    """An engine of ``role`` in Sta6, that announced a maximum of 100; with ``roles``,
    either side may be SCU of CT (``BOTH_ROLES``)."""
    engine = Association(role, now=0, **options)
    rq = make_rq(roles=roles)
    if role is Role.REQUESTOR:
        engine.send(AssociateRequest(make_rq(maximum_length=100, roles=roles)), now=0)
        engine.receive_data(dk.encode_pdu(make_ac(rq, roles=roles)), now=0)
    else:
        engine.receive_data(dk.encode_pdu(rq), now=0)
        engine.send(AssociateAccept(make_ac(rq, maximum_length=100, roles=roles)), now=0)
    engine.events()
    assert state_of(engine) is S.STA6
    return engine


@pytest.mark.parametrize("role", list(Role))
def test_an_incoming_pdu_above_our_maximum_is_taken_with_a_diagnostic(role: Role) -> None:
    engine = established(role, roles=True)  # the acceptor may send a C-STORE-RQ too
    one, two = store(b"q" * 300), store(b"q" * 300, message_id=10)
    engine.receive_data(message_bytes(one, 3, max_pdu=400), now=1)
    said, received = engine.events()
    assert isinstance(said, Diagnostics)
    assert "above the maximum length we announced, 100" in said.diagnostics[0].what
    request_received(received, 3, one)
    list(engine.send_message(3, store_rsp(one), now=1))  # the window is 1 (PS3.7 D.3.3.3)
    engine.receive_data(message_bytes(two, 3, max_pdu=400), now=1)
    (again,) = engine.events()  # the diagnostic is said for the first PDU only
    request_received(again, 3, two)


@pytest.mark.parametrize("options", [{"strict": True}, {"max_pdu_ceiling": 200}])
def test_beyond_the_ceiling_or_when_strict_an_abort(options: dict[str, Any]) -> None:
    engine = established(Role.REQUESTOR, **options)
    engine.receive_data(message_bytes(store(b"q" * 300), 3, max_pdu=400), now=1)
    aborted, wait = [e for e in engine.events() if not isinstance(e, Diagnostics)]
    assert isinstance(aborted, Aborted) and isinstance(wait, AwaitTransportClose)
    assert aborted.reason is dk.AbortReason.INVALID_PDU_PARAMETER_VALUE
    assert engine.data_to_send() == [dk.encode_pdu(dk.AAbort(source=2, reason=6))]
    assert state_of(engine) is S.STA13


def test_a_message_on_a_context_not_accepted_aborts_unexpected_parameter() -> None:
    engine = established(Role.ACCEPTOR)
    engine.receive_data(message_bytes(ECHO, 5), now=1)
    aborted = engine.events()[0]
    assert isinstance(aborted, Aborted)
    assert aborted.reason is dk.AbortReason.UNEXPECTED_PDU_PARAMETER
    assert "context 5" in aborted.why


@pytest.mark.parametrize("bytewise", [False, True])
def test_a_message_on_a_context_not_accepted_aborts_at_its_first_pdu_never_assembled(
    bytewise: bool,
) -> None:
    spilled: list[int] = []

    def spill(context_id: int, command: dk.Message | None) -> Any:
        spilled.append(context_id)
        return tempfile.TemporaryFile()

    engine = established(Role.ACCEPTOR, memory_budget=0, spill=spill)
    stream = message_bytes(store(b"ab" * 20_000), 5, max_pdu=100)  # context 5: rejected
    first_pdu = 6 + struct.unpack_from(">I", stream, 2)[0]
    if bytewise:
        for i in range(first_pdu):
            engine.receive_data(stream[i : i + 1], now=1)
    else:
        engine.receive_data(stream[:first_pdu], now=1)
    aborted, wait = engine.events()  # at the first PDU, not once the message is whole
    assert isinstance(aborted, Aborted) and isinstance(wait, AwaitTransportClose)
    assert aborted.reason is dk.AbortReason.UNEXPECTED_PDU_PARAMETER
    assert "context 5" in aborted.why and "accepted: [1, 3]" in aborted.why
    assert engine.data_to_send() == [dk.encode_pdu(dk.AAbort(source=2, reason=5))]
    engine.receive_data(stream[first_pdu:], now=1)  # the rest of the message: dropped
    assert engine.events() == [] and engine.data_to_send() == [] and spilled == []
    whole = established(Role.ACCEPTOR, memory_budget=0, spill=spill)
    whole.receive_data(stream, now=1)
    assert [type(e) for e in whole.events()] == [Aborted, AwaitTransportClose]
    assert spilled == []


@pytest.mark.parametrize("same_pdu", [True, False])
def test_a_pdv_on_a_context_not_accepted_after_a_whole_message(same_pdu: bool) -> None:
    (echo,) = [joined(p) for p in dk.fragment_message(ECHO, 1, 16382)]
    begun = pdv(7, 0x01, b"\x00" * 8)  # a command begun on context 7
    # in the message's PDU, or in a PDU of its own that it fills, read in the same run
    data = (p_data(echo[6:], begun) if same_pdu else echo + p_data(begun)) + RELEASE_RQ
    for chunk in (len(data), 7, 1):
        engine = established(Role.ACCEPTOR)
        for start in range(0, len(data), chunk):
            engine.receive_data(data[start : start + chunk], now=1)
        received, aborted, unfinished, wait = engine.events()
        operation = request_received(received, 1, ECHO)
        assert isinstance(aborted, Aborted) and "context 7" in aborted.why
        assert isinstance(wait, AwaitTransportClose)
        # the C-ECHO taken, never answered: it ended with the association
        assert unfinished == dk.OperationsUnfinished((operation,))
        assert state_of(engine) is S.STA13  # the A-RELEASE-RQ after it: not read
        assert engine.outstanding_peers == {}


def test_an_ac_not_answering_our_rq_lenient_diagnostic_strict_abort() -> None:
    partial = dk.AAssociateAC.answering(
        RQ,
        presentation_contexts=[dk.PresentationContextAC(context_id=1, transfer_syntax=IMPLICIT)],
        user_information=user_information(),
    )
    lenient = Association(Role.REQUESTOR, now=0)
    lenient.send(AssociateRequest(RQ), now=0)
    lenient.receive_data(dk.encode_pdu(partial), now=0)
    (accepted,) = lenient.events()
    assert isinstance(accepted, AssociationAccepted)
    assert any("not answered" in d.what for d in accepted.diagnostics)
    strict = Association(Role.REQUESTOR, now=0, strict=True)
    strict.send(AssociateRequest(RQ), now=0)
    strict.receive_data(dk.encode_pdu(partial), now=0)
    aborted = strict.events()[0]
    assert isinstance(aborted, Aborted)
    assert aborted.reason is dk.AbortReason.INVALID_PDU_PARAMETER_VALUE
    assert state_of(strict) is S.STA13


def test_our_own_answer_is_checked_against_the_rq() -> None:
    engine = Association(Role.ACCEPTOR, now=0)
    engine.receive_data(dk.encode_pdu(RQ), now=0)
    wrong = dk.AAssociateAC.answering(
        RQ,
        presentation_contexts=[dk.PresentationContextAC(context_id=7, transfer_syntax=IMPLICIT)],
        user_information=user_information(),
    )
    with pytest.raises(LocalProtocolError, match="does not answer its A-ASSOCIATE-RQ") as raised:
        engine.send(AssociateAccept(wrong), now=0)
    assert (raised.value.state, raised.value.event) == ("Sta3", "Evt7")
    assert state_of(engine) is S.STA3 and engine.data_to_send() == []


def test_a_raw_p_data_above_the_peers_maximum_is_refused() -> None:
    engine = established(Role.ACCEPTOR)  # the requestor announced 16382
    pdv = dk.PresentationDataValue(
        context_id=1, is_command=True, is_last=True, fragment=b"x" * 20000
    )
    with pytest.raises(LocalProtocolError, match="peer's maximum length, 16382"):
        engine.send(PData(dk.PDataTF(pdvs=[pdv])), now=0)
    assert state_of(engine) is S.STA6


# --- sending a message: one at a time; poisoning ----------------------------------------------


def test_an_unfinished_message_refuses_another_send_and_poisons_once_abandoned() -> None:
    engine = established(Role.REQUESTOR)  # the acceptor announced 16382
    pdus = engine.send_message(3, store(b"ab" * 50_000), now=0)
    next(pdus)
    with pytest.raises(LocalProtocolError, match="still being sent"):
        engine.send_message(1, ECHO, now=0)
    with pytest.raises(LocalProtocolError, match="still being sent"):
        engine.send(ReleaseRequest(), now=0)
    assert not engine.poisoned and state_of(engine) is S.STA6  # refused: nothing changed
    del pdus  # dropped (closed at once) after a P-DATA-TF of it went: out of step
    assert engine.poisoned
    with pytest.raises(LocalProtocolError, match="send failed"):
        engine.send(ReleaseRequest(), now=0)
    assert state_of(engine) is S.STA6
    engine.send(AbortRequest(), now=0)  # an abort still goes
    assert state_of(engine) is S.STA13


def test_a_message_iterator_never_started_changes_nothing() -> None:
    engine = established(Role.REQUESTOR)
    unstarted = engine.send_message(3, store(b"ab" * 50_000), now=0)
    sent = joined(joined(p) for p in engine.send_message(1, ECHO, now=0))
    assert sent == message_bytes(ECHO, 1)
    del unstarted
    assert not engine.poisoned
    assert list(engine.outstanding_ours) == [1]  # the C-STORE never started: not recorded
    engine.receive_data(message_bytes(ECHO_RSP), now=0)
    response_received(engine.events()[0], ECHO, ECHO_RSP)
    first, second = (engine.send_message(1, ECHO, now=0) for _ in range(2))
    next(second)  # the second runs first: the first, started now, is refused
    with pytest.raises(LocalProtocolError, match="still being sent"):
        next(first)
    assert joined(joined(p) for p in second) == b"" and not engine.poisoned
    del first  # refused at its first step: dropping it changes nothing either
    assert list(engine.outstanding_ours) == [1]  # the second's C-ECHO only
    engine.receive_data(message_bytes(ECHO_RSP), now=0)
    response_received(engine.events()[0], ECHO, ECHO_RSP)
    engine.send(ReleaseRequest(), now=0)
    assert not engine.poisoned and state_of(engine) is S.STA7


def test_a_message_that_fails_poisons_once_a_pdu_of_it_went() -> None:
    engine = established(Role.REQUESTOR)
    with pytest.raises(dk.DimseError, match="odd length"):
        list(engine.send_message(3, store(b"abc"), now=0))  # before its first PDU
    assert not engine.poisoned
    assert engine.outstanding_ours == {}  # nothing went: not recorded either

    class Cut(io.BytesIO):
        """A file that ends (reads nothing) after its first read."""

        reads = 0

        def read(self, size: int | None = -1, /) -> bytes:
            self.reads += 1
            return super().read(size) if self.reads == 1 else b""

    cut = dk.DataSetPayload.from_file(Cut(b"ab" * 600_000))  # two reads of 1 MiB
    pdus = engine.send_message(3, store(cut), now=0)
    assert next(pdus)  # the command
    with pytest.raises(EOFError):
        list(pdus)
    assert engine.poisoned
    with pytest.raises(LocalProtocolError, match="send failed"):
        list(engine.send_message(1, ECHO, now=0))


def test_send_failed_poisons_and_a_finished_message_does_not() -> None:
    engine = established(Role.REQUESTOR)
    list(engine.send_message(1, ECHO, now=0))
    engine.receive_data(message_bytes(ECHO_RSP), now=0)  # it ended: its Message ID is free
    list(engine.send_message(1, ECHO, now=0))
    assert not engine.poisoned
    assert list(engine.outstanding_ours) == [1]
    engine.send_failed()
    with pytest.raises(LocalProtocolError):
        engine.send_message(1, ECHO, now=0)


def test_send_message_checks_state_and_context_at_once() -> None:
    engine = Association(Role.ACCEPTOR, now=0)
    with pytest.raises(LocalProtocolError) as raised:
        engine.send_message(1, ECHO, now=0)
    assert (raised.value.state, raised.value.event) == ("Sta2", "Evt9")
    engine = established(Role.REQUESTOR)
    with pytest.raises(LocalProtocolError, match="not accepted"):
        engine.send_message(5, ECHO, now=0)
    assert not engine.poisoned


def test_the_association_ending_while_a_message_is_sent_stops_it() -> None:
    engine = established(Role.REQUESTOR)
    pdus = engine.send_message(3, store(b"ab" * 50_000), now=0)
    next(pdus)
    engine.receive_data(dk.encode_pdu(dk.AAbort()), now=0)
    with pytest.raises(LocalProtocolError):
        next(pdus)
    assert state_of(engine) is S.STA1


# --- the wrong calls --------------------------------------------------------------------------


def test_wrong_arguments() -> None:
    with pytest.raises(TypeError, match="role"):
        Association("requestor", now=0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="artim_timeout"):
        Association(Role.ACCEPTOR, now=0, artim_timeout=0)
    with pytest.raises(TypeError, match="response_timeout"):
        Association(Role.ACCEPTOR, now=0, response_timeout=-1)
    with pytest.raises(TypeError, match="operations_policy is an OperationsPolicy"):
        Association(Role.ACCEPTOR, now=0, operations_policy="strict")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="abandon_outstanding"):
        dk.ReleaseRequest(abandon_outstanding="yes")  # type: ignore[arg-type]
    engine = Association(Role.ACCEPTOR, now=0)
    with pytest.raises(dk.LocalProtocolError, match="no association is established"):
        engine.next_message_id()
    assert not engine.window_open and engine.outstanding_ours == {}
    assert engine.operations_policy is dk.DEFAULT_OPERATIONS_POLICY
    assert Association(Role.ACCEPTOR, now=0, strict=True).operations_policy is (
        dk.STRICT_OPERATIONS_POLICY
    )
    with pytest.raises(TypeError, match="local event"):
        engine.send(RQ, now=0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytes"):
        engine.receive_data("text", now=0)  # type: ignore[arg-type]


def test_one_association_per_connection() -> None:
    requestor = Association(Role.REQUESTOR, now=0)
    with pytest.raises(LocalProtocolError, match="before the A-ASSOCIATE-RQ"):
        requestor.receive_data(b"\x07", now=0)
    requestor.send(AssociateRequest(RQ), now=0)
    requestor.receive_data(dk.encode_pdu(RJ), now=0)
    assert state_of(requestor) is S.STA1
    with pytest.raises(LocalProtocolError, match="one association per transport"):
        requestor.send(AssociateRequest(RQ), now=0)
    requestor.receive_data(b"late bytes", now=0)  # closed by us: dropped
    requestor.receive_data(b"", now=0)
    with pytest.raises(LocalProtocolError, match="has closed"):
        requestor.receive_data(b"x", now=0)
    acceptor = Association(Role.ACCEPTOR, now=0)
    with pytest.raises(LocalProtocolError, match="one association per transport"):
        acceptor.send(AssociateRequest(RQ), now=0)


# --- every cell of Table 9-10 ---------------------------------------------------------------

Step = Callable[[Association], None]


def remote(pdu: bytes) -> Step:
    def step(engine: Association) -> None:
        engine.receive_data(pdu, now=0)

    return step


def local(event: dk.LocalEvent) -> Step:
    def step(engine: Association) -> None:
        engine.send(event, now=0)

    return step


TO_STA6 = {
    Role.REQUESTOR: [local(AssociateRequest(RQ)), remote(dk.encode_pdu(AC))],
    Role.ACCEPTOR: [remote(dk.encode_pdu(RQ)), local(AssociateAccept(AC))],
}
RELEASE_RQ = dk.encode_pdu(dk.AReleaseRQ())
RELEASE_RP = dk.encode_pdu(dk.AReleaseRP())

# How to bring an engine of each role into each state it can be in.
ROUTES: dict[tuple[State, Role], list[Step]] = {
    (S.STA1, Role.REQUESTOR): [],
    (S.STA2, Role.ACCEPTOR): [],
    (S.STA3, Role.ACCEPTOR): [remote(dk.encode_pdu(RQ))],
    (S.STA5, Role.REQUESTOR): [local(AssociateRequest(RQ))],
    **{(S.STA6, role): TO_STA6[role] for role in Role},
    **{(S.STA7, role): [*TO_STA6[role], local(ReleaseRequest())] for role in Role},
    **{(S.STA8, role): [*TO_STA6[role], remote(RELEASE_RQ)] for role in Role},
    (S.STA9, Role.REQUESTOR): [
        *TO_STA6[Role.REQUESTOR],
        local(ReleaseRequest()),
        remote(RELEASE_RQ),
    ],
    (S.STA10, Role.ACCEPTOR): [
        *TO_STA6[Role.ACCEPTOR],
        local(ReleaseRequest()),
        remote(RELEASE_RQ),
    ],
    (S.STA11, Role.REQUESTOR): [
        *TO_STA6[Role.REQUESTOR],
        local(ReleaseRequest()),
        remote(RELEASE_RQ),
        local(ReleaseResponse()),
    ],
    (S.STA12, Role.ACCEPTOR): [
        *TO_STA6[Role.ACCEPTOR],
        local(ReleaseRequest()),
        remote(RELEASE_RQ),
        remote(RELEASE_RP),
    ],
    **{(S.STA13, role): [*TO_STA6[role], local(AbortRequest())] for role in Role},
}
# Sta4 is folded into sending the A-ASSOCIATE-RQ (the object is made for a connected
# transport): its three cells (Evt2 AE-2, Evt15 AA-2, Evt17 AA-4) are the table test's.
UNREACHABLE = {S.STA4}


def reach(state: State, role: Role) -> Association:
    engine = Association(role, now=0)
    for step in ROUTES[state, role]:
        step(engine)
    assert state_of(engine) is state
    engine.events()
    engine.data_to_send()
    return engine


def p_data_echo() -> bytes:
    return message_bytes(ECHO, 1)


EVENT_STEPS: dict[ULEvent, Step] = {
    ULEvent.EVT1: local(AssociateRequest(RQ)),
    ULEvent.EVT3: remote(dk.encode_pdu(AC)),
    ULEvent.EVT4: remote(dk.encode_pdu(RJ)),
    ULEvent.EVT6: remote(dk.encode_pdu(RQ)),
    ULEvent.EVT7: local(AssociateAccept(AC)),
    ULEvent.EVT8: local(AssociateReject(RJ)),
    ULEvent.EVT9: local(PData(dk.decode_pdu(p_data_echo()).pdu)),  # type: ignore[arg-type]
    ULEvent.EVT10: remote(p_data_echo()),
    ULEvent.EVT11: local(ReleaseRequest()),
    ULEvent.EVT12: remote(RELEASE_RQ),
    ULEvent.EVT13: remote(RELEASE_RP),
    ULEvent.EVT14: local(ReleaseResponse()),
    ULEvent.EVT15: local(AbortRequest()),
    ULEvent.EVT16: remote(dk.encode_pdu(dk.AAbort())),
    ULEvent.EVT17: remote(b""),
    ULEvent.EVT18: lambda engine: engine.handle_timer(now=1e6),
    ULEvent.EVT19: remote(unknown_pdu()),
}
# Evt2 and Evt5 are the transport's: folded into send(AssociateRequest) and into making
# an acceptor (Sta1 -> Sta2), which the first two cases below check.


@pytest.fixture
def actions_done(monkeypatch: pytest.MonkeyPatch) -> list[Action]:
    """The actions the engine performs, in order, as dispatched from the table."""
    done: list[Action] = []
    for action, method in list(engine_module._ACTIONS.items()):

        def spy(
            engine: Association, cause: Any, action: Action = action, method: Any = method
        ) -> None:
            done.append(action)
            method(engine, cause)

        monkeypatch.setitem(engine_module._ACTIONS, action, spy)
    return done


def test_evt5_and_evt2_are_folded(actions_done: list[Action]) -> None:
    acceptor = Association(Role.ACCEPTOR, now=0)
    assert actions_done == [Action.AE_5] and state_of(acceptor) is S.STA2
    requestor = Association(Role.REQUESTOR, now=0)
    requestor.send(AssociateRequest(RQ), now=0)
    assert actions_done == [Action.AE_5, Action.AE_1, Action.AE_2]
    assert state_of(requestor) is S.STA5


DEFINED = [
    (state, role, event)
    for (state, role) in ROUTES
    for event in EVENT_STEPS
    if (state, event) in dk.TRANSITIONS and (state, event) != (S.STA1, ULEvent.EVT1)
]


def expected_branch(action: Action, role: Role) -> Branch | None:
    if action is Action.AE_6:
        return Branch.ACCEPTABLE
    if action is Action.AR_8:
        return Branch.REQUESTOR if role is Role.REQUESTOR else Branch.ACCEPTOR
    if action is Action.AA_3:
        return Branch.SERVICE_USER
    return None


@pytest.mark.parametrize(
    ("state", "role", "event"), DEFINED, ids=lambda v: str(getattr(v, "value", v))
)
def test_every_defined_cell(
    state: State, role: Role, event: ULEvent, actions_done: list[Action]
) -> None:
    engine = reach(state, role)
    actions_done.clear()
    EVENT_STEPS[event](engine)
    action = dk.TRANSITIONS[state, event]
    assert actions_done[:1] == [action]
    assert state_of(engine) is dk.OUTCOMES[action, expected_branch(action, role)]
    sent = joined(engine.data_to_send())
    events = engine.events()
    if event.kind is dk.EventKind.REMOTE and action in (Action.AA_1, Action.AA_7, Action.AA_8):
        # A remote error: the A-ABORT the table names, with the most specific reason.
        reason = 1 if event is ULEvent.EVT19 else 2
        source, expected_reason = (0, 0) if action is Action.AA_1 else (2, reason)
        assert sent == dk.encode_pdu(dk.AAbort(source=source, reason=expected_reason))
        if action is not Action.AA_7:
            aborted = events[0]
            assert isinstance(aborted, Aborted) and not aborted.by_peer
            assert (aborted.source, aborted.reason) == (source, expected_reason)
            assert state.label in aborted.why
            assert events[-1] == AwaitTransportClose(30.0)
    elif action is Action.AA_6:
        assert sent == b"" and events == []


def test_every_defined_cell_of_a_reachable_state_is_driven() -> None:
    driven = {(state, event) for state, _, event in DEFINED}
    # test_evt5_and_evt2_are_folded: Sta1 Evt5 (AE-5), Sta1 Evt1 (AE-1) then Sta4 Evt2 (AE-2)
    folded = {(S.STA1, ULEvent.EVT5), (S.STA1, ULEvent.EVT1), (S.STA4, ULEvent.EVT2)}
    assert driven | folded | {c for c in dk.TRANSITIONS if c[0] in UNREACHABLE} == set(
        dk.TRANSITIONS
    )


def test_a_provider_abort_takes_aa_3s_other_branch(actions_done: list[Action]) -> None:
    engine = reach(S.STA6, Role.REQUESTOR)
    actions_done.clear()
    engine.receive_data(dk.encode_pdu(dk.AAbort(source=2, reason=1)), now=0)
    assert actions_done == [Action.AA_3] and state_of(engine) is S.STA1
    aborted = engine.events()[0]
    assert isinstance(aborted, Aborted) and aborted.source is dk.AbortSource.SERVICE_PROVIDER


UNDEFINED_LOCAL = [
    (state, role, event)
    for (state, role) in ROUTES
    for event in EVENT_STEPS
    if event.kind is dk.EventKind.LOCAL and (state, event) not in dk.TRANSITIONS
]


@pytest.mark.parametrize(
    ("state", "role", "event"), UNDEFINED_LOCAL, ids=lambda v: str(getattr(v, "value", v))
)
def test_every_undefined_local_cell_raises_and_leaves_the_state(
    state: State, role: Role, event: ULEvent
) -> None:
    engine = reach(state, role)
    with pytest.raises(LocalProtocolError) as raised:
        EVENT_STEPS[event](engine)
    assert (raised.value.state, raised.value.event) == (state.label, event.label)
    assert state_of(engine) is state
    assert engine.data_to_send() == [] and engine.events() == []


def test_a_pdu_that_does_not_decode_is_evt19_invalid_parameter_value() -> None:
    engine = reach(S.STA6, Role.ACCEPTOR)
    engine.receive_data(struct.pack(">BBI", 5, 0, 4) + b"\x00", now=0)
    assert state_of(engine) is S.STA6  # not whole yet
    engine.receive_data(b"\x00" * 3, now=0)
    # An A-RELEASE-RQ whose PDU-length is fixed decodes; one that is cut is not whole.
    assert state_of(engine) is S.STA8
    engine = reach(S.STA6, Role.ACCEPTOR)
    engine.receive_data(struct.pack(">BBI", 1, 0, 10) + bytes(10), now=0)
    aborted = engine.events()[0]
    assert isinstance(aborted, Aborted)
    assert aborted.reason is dk.AbortReason.INVALID_PDU_PARAMETER_VALUE
    assert state_of(engine) is S.STA13


def test_a_framing_break_aborts_and_the_rest_is_dropped() -> None:
    engine = reach(S.STA6, Role.ACCEPTOR)
    data_first = struct.pack(">BBIIBB", 4, 0, 8, 4, 1, 0x00) + b"ab"  # a data set fragment first
    engine.receive_data(data_first + RELEASE_RQ, now=0)
    aborted, _wait = engine.events()
    assert isinstance(aborted, Aborted) and "data set fragment before" in aborted.why
    assert aborted.reason is dk.AbortReason.INVALID_PDU_PARAMETER_VALUE
    assert state_of(engine) is S.STA13
    engine.receive_data(RELEASE_RQ + unknown_pdu(), now=0)
    assert engine.events() == []


@pytest.mark.parametrize(
    ("cut", "said"),
    [
        (3, "inside a PDU header (3 of its 6 bytes read) in Sta6"),
        (40, "inside a PDU (a P-DATA-TF of 80 bytes, 34 of them read) in Sta6"),
        (86, "inside a message (its last PDU not come) in Sta6"),
    ],
)
def test_the_transport_closing_inside_a_pdu_says_so(cut: int, said: str) -> None:
    engine = reach(S.STA6, Role.ACCEPTOR)
    stream = message_bytes(store(b"ab" * 100), 3, max_pdu=80)
    assert struct.unpack_from(">I", stream, 2)[0] == 80  # 86 bytes: the first PDU
    engine.receive_data(stream[:cut], now=0)
    engine.receive_data(b"", now=0)
    (aborted,) = engine.events()
    assert isinstance(aborted, Aborted) and aborted.by_peer
    assert aborted.why == "the transport closed " + said
    engine = reach(S.STA6, Role.ACCEPTOR)
    engine.receive_data(b"", now=0)
    (aborted,) = engine.events()
    assert isinstance(aborted, Aborted)
    assert aborted.why == "the transport connection closed in Sta6"


def test_an_unexpected_p_data_tf_is_named_with_its_article() -> None:
    engine = reach(S.STA2, Role.ACCEPTOR)
    engine.receive_data(p_data_echo(), now=0)
    aborted = engine.events()[0]
    assert isinstance(aborted, Aborted) and aborted.why.startswith("a P-DATA-TF came in Sta2")


def test_sta13_reads_pdus_whole_for_its_column() -> None:
    engine = reach(S.STA13, Role.REQUESTOR)
    engine.receive_data(RELEASE_RP + p_data_echo() + dk.encode_pdu(RQ)[:10], now=0)
    assert engine.data_to_send() == [] and state_of(engine) is S.STA13
    engine.receive_data(dk.encode_pdu(RQ)[10:], now=0)
    assert engine.data_to_send() == [dk.encode_pdu(dk.AAbort(source=2, reason=2))]
    engine.receive_data(dk.encode_pdu(dk.AAbort()), now=0)
    assert engine.events() == [CloseTransport()] and state_of(engine) is S.STA1


@pytest.mark.parametrize("chunk", [60_000, 1000, 7])
@pytest.mark.parametrize("how", ["unexpected AC", "zeros"])
def test_garbage_after_a_protocol_error_gets_one_a_abort(chunk: int, how: str) -> None:
    engine = reach(S.STA6, Role.ACCEPTOR)
    if how == "unexpected AC":  # AA-8, then 60 KB of zeros in Sta13: unknown PDUs
        engine.receive_data(dk.encode_pdu(AC), now=0)
        assert engine.data_to_send() == [dk.encode_pdu(dk.AAbort(source=2, reason=2))]
    zeros = bytes(60_000)
    for start in range(0, len(zeros), chunk):
        engine.receive_data(zeros[start : start + chunk], now=0)
    assert engine.data_to_send() == [dk.encode_pdu(dk.AAbort(source=2, reason=1))]
    assert state_of(engine) is S.STA13


def test_an_invalid_pdu_in_sta13_gets_an_a_abort_and_the_rest_is_dropped() -> None:
    engine = reach(S.STA13, Role.REQUESTOR)
    cut_rq = struct.pack(">BBI", 1, 0, 10) + bytes(10)  # an A-ASSOCIATE-RQ that does not decode
    engine.receive_data(cut_rq * 100 + dk.encode_pdu(dk.AAbort()), now=0)
    assert engine.data_to_send() == [dk.encode_pdu(dk.AAbort(source=2, reason=6))]
    assert engine.events() == [] and state_of(engine) is S.STA13


# --- fuzz ----------------------------------------------------------------------------------

OURS = (
    AssociationRequested,
    AssociationAccepted,
    AssociationRejected,
    dk.RequestReceived,
    dk.ResponseReceived,
    dk.UnexpectedResponse,
    dk.DuplicateInvocation,
    dk.RequestRefused,
    dk.WindowOverrun,
    dk.CancelReceived,
    dk.UnexpectedCancel,
    dk.UndecodableMessage,
    dk.OperationsUnfinished,
    ReleaseRequested,
    Released,
    Aborted,
    CloseTransport,
    AwaitTransportClose,
    TimedOut,
    Diagnostics,
)
REACHABLE = sorted(ROUTES, key=lambda key: (key[0], key[1].value))
SEEDS = [
    dk.encode_pdu(RQ),
    dk.encode_pdu(AC),
    dk.encode_pdu(RJ),
    RELEASE_RQ,
    RELEASE_RP,
    dk.encode_pdu(dk.AAbort(source=2, reason=4)),
    message_bytes(ECHO, 1),
    message_bytes(ECHO_RSP, 1),
    message_bytes(store(b"ab" * 40), 3, max_pdu=40),
]
OWED = (dk.DuplicateInvocation, dk.RequestRefused, dk.WindowOverrun)
"""The events whose answer the engine sends itself (under the default policy)."""


def fuzz_engine(state: State, role: Role, data: bytes, chunk: int) -> None:
    """Feed ``data`` in chunks of ``chunk`` bytes to an engine in ``state``, writing what
    it queues after each, then close.  Only our events come; only whole PDUs go out, and
    their messages are only the answers its events carry, in order; a DIMSE message comes
    only on an accepted context, and a response only to nothing (none of ours is
    outstanding); every request taken ends with the association; the engine never
    raises."""
    engine = reach(state, role)
    sent: list[bytes] = []
    for start in range(0, len(data), chunk):
        if state_of(engine) is S.STA1 and state is S.STA1:
            break
        engine.receive_data(data[start : start + chunk], now=1)
        sent.append(joined(engine.data_to_send()))
    if state is not S.STA1:
        engine.receive_data(b"", now=2)
    engine.handle_timer(now=1e6)
    events = engine.events()
    sent.append(joined(engine.data_to_send()))
    for event in events:
        assert isinstance(event, OURS)
    wire = dk.MessageAssembler().feed(b"".join(sent))  # a framing break raises
    for written in wire:
        assert isinstance(written, dk.MessageReceived | dk.PDUReceived)
        if isinstance(written, dk.PDUReceived):
            assert isinstance(written.decoded, dk.DecodedPDU)
    answers = [w.message for w in wire if isinstance(w, dk.MessageReceived)]
    owed = [e.response for e in events if isinstance(e, OWED)]
    assert answers == owed[: len(answers)]  # those left when P-DATA may no longer go: dropped
    contexts = engine.agreement.contexts if engine.agreement else {}
    dimse = dimse_events(events)
    for event in dimse:
        assert received_message(event)[0] in contexts
        assert not isinstance(event, dk.ResponseReceived)
    taken = {e.operation.message_id for e in dimse if isinstance(e, dk.RequestReceived)}
    unfinished = [e for e in events if isinstance(e, dk.OperationsUnfinished)]
    assert len(unfinished) <= 1 and all(u.operations for u in unfinished)
    assert taken <= {o.message_id for u in unfinished for o in u.operations if not o.ours}
    assert engine.state in (S.STA1, S.STA13) or state is S.STA1
    assert engine.outstanding_ours == {} and engine.outstanding_peers == {}


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([key for key in REACHABLE if key[0] is not S.STA1]),
    st.binary(max_size=300),
    st.integers(1, 64),
)
def test_fuzz_random_bytes(key: tuple[State, Role], data: bytes, chunk: int) -> None:
    fuzz_engine(*key, data, chunk)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([key for key in REACHABLE if key[0] is not S.STA1]),
    st.lists(st.sampled_from(SEEDS), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
    st.integers(1, 4096),
)
def test_fuzz_mutated_streams(
    key: tuple[State, Role], pdus: list[bytes], changes: list[tuple[int, int]], chunk: int
) -> None:
    data = bytearray(b"".join(pdus))
    for position, value in changes:
        data[position % len(data)] = value
    fuzz_engine(*key, bytes(data), chunk)


def test_we_announced_no_maximum_the_ceiling_still_holds() -> None:
    engine = Association(Role.ACCEPTOR, now=0, max_pdu_ceiling=300)
    engine.receive_data(dk.encode_pdu(RQ), now=0)
    engine.send(AssociateAccept(make_ac(RQ, maximum_length=0)), now=0)
    engine.events()
    engine.receive_data(message_bytes(store(b"q" * 200), 3, max_pdu=300), now=0)
    (received,) = engine.events()
    request_received(received, 3, store(b"q" * 200))
    list(engine.send_message(3, store_rsp(store(b"q" * 200)), now=0))
    engine.receive_data(message_bytes(store(b"q" * 400), 3, max_pdu=400), now=0)
    aborted = engine.events()[0]
    assert isinstance(aborted, Aborted) and "ceiling of 300" in aborted.why


def test_the_ceiling_never_refuses_what_we_announced() -> None:
    engine = Association(Role.ACCEPTOR, now=0, max_pdu_ceiling=100)
    engine.receive_data(dk.encode_pdu(RQ), now=0)
    engine.send(AssociateAccept(make_ac(RQ, maximum_length=1000)), now=0)
    engine.events()
    engine.receive_data(message_bytes(store(b"q" * 900), 3, max_pdu=1000), now=0)
    (received,) = engine.events()
    request_received(received, 3, store(b"q" * 900))
    with pytest.raises(TypeError, match="max_pdu_ceiling"):
        Association(Role.ACCEPTOR, now=0, max_pdu_ceiling=-1)


# --- the real peers' PDUs, replayed ----------------------------------------------------------

RECORDINGS = Path(__file__).parent / "data" / "association"


def recorded(name: str) -> bytes:
    return (RECORDINGS / f"{name}.pdu").read_bytes()


def answers(kind: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted(RECORDINGS.glob("*.json")):
        document = json.loads(path.read_text())
        if document["pdu"] == kind and document.get("answers"):
            found.append((document["answers"], path.stem))
    return found


def feed(engine: Association, data: bytes, bytewise: bool) -> list[object]:
    if bytewise:
        for i in range(len(data)):
            engine.receive_data(data[i : i + 1], now=0)
    else:
        engine.receive_data(data, now=0)
    return list(engine.events())


@pytest.mark.parametrize("bytewise", [False, True])
@pytest.mark.parametrize(("rq_name", "ac_name"), answers("A-ASSOCIATE-AC"))
def test_real_peers_association_replayed(rq_name: str, ac_name: str, bytewise: bool) -> None:
    rq_bytes, ac_bytes = recorded(rq_name), recorded(ac_name)
    rq, ac = dk.decode_pdu(rq_bytes).pdu, dk.decode_pdu(ac_bytes).pdu
    assert isinstance(rq, dk.AAssociateRQ) and isinstance(ac, dk.AAssociateAC)
    # The acceptor side: the peer's RQ in, our answer out, byte for byte the peer's AC.
    acceptor = Association(Role.ACCEPTOR, now=0)
    (requested,) = feed(acceptor, rq_bytes, bytewise)
    assert isinstance(requested, AssociationRequested) and requested.rq == rq
    assert joined(acceptor.send(AssociateAccept(ac), now=0)) == ac_bytes
    assert acceptor.state is S.STA6
    # The requestor side: our RQ out as the peer sent it, the peer's AC in.
    requestor = Association(Role.REQUESTOR, now=0)
    assert joined(requestor.send(AssociateRequest(rq), now=0)) == rq_bytes
    (accepted,) = feed(requestor, ac_bytes, bytewise)
    assert isinstance(accepted, AssociationAccepted) and accepted.ac == ac
    assert accepted.diagnostics == ()
    assert requestor.state is S.STA6
    assert requestor.agreement == acceptor.agreement


@pytest.mark.parametrize("name", ["storescp-refuse-rj", "dcmqrscp-called-ae-rj"])
def test_real_peers_rejection_replayed(name: str) -> None:
    requestor = Association(Role.REQUESTOR, now=0)
    requestor.send(AssociateRequest(dk.decode_pdu(recorded("findscu-rq")).pdu), now=0)  # type: ignore[arg-type]
    rejected, close = feed(requestor, recorded(name), False)
    assert isinstance(rejected, AssociationRejected)
    assert rejected.rj == dk.decode_pdu(recorded(name)).pdu
    assert close == CloseTransport() and state_of(requestor) is S.STA1


@pytest.mark.parametrize(("rq_name", "rp_name"), answers("A-RELEASE-RP"))
def test_real_peers_release_replayed(rq_name: str, rp_name: str) -> None:
    requestor, acceptor = established(Role.REQUESTOR), established(Role.ACCEPTOR)
    assert joined(requestor.send(ReleaseRequest(), now=0)) == recorded(rq_name)
    assert feed(acceptor, recorded(rq_name), True) == [ReleaseRequested()]
    assert joined(acceptor.send(ReleaseResponse(), now=0)) == recorded(rp_name)
    assert feed(requestor, recorded(rp_name), True) == [Released(), CloseTransport()]


@pytest.mark.parametrize("name", ["echoscu-abort", "storescp-abort", "pynetdicom-abort"])
def test_real_peers_abort_replayed(name: str) -> None:
    engine = established(Role.ACCEPTOR)
    aborted, close = feed(engine, recorded(name), True)
    assert isinstance(aborted, Aborted) and aborted.by_peer
    assert (aborted.source, aborted.reason) == (dk.AbortSource.SERVICE_USER, 0)
    assert close == CloseTransport()
    assert joined(established(Role.REQUESTOR).send(AbortRequest(), now=0)) == recorded(name)


def framed(pdu_type: int, body: bytes) -> bytes:
    return struct.pack(">BBI", pdu_type, 0, len(body)) + body


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([key for key in REACHABLE if key[0] is not S.STA1]),
    st.lists(
        st.one_of(
            st.sampled_from(SEEDS),
            st.builds(framed, st.integers(0, 9), st.binary(max_size=40)),
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(1, 64),
)
def test_fuzz_framed_pdus(key: tuple[State, Role], pdus: list[bytes], chunk: int) -> None:
    fuzz_engine(*key, b"".join(pdus), chunk)


def test_an_abort_with_a_reserved_source_and_reason_is_reported_with_its_codes() -> None:
    engine = Association(Role.ACCEPTOR, now=0)
    engine.receive_data(framed(7, b"\x00\x00\x01\x03"), now=0)
    said, aborted, close = engine.events()
    assert isinstance(said, Diagnostics) and "AbortSource" in said.diagnostics[0].what
    assert isinstance(aborted, Aborted) and (aborted.source, aborted.reason) == (1, 3)
    assert "source 1 (reserved), reason 3 (reserved)" in aborted.why
    assert close == CloseTransport() and state_of(engine) is S.STA1


def test_a_raw_p_data_on_a_context_not_accepted_is_refused() -> None:
    engine = established(Role.ACCEPTOR)
    pdv = dk.PresentationDataValue(context_id=5, is_command=True, is_last=True, fragment=b"xx")
    with pytest.raises(LocalProtocolError, match="context 5 was not accepted"):
        engine.send(PData(dk.PDataTF(pdvs=[pdv])), now=0)
    with pytest.raises(TypeError, match="rq"):
        AssociateRequest(AC)  # type: ignore[arg-type]


def test_aborted_inside_a_p_data_tf_the_rest_of_it_is_not_read() -> None:
    engine = established(Role.ACCEPTOR)
    # One P-DATA-TF holding a whole C-ECHO-RQ on context 5 (not accepted), then the
    # first fragment of another message: the abort comes at the first message.
    first = dk.decode_pdu(message_bytes(ECHO, 5)).pdu
    assert isinstance(first, dk.PDataTF)
    more = dk.PresentationDataValue(context_id=1, is_command=True, is_last=False, fragment=b"ab")
    pdu = dk.encode_pdu(dk.PDataTF(pdvs=[*first.pdvs, more]))
    engine.receive_data(pdu[:-1], now=0)
    assert state_of(engine) is S.STA13
    engine.receive_data(pdu[-1:] + b"\xff" * 10, now=0)  # the rest, then garbage
    aborted, wait = engine.events()
    assert isinstance(aborted, Aborted) and isinstance(wait, AwaitTransportClose)
    # The rest of the P-DATA-TF is skipped; the garbage after it is an unknown PDU type,
    # which Sta13 answers with an A-ABORT (AA-7, unrecognized PDU).
    assert engine.data_to_send() == [
        dk.encode_pdu(dk.AAbort(source=2, reason=5)),
        dk.encode_pdu(dk.AAbort(source=2, reason=1)),
    ]


def test_an_undecodable_command_set_comes_through_as_the_framing_layer_says() -> None:
    engine = established(Role.ACCEPTOR)
    engine.receive_data(p_data(pdv(1, 0x03, b"not a command")), now=0)
    (event,) = engine.events()
    assert isinstance(event, dk.UndecodableMessage) and event.context_id == 1
    assert event.command == b"not a command"
    assert state_of(engine) is S.STA6 and engine.data_to_send() == []
