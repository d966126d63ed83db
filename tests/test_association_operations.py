"""DIMSE operations between two engines in memory (a requestor and an acceptor
``dk.Association``, the bytes of one fed to the other): every service both ways, the
asynchronous operations window (PS3.7 D.3.3.3), pairing by Message ID Being Responded To,
a C-GET's sub-operations, C-CANCEL, duplicate invocations, responses to nothing, requests
a context does not carry, response timeouts, release with operations outstanding; each
conversation fed whole and one byte at a time."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dimsekit as dk
from tests.helpers import EnginePair, Side, examples, joined, raw_p_data, received_messages

VERIFICATION = "1.2.840.10008.1.1"
CT = "1.2.840.10008.5.1.4.1.1.2"  # CT Image Storage (PS3.4 B.5)
MR = "1.2.840.10008.5.1.4.1.1.4"  # MR Image Storage
FIND = "1.2.840.10008.5.1.4.1.2.2.1"  # Study Root Q/R Information Model - FIND (PS3.4 C.6)
MOVE = "1.2.840.10008.5.1.4.1.2.2.2"  # - MOVE
GET = "1.2.840.10008.5.1.4.1.2.2.3"  # - GET
COMMITMENT = "1.2.840.10008.1.20.1"  # Storage Commitment Push Model (PS3.4 J)
COMMITMENT_INSTANCE = "1.2.840.10008.1.20.1.1"
PRINT_META = "1.2.840.10008.5.1.1.9"  # Basic Grayscale Print Management Meta (PS3.4 H.3.2.2)
FILM_SESSION = "1.2.840.10008.5.1.1.1"
PRINTER = "1.2.840.10008.5.1.1.16"
PRINTER_INSTANCE = "1.2.840.10008.5.1.1.17"
IMPLICIT = "1.2.840.10008.1.2"
EXPLICIT = "1.2.840.10008.1.2.1"
ID = b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY "  # QueryRetrieveLevel, Implicit VR LE

SYNTAXES = (VERIFICATION, CT, FIND, MOVE, GET, MR, COMMITMENT, PRINT_META)
# the contexts every association below proposes, by ID (PS3.8 9.3.2.2: 1, 3, 5, ...)
ECHO_CX, CT_CX, FIND_CX, MOVE_CX, GET_CX, MR_CX, COMMITMENT_CX, PRINT_CX = range(1, 17, 2)
ACCEPTED = {CT_CX: EXPLICIT}  # the transfer syntax each context takes: CT explicit VR
S = dk.State


def negotiated(
    window: tuple[int, int] = (1, 1), roles: str = "default"
) -> tuple[dk.AAssociateRQ, dk.AAssociateAC]:
    """The RQ and AC of an association with ``window`` (PS3.7 D.3.3.3).  MR storage has
    the requestor take the SCP role too (for a C-GET's C-STORE sub-operations, PS3.7
    D.3.3.4); with ``roles="both"`` every SOP class has both sides take both roles."""
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
    **options: Any,
) -> EnginePair:
    pair = EnginePair(bytewise=bytewise, **options)
    pair.associate(*negotiated(window, roles))
    pair.new("requestor")
    pair.new("acceptor")
    return pair


@pytest.fixture(params=[False, True], ids=["whole", "bytewise"])
def bytewise(request: pytest.FixtureRequest) -> bool:
    value: bool = request.param
    return value


# --- the requests, one per service -------------------------------------------------------


def echo(message_id: int) -> dk.CEchoRequest:
    return dk.CEchoRequest(message_id=message_id)


def store(message_id: int, sop_class: str = CT) -> dk.CStoreRequest:
    return dk.CStoreRequest(
        message_id=message_id,
        affected_sop_class_uid=sop_class,
        affected_sop_instance_uid=f"1.2.3.{message_id}",
        data_set=ID,
    )


def find(message_id: int) -> dk.CFindRequest:
    return dk.CFindRequest(message_id=message_id, affected_sop_class_uid=FIND, identifier=ID)


def move(message_id: int) -> dk.CMoveRequest:
    return dk.CMoveRequest(
        message_id=message_id, affected_sop_class_uid=MOVE, move_destination="X", identifier=ID
    )


def get(message_id: int) -> dk.CGetRequest:
    return dk.CGetRequest(message_id=message_id, affected_sop_class_uid=GET, identifier=ID)


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
        message_id=message_id, affected_sop_class_uid=FILM_SESSION, affected_sop_instance_uid="1.2.3"
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


def progress(request: dk.CMoveRequest | dk.CGetRequest, remaining: int) -> dk.Response:
    """A Pending C-MOVE/C-GET response: sub-operations continuing (PS3.7 9.1.4.1)."""
    return request.response(
        status=0xFF00,
        number_of_remaining_suboperations=remaining,
        number_of_completed_suboperations=0,
        number_of_failed_suboperations=0,
        number_of_warning_suboperations=0,
    )


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
    assert pair.requestor.state is S.STA6 and pair.acceptor.state is S.STA6


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_other_way_needs_the_role_refused_locally_and_refused_0122H_by_the_peer(
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
    assert isinstance(message.message, type(request.response(status=0)))
    assert message.message.status == dk.SOP_CLASS_NOT_SUPPORTED == 0x0122
    assert message.message.message_id_being_responded_to == 7
    idle(pair)
