"""Diagnostics: what a lenient decoder noticed and let pass, kept at a bounded cost.

Owns: :class:`Diagnostic` and :class:`Severity`.  A diagnostic names where the deviation
is (byte offset, tag), what deviated, the rule it breaks with its reference, and how
serious it is.  Strict decoding turns any diagnostic into a
:class:`~dimsekit.DecodeError`.

Owns too: :class:`DiagnosticLog`, the one place decoders collect diagnostics.  What a
hostile input can make a decoder keep is bounded there, not by each decoder: the same
deviation seen again (same severity, words, rule and tag; another offset) only counts
on the first one (``Diagnostic.repeats``), and past :data:`MAX_LISTED` distinct
diagnostics under one rule the rest are only counted, in one closing diagnostic per
rule.  So diagnostics never cost more than a few hundred per input, whatever its size.

Must not know: how anything is decoded.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Final

import attrs

__all__ = ["MAX_LISTED", "Diagnostic", "DiagnosticLog", "Severity"]

MAX_LISTED: Final = 16
"""How many distinct diagnostics one rule may list in one decode; the rest are counted."""


class Severity(enum.Enum):
    """How far a received message strays from the standard."""

    WARNING = "warning"
    """A deviation that loses nothing: padding, order, a group length, a retired element."""
    ERROR = "error"
    """A rule of PS3.7 is broken; the message was understood all the same."""


@attrs.frozen(kw_only=True)
class Diagnostic:
    """One deviation from PS3.7 / PS3.8 found while decoding."""

    what: str
    """What deviated, in words."""
    rule: str
    """The rule it breaks, with its reference."""
    severity: Severity = Severity.WARNING
    offset: int | None = None
    """Byte offset of the element or fragment concerned, if known (the first one's)."""
    tag: int | None = None
    """The command element concerned, if any."""
    repeats: int = 0
    """How many more times the same deviation came after this one, at other offsets."""

    def __str__(self) -> str:
        where = []
        if self.offset is not None:
            where.append(f"offset {self.offset}")
        if self.tag is not None:
            where.append(f"({self.tag >> 16:04X},{self.tag & 0xFFFF:04X})")
        prefix = " ".join(where)
        again = f" (and {self.repeats} more like it)" if self.repeats else ""
        return (
            f"{self.severity.value}: {prefix + ': ' if prefix else ''}{self.what} "
            f"[{self.rule}]{again}"
        )


_Key = tuple[Severity, str, str, int | None]


class DiagnosticLog:
    """Diagnostics as a decoder finds them, at a bounded cost (see the module docstring).

    ``append`` and ``extend`` take diagnostics in the order they are found; ``first`` is
    the first one (what strict decoding raises); ``freeze`` gives them as a tuple, the
    repeated ones with their count and, last, one diagnostic per rule that had more than
    :data:`MAX_LISTED` distinct ones, saying how many it left out.
    """

    __slots__ = ("_first", "_kept", "_left_out", "_per_rule", "_repeats")

    def __init__(self, diagnostics: Iterable[Diagnostic] = ()) -> None:
        self._first: Diagnostic | None = None
        self._kept: dict[_Key, Diagnostic] = {}
        self._repeats: dict[_Key, int] = {}
        self._per_rule: dict[str, int] = {}
        self._left_out: dict[str, tuple[Severity, int]] = {}
        self.extend(diagnostics)

    def append(self, diagnostic: Diagnostic) -> None:
        """Keep ``diagnostic``, count it on its twin, or count it as left out."""
        if self._first is None:
            self._first = diagnostic
        key = (diagnostic.severity, diagnostic.what, diagnostic.rule, diagnostic.tag)
        if key in self._kept:
            self._repeats[key] = self._repeats.get(key, 0) + 1 + diagnostic.repeats
            return
        rule = diagnostic.rule
        listed = self._per_rule.get(rule, 0)
        if listed < MAX_LISTED:
            self._per_rule[rule] = listed + 1
            self._kept[key] = diagnostic
            return
        severity, count = self._left_out.get(rule, (Severity.WARNING, 0))
        if diagnostic.severity is Severity.ERROR:
            severity = Severity.ERROR
        self._left_out[rule] = (severity, count + 1 + diagnostic.repeats)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.append(diagnostic)

    @property
    def first(self) -> Diagnostic | None:
        """The first diagnostic appended, or None."""
        return self._first

    def __bool__(self) -> bool:
        return self._first is not None

    def freeze(self) -> tuple[Diagnostic, ...]:
        """The diagnostics kept, in the order found, then one per rule for those left out."""
        repeats = self._repeats
        kept = [
            attrs.evolve(diagnostic, repeats=repeats[key]) if key in repeats else diagnostic
            for key, diagnostic in self._kept.items()
        ]
        kept.extend(
            Diagnostic(
                what=f"{count} more distinct deviations of this rule, not listed",
                rule=rule,
                severity=severity,
            )
            for rule, (severity, count) in self._left_out.items()
        )
        return tuple(kept)
