"""The command-set codec alone (issue 3, section 5): Python values to command set bytes
and back, without P-DATA framing or a data set.

``bench.py`` times whole messages, P-DATA framing and data set included; this times only
what the command-set codec does, on the same seven messages:

- encode: dimsekit builds and validates the message and runs ``encode_command``;
  pynetdicom 3.x fills its primitive (validating each value), makes its DIMSE message
  and ``encode_msg`` gives the command set's P-DATA primitives (an empty data set is
  attached: the Command Data Set Type says one follows, and nothing is fragmented);
- decode: dimsekit ``decode_command(command_set_bytes)``, the typed, validated message;
  pynetdicom the same bytes as the one command PDV of a P-DATA primitive through
  ``DIMSEMessage.decode_msg`` and ``message_to_primitive`` (the values, as its service
  classes read them).

Medians of interleaved rounds, µs per command set.
``python benchmarks/bench_command_sets.py``
"""

from __future__ import annotations

import logging
import statistics
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

from pynetdicom import dimse_messages, dimse_primitives
from pynetdicom.pdu_primitives import P_DATA

import dimsekit as dk

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks` as a package

from benchmarks import bench_messages
from benchmarks.bench import _loop

logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)


def operations(case: bench_messages.Case) -> dict[tuple[str, str], bench_messages.Operation]:
    """dimsekit's and pynetdicom's encode and decode of the case's command set, checked."""
    cls, fields = case.dimsekit_class, case.fields
    command = dk.encode_command(cls(**fields))
    primitive_class: Any = getattr(dimse_primitives, case.message.rsplit("_", 1)[0])
    message_class: Any = getattr(dimse_messages, case.message)

    def ours_encode() -> bytes:
        return dk.encode_command(cls(**fields))

    def theirs_encode() -> list[Any]:
        primitive = primitive_class()
        for keyword, value in case.parameters.items():
            setattr(primitive, keyword, value)
        if case.data_parameter is not None:  # announced (0x0001), with nothing to fragment
            setattr(primitive, case.data_parameter, BytesIO())
        message = message_class()
        message.primitive_to_message(primitive)
        return list(message.encode_msg(bench_messages.CONTEXT_ID, bench_messages.MAX_PDU))

    def ours_decode() -> dk.Message:
        return dk.decode_command(command).message

    def theirs_decode() -> Any:
        message = dimse_messages.DIMSEMessage()
        # Any: pynetdicom checks for [ID, PDV] lists where its annotation says tuples.
        p_data: Any = P_DATA()
        p_data.presentation_data_value_list = [[bench_messages.CONTEXT_ID, b"\x03" + command]]
        message.decode_msg(p_data)
        return message.message_to_primitive()

    decoded = dk.decode_command(command)
    assert decoded.clean and type(decoded.message) is cls, case.label
    primitive = theirs_decode()
    for keyword, value in case.parameters.items():
        assert getattr(primitive, keyword) == value, f"pynetdicom: {case.label} {keyword}"
    # pynetdicom's command fragments, joined, are the bytes dimsekit encodes
    pdvs = [pdv for p_data in theirs_encode() for _, pdv in p_data.presentation_data_value_list]
    assert b"".join(pdv[1:] for pdv in pdvs if pdv[0] & 1) == command, case.label
    return {
        ("encode", "dimsekit"): ours_encode,
        ("encode", "pynetdicom"): theirs_encode,
        ("decode", "dimsekit"): ours_decode,
        ("decode", "pynetdicom"): theirs_decode,
    }


def main(repeats: int = 9, seconds: float = 0.2) -> None:
    print(
        f"{'command set of':<20} {'op':<6} {'dimsekit µs':>11} {'pynetdicom µs':>13} "
        f"{'pynetdicom/dimsekit':>19}"
    )
    for case in bench_messages.cases():
        ops = operations(case)
        numbers = {key: max(3, int(seconds / max(_loop(run, 5), 1e-7))) for key, run in ops.items()}
        samples: dict[tuple[str, str], list[float]] = {key: [] for key in ops}
        for _ in range(repeats):
            for key, run in ops.items():
                samples[key].append(_loop(run, numbers[key]) * 1e6)
        for op in ("encode", "decode"):
            ours = statistics.median(samples[(op, "dimsekit")])
            theirs = statistics.median(samples[(op, "pynetdicom")])
            print(f"{case.label:<20} {op:<6} {ours:>11.2f} {theirs:>13.2f} {theirs / ours:>18.1f}x")


if __name__ == "__main__":
    main()
