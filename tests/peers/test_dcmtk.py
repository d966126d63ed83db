"""DCMTK clients and servers talking through ``dimsekit tap --reencode``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset

from .conftest import (
    RELEASED,
    Processes,
    Tap,
    assert_dimsekit_understood,
    assert_pdus_understood,
    associate_record,
    dcmtk,
    free_port,
    run_client,
    wait_for_port,
)
from .dcmtk_servers import QrDatabase
from .instances import write_instances

STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
PATIENT_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.1.1"


def without_meta(dataset: Dataset) -> Dataset:
    copy = Dataset(dataset)
    for tag in [element.tag for element in copy if element.tag.group == 0x0002]:
        del copy[tag]
    return copy


def received_by_uid(directory: Path) -> dict[str, Dataset]:
    found: dict[str, Dataset] = {}
    for path in directory.rglob("*"):
        if path.is_file():
            dataset = dcmread(path)
            found[dataset.SOPInstanceUID] = dataset
    return found


def names(records: list[dict[str, Any]]) -> list[str]:
    return [record["name"] for record in records]


def start_storescp(processes: Processes, directory: Path, *options: str) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = processes.start(
        "storescp", dcmtk("storescp"), "-od", str(directory), *options, str(port)
    )
    wait_for_port(port, process)
    return port


def test_echoscu_to_storescp(processes: Processes, tap_factory: Any, tmp_path: Path) -> None:
    tap: Tap = tap_factory(start_storescp(processes, tmp_path / "received"))
    result = run_client(dcmtk("echoscu"), "-v", "127.0.0.1", str(tap.port))
    assert result.returncode == 0, result.stderr
    assert b"Received Echo Response (Success)" in result.stderr + result.stdout
    records = tap.messages()
    assert names(records) == ["C-ECHO-RQ", "C-ECHO-RSP"]
    assert_dimsekit_understood(records)
    pdus = tap.pdus()
    assert_pdus_understood(pdus, *RELEASED)
    rq = associate_record(pdus, "A-ASSOCIATE-RQ")
    assert (rq["calling_ae_title"], rq["called_ae_title"]) == ("ECHOSCU", "ANY-SCP")
    assert rq["user_information"][:2] == ["MaximumLength", "ImplementationClassUID"]


@pytest.mark.parametrize("pdu", [None, "4096"])
def test_storescu_to_storescp(
    processes: Processes, tap_factory: Any, tmp_path: Path, pdu: str | None
) -> None:
    options = ["-pdu", pdu] if pdu else []
    tap: Tap = tap_factory(start_storescp(processes, tmp_path / "received", *options))
    instances = write_instances(tmp_path / "sent")
    result = run_client(
        dcmtk("storescu"), *options, "127.0.0.1", str(tap.port), *map(str, instances)
    )
    assert result.returncode == 0, result.stderr
    received = received_by_uid(tmp_path / "received")
    assert len(received) == len(instances)
    for path in instances:
        sent = dcmread(path)
        assert without_meta(received[sent.SOPInstanceUID]) == without_meta(sent)
    records = tap.messages()
    assert names(records) == ["C-STORE-RQ", "C-STORE-RSP"] * len(instances)
    assert {r["command"]["AffectedSOPClassUID"] for r in records[::2]} == {
        "1.2.840.10008.5.1.4.1.1.2",
        "1.2.840.10008.5.1.4.1.1.4",
        "1.2.840.10008.5.1.4.1.1.7",
    }
    assert_dimsekit_understood(records)
    pdus = tap.pdus()
    assert_pdus_understood(pdus, *RELEASED)
    # storescu proposes its storage classes by default: 128 contexts (PS3.8 9.3.2.2)
    assert associate_record(pdus, "A-ASSOCIATE-RQ")["presentation_contexts"] == 128
    assert associate_record(pdus, "A-ASSOCIATE-AC")["presentation_contexts"] == 128


def _find(tap: Tap, cwd: Path, *keys: str, root: str = "-S") -> list[Dataset]:
    cwd.mkdir(parents=True, exist_ok=True)
    args = [arg for key in keys for arg in ("-k", key)]
    result = run_client(
        dcmtk("findscu"), root, "-aec", "QRSCP", "-X", *args, "127.0.0.1", str(tap.port), cwd=cwd
    )
    assert result.returncode == 0, result.stderr
    return [dcmread(path) for path in sorted(cwd.glob("rsp*.dcm"))]


def test_findscu_to_dcmqrscp(
    qrscp: Callable[..., int], qr_database: QrDatabase, tap_factory: Any, tmp_path: Path
) -> None:
    tap: Tap = tap_factory(qrscp())
    database = [dcmread(path) for path in qr_database.small]

    studies = _find(
        tap, tmp_path / "study", "QueryRetrieveLevel=STUDY", "StudyInstanceUID", "PatientID=PAT1"
    )
    assert {d.StudyInstanceUID for d in studies} == {
        d.StudyInstanceUID for d in database if d.PatientID == "PAT1"
    }
    patients = _find(
        tap, tmp_path / "patient", "QueryRetrieveLevel=PATIENT", "PatientID", "PatientName",
        root="-P",
    )  # fmt: skip
    assert {(d.PatientID, str(d.PatientName)) for d in patients} == qr_database.patients(database)
    none = _find(
        tap, tmp_path / "none", "QueryRetrieveLevel=STUDY", "StudyInstanceUID", "PatientID=NOBODY"
    )
    assert none == []

    records = tap.messages()
    assert_dimsekit_understood(records)
    finals = [r for r in records if r["name"] == "C-FIND-RSP" and r["status"]["code"] == 0]
    pending = [r for r in records if r["name"] == "C-FIND-RSP" and r["status"]["code"] == 0xFF00]
    assert len(finals) == 3
    assert len(pending) == len(studies) + len(patients)
    assert all("data_set" in r for r in pending)
    assert {r["command"]["AffectedSOPClassUID"] for r in records if r["name"] == "C-FIND-RQ"} == {
        STUDY_ROOT_FIND,
        PATIENT_ROOT_FIND,
    }
    assert_pdus_understood(tap.pdus(), *RELEASED * 3)  # three findscu runs


def _move(tap: Tap, study_uid: str, destination: str, *options: str) -> Any:
    return run_client(
        dcmtk("movescu"), "-S", "-aec", "QRSCP", "-aem", destination, *options,
        "-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={study_uid}",
        "127.0.0.1", str(tap.port),
    )  # fmt: skip


def test_movescu_to_dcmqrscp_to_storescp(
    processes: Processes, qrscp: Callable[..., int], qr_database: QrDatabase, tap_factory: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    store_tap: Tap = tap_factory(start_storescp(processes, tmp_path / "received"))
    tap: Tap = tap_factory(qrscp({"STORESCP": store_tap.port}))
    database = [dcmread(path) for path in qr_database.small]
    study = database[0].StudyInstanceUID
    in_study = {d.SOPInstanceUID for d in database if d.StudyInstanceUID == study}

    moved = _move(tap, study, "STORESCP")
    assert moved.returncode == 0, moved.stderr
    assert set(received_by_uid(tmp_path / "received")) == in_study

    unknown = _move(tap, study, "NOWHERE")
    assert unknown.returncode != 0  # movescu reports the refusal in its exit status
    assert b"MoveDestinationUnknown" in unknown.stderr

    records = tap.messages()
    assert_dimsekit_understood(records)
    assert_dimsekit_understood(store_tap.messages())
    finals = [r for r in records if r["name"] == "C-MOVE-RSP" and r["status"]["code"] != 0xFF00]
    assert [r["status"]["code"] for r in finals] == [0x0000, 0xA801]
    assert finals[1]["status"]["meaning"] == "Refused: Move Destination unknown"
    sub_operations = [r for r in store_tap.messages() if r["name"] == "C-STORE-RQ"]
    assert {r["command"]["MoveOriginatorApplicationEntityTitle"] for r in sub_operations} == {
        "MOVESCU"
    }
    assert_pdus_understood(tap.pdus(), *RELEASED * 2)
    assert_pdus_understood(store_tap.pdus(), *RELEASED)  # the sub-operations' association


def test_movescu_cancel(
    processes: Processes, qrscp: Callable[..., int], qr_database: QrDatabase, tap_factory: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    store_tap: Tap = tap_factory(start_storescp(processes, tmp_path / "received"))
    tap: Tap = tap_factory(qrscp({"STORESCP": store_tap.port}))
    study = dcmread(qr_database.small[0]).StudyInstanceUID
    result = _move(tap, study, "STORESCP", "--cancel", "1")
    assert result.returncode == 0, result.stderr
    records = tap.messages()
    assert_dimsekit_understood(records)
    assert "C-CANCEL-RQ" in names(records)
    cancel = next(r for r in records if r["name"] == "C-CANCEL-RQ")
    move = next(r for r in records if r["name"] == "C-MOVE-RQ")
    assert cancel["command"]["MessageIDBeingRespondedTo"] == move["command"]["MessageID"]
    final = [r for r in records if r["name"] == "C-MOVE-RSP"][-1]
    assert final["status"]["code"] in (0xFE00, 0x0000)  # the SCP may finish first


def test_getscu_to_dcmqrscp(
    qrscp: Callable[..., int], qr_database: QrDatabase, tap_factory: Any, tmp_path: Path
) -> None:
    tap: Tap = tap_factory(qrscp())
    database = [dcmread(path) for path in qr_database.small]
    study = database[2].StudyInstanceUID
    out = tmp_path / "got"
    out.mkdir()
    result = run_client(
        dcmtk("getscu"), "-S", "-aec", "QRSCP", "-od", str(out),
        "-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={study}",
        "127.0.0.1", str(tap.port),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    received = received_by_uid(out)
    assert set(received) == {d.SOPInstanceUID for d in database if d.StudyInstanceUID == study}
    records = tap.messages()
    assert_dimsekit_understood(records)
    assert names(records)[0] == "C-GET-RQ"
    assert names(records).count("C-STORE-RQ") == len(received)  # on the same association
    assert records[-1]["name"] == "C-GET-RSP" and records[-1]["status"]["code"] == 0
    pdus = tap.pdus()
    assert_pdus_understood(pdus, *RELEASED)
    # getscu proposes the SCP role for each storage class, and dcmqrscp answers them
    # (SCP/SCU Role Selection, PS3.7 D.3.3.4)
    for name in ("A-ASSOCIATE-RQ", "A-ASSOCIATE-AC"):
        assert "RoleSelection" in associate_record(pdus, name)["user_information"]
