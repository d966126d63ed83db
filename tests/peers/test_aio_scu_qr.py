"""dimsekit as SCU (``dimsekit.aio.connect``) of Query/Retrieve against DCMTK's dcmqrscp:
find at study and patient level, with no match and left early (C-CANCEL, PS3.7 9.3.2.3),
get into a store handler, move to a ``dimsekit.aio.serve`` and to DCMTK's storescp, a
move cancelled mid-way (PS3.7 9.3.4.3); and of the DIMSE-N services against DCMTK's
dcmprscp (a film session's life, the printer's status: PS3.4 H) and pynetdicom's SCP.

dcmqrscp serves ``dcmtk_servers.QrDatabase`` (the conftest fixture ``qr_database``).  An
instance retrieved is "received as sent" when its data set, the bytes after the File Meta
Information (PS3.10 7.1), is the database file's byte for byte, on a context of the
file's transfer syntax.  Where the messages themselves must be seen (a C-CANCEL-RQ, a
final Cancel status), a ``dimsekit tap`` stands in front of dcmqrscp.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    BasicFilmBox,
    BasicFilmSession,
    BasicGrayscalePrintManagementMeta,
    Printer,
)

import dimsekit as dk
from dimsekit import PATIENT_ROOT, STUDY_ROOT, aio

from ..helpers import run_bounded
from .aio_support import Keeper, Part10, assert_received_as_sent
from .conftest import Tap, assert_dimsekit_understood
from .dcmtk_servers import FIND_COUNT, FIND_STUDY, GET_STUDY, QRSCP, QrDatabase
from .instances import SOP_CLASSES

HOST = "127.0.0.1"
CALLING = "DIMSEKIT"  # connect's default calling AE title
SERVE = "DIMSEKIT-SCP"
"""The AE title dcmqrscp's HostTable gives the ``serve`` of a move."""
PRINTER_INSTANCE = "1.2.840.10008.5.1.1.17"  # the well-known Printer SOP Instance
PENDING, CANCEL = 0xFF00, 0xFE00
QR_CONTEXTS: list[str] = [STUDY_ROOT.find, PATIENT_ROOT.find, STUDY_ROOT.retrieve_class("move")]
StartQrscp = Callable[..., int]
logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)


def query(**keys: str) -> Dataset:
    """An identifier of ``keys`` (keyword: value; an empty value asks for the attribute)."""
    identifier = Dataset()
    for keyword, value in keys.items():
        setattr(identifier, keyword, value)
    return identifier


SERIES_OF_FIND_STUDY = query(
    QueryRetrieveLevel="SERIES", StudyInstanceUID=FIND_STUDY, SeriesInstanceUID=""
)
GET_STUDY_KEYS = query(QueryRetrieveLevel="STUDY", StudyInstanceUID=GET_STUDY)


async def found(
    association: aio.ClientAssociation, identifier: Dataset, model: dk.QueryModel = STUDY_ROOT
) -> tuple[list[Dataset], dk.CFindResponse]:
    """Every match of a C-FIND, and its final response."""
    async with association.find(identifier, model=model) as matches:
        got = [match async for match in matches]
    assert matches.response is not None
    return got, matches.response


def names(tap: Tap) -> list[str]:
    return [record["name"] for record in tap.messages()]


# --- C-FIND ------------------------------------------------------------------------------


def test_find_at_study_and_patient_level_and_no_match(
    qrscp: StartQrscp, qr_database: QrDatabase, tap_factory: Any
) -> None:
    from pydicom import dcmread

    tap: Tap = tap_factory(qrscp())
    small = [dcmread(path) for path in qr_database.small]

    async def scenario() -> Any:
        async with aio.connect(HOST, tap.port, QRSCP, contexts=QR_CONTEXTS) as association:
            studies = await found(
                association,
                query(QueryRetrieveLevel="STUDY", StudyInstanceUID="", PatientID="PAT1"),
            )
            patients = await found(
                association,
                query(QueryRetrieveLevel="PATIENT", PatientID="", PatientName=""),
                PATIENT_ROOT,
            )
            none = await found(
                association,
                query(QueryRetrieveLevel="STUDY", StudyInstanceUID="", PatientID="NOBODY"),
            )
        return studies, patients, none

    (studies, final), (patients, patients_final), (none, none_final) = run_bounded(scenario())
    assert {d.StudyInstanceUID for d in studies} == {
        d.StudyInstanceUID for d in small if d.PatientID == "PAT1"
    }
    assert all(d.PatientID == "PAT1" for d in studies)
    assert {(d.PatientID, str(d.PatientName)) for d in patients} == qr_database.patients(small)
    assert none == []
    assert [r.status for r in (final, patients_final, none_final)] == [0x0000] * 3
    records = tap.messages()
    assert_dimsekit_understood(records)
    found_classes = {
        r["command"]["AffectedSOPClassUID"] for r in records if r["name"] == "C-FIND-RQ"
    }
    assert found_classes == {STUDY_ROOT.find, PATIENT_ROOT.find}


def test_find_left_early_sends_c_cancel_and_awaits_the_cancel_status(
    qrscp: StartQrscp,
) -> None:
    """No tap here: it would hold the C-CANCEL-RQ back behind the matches it re-encodes,
    and dcmqrscp would be done first.  The Cancel status shows that the C-CANCEL-RQ came
    (PS3.7 9.3.2.3: dcmqrscp sends FE00 only then)."""
    port = qrscp()

    async def scenario() -> Any:
        async with aio.connect(HOST, port, QRSCP, contexts=QR_CONTEXTS) as association:
            early: list[Dataset] = []
            async with association.find(SERIES_OF_FIND_STUDY) as matches:
                async for match in matches:
                    early.append(match)
                    if len(early) == 5:
                        break
            cancelled, message_id = matches.response, matches.message_id
            # the association is still usable: the next C-FIND gets all its matches
            async with association.find(SERIES_OF_FIND_STUDY) as again:
                every = [match async for match in again]
        return early, cancelled, message_id, every, again

    early, cancelled, message_id, every, again = run_bounded(scenario())
    assert len(early) == 5
    assert cancelled is not None and cancelled.status == CANCEL
    assert cancelled.message_id_being_responded_to == message_id
    assert len(every) == FIND_COUNT and again.response is not None
    assert again.response.status == 0x0000 and again.message_id != message_id
    assert len({d.SeriesInstanceUID for d in every}) == FIND_COUNT


def test_a_find_whose_task_is_cancelled_sends_c_cancel_and_re_raises(
    qrscp: StartQrscp,
) -> None:
    port = qrscp()

    async def scenario() -> Any:
        async with aio.connect(HOST, port, QRSCP, contexts=QR_CONTEXTS) as association:
            some = asyncio.Event()

            async def look() -> None:
                async with association.find(SERIES_OF_FIND_STUDY) as matches:
                    async for _ in matches:
                        some.set()
                        await asyncio.sleep(60)  # a consumer that stops to wait

            task = asyncio.create_task(look())
            await some.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # the cancelled find stays outstanding until its final response; then the
            # association serves the next one whole
            return await found(association, SERIES_OF_FIND_STUDY)

    every, final = run_bounded(scenario())
    assert len(every) == FIND_COUNT and final.status == 0x0000


# --- C-GET -------------------------------------------------------------------------------


def test_get_hands_every_instance_to_the_store_handler_as_stored(
    qrscp: StartQrscp, qr_database: QrDatabase
) -> None:
    port = qrscp()
    keeper = Keeper()
    progress: list[dk.CGetResponse] = []
    contexts = aio.retrieve_contexts(STUDY_ROOT, [SOP_CLASSES["OT"]], [ExplicitVRLittleEndian])

    async def scenario() -> dk.CGetResponse:
        handlers = aio.Handlers(store=keeper)
        async with aio.connect(
            HOST, port, QRSCP, contexts=contexts, handlers=handlers
        ) as association:
            return await association.get(GET_STUDY_KEYS, progress=progress.append, check=True)

    response = run_bounded(scenario())
    files = [Part10.read(path) for path in qr_database.get]
    assert_received_as_sent(keeper, files, CALLING)  # on our own association
    assert response.status == 0x0000
    assert (response.number_of_completed_suboperations,
            response.number_of_failed_suboperations) == (len(files), 0)  # fmt: skip
    assert_counters(progress, len(files))


def assert_counters(progress: list[Any], total: int) -> None:
    """Each Pending response of a C-GET or C-MOVE counts every sub-operation, done or
    remaining (PS3.7 9.1.3, 9.1.4), the completed ones never fewer than before."""
    assert progress and all(r.status == PENDING for r in progress)
    for response in progress:
        counted = (
            response.number_of_remaining_suboperations, response.number_of_completed_suboperations,
            response.number_of_failed_suboperations, response.number_of_warning_suboperations,
        )  # fmt: skip
        assert sum(counted) == total, counted
    completed = [r.number_of_completed_suboperations for r in progress]
    assert completed == sorted(completed)


def test_get_of_a_patient_of_two_sop_classes(qrscp: StartQrscp, qr_database: QrDatabase) -> None:
    from pydicom import dcmread

    port = qrscp()
    keeper = Keeper()
    contexts = aio.retrieve_contexts(
        PATIENT_ROOT, [SOP_CLASSES["CT"], SOP_CLASSES["MR"]], [ExplicitVRLittleEndian]
    )

    async def scenario() -> dk.CGetResponse:
        handlers = aio.Handlers(store=keeper)
        async with aio.connect(
            HOST, port, QRSCP, contexts=contexts, handlers=handlers
        ) as association:
            identifier = query(QueryRetrieveLevel="PATIENT", PatientID="PAT1")
            return await association.get(identifier, model=PATIENT_ROOT, check=True)

    response = run_bounded(scenario())
    files = [Part10.read(p) for p in qr_database.small if dcmread(p).PatientID == "PAT1"]
    assert {part10.sop_class_uid for part10 in files} == {SOP_CLASSES["CT"], SOP_CLASSES["MR"]}
    assert_received_as_sent(keeper, files, CALLING)
    assert response.number_of_completed_suboperations == len(files) == 4


# --- C-MOVE ------------------------------------------------------------------------------


def test_move_to_a_dimsekit_serve(qrscp: StartQrscp, qr_database: QrDatabase) -> None:
    keeper = Keeper()
    progress: list[dk.CMoveResponse] = []

    async def scenario() -> dk.CMoveResponse:
        handlers = aio.Handlers(store=keeper)
        async with await aio.serve(HOST, 0, SERVE, handlers=handlers) as server:
            port = qrscp({SERVE: server.address[1]})
            async with aio.connect(HOST, port, QRSCP, contexts=QR_CONTEXTS) as association:
                response = await association.move(
                    GET_STUDY_KEYS, SERVE, progress=progress.append, check=True
                )
            await server.wait_served(1)
            return response

    response = run_bounded(scenario())
    files = [Part10.read(path) for path in qr_database.get]
    assert_received_as_sent(keeper, files, QRSCP)  # on dcmqrscp's association to the serve
    assert {kept.move_originator for (kept,) in keeper.kept.values()} == {(CALLING, 1)}
    assert response.status == 0x0000
    assert response.number_of_completed_suboperations == len(files)
    assert_counters(progress, len(files))


def test_move_to_storescp(
    qrscp: StartQrscp, qr_database: QrDatabase, storescp: Callable[..., int], tmp_path: Path
) -> None:
    into = tmp_path / "received"
    port = qrscp({"STORESCP": storescp(into, "+B")})  # bit preserving: the data set as sent

    async def scenario() -> dk.CMoveResponse:
        async with aio.connect(HOST, port, QRSCP, contexts=QR_CONTEXTS) as association:
            return await association.move(GET_STUDY_KEYS, "STORESCP", check=True)

    response = run_bounded(scenario())
    sent = {part10.sop_instance_uid: part10 for part10 in map(Part10.read, qr_database.get)}
    received = {part10.sop_instance_uid: part10 for part10 in map(Part10.read, into.iterdir())}
    assert set(received) == set(sent)
    for uid, part10 in received.items():
        assert part10.data_set() == sent[uid].data_set()
    assert response.number_of_completed_suboperations == len(sent)


def test_move_to_an_unknown_destination_is_refused(qrscp: StartQrscp) -> None:
    port = qrscp()

    async def scenario() -> dk.CMoveResponse:
        async with aio.connect(HOST, port, QRSCP, contexts=QR_CONTEXTS) as association:
            return await association.move(GET_STUDY_KEYS, "NOWHERE")

    assert run_bounded(scenario()).status == 0xA801  # Move Destination unknown (PS3.4 C.4.2)


class Gate(Keeper):
    """A Keeper that holds the sub-operation after the ``after``-th until it is opened."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after
        self.reached = asyncio.Event()
        self.opened = asyncio.Event()

    async def __call__(self, event: aio.StoreRequested) -> int:
        status = await super().__call__(event)
        if len(self.kept) >= self.after:
            self.reached.set()
            await self.opened.wait()
        return status


def test_a_move_cancelled_mid_way(qrscp: StartQrscp, tap_factory: Any) -> None:
    gate = Gate(after=5)

    async def scenario() -> Any:
        async with await aio.serve(HOST, 0, SERVE, handlers=aio.Handlers(store=gate)) as server:
            tap: Tap = tap_factory(qrscp({SERVE: server.address[1]}))
            async with aio.connect(HOST, tap.port, QRSCP, contexts=QR_CONTEXTS) as association:
                move = asyncio.create_task(association.move(GET_STUDY_KEYS, SERVE))
                await gate.reached.wait()
                move.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await move
                gate.opened.set()
                # usable still: the next operation waits for the move's final response
                after, final = await found(
                    association,
                    query(QueryRetrieveLevel="STUDY", StudyInstanceUID="", PatientID="PAT2"),
                )
            await server.wait_served(1)
        return tap, after, final

    tap, after, final = run_bounded(scenario())
    assert len(after) == 1 and final.status == 0x0000
    assert 5 <= len(gate.kept) < 200
    records = tap.messages()
    assert_dimsekit_understood(records)
    (move_rq,) = [r for r in records if r["name"] == "C-MOVE-RQ"]
    (cancel,) = [r for r in records if r["name"] == "C-CANCEL-RQ"]
    assert cancel["command"]["MessageIDBeingRespondedTo"] == move_rq["command"]["MessageID"]
    last = [r for r in records if r["name"] == "C-MOVE-RSP"][-1]
    assert last["status"]["code"] == CANCEL
    assert last["command"]["NumberOfCompletedSuboperations"] == len(gate.kept)
    assert names(tap).index("C-CANCEL-RQ") < names(tap).index("C-FIND-RQ")


def test_a_get_cancelled_mid_way(qrscp: StartQrscp, tap_factory: Any) -> None:
    """The sub-operations come on our association to our store handler, held after the
    fifth: the cancelled get's C-CANCEL-RQ reaches dcmqrscp while it waits."""
    tap: Tap = tap_factory(qrscp())
    gate = Gate(after=5)
    contexts = aio.retrieve_contexts(STUDY_ROOT, [SOP_CLASSES["OT"]], [ExplicitVRLittleEndian])

    async def scenario() -> Any:
        async with aio.connect(
            HOST, tap.port, QRSCP, contexts=[*contexts, STUDY_ROOT.find],
            handlers=aio.Handlers(store=gate),
        ) as association:  # fmt: skip
            get = asyncio.create_task(association.get(GET_STUDY_KEYS))
            await gate.reached.wait()
            get.cancel()
            with pytest.raises(asyncio.CancelledError):
                await get
            gate.opened.set()
            return await found(
                association,
                query(QueryRetrieveLevel="STUDY", StudyInstanceUID="", PatientID="PAT2"),
            )

    after, final = run_bounded(scenario())
    assert len(after) == 1 and final.status == 0x0000
    assert 5 <= len(gate.kept) < 200
    records = tap.messages()
    assert_dimsekit_understood(records)
    (get_rq,) = [r for r in records if r["name"] == "C-GET-RQ"]
    (cancel,) = [r for r in records if r["name"] == "C-CANCEL-RQ"]
    assert cancel["command"]["MessageIDBeingRespondedTo"] == get_rq["command"]["MessageID"]
    last = [r for r in records if r["name"] == "C-GET-RSP"][-1]
    assert last["status"]["code"] == CANCEL
    assert last["command"]["NumberOfCompletedSuboperations"] == len(gate.kept)
    assert names(tap).count("C-STORE-RQ") == names(tap).count("C-STORE-RSP") == len(gate.kept)


# --- the DIMSE-N services ----------------------------------------------------------------


def dataset(**values: Any) -> Dataset:
    made = Dataset()
    for keyword, value in values.items():
        setattr(made, keyword, value)
    return made


def test_a_film_session_against_dcmprscp(
    dcmprscp: Callable[..., tuple[int, Path]], tap_factory: Any
) -> None:
    port, _ = dcmprscp()
    tap: Tap = tap_factory(port)
    meta = BasicGrayscalePrintManagementMeta

    async def scenario() -> dict[str, Any]:
        answers: dict[str, Any] = {}
        async with aio.connect(HOST, tap.port, "PRINTSCP", contexts=[meta]) as association:
            answers["printer"] = await association.n_get(
                Printer, PRINTER_INSTANCE, [0x21100010, 0x21100020], abstract_syntax=meta
            )
            session = await association.n_create(
                BasicFilmSession, None, dataset(NumberOfCopies="1"), abstract_syntax=meta
            )
            answers["create"] = session
            uid = session.affected_sop_instance_uid
            assert uid is not None
            answers["set"] = await association.n_set(
                BasicFilmSession, uid, dataset(NumberOfCopies="2"), abstract_syntax=meta
            )
            reference = dataset(
                ReferencedSOPClassUID=BasicFilmSession, ReferencedSOPInstanceUID=uid
            )
            answers["box"] = await association.n_create(
                BasicFilmBox,
                None,
                dataset(
                    ImageDisplayFormat="STANDARD\\1,1", ReferencedFilmSessionSequence=[reference]
                ),
                abstract_syntax=meta,
            )
            answers["action"] = await association.n_action(
                BasicFilmSession, uid, 1, abstract_syntax=meta
            )
            answers["delete"] = await association.n_delete(
                BasicFilmSession, uid, abstract_syntax=meta
            )
        return answers

    answers = run_bounded(scenario())
    printer = answers["printer"].attribute_list.dataset
    assert (printer.PrinterStatus, printer.PrinterStatusInfo) == ("NORMAL", "NORMAL")
    assert answers["create"].status == 0x0000
    assert answers["create"].attribute_list.dataset.NumberOfCopies == 1
    assert answers["set"].status == 0x0000
    box = answers["box"].attribute_list.dataset
    assert len(box.ReferencedImageBoxSequence) == 1  # STANDARD\1,1: one image box
    # Warning: the film session's hierarchy has no image box with an image (PS3.4 H.4.1)
    assert answers["action"].status == 0xB602
    assert answers["delete"].status == 0x0000
    records = tap.messages()
    assert_dimsekit_understood(records)
    assert [r for r in names(tap) if r.endswith("-RQ")] == [
        "N-GET-RQ", "N-CREATE-RQ", "N-SET-RQ", "N-CREATE-RQ", "N-ACTION-RQ", "N-DELETE-RQ",
    ]  # fmt: skip


def test_the_six_dimse_n_services_against_pynetdicom(
    pynetdicom_n_scp: Callable[[], int], tap_factory: Any
) -> None:
    tap: Tap = tap_factory(pynetdicom_n_scp())
    contexts = [
        BasicFilmSession,
        dk.ProposedContext(abstract_syntax=Printer, scu_role=True, scp_role=True),
    ]
    uid = "1.2.826.0.1.3680043.8.498.9.1"

    async def scenario() -> dict[str, Any]:
        answers: dict[str, Any] = {}
        async with aio.connect(HOST, tap.port, "NSCP", contexts=contexts) as association:
            answers["create"] = await association.n_create(
                BasicFilmSession, uid, dataset(NumberOfCopies="2")
            )
            answers["set"] = await association.n_set(
                BasicFilmSession, uid, dataset(NumberOfCopies="3")
            )
            answers["action"] = await association.n_action(BasicFilmSession, uid, 1)
            answers["get"] = await association.n_get(Printer, PRINTER_INSTANCE, [0x21100010])
            answers["event"] = await association.n_event_report(
                Printer, PRINTER_INSTANCE, 2, dataset(PrinterStatusInfo="WARMING UP")
            )
            answers["delete"] = await association.n_delete(BasicFilmSession, uid)
        return answers

    answers = run_bounded(scenario())
    assert all(answer.status == 0x0000 for answer in answers.values())
    assert answers["create"].attribute_list.dataset.NumberOfCopies == 2
    assert answers["set"].attribute_list.dataset.NumberOfCopies == 3
    assert answers["action"].action_reply.dataset.PrintJobID == "JOB1"
    assert answers["get"].attribute_list.dataset.PrinterStatus == "NORMAL"
    assert answers["event"].event_reply.dataset.PrinterStatusInfo == "NORMAL"
    records = tap.messages()
    assert_dimsekit_understood(records)
    assert names(tap) == [
        "N-CREATE-RQ", "N-CREATE-RSP", "N-SET-RQ", "N-SET-RSP", "N-ACTION-RQ", "N-ACTION-RSP",
        "N-GET-RQ", "N-GET-RSP", "N-EVENT-REPORT-RQ", "N-EVENT-REPORT-RSP",
        "N-DELETE-RQ", "N-DELETE-RSP",
    ]  # fmt: skip
