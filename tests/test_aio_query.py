"""The client's Query/Retrieve and DIMSE-N calls (``ClientAssociation.find``, ``get``,
``move``, ``n_*``) against the scripted peer: the matches as they come, progress from the
Pending responses, the C-CANCEL of a loop left early or a task cancelled, the data sets
of the responses decoded, the contexts a C-GET needs.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

import dimsekit as dk
from dimsekit import aio

from .helpers import CT, INSTANCE, counters, sub_operation
from .scripted_peer import ScriptedConnection, accept_all, scripted

_T = TypeVar("_T")
STUDY_FIND = dk.STUDY_ROOT.find
PRINTER = "1.2.840.10008.5.1.1.16"  # the Printer SOP Class (PS3.4 H.4.11)
PRINTER_INSTANCE = "1.2.840.10008.5.1.1.17"  # its well-known instance (PS3.4 H.4.11.1)

POLICY: dict[str, Any] = {
    "abstract_syntaxes": {
        dk.VERIFICATION_SOP_CLASS: (ExplicitVRLittleEndian,),
        **dict.fromkeys(dk.STUDY_ROOT.sop_classes, (ExplicitVRLittleEndian,)),
        CT: (ExplicitVRLittleEndian,),
        PRINTER: (ImplicitVRLittleEndian,),
        dk.STORAGE_COMMITMENT_PUSH_MODEL: (ExplicitVRLittleEndian,),
    },
    "roles": {CT: (False, True), dk.STORAGE_COMMITMENT_PUSH_MODEL: (True, True)},
    "async_window": (4, 4),
}
CONTEXTS: list[dk.ProposedContext | str] = [
    dk.VERIFICATION_SOP_CLASS,
    dk.STUDY_ROOT.find,
    *dk.STUDY_ROOT.sop_classes[1:2],  # MOVE
    *aio.retrieve_contexts(dk.STUDY_ROOT, [CT], [ExplicitVRLittleEndian]),
    PRINTER,
    dk.ProposedContext(abstract_syntax=dk.STORAGE_COMMITMENT_PUSH_MODEL, scp_role=True),
]


def query(**values: object) -> Dataset:
    data_set = Dataset()
    data_set.QueryRetrieveLevel = "STUDY"
    for keyword, value in values.items():
        setattr(data_set, keyword, value)
    return data_set


def match(number: int) -> Dataset:
    return query(StudyInstanceUID=f"{INSTANCE}.{number}", PatientID=f"P{number}")


async def requested(peer: ScriptedConnection) -> dk.RequestReceived:
    await accept_all(peer, **POLICY)
    return await peer.expect(dk.RequestReceived)


def answer(peer: ScriptedConnection, event: dk.RequestReceived, status: int, **fields: Any) -> None:
    peer.send_message(event.operation.context_id, event.request.response(status=status, **fields))


def test_find_yields_each_match_as_a_data_set_then_the_final_response() -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        assert isinstance(event.request, dk.CFindRequest)
        assert event.request.affected_sop_class_uid == STUDY_FIND
        asked = event.request.identifier
        assert asked is not None
        assert asked.to_dataset(ExplicitVRLittleEndian).PatientID == "P*"
        for number in (1, 2, 3):
            answer(peer, event, 0xFF00, identifier=match(number))
        answer(peer, event, 0x0000)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> tuple[list[str], int | None]:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            async with association.find(query(PatientID="P*")) as matches:
                found = [m.StudyInstanceUID async for m in matches]
            final = matches.response
            return found, None if final is None else int(final.status)

    found, status = scripted(script, body)
    assert found == [f"{INSTANCE}.{n}" for n in (1, 2, 3)]
    assert status == 0x0000


def test_find_left_early_sends_the_cancel_and_waits_for_the_final_response() -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        answer(peer, event, 0xFF00, identifier=match(1))
        answer(peer, event, 0xFF00, identifier=match(2))
        cancel = await peer.expect(dk.CancelReceived)
        assert cancel.operation.message_id == event.request.message_id
        answer(peer, event, 0xFE00)
        echo = await peer.expect(dk.RequestReceived)  # still usable afterwards
        answer(peer, echo, 0x0000)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> tuple[int, int]:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            async with association.find(query()) as matches:
                async for _ in matches:
                    break
            assert matches.response is not None
            echoed = await association.echo()
            return int(matches.response.status), int(echoed.status)

    assert scripted(script, body) == (0xFE00, 0x0000)


def test_a_cancelled_find_task_sends_the_cancel_and_re_raises() -> None:
    cancelled = asyncio.Event()

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        answer(peer, event, 0xFF00, identifier=match(1))
        await peer.expect(dk.CancelReceived)
        cancelled.set()
        answer(peer, event, 0xFE00)
        echo = await peer.expect(dk.RequestReceived)
        answer(peer, echo, 0x0000)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> int:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            seen: list[Dataset] = []

            async def finding() -> None:
                async with association.find(query()) as matches:
                    async for found in matches:
                        seen.append(found)

            task = asyncio.get_running_loop().create_task(finding())
            while not seen:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.wait_for(cancelled.wait(), 5)
            # the operation ends with its final response; then the window is free again
            return int((await association.echo()).status)

    assert scripted(script, body) == 0x0000


async def every_match(matches: aio.Matches) -> list[Dataset]:
    async with matches:
        return [found async for found in matches]


def test_a_failed_find_raises_the_status_from_the_loop_unless_unchecked() -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        answer(peer, event, 0xA900)
        second = await peer.expect(dk.RequestReceived)
        answer(peer, second, 0xA900)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> int | None:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            with pytest.raises(aio.StatusError, match="A900"):
                await every_match(association.find(query()))
            async with association.find(query(), check=False) as unchecked:
                assert [m async for m in unchecked] == []
            return None if unchecked.response is None else int(unchecked.response.status)

    assert scripted(script, body) == 0xA900


def test_matches_outside_their_block_are_refused() -> None:
    async def script(peer: ScriptedConnection) -> None:
        await accept_all(peer, **POLICY)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> None:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            with pytest.raises(dk.LocalProtocolError, match="async with"):
                await anext(aiter(association.find(query())))
            with pytest.raises(dk.ContextNotAgreedError):
                association.find(query(), model=dk.PATIENT_ROOT)

    scripted(script, body)


def test_get_hands_the_sub_operations_to_the_store_handler_and_reports_progress() -> None:
    kept: list[str] = []

    async def store(event: aio.StoreRequested) -> int:
        data_set = event.request.data_set.to_dataset(event.context.transfer_syntax)
        kept.append(str(data_set.SOPInstanceUID))
        return 0x0000

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        assert isinstance(event.request, dk.CGetRequest)
        agreement = peer.engine.agreement
        assert agreement is not None
        storage = agreement.context_for(CT, scu="acceptor")  # we are its SCU: the role asked
        for number in (1, 2):
            peer.send_message(storage.context_id, sub_operation(number))
            stored = await peer.expect(dk.ResponseReceived)
            assert stored.response.status == 0x0000
            answer(peer, event, 0xFF00, **counters(2 - number, number))
        answer(peer, event, 0x0000, **counters(None, 2))
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    progress: list[tuple[int | None, int | None]] = []

    async def body(address: tuple[str, int]) -> dk.CGetResponse:
        async with aio.connect(
            *address, contexts=CONTEXTS, handlers=aio.Handlers(store=store)
        ) as association:
            return await association.get(
                query(StudyInstanceUID=f"{INSTANCE}.1"),
                progress=lambda r: progress.append(
                    (r.number_of_remaining_suboperations, r.number_of_completed_suboperations)
                ),
            )

    final = scripted(script, body)
    assert final.status == 0x0000 and final.number_of_completed_suboperations == 2
    assert kept == [f"{INSTANCE}.1", f"{INSTANCE}.2"]
    assert progress == [(1, 1), (0, 2)]


def test_move_reports_progress_and_decodes_the_failed_list_of_its_final_response() -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        assert isinstance(event.request, dk.CMoveRequest)
        assert event.request.move_destination == "ELSEWHERE"
        answer(peer, event, 0xFF00, **counters(1, 1))
        failed = Dataset()
        failed.FailedSOPInstanceUIDList = [f"{INSTANCE}.2"]
        answer(peer, event, 0xB000, identifier=failed, **counters(None, 1, 1))
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    progress: list[int | None] = []

    async def body(address: tuple[str, int]) -> dk.CMoveResponse:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            return await association.move(
                query(),
                "ELSEWHERE",
                progress=lambda r: progress.append(r.number_of_completed_suboperations),
                check=True,  # a warning does not raise
            )

    final = scripted(script, body)
    assert final.status == 0xB000 and progress == [1]
    assert final.identifier is not None and final.identifier.dataset is not None
    assert final.identifier.dataset.FailedSOPInstanceUIDList == f"{INSTANCE}.2"


def test_a_cancelled_move_task_sends_the_cancel_and_the_final_response_still_comes() -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        answer(peer, event, 0xFF00, **counters(3, 1))
        await peer.expect(dk.CancelReceived)
        answer(peer, event, 0xFE00, **counters(2, 1))
        echo = await peer.expect(dk.RequestReceived)
        answer(peer, echo, 0x0000)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> int:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            started = asyncio.Event()
            task = asyncio.get_running_loop().create_task(
                association.move(query(), "ELSEWHERE", progress=lambda _: started.set())
            )
            await asyncio.wait_for(started.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return int((await association.echo()).status)

    assert scripted(script, body) == 0x0000


def test_the_n_services_send_their_requests_and_decode_the_replies() -> None:
    reply = Dataset()
    reply.PrinterStatus = "NORMAL"

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        request = event.request
        assert isinstance(request, dk.NGetRequest)
        assert request.attribute_identifier_list == (0x21100010,)
        answer(peer, event, 0x0000, attribute_list=reply)
        seen = []
        for _ in range(4):
            event = await peer.expect(dk.RequestReceived)
            seen.append(type(event.request).__name__)
            if isinstance(event.request, dk.NCreateRequest):
                answer(peer, event, 0x0000, affected_sop_instance_uid=f"{INSTANCE}.9")
            else:
                answer(peer, event, 0x0000)
        assert seen == ["NCreateRequest", "NSetRequest", "NActionRequest", "NDeleteRequest"]
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> list[int]:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            got = await association.n_get(PRINTER, PRINTER_INSTANCE, [0x21100010])
            assert got.attribute_list is not None and got.attribute_list.dataset is not None
            assert got.attribute_list.dataset.PrinterStatus == "NORMAL"
            created = await association.n_create(PRINTER)
            assert created.affected_sop_instance_uid == f"{INSTANCE}.9"
            changes = Dataset()
            changes.PrinterName = "FIRST"
            return [
                int((await association.n_set(PRINTER, f"{INSTANCE}.9", changes)).status),
                int((await association.n_action(PRINTER, f"{INSTANCE}.9", 1)).status),
                int((await association.n_delete(PRINTER, f"{INSTANCE}.9")).status),
            ]

    assert scripted(script, body) == [0, 0, 0]


def test_an_n_event_report_goes_on_the_context_whose_scp_we_are() -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        request = event.request
        assert isinstance(request, dk.NEventReportRequest)
        assert request.event_type_id == 1
        assert request.affected_sop_instance_uid == dk.STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE
        answer(peer, event, 0x0000)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> int:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            result = Dataset()
            result.TransactionUID = f"{INSTANCE}.77"
            response = await association.n_event_report(
                dk.STORAGE_COMMITMENT_PUSH_MODEL,
                dk.STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE,
                1,
                result,
            )
            return int(response.status)

    assert scripted(script, body) == 0x0000


def test_retrieve_contexts_ask_the_scp_role_for_each_storage_class() -> None:
    contexts = aio.retrieve_contexts(dk.PATIENT_ROOT, [CT, CT, "1.2.840.10008.5.1.4.1.1.4"])
    assert [c.abstract_syntax for c in contexts] == [
        dk.PATIENT_ROOT.get,
        CT,
        "1.2.840.10008.5.1.4.1.1.4",
    ]
    assert [c.roles for c in contexts[1:]] == [(False, True), (False, True)]
    with pytest.raises(ValueError, match="worklist information model has no C-GET"):
        aio.retrieve_contexts(dk.MODALITY_WORKLIST, [CT])


def test_the_information_models_name_the_sop_classes_of_ps34() -> None:
    assert dk.QUERY_MODELS["patient"].sop_classes == (
        "1.2.840.10008.5.1.4.1.2.1.1",
        "1.2.840.10008.5.1.4.1.2.1.2",
        "1.2.840.10008.5.1.4.1.2.1.3",
    )
    assert dk.QUERY_MODELS["study"].levels == ("STUDY", "SERIES", "IMAGE")
    assert dk.MODALITY_WORKLIST.sop_classes == ("1.2.840.10008.5.1.4.31",)
    assert dk.STORAGE_COMMITMENT_PUSH_MODEL == "1.2.840.10008.1.20.1"


def test_a_cancelled_echo_sends_no_cancel_and_its_response_is_absorbed() -> None:
    """A C-CANCEL stops only a C-FIND, C-GET or C-MOVE (PS3.7 9.3.2.3): a cancelled
    C-ECHO's task re-raises, nothing more is sent, and its late response pairs with it
    (no response to nothing)."""
    seen: list[str] = []

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        await asyncio.sleep(0.2)  # the caller gives up meanwhile
        answer(peer, event, 0x0000)
        second = await peer.expect(dk.RequestReceived)
        seen.append(type(second.request).__name__)
        answer(peer, second, 0x0000)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> int:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(association.echo(), 0.05)
            await asyncio.sleep(0.3)  # its response comes, paired with it
            assert not association.engine.outstanding_ours
            return int((await association.echo()).status)

    assert scripted(script, body) == 0x0000
    assert seen == ["CEchoRequest"]  # the second echo came next: no C-CANCEL-RQ before it


def test_matches_that_cross_the_cancel_still_come() -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        answer(peer, event, 0xFF00, identifier=match(1))
        await peer.expect(dk.CancelReceived)
        answer(peer, event, 0xFF00, identifier=match(2))  # crossed the C-CANCEL-RQ
        answer(peer, event, 0xFE00)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> list[str]:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            got = []
            async with association.find(query()) as matches:
                async for found in matches:
                    got.append(str(found.StudyInstanceUID))
                    matches.cancel()
            return got

    assert scripted(script, body) == [f"{INSTANCE}.1", f"{INSTANCE}.2"]


def test_a_progress_callback_that_raises_cancels_and_its_error_comes_from_the_call() -> None:
    cancels: list[int] = []

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        answer(peer, event, 0xFF00, **counters(1, 1))
        cancel = await peer.expect(dk.CancelReceived)
        cancels.append(cancel.operation.message_id)
        answer(peer, event, 0xFE00, **counters(1, 1))
        echo = await peer.expect(dk.RequestReceived)  # the association lives on
        answer(peer, echo, 0x0000)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    def mine(_: dk.CMoveResponse) -> None:
        raise ValueError("mine")

    async def body(address: tuple[str, int]) -> int:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            with pytest.raises(ValueError, match="mine"):
                await association.move(query(), "ELSEWHERE", progress=mine)
            return int((await association.echo()).status)

    assert scripted(script, body) == 0x0000
    assert cancels == [1]


async def fail_within(matches: aio.Matches) -> None:
    async with matches:
        async for _ in matches:
            raise KeyError("mine")


def test_a_find_left_by_an_error_ends_before_the_error_goes_on() -> None:
    """The C-CANCEL goes and its final response is awaited, so that an error caught
    within the association leaves it clean to release (PS3.8 7.2)."""

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        answer(peer, event, 0xFF00, identifier=match(1))
        await peer.expect(dk.CancelReceived)
        answer(peer, event, 0xFE00)
        await peer.expect(dk.ReleaseRequested)  # released, not aborted
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> int | None:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            matches = association.find(query())
            with pytest.raises(KeyError, match="mine"):
                await fail_within(matches)
            return None if matches.response is None else int(matches.response.status)

    assert scripted(script, body) == 0xFE00


def test_release_waits_for_the_final_response_of_a_cancelled_find() -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        answer(peer, event, 0xFF00, identifier=match(1))
        await peer.expect(dk.CancelReceived)
        await asyncio.sleep(0.2)  # the release must wait for this
        answer(peer, event, 0xFE00)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> bool:
        association = await aio.connect(*address, contexts=CONTEXTS)
        started = asyncio.Event()

        async def finding() -> None:
            async with association.find(query()) as matches:
                async for _ in matches:
                    started.set()

        task = asyncio.get_running_loop().create_task(finding())
        await asyncio.wait_for(started.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await association.release()  # not refused: the find ends first
        return association.engine.state is dk.State.STA1

    assert scripted(script, body)


def test_get_is_refused_before_it_goes_without_a_store_handler_or_an_scp_role() -> None:
    async def script(peer: ScriptedConnection) -> None:
        await accept_all(peer, **POLICY)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def store(event: aio.StoreRequested) -> int:
        return 0

    async def body(address: tuple[str, int]) -> None:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            with pytest.raises(dk.LocalProtocolError, match="store handler"):
                await association.get(query())
            assert not association.engine.outstanding_ours
        no_role = [c for c in CONTEXTS if not isinstance(c, dk.ProposedContext) or not c.scp_role]
        async with aio.connect(
            *address,
            contexts=[*no_role, dk.STUDY_ROOT.sop_classes[2]],
            handlers=aio.Handlers(store=store),
        ) as association:
            with pytest.raises(dk.LocalProtocolError, match="SCP"):
                await association.get(query())

    scripted(script, body)


def test_the_matches_of_a_find_are_entered_once() -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        answer(peer, event, 0x0000)
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> None:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            matches = association.find(query())
            assert await every_match(matches) == []
            with pytest.raises(dk.LocalProtocolError, match="entered once"):
                await every_match(matches)

    scripted(script, body)


def test_a_move_asked_to_cancel_returns_its_final_response() -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer)
        answer(peer, event, 0xFF00, **counters(3, 1))
        await peer.expect(dk.CancelReceived)
        answer(peer, event, 0xFE00, **counters(2, 1))
        await peer.expect(dk.ReleaseRequested)
        peer.send(dk.ReleaseResponse())

    async def body(address: tuple[str, int]) -> dk.CMoveResponse:
        async with aio.connect(*address, contexts=CONTEXTS) as association:
            enough = asyncio.Event()
            return await association.move(
                query(), "ELSEWHERE", progress=lambda _: enough.set(), cancel=enough
            )

    final = scripted(script, body)
    assert final.status == 0xFE00
    assert final.number_of_remaining_suboperations == 2  # a cancelled one may say (PS3.7 9.3.4.2)
