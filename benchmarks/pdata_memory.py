"""Memory check: a file-backed data set through fragmenting and reassembly.

Fragments a C-STORE-RQ whose data set is a file of ``--size`` bytes (1 GiB by default)
into P-DATA-TF PDUs for a peer maximum of ``--max-pdu`` bytes, feeds every PDU to a
MessageAssembler that spills past an 8 MiB budget into a file, checks that the received
file equals the sent one (SHA-256), and reports the peak RSS growth of this process and
the throughput.  Exits 1 if the peak RSS growth reaches ``--limit-mib`` (64 by default).

Run by ``nox -s memcheck``; it is a measurement, not a unit test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import dimsekit as dk

MIB = 1 << 20


def peak_rss() -> int:
    """The process's peak resident set size so far (VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def make_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    block = bytes(range(256)) * (MIB // 256)
    with path.open("wb") as handle:
        left = size
        while left:
            piece = block[: min(len(block), left)]
            handle.write(piece)
            digest.update(piece)
            left -= len(piece)
    return digest.hexdigest()


def file_digest(handle: IO[bytes], offset: int, length: int) -> str:
    digest = hashlib.sha256()
    handle.seek(offset)
    left = length
    while left:
        piece = handle.read(min(MIB, left))
        digest.update(piece)
        left -= len(piece)
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1 << 30, help="data set bytes (even)")
    parser.add_argument("--max-pdu", type=int, default=16382, help="peer maximum PDU length")
    parser.add_argument("--limit-mib", type=float, default=64.0)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "sent.raw"
        sent_digest = make_file(source, args.size)
        received_path = Path(directory) / "received.raw"
        sink = received_path.open("w+b")
        message = dk.CStoreRequest(
            message_id=1,
            affected_sop_class_uid="1.2.840.10008.5.1.4.1.1.7",
            affected_sop_instance_uid="1.2.826.0.1.3680043.8.498.1",
            data_set=dk.DataSetPayload.from_file(source),
        )
        assembler = dk.MessageAssembler(
            max_pdu_length=args.max_pdu,
            memory_budget=8 * MIB,
            spill=lambda context_id, command: sink,
        )
        events: list[dk.Event] = []
        baseline = peak_rss()
        started = time.perf_counter()
        pdus = 0
        for parts in dk.fragment_message(message, 1, args.max_pdu):
            for part in parts:
                events.extend(assembler.feed(part))
            pdus += 1
        elapsed = time.perf_counter() - started
        growth = peak_rss() - baseline
        (event,) = events
        assert isinstance(event, dk.MessageReceived)
        payload = event.message.data_set_payload
        assert payload is not None and payload.is_file and len(payload) == args.size
        sink.flush()
        received_digest = file_digest(sink, 0, args.size)
        sink.close()
        os.remove(received_path)

    result = {
        "size_bytes": args.size,
        "max_pdu": args.max_pdu,
        "pdus": pdus,
        "seconds": round(elapsed, 3),
        "throughput_mib_s": round(args.size / MIB / elapsed, 1),
        "peak_rss_growth_mib": round(growth / MIB, 2),
        "limit_mib": args.limit_mib,
        "identical": received_digest == sent_digest,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>20}: {value}")
    ok = result["identical"] and growth < args.limit_mib * MIB
    print("PASS" if ok else "FAIL", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
