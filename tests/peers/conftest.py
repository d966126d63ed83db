"""Real peers on 127.0.0.1, started and stopped by the tests, bounded in time.

The engine's scenarios run real DICOM programs through ``dimsekit tap --reencode``: the
peers only ever see bytes that dimsekit encoded.  The tap's JSON Lines record tells what
dimsekit decoded.  Those of ``dimsekit.aio`` (test_aio_*.py, helpers in aio_support.py)
put the peers face to face with dimsekit's own client and server.  Without DCMTK (or,
for TLS, the openssl command line) the tests skip, unless DIMSEKIT_REQUIRE_PEERS=1.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from ..helpers import Certificates, make_certificates, openssl
from .aio_support import Part10, write_large_instance
from .dcmtk_servers import PRINT_SCP, QrDatabase, print_config, qrscp_command, qrscp_config

DCMTK_BIN = Path("/usr/bin")  # pynetdicom installs console scripts with the same names
PROCESS_TIMEOUT = 60.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/peers" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.peers)


def dcmtk(tool: str) -> str:
    """The path of a DCMTK tool, or skip (fail when peers are required)."""
    path = DCMTK_BIN / tool
    if path.exists():
        return str(path)
    found = shutil.which(tool, path=str(DCMTK_BIN))
    if found:
        return found
    reason = f"DCMTK's {tool} is not installed (apt-get install dcmtk)"
    if os.environ.get("DIMSEKIT_REQUIRE_PEERS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


class Processes:
    """Background processes that are always stopped when the test ends."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[subprocess.Popen[bytes]] = []
        self.files: list[IO[bytes]] = []

    def start(
        self, name: str, *args: str, cwd: Path | None = None, **env: str
    ) -> subprocess.Popen[bytes]:
        """Start ``args``, its environment this process's with ``env``."""
        log = (self.logs / f"{name}.log").open("wb")
        self.files.append(log)
        process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, env=os.environ | env
        )
        self.running.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
        for log in self.files:
            log.close()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    logs = tmp_path / "logs"
    logs.mkdir()
    running = Processes(logs)
    try:
        yield running
    finally:
        running.stop()


def run_client(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run a client to completion, bounded in time."""
    return subprocess.run(args, capture_output=True, timeout=PROCESS_TIMEOUT, check=False, cwd=cwd)


class Tap:
    """A ``dimsekit tap --reencode`` in front of a server."""

    def __init__(self, processes: Processes, upstream_port: int, jsonl: Path, name: str) -> None:
        self.port = free_port()
        self.jsonl = jsonl
        self.process = processes.start(
            name,
            sys.executable, "-m", "dimsekit", "tap", "--reencode",
            "--listen", f"127.0.0.1:{self.port}",
            "--upstream", f"127.0.0.1:{upstream_port}",
            "--jsonl", str(jsonl),
        )  # fmt: skip
        wait_for_port(self.port, self.process)

    def records(self) -> list[dict[str, Any]]:
        deadline = time.monotonic() + 5
        text = ""
        while time.monotonic() < deadline:
            text = self.jsonl.read_text() if self.jsonl.exists() else ""
            if text.endswith("\n") or not text:
                break
            time.sleep(0.05)
        return [json.loads(line) for line in text.splitlines()]

    def messages(self) -> list[dict[str, Any]]:
        return [record for record in self.records() if record.get("kind") == "message"]

    def pdus(self) -> list[dict[str, Any]]:
        """The records of the PDUs other than P-DATA-TF that passed, both directions."""
        return [record for record in self.records() if record.get("kind") == "pdu"]


def assert_dimsekit_understood(records: list[dict[str, Any]]) -> None:
    """Every message decoded without error diagnostics, every command set re-encoded
    byte-identical to the original."""
    assert records, "the tap saw no message"
    for record in records:
        assert record["kind"] == "message", record
        errors = [d for d in record["diagnostics"] if d["severity"] == "error"]
        assert not errors, (record["name"], errors)
        assert record["reencoded_identical"], record["name"]


ASSOCIATION_PDUS = {
    "A-ASSOCIATE-RQ": "AAssociateRQ", "A-ASSOCIATE-AC": "AAssociateAC",
    "A-ASSOCIATE-RJ": "AAssociateRJ", "A-RELEASE-RQ": "AReleaseRQ",
    "A-RELEASE-RP": "AReleaseRP", "A-ABORT": "AAbort",
}  # fmt: skip
"""Each PDU type but P-DATA-TF (PS3.8 9.3.1), and the class it decodes to."""

KNOWN_DEVIATIONS: dict[str, str] = {}
"""The deviations from PS3.8 9.3 a real peer's PDU may show, by what the diagnostic says
(its ``what``), each with the clause it departs from: none today, as every PDU that DCMTK
3.6.7 and pynetdicom 3 send decodes strictly clean (FFH in DCMTK's reserved bytes is no
deviation: reserved fields are never tested, PS3.8 9.3.1)."""


RELEASED = ("A-ASSOCIATE-RQ", "A-ASSOCIATE-AC", "A-RELEASE-RQ", "A-RELEASE-RP")
"""The PDUs of an association accepted and released (PS3.8 7.1, 7.2), in order."""


def associate_record(records: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The record of the first ``name`` (A-ASSOCIATE-RQ/AC/RJ) among ``records``."""
    return next(r for r in records if r["name"] == name)


def assert_pdus_understood(records: list[dict[str, Any]], *names: str) -> None:
    """Every PDU other than P-DATA-TF that the peers sent through the tap decoded to its
    typed class with no diagnostic (or only a known deviation) and re-encoded byte for
    byte; with ``names``, they were those, in order of arrival."""
    if names:
        assert [record["name"] for record in records] == list(names), records
    for record in records:
        assert record["decoded"] == ASSOCIATION_PDUS[record["name"]], record
        said = record["diagnostics"] + record["decode_diagnostics"]
        assert all(d["what"] in KNOWN_DEVIATIONS for d in said), (record["name"], said)
        assert record["reencoded_identical"], record["name"]


@pytest.fixture
def tap_factory(processes: Processes, tmp_path: Path) -> Iterator[Any]:
    """Taps in front of servers; when the test ends, every PDU each one saw must have
    been understood (``assert_pdus_understood``), whatever the scenario."""
    counter = iter(range(1, 100))
    taps: list[Tap] = []

    def make(upstream_port: int) -> Tap:
        number = next(counter)
        tap = Tap(processes, upstream_port, tmp_path / f"tap{number}.jsonl", f"tap{number}")
        taps.append(tap)
        return tap

    yield make
    for tap in taps:
        assert_pdus_understood(tap.pdus())


@contextlib.contextmanager
def negotiating_acceptor(contexts: tuple[str, ...], server_response: bytes) -> Iterator[int]:
    """A pynetdicom acceptor in this process, on the port it yields, that supports
    ``contexts`` and answers what an A-ASSOCIATE-RQ negotiates (PS3.7 D.3.3): a user
    identity with ``server_response``, the asynchronous operations window as proposed, SOP
    class extended and common extended negotiation as proposed.  The recorder of
    tests/data/association uses it too."""
    from pynetdicom import AE, evt

    def user_identity(event: Any) -> tuple[bool, bytes | None]:
        return True, server_response

    scp = AE(ae_title="PYNETDICOM-SCP")
    for uid in contexts:
        scp.add_supported_context(uid)
    port = free_port()
    server = scp.start_server(
        ("127.0.0.1", port),
        block=False,
        evt_handlers=[
            (evt.EVT_USER_ID, user_identity),
            (evt.EVT_ASYNC_OPS, lambda event: (event.nr_invoked, event.nr_performed)),
            (evt.EVT_SOP_EXTENDED, lambda event: event.app_info),
            (evt.EVT_SOP_COMMON, lambda event: event.items),
        ],
    )
    assert server is not None, "start_server(block=False) returns the server"
    try:
        yield port
    finally:
        server.shutdown()


# --- the fixtures of the dimsekit.aio peers tests (tests/peers/test_aio_*.py) -----------


@pytest.fixture
def storescp(processes: Processes) -> Callable[..., int]:
    """Start DCMTK's storescp writing into a folder, with ``options``, on a free port,
    TCP_NODELAY=1 (as :func:`qrscp`); returns the port (``storescp(directory, *options)``)."""

    def start(directory: Path, *options: str) -> int:
        directory.mkdir(parents=True, exist_ok=True)
        port = free_port()
        process = processes.start(
            f"storescp-{port}", dcmtk("storescp"), "-od", str(directory), *options, str(port),
            TCP_NODELAY="1",
        )  # fmt: skip
        wait_for_port(port, process)
        return port

    return start


@pytest.fixture
def pynetdicom_store_scp(processes: Processes) -> Callable[..., int]:
    """Start pynetdicom's storage SCP (tests/peers/pynetdicom_store_scp.py) writing into a
    folder, with ``options``, on a free port; returns the port."""
    script = Path(__file__).with_name("pynetdicom_store_scp.py")

    def start(directory: Path, *options: str) -> int:
        port = free_port()
        process = processes.start(
            f"pynetdicom-{port}", sys.executable, str(script), str(port), str(directory), *options
        )
        wait_for_port(port, process)
        return port

    return start


@pytest.fixture(scope="session")
def qr_database(tmp_path_factory: pytest.TempPathFactory) -> QrDatabase:
    """dcmqrscp's database (``dcmtk_servers.QrDatabase``: the small set, the find study of
    1,000 series, the get study of 200 instances), made once."""
    return QrDatabase.build(tmp_path_factory.mktemp("qr") / "db", dcmtk("dcmqridx"))


@pytest.fixture
def qrscp(processes: Processes, qr_database: QrDatabase, tmp_path: Path) -> Callable[..., int]:
    """Start dcmqrscp serving :func:`qr_database` as QRSCP on a free port, with move
    destinations (AE title to port on 127.0.0.1); returns the port
    (``qrscp({"STORESCP": port})``).  With TCP_NODELAY=1 in its environment, which
    DCMTK's dcmnet reads (benchmarks/bench_network.py says where): with Nagle's algorithm
    on, each C-STORE sub-operation of a retrieve waited about 45 ms here."""

    def start(move_destinations: dict[str, int] | None = None) -> int:
        port = free_port()
        config = qrscp_config(
            tmp_path / f"dcmqrscp-{port}.cfg", port, qr_database.directory, move_destinations or {}
        )
        process = processes.start(
            f"dcmqrscp-{port}", *qrscp_command(dcmtk("dcmqrscp"), config, port), TCP_NODELAY="1"
        )
        wait_for_port(port, process)
        return port

    return start


@pytest.fixture
def dcmprscp(processes: Processes, tmp_path: Path) -> Callable[..., tuple[int, Path]]:
    """Start DCMTK's Print SCP in a folder of its own (``dcmtk_servers.print_config``,
    the SCU's entry pointing at ``scu_port``, or at the printer itself); returns its
    port and its configuration (``dcmprscp(scu_port=0)``)."""

    def start(scu_port: int | None = None) -> tuple[int, Path]:
        port = free_port()
        directory = tmp_path / f"print-{port}"
        directory.mkdir()
        config = print_config(directory, port, port if scu_port is None else scu_port)
        process = processes.start(
            f"dcmprscp-{port}", dcmtk("dcmprscp"), "-c", str(config), "-p", PRINT_SCP,
            cwd=directory,
        )  # fmt: skip
        wait_for_port(port, process)
        return port, config

    return start


@pytest.fixture
def pynetdicom_n_scp(processes: Processes) -> Callable[[], int]:
    """Start pynetdicom's SCP of the DIMSE-N services (tests/peers/pynetdicom_scp.py) on a
    free port; returns the port."""
    script = Path(__file__).with_name("pynetdicom_scp.py")

    def start() -> int:
        port = free_port()
        process = processes.start(f"pynetdicom-n-{port}", sys.executable, str(script), str(port))
        wait_for_port(port, process)
        return port

    return start


@pytest.fixture(scope="session")
def large_instance(tmp_path_factory: pytest.TempPathFactory) -> Part10:
    """A 200 MiB instance on disk (``aio_support.write_large_instance``), made once."""
    return write_large_instance(tmp_path_factory.mktemp("large") / "large.dcm")


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A CA and the server's and client's certificates (``make_certificates``), made
    once by the ``openssl`` command line: skip without it (fail when peers are
    required)."""
    if openssl() is None:
        reason = "the openssl command line is not installed (apt-get install openssl)"
        if os.environ.get("DIMSEKIT_REQUIRE_PEERS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return make_certificates(tmp_path_factory.mktemp("tls"))
