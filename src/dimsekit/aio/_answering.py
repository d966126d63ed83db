"""Answering the peer's DIMSE requests on one association with the user's handlers, for the
server and for a client that takes requests (both run it the same way).

Owns: :class:`Answering`: a task per request received (the engine says which requests
are the peer's to make, and has already answered a refused, duplicate or overrunning
one), the handler it is given to (:class:`~dimsekit.aio.Handlers`, a table by request
class), the final response sent: the status an echo or store handler returns, the
response a DIMSE-N handler makes, the end of a C-FIND's matches (each a Pending response
before it, FF00 or the FF01 its handler gives, in the context's transfer syntax; a
C-CANCEL honoured between them: Cancel FE00, PS3.4 C.4.1.3) or of a C-GET's or C-MOVE's
sub-operations (``_retrieving``); a :class:`~dimsekit.aio.Refused` handler's status,
0110H, processing failure, when a handler raises anything else or answers what no
response may carry, 0211H, unrecognized operation, for a service without a handler
(PS3.7 C.5); what a handler asked to have done once its response is sent
(:meth:`~dimsekit.aio.Requested.after_response`), in a task tracked as the handlers'
are; the C-CANCELs received for the operations a C-CANCEL stops
(:data:`~dimsekit.CANCELLABLE`) under way; the spill factory that lets a streaming store
handler take a large data set as it arrives, and the targets it must abandon when a data
set will never complete.

Must not know: sockets, the engine's states, what a handler does, how sub-operations
are counted (``_retrieving``).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import IO, Any, Final

import attrs

from .._association.negotiation import AcceptedContext
from .._association.operations import (
    CANCELLABLE,
    OUT_OF_RESOURCES,
    CancelReceived,
    Operation,
    RequestReceived,
)
from .._errors import DimseError
from .._model.payload import DataSetPayload
from .._model.status import CANCEL, PENDING, PENDING_CODES, SUCCESS
from .._model.vr import CommandField
from ..messages import (
    CEchoRequest,
    CFindRequest,
    CGetRequest,
    CMoveRequest,
    CStoreRequest,
    Message,
    NActionRequest,
    NCreateRequest,
    NDeleteRequest,
    NEventReportRequest,
    NGetRequest,
    NSetRequest,
    Request,
    Response,
)
from ._handlers import (
    EchoRequested,
    FollowUp,
    Handlers,
    Invoking,
    Peer,
    Refused,
    Requested,
    StoreRequested,
    StoreTarget,
    StreamingStoreHandler,
)
from ._link import Link
from ._retrieving import Opener, Retrieval

__all__ = ["Answering"]

PROCESSING_FAILURE: Final = 0x0110
"""The status of a request whose handler raised (PS3.7 C.5.1: Processing failure)."""
UNRECOGNIZED_OPERATION: Final = 0x0211
"""The status of a request no handler takes (PS3.7 C.5.4: Unrecognized operation)."""
STORE_OUT_OF_RESOURCES: Final = OUT_OF_RESOURCES[CommandField.C_STORE_RQ]
"""The status of a C-STORE whose data set could not be kept (PS3.4 B.2.3: Refused, out of
resources)."""

_N_HANDLERS: Final[Mapping[type[Request[Any]], str]] = {
    NGetRequest: "n_get",
    NSetRequest: "n_set",
    NActionRequest: "n_action",
    NCreateRequest: "n_create",
    NDeleteRequest: "n_delete",
    NEventReportRequest: "event_report",
}
"""The DIMSE-N requests (PS3.7 10.1) and the :class:`~dimsekit.aio.Handlers` field of each."""


@attrs.frozen
class _Answered:
    """A final response, the words its log line adds, and what its handler asked to have
    done once it is sent."""

    response: Response
    detail: str = ""
    follow_ups: Sequence[FollowUp] = ()


class _Unsendable(Exception):
    """A response of an operation under way could not be sent: the association went."""


class Answering:
    """The peer's requests on ``link``, answered by ``handlers``."""

    def __init__(
        self,
        link: Link,
        handlers: Handlers,
        peer: Peer,
        *,
        association: Invoking | None = None,
        move_to: Opener | None = None,
    ) -> None:
        self._link = link
        self._handlers = handlers
        self.peer = peer
        self.association = association
        """The association a handler may invoke on (:class:`~dimsekit.aio.Requested`),
        and that a C-GET's sub-operations go on."""
        self.move_to = move_to
        """Opens the association to a C-MOVE's Move Destination (PS3.4 C.4.2.2.1); None:
        no destination is known."""
        self._cancels: dict[int, asyncio.Event] = {}
        """The C-FINDs, C-GETs and C-MOVEs under way by Message ID: set once cancelled."""
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
        task = self._track(self._answer(event, target, failed, temporary))
        if event.request.command_field in CANCELLABLE:
            # made now, so that a C-CANCEL that comes before the task runs is not lost;
            # forgotten once the final response is sent (the Message ID is free again)
            message_id, cancelled = event.operation.message_id, asyncio.Event()
            self._cancels[message_id] = cancelled
            task.add_done_callback(lambda _: self._forget_cancel(message_id, cancelled))

    def _track(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """``work`` in a task of the association's: awaited by :meth:`finished`,
        cancelled by :meth:`cancel`."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def cancel_received(self, event: CancelReceived) -> None:
        """The peer's C-CANCEL-RQ for one of its operations under way (PS3.7 9.3.2.3,
        9.3.3.3, 9.3.4.3): it stops at its next match or sub-operation."""
        cancelled = self._cancels.get(event.operation.message_id)
        if cancelled is not None:
            cancelled.set()

    def _forget_cancel(self, message_id: int, cancelled: asyncio.Event) -> None:
        if self._cancels.get(message_id) is cancelled:  # not a new operation's, same ID
            del self._cancels[message_id]

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def finished(self) -> None:
        """Wait until every request taken so far is answered, and what its handler asked
        to have done after its response is done."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    def cancel(self) -> None:
        """The association is over: stop the handlers still running (and what they asked
        to have done after their responses), abandon a data set being received."""
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
        name = type(request).__name__
        detail = ""
        follow_ups: Sequence[FollowUp] = ()
        try:
            answered = await self._final(operation, context, target, failed)
            response, detail, follow_ups = answered.response, answered.detail, answered.follow_ups
        except asyncio.CancelledError:
            if target is not None:
                target.abandon()
            raise
        except _Unsendable as error:
            link.log.debug("%s Message ID %d not answered: %s", name, request.message_id, error)
            return
        except Refused as refusal:
            response = self._response(request, refusal.status, error_comment=refusal.error_comment)
        except Exception:
            link.log.exception("the handler of %s raised", name)
            response = self._response(request, PROCESSING_FAILURE)
        finally:
            if temporary is not None:
                temporary.close()
        mismatches = request.check_response(response)
        if mismatches:  # a handler's response to another request, or of another kind
            link.log.error("the handler of %s answered %r: %s", name, response, mismatches[0])
            response = self._response(request, PROCESSING_FAILURE)
            follow_ups = ()
        try:
            await link.send_message(operation.context_id, response)
        except DimseError as error:  # the association went meanwhile
            link.log.debug("%s not sent: %s", type(response).__name__, error)
            return
        link.log.info(
            "%s Message ID %d%s: 0x%04X %s%s",
            name,
            request.message_id,
            f" {request.affected_sop_instance_uid}" if isinstance(request, CStoreRequest) else "",
            response.status,
            response.status_meaning,
            detail,
        )
        if follow_ups:
            self._track(self._follow_up(name, follow_ups))

    async def _follow_up(self, name: str, follow_ups: Sequence[FollowUp]) -> None:
        """What the handler of a ``name`` asked to have done once its response was sent,
        one after the other (:meth:`~dimsekit.aio.Requested.after_response`)."""
        for follow_up in follow_ups:
            try:
                await follow_up()
            except Exception:
                self._link.log.exception(
                    "what the handler of %s had done after its response raised", name
                )

    def _response(self, request: Request[Any], status: int, **fields: object) -> Response:
        """``request``'s response with ``status`` and ``fields`` (those left out that it
        may not carry with that status); 0110H where no response of its service may carry
        that status."""
        given = {name: value for name, value in fields.items() if value is not None}
        problem: DimseError | None = None
        for attempt in (given, {}) if given else ({},):
            try:
                response: Response = request.response(status=status, **attempt)
            except DimseError as error:  # a status or field no response of this one carries
                problem = problem or error
            else:
                return response
        name = type(request).__name__
        self._link.log.error("the handler of %s answered 0x%04X: %s", name, status, problem)
        failure: Response = request.response(status=PROCESSING_FAILURE)
        return failure

    async def _final(
        self,
        operation: Operation,
        context: AcceptedContext,
        target: StoreTarget | None,
        failed: bool,
    ) -> _Answered:
        """The final response of ``operation``, its handler's (a table by request class)."""
        handlers = self._handlers
        request = operation.request
        peer = self.peer
        if isinstance(request, CEchoRequest) and handlers.echo is not None:
            status = await handlers.echo(EchoRequested(request=request, context=context, peer=peer))
            return _Answered(self._response(request, int(status)))
        if isinstance(request, CStoreRequest) and handlers.store is not None:
            if failed:
                return _Answered(self._response(request, STORE_OUT_OF_RESOURCES))
            stored = StoreRequested(request=request, context=context, peer=peer, target=target)
            return _Answered(self._response(request, int(await handlers.store(stored))))
        if target is not None:
            target.abandon()
        if isinstance(request, CFindRequest) and handlers.find is not None:
            found = self._requested(request, context)
            return _Answered(await self._find(operation, found), follow_ups=found.follow_ups)
        if isinstance(request, CGetRequest) and (get := handlers.get) is not None:
            got = self._requested(request, context)
            response, detail = await self._retrieval(operation).get(lambda: get(got))
            return _Answered(response, detail, got.follow_ups)
        if isinstance(request, CMoveRequest) and (move := handlers.move) is not None:
            moved = self._requested(request, context)
            response, detail = await self._retrieval(operation).move(lambda: move(moved))
            return _Answered(response, detail, moved.follow_ups)
        field = _N_HANDLERS.get(type(request))
        handler: Callable[[Requested[Any]], Awaitable[Response]] | None = (
            getattr(handlers, field) if field is not None else None
        )
        if handler is not None:
            event = self._requested(request, context)
            return _Answered(await handler(event), follow_ups=event.follow_ups)
        return _Answered(self._response(request, UNRECOGNIZED_OPERATION))

    def _requested(self, request: Request[Any], context: AcceptedContext) -> Requested[Any]:
        """The event a handler is handed: ``request``'s data set decoded in the transfer
        syntax of its context (PS3.7 6.3.1)."""
        payload = request.data_set_payload
        data_set = None if payload is None else payload.to_dataset(context.transfer_syntax)
        return Requested(
            request=request,
            context=context,
            peer=self.peer,
            data_set=data_set,
            association=self.association,
        )

    def _cancelled(self, operation: Operation) -> asyncio.Event:
        """The flag a C-CANCEL of ``operation`` sets (:meth:`cancel_received`)."""
        return self._cancels[operation.message_id]

    async def _pending(self, operation: Operation, response: Response) -> None:
        """Send a Pending response of ``operation``."""
        try:
            await self._link.send_message(operation.context_id, response)
        except DimseError as error:  # the association went meanwhile
            raise _Unsendable(str(error)) from error

    async def _find(self, operation: Operation, event: Requested[CFindRequest]) -> Response:
        """C-FIND (PS3.4 C.4.1.3, K.4.1.3): each match a Pending response carrying it
        (FF00, or the FF01 the handler gives with it: PS3.4 C.4.1.1.4), a C-CANCEL
        honoured between them (Cancel FE00), Success (0000) at their end."""
        handler = self._handlers.find
        assert handler is not None
        request = event.request
        cancelled = self._cancelled(operation)
        matches = handler(event)
        try:
            async for match in matches:
                if cancelled.is_set():
                    break
                identifier, status = match if isinstance(match, tuple) else (match, PENDING)
                if status not in PENDING_CODES:
                    raise ValueError(
                        f"a match goes with a Pending status, FF00 or FF01 (PS3.4 "
                        f"C.4.1.1.4), not {status!r}"
                    )
                response = request.response(status=status, identifier=DataSetPayload(identifier))
                await self._pending(operation, response)
                if cancelled.is_set():
                    break
        finally:
            if isinstance(matches, AsyncGenerator):
                await matches.aclose()
        return request.response(status=CANCEL if cancelled.is_set() else SUCCESS)

    def _retrieval(self, operation: Operation) -> Retrieval:
        """The sub-operations of a C-GET or C-MOVE (``_retrieving``)."""
        return Retrieval(
            operation=operation,
            peer=self.peer,
            association=self.association,
            move_to=self.move_to,
            cancelled=self._cancelled(operation),
            pending=lambda response: self._pending(operation, response),
            log=self._link.log,
        )
