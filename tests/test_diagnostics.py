"""Diagnostics and the bounded log every decoder collects them in (``_diagnostics``)."""

from __future__ import annotations

import dimsekit as dk
from dimsekit._diagnostics import MAX_LISTED, DiagnosticLog


def diag(what: str, offset: int, *, rule: str = "PS3.8 E.1", tag: int | None = None,
         severity: dk.Severity = dk.Severity.WARNING) -> dk.Diagnostic:  # fmt: skip
    return dk.Diagnostic(what=what, rule=rule, offset=offset, tag=tag, severity=severity)


def test_an_empty_log_is_false_and_freezes_empty() -> None:
    log = DiagnosticLog()
    assert not log
    assert log.first is None
    assert log.freeze() == ()


def test_the_same_deviation_again_counts_on_the_first_one() -> None:
    log = DiagnosticLog(diag("odd fragment length 5", offset) for offset in range(0, 700, 7))
    (only,) = log.freeze()
    assert only.offset == 0
    assert only.repeats == 99
    assert str(only) == (
        "warning: offset 0: odd fragment length 5 [PS3.8 E.1] (and 99 more like it)"
    )


def test_distinct_deviations_are_kept_in_order() -> None:
    found = [diag("a", 1), diag("b", 2, tag=0x0110), diag("a", 3, tag=0x0110), diag("b", 4)]
    log = DiagnosticLog(found)
    assert log.first == found[0]
    assert log.freeze() == tuple(found)


def test_past_the_limit_a_rule_lists_no_more_and_says_how_many_it_left_out() -> None:
    log = DiagnosticLog()
    for tag in range(1000):
        log.append(diag("unknown command element", tag, rule="PS3.7 E.1", tag=tag))
    log.append(diag("other", 5, rule="PS3.5 6.2", severity=dk.Severity.ERROR))
    frozen = log.freeze()
    assert [d.tag for d in frozen[:MAX_LISTED]] == list(range(MAX_LISTED))
    assert frozen[MAX_LISTED].rule == "PS3.5 6.2"
    summary = frozen[-1]
    assert len(frozen) == MAX_LISTED + 2
    assert summary.rule == "PS3.7 E.1"
    assert summary.what == f"{1000 - MAX_LISTED} more distinct deviations of this rule, not listed"
    assert summary.severity is dk.Severity.WARNING


def test_a_left_out_error_makes_the_summary_an_error() -> None:
    log = DiagnosticLog(diag(str(n), n) for n in range(MAX_LISTED))
    log.append(diag("last", 99, severity=dk.Severity.ERROR))
    assert log.freeze()[-1].severity is dk.Severity.ERROR


def test_counts_carry_over_when_frozen_diagnostics_are_collected_again() -> None:
    inner = DiagnosticLog(diag("odd", n) for n in range(5)).freeze()
    outer = DiagnosticLog([diag("odd", 100)])
    outer.extend(inner)
    (only,) = outer.freeze()
    assert (only.offset, only.repeats) == (100, 5)
