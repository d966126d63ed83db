"""The query/retrieve benchmark's logic (benchmarks/bench_qr.py), without running a peer:
its rows' rates and ratios, its verdicts against issue 18's goals, findscu's logger
configuration."""

from __future__ import annotations

from typing import Any

from benchmarks import bench_qr as qr

SETTINGS = qr.Settings(5, 1000, 200)


def seconds(
    find: tuple[float, float, float], get: tuple[float, float, float], rounds: int = 5
) -> dict[tuple[str, str], list[float]]:
    """Each client's seconds, the same in every round but the first (half as long)."""
    made = {}
    for operation, values in (("find", find), ("get", get)):
        for client, value in zip(qr.CLIENTS[operation], values, strict=True):
            made[(operation, client)] = [value / 2] + [value] * (rounds - 1)
    return made


def verdicts(rows: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    return {t["target"]: (t["status"], t["value"]) for t in qr.judge(rows)}


def test_the_targets_are_the_issues_goals() -> None:
    assert [qr.target_text(*goal) for goal in qr.GOALS] == [
        "C-FIND: dimsekit >= 5x pynetdicom's matches/s",
        "C-FIND: dimsekit within 2x of DCMTK findscu",
    ]


def test_rows_give_the_median_and_the_best_rate_and_the_ratios() -> None:
    # findscu 0.05 s, pynetdicom 0.5 s, dimsekit 0.1 s for 1,000 matches
    rows = qr.rows_of(seconds((0.05, 0.5, 0.1), (0.1, 1.0, 0.2)), {}, SETTINGS)
    dimsekit = next(r for r in rows if (r["operation"], r["name"]) == ("find", "dimsekit"))
    assert (dimsekit["per_s"], dimsekit["best_per_s"]) == (10000.0, 20000.0)
    assert dimsekit["seconds_each"] == [0.05, 0.1, 0.1, 0.1, 0.1]
    assert (dimsekit["x_pynetdicom"], dimsekit["dcmtk_over"]) == (5.0, 2.0)
    findscu = rows[0]
    assert findscu["name"] == "DCMTK findscu" and "dcmtk_over" not in findscu
    assert findscu["x_pynetdicom"] == 10.0
    got = next(r for r in rows if (r["operation"], r["name"]) == ("get", "dimsekit"))
    assert (got["per_s"], got["unit"], got["x_pynetdicom"]) == (1000.0, "instances", 5.0)


def test_rates_are_judged_at_the_boundaries() -> None:
    found = verdicts(qr.rows_of(seconds((0.05, 0.5, 0.1), (0.1, 1.0, 0.2)), {}, SETTINGS))
    assert found["C-FIND: dimsekit >= 5x pynetdicom's matches/s"] == (
        "PASS", "5.00x (10000.0/s vs 2000.0/s)"
    )  # fmt: skip
    assert found["C-FIND: dimsekit within 2x of DCMTK findscu"] == (
        "PASS", "2.00x (10000.0/s vs 20000.0/s)"
    )  # fmt: skip
    found = verdicts(qr.rows_of(seconds((0.05, 0.5, 0.101), (0.1, 1.0, 0.2)), {}, SETTINGS))
    assert {status for status, _ in found.values()} == {"FAIL"}


def test_fewer_than_5_rounds_or_a_failed_client_are_not_judged() -> None:
    rows = qr.rows_of(seconds((0.05, 0.5, 0.1), (0.1, 1.0, 0.2), rounds=4), {}, SETTINGS)
    status, value = verdicts(rows)["C-FIND: dimsekit within 2x of DCMTK findscu"]
    assert status == "SKIP" and value.endswith("(not judged: 4 rounds, a verdict needs at least 5)")
    times = seconds((0.05, 0.5, 0.1), (0.1, 1.0, 0.2))
    failed = {("find", "dimsekit"): "failed: dimsekit find failed (1)"}
    rows = qr.rows_of(times, failed, SETTINGS)
    assert next(r for r in rows if r["name"] == "dimsekit")["rounds"] == 0
    assert verdicts(rows)["C-FIND: dimsekit >= 5x pynetdicom's matches/s"] == (
        "SKIP", "failed: dimsekit find failed (1)"
    )  # fmt: skip
    assert next(r for r in rows if r["name"] == "DCMTK findscu")["x_pynetdicom"] == 10.0


def test_findscu_logs_each_response_and_the_association_lines_only() -> None:
    config = qr.FIND_LOGGER_CONFIG
    assert "StringToMatch = Association" in config
    assert "StringToMatch = Find Response" in config
    assert config.rstrip().endswith("filters.3 = log4cplus::spi::DenyAllFilter")
