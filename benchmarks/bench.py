"""dimsekit side by side with pynetdicom 3.x and a hand-written floor.

Per message, two operations, each from Python values to bytes on the wire and back:

- encode: build and validate the message, encode its command set, and produce the
  P-DATA-TF PDUs for a peer maximum of 16382 bytes, each PDU joined into ``bytes`` as a
  ``socket.send`` needs it (data sets already encoded, as both libraries take them);
- decode: those PDU bytes back to the typed message with its data set bytes.

pynetdicom does the same with its own path (primitive -> DIMSE message -> encode_msg ->
P_DATA_TF.encode; P_DATA_TF.decode -> decode_msg -> message_to_primitive), in the same
process, interleaved with dimsekit, several repeats, medians reported.  The floor is a
minimal ``struct`` encoder and decoder for the same command sets and PDUs: no
validation, no objects, what no Python library can beat.

Scaling: a C-STORE with data sets from 1 KiB up to 1 GiB (file-backed from 64 MiB up)
fragmented and reassembled, each size in a fresh subprocess that reports its throughput
and peak RSS growth.  pynetdicom holds whole data sets in memory, so it is measured up to
256 MiB.

Run ``python benchmarks/bench.py`` (``--quick`` for a smoke run, ``--json`` to track).
Targets are printed with PASS or FAIL; the exit status is 0 either way.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import timeit
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence
from pynetdicom import dimse_messages, dimse_primitives
from pynetdicom.pdu import P_DATA_TF

import dimsekit as dk

logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)
MAX_PDU = 16382
MIB = 1 << 20
Fields = dict[str, Any]

# --- the inputs ---------------------------------------------------------------------------


def _implicit(dataset: Dataset) -> bytes:
    return dk.DataSetPayload(dataset).to_bytes("1.2.840.10008.1.2")


def _identifier() -> bytes:
    dataset = Dataset()
    dataset.QueryRetrieveLevel = "STUDY"
    dataset.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.10101010101010101010101010"
    return _implicit(dataset)


def _match() -> bytes:
    dataset = Dataset()
    dataset.QueryRetrieveLevel = "STUDY"
    dataset.PatientName = "Alpha^Ann"
    dataset.PatientID = "PAT1"
    dataset.StudyDate = "20260101"
    dataset.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.10101010101010101010101010"
    return _implicit(dataset)


def _commitment() -> bytes:
    dataset = Dataset()
    dataset.TransactionUID = "1.2.826.0.1.3680043.8.498.20202020202020"
    item = Dataset()
    item.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    item.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.8.498.30303030303030"
    dataset.ReferencedSOPSequence = DicomSequence([item])
    return _implicit(dataset)


CT = "1.2.840.10008.5.1.4.1.1.2"
INSTANCE = "1.2.826.0.1.3680043.8.498.12345678901234567890"
STUDY_MOVE = "1.2.840.10008.5.1.4.1.2.2.2"
STUDY_FIND = "1.2.840.10008.5.1.4.1.2.2.1"

# name -> (dimsekit class, fields, pynetdicom service, data-set field, pynetdicom message)
CASES: dict[str, tuple[type[dk.Message], Fields, str, str | None, str]] = {
    "C-ECHO-RQ": (dk.CEchoRequest, {"message_id": 1}, "C_ECHO", None, "C_ECHO_RQ"),
    "C-STORE-RQ 8 KiB": (
        dk.CStoreRequest,
        {"message_id": 1, "affected_sop_class_uid": CT, "affected_sop_instance_uid": INSTANCE,
         "data_set": bytes(8 << 10)},
        "C_STORE", "data_set", "C_STORE_RQ",
    ),
    "C-STORE-RQ 128 KiB": (
        dk.CStoreRequest,
        {"message_id": 1, "affected_sop_class_uid": CT, "affected_sop_instance_uid": INSTANCE,
         "data_set": bytes(128 << 10)},
        "C_STORE", "data_set", "C_STORE_RQ",
    ),
    "C-MOVE-RQ": (
        dk.CMoveRequest,
        {"message_id": 1, "affected_sop_class_uid": STUDY_MOVE, "move_destination": "STORESCP",
         "identifier": _identifier()},
        "C_MOVE", "identifier", "C_MOVE_RQ",
    ),
    "C-FIND-RSP Pending": (
        dk.CFindResponse,
        {"message_id_being_responded_to": 1, "status": 0xFF00,
         "affected_sop_class_uid": STUDY_FIND, "identifier": _match()},
        "C_FIND", "identifier", "C_FIND_RSP",
    ),
    "C-MOVE-RSP Pending": (
        dk.CMoveResponse,
        {"message_id_being_responded_to": 1, "status": 0xFF00,
         "affected_sop_class_uid": STUDY_MOVE, "number_of_remaining_suboperations": 3,
         "number_of_completed_suboperations": 1, "number_of_failed_suboperations": 0,
         "number_of_warning_suboperations": 0},
        "C_MOVE", None, "C_MOVE_RSP",
    ),
    "N-ACTION-RQ": (
        dk.NActionRequest,
        {"message_id": 1, "requested_sop_class_uid": "1.2.840.10008.1.20.1",
         "requested_sop_instance_uid": "1.2.840.10008.1.20.1.1", "action_type_id": 1,
         "action_information": _commitment()},
        "N_ACTION", "action_information", "N_ACTION_RQ",
    ),
}  # fmt: skip

# --- dimsekit ------------------------------------------------------------------------------


def dimsekit_ops(cls: type[dk.Message], fields: Fields) -> tuple[Callable[[], Any], ...]:
    def encode() -> list[bytes]:
        message = cls(**fields)
        return [b"".join(parts) for parts in dk.fragment_message(message, 1, MAX_PDU)]

    pdus = encode()
    assembler = dk.MessageAssembler(max_pdu_length=MAX_PDU)

    def decode() -> dk.Message:
        events: list[dk.Event] = []
        for pdu in pdus:
            events += assembler.feed(pdu)
        received = events[0]
        assert isinstance(received, dk.MessageReceived)
        return received.message

    assert decode() == cls(**fields)
    return encode, decode


# --- pynetdicom ----------------------------------------------------------------------------

_PARAMETERS = {
    "data_set": "DataSet", "identifier": "Identifier", "action_information": "ActionInformation",
}  # fmt: skip


def pynetdicom_ops(
    case: tuple[type[dk.Message], Fields, str, str | None, str],
) -> tuple[Callable[[], Any], ...]:
    cls, fields, service, data_field, message_name = case
    keywords = {name: spec.keyword for name, spec in dk._layout.layout_of(cls).fields}
    data = fields.get(data_field) if data_field else None

    def encode() -> list[bytes]:
        primitive: Any = getattr(dimse_primitives, service)()
        for name, value in fields.items():
            if name == data_field:
                setattr(primitive, _PARAMETERS[name], BytesIO(value))
            elif name in keywords:
                setattr(primitive, keywords[name], value)
        if cls is dk.CEchoRequest:
            primitive.AffectedSOPClassUID = "1.2.840.10008.1.1"
        if "priority" in keywords and "priority" not in fields:
            primitive.Priority = 0
        message = getattr(dimse_messages, message_name)()
        message.primitive_to_message(primitive)
        out = []
        for p_data in message.encode_msg(1, MAX_PDU):
            pdu = P_DATA_TF()
            pdu.from_primitive(p_data)
            out.append(pdu.encode())
        return out

    pdus = encode()

    def decode() -> Any:
        message = dimse_messages.DIMSEMessage()
        for raw in pdus:
            pdu = P_DATA_TF()
            pdu.decode(raw)
            if message.decode_msg(pdu.to_primitive()):
                break
        return message.message_to_primitive()

    primitive = decode()
    if data is not None:
        assert getattr(primitive, _PARAMETERS[data_field or ""]).getvalue() == data
    assert b"".join(pdus)[12:] == b"".join(encode())[12:]
    ours = b"".join(b"".join(p) for p in dk.fragment_message(cls(**fields), 1, MAX_PDU))
    assert _commands(ours) == _commands(b"".join(pdus)), "both libraries send the same command"
    return encode, decode


def _commands(stream: bytes) -> bytes:
    """The command fragments of a PDU stream, joined (for comparing the two libraries)."""
    command = b""
    offset = 0
    while offset < len(stream):
        length = struct.unpack_from(">I", stream, offset + 2)[0]
        item = offset + 6
        while item < offset + 6 + length:
            item_length = struct.unpack_from(">I", stream, item)[0]
            if stream[item + 5] & 1:
                command += stream[item + 6 : item + 4 + item_length]
            item += 4 + item_length
        offset += 6 + length
    return command


# --- the floor: struct, no validation, no objects -----------------------------------------

_VRS = {spec.keyword: spec for spec in dk.COMMAND_ELEMENTS}


def floor_ops(cls: type[dk.Message], given: Fields) -> tuple[Callable[[], Any], ...]:
    layout = dk._layout.layout_of(cls).fields
    built = cls(**given)  # the defaults filled in; the floor then takes plain values
    fields: Fields = {}
    for name, _spec in layout:
        value = getattr(built, name)
        fields[name] = int(value) if isinstance(value, int) else value
    data_field = cls.data_set_field()
    if data_field and given.get(data_field) is not None:
        fields[data_field] = given[data_field]
    plan = sorted(
        [(spec.tag, spec.vr, name) for name, spec in layout]
        + [(0x0100, "US", "#cf"), (0x0800, "US", "#cdst")]
    )
    command_field = int(cls.command_field)
    pack_header = struct.Struct("<HHI").pack
    pdu_header = struct.Struct(">BBIIBB").pack
    unpack_header = struct.Struct("<HHI").unpack_from

    def encode() -> list[bytes]:
        data = fields.get(data_field) if data_field else None
        parts = []
        for tag, vr, name in plan:
            value = (
                command_field
                if name == "#cf"
                else (
                    (0x0001 if data is not None else 0x0101)
                    if name == "#cdst"
                    else fields.get(name)
                )
            )
            if value is None:
                continue
            if vr == "US":
                raw = struct.pack("<H", value)
            else:
                raw = str(value).encode()
                if len(raw) & 1:
                    raw += b"\0" if vr == "UI" else b" "
            parts.append(pack_header(0, tag, len(raw)) + raw)
        body = b"".join(parts)
        command = pack_header(0, 0, 4) + struct.pack("<I", len(body)) + body
        out = [pdu_header(4, 0, len(command) + 6, len(command) + 2, 1, 3) + command]
        if data is not None:
            size = MAX_PDU - 6
            for start in range(0, len(data), size):
                piece = data[start : start + size]
                last = 2 if start + size >= len(data) else 0
                out.append(pdu_header(4, 0, len(piece) + 6, len(piece) + 2, 1, last) + piece)
        return out

    pdus = encode()

    def decode() -> tuple[dict[int, bytes], bytes]:
        command = b""
        data = []
        for pdu in pdus:
            offset = 6
            while offset < len(pdu):
                length = int.from_bytes(pdu[offset : offset + 4], "big")
                fragment = pdu[offset + 6 : offset + 4 + length]
                if pdu[offset + 5] & 1:
                    command += fragment
                else:
                    data.append(fragment)
                offset += 4 + length
        elements = {}
        offset = 0
        while offset < len(command):
            _, element, length = unpack_header(command, offset)
            elements[element] = command[offset + 8 : offset + 8 + length]
            offset += 8 + length
        return elements, b"".join(data)

    assert _commands(b"".join(pdus)) == _commands(b"".join(dimsekit_ops(cls, given)[0]()))
    return encode, decode


# --- timing ------------------------------------------------------------------------------


def measure(
    operations: dict[str, Callable[[], Any]], repeats: int, seconds: float
) -> dict[str, float]:
    """Median µs per call of each operation, interleaved over ``repeats`` rounds."""
    numbers = {}
    for name, operation in operations.items():
        once = timeit.timeit(operation, number=3) / 3
        numbers[name] = max(1, int(seconds / max(once, 1e-7)))
    samples: dict[str, list[float]] = {name: [] for name in operations}
    for _ in range(repeats):
        for name, operation in operations.items():
            samples[name].append(timeit.timeit(operation, number=numbers[name]) / numbers[name])
    return {name: statistics.median(values) * 1e6 for name, values in samples.items()}


def run_messages(repeats: int, seconds: float) -> list[dict[str, Any]]:
    rows = []
    for label, case in CASES.items():
        cls, fields = case[0], case[1]
        ours, theirs, floor = (
            dimsekit_ops(cls, fields),
            pynetdicom_ops(case),
            floor_ops(cls, fields),
        )
        operations = {
            "dimsekit encode": ours[0],
            "pynetdicom encode": theirs[0],
            "floor encode": floor[0],
            "dimsekit decode": ours[1],
            "pynetdicom decode": theirs[1],
            "floor decode": floor[1],
        }
        timings = measure(operations, repeats, seconds)
        rows.append({"message": label, **{k: round(v, 2) for k, v in timings.items()}})
    return rows


# --- scaling (one subprocess per size) -------------------------------------------------------


def _peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def scale_one(library: str, size: int) -> dict[str, Any]:
    """Fragment and reassemble a C-STORE of ``size`` bytes; runs in its own process."""
    import time

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "data.raw"
        with path.open("wb") as handle:
            block = bytes(range(256)) * 4096
            for start in range(0, size, len(block)):
                handle.write(block[: min(len(block), size - start)])
        baseline = _peak_rss()
        started = time.perf_counter()
        if library == "dimsekit":
            payload = dk.DataSetPayload.from_file(path) if size >= 64 * MIB else path.read_bytes()
            message = dk.CStoreRequest(
                message_id=1,
                affected_sop_class_uid=CT,
                affected_sop_instance_uid=INSTANCE,
                data_set=payload,
            )
            assembler = dk.MessageAssembler(memory_budget=8 * MIB)
            events: list[dk.Event] = []
            for parts in dk.fragment_message(message, 1, MAX_PDU):
                for part in parts:
                    events += assembler.feed(part)
            received = events[0]
            assert isinstance(received, dk.MessageReceived)
            result = received.message.data_set_payload
            assert result is not None and len(result) == size
        else:
            primitive: Any = dimse_primitives.C_STORE()
            primitive.MessageID = 1
            primitive.AffectedSOPClassUID = CT
            primitive.AffectedSOPInstanceUID = INSTANCE
            primitive.Priority = 0
            primitive.DataSet = BytesIO(path.read_bytes())
            outgoing = dimse_messages.C_STORE_RQ()
            outgoing.primitive_to_message(primitive)
            incoming = dimse_messages.DIMSEMessage()
            for p_data in outgoing.encode_msg(1, MAX_PDU):
                if incoming.decode_msg(p_data):
                    break
            received_primitive: Any = incoming.message_to_primitive()
            assert len(received_primitive.DataSet.getvalue()) == size
        elapsed = time.perf_counter() - started
    return {
        "library": library,
        "size": size,
        "mib_per_s": round(size / MIB / elapsed, 1),
        "peak_rss_growth_mib": round((_peak_rss() - baseline) / MIB, 1),
    }


def run_scaling(sizes: list[int], pynetdicom_limit: int) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        for library in ("dimsekit", "pynetdicom"):
            if library == "pynetdicom" and size > pynetdicom_limit:
                continue
            completed = subprocess.run(
                [sys.executable, __file__, "--scale-one", library, str(size)],
                capture_output=True, text=True, timeout=1800, check=True,
            )  # fmt: skip
            rows.append(json.loads(completed.stdout))
    return rows


# --- report ------------------------------------------------------------------------------


def report(messages: list[dict[str, Any]], scaling: list[dict[str, Any]]) -> tuple[str, list[str]]:
    lines = [
        f"{'message':<20} {'op':<6} {'dimsekit µs':>11} {'pynetdicom µs':>13} {'floor µs':>9}"
        f" {'pynetdicom/dimsekit':>19} {'dimsekit/floor':>14}"
    ]
    targets = []
    for row in messages:
        for op, goal in (("encode", 30), ("decode", 20)):
            ours, theirs, floor = row[f"dimsekit {op}"], row[f"pynetdicom {op}"], row[f"floor {op}"]
            lines.append(
                f"{row['message']:<20} {op:<6} {ours:>11.2f} {theirs:>13.2f} {floor:>9.2f}"
                f" {theirs / ours:>18.1f}x {ours / floor:>13.1f}x"
            )
            targets.append(
                f"{'PASS' if theirs / ours >= goal else 'FAIL'}  {row['message']} {op} "
                f">= {goal}x faster than pynetdicom: {theirs / ours:.1f}x"
            )
            targets.append(
                f"{'PASS' if ours / floor <= 5 else 'FAIL'}  {row['message']} {op} within 5x of "
                f"the floor: {ours / floor:.1f}x"
            )
    lines.append("")
    lines.append(f"{'library':<11} {'size':>12} {'MiB/s':>9} {'peak RSS growth MiB':>20}")
    for row in scaling:
        lines.append(
            f"{row['library']:<11} {row['size']:>12} {row['mib_per_s']:>9.1f}"
            f" {row['peak_rss_growth_mib']:>20.1f}"
        )
        if row["library"] == "dimsekit" and row["size"] >= 1 << 30:
            growth = row["peak_rss_growth_mib"]
            targets.append(
                f"{'PASS' if growth < 64 else 'FAIL'}  1 GiB through fragment and reassembly: "
                f"peak RSS growth {growth} MiB (< 64)"
            )
    return "\n".join(lines), targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smoke run: few repeats, to 8 MiB")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--scale-one", nargs=2, metavar=("LIBRARY", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_one:
        print(json.dumps(scale_one(args.scale_one[0], int(args.scale_one[1]))))
        return 0
    if args.quick:
        messages = run_messages(repeats=3, seconds=0.05)
        sizes = [1 << 10, 64 << 10, 1 << 20, 8 << 20]
    else:
        messages = run_messages(repeats=7, seconds=0.25)
        sizes = [1 << 10, 64 << 10, 1 << 20, 16 << 20, 256 << 20, 1 << 30]
    scaling = run_scaling(sizes, pynetdicom_limit=256 << 20)
    table, targets = report(messages, scaling)
    if args.json:
        print(json.dumps({"messages": messages, "scaling": scaling, "targets": targets}))
    else:
        print(table)
        print()
        print("\n".join(targets))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
