"""dimsekit's network commands with DCMTK: ``dimsekit echo`` and ``store`` to storescp
(through a ``dimsekit tap --reencode``), DCMTK's echoscu and storescu to ``dimsekit serve
--store-dir`` (directly: the peer's own bytes reach dimsekit); ``dimsekit find``, ``get``
and ``move`` (to storescp and to ``dimsekit serve``) with dcmqrscp, ``find -W`` with
wlmscpfs."""

from __future__ import annotations

import json
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydicom import dcmread
from pydicom.dataset import Dataset

from .conftest import (
    Processes,
    assert_dimsekit_understood,
    dcmtk,
    free_port,
    run_client,
    wait_for_port,
)
from .dcmtk_servers import QrDatabase
from .instances import write_worklist
from .test_dcmtk import received_by_uid

INSTANCES = Path(__file__).resolve().parents[2] / "examples" / "instances"
KEYWORDS = ("SOPClassUID", "SOPInstanceUID", "PatientName", "Modality", "Rows", "PixelData")


def dimsekit(*args: str) -> tuple[str, ...]:
    return (sys.executable, "-m", "dimsekit", *args)


def assert_same_instances(received: Path) -> None:
    """Each bundled instance is in ``received`` once, its attributes as sent."""
    sent = {dcmread(path).SOPInstanceUID: dcmread(path) for path in INSTANCES.iterdir()}
    kept = [dcmread(path) for path in received.iterdir() if path.is_file()]
    assert sorted(dataset.SOPInstanceUID for dataset in kept) == sorted(sent)
    for dataset in kept:
        original = sent[dataset.SOPInstanceUID]
        for keyword in KEYWORDS:
            assert dataset[keyword].value == original[keyword].value, keyword


def test_dimsekit_echo_and_store_to_storescp(
    processes: Processes, tap_factory: Any, tmp_path: Path
) -> None:
    received = tmp_path / "received"
    received.mkdir()
    port = free_port()
    storescp = processes.start("storescp", dcmtk("storescp"), "-od", str(received), str(port))
    wait_for_port(port, storescp)
    tap = tap_factory(port)
    echo = run_client(*dimsekit("echo", "-aec", "STORESCP", "127.0.0.1", str(tap.port)))
    assert echo.returncode == 0, echo.stderr
    assert echo.stdout.startswith(b"C-ECHO 1: status 0x0000 (success)")
    store = run_client(
        *dimsekit("store", "-aec", "STORESCP", "127.0.0.1", str(tap.port)), str(INSTANCES)
    )
    assert store.returncode == 0, store.stderr
    assert store.stdout.startswith(b"3 of 3 files sent, 0 failed, ")
    assert_dimsekit_understood(tap.messages())
    assert_same_instances(received)


def test_echoscu_and_storescu_to_dimsekit_serve(processes: Processes, tmp_path: Path) -> None:
    received = tmp_path / "received"
    port = free_port()
    server = processes.start(
        "serve", *dimsekit("serve", str(port), "--store-dir", str(received), "-aet", "DIMSEKIT")
    )
    wait_for_port(port, server)
    echo = run_client(dcmtk("echoscu"), "-aec", "DIMSEKIT", "127.0.0.1", str(port))
    assert echo.returncode == 0, echo.stderr
    files = sorted(str(path) for path in INSTANCES.iterdir())
    store = run_client(dcmtk("storescu"), "-aec", "DIMSEKIT", "127.0.0.1", str(port), *files)
    assert store.returncode == 0, store.stderr
    wrong = run_client(dcmtk("echoscu"), "-aec", "WRONG", "127.0.0.1", str(port))
    assert wrong.returncode != 0
    assert_same_instances(received)
    server.terminate()  # SIGTERM, as Ctrl-C: a clean stop
    assert server.wait(10) == 0
    log = (processes.logs / "serve.log").read_text()
    deadline = time.monotonic() + 5
    while "stopped after" not in log and time.monotonic() < deadline:
        time.sleep(0.05)
        log = (processes.logs / "serve.log").read_text()
    assert log.count(": accepted ") == 2  # echoscu's and storescu's
    assert log.count("CStoreRequest Message ID") == 3
    assert "association ECHOSCU -> WRONG: rejected" in log


# --- find, get and move with dcmqrscp ----------------------------------------------------


def qr(command: str, port: int, *args: str) -> Any:
    return run_client(*dimsekit(command, "-aec", "QRSCP", *args, "127.0.0.1", str(port)))


def test_dimsekit_find_of_studies_in_dcmqrscp(
    qrscp: Callable[..., int], qr_database: QrDatabase
) -> None:
    port = qrscp()
    database = [dcmread(path) for path in qr_database.small]
    found = qr("find", port, "-k", "PatientName=Alpha*", "-k", "StudyInstanceUID")  # README's
    assert found.returncode == 0, found.stderr
    lines = found.stdout.decode().splitlines()
    matches = [dict(pair.split("=", 1) for pair in shlex.split(line)) for line in lines]
    assert {m["StudyInstanceUID"] for m in matches} == {
        d.StudyInstanceUID for d in database if d.PatientID == "PAT1"
    }
    assert {(m["QueryRetrieveLevel"], m["PatientName"]) for m in matches} == {
        ("STUDY", "Alpha^Ann")
    }
    assert found.stderr.decode().startswith(f"{len(lines)} matches, status 0x0000 (success)")

    patients = qr("find", port, "-P", "--level", "PATIENT", "--json", "-k", "PatientID")
    assert patients.returncode == 0, patients.stderr
    found_ids = {
        Dataset.from_json(json.loads(line)).PatientID for line in patients.stdout.splitlines()
    }
    assert found_ids == {patient for patient, _ in qr_database.patients(database)}
    nobody = qr("find", port, "-k", "PatientID=NOBODY")
    assert (nobody.returncode, nobody.stdout) == (0, b"")
    assert nobody.stderr.startswith(b"0 matches, status 0x0000")


def test_dimsekit_get_from_dcmqrscp_keeps_the_study_in_store_dir(
    qrscp: Callable[..., int], qr_database: QrDatabase, tmp_path: Path
) -> None:
    port = qrscp()
    database = {d.SOPInstanceUID: d for d in map(dcmread, qr_database.small)}
    study = dcmread(qr_database.small[2]).StudyInstanceUID
    got = tmp_path / "got"
    result = qr("get", port, "-k", f"StudyInstanceUID={study}", "--store-dir", str(got))
    assert result.returncode == 0, result.stderr
    received = received_by_uid(got)
    assert set(received) == {uid for uid, d in database.items() if d.StudyInstanceUID == study}
    for uid, dataset in received.items():
        for keyword in KEYWORDS:
            assert dataset[keyword].value == database[uid][keyword].value, keyword
    assert result.stdout.decode() == (
        f"{len(received)} completed, 0 failed, 0 with a warning; status 0x0000 (success): "
        "Sub-operations complete, no failures\n"
    )


def test_dimsekit_move_from_dcmqrscp_to_storescp_and_to_dimsekit_serve(
    processes: Processes,
    qrscp: Callable[..., int],
    qr_database: QrDatabase,
    storescp: Callable[..., int],
    tmp_path: Path,
) -> None:
    to_storescp = tmp_path / "storescp"
    storescp_port = storescp(to_storescp)
    to_serve = tmp_path / "serve"
    serve_port = free_port()
    serve = processes.start(
        "serve", *dimsekit("serve", str(serve_port), "--store-dir", str(to_serve))
    )
    wait_for_port(serve_port, serve)
    port = qrscp({"STORESCP": storescp_port, "DIMSEKIT": serve_port})
    database = [dcmread(path) for path in qr_database.small]
    study = database[0].StudyInstanceUID
    in_study = {d.SOPInstanceUID for d in database if d.StudyInstanceUID == study}
    for destination, directory in (("STORESCP", to_storescp), ("DIMSEKIT", to_serve)):
        moved = qr("move", port, "-aem", destination, "-k", f"StudyInstanceUID={study}")
        assert moved.returncode == 0, moved.stderr
        assert moved.stdout.startswith(f"{len(in_study)} completed, 0 failed".encode())
        assert set(received_by_uid(directory)) == in_study, destination
    unknown = qr("move", port, "-aem", "NOWHERE", "-k", f"StudyInstanceUID={study}")
    assert unknown.returncode == 1
    assert b"status 0xA801 (failure): Refused: Move Destination unknown" in unknown.stdout


def test_dimsekit_move_cancel_midway_with_dcmqrscp(
    qrscp: Callable[..., int],
    qr_database: QrDatabase,
    storescp: Callable[..., int],
    tap_factory: Any,
    tmp_path: Path,
) -> None:
    tap = tap_factory(qrscp({"STORESCP": storescp(tmp_path / "received")}))
    study = dcmread(qr_database.get[0]).StudyInstanceUID  # 200 instances: the cancel in time
    moved = qr(
        "move", tap.port, "-aem", "STORESCP", "--cancel", "1", "-k", f"StudyInstanceUID={study}"
    )
    records = tap.messages()
    assert_dimsekit_understood(records)
    final = [r for r in records if r["name"] == "C-MOVE-RSP"][-1]
    (cancel,) = [r for r in records if r["name"] == "C-CANCEL-RQ"]
    move = next(r for r in records if r["name"] == "C-MOVE-RQ")
    assert cancel["command"]["MessageIDBeingRespondedTo"] == move["command"]["MessageID"]
    assert final["status"]["code"] == 0xFE00  # of 200 sub-operations, not the last
    assert moved.returncode == 1, moved.stderr
    assert moved.stdout.endswith(
        b"status 0xFE00 (cancel): Sub-operations terminated due to Cancel indication\n"
    )
    released = [p for p in tap.pdus() if p["name"] in ("A-RELEASE-RQ", "A-RELEASE-RP")]
    assert len(released) == 2  # a clean end either way


def test_dimsekit_find_of_a_worklist_in_wlmscpfs(processes: Processes, tmp_path: Path) -> None:
    items = write_worklist(tmp_path / "worklists" / "WLMSCP")
    port = free_port()
    server = processes.start(
        "wlmscpfs", dcmtk("wlmscpfs"), "-dfp", str(tmp_path / "worklists"), str(port)
    )
    wait_for_port(port, server)
    found = run_client(
        *dimsekit(
            "find", "-W", "-aec", "WLMSCP", "--json", "-k", "PatientID", "-k", "PatientName",
            "-k", "ScheduledProcedureStepSequence[0].Modality=MR",
            "-k", "ScheduledProcedureStepSequence[0].ScheduledStationAETitle",
            "127.0.0.1", str(port),
        )
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    matches = [Dataset.from_json(json.loads(line)) for line in found.stdout.splitlines()]
    mr = [item for item in items if item.ScheduledProcedureStepSequence[0].Modality == "MR"]
    assert sorted(m.PatientID for m in matches) == sorted(item.PatientID for item in mr)
    for match in matches:
        (step,) = match.ScheduledProcedureStepSequence
        assert (step.Modality, step.ScheduledStationAETitle) == ("MR", "MRSCANNER")
    assert found.stderr.startswith(b"2 matches, status 0x0000 (success)")
