"""The benchmark's verdicts (benchmarks/bench.py): which targets pass, and what is said
when even the hand-written floor could not reach one."""

from __future__ import annotations

from typing import Any

from benchmarks import bench


def row(op: str, ours: float, theirs: float, floor: float) -> dict[str, Any]:
    return {
        "message": "C-STORE-RQ 128 KiB", "op": op,
        "dimsekit_us": ours, "pynetdicom_us": theirs, "floor_us": floor,
        "speedup_vs_pynetdicom": theirs / ours, "dimsekit_over_floor": ours / floor,
        "ceiling_vs_pynetdicom": theirs / floor,
    }  # fmt: skip


def verdicts(rows: list[dict[str, Any]], scaling: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(t["status"], t["value"]) for t in bench.targets(rows, scaling)]


def test_speedups_and_floor_ratios_are_judged_against_their_goals() -> None:
    rows = [row("encode", 10.0, 300.0, 8.0), row("decode", 10.0, 150.0, 1.0)]
    assert verdicts(rows, []) == [
        ("PASS", "30.0x"),  # encode: exactly the goal
        ("FAIL", "15.0x"),  # decode: the floor (150x) shows it was reachable
        ("PASS", "1.2x"),
        ("FAIL", "10.0x"),  # decode: 10x the floor
        ("SKIP", "not measured (no 1 GiB run: --quick, --no-scaling and --max-size leave it out)"),
    ]


def test_a_target_beyond_the_floor_still_fails_and_says_so() -> None:
    (speed, *_) = verdicts([row("decode", 12.0, 180.0, 9.5)], [])
    assert speed == ("FAIL", "15.0x (the floor itself is only 18.9x here)")


def test_peak_rss_growth_is_judged_on_the_1_gib_run_only() -> None:
    def scaling(growth: float) -> list[dict[str, Any]]:
        return [
            {"library": "dimsekit", "size": bench.MIB, "peak_rss_growth_mib": 500.0},
            {"library": "pynetdicom", "size": bench.GIB, "peak_rss_growth_mib": 1000.0},
            {"library": "dimsekit", "size": bench.GIB, "peak_rss_growth_mib": growth},
        ]

    assert verdicts([], scaling(10.9)) == [("PASS", "10.9 MiB")]
    assert verdicts([], scaling(64.0)) == [("FAIL", "64.0 MiB")]
