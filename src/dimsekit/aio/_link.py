"""One transport connection driven by one association engine: the asyncio side of the
sans-IO :class:`~dimsekit.Association`.

Owns: :class:`Link`, an :class:`asyncio.Protocol` that hands the engine every byte read
(``data_received``; ``b""`` at the end of the stream), writes every buffer the engine gives
(whole PDUs, in one ``writelines`` call each time, PS3.8 9.3.1), arms one timer at the engine's
:attr:`~dimsekit.Association.deadline` (``loop.call_at``, re-armed after each step, the
loop's monotonic clock as the engine's ``now``), closes the transport when the engine says
so, and hands each event to its owner (the client or the server) through ``on_event``;
sending a whole DIMSE message (:meth:`Link.send_message`: one at a time, PS3.8 E.1;
whole PDUs written together up to :data:`WRITE_BATCH` bytes, awaiting the transport's
flow control after each write, so that memory stays bounded for
any size; a message left half sent by a cancelled task aborts the association); the
logging of one association (one ``dimsekit.aio`` logger, a :class:`logging.LoggerAdapter`
per link naming its association and peer).

Must not know: what an event means for an operation (its owner decides), any rule of
PS3.8 or PS3.7 (the engine's); TLS is the transport's (asyncio's ``ssl=``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, MutableMapping
from typing import Any, Final

from .._association.engine import (
    NEED_DATA,
    Aborted,
    AbortRequest,
    Association,
    AssociationEvent,
    CloseTransport,
    LocalEvent,
    Role,
)
from .._errors import LocalProtocolError
from .._framing.pdata_send import Buffer
from .._framing.pdus import AbortReason, AbortSource
from ..messages import Message
from ._errors import OperationEndedError

__all__ = ["LOGGER", "AssociationLog", "Link"]

LOGGER: Final = logging.getLogger("dimsekit.aio")
"""The one logger of the asyncio layer; each association logs through its own adapter."""


WRITE_BATCH: Final = 1 << 18
"""How many bytes of a message's PDUs go to the transport in one write: whole PDUs, never
a part of one, so that a small message (a command and its data set) is one system call
and a large one a few per megabyte."""


class AssociationLog(logging.LoggerAdapter[logging.Logger]):
    """:data:`LOGGER`, each line prefixed with its association's number and peer (and both
    in the record's ``association`` and ``peer`` attributes, for a formatter)."""

    def process(
        self, msg: object, kwargs: MutableMapping[str, Any]
    ) -> tuple[object, MutableMapping[str, Any]]:
        extra = self.extra or {}
        kwargs["extra"] = {**extra, **kwargs.get("extra", {})}
        return f"[{extra.get('association')} {extra.get('peer')}] {msg}", kwargs


class Link(asyncio.Protocol):
    """The engine ``engine`` on one asyncio transport.  ``on_event`` gets every event the
    engine gives, in order, from within the loop's callbacks (it must not block)."""

    def __init__(
        self,
        engine: Association,
        on_event: Callable[[AssociationEvent], None],
        log: AssociationLog,
    ) -> None:
        self.engine: Association = engine
        self.log: AssociationLog = log
        self._on_event = on_event
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._armed: float | None = None
        self._writable: asyncio.Future[None] | None = None
        self.send_lock: asyncio.Lock = asyncio.Lock()
        """Held while a message is sent (:meth:`send_locked`)."""
        self.closed: asyncio.Future[None] = self._loop.create_future()
        """Done when the transport has closed (either side)."""
        self._eof = False
        self._began = engine.role is Role.ACCEPTOR
        """Whether the engine has begun on this transport: an acceptor's from the start, a
        requestor's once it sent its A-ASSOCIATE-RQ (before that it hears nothing)."""
        self._closed_early = False
        """The transport closed before the requestor's A-ASSOCIATE-RQ was sent (a TLS
        peer refusing our certificate after the handshake, a server closing at once): the
        engine hears of it once the RQ is sent, as the close of a connection requested."""

    # --- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self.step()  # an acceptor's ARTIM runs from the start (PS3.8 9.2, AE-5)

    def data_received(self, data: bytes) -> None:
        if not self._began:  # a peer that speaks before our A-ASSOCIATE-RQ: not DICOM
            self.log.error("the peer sent %d bytes before our A-ASSOCIATE-RQ: closing", len(data))
            self.close()
            return
        try:
            self.engine.receive_data(data, now=self._loop.time())
        except OSError as error:  # a received data set's file could not be written
            self.log.error("cannot keep what the peer sends (%s): aborting", error)
            self.abort()
            return
        self.step()

    def eof_received(self) -> bool:
        self._eof = True
        self._hear_close()
        return False  # asyncio closes the transport

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._eof:
            self._eof = True
            self._hear_close()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        if not self.closed.done():
            self.closed.set_result(None)

    def pause_writing(self) -> None:
        if self._writable is None or self._writable.done():
            self._writable = self._loop.create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    # --- driving the engine -------------------------------------------------------------

    @property
    def transport(self) -> asyncio.Transport:
        assert self._transport is not None
        return self._transport

    def step(self) -> None:
        """After the engine took something: write what it queued, hand on its events,
        re-arm its timer."""
        engine = self.engine
        self.write(engine.data_to_send())
        event = engine.next_event()
        while event is not NEED_DATA:
            if isinstance(event, CloseTransport):
                self.close()
            self._on_event(event)
            event = engine.next_event()
        self.write(engine.data_to_send())  # what handling the events queued
        self._arm()

    def send(self, event: LocalEvent) -> None:
        """Hand the engine a local primitive (PS3.8 Table 9-10) and write what it gives:
        :class:`~dimsekit.LocalProtocolError` where the state refuses it, nothing
        changed."""
        self.write(self.engine.send(event, now=self._loop.time()))
        self._began = True
        if self._closed_early:
            self._closed_early = False
            self.engine.receive_data(b"", now=self._loop.time())
        self.step()

    def _hear_close(self) -> None:
        """The transport closed: the engine hears it (Evt17), or will once it has begun."""
        if not self._began:
            self._closed_early = True
            return
        self.engine.receive_data(b"", now=self._loop.time())
        self.step()

    def abort(self, why: str = "aborted by the local user") -> None:
        """The service user's A-ABORT (PS3.8 7.3), where the state still allows one; the
        owner is told as of any abort (an :class:`~dimsekit.Aborted` of ours, ``why``),
        since the engine tells its user nothing of the user's own abort."""
        if self._transport is None or self._transport.is_closing():
            return
        try:
            self.send(AbortRequest())
        except LocalProtocolError:
            self.close()  # nothing left to abort: only the transport to close
            return
        self._on_event(Aborted(AbortSource.SERVICE_USER, AbortReason.NOT_SPECIFIED, False, why))

    def write(self, buffers: list[Buffer] | tuple[Buffer, ...]) -> None:
        transport = self._transport
        if buffers and transport is not None and not transport.is_closing():
            transport.writelines(buffers)

    def close(self) -> None:
        """Close the transport: at once, dropping what is still unwritten, where the peer
        has stopped reading (asyncio's close would wait for it for ever; by the time the
        engine says close, PS3.8 9.1.4, the peer has had ARTIM to read)."""
        transport = self._transport
        if transport is None:
            return
        transport.close()
        if transport.get_write_buffer_size():
            transport.abort()

    async def send_message(self, context_id: int, message: Message) -> None:
        """Send ``message`` whole on ``context_id``: checked by the engine when called
        (:class:`~dimsekit.LocalProtocolError`, nothing sent), then PDU by PDU, each
        written in one call, awaiting flow control between them.  One message at a time
        (PS3.8 E.1): a second waits for the first.  Cancelled once a PDU of it has gone,
        the association is aborted (a message cannot be left half sent, PS3.8 E.1)."""
        async with self.send_lock:
            await self.send_locked(context_id, message)

    async def send_locked(self, context_id: int, message: Message) -> None:
        """:meth:`send_message`, :attr:`send_lock` held by the caller."""
        loop = self._loop
        pdus = self.engine.send_message(context_id, message, now=loop.time())
        batch: list[Buffer] = []
        size = 0
        try:
            buffers = next(pdus, None)
            while buffers is not None:
                batch += buffers
                size += sum(map(len, buffers))
                if size >= WRITE_BATCH:
                    self.write(batch)
                    batch, size = [], 0
                    if self._writable is not None and not self._writable.done():
                        await self._writable
                    if self.closed.done():
                        raise OperationEndedError(
                            f"the transport closed while {type(message).__name__} was sent"
                        )
                try:
                    buffers = pdus.send(loop.time())  # the engine's timers run from now
                except StopIteration:
                    buffers = None
            self.write(batch)
        except BaseException:
            pdus.close()  # the engine now knows whether the message is left unfinished
            if self.engine.poisoned:
                self.abort(f"{type(message).__name__} left half sent (PS3.8 E.1)")
            raise
        finally:
            self.step()

    def _arm(self) -> None:
        deadline = self.engine.deadline
        if deadline == self._armed:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._armed = deadline
        if deadline is not None and not self.closed.done():
            self._timer = self._loop.call_at(deadline, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self._armed = None
        self.engine.handle_timer(now=self._loop.time())
        self.step()
