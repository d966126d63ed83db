"""A scripted peer for the asyncio tests: the engine's own acceptor (or requestor) over a
real socket on 127.0.0.1, driven step by step by a test, so that it can do what a real
peer's bugs or timing would (answer late, never answer, abort, vanish, collide on
release) on cue.

Imported as ``from .scripted_peer import ...``.  Nothing here knows the asyncio layer
under test: it speaks only bytes, through :class:`dimsekit.Association`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import dimsekit as dk

from .helpers import run_bounded

_E = TypeVar("_E")
_T = TypeVar("_T")


class ScriptedConnection:
    """One connection of the scripted peer: its engine and its events, in a queue."""

    def __init__(
        self, engine: dk.Association, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.engine = engine
        self.reader = reader
        self.writer = writer
        self.events: asyncio.Queue[object] = asyncio.Queue()
        self.received = bytearray()
        """Every byte the peer read, in order."""
        self.reading = asyncio.Event()
        """Cleared, what is read is held back from the engine (and, once a read is held,
        nothing more is read) until it is set again."""
        self.reading.set()
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._read())

    def now(self) -> float:
        return self._loop.time()

    async def _read(self) -> None:
        while True:
            data = await self.reader.read(65536)
            await self.reading.wait()  # held back while the script says so
            self.received += data
            if self.engine.state is not dk.State.STA1 or data:
                with contextlib.suppress(dk.LocalProtocolError):
                    self.engine.receive_data(data, now=self.now())
            self._drain()
            if not data:
                return

    def _drain(self) -> None:
        self.write(self.engine.data_to_send())
        for event in self.engine.events():
            self.events.put_nowait(event)
            if isinstance(event, dk.CloseTransport):
                self.writer.close()
        self.write(self.engine.data_to_send())

    def write(self, buffers: Sequence[bytes | memoryview]) -> None:
        if buffers and not self.writer.is_closing():
            self.writer.writelines(buffers)

    def send(self, event: Any) -> None:
        self.write(self.engine.send(event, now=self.now()))
        self._drain()

    def send_message(self, context_id: int, message: dk.Message) -> None:
        for buffers in self.engine.send_message(context_id, message, now=self.now()):
            self.write(buffers)
        self._drain()

    def raw(self, data: bytes) -> None:
        """Bytes past the engine (a peer that breaks the protocol)."""
        self.writer.write(data)

    async def expect(self, kind: type[_E], timeout: float = 5.0) -> _E:
        """The next event of type ``kind``, those before it dropped."""
        async with asyncio.timeout(timeout):
            while True:
                event = await self.events.get()
                if isinstance(event, kind):
                    return event

    def vanish(self) -> None:
        """Close the transport with no A-ABORT (a peer that crashed)."""
        self.writer.transport.abort()

    async def closed(self, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            await self._task


Script = Callable[[ScriptedConnection], Awaitable[None]]


@contextlib.asynccontextmanager
async def scripted_acceptor(script: Script, **options: Any) -> AsyncIterator[tuple[str, int]]:
    """Listen on 127.0.0.1 (a free port); each connection gets an acceptor engine
    (``options`` are its own) and runs ``script``.  Yields the address; at the end every
    connection is closed and every script is done or cancelled, and a script that raised
    raises here."""
    tasks: set[asyncio.Task[None]] = set()
    writers: list[asyncio.StreamWriter] = []

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        engine = dk.Association(dk.Role.ACCEPTOR, now=asyncio.get_running_loop().time(), **options)
        connection = ScriptedConnection(engine, reader, writer)
        await script(connection)

    def spawn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.get_running_loop().create_task(connected(reader, writer))
        tasks.add(task)

    server = await asyncio.start_server(spawn, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    try:
        yield str(host), int(port)
    finally:
        server.close()
        for writer in writers:
            writer.transport.abort()
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()
        failed = [r for r in results if isinstance(r, Exception)]
        if failed:
            raise failed[0]  # a script's own assertion or error


@contextlib.asynccontextmanager
async def scripted_requestor(
    address: tuple[str, int], contexts: Sequence[dk.ProposedContext | str], **options: Any
) -> AsyncIterator[ScriptedConnection]:
    """A requestor engine (``options`` are its own) connected to ``address``, its
    association (proposing ``contexts``) accepted; at the end its transport is closed."""
    reader, writer = await asyncio.open_connection(*address)
    engine = dk.Association(dk.Role.REQUESTOR, now=asyncio.get_running_loop().time(), **options)
    connection = ScriptedConnection(engine, reader, writer)
    try:
        rq = dk.propose(
            calling_ae_title="SCRIPTED", called_ae_title="ANY-SCP", contexts=list(contexts)
        )
        connection.send(dk.AssociateRequest(rq))
        await connection.expect(dk.AssociationAccepted)
        yield connection
    finally:
        writer.transport.abort()
        with contextlib.suppress(Exception):
            await connection.closed()


async def accept_all(connection: ScriptedConnection, **policy: Any) -> dk.AAssociateRQ:
    """Answer the RQ with an AC accepting what the policy (storescp's, by default, or one
    made of ``policy``) accepts."""
    requested = await connection.expect(dk.AssociationRequested)
    chosen = dk.AcceptorPolicy(**policy) if policy else dk.DEFAULT_POLICY
    reply = dk.answer(requested.rq, chosen)
    assert isinstance(reply, dk.AAssociateAC)
    connection.send(dk.AssociateAccept(reply))
    return requested.rq


def scripted(
    script: Script,
    body: Callable[[tuple[str, int]], Awaitable[_T]],
    limit: float = 20.0,
) -> _T:
    """Run ``body`` with the address of a scripted acceptor running ``script`` for each
    connection, in a loop of its own bounded by ``limit`` seconds."""

    async def main() -> _T:
        async with scripted_acceptor(script) as address:
            return await body(address)

    return run_bounded(main(), limit)
