"""Answering the peer's DIMSE requests on one association with the user's handlers, for the
server and for a client that takes requests (both run it the same way).

Owns: :class:`Answering`: a task per request received (the engine says which requests
are the peer's to make, and has already answered a refused, duplicate or overrunning
one), the handler it is given to (:class:`~dimsekit.aio.Handlers`), the response sent
with the status the handler returns (0110H, processing failure, when the handler raises;
0211H, unrecognized operation, for a service without a handler: PS3.7 C.5); the spill
factory that lets a streaming store handler take a large data set as it arrives, and the
targets it must abandon when a data set will never complete.

Must not know: sockets, the engine's states, what a handler does.
"""

from __future__ import annotations

import asyncio
import tempfile
from typing import IO, Final

from .._association.negotiation import AcceptedContext
from .._association.operations import OUT_OF_RESOURCES, RequestReceived
from .._errors import DimseError
from .._model.vr import CommandField
from ..messages import CEchoRequest, CStoreRequest, Message, Response
from ._handlers import (
    EchoRequested,
    Handlers,
    Peer,
    StoreRequested,
    StoreTarget,
    StreamingStoreHandler,
)
from ._link import Link

__all__ = ["Answering"]

PROCESSING_FAILURE: Final = 0x0110
"""The status of a request whose handler raised (PS3.7 C.5.1: Processing failure)."""
UNRECOGNIZED_OPERATION: Final = 0x0211
"""The status of a request no handler takes (PS3.7 C.5.4: Unrecognized operation)."""
STORE_OUT_OF_RESOURCES: Final = OUT_OF_RESOURCES[CommandField.C_STORE_RQ]
"""The status of a C-STORE whose data set could not be kept (PS3.4 B.2.3: Refused, out of
resources)."""


class Answering:
    """The peer's requests on ``link``, answered by ``handlers``."""

    def __init__(self, link: Link, handlers: Handlers, peer: Peer) -> None:
        self._link = link
        self._handlers = handlers
        self.peer = peer
        self._tasks: set[asyncio.Task[None]] = set()
        self._target: StoreTarget | None = None
        """Where the data set being received is written, once it left memory (messages
        never interleave, PS3.8 E.1: one at a time)."""
        self._target_failed = False
        self._temporary: IO[bytes] | None = None
        """The temporary file of the data set being received, once it left memory and no
        streaming handler took it: closed once its request is answered."""

    def spill(self, context_id: int, command: Message | None) -> IO[bytes]:
        """The engine's spill factory: the streaming store handler's file for a C-STORE's
        data set, a temporary file for anything else (closed once the request is
        answered: a handler that keeps a data set keeps its bytes, not its file)."""
        handler = self._handlers.store
        agreement = self._link.engine.agreement
        context = agreement.contexts.get(context_id) if agreement is not None else None
        if (
            isinstance(command, CStoreRequest)
            and isinstance(handler, StreamingStoreHandler)
            and context is not None
        ):
            try:
                self._target = handler.begin(command, context, self.peer)
                return self._target.file
            except Exception as error:  # a handler's own: the data set goes to a temporary file
                self._link.log.error(
                    "cannot keep the data set of C-STORE %s: %s",
                    command.affected_sop_instance_uid,
                    error,
                )
                self._target_failed = True
        self._temporary = tempfile.TemporaryFile()  # noqa: SIM115 (closed once answered)
        return self._temporary

    def drop_target(self) -> None:
        """The data set being received will not be handed to a handler (its request was
        refused or undecodable, or the association ended): abandon its target."""
        target, self._target = self._target, None
        temporary, self._temporary = self._temporary, None
        self._target_failed = False
        if target is not None:
            target.abandon()
        if temporary is not None:
            temporary.close()

    def request(self, event: RequestReceived) -> None:
        """A request of the peer's: answer it in a task of its own."""
        target, self._target = self._target, None
        temporary, self._temporary = self._temporary, None
        failed, self._target_failed = self._target_failed, False
        task = asyncio.get_running_loop().create_task(
            self._answer(event, target, failed, temporary)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def finished(self) -> None:
        """Wait until every request taken so far is answered."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    def cancel(self) -> None:
        """The association is over: stop the handlers still running, abandon a data set
        being received."""
        for task in self._tasks:
            task.cancel()
        self.drop_target()

    async def _answer(
        self,
        event: RequestReceived,
        target: StoreTarget | None,
        failed: bool,
        temporary: IO[bytes] | None,
    ) -> None:
        operation = event.operation
        request = operation.request
        link = self._link
        agreement = link.engine.agreement
        assert agreement is not None  # a request comes on an established association
        context = agreement.contexts[operation.context_id]
        try:
            status = await self._status(request, context, target, failed)
        except asyncio.CancelledError:
            if target is not None:
                target.abandon()
            raise
        except Exception:
            link.log.exception("the handler of %s raised", type(request).__name__)
            status = PROCESSING_FAILURE
        finally:
            if temporary is not None:
                temporary.close()
        try:
            response: Response = request.response(status=status)
        except DimseError as error:  # a status no response of this service may carry
            name = type(request).__name__
            link.log.error("the handler of %s answered %r: %s", name, status, error)
            status = PROCESSING_FAILURE
            response = request.response(status=status)
        try:
            await link.send_message(operation.context_id, response)
        except DimseError as error:  # the association went meanwhile
            link.log.debug("%s not sent: %s", type(response).__name__, error)
            return
        link.log.info(
            "%s Message ID %d%s: 0x%04X %s",
            type(request).__name__,
            request.message_id,
            f" {request.affected_sop_instance_uid}" if isinstance(request, CStoreRequest) else "",
            status,
            response.status_meaning,
        )

    async def _status(
        self,
        request: Message,
        context: AcceptedContext,
        target: StoreTarget | None,
        failed: bool,
    ) -> int:
        handlers = self._handlers
        peer = self.peer
        if isinstance(request, CEchoRequest) and handlers.echo is not None:
            return int(
                await handlers.echo(EchoRequested(request=request, context=context, peer=peer))
            )
        if isinstance(request, CStoreRequest) and handlers.store is not None:
            if failed:
                return STORE_OUT_OF_RESOURCES
            stored = StoreRequested(request=request, context=context, peer=peer, target=target)
            return int(await handlers.store(stored))
        if target is not None:
            target.abandon()
        return UNRECOGNIZED_OPERATION
