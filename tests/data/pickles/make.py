"""Write the pickle fixture that tests/test_pickles.py loads: run once on a commit, keep
its output, never regenerate it to make a failing test pass.

``python tests/data/pickles/make.py OUT`` pickles (protocol 5) a list of
``(label, object)`` pairs: every public class, enum and function of dimsekit by
reference, and one instance of every picklable public type (each message class in two
variants, statuses, tag lists, payloads, diagnostics, events, errors), with the
``__module__`` of each public name as it was on that commit.  The test rebuilds the same
objects with the code of today and compares.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import dimsekit as dk
from tests.data.pickles.objects import objects


def main() -> None:
    public = {name: getattr(dk, name) for name in dk.__all__}
    modules = {
        name: value.__module__
        for name, value in public.items()
        if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__"))
    }
    fixture = {"modules": modules, "objects": objects()}
    Path(sys.argv[1]).write_bytes(pickle.dumps(fixture, protocol=5))


if __name__ == "__main__":
    main()
