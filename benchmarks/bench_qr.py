"""End to end on 127.0.0.1: C-FIND and C-GET from DCMTK's dcmqrscp (issue 18).

Side by side in one run, several rounds, each scenario once per round (interleaved), one
association each, three clients of the same dcmqrscp:

- C-FIND, Study Root, SERIES level, within one study of 1,000 series (``--quick``: 200):
  1,000 matches, each a Pending response with its identifier (PS3.4 C.4.1.2.1), counted
  by the client (DCMTK's findscu ``-sr``, the responses not printed but each logged as
  received; pynetdicom's ``send_c_find``; ``dimsekit.aio``'s ``find``, each match decoded
  into a pydicom Dataset, as pynetdicom's are);
- C-GET, Study Root, STUDY level, of one study of 200 small instances (``--quick``: 50; a
  Secondary Capture of 958 bytes each, Explicit VR Little Endian): the C-STORE
  sub-operations on the same association (PS3.4 C.4.3), each instance written by the
  client to a file of its own in a directory (getscu ``-od``; pynetdicom's raw EVT_C_STORE
  handler of bench_network.py; dimsekit's ``StoreToDirectory``), counted after each run.

The database is tests/peers/dcmtk_servers.py's (``QrDatabase``, as the peers tests have
it), made once per run into a temporary directory (on /dev/shm when there is one) and
registered with DCMTK's dcmqridx; dcmqrscp is started afresh for each run, as the peers
tests run it (a child forked for each association, after its A-ASSOCIATE-AC: the same
for every client; its single process mode, ``-s``, crashed here after its first
association), TCP_NODELAY on for every peer as in bench_network.py.

Timing, as bench_network.py times its SCU rows, by the peer common to the comparison:
dcmqrscp's log, from "Association Acknowledged" (it sent the A-ASSOCIATE-AC) to
"Association Release" (it received the A-RELEASE-RQ), written through the logger
configuration of bench_network.py.  Rates: matches per second, instances per second; each
row gives the median and the best of its rounds.

What bounds the C-FIND rows: dcmqrscp's own time grows faster than the matches (here
about 8 ms for 200 series, 50-90 ms for 1,000, where findscu's own work is linear), so
at 1,000 matches findscu's rate is mostly dcmqrscp's, and "within 2x of DCMTK" compares
with the server as much as with findscu.  Of dimsekit's client time, about half is
pydicom's, decoding each identifier into a Dataset (cProfile of one run).

Speed targets (issue 18), on matches per second, judged on the medians of at least 5
rounds (bench.py's MIN_ROUNDS; "not judged" with fewer): dimsekit's C-FIND at least 5x
pynetdicom's and within 2x of findscu's.  The C-GET rows show the same ratios, not judged
(the issue sets its targets on matches).

``python benchmarks/bench_qr.py`` (``--quick``: one round of the smaller workloads;
``--rounds N``; ``--json``); benchmarks/bench.py runs it with the other end-to-end rows
(``--no-network`` leaves it out).  The exit status is 0 whatever the speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks` as a package

from tests.peers import dcmtk_servers

from benchmarks import bench_network as network

HERE = Path(__file__).resolve()
HOST = network.HOST
SECONDARY_CAPTURE = network.SECONDARY_CAPTURE
IMPLICIT_LE = "1.2.840.10008.1.2"
STORAGE_SYNTAXES = (network.EXPLICIT_LE, IMPLICIT_LE)
"""What pynetdicom and dimsekit propose for the storage context of a C-GET: the files'
own syntax first (getscu proposes explicit VR little endian first too)."""
OPERATIONS = ("find", "get")
CLIENTS = {"find": ("DCMTK findscu", "pynetdicom", "dimsekit"),
           "get": ("DCMTK getscu", "pynetdicom", "dimsekit")}  # fmt: skip
UNITS = {"find": "matches", "get": "instances"}
GOALS = (("pynetdicom", "at least", 5.0), ("DCMTK findscu", "within", 2.0))
"""Issue 18's speed goals for dimsekit's C-FIND, on matches per second."""

FIND_LOGGER_CONFIG = network.LOGGER_CONFIG.replace(
    "log4cplus.appender.file.filters.2 = log4cplus::spi::DenyAllFilter",
    "log4cplus.appender.file.filters.2 = log4cplus::spi::StringMatchFilter\n"
    "log4cplus.appender.file.filters.2.StringToMatch = Find Response\n"
    "log4cplus.appender.file.filters.2.AcceptOnMatch = true\n"
    "log4cplus.appender.file.filters.3 = log4cplus::spi::DenyAllFilter",
)
"""findscu's: the lines of bench_network's configuration and one per response received
("Received Find Response N (Pending)"), so that its matches are counted."""


@dataclass(frozen=True)
class Settings:
    rounds: int
    find: int
    get: int

    @classmethod
    def of(cls, quick: bool, rounds: int | None) -> Settings:
        if quick:
            return cls(rounds or 1, 200, 50)
        return cls(rounds or 5, dcmtk_servers.FIND_COUNT, dcmtk_servers.GET_COUNT)


@dataclass(frozen=True)
class Scene:
    root: Path
    database: dcmtk_servers.QrDatabase
    settings: Settings
    logger_config: Path
    find_logger_config: Path

    def count(self, operation: str) -> int:
        return self.settings.find if operation == "find" else self.settings.get


def _find_keys() -> list[str]:
    return ["QueryRetrieveLevel=SERIES", f"StudyInstanceUID={dcmtk_servers.FIND_STUDY}",
            "SeriesInstanceUID"]  # fmt: skip


def _get_keys() -> list[str]:
    return ["QueryRetrieveLevel=STUDY", f"StudyInstanceUID={dcmtk_servers.GET_STUDY}"]


def client_command(scene: Scene, operation: str, client: str, port: int, into: Path) -> list[str]:
    """The command line of one client: ``into`` receives a C-GET's instances."""
    count = str(scene.count(operation))
    if client == "DCMTK findscu":
        keys = [arg for key in _find_keys() for arg in ("-k", key)]
        return [network._dcmtk("findscu"), "-lc", str(scene.find_logger_config), "-S", "-sr",
                "-aec", dcmtk_servers.QRSCP, *keys, HOST, str(port)]  # fmt: skip
    if client == "DCMTK getscu":
        keys = [arg for key in _get_keys() for arg in ("-k", key)]
        return [network._dcmtk("getscu"), "-lc", str(scene.logger_config), "-S",
                "-aec", dcmtk_servers.QRSCP, "-od", str(into), *keys, HOST, str(port)]  # fmt: skip
    kind = "pynetdicom" if client == "pynetdicom" else "dimsekit"
    return [sys.executable, str(HERE), "peer", f"{kind}-{operation}", str(port), count, str(into)]


def run_once(scene: Scene, operation: str, client: str) -> float:
    """One association of ``client`` to a fresh dcmqrscp: its seconds by dcmqrscp's log,
    once the matches (or files) are checked to be all there."""
    into, logs = scene_fresh(scene, f"{operation}-{client}")
    port = network.free_port()
    count = scene.count(operation)
    config = dcmtk_servers.qrscp_config(logs / "dcmqrscp.cfg", port, scene.database.directory, {})
    qr_log, client_log = logs / "dcmqrscp.log", logs / "client.log"
    command = dcmtk_servers.qrscp_command(
        network._dcmtk("dcmqrscp"), config, port, "-lc", str(scene.logger_config)
    )
    with network.Processes(logs) as processes:
        qrscp = processes.start("dcmqrscp", command, DIMSEKIT_BENCH_LOG=str(qr_log))
        qrscp.wait_listening(port)
        running = processes.start(
            "client", client_command(scene, operation, client, port, into),
            DIMSEKIT_BENCH_LOG=str(client_log),
        )  # fmt: skip
        code = running.reap(network._timeout(count, 1000))
        if code != 0:
            raise RuntimeError(f"{client} {operation} failed ({code}): {running.output()}")
        log = network.wait_for_line(qr_log, network.RELEASED["dcmqrscp"])
        if client == "DCMTK findscu":
            got = client_log.read_text().count("Received Find Response")
        elif operation == "find":
            got = json.loads(running.log_path.read_text())["matches"]
        else:
            got = sum(1 for _ in into.iterdir())
        if got != count:
            raise RuntimeError(f"{client} {operation}: {got} {UNITS[operation]} of {count}")
        seconds = network.association_seconds(log, "dcmqrscp")
    for child in [*into.iterdir(), *logs.iterdir()]:
        child.unlink()
    return seconds


def scene_fresh(scene: Scene, name: str) -> tuple[Path, Path]:
    """An empty directory for the instances received and one for the logs."""
    base = Path(tempfile.mkdtemp(prefix=name.replace(" ", "-") + "-", dir=scene.root / "runs"))
    (base / "in").mkdir()
    (base / "logs").mkdir()
    return base / "in", base / "logs"


def make_scene(settings: Settings) -> Scene:
    root = network.scratch_root()
    (root / "runs").mkdir()
    database = dcmtk_servers.QrDatabase.build(
        root / "db", network._dcmtk("dcmqridx"), settings.find, settings.get
    )
    logger_config, find_logger_config = root / "dcmtk-logger.cfg", root / "findscu-logger.cfg"
    logger_config.write_text(network.LOGGER_CONFIG)
    find_logger_config.write_text(FIND_LOGGER_CONFIG)
    return Scene(root, database, settings, logger_config, find_logger_config)


def run_rounds(
    scene: Scene,
) -> tuple[dict[tuple[str, str], list[float]], dict[tuple[str, str], str]]:
    """Every scenario once per round, interleaved: the seconds of each (operation,
    client), and those that could not run (why)."""
    seconds: dict[tuple[str, str], list[float]] = {}
    failed: dict[tuple[str, str], str] = {}
    keys = [(operation, client) for operation in OPERATIONS for client in CLIENTS[operation]]
    for _ in range(scene.settings.rounds):
        for key in keys:
            if key in failed:
                continue
            try:
                seconds.setdefault(key, []).append(run_once(scene, *key))
            except (RuntimeError, TimeoutError, ValueError, OSError) as error:
                failed[key] = f"failed: {error}".strip()[:300]
    return seconds, failed


def rows_of(
    seconds: dict[tuple[str, str], list[float]], failed: dict[tuple[str, str], str],
    settings: Settings,
) -> list[dict[str, Any]]:  # fmt: skip
    """One row per (operation, client): median and best of its rounds, and its rate
    against pynetdicom's and DCMTK's (medians)."""
    rows = []
    for operation in OPERATIONS:
        count = settings.find if operation == "find" else settings.get
        for client in CLIENTS[operation]:
            row: dict[str, Any] = {"operation": operation, "name": client, "count": count,
                                   "unit": UNITS[operation]}  # fmt: skip
            runs = seconds.get((operation, client))
            if (operation, client) in failed or not runs:
                why = failed.get((operation, client), "not measured")
                rows.append(row | {"rounds": 0, "status": why})
                continue
            median, best = statistics.median(runs), min(runs)
            rows.append(row | {
                "rounds": len(runs), "status": "ok", "seconds": round(median, 4),
                "seconds_each": [round(value, 4) for value in runs],
                "per_s": round(count / median, 1), "best_per_s": round(count / best, 1),
            })  # fmt: skip
    for row in rows:
        if row["status"] != "ok":
            continue
        for other, key in ((CLIENTS[row["operation"]][1], "x_pynetdicom"),
                           (CLIENTS[row["operation"]][0], "dcmtk_over")):  # fmt: skip
            if other == row["name"]:
                continue
            theirs = next(
                r for r in rows if (r["operation"], r["name"]) == (row["operation"], other)
            )
            if theirs["status"] == "ok":
                ratio = row["per_s"] / theirs["per_s"]
                row[key] = round(ratio if key == "x_pynetdicom" else 1 / ratio, 2)
    return rows


def target_text(theirs: str, kind: str, goal: float) -> str:
    if kind == "at least":
        return f"C-FIND: dimsekit >= {goal:g}x {theirs}'s matches/s"
    return f"C-FIND: dimsekit within {goal:g}x of {theirs}"


def judge(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each of GOALS PASS, FAIL or SKIP (not measured, or fewer than MIN_ROUNDS rounds:
    not judged), in bench.py's form."""
    least = network._min_rounds()
    by_name = {row["name"]: row for row in rows if row["operation"] == "find"}
    found = []
    for theirs_name, kind, goal in GOALS:
        verdict: dict[str, Any] = {
            "target": target_text(theirs_name, kind, goal), "subject": "C-FIND from dcmqrscp",
            "message": None, "op": None,
        }  # fmt: skip
        ours, theirs = by_name.get("dimsekit"), by_name.get(theirs_name)
        found.append(verdict | network.rate_verdict(ours, theirs, kind, goal, least))
    return found


def run_qr(quick: bool, rounds: int | None = None) -> dict[str, Any]:
    """The whole benchmark: rows and verdicts."""
    settings = Settings.of(quick, rounds)
    scene = make_scene(settings)
    try:
        seconds, failed = run_rounds(scene)
        rows = rows_of(seconds, failed, settings)
        text = (f"{settings.rounds} round(s), medians and best; C-FIND of {settings.find} "
                f"matches, C-GET of {settings.get} instances of 958 B; TCP_NODELAY on")  # fmt: skip
        return {"settings": text, "rows": rows, "targets": judge(rows)}
    finally:
        network._remove(scene.root)


def table(result: dict[str, Any]) -> list[str]:
    """The rows as bench.py prints them."""
    lines = [
        f"query/retrieve from dcmqrscp, 127.0.0.1: {result['settings']}",
        f"{'operation':<9} {'client':<14} {'rounds':>6} {'median s':>9} {'per s':>9}"
        f" {'best per s':>10} {'x pynetdicom':>12} {'DCMTK/ours':>10}  unit (timed by dcmqrscp)",
    ]
    for row in result["rows"]:
        head = f"{row['operation']:<9} {row['name']:<14} {row['rounds']:>6}"
        if row["status"] != "ok":
            lines.append(f"{head}  {row['status']}")
            continue
        ratios = [
            f"{row[key]:.2f}x" if key in row else "-" for key in ("x_pynetdicom", "dcmtk_over")
        ]
        lines.append(
            f"{head} {row['seconds']:>9.3f} {row['per_s']:>9.1f} {row['best_per_s']:>10.1f}"
            f" {ratios[0]:>12} {ratios[1]:>10}  {row['unit']}"
        )
    return lines


# --- the clients of our own (``python bench_qr.py peer KIND PORT COUNT DIR``) ---------------


def _identifier(keys: list[str]) -> Any:
    from pydicom.dataset import Dataset

    identifier = Dataset()
    for key in keys:
        keyword, _, value = key.partition("=")
        setattr(identifier, keyword, value)
    return identifier


def peer_pynetdicom(operation: str, port: int, count: int, into: Path) -> int:
    from pynetdicom import AE, build_role, evt
    from pynetdicom.sop_class import (  # type: ignore[attr-defined]
        StudyRootQueryRetrieveInformationModelFind,
        StudyRootQueryRetrieveInformationModelGet,
    )

    ae = AE(ae_title="PYNETDICOM")
    handlers: list[Any] = [(evt.EVT_CONN_OPEN, network._pynetdicom_nodelay)]
    roles: list[Any] = []
    if operation == "find":
        model, keys = StudyRootQueryRetrieveInformationModelFind, _find_keys()
        ae.add_requested_context(model)
    else:
        model, keys = StudyRootQueryRetrieveInformationModelGet, _get_keys()
        ae.add_requested_context(model)
        ae.add_requested_context(SECONDARY_CAPTURE, list(STORAGE_SYNTAXES))
        roles.append(build_role(SECONDARY_CAPTURE, scp_role=True))
        handlers.append((evt.EVT_C_STORE, network.pynetdicom_store_handler(into)))
    assoc = ae.associate(HOST, port, ae_title=dcmtk_servers.QRSCP, ext_neg=roles,
                         evt_handlers=handlers)  # fmt: skip
    if not assoc.is_established:
        return 1
    network._close_pynetdicom_race(assoc)
    send: Callable[..., Any] = assoc.send_c_find if operation == "find" else assoc.send_c_get
    matches, final = 0, None
    for status, identifier in send(_identifier(keys), model):
        if status and status.Status in (0xFF00, 0xFF01):
            matches += identifier is not None
        else:
            final = status
    assoc.release()
    if final is None or final.Status != 0:
        return 2
    print(json.dumps({"matches": matches}))
    return 0 if operation == "get" or matches == count else 3


async def _dimsekit(operation: str, port: int, into: Path) -> int:
    from dimsekit import STUDY_ROOT, aio

    if operation == "find":
        async with aio.connect(
            HOST, port, dcmtk_servers.QRSCP, contexts=[STUDY_ROOT.find]
        ) as association:
            matches = 0
            async with association.find(_identifier(_find_keys())) as found:
                async for _ in found:
                    matches += 1
        return matches
    contexts = aio.retrieve_contexts(STUDY_ROOT, [SECONDARY_CAPTURE], STORAGE_SYNTAXES)
    handlers = aio.Handlers(store=aio.StoreToDirectory(into))
    async with aio.connect(HOST, port, dcmtk_servers.QRSCP, contexts=contexts,
                           handlers=handlers) as association:  # fmt: skip
        response = await association.get(_identifier(_get_keys()), check=True)
    return response.number_of_completed_suboperations or 0


def peer(kind: str, args: list[str]) -> int:
    """Run one of our own clients (a child of the benchmark)."""
    library, _, operation = kind.partition("-")
    port, count, into = int(args[0]), int(args[1]), Path(args[2])
    if library == "pynetdicom":
        return peer_pynetdicom(operation, port, count, into)
    if library == "dimsekit":
        print(json.dumps({"matches": asyncio.run(_dimsekit(operation, port, into))}))
        return 0
    raise SystemExit(f"no peer {kind!r}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["peer"]:
        return peer(argv[1], argv[2:])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the peers, clean up
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: a C-FIND of 200 matches, a C-GET of 50")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--rounds", type=int, help="rounds (median; a verdict needs 5)")
    args = parser.parse_args(argv)
    result = run_qr(args.quick, args.rounds)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(network.report(table(result), result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
