"""The end-to-end benchmark's logic (benchmarks/bench_network.py), without running a peer:
its verdicts against issue 17's goals, its reading of DCMTK's timestamped logs, the
instances it generates, and the framing of its raw asyncio floor."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydicom
import pytest
from benchmarks import bench_network as network


def row(workload: str, group: str, name: str, per_s: float, rounds: int = 5) -> dict[str, Any]:
    return {"workload": workload, "group": group, "name": name, "per_s": per_s,
            "rounds": rounds, "status": "ok"}  # fmt: skip


SCU, SCP = "SCU to storescp", "storescu to SCP"


def small_rows(ours_scu: float, ours_scp: float, rounds: int = 5) -> list[dict[str, Any]]:
    """pynetdicom at 400/s both ways, DCMTK at 6,000/s, and dimsekit's two sides."""
    return [
        row("small", SCU, "pynetdicom", 400.0), row("small", SCU, "DCMTK storescu", 6000.0),
        row("small", SCU, "dimsekit store", ours_scu, rounds),
        row("small", SCP, "pynetdicom", 400.0), row("small", SCP, "DCMTK storescp", 6000.0),
        row("small", SCP, "dimsekit serve", ours_scp, rounds),
    ]  # fmt: skip


def verdicts(rows: list[dict[str, Any]], huge: dict[str, Any] | None = None) -> dict[str, Any]:
    return {t["target"]: (t["status"], t["value"]) for t in network.judge(rows, huge)}


def test_the_targets_are_the_issues_goals() -> None:
    assert [t.text() for t in network.TARGETS] == [
        "small (8 KiB): dimsekit store >= 5x pynetdicom's rate",
        "small (8 KiB): dimsekit store within 2x of DCMTK storescu",
        "small (8 KiB): dimsekit serve >= 5x pynetdicom's rate",
        "small (8 KiB): dimsekit serve within 2x of DCMTK storescp",
        "16 MiB: dimsekit store >= 2x pynetdicom's rate",
        "16 MiB: dimsekit store within 2x of DCMTK storescu",
        "16 MiB: dimsekit store within 1.5x of asyncio floor",
        "16 MiB: dimsekit serve >= 2x pynetdicom's rate",
        "16 MiB: dimsekit serve within 2x of DCMTK storescp",
        "16 MiB: dimsekit serve within 1.5x of asyncio floor",
    ]
    floors = [t for t in network.TARGETS if t.theirs == "asyncio floor"]
    assert {(t.theirs_group, t.workload) for t in floors} == {("floor", "large")}


def test_rates_are_judged_against_their_goals_at_the_boundaries() -> None:
    # store: exactly 5x pynetdicom and exactly half DCMTK's rate; serve: just short of both
    found = verdicts(small_rows(2000.0, 1999.0))
    assert found["small (8 KiB): dimsekit store >= 5x pynetdicom's rate"] == (
        "PASS", "5.00x (2000.0/s vs 400.0/s)"
    )  # fmt: skip
    assert found["small (8 KiB): dimsekit store within 2x of DCMTK storescu"] == (
        "FAIL", "3.00x (2000.0/s vs 6000.0/s)"
    )  # fmt: skip
    assert found["small (8 KiB): dimsekit serve >= 5x pynetdicom's rate"][0] == "FAIL"
    found = verdicts(small_rows(3000.0, 2999.0))
    assert found["small (8 KiB): dimsekit store within 2x of DCMTK storescu"] == (
        "PASS", "2.00x (3000.0/s vs 6000.0/s)"
    )  # fmt: skip
    assert found["small (8 KiB): dimsekit serve within 2x of DCMTK storescp"][0] == "FAIL"


def test_fewer_than_5_rounds_are_not_judged() -> None:
    found = verdicts(small_rows(9000.0, 9000.0, rounds=4))
    status, value = found["small (8 KiB): dimsekit store >= 5x pynetdicom's rate"]
    assert status == "SKIP"
    assert value.endswith("(not judged: 4 rounds, a verdict needs at least 5)")


def test_a_side_not_built_or_not_measured_is_not_judged_and_says_why() -> None:
    rows = small_rows(0.0, 0.0)
    rows[2] = {**rows[2], "status": "not built yet (no `dimsekit store` command)", "rounds": 0}
    del rows[5]
    found = verdicts(rows)
    assert found["small (8 KiB): dimsekit store >= 5x pynetdicom's rate"] == (
        "SKIP", "not built yet (no `dimsekit store` command)"
    )  # fmt: skip
    assert found["small (8 KiB): dimsekit serve within 2x of DCMTK storescp"] == (
        "SKIP", "not measured"
    )  # fmt: skip
    assert found["16 MiB: dimsekit store within 1.5x of asyncio floor"][0] == "SKIP"


def test_the_floor_target_reads_the_floor_row() -> None:
    rows = [row("large", "floor", "asyncio floor", 60.0), row("large", SCU, "dimsekit store", 40.0)]
    found = verdicts(rows)
    assert found["16 MiB: dimsekit store within 1.5x of asyncio floor"] == (
        "PASS", "1.50x (40.0/s vs 60.0/s)"
    )  # fmt: skip


def tap_rows(direct_per_s: float, tapped_per_s: float, rounds: int = 5) -> list[dict[str, Any]]:
    return [row("small", *network.DIRECT, direct_per_s),
            row("small", network.TAP_GROUP, network.TAP, tapped_per_s, rounds)]  # fmt: skip


def test_the_tap_target_is_what_it_adds_per_small_instance() -> None:
    target = "small (8 KiB): dimsekit tap --quiet adds <= 100 µs per instance"
    # 2,000/s direct is 500 µs an instance: 1,666.67/s through the tap adds 100 µs
    assert verdicts(tap_rows(2000.0, 1e6 / 600))[target] == ("PASS", "100 µs per instance")
    assert verdicts(tap_rows(2000.0, 1e6 / 601))[target] == ("FAIL", "101 µs per instance")
    status, value = verdicts(tap_rows(2000.0, 1e6 / 550, rounds=3))[target]
    assert status == "SKIP" and value.endswith("(not judged: 3 rounds, a verdict needs at least 5)")
    assert verdicts(tap_rows(2000.0, 1000.0)[:1])[target] == ("SKIP", "not measured")
    added = network.tap_added_us(tap_rows(2000.0, 1000.0), "small")
    assert added is not None and added[0] == pytest.approx(500.0) and added[1] == 5


def test_the_tap_and_the_proxy_floor_run_between_storescu_and_storescp() -> None:
    scene = network.Scene(Path("/nonexistent"), network.Settings.of(True, None), {}, Path("x"))
    workload = network.Workload("small", *network.SMALL, 3)
    found = {
        key.name: run.keywords["tap"]  # type: ignore[attr-defined]
        for rows, run in network._scenarios(scene, {"small": (workload, Path("f"), 30)})
        for key, _ in rows
        if key.group == network.TAP_GROUP
    }
    assert found == {network.TAP: ("--quiet",), network.PROXY: network.PROXY_FLOOR}


def test_the_1_gib_rss_target() -> None:
    target = "1 GiB instance: peak RSS of dimsekit serve < 64 MiB above idle"
    huge = {"idle_mib": 30.0, "peak_mib": 93.9, "growth_mib": 63.9}
    assert verdicts([], huge)[target] == ("PASS", "63.9 MiB (idle 30.0, peak 93.9)")
    assert verdicts([], huge | {"growth_mib": 64.0})[target][0] == "FAIL"
    assert verdicts([], {"status": "not built yet"})[target] == ("SKIP", "not built yet")
    assert verdicts([], None)[target] == ("SKIP", "not measured")


# --- DCMTK's logs --------------------------------------------------------------------------


STORESCP_LOG = """\
13:27:27.803.132 Association Received
13:27:27.804.912 Association Acknowledged (Max Send PDV: 16372)
13:27:31.808.037 Association Release
"""
STORESCU_LOG = """\
23:59:59.500.000 Requesting Association
23:59:59.900.250 Association Accepted (Max Send PDV: 16372)
00:00:01.100.250 Releasing Association
"""


def test_the_association_is_timed_from_its_acceptance_to_its_release() -> None:
    assert network.association_seconds(STORESCP_LOG, "storescp") == pytest.approx(4.003125)
    # storescu's lines differ from storescp's, and a run may cross midnight
    assert network.association_seconds(STORESCU_LOG, "storescu") == pytest.approx(1.2)


def test_a_log_without_a_released_association_is_an_error() -> None:
    with pytest.raises(ValueError, match="no accepted and released association"):
        network.association_seconds(STORESCP_LOG.splitlines()[1], "storescp")
    with pytest.raises(ValueError, match="storescu"):
        network.association_seconds(STORESCP_LOG, "storescu")


# --- instances -----------------------------------------------------------------------------


def test_the_instances_are_part_10_files_of_the_size_asked(tmp_path: Path) -> None:
    workload = network.Workload("small", *network.SMALL, 12)
    total = network.write_instances(tmp_path, workload, "1.2.826.0.1.3680043.8.498.77.")
    files = sorted(tmp_path.iterdir())
    assert len(files) == 12 and total == sum(path.stat().st_size for path in files)
    assert 7 * 1024 < files[0].stat().st_size < 9 * 1024
    uids = set()
    for path in files:
        ds = pydicom.dcmread(path)
        assert ds.file_meta.TransferSyntaxUID == network.EXPLICIT_LE
        assert ds.SOPClassUID == network.SECONDARY_CAPTURE
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert len(ds.PixelData) == ds.Rows * ds.Columns * 2 == workload.pixel_bytes
        uids.add(ds.SOPInstanceUID)
    assert len(uids) == 12
    assert all(not part.startswith("0") or part == "0" for uid in uids for part in uid.split("."))


# --- the floor's framing -------------------------------------------------------------------


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


def frames(*bodies: bytes) -> bytes:
    return b"".join(struct.pack("<I", len(body)) + body for body in (*bodies, b""))


@pytest.fixture
def done() -> Iterator[asyncio.Future[None]]:
    loop = asyncio.new_event_loop()
    try:
        yield loop.create_future()
    finally:
        loop.close()


@pytest.mark.parametrize("step", [1, 3, 4, 5, 1000])
def test_the_floor_server_writes_each_frame_to_a_file_however_it_arrives(
    tmp_path: Path, step: int, done: asyncio.Future[None]
) -> None:
    bodies = [b"a" * 10, b"b" * 300, bytes(range(256))]
    server = network._FloorServer(tmp_path, done)
    transport = Transport()
    server.transport = transport  # connection_made would set TCP_NODELAY on a real socket
    stream = frames(*bodies)
    for at in range(0, len(stream), step):
        server.data_received(stream[at : at + step])
    assert [path.read_bytes() for path in sorted(tmp_path.iterdir())] == bodies
    assert transport.written == network.ACK * 4 and transport.closed  # 3 files, then the end


def test_the_floor_ping_pong_answers_each_frame(done: asyncio.Future[None]) -> None:
    server = network._FloorServer(None, done)
    transport = Transport()
    server.transport = transport
    server.data_received(frames(network.ECHO_REQUEST, network.ECHO_REQUEST))
    assert transport.written == network.ECHO_RESPONSE * 2 + network.ACK and transport.closed
