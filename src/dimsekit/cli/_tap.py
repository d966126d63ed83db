"""``dimsekit tap``: a TCP proxy that decodes every DIMSE message passing through it.

Owns: the one place in dimsekit that opens sockets (besides the tests).  Each client
connection gets its own upstream connection and two pumps, one per direction, on
asyncio's Protocol API (``_Connection``, ``_Side``): what a socket reads goes through
its pump to the other socket in the same callback, with no stream buffer to copy it
through and no task to wake per read; a full buffer on one side pauses reading on the
other.  Each pump feeds a StreamingAssembler (``_framing.pdata_receive``), which keeps no data set:
it gives each message's command as soon as it is complete and its data set fragment by
fragment as the bytes arrive.  The pump learns from the typed A-ASSOCIATE-RQ/AC the
assembler gives (``PDUReceived.decoded``) what it needs (each context's transfer
syntax, each side's maximum PDU length), reports every message and every other PDU as
a line (unless ``--quiet``) and a JSON record (with ``--jsonl``), and forwards:

- by default the bytes exactly as received, the moment they arrive;
- with ``--reencode`` each message as dimsekit encodes it, as it arrives: the command set
  from the decoded typed message as soon as it is complete, then the data set
  re-fragmented for the receiving side's maximum PDU length (``MessageFragmenter``):
  each full fragment as soon as its bytes have come, the last at the data set's end;
  other PDUs unchanged.  If both peers still complete their work, dimsekit's bytes are
  as good as theirs.

Reports are built only where someone will see them: with ``--quiet`` and no
``--jsonl`` none is, and nothing is re-encoded to be compared nor parsed.  Else every
decoded command set, and every other PDU, is re-encoded and compared with the received
bytes, a difference reported; a message's record summarises its data set from its
first bytes (``_decode.SUMMARY_PREFIX``), the only ones kept, and only with
``--jsonl``.  A peer that closes or aborts mid-message, or
garbage on the socket, ends that connection (both sides closed) with a report; the others go on.
``--record DIR`` also writes each connection's two byte streams to files, for examples.

Must not know: association policy (it negotiates nothing), or message rules (the
library's).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import attrs

from .._codec.encode import encode_command
from .._diagnostics import Diagnostic
from .._errors import DecodeError
from .._framing.events import (
    CommandReceived,
    DataSetEnd,
    DataSetFragment,
    FramingError,
    PDUReceived,
    StreamEvent,
    UndecodableMessage,
)
from .._framing.pdata_receive import StreamingAssembler
from .._framing.pdata_send import MessageFragmenter, fragment_message
from .._framing.pdu_decode import DecodedPDU
from .._framing.pdu_encode import encode_pdu
from .._framing.pdus import AAbort, AAssociateAC, AAssociateRJ, AAssociateRQ
from ..messages import Message, Response
from ._decode import SUMMARY_PREFIX, data_set_record, diagnostic_record, message_record
from ._learned import LearnedAssociation

__all__ = ["TapOptions", "run_tap"]

_SIDES = ("client-to-server", "server-to-client")
_ABORT = bytes([7, 0, 0, 0, 0, 4, 0, 0, 2, 0])  # A-ABORT, service-provider, no reason


@attrs.frozen
class TapOptions:
    listen: tuple[str, int]
    upstream: tuple[str, int]
    reencode: bool = False
    jsonl: Path | None = None
    record: Path | None = None
    quiet: bool = False


@attrs.define
class _Association:
    """What both directions of one connection learn from its A-ASSOCIATE PDUs."""

    number: int
    learned: LearnedAssociation = attrs.Factory(LearnedAssociation)
    max_pdu: dict[str, int] = attrs.Factory(dict)  # direction -> receiver's maximum
    counts: dict[str, int] = attrs.Factory(lambda: {"messages": 0, "mismatches": 0})


class _Reporter:
    """Where the reports go: a line unless ``--quiet`` (``lines``), a record with
    ``--jsonl`` (``records``); nothing is built for either when it is off."""

    def __init__(self, options: TapOptions, out: IO[str]) -> None:
        self._out = out
        self.lines = not options.quiet
        self._jsonl = options.jsonl.open("a", encoding="utf-8") if options.jsonl else None
        self.records = self._jsonl is not None

    def line(self, text: str) -> None:
        if self.lines:
            self._out.write(f"{time.strftime('%H:%M:%S')} {text}\n")
            self._out.flush()

    def record(self, record: dict[str, Any]) -> None:
        if self._jsonl is not None:
            self._jsonl.write(json.dumps(record) + "\n")
            self._jsonl.flush()

    def close(self) -> None:
        if self._jsonl is not None:
            self._jsonl.close()


def _message_line(
    number: int,
    direction: str,
    context_id: int,
    message: Message,
    diagnostics: tuple[Diagnostic, ...],
    size: int | None,
) -> str:
    parts = [f"#{number} {direction} ctx {context_id} {message.command_field.message_name}"]
    for name in ("message_id", "message_id_being_responded_to", "affected_sop_class_uid"):
        value = getattr(message, name, None)
        if value is not None:
            parts.append(f"{name}={value}")
    if isinstance(message, Response):
        status = message.status
        parts.append(
            f"status=0x{int(status):04X} {status.category.value}: {message.status_meaning}"
        )
    if size is not None:
        parts.append(f"data set {size} bytes")
    if diagnostics:
        parts.append(f"{len(diagnostics)} diagnostic(s): " + "; ".join(map(str, diagnostics)))
    return "  ".join(parts)


@attrs.define
class _Pump:
    """One direction of one connection."""

    direction: str
    association: _Association
    options: TapOptions
    reporter: _Reporter
    recording_path: Path | None
    recording: IO[bytes] | None = attrs.field(default=None, init=False)  # on the first byte
    assembler: StreamingAssembler = attrs.field(factory=StreamingAssembler, init=False)
    command: CommandReceived | None = attrs.field(default=None, init=False)
    """The command of the message whose data set is passing, if it decoded."""
    leading: bytearray = attrs.field(factory=bytearray, init=False)
    """The data set's first bytes, for its record (kept only with ``--jsonl``)."""
    fragmenter: MessageFragmenter | None = attrs.field(default=None, init=False)
    """With ``--reencode``: cuts the data set passing for the receiving side."""

    def received(self, data: bytes, writer: asyncio.WriteTransport) -> None:
        """Bytes this direction read: recorded, forwarded (as they are, unless
        ``--reencode``), parsed; a FramingError is reported, and raised."""
        if self.recording_path is not None:
            if self.recording is None:
                # unbuffered: nothing is lost if the tap is killed
                self.recording = self.recording_path.open("wb", buffering=0)
            self.recording.write(data)
        if not self.options.reencode:
            writer.write(data)
        try:
            events = self.assembler.feed(data)
        except FramingError as error:
            self.reporter.line(
                f"#{self.association.number} {self.direction} framing error: {error}"
            )
            self.reporter.record(
                {"association": self.association.number, "direction": self.direction,
                 "kind": "error", "reason": error.rule, "offset": error.offset}
            )  # fmt: skip
            raise
        for event in events:
            self._handle(event, writer)

    def ended(self, writer: asyncio.WriteTransport) -> None:
        """This direction's reader has ended (an end inside a PDU or a message is
        reported): the end goes on to the other side."""
        try:
            events = self.assembler.close()  # inside a PDU or a message: an error
        except FramingError as error:
            self.reporter.line(
                f"#{self.association.number} {self.direction} peer closed "
                f"mid-message or mid-PDU: {error}"
            )
            events = []
        for event in events:
            self._handle(event, writer)
        if writer.can_write_eof():
            with contextlib.suppress(OSError, RuntimeError):
                writer.write_eof()

    def _handle(self, event: StreamEvent, writer: asyncio.WriteTransport) -> None:
        """One event: reported if anyone will see it, and with ``--reencode`` forwarded
        as dimsekit encodes it (a data set fragment by fragment, as it arrives)."""
        reencode = self.options.reencode
        if isinstance(event, DataSetFragment):
            if self.reporter.records and len(self.leading) < SUMMARY_PREFIX:
                self.leading += event.data[: SUMMARY_PREFIX - len(self.leading)]
            if self.fragmenter is not None:
                writer.writelines(itertools.chain.from_iterable(self.fragmenter.data(event.data)))
            return
        if isinstance(event, DataSetEnd):
            command, self.command = self.command, None
            if self.fragmenter is not None:
                writer.writelines(self.fragmenter.end())
                self.fragmenter = None
            if command is not None:  # else an undecodable command, reported already
                self._message(
                    event.context_id, command.message, command.command, event.diagnostics,
                    event.length,
                )  # fmt: skip
            self.leading.clear()
            return
        if isinstance(event, CommandReceived):
            self.command = event
            if reencode:
                self.fragmenter = MessageFragmenter(event.context_id, self._max_pdu())
                writer.writelines(
                    itertools.chain.from_iterable(
                        self.fragmenter.command(encode_command(event.message))
                    )
                )
            return
        number = self.association.number
        if isinstance(event, PDUReceived):
            unanswered = self._learn(event)
            if self.reporter.lines or self.reporter.records:
                self._pdu(event, unanswered)
            if reencode:
                writer.write(event.pdu)
            return
        if isinstance(event, UndecodableMessage):
            self.reporter.line(f"#{number} {self.direction} undecodable message: {event.error}")
            if reencode:
                raise FramingError(
                    f"cannot re-encode: {event.error}", offset=self.assembler.stream_offset
                )
            return
        self._message(event.context_id, event.message, event.command, event.diagnostics, None)
        if reencode:
            for parts in fragment_message(event.message, event.context_id, self._max_pdu()):
                writer.writelines(parts)

    def _max_pdu(self) -> int:
        """The receiving side's Maximum Length Received (16384 until it is known)."""
        return self.association.max_pdu.get(self.direction, 16384)

    def _message(
        self,
        context_id: int,
        message: Message,
        command: bytes,
        diagnostics: tuple[Diagnostic, ...],
        length: int | None,
    ) -> None:
        """Count a message that has passed whole, and report it where anyone will see
        it: a line, a record (its data set summarised from ``leading``), each saying
        whether dimsekit re-encodes its command set byte for byte."""
        counts = self.association.counts
        counts["messages"] += 1
        lines, records = self.reporter.lines, self.reporter.records
        if not (lines or records):
            return  # the mismatches are counted for the closing line: no one sees it
        identical = encode_command(message) == command
        if not identical:
            counts["mismatches"] += 1
        number = self.association.number
        if lines:
            line = _message_line(number, self.direction, context_id, message, diagnostics, length)
            self.reporter.line(line + ("" if identical else "  RE-ENCODED BYTES DIFFER"))
        if not records:
            return
        syntax = self.association.learned.syntaxes.get(context_id)
        data_set = (
            None
            if length is None
            else data_set_record(message, length, bytes(self.leading), syntax)
        )
        record = message_record(
            self.direction, context_id, message, diagnostics, syntax, data_set=data_set
        )
        record.update(
            association=number, direction=self.direction, time=time.time(),
            reencoded_identical=identical,
        )  # fmt: skip
        self.reporter.record(record)

    def _pdu(self, event: PDUReceived, unanswered: tuple[Diagnostic, ...]) -> None:
        """Report a PDU other than P-DATA-TF: a line, and a record saying what it decoded
        to (PS3.8 9.3), what deviated (``unanswered``: what an AC leaves unanswered of its
        RQ), and whether dimsekit re-encodes it byte for byte."""
        decoded = event.decoded
        record: dict[str, Any] = {
            "association": self.association.number,
            "direction": self.direction,
            "time": time.time(),
            "kind": "pdu",
            "name": event.pdu_type.label,
            "length": len(event.pdu),
            "diagnostics": [diagnostic_record(d) for d in event.diagnostics],
        }
        line = f"#{self.association.number} {self.direction} {event.pdu_type.label}"
        if isinstance(decoded, DecodeError):
            record.update(decoded=None, error=str(decoded), reencoded_identical=False)
            line += f"  undecodable: {decoded}"
        else:
            identical = encode_pdu(decoded.pdu) == event.pdu
            diagnostics = decoded.diagnostics + unanswered
            record.update(
                decoded=type(decoded.pdu).__name__,
                decode_diagnostics=[diagnostic_record(d) for d in diagnostics],
                reencoded_identical=identical,
                **_pdu_summary(decoded),
            )
            if diagnostics:
                line += f"  {len(diagnostics)} diagnostic(s): " + "; ".join(map(str, diagnostics))
            if not identical:
                line += "  RE-ENCODED BYTES DIFFER"
        self.reporter.line(line)
        self.reporter.record(record)

    def _learn(self, event: PDUReceived) -> tuple[Diagnostic, ...]:
        """Each context's transfer syntax and each side's maximum length, from the typed
        A-ASSOCIATE-RQ/AC (PS3.8 9.3.2, 9.3.3, D.1); nothing from one that did not decode.
        Returns what an AC leaves unanswered of the RQ (PS3.8 7.1.1.14)."""
        decoded = event.decoded
        if not isinstance(decoded, DecodedPDU):
            return ()
        pdu = decoded.pdu
        unanswered = self.association.learned.learn(pdu)
        if not isinstance(pdu, AAssociateRQ | AAssociateAC):
            return unanswered
        other = "server->client" if self.direction == "client->server" else "client->server"
        maximum = pdu.user_information.maximum_length
        if maximum is not None:
            # the sender states what it receives: the other direction's limit
            self.association.max_pdu[other] = maximum
        return unanswered


def _pdu_summary(decoded: DecodedPDU) -> dict[str, Any]:
    """What a PDU's record says of its fields: the AE titles, the presentation contexts
    and the user information sub-items (by class: no secret of a User Identity) of an
    A-ASSOCIATE-RQ/AC, the result, source and reason of an -RJ or an A-ABORT, in words."""
    pdu = decoded.pdu
    if isinstance(pdu, AAssociateRQ | AAssociateAC):
        return {
            "called_ae_title": pdu.called_ae_title,
            "calling_ae_title": pdu.calling_ae_title,
            "presentation_contexts": len(pdu.presentation_contexts),
            "user_information": [type(item).__name__ for item in pdu.user_information.sub_items],
        }
    if isinstance(pdu, AAssociateRJ):
        return {"result": pdu.result.name, "source": pdu.source.name, "reason": pdu.reason.name}
    if isinstance(pdu, AAbort):
        return {"source": pdu.source.name, "reason": pdu.reason.name}
    return {}


class _Connection:
    """One client connection and its upstream connection: a side (a transport) each,
    and a pump per direction.  What a side reads goes through its pump to the other side
    in the same callback (asyncio's Protocol API: no stream buffer, no task per read);
    when the other side's buffer is full, the side stops reading until it drains.  The
    connection ends, both sides closed, when both directions have ended, when either
    side is lost, or, after an A-ABORT to both, when a pump fails."""

    def __init__(
        self,
        number: int,
        options: TapOptions,
        reporter: _Reporter,
        client: asyncio.Transport,
        closed: Callable[[_Connection], None],
    ) -> None:
        self.number = number
        self.options = options
        self.reporter = reporter
        self.association = _Association(number)
        paths: list[Path | None] = [None, None]
        if options.record is not None:
            options.record.mkdir(parents=True, exist_ok=True)
            paths = [options.record / f"{number:03d}-{side}.pdu" for side in _SIDES]
        self.pumps = (
            _Pump("client->server", self.association, options, reporter, paths[0]),
            _Pump("server->client", self.association, options, reporter, paths[1]),
        )
        self.sides: list[asyncio.Transport | None] = [client, None]
        self.early: list[bytes | None] = []  # what the client sent before upstream was
        self.ended = [False, False]
        self.closed = False
        self._on_close = closed

    async def connect(self) -> None:
        """Connect upstream; then what the client sent meanwhile goes through."""
        loop = asyncio.get_running_loop()
        client = self.sides[0]
        assert client is not None
        try:
            upstream, _ = await loop.create_connection(
                lambda: _Side(1, self), *self.options.upstream
            )
        except OSError as error:
            address = _host_port(self.options.upstream)
            self.reporter.line(f"#{self.number} cannot reach upstream {address}: {error}")
            self.closed = True
            client.close()
            self._on_close(self)
            return
        if self.closed:  # the client went away meanwhile
            upstream.close()
            return
        self.reporter.line(f"#{self.number} connection from {client.get_extra_info('peername')}")
        # From here on the client's bytes go upstream as they come, these first.
        self.sides[1] = upstream
        early, self.early = self.early, []
        for data in early:
            if data is None:
                self.eof(0)
            else:
                self.received(0, data)

    def received(self, side: int, data: bytes) -> None:
        out = self.sides[1 - side]
        if self.closed:
            return
        if out is None:
            self.early.append(data)
            return
        try:
            self.pumps[side].received(data, out)
        except Exception as error:  # any failure ends this connection only
            self.fail(side, error)

    def eof(self, side: int) -> None:
        out = self.sides[1 - side]
        if self.closed:
            return
        if out is None:
            self.early.append(None)
            return
        try:
            self.pumps[side].ended(out)
        except Exception as error:  # as in received
            self.fail(side, error)
            return
        self.ended[side] = True
        if all(self.ended):
            self.close()

    def fail(self, side: int, error: Exception) -> None:
        """A pump failed: an A-ABORT to both sides (PS3.8 7.3.1: a provider-initiated
        abort), and the end."""
        if not isinstance(error, FramingError):  # that one is reported already
            self.reporter.line(f"#{self.number} {self.pumps[side].direction} failed: {error!r}")
        for transport in self.sides:
            if transport is not None:
                with contextlib.suppress(OSError, RuntimeError):
                    transport.write(_ABORT)
        self.close()

    def pause(self, side: int, paused: bool) -> None:
        """``side``'s buffer is full (or drained): the other side stops (or goes on)
        reading."""
        other = self.sides[1 - side]
        if other is not None and not self.closed:
            if paused:
                other.pause_reading()
            else:
                other.resume_reading()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for transport in self.sides:
            if transport is not None:
                transport.close()
        for pump in self.pumps:
            if pump.recording is not None:
                pump.recording.close()
        counts = self.association.counts
        self.reporter.line(
            f"#{self.number} closed: {counts['messages']} messages, "
            f"{counts['mismatches']} re-encoded differently"
        )
        self._on_close(self)


class _Side(asyncio.Protocol):
    """One socket of a connection (0: the client's, 1: upstream), handing what
    happens on it to the connection; the client's makes its connection when it is
    accepted (``accepted``: None while the tap stops), upstream's is set on it by
    ``_Connection.connect``."""

    def __init__(
        self,
        index: int,
        connection: _Connection | None = None,
        accepted: Callable[[asyncio.Transport], _Connection | None] | None = None,
    ) -> None:
        self.index = index
        self.connection = connection
        self._accepted = accepted

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        if self.connection is None:
            assert self._accepted is not None
            self.connection = self._accepted(transport)
            if self.connection is None:
                transport.close()

    def data_received(self, data: bytes) -> None:
        if self.connection is not None:
            self.connection.received(self.index, data)

    def eof_received(self) -> bool:
        if self.connection is not None:
            self.connection.eof(self.index)
        return True  # the other direction goes on until it ends too

    def connection_lost(self, exc: Exception | None) -> None:
        if self.connection is not None:
            self.connection.close()

    def pause_writing(self) -> None:
        if self.connection is not None:
            self.connection.pause(self.index, True)

    def resume_writing(self) -> None:
        if self.connection is not None:
            self.connection.pause(self.index, False)


async def _main(options: TapOptions, ready: Callable[[int], None] | None) -> None:
    loop = asyncio.get_running_loop()
    reporter = _Reporter(options, sys.stdout)
    numbers = itertools.count(1)
    connections: set[_Connection] = set()
    connecting: set[asyncio.Task[None]] = set()
    stop: asyncio.Future[int] = loop.create_future()

    def finished(task: asyncio.Task[None]) -> None:
        connecting.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            reporter.line(f"connection failed: {error!r}")

    def accepted(transport: asyncio.Transport) -> _Connection | None:
        if stop.done():  # accepted while stopping
            return None
        connection = _Connection(next(numbers), options, reporter, transport, connections.discard)
        connections.add(connection)
        task = loop.create_task(connection.connect())
        connecting.add(task)
        task.add_done_callback(finished)
        return connection

    def stopping(signal_number: int) -> None:
        if not stop.done():
            stop.set_result(signal_number)

    try:
        server = await loop.create_server(lambda: _Side(0, accepted=accepted), *options.listen)
    except OSError as error:  # no such address here, a port in use, a name not found
        reason = error.strerror or str(error)
        raise OSError(f"cannot listen on {_host_port(options.listen)}: {reason}") from None
    port = server.sockets[0].getsockname()[1]
    listening = _host_port((options.listen[0], port))
    reporter.line(f"tap listening on {listening}, upstream {_host_port(options.upstream)}")
    if ready is not None:
        ready(port)
    # Ctrl-C and SIGTERM stop the tap here, in order, rather than by asyncio.run
    # cancelling everything at once (after which transports of accepted connections
    # could be left to the garbage collector: Python 3.13.0 then prints a traceback).
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
            loop.add_signal_handler(signal_number, stopping, signal_number)
    try:
        async with server:
            try:
                serving: asyncio.Future[Any] = asyncio.ensure_future(server.serve_forever())
                await asyncio.wait([serving, stop], return_when=asyncio.FIRST_COMPLETED)
            finally:
                # Before the server closes: from Python 3.12 on, closing it waits for
                # every connection it accepted to end.
                for task in connecting:
                    task.cancel()
                await asyncio.gather(*connecting, return_exceptions=True)
                for connection in list(connections):
                    connection.close()
                    for transport in connection.sides:
                        if transport is not None:
                            transport.close()
    finally:
        reporter.close()
    if stop.done() and stop.result() == signal.SIGINT:
        raise KeyboardInterrupt  # reported as Ctrl-C always is


def _host_port(address: tuple[str, int]) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def run_tap(options: TapOptions, ready: Callable[[int], None] | None = None) -> int:
    """Serve until interrupted (Ctrl-C ends it cleanly, exit status 0)."""
    try:
        asyncio.run(_main(options, ready))
    except KeyboardInterrupt:
        print("tap stopped", file=sys.stderr)
    return 0
