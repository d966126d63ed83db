"""The C-STORE sub-operations of a C-GET or C-MOVE we perform (PS3.4 C.4.2.3, C.4.3.3).

Owns: :class:`Retrieval`: the instances a handler gave sent one by one, a C-GET's on
the same association, each on a context whose SCP role the requestor took (PS3.7
D.3.3.4: one that has none fails), a C-MOVE's on an association of their own to the
Move Destination (opened by the :data:`Opener` its owner gives; an AE title it does not
know: A801), each
C-STORE-RQ naming the Move Originator AE Title and Message ID (PS3.7 9.3.1.1), that
association released at the end; the counters (:class:`Tally`) in a Pending response
after each sub-operation but the last (PS3.7 9.3.3.2, 9.3.4.2), a C-CANCEL honoured
between them, and the final status PS3.4 C.4.2.3.1 and C.4.3.3.1 prescribe.

Must not know: sockets, how a request's data set is decoded, which handler gave the
instances.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, Protocol, TypeAlias

import attrs
from pydicom.dataset import Dataset

from .._association.negotiation import Agreement, ProposedContext
from .._association.operations import Operation
from .._errors import ContextNotAgreedError, LocalProtocolError
from .._model.status import to_status
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


class Destination(Protocol):
    """An association to a C-MOVE's destination, as the sub-operations use it (a
    :class:`~dimsekit.aio.ClientAssociation` is one)."""

    @property
    def agreement(self) -> Agreement: ...

    async def invoke(
        self, context_id: int, build: Callable[[int], CStoreRequest]
    ) -> CStoreResponse: ...

    async def release(self) -> None: ...

    async def abort(self) -> None: ...


Connector: TypeAlias = Callable[[str, list[ProposedContext]], Awaitable[Destination]]
"""Opens the association to a C-MOVE destination, called with the calling AE title to use
and the contexts to propose (:class:`~dimsekit.aio.AssociationError` where it cannot)."""

Opener: TypeAlias = Callable[[str], Connector | None]
"""The :data:`Connector` of a C-MOVE destination, by its AE title; None for one not known."""

SUCCESS: Final = 0x0000
PENDING: Final = 0xFF00
"""A C-FIND match, or C-GET/C-MOVE progress (PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4)."""
CANCEL: Final = 0xFE00
"""The final status of an operation a C-CANCEL stopped (PS3.4 C.4.1.1.4, C.4.2.1.5)."""
SOME_FAILED: Final = 0xB000
"""Sub-operations complete, one or more failures (or warnings) (PS3.4 C.4.2.1.5, C.4.3.1.4)."""
ALL_FAILED: Final = 0xA702
"""Refused: out of resources, unable to perform sub-operations: the final status when
every sub-operation failed (PS3.4 C.4.2.3.1, C.4.3.3.1: Failure)."""
DESTINATION_UNKNOWN: Final = 0xA801
"""Refused: Move Destination unknown (PS3.4 C.4.2.1.5)."""

_SubOperation: TypeAlias = Callable[[Outgoing], Awaitable[CStoreResponse]]
_Instances: TypeAlias = Callable[[], Awaitable[Sequence[Instance]]]
"""The handler of a C-GET or C-MOVE, called for the instances it names."""


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

    def final_status(self, cancelled: bool) -> int:
        """Cancel after a C-CANCEL; Success with no failure nor warning; Failure when
        every sub-operation failed; else Warning (PS3.4 C.4.2.3.1, C.4.3.3.1)."""
        if cancelled:
            return CANCEL
        if not self.failed and not self.warning:
            return SUCCESS
        if not self.completed and not self.warning:
            return ALL_FAILED
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

    async def get(self, handler: _Instances) -> tuple[Response, str]:
        """A C-GET's sub-operations, of the instances ``handler`` gives, on this
        association (PS3.4 C.4.3.3)."""
        request = self.operation.request
        assert isinstance(request, CGetRequest)
        association = self.association
        if association is None:  # nothing to send on: none can be performed
            raise Refused(ALL_FAILED, "no association to send the sub-operations on")
        instances = await handler()

        async def store(outgoing: Outgoing) -> CStoreResponse:
            context = context_for(association.agreement, outgoing, "acceptor")
            return await association.invoker.invoke(
                context.context_id, outgoing.builder(priority=request.priority)
            )

        return await self._run(instances, store)

    async def move(self, handler: _Instances) -> tuple[Response, str]:
        """A C-MOVE's sub-operations, of the instances ``handler`` gives, on an
        association of their own to the Move Destination (PS3.4 C.4.2.3): A801, and
        the handler not called, where it is not known."""
        request = self.operation.request
        assert isinstance(request, CMoveRequest)
        connector = None if self.move_to is None else self.move_to(request.move_destination)
        if connector is None:
            raise Refused(
                DESTINATION_UNKNOWN,
                f"no address is known for AE title {request.move_destination!r}",
            )
        instances = await handler()
        if not instances:  # nothing to send: no association for it
            return self._final(Tally(total=0), ())
        contexts = proposed_for(
            outgoing for outgoing in map(self._prepared, instances) if outgoing is not None
        )
        try:
            destination = await connector(self.peer.called_ae_title, contexts)
        except AssociationError as error:
            self.log.warning(
                "C-MOVE Message ID %d: no association to %s: %s",
                request.message_id,
                request.move_destination,
                error,
            )
            return self._failed_all(instances)
        originator = (self.peer.calling_ae_title, request.message_id)

        async def store(outgoing: Outgoing) -> CStoreResponse:
            context = context_for(destination.agreement, outgoing, "requestor")
            return await destination.invoke(
                context.context_id,
                outgoing.builder(priority=request.priority, move_originator=originator),
            )

        try:
            result = await self._run(instances, store)
        except BaseException:
            await destination.abort()
            raise
        try:
            await destination.release()
        except (AssociationError, LocalProtocolError) as error:  # it went, or cannot go
            self.log.warning("the association to %s: %s", request.move_destination, error)
            await destination.abort()
        return result

    async def _run(
        self, instances: Sequence[Instance], store: _SubOperation
    ) -> tuple[Response, str]:
        """Each of ``instances`` sent by ``store``, counted; a Pending response after each
        but the last; a C-CANCEL honoured between them."""
        request = self.operation.request
        tally = Tally(total=len(instances))
        for index, instance in enumerate(instances):
            if self.cancelled.is_set():
                return self._final(tally, instances[index:])
            outgoing = self._prepared(instance)
            status: int | None = None
            if outgoing is not None:
                try:
                    status = int((await store(outgoing)).status)
                except (ContextNotAgreedError, LocalProtocolError, AssociationError) as error:
                    self.log.warning(
                        "C-STORE sub-operation of %s failed: %s", outgoing.sop_instance, error
                    )
            tally.count(status, None if outgoing is None else outgoing.sop_instance)
            if tally.remaining:
                await self.pending(
                    request.response(status=PENDING, **tally.counters(remaining=True))
                )
        return self._final(tally, ())

    def _final(self, tally: Tally, left: Sequence[Instance]) -> tuple[Response, str]:
        """The final response: its status, the counters, and the Failed SOP Instance UID
        List (0008,0058) of the failed ones and, after a cancel, of those never sent
        (PS3.4 C.4.2.1.4.2, C.4.3.1.3.2)."""
        request = self.operation.request
        cancelled = bool(left)
        status = tally.final_status(cancelled)
        uids = [
            *tally.failed_uids,
            *(outgoing.sop_instance for outgoing in map(self._prepared, left) if outgoing),
        ]
        fields: dict[str, Any] = tally.counters(remaining=cancelled)
        if uids and status != SUCCESS:
            identifier = Dataset()
            identifier.FailedSOPInstanceUIDList = uids
            fields["identifier"] = identifier
        response = request.response(status=status, **fields)
        return response, retrieved_detail(response)

    def _failed_all(self, instances: Sequence[Instance]) -> tuple[Response, str]:
        """None of ``instances`` could be sent (the destination refused or is not there)."""
        tally = Tally(total=len(instances))
        for instance in instances:
            outgoing = self._prepared(instance)
            tally.count(None, None if outgoing is None else outgoing.sop_instance)
        return self._final(tally, ())

    def _prepared(self, instance: Instance) -> Outgoing | None:
        """``instance`` made ready to send, or None where it cannot be (a file that is
        not one, or not there; a data set without its SOP UIDs): its sub-operation fails."""
        try:
            return Outgoing.of(instance)
        except (OSError, Part10Error, AttributeError) as error:
            self.log.warning("an instance that cannot be sent: %s", error)
            return None
