"""``dimsekit echo``, ``dimsekit store`` and ``dimsekit serve``: a Verification SCU, a
Storage SCU and a Verification and Storage SCP, on :mod:`dimsekit.aio`; and what every
client command shares (``find``, ``get`` and ``move`` too, in ``_retrieve``).

Owns: what each command does with its options (:class:`ClientOptions`,
:class:`ServeOptions`, :class:`TlsFiles`) and the exit status it ends with (0: done, a
warning status included; 1: the peer answered a failure status; 2: no association, or it
was rejected or aborted, or nothing could be sent); the files ``store`` sends (FILE and
DIR arguments, directories scanned recursively, non-DICOM files skipped with a warning),
the presentation contexts proposed for them (for each SOP class, one in each transfer
syntax of its files, whose data sets go from disk as they are, and for an uncompressed
one, one in the transfer syntaxes asked for, to re-encode into where the peer takes only
those), how many are sent at once; connect retries (:func:`associate`), the words of a
status (:func:`status_words`, :func:`fails`), a client command's run to its exit status
(:func:`run_client`) and the one line an error ends it with (:func:`report_error`); the
logging of ``dimsekit.aio`` to the terminal (``serve``: each line on stdout; the clients:
only with ``--verbose``, on stderr, :func:`client_log`).

Must not know: any rule of PS3.8 or PS3.7 (the engine's and :mod:`dimsekit.aio`'s), how
the File Meta Information is laid out, how an instance is kept on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import ssl
import sys
from collections.abc import Coroutine, Iterable, Iterator, Sequence
from typing import IO, Final

import attrs
import pydicom
from pydicom.uid import UID

from .._association.negotiation import DEFAULT_MAX_PDU_LENGTH, ProposedContext
from .._errors import DimseError
from ..aio import (
    LOGGER,
    AssociationError,
    ClientAssociation,
    DuplicatePolicy,
    Handlers,
    Part10Error,
    Part10Instance,
    StoreRequested,
    StoreToDirectory,
    connect,
    is_native_syntax,
    policy_for,
    read_part10,
    serve,
)
from ..messages import VERIFICATION_SOP_CLASS, CStoreRequest, CStoreResponse, Response
from ._progress import Progress, Tally

__all__ = [
    "EXIT_FAILURE_STATUS",
    "EXIT_NO_ASSOCIATION",
    "EXIT_OK",
    "DUPLICATES",
    "PROPOSALS",
    "ClientOptions",
    "ServeOptions",
    "TlsFiles",
    "associate",
    "client_log",
    "end_association",
    "fails",
    "report_error",
    "run_client",
    "run_echo",
    "run_serve",
    "run_store",
    "status_words",
]

EXIT_OK: Final = 0
"""Done: every operation answered with a success or warning status."""
EXIT_FAILURE_STATUS: Final = 1
"""The peer answered a failure status (or refused what a file needed)."""
EXIT_NO_ASSOCIATION: Final = 2
"""No association: the connection failed, or the association was rejected or aborted."""

EXPLICIT_LITTLE: Final = UID("1.2.840.10008.1.2.1")
EXPLICIT_BIG: Final = UID("1.2.840.10008.1.2.2")
IMPLICIT_LITTLE: Final = UID("1.2.840.10008.1.2")

PROPOSALS: Final[dict[str, tuple[UID, ...]]] = {
    "uncompressed": (EXPLICIT_LITTLE, IMPLICIT_LITTLE),
    "little": (EXPLICIT_LITTLE, IMPLICIT_LITTLE),
    "big": (EXPLICIT_BIG, EXPLICIT_LITTLE, IMPLICIT_LITTLE),
    "implicit": (IMPLICIT_LITTLE,),
}
"""What DCMTK's ``-x=``, ``-xe``, ``-xb`` and ``-xi`` propose for an uncompressed data
set, by name (``-x=`` and ``-xe`` leave out Explicit VR Big Endian, which DCMTK offers
second: it is retired, PS3.5 A.3, and asked for only with ``-xb``)."""

DUPLICATES: Final = {
    "overwrite": DuplicatePolicy.OVERWRITE,
    "keep": DuplicatePolicy.KEEP_BOTH,
    "refuse": DuplicatePolicy.REFUSE,
}
"""``serve --duplicates``: what is done with an instance received again."""

_RETRY_EVERY: Final = 0.1
"""Seconds between two connection attempts with ``--connect-retry``."""


# --- options ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TlsFiles:
    """The TLS files of ``--tls-cert``, ``--tls-key`` and ``--tls-ca`` (PS3.15 B.1: the
    TLS Secure Transport Connection Profile), PEM files as Python's :mod:`ssl` reads them."""

    cert: str | None = None
    key: str | None = None
    ca: str | None = None

    def client_context(self) -> ssl.SSLContext:
        """The requestor's: the server's certificate checked against ``ca`` (else the
        system's authorities), ours sent when given."""
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca)
        if self.cert is not None:
            context.load_cert_chain(self.cert, self.key)
        return context

    def server_context(self) -> ssl.SSLContext:
        """The acceptor's: our certificate and key (required); with ``ca``, the client's
        certificate is required and checked against it."""
        if self.cert is None:
            raise ValueError("a TLS server needs its certificate: give --tls-cert (and --tls-key)")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        if self.ca is not None:
            context.load_verify_locations(cafile=self.ca)
            context.verify_mode = ssl.CERT_REQUIRED
        return context


@attrs.frozen(kw_only=True)
class ClientOptions:
    """What ``echo`` and ``store`` are told about the association to request."""

    host: str
    port: int
    called_ae_title: str = "ANY-SCP"
    calling_ae_title: str = "DIMSEKIT"
    max_pdu_length: int = DEFAULT_MAX_PDU_LENGTH
    transfer_syntaxes: tuple[str, ...] = PROPOSALS["uncompressed"]
    connect_timeout: float | None = 30.0
    acse_timeout: float | None = 30.0
    dimse_timeout: float | None = None
    connect_retry: float = 0.0
    tls: TlsFiles | None = None
    verbose: int = 0


@attrs.frozen(kw_only=True)
class ServeOptions:
    """What ``serve`` is told."""

    port: int
    host: str = "127.0.0.1"
    ae_title: str | None = None
    store_dir: str | None = None
    duplicates: str = "overwrite"
    once: bool = False
    max_pdu_length: int = DEFAULT_MAX_PDU_LENGTH
    acse_timeout: float | None = 30.0
    dimse_timeout: float | None = None
    tls: TlsFiles | None = None
    verbose: int = 0


# --- logging ----------------------------------------------------------------------------


class _Lines(logging.Formatter):
    """A time, the level when it is not INFO, the message: one line per record."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(level_prefix)s%(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        record.level_prefix = "" if record.levelno == logging.INFO else f"{record.levelname} "
        return super().format(record)


@contextlib.contextmanager
def _logging(stream: IO[str] | None, level: int) -> Iterator[None]:
    """The ``dimsekit.aio`` log on ``stream`` from ``level`` up while the command runs;
    with None, nowhere (the command says what went wrong itself, once)."""
    handler: logging.Handler
    if stream is None:
        handler = logging.NullHandler()
    else:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(_Lines())
    saved = LOGGER.level, LOGGER.propagate
    LOGGER.addHandler(handler)
    LOGGER.setLevel(level if stream is not None else logging.CRITICAL)
    LOGGER.propagate = False
    try:
        yield
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(saved[0])
        LOGGER.propagate = saved[1]


def client_log(verbose: int) -> contextlib.AbstractContextManager[None]:
    if verbose <= 0:
        return _logging(None, logging.CRITICAL)
    return _logging(sys.stderr, logging.INFO if verbose == 1 else logging.DEBUG)


def status_words(response: Response) -> str:
    status = response.status
    return f"status 0x{int(status):04X} ({status.category.value}): {response.status_meaning}"


def fails(response: Response) -> bool:
    """A final status that is neither a success nor a warning (PS3.7 C: a failure, or a
    cancel, which is no success either)."""
    status = response.status
    return not (status.is_success or status.is_warning)


# --- connecting -------------------------------------------------------------------------


async def associate(
    options: ClientOptions,
    contexts: Sequence[ProposedContext],
    async_window: tuple[int, int] | None = None,
    handlers: Handlers | None = None,
) -> ClientAssociation:
    """The association ``options`` ask for, the connection tried again while it is refused
    and ``connect_retry`` seconds have not passed; ``handlers`` answer what the peer asks
    of us on it (a C-GET's C-STORE sub-operations)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + options.connect_retry
    ssl_context = options.tls.client_context() if options.tls is not None else None
    while True:
        try:
            return await connect(
                options.host,
                options.port,
                options.called_ae_title,
                options.calling_ae_title,
                contexts=contexts,
                max_pdu_length=options.max_pdu_length,
                async_window=async_window,
                ssl=ssl_context,
                connect_timeout=options.connect_timeout,
                request_timeout=options.acse_timeout,
                release_timeout=options.acse_timeout,
                response_timeout=options.dimse_timeout,
                artim_timeout=options.acse_timeout or 30.0,
                handlers=handlers,
            )
        except AssociationError as error:
            refused = isinstance(error.__cause__, ConnectionRefusedError)
            if not refused or loop.time() + _RETRY_EVERY > give_up:
                raise
        await asyncio.sleep(_RETRY_EVERY)


def report_error(command: str, error: BaseException) -> int:
    """Say why ``command`` ended in one line on stderr: exit status 2."""
    print(f"dimsekit {command}: {error}", file=sys.stderr)
    return EXIT_NO_ASSOCIATION


async def end_association(association: ClientAssociation) -> None:
    """Abort an association still established (the command ended early), and wait for
    its transport to close, whichever way it ends (the engine's ARTIM bounds the wait)."""
    if association.is_established:
        await association.abort()
    await association.wait_closed()


# --- echo -------------------------------------------------------------------------------


def run_client(command: str, verbose: int, work: Coroutine[None, None, int]) -> int:
    """Run a client command's ``work`` to its exit status, its log on stderr as
    ``verbose`` asks; an association that could not be had or ended under it, or Ctrl-C
    before ``work`` handled it, ends the command in one line (exit status 2)."""
    with client_log(verbose):
        try:
            return asyncio.run(work)
        except (AssociationError, OSError, ssl.SSLError) as error:
            return report_error(command, error)
        except KeyboardInterrupt:
            return report_error(command, KeyboardInterrupt("interrupted"))


def run_echo(options: ClientOptions, repeat: int = 1) -> int:
    """C-ECHO ``repeat`` times on one association (PS3.7 9.1.5), each status printed."""
    return run_client("echo", options.verbose, _echo(options, repeat))


async def _echo(options: ClientOptions, repeat: int) -> int:
    context = ProposedContext(
        abstract_syntax=VERIFICATION_SOP_CLASS, transfer_syntaxes=options.transfer_syntaxes
    )
    association = await associate(options, [context])
    status = EXIT_OK
    try:
        for number in range(1, repeat + 1):
            response = await association.echo()
            print(f"C-ECHO {number}: {status_words(response)}", flush=True)
            if fails(response):
                status = EXIT_FAILURE_STATUS
        await association.release()
    finally:
        await end_association(association)
    return status


# --- store ------------------------------------------------------------------------------


async def send_instance(association: ClientAssociation, instance: Part10Instance) -> CStoreResponse:
    """C-STORE of ``instance`` (PS3.7 9.1.1): its data set sent from disk as it is on a
    context accepted in the file's own transfer syntax; else, for an uncompressed data
    set, read and written again in the transfer syntax of the context accepted for its SOP
    class; else :class:`~dimsekit.ContextNotAgreedError` says what the peer answered."""
    agreed = association.agreement.contexts_for(
        instance.sop_class_uid, instance.transfer_syntax, scu="requestor"
    )
    if agreed:
        payload = instance.payload()
        return await association.invoke(
            agreed[0].context_id,
            lambda message_id: CStoreRequest(
                message_id=message_id,
                affected_sop_class_uid=instance.sop_class_uid,
                affected_sop_instance_uid=instance.sop_instance_uid,
                data_set=payload,
            ),
        )
    if not is_native_syntax(instance.transfer_syntax):
        association.agreement.context_for(
            instance.sop_class_uid, instance.transfer_syntax, scu="requestor"
        )  # raises, saying why
    # read and written again where a context of the same byte order took a native one;
    # else ContextNotAgreedError says what the peer answered
    return await association.store(pydicom.dcmread(instance.path))


def find_files(arguments: Iterable[str]) -> Iterator[str]:
    """Each FILE argument, and every file under each DIR argument (recursively, in name
    order), as ``storescu +sd +r`` scans them."""
    for argument in arguments:
        if os.path.isdir(argument):
            for directory, subdirectories, names in os.walk(argument):
                subdirectories.sort()
                for name in sorted(names):
                    yield os.path.join(directory, name)
        else:
            yield argument


def proposed_contexts(
    instances: Iterable[Part10Instance], transfer_syntaxes: Sequence[str]
) -> list[ProposedContext]:
    """The contexts proposed for ``instances`` (PS3.8 7.1.1.13), in the order of the
    files: for each SOP class, one in each transfer syntax of its files (their data sets
    are sent as they are, from disk) and, for one in an uncompressed transfer syntax, one
    in ``transfer_syntaxes`` too (the data set re-encoded for the one accepted, where
    the peer does not accept the file's own)."""
    wanted: dict[tuple[str, tuple[str, ...]], None] = {}
    for instance in instances:
        wanted[(instance.sop_class_uid, (instance.transfer_syntax,))] = None
        if is_native_syntax(instance.transfer_syntax):
            wanted[(instance.sop_class_uid, tuple(transfer_syntaxes))] = None
    return [
        ProposedContext(abstract_syntax=sop_class, transfer_syntaxes=syntaxes)
        for sop_class, syntaxes in wanted
    ]


def run_store(options: ClientOptions, arguments: Sequence[str], *, parallel: int = 1) -> int:
    """C-STORE of every DICOM file of ``arguments``, ``parallel`` at once (the window
    proposed accordingly, PS3.7 D.3.3.3); the summary line on stdout at the end."""
    progress_stream = sys.stderr
    instances: list[Part10Instance] = []
    for path in find_files(arguments):
        try:
            # its head only: a small file's data set is read again when it is sent
            instances.append(attrs.evolve(read_part10(path), data_set=None))
        except Part10Error as error:  # it names the file, and the offset
            print(f"dimsekit store: skipping {error}", file=progress_stream)
        except OSError as error:
            print(
                f"dimsekit store: skipping {path}: {error.strerror or error}", file=progress_stream
            )
    if not instances:
        print("dimsekit store: no DICOM files to send", file=progress_stream)
        return EXIT_NO_ASSOCIATION
    return run_client(
        "store", options.verbose, _store(options, instances, parallel, progress_stream)
    )


async def _store(
    options: ClientOptions, instances: list[Part10Instance], parallel: int, stream: IO[str]
) -> int:
    contexts = proposed_contexts(instances, options.transfer_syntaxes)
    window = (parallel, 1) if parallel > 1 else None
    association = await associate(options, contexts, window)
    tally = Tally(total=len(instances))
    progress = Progress(tally, stream)
    progress.update(force=True)
    queue = iter(instances)
    ended: list[AssociationError] = []

    async def sender() -> None:
        for instance in queue:
            if ended:
                return
            try:
                response = await send_instance(association, instance)
            except AssociationError as error:
                ended.append(error)
                return
            except (DimseError, ValueError, OSError) as error:
                tally.failed += 1
                progress.say(f"dimsekit store: {instance.path}: not sent: {error}")
            else:
                tally.bytes_sent += instance.data_set_length
                if fails(response):
                    tally.failed += 1
                    progress.say(f"dimsekit store: {instance.path}: {status_words(response)}")
                else:
                    tally.sent += 1
                    if response.status.is_warning:
                        tally.warned += 1
                        progress.say(f"dimsekit store: {instance.path}: {status_words(response)}")
            progress.update()

    try:
        await asyncio.gather(*(sender() for _ in range(max(parallel, 1))))
        if not ended:
            await association.release()
    except AssociationError as error:
        ended.append(error)
    finally:
        await end_association(association)
        progress.finish()
    print(tally.summary(), flush=True)
    if ended:
        raise ended[0]
    return EXIT_FAILURE_STATUS if tally.failed else EXIT_OK


# --- serve ------------------------------------------------------------------------------


async def _drop(event: StoreRequested) -> int:
    """``serve`` without ``--store-dir``: the instance received, then dropped (storescp
    ``--ignore``)."""
    return 0x0000


def run_serve(options: ServeOptions) -> int:
    """Answer C-ECHO and C-STORE on ``options.port`` until Ctrl-C (exit 0), or, with
    ``once``, until the first association has ended."""
    with _logging(sys.stdout, logging.DEBUG if options.verbose > 0 else logging.INFO):
        try:
            asyncio.run(_serve(options))
        except KeyboardInterrupt:
            pass
        except (OSError, ssl.SSLError, ValueError, DimseError) as error:
            print(f"dimsekit serve: {error}", file=sys.stderr)
            return EXIT_NO_ASSOCIATION
    return EXIT_OK


async def _serve(options: ServeOptions) -> None:
    handlers = Handlers(
        store=_drop
        if options.store_dir is None
        else StoreToDirectory(options.store_dir, duplicates=DUPLICATES[options.duplicates])
    )
    policy = policy_for(handlers, ae_title=options.ae_title, max_pdu_length=options.max_pdu_length)
    ssl_context = options.tls.server_context() if options.tls is not None else None
    try:
        server = await serve(
            options.host,
            options.port,
            handlers=handlers,
            policy=policy,
            ssl=ssl_context,
            artim_timeout=options.acse_timeout or 30.0,
            release_timeout=options.acse_timeout,
            idle_timeout=options.dimse_timeout,
        )
    except OSError as error:
        reason = error.strerror or str(error)
        raise OSError(f"cannot listen on {options.host}:{options.port}: {reason}") from None
    loop = asyncio.get_running_loop()
    stop: asyncio.Future[None] = loop.create_future()

    def stopping(number: int) -> None:
        if not stop.done():
            stop.set_result(None)

    for number in (signal.SIGINT, signal.SIGTERM):
        # not in the main thread, or not on this platform: Ctrl-C is KeyboardInterrupt
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, stopping, number)
    host, port = server.address
    called = options.ae_title or "any called AE title"
    kept = (
        f"keeping instances in {options.store_dir}" if options.store_dir else "dropping instances"
    )
    LOGGER.info(
        "listening on %s:%s as %s, %s%s",
        host,
        port,
        called,
        kept,
        "; one association" if options.once else "",
    )
    ending: asyncio.Future[None] = asyncio.ensure_future(
        server.wait_served(1) if options.once else server.serve_forever()
    )
    try:
        await asyncio.wait({ending, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ending.cancel()
        server.close()
        if stop.done():
            server.abort_all()
        await server.wait_closed()
        for number in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(number)
    LOGGER.info("stopped after %d association%s", server.served, "" if server.served == 1 else "s")
