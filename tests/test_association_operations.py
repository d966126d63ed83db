"""DIMSE operations between two engines in memory (a requestor and an acceptor
``dk.Association``, the bytes of one fed to the other): every service both ways, the
asynchronous operations window (PS3.7 D.3.3.3), pairing by Message ID Being Responded To,
a C-GET's sub-operations, C-CANCEL, duplicate invocations, responses to nothing, requests
a context does not carry, response timeouts, release with operations outstanding; each
conversation fed whole and one byte at a time."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, TypeAlias

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dimsekit as dk
from tests.helpers import (
    CT,
    MR,
    EnginePair,
    Side,
    examples,
    joined,
    raw_p_data,
    received_messages,
)
from tests.message_examples import (
    COMMITMENT,
    COMMITMENT_INSTANCE,
    FILM_SESSION,
    ID,
    PRINTER,
    PRINTER_INSTANCE,
    STUDY_FIND,
    STUDY_GET,
    STUDY_MOVE,
    echo,
    find,
    get,
    move,
    progress,
    store,
)

VERIFICATION = "1.2.840.10008.1.1"
PRINT_META = "1.2.840.10008.5.1.1.9"  # Basic Grayscale Print Management Meta (PS3.4 H.3.2.2)
IMPLICIT = "1.2.840.10008.1.2"
EXPLICIT = "1.2.840.10008.1.2.1"

SYNTAXES = (VERIFICATION, CT, STUDY_FIND, STUDY_MOVE, STUDY_GET, MR, COMMITMENT, PRINT_META)
# the contexts every association below proposes, by ID (PS3.8 9.3.2.2: 1, 3, 5, ...)
ECHO_CX, CT_CX, FIND_CX, MOVE_CX, GET_CX, MR_CX, COMMITMENT_CX, PRINT_CX = range(1, 17, 2)
ACCEPTED = {CT_CX: EXPLICIT}  # the transfer syntax each context takes: CT explicit VR
S = dk.State


def negotiated(
    window: tuple[int, int] = (1, 1), roles: str = "default", max_pdu: int = 16382
) -> tuple[dk.AAssociateRQ, dk.AAssociateAC]:
    """The RQ and AC of an association with ``window`` (PS3.7 D.3.3.3).  MR storage has
    the requestor take the SCP role too (for a C-GET's C-STORE sub-operations, PS3.7
    D.3.3.4); with ``roles="both"`` every SOP class has both sides take both roles.
    ``max_pdu``: the requestor's Maximum Length (PS3.8 D.1)."""
    both = {s for s in SYNTAXES if roles == "both" or s == MR}
    rq = dk.propose(
        calling_ae_title="REQUESTOR",
        called_ae_title="ACCEPTOR",
        contexts=[
            dk.ProposedContext(
                abstract_syntax=syntax,
                transfer_syntaxes=[EXPLICIT, IMPLICIT],
                scu_role=True if syntax in both else None,
                scp_role=True if syntax in both else None,
            )
            for syntax in SYNTAXES
        ],
        async_window=window,
        max_pdu_length=max_pdu,
    )
    policy = dk.AcceptorPolicy(
        abstract_syntaxes={s: [EXPLICIT] if s == CT else [IMPLICIT] for s in SYNTAXES},
        roles=dict.fromkeys(both, (True, True)),
        async_window=window,
    )
    ac = dk.answer(rq, policy)
    assert isinstance(ac, dk.AAssociateAC)
    return rq, ac


def associated(
    bytewise: bool,
    window: tuple[int, int] = (1, 1),
    roles: str = "default",
    max_pdu: int = 16382,
    **options: Any,
) -> EnginePair:
    pair = EnginePair(bytewise=bytewise, **options)
    pair.associate(*negotiated(window, roles, max_pdu))
    pair.new("requestor")
    pair.new("acceptor")
    return pair


@pytest.fixture(params=[False, True], ids=["whole", "bytewise"])
def bytewise(request: pytest.FixtureRequest) -> bool:
    value: bool = request.param
    return value


# --- the DIMSE-N requests, one per service (the DIMSE-C ones: message_examples.py) ------


def event_report(message_id: int) -> dk.NEventReportRequest:
    return dk.NEventReportRequest(
        message_id=message_id,
        affected_sop_class_uid=COMMITMENT,
        affected_sop_instance_uid=COMMITMENT_INSTANCE,
        event_type_id=1,
        event_information=ID,
    )


def action(message_id: int) -> dk.NActionRequest:
    return dk.NActionRequest(
        message_id=message_id,
        requested_sop_class_uid=COMMITMENT,
        requested_sop_instance_uid=COMMITMENT_INSTANCE,
        action_type_id=1,
        action_information=ID,
    )


def n_get(message_id: int) -> dk.NGetRequest:
    return dk.NGetRequest(
        message_id=message_id,
        requested_sop_class_uid=PRINTER,  # a SOP class of the Meta SOP Class (PS3.4 H.3.2.2)
        requested_sop_instance_uid=PRINTER_INSTANCE,
    )


def n_set(message_id: int) -> dk.NSetRequest:
    return dk.NSetRequest(
        message_id=message_id,
        requested_sop_class_uid=FILM_SESSION,
        requested_sop_instance_uid="1.2.3",
        modification_list=ID,
    )


def n_create(message_id: int) -> dk.NCreateRequest:
    return dk.NCreateRequest(
        message_id=message_id,
        affected_sop_class_uid=FILM_SESSION,
        affected_sop_instance_uid="1.2.3",
    )


def n_delete(message_id: int) -> dk.NDeleteRequest:
    return dk.NDeleteRequest(
        message_id=message_id,
        requested_sop_class_uid=FILM_SESSION,
        requested_sop_instance_uid="1.2.3",
    )


Build = Callable[[int], dk.Request[Any]]
# name: (context, request, invoked by the SCP: PS3.7 10.1.1)
SERVICES: dict[str, tuple[int, Build, bool]] = {
    "C-ECHO": (ECHO_CX, echo, False),
    "C-STORE": (CT_CX, store, False),
    "C-FIND": (FIND_CX, find, False),
    "C-GET": (GET_CX, get, False),
    "C-MOVE": (MOVE_CX, move, False),
    "N-EVENT-REPORT": (COMMITMENT_CX, event_report, True),
    "N-GET": (PRINT_CX, n_get, False),
    "N-SET": (PRINT_CX, n_set, False),
    "N-ACTION": (COMMITMENT_CX, action, False),
    "N-CREATE": (PRINT_CX, n_create, False),
    "N-DELETE": (PRINT_CX, n_delete, False),
}


def natural(by_scp: bool) -> Side:
    """Who invokes a service with the default roles (the requestor SCU, PS3.7 D.3.3.4)."""
    return "acceptor" if by_scp else "requestor"


def pending(request: dk.CFindRequest) -> dk.Response:
    """A Pending C-FIND response: one match (PS3.4 C.4.1.1.4)."""
    return request.response(status=0xFF00, identifier=ID)


def one(events: list[object], kind: type[Any]) -> Any:
    """The one event of ``events``, checked to be a ``kind``."""
    assert len(events) == 1, events
    assert isinstance(events[0], kind), events
    return events[0]


def kinds(events: list[object]) -> list[str]:
    return [type(event).__name__ for event in events]


def idle(pair: EnginePair) -> None:
    """Nothing outstanding either way, on either side."""
    for engine in (pair.requestor, pair.acceptor):
        assert dict(engine.outstanding_ours) == {}
        assert dict(engine.outstanding_peers) == {}


def request_arrives(
    pair: EnginePair, invoker: Side, context_id: int, request: dk.Request[Any]
) -> dk.Operation:
    """``invoker`` sends ``request``; it arrives as the performer's operation."""
    performer = pair.other(invoker)
    pair.message(invoker, context_id, request)
    assert pair.new(invoker) == []
    received = one(pair.new(performer), dk.RequestReceived)
    operation: dk.Operation = received.operation
    assert operation.request == request
    assert operation.context_id == context_id
    assert operation.transfer_syntax == ACCEPTED.get(context_id, IMPLICIT)
    assert not operation.ours and not operation.cancelled
    assert pair.side(performer).outstanding_peers[request.message_id] == operation
    ours = pair.side(invoker).outstanding_ours[request.message_id]
    assert ours.request is request and ours.ours and ours.context_id == context_id
    return operation


def response_arrives(
    pair: EnginePair, performer: Side, operation: dk.Operation, response: dk.Response
) -> dk.ResponseReceived:
    """``performer`` answers its peer's ``operation``; the answer arrives paired."""
    invoker = pair.other(performer)
    sent = pair.side(invoker).outstanding_ours[operation.message_id]
    pair.message(performer, operation.context_id, response)
    assert pair.new(performer) == []
    received: dk.ResponseReceived = one(pair.new(invoker), dk.ResponseReceived)
    assert received.operation.request is sent.request
    assert received.response == response
    assert received.mismatches == ()
    final = response.status.category is not dk.StatusCategory.PENDING
    assert received.final is final
    assert (operation.message_id in pair.side(invoker).outstanding_ours) is not final
    assert (operation.message_id in pair.side(performer).outstanding_peers) is not final
    return received


# --- every service, both ways ------------------------------------------------------------


@pytest.mark.parametrize("invoker", ["requestor", "acceptor"])
@pytest.mark.parametrize("service", list(SERVICES))
def test_every_service_both_ways(service: str, invoker: Side, bytewise: bool) -> None:
    context_id, build, by_scp = SERVICES[service]
    # the default roles serve the usual way; the other needs SCP/SCU Role Selection
    roles = "default" if invoker == natural(by_scp) else "both"
    pair = associated(bytewise, roles=roles)
    request = build(pair.side(invoker).next_message_id())
    operation = request_arrives(pair, invoker, context_id, request)
    received = response_arrives(pair, pair.other(invoker), operation, request.response(status=0))
    assert received.final and not received.cancelled
    idle(pair)
    assert pair.state("requestor") is S.STA6 and pair.state("acceptor") is S.STA6


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_other_way_needs_the_role_refused_locally_and_refused_0122h_by_the_peer(
    service: str, bytewise: bool
) -> None:
    context_id, build, by_scp = SERVICES[service]
    pair = associated(bytewise)  # no role selection: the requestor SCU, the acceptor SCP
    invoker = pair.other(natural(by_scp))
    engine = pair.side(invoker)
    request = build(7)
    with pytest.raises(dk.LocalProtocolError, match=f"did not make the {invoker}"):
        engine.send_message(context_id, request, now=pair.now)
    assert engine.data_to_send() == [] and pair.new(invoker) == []
    idle(pair)
    # sent all the same (untracked): the peer refuses it, 0122H, by itself (PS3.7 D.3.3.4)
    raw = joined(engine.send(raw_p_data(request, context_id), now=pair.now))
    answer = pair.inject(pair.other(invoker), raw)
    refused = one(pair.new(pair.other(invoker)), dk.RequestRefused)
    assert refused.operation.request == request and "did not make" in refused.diagnostic.what
    [message] = received_messages(answer)
    assert message.context_id == context_id
    assert isinstance(message.message, dk.Response)
    assert isinstance(message.message, type(request.response(status=0)))
    assert message.message.status == dk.SOP_CLASS_NOT_SUPPORTED == 0x0122
    assert message.message.message_id_being_responded_to == 7
    idle(pair)


def test_a_refused_request_and_its_duplicate_are_answered_in_order(bytewise: bool) -> None:
    """A C-ECHO-RQ the acceptor may not send, twice with one Message ID: the requestor's
    engine answers 0122H (ending the first) and then 0210H, the duplicate's own answer
    (found by the engine fuzz: the 0210H raised once its original had ended)."""
    pair = associated(bytewise)
    raw = joined(pair.acceptor.send(raw_p_data(echo(1), ECHO_CX), now=pair.now))
    answer = pair.inject("requestor", raw + raw)
    assert kinds(pair.new("requestor")) == ["RequestRefused", "DuplicateInvocation"]
    answers = [m.message for m in received_messages(answer)]
    assert all(isinstance(a, dk.CEchoResponse) for a in answers)
    statuses = [a.status for a in answers if isinstance(a, dk.CEchoResponse)]
    assert statuses == [dk.SOP_CLASS_NOT_SUPPORTED, dk.DUPLICATE_INVOCATION]
    assert pair.state("requestor") is S.STA6
    idle(pair)


# --- the asynchronous operations window (PS3.7 D.3.3.3) ----------------------------------

WINDOWED: dict[str, tuple[int, Build]] = {"C-STORE": (CT_CX, store), "C-FIND": (FIND_CX, find)}


@pytest.mark.parametrize("invoker", ["requestor", "acceptor"])
@pytest.mark.parametrize("service", list(WINDOWED))
@pytest.mark.parametrize("window", [1, 3, 0])
def test_a_request_of_ours_beyond_the_window_is_refused_and_nothing_changes(
    window: int, service: str, invoker: Side, bytewise: bool
) -> None:
    context_id, build = WINDOWED[service]
    pair = associated(bytewise, window=(window, window), roles="both")
    engine, performer = pair.side(invoker), pair.other(invoker)
    sent = [build(engine.next_message_id()) for _ in range(window or 5)]
    operations = [request_arrives(pair, invoker, context_id, request) for request in sent]
    assert list(pair.side(performer).outstanding_peers) == [r.message_id for r in sent]
    if window == 0:  # unlimited: one more always goes
        assert engine.window_open
        request_arrives(pair, invoker, context_id, build(engine.next_message_id()))
        return
    assert not engine.window_open
    before = dict(engine.outstanding_ours), dict(pair.side(performer).outstanding_peers)
    extra = build(engine.next_message_id())
    with pytest.raises(dk.LocalProtocolError, match=f"beyond the window.*may have {window}"):
        engine.send_message(context_id, extra, now=pair.now)
    assert (dict(engine.outstanding_ours), dict(pair.side(performer).outstanding_peers)) == before
    assert engine.data_to_send() == [] and pair.new(invoker) == pair.new(performer) == []
    assert not engine.window_open and engine.state is S.STA6
    # an answer opens the window again
    response_arrives(pair, performer, operations[0], sent[0].response(status=0))
    assert engine.window_open
    request_arrives(pair, invoker, context_id, extra)


@pytest.mark.parametrize("policy", ["refuse", "abort"])
@pytest.mark.parametrize("invoker", ["requestor", "acceptor"])
@pytest.mark.parametrize("service", list(WINDOWED))
@pytest.mark.parametrize("window", [1, 3])
def test_a_peer_request_beyond_its_window_is_refused_a700_by_the_engine_or_aborts(
    window: int, service: str, invoker: Side, policy: str, bytewise: bool
) -> None:
    context_id, build = WINDOWED[service]
    pair = associated(
        bytewise,
        window=(window, window),
        roles="both",
        operations_policy=dk.OperationsPolicy(window_overrun=policy),  # type: ignore[arg-type]
    )
    performer = pair.other(invoker)
    engine = pair.side(invoker)
    sent = [build(engine.next_message_id()) for _ in range(window)]
    operations = [request_arrives(pair, invoker, context_id, request) for request in sent]
    overrun = build(engine.next_message_id())  # the invoker's own engine would refuse it
    raw = joined(engine.send(raw_p_data(overrun, context_id), now=pair.now))
    answer = pair.inject(performer, raw)
    events = pair.new(performer)
    assert isinstance(events[0], dk.WindowOverrun)
    assert events[0].operation.request == overrun and events[0].limit == window
    assert events[0].response.status == 0xA700  # Out of Resources (PS3.4 B.2.3, C.4.1.1.4)
    if policy == "refuse":
        assert len(events) == 1
        [message] = received_messages(answer)
        assert message.context_id == context_id and message.message == events[0].response
        assert isinstance(message.message, dk.Response)
        assert message.message.message_id_being_responded_to == overrun.message_id
        # the overrun ended with its answer; the others are still outstanding and answerable
        assert list(pair.side(performer).outstanding_peers) == [r.message_id for r in sent]
        for request, operation in zip(sent, operations, strict=True):
            response_arrives(pair, performer, operation, request.response(status=0))
        idle(pair)
        return
    assert kinds(events) == [
        "WindowOverrun",
        "Aborted",
        "OperationsUnfinished",
        "AwaitTransportClose",
    ]
    assert not events[1].by_peer and events[1].source is dk.AbortSource.SERVICE_USER
    assert [o.request for o in events[2].operations] == [*sent, overrun]
    assert dk.decode_pdu(answer).pdu == dk.AAbort(source=dk.AbortSource.SERVICE_USER)
    assert pair.state(performer) is S.STA13
    pair.feed(invoker, answer)
    events = pair.new(invoker)
    assert kinds(events) == ["Aborted", "OperationsUnfinished", "CloseTransport"]
    assert events[0].by_peer and [o.request for o in events[1].operations] == sent
    assert pair.state(invoker) is S.STA1
    idle(pair)


# --- pairing by Message ID Being Responded To (PS3.7 9.3, 10.3) --------------------------


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_responses_out_of_order_are_paired_by_message_id(
    order: tuple[int, ...], bytewise: bool
) -> None:
    pair = associated(bytewise, window=(3, 3))
    sent = [store(pair.requestor.next_message_id()) for _ in range(3)]
    operations = [request_arrives(pair, "requestor", CT_CX, request) for request in sent]
    for index in order:
        received = response_arrives(
            pair, "acceptor", operations[index], sent[index].response(status=0)
        )
        assert received.operation.message_id == sent[index].message_id
    idle(pair)


def test_pending_c_find_responses_are_not_final_and_interleave(bytewise: bool) -> None:
    pair = associated(bytewise, window=(2, 2))
    first, second = find(1), find(2)
    operations = [request_arrives(pair, "requestor", FIND_CX, r) for r in (first, second)]
    for request, operation in [(second, operations[1]), (first, operations[0])] * 2:
        received = response_arrives(pair, "acceptor", operation, pending(request))
        assert not received.final and received.operation.request is request
    assert list(pair.requestor.outstanding_ours) == [1, 2]
    assert not pair.requestor.window_open  # a Pending response ends nothing
    response_arrives(pair, "acceptor", operations[0], first.response(status=0))
    response_arrives(pair, "acceptor", operations[1], second.response(status=0xA700))
    idle(pair)


# --- a C-GET and its C-STORE sub-operations on the same association (PS3.4 C.4.3) --------


def test_a_c_get_with_its_c_store_sub_operations_under_a_window_of_1(bytewise: bool) -> None:
    pair = associated(bytewise, window=(1, 1))  # MR: the requestor took the SCP role too
    request = get(pair.requestor.next_message_id())
    operation = request_arrives(pair, "requestor", GET_CX, request)
    for remaining in (1, 0):
        sub = store(pair.acceptor.next_message_id(), MR)
        # each side keeps its own window: the acceptor's one sub-operation, the C-GET
        sub_operation = request_arrives(pair, "acceptor", MR_CX, sub)
        assert not pair.acceptor.window_open and not pair.requestor.window_open
        response_arrives(pair, "requestor", sub_operation, sub.response(status=0))
        if remaining:
            response_arrives(pair, "acceptor", operation, progress(request, remaining))
    final = request.response(status=0, number_of_completed_suboperations=2)
    assert response_arrives(pair, "acceptor", operation, final).final
    idle(pair)


def test_a_c_store_sub_operation_where_the_c_get_scu_took_no_scp_role_is_refused(
    bytewise: bool,
) -> None:
    pair = associated(bytewise)
    request_arrives(pair, "requestor", GET_CX, get(1))
    sub = store(1)  # CT: default roles, the requestor is SCU only
    with pytest.raises(dk.LocalProtocolError, match="did not make the acceptor SCU"):
        pair.acceptor.send_message(CT_CX, sub, now=pair.now)
    assert list(pair.acceptor.outstanding_ours) == []
    pair.send("acceptor", raw_p_data(sub, CT_CX))  # untracked: the requestor answers 0122H
    refused = one(pair.new("requestor"), dk.RequestRefused)
    assert refused.operation.request == sub and refused.response.status == 0x0122
    unexpected = one(pair.new("acceptor"), dk.UnexpectedResponse)  # the acceptor's view
    assert unexpected.response == refused.response and unexpected.context_id == CT_CX
    assert list(pair.requestor.outstanding_peers) == []
    assert list(pair.requestor.outstanding_ours) == [1]


# --- C-CANCEL (PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3) ------------------------------------------

Retrieval: TypeAlias = dk.CFindRequest | dk.CGetRequest | dk.CMoveRequest
CANCELLABLE: dict[str, tuple[int, Callable[[int], Retrieval]]] = {
    "C-FIND": (FIND_CX, find),
    "C-GET": (GET_CX, get),
    "C-MOVE": (MOVE_CX, move),
}


def some_pending(request: Retrieval) -> dk.Response:
    return pending(request) if isinstance(request, dk.CFindRequest) else progress(request, 3)


@pytest.mark.parametrize("invoker", ["requestor", "acceptor"])
@pytest.mark.parametrize("service", list(CANCELLABLE))
def test_an_operation_cancelled_mid_way_ends_fe00_cancelled(
    service: str, invoker: Side, bytewise: bool
) -> None:
    context_id, build = CANCELLABLE[service]
    pair = associated(bytewise, roles="default" if invoker == "requestor" else "both")
    performer = pair.other(invoker)
    request = build(pair.side(invoker).next_message_id())
    operation = request_arrives(pair, invoker, context_id, request)
    response_arrives(pair, performer, operation, some_pending(request))
    for wrong in (request.message_id + 1, request.message_id):  # nothing; not on its context
        with pytest.raises(dk.LocalProtocolError, match="cancels nothing"):
            pair.side(invoker).send_message(
                context_id if wrong != request.message_id else ECHO_CX,
                dk.CCancelRequest(message_id_being_responded_to=wrong),
                now=pair.now,
            )
    cancel = dk.CCancelRequest(message_id_being_responded_to=request.message_id)
    assert not pair.side(invoker).window_open  # a C-CANCEL counts against no window
    pair.message(invoker, context_id, cancel)
    assert pair.side(invoker).outstanding_ours[request.message_id].cancelled
    received = one(pair.new(performer), dk.CancelReceived)
    assert received.cancel == cancel and received.operation.cancelled
    assert received.operation.request == request and received.operation.context_id == context_id
    assert pair.side(performer).outstanding_peers[request.message_id].cancelled
    assert pair.new(invoker) == []  # a C-CANCEL has no response of its own
    # a second cancel of the same operation is ours to refuse
    with pytest.raises(dk.LocalProtocolError, match="already cancelled"):
        pair.side(invoker).send_message(context_id, cancel, now=pair.now)
    final = response_arrives(pair, performer, operation, request.response(status=0xFE00))
    assert final.final and final.cancelled and final.response.status == 0xFE00
    idle(pair)


@pytest.mark.parametrize("service", list(CANCELLABLE))
def test_a_cancel_crossing_the_final_response_is_an_unexpected_cancel_warning(
    service: str, bytewise: bool
) -> None:
    context_id, build = CANCELLABLE[service]
    pair = associated(bytewise)
    request = build(pair.requestor.next_message_id())
    operation = request_arrives(pair, "requestor", context_id, request)
    response_arrives(pair, "acceptor", operation, some_pending(request))
    pair.hold("acceptor")  # the final response is on the wire when the cancel goes
    pair.message("acceptor", context_id, request.response(status=0))
    assert list(pair.acceptor.outstanding_peers) == []
    cancel = dk.CCancelRequest(message_id_being_responded_to=request.message_id)
    pair.message("requestor", context_id, cancel)
    unexpected = one(pair.new("acceptor"), dk.UnexpectedCancel)
    assert unexpected.cancel == cancel and unexpected.context_id == context_id
    assert unexpected.diagnostic.severity is dk.Severity.WARNING
    assert pair.state("acceptor") is S.STA6 and pair.new("requestor") == []
    pair.deliver("acceptor", pair.held("acceptor"))
    final = one(pair.new("requestor"), dk.ResponseReceived)
    assert final.final and final.cancelled and final.response.status == 0  # it finished first
    assert final.operation.request is request and final.mismatches == ()
    idle(pair)


# --- what the peer gets wrong: the engine answers, reports, or aborts ----------------------


@pytest.mark.parametrize(
    ("context_id", "duplicate"), [(ECHO_CX, echo(1)), (CT_CX, store(1)), (FIND_CX, find(1))]
)
def test_a_duplicate_message_id_is_answered_0210h_and_the_original_stays_answerable(
    context_id: int, duplicate: dk.Request[Any], bytewise: bool
) -> None:
    pair = associated(bytewise, window=(1, 1))  # a duplicate, not one beyond the window
    original = find(1)
    operation = request_arrives(pair, "requestor", FIND_CX, original)
    with pytest.raises(dk.LocalProtocolError, match="Message ID 1, already outstanding"):
        pair.requestor.send_message(context_id, duplicate, now=pair.now)
    raw = joined(pair.requestor.send(raw_p_data(duplicate, context_id), now=pair.now))
    answer = pair.inject("acceptor", raw)
    event = one(pair.new("acceptor"), dk.DuplicateInvocation)
    assert event.request == duplicate and event.context_id == context_id
    assert event.original == operation and event.response.status == dk.DUPLICATE_INVOCATION
    [message] = received_messages(answer)  # the engine's own answer, on the duplicate's context
    assert message.context_id == context_id and message.message == event.response
    assert isinstance(message.message, dk.Response)
    assert message.message.message_id_being_responded_to == 1
    assert isinstance(message.message, type(duplicate.response(status=0)))
    assert dict(pair.acceptor.outstanding_peers) == {1: operation}
    response_arrives(pair, "acceptor", operation, original.response(status=0))
    idle(pair)


POLICIES: dict[str, dict[str, Any]] = {
    "default": {},
    "strict": {"strict": True},  # STRICT_OPERATIONS_POLICY
    "abort": {"operations_policy": dk.OperationsPolicy(unexpected_response="abort")},
}


def test_an_owed_answer_waits_for_the_message_being_sent_and_ends_its_iterator(
    bytewise: bool,
) -> None:
    pair = associated(bytewise, max_pdu=64)  # the acceptor's messages go in 64-byte PDUs
    request = find(1)
    request_arrives(pair, "requestor", FIND_CX, request)
    match = request.response(status=0xFF00, identifier=ID * 20)
    pdus = pair.acceptor.send_message(FIND_CX, match, now=pair.now)
    out = bytearray(joined(next(pdus)))
    raw = joined(pair.requestor.send(raw_p_data(echo(1), ECHO_CX), now=pair.now))
    assert pair.inject("acceptor", raw) == b""  # the 0210H answer waits (PS3.8 E.1)
    one(pair.new("acceptor"), dk.DuplicateInvocation)
    rest = [joined(pdu) for pdu in pdus]
    *match_rest, owed = rest  # the iterator's last item: the answer owed, after the message
    assert match_rest and [
        m.message for m in received_messages(bytes(out) + b"".join(match_rest))
    ] == [match]
    assert pair.acceptor.data_to_send() == []  # handed out once
    out += b"".join(rest)
    messages = [(m.context_id, m.message) for m in received_messages(bytes(out))]
    assert messages[0] == (FIND_CX, match)
    [(context_id, answer)] = [(m.context_id, m.message) for m in received_messages(owed)]
    assert messages[1:] == [(context_id, answer)]
    assert context_id == ECHO_CX and isinstance(answer, dk.CEchoResponse)
    assert answer.status == dk.DUPLICATE_INVOCATION and answer.message_id_being_responded_to == 1
    assert list(pair.acceptor.outstanding_peers) == [1]


@pytest.mark.parametrize("policy", list(POLICIES))
@pytest.mark.parametrize("answered", [False, True], ids=["never-asked", "already-answered"])
def test_a_response_to_nothing_is_reported_and_aborts_under_the_strict_policy(
    answered: bool, policy: str, bytewise: bool
) -> None:
    pair = associated(bytewise, **POLICIES[policy])
    request = echo(pair.requestor.next_message_id())
    if answered:
        operation = request_arrives(pair, "requestor", ECHO_CX, request)
        response_arrives(pair, "acceptor", operation, request.response(status=0))
    response = request.response(status=0)
    with pytest.raises(dk.LocalProtocolError, match="names no outstanding request"):
        pair.acceptor.send_message(ECHO_CX, response, now=pair.now)
    pair.send("acceptor", raw_p_data(response, ECHO_CX))
    events = pair.new("requestor")
    unexpected = events[0]
    assert isinstance(unexpected, dk.UnexpectedResponse)
    assert unexpected.response == response and unexpected.context_id == ECHO_CX
    assert "names no outstanding request" in unexpected.diagnostic.what
    if policy == "default":  # report only
        assert dk.DEFAULT_OPERATIONS_POLICY.unexpected_response == "report"
        assert len(events) == 1 and pair.state("requestor") is S.STA6
        assert pair.new("acceptor") == []
        idle(pair)
        return
    assert kinds(events) == ["UnexpectedResponse", "Aborted", "AwaitTransportClose"]
    assert not events[1].by_peer and events[1].source is dk.AbortSource.SERVICE_USER
    assert kinds(pair.new("acceptor")) == ["Aborted", "CloseTransport"]
    assert pair.state("acceptor") is S.STA1


def test_a_request_whose_sop_class_does_not_fit_its_context_is_refused_0122h(
    bytewise: bool,
) -> None:
    pair = associated(bytewise)
    request = store(5, MR)  # an MR image on the CT context (PS3.7 D.1)
    with pytest.raises(dk.LocalProtocolError, match="abstract syntax"):
        pair.requestor.send_message(CT_CX, request, now=pair.now)
    raw = joined(pair.requestor.send(raw_p_data(request, CT_CX), now=pair.now))
    answer = pair.inject("acceptor", raw)
    refused = one(pair.new("acceptor"), dk.RequestRefused)
    assert refused.operation.request == request and refused.operation.context_id == CT_CX
    assert f"affected_sop_class_uid is {MR}" in refused.diagnostic.what
    assert refused.response.status == dk.SOP_CLASS_NOT_SUPPORTED
    [message] = received_messages(answer)
    assert message.context_id == CT_CX and message.message == refused.response
    assert isinstance(message.message, dk.Response)
    assert message.message.message_id_being_responded_to == 5
    idle(pair)  # taken as outstanding until its answer went


# --- response timeouts -------------------------------------------------------------------


@pytest.mark.parametrize("policy", [None, "report"], ids=["default", "report"])
def test_a_response_that_does_not_come_in_time_times_out_and_aborts_by_default(
    policy: str | None, bytewise: bool
) -> None:
    options: dict[str, Any] = {"response_timeout": 5}
    if policy is not None:
        options["operations_policy"] = dk.OperationsPolicy(response_timeout=policy)  # type: ignore[arg-type]
    pair = associated(bytewise, **options)
    assert pair.requestor.deadline is None  # no operation of ours, no idle timeout
    pair.now = 1.0
    request = find(pair.requestor.next_message_id())
    request_arrives(pair, "requestor", FIND_CX, request)
    assert pair.requestor.deadline == 6.0 and pair.acceptor.deadline is None
    operation = pair.requestor.outstanding_ours[request.message_id]
    pair.timer("requestor", 5.9)
    assert pair.new("requestor") == [] and pair.state("requestor") is S.STA6
    pair.timer("requestor", 6.0)
    events = pair.new("requestor")
    assert events[0] == dk.TimedOut("response", operation)
    if policy == "report":
        assert len(events) == 1 and pair.state("requestor") is S.STA6
        assert pair.requestor.deadline is None and pair.new("acceptor") == []
        peer = pair.acceptor.outstanding_peers[request.message_id]
        response_arrives(pair, "acceptor", peer, request.response(status=0))  # still paired
        idle(pair)
        return
    assert kinds(events) == ["TimedOut", "Aborted", "OperationsUnfinished", "AwaitTransportClose"]
    assert not events[1].by_peer and "response_timeout" in events[1].why
    assert events[2].operations == (operation,)
    assert kinds(pair.new("acceptor")) == ["Aborted", "OperationsUnfinished", "CloseTransport"]
    idle(pair)


@pytest.mark.parametrize("service", ["C-FIND", "C-GET"])
def test_the_response_timer_restarts_at_each_pending_response_and_c_get_sub_operation(
    service: str, bytewise: bool
) -> None:
    pair = associated(bytewise, response_timeout=5)
    if service == "C-FIND":
        request: dk.CFindRequest | dk.CGetRequest = find(1)
        operation = request_arrives(pair, "requestor", FIND_CX, request)
    else:
        request = get(1)
        operation = request_arrives(pair, "requestor", GET_CX, request)
    assert pair.requestor.deadline == 5.0
    pair.now = 4.0
    response_arrives(pair, "acceptor", operation, some_pending(request))
    assert pair.requestor.deadline == 9.0
    if service == "C-GET":  # a C-STORE-RQ of the C-GET restarts it too (its response does not)
        pair.now = 7.0
        sub = request_arrives(pair, "acceptor", MR_CX, store(1, MR))
        assert pair.requestor.deadline == 12.0
        response_arrives(pair, "requestor", sub, sub.request.response(status=0))
        assert pair.requestor.deadline == 12.0
    deadline = pair.requestor.deadline
    assert deadline is not None
    pair.timer("requestor", 6.0)
    assert pair.new("requestor") == []
    pair.timer("requestor", deadline)
    assert kinds(pair.new("requestor"))[:2] == ["TimedOut", "Aborted"]


# --- release with operations outstanding -------------------------------------------------


def test_release_with_operations_outstanding_is_refused_unless_abandoned(bytewise: bool) -> None:
    pair = associated(bytewise)
    request = find(pair.requestor.next_message_id())
    peer = request_arrives(pair, "requestor", FIND_CX, request)
    ours = pair.requestor.outstanding_ours[request.message_id]
    with pytest.raises(dk.LocalProtocolError, match=r"operations are outstanding \(ours: .*\[1\]"):
        pair.requestor.send(dk.ReleaseRequest(), now=pair.now)
    assert pair.state("requestor") is S.STA6 and pair.requestor.data_to_send() == []
    assert dict(pair.requestor.outstanding_ours) == {1: ours} and pair.new("requestor") == []
    pair.send("requestor", dk.ReleaseRequest(abandon_outstanding=True))
    assert pair.new("acceptor") == [dk.ReleaseRequested()]
    with pytest.raises(dk.LocalProtocolError, match=r"the peer's: \[1\]"):
        pair.acceptor.send(dk.ReleaseResponse(), now=pair.now)
    assert pair.state("acceptor") is S.STA8 and dict(pair.acceptor.outstanding_peers) == {1: peer}
    pair.send("acceptor", dk.ReleaseResponse(abandon_outstanding=True))
    acceptor = pair.new("acceptor")
    assert dk.OperationsUnfinished((peer,)) in acceptor and pair.state("acceptor") is S.STA13
    requestor = pair.new("requestor")
    assert kinds(requestor) == ["Released", "OperationsUnfinished", "CloseTransport"]
    assert requestor[1] == dk.OperationsUnfinished((ours,)) and pair.state("requestor") is S.STA1
    idle(pair)


def test_an_operation_answered_while_the_release_is_under_way_is_not_unfinished(
    bytewise: bool,
) -> None:
    pair = associated(bytewise)
    request = find(1)
    operation = request_arrives(pair, "requestor", FIND_CX, request)
    pair.send("requestor", dk.ReleaseRequest(abandon_outstanding=True))
    assert pair.new("acceptor") == [dk.ReleaseRequested()]
    assert pair.state("requestor") is S.STA7 and pair.state("acceptor") is S.STA8
    # the acceptor may still send P-DATA (AR-7), the requestor takes it (AR-6)
    response_arrives(pair, "acceptor", operation, pending(request))
    response_arrives(pair, "acceptor", operation, request.response(status=0))
    pair.send("acceptor", dk.ReleaseResponse())  # nothing outstanding: no abandoning
    assert kinds(pair.new("requestor")) == ["Released", "CloseTransport"]
    assert "OperationsUnfinished" not in kinds(pair.new("acceptor"))
    idle(pair)


def test_release_after_the_operations_ended_goes(bytewise: bool) -> None:
    pair = associated(bytewise)
    request = echo(1)
    operation = request_arrives(pair, "requestor", ECHO_CX, request)
    response_arrives(pair, "acceptor", operation, request.response(status=0))
    pair.send("requestor", dk.ReleaseRequest())
    pair.send("acceptor", dk.ReleaseResponse())
    assert "OperationsUnfinished" not in kinds(pair.new("requestor") + pair.new("acceptor"))
    assert pair.state("requestor") is S.STA1


# --- each conversation fed whole and one byte at a time: the same events ------------------


def every_service(pair: EnginePair) -> None:
    for context_id, build, by_scp in SERVICES.values():
        invoker = natural(by_scp)
        request = build(pair.side(invoker).next_message_id())
        pair.message(invoker, context_id, request)
        pair.message(pair.other(invoker), context_id, request.response(status=0))


def c_get(pair: EnginePair) -> None:
    request = get(1)
    pair.message("requestor", GET_CX, request)
    pair.message("acceptor", MR_CX, store(1, MR))
    pair.message("requestor", MR_CX, store(1, MR).response(status=0))
    pair.message("acceptor", GET_CX, progress(request, 1))
    pair.message("acceptor", GET_CX, request.response(status=0))


def wrongs(pair: EnginePair) -> None:
    """A window overrun, a duplicate, a SOP class off its context, a response to
    nothing: each answered or reported by the engine."""
    pair.message("requestor", FIND_CX, find(1))
    wrong: list[tuple[int, dk.Message]] = [
        (CT_CX, store(2)),  # beyond the window of 1
        (ECHO_CX, echo(1)),  # a duplicate
        (CT_CX, store(3, MR)),  # not CT
    ]
    for context_id, message in wrong:
        pair.send("requestor", raw_p_data(message, context_id))
    pair.send("acceptor", raw_p_data(echo(9).response(status=0), ECHO_CX))
    pair.message("acceptor", FIND_CX, pending(find(1)))
    pair.message("acceptor", FIND_CX, find(1).response(status=0))


def cancels(pair: EnginePair) -> None:
    request = move(1)
    pair.message("requestor", MOVE_CX, request)
    pair.message("acceptor", MOVE_CX, progress(request, 2))
    pair.message("requestor", MOVE_CX, dk.CCancelRequest(message_id_being_responded_to=1))
    pair.message("acceptor", MOVE_CX, request.response(status=0xFE00))
    pair.message("requestor", MOVE_CX, request := move(2))
    pair.hold("acceptor")
    pair.message("acceptor", MOVE_CX, request.response(status=0))
    pair.message("requestor", MOVE_CX, dk.CCancelRequest(message_id_being_responded_to=2))
    pair.deliver("acceptor", pair.held("acceptor"))


def strict_abort(pair: EnginePair) -> None:
    pair.message("requestor", ECHO_CX, echo(1))
    pair.send("acceptor", raw_p_data(echo(2).response(status=0), ECHO_CX))


def timeout_then_release(pair: EnginePair) -> None:
    pair.message("requestor", FIND_CX, find(1))
    pair.timer("requestor", 10.0)
    pair.message("acceptor", FIND_CX, find(1).response(status=0))
    pair.message("requestor", FIND_CX, find(2))
    pair.send("requestor", dk.ReleaseRequest(abandon_outstanding=True))
    pair.send("acceptor", dk.ReleaseResponse(abandon_outstanding=True))


CONVERSATIONS: dict[str, tuple[Callable[[EnginePair], None], dict[str, Any], set[str]]] = {
    # name: (the conversation, the engines' options, events it must have)
    "every service": (every_service, {}, {"RequestReceived", "ResponseReceived"}),
    "C-GET": (c_get, {}, {"RequestReceived", "ResponseReceived"}),
    "wrongs": (
        wrongs,
        {},
        {"WindowOverrun", "DuplicateInvocation", "RequestRefused", "UnexpectedResponse"},
    ),
    "cancels": (cancels, {}, {"CancelReceived", "UnexpectedCancel", "ResponseReceived"}),
    "strict": (strict_abort, {"strict": True}, {"UnexpectedResponse", "Aborted"}),
    "timeout": (
        timeout_then_release,
        {
            "response_timeout": 5,
            "operations_policy": dk.OperationsPolicy(response_timeout="report"),
        },
        {"TimedOut", "OperationsUnfinished", "Released"},
    ),
}


@pytest.mark.parametrize("name", list(CONVERSATIONS))
def test_each_conversation_fed_whole_and_bytewise_has_the_same_events(name: str) -> None:
    conversation, options, expected = CONVERSATIONS[name]
    logs = []
    for bytewise in (False, True):
        pair = associated(bytewise, **options)
        conversation(pair)
        logs.append(pair.log)
    assert logs[0] == logs[1]
    assert expected <= {type(event).__name__ for _, event in logs[0]}


# --- any interleaving the window allows pairs every response with its request -------------


@settings(max_examples=examples(30))
@given(
    window=st.tuples(st.integers(0, 3), st.integers(0, 3)),
    bytewise=st.booleans(),
    data=st.data(),
)
def test_any_interleaving_the_window_allows_pairs_every_response_with_its_request(
    window: tuple[int, int], bytewise: bool, data: st.DataObject
) -> None:
    pair = associated(bytewise, window=window, roles="both")
    sent: dict[Side, dict[int, dk.Request[Any]]] = {"requestor": {}, "acceptor": {}}
    sides: tuple[Side, Side] = ("requestor", "acceptor")
    builds: list[tuple[int, Build]] = [(ECHO_CX, echo), (CT_CX, store), (FIND_CX, find)]
    start = len(pair.log)  # after the association's own events

    def answer(performer: Side, message_id: int, final: bool) -> None:
        operation = pair.side(performer).outstanding_peers[message_id]
        request = operation.request
        if not final and isinstance(request, dk.CFindRequest):
            response = pending(request)
        else:
            response = request.response(status=0)
        pair.message(performer, operation.context_id, response)

    for _ in range(data.draw(st.integers(0, 25), label="steps")):
        moves: list[tuple[str, Side, int]] = [
            ("send", side, 0) for side in sides if pair.side(side).window_open
        ]
        for side in sides:
            for message_id, operation in pair.side(side).outstanding_peers.items():
                moves.append(("final", side, message_id))
                if isinstance(operation.request, dk.CFindRequest):
                    moves.append(("pending", side, message_id))
        kind, side, message_id = data.draw(st.sampled_from(moves), label="move")
        if kind == "send":
            context_id, build = data.draw(st.sampled_from(builds), label="service")
            request = build(pair.side(side).next_message_id())
            sent[side][request.message_id] = request
            pair.message(side, context_id, request)
        else:
            answer(side, message_id, kind == "final")
    # then every operation still outstanding is answered, in an order drawn
    left = [(side, i) for side in sides for i in pair.side(side).outstanding_peers]
    for side, message_id in data.draw(st.permutations(left), label="last answers"):
        answer(side, message_id, True)

    finals = 0
    for side, event in pair.log[start:]:
        assert isinstance(event, dk.RequestReceived | dk.ResponseReceived), event
        if isinstance(event, dk.ResponseReceived):
            message_id = event.response.message_id_being_responded_to
            assert event.operation.request is sent[side][message_id]
            assert event.mismatches == () and event.operation.ours
            finals += event.final
    assert finals == len(sent["requestor"]) + len(sent["acceptor"])
    idle(pair)


# --- a peer that sends anything (robustness) ---------------------------------------------

PEER_MESSAGES: dict[str, Callable[[int], dk.Message]] = {
    "C-ECHO-RQ": echo,
    "C-STORE-RQ": store,
    "C-FIND-RQ": find,
    "C-MOVE-RQ": move,
    "C-GET-RQ": get,
    "N-EVENT-REPORT-RQ": event_report,
    "C-CANCEL-RQ": lambda message_id: dk.CCancelRequest(message_id_being_responded_to=message_id),
    "C-ECHO-RSP": lambda message_id: echo(message_id).response(status=0),
    "C-STORE-RSP": lambda message_id: store(message_id).response(status=0),
    "C-FIND-RSP Pending": lambda message_id: pending(find(message_id)),
    "C-FIND-RSP": lambda message_id: find(message_id).response(status=0),
    "C-MOVE-RSP Cancel": lambda message_id: move(message_id).response(status=0xFE00),
    "C-ECHO-RSP 0210H": lambda message_id: echo(message_id).response(status=0x0210),
}
CONTEXTS = (ECHO_CX, CT_CX, FIND_CX, MOVE_CX, GET_CX, COMMITMENT_CX)


@settings(max_examples=examples(60), deadline=None)
@given(
    st.sampled_from(["requestor", "acceptor"]),
    st.sampled_from([(1, 1), (2, 1), (0, 0)]),
    st.sampled_from(["default", "strict"]),
    st.lists(
        st.tuples(
            st.sampled_from(list(PEER_MESSAGES)), st.integers(1, 3), st.sampled_from(CONTEXTS)
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_whatever_dimse_messages_a_peer_sends_the_engine_answers_with_events_never_an_error(
    receiver: Side, window: tuple[int, int], policy: str, steps: list[tuple[str, int, int]]
) -> None:
    """Any sequence of well-formed DIMSE messages, sent raw (past the sender's operations):
    requests of either role on any context, duplicates, responses and cancels to anything.
    The receiving engine gives an event for each, writes only whole answers it owes (each a
    response to a request it took), never raises, and ends with nothing outstanding that it
    has not reported or answered."""
    pair = associated(False, window=window, roles="both", strict=policy == "strict")
    sender = pair.other(receiver)
    engine = pair.side(receiver)
    for name, message_id, context_id in steps:
        if pair.state(receiver) is not S.STA6:
            break
        message = PEER_MESSAGES[name](message_id)
        raw = joined(pair.side(sender).send(raw_p_data(message, context_id), now=pair.now))
        answer = pair.inject(receiver, raw)
        events = pair.new(receiver)
        assert events, name  # every message is an event (or the abort that answers it)
        for sent in received_messages(answer) if pair.state(receiver) is S.STA6 else []:
            assert isinstance(sent.message, dk.Response)
            assert sent.message.status in (
                dk.DUPLICATE_INVOCATION,
                dk.SOP_CLASS_NOT_SUPPORTED,
                0xA700,
                0xA702,
                0x0213,
            )
    if pair.state(receiver) is S.STA6:  # not aborted: it releases, whatever is left
        pair.send(receiver, dk.ReleaseRequest(abandon_outstanding=True))
        pair.send(sender, dk.ReleaseResponse(abandon_outstanding=True))
        assert pair.state(receiver) is S.STA1
    assert engine.outstanding_ours == {} and engine.outstanding_peers == {}


def test_a_message_advanced_with_send_times_its_timers_from_the_last_time_given() -> None:
    """A long message: ``send(now)`` on its iterator says when the caller wrote each PDU,
    so the response timer starts when the last one went, not when the first did."""
    pair = associated(False, max_pdu=4096, response_timeout=5, idle_timeout=3)
    request = dk.CStoreRequest(
        message_id=1,
        affected_sop_class_uid=MR,
        affected_sop_instance_uid="1.2.3.1",
        data_set=bytes(100_000),  # several P-DATA-TF
    )
    pdus = pair.requestor.send_message(MR_CX, request, now=0.0)
    sent = [next(pdus)]
    for now in (10.0, 20.0, 30.0, 40.0):
        sent.append(pdus.send(now))
        assert pair.requestor.deadline == now + 3  # the idle timer, from each PDU
    for later in pdus:
        sent.append(later)
    assert pair.requestor.deadline == 40.0 + 3  # next() keeps the time given last
    assert len(sent) >= 5
    operation = pair.requestor.outstanding_ours[1]
    assert operation.request.message_id == 1
    pair.timer("requestor", 44.9)
    assert kinds(pair.new("requestor")) == ["TimedOut"]  # idle: said, not aborted
    assert pair.requestor.deadline == 45.0  # the response timer: 40 + 5
