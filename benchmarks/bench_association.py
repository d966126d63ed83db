"""The association engine's cost per DIMSE operation, split from the codec's (issue 16).

Two round trips, each measured two ways, in operations (round trips) per second:

- C-ECHO: the C-ECHO-RQ and the C-ECHO-RSP that answers it;
- C-STORE 8 KiB: a C-STORE-RQ with bench_messages.py's 8 KiB data set (Implicit VR
  Little Endian, encoded once, up front) and its C-STORE-RSP.

"codec": what the engine itself calls to move the two messages, and nothing else.  The
request is built, cut into P-DATA-TF PDUs for a peer maximum of 16382 bytes
(``fragment_message``, as ``Association.send_message`` does) and joined into the bytes
to write; one MessageAssembler per side (as the engine keeps one per connection, with
``max_pdu_length=0``: the engine reads the length rules itself) is fed those bytes whole
and gives the request back; its ``response(status=0)`` goes back the same way.

"engine pair": two established ``dimsekit.Association`` objects in memory, a requestor
and an acceptor, doing the same round trip through their public API: the requestor
builds the request with ``next_message_id()`` and sends it (``send_message``, its
buffers joined), the acceptor takes the bytes (``receive_data``), gets
``RequestReceived`` (``events``), answers with ``response(status=0)`` of the request it
got, and the requestor takes the answer and gets the final ``ResponseReceived``; each
side also asks ``data_to_send`` after receiving (nothing is owed here), as a caller does.
The time (``now``) is a constant: reading a clock is the caller's cost, not the engine's.

Before timing, the engine is checked to send exactly the codec's bytes, both ways, and
each side to get the one event it should, with no diagnostic or mismatch, and to have
nothing outstanding after the round trip.  Timing is bench.py's (``measure``: codec and
pair interleaved, medians of ``--repeats`` rounds).

The engine's added share is (pair - codec) / codec, the cost of the state machine, the
PDU routing and the DIMSE operations bookkeeping over the codec moving the same messages.
Targets: at most 50% for C-ECHO, at most 25% for C-STORE 8 KiB, judged like bench.py's
(medians of at least 5 interleaved rounds).

``python benchmarks/bench_association.py`` (``--quick``, ``--json``; ``--profile`` for
cProfile of the engine pair, by own time); benchmarks/bench.py runs the same rows.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import dimsekit as dk

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks` as a package

from benchmarks import _profiling, bench_messages

MAX_PDU = bench_messages.MAX_PDU
VERIFICATION = "1.2.840.10008.1.1"
IMPLICIT = "1.2.840.10008.1.2"
ECHO_CONTEXT, STORE_CONTEXT = 1, 3
SIDES = ("codec", "engine pair")
NOW = 0.0

Operation = Callable[[], object]
Measure = Callable[[dict[Any, Operation], int, float], dict[Any, float]]


@dataclass(frozen=True)
class Case:
    """One round trip: the request's class and fields (its Message ID aside), the context."""

    label: str
    goal: float
    """The most the engine pair may add to the codec's cost, as a share of it."""
    request_class: type[dk.Request[Any]]
    fields: dict[str, object]
    context_id: int

    def request(self, message_id: int) -> dk.Request[Any]:
        return self.request_class(message_id=message_id, **self.fields)

    @property
    def data_set_bytes(self) -> int:
        data = self.fields.get("data_set")
        return len(data) if isinstance(data, bytes) else 0


def cases() -> list[Case]:
    store: dict[str, object] = {
        "affected_sop_class_uid": bench_messages.CT_IMAGE,
        "affected_sop_instance_uid": bench_messages.INSTANCE,
        "data_set": bench_messages.image(8 << 10),
    }
    return [
        Case("C-ECHO round trip", 0.50, dk.CEchoRequest, {}, ECHO_CONTEXT),
        Case("C-STORE 8 KiB round trip", 0.25, dk.CStoreRequest, store, STORE_CONTEXT),
    ]


# --- the codec alone -----------------------------------------------------------------------


def _assembler() -> dk.MessageAssembler:
    return dk.MessageAssembler(max_pdu_length=0)  # as the engine makes its own


def _wire(message: dk.Message, context_id: int) -> bytes:
    return b"".join(chain.from_iterable(dk.fragment_message(message, context_id, MAX_PDU)))


def codec_op(case: Case) -> Operation:
    """One round trip through the codec the engine uses, and nothing else."""
    acceptor, requestor = _assembler(), _assembler()  # what each side receives with
    make, context_id = case.request, case.context_id

    def round_trip() -> dk.Response:
        data = b"".join(chain.from_iterable(dk.fragment_message(make(1), context_id, MAX_PDU)))
        (received,) = acceptor.feed(data)
        assert type(received) is dk.MessageReceived
        request = received.message
        assert isinstance(request, dk.Request)
        answer = request.response(status=0)
        data = b"".join(chain.from_iterable(dk.fragment_message(answer, context_id, MAX_PDU)))
        (received,) = requestor.feed(data)
        assert type(received) is dk.MessageReceived
        response = received.message
        assert isinstance(response, dk.Response)
        return response

    response = round_trip()
    if response != case.request(1).response(status=0):
        raise AssertionError(f"codec: {case.label} does not come back as its response")
    return round_trip


# --- the engine pair -----------------------------------------------------------------------


def agreement_pdus() -> tuple[dk.AAssociateRQ, dk.AAssociateAC]:
    """The RQ the requestor sends (Verification, CT Image Storage; Implicit VR Little
    Endian) and the AC that accepts both, each side announcing 16382 bytes."""
    information = dk.UserInformation.of(
        maximum_length=MAX_PDU, implementation_class_uid="1.2.826.0.1.3680043.9.1"
    )
    rq = dk.AAssociateRQ(
        called_ae_title="ACCEPTOR",
        calling_ae_title="REQUESTOR",
        presentation_contexts=[
            dk.PresentationContextRQ(
                context_id=ECHO_CONTEXT, abstract_syntax=VERIFICATION, transfer_syntaxes=[IMPLICIT]
            ),
            dk.PresentationContextRQ(
                context_id=STORE_CONTEXT,
                abstract_syntax=bench_messages.CT_IMAGE,
                transfer_syntaxes=[IMPLICIT],
            ),
        ],
        user_information=information,
    )
    ac = dk.AAssociateAC.answering(
        rq,
        presentation_contexts=[
            dk.PresentationContextAC(context_id=ECHO_CONTEXT, transfer_syntax=IMPLICIT),
            dk.PresentationContextAC(context_id=STORE_CONTEXT, transfer_syntax=IMPLICIT),
        ],
        user_information=information,
    )
    return rq, ac


def established_pair() -> tuple[dk.Association, dk.Association]:
    """A requestor and an acceptor, associated in memory (both in Sta6)."""
    rq, ac = agreement_pdus()
    requestor = dk.Association(dk.Role.REQUESTOR, now=NOW)
    acceptor = dk.Association(dk.Role.ACCEPTOR, now=NOW)
    acceptor.receive_data(b"".join(requestor.send(dk.AssociateRequest(rq), now=NOW)), now=NOW)
    (requested,) = acceptor.events()
    assert isinstance(requested, dk.AssociationRequested), requested
    requestor.receive_data(b"".join(acceptor.send(dk.AssociateAccept(ac), now=NOW)), now=NOW)
    (accepted,) = requestor.events()
    assert isinstance(accepted, dk.AssociationAccepted), accepted
    assert requestor.state is acceptor.state is dk.State.STA6
    return requestor, acceptor


def pair_op(case: Case) -> Operation:
    """One round trip between two established associations, through their public API."""
    requestor, acceptor = established_pair()
    make, context_id = case.request, case.context_id

    def round_trip() -> dk.ResponseReceived:
        request = make(requestor.next_message_id())
        data = b"".join(chain.from_iterable(requestor.send_message(context_id, request, now=NOW)))
        acceptor.receive_data(data, now=NOW)
        (requested,) = acceptor.events()
        assert type(requested) is dk.RequestReceived
        assert not acceptor.data_to_send()
        answer = requested.request.response(status=0)
        data = b"".join(chain.from_iterable(acceptor.send_message(context_id, answer, now=NOW)))
        requestor.receive_data(data, now=NOW)
        (answered,) = requestor.events()
        assert type(answered) is dk.ResponseReceived
        assert not requestor.data_to_send()
        return answered

    check_pair(case, requestor, acceptor)
    return round_trip


def check_pair(case: Case, requestor: dk.Association, acceptor: dk.Association) -> None:
    """One round trip by hand: the codec's bytes both ways, the right events, nothing left."""
    message_id = requestor.next_message_id()
    request = case.request(message_id)
    sent = b"".join(chain.from_iterable(requestor.send_message(case.context_id, request, now=NOW)))
    if sent != _wire(request, case.context_id):
        raise AssertionError(f"engine: {case.label}: the request's bytes are not the codec's")
    acceptor.receive_data(sent, now=NOW)
    (requested,) = acceptor.events()
    assert isinstance(requested, dk.RequestReceived), requested
    assert requested.request == request and not requested.diagnostics, requested
    assert not acceptor.data_to_send()
    answer = requested.request.response(status=0)
    back = b"".join(chain.from_iterable(acceptor.send_message(case.context_id, answer, now=NOW)))
    if back != _wire(answer, case.context_id):
        raise AssertionError(f"engine: {case.label}: the response's bytes are not the codec's")
    requestor.receive_data(back, now=NOW)
    (answered,) = requestor.events()
    assert isinstance(answered, dk.ResponseReceived), answered
    assert answered.final and not answered.mismatches and not answered.diagnostics, answered
    assert answered.response == answer and answered.operation.message_id == message_id
    assert not requestor.data_to_send()
    for engine in (requestor, acceptor):
        assert not engine.outstanding_ours and not engine.outstanding_peers
        assert engine.state is dk.State.STA6


# --- rows ----------------------------------------------------------------------------------


def run_association(repeats: int, seconds: float, measure: Measure) -> list[dict[str, Any]]:
    """Two rows per round trip, codec and engine pair; the pair's row has the share the
    engine adds to the codec's cost (``engine_added``) and its goal."""
    ops: dict[tuple[str, str], Operation] = {}
    for case in cases():
        ops[(case.label, "codec")] = codec_op(case)
        ops[(case.label, "engine pair")] = pair_op(case)
    timings = measure(ops, repeats, seconds)
    rows = []
    for case in cases():
        codec = timings[(case.label, "codec")]
        for side in SIDES:
            us = timings[(case.label, side)]
            row: dict[str, Any] = {
                "message": f"{case.label}, {side}", "case": case.label, "op": side,
                "rounds": repeats, "data_set_bytes": case.data_set_bytes,
                "us": round(us, 3), "ops_per_s": round(1e6 / us),
            }  # fmt: skip
            if side == "engine pair":
                row["codec_us"] = round(codec, 3)
                row["engine_us"] = round(us - codec, 3)
                row["engine_added"] = round((us - codec) / codec, 4)
                row["goal"] = case.goal
            rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> list[str]:
    """The rows as bench.py's table shows them."""
    width = max(len(row["message"]) for row in rows)
    lines = [
        f"{'association round trip':<{width}} {'µs/op':>9} {'ops/s':>9}"
        f" {'engine µs/op':>12} {'engine added':>12}"
    ]
    for row in rows:
        line = f"{row['message']:<{width}} {row['us']:>9.2f} {row['ops_per_s']:>9}"
        if "engine_added" in row:
            line += f" {row['engine_us']:>12.2f} {row['engine_added']:>12.1%}"
        lines.append(line)
    return lines


# --- profile -------------------------------------------------------------------------------


def profile(case: Case, seconds: float, top: int) -> list[str]:
    """cProfile the engine pair's round trip of ``case``: the top functions by own time,
    per round trip and per call."""
    operation = pair_op(case)
    number = max(200, int(seconds / max(_once(operation), 1e-7)))
    stats, total = _profiling.profiled(operation, number)
    lines = [
        f"profile: engine pair, {case.label}, {number} round trips, {total / number * 1e6:.2f}"
        " µs per round trip under cProfile (it inflates small calls), by own time",
        f"  {'calls/op':>8} {'own µs/op':>9} {'own %':>6} {'µs/call':>8} {'cum µs/op':>9}"
        "  function",
    ]
    for function, where, calls, own, cumulative in _profiling.ranked(stats, top):
        lines.append(
            f"  {calls / number:>8.1f} {own / number * 1e6:>9.2f} {own / total * 100:>5.1f}%"
            f" {own / calls * 1e6:>8.3f} {cumulative / number * 1e6:>9.2f}  {function} ({where})"
        )
    by_file: dict[str, float] = {}
    for (filename, _line, _function), (_cc, _calls, own, _cum, _callers) in stats.items():
        name = Path(filename).name if filename != "~" else "builtins"
        if name.startswith("<dimsekit generated"):
            name = "generated codec code"
        by_file[name] = by_file.get(name, 0.0) + own
    shares = sorted(by_file.items(), key=lambda item: item[1], reverse=True)[:8]
    lines.append(
        "  own time by file: "
        + ", ".join(
            f"{name} {own / number * 1e6:.1f} µs ({own / total:.0%})" for name, own in shares
        )
    )
    return lines


def _once(operation: Operation) -> float:
    started = time.perf_counter()
    for _ in repeat(None, 20):
        operation()
    return (time.perf_counter() - started) / 20


def profiles(labels: list[str], seconds: float, top: int = 15) -> list[str]:
    """A profile of the engine pair of each round trip named in ``labels``."""
    lines: list[str] = []
    for case in cases():
        if case.label in labels:
            lines += ["", *profile(case, seconds, top)]
    return lines


def main(argv: list[str] | None = None) -> int:
    from benchmarks import bench

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI smoke run: short rounds")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--repeats", type=int, help="rounds per operation (median)")
    parser.add_argument("--seconds", type=float, help="target seconds per timing sample")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the engine pair of every round trip"
    )
    args = parser.parse_args(argv)
    repeats, seconds = bench.rounds_and_seconds(args.quick, args.repeats, args.seconds)
    rows = run_association(repeats, seconds, bench.measure)
    found = bench.association_targets(rows)
    extra = profiles([case.label for case in cases()], 1.0) if args.profile else []
    if args.json:
        print(json.dumps({"machine": bench.machine(), "association": rows, "targets": found,
                          "profiles": extra}, indent=1))  # fmt: skip
        return 0
    lines = [*table(rows), "", "targets:"]
    lines += [f"{t['status']:<4}  {t['target']} {t['subject']}: {t['value']}" for t in found]
    print("\n".join([*lines, *extra]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
