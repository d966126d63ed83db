"""The DIMSE operations of an association (``_association.operations``): Message IDs,
response pairing, duplicate invocations, the asynchronous operations window (PS3.7
D.3.3.3), roles and contexts, and C-CANCEL (PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom import uid as pydicom_uid

import dimsekit as dk
from dimsekit.testing import messages

from .helpers import CT, MR
from .message_examples import (
    COMMITMENT,
    ID,
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

IMPLICIT = pydicom_uid.ImplicitVRLittleEndian

# the contexts every association below proposes, by ID (PS3.8 9.3.2.2: 1, 3, 5, ...)
ECHO_CONTEXT, CT_CONTEXT, FIND_CONTEXT, MOVE_CONTEXT, GET_CONTEXT, MR_CONTEXT = 1, 3, 5, 7, 9, 11
COMMITMENT_CONTEXT = 13


def agreed(window: tuple[int, int] = (1, 1)) -> dk.Agreement:
    """An association agreed with ``window``: MR storage with the requestor SCP too (for a
    C-GET's C-STORE sub-operations, PS3.7 D.3.3.4), the rest with the default roles."""
    rq = dk.propose(
        calling_ae_title="SCU",
        called_ae_title="SCP",
        contexts=[
            dk.VERIFICATION_SOP_CLASS,
            CT,
            STUDY_FIND,
            STUDY_MOVE,
            STUDY_GET,
            dk.ProposedContext(
                abstract_syntax=MR, transfer_syntaxes=[IMPLICIT], scu_role=True, scp_role=True
            ),
            COMMITMENT,
        ],
        async_window=window,
    )
    policy = dk.AcceptorPolicy(
        abstract_syntaxes={
            syntax: [IMPLICIT]
            for syntax in (
                dk.VERIFICATION_SOP_CLASS,
                CT,
                STUDY_FIND,
                STUDY_MOVE,
                STUDY_GET,
                MR,
                COMMITMENT,
            )
        },
        roles={MR: (True, True)},
        async_window=window,
    )
    ac = dk.answer(rq, policy)
    assert isinstance(ac, dk.AAssociateAC)
    return dk.agreement(rq, ac)


def pair(window: tuple[int, int] = (1, 1)) -> tuple[dk.Operations, dk.Operations]:
    agreement = agreed(window)
    return dk.Operations(agreement, "requestor"), dk.Operations(agreement, "acceptor")


# --- Message IDs ---------------------------------------------------------------------


def test_message_ids_count_up_and_skip_those_still_outstanding() -> None:
    ours = dk.Operations(agreed((0, 0)), "requestor")
    assert [ours.next_message_id() for _ in range(3)] == [1, 2, 3]
    ours.request_sent(ECHO_CONTEXT, echo(4))
    ours.request_sent(ECHO_CONTEXT, echo(5))
    assert ours.next_message_id() == 6  # 4 and 5 are outstanding
    ours.response_received(ECHO_CONTEXT, echo(4).response(status=0))
    assert ours.next_message_id() == 7  # no going back


def test_message_ids_wrap_to_1_after_65535_never_to_one_outstanding() -> None:
    ours = dk.Operations(agreed((0, 0)), "requestor")
    ours.request_sent(ECHO_CONTEXT, echo(1))
    ours.request_sent(ECHO_CONTEXT, echo(2))
    for _ in range(65532):
        ours.next_message_id()
    assert ours.next_message_id() == 65535
    assert ours.next_message_id() == 3  # 0 is never given, 1 and 2 are outstanding


def test_a_full_table_of_message_ids_is_an_error_of_ours() -> None:
    ours = dk.Operations(agreed((0, 0)), "requestor")
    for _ in range(65535):
        ours.request_sent(ECHO_CONTEXT, echo(ours.next_message_id()))
    with pytest.raises(dk.LocalProtocolError, match="no Message ID is free: all 65535"):
        ours.next_message_id()
    ours.response_received(ECHO_CONTEXT, echo(40000).response(status=0))
    assert ours.next_message_id() == 40000


# --- our requests: refused locally ----------------------------------------------------


def test_a_message_id_already_outstanding_of_ours_is_refused() -> None:
    ours = dk.Operations(agreed((0, 0)), "requestor")
    ours.request_sent(ECHO_CONTEXT, echo(7))
    with pytest.raises(dk.LocalProtocolError, match="Message ID 7, already outstanding"):
        ours.request_sent(CT_CONTEXT, store(7))
    assert list(ours.outstanding_ours) == [7]


def test_a_request_on_a_context_not_accepted_is_refused() -> None:
    ours = dk.Operations(agreed(), "requestor")
    with pytest.raises(dk.LocalProtocolError, match="context 15, which the association did not"):
        ours.request_sent(15, echo(1))
    assert ours.outstanding_ours == {}


def test_a_request_in_a_role_the_negotiation_did_not_give_us_is_refused() -> None:
    acceptor = dk.Operations(agreed(), "acceptor")
    # CT storage: default roles, the acceptor is SCP only; it may not send a C-STORE-RQ
    with pytest.raises(dk.LocalProtocolError, match="did not make the acceptor SCU"):
        acceptor.request_sent(CT_CONTEXT, store(1))
    # MR storage: the requestor took the SCP role too, so the acceptor may (a C-GET SCP)
    assert acceptor.request_sent(MR_CONTEXT, store(1, MR)).ours
    # an N-EVENT-REPORT-RQ is the SCP's: the acceptor may send it, the requestor may not
    report = dk.NEventReportRequest(
        message_id=2,
        affected_sop_class_uid=COMMITMENT,
        affected_sop_instance_uid="1.2.840.10008.1.20.1.1",
        event_type_id=1,
    )
    requestor = dk.Operations(agreed(), "requestor")
    with pytest.raises(dk.LocalProtocolError, match="did not make the requestor SCP"):
        requestor.request_sent(COMMITMENT_CONTEXT, report)
    assert dk.Operations(agreed(), "acceptor").request_sent(COMMITMENT_CONTEXT, report).ours


@pytest.mark.parametrize("side", ["requestor", "acceptor"])
def test_a_request_beyond_our_window_is_refused_and_the_window_says_so(side: str) -> None:
    # the requestor may have 2 outstanding, the acceptor 3 (PS3.7 D.3.3.3)
    agreement = agreed((2, 3))
    ours = dk.Operations(agreement, side)  # type: ignore[arg-type]
    limit = 2 if side == "requestor" else 3
    context = CT_CONTEXT if side == "requestor" else MR_CONTEXT
    for message_id in range(1, limit + 1):
        assert ours.window_open
        ours.request_sent(context, store(message_id, CT if side == "requestor" else MR))
    assert not ours.window_open
    with pytest.raises(dk.LocalProtocolError, match=f"the {side} may have {limit}"):
        ours.request_sent(context, store(9, CT if side == "requestor" else MR))
    request = ours.outstanding_ours[1].request
    ours.response_received(context, request.response(status=0))
    assert ours.window_open
    ours.request_sent(context, store(9, CT if side == "requestor" else MR))


def test_a_window_of_0_is_unlimited() -> None:
    ours = dk.Operations(agreed((0, 1)), "requestor")
    for message_id in range(1, 201):
        ours.request_sent(CT_CONTEXT, store(message_id))
    assert len(ours.outstanding_ours) == 200 and ours.window_open


def test_a_wrong_argument_type_is_a_type_error_naming_it() -> None:
    ours = dk.Operations(agreed(), "requestor")
    not_a_request: object = dk.CCancelRequest(message_id_being_responded_to=1)
    with pytest.raises(TypeError, match="request is a DIMSE Request"):
        ours.request_sent(CT_CONTEXT, not_a_request)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="side is 'requestor' or 'acceptor'"):
        dk.Operations(agreed(), "scu")  # type: ignore[arg-type]


# --- responses received -----------------------------------------------------------------


def test_responses_pair_by_message_id_out_of_order() -> None:
    ours = dk.Operations(agreed((3, 1)), "requestor")
    requests = [store(1), store(2), store(3)]
    for request in requests:
        ours.request_sent(CT_CONTEXT, request)
    for request in (requests[2], requests[0], requests[1]):
        event = ours.response_received(CT_CONTEXT, request.response(status=0))
        assert isinstance(event, dk.ResponseReceived)
        assert event.operation.request is request
        assert event.final and event.mismatches == () and not event.cancelled
    assert ours.outstanding_ours == {}


def test_pending_responses_are_not_final_and_keep_the_operation() -> None:
    ours = dk.Operations(agreed(), "requestor")
    request = find(1)
    ours.request_sent(FIND_CONTEXT, request)
    for _ in range(3):
        event = ours.response_received(FIND_CONTEXT, request.response(status=0xFF00, identifier=ID))
        assert isinstance(event, dk.ResponseReceived) and not event.final
        assert list(ours.outstanding_ours) == [1]
    event = ours.response_received(FIND_CONTEXT, request.response(status=0))
    assert isinstance(event, dk.ResponseReceived) and event.final
    assert ours.outstanding_ours == {}


def test_a_failure_status_is_final() -> None:
    ours = dk.Operations(agreed(), "requestor")
    request = move(1)
    ours.request_sent(MOVE_CONTEXT, request)
    event = ours.response_received(MOVE_CONTEXT, request.response(status=0xA801))
    assert isinstance(event, dk.ResponseReceived) and event.final
    assert ours.outstanding_ours == {}


def test_every_response_is_checked_against_its_request_and_a_mismatch_reported() -> None:
    ours = dk.Operations(agreed(), "requestor")
    request = store(1)
    ours.request_sent(CT_CONTEXT, request)
    wrong = dk.CStoreResponse(
        message_id_being_responded_to=1,
        affected_sop_class_uid=CT,
        affected_sop_instance_uid="9.9.9",
        status=0,
    )
    event = ours.response_received(MR_CONTEXT, wrong)
    assert isinstance(event, dk.ResponseReceived) and event.final
    assert [mismatch.field for mismatch in event.mismatches] == [
        "affected_sop_instance_uid",
        "context_id",
    ]
    assert event.mismatches[1].request_value == CT_CONTEXT
    assert event.mismatches[1].response_value == MR_CONTEXT


def test_a_response_of_the_wrong_service_is_a_mismatch_too() -> None:
    ours = dk.Operations(agreed(), "requestor")
    ours.request_sent(ECHO_CONTEXT, echo(1))
    event = ours.response_received(ECHO_CONTEXT, find(1).response(status=0))
    assert isinstance(event, dk.ResponseReceived)
    assert [mismatch.field for mismatch in event.mismatches] == ["command_field"]


def test_a_response_to_nothing_outstanding_is_an_unexpected_response() -> None:
    ours = dk.Operations(agreed(), "requestor")
    ours.request_sent(ECHO_CONTEXT, echo(1))
    event = ours.response_received(ECHO_CONTEXT, echo(2).response(status=0))
    assert isinstance(event, dk.UnexpectedResponse)
    assert event.diagnostic.severity is dk.Severity.ERROR
    assert "Message ID 2, which names no outstanding request" in event.diagnostic.what
    assert list(ours.outstanding_ours) == [1]
    ours.response_received(ECHO_CONTEXT, echo(1).response(status=0))
    again = ours.response_received(ECHO_CONTEXT, echo(1).response(status=0))
    assert isinstance(again, dk.UnexpectedResponse)  # its operation has ended


# --- the peer's requests ----------------------------------------------------------------


def test_a_peer_request_becomes_its_outstanding_operation_and_our_final_response_ends_it() -> None:
    acceptor = dk.Operations(agreed(), "acceptor")
    request = find(5)
    received = acceptor.request_received(FIND_CONTEXT, request)
    assert isinstance(received, dk.RequestReceived) and received.request is request
    operation = received.operation
    assert not operation.ours and operation.transfer_syntax == IMPLICIT
    assert acceptor.outstanding_peers == {5: operation}
    pending = request.response(status=0xFF00, identifier=ID)
    assert acceptor.response_sent(FIND_CONTEXT, pending) is operation
    assert list(acceptor.outstanding_peers) == [5]
    acceptor.response_sent(FIND_CONTEXT, request.response(status=0))
    assert acceptor.outstanding_peers == {}


def test_a_peer_message_id_already_outstanding_gets_a_duplicate_invocation_answer() -> None:
    acceptor = dk.Operations(agreed((0, 0)), "acceptor")
    received = acceptor.request_received(CT_CONTEXT, store(5))
    assert isinstance(received, dk.RequestReceived)
    first = received.operation
    event = acceptor.request_received(CT_CONTEXT, store(5))
    assert isinstance(event, dk.DuplicateInvocation)
    assert event.original is first
    assert isinstance(event.response, dk.CStoreResponse)
    assert event.response.status == 0x0210
    assert event.response.message_id_being_responded_to == 5
    assert "Duplicate Invocation" in event.response.status_meaning
    # sending that answer ends nothing; the first operation's own answer ends it
    acceptor.response_sent(CT_CONTEXT, event.response)
    assert acceptor.outstanding_peers == {5: first}
    acceptor.response_sent(CT_CONTEXT, store(5).response(status=0))
    assert acceptor.outstanding_peers == {}


def test_a_duplicate_of_another_service_on_another_context_is_answered_as_itself() -> None:
    """The 0210H answer is the duplicate's own (its context, its service): the original's
    context and check_response are not its, and the original stays outstanding."""
    acceptor = dk.Operations(agreed((0, 0)), "acceptor")
    received = acceptor.request_received(CT_CONTEXT, store(5))
    assert isinstance(received, dk.RequestReceived)
    event = acceptor.request_received(ECHO_CONTEXT, echo(5))
    assert isinstance(event, dk.DuplicateInvocation)
    assert isinstance(event.response, dk.CEchoResponse)
    acceptor.check_outgoing(ECHO_CONTEXT, event.response)  # checks only, changes nothing
    duplicate = acceptor.response_sent(ECHO_CONTEXT, event.response)
    assert duplicate.request == echo(5) and duplicate.context_id == ECHO_CONTEXT  # its own
    assert not duplicate.ours and duplicate != received.operation
    assert acceptor.outstanding_peers == {5: received.operation}
    with pytest.raises(dk.LocalProtocolError, match="its request came on 3"):
        acceptor.response_sent(ECHO_CONTEXT, event.response)  # owed once, answered once


def test_a_duplicate_answered_after_its_original_ended_is_still_its_own_answer() -> None:
    """The 0210H answer goes whenever it goes: the original may have ended first (its own
    0122H refusal sent before it, as the engine sends what it owes in order)."""
    requestor = dk.Operations(agreed((0, 0)), "requestor")
    refused = requestor.request_received(ECHO_CONTEXT, echo(1))  # the acceptor is no SCU
    assert isinstance(refused, dk.RequestRefused)
    duplicate = requestor.request_received(ECHO_CONTEXT, echo(1))
    assert isinstance(duplicate, dk.DuplicateInvocation)
    requestor.response_sent(ECHO_CONTEXT, refused.response)  # the original ends
    assert requestor.outstanding_peers == {}
    answered = requestor.response_sent(ECHO_CONTEXT, duplicate.response)
    assert answered.request == echo(1) and requestor.outstanding_peers == {}
    with pytest.raises(dk.LocalProtocolError, match="names no outstanding request"):
        requestor.response_sent(ECHO_CONTEXT, duplicate.response)  # owed once


def test_the_same_message_id_is_fine_once_the_peer_operation_ended() -> None:
    acceptor = dk.Operations(agreed(), "acceptor")
    acceptor.request_received(ECHO_CONTEXT, echo(1))
    acceptor.response_sent(ECHO_CONTEXT, echo(1).response(status=0))
    assert isinstance(acceptor.request_received(ECHO_CONTEXT, echo(1)), dk.RequestReceived)


def test_our_ids_and_the_peer_ids_are_apart() -> None:
    acceptor = dk.Operations(agreed((0, 0)), "acceptor")
    acceptor.request_sent(MR_CONTEXT, store(1, MR))
    assert isinstance(acceptor.request_received(CT_CONTEXT, store(1)), dk.RequestReceived)


def test_a_peer_overrunning_its_window_is_named_and_taken_for_the_policy_to_answer() -> None:
    acceptor = dk.Operations(agreed((2, 1)), "acceptor")
    assert isinstance(acceptor.request_received(CT_CONTEXT, store(1)), dk.RequestReceived)
    assert isinstance(acceptor.request_received(CT_CONTEXT, store(2)), dk.RequestReceived)
    event = acceptor.request_received(CT_CONTEXT, store(3))
    assert isinstance(event, dk.WindowOverrun)
    assert event.limit == 2 and event.operation.request == store(3)
    assert "the requestor may have 2" in event.diagnostic.what
    # the policy answers it with a failure, which ends it
    acceptor.response_sent(CT_CONTEXT, store(3).response(status=0xA700))
    assert sorted(acceptor.outstanding_peers) == [1, 2]
    assert isinstance(acceptor.request_received(CT_CONTEXT, store(3)), dk.WindowOverrun)


def test_a_synchronous_c_get_with_its_c_store_sub_operations_fits_a_1_1_window() -> None:
    requestor, acceptor = pair((1, 1))
    request = get(1)
    requestor.request_sent(GET_CONTEXT, request)
    assert isinstance(acceptor.request_received(GET_CONTEXT, request), dk.RequestReceived)
    for message_id in (1, 2):  # the acceptor's own Message IDs: it has one outstanding
        sub = store(message_id, MR)
        acceptor.request_sent(MR_CONTEXT, sub)
        assert isinstance(requestor.request_received(MR_CONTEXT, sub), dk.RequestReceived)
        requestor.response_sent(MR_CONTEXT, sub.response(status=0))
        assert isinstance(
            acceptor.response_received(MR_CONTEXT, sub.response(status=0)), dk.ResponseReceived
        )
        pending = progress(request, remaining=2 - message_id)
        acceptor.response_sent(GET_CONTEXT, pending)
        event = requestor.response_received(GET_CONTEXT, pending)
        assert isinstance(event, dk.ResponseReceived) and not event.final
    done = request.response(status=0)
    acceptor.response_sent(GET_CONTEXT, done)
    event = requestor.response_received(GET_CONTEXT, done)
    assert isinstance(event, dk.ResponseReceived) and event.final
    for side in (requestor, acceptor):
        assert side.outstanding_ours == {} and side.outstanding_peers == {}


def test_our_responses_are_refused_where_they_answer_nothing() -> None:
    acceptor = dk.Operations(agreed(), "acceptor")
    with pytest.raises(dk.LocalProtocolError, match="names no outstanding request of the peer"):
        acceptor.response_sent(ECHO_CONTEXT, echo(1).response(status=0))
    acceptor.request_received(CT_CONTEXT, store(1))
    with pytest.raises(dk.LocalProtocolError, match="its request came on 3"):
        acceptor.response_sent(MR_CONTEXT, store(1).response(status=0))
    with pytest.raises(dk.LocalProtocolError, match="does not answer its request"):
        acceptor.response_sent(CT_CONTEXT, store(1, MR).response(status=0))
    assert list(acceptor.outstanding_peers) == [1]


# --- C-CANCEL ------------------------------------------------------------------------------


def cancel(message_id: int) -> dk.CCancelRequest:
    return dk.CCancelRequest(message_id_being_responded_to=message_id)


def test_a_c_move_cancelled_mid_way_ends_with_cancel_and_says_it_was_cancelled() -> None:
    requestor, acceptor = pair((1, 1))
    request = move(1)
    requestor.request_sent(MOVE_CONTEXT, request)
    acceptor.request_received(MOVE_CONTEXT, request)
    pending = progress(request, remaining=5)
    acceptor.response_sent(MOVE_CONTEXT, pending)
    progressed = requestor.response_received(MOVE_CONTEXT, pending)
    assert isinstance(progressed, dk.ResponseReceived) and not progressed.cancelled
    # the cancel counts against no window: the requestor's only slot is the C-MOVE
    operation = requestor.cancel_sent(MOVE_CONTEXT, cancel(1))
    assert operation.cancelled and requestor.outstanding_ours[1].cancelled
    received = acceptor.cancel_received(MOVE_CONTEXT, cancel(1))
    assert isinstance(received, dk.CancelReceived)
    assert received.operation.request is request and received.operation.cancelled
    final = request.response(
        status=0xFE00,
        number_of_remaining_suboperations=3,
        number_of_completed_suboperations=2,
        number_of_failed_suboperations=0,
        number_of_warning_suboperations=0,
    )
    acceptor.response_sent(MOVE_CONTEXT, final)
    event = requestor.response_received(MOVE_CONTEXT, final)
    assert isinstance(event, dk.ResponseReceived)
    assert event.final and event.cancelled and event.response.status == 0xFE00
    assert requestor.outstanding_ours == {} and acceptor.outstanding_peers == {}


def test_a_c_move_that_finished_before_the_cancel_arrived() -> None:
    requestor, acceptor = pair()
    request = move(1)
    requestor.request_sent(MOVE_CONTEXT, request)
    acceptor.request_received(MOVE_CONTEXT, request)
    done = request.response(status=0)
    acceptor.response_sent(MOVE_CONTEXT, done)  # the acceptor finished
    requestor.cancel_sent(MOVE_CONTEXT, cancel(1))  # crossing on the wire
    late = acceptor.cancel_received(MOVE_CONTEXT, cancel(1))
    assert isinstance(late, dk.UnexpectedCancel)
    assert late.diagnostic.severity is dk.Severity.WARNING
    event = requestor.response_received(MOVE_CONTEXT, done)
    assert isinstance(event, dk.ResponseReceived)
    assert event.final and event.cancelled and event.response.status == 0x0000
    # after it ended, there is nothing to cancel
    with pytest.raises(dk.LocalProtocolError, match="names no outstanding operation"):
        requestor.cancel_sent(MOVE_CONTEXT, cancel(1))


def test_a_cancel_is_refused_for_what_no_c_cancel_stops() -> None:
    ours = dk.Operations(agreed((0, 0)), "requestor")
    ours.request_sent(CT_CONTEXT, store(1))
    ours.request_sent(FIND_CONTEXT, find(2))
    with pytest.raises(dk.LocalProtocolError, match="names a C-STORE-RQ, which no C-CANCEL"):
        ours.cancel_sent(CT_CONTEXT, cancel(1))
    with pytest.raises(dk.LocalProtocolError, match="came on presentation context 3"):
        ours.cancel_sent(CT_CONTEXT, cancel(2))
    ours.cancel_sent(FIND_CONTEXT, cancel(2))
    with pytest.raises(dk.LocalProtocolError, match="already cancelled"):
        ours.cancel_sent(FIND_CONTEXT, cancel(2))
    assert not ours.outstanding_ours[1].cancelled


def test_a_received_cancel_for_a_c_store_is_an_error_not_a_cancel() -> None:
    acceptor = dk.Operations(agreed(), "acceptor")
    acceptor.request_received(CT_CONTEXT, store(1))
    event = acceptor.cancel_received(CT_CONTEXT, cancel(1))
    assert isinstance(event, dk.UnexpectedCancel)
    assert event.diagnostic.severity is dk.Severity.ERROR
    assert not acceptor.outstanding_peers[1].cancelled


# --- the property ----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    window=st.sampled_from([1, 3, 0]),
    count=st.integers(1, 12),
    choices=st.lists(st.integers(0, 1 << 16), min_size=40, max_size=40),
)
def test_any_interleaving_the_window_allows_pairs_every_response_with_its_request(
    window: int, count: int, choices: list[int]
) -> None:
    """Requests go out while the window allows; the peer takes each (no overrun) and
    answers in any order, C-FINDs with Pending responses first; each response is paired
    with its own request, none lost, and both sides end with nothing outstanding."""
    requestor, acceptor = pair((window, window))
    to_send = [index % 2 == 1 for index in range(count)]  # True: a C-FIND, else a C-STORE
    sent: dict[int, dk.CFindRequest | dk.CStoreRequest] = {}
    pendings: dict[int, int] = {}
    finished: dict[int, int] = {}
    step = 0
    while to_send or requestor.outstanding_ours:
        pick = choices[step % len(choices)] + step
        step += 1
        if to_send and requestor.window_open and (pick % 3 or not requestor.outstanding_ours):
            is_find = to_send.pop()
            message_id = requestor.next_message_id()
            request = find(message_id) if is_find else store(message_id)
            context = FIND_CONTEXT if isinstance(request, dk.CFindRequest) else CT_CONTEXT
            requestor.request_sent(context, request)
            assert isinstance(acceptor.request_received(context, request), dk.RequestReceived)
            sent[message_id] = request
            pendings[message_id] = pick % 3 if isinstance(request, dk.CFindRequest) else 0
            continue
        ids = sorted(requestor.outstanding_ours)
        message_id = ids[pick % len(ids)]
        request = sent[message_id]
        context = requestor.outstanding_ours[message_id].context_id
        if pendings[message_id]:
            pendings[message_id] -= 1
            response = request.response(status=0xFF00, identifier=ID)
        else:
            response = request.response(status=0)
        assert acceptor.response_sent(context, response).request is request
        event = requestor.response_received(context, response)
        assert isinstance(event, dk.ResponseReceived)
        assert event.operation.request is request and event.mismatches == ()
        assert event.final == (response.status == 0)
        if event.final:
            finished[message_id] = finished.get(message_id, 0) + 1
        assert window == 0 or len(requestor.outstanding_ours) <= window
    assert finished == dict.fromkeys(sent, 1)
    assert len(sent) == count and acceptor.outstanding_peers == {}


REQUEST_CLASSES = [
    cls
    for cls in dk.MESSAGE_CLASSES.values()
    if issubclass(cls, dk.Request)  # C-CANCEL-RQ is no Request: it has no response
]


@settings(max_examples=80, deadline=None)
@given(request=messages(*REQUEST_CLASSES))
def test_a_duplicate_of_any_service_gets_a_valid_0210_answer(request: dk.Message) -> None:
    """Every service may answer 0210H (PS3.7 C.5): the answer is built for each, whatever
    the request carries, and it answers the request."""
    assert isinstance(request, dk.Request)
    acceptor = dk.Operations(agreed(), "acceptor")
    acceptor.request_received(ECHO_CONTEXT, request)
    event = acceptor.request_received(ECHO_CONTEXT, request)
    assert isinstance(event, dk.DuplicateInvocation)
    assert event.response.status.category is dk.StatusCategory.FAILURE
    assert request.check_response(event.response) == []


def test_a_peer_request_with_a_field_decoded_leniently_is_answered_without_it() -> None:
    """A request decoded leniently may hold a value we may not send back (an invalid UID
    a response would echo): the engine's answer leaves the echoed fields out (all are
    optional in a Failure response, PS3.7 9.3) rather than raise."""
    data = dk.encode_command(store(3)).replace(
        b"1.2.840.10008.5.1.4.1.1.2\0", b"\0.2.840.10008.5.1.4.1.1.2\0"
    )
    decoded = dk.decode_command(data)
    assert decoded.diagnostics  # the invalid UID was reported, and kept
    request = decoded.message
    assert isinstance(request, dk.CStoreRequest)
    with pytest.raises(dk.InvalidMessageError):
        request.response(status=0x0122)  # copying it back is refused
    acceptor = dk.Operations(agreed(), "acceptor")
    event = acceptor.request_received(CT_CONTEXT, request)
    assert isinstance(event, dk.RequestRefused)  # its SOP class is not the context's
    answer = event.response
    assert answer.status == 0x0122 and answer.message_id_being_responded_to == 3
    assert isinstance(answer, dk.CStoreResponse) and answer.affected_sop_class_uid is None
    acceptor.response_sent(CT_CONTEXT, answer)
    assert not acceptor.outstanding_peers


def test_what_check_outgoing_passed_is_checked_again_once_anything_outstanding_changed() -> None:
    ours, _ = pair()  # a window of 1
    first, second = echo(1), echo(2)
    ours.check_outgoing(ECHO_CONTEXT, first)
    ours.request_sent(ECHO_CONTEXT, second)  # fills the window since the check
    with pytest.raises(dk.LocalProtocolError, match="beyond the window"):
        ours.outgoing(ECHO_CONTEXT, first)
    assert list(ours.outstanding_ours) == [2]


def test_what_check_outgoing_passed_holds_for_that_message_on_that_context_only() -> None:
    ours, _ = pair()
    ours.check_outgoing(ECHO_CONTEXT, echo(1))
    with pytest.raises(dk.LocalProtocolError, match="the abstract syntax"):
        ours.outgoing(ECHO_CONTEXT, store(1))  # another message: checked afresh
    ours.check_outgoing(ECHO_CONTEXT, echo(1))
    with pytest.raises(dk.LocalProtocolError, match="the abstract syntax"):
        ours.outgoing(CT_CONTEXT, echo(1))  # another context: checked afresh
    assert ours.outstanding_ours == {}
    request = echo(1)
    ours.check_outgoing(ECHO_CONTEXT, request)
    assert ours.outgoing(ECHO_CONTEXT, request).request is request  # unchanged: recorded
    with pytest.raises(dk.LocalProtocolError, match="already outstanding"):
        ours.outgoing(ECHO_CONTEXT, request)  # the check is spent once recorded
