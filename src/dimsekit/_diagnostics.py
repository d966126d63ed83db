"""Diagnostics: what a lenient decoder noticed and let pass.

Owns: :class:`Diagnostic` and :class:`Severity`.  A diagnostic names where the deviation
is (byte offset, tag), what deviated, the rule it breaks with its reference, and how
serious it is.  Strict decoding turns any diagnostic into a
:class:`~dimsekit.DecodeError`.

Must not know: how anything is decoded.
"""

from __future__ import annotations

import enum

import attrs

__all__ = ["Diagnostic", "Severity"]


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
    """Byte offset of the element or fragment concerned, if known."""
    tag: int | None = None
    """The command element concerned, if any."""

    def __str__(self) -> str:
        where = []
        if self.offset is not None:
            where.append(f"offset {self.offset}")
        if self.tag is not None:
            where.append(f"({self.tag >> 16:04X},{self.tag & 0xFFFF:04X})")
        prefix = " ".join(where)
        return f"{self.severity.value}: {prefix + ': ' if prefix else ''}{self.what} [{self.rule}]"
