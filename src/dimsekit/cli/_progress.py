"""What ``dimsekit store``, ``get`` and ``move`` say while and after they work: a progress
line on a terminal and the summary line at the end.

Owns: :class:`Tally` (``store``'s files sent, failed and skipped, bytes, the time since the
first byte), :class:`SubOperations` (``get``'s and ``move``'s counters, as the peer's
responses give them), :class:`Progress` (a tally's line redrawn in place on stderr when
stderr is a terminal, at most ten times a second and once at the end, then erased;
nothing at all otherwise, so that logs and pipes stay quiet), and the words for a size
and a rate (:func:`size_words`, :func:`rate_words`).

Must not know: DICOM messages, the network, how a file is sent.
"""

from __future__ import annotations

import time
from typing import IO, Final, Protocol

import attrs

__all__ = ["Progress", "SubOperations", "Tally", "rate_words", "size_words"]

_REDRAW_EVERY: Final = 0.1
"""Seconds between two redraws of the progress line (the last one is always drawn)."""
_ERASE: Final = "\r\x1b[K"
"""Back to the start of the line and erase it (ECMA-48 CR and EL)."""


def size_words(count: float) -> str:
    """A byte count as people read it: 812 B, 2.9 KiB, 14.2 MiB (IEC binary prefixes)."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def rate_words(count: int, seconds: float) -> str:
    """``count`` bytes over ``seconds`` as a rate: 1.3 MiB/s ("-" with no time to divide)."""
    if seconds <= 0:
        return "- B/s"
    return f"{size_words(count / seconds)}/s"


@attrs.define
class Tally:
    """What ``store`` has done so far; ``total`` is how many files it has to send."""

    total: int
    sent: int = 0
    """Files whose C-STORE ended with a success or warning status."""
    failed: int = 0
    """Files refused by the peer (a failure status), or that could not be sent."""
    warned: int = 0
    """Of :attr:`sent`, those answered with a warning status."""
    bytes_sent: int = 0
    """The data set bytes of the files sent (those refused included: they were sent)."""
    started: float = attrs.field(factory=time.monotonic)

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def summary(self) -> str:
        """The line ``store`` ends with: files sent and failed, bytes, seconds, rate."""
        seconds = self.seconds
        warned = f" ({self.warned} with a warning)" if self.warned else ""
        return (
            f"{self.sent} of {self.total} files sent{warned}, {self.failed} failed, "
            f"{self.bytes_sent} bytes ({size_words(self.bytes_sent)}) in {seconds:.2f} s, "
            f"{rate_words(self.bytes_sent, seconds)}"
        )

    def line(self) -> str:
        """The progress line: files done of all, failures, bytes, rate."""
        failed = f", {self.failed} failed" if self.failed else ""
        return (
            f"{self.done}/{self.total} files{failed}, "
            f"{size_words(self.bytes_sent)}, {rate_words(self.bytes_sent, self.seconds)}"
        )


@attrs.define
class SubOperations:
    """The sub-operations of a retrieve (a C-GET or C-MOVE) as the peer counts them in its
    responses: each count None until a response gives it (Remaining is in Pending ones
    only, PS3.7 9.3.3.2, 9.3.4.2)."""

    remaining: int | None = None
    completed: int | None = None
    failed: int | None = None
    warning: int | None = None

    def words(self) -> str:
        """The counts given, in that order: "2 remaining, 3 completed, 0 failed, 0 with
        a warning"."""
        counts = (
            (self.remaining, "remaining"),
            (self.completed, "completed"),
            (self.failed, "failed"),
            (self.warning, "with a warning"),
        )
        words = [f"{count} {name}" for count, name in counts if count is not None]
        return ", ".join(words) or "no counts given"

    def line(self) -> str:
        return f"sub-operations: {self.words()}"


class _Tallied(Protocol):
    def line(self) -> str: ...


class Progress:
    """A progress line for ``tally`` (its ``line()``) on ``stream``, drawn only where
    ``stream`` is a terminal (its ``isatty()``)."""

    def __init__(self, tally: _Tallied, stream: IO[str]) -> None:
        self._tally = tally
        self._stream = stream
        self.shown = stream.isatty()
        self._drawn_at: float | None = None

    def update(self, *, force: bool = False) -> None:
        """Redraw the line if it is time to (or ``force``)."""
        if not self.shown:
            return
        now = time.monotonic()
        if not force and self._drawn_at is not None and now - self._drawn_at < _REDRAW_EVERY:
            return
        self._drawn_at = now
        self._stream.write(f"{_ERASE}{self._tally.line()}")
        self._stream.flush()

    def say(self, line: str) -> None:
        """Write ``line`` (a warning, an error) on its own line, the progress line after
        it again."""
        if self.shown and self._drawn_at is not None:
            self._stream.write(_ERASE)
        self._stream.write(line + "\n")
        self._stream.flush()
        if self.shown and self._drawn_at is not None:
            self.update(force=True)

    def finish(self) -> None:
        """Draw the last state, then erase the line (the summary follows on stdout)."""
        if not self.shown:
            return
        self.update(force=True)
        self._stream.write(_ERASE)
        self._stream.flush()
