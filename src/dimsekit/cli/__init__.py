"""The ``dimsekit`` command.

Owns: argument parsing and the exit status of the command-line tools.  Each subcommand
lives in its own private module and writes text; none of them knows another.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._describe import describe_messages, find_message_classes

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dimsekit", description="DICOM DIMSE messages (PS3.7), from the shell."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    describe = commands.add_parser(
        "describe", help="print the fields and conditions of DIMSE messages"
    )
    describe.add_argument(
        "message",
        nargs="?",
        help="a service (C-MOVE), a message (C-MOVE-RQ) or a class (CMoveRequest)",
    )
    describe.add_argument("--all", action="store_true", help="describe all 12 services")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 2 usage error)."""
    args = _parser().parse_args(argv)
    if args.command == "describe":
        if args.all == (args.message is not None):
            print("dimsekit describe: give one MESSAGE or --all", file=sys.stderr)
            return 2
        classes = find_message_classes(None if args.all else args.message)
        if not classes:
            print(f"dimsekit describe: no DIMSE message {args.message!r}", file=sys.stderr)
            return 2
        sys.stdout.write(describe_messages(classes))
    return 0
