"""dimsekit's network commands with DCMTK: ``dimsekit echo`` and ``store`` to storescp
(through a ``dimsekit tap --reencode``), DCMTK's echoscu and storescu to ``dimsekit serve
--store-dir`` (directly: the peer's own bytes reach dimsekit)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from pydicom import dcmread

from .conftest import (
    Processes,
    assert_dimsekit_understood,
    dcmtk,
    free_port,
    run_client,
    wait_for_port,
)

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
