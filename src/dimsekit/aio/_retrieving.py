"""The C-STORE sub-operations of a C-GET or C-MOVE we perform (PS3.4 C.4.2.3, C.4.3.3).

Owns: :class:`Retrieval`: the instances a handler gave sent one by one, a C-GET's on
the same association, each on a context whose SCP role the requestor took (PS3.7
D.3.3.4: one that has none fails), a C-MOVE's on an association of their own to the
Move Destination (opened by the :data:`Opener` its owner gives; an AE title it does not
know: A801), each C-STORE-RQ naming the Move Originator AE Title and Message ID (PS3.7
9.3.1.1), that association released at the end; the counters (:class:`Tally`) in a
Pending response after each sub-operation but the last (PS3.7 9.3.3.2, 9.3.4.2); a
C-CANCEL, which interrupts the sub-operations (PS3.4 C.4.2.3.1, C.4.3.3.1): seen before
the destination is connected to, none goes; seen while one is under way, that one is
given up (a C-MOVE's destination association aborted, so that its C-STORE stops there
too: the final response goes once its transport has closed, which the destination does
on the A-ABORT, or ARTIM does); the final response, Cancel with the counters and the
instances not sent in the Failed SOP Instance UID List.  It owns the final status rule
of the Query/Retrieve retrieve services (:meth:`Tally.final_status`, PS3.4 C.4.2.3.1,
C.4.3.3.1): stated there only.

An instance that cannot be sent (a file that is not one, a data set whose UIDs no
C-STORE-RQ may carry) is one failed sub-operation, never the end of the others.  Each
instance is read at most twice: a C-MOVE's once before its destination is connected to
(the contexts to propose, and its SOP Instance UID for the final response), and once to
be sent; a C-GET's once, to be sent or, never sent after a C-CANCEL, for its UID in the
final response.

Must not know: sockets, how a request's data set is decoded, which handler gave the
instances.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from typing import Any, Final, Protocol, TypeAlias, TypeVar

import attrs
from pydicom.dataset import Dataset

from .._association.negotiation import ProposedContext
from .._association.operations import OUT_OF_RESOURCES, Operation
from .._errors import DimseError, LocalProtocolError
from .._model.status import CANCEL, PENDING, SUCCESS, to_status
from ..messages import (
    CGetRequest,
    CGetResponse,
    CMoveRequest,
    CMoveResponse,
    CStoreRequest,
    CStoreResponse,
    Response,
)
from ._errors import AssociationError
from ._handlers import Invoking, Peer, Refused
from ._instances import Instance, Outgoing, context_for, proposed_for
from ._part10 import Part10Error

__all__ = ["Connector", "Destination", "Opener", "Retrieval", "Tally"]

_T = TypeVar("_T")


class Destination(Invoking, Protocol):
    """An association to a C-MOVE's destination, as the sub-operations use it (a
    :class:`~dimsekit.aio.ClientAssociation` is one)."""

    async def release(self) -> None: ...

    async def abort(self) -> None: ...


Connector: TypeAlias = Callable[[str, list[ProposedContext]], Awaitable[Destination]]
"""Opens the association to a C-MOVE destination, called with the calling AE title to use
and the contexts to propose (:class:`~dimsekit.aio.AssociationError` where it cannot)."""

Opener: TypeAlias = Callable[[str], Connector | None]
"""The :data:`Connector` of a C-MOVE destination, by its AE title; None for one not known."""

SOME_FAILED: Final = 0xB000
"""Sub-operations complete, one or more failures (or warnings) (PS3.4 C.4.2.1.5, C.4.3.1.4)."""
DESTINATION_UNKNOWN: Final = 0xA801
"""Refused: Move Destination unknown (PS3.4 C.4.2.1.5)."""

_SubOperation: TypeAlias = Callable[[Outgoing], Awaitable[CStoreResponse]]
_Instances: TypeAlias = Callable[[], Awaitable[Sequence[Instance]]]
"""The handler of a C-GET or C-MOVE, called for the instances it names."""
_Final: TypeAlias = tuple[Response, str]
"""A final response and the words its log line adds."""


@attrs.define
class Tally:
    """The sub-operations of one retrieval: ``total``, and how many ended with Success,
    Failure and Warning (PS3.7 9.1.3.1, 9.1.4.1), the SOP Instance UIDs that failed."""

    total: int
    completed: int = 0
    failed: int = 0
    warning: int = 0
    failed_uids: list[str] = attrs.field(factory=list)

    @property
    def remaining(self) -> int:
        return self.total - self.completed - self.failed - self.warning

    def count(self, status: int | None, sop_instance: str | None) -> None:
        """A sub-operation ended with ``status`` (None: it could not be performed)."""
        code = None if status is None else to_status(status)
        if code is not None and code.is_success:
            self.completed += 1
        elif code is not None and code.is_warning:
            self.warning += 1
        else:
            self.failed += 1
            if sop_instance is not None:
                self.failed_uids.append(sop_instance)

    def counters(self, *, remaining: bool) -> dict[str, int]:
        """The counters a response carries: Remaining only with Pending and Cancel
        (PS3.7 9.1.3.1, 9.1.4.1, PS3.4 C.4.2.1.6)."""
        fields = {
            "number_of_completed_suboperations": self.completed,
            "number_of_failed_suboperations": self.failed,
            "number_of_warning_suboperations": self.warning,
        }
        if remaining:
            fields["number_of_remaining_suboperations"] = self.remaining
        return fields

    def final_status(self, *, cancelled: bool, all_failed: int) -> int:
        """Cancel after a C-CANCEL; Success with no failure nor warning; ``all_failed``
        (the service's "Refused: Out of Resources, unable to perform sub-operations",
        A702) when every sub-operation failed; else Warning B000 (PS3.4 C.4.2.3.1,
        C.4.3.3.1)."""
        if cancelled:
            return CANCEL
        if not self.failed and not self.warning:
            return SUCCESS
        if not self.completed and not self.warning:
            return all_failed
        return SOME_FAILED


def retrieved_detail(response: Response) -> str:
    """The words a final C-GET or C-MOVE response's log line adds: its counters."""
    if not isinstance(response, CGetResponse | CMoveResponse):
        return ""
    return (
        f" ({response.number_of_completed_suboperations or 0} completed, "
        f"{response.number_of_failed_suboperations or 0} failed, "
        f"{response.number_of_warning_suboperations or 0} warning)"
    )


@attrs.frozen(kw_only=True)
class Retrieval:
    """The sub-operations of the C-GET or C-MOVE ``operation`` (see the module
    docstring): ``pending`` sends a Pending response of it, ``cancelled`` is set by its
    C-CANCEL."""

    operation: Operation
    peer: Peer
    association: Invoking | None
    move_to: Opener | None
    cancelled: asyncio.Event
    pending: Callable[[Response], Awaitable[None]]
    log: logging.LoggerAdapter[logging.Logger]

    @property
    def _all_failed(self) -> int:
        """The final status when no sub-operation could be performed (PS3.4 C.4.2.1.5,
        C.4.3.1.4: A702)."""
        return OUT_OF_RESOURCES[self.operation.request.command_field]

    async def get(self, handler: _Instances) -> _Final:
        """A C-GET's sub-operations, of the instances ``handler`` gives, on this
        association (PS3.4 C.4.3.3)."""
        request = self.operation.request
        assert isinstance(request, CGetRequest)
        association = self.association
        if association is None:  # nothing to send on: none can be performed
            raise Refused(self._all_failed, "no association to send the sub-operations on")
        instances = await handler()

        async def store(outgoing: Outgoing) -> CStoreResponse:
            context = context_for(association.agreement, outgoing, "acceptor")
            return await association.invoke(context.context_id, self._builder(outgoing))

        final, _ = await self._run(instances, store, None)
        return final

    async def move(self, handler: _Instances) -> _Final:
        """A C-MOVE's sub-operations, of the instances ``handler`` gives, on an
        association of their own to the Move Destination (PS3.4 C.4.2.3): A801, and
        the handler not called, where it is not known; none requested where there is
        nothing to send or a C-CANCEL came first."""
        request = self.operation.request
        assert isinstance(request, CMoveRequest)
        connector = None if self.move_to is None else self.move_to(request.move_destination)
        if connector is None:
            raise Refused(
                DESTINATION_UNKNOWN,
                f"no address is known for AE title {request.move_destination!r}",
            )
        instances = await handler()
        known: list[str | None] = []  # each one's SOP Instance UID, None: it cannot be sent
        contexts = proposed_for(self._heads(instances, known))
        if not instances or self.cancelled.is_set():  # no association for nothing
            return self._final(Tally(total=len(instances)), [uid for uid in known if uid])
        destination: Destination | None = None
        if contexts:  # else not one can be sent: no association for them
            interrupted, destination = await self._or_cancel(self._connect(connector, contexts))
            if interrupted:
                return self._final(Tally(total=len(instances)), [uid for uid in known if uid])
        if destination is None:  # none can be performed
            tally = Tally(total=len(instances))
            for uid in known:
                tally.count(None, uid)
            return self._final(tally, None)

        async def store(outgoing: Outgoing) -> CStoreResponse:
            context = context_for(destination.agreement, outgoing, "requestor")
            return await destination.invoke(context.context_id, self._builder(outgoing))

        try:
            final, interrupted = await self._run(instances, store, known)
        except BaseException:
            await destination.abort()
            raise
        if interrupted:  # its C-STORE stops there too (PS3.4 C.4.2.3.1)
            await destination.abort()
            return final
        try:
            await destination.release()
        except (AssociationError, LocalProtocolError) as error:  # it went, or cannot go
            self.log.warning("the association to %s: %s", request.move_destination, error)
            await destination.abort()
        return final

    async def _connect(
        self, connector: Connector, contexts: list[ProposedContext]
    ) -> Destination | None:
        """The association to the Move Destination, None where it cannot be had."""
        request = self.operation.request
        assert isinstance(request, CMoveRequest)
        try:
            return await connector(self.peer.called_ae_title, contexts)
        except AssociationError as error:
            self.log.warning(
                "C-MOVE Message ID %d: no association to %s: %s",
                request.message_id,
                request.move_destination,
                error,
            )
            return None

    def _heads(self, instances: Sequence[Instance], known: list[str | None]) -> Iterator[Outgoing]:
        """Each of ``instances`` that can be sent, read for the contexts to propose, its
        SOP Instance UID (None: it cannot be sent) appended to ``known``."""
        for instance in instances:
            outgoing = self._prepared(instance)
            known.append(None if outgoing is None else outgoing.sop_instance)
            if outgoing is not None:
                yield outgoing

    async def _run(
        self, instances: Sequence[Instance], store: _SubOperation, known: list[str | None] | None
    ) -> tuple[_Final, bool]:
        """Each of ``instances`` sent by ``store``, counted; a Pending response after each
        but the last; a C-CANCEL honoured between them and while one is under way (then
        given up: the second value says so).  ``known``: each one's SOP Instance UID,
        None for one that cannot be sent (not read again), where they were read before;
        None: they were not."""
        cancel = asyncio.get_running_loop().create_task(self.cancelled.wait())
        try:
            return await self._sent(instances, store, known, cancel)
        finally:
            cancel.cancel()

    async def _sent(
        self,
        instances: Sequence[Instance],
        store: _SubOperation,
        known: list[str | None] | None,
        cancel: asyncio.Task[Any],
    ) -> tuple[_Final, bool]:
        """:meth:`_run`, ``cancel`` awaiting the C-CANCEL (one task for them all)."""
        request = self.operation.request
        tally = Tally(total=len(instances))
        for index, instance in enumerate(instances):
            if self.cancelled.is_set():
                return self._final(tally, self._uids(instances[index:], known, index)), False
            outgoing: Outgoing | None = None  # one that could not be read before: not again
            if known is None or known[index] is not None:
                outgoing = self._prepared(instance)
            status: int | None = None
            if outgoing is not None:
                performed = self._performed(store, outgoing)
                interrupted, status = await self._or_cancel(performed, cancel)
                if interrupted:
                    left = self._uids(instances[index + 1 :], known, index + 1)
                    return self._final(tally, [outgoing.sop_instance, *left]), True
            tally.count(status, None if outgoing is None else outgoing.sop_instance)
            if tally.remaining:
                await self.pending(
                    request.response(status=PENDING, **tally.counters(remaining=True))
                )
        return self._final(tally, None), False

    async def _performed(self, store: _SubOperation, outgoing: Outgoing) -> int | None:
        """The status of ``outgoing``'s sub-operation, None where it could not be
        performed (no context for it, the association went, no response in time)."""
        try:
            return int((await store(outgoing)).status)
        except DimseError as error:
            self.log.warning("C-STORE sub-operation of %s failed: %s", outgoing.sop_instance, error)
            return None

    async def _or_cancel(
        self, work: Coroutine[Any, Any, _T], cancel: asyncio.Task[Any] | None = None
    ) -> tuple[bool, _T | None]:
        """``work`` raced against the C-CANCEL (``cancel``, a task awaiting it, where one
        is already made): (False, what it gave), or (True, None) where the C-CANCEL came
        first and ``work`` was cancelled (PS3.4 C.4.2.3.1, C.4.3.3.1: a cancel interrupts
        the sub-operations)."""
        loop = asyncio.get_running_loop()
        task = loop.create_task(work)
        own = cancel is None
        if cancel is None:
            cancel = loop.create_task(self.cancelled.wait())
        try:
            await asyncio.wait((task, cancel), return_when=asyncio.FIRST_COMPLETED)
        finally:
            if own:
                cancel.cancel()
            if not task.done():
                task.cancel()
                await asyncio.wait((task,))
        if task.cancelled():
            return True, None
        return False, task.result()

    def _uids(
        self, instances: Sequence[Instance], known: list[str | None] | None, start: int
    ) -> list[str]:
        """The SOP Instance UIDs of ``instances``, never sent (after a C-CANCEL), the
        first of them the ``start``-th: from ``known``, else read."""
        if known is not None:
            return [uid for uid in known[start : start + len(instances)] if uid is not None]
        return [outgoing.sop_instance for outgoing in map(self._prepared, instances) if outgoing]

    def _final(self, tally: Tally, left: Sequence[str] | None) -> _Final:
        """The final response: its status (Cancel where ``left`` says which instances
        were never sent, after a C-CANCEL), the counters, and the Failed SOP Instance UID
        List (0008,0058) of the failed ones and of those never sent (PS3.4 C.4.2.1.4.2,
        C.4.3.1.3.2)."""
        request = self.operation.request
        cancelled = left is not None
        status = tally.final_status(cancelled=cancelled, all_failed=self._all_failed)
        uids = [*tally.failed_uids, *(left or ())]
        fields: dict[str, Any] = tally.counters(remaining=cancelled)
        if uids and status != SUCCESS:
            identifier = Dataset()
            identifier.FailedSOPInstanceUIDList = uids
            fields["identifier"] = identifier
        response = request.response(status=status, **fields)
        return response, retrieved_detail(response)

    def _builder(self, outgoing: Outgoing) -> Callable[[int], CStoreRequest]:
        """``outgoing``'s C-STORE-RQ for the Message ID an invoker gives: the C-GET's or
        C-MOVE's priority, a C-MOVE's naming its Move Originator (PS3.7 9.3.1.1)."""
        request = self.operation.request
        assert isinstance(request, CGetRequest | CMoveRequest)
        originator = (
            (self.peer.calling_ae_title, request.message_id)
            if isinstance(request, CMoveRequest)
            else None
        )
        return outgoing.builder(priority=request.priority, move_originator=originator)

    def _prepared(self, instance: Instance) -> Outgoing | None:
        """``instance`` made ready to send, its C-STORE-RQ checked, or None where it
        cannot be (a file that is not one, or not there; a data set without its SOP UIDs,
        or with UIDs no request may carry): its sub-operation fails."""
        try:
            outgoing = Outgoing.of(instance)
            self._builder(outgoing)(1)  # checked as it will be sent, any Message ID
        except (OSError, Part10Error, AttributeError, ValueError) as error:
            # ValueError: a DimseError of the request, or pydicom's UID check in its
            # raising validation mode
            self.log.warning("an instance that cannot be sent: %s", error)
            return None
        return outgoing
