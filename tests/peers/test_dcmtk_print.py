"""DCMTK's print tools through the tap: dcmprscu -> dimsekit tap --reencode -> dcmprscp."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import (
    RELEASED,
    Processes,
    Tap,
    assert_dimsekit_understood,
    assert_pdus_understood,
    dcmtk,
    free_port,
    run_client,
    wait_for_port,
)
from .instances import write_instances

_PRINTER = """Aetitle = PRINTSCP
Hostname = 127.0.0.1
Port = {port}
Type = {kind}
DisableNewVRs = false
DisplayFormat = 1,1\\1,2\\2,2
FilmSizeID = 8INX10IN\\14INX17IN
ImplicitOnly = false
MagnificationType = REPLICATE\\NONE
MaxDensity = 320
MaxPDU = 16384
MediumType = PAPER\\CLEAR FILM
MinDensity = 20
PresentationLUTMatchRequired = false
PresentationLUTinFilmSession = false
Supports12Bit = true
SupportsPresentationLUT = true
"""


def _config(directory: Path, scp_port: int, tap_port: int) -> Path:
    for name in ("spool", "database", "log", "lut", "reports"):
        (directory / name).mkdir()
    config = directory / "dcmpstat.cfg"
    config.write_text(
        "[[GENERAL]]\n[APPLICATION]\nLogDirectory = log\nLogFile = general.log\n"
        "[PRINT]\nDirectory = spool\nDeletePrintJobs = false\n"
        "[DATABASE]\nDirectory = database\n[LUT]\nDirectory = lut\n"
        "[REPORT]\nDirectory = reports\n[[COMMUNICATION]]\n"
        "[PRINTSCP]\n" + _PRINTER.format(port=scp_port, kind="LOCALPRINTER") +
        "[VIATAP]\n" + _PRINTER.format(port=tap_port, kind="PRINTER")
    )  # fmt: skip
    return config


def test_dcmprscu_to_dcmprscp(processes: Processes, tap_factory: Any, tmp_path: Path) -> None:
    dcmprscp, dcmprscu, dcmpsprt = dcmtk("dcmprscp"), dcmtk("dcmprscu"), dcmtk("dcmpsprt")
    scp_port = free_port()
    scp_dir = tmp_path / "print"
    scp_dir.mkdir()
    image = write_instances(tmp_path / "images")[0]
    # dcmpsprt renders the image into a stored print job and a hardcopy image
    config = _config(scp_dir, scp_port, 0)
    scp = processes.start("dcmprscp", dcmprscp, "-c", str(config), "-p", "PRINTSCP", cwd=scp_dir)
    wait_for_port(scp_port, scp)
    tap: Tap = tap_factory(scp_port)  # the printer entry the SCU uses points at the tap
    config.write_text(config.read_text().replace("Port = 0\n", f"Port = {tap.port}\n"))

    rendered = run_client(dcmpsprt, "-c", str(config), "-p", "VIATAP", str(image), cwd=scp_dir)
    assert rendered.returncode == 0, rendered.stderr
    (stored_print,) = (scp_dir / "database").glob("SP_*.dcm")
    printed = run_client(
        dcmprscu, "-c", str(config), "-p", "VIATAP", "-v", str(stored_print), cwd=scp_dir
    )
    assert printed.returncode == 0, printed.stderr
    assert b"Association accepted" in printed.stdout + printed.stderr

    records = tap.messages()
    assert_dimsekit_understood(records)
    assert_pdus_understood(tap.pdus(), *RELEASED)
    requests = [r["name"] for r in records if r["name"].endswith("-RQ")]
    assert {"N-GET-RQ", "N-CREATE-RQ", "N-SET-RQ", "N-ACTION-RQ", "N-DELETE-RQ"} <= set(requests)
    responses = [r for r in records if r["name"].endswith("-RSP")]
    assert len(responses) == len(requests)
    assert all(r["status"]["code"] == 0 for r in responses)
    classes = {
        r["command"].get("AffectedSOPClassUID") for r in records if r["name"] == "N-CREATE-RQ"
    }
    assert {"1.2.840.10008.5.1.1.1", "1.2.840.10008.5.1.1.2"} <= classes  # film session, box
