"""Association PDUs: dimsekit's typed PDUs beside pynetdicom's own PDU classes (issue 14).

Three rows, on PDUs recorded from DCMTK (tests/data/association/):

- decode: the A-ASSOCIATE-RQ that storescu sends by default (128 presentation contexts),
  bytes to the typed PDU: ``pynetdicom.pdu.A_ASSOCIATE_RQ().decode(data)`` beside
  ``dimsekit.decode_pdu(data)`` with the decoder's memories of what it read before (its
  sub-items and runs of sub-items, by their bytes) emptied before each call, as a first
  association finds them (``pdu_decode.forget``; the emptying is timed with it);
- decode warm: the same with those memories kept, as the next associations from the
  same peer find them;
- encode: the A-ASSOCIATE-AC that storescp answers it with, built from Python values and
  encoded: pynetdicom's path is the DUL's (an ``A_ASSOCIATE`` primitive with its
  presentation contexts and user information notifications, ``A_ASSOCIATE_AC
  .from_primitive``, ``encode``); dimsekit's builds the AC again through the public
  constructors of every item (from the values of the decoded recording), in code
  written out as a program building it would be (:func:`program`), and calls
  ``dimsekit.encode_pdu``.

Before timing, both encoders are checked to produce storescp's bytes exactly, and dimsekit
to decode the RQ without a diagnostic and re-encode it byte for byte.  Until dimsekit has
``decode_pdu``/``encode_pdu`` the dimsekit side is skipped, and said so.

Targets: decode at least 10x pynetdicom, encode at least 5x, judged like bench.py's
(medians of at least 5 interleaved rounds).  ``python benchmarks/bench_pdus.py``
(``--quick``, ``--json``); benchmarks/bench.py runs the same rows.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, cast

import attrs

import dimsekit

RECORDINGS = Path(__file__).resolve().parent.parent / "tests" / "data" / "association"
RQ_FILE, AC_FILE = "storescu-rq.pdu", "storescp-ac.pdu"
IMPLEMENTATIONS = ("dimsekit", "pynetdicom")
SPEEDUP_GOALS = {"decode": 10.0, "decode warm": 10.0, "encode": 5.0}
NO_CODEC = "dimsekit has no decode_pdu/encode_pdu yet (issue 14): its side is not measured"

Operation = Callable[[], object]
Measure = Callable[[dict[Any, Operation], int, float], dict[Any, float]]


class Decoded(Protocol):
    """What ``dimsekit.decode_pdu`` returns (issue 14's ``DecodedPDU``)."""

    @property
    def pdu(self) -> object: ...

    @property
    def diagnostics(self) -> tuple[object, ...]: ...


class Codec(Protocol):
    """``dimsekit.decode_pdu`` and ``dimsekit.encode_pdu``, typed here because they are
    looked up by name (they are new in issue 14)."""

    def decode_pdu(self, data: bytes, /) -> Decoded: ...

    def encode_pdu(self, pdu: object, /) -> bytes: ...


def dimsekit_codec() -> Codec | None:
    """dimsekit itself, if it has the PDU codec; None otherwise."""
    if all(hasattr(dimsekit, name) for name in ("decode_pdu", "encode_pdu")):
        return cast(Codec, dimsekit)
    return None


def recording(name: str) -> bytes:
    return (RECORDINGS / name).read_bytes()


def _contexts(rq: bytes) -> int:
    """The number of presentation contexts of the RQ (the row's label), read by pynetdicom."""
    from pynetdicom.pdu import A_ASSOCIATE_RQ

    pdu = A_ASSOCIATE_RQ()
    pdu.decode(rq)
    return len(pdu.presentation_context)


def labels() -> dict[str, str]:
    """Each row's label, by operation."""
    contexts = _contexts(recording(RQ_FILE))
    return {
        "decode": f"A-ASSOCIATE-RQ (storescu, {contexts} contexts) decode",
        "decode warm": f"A-ASSOCIATE-RQ (storescu, {contexts} contexts) decode, warm",
        "encode": f"A-ASSOCIATE-AC (storescp, {contexts} contexts) encode",
    }


# --- pynetdicom ----------------------------------------------------------------------------


def pynetdicom_ops(rq: bytes, ac: bytes) -> dict[str, Operation]:
    """decode the RQ; build the AC's primitive, turn it into the PDU and encode it."""
    from pynetdicom import pdu_primitives
    from pynetdicom.pdu import A_ASSOCIATE_AC, A_ASSOCIATE_RQ
    from pynetdicom.presentation import PresentationContext

    logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)
    received: Any = A_ASSOCIATE_AC()  # its user information is a union pynetdicom types
    received.decode(ac)
    results = [
        (c.context_id, c.result, str(c.transfer_syntax)) for c in received.presentation_context
    ]
    maximum, class_uid, version = received.user_information.user_data
    values = (
        received.calling_ae_title, received.called_ae_title,
        str(received.application_context_name), maximum.maximum_length_received,
        str(class_uid.implementation_class_uid), str(version.implementation_version_name),
    )  # fmt: skip

    def decode() -> object:
        pdu = A_ASSOCIATE_RQ()
        pdu.decode(rq)
        return pdu

    def encode() -> bytes:
        calling, called, application_context, most, uid, name = values
        primitive = pdu_primitives.A_ASSOCIATE()
        primitive.calling_ae_title, primitive.called_ae_title = calling, called
        primitive.application_context_name = application_context
        contexts = []
        for context_id, result, syntax in results:
            context = PresentationContext()
            context.context_id, context.result = context_id, result
            context.transfer_syntax = [syntax]
            contexts.append(context)
        primitive.presentation_context_definition_results_list = contexts
        length = pdu_primitives.MaximumLengthNotification()
        length.maximum_length_received = most
        implementation = pdu_primitives.ImplementationClassUIDNotification()
        implementation.implementation_class_uid = uid
        version_name = pdu_primitives.ImplementationVersionNameNotification()
        version_name.implementation_version_name = name
        primitive.user_information = [length, implementation, version_name]
        pdu: Any = A_ASSOCIATE_AC()
        pdu.from_primitive(primitive)
        encoded: bytes = pdu.encode()
        return encoded

    assert len(decode().presentation_context) == len(results)  # type: ignore[attr-defined]
    if encode() != ac:
        raise AssertionError("pynetdicom: the AC it builds is not storescp's bytes")
    return {"decode": decode, "decode warm": decode, "encode": encode}


# --- dimsekit ------------------------------------------------------------------------------


@attrs.frozen
class Build:
    """A constructor call to make again: the class and the arguments it was given."""

    cls: Any
    arguments: dict[str, object]

    def __call__(self) -> object:
        return self.cls(**{name: _make(value) for name, value in self.arguments.items()})


def _make(value: object) -> object:
    if isinstance(value, Build):
        return value()
    if isinstance(value, tuple) and value and isinstance(value[0], Build):
        return tuple(item() for item in value)
    return value


def recipe(value: object) -> object:
    """How to build ``value`` again from Python values through each class's public
    constructor (every attrs instance inside it too), as a program building the PDU
    would: the arguments a field's default already gives are left out, fields that are
    not arguments (what a decoder keeps of the wire) are not given."""
    cls: Any = type(value)
    if attrs.has(cls):
        arguments = {}
        for field in attrs.fields(cls):
            given = getattr(value, field.name)
            if field.init and not (
                field.default is not attrs.NOTHING
                and not isinstance(field.default, attrs.Factory)  # type: ignore[arg-type]
                and given == field.default
            ):
                arguments[field.alias] = recipe(given)
        return Build(cls, arguments)
    if isinstance(value, tuple):
        return tuple(recipe(item) for item in value)
    return value


def program(build: Build) -> Callable[[], object]:
    """``build`` written out as straight-line code (each constructor called with its
    arguments, the values bound as constants), as a program building the PDU is written:
    the same calls as :meth:`Build.__call__` makes, without replaying the recipe."""
    constants: dict[str, object] = {}

    def constant(value: object) -> str:
        name = f"k{len(constants)}"
        constants[name] = value
        return name

    def code(value: object) -> str:
        if isinstance(value, Build):
            arguments = ", ".join(f"{name}={code(item)}" for name, item in value.arguments.items())
            return f"{constant(value.cls)}({arguments})"
        if isinstance(value, tuple) and value and isinstance(value[0], Build):
            return "(" + "".join(f"{code(item)}, " for item in value) + ")"
        return constant(value)

    source = f"def build():\n    return {code(build)}\n"
    exec(compile(source, "<bench_pdus program>", "exec"), constants)
    return cast(Callable[[], object], constants["build"])


def dimsekit_ops(codec: Codec, rq: bytes, ac: bytes) -> dict[str, Operation]:
    """decode the RQ; build the AC again and encode it."""
    decoded = codec.decode_pdu(rq)
    if decoded.diagnostics:
        raise AssertionError(f"dimsekit: storescu's RQ decodes with {decoded.diagnostics}")
    if codec.encode_pdu(decoded.pdu) != rq:
        raise AssertionError("dimsekit: storescu's RQ does not re-encode byte for byte")
    recipe_of_ac = recipe(codec.decode_pdu(ac).pdu)
    assert isinstance(recipe_of_ac, Build)
    build = program(recipe_of_ac)
    if build() != recipe_of_ac():
        raise AssertionError("dimsekit: the program does not build what the recipe builds")
    from dimsekit._framing.pdu_decode import forget

    def decode() -> object:
        forget()
        return codec.decode_pdu(rq)

    def decode_warm() -> object:
        return codec.decode_pdu(rq)

    def encode() -> bytes:
        return codec.encode_pdu(build())

    if encode() != ac:
        raise AssertionError("dimsekit: the AC it builds is not storescp's bytes")
    if decode() != decode_warm():
        raise AssertionError("dimsekit: the RQ decodes otherwise with its memories kept")
    return {"decode": decode, "decode warm": decode_warm, "encode": encode}


# --- rows ----------------------------------------------------------------------------------


def run_pdus(
    repeats: int, seconds: float, measure: Measure
) -> tuple[list[dict[str, Any]], list[str]]:
    """The two rows (dimsekit's figures None when it has no codec), and what was skipped."""
    rq, ac = recording(RQ_FILE), recording(AC_FILE)
    ops: dict[tuple[str, str], Operation] = {
        ("pynetdicom", op): operation for op, operation in pynetdicom_ops(rq, ac).items()
    }
    codec = dimsekit_codec()
    skipped = [] if codec else [NO_CODEC]
    if codec:
        ops |= {
            ("dimsekit", op): operation for op, operation in dimsekit_ops(codec, rq, ac).items()
        }
    timings = measure(ops, repeats, seconds)
    rows = []
    for op, label in labels().items():
        ours = timings.get(("dimsekit", op))
        theirs = timings[("pynetdicom", op)]
        rows.append({
            "message": label, "op": op, "rounds": repeats,
            "dimsekit_us": None if ours is None else round(ours, 3),
            "pynetdicom_us": round(theirs, 3),
            "speedup_vs_pynetdicom": None if ours is None else round(theirs / ours, 2),
        })  # fmt: skip
    return rows, skipped


def table(rows: list[dict[str, Any]]) -> list[str]:
    """The rows as bench.py's table shows them."""
    width = max(len(row["message"]) for row in rows)
    lines = [
        f"{'association PDU':<{width}} {'dimsekit µs':>11} {'pynetdicom µs':>13}"
        f" {'pynetdicom/dimsekit':>19}"
    ]
    for row in rows:
        ours = "-" if row["dimsekit_us"] is None else f"{row['dimsekit_us']:.2f}"
        speedup = (
            "-" if row["speedup_vs_pynetdicom"] is None else f"{row['speedup_vs_pynetdicom']:.1f}x"
        )
        lines.append(
            f"{row['message']:<{width}} {ours:>11} {row['pynetdicom_us']:>13.2f} {speedup:>19}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks`
    from benchmarks import bench

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI smoke run: short rounds")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--repeats", type=int, help="rounds per operation (median)")
    parser.add_argument("--seconds", type=float, help="target seconds per timing sample")
    args = parser.parse_args(argv)
    repeats, seconds = bench.rounds_and_seconds(args.quick, args.repeats, args.seconds)
    rows, skipped = run_pdus(repeats, seconds, bench.measure)
    found = bench.pdu_targets(rows)
    if args.json:
        print(json.dumps({"machine": bench.machine(), "pdus": rows, "skipped": skipped,
                          "targets": found}, indent=1))  # fmt: skip
        return 0
    lines = [*table(rows), *(f"skipped: {note}" for note in skipped), "", "targets:"]
    lines += [f"{t['status']:<4}  {t['target']} {t['subject']}: {t['value']}" for t in found]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
