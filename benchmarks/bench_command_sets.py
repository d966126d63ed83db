"""The command-set codec alone (issue 3, section 5): decoding a command set to values.

``bench.py`` times whole messages, P-DATA framing and data set included; this times only
what the command-set codec does, on the same seven messages:

- dimsekit: ``decode_command(command_set_bytes)``, the typed, validated message;
- pynetdicom 3.x: the same bytes as the one command PDV of a P-DATA primitive through
  ``DIMSEMessage.decode_msg`` and ``message_to_primitive`` (the values, as its service
  classes read them), without a data set.

Medians of interleaved rounds, µs per command set.  ``python benchmarks/bench_command_sets.py``
"""

from __future__ import annotations

import logging
import statistics
import sys
from pathlib import Path
from typing import Any

from pynetdicom import dimse_messages
from pynetdicom.pdu_primitives import P_DATA

import dimsekit as dk

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks` as a package

from benchmarks import bench_messages
from benchmarks.bench import _loop

logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)


def operations(case: bench_messages.Case) -> tuple[bench_messages.Operation, ...]:
    """(dimsekit, pynetdicom) decoding the case's command set, after checking both."""
    command = dk.encode_command(case.dimsekit_class(**case.fields))

    def ours() -> dk.Message:
        return dk.decode_command(command).message

    def theirs() -> Any:
        message = dimse_messages.DIMSEMessage()
        # Any: pynetdicom checks for [ID, PDV] lists where its annotation says tuples.
        p_data: Any = P_DATA()
        p_data.presentation_data_value_list = [[bench_messages.CONTEXT_ID, b"\x03" + command]]
        message.decode_msg(p_data)
        return message.message_to_primitive()

    decoded = dk.decode_command(command)
    assert decoded.clean and type(decoded.message) is case.dimsekit_class, case.label
    primitive = theirs()
    for keyword, value in case.parameters.items():
        assert getattr(primitive, keyword) == value, f"pynetdicom: {case.label} {keyword}"
    return ours, theirs


def main(repeats: int = 9, seconds: float = 0.2) -> None:
    print(f"{'command set of':<20} {'dimsekit µs':>11} {'pynetdicom µs':>13} {'ratio':>7}")
    for case in bench_messages.cases():
        ops = operations(case)
        numbers = [max(3, int(seconds / max(_loop(op, 5), 1e-7))) for op in ops]
        samples: list[list[float]] = [[], []]
        for _ in range(repeats):
            for index, op in enumerate(ops):
                samples[index].append(_loop(op, numbers[index]) * 1e6)
        ours, theirs = (statistics.median(values) for values in samples)
        print(f"{case.label:<20} {ours:>11.2f} {theirs:>13.2f} {theirs / ours:>6.1f}x")


if __name__ == "__main__":
    main()
