"""``serve`` as a Query/Retrieve SCP (PS3.4 C.4), against dimsekit's own client: a find
handler's matches as Pending responses and the cancel between them; a get or move
handler's instances sent as C-STORE sub-operations (a C-GET's on the same association,
a C-MOVE's on one of their own to the destination, naming the Move Originator), the
counters of each Pending response, the final status PS3.4 C.4.2.3.1 and C.4.3.3.1
prescribe, an instance that cannot be sent one failed sub-operation, a cancel before the
first sub-operation and one while a sub-operation is under way (given up: the C-MOVE's
destination aborted, even one that never answers); what ``policy_for`` offers for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, Literal, TypeAlias

import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

import dimsekit as dk
from dimsekit import aio

from .helpers import CT, INSTANCE, MR
from .scripted_peer import ScriptedConnection, accept_all, scripted_acceptor, scripted_requestor
from .test_aio import Kept, instance, run
from .test_aio_query import match as study
from .test_aio_query import query

STUDY = dk.STUDY_ROOT
Retrieving: TypeAlias = Literal["get", "move"]


class Finder:
    """A find handler: ``count`` matches (None: without end), what it was asked, whether
    its generator was closed."""

    def __init__(self, count: int | None = 3) -> None:
        self.count = count
        self.asked: list[aio.Requested[dk.CFindRequest]] = []
        self.closed = False

    async def __call__(self, event: aio.Requested[dk.CFindRequest]) -> AsyncIterator[Dataset]:
        self.asked.append(event)
        number = 0
        try:
            while self.count is None or number < self.count:
                number += 1
                yield study(number)
                await asyncio.sleep(0)
        finally:
            self.closed = True


class Giving:
    """A get or move handler giving ``instances``, what it was asked."""

    def __init__(self, instances: Sequence[aio.Instance]) -> None:
        self.instances = instances
        self.asked: list[aio.Requested[Any]] = []

    async def __call__(self, event: aio.Requested[Any]) -> Sequence[aio.Instance]:
        self.asked.append(event)
        return self.instances


def failed_list(
    response: dk.CGetResponse | dk.CMoveResponse, syntax: str = ExplicitVRLittleEndian
) -> list[str]:
    """The Failed SOP Instance UID List (0008,0058) of a final response's identifier
    (decoded in ``syntax`` where it came undecoded)."""
    assert response.identifier is not None
    data_set = response.identifier.dataset or response.identifier.to_dataset(UID(syntax))
    value = data_set.FailedSOPInstanceUIDList
    return [value] if isinstance(value, str) else list(value)


def find_contexts(syntax: str = ExplicitVRLittleEndian) -> list[dk.ProposedContext | str]:
    return [dk.ProposedContext(abstract_syntax=STUDY.find, transfer_syntaxes=(syntax,))]


async def found(
    handlers: aio.Handlers,
    identifier: Dataset,
    *,
    contexts: list[dk.ProposedContext | str] | None = None,
    leave_after: int | None = None,
) -> tuple[list[Dataset], dk.CFindResponse | None]:
    async with (
        await aio.serve("127.0.0.1", 0, handlers=handlers) as server,
        aio.connect(*server.address, contexts=contexts or find_contexts()) as association,
        association.find(identifier, check=False) as matches,
    ):
        got: list[Dataset] = []
        async for match in matches:
            got.append(match)
            if leave_after is not None and len(got) == leave_after:
                break
    return got, matches.response


# --- C-FIND --------------------------------------------------------------------------------


@pytest.mark.parametrize("syntax", [ImplicitVRLittleEndian, ExplicitVRBigEndian])
def test_find_sends_each_match_pending_in_the_contexts_syntax_then_success(syntax: str) -> None:
    finder = Finder(3)
    got, final = run(
        found(aio.Handlers(find=finder), query(PatientID="P*"), contexts=find_contexts(syntax))
    )
    assert [match.StudyInstanceUID for match in got] == [f"{INSTANCE}.{n}" for n in (1, 2, 3)]
    assert [match.PatientID for match in got] == ["P1", "P2", "P3"]
    assert final is not None and final.status == 0x0000
    (event,) = finder.asked
    assert event.data_set is not None and event.data_set.PatientID == "P*"
    assert event.context.transfer_syntax == syntax
    assert event.peer.calling_ae_title == "DIMSEKIT"
    assert finder.closed


def test_a_cancel_stops_the_matches_closes_the_handler_and_ends_with_fe00() -> None:
    finder = Finder(None)
    got, final = run(found(aio.Handlers(find=finder), query(), leave_after=2))
    assert len(got) >= 2
    assert final is not None and final.status == 0xFE00
    assert final.identifier is None
    assert finder.closed


def test_a_find_handler_that_refuses_ends_with_its_status_and_comment() -> None:
    async def refusing(event: aio.Requested[dk.CFindRequest]) -> AsyncIterator[Dataset]:
        yield study(1)
        raise aio.Refused(0xA900, "the identifier does not match the SOP class")

    got, final = run(found(aio.Handlers(find=refusing), query()))
    assert len(got) == 1
    assert final is not None and final.status == 0xA900
    assert final.error_comment == "the identifier does not match the SOP class"


def test_a_find_handler_that_raises_answers_processing_failure() -> None:
    async def broken(event: aio.Requested[dk.CFindRequest]) -> AsyncIterator[Dataset]:
        raise RuntimeError("the database is gone")
        yield study(1)  # an async generator all the same

    got, final = run(found(aio.Handlers(find=broken), query()))
    assert got == []
    assert final is not None and final.status == 0x0110


async def find_statuses(finder: aio.FindHandler, cancel: bool = False) -> list[int]:
    """The statuses of the responses a server with ``finder`` sends to a C-FIND-RQ (with
    its C-CANCEL-RQ in the same write where ``cancel``), as a scripted requestor sees them."""
    async with (
        await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(find=finder)) as server,
        scripted_requestor(server.address, find_contexts()) as peer,
    ):
        agreement = peer.engine.agreement
        assert agreement is not None
        (context_id,) = agreement.contexts
        request = dk.CFindRequest(
            message_id=5, affected_sop_class_uid=STUDY.find, identifier=query()
        )
        both = b"".join(
            bytes(buffer)
            for message in ((request, request.cancel()) if cancel else (request,))
            for pdus in peer.engine.send_message(context_id, message, now=peer.now())
            for buffer in pdus
        )
        peer.write([both])  # in one write: read, most likely, in one go
        statuses: list[int] = []
        while not statuses or statuses[-1] in (0xFF00, 0xFF01):
            event = await peer.expect(dk.ResponseReceived)
            assert isinstance(event.response, dk.CFindResponse)
            statuses.append(int(event.response.status))
        return statuses


def test_a_find_handler_may_say_optional_keys_were_not_supported() -> None:
    async def partial(event: aio.Requested[dk.CFindRequest]) -> AsyncIterator[aio.Match]:
        yield study(1), 0xFF01  # PS3.4 C.4.1.1.4
        yield study(2)

    assert run(find_statuses(partial)) == [0xFF01, 0xFF00, 0x0000]


def test_a_match_with_a_status_that_is_not_pending_answers_processing_failure() -> None:
    async def astray(event: aio.Requested[dk.CFindRequest]) -> AsyncIterator[aio.Match]:
        yield study(1)
        yield study(2), 0x0000

    assert run(find_statuses(astray)) == [0xFF00, 0x0110]


@pytest.mark.parametrize("status", [0x0000, 0xFF00, 0xFE00, 0xB000, 0x0001])
def test_refused_is_a_failure_status_only(status: int) -> None:
    with pytest.raises(ValueError, match="failure"):
        aio.Refused(status)
    assert aio.Refused(0xA700).status == 0xA700


def test_find_is_offered_for_each_model_and_not_without_a_handler() -> None:
    offered = aio.policy_for(aio.Handlers(find=Finder())).abstract_syntaxes
    for model in (dk.PATIENT_ROOT, dk.STUDY_ROOT, dk.MODALITY_WORKLIST):
        assert model.find in offered
        assert model.get not in offered and model.move not in offered
    bare = aio.policy_for(aio.Handlers()).abstract_syntaxes
    assert STUDY.find not in bare

    async def body() -> None:
        async with (
            await aio.serve("127.0.0.1", 0) as server,
            aio.connect(*server.address, contexts=find_contexts()) as association,
        ):
            with pytest.raises(dk.ContextNotAgreedError):
                association.find(query())

    run(body())


# --- C-GET ---------------------------------------------------------------------------------


def get_contexts(*classes: str) -> list[dk.ProposedContext]:
    return aio.retrieve_contexts(STUDY, classes or (CT,), [ExplicitVRLittleEndian])


async def got_back(
    giving: Giving,
    kept: Kept,
    *,
    contexts: list[dk.ProposedContext] | None = None,
) -> tuple[dk.CGetResponse, list[dk.CGetResponse]]:
    progress: list[dk.CGetResponse] = []
    async with (
        await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(get=giving)) as server,
        aio.connect(
            *server.address,
            contexts=contexts or get_contexts(),
            handlers=aio.Handlers(store=kept),
        ) as association,
    ):
        final = await association.get(query(PatientID="P1"), progress=progress.append)
    return final, progress


def test_get_sends_each_instance_on_the_same_association_with_the_counters(
    tmp_path: Path,
) -> None:
    path = tmp_path / "three.dcm"
    third = instance(3)
    third.file_meta = FileMetaDataset()
    third.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    third.save_as(path, enforce_file_format=True)
    giving, kept = Giving([instance(1), instance(2), path]), Kept()
    final, progress = run(got_back(giving, kept))
    assert [str(e.request.affected_sop_instance_uid) for e in kept.events] == [
        f"{INSTANCE}.{n}" for n in (1, 2, 3)
    ]
    assert all(e.request.move_originator_message_id is None for e in kept.events)
    assert [
        (p.status, p.number_of_remaining_suboperations, p.number_of_completed_suboperations)
        for p in progress
    ] == [(0xFF00, 2, 1), (0xFF00, 1, 2)]
    assert final.status == 0x0000
    assert final.number_of_remaining_suboperations is None
    assert (
        final.number_of_completed_suboperations,
        final.number_of_failed_suboperations,
        final.number_of_warning_suboperations,
    ) == (3, 0, 0)
    assert final.identifier is None
    (event,) = giving.asked
    assert event.data_set is not None and event.data_set.PatientID == "P1"


def test_get_with_some_failed_ends_b000_with_the_failed_sop_instance_uid_list() -> None:
    class Failing(Kept):
        async def __call__(self, event: aio.StoreRequested) -> int:
            await super().__call__(event)
            return 0xA700 if str(event.request.affected_sop_instance_uid).endswith(".2") else 0

    final, _ = run(got_back(Giving([instance(1), instance(2), instance(3)]), Failing()))
    assert final.status == 0xB000
    assert (final.number_of_completed_suboperations, final.number_of_failed_suboperations) == (2, 1)
    assert failed_list(final) == [f"{INSTANCE}.2"]


def test_get_with_warnings_only_ends_b000_without_a_failed_list() -> None:
    final, _ = run(got_back(Giving([instance(1), instance(2)]), Kept(status=0xB007)))
    assert final.status == 0xB000
    assert (final.number_of_completed_suboperations, final.number_of_warning_suboperations) == (
        0,
        2,
    )
    assert final.identifier is None


def test_get_with_every_sub_operation_failed_ends_a702() -> None:
    final, _ = run(got_back(Giving([instance(1), instance(2)]), Kept(status=0xA700)))
    assert final.status == 0xA702
    assert final.number_of_failed_suboperations == 2
    assert len(failed_list(final)) == 2


def test_a_sub_operation_without_a_context_whose_scp_role_was_taken_fails(tmp_path: Path) -> None:
    missing = tmp_path / "not-there.dcm"
    giving = Giving([instance(1), instance(2, SOPClassUID=MR), missing])
    kept = Kept()
    final, _ = run(got_back(giving, kept))
    assert [str(e.request.affected_sop_instance_uid) for e in kept.events] == [f"{INSTANCE}.1"]
    assert final.status == 0xB000
    assert (final.number_of_completed_suboperations, final.number_of_failed_suboperations) == (1, 2)
    assert failed_list(final) == [f"{INSTANCE}.2"]


@pytest.mark.filterwarnings("ignore:The value length:UserWarning")  # pydicom's, of the UID
def test_an_instance_whose_uid_no_c_store_may_carry_is_one_failed_sub_operation() -> None:
    bad = instance(2)
    bad.SOPInstanceUID = "1." + "2" * 70  # over 64 characters (PS3.5 9.1)
    kept = Kept()
    final, progress = run(got_back(Giving([instance(1), bad, instance(3)]), kept))
    assert [str(e.request.affected_sop_instance_uid) for e in kept.events] == [
        f"{INSTANCE}.1",
        f"{INSTANCE}.3",
    ]
    assert [p.number_of_remaining_suboperations for p in progress] == [2, 1]
    assert final.status == 0xB000
    assert (final.number_of_completed_suboperations, final.number_of_failed_suboperations) == (2, 1)
    assert final.identifier is None  # its UID is not one the list may carry


def test_a_get_of_nothing_ends_success_with_zero_counters() -> None:
    final, progress = run(got_back(Giving([]), Kept()))
    assert progress == []
    assert final.status == 0x0000 and final.number_of_completed_suboperations == 0


def test_get_is_offered_with_the_requestors_scp_role_for_the_storage_classes() -> None:
    policy = aio.policy_for(aio.Handlers(get=Giving([])))
    for model in (dk.PATIENT_ROOT, dk.STUDY_ROOT):
        assert model.get in policy.abstract_syntaxes
        assert model.find not in policy.abstract_syntaxes
    assert CT in policy.abstract_syntaxes
    assert policy.roles_for(UID(CT)) == (False, True)
    with_store = aio.policy_for(aio.Handlers(get=Giving([]), store=Kept()))
    assert with_store.roles_for(UID(CT)) == (True, True)


# --- C-MOVE --------------------------------------------------------------------------------


async def moved(
    giving: Giving,
    kept: Kept,
    destination: str = "STORE-HERE",
    *,
    known: bool = True,
    up: bool = True,
) -> tuple[dk.CMoveResponse, list[dk.CMoveResponse], list[aio.Peer]]:
    progress: list[dk.CMoveResponse] = []
    async with await aio.serve("127.0.0.1", 0, "STORE-HERE", aio.Handlers(store=kept)) as store:
        address = store.address
        if not up:
            store.close()
            await store.wait_closed()
        table = {"STORE-HERE": address} if known else {}
        async with (
            await aio.serve(
                "127.0.0.1", 0, "ARCHIVE", aio.Handlers(move=giving), move_destinations=table
            ) as server,
            aio.connect(
                *server.address, "ARCHIVE", "VIEWER", contexts=[STUDY.retrieve_class("move")]
            ) as association,
        ):
            final = await association.move(query(), destination, progress=progress.append)
        if kept.events:  # the association that brought them has ended
            await store.wait_served()
    return final, progress, [event.peer for event in kept.events]


def test_move_sends_to_the_destination_naming_the_move_originator(tmp_path: Path) -> None:
    path = tmp_path / "two.dcm"
    second = instance(2)
    second.file_meta = FileMetaDataset()
    second.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    second.save_as(path, implicit_vr=True, enforce_file_format=True)
    kept = Kept()
    giving = Giving([instance(1), path, instance(3)])
    final, progress, peers = run(moved(giving, kept))
    assert [str(e.request.affected_sop_instance_uid) for e in kept.events] == [
        f"{INSTANCE}.{n}" for n in (1, 2, 3)
    ]
    assert {e.request.move_originator_application_entity_title for e in kept.events} == {"VIEWER"}
    assert {e.request.move_originator_message_id for e in kept.events} == {1}
    assert kept.events[1].context.transfer_syntax == ImplicitVRLittleEndian
    assert {(p.calling_ae_title, p.called_ae_title) for p in peers} == {("ARCHIVE", "STORE-HERE")}
    assert len({p.association_id for p in peers}) == 1  # one association for them all
    assert [p.number_of_remaining_suboperations for p in progress] == [2, 1]
    assert final.status == 0x0000 and final.number_of_completed_suboperations == 3
    (event,) = giving.asked
    assert event.request.move_destination == "STORE-HERE"


def test_an_unknown_move_destination_is_a801_and_the_handler_never_called() -> None:
    giving = Giving([instance(1)])
    final, progress, _ = run(moved(giving, Kept(), "ELSEWHERE"))
    assert final.status == 0xA801
    assert final.error_comment is not None and "ELSEWHERE" in final.error_comment
    assert progress == [] and giving.asked == []


def test_a_destination_that_cannot_be_reached_fails_every_sub_operation() -> None:
    final, _, peers = run(moved(Giving([instance(1), instance(2)]), Kept(), up=False))
    assert peers == []
    assert final.status == 0xA702
    assert final.number_of_failed_suboperations == 2
    assert failed_list(final) == [f"{INSTANCE}.1", f"{INSTANCE}.2"]


def test_a_move_of_instances_none_of_which_can_be_sent_fails_each(tmp_path: Path) -> None:
    final, _, peers = run(moved(Giving([tmp_path / "gone.dcm", tmp_path / "too.dcm"]), Kept()))
    assert peers == []
    assert final.status == 0xA702 and final.number_of_failed_suboperations == 2
    assert final.identifier is None  # their UIDs are not known


def test_move_is_offered_for_the_retrieve_models_only() -> None:
    offered = aio.policy_for(aio.Handlers(move=Giving([]))).abstract_syntaxes
    assert dk.PATIENT_ROOT.move in offered and dk.STUDY_ROOT.move in offered
    assert CT not in offered  # a C-MOVE's sub-operations go elsewhere


def test_a_retrieve_handler_that_refuses_ends_with_its_status_and_sends_nothing() -> None:
    async def refusing(event: aio.Requested[dk.CGetRequest]) -> Sequence[aio.Instance]:
        raise aio.Refused(0xA701, "too many to count")

    kept = Kept()

    async def body() -> dk.CGetResponse:
        async with (
            await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(get=refusing)) as server,
            aio.connect(
                *server.address, contexts=get_contexts(), handlers=aio.Handlers(store=kept)
            ) as association,
        ):
            return await association.get(query())

    final = run(body())
    assert final.status == 0xA701 and final.error_comment == "too many to count"
    assert kept.events == []


def test_a_cancel_that_comes_with_the_find_request_is_not_lost() -> None:
    """The C-CANCEL-RQ in the same read as its C-FIND-RQ, before the handler runs: no
    match is sent, the final status is Cancel (PS3.7 9.3.2.3)."""
    assert run(find_statuses(Finder(3), cancel=True)) == [0xFE00]


# --- a C-CANCEL of a C-GET or C-MOVE (PS3.4 C.4.2.3.1, C.4.3.3.1) --------------------------


class Holding(Kept):
    """A store handler that holds the ``hold``-th C-STORE (``held`` set) until
    ``released`` is."""

    def __init__(self, hold: int) -> None:
        super().__init__()
        self.hold = hold
        self.held = asyncio.Event()
        self.released = asyncio.Event()

    async def __call__(self, event: aio.StoreRequested) -> int:
        status = await super().__call__(event)
        if len(self.events) == self.hold:
            self.held.set()
            await self.released.wait()
        return status


def retrieve_request(operation: Retrieving) -> Any:
    """A builder of the C-GET-RQ or C-MOVE-RQ (to destination DEST) of :func:`query`."""
    if operation == "get":
        return lambda message_id: dk.CGetRequest(
            message_id=message_id,
            affected_sop_class_uid=STUDY.retrieve_class("get"),
            identifier=query(),
        )
    return lambda message_id: dk.CMoveRequest(
        message_id=message_id,
        affected_sop_class_uid=STUDY.retrieve_class("move"),
        move_destination="DEST",
        identifier=query(),
    )


def cancelled_fields(final: dk.CGetResponse | dk.CMoveResponse) -> tuple[int, ...]:
    return (
        int(final.status),
        final.number_of_remaining_suboperations or 0,
        final.number_of_completed_suboperations or 0,
        final.number_of_failed_suboperations or 0,
        final.number_of_warning_suboperations or 0,
    )


@pytest.mark.parametrize("operation", ["get", "move"])
def test_a_cancel_while_a_sub_operation_is_under_way_ends_fe00_with_the_counters(
    operation: Retrieving,
) -> None:
    """The C-CANCEL comes while the second C-STORE is held: that one is given up (a
    C-MOVE's destination association aborted), the final response is Cancel, the
    first counted completed, the other four remaining and in the Failed SOP Instance UID
    List (PS3.4 C.4.2.1.4.2, C.4.3.1.3.2)."""
    kept = Holding(hold=2)
    giving = Giving([instance(n) for n in range(1, 6)])

    async def body() -> dk.CGetResponse | dk.CMoveResponse:
        async with await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(store=kept)) as store:
            handlers = aio.Handlers(get=giving) if operation == "get" else aio.Handlers(move=giving)
            async with (
                await aio.serve(
                    "127.0.0.1", 0, handlers=handlers, move_destinations={"DEST": store.address}
                ) as server,
                aio.connect(
                    *server.address,
                    contexts=get_contexts()
                    if operation == "get"
                    else [STUDY.retrieve_class("move")],
                    handlers=aio.Handlers(store=kept) if operation == "get" else None,
                ) as association,
            ):
                final: dk.CGetResponse | dk.CMoveResponse
                if operation == "get":  # cancelled once the second C-STORE is held
                    final = await association.get(query(), cancel=kept.held)
                else:
                    final = await association.move(query(), "DEST", cancel=kept.held)
                kept.released.set()
                if operation == "move":
                    await store.wait_served()  # the association to it has ended
                else:  # the C-STORE given up is answered all the same, before the release
                    while association.answering is not None and association.answering.busy:
                        await asyncio.sleep(0.01)
                return final

    final = run(body())
    assert len(kept.events) == 2
    assert cancelled_fields(final) == (0xFE00, 4, 1, 0, 0)
    assert failed_list(final) == [f"{INSTANCE}.{n}" for n in range(2, 6)]


def test_a_cancel_interrupts_a_c_store_the_destination_never_answers() -> None:
    """A destination that accepts and never answers its C-STORE: the C-CANCEL aborts
    its association and the C-MOVE ends Cancel at once (PS3.4 C.4.2.3.1)."""
    stored = asyncio.Event()
    aborted: list[dk.Aborted] = []

    async def destination(peer: ScriptedConnection) -> None:
        await accept_all(peer, abstract_syntaxes={CT: (ExplicitVRLittleEndian,)})
        await peer.expect(dk.RequestReceived)
        stored.set()  # and never answered
        aborted.append(await peer.expect(dk.Aborted, timeout=10))

    async def body() -> dk.CMoveResponse:
        async with scripted_acceptor(destination) as where:
            handlers = aio.Handlers(move=Giving([instance(1), instance(2)]))
            async with (
                await aio.serve(
                    "127.0.0.1", 0, handlers=handlers, move_destinations={"DEST": where}
                ) as server,
                aio.connect(
                    *server.address, contexts=[STUDY.retrieve_class("move")]
                ) as association,
            ):
                final = await association.move(query(), "DEST", cancel=stored)
                while not aborted:
                    await asyncio.sleep(0.01)
                return final

    final = run(body())
    assert cancelled_fields(final) == (0xFE00, 2, 0, 0, 0)
    assert failed_list(final) == [f"{INSTANCE}.1", f"{INSTANCE}.2"]
    assert aborted and aborted[0].by_peer


def test_a_destination_that_never_answers_fails_its_sub_operation_after_response_timeout() -> None:
    async def destination(peer: ScriptedConnection) -> None:
        await accept_all(peer, abstract_syntaxes={CT: (ExplicitVRLittleEndian,)})
        await peer.expect(dk.RequestReceived)
        await peer.expect(dk.Aborted, timeout=10)  # response_timeout's (the policy's default)

    async def body() -> dk.CMoveResponse:
        async with scripted_acceptor(destination) as where:
            handlers = aio.Handlers(move=Giving([instance(1), instance(2)]))
            async with (
                await aio.serve(
                    "127.0.0.1",
                    0,
                    handlers=handlers,
                    move_destinations={"DEST": where},
                    response_timeout=0.2,
                ) as server,
                aio.connect(
                    *server.address, contexts=[STUDY.retrieve_class("move")]
                ) as association,
            ):
                return await association.move(query(), "DEST")

    final = run(body())
    assert final.status == 0xA702
    assert final.number_of_failed_suboperations == 2
    assert failed_list(final) == [f"{INSTANCE}.1", f"{INSTANCE}.2"]


async def retrieve_cancelled_at_once(
    operation: Retrieving, kept: Kept
) -> tuple[list[int], aio.Server]:
    """The statuses of the responses to a C-GET-RQ or C-MOVE-RQ of three instances sent
    with its C-CANCEL-RQ in one write (before the handler runs, most likely in one
    read), as a scripted requestor sees them; the store server (the C-MOVE's
    destination)."""
    giving = Giving([instance(n) for n in range(1, 4)])
    async with await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(store=kept)) as store:
        handlers = aio.Handlers(get=giving) if operation == "get" else aio.Handlers(move=giving)
        contexts: list[dk.ProposedContext | str] = (
            [*get_contexts()] if operation == "get" else [STUDY.retrieve_class("move")]
        )
        async with (
            await aio.serve(
                "127.0.0.1", 0, handlers=handlers, move_destinations={"DEST": store.address}
            ) as server,
            scripted_requestor(server.address, contexts) as peer,
        ):
            agreement = peer.engine.agreement
            assert agreement is not None
            sop_class = STUDY.retrieve_class(operation)
            context = agreement.context_for(sop_class, scu="requestor")
            request = retrieve_request(operation)(7)
            both = b"".join(
                bytes(buffer)
                for message in (request, request.cancel())
                for pdus in peer.engine.send_message(context.context_id, message, now=peer.now())
                for buffer in pdus
            )
            peer.write([both])
            event = await peer.expect(dk.ResponseReceived)
            final = event.response
            assert isinstance(final, dk.CGetResponse | dk.CMoveResponse)
            uids = failed_list(final, context.transfer_syntax)
            return [*cancelled_fields(final), len(uids)], store


@pytest.mark.parametrize("operation", ["get", "move"])
def test_a_cancel_before_the_first_sub_operation_sends_none(operation: Retrieving) -> None:
    kept = Kept()
    fields, store = run(retrieve_cancelled_at_once(operation, kept))
    assert fields == [0xFE00, 3, 0, 0, 0, 3]  # and the three in the Failed list
    assert kept.events == []
    assert store.served == 0  # no association to the destination was requested


@pytest.mark.parametrize("response_timeout", [0.3, None])
def test_a_get_requestor_that_never_answers_its_c_store_is_aborted(
    response_timeout: float | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A C-GET's sub-operations never hold the association for ever: the server's own
    requests wait at most its response timeout (DEFAULT_SUB_OPERATION_TIMEOUT when it has
    none, here made short), then the association is aborted (PS3.8 7.3)."""
    monkeypatch.setattr("dimsekit.aio._server.DEFAULT_SUB_OPERATION_TIMEOUT", 0.3)

    async def body() -> float:
        loop = asyncio.get_running_loop()
        handlers = aio.Handlers(get=Giving([instance(1), instance(2)]))
        async with (
            await aio.serve(
                "127.0.0.1", 0, handlers=handlers, response_timeout=response_timeout
            ) as server,
            scripted_requestor(server.address, get_contexts()) as peer,
        ):
            agreement = peer.engine.agreement
            assert agreement is not None
            context = agreement.context_for(STUDY.retrieve_class("get"), scu="requestor")
            request = dk.CGetRequest(
                message_id=1, affected_sop_class_uid=STUDY.retrieve_class("get"), identifier=query()
            )
            peer.send_message(context.context_id, request)
            stored = await peer.expect(dk.RequestReceived)  # never answered
            assert isinstance(stored.request, dk.CStoreRequest)
            started = loop.time()
            aborted = await peer.expect(dk.Aborted, timeout=10)
            assert aborted.by_peer
            return loop.time() - started

    assert run(body()) < 5
