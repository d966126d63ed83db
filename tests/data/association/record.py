"""Re-record the association PDUs of this directory from real peers (run by hand).

``python tests/data/association/record.py`` (from the repository root, in a venv with
pynetdicom; DCMTK's tools in /usr/bin, Debian's ``apt-get install dcmtk``).  Each scenario
starts its server on 127.0.0.1, puts a relay in front of it, runs the client to the end
(every process bounded in time, started and stopped by its own handle) and splits each
direction of every connection into PDUs by their 6-byte header (PS3.8 9.3.1).  The
association PDUs it keeps are written as ``NAME.pdu`` (the PDU, header included, as the
peer sent it) and ``NAME.json``: the peer and its version, the counterpart, the command
lines or pynetdicom calls, and ``expect``, the fields the PDU holds, read by
:func:`fields` below, a walk of the PS3.8 9.3 layouts written for this script alone (it
shares no code with dimsekit or pynetdicom, so that the tests can hold either to it).
Before it writes anything the script checks that each PDU says what the scenario asked
for (the AE titles given, the sub-items requested); README.md says what each file is.

``--only NAME`` writes only the recordings whose name starts with NAME (every scenario
still runs); ``--check`` records into a temporary directory and compares with the files
here (no port, path or time reaches the files: a difference means a peer changed).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

HERE = Path(__file__).resolve().parent
CONVERSATIONS = "conversations"
"""Where the whole connections go (:class:`Conversation`), beside the PDUs."""
if not __package__:  # run as a script: the repository root, for `tests`
    sys.path.insert(0, str(HERE.parents[2]))

if TYPE_CHECKING:
    from tests.peers.conftest import Processes

TIMEOUT = 30.0
"""Seconds any socket of the relay waits, and any pynetdicom call."""

PDU_NAMES = {
    1: "A-ASSOCIATE-RQ",
    2: "A-ASSOCIATE-AC",
    3: "A-ASSOCIATE-RJ",
    4: "P-DATA-TF",
    5: "A-RELEASE-RQ",
    6: "A-RELEASE-RP",
    7: "A-ABORT",
}
"""PS3.8 9.3.1."""

# Test credentials only: nothing here opens anything.
USERNAME = b"dimsekit-user"
PASSCODE = b"not-a-secret"
JWT = b"eyJhbGciOiJub25lIn0.eyJzdWIiOiJkaW1zZWtpdC10ZXN0In0."
"""An unsigned JWT ({"alg":"none"} / {"sub":"dimsekit-test"}), made up for the test."""
SERVER_RESPONSE = b"dimsekit-test-server-response"

FFH_NOTE = (
    "DCMTK sends FFH in byte 7 of every 20H item, a reserved byte PS3.8 9.3.2.2 says to "
    "send as 00H and not to test (see nonzero_reserved)."
)
ABORT_NOTE = "source 0: the service user (PS3.8 9.3.8); the reason is then not significant."
NOTES = {
    "getscu": [
        "An SCP/SCU Role Selection (54H) for each of its 120 storage SOP classes, SCU "
        "role 0 and SCP role 1, so that the C-GET SCP may send it C-STORE-RQs on the "
        "association (PS3.7 D.3.3.4); the 54H items come before the 55H."
    ],
    "dcmqrscp-getscu": [
        "dcmqrscp answers the 121 contexts in another order than proposed: "
        "the C-GET context (ID 1) comes last; each role selection is echoed."
    ],
}


# --- reading the recorded bytes (PS3.8 9.3) --------------------------------------------------


def split_pdus(stream: bytes) -> list[bytes]:
    """One direction of a connection cut into whole PDUs by their headers (PS3.8 9.3.1)."""
    pdus, offset = [], 0
    while offset < len(stream):
        (length,) = struct.unpack_from(">I", stream, offset + 2)
        end = offset + 6 + length
        if end > len(stream):
            raise ValueError(f"the stream ends inside a PDU at offset {offset}")
        pdus.append(stream[offset:end])
        offset = end
    return pdus


def _items(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(type, reserved byte, value start, value end) of each item between start and end:
    item-type (1), reserved (1), item-length (2) (PS3.8 9.3.2.x, D.1)."""
    offset = start
    while offset < end:
        item_type, reserved, length = struct.unpack_from(">BBH", data, offset)
        value = offset + 4
        if value + length > end:
            raise ValueError(f"item {item_type:02X}H at {offset} runs past its parent")
        yield item_type, reserved, value, value + length
        offset = value + length


def _text(value: bytes) -> str:
    return value.decode("ascii")


def _uid(value: bytes) -> str:
    """A UID as sent; a trailing NUL would be kept and would show here."""
    return _text(value)


def _sized(data: bytes, offset: int) -> tuple[bytes, int]:
    """A 2-byte length and the bytes it counts, and the offset after them."""
    (length,) = struct.unpack_from(">H", data, offset)
    return data[offset + 2 : offset + 2 + length], offset + 2 + length


def _sub_item(item_type: int, version: int, value: bytes) -> dict[str, Any]:
    """The fields of one user information sub-item (PS3.8 D.1, PS3.7 D.3.3)."""
    out: dict[str, Any] = {"item_type": f"{item_type:02X}H"}
    if item_type == 0x51:
        (out["maximum_length"],) = struct.unpack(">I", value)
    elif item_type == 0x52:
        out["implementation_class_uid"] = _uid(value)
    elif item_type == 0x55:
        out["implementation_version_name"] = _text(value)
    elif item_type == 0x53:
        invoked, performed = struct.unpack(">HH", value)
        out |= {"maximum_operations_invoked": invoked, "maximum_operations_performed": performed}
    elif item_type == 0x54:
        uid, offset = _sized(value, 0)
        out |= {
            "sop_class_uid": _uid(uid),
            "scu_role": value[offset],
            "scp_role": value[offset + 1],
        }
        assert offset + 2 == len(value), "54H: bytes after the SCP-role"
    elif item_type == 0x56:
        uid, offset = _sized(value, 0)
        out |= {
            "sop_class_uid": _uid(uid),
            "service_class_application_information": value[offset:].hex(),
        }
    elif item_type == 0x57:
        uid, offset = _sized(value, 0)
        service, offset = _sized(value, offset)
        related, offset = _sized(value, offset)
        assert offset == len(value), "57H: bytes after the related SOP classes"
        uids, inner = [], 0
        while inner < len(related):
            one, inner = _sized(related, inner)
            uids.append(_uid(one))
        out |= {
            "sub_item_version": version,
            "sop_class_uid": _uid(uid),
            "service_class_uid": _uid(service),
            "related_general_sop_class_uids": uids,
        }
    elif item_type == 0x58:
        primary, offset = _sized(value, 2)
        secondary, offset = _sized(value, offset)
        assert offset == len(value), "58H: bytes after the secondary field"
        out |= {
            "user_identity_type": value[0],
            "positive_response_requested": value[1],
            "primary_field": _text(primary),
            "secondary_field": _text(secondary),
        }
    elif item_type == 0x59:
        response, offset = _sized(value, 0)
        assert offset == len(value), "59H: bytes after the server response"
        out["server_response"] = _text(response)
    else:
        out["data"] = value.hex()
    return out


def runs(types: list[int]) -> list[list[Any]]:
    """Item types in the order received, repeats counted: [["20H", 128], ...]."""
    found: list[list[Any]] = []
    for item_type in types:
        name = f"{item_type:02X}H"
        if found and found[-1][0] == name:
            found[-1][1] += 1
        else:
            found.append([name, 1])
    return found


def _nonzero_reserved(found: dict[str, int], where: str, value: int) -> None:
    if value:
        key = f"{where} = {value:02X}H"
        found[key] = found.get(key, 0) + 1


def fields(pdu: bytes) -> dict[str, Any]:
    """What ``pdu`` holds, field by field, walked by the PS3.8 9.3 layouts.

    Reserved bytes are not part of the fields; the ones that are not zero are counted in
    ``nonzero_reserved`` (where, value, how often), since PS3.8 says to send them as 00H
    and not to test them."""
    pdu_type, reserved, length = struct.unpack_from(">BBI", pdu)
    assert length == len(pdu) - 6, "the PDU-length is not the bytes after the header"
    out: dict[str, Any] = {"pdu_type": pdu_type, "pdu": PDU_NAMES[pdu_type], "pdu_length": length}
    odd: dict[str, int] = {}
    _nonzero_reserved(odd, "PDU header byte 2 (reserved)", reserved)
    if pdu_type in (1, 2):
        (out["protocol_version"],) = struct.unpack_from(">H", pdu, 6)
        for byte in pdu[8:10]:
            _nonzero_reserved(odd, "bytes 9-10 (reserved)", byte)
        out["called_ae_title"] = _text(pdu[10:26]).strip(" ")
        out["calling_ae_title"] = _text(pdu[26:42]).strip(" ")
        out["reserved_bytes_43_74"] = pdu[42:74].hex()
        contexts, sub_items, types = [], [], []
        for item_type, item_reserved, start, end in _items(pdu, 74, len(pdu)):
            types.append(item_type)
            item = f"{item_type:02X}H item"
            _nonzero_reserved(odd, f"{item} byte 2 (reserved)", item_reserved)
            if item_type == 0x10:
                out["application_context_name"] = _uid(pdu[start:end])
            elif item_type == 0x20:
                _nonzero_reserved(odd, f"{item} byte 6 (reserved)", pdu[start + 1])
                _nonzero_reserved(odd, f"{item} byte 7 (reserved)", pdu[start + 2])
                _nonzero_reserved(odd, f"{item} byte 8 (reserved)", pdu[start + 3])
                abstract: list[str] = []
                proposed: list[str] = []
                for sub_type, sub_reserved, sub_start, sub_end in _items(pdu, start + 4, end):
                    _nonzero_reserved(
                        odd, f"{sub_type:02X}H sub-item byte 2 (reserved)", sub_reserved
                    )
                    assert sub_type in (0x30, 0x40), f"sub-item {sub_type:02X}H in a 20H item"
                    (abstract if sub_type == 0x30 else proposed).append(
                        _uid(pdu[sub_start:sub_end])
                    )
                (one,) = abstract
                contexts.append(
                    {"id": pdu[start], "abstract_syntax": one, "transfer_syntaxes": proposed}
                )
            elif item_type == 0x21:
                _nonzero_reserved(odd, f"{item} byte 6 (reserved)", pdu[start + 1])
                _nonzero_reserved(odd, f"{item} byte 8 (reserved)", pdu[start + 3])
                syntaxes = []
                for sub_type, sub_reserved, sub_start, sub_end in _items(pdu, start + 4, end):
                    _nonzero_reserved(
                        odd, f"{sub_type:02X}H sub-item byte 2 (reserved)", sub_reserved
                    )
                    assert sub_type == 0x40, f"sub-item {sub_type:02X}H in a 21H item"
                    syntaxes.append(_uid(pdu[sub_start:sub_end]))
                (syntax,) = syntaxes
                contexts.append(
                    {"id": pdu[start], "result": pdu[start + 2], "transfer_syntax": syntax}
                )
            elif item_type == 0x50:
                for sub_type, version, sub_start, sub_end in _items(pdu, start, end):
                    if sub_type != 0x57:  # its byte 2 is the sub-item-version (PS3.7 D.3.3.6)
                        _nonzero_reserved(
                            odd, f"{sub_type:02X}H sub-item byte 2 (reserved)", version
                        )
                    sub_items.append(_sub_item(sub_type, version, pdu[sub_start:sub_end]))
            else:
                raise AssertionError(f"item {item_type:02X}H in an association PDU")
        out |= {
            "items_in_order": runs(types),
            "presentation_contexts": contexts,
            "user_information": sub_items,
            "user_information_in_order": [item["item_type"] for item in sub_items],
        }
    elif pdu_type == 3:
        _nonzero_reserved(odd, "byte 7 (reserved)", pdu[6])
        out |= {"result": pdu[7], "source": pdu[8], "reason": pdu[9]}
    elif pdu_type == 7:
        _nonzero_reserved(odd, "byte 7 (reserved)", pdu[6])
        _nonzero_reserved(odd, "byte 8 (reserved)", pdu[7])
        out |= {"source": pdu[8], "reason": pdu[9]}
    elif pdu_type in (5, 6):
        for byte in pdu[6:10]:
            _nonzero_reserved(odd, "bytes 7-10 (reserved)", byte)
    out["nonzero_reserved"] = odd
    return out


# --- the relay -----------------------------------------------------------------------------


@dataclass
class Connection:
    """The bytes each side sent on one connection through the relay."""

    from_client: bytearray = field(default_factory=bytearray)
    from_server: bytearray = field(default_factory=bytearray)

    def pdus(self, side: str) -> list[bytes]:
        return split_pdus(bytes(self.from_client if side == "client" else self.from_server))


class Relay:
    """A TCP relay on 127.0.0.1 in front of a server that keeps what each side sent,
    connection by connection, and forwards it unchanged."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)  # to see `closing` soon
        self.port: int = self.listener.getsockname()[1]
        self.connections: list[Connection] = []
        self.threads: list[threading.Thread] = []
        self.closing = False
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self.threads.append(accept)

    def _accept(self) -> None:
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream_port), TIMEOUT)
            client.settimeout(TIMEOUT)
            connection = Connection()
            self.connections.append(connection)
            for source, sink, kept in (
                (client, server, connection.from_client),
                (server, client, connection.from_server),
            ):
                pump = threading.Thread(target=self._pump, args=(source, sink, kept), daemon=True)
                pump.start()
                self.threads.append(pump)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket, kept: bytearray) -> None:
        try:
            while chunk := source.recv(65536):
                kept += chunk
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

    def close(self) -> list[Connection]:
        """Stop accepting, wait (bounded) for the connections to end; what they carried."""
        self.closing = True
        self.threads[0].join(TIMEOUT)
        self.listener.close()
        for thread in self.threads:
            thread.join(TIMEOUT)
        return self.connections


# --- recordings ----------------------------------------------------------------------------


@dataclass
class Recording:
    name: str
    pdu: bytes
    peer: dict[str, str]
    counterpart: str
    recorded_with: list[str]
    asked: dict[str, Any]
    """What the scenario asked of the peer: each key a field of :func:`fields`' output
    (a sub-item given by its type), checked before anything is written."""
    notes: list[str] = field(default_factory=list)
    answers: str | None = None
    """The recording this PDU answers (an AC, RJ or A-RELEASE-RP), if there is one."""

    def document(self) -> dict[str, Any]:
        found = fields(self.pdu)
        for key, wanted in self.asked.items():
            if key.endswith("H"):  # a sub-item: the one of this type
                (got,) = [item for item in found["user_information"] if item["item_type"] == key]
                got = {k: got[k] for k in wanted}
            else:
                got = found[key]
            if got != wanted:
                raise AssertionError(
                    f"{self.name}: {key} is {got!r}, the scenario asked {wanted!r}"
                )
        return {
            "pdu": found["pdu"],
            "peer": self.peer,
            "counterpart": self.counterpart,
            "recorded_with": self.recorded_with,
            "answers": self.answers,
            "notes": self.notes,
            "expect": found,
        }


@dataclass
class Conversation:
    """Both byte streams of one whole connection, as each side sent them: what an
    association engine of either role is replayed with (tests/test_association_replay.py).
    Written to ``conversations/NAME.requestor`` and ``NAME.acceptor`` with ``NAME.json``."""

    name: str
    connection: Connection
    requestor: dict[str, str]
    acceptor: dict[str, str]
    recorded_with: list[str]
    notes: list[str] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        sent = {
            side: [PDU_NAMES.get(pdu[0], f"type {pdu[0]:02X}H") for pdu in self.connection.pdus(s)]
            for side, s in (("requestor", "client"), ("acceptor", "server"))
        }
        return {
            "requestor": self.requestor,
            "acceptor": self.acceptor,
            "recorded_with": self.recorded_with,
            "notes": self.notes,
            "sent": sent,
        }


def free_port() -> int:
    from tests.peers.conftest import free_port

    return free_port()


def dcmtk(tool: str) -> str:
    from tests.peers.conftest import DCMTK_BIN

    path = DCMTK_BIN / tool
    if not path.exists():
        raise SystemExit(f"DCMTK's {tool} is not installed (apt-get install dcmtk)")
    return str(path)


def dcmtk_peer(tool: str) -> dict[str, str]:
    first = subprocess.run(
        [dcmtk(tool), "--version"], capture_output=True, text=True, timeout=TIMEOUT, check=False
    ).stdout.splitlines()[0]
    return {"program": tool, "toolkit": "DCMTK", "version": first.strip("$ ")}


def pynetdicom_peer(role: str) -> dict[str, str]:
    import pynetdicom

    return {
        "program": f"pynetdicom AE ({role})",
        "toolkit": "pynetdicom",
        "version": pynetdicom.__version__,
    }


def client(*args: str, cwd: Path | None = None, ok: bool = True) -> None:
    from tests.peers.conftest import run_client

    result = run_client(*args, cwd=cwd)
    if ok and result.returncode != 0:
        raise RuntimeError(f"{args[0]} exited with {result.returncode}: {result.stderr!r}")


def shown(*args: str) -> str:
    """A command line as the README shows it: the program by name, ports as PORT."""
    return " ".join(Path(args[0]).name if i == 0 else arg for i, arg in enumerate(args))


def start(processes: Processes, name: str, *args: str, port: int, cwd: Path | None = None) -> None:
    from tests.peers.conftest import wait_for_port

    wait_for_port(port, processes.start(name, *args, cwd=cwd))


def qrscp(processes: Processes, root: Path) -> int:
    """dcmqrscp serving AE title QRSCP (an empty database), STORESCP a move destination."""
    from tests.peers.dcmtk_servers import qrscp_command, qrscp_config

    (root / "db").mkdir(parents=True)
    port = free_port()
    config = qrscp_config(root / "dcmqrscp.cfg", port, root / "db", {"STORESCP": free_port()})
    start(processes, "dcmqrscp", *qrscp_command(dcmtk("dcmqrscp"), config, port), port=port)
    return port


def storescp(processes: Processes, root: Path, *options: str) -> int:
    (root / "received").mkdir(parents=True, exist_ok=True)
    port = free_port()
    start(
        processes,
        "storescp",
        dcmtk("storescp"),
        "-od",
        str(root / "received"),
        *options,
        str(port),
        port=port,
    )
    return port


def run_tool(tool: str, options: tuple[str, ...], port: int) -> None:
    """A DCMTK client with ``options``, to 127.0.0.1:``port``."""
    client(dcmtk(tool), *options, "127.0.0.1", str(port))


def through(port: int, run: Callable[[int], None]) -> list[Connection]:
    relay = Relay(port)
    try:
        run(relay.port)
    finally:
        connections = relay.close()
    return connections


def dcmtk_scenarios(processes: Processes, root: Path) -> Iterator[Recording | Conversation]:
    from tests.peers.instances import write_instances

    stored = write_instances(root / "instances")[0]  # a CT image

    # storescu's default RQ and storescp's AC; the release of both
    port = storescp(processes, root / "a")
    line: tuple[str, ...] = (dcmtk("storescu"), "127.0.0.1", "PORT", str(stored))
    (c,) = through(port, lambda p: client(*line[:2], str(p), *line[3:]))
    rq, release_rq = c.pdus("client")[0], c.pdus("client")[-1]
    ac, release_rp = c.pdus("server")[0], c.pdus("server")[-1]
    cmd = [shown(*line[:3]) + " CT.dcm", "storescp -od DIR PORT"]
    yield Recording(
        "storescu-rq",
        rq,
        dcmtk_peer("storescu"),
        "storescp",
        cmd,
        {"pdu": "A-ASSOCIATE-RQ", "calling_ae_title": "STORESCU", "called_ae_title": "ANY-SCP"},
        [
            FFH_NOTE,
            "storescu's default: two "
            "contexts for each of its 64 storage SOP classes (one with Explicit VR "
            "Little Endian, one with Big Endian and Implicit VR), IDs 1-255.",
        ],
    )
    yield Recording(
        "storescp-ac",
        ac,
        dcmtk_peer("storescp"),
        "storescu",
        cmd,
        {"pdu": "A-ASSOCIATE-AC", "calling_ae_title": "STORESCU", "called_ae_title": "ANY-SCP"},
        answers="storescu-rq",
    )
    yield Recording(
        "storescu-release-rq",
        release_rq,
        dcmtk_peer("storescu"),
        "storescp",
        cmd,
        {"pdu": "A-RELEASE-RQ"},
    )
    yield Recording(
        "storescp-release-rp",
        release_rp,
        dcmtk_peer("storescp"),
        "storescu",
        cmd,
        {"pdu": "A-RELEASE-RP"},
        answers="storescu-release-rq",
    )
    yield Conversation(
        "storescu-storescp",
        c,
        dcmtk_peer("storescu"),
        dcmtk_peer("storescp"),
        cmd,
        ["storescu's 128 contexts, one C-STORE of a CT image, release."],
    )

    # the query/retrieve SCUs and dcmqrscp's answers
    port = qrscp(processes, root / "qr")
    query = ("-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3")
    for tool, options in (
        ("findscu", ("-S", "-aec", "QRSCP", *query)),
        ("movescu", ("-S", "-aec", "QRSCP", "-aem", "STORESCP", *query)),
        ("getscu", ("-S", "-aec", "QRSCP", "-od", str(root / "got"), *query)),
    ):
        (root / "got").mkdir(exist_ok=True)
        (c,) = through(port, functools.partial(run_tool, tool, options))
        cmd = [
            shown(dcmtk(tool), *options, "127.0.0.1", "PORT").replace(str(root / "got"), "DIR"),
            "dcmqrscp -c dcmqrscp.cfg --disable-host-lookup PORT (AE title QRSCP)",
        ]
        asked = {"calling_ae_title": tool.upper(), "called_ae_title": "QRSCP"}
        yield Recording(
            f"{tool}-rq",
            c.pdus("client")[0],
            dcmtk_peer(tool),
            "dcmqrscp",
            cmd,
            {"pdu": "A-ASSOCIATE-RQ", **asked},
            [FFH_NOTE, *NOTES.get(tool, [])],
        )
        yield Recording(
            f"dcmqrscp-{tool}-ac",
            c.pdus("server")[0],
            dcmtk_peer("dcmqrscp"),
            tool,
            cmd,
            {"pdu": "A-ASSOCIATE-AC", **asked},
            NOTES.get(f"dcmqrscp-{tool}", []),
            answers=f"{tool}-rq",
        )

    # dcmqrscp refusing a called AE title it does not serve
    line = (dcmtk("findscu"), "-S", "-aec", "NOBODY", *query, "127.0.0.1", "PORT")
    (c,) = through(port, lambda p: client(*line[:-1], str(p), ok=False))
    yield Recording(
        "dcmqrscp-called-ae-rj",
        c.pdus("server")[0],
        dcmtk_peer("dcmqrscp"),
        "findscu",
        [shown(*line), "dcmqrscp (AE title QRSCP)"],
        {"pdu": "A-ASSOCIATE-RJ", "result": 1, "source": 1, "reason": 7},
        [
            "rejected-permanent (1), by the service user (1): called AE title not "
            "recognized (7), PS3.8 9.3.4."
        ],
    )

    # storescp --refuse
    port = storescp(processes, root / "refuse", "--refuse")
    line = (dcmtk("echoscu"), "127.0.0.1", "PORT")
    (c,) = through(port, lambda p: client(*line[:-1], str(p), ok=False))
    yield Recording(
        "storescp-refuse-rj",
        c.pdus("server")[0],
        dcmtk_peer("storescp"),
        "echoscu",
        [shown(*line), "storescp --refuse -od DIR PORT"],
        {"pdu": "A-ASSOCIATE-RJ", "result": 1, "source": 1, "reason": 1},
        ["rejected-permanent (1), by the service user (1), no reason given (1), PS3.8 9.3.4."],
    )

    # aborts: echoscu --abort, and storescp --abort-after a C-STORE-RQ
    port = storescp(processes, root / "b")
    line = (dcmtk("echoscu"), "--abort", "127.0.0.1", "PORT")
    (c,) = through(port, lambda p: client(*line[:-1], str(p)))
    yield Recording(
        "echoscu-abort",
        c.pdus("client")[-1],
        dcmtk_peer("echoscu"),
        "storescp",
        [shown(*line), "storescp -od DIR PORT"],
        {"pdu": "A-ABORT", "source": 0},
        [ABORT_NOTE],
    )
    yield Conversation(
        "echoscu-abort",
        c,
        dcmtk_peer("echoscu"),
        dcmtk_peer("storescp"),
        [shown(*line), "storescp -od DIR PORT"],
        ["A C-ECHO, then an A-ABORT in place of the release."],
    )
    port = storescp(processes, root / "c", "--abort-after")
    line = (dcmtk("storescu"), "127.0.0.1", "PORT", str(stored))
    (c,) = through(port, lambda p: client(*line[:2], str(p), *line[3:], ok=False))
    yield Recording(
        "storescp-abort",
        c.pdus("server")[-1],
        dcmtk_peer("storescp"),
        "storescu",
        [shown(*line[:3]) + " CT.dcm", "storescp --abort-after -od DIR PORT"],
        {"pdu": "A-ABORT", "source": 0},
        ["Sent after the C-STORE-RQ arrived, in place of its response.", ABORT_NOTE],
    )
    yield Conversation(
        "storescu-storescp-abort",
        c,
        dcmtk_peer("storescu"),
        dcmtk_peer("storescp"),
        [shown(*line[:3]) + " CT.dcm", "storescp --abort-after -od DIR PORT"],
        ["storescp aborts on the C-STORE-RQ, in place of its response."],
    )

    yield from dcmprscu_scenario(processes, root / "print", stored)


def dcmprscu_scenario(processes: Processes, root: Path, image: Path) -> Iterator[Recording]:
    """dcmprscu's RQ to dcmprscp, the print job made by dcmpsprt (as tests/peers do)."""
    from tests.peers.dcmtk_servers import print_config

    root.mkdir()
    scp_port = free_port()
    config = print_config(root, scp_port, 0)
    start(
        processes,
        "dcmprscp",
        dcmtk("dcmprscp"),
        "-c",
        str(config),
        "-p",
        "PRINTSCP",
        port=scp_port,
        cwd=root,
    )
    relay = Relay(scp_port)
    try:
        config.write_text(config.read_text().replace("Port = 0\n", f"Port = {relay.port}\n"))
        client(dcmtk("dcmpsprt"), "-c", str(config), "-p", "VIATAP", str(image), cwd=root)
        (job,) = (root / "database").glob("SP_*.dcm")
        client(dcmtk("dcmprscu"), "-c", str(config), "-p", "VIATAP", str(job), cwd=root)
    finally:
        connections = relay.close()
    (c,) = connections
    cmd = [
        "dcmpsprt -c dcmpstat.cfg -p VIATAP CT.dcm",
        "dcmprscu -c dcmpstat.cfg -p VIATAP SP_JOB.dcm",
        "dcmprscp -c dcmpstat.cfg -p PRINTSCP",
        "(dcmpstat.cfg: the configuration tests/peers/dcmtk_servers.py writes)",
    ]
    yield Recording(
        "dcmprscu-rq",
        c.pdus("client")[0],
        dcmtk_peer("dcmprscu"),
        "dcmprscp",
        cmd,
        {"pdu": "A-ASSOCIATE-RQ", "called_ae_title": "PRINTSCP"},
        [
            FFH_NOTE,
            "Basic Grayscale Print Management Meta (5.1.1.9) and Presentation LUT "
            "(5.1.1.23); the calling AE title comes from dcmpstat.cfg's default.",
        ],
    )
    yield Recording(
        "dcmprscp-ac",
        c.pdus("server")[0],
        dcmtk_peer("dcmprscp"),
        "dcmprscu",
        cmd,
        {"pdu": "A-ASSOCIATE-AC", "called_ae_title": "PRINTSCP"},
        answers="dcmprscu-rq",
    )


def pynetdicom_scenarios() -> Iterator[Recording | Conversation]:
    """pynetdicom requesting from a pynetdicom acceptor, both in this process."""
    import logging

    from pynetdicom import AE
    from pynetdicom.pdu_primitives import (
        AsynchronousOperationsWindowNegotiation,
        SOPClassCommonExtendedNegotiation,
        SOPClassExtendedNegotiation,
        UserIdentityNegotiation,
    )

    logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)
    verification, ct = "1.2.840.10008.1.1", "1.2.840.10008.5.1.4.1.1.2"
    find = "1.2.840.10008.5.1.4.1.2.2.1"  # Study Root Query/Retrieve - FIND
    enhanced_sr, basic_sr = "1.2.840.10008.5.1.4.1.1.88.22", "1.2.840.10008.5.1.4.1.1.88.11"
    storage_service = "1.2.840.10008.4.2"  # the Storage Service Class (PS3.4 B.5)
    query_info = bytes([1, 1, 1, 1, 1])  # PS3.4 C.5.1.1: relational, date-time, fuzzy, timezone, MF

    from tests.peers.conftest import negotiating_acceptor

    with negotiating_acceptor((verification, ct, find, enhanced_sr), SERVER_RESPONSE) as port:
        scu = AE(ae_title="PYNETDICOM-SCU")
        scu.acse_timeout = scu.dimse_timeout = scu.network_timeout = TIMEOUT
        for uid in (verification, ct, find, enhanced_sr):
            scu.add_requested_context(uid)
        peer_scu, peer_scp = pynetdicom_peer("requestor"), pynetdicom_peer("acceptor")
        answer = (
            "AE(ae_title='PYNETDICOM-SCP'), contexts Verification, CT, Study Root FIND, "
            "Enhanced SR; handlers EVT_USER_ID -> (True, SERVER_RESPONSE), EVT_ASYNC_OPS, "
            "EVT_SOP_EXTENDED -> event.app_info, EVT_SOP_COMMON -> event.items"
        )
        calls = (
            "AE(ae_title='PYNETDICOM-SCU'), contexts Verification, CT, Study Root FIND, "
            "Enhanced SR; associate('127.0.0.1', PORT, ae_title='PYNETDICOM-SCP', "
            "ext_neg=[{}]); send_c_echo(); {}()"
        )

        def run(ext_neg: list[Any], end: str = "release") -> Connection:
            def go(relay_port: int) -> None:
                assoc = scu.associate(
                    "127.0.0.1", relay_port, ae_title="PYNETDICOM-SCP", ext_neg=ext_neg
                )
                assert assoc.is_established, "pynetdicom's acceptor did not accept"
                assoc.send_c_echo()
                assoc.release() if end == "release" else assoc.abort()

            (connection,) = through(port, go)
            return connection

        aes = {"calling_ae_title": "PYNETDICOM-SCU", "called_ae_title": "PYNETDICOM-SCP"}

        identity = UserIdentityNegotiation()
        identity.user_identity_type = 2
        identity.primary_field, identity.secondary_field = USERNAME, PASSCODE
        identity.positive_response_requested = True
        c = run([identity])
        said = calls.format(
            "UserIdentityNegotiation(type 2, USERNAME, PASSCODE, positive response requested)",
            "release",
        )
        ident = {
            "58H": {
                "user_identity_type": 2,
                "positive_response_requested": 1,
                "primary_field": USERNAME.decode(),
                "secondary_field": PASSCODE.decode(),
            }
        }
        yield Recording(
            "pynetdicom-user-identity-rq",
            c.pdus("client")[0],
            peer_scu,
            "pynetdicom",
            [said, answer],
            {**aes, **ident},
        )
        yield Recording(
            "pynetdicom-user-identity-ac",
            c.pdus("server")[0],
            peer_scp,
            "pynetdicom",
            [said, answer],
            aes,
            [
                "No 59H although the RQ asked for a positive response: pynetdicom 3 answers only "
                "identity types 3-5 (Kerberos, SAML, JWT); PS3.7 D.3.3.7.2 has a zero-length "
                "server response for types 1 and 2."
            ],
            answers="pynetdicom-user-identity-rq",
        )
        yield Recording(
            "pynetdicom-release-rq",
            c.pdus("client")[-1],
            peer_scu,
            "pynetdicom",
            [said, answer],
            {"pdu": "A-RELEASE-RQ"},
        )
        yield Recording(
            "pynetdicom-release-rp",
            c.pdus("server")[-1],
            peer_scp,
            "pynetdicom",
            [said, answer],
            {"pdu": "A-RELEASE-RP"},
            answers="pynetdicom-release-rq",
        )
        yield Conversation(
            "pynetdicom-echo", c, peer_scu, peer_scp, [said, answer], ["A C-ECHO, release."]
        )

        jwt = UserIdentityNegotiation()
        jwt.user_identity_type = 5
        jwt.primary_field = JWT
        jwt.positive_response_requested = True
        c = run([jwt])
        said = calls.format(
            "UserIdentityNegotiation(type 5, JWT, positive response requested)", "release"
        )
        yield Recording(
            "pynetdicom-jwt-rq",
            c.pdus("client")[0],
            peer_scu,
            "pynetdicom",
            [said, answer],
            {
                **aes,
                "58H": {
                    "user_identity_type": 5,
                    "primary_field": JWT.decode(),
                    "secondary_field": "",
                },
            },
        )
        yield Recording(
            "pynetdicom-jwt-ac",
            c.pdus("server")[0],
            peer_scp,
            "pynetdicom",
            [said, answer],
            {**aes, "59H": {"server_response": SERVER_RESPONSE.decode()}},
            answers="pynetdicom-jwt-rq",
        )

        window = AsynchronousOperationsWindowNegotiation()
        window.maximum_number_operations_invoked = 5
        window.maximum_number_operations_performed = 3
        c = run([window], end="abort")
        said = calls.format(
            "AsynchronousOperationsWindowNegotiation(invoked 5, performed 3)", "abort"
        )
        yield Recording(
            "pynetdicom-async-window-rq",
            c.pdus("client")[0],
            peer_scu,
            "pynetdicom",
            [said, answer],
            {**aes, "53H": {"maximum_operations_invoked": 5, "maximum_operations_performed": 3}},
        )
        yield Recording(
            "pynetdicom-async-window-ac",
            c.pdus("server")[0],
            peer_scp,
            "pynetdicom",
            [said, answer],
            {**aes, "53H": {"maximum_operations_invoked": 1, "maximum_operations_performed": 1}},
            [
                "pynetdicom 3 answers any window with (1, 1): it does not support "
                "asynchronous operations."
            ],
            answers="pynetdicom-async-window-rq",
        )
        yield Recording(
            "pynetdicom-abort",
            c.pdus("client")[-1],
            peer_scu,
            "pynetdicom",
            [said, answer],
            {"pdu": "A-ABORT", "source": 0},
            [ABORT_NOTE],
        )
        yield Conversation(
            "pynetdicom-abort", c, peer_scu, peer_scp, [said, answer], ["A C-ECHO, abort."]
        )

        extended = SOPClassExtendedNegotiation()
        extended.sop_class_uid = find
        extended.service_class_application_information = query_info
        common = SOPClassCommonExtendedNegotiation()
        common.sop_class_uid = enhanced_sr
        common.service_class_uid = storage_service
        common.related_general_sop_class_identification = [basic_sr]
        c = run([extended, common])
        said = calls.format(
            "SOPClassExtendedNegotiation(Study Root FIND, 0101010101), "
            "SOPClassCommonExtendedNegotiation(Enhanced SR, Storage, [Basic Text SR])",
            "release",
        )
        yield Recording(
            "pynetdicom-extended-negotiation-rq",
            c.pdus("client")[0],
            peer_scu,
            "pynetdicom",
            [said, answer],
            {
                **aes,
                "56H": {
                    "sop_class_uid": find,
                    "service_class_application_information": query_info.hex(),
                },
                "57H": {
                    "sop_class_uid": enhanced_sr,
                    "service_class_uid": storage_service,
                    "related_general_sop_class_uids": [basic_sr],
                },
            },
        )
        yield Recording(
            "pynetdicom-extended-negotiation-ac",
            c.pdus("server")[0],
            peer_scp,
            "pynetdicom",
            [said, answer],
            {
                **aes,
                "56H": {
                    "sop_class_uid": find,
                    "service_class_application_information": query_info.hex(),
                },
            },
            [
                "The acceptor's EVT_SOP_EXTENDED handler accepts the application "
                "information as offered; 57H has no AC counterpart (PS3.7 D.3.3.6)."
            ],
            answers="pynetdicom-extended-negotiation-rq",
        )


def record(directory: Path, only: str | None) -> list[str]:
    """Run the scenarios and write their files into ``directory``; the names written."""
    written: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "logs").mkdir()
        from tests.peers.conftest import Processes

        processes = Processes(root / "logs")
        try:
            recordings = [*dcmtk_scenarios(processes, root), *pynetdicom_scenarios()]
        finally:
            processes.stop()
    (directory / CONVERSATIONS).mkdir(exist_ok=True)
    for recording in recordings:
        if only and not recording.name.startswith(only):
            continue
        document = recording.document()
        if isinstance(recording, Conversation):
            stem = f"{CONVERSATIONS}/{recording.name}"
            for side, data in (
                ("requestor", recording.connection.from_client),
                ("acceptor", recording.connection.from_server),
            ):
                (directory / f"{stem}.{side}").write_bytes(bytes(data))
            suffixes: tuple[str, ...] = (".requestor", ".acceptor", ".json")
        else:
            stem = recording.name
            (directory / f"{stem}.pdu").write_bytes(recording.pdu)
            suffixes = (".pdu", ".json")
        text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
        (directory / f"{stem}.json").write_text(text)
        written.extend(stem + suffix for suffix in suffixes)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", help="keep the recordings whose name starts with this")
    parser.add_argument("--check", action="store_true", help="compare, do not overwrite")
    args = parser.parse_args(argv)
    if not args.check:
        for name in record(HERE, args.only):
            print(f"wrote {name}")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        changed = [
            name
            for name in record(Path(scratch), args.only)
            if (Path(scratch) / name).read_bytes() != (HERE / name).read_bytes()
        ]
        print("\n".join(f"differs: {name}" for name in changed) or "all the same")
        return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
