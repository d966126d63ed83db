"""The ``dimsekit`` command: describe, decode and encode DIMSE messages from the shell.

Owns: argument parsing, reading inputs, writing outputs, and the exit status of each
subcommand.  Each subcommand's work lives in its own private module; this one only
wires them to the command line.  Bad input never ends in a traceback: it is reported
with the offset and the reason, and the exit status says what happened.

Must not know: how messages are decoded, described or printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .._converter import from_dict
from .._diagnostics import Severity
from .._errors import DimseError
from .._payload import DataSetPayload
from .._pdata_send import fragment_message
from ._decode import FORMATS, Record, decode_records, exit_status
from ._describe import describe_messages, describe_status, find_message_classes
from ._render import Style, render_json_lines, render_text
from ._tap import TapOptions, run_tap

__all__ = ["main"]

EXIT_OK = 0
EXIT_DIAGNOSTICS = 1
EXIT_FAILED = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dimsekit", description="DICOM DIMSE messages (PS3.7), from the shell."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    describe = commands.add_parser(
        "describe",
        help="what PS3.7 asks of a message, or what a status code means",
        description="Print a service's parameter table (Req/Ind, Rsp/Conf codes, tag, "
        "keyword, VR, dimsekit attribute) and its conditions; or, with `status CODE`, "
        "the class and meaning of a status code.",
    )
    describe.add_argument(
        "message",
        nargs="*",
        help="C-MOVE (a service), C-MOVE-RQ (a message), CMoveRequest (a class), or: status 0xA801",
    )
    describe.add_argument("--all", action="store_true", help="describe all 12 services")
    describe.add_argument("--service", help="with `status`: the service, e.g. C-MOVE")

    decode = commands.add_parser(
        "decode",
        help="decode captured command sets or PDU streams",
        description="Decode bare command sets, command sets followed by a data set, raw "
        "PDU streams or hex dumps (detected by content). Exit status: 0 decoded clean, 1 "
        "decoded with error diagnostics (with --strict: with any diagnostic), 2 could not "
        "decode.",
    )
    decode.add_argument("files", nargs="*", default=["-"], help="files to read; - is stdin")
    decode.add_argument("--format", choices=FORMATS, help="skip detection")
    decode.add_argument("--json", action="store_true", help="print JSON Lines")
    decode.add_argument(
        "--strict", action="store_true", help="exit 1 for any diagnostic, warnings too"
    )
    decode.add_argument("--no-color", action="store_true", help="never use colour")

    encode = commands.add_parser(
        "encode",
        help="encode a message given as JSON",
        description="Read one message as JSON (as `decode --json` prints it, or its "
        "command object) and write its command set, or with --pdata its P-DATA-TF PDUs.",
    )
    encode.add_argument("file", nargs="?", default="-", help="JSON file; - is stdin")
    encode.add_argument("-o", "--output", default="-", help="where to write; - is stdout")
    encode.add_argument("--pdata", action="store_true", help="write P-DATA-TF PDUs")
    encode.add_argument("--context-id", type=int, default=1, help="presentation context ID")
    encode.add_argument("--max-pdu", type=int, default=16382, help="peer maximum PDU length")
    encode.add_argument("--data-set", help="file holding the encoded data set to send")
    encode.add_argument(
        "--data-set-type", type=lambda text: int(text, 0), help="Command Data Set Type to send"
    )
    tap = commands.add_parser(
        "tap",
        help="proxy a DICOM connection and decode every message",
        description="A TCP proxy between a DICOM client and server that decodes every "
        "DIMSE message in both directions, prints one line per message, and forwards the "
        "bytes unchanged (or re-encoded by dimsekit with --reencode). Ctrl-C stops it.",
    )
    tap.add_argument("--listen", required=True, type=_address, help="HOST:PORT to accept on")
    tap.add_argument("--upstream", required=True, type=_address, help="HOST:PORT of the server")
    tap.add_argument("--reencode", action="store_true", help="forward dimsekit's own encoding")
    tap.add_argument("--jsonl", type=Path, help="also write one JSON record per message here")
    tap.add_argument("--record", type=Path, help="write each connection's raw streams here")
    tap.add_argument("--quiet", action="store_true", help="print nothing per message")
    return parser


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, not {text!r}")
    return host, int(port)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "describe":
            return _describe(args)
        if args.command == "decode":
            return _decode(args)
        if args.command == "tap":
            return run_tap(
                TapOptions(
                    args.listen, args.upstream, args.reencode, args.jsonl, args.record, args.quiet
                )
            )
        return _encode(args)
    except BrokenPipeError:  # e.g. `dimsekit decode ... | head`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (OSError, DimseError, ValueError) as error:
        print(f"dimsekit {args.command}: {error}", file=sys.stderr)
        return EXIT_FAILED


def _describe(args: argparse.Namespace) -> int:
    words: list[str] = args.message
    if words[:1] == ["status"]:
        if len(words) != 2:
            print("dimsekit describe status: give one code, e.g. 0xA801", file=sys.stderr)
            return EXIT_FAILED
        sys.stdout.write(describe_status(int(words[1], 0), args.service))
        return EXIT_OK
    if args.all == bool(words) or len(words) > 1:
        print("dimsekit describe: give one MESSAGE, `status CODE`, or --all", file=sys.stderr)
        return EXIT_FAILED
    classes = find_message_classes(None if args.all else words[0])
    if not classes:
        print(f"dimsekit describe: no DIMSE message {words[0]!r}", file=sys.stderr)
        return EXIT_FAILED
    sys.stdout.write(describe_messages(classes))
    return EXIT_OK


def _read(name: str) -> bytes:
    return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()


def _decode(args: argparse.Namespace) -> int:
    records: list[Record] = []
    syntaxes: dict[int, str] = {}
    for name in args.files:
        records.extend(decode_records(_read(name), name, args.format, syntaxes))
    if args.json:
        render_json_lines(records, sys.stdout)
    else:
        render_text(records, sys.stdout, Style(sys.stdout, args.no_color))
    return exit_status(records, args.strict)


def _encode(args: argparse.Namespace) -> int:
    text = _read(args.file)
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        print(f"dimsekit encode: not JSON: {error}", file=sys.stderr)
        return EXIT_FAILED
    if isinstance(document, dict) and isinstance(document.get("command"), dict):
        document = document["command"]
    if not isinstance(document, dict):
        print("dimsekit encode: expected a JSON object", file=sys.stderr)
        return EXIT_FAILED
    payload = DataSetPayload.from_file(args.data_set) if args.data_set else None
    # Lenient, so that what a decoded message kept (extra elements, its Command Data
    # Set Type) is written back; but a message the model refuses is not encoded.
    decoded = from_dict(document, data_set=payload)
    refused = [d for d in decoded.diagnostics if d.severity is Severity.ERROR]
    if refused:
        name = decoded.message.command_field.message_name
        for diagnostic in refused:
            print(f"dimsekit encode: invalid {name}: {diagnostic}", file=sys.stderr)
        return EXIT_FAILED
    message = decoded.message
    if args.pdata:
        if message.data_set_payload is not None and payload is None:
            print(
                f"dimsekit encode: a {message.command_field.message_name} carries a data "
                "set: give it with --data-set FILE",
                file=sys.stderr,
            )
            return EXIT_FAILED
        chunks = [
            bytes(part)
            for pdu in fragment_message(
                message, args.context_id, args.max_pdu, data_set_type=args.data_set_type
            )
            for part in pdu
        ]
        output = b"".join(chunks)
    else:
        from .._command import encode_command

        output = encode_command(message, data_set_type=args.data_set_type)
    if args.output == "-":
        sys.stdout.buffer.write(output)
        sys.stdout.buffer.flush()
    else:
        Path(args.output).write_bytes(output)
    return EXIT_OK
