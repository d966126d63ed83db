"""The command-line arguments of ``dimsekit``'s network commands (echo, store, serve,
find, get, move), and each command run from them.

Owns: each network subcommand's parser, with DCMTK's spellings of its options as aliases;
what each argument is turned into (ports, AE titles, PDU lengths, seconds, transfer
syntaxes, TLS files, query keys) and the bad ones refused with argparse's error; the
options each command is run with (:class:`~dimsekit.cli._network.ClientOptions`,
:class:`~dimsekit.cli._network.ServeOptions`) and the command run (:func:`run_network`).

Must not know: what a command does on the network (``_network``, ``_retrieve``), any rule
of PS3.7 or PS3.8.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Final

from pydicom.uid import UID

from .._association.negotiation import DEFAULT_MAX_PDU_LENGTH
from .._association.sop_classes import QUERY_MODELS
from .._model.vr import AE_TEXT, UID_SYNTAX
from ._network import (
    PROPOSALS,
    ClientOptions,
    ServeOptions,
    TlsFiles,
    run_echo,
    run_serve,
    run_store,
)
from ._retrieve import (
    Key,
    build_identifier,
    parse_key,
    query_level,
    run_find,
    run_get,
    run_move,
    storage_class,
)

__all__ = ["NETWORK_COMMANDS", "network_parsers", "run_network"]

NETWORK_COMMANDS: Final = frozenset({"echo", "store", "serve", "find", "get", "move"})
"""The subcommands this module parses and runs."""


def run_network(args: argparse.Namespace) -> int:
    """Run network subcommand ``args.command`` with the options its arguments give; its
    exit status."""
    if args.command == "echo":
        return run_echo(_client_options(args), args.repeat)
    if args.command == "store":
        return run_store(_client_options(args), args.paths, parallel=args.parallel)
    if args.command == "serve":
        return run_serve(_serve_options(args))
    return _query_retrieve(args)


_EXITS = (
    "Exit status: 0 success (a warning status included), 1 the peer answered a failure "
    "status, 2 no association (the connection failed, or the association was rejected or "
    "aborted: the error says why)."
)


def network_parsers(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """echo, store and serve, with DCMTK's spellings of their options as aliases (``-aet``,
    ``-aec``, ``-pdu``, ``-to``, ``-ta``, ``-td``, ``-x=``/``-xe``/``-xb``/``-xi``,
    ``+tls KEY CERT``, ``-od``)."""
    echo = add_parser(
        "echo",
        help="C-ECHO a DICOM peer (like DCMTK's echoscu)",
        description="Request an association proposing Verification and send C-ECHO, "
        f"printing each status. {_EXITS}",
        prefix_chars="-+",
        allow_abbrev=False,
    )
    _client_arguments(echo)
    echo.add_argument(
        "-r", "--repeat", type=_positive_int, default=1, metavar="N", help="send N C-ECHOs"
    )
    store = add_parser(
        "store",
        help="C-STORE DICOM files to a peer (like DCMTK's storescu +sd +r)",
        description="Send each DICOM Part 10 FILE, and every one under each DIR (scanned "
        "recursively; other files are skipped with a warning), on one association. For "
        "each SOP class, a presentation context is proposed in each transfer syntax of its "
        "files (their data sets are sent from disk as they are) and, for an uncompressed "
        "one, one in the --propose-ts/-x syntaxes too (the data set re-encoded where the "
        "peer takes one of those instead). Each file is sent even if one before it failed. "
        "On a terminal, stderr shows the progress; the summary line goes to stdout. "
        f"{_EXITS}",
        prefix_chars="-+",
        allow_abbrev=False,
    )
    _client_arguments(store)
    store.add_argument("paths", nargs="+", metavar="FILE|DIR", help="files or directories")
    store.add_argument(
        "--async",
        dest="parallel",
        type=_positive_int,
        default=1,
        metavar="N",
        help="N operations outstanding at once (an asynchronous operations window of N "
        "proposed; default 1: synchronous)",
    )
    serve = add_parser(
        "serve",
        help="answer C-ECHO and C-STORE (like DCMTK's storescp)",
        description="Listen on PORT and accept Verification and the storage SOP classes "
        "(in Explicit VR Little Endian, Explicit VR Big Endian and Implicit VR Little "
        "Endian), printing one line per association and per operation on stdout. Without "
        "--store-dir the instances are received and dropped (storescp --ignore). Ctrl-C "
        "stops it (exit status 0).",
        prefix_chars="-+",
        allow_abbrev=False,
    )
    serve.add_argument("port", type=_port, metavar="PORT", help="TCP port (0: any free one)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only: give 0.0.0.0 or "
        ":: to take associations from the network)",
    )
    serve.add_argument(
        "--ae-title",
        "-aet",
        metavar="AE",
        help="the called AE title answered to; others are rejected (default: any)",
    )
    serve.add_argument(
        "--store-dir",
        "-od",
        metavar="DIR",
        help="keep each instance as a Part 10 file named by its SOP Instance UID in DIR",
    )
    serve.add_argument(
        "--duplicates",
        choices=("overwrite", "keep", "refuse"),
        default="overwrite",
        help="with --store-dir, an instance received again: replace the file, keep both, "
        "or refuse it (status 0111H, duplicate SOP instance)",
    )
    serve.add_argument("--once", action="store_true", help="exit after one association")
    _common_arguments(serve, client=False)
    _retrieve_parsers(add_parser)


_KEYS = (
    "Keys as findscu takes them: -k PatientName=DOE* (a keyword of the DICOM dictionary, or "
    "a tag: (0010,0010)=DOE*, 0010,0010=DOE*), -k StudyInstanceUID (no value: a return "
    "key), -k ScheduledProcedureStepSequence[0].Modality=MR (into a sequence's item); a "
    "later key of the same attribute replaces an earlier one. The level is --level, or "
    "-k QueryRetrieveLevel=..., else STUDY (findscu has no default). Ctrl-C sends the "
    "C-CANCEL and waits a few seconds for the final response (exit status 1); again, it "
    "aborts (2)."
)


def _retrieve_parsers(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    """find, get and move, with DCMTK's spellings: ``-P``/``-S``/``-W``, ``-k``, ``-aem``,
    ``-od``, and the client options of echo and store."""
    find = add_parser(
        "find",
        help="C-FIND a Query/Retrieve or worklist SCP (like DCMTK's findscu)",
        description="Send a C-FIND of the keys given and print each match as it comes, "
        "one line of keyword=value pairs (a value with a space, quote or backslash in "
        "shell quoting), or with --json one object per line in the DICOM JSON model; then "
        "the count and "
        f"the final status on stderr. {_KEYS} {_EXITS}",
        prefix_chars="-+",
        allow_abbrev=False,
    )
    find.add_argument(
        "--json", action="store_true", help="print each match as JSON (PS3.18 F.2), one a line"
    )
    get = add_parser(
        "get",
        help="C-GET instances from a Query/Retrieve SCP into a directory (like getscu)",
        description="Send a C-GET of the keys given; the peer sends each instance on the "
        "same association, kept as a Part 10 file named by its SOP Instance UID in "
        "--store-dir. The SCP role is proposed for 82 storage SOP classes in common use "
        "(--sop-class adds more: at most 127 in all, PS3.8 9.3.2.2). On a terminal, "
        "stderr shows the sub-operations' progress; the summary goes to stdout. "
        f"{_KEYS} {_EXITS}",
        prefix_chars="-+",
        allow_abbrev=False,
    )
    get.add_argument(
        "--store-dir",
        "-od",
        default=".",
        metavar="DIR",
        help="where the instances go (default: the current directory, as getscu's)",
    )
    get.add_argument(
        "--sop-class",
        dest="sop_classes",
        action="append",
        default=[],
        type=_storage_class,
        metavar="UID",
        help="propose the SCP role for this storage SOP class too (a UID or a keyword "
        "such as CTImageStorage); repeat it for more",
    )
    move = add_parser(
        "move",
        help="C-MOVE instances from a Query/Retrieve SCP to an AE (like movescu)",
        description="Send a C-MOVE of the keys given to --move-destination, an AE title "
        "the peer knows the address of. On a terminal, stderr shows the sub-operations' "
        f"progress; the summary goes to stdout. {_KEYS} {_EXITS}",
        prefix_chars="-+",
        allow_abbrev=False,
    )
    move.add_argument(
        "--move-destination",
        "-aem",
        required=True,
        type=_ae_title,
        metavar="AE",
        help="the AE title the instances go to",
    )
    for parser in (find, get, move):
        _client_arguments(parser)
        models = parser.add_mutually_exclusive_group()
        for flag, long, name in (("-P", "--patient", "patient"), ("-S", "--study", "study")):
            models.add_argument(
                flag,
                long,
                dest="model",
                action="store_const",
                const=name,
                help=f"the {name} root information model" + (" (default)" * (name == "study")),
            )
        if parser is find:
            models.add_argument(
                "-W",
                "--worklist",
                dest="model",
                action="store_const",
                const="worklist",
                help="the modality worklist information model",
            )
        parser.set_defaults(model="study")
        parser.add_argument(
            "-k",
            "--key",
            dest="keys",
            action="append",
            default=[],
            type=_key,
            metavar="KEY[=VALUE]",
            help="a matching key (KEY=VALUE) or a return key (KEY); repeat it for more",
        )
        parser.add_argument(
            "--cancel",
            dest="cancel_after",
            type=_positive_int,
            metavar="N",
            help="send the C-CANCEL after N Pending responses (as DCMTK's --cancel)",
        )
        parser.add_argument(
            "--level",
            type=str.upper,
            metavar="LEVEL",
            help="the Query/Retrieve Level: PATIENT, STUDY, SERIES or IMAGE (default STUDY)",
        )


def _client_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("host", metavar="HOST", help="the peer's host name or address")
    parser.add_argument("port", type=_port, metavar="PORT", help="the peer's TCP port")
    parser.add_argument(
        "--calling-ae",
        "-aet",
        default="DIMSEKIT",
        metavar="AE",
        help="our AE title (default DIMSEKIT)",
    )
    parser.add_argument(
        "--called-ae",
        "-aec",
        default="ANY-SCP",
        metavar="AE",
        help="the peer's AE title (default ANY-SCP)",
    )
    syntaxes = parser.add_mutually_exclusive_group()
    syntaxes.add_argument(
        "--propose-ts",
        dest="transfer_syntaxes",
        type=_transfer_syntaxes,
        metavar="TS[,TS...]",
        help="the transfer syntaxes proposed for Verification and for uncompressed data "
        "sets to be re-encoded: "
        "UIDs or explicit, implicit, big, in order of preference (default: explicit,implicit)",
    )
    for flag, name, words in (
        ("-x=", "uncompressed", "explicit VR little endian first, then implicit (default)"),
        ("-xe", "little", "explicit VR little endian first, then implicit"),
        ("-xb", "big", "explicit VR big endian first, then little endian explicit, implicit"),
        ("-xi", "implicit", "implicit VR little endian only"),
    ):
        syntaxes.add_argument(
            flag,
            dest="transfer_syntaxes",
            action="store_const",
            const=PROPOSALS[name],
            help=f"propose {words}",
        )
    parser.add_argument(
        "--connect-timeout",
        "-to",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="give up connecting after SECONDS (default 30)",
    )
    parser.add_argument(
        "--connect-retry",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="try again while the connection is refused, for up to SECONDS",
    )
    _common_arguments(parser, client=True)


def _common_arguments(parser: argparse.ArgumentParser, *, client: bool) -> None:
    parser.add_argument(
        "--max-pdu",
        "-pdu",
        type=_pdu_length,
        default=DEFAULT_MAX_PDU_LENGTH,
        metavar="BYTES",
        help=f"the largest PDU we receive (default {DEFAULT_MAX_PDU_LENGTH}; 0: no limit)",
    )
    parser.add_argument(
        "--acse-timeout",
        "-ta",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="wait that long for an association's answer or its release (default 30)",
    )
    parser.add_argument(
        "--dimse-timeout",
        "-td",
        type=_seconds,
        metavar="SECONDS",
        help="wait that long for each response (default: no limit)"
        if client
        else "abort an association idle that long (default: no limit)",
    )
    if client:
        parser.add_argument(
            "--tls", action="store_true", help="use TLS (implied by the --tls-* options)"
        )
    parser.add_argument("--tls-cert", metavar="PEM", help="our TLS certificate (chain)")
    parser.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    parser.add_argument(
        "--tls-ca",
        metavar="PEM",
        help="the authorities to check the peer's certificate against"
        + (" (default: the system's)" if client else " (a client certificate is then required)"),
    )
    parser.add_argument(
        "+tls",
        dest="dcmtk_tls",
        nargs=2,
        metavar=("KEY", "CERT"),
        help="DCMTK's spelling of --tls-key KEY --tls-cert CERT",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log the association (twice: in detail)" + (" on stderr" if client else ""),
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, not {value}")
    return value


def _key(text: str) -> Key:
    try:
        return parse_key(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _storage_class(text: str) -> str:
    try:
        return storage_class(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _ae_title(text: str) -> str:
    problem = AE_TEXT.problem(text.strip())
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{text!r}: {problem[0]} ({problem[1]})")
    return text.strip()


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 0xFFFF:
        raise argparse.ArgumentTypeError(f"port {text!r} is not a number from 0 to 65535")
    return int(text)


def _pdu_length(text: str) -> int:
    """A Maximum Length (PS3.8 D.1): a 32-bit count, 0 for no maximum."""
    if not text.isdigit() or int(text) > 0xFFFFFFFF:
        raise argparse.ArgumentTypeError(
            f"expected a byte count from 0 to 4294967295, not {text!r}"
        )
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, not {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text!r}")
    return value


_SYNTAX_NAMES = {
    "explicit": PROPOSALS["little"][0],
    "implicit": PROPOSALS["implicit"][0],
    "big": PROPOSALS["big"][0],
}


def _transfer_syntaxes(text: str) -> tuple[str, ...]:
    """Transfer syntaxes by UID or name (explicit, implicit, big), comma-separated: a
    UID pydicom knows must be a transfer syntax's, one it does not (private) is taken."""
    found = []
    for word in text.split(","):
        uid = _SYNTAX_NAMES.get(word.strip().lower(), word.strip())
        kind = UID(uid).type if UID_SYNTAX.fullmatch(uid) else None  # "" for a private one
        if kind not in ("", "Transfer Syntax"):
            raise argparse.ArgumentTypeError(
                f"{word!r} is no transfer syntax: give a UID or explicit, implicit, big"
            )
        found.append(uid)
    return tuple(dict.fromkeys(found))


def _tls(args: argparse.Namespace, *, client: bool) -> TlsFiles | None:
    key, cert = args.dcmtk_tls if args.dcmtk_tls else (args.tls_key, args.tls_cert)
    if (args.tls_key or args.tls_cert) and args.dcmtk_tls:
        raise ValueError("give +tls KEY CERT or --tls-key/--tls-cert, not both")
    if not (key or cert or args.tls_ca or (client and args.tls)):
        return None
    if key and not cert:
        raise ValueError("--tls-key needs --tls-cert")
    return TlsFiles(cert=cert, key=key, ca=args.tls_ca)


def _client_options(args: argparse.Namespace) -> ClientOptions:
    return ClientOptions(
        host=args.host,
        port=args.port,
        called_ae_title=args.called_ae,
        calling_ae_title=args.calling_ae,
        max_pdu_length=args.max_pdu,
        transfer_syntaxes=args.transfer_syntaxes or PROPOSALS["uncompressed"],
        connect_timeout=args.connect_timeout or None,
        acse_timeout=args.acse_timeout or None,
        dimse_timeout=args.dimse_timeout or None,
        connect_retry=args.connect_retry,
        tls=_tls(args, client=True),
        verbose=args.verbose,
    )


def _serve_options(args: argparse.Namespace) -> ServeOptions:
    return ServeOptions(
        port=args.port,
        host=args.host,
        ae_title=args.ae_title,
        store_dir=args.store_dir,
        duplicates=args.duplicates,
        once=args.once,
        max_pdu_length=args.max_pdu,
        acse_timeout=args.acse_timeout or None,
        dimse_timeout=args.dimse_timeout or None,
        tls=_tls(args, client=False),
        verbose=args.verbose,
    )


def _query_retrieve(args: argparse.Namespace) -> int:
    """find, get or move: the identifier checked and made before any connection."""
    model = QUERY_MODELS[args.model]
    identifier = build_identifier(args.keys, query_level(model, args.keys, args.level))
    options = _client_options(args)
    after = args.cancel_after
    if args.command == "find":
        return run_find(options, model, identifier, as_json=args.json, cancel_after=after)
    if args.command == "get":
        return run_get(
            options,
            model,
            identifier,
            store_dir=args.store_dir,
            sop_classes=args.sop_classes,
            cancel_after=after,
        )
    return run_move(options, model, identifier, args.move_destination, cancel_after=after)
