"""DCMTK's print tools through the tap: dcmprscu -> dimsekit tap --reencode -> dcmprscp."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import (
    RELEASED,
    Tap,
    assert_dimsekit_understood,
    assert_pdus_understood,
    dcmtk,
    run_client,
)
from .dcmtk_servers import PRINT_SCU
from .instances import write_instances


def test_dcmprscu_to_dcmprscp(
    dcmprscp: Callable[..., tuple[int, Path]], tap_factory: Any, tmp_path: Path
) -> None:
    dcmprscu, dcmpsprt = dcmtk("dcmprscu"), dcmtk("dcmpsprt")
    image = write_instances(tmp_path / "images")[0]
    scp_port, config = dcmprscp(0)  # the printer entry the SCU uses points at the tap
    scp_dir = config.parent
    tap: Tap = tap_factory(scp_port)
    config.write_text(config.read_text().replace("Port = 0\n", f"Port = {tap.port}\n"))

    # dcmpsprt renders the image into a stored print job and a hardcopy image
    rendered = run_client(dcmpsprt, "-c", str(config), "-p", PRINT_SCU, str(image), cwd=scp_dir)
    assert rendered.returncode == 0, rendered.stderr
    (stored_print,) = (scp_dir / "database").glob("SP_*.dcm")
    printed = run_client(
        dcmprscu, "-c", str(config), "-p", PRINT_SCU, "-v", str(stored_print), cwd=scp_dir
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
