"""cProfile for the benchmarks' ``--profile``: one operation run under the profiler, and
its functions ranked by own time.  What each report prints is its own."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable, Iterator
from itertools import repeat
from pathlib import Path
from typing import Any

Stats = dict[Any, Any]
"""pstats' table: (file, line, function) to (primitive calls, calls, own, cumulative,
callers), times in seconds."""


def profiled(operation: Callable[[], object], number: int) -> tuple[Stats, float]:
    """``operation`` run ``number`` times under cProfile: its stats, and their total own
    time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in repeat(None, number):
        operation()
    profiler.disable()
    stats: Stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    return stats, sum(entry[2] for entry in stats.values())


def ranked(stats: Stats, top: int) -> Iterator[tuple[str, str, int, float, float]]:
    """The ``top`` functions by own time: name, where (file:line), calls, own and
    cumulative seconds."""
    by_own = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    for (filename, line, function), (_cc, calls, own, cumulative, _callers) in by_own:
        where = f"{Path(filename).name}:{line}" if line else filename
        yield function, where, calls, own, cumulative
