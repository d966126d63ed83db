"""The repository stands on its own: no tracked file reads or names a path outside it.

A clean clone with nothing beside it must pass its own suite; ``.ci/run`` proves it by
running the README's test command in a copy of the checkout placed where nothing is
beside it.  This test catches a re-introduction without that copy: a tracked file that
names the digests of the standard kept outside the project (the project cites the
standard's sections instead), names the folder beside the checkout they live in, or
climbs out of the checkout with a relative path.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Built from pieces, so that this file does not name them itself.
_MD = "." + "md"
OUTSIDE_NAMES = (
    *(stem + _MD for stem in ("messages", "commands", "status", "wire", "sources")),
    "upper_layer" + _MD,
    "." * 2 + "/shared",
    "shared" + "/spec",
)
_UP = re.compile(r"(?:\.\.[/\\])+")  # a run of parent steps in a relative path
_FILE_PARENTS = re.compile(r"__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]")
_FILE_PARENT_CHAIN = re.compile(r"__file__\)(?:\.resolve\(\))?((?:\.parent\b)+)")


def outside_references(path: str, text: str) -> list[str]:
    """What in ``text`` (the file at ``path``, relative to the root) reaches outside the root.

    A relative path may climb as many levels as the file sits below the root and no more;
    ``Path(__file__)`` may go up to the root and no further; a Python file may not use a
    bare parent directory (``Path("..")``) at all, since it would depend on the working
    directory.
    """
    depth = len(PurePosixPath(path).parent.parts)
    found = []

    def at(offset: int, what: str) -> None:
        found.append(f"{path}:{text.count(chr(10), 0, offset) + 1}: {what}")

    for name in OUTSIDE_NAMES:
        for match in re.finditer(re.escape(name), text):
            at(match.start(), f"names {name!r}")
    for match in _UP.finditer(text):
        steps = len(match.group()) // 3
        if steps > depth:
            at(match.start(), f"climbs {steps} levels from a file {depth} below the root")
    if path.endswith(".py"):
        for match in _FILE_PARENTS.finditer(text):
            if int(match.group(1)) > depth:
                at(match.start(), f"Path(__file__).parents[{match.group(1)}] is outside")
        for match in _FILE_PARENT_CHAIN.finditer(text):
            if match.group(1).count(".parent") - 1 > depth:
                at(match.start(), "Path(__file__).parent... climbs above the root")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return found
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value == "." * 2
            ):
                found.append(f"{path}:{node.lineno}: a bare parent directory")
    return found


def tracked_files() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [name for name in listed.decode().split("\0") if name]


def test_no_tracked_file_reaches_outside_the_repository() -> None:
    files = tracked_files()
    scanned = []
    problems = []
    for name in files:
        path = ROOT / name
        if not path.is_file():
            continue  # deleted in the working tree
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary (the recorded PDU streams)
        scanned.append(name)
        problems += outside_references(name, data.decode("utf-8"))
    assert problems == []
    for expected in (
        ".ci/run", "README.md", "noxfile.py", "tests/test_cli.py", "tests/test_repository.py",
        "benchmarks/bench.py", "scripts/record_move_example.py", "examples/README.md",
    ):  # fmt: skip
        assert expected in scanned


# --- the check itself ------------------------------------------------------------------------

_FILE = "Path(__file" + "__)"  # built, so that this file passes its own check


def test_the_check_catches_what_the_suite_once_did() -> None:
    digest = "messages" + _MD
    line = f'SPEC = {_FILE}.resolve().parents[2] / "shared" / "spec" / "{digest}"\n'
    problems = outside_references("tests/test_cli.py", line)
    assert problems == [
        f"tests/test_cli.py:1: names {digest!r}",
        "tests/test_cli.py:1: " + _FILE + ".parents[2] is outside",
    ]


@pytest.mark.parametrize(
    ("path", "text", "caught"),
    [
        (".ci/run", "cp " + "." * 2 + "/shared/x .\n", True),  # names it, and climbs out
        ("README.md", "see [the tables](" + "." * 2 + "/x/y.md)", True),
        ("examples/README.md", "see [the README](" + "." * 2 + "/README.md)", False),
        ("examples/README.md", "see (" + "." * 2 + "/" + "." * 2 + "/x.md)", True),
        ("tests/a.py", "ROOT = " + _FILE + ".resolve().parents[1]\n", False),
        ("tests/a.py", "X = " + _FILE + ".parent.parent\n", False),
        ("tests/a.py", "X = " + _FILE + ".resolve().parent.parent.parent\n", True),
        ("tests/a.py", 'X = Path("' + "." * 2 + '") / "elsewhere"\n', True),
        ("tests/a.py", "# PS3.7 9.3.1.1 (Table 9.3-1)\n", False),
        ("tests/a.py", "# condition C3 of commands" + _MD + "\n", True),
        ("tests/a.py", "# as status" + _MD + " section 5 says\n", True),
    ],
)
def test_the_check(path: str, text: str, caught: bool) -> None:
    assert bool(outside_references(path, text)) is caught
