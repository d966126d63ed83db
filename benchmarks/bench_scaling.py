"""Scaling: one C-STORE-RQ data set fragmented and reassembled, each run in a fresh process.

A run sends a data set of SIZE bytes as P-DATA-TF PDUs for a peer maximum of 16382
bytes, each PDU joined into ``bytes`` (the wire), and feeds every PDU to the receiving
side, which rebuilds the message and its data set.  Both libraries do exactly this:

- dimsekit: ``fragment_message`` -> ``b"".join(pdu)`` -> ``MessageAssembler.feed``
  (memory budget 8 MiB, then its default spill to a temporary file);
- pynetdicom: ``encode_msg`` -> ``P_DATA_TF.encode`` -> ``P_DATA_TF.decode`` ->
  ``decode_msg`` -> ``message_to_primitive`` (the data set in a BytesIO);
- pynetdicom-chunked: the same with ``_config.STORE_RECV_CHUNKED_DATASET`` (pynetdicom
  writes the received data set to a temporary file), for file-backed sizes only.

File-backed sizes send from a file: dimsekit ``DataSetPayload.from_file``, pynetdicom the
``(path, offset)`` that ``Association.send_c_store`` uses with
``STORE_SEND_CHUNKED_DATASET``.  Smaller sizes send from ``bytes`` made before the
measurement starts.  Peak RSS growth: the kernel's peak-RSS mark is reset
(``/proc/self/clear_refs``) just before the run, and growth is VmHWM after the run minus
VmRSS before it (if the reset is refused, VmHWM before is the baseline).

Run by bench.py; alone: ``python benchmarks/bench_scaling.py LIBRARY SIZE [--file]``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import dimsekit as dk

MAX_PDU = 16382
MIB = 1 << 20
GIB = 1 << 30
BUDGET = 8 * MIB
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
INSTANCE = "1.2.826.0.1.3680043.8.498.12345678901234567890"
LIBRARIES = ("dimsekit", "pynetdicom", "pynetdicom-chunked")
PYNETDICOM_MEMORY_LIMIT = 2 * GIB
MIN_RUNS = 3  # the large, file-backed sizes are I/O-bound and noisy: a median of three
RECEIVER = {
    "dimsekit": "memory to 8 MiB, then a file",
    "pynetdicom": "memory (BytesIO)",
    "pynetdicom-chunked": "a file",
}


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _pattern(size: int) -> bytes:
    block = bytes(range(256)) * 4096  # 1 MiB
    return block * (size // len(block)) + block[: size % len(block)]


def _write_source(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    block = _pattern(MIB)
    with path.open("wb") as handle:
        for start in range(0, size, MIB):
            piece = block[: min(MIB, size - start)]
            handle.write(piece)
            digest.update(piece)
    return digest.hexdigest()


def _file_digest(path: str | Path, offset: int, length: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        handle.seek(offset)
        while length:
            piece = handle.read(min(MIB, length))
            digest.update(piece)
            length -= len(piece)
    return digest.hexdigest()


def dimsekit_round_trip(source: bytes | Path) -> Callable[[], object]:
    def run() -> object:
        data = dk.DataSetPayload.from_file(source) if isinstance(source, Path) else source
        message = dk.CStoreRequest(
            message_id=1,
            affected_sop_class_uid=CT_IMAGE,
            affected_sop_instance_uid=INSTANCE,
            data_set=data,
        )
        assembler = dk.MessageAssembler(max_pdu_length=MAX_PDU, memory_budget=BUDGET)
        events: list[dk.Event] = []
        for pdu in dk.fragment_message(message, 1, MAX_PDU):
            events += assembler.feed(b"".join(pdu))
        (event,) = events
        assert isinstance(event, dk.MessageReceived)
        return event.message.data_set_payload

    return run


def pynetdicom_round_trip(source: bytes | Path, chunked: bool) -> Callable[[], object]:
    from io import BytesIO

    from pynetdicom import _config, dimse_messages, dimse_primitives
    from pynetdicom.pdu import P_DATA_TF

    _config.STORE_RECV_CHUNKED_DATASET = chunked
    # decode_msg asks the association for the context's transfer syntax (for File Meta).
    context = SimpleNamespace(transfer_syntax=["1.2.840.10008.1.2"])
    association: Any = SimpleNamespace(_accepted_cx={1: context})

    def run() -> object:
        primitive: Any = dimse_primitives.C_STORE()
        primitive.MessageID = 1
        primitive.AffectedSOPClassUID = CT_IMAGE
        primitive.AffectedSOPInstanceUID = INSTANCE
        primitive.Priority = 0
        if isinstance(source, Path):
            primitive._dataset_path = (source, 0)  # as send_c_store does for a file
        else:
            primitive.DataSet = BytesIO(source)
        outgoing = dimse_messages.C_STORE_RQ()
        outgoing.primitive_to_message(primitive)
        incoming = dimse_messages.DIMSEMessage()
        for p_data in outgoing.encode_msg(1, MAX_PDU):
            pdu = P_DATA_TF()
            pdu.from_primitive(p_data)
            wire = pdu.encode()
            received = P_DATA_TF()
            received.decode(wire)
            if incoming.decode_msg(received.to_primitive(), association):
                break
        return incoming.message_to_primitive()

    return run


def _digest(chunks: Any) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _discard(library: str, result: Any) -> None:
    """Remove the file pynetdicom-chunked received into (pynetdicom leaves it)."""
    if library == "pynetdicom-chunked" and result is not None:
        result._dataset_file.close()
        Path(result._dataset_path).unlink()


def _check(library: str, result: Any, size: int, digest: str) -> None:
    """The received data set is the sent one (checked after the measurement)."""
    if library == "dimsekit":
        assert isinstance(result, dk.DataSetPayload) and len(result) == size
        assert _digest(result.chunks()) == digest
    elif library == "pynetdicom":
        received = result.DataSet.getbuffer()
        assert len(received) == size and _digest([received]) == digest
        del received
    else:
        path = Path(result._dataset_path)
        result._dataset_file.close()
        length = path.stat().st_size  # pynetdicom writes File Meta before the data set
        assert _file_digest(path, length - size, size) == digest


def measure(library: str, size: int, file_backed: bool, seconds: float) -> dict[str, Any]:
    """One library, one size, in this (fresh) process."""
    with tempfile.TemporaryDirectory() as directory:
        source: bytes | Path
        if file_backed:
            source = Path(directory) / "data-set.raw"
            digest = _write_source(source, size)
        else:
            source = _pattern(size)
            digest = hashlib.sha256(source).hexdigest()
        if library == "dimsekit":
            run = dimsekit_round_trip(source)
        else:
            run = pynetdicom_round_trip(source, chunked=library == "pynetdicom-chunked")
        gc.collect()
        before = _status("VmRSS")
        if not _reset_peak():
            before = _status("VmHWM")
        times: list[float] = []
        result: object = None
        while len(times) < MIN_RUNS or (sum(times) < seconds and len(times) < 10_000):
            _discard(library, result)
            result = None  # the previous run's message is freed before the next starts
            started = time.perf_counter()
            result = run()
            times.append(time.perf_counter() - started)
        peak = _status("VmHWM")
        try:
            _check(library, result, size, digest)
        finally:
            _discard(library, result)
    median = statistics.median(times)
    return {
        "library": library,
        "size": size,
        "source": "file" if file_backed else "memory",
        "receiver": RECEIVER[library],
        "runs": len(times),
        "seconds": round(median, 6),
        "mib_per_s": round(size / MIB / median, 1),
        "peak_rss_growth_mib": round((peak - before) / MIB, 1),
    }


def pynetdicom_memory(size: int, file_backed: bool, chunked: bool) -> int:
    """Roughly what pynetdicom holds: the sent bytes unless file-backed, and the received
    data set in a BytesIO (grown by 1/8) unless chunked."""
    return (0 if file_backed else size) + (0 if chunked else size + size // 8)


def run_scaling(
    sizes: list[int], file_from: int, seconds: float, pynetdicom_max: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every (library, size) in its own process; returns (rows, what was skipped and why)."""
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for size in sizes:
        file_backed = size >= file_from
        for library in LIBRARIES:
            chunked = library == "pynetdicom-chunked"
            if chunked and not file_backed:
                continue
            if library != "dimsekit":
                need = pynetdicom_memory(size, file_backed, chunked)
                if need > PYNETDICOM_MEMORY_LIMIT:
                    skipped.append(
                        f"{library} {size} B: would hold ~{need / GIB:.1f} GiB in memory (> 2 GiB)"
                    )
                    continue
                if size > pynetdicom_max:
                    skipped.append(f"{library} {size} B: above --pynetdicom-max {pynetdicom_max}")
                    continue
            command = [sys.executable, __file__, library, str(size), "--seconds", str(seconds)]
            if file_backed:
                command.append("--file")
            completed = subprocess.run(
                command, capture_output=True, text=True, timeout=1800, check=False
            )
            if completed.returncode:
                raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr}")
            rows.append(json.loads(completed.stdout))
    return rows, skipped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("library", choices=LIBRARIES)
    parser.add_argument("size", type=int, help="data set bytes (even)")
    parser.add_argument("--file", action="store_true", help="send from a file")
    parser.add_argument("--seconds", type=float, default=0.2, help="repeat small runs this long")
    args = parser.parse_args()
    if args.size & 1:
        parser.error("a data set has an even length")
    print(json.dumps(measure(args.library, args.size, args.file, args.seconds)))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
