"""End to end on 127.0.0.1: C-STORE and C-ECHO between real processes (issue 17).

Side by side in one run, several rounds, each scenario once per round (interleaved):

- C-STORE of N instances of about 8 KiB ("small", 20,000 unless ``--quick``) and of 20
  instances of 16 MiB ("large"), one association each:

  - SCU rows, each sender to DCMTK's storescp: DCMTK's storescu, pynetdicom's SCU
    (``send_c_store`` of each file path with ``_config.STORE_SEND_CHUNKED_DATASET``: the
    file is sent as it is, not decoded; with a guard against a race of pynetdicom's own
    that loses a response now and then, see ``_close_pynetdicom_race``) and
    ``python -m dimsekit store``;
  - SCP rows, DCMTK's storescu to each receiver: storescp, pynetdicom's storage SCP (the
    documented raw handler: the File Meta Information and ``event.request.DataSet`` written
    as received, nothing decoded) and ``python -m dimsekit serve --store-dir DIR --once``;
  - the floor: raw asyncio (its Protocol API, the leanest it has), no DICOM at all: a
    client reads each file and sends its bytes (length prefixed) over one connection and
    waits for a one-byte ack, a server writes each to a file as it arrives and acks it,
    so it is a round trip per file like C-STORE;
  - a check of Nagle's cost: storescu to storescp, and pynetdicom to storescp, with their
    shipped defaults (no TCP_NODELAY), on a few small instances.

- C-ECHO round trips per second on one association: DCMTK's echoscu (``--repeat``),
  pynetdicom and ``dimsekit.aio.connect(...)`` + ``await assoc.echo()`` to storescp,
  dimsekit's client to ``dimsekit serve``, and a bare asyncio ping-pong of the same sizes.

- Peak RSS of ``dimsekit serve`` receiving one 1 GiB instance from storescu, above its
  idle size (VmRSS once it listens, before any connection).

- The tap (issue 18): storescu to storescp through ``dimsekit tap --quiet``, small and
  16 MiB instances, timed by storescp's log as the direct storescu-to-storescp run of
  the same round is: what the tap adds per instance (a C-STORE-RQ in and its C-STORE-RSP
  back through it) is the difference of the two medians, per instance; and the same
  through a raw asyncio proxy (its Protocol API) that looks at nothing (the floor of
  a proxy in Python).  Beside it, the CPU time the tap (or proxy) took per instance
  (/proc/PID/stat, from its listening to the end of the run), which a busy machine
  changes less than the time.

Instances are generated once per run into a temporary directory (on /dev/shm when there
is one, so that neither side measures a disk): Secondary Capture Image Storage, Explicit
VR Little Endian, 16-bit MONOCHROME2 pixel data of 64x60 (a file of about 8 KiB),
4096x2048 (16 MiB) and 16384x32768 (1 GiB), each with its own SOP Instance UID; every
receiver writes each instance to its own file, and the number of files received is
checked after each run.

Peers.  Each is its own process, started on a free port of 127.0.0.1, with its listening
socket seen in /proc/net/tcp (no probe connection: ``serve --once`` would take it for its
one association), bounded in time and stopped in ``finally``.  TCP_NODELAY: DCMTK reads
the environment variable TCP_NODELAY (dcmnet's dul.cc when it accepts, dulfsm.cc when it
connects: ``TCP_NODELAY=1`` sets the socket option; Debian builds it without
DISABLE_NAGLE_ALGORITHM, so Nagle is on by default), and is run with ``TCP_NODELAY=1``;
pynetdicom, which never sets it, gets it from an ``evt.EVT_CONN_OPEN`` handler that sets
the option on ``event.assoc.dul.socket.socket`` (requestor and acceptor alike), before
any PDU is sent; the floor sets it on both its sockets.  The Nagle rows show the cost of
leaving it off (about 88 ms an instance here, against a fraction of a millisecond).

Timing, from the association's acceptance to its release, never from process start.
Every row of one comparison is timed by the same instrument, the peer that is common to
the comparison:

- the SCU rows (and C-ECHO to storescp) by storescp's log: from "Association
  Acknowledged" (after it sent the A-ASSOCIATE-AC) to "Association Release" (it received
  the A-RELEASE-RQ);
- the SCP rows by storescu's log: from "Association Accepted" (it received the
  A-ASSOCIATE-AC) to "Releasing Association" (it is about to send the A-RELEASE-RQ, one
  small round trip, well under a millisecond, before the end of the association);
- the floor and dimsekit's C-ECHO to ``serve``, which have no DCMTK peer, by their own
  client: from the connection (or association) established to the last ack (or release).

The DCMTK logs are written through a logger configuration (``-lc``) whose pattern holds a
timestamp to the microsecond, at INFO level, with a filter that lets only the lines
holding "Association" through.  Chosen over a TCP proxy on the path, which would add two
copies and two hops to every round trip of the small instances.  What the logging costs:
DCMTK formats its per-instance INFO lines before the filter drops them, and at INFO it
prints a progress line per instance to stdout; ``--log-cost`` runs storescu to storescp
with and without the logger configuration and compares the processes' wall times.

Rates: instances (or C-ECHOs) per second, and MB/s of the files' bytes (10^6 bytes; the
data sets sent are the files less their ~350-byte preamble and File Meta Information).

Peak RSS of each process: its VmHWM (/proc/PID/status: the peak RSS of the program since
its exec, interpreters included), read every 50 ms by a thread while it runs and once more
before a server is stopped; the highest reading.  Not ``ru_maxrss`` from ``wait4`` or
``RUSAGE_CHILDREN``: Linux carries into it the RSS of the forked copy of this benchmark's
process (about 45 MiB) that the child replaces at exec, which would hide DCMTK's few MiB.
A sender's last 50 ms before it exits go unseen; VmHWM never falls, so only a peak
reached in them would be missed.

Speed targets (issue 17), judged on the medians of at least 5 rounds as bench.py judges
("not judged" with fewer): for small instances, ``dimsekit store`` and ``dimsekit serve``
at least 5x pynetdicom's rate and within 2x of DCMTK's; for 16 MiB instances at least 2x
pynetdicom, within 2x of DCMTK and within 1.5x of the raw asyncio floor; peak RSS of
``serve`` receiving a 1 GiB instance under 64 MiB above its idle size; for small
instances, ``dimsekit tap --quiet`` adds at most 100 µs per instance (issue 18; the
16 MiB figure is reported, not judged).  Until
``dimsekit.aio`` has ``connect`` and ``serve`` and the CLI has ``store`` and ``serve``,
their rows say "not built yet" and their targets are not judged.  ``--profile`` runs each
dimsekit scenario that fails a target once more under cProfile and prints its top
functions by own time.

``python benchmarks/bench_network.py`` (``--quick`` for a smoke run: 200 small and 2
large instances, one round; ``--rounds N``; ``--json``); benchmarks/bench.py runs it too
(``--no-network`` leaves it out).  The exit status is 0 whatever the speed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import io
import json
import os
import pstats
import random
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks` as a package

from benchmarks import _profiling

HERE = Path(__file__).resolve()
DCMTK_BIN = Path("/usr/bin")  # pynetdicom installs console scripts of the same names
HOST = "127.0.0.1"
KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
MB = 1_000_000
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
PYDICOM_ROOT = "1.2.826.0.1.3680043.8.498."
RSS_GOAL_MIB = 64.0
NOT_BUILT = "not built yet"


@dataclass(frozen=True)
class Workload:
    """Instances of one size: pixel rows and columns (16 bits each), how many."""

    name: str
    rows: int
    columns: int
    count: int

    @property
    def pixel_bytes(self) -> int:
        return self.rows * self.columns * 2


SMALL, LARGE, HUGE = (64, 60), (4096, 2048), (16384, 32768)  # pixel data 7.5 KiB, 16, 1 GiB


@dataclass(frozen=True)
class Settings:
    rounds: int
    small: int
    large: int
    nagle: int
    echoes: int
    huge: bool
    quick: bool

    @classmethod
    def of(cls, quick: bool, rounds: int | None) -> Settings:
        if quick:
            return cls(rounds or 1, 200, 2, 5, 200, False, True)
        return cls(rounds or 5, 20_000, 20, 30, 5_000, True, False)


# --- instances -----------------------------------------------------------------------------


def _uid_root() -> str:
    """A root for this run's instance UIDs under pydicom's root for generated UIDs."""
    return f"{PYDICOM_ROOT}{random.randrange(10**9, 10**10)}."


def _instance_header(rows: int, columns: int, uid: str) -> bytes:
    """A Part 10 file up to the Pixel Data element's value: preamble, DICM, File Meta
    Information and the data set (PS3.10 7.1), Explicit VR Little Endian, with the
    (7FE0,0010) OW header for ``rows * columns`` 16-bit pixels last."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import UID

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(SECONDARY_CAPTURE)
    meta.MediaStorageSOPInstanceUID = UID(uid)
    meta.TransferSyntaxUID = UID(EXPLICIT_LE)
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = UID(SECONDARY_CAPTURE), UID(uid)
    root = uid.rsplit(".", 1)[0]
    ds.StudyInstanceUID, ds.SeriesInstanceUID = UID(root + ".0.1"), UID(root + ".0.2")
    ds.PatientName, ds.PatientID, ds.Modality, ds.ConversionType = "BENCH^NETWORK", "1", "OT", "WSD"
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = rows, columns
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue() + b"\xe0\x7f\x10\x00OW\x00\x00" + struct.pack("<I", rows * columns * 2)


def write_instances(directory: Path, workload: Workload, root: str) -> int:
    """``workload.count`` files into ``directory``, the same bytes but their UIDs; their
    total size."""
    directory.mkdir(parents=True, exist_ok=True)
    width = len(str(workload.count))
    placeholder = root + "9" * (width + 1)
    header = _instance_header(workload.rows, workload.columns, placeholder)
    pixels, total = bytes(min(workload.pixel_bytes, 16 * MIB)), 0
    for number in range(workload.count):
        uid = root + f"1{number:0{width}d}"
        with (directory / f"{number:06d}.dcm").open("wb") as handle:
            handle.write(header.replace(placeholder.encode(), uid.encode()))
            left = workload.pixel_bytes
            while left:
                handle.write(pixels[: min(left, len(pixels))])
                left -= min(left, len(pixels))
        total += len(header) + workload.pixel_bytes
    return total


def scratch_root() -> Path:
    shm = Path("/dev/shm")
    parent = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="dimsekit-bench-network-", dir=parent))


# --- processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def listening(port: int) -> bool:
    """Whether a socket listens on ``port`` (/proc/net/tcp, state 0A), without
    connecting to it."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    return True
    return False


class Child:
    """One process, its output in a log file, its peak RSS followed while it runs."""

    def __init__(self, name: str, args: Sequence[str], logs: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log_path = logs / f"{name}.out"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            list(args), stdout=self._log, stderr=subprocess.STDOUT, env=env
        )
        self.peak_rss_kib: int | None = None

    def sample(self) -> None:
        """Note the process's VmHWM (the peak RSS of the program it runs, since its
        exec), if it still runs."""
        if self.process.returncode is not None:
            return
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{self.process.pid}/status", "rb") as status:
                text = status.read()
            at = text.index(b"VmHWM:") + 6
            kib = int(text[at : text.index(b"kB", at)])
            self.peak_rss_kib = max(self.peak_rss_kib or 0, kib)

    def reap(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for the process to end (then kill it and
        raise TimeoutError); its exit code."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            self._log.close()
            raise TimeoutError(
                f"{self.name} did not finish in {timeout:.0f} s (see {self.log_path})"
            ) from None
        self._log.close()
        return code

    def stop(self) -> None:
        """End the process if it still runs (SIGTERM, then SIGKILL), after a last
        look at its peak RSS."""
        if self.process.returncode is None and self.process.poll() is None:
            self.sample()
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                self.reap(5)
        self._log.close()

    def wait_listening(self, port: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not listening(port):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited before listening: {self.output()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: nothing listens on {port} after {timeout} s")
            time.sleep(0.01)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]

    def cpu_seconds(self) -> float:
        """The CPU time (user and system) the process has taken so far (/proc/PID/stat:
        utime and stime, in clock ticks)."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @property
    def peak_rss_mib(self) -> float | None:
        return None if self.peak_rss_kib is None else self.peak_rss_kib / 1024

    def vm_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for {self.name}")


SAMPLE_EVERY = 0.05
"""Seconds between two looks at each child's VmHWM."""


class Processes:
    """The children of one scenario, their peak RSS followed by a thread, and always
    stopped when the scenario ends."""

    def __init__(self, logs: Path, nodelay: bool = True) -> None:
        self.logs = logs
        self.children: list[Child] = []
        self.env = dict(os.environ)
        if nodelay:
            self.env["TCP_NODELAY"] = "1"  # DCMTK's dcmnet reads it (see the docstring)
        else:
            self.env.pop("TCP_NODELAY", None)
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._follow, daemon=True)

    def _follow(self) -> None:
        while not self._done.wait(SAMPLE_EVERY):
            for child in list(self.children):
                child.sample()

    def start(self, name: str, args: Sequence[str], **env: str) -> Child:
        child = Child(name, args, self.logs, self.env | env)
        self.children.append(child)
        return child

    def __enter__(self) -> Processes:
        self._sampler.start()
        return self

    def __exit__(self, *_: object) -> None:
        try:
            for child in reversed(self.children):
                child.stop()
        finally:
            self._done.set()
            self._sampler.join()


# --- DCMTK's logs --------------------------------------------------------------------------

LOGGER_CONFIG = """\
log4cplus.rootLogger = INFO, file
log4cplus.appender.file = log4cplus::FileAppender
log4cplus.appender.file.File = ${DIMSEKIT_BENCH_LOG}
log4cplus.appender.file.ImmediateFlush = true
log4cplus.appender.file.layout = log4cplus::PatternLayout
log4cplus.appender.file.layout.ConversionPattern = %D{%H:%M:%S.%Q} %m%n
log4cplus.appender.file.filters.1 = log4cplus::spi::StringMatchFilter
log4cplus.appender.file.filters.1.StringToMatch = Association
log4cplus.appender.file.filters.1.AcceptOnMatch = true
log4cplus.appender.file.filters.2 = log4cplus::spi::DenyAllFilter
"""
"""DCMTK's logger configuration (``-lc``): each line stamped to the microsecond
(``%Q``: milliseconds with their fraction), and only the lines holding "Association"
written; the file is the one DIMSEKIT_BENCH_LOG names."""

ACCEPTED = {"storescp": "Association Acknowledged", "storescu": "Association Accepted"}
RELEASED = {"storescp": "Association Release", "storescu": "Releasing Association"}
ACCEPTED["dcmqrscp"], RELEASED["dcmqrscp"] = ACCEPTED["storescp"], RELEASED["storescp"]
"""dcmqrscp (bench_qr.py) logs as storescp does: DCMTK's acceptors share those lines."""


def _seconds_of_day(stamp: str) -> float:
    """``HH:MM:SS.mmm.uuu`` (the pattern's timestamp) in seconds since midnight."""
    hms, milliseconds, microseconds = stamp.split(".")
    hours, minutes, seconds = (int(part) for part in hms.split(":"))
    return hours * 3600 + minutes * 60 + seconds + int(milliseconds) / 1e3 + int(microseconds) / 1e6


def association_seconds(log: str, tool: str) -> float:
    """From the acceptance line to the release line of the one association in a DCMTK
    log (``tool``: storescp or storescu, whose lines differ)."""
    stamps: dict[str, float] = {}
    for line in log.splitlines():
        stamp, _, message = line.partition(" ")
        for key, wanted in (("accepted", ACCEPTED[tool]), ("released", RELEASED[tool])):
            if message.startswith(wanted) and key not in stamps:
                stamps[key] = _seconds_of_day(stamp)
    if len(stamps) != 2:
        raise ValueError(f"{tool}'s log has no accepted and released association: {log!r}")
    return (stamps["released"] - stamps["accepted"]) % 86400  # across midnight too


def wait_for_line(path: Path, text: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        log = path.read_text(errors="replace") if path.exists() else ""
        if text in log or time.monotonic() > deadline:
            return log
        time.sleep(0.01)


# --- the scenarios -------------------------------------------------------------------------


@dataclass
class Sample:
    """One run of one scenario."""

    seconds: float
    rss_mib: dict[str, float | None] = field(default_factory=dict)
    proxy_cpu_s: float | None = None
    """The CPU time of the tap (or proxy) in between, from its listening to its end."""


class NotBuilt(Exception):
    """The dimsekit side of a scenario does not exist yet."""


def dimsekit_status() -> dict[str, bool]:
    """What of issue 17 exists: the aio client and server, the CLI commands."""
    try:
        aio = importlib.import_module("dimsekit.aio")
    except ImportError:
        aio = None
    built = {
        "connect": hasattr(aio, "connect"),
        "serve": hasattr(aio, "serve"),
    }
    for command in ("store", "serve"):
        probe = subprocess.run(
            [sys.executable, "-m", "dimsekit", command, "--help"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        built[f"cli {command}"] = probe.returncode == 0
    return built


def _python(*args: str) -> list[str]:
    return [sys.executable, str(HERE), "peer", *args]


def _dcmtk(tool: str) -> str:
    return str(DCMTK_BIN / tool)


SENDERS = ("DCMTK storescu", "pynetdicom", "dimsekit store")
TAP_GROUP = "storescu to storescp through a proxy"
TAP = "dimsekit tap"
TAP_OPTIONS = ("--quiet",)
PROXY = "proxy floor"
PROXY_FLOOR = ("(floor)",)
"""``store``'s ``tap`` for the raw asyncio proxy instead of ``dimsekit tap``."""
DIRECT = ("SCU to storescp", "DCMTK storescu")
"""The row the tap's is compared with: storescu to storescp with nothing between."""
RECEIVERS = ("DCMTK storescp", "pynetdicom", "dimsekit serve")


@dataclass
class Scene:
    """Where one round's files are, and what each run may use."""

    root: Path
    settings: Settings
    built: dict[str, bool]
    config: Path
    profile_to: Path | None = None

    def fresh(self, name: str) -> tuple[Path, Path]:
        """An empty receiving directory and a directory for the logs."""
        base = Path(tempfile.mkdtemp(prefix=name.replace(" ", "-") + "-", dir=self.root / "runs"))
        (base / "in").mkdir()
        (base / "logs").mkdir()
        return base / "in", base / "logs"


def _timeout(count: int, size: int) -> float:
    """How long a run of ``count`` instances of ``size`` bytes may take, generously."""
    return 60 + count * 0.2 + count * size / (20 * MB)


def _dimsekit_cli(scene: Scene, *args: str) -> list[str]:
    if scene.profile_to is not None:
        return [sys.executable, "-m", "cProfile", "-o", str(scene.profile_to), "-m", "dimsekit",
                *args]  # fmt: skip
    return [sys.executable, "-m", "dimsekit", *args]


def sender_command(scene: Scene, sender: str, port: int, files: Path, logs: Path) -> list[str]:
    if sender == "DCMTK storescu":
        return [_dcmtk("storescu"), "-lc", str(scene.config), "+sd", HOST, str(port), str(files)]
    if sender == "pynetdicom":
        return _python("pynetdicom-scu", str(port), str(files))
    if sender == "dimsekit store":
        if not scene.built["cli store"]:
            raise NotBuilt("no `dimsekit store` command")
        return _dimsekit_cli(scene, "store", HOST, str(port), str(files))
    raise ValueError(sender)


def receiver_command(scene: Scene, receiver: str, port: int, into: Path) -> list[str]:
    if receiver == "DCMTK storescp":
        return [_dcmtk("storescp"), "-lc", str(scene.config), "-od", str(into), str(port)]
    if receiver == "pynetdicom":
        return _python("pynetdicom-scp", str(port), str(into))
    if receiver == "dimsekit serve":
        if not scene.built["cli serve"]:
            raise NotBuilt("no `dimsekit serve` command")
        return _dimsekit_cli(scene, "serve", str(port), "--store-dir", str(into), "--once")
    raise ValueError(receiver)


def store(
    scene: Scene, sender: str, receiver: str, files: Path, count: int, size: int,
    nodelay: bool = True, tap: Sequence[str] | None = None,
) -> dict[str, Sample]:  # fmt: skip
    """One association storing every file of ``files`` from ``sender`` to ``receiver``
    (with ``tap``, through a ``dimsekit tap`` of those options in between): the samples
    it gives, timed by storescp's log ("by storescp", when storescp receives) and by
    storescu's ("by storescu", when storescu sends)."""
    into, logs = scene.fresh(f"{sender}-to-{receiver}")
    port = free_port()
    with Processes(logs, nodelay) as processes:
        scp_log, scu_log = logs / "storescp.log", logs / "storescu.log"
        receiving = processes.start(
            "receiver", receiver_command(scene, receiver, port, into),
            DIMSEKIT_BENCH_LOG=str(scp_log),
        )  # fmt: skip
        receiving.wait_listening(port)
        if tap is not None:
            upstream, port = port, free_port()
            proxy = (
                _python("floor-proxy", str(port), str(upstream))
                if tap == PROXY_FLOOR
                else _dimsekit_cli(scene, "tap", "--listen", f"{HOST}:{port}",
                                   "--upstream", f"{HOST}:{upstream}", *tap)
            )  # fmt: skip
            tapping = processes.start("tap", proxy)
            tapping.wait_listening(port)
            idle_cpu = tapping.cpu_seconds()  # its start, imports included
        sending = processes.start(
            "sender", sender_command(scene, sender, port, files, logs),
            DIMSEKIT_BENCH_LOG=str(scu_log),
        )  # fmt: skip
        code = sending.reap(_timeout(count, size))
        if code != 0:
            raise RuntimeError(f"{sender} to {receiver} failed ({code}): {sending.output()}")
        if receiver == "DCMTK storescp":
            wait_for_line(scp_log, RELEASED["storescp"])
        if receiver == "dimsekit serve":  # --once: it ends by itself
            with contextlib.suppress(TimeoutError):
                receiving.reap(30)
        proxy_cpu = None if tap is None else tapping.cpu_seconds() - idle_cpu
        receiving.stop()
        received = sum(1 for _ in into.iterdir())
        if received != count:
            raise RuntimeError(f"{sender} to {receiver}: {received} files of {count} received")
        rss = {"sender": sending.peak_rss_mib, "receiver": receiving.peak_rss_mib}
        samples = {}
        if receiver == "DCMTK storescp":
            samples["by storescp"] = Sample(
                association_seconds(scp_log.read_text(), "storescp"), rss, proxy_cpu
            )
        if sender == "DCMTK storescu":
            samples["by storescu"] = Sample(
                association_seconds(scu_log.read_text(), "storescu"), rss
            )
    for child in logs.iterdir():  # the received files are not kept
        child.unlink()
    for child in into.iterdir():
        child.unlink()
    return samples


def floor_store(scene: Scene, files: Path, count: int, size: int) -> Sample:
    into, logs = scene.fresh("floor")
    port = free_port()
    with Processes(logs) as processes:
        server = processes.start("server", _python("floor-server", str(port), str(into)))
        server.wait_listening(port)
        client = processes.start("client", _python("floor-client", str(port), str(files)))
        if client.reap(_timeout(count, size)) != 0:
            raise RuntimeError(f"floor client failed: {client.output()}")
        server.reap(30)
        seconds = json.loads(client.log_path.read_text())["seconds"]
        received = sum(1 for _ in into.iterdir())
        if received != count:
            raise RuntimeError(f"floor: {received} files of {count} received")
        for child in into.iterdir():
            child.unlink()
        return Sample(seconds, {"sender": client.peak_rss_mib, "receiver": server.peak_rss_mib})


ECHO_CLIENTS = ("DCMTK echoscu", "pynetdicom", "dimsekit")


def echo(scene: Scene, client: str, server: str, count: int) -> Sample:
    """``count`` C-ECHO round trips on one association (or the floor's ping-pong)."""
    _, logs = scene.fresh(f"echo-{client}-{server}")
    port = free_port()
    scp_log = logs / "storescp.log"
    with Processes(logs) as processes:
        if server == "DCMTK storescp":
            args = receiver_command(scene, "DCMTK storescp", port, logs)
        elif server == "dimsekit serve":
            if not scene.built["cli serve"]:
                raise NotBuilt("no `dimsekit serve` command")
            args = receiver_command(scene, "dimsekit serve", port, logs)
        else:
            args = _python("floor-echo-server", str(port))
        serving = processes.start("server", args, DIMSEKIT_BENCH_LOG=str(scp_log))
        serving.wait_listening(port)
        if client == "DCMTK echoscu":
            command = [_dcmtk("echoscu"), "-lc", str(scene.config), "--repeat", str(count),
                       HOST, str(port)]  # fmt: skip
        elif client == "pynetdicom":
            command = _python("pynetdicom-echo", str(port), str(count))
        elif client == "dimsekit":
            if not scene.built["connect"]:
                raise NotBuilt("no dimsekit.aio.connect")
            command = _python("dimsekit-echo", str(port), str(count))
        else:
            command = _python("floor-echo-client", str(port), str(count))
        echoing = processes.start("client", command, DIMSEKIT_BENCH_LOG=str(logs / "echoscu.log"))
        code = echoing.reap(60 + count * 0.2)
        if code != 0:
            raise RuntimeError(f"{client} echo to {server} failed ({code}): {echoing.output()}")
        rss = {"sender": echoing.peak_rss_mib}
        if server == "DCMTK storescp":
            log = wait_for_line(scp_log, RELEASED["storescp"])
            return Sample(association_seconds(log, "storescp"), rss)
        return Sample(json.loads(echoing.log_path.read_text())["seconds"], rss)


def huge_rss(scene: Scene, files: Path) -> dict[str, float]:
    """``dimsekit serve`` receiving one 1 GiB instance from storescu: its idle VmRSS
    (listening, before any connection) and its peak RSS."""
    into, logs = scene.fresh("huge")
    port = free_port()
    with Processes(logs) as processes:
        serving = processes.start("receiver", receiver_command(scene, "dimsekit serve", port, into))
        serving.wait_listening(port)
        time.sleep(0.2)
        idle = serving.vm_rss_mib()
        sending = processes.start(
            "sender", sender_command(scene, "DCMTK storescu", port, files, logs),
            DIMSEKIT_BENCH_LOG=str(logs / "storescu.log"),
        )  # fmt: skip
        if sending.reap(_timeout(1, GIB)) != 0:
            raise RuntimeError(f"storescu to dimsekit serve (1 GiB) failed: {sending.output()}")
        serving.reap(60)
        peak = serving.peak_rss_mib or 0.0
    for child in into.iterdir():
        child.unlink()
    return {"idle_mib": round(idle, 1), "peak_mib": round(peak, 1),
            "growth_mib": round(peak - idle, 1)}  # fmt: skip


# --- rounds and rows -----------------------------------------------------------------------


@dataclass(frozen=True)
class RowKey:
    """A table row: a workload ('small', 'large', 'echo'), a group and a name."""

    workload: str
    group: str
    name: str


Scenario = tuple[list[tuple[RowKey, str]], Callable[[], dict[str, Sample]]]
"""The rows a scenario gives (each with the key of the sample it takes), and its run."""


def _floor_run(scene: Scene, files: Path, count: int, size: int) -> dict[str, Sample]:
    return {"by its client": floor_store(scene, files, count, size)}


def _echo_run(scene: Scene, client: str, server: str, count: int, by: str) -> dict[str, Sample]:
    return {by: echo(scene, client, server, count)}


def _scenarios(
    scene: Scene, workloads: dict[str, tuple[Workload, Path, int]]
) -> Iterator[Scenario]:
    """The C-STORE scenarios of a round, for each workload."""
    for name, (workload, files, total) in workloads.items():
        count, size = workload.count, total // workload.count
        for sender in SENDERS:
            rows = [(RowKey(name, "SCU to storescp", sender), "by storescp")]
            if sender == "DCMTK storescu":  # the same run, timed by the other side too
                rows.append((RowKey(name, "storescu to SCP", "DCMTK storescp"), "by storescu"))
            yield rows, partial(store, scene, sender, "DCMTK storescp", files, count, size)
        for receiver in RECEIVERS[1:]:
            rows = [(RowKey(name, "storescu to SCP", receiver), "by storescu")]
            yield rows, partial(store, scene, "DCMTK storescu", receiver, files, count, size)
        rows = [(RowKey(name, "floor", "asyncio floor"), "by its client")]
        yield rows, partial(_floor_run, scene, files, count, size)
        sender, receiver = "DCMTK storescu", "DCMTK storescp"
        for proxy, options in ((TAP, TAP_OPTIONS), (PROXY, PROXY_FLOOR)):
            rows = [(RowKey(name, TAP_GROUP, proxy), "by storescp")]
            yield rows, partial(store, scene, sender, receiver, files, count, size, tap=options)


def _nagle_scenarios(scene: Scene, files: Path, count: int, size: int) -> Iterator[Scenario]:
    """storescu and pynetdicom to storescp with their shipped defaults: Nagle on."""
    for sender in SENDERS[:2]:
        rows = [
            (RowKey("nagle", "Nagle on (shipped defaults), to storescp", sender), "by storescp")
        ]
        run = partial(store, scene, sender, "DCMTK storescp", files, count, size, nodelay=False)
        yield rows, run


def _echo_scenarios(scene: Scene, count: int) -> Iterator[Scenario]:
    pairs = [(client, "DCMTK storescp") for client in ECHO_CLIENTS]
    pairs += [("dimsekit", "dimsekit serve"), ("asyncio floor", "asyncio floor")]
    for client, server in pairs:
        timed_by = "by storescp" if server == "DCMTK storescp" else "by its client"
        rows = [(RowKey("echo", f"C-ECHO to {server}", client), timed_by)]
        yield rows, partial(_echo_run, scene, client, server, count, timed_by)


def make_scene(settings: Settings, built: dict[str, bool]) -> tuple[Scene, dict[str, Any]]:
    root = scratch_root()
    (root / "runs").mkdir()
    config = root / "dcmtk-logger.cfg"
    config.write_text(LOGGER_CONFIG)
    uid_root = _uid_root()
    workloads = {}
    for name, (rows, columns), count in (("small", SMALL, settings.small),
                                          ("large", LARGE, settings.large)):  # fmt: skip
        workload = Workload(name, rows, columns, count)
        files = root / name
        total = write_instances(files, workload, uid_root + ("1." if name == "small" else "2."))
        workloads[name] = (workload, files, total)
    nagle = Workload("nagle", *SMALL, settings.nagle)
    nagle_total = write_instances(root / "nagle", nagle, uid_root + "3.")
    workloads_info = {"workloads": workloads, "nagle": (nagle, root / "nagle", nagle_total)}
    return Scene(root, settings, built, config), workloads_info


def run_rounds(
    scene: Scene, info: dict[str, Any]
) -> tuple[dict[RowKey, list[Sample]], dict[RowKey, str], dict[RowKey, str]]:
    """Every scenario once per round, interleaved: the samples of each row, the rows
    that could not run (why), and what timed each row."""
    workloads = info["workloads"]
    nagle, nagle_files, nagle_total = info["nagle"]
    scenarios = [
        *_scenarios(scene, workloads),
        *_nagle_scenarios(scene, nagle_files, nagle.count, nagle_total // nagle.count),
        *_echo_scenarios(scene, scene.settings.echoes),
    ]
    samples: dict[RowKey, list[Sample]] = {}
    skipped: dict[RowKey, str] = {}
    timed = {key: timed_by for rows, _ in scenarios for key, timed_by in rows}
    for _ in range(scene.settings.rounds):
        for rows, run in scenarios:
            if any(key in skipped for key, _ in rows):
                continue
            try:
                got = run()
            except NotBuilt as error:
                skipped |= {key: f"{NOT_BUILT} ({error})" for key, _ in rows}
                continue
            except (RuntimeError, TimeoutError, ValueError, OSError) as error:
                skipped |= {key: f"failed: {error}"[:300] for key, _ in rows}
                continue
            for key, timed_by in rows:
                samples.setdefault(key, []).append(got[timed_by])
    return samples, skipped, timed


TIMED_BY = {"by storescp": "storescp's log", "by storescu": "storescu's log",
            "by its client": "its client"}  # fmt: skip


def rows_of(
    samples: dict[RowKey, list[Sample]], skipped: dict[RowKey, str], timed: dict[RowKey, str],
    info: dict[str, Any], settings: Settings,
) -> list[dict[str, Any]]:  # fmt: skip
    """One row per key: medians over its rounds, peak RSS the highest of its rounds."""
    sizes: dict[str, tuple[int, int]] = {
        name: (workload.count, total) for name, (workload, _, total) in info["workloads"].items()
    }
    nagle, _, nagle_total = info["nagle"]
    sizes["nagle"] = (nagle.count, nagle_total)
    sizes["echo"] = (settings.echoes, 0)
    rows = []
    for key in [*samples, *skipped]:
        count, total = sizes[key.workload]
        row: dict[str, Any] = {
            "workload": key.workload, "group": key.group, "name": key.name,
            "instances": count, "bytes": total, "timed_by": TIMED_BY[timed[key]],
        }  # fmt: skip
        if key in skipped:
            rows.append(row | {"rounds": 0, "status": skipped[key]})
            continue
        runs = samples[key]
        seconds = statistics.median(sample.seconds for sample in runs)
        rss: dict[str, float] = {}
        for sample in runs:
            for who, value in sample.rss_mib.items():
                if value is not None:
                    rss[who] = round(max(rss.get(who, 0.0), value), 1)
        row |= {
            "rounds": len(runs), "status": "ok", "seconds": round(seconds, 4),
            "seconds_each": [round(sample.seconds, 4) for sample in runs],
            "per_s": round(count / seconds, 1),
            "mb_per_s": round(total / seconds / MB, 1) if total else None,
            "ms_each": round(seconds / count * 1e3, 3),
            "peak_rss_mib": rss,
        }  # fmt: skip
        cpu = [sample.proxy_cpu_s for sample in runs if sample.proxy_cpu_s is not None]
        if cpu:
            row["proxy_cpu_us_each"] = round(statistics.median(cpu) / count * 1e6, 1)
        rows.append(row)
    return rows


# --- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A rate of ours against a rate of theirs, same workload: at least ``goal`` times
    theirs ("at least"), or theirs at most ``goal`` times ours ("within")."""

    workload: str
    group: str
    ours: str
    theirs_group: str
    theirs: str
    kind: str
    goal: float

    def text(self) -> str:
        size = "small (8 KiB)" if self.workload == "small" else "16 MiB"
        if self.kind == "at least":
            return f"{size}: {self.ours} >= {self.goal:g}x {self.theirs}'s rate"
        return f"{size}: {self.ours} within {self.goal:g}x of {self.theirs}"


SIDES = (
    ("SCU to storescp", "dimsekit store", "DCMTK storescu"),
    ("storescu to SCP", "dimsekit serve", "DCMTK storescp"),
)
"""dimsekit's two sides: the group of rows it is judged in, its row, DCMTK's row."""
GOALS = {
    "small": (("pynetdicom", "at least", 5.0), ("DCMTK", "within", 2.0)),
    "large": (("pynetdicom", "at least", 2.0), ("DCMTK", "within", 2.0),
              ("asyncio floor", "within", 1.5)),
}  # fmt: skip
"""Issue 17's speed goals for each workload, against pynetdicom, DCMTK, the floor."""

TARGETS = [
    Target(workload, group, ours, "floor" if theirs == "asyncio floor" else group,
           dcmtk if theirs == "DCMTK" else theirs, kind, goal)
    for workload, goals in GOALS.items()
    for group, ours, dcmtk in SIDES
    for theirs, kind, goal in goals
]  # fmt: skip
"""Issue 17's speed targets for dimsekit's SCU and SCP."""


TAP_GOAL_US = 100.0
"""Issue 18: what ``dimsekit tap --quiet`` may add per small instance, in µs."""


def tap_added_us(
    rows: list[dict[str, Any]], workload: str, proxy: str = TAP
) -> tuple[float, int] | None:
    """What the tap (or the ``proxy`` floor) adds per instance of ``workload``, in µs
    (its row's median less the direct row's, per instance), and the fewer rounds of the
    two; None if either row did not run."""
    by_key = {(row["workload"], row["group"], row["name"]): row for row in rows}
    tapped = by_key.get((workload, TAP_GROUP, proxy))
    direct = by_key.get((workload, *DIRECT))
    if tapped is None or direct is None or tapped["status"] != "ok" or direct["status"] != "ok":
        return None
    added = (tapped["per_s"] ** -1 - direct["per_s"] ** -1) * 1e6
    return added, min(tapped["rounds"], direct["rounds"])


def _tap_verdict(rows: list[dict[str, Any]], least: int) -> dict[str, Any]:
    verdict: dict[str, Any] = {
        "target": f"small (8 KiB): {TAP} {' '.join(TAP_OPTIONS)} adds <= {TAP_GOAL_US:g} µs"
        " per instance",
        "subject": TAP_GROUP, "message": None, "op": None,
    }  # fmt: skip
    found = tap_added_us(rows, "small")
    if found is None:
        return verdict | {"status": "SKIP", "value": "not measured"}
    added, rounds = found
    value = f"{added:.0f} µs per instance"
    status = "PASS" if added <= TAP_GOAL_US else "FAIL"
    if rounds < least:
        status = "SKIP"
        value += f" (not judged: {rounds} rounds, a verdict needs at least {least})"
    return verdict | {"status": status, "value": value}


def _min_rounds() -> int:
    from benchmarks.bench import MIN_ROUNDS  # bench.py imports this module

    return MIN_ROUNDS


def rate_verdict(
    ours: dict[str, Any] | None, theirs: dict[str, Any] | None, kind: str, goal: float, least: int
) -> dict[str, str]:
    """The status and value of a target on two rows' rates (``per_s``): ours at least
    ``goal`` times theirs ("at least"), or theirs at most ``goal`` times ours ("within");
    SKIP where a row is missing or did not run, or has fewer than ``least`` rounds."""
    if ours is None or theirs is None or ours["status"] != "ok" or theirs["status"] != "ok":
        why = [r["status"] if r else "not measured" for r in (ours, theirs)]
        reasons = dict.fromkeys(reason for reason in why if reason != "ok")
        return {"status": "SKIP", "value": "; ".join(reasons)}
    mine, other = ours["per_s"], theirs["per_s"]
    if kind == "at least":
        ratio, passed = mine / other, mine >= goal * other
    else:
        ratio, passed = other / mine, other <= goal * mine
    value = f"{ratio:.2f}x ({mine:.1f}/s vs {other:.1f}/s)"
    rounds = min(ours["rounds"], theirs["rounds"])
    if rounds < least:
        value += f" (not judged: {rounds} rounds, a verdict needs at least {least})"
        return {"status": "SKIP", "value": value}
    return {"status": "PASS" if passed else "FAIL", "value": value}


def judge(rows: list[dict[str, Any]], huge: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Each target PASS, FAIL or SKIP (not built, not measured, or fewer than MIN_ROUNDS
    rounds: not judged), with what it was judged on."""
    least = _min_rounds()
    by_key = {(row["workload"], row["group"], row["name"]): row for row in rows}
    found = []
    for target in TARGETS:
        ours = by_key.get((target.workload, target.group, target.ours))
        theirs = by_key.get((target.workload, target.theirs_group, target.theirs))
        # bench.py's verdicts also name a message and an op; these have neither
        verdict: dict[str, Any] = {
            "target": target.text(), "subject": target.group, "message": None, "op": None,
        }  # fmt: skip
        found.append(verdict | rate_verdict(ours, theirs, target.kind, target.goal, least))
    found.append(_tap_verdict(rows, least))
    rss: dict[str, Any] = {
        "target": f"1 GiB instance: peak RSS of dimsekit serve < {RSS_GOAL_MIB:g} MiB above idle",
        "subject": "storescu to SCP", "message": None, "op": None,
    }  # fmt: skip
    if huge is None or "growth_mib" not in huge:
        found.append(rss | {"status": "SKIP", "value": (huge or {}).get("status", "not measured")})
    else:
        growth = huge["growth_mib"]
        found.append(rss | {
            "status": "PASS" if growth < RSS_GOAL_MIB else "FAIL",
            "value": f"{growth:.1f} MiB (idle {huge['idle_mib']:.1f}, peak {huge['peak_mib']:.1f})",
        })  # fmt: skip
    return found


# --- profile -------------------------------------------------------------------------------


def profiles(scene: Scene, info: dict[str, Any], found: list[dict[str, Any]]) -> list[str]:
    """Each dimsekit scenario that fails a target, run once more under cProfile."""
    lines: list[str] = []
    failing = {(t["target"].split(":")[0], t["subject"]) for t in found if t["status"] == "FAIL"}
    for target in TARGETS:
        size = "small (8 KiB)" if target.workload == "small" else "16 MiB"
        if (size, target.group) not in failing:
            continue
        failing.discard((size, target.group))
        workload, files, total = info["workloads"][target.workload]
        size = total // workload.count
        profile_to = scene.root / f"{target.workload}-{target.ours.replace(' ', '-')}.prof"
        scene.profile_to = profile_to
        try:
            if target.ours == "dimsekit store":
                store(scene, "dimsekit store", "DCMTK storescp", files, workload.count, size)
            else:
                store(scene, "DCMTK storescu", "dimsekit serve", files, workload.count, size)
        finally:
            scene.profile_to = None
        stats: _profiling.Stats = pstats.Stats(str(profile_to)).stats  # type: ignore[attr-defined]
        total_own = sum(entry[2] for entry in stats.values())
        lines += ["", f"profile: {target.ours}, {size} x {workload.count}, own time "
                      f"{total_own:.2f} s under cProfile, top functions by own time",
                  f"  {'calls':>9} {'own s':>8} {'own %':>6} {'cum s':>8}  function"]  # fmt: skip
        for function, where, calls, own, cumulative in _profiling.ranked(stats, 15):
            lines.append(f"  {calls:>9} {own:>8.3f} {own / total_own * 100:>5.1f}%"
                         f" {cumulative:>8.3f}  {function} ({where})")  # fmt: skip
    return lines


# --- report --------------------------------------------------------------------------------


def table(result: dict[str, Any]) -> list[str]:
    """The rows and verdicts as bench.py prints them."""
    lines = [
        f"network, 127.0.0.1: {result['settings']}",
        f"{'workload':<8} {'group':<40} {'peer':<15} {'rounds':>6} {'median s':>9}"
        f" {'per s':>9} {'MB/s':>8} {'ms each':>8} {'RSS MiB snd/rcv':>16}  timed by",
    ]
    for row in result["rows"]:
        head = f"{row['workload']:<8} {row['group']:<40} {row['name']:<15} {row['rounds']:>6}"
        if row["status"] != "ok":
            lines.append(f"{head}  {row['status']}")
            continue
        rss = row["peak_rss_mib"]
        memory = "/".join(
            f"{rss[who]:.0f}" if who in rss else "-" for who in ("sender", "receiver")
        )
        mb = f"{row['mb_per_s']:>8.1f}" if row["mb_per_s"] is not None else f"{'':>8}"
        lines.append(
            f"{head} {row['seconds']:>9.3f} {row['per_s']:>9.1f} {mb} {row['ms_each']:>8.3f}"
            f" {memory:>16}  {row['timed_by']}"
        )
    for workload, size in (("small", "small"), ("large", "16 MiB")):
        for proxy in (TAP, PROXY):
            added = tap_added_us(result["rows"], workload, proxy)
            if added is not None:
                cpu = next(
                    row.get("proxy_cpu_us_each") for row in result["rows"]
                    if (row["workload"], row["group"], row["name"]) == (workload, TAP_GROUP, proxy)
                )  # fmt: skip
                name = f"{TAP} {' '.join(TAP_OPTIONS)}" if proxy == TAP else f"the {proxy}"
                lines.append(
                    f"{name} adds {added[0]:.0f} µs per {size} instance ({added[0] / 2:.0f} µs"
                    f" per message: a C-STORE-RQ and its RSP), {added[1]} round(s); its CPU"
                    f" {cpu} µs per instance"
                )
    huge = result.get("huge") or {}
    if "growth_mib" in huge:
        lines.append(
            f"1 GiB instance, storescu to dimsekit serve: serve idle {huge['idle_mib']:.1f} MiB,"
            f" peak {huge['peak_mib']:.1f} MiB, growth {huge['growth_mib']:.1f} MiB"
        )
    else:
        lines.append(f"1 GiB instance, storescu to dimsekit serve: {huge.get('status', '-')}")
    return lines


def settings_text(settings: Settings, info: dict[str, Any]) -> str:
    small, _, small_total = info["workloads"]["small"]
    large, _, large_total = info["workloads"]["large"]
    return (
        f"{settings.rounds} round(s), medians; small: {small.count} x {small_total // small.count}"
        f" B, large: {large.count} x {large_total // large.count} B; {settings.echoes} C-ECHOs;"
        " TCP_NODELAY on for every peer except the Nagle rows"
    )


def run_network(quick: bool, rounds: int | None = None, profile: bool = False) -> dict[str, Any]:
    """The whole benchmark: rows, the 1 GiB RSS row, verdicts (and profiles)."""
    settings = Settings.of(quick, rounds)
    built = dimsekit_status()
    scene, info = make_scene(settings, built)
    try:
        samples, skipped, timed = run_rounds(scene, info)
        rows = rows_of(samples, skipped, timed, info, settings)
        huge: dict[str, Any]
        if not (built["cli serve"]):
            huge = {"status": f"{NOT_BUILT} (no `dimsekit serve` command)"}
        elif not settings.huge:
            huge = {"status": "not measured (--quick)"}
        else:
            files = scene.root / "huge"
            write_instances(files, Workload("huge", *HUGE, 1), _uid_root())
            try:
                huge = huge_rss(scene, files)
            except (RuntimeError, TimeoutError, OSError) as error:
                huge = {"status": f"failed: {error}"[:300]}
            for child in files.iterdir():
                child.unlink()
        found = judge(rows, huge)
        result: dict[str, Any] = {
            "settings": settings_text(settings, info), "built": built, "rows": rows,
            "huge": huge, "targets": found,
        }  # fmt: skip
        if profile:
            result["profiles"] = profiles(scene, info, found)
        return result
    finally:
        _remove(scene.root)


def _remove(root: Path) -> None:
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink()
    root.rmdir()


def log_cost(count: int) -> list[str]:
    """storescu to storescp, ``count`` small instances, with and without the logger
    configuration: each process's wall time (median of 3), so that what DCMTK's logging
    adds to the timed runs is seen."""
    settings = Settings(1, count, 0, 0, 0, False, True)
    scene, _ = make_scene(settings, {"cli store": False, "cli serve": False, "connect": False})
    files = scene.root / "small"
    try:
        walls: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(3):
            for logged in (False, True):
                into, logs = scene.fresh("log-cost")
                port = free_port()
                config = ["-lc", str(scene.config)] if logged else []
                with Processes(logs) as processes:
                    scp_args = [_dcmtk("storescp"), *config, "-od", str(into), str(port)]
                    scp = processes.start("scp", scp_args, DIMSEKIT_BENCH_LOG=str(logs / "a"))
                    scp.wait_listening(port)
                    started = time.perf_counter()
                    scu_args = [_dcmtk("storescu"), *config, "+sd", HOST, str(port), str(files)]
                    scu = processes.start("scu", scu_args, DIMSEKIT_BENCH_LOG=str(logs / "b"))
                    scu.reap(_timeout(count, 9000))
                    walls[logged].append(time.perf_counter() - started)
                for child in into.iterdir():
                    child.unlink()
        quiet, logged_wall = statistics.median(walls[False]), statistics.median(walls[True])
        return [
            f"logging cost, storescu to storescp, {count} small instances, process wall time"
            f" (median of 3): without -lc {quiet:.3f} s, with {logged_wall:.3f} s"
            f" ({(logged_wall - quiet) / quiet:+.1%})"
        ]
    finally:
        _remove(scene.root)


# --- the peers of our own (``python bench_network.py peer KIND ...``) ----------------------


def _nodelay(sock: socket.socket) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _pynetdicom_nodelay(event: Any) -> None:
    if os.environ.get("TCP_NODELAY") == "1":  # the Nagle rows run without it
        _nodelay(event.assoc.dul.socket.socket)


def _close_pynetdicom_race(assoc: Any) -> None:
    """Keep pynetdicom's reactor thread off the response a ``send_*()`` waits for.

    pynetdicom 3.0.4's requestor pauses its reactor before it sends (it clears
    ``_reactor_checkpoint``, then waits for ``_is_paused``), but the reactor sets
    ``_is_paused = False`` only after it has passed the checkpoint, so the sender may
    read a stale True, send, and have its response taken off the queue by the reactor's
    ``dimse.get_msg(block=False)`` ("Received unexpected C-ECHO service message"): the
    sender then waits out ``dimse_timeout`` and aborts.  On 127.0.0.1 with TCP_NODELAY
    that happened here about once in 1,000 round trips, so no run of 20,000 stores
    finished.  This wrapper makes the reactor's non-blocking look find nothing while a
    sender has the reactor paused; nothing else of pynetdicom changes, nor its speed.
    """
    get_msg = assoc.dimse.get_msg

    def guarded(block: bool = False) -> Any:
        if not block and not assoc._reactor_checkpoint.is_set():
            return None, None
        return get_msg(block)

    assoc.dimse.get_msg = guarded


def peer_pynetdicom_scu(port: int, files: Path) -> int:
    from pynetdicom import AE, _config, evt

    _config.STORE_SEND_CHUNKED_DATASET = True  # each file sent as it is, not decoded
    ae = AE(ae_title="PYNETDICOM")
    ae.add_requested_context(SECONDARY_CAPTURE, EXPLICIT_LE)
    assoc = ae.associate(HOST, port, ae_title="ANY-SCP",
                         evt_handlers=[(evt.EVT_CONN_OPEN, _pynetdicom_nodelay)])  # fmt: skip
    if not assoc.is_established:
        return 1
    _close_pynetdicom_race(assoc)
    for path in sorted(files.iterdir()):
        status = assoc.send_c_store(path)
        if not status or status.Status != 0:
            assoc.abort()
            return 2
    assoc.release()
    return 0


def pynetdicom_store_handler(into: Path) -> Callable[[Any], int]:
    """pynetdicom's documented raw EVT_C_STORE handler: the File Meta Information and
    ``event.request.DataSet`` written as received into a file of ``into``, nothing
    decoded (bench_qr.py's C-GET receives with it too)."""
    from pydicom.filewriter import write_file_meta_info

    def stored(event: Any) -> int:
        with (into / event.request.AffectedSOPInstanceUID).open("wb") as handle:
            handle.write(b"\x00" * 128 + b"DICM")
            write_file_meta_info(handle, event.file_meta, enforce_standard=False)
            handle.write(event.request.DataSet.getvalue())
        return 0x0000

    return stored


def peer_pynetdicom_scp(port: int, into: Path) -> int:
    from pynetdicom import AE, AllStoragePresentationContexts, evt

    stored = pynetdicom_store_handler(into)
    ae = AE(ae_title="PYNETDICOM-SCP")
    ae.supported_contexts = AllStoragePresentationContexts
    ae.add_supported_context("1.2.840.10008.1.1")
    ae.start_server(
        (HOST, port), block=True,
        evt_handlers=[(evt.EVT_CONN_OPEN, _pynetdicom_nodelay), (evt.EVT_C_STORE, stored)],
    )  # fmt: skip
    return 0


def peer_pynetdicom_echo(port: int, count: int) -> int:
    from pynetdicom import AE, evt

    ae = AE(ae_title="PYNETDICOM")
    ae.add_requested_context("1.2.840.10008.1.1")
    assoc = ae.associate(HOST, port, ae_title="ANY-SCP",
                         evt_handlers=[(evt.EVT_CONN_OPEN, _pynetdicom_nodelay)])  # fmt: skip
    if not assoc.is_established:
        return 1
    _close_pynetdicom_race(assoc)
    for _ in range(count):
        status = assoc.send_c_echo()
        if not status or status.Status != 0:
            assoc.abort()
            return 2
    assoc.release()
    return 0


async def _dimsekit_echo(port: int, count: int) -> float:
    """``count`` C-ECHOs with dimsekit.aio on one association, timed from the accepted
    association to its release."""
    from dimsekit import aio

    async with aio.connect(HOST, port) as association:
        started = time.perf_counter()
        for _ in range(count):
            await association.echo()
    return time.perf_counter() - started


ECHO_REQUEST = bytes(80)
"""About a C-ECHO-RQ in one P-DATA-TF PDU (6 + 4 + 2 + a 68-byte command set)."""
ECHO_RESPONSE = bytes(90)
"""About a C-ECHO-RSP in one P-DATA-TF PDU."""
ACK = b"\x01"


class _FloorServer(asyncio.Protocol):
    """One connection of length-prefixed frames (asyncio's Protocol, its leanest API):
    each frame written to its own file in ``into`` as its bytes arrive and acked with one
    byte, or with no ``into`` (the C-ECHO ping-pong) answered with ECHO_RESPONSE; a frame
    of length 0 ends it."""

    def __init__(self, into: Path | None, done: asyncio.Future[None]) -> None:
        self.into, self.done = into, done
        self.header = bytearray()
        self.left: int | None = None
        self.handle: io.BufferedWriter | None = None
        self.number = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        _nodelay(transport.get_extra_info("socket"))

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        view, at = memoryview(data), 0
        while at < len(view):
            if self.left is None:
                need = 4 - len(self.header)
                self.header += view[at : at + need]
                at += need
                if len(self.header) < 4:
                    return
                (self.left,) = struct.unpack("<I", self.header)
                self.header.clear()
                if not self.left:
                    self.transport.write(ACK)
                    self.transport.close()
                    return
                if self.into is not None:
                    self.handle = (self.into / f"{self.number:06d}").open("wb")
            piece = view[at : at + self.left]
            at += len(piece)
            self.left -= len(piece)
            if self.handle is not None:
                self.handle.write(piece)
            if not self.left:
                self.left = None
                if self.handle is not None:
                    self.handle.close()
                    self.handle = None
                    self.number += 1
                self.transport.write(ACK if self.into is not None else ECHO_RESPONSE)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def _floor_server(port: int, into: Path | None) -> None:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    server = await loop.create_server(lambda: _FloorServer(into, done), HOST, port)
    async with server:
        await done


class _FloorClient(asyncio.Protocol):
    """Counts the bytes that come back, and wakes the sender when ``expected`` have."""

    def __init__(self) -> None:
        self.received = 0
        self.expected = 0
        self.waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        _nodelay(transport.get_extra_info("socket"))

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        if self.waiter is not None and self.received >= self.expected:
            self.waiter.set_result(None)
            self.waiter = None

    async def answer(self, size: int) -> None:
        self.expected += size
        if self.received < self.expected:
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter


async def _floor_client(port: int, files: Path | None, count: int) -> float:
    """Every file of ``files`` as a frame, or ``count`` ECHO_REQUEST frames, each
    waiting for its answer; the seconds from the connection to the last answer."""
    loop = asyncio.get_running_loop()
    transport, client = await loop.create_connection(_FloorClient, HOST, port)
    started = time.perf_counter()
    if files is None:
        frame = struct.pack("<I", len(ECHO_REQUEST)) + ECHO_REQUEST
        for _ in range(count):
            transport.write(frame)
            await client.answer(len(ECHO_RESPONSE))
    else:
        for path in sorted(files.iterdir()):
            data = path.read_bytes()
            transport.write(struct.pack("<I", len(data)))
            transport.write(data)
            await client.answer(len(ACK))
    transport.write(struct.pack("<I", 0))
    await client.answer(len(ACK))
    seconds = time.perf_counter() - started
    transport.close()
    return seconds


class _ProxySide(asyncio.Protocol):
    """One side of a connection of the proxy floor: what it reads is written to the
    other side at once; when the other side's buffer is full, it stops reading."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.other: _ProxySide | None = None
        self.pending = bytearray()  # what came before the other side was connected

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        _nodelay(transport.get_extra_info("socket"))

    def data_received(self, data: bytes) -> None:
        other = self.other
        if other is None or other.transport is None:
            self.pending += data
        else:
            other.transport.write(data)

    def eof_received(self) -> bool:
        if self.other is not None and self.other.transport is not None:
            self.other.transport.close()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self.other is not None and self.other.transport is not None:
            self.other.transport.close()

    def pause_writing(self) -> None:
        if self.other is not None and self.other.transport is not None:
            self.other.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.other is not None and self.other.transport is not None:
            self.other.transport.resume_reading()


async def _floor_proxy(port: int, upstream: int) -> None:
    """A TCP proxy of asyncio's Protocol API that looks at nothing (the floor of any
    proxy in Python, ``dimsekit tap`` among them): each connection to ``port`` gets one
    to ``upstream``, and each side's bytes are written to the other as they arrive."""
    loop = asyncio.get_running_loop()

    def accepted() -> _ProxySide:
        client = _ProxySide()

        async def connect() -> None:
            _, server = await loop.create_connection(_ProxySide, HOST, upstream)
            server.other, client.other = client, server
            assert server.transport is not None
            if client.pending:
                server.transport.write(bytes(client.pending))
                client.pending.clear()

        connecting.add(loop.create_task(connect()))
        return client

    connecting: set[asyncio.Task[None]] = set()
    server = await loop.create_server(accepted, HOST, port)
    async with server:
        await server.serve_forever()


def peer(kind: str, args: list[str]) -> int:
    """Run one of our own peers (a child of the benchmark)."""
    port = int(args[0])
    if kind == "pynetdicom-scu":
        return peer_pynetdicom_scu(port, Path(args[1]))
    if kind == "pynetdicom-scp":
        return peer_pynetdicom_scp(port, Path(args[1]))
    if kind == "pynetdicom-echo":
        return peer_pynetdicom_echo(port, int(args[1]))
    if kind == "floor-proxy":
        asyncio.run(_floor_proxy(port, int(args[1])))
        return 0
    if kind == "floor-server":
        asyncio.run(_floor_server(port, Path(args[1])))
        return 0
    if kind == "floor-echo-server":
        asyncio.run(_floor_server(port, None))
        return 0
    if kind == "floor-client":
        print(json.dumps({"seconds": asyncio.run(_floor_client(port, Path(args[1]), 0))}))
        return 0
    if kind == "floor-echo-client":
        print(json.dumps({"seconds": asyncio.run(_floor_client(port, None, int(args[1])))}))
        return 0
    if kind == "dimsekit-echo":
        print(json.dumps({"seconds": asyncio.run(_dimsekit_echo(port, int(args[1])))}))
        return 0
    raise SystemExit(f"no peer {kind!r}")


def report(table_lines: list[str], result: dict[str, Any]) -> str:
    """What an end-to-end benchmark prints: its table, then each target's verdict a line,
    then any profiles."""
    lines = [*table_lines, "", "targets:"]
    lines += [f"{t['status']:<4}  {t['target']} [{t['subject']}]: {t['value']}"
              for t in result["targets"]]  # fmt: skip
    return "\n".join([*lines, *result.get("profiles", [])])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["peer"]:
        return peer(argv[1], argv[2:])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the peers, clean up
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 200 small and 2 large instances, one round")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--rounds", type=int, help="rounds (median; a verdict needs 5)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile each dimsekit scenario that fails a target")  # fmt: skip
    parser.add_argument(
        "--log-cost",
        action="store_true",
        help="only measure what DCMTK's logger configuration costs storescu",
    )
    args = parser.parse_args(argv)
    if args.log_cost:
        print("\n".join(log_cost(200 if args.quick else 20_000)))
        return 0
    result = run_network(args.quick, args.rounds, args.profile)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(report(table(result), result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
