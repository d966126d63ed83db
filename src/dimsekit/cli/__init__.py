"""The ``dimsekit`` command: describe, decode and encode DIMSE messages from the shell,
and echo, store, find, get, move and serve them over the network.

Owns: argument parsing, reading inputs, writing outputs, and the exit status of each
subcommand.  Each subcommand's work lives in its own private module, and the network
subcommands' arguments in ``_network_arguments``; this one only wires them to the
command line.  Bad input never ends in a traceback: it is reported
with the offset and the reason, and the exit status says what happened.

Must not know: how messages are decoded, described or printed.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from importlib import metadata
from pathlib import Path
from typing import IO

from .._errors import DimseError
from .._model.payload import DataSetPayload
from .._model.vr import us_problem
from ._decode import FORMATS, DecodeOptions, Record, decode_file, record_status
from ._describe import (
    describe_messages,
    describe_pdu,
    describe_status,
    find_message_classes,
    find_pdu,
)
from ._encode import DEFAULT_MAX_PDU, EncodeOptions, encode
from ._learned import LearnedAssociation
from ._network_arguments import NETWORK_COMMANDS, network_parsers, run_network
from ._render import Style, error_line, render_json_lines, render_text
from ._tap import TapOptions, run_tap

__all__ = ["main"]

EXIT_OK = 0
EXIT_DIAGNOSTICS = 1
EXIT_FAILED = 2


def _version() -> str:
    try:
        return metadata.version("dimsekit")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dimsekit", description="DICOM DIMSE messages (PS3.7), from the shell."
    )
    parser.add_argument("--version", action="version", version=f"dimsekit {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    describe = commands.add_parser(
        "describe",
        help="what PS3.7 asks of a message, or what a status code means",
        description="Print a service's parameter table (Req/Ind, Rsp/Conf codes, tag, "
        "keyword, VR, dimsekit attribute) and its conditions; or, with `status CODE`, "
        "the class and meaning of a status code (hex, as PS3.7 writes them: A801, "
        "0xA801, A801H).",
    )
    describe.add_argument(
        "message",
        nargs="*",
        help="C-MOVE (a service), C-MOVE-RQ (a message), CMoveRequest (a class), or: status A801",
    )
    describe.add_argument("--all", action="store_true", help="describe all 12 services")
    describe.add_argument("--service", help="with `status`: the service, e.g. C-MOVE")

    decode = commands.add_parser(
        "decode",
        help="decode captured command sets or PDU streams",
        description="Decode bare command sets, command sets followed by a data set, raw "
        "PDU streams, or hex dumps of them (plain hex, xxd, hexdump -C, Wireshark's "
        "Follow TCP Stream and tshark -qz follow,tcp,hex: each direction its own "
        "stream), detected by content. Records go to stdout (error records too), a "
        "line per undecodable input to stderr. Exit status: 0 decoded clean, 1 decoded "
        "with error diagnostics (with --strict: with any diagnostic), 2 could not decode.",
    )
    decode.add_argument("files", nargs="*", default=["-"], help="files to read; - is stdin")
    decode.add_argument("--format", choices=FORMATS, help="skip detection")
    decode.add_argument("--json", action="store_true", help="print JSON Lines")
    decode.add_argument(
        "--data",
        action="store_true",
        help="with --json: each data set, and each PDU other than P-DATA-TF, as base64 "
        "(what `encode --pdata` needs to write the stream again)",
    )
    decode.add_argument(
        "--show-secrets",
        action="store_true",
        help="show User Identity passcodes and tokens (redacted otherwise); with --json, "
        "what `encode` needs to write such an A-ASSOCIATE PDU again",
    )
    decode.add_argument(
        "--strict", action="store_true", help="exit 1 for any diagnostic, warnings too"
    )
    decode.add_argument("--no-color", action="store_true", help="never use colour")

    encode_command = commands.add_parser(
        "encode",
        help="encode messages given as JSON",
        description="Read messages as JSON: one object, or JSON Lines (records as "
        "`decode --json` prints them, or bare command objects). Write the one message's "
        "command set (and its data set after it, if the input holds it), or with --pdata "
        "the P-DATA-TF PDUs of every message, each on its record's context, fragmented "
        "for the maximum PDU length the input's A-ASSOCIATE PDUs give for its stream. "
        "Records from `decode --json --data` carry the data sets and the other PDUs, "
        "which --pdata writes back unchanged: the stream again.",
    )
    encode_command.add_argument("file", nargs="?", default="-", help="JSON file; - is stdin")
    encode_command.add_argument("-o", "--output", default="-", help="where to write; - is stdout")
    encode_command.add_argument("--pdata", action="store_true", help="write P-DATA-TF PDUs")
    encode_command.add_argument(
        "--context-id",
        type=int,
        help="presentation context ID of every message (default: each record's own, else 1)",
    )
    encode_command.add_argument(
        "--max-pdu",
        type=int,
        help="the receiver's maximum PDU length, for every stream (default: what the "
        f"input's A-ASSOCIATE PDUs say for each, else {DEFAULT_MAX_PDU}; 0: no maximum)",
    )
    encode_command.add_argument("--data-set", help="file holding the encoded data set to send")
    encode_command.add_argument(
        "--data-set-type",
        type=_data_set_type,
        help="Command Data Set Type to send; 0x0101 sends the message without its data set",
    )
    tap = commands.add_parser(
        "tap",
        help="proxy a DICOM connection and decode every message",
        description="A TCP proxy between a DICOM client and server that decodes every "
        "DIMSE message in both directions, prints one line per message, and forwards the "
        "bytes unchanged (or re-encoded by dimsekit with --reencode). Ctrl-C stops it.",
    )
    tap.add_argument(
        "--listen", required=True, type=_address, help="HOST:PORT to accept on ([::1]:PORT)"
    )
    tap.add_argument("--upstream", required=True, type=_address, help="HOST:PORT of the server")
    tap.add_argument("--reencode", action="store_true", help="forward dimsekit's own encoding")
    tap.add_argument("--jsonl", type=Path, help="also write one JSON record per message here")
    tap.add_argument("--record", type=Path, help="write each connection's raw streams here")
    tap.add_argument("--quiet", action="store_true", help="print nothing per message")
    network_parsers(commands.add_parser)
    return parser


def _data_set_type(text: str) -> int:
    """A Command Data Set Type: a US value (PS3.7 9.3, 10.3), written as Python writes
    an int (``0x0101``, ``257``)."""
    try:
        value = int(text, 0)
    except ValueError:
        wanted = f"expected a number such as 0x0001, not {text!r}"
        raise argparse.ArgumentTypeError(wanted) from None
    problem = us_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{text!r}: {problem}")
    return value


def _address(text: str) -> tuple[str, int]:
    """HOST:PORT, an IPv6 literal in brackets ([::1]:11112)."""
    bracketed = re.fullmatch(r"\[([^\]]*)\]:(\w*)", text)
    if bracketed:
        host, port = bracketed.groups()
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{host!r} in brackets is no IPv6 address (in {text!r})"
            ) from None
    else:
        host, colon, port = text.rpartition(":")
        if not colon or not host:
            raise argparse.ArgumentTypeError(f"expected HOST:PORT, not {text!r}")
        if ":" in host:
            raise argparse.ArgumentTypeError(
                f"an IPv6 address goes in brackets: [{host}]:{port}, not {text!r}"
            )
    if not port.isdigit() or not 0 <= int(port) <= 0xFFFF:
        raise argparse.ArgumentTypeError(f"port {port!r} is not a number from 0 to 65535")
    return host, int(port)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "describe":
            return _describe(args)
        if args.command == "decode":
            return _decode(args)
        if args.command in NETWORK_COMMANDS:
            return run_network(args)
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


def _status_code(text: str) -> int | None:
    """A status code as PS3.7 and the toolkits write them: hex, with or without 0x or a
    trailing H (A801, a801, 0xA801, A801H)."""
    match = re.fullmatch(r"(?:0[xX])?([0-9A-Fa-f]{1,4})[hH]?", text.strip())
    return None if match is None else int(match.group(1), 16)


def _describe(args: argparse.Namespace) -> int:
    words: list[str] = args.message
    if words[:1] == ["status"]:
        if len(words) != 2:
            print("dimsekit describe status: give one code, e.g. A801", file=sys.stderr)
            return EXIT_FAILED
        code = _status_code(words[1])
        if code is None:
            print(
                f"dimsekit describe status: {words[1]!r} is no status code: give up to 4 "
                "hex digits, e.g. A801, 0xA801 or A801H",
                file=sys.stderr,
            )
            return EXIT_FAILED
        sys.stdout.write(describe_status(code, args.service))
        return EXIT_OK
    if args.all == bool(words) or len(words) > 1:
        print("dimsekit describe: give one MESSAGE, `status CODE`, or --all", file=sys.stderr)
        return EXIT_FAILED
    classes = find_message_classes(None if args.all else words[0])
    pdu = None if classes else find_pdu(words[0])
    if pdu is not None:
        sys.stdout.write(describe_pdu(pdu))
        return EXIT_OK
    if not classes:
        print(f"dimsekit describe: no DIMSE message {words[0]!r}", file=sys.stderr)
        return EXIT_FAILED
    sys.stdout.write(describe_messages(classes))
    return EXIT_OK


def _open_name(name: str) -> str:
    return "<stdin>" if name == "-" else name


def _open(name: str, stack: ExitStack) -> tuple[IO[bytes], str, str | None]:
    """The stream to read, the name records give it, and its path if it is a file."""
    if name == "-":
        return sys.stdin.buffer, _open_name(name), None
    stream = stack.enter_context(open(name, "rb"))  # noqa: SIM115 (closed by the stack)
    return stream, name, name if Path(name).is_file() else None


def _decode(args: argparse.Namespace) -> int:
    options = DecodeOptions(args.format, include_data=args.data, show_secrets=args.show_secrets)
    status = EXIT_OK

    def records() -> Iterator[Record]:
        nonlocal status
        learned = LearnedAssociation()
        for name in args.files:
            with ExitStack() as stack:
                try:
                    stream, source, path = _open(name, stack)
                    for record in decode_file(stream, source, options, learned, path=path):
                        status = max(status, record_status(record, args.strict))
                        if record["kind"] == "error":
                            sys.stdout.flush()  # the record first, then its summary
                            print(f"dimsekit decode: {error_line(record)}", file=sys.stderr)
                        yield record
                except OSError as error:
                    status = EXIT_FAILED
                    print(f"dimsekit decode: {name}: {error.strerror or error}", file=sys.stderr)

    if args.json:
        render_json_lines(records(), sys.stdout)
    else:
        # one input: no header unless it holds several streams (a two-way hex dump)
        unheaded = None if len(args.files) > 1 else _open_name(args.files[0])
        render_text(records(), sys.stdout, Style(sys.stdout, args.no_color), unheaded=unheaded)
    return status


def _encode(args: argparse.Namespace) -> int:
    with ExitStack() as stack:
        stream, _, _ = _open(args.file, stack)
        text = stream.read()
    options = EncodeOptions(
        pdata=args.pdata,
        context_id=args.context_id,
        max_pdu=args.max_pdu,
        data_set=DataSetPayload.from_file(args.data_set) if args.data_set else None,
        data_set_type=args.data_set_type,
    )

    def warn(line: str) -> None:
        print(f"dimsekit encode: {line}", file=sys.stderr)

    chunks = list(encode(text, options, warn))  # all or nothing: an error writes no bytes
    if args.output == "-":
        sys.stdout.buffer.writelines(chunks)
        sys.stdout.buffer.flush()
    else:
        with open(args.output, "wb") as output:
            output.writelines(chunks)
    return EXIT_OK
