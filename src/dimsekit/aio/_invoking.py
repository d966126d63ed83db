"""Our requests on one association and their responses, for the client and the server
alike (a server invokes too: the C-STORE sub-operations of a C-GET, an N-EVENT-REPORT).

Owns: :class:`Invoker`: a request sent with a free Message ID (PS3.7 9.1, 10.1), held while
the asynchronous operations window is full (PS3.7 D.3.3.3), each Pending response handed
to the caller's ``pending`` callback as it comes and the final one to its awaiter (the
engine pairs them, PS3.7 9.3, 10.3, Annex C); :class:`Invocation`, one request under
way, whose :meth:`~Invocation.cancel` sends the C-CANCEL-RQ of a C-FIND, C-GET or C-MOVE
(PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3) and leaves the operation outstanding until its final
response comes; a task awaiting one that is cancelled sends that C-CANCEL, then re-raises;
a caller's event set does too (:meth:`~Invocation.cancel_when`), the final response still
awaited; a ``pending`` callback that raises cancels its operation, its error raised by
:meth:`~Invocation.final`; the operations we cancelled waited for before a release
(:meth:`Invoker.settled`).

Must not know: which service a request is of (beyond whether a C-CANCEL stops it: the
operations' ``CANCELLABLE``), what a response's data set holds, sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .._association.engine import OperationsUnfinished
from .._association.operations import CANCELLABLE, ResponseReceived
from .._errors import DimseError, LocalProtocolError
from ..messages import CCancelRequest, Request, Response
from ._errors import AssociationError, OperationEndedError, StatusError
from ._link import Link

__all__ = ["Invocation", "Invoker"]

_RspT = TypeVar("_RspT", bound=Response)


class Invocation(Generic[_RspT]):
    """One request of ours under way: its ``request`` (its Message ID), its
    ``context_id``, and the final response (await :meth:`final`)."""

    def __init__(
        self,
        invoker: Invoker,
        context_id: int,
        request: Request[_RspT],
        pending: Callable[[_RspT], None] | None,
    ) -> None:
        self._invoker = invoker
        self.context_id: int = context_id
        self.request: Request[_RspT] = request
        self.pending: Callable[[_RspT], None] | None = pending
        """Called with each Pending response (those that cross a C-CANCEL too)."""
        self.answer: asyncio.Future[_RspT] = asyncio.get_running_loop().create_future()
        self.cancelled: bool = False
        self.failure: BaseException | None = None
        """What ``pending`` raised, if it did: the operation is cancelled, and
        :meth:`final` raises it once the final response has come."""

    @property
    def message_id(self) -> int:
        return self.request.message_id

    @property
    def done(self) -> bool:
        """Whether the final response came (or the operation ended without one)."""
        return self.answer.done()

    def cancel(self) -> None:
        """Ask the peer to stop: a C-CANCEL-RQ (PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3), sent as
        soon as no other message is half sent (PS3.8 E.1); the Pending responses already
        on their way are still handed on.  The operation stays outstanding until its
        final response; once it has come, or for a request no C-CANCEL stops, nothing is
        sent."""
        if self.cancelled or self.done or self.request.command_field not in CANCELLABLE:
            return
        self.cancelled = True
        self._invoker._send_cancel(self)

    async def cancel_when(self, asked: asyncio.Event) -> None:
        """Wait until the operation ends or ``asked`` is set, and in that case
        :meth:`cancel` it (a caller's way to cancel and still have its final response);
        cancelled while waiting, the operation is cancelled and the cancellation goes on."""
        wanted = asyncio.ensure_future(asked.wait())
        try:
            either: set[asyncio.Future[Any]] = {wanted, self.answer}
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            self.cancel()
            raise
        finally:
            wanted.cancel()
        if asked.is_set():
            self.cancel()

    def hand_on(self, response: _RspT) -> None:
        """A Pending response, to ``pending``; one that raises stops the operation (a
        C-CANCEL-RQ where one stops it) and is re-raised by :meth:`final` (it runs
        within the transport's callbacks, where an exception would end the connection)."""
        pending = self.pending
        if pending is None or self.failure is not None:
            return
        try:
            pending(response)
        except Exception as error:
            self.failure = error
            self.cancel()

    async def final(self, *, check: bool = False) -> _RspT:
        """The final response; with ``check``, a Failure status raises
        :class:`~dimsekit.aio.StatusError`.  Cancelled while waiting, the operation is
        cancelled (:meth:`cancel`), then the :class:`asyncio.CancelledError` re-raised."""
        try:
            response = await asyncio.shield(self.answer)
        except asyncio.CancelledError:
            if not self.answer.done():
                self.cancel()
            raise
        if self.failure is not None:
            raise self.failure
        if check and response.status.category.value == "failure":
            raise StatusError(response)
        return response


class Invoker:
    """The requests we invoke on ``link``'s association (see the module docstring)."""

    def __init__(self, link: Link) -> None:
        self._link = link
        self._engine = link.engine
        self._loop = asyncio.get_running_loop()
        self._waiting: dict[int, Invocation[Any]] = {}
        self._window_waiters: list[asyncio.Future[None]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.ended: AssociationError | None = None
        """Why no request can be sent any more (released, aborted, rejected), once so."""

    async def start(
        self,
        context_id: int,
        build: Callable[[int], Request[_RspT]],
        *,
        pending: Callable[[_RspT], None] | None = None,
    ) -> Invocation[_RspT]:
        """Send the request ``build`` makes with a free Message ID on ``context_id``
        (checked by the engine first: :class:`~dimsekit.LocalProtocolError`, nothing
        sent); a call beyond the asynchronous window waits until an operation has ended
        (PS3.7 D.3.3.3).  ``pending`` is called with each Pending response (PS3.7 Annex
        C).  Returns once the request is written."""
        link = self._link
        engine = self._engine
        while True:
            self._raise_if_ended()
            if not engine.window_open:
                waiter = self._loop.create_future()
                self._window_waiters.append(waiter)
                await waiter
                continue
            async with link.send_lock:
                self._raise_if_ended()
                if not engine.window_open:
                    continue
                message_id = engine.next_message_id()
                invocation = Invocation(self, context_id, build(message_id), pending)
                self._waiting[message_id] = invocation
                try:
                    await link.send_locked(context_id, invocation.request)
                except LocalProtocolError:
                    self._forget(invocation)
                    if self.ended is not None:  # it ended under the send: say why
                        raise self.ended from None
                    raise
                except BaseException:
                    self._forget(invocation)
                    raise
                return invocation

    async def invoke(
        self,
        context_id: int,
        build: Callable[[int], Request[_RspT]],
        *,
        check: bool = False,
        pending: Callable[[_RspT], None] | None = None,
    ) -> _RspT:
        """:meth:`start`, then the final response (:meth:`Invocation.final`)."""
        invocation = await self.start(context_id, build, pending=pending)
        return await invocation.final(check=check)

    def _send_cancel(self, invocation: Invocation[Any]) -> None:
        """Send ``invocation``'s C-CANCEL-RQ in a task of its own, once the send lock is
        free (a message half sent is finished first, PS3.8 E.1)."""
        task = self._loop.create_task(self._cancel(invocation))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _cancel(self, invocation: Invocation[Any]) -> None:
        cancel = CCancelRequest(message_id_being_responded_to=invocation.message_id)
        with contextlib.suppress(DimseError):  # it ended meanwhile: nothing to cancel
            if not invocation.done:
                await self._link.send_message(invocation.context_id, cancel)
                self._link.log.info("C-CANCEL-RQ for Message ID %d sent", invocation.message_id)

    async def settled(self, timeout: float | None) -> None:
        """Wait, at most ``timeout`` seconds, for the final responses of the operations
        we cancelled (what a release waits for before it asks: PS3.8 7.2 releases an
        association with no operation outstanding)."""
        answers = [i.answer for i in self._waiting.values() if i.cancelled and not i.done]
        if answers:
            await asyncio.wait(answers, timeout=timeout)

    def _raise_if_ended(self) -> None:
        if self.ended is not None:
            raise self.ended

    # --- what the engine says -----------------------------------------------------------

    def response(self, event: ResponseReceived) -> None:
        """A response to one of ours: a Pending one to its callback, the final one to its
        awaiter; the window may have opened."""
        message_id = event.operation.request.message_id
        if not event.final:
            invocation = self._waiting.get(message_id)
            if invocation is not None:
                invocation.hand_on(event.response)
            return
        invocation = self._waiting.pop(message_id, None)
        if invocation is not None and not invocation.answer.done():
            invocation.answer.set_result(event.response)
        self._wake()

    def unfinished(self, event: OperationsUnfinished) -> None:
        """The association ended with these operations outstanding."""
        for operation in event.operations:
            if operation.ours:
                self.fail(operation.request.message_id, "the association ended")

    def fail(self, message_id: int, why: str) -> None:
        """Operation ``message_id`` ended without its final response (a timeout, the
        association's end)."""
        invocation = self._waiting.pop(message_id, None)
        if invocation is not None and not invocation.answer.done():
            invocation.answer.set_exception(
                OperationEndedError(f"Message ID {message_id} ended: {why}")
            )
            invocation.answer.exception()  # retrieved: its awaiter may have gone
        self._wake()

    def end(self, error: AssociationError) -> None:
        """No request can be sent any more, and none outstanding will be answered."""
        if self.ended is None:
            self.ended = error
        waiting, self._waiting = self._waiting, {}
        for invocation in waiting.values():
            if not invocation.answer.done():
                invocation.answer.set_exception(error)
                invocation.answer.exception()  # retrieved: its awaiter may have gone
        self._wake()

    def _forget(self, invocation: Invocation[Any]) -> None:
        """A request whose send raised: nobody waits for its answer."""
        if self._waiting.get(invocation.message_id) is invocation:
            del self._waiting[invocation.message_id]
        if not invocation.answer.done():
            invocation.answer.cancel()
        elif not invocation.answer.cancelled():
            invocation.answer.exception()  # what ended it is what the send raises

    def _wake(self) -> None:
        waiters, self._window_waiters = self._window_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
