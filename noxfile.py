"""The project's checks, run with ``nox`` (all default sessions) or ``nox -s NAME``.

Default sessions: tests, typing, lint, verifytypes, memcheck, peers (others: newer,
bench).  The peers session needs Debian's dcmtk (apt-get install dcmtk); without it its
tests skip, unless DIMSEKIT_REQUIRE_PEERS=1 (set by .ci/run), where they fail.  The
tests run the Hypothesis profile HYPOTHESIS_PROFILE names: quick unless told (.ci/run
asks for thorough; tests/conftest.py defines both).
Dependencies come from the ``[dependency-groups]`` of pyproject.toml, so this file and
the project never disagree.
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "typing", "lint", "verifytypes", "memcheck", "peers"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def _groups(*names: str) -> tuple[str, ...]:
    return nox.project.dependency_groups(PYPROJECT, *names)


def _hypothesis_profile() -> dict[str, str]:
    """The Hypothesis profile the caller asks for, quick unless told (tests/conftest.py)."""
    return {"HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "quick")}


@nox.session
def tests(session: nox.Session) -> None:
    """pytest under ``python -bb``, so bytes/str mix-ups fail loudly."""
    session.install("-e", ".", *_groups("test"))
    env = _hypothesis_profile()
    session.run("python", "-bb", "-m", "pytest", "-m", "not peers", *session.posargs, env=env)


@nox.session
def peers(session: nox.Session) -> None:
    """End-to-end runs with real DCMTK and pynetdicom peers through `dimsekit tap`."""
    session.install("-e", ".", *_groups("test"))
    session.run("python", "-bb", "-m", "pytest", "-m", "peers", *session.posargs)


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict over src, tests, typings and this file (warn_unused_ignores on)."""
    session.install("-e", ".", *_groups("typing"))
    session.run("mypy", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(*_groups("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def verifytypes(session: nox.Session) -> None:
    """pyright --verifytypes: no public symbol of dimsekit has an unknown type."""
    session.install(".[pynetdicom,testing]", *_groups("verifytypes"))
    session.run("pyright", "--verifytypes", "dimsekit", "--ignoreexternal", *session.posargs)


@nox.session
def memcheck(session: nox.Session) -> None:
    """1 GiB file-backed data set through fragmenting and reassembly: peak RSS < 64 MiB."""
    session.install(".")
    session.run("python", "benchmarks/pdata_memory.py", *session.posargs)


@nox.session(python=["3.12", "3.13"])
def newer(session: nox.Session) -> None:
    """The tests and the peers on Python 3.12 and 3.13 (not in the default run).

    Needs python3.12 and python3.13 on PATH; with pyenv, PYENV_VERSION=3.11.7:3.12.1:3.13.0.
    """
    session.install("-e", ".", *_groups("test"))
    session.run("python", "-bb", "-m", "pytest", *session.posargs, env=_hypothesis_profile())


@nox.session
def bench(session: nox.Session) -> None:
    """dimsekit side by side with pynetdicom and a struct floor (not in the default run).

    `nox -s bench -- --quick` for a smoke run, `-- --json` for tracking.
    """
    session.install(".", *_groups("bench"))
    session.run("python", "benchmarks/bench.py", *session.posargs)
