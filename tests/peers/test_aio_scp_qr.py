"""dimsekit as Query/Retrieve and DIMSE-N SCP (``dimsekit.aio.serve`` with test handlers)
for DCMTK's findscu, getscu and movescu (the move to DCMTK's storescp) and for pynetdicom
as SCU of every service, Storage Commitment included (PS3.4 C.4, J.3), all started and
stopped by the tests on 127.0.0.1.

"Received as sent" is byte for byte: each file the retrieving peer wrote holds the data
set of the file our handler gave, after its File Meta Information (PS3.10 7.1).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
from pydicom.dataset import Dataset
from pydicom.tag import Tag
from pydicom.uid import ExplicitVRLittleEndian
from pynetdicom import AE, build_role, evt
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    PatientRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelGet,
    StudyRootQueryRetrieveInformationModelMove,
)

import dimsekit as dk
from dimsekit import aio

from ..helpers import run_bounded
from .aio_support import Keeper, Part10, assert_received_as_sent, run_process, write_files
from .conftest import dcmtk
from .instances import SOP_CLASSES

PRINTER = "1.2.840.10008.5.1.1.16"  # the Printer SOP Class (PS3.4 H.4.11)
PRINTER_INSTANCE = "1.2.840.10008.5.1.1.17"  # its well-known instance
COMMITMENT = dk.STORAGE_COMMITMENT_PUSH_MODEL
COMMITMENT_INSTANCE = dk.STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE
SERVER_AE = "DIMSEKIT-QR"


def study(number: int) -> Dataset:
    match = Dataset()
    match.QueryRetrieveLevel = "STUDY"
    match.StudyInstanceUID = f"1.2.826.0.1.3680043.8.498.7.{number}"
    match.PatientID = f"P{number}"
    return match


@attrs.define
class Library:
    """The test handlers: ``count`` studies to find (a pause between them, so that a
    cancel can come), ``files`` to retrieve, and what each was asked."""

    files: Sequence[Part10] = ()
    count: int = 3
    asked: list[aio.Requested[Any]] = attrs.field(factory=list)

    async def find(self, event: aio.Requested[dk.CFindRequest]) -> AsyncIterator[Dataset]:
        self.asked.append(event)
        for number in range(1, self.count + 1):
            yield study(number)
            await asyncio.sleep(0.01)

    async def retrieve(self, event: aio.Requested[Any]) -> Sequence[aio.Instance]:
        self.asked.append(event)
        return [part10.path for part10 in self.files]

    def handlers(self) -> aio.Handlers:
        return aio.Handlers(find=self.find, get=self.retrieve, move=self.retrieve)


def received_in(directory: Path) -> dict[str, bytes]:
    """The data sets of the files a peer wrote into ``directory``, by SOP Instance UID."""
    found = (Part10.read(path) for path in sorted(directory.iterdir()) if path.is_file())
    return {part10.sop_instance_uid: part10.data_set() for part10 in found}


def assert_retrieved(directory: Path, files: Sequence[Part10]) -> None:
    assert received_in(directory) == {
        part10.sop_instance_uid: part10.data_set() for part10 in files
    }


async def served_run(library: Library, *args: str, **serve: Any) -> tuple[int, str]:
    """A DCMTK client (``args``, the address appended) against a serve of ``library``."""
    async with await aio.serve("127.0.0.1", 0, SERVER_AE, library.handlers(), **serve) as server:
        result = await run_process(*args, "127.0.0.1", str(server.address[1]))
        await server.wait_served(1)
        return result


# --- DCMTK ---------------------------------------------------------------------------------


def test_findscu_receives_each_match_and_the_final_success() -> None:
    library = Library(count=4)
    status, output = run_bounded(
        served_run(
            library, dcmtk("findscu"), "-v", "-S", "-aec", SERVER_AE,
            "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientID=P*", "-k", "StudyInstanceUID",
        )
    )  # fmt: skip
    assert status == 0, output
    assert output.count("(Pending)") == 4, output
    assert "Received Final Find Response (Success)" in output
    for number in range(1, 5):
        assert f"[P{number}]" in output
    (event,) = library.asked
    assert event.data_set is not None and event.data_set.PatientID == "P*"


def test_findscu_cancel_ends_the_matches_with_fe00() -> None:
    library = Library(count=50)
    status, output = run_bounded(
        served_run(
            library, dcmtk("findscu"), "-v", "-S", "-aec", SERVER_AE, "--cancel", "2",
            "-k", "QueryRetrieveLevel=STUDY",
        )
    )  # fmt: skip
    assert status == 0, output
    assert "Sending Cancel Request" in output
    assert "Received Final Find Response (Cancel" in output, output
    assert output.count("(Pending)") < 50


def test_getscu_receives_each_instance_on_the_same_association(tmp_path: Path) -> None:
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian)
    library = Library(files=files)
    received = tmp_path / "received"
    received.mkdir()
    status, output = run_bounded(
        served_run(
            library, dcmtk("getscu"), "-v", "-S", "-aec", SERVER_AE, "-od", str(received),
            "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3",
        )
    )  # fmt: skip
    assert status == 0, output
    assert_retrieved(received, files)
    assert "Received C-GET Response (Success)" in output, output
    assert "Number of Completed Suboperations : 3" in output
    (event,) = library.asked
    assert isinstance(event.request, dk.CGetRequest)


def test_movescu_has_the_instances_sent_to_storescp(
    tmp_path: Path, storescp: Callable[..., int]
) -> None:
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian)
    library = Library(files=files)
    received = tmp_path / "received"
    port = storescp(received, "-aet", "STORESCP")
    status, output = run_bounded(
        served_run(
            library, dcmtk("movescu"), "-v", "-S", "-aec", SERVER_AE, "-aet", "MOVESCU",
            "-aem", "STORESCP", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3",
            move_destinations={"STORESCP": ("127.0.0.1", port)},
        )
    )  # fmt: skip
    assert status == 0, output
    assert_retrieved(received, files)
    (event,) = library.asked
    assert isinstance(event.request, dk.CMoveRequest)
    assert event.request.move_destination == "STORESCP"


def test_movescu_to_an_unknown_destination_is_refused_a801(tmp_path: Path) -> None:
    library = Library(files=write_files(tmp_path / "sent", ExplicitVRLittleEndian))
    _, output = run_bounded(
        served_run(
            library, dcmtk("movescu"), "-v", "-S", "-aec", SERVER_AE, "-aem", "NOWHERE",
            "-k", "QueryRetrieveLevel=STUDY",
        )
    )  # fmt: skip
    assert "0xa801" in output.lower() or "MoveDestinationUnknown" in output, output
    assert library.asked == []


# --- pynetdicom as SCU of every service ----------------------------------------------------


class Commitment:
    """Storage Commitment's SCP (PS3.4 J.3): the N-ACTION answered, then the
    N-EVENT-REPORT sent on the same association, and every N-service's handler."""

    def __init__(self) -> None:
        self.reports: list[dk.NEventReportResponse] = []
        self.events: list[aio.Requested[Any]] = []

    async def n_action(self, event: aio.Requested[dk.NActionRequest]) -> dk.NActionResponse:
        self.events.append(event)
        association = event.association
        assert association is not None and event.data_set is not None
        information = Dataset()
        information.TransactionUID = event.data_set.TransactionUID
        information.ReferencedSOPSequence = event.data_set.ReferencedSOPSequence
        context_id = event.context.context_id

        async def report() -> None:  # after the N-ACTION-RSP (PS3.4 J.3.3)
            self.reports.append(
                await association.invoke(
                    context_id,
                    lambda message_id: dk.NEventReportRequest(
                        message_id=message_id,
                        affected_sop_class_uid=COMMITMENT,
                        affected_sop_instance_uid=COMMITMENT_INSTANCE,
                        event_type_id=1,
                        event_information=information,
                    ),
                )
            )

        event.after_response(report)
        return event.request.response(status=0, action_type_id=event.request.action_type_id)

    async def answer(self, event: aio.Requested[Any]) -> Any:
        self.events.append(event)
        if isinstance(event.request, dk.NGetRequest):
            attributes = Dataset()
            attributes.PrinterStatus = "NORMAL"
            return event.request.response(status=0, attribute_list=attributes)
        if isinstance(event.request, dk.NCreateRequest):
            return event.request.response(
                status=0, affected_sop_instance_uid="1.2.826.0.1.3680043.8.498.7.99"
            )
        return event.request.response(status=0)


def pynetdicom_every_service(port: int, reported: threading.Event) -> dict[str, Any]:
    """pynetdicom as SCU of each service on one association (and a second for the
    Storage Commitment report on a new association); what each answered."""
    results: dict[str, Any] = {}
    event_reports: list[Any] = []

    def on_report(event: Any) -> tuple[int, None]:
        event_reports.append(event.event_information)
        reported.set()
        return 0x0000, None  # the status and the Event Reply

    ae = AE(ae_title="PYNETDICOM-SCU")
    for sop_class in (
        "1.2.840.10008.1.1",
        StudyRootQueryRetrieveInformationModelFind,
        PatientRootQueryRetrieveInformationModelFind,
        StudyRootQueryRetrieveInformationModelMove,
        PRINTER,
        COMMITMENT,
    ):
        ae.add_requested_context(sop_class, ExplicitVRLittleEndian)
    association = ae.associate(
        "127.0.0.1", port, ae_title=SERVER_AE, evt_handlers=[(evt.EVT_N_EVENT_REPORT, on_report)]
    )
    assert association.is_established
    try:
        results["echo"] = association.send_c_echo().Status
        query = Dataset()
        query.QueryRetrieveLevel = "STUDY"
        query.PatientID = "P*"
        results["find"] = [
            (int(status.Status), None if match is None else str(match.PatientID))
            for status, match in association.send_c_find(
                query, StudyRootQueryRetrieveInformationModelFind
            )
        ]
        results["move"] = [
            [
                int(status.Status)
                for status, _ in association.send_c_move(
                    query, destination, StudyRootQueryRetrieveInformationModelMove
                )
            ]
            for destination in ("KEEPER", "NOWHERE")
        ]
        got, attributes = association.send_n_get([Tag(0x21100010)], PRINTER, PRINTER_INSTANCE)
        assert attributes is not None
        results["n_get"] = (int(got.Status), str(attributes.PrinterStatus))
        changes = Dataset()
        changes.PrinterName = "FIRST"
        results["n_set"] = int(association.send_n_set(changes, PRINTER, PRINTER_INSTANCE)[0].Status)
        results["n_create"] = int(association.send_n_create(None, PRINTER, None)[0].Status)
        results["n_delete"] = int(association.send_n_delete(PRINTER, PRINTER_INSTANCE).Status)
        request = Dataset()
        request.TransactionUID = "1.2.826.0.1.3680043.8.498.7.77"
        item = Dataset()
        item.ReferencedSOPClassUID = dk.STORAGE_SOP_CLASSES[0]
        item.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.8.498.7.1"
        request.ReferencedSOPSequence = [item]
        action, _ = association.send_n_action(request, 1, COMMITMENT, COMMITMENT_INSTANCE)
        results["n_action"] = int(action.Status)
        reported.wait(10)
    finally:
        association.release()
    results["reports"] = [str(info.TransactionUID) for info in event_reports]
    return results


def pynetdicom_gets(port: int) -> tuple[list[int], list[str]]:
    """pynetdicom's C-GET with the SCP role for the storage classes: the statuses, the
    SOP Instance UIDs its store handler took."""
    stored: list[str] = []

    def on_store(event: Any) -> int:
        stored.append(str(event.request.AffectedSOPInstanceUID))
        return 0x0000

    ae = AE(ae_title="PYNETDICOM-SCU")
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelGet, ExplicitVRLittleEndian)
    for sop_class in SOP_CLASSES.values():
        ae.add_requested_context(sop_class, ExplicitVRLittleEndian)
    association = ae.associate(
        "127.0.0.1",
        port,
        ae_title=SERVER_AE,
        ext_neg=[build_role(sop_class, scp_role=True) for sop_class in SOP_CLASSES.values()],
        evt_handlers=[(evt.EVT_C_STORE, on_store)],
    )
    assert association.is_established
    try:
        query = Dataset()
        query.QueryRetrieveLevel = "STUDY"
        query.StudyInstanceUID = "1.2.3"
        statuses = [
            int(status.Status)
            for status, _ in association.send_c_get(
                query, StudyRootQueryRetrieveInformationModelGet
            )
        ]
    finally:
        association.release()
    return statuses, stored


def test_pynetdicom_scu_of_every_service_storage_commitment_included(tmp_path: Path) -> None:
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian)
    library = Library(files=files, count=2)
    keeper = Keeper()
    commitment = Commitment()
    handlers = attrs.evolve(
        library.handlers(),
        n_get=commitment.answer,
        n_set=commitment.answer,
        n_create=commitment.answer,
        n_delete=commitment.answer,
        n_action=commitment.n_action,
    )
    policy = aio.policy_for(handlers, ae_title=SERVER_AE, sop_classes=[PRINTER])
    reported = threading.Event()

    async def scenario() -> dict[str, Any]:
        async with (
            await aio.serve("127.0.0.1", 0, "KEEPER", aio.Handlers(store=keeper)) as store,
            await aio.serve(
                "127.0.0.1",
                0,
                handlers=handlers,
                policy=policy,
                move_destinations={"KEEPER": store.address},
            ) as server,
        ):
            results = await asyncio.to_thread(pynetdicom_every_service, server.address[1], reported)
            await server.wait_served(1)
            await store.wait_served(1)
            return results

    results = run_bounded(scenario())
    assert results["echo"] == 0
    assert results["find"] == [(0xFF00, "P1"), (0xFF00, "P2"), (0x0000, None)]
    assert results["move"] == [[0xFF00, 0xFF00, 0x0000], [0xA801]]
    assert_received_as_sent(keeper, files, SERVER_AE)
    assert results["n_get"] == (0, "NORMAL")
    assert [results[name] for name in ("n_set", "n_create", "n_delete", "n_action")] == [0] * 4
    assert results["reports"] == ["1.2.826.0.1.3680043.8.498.7.77"]
    assert [int(report.status) for report in commitment.reports] == [0]


def test_pynetdicom_get_takes_the_sub_operations_with_the_scp_role(tmp_path: Path) -> None:
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian)
    library = Library(files=files)

    async def scenario() -> tuple[list[int], list[str]]:
        async with await aio.serve("127.0.0.1", 0, SERVER_AE, library.handlers()) as server:
            result = await asyncio.to_thread(pynetdicom_gets, server.address[1])
            await server.wait_served(1)
            return result

    statuses, stored = run_bounded(scenario())
    assert statuses == [0xFF00, 0xFF00, 0x0000]
    assert stored == [str(part10.sop_instance_uid) for part10 in files]


def test_pynetdicom_sends_the_storage_commitment_report_on_a_new_association() -> None:
    reports: list[aio.Requested[dk.NEventReportRequest]] = []

    async def received(event: aio.Requested[dk.NEventReportRequest]) -> dk.NEventReportResponse:
        reports.append(event)
        return event.request.response(status=0)

    def report(port: int) -> int:
        ae = AE(ae_title="COMMITTER")
        ae.add_requested_context(COMMITMENT, ExplicitVRLittleEndian)
        association = ae.associate(
            "127.0.0.1", port, ae_title=SERVER_AE,
            ext_neg=[build_role(COMMITMENT, scu_role=False, scp_role=True)],
        )  # fmt: skip
        assert association.is_established
        try:
            information = Dataset()
            information.TransactionUID = "1.2.826.0.1.3680043.8.498.7.78"
            status, _ = association.send_n_event_report(
                information, 1, COMMITMENT, COMMITMENT_INSTANCE
            )
            return int(status.Status)
        finally:
            association.release()

    async def scenario() -> int:
        handlers = aio.Handlers(event_report=received)
        async with await aio.serve("127.0.0.1", 0, SERVER_AE, handlers) as server:
            status = await asyncio.to_thread(report, server.address[1])
            await server.wait_served(1)
            return status

    assert run_bounded(scenario()) == 0
    (event,) = reports
    assert event.request.event_type_id == 1
    assert event.context.requestor_is_scp
    assert event.data_set is not None
    assert event.data_set.TransactionUID == "1.2.826.0.1.3680043.8.498.7.78"
