"""The requestor's side: :func:`connect` opens a transport connection and an association on
it, and :class:`ClientAssociation` invokes operations on it.

Owns: :func:`connect` (the A-ASSOCIATE-RQ built by :func:`~dimsekit.propose` from what the
caller offers, the connect timeout, TLS by the caller's :class:`ssl.SSLContext`) and its
result, usable as ``await connect(...)`` or ``async with connect(...) as association``
(released at the end of the block, aborted when the block raises); on the association:
:meth:`~ClientAssociation.echo`, :meth:`~ClientAssociation.store` (a pydicom ``Dataset``
or a DICOM file, streamed from disk), :meth:`~ClientAssociation.find` (its matches as an
async iterator, :class:`Matches`), :meth:`~ClientAssociation.get` (the C-STORE
sub-operations to the store handler; :func:`retrieve_contexts` proposes the SCP role they
need), :meth:`~ClientAssociation.move`, the DIMSE-N calls (``n_get`` ... ``n_event_report``),
:meth:`~ClientAssociation.invoke` (any request), several at once up to the negotiated
asynchronous window (:class:`~dimsekit.aio.Invoker`), each awaiting its own final response
(paired by the engine), the data sets of the responses decoded in their context's transfer
syntax; :meth:`~ClientAssociation.release` and :meth:`~ClientAssociation.abort`.

Must not know: how a message or PDU is laid out, the rules of negotiation and operations
(the engine's), the File Meta Information's layout (``_part10``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl as _ssl
from collections.abc import Callable, Generator, Iterable
from typing import Any, TypeVar

import attrs
from pydicom.dataset import Dataset
from pydicom.uid import UID

from .._association.engine import (
    Aborted,
    AssociateRequest,
    Association,
    AssociationAccepted,
    AssociationEvent,
    AssociationRejected,
    OperationsUnfinished,
    Released,
    ReleaseRequest,
    ReleaseRequested,
    ReleaseResponse,
    Role,
    TimedOut,
)
from .._association.negotiation import (
    DEFAULT_MAX_PDU_LENGTH,
    DEFAULT_TRANSFER_SYNTAXES,
    AcceptedContext,
    Agreement,
    ProposedContext,
    Side,
    propose,
)
from .._association.operations import (
    CancelReceived,
    OperationsPolicy,
    RequestReceived,
    ResponseReceived,
    UnexpectedResponse,
)
from .._association.sop_classes import STUDY_ROOT, QueryModel
from .._errors import LocalProtocolError
from .._framing.items import (
    SOPClassCommonExtendedNegotiation,
    SOPClassExtendedNegotiation,
    UserIdentityRQ,
)
from .._model.payload import DataSetPayload, to_optional_payload
from .._model.vr import Priority
from ..messages import (
    VERIFICATION_SOP_CLASS,
    CEchoRequest,
    CEchoResponse,
    CFindRequest,
    CFindResponse,
    CGetRequest,
    CGetResponse,
    CMoveRequest,
    CMoveResponse,
    CStoreResponse,
    NActionRequest,
    NActionResponse,
    NCreateRequest,
    NCreateResponse,
    NDeleteRequest,
    NDeleteResponse,
    NEventReportRequest,
    NEventReportResponse,
    NGetRequest,
    NGetResponse,
    NSetRequest,
    NSetResponse,
    Request,
    Response,
)
from ._answering import Answering
from ._errors import (
    AssociationAbortedError,
    AssociationError,
    AssociationRejectedError,
    reject_words,
)
from ._handlers import Handlers, Peer
from ._instances import Instance, Outgoing, context_for, is_native_syntax
from ._invoking import Invocation, Invoker
from ._link import LOGGER, AssociationLog, Link

__all__ = [
    "ClientAssociation",
    "Connecting",
    "Matches",
    "connect",
    "is_native_syntax",
    "retrieve_contexts",
]

_RspT = TypeVar("_RspT", bound=Response)


def retrieve_contexts(
    model: QueryModel,
    storage_classes: Iterable[str],
    transfer_syntaxes: Iterable[str] = DEFAULT_TRANSFER_SYNTAXES,
) -> list[ProposedContext]:
    """The presentation contexts a C-GET needs (PS3.4 C.4.3): ``model``'s GET SOP class,
    and each of ``storage_classes`` in ``transfer_syntaxes`` with an SCP/SCU Role
    Selection asking the SCP role (PS3.7 D.3.3.4), so that the peer may send its C-STORE
    sub-operations on them (to the store handler given to :func:`connect`)."""
    get = model.retrieve_class("get")
    syntaxes = tuple(transfer_syntaxes)
    return [
        ProposedContext(abstract_syntax=get),
        *(
            ProposedContext(
                abstract_syntax=sop_class,
                transfer_syntaxes=syntaxes,
                scu_role=False,
                scp_role=True,
            )
            for sop_class in dict.fromkeys(storage_classes)
        ),
    ]


def _decoded(response: _RspT, syntax: UID) -> _RspT:
    """``response`` with the data set it carries (an identifier, an attribute list, an
    action or event reply) decoded into a pydicom ``Dataset`` in the transfer syntax of
    its context (PS3.7 6.3.1): the field's ``.dataset``."""
    payload = response.data_set_payload
    field = response.data_set_field()
    if payload is None or field is None or payload.dataset is not None:
        return response
    decoded: dict[str, Any] = {field: DataSetPayload(payload.to_dataset(syntax))}
    return attrs.evolve(response, **decoded)


class Matches:
    """The matches of a C-FIND (PS3.4 C.4.1), made by :meth:`ClientAssociation.find`: an
    async context manager, and within it an async iterator of each Pending response's
    identifier, a pydicom ``Dataset``, as it arrives.  :attr:`response` is the final
    response once the iteration has ended.

    Leaving the block before the final response sends the C-CANCEL-RQ (PS3.7 9.3.2.3)
    and waits for that response, and so does leaving it by an exception, which then goes
    on; a cancelled task's :class:`asyncio.CancelledError` goes on at once, the C-CANCEL-RQ
    sent (the operation stays outstanding until its final response, which
    :meth:`ClientAssociation.release` waits for).  With ``check`` (the default, as a loop
    that ends gives no status otherwise) a Failure final status raises
    :class:`~dimsekit.aio.StatusError` from the loop.

    The matches wait in memory until the loop takes them (they are never held back from
    the socket: another operation's responses may be behind them, and a loop may await
    one, a C-MOVE of each study found, say)."""

    def __init__(
        self,
        invoker: Invoker,
        context: AcceptedContext,
        build: Callable[[int], CFindRequest],
        check: bool,
    ) -> None:
        self._invoker = invoker
        self._context = context
        self._build = build
        self._check = check
        self._queue: asyncio.Queue[CFindResponse | None] = asyncio.Queue()
        self._invocation: Invocation[CFindResponse] | None = None
        self.response: CFindResponse | None = None
        """The final response, once the iteration has reached it."""

    async def __aenter__(self) -> Matches:
        if self._invocation is not None:
            raise LocalProtocolError("the matches of a find are entered once: call find() again")
        invocation = await self._invoker.start(
            self._context.context_id, self._build, pending=self._queue.put_nowait
        )
        self._invocation = invocation
        invocation.answer.add_done_callback(lambda _: self._queue.put_nowait(None))
        return self

    @property
    def message_id(self) -> int | None:
        """The C-FIND-RQ's Message ID, once sent."""
        return None if self._invocation is None else self._invocation.message_id

    def __aiter__(self) -> Matches:
        return self

    async def __anext__(self) -> Dataset:
        invocation = self._invocation
        if invocation is None:
            raise LocalProtocolError("iterate the matches within `async with association.find()`")
        pending = await self._queue.get() if self.response is None else None
        if pending is not None:
            assert pending.identifier is not None  # a Pending C-FIND-RSP has one (PS3.7 9.3.2.2)
            return pending.identifier.to_dataset(self._context.transfer_syntax)
        self.response = await invocation.final(check=self._check)
        raise StopAsyncIteration

    def cancel(self) -> None:
        """Ask the peer to stop (a C-CANCEL-RQ, PS3.7 9.3.2.3): the matches already on
        their way still come, then the final response (Cancel, FE00, or what the peer
        had already sent)."""
        if self._invocation is not None:
            self._invocation.cancel()

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        invocation = self._invocation
        if invocation is None or invocation.done:
            if invocation is not None and self.response is None and kind is None:
                self.response = await invocation.final()
            return
        invocation.cancel()
        if kind is None:  # the loop was left early: the operation ends with its response
            self.response = await invocation.final()
        elif not issubclass(kind, asyncio.CancelledError):  # it ends, then the error goes on
            with contextlib.suppress(Exception):
                self.response = await invocation.final()


class ClientAssociation:
    """An association we requested, established.  Made by :func:`connect`."""

    def __init__(self, link: Link, peer: Peer) -> None:
        self._link = link
        self._engine = link.engine
        self.peer = peer
        self._loop = asyncio.get_running_loop()
        self._invoker = Invoker(link)
        self._accepted: asyncio.Future[AssociationAccepted] = self._loop.create_future()
        self._released: asyncio.Future[None] = self._loop.create_future()
        self._ended: AssociationError | None = None
        self._releasing: asyncio.Task[None] | None = None
        self.answering: Answering | None = None
        self.handlers: Handlers = Handlers(echo=None)
        """The handlers answering the peer's requests on the association (a C-GET's
        C-STORE sub-operations, an N-EVENT-REPORT): those given to :func:`connect`."""
        self.release_timeout: float | None = 30.0
        """How long :meth:`release` waits for the final responses of the operations we
        cancelled before it asks (then refuses, as for any operation outstanding)."""

    # --- what the caller reads ----------------------------------------------------------

    @property
    def agreement(self) -> Agreement:
        """What the association agreed: the accepted contexts, the window, the maximum
        lengths (PS3.8 7.1.1, PS3.7 D.3.3)."""
        agreement = self._engine.agreement
        assert agreement is not None  # made once the AC came
        return agreement

    @property
    def invoker(self) -> Invoker:
        """Our requests on the association and their responses (what a handler of ours
        invokes on it: :class:`~dimsekit.aio.Invoking`)."""
        return self._invoker

    @property
    def transport(self) -> asyncio.Transport:
        """The asyncio transport (its socket, its TLS peer certificate: ``get_extra_info``)."""
        return self._link.transport

    @property
    def engine(self) -> Association:
        """The association engine underneath (read its state; do not drive it)."""
        return self._engine

    @property
    def is_established(self) -> bool:
        """Whether the association is still there: not released, aborted or ended."""
        return self._ended is None and not self._released.done()

    # --- operations ---------------------------------------------------------------------

    async def echo(self, *, check: bool = False) -> CEchoResponse:
        """C-ECHO (PS3.7 9.1.5) on the Verification context: the final response; with
        ``check``, a failure status raises :class:`~dimsekit.aio.StatusError`."""
        context = self.agreement.context_for(VERIFICATION_SOP_CLASS, scu="requestor")
        return await self.invoke(
            context.context_id, lambda mid: CEchoRequest(message_id=mid), check=check
        )

    async def store(
        self,
        instance: Instance,
        *,
        check: bool = False,
        priority: Priority = Priority.MEDIUM,
    ) -> CStoreResponse:
        """C-STORE (PS3.7 9.1.1) of ``instance``: a pydicom ``Dataset`` (encoded in the
        transfer syntax of the context accepted for its SOP class), or a DICOM file (its
        File Meta Information read, its data set sent from disk in fragments, never read
        whole, on a context accepted with the file's own transfer syntax).  The final
        response; with ``check``, a failure status raises :class:`~dimsekit.aio.StatusError`
        (a warning does not)."""
        outgoing = Outgoing.of(instance)
        context = context_for(self.agreement, outgoing, "requestor")
        return await self.invoke(
            context.context_id, outgoing.builder(priority=priority), check=check
        )

    def find(
        self,
        identifier: Dataset,
        *,
        model: QueryModel = STUDY_ROOT,
        priority: Priority = Priority.MEDIUM,
        check: bool = True,
    ) -> Matches:
        """C-FIND (PS3.7 9.1.2; PS3.4 C.4.1, K.4.1) of ``identifier`` in ``model``:
        ``async with association.find(query) as matches: async for match in matches``
        (:class:`Matches`)."""
        context = self.agreement.context_for(model.find, scu="requestor")
        payload = DataSetPayload(identifier)
        return Matches(
            self._invoker,
            context,
            lambda mid: CFindRequest(
                message_id=mid,
                affected_sop_class_uid=model.find,
                priority=priority,
                identifier=payload,
            ),
            check,
        )

    async def get(
        self,
        identifier: Dataset,
        *,
        model: QueryModel = STUDY_ROOT,
        priority: Priority = Priority.MEDIUM,
        progress: Callable[[CGetResponse], None] | None = None,
        check: bool = False,
        cancel: asyncio.Event | None = None,
    ) -> CGetResponse:
        """C-GET (PS3.7 9.1.3; PS3.4 C.4.3) of the instances ``identifier`` names in
        ``model``: the peer sends them as C-STORE sub-operations on this association, to
        the store handler given to :func:`connect` (on contexts proposed with the SCP role:
        :func:`retrieve_contexts`); ``progress`` is called with each Pending response (its
        sub-operation counters).  The final response (its identifier, the Failed SOP
        Instance UID List where some failed, decoded); with ``check``, a Failure status
        raises :class:`~dimsekit.aio.StatusError`.  Once ``cancel`` is set, the
        C-CANCEL-RQ is sent (PS3.7 9.3.3.3) and the final response (Cancel, FE00, with the
        counters) still returned; the task cancelled, the C-CANCEL-RQ is sent and the
        cancellation re-raised."""
        sop_class = model.retrieve_class("get")
        if self.handlers.store is None:
            raise LocalProtocolError(
                "a C-GET's instances come as C-STORE sub-operations (PS3.4 C.4.3), and this "
                "association has no store handler to take them: connect(handlers="
                "aio.Handlers(store=...))"
            )
        if not any(c.requestor_is_scp for c in self.agreement.contexts.values()):
            raise LocalProtocolError(
                "a C-GET's C-STORE sub-operations need a storage context whose SCP we are "
                "(PS3.7 D.3.3.4): none was accepted with that role (retrieve_contexts())"
            )
        payload = DataSetPayload(identifier)
        return await self._call(
            sop_class,
            lambda mid: CGetRequest(
                message_id=mid,
                affected_sop_class_uid=sop_class,
                priority=priority,
                identifier=payload,
            ),
            check,
            pending=progress,
            cancel=cancel,
        )

    async def move(
        self,
        identifier: Dataset,
        destination: str,
        *,
        model: QueryModel = STUDY_ROOT,
        priority: Priority = Priority.MEDIUM,
        progress: Callable[[CMoveResponse], None] | None = None,
        check: bool = False,
        cancel: asyncio.Event | None = None,
    ) -> CMoveResponse:
        """C-MOVE (PS3.7 9.1.4; PS3.4 C.4.2) of the instances ``identifier`` names in
        ``model`` to the AE titled ``destination`` (the peer knows where it is);
        ``progress`` is called with each Pending response.  The final response, decoded
        as :meth:`get`'s; with ``check``, a Failure status raises
        :class:`~dimsekit.aio.StatusError`.  ``cancel`` and a cancelled task as for
        :meth:`get` (PS3.7 9.3.4.3)."""
        sop_class = model.retrieve_class("move")
        payload = DataSetPayload(identifier)
        return await self._call(
            sop_class,
            lambda mid: CMoveRequest(
                message_id=mid,
                affected_sop_class_uid=sop_class,
                priority=priority,
                identifier=payload,
                move_destination=destination,
            ),
            check,
            pending=progress,
            cancel=cancel,
        )

    async def _call(
        self,
        abstract_syntax: str,
        build: Callable[[int], Request[_RspT]],
        check: bool,
        *,
        pending: Callable[[_RspT], None] | None = None,
        scu: Side = "requestor",
        cancel: asyncio.Event | None = None,
    ) -> _RspT:
        """A request on the context of ``abstract_syntax`` (a DIMSE-N one's may be a Meta
        SOP Class, PS3.4 H.3.2.2), which we are SCU of (an N-EVENT-REPORT: SCP of, PS3.7
        D.3.3.4); the final response with its data set decoded."""
        context = self.agreement.context_for(abstract_syntax, scu=scu)
        invocation = await self._invoker.start(context.context_id, build, pending=pending)
        if cancel is not None:
            await invocation.cancel_when(cancel)
        response = await invocation.final(check=check)
        return _decoded(response, context.transfer_syntax)

    async def n_get(
        self,
        sop_class: str,
        sop_instance: str,
        attributes: Iterable[int] = (),
        *,
        abstract_syntax: str | None = None,
        check: bool = False,
    ) -> NGetResponse:
        """N-GET (PS3.7 10.1.2) of ``attributes`` (tags; none: all) of the SOP instance;
        the response's Attribute List decoded (``response.attribute_list.dataset``)."""
        tags = tuple(attributes)
        return await self._call(
            abstract_syntax or sop_class,
            lambda mid: NGetRequest(
                message_id=mid,
                requested_sop_class_uid=sop_class,
                requested_sop_instance_uid=sop_instance,
                attribute_identifier_list=tags or None,
            ),
            check,
        )

    async def n_set(
        self,
        sop_class: str,
        sop_instance: str,
        modifications: Dataset,
        *,
        abstract_syntax: str | None = None,
        check: bool = False,
    ) -> NSetResponse:
        """N-SET (PS3.7 10.1.3) of the SOP instance's attributes to ``modifications``."""
        payload = DataSetPayload(modifications)
        return await self._call(
            abstract_syntax or sop_class,
            lambda mid: NSetRequest(
                message_id=mid,
                requested_sop_class_uid=sop_class,
                requested_sop_instance_uid=sop_instance,
                modification_list=payload,
            ),
            check,
        )

    async def n_action(
        self,
        sop_class: str,
        sop_instance: str,
        action_type_id: int,
        information: Dataset | None = None,
        *,
        abstract_syntax: str | None = None,
        check: bool = False,
    ) -> NActionResponse:
        """N-ACTION (PS3.7 10.1.4) ``action_type_id`` on the SOP instance, with
        ``information``; the Action Reply decoded."""
        payload = to_optional_payload(information)
        return await self._call(
            abstract_syntax or sop_class,
            lambda mid: NActionRequest(
                message_id=mid,
                requested_sop_class_uid=sop_class,
                requested_sop_instance_uid=sop_instance,
                action_type_id=action_type_id,
                action_information=payload,
            ),
            check,
        )

    async def n_create(
        self,
        sop_class: str,
        sop_instance: str | None = None,
        attributes: Dataset | None = None,
        *,
        abstract_syntax: str | None = None,
        check: bool = False,
    ) -> NCreateResponse:
        """N-CREATE (PS3.7 10.1.5) of a SOP instance of ``sop_class`` (its UID
        ``sop_instance``, or None for the peer to give it in the response) with
        ``attributes``."""
        payload = to_optional_payload(attributes)
        return await self._call(
            abstract_syntax or sop_class,
            lambda mid: NCreateRequest(
                message_id=mid,
                affected_sop_class_uid=sop_class,
                affected_sop_instance_uid=sop_instance,
                attribute_list=payload,
            ),
            check,
        )

    async def n_delete(
        self,
        sop_class: str,
        sop_instance: str,
        *,
        abstract_syntax: str | None = None,
        check: bool = False,
    ) -> NDeleteResponse:
        """N-DELETE (PS3.7 10.1.6) of the SOP instance."""
        return await self._call(
            abstract_syntax or sop_class,
            lambda mid: NDeleteRequest(
                message_id=mid,
                requested_sop_class_uid=sop_class,
                requested_sop_instance_uid=sop_instance,
            ),
            check,
        )

    async def n_event_report(
        self,
        sop_class: str,
        sop_instance: str,
        event_type_id: int,
        information: Dataset | None = None,
        *,
        abstract_syntax: str | None = None,
        check: bool = False,
    ) -> NEventReportResponse:
        """N-EVENT-REPORT (PS3.7 10.1.1) of ``event_type_id`` with ``information``, sent
        as the SCP of ``sop_class`` (a Storage Commitment SCP on an association it
        requested, with the SCP role negotiated: PS3.4 J.3.3)."""
        payload = to_optional_payload(information)
        return await self._call(
            abstract_syntax or sop_class,
            lambda mid: NEventReportRequest(
                message_id=mid,
                affected_sop_class_uid=sop_class,
                affected_sop_instance_uid=sop_instance,
                event_type_id=event_type_id,
                event_information=payload,
            ),
            check,
            scu="acceptor",
        )

    async def invoke(
        self,
        context_id: int,
        build: Callable[[int], Request[_RspT]],
        *,
        check: bool = False,
        pending: Callable[[_RspT], None] | None = None,
    ) -> _RspT:
        """Send the request ``build`` makes with a free Message ID (PS3.7 9.1, 10.1) on
        ``context_id`` and await its final response, ``pending`` called with each Pending
        one (PS3.7 Annex C); a call beyond the asynchronous window waits until an
        operation has ended (PS3.7 D.3.3.3).  Cancelled while it waits for a C-FIND,
        C-GET or C-MOVE, the C-CANCEL-RQ is sent, then the cancellation re-raised (the
        operation stays outstanding until its final response)."""
        return await self._invoker.invoke(context_id, build, check=check, pending=pending)

    # --- the end ------------------------------------------------------------------------

    async def release(self, *, abandon_outstanding: bool = False) -> None:
        """A-RELEASE (PS3.8 7.2): refused (:class:`~dimsekit.LocalProtocolError`) while
        operations are outstanding, unless ``abandon_outstanding`` (their calls then raise
        :class:`~dimsekit.aio.AssociationError`: the association is released); waits for
        the peer's answer and the transport's close (the release timeout aborts).  The
        operations we cancelled (a find or a get whose task was cancelled) are waited for
        first, up to the release timeout, as their final responses end them, and the
        peer's requests our handlers are still answering (a C-GET's last C-STORE)."""
        if self._released.done() or self._ended is not None:
            return
        if not abandon_outstanding:
            await self._invoker.settled(self.release_timeout)
            if self.answering is not None:  # the peer's requests answered first (PS3.8 7.2)
                await self.answering.finished()
        self._link.send(ReleaseRequest(abandon_outstanding=abandon_outstanding))
        try:
            await self._released
        finally:
            await self._link.closed

    async def wait_closed(self) -> None:
        """Wait until the transport has closed (either side closed it)."""
        await self._link.closed

    async def abort(self) -> None:
        """A-ABORT (PS3.8 7.3) now, whatever is outstanding; waits for the transport to
        close (the peer closes it, or ARTIM does)."""
        self._link.abort()
        await self._link.closed

    # --- what the engine says -----------------------------------------------------------

    def on_event(self, event: AssociationEvent) -> None:
        """What the engine said (called by the link, within the loop's callbacks)."""
        log = self._link.log
        if isinstance(event, ResponseReceived):
            for mismatch in event.mismatches:
                log.warning(
                    "response to Message ID %s: %s",
                    event.response.message_id_being_responded_to,
                    mismatch,
                )
            if event.operation.ours:
                self._invoker.response(event)
        elif isinstance(event, RequestReceived):
            if self.answering is not None:
                self.answering.request(event)
        elif isinstance(event, CancelReceived):
            if self.answering is not None:
                self.answering.cancel_received(event)
        elif isinstance(event, AssociationAccepted):
            if not self._accepted.done():
                self._accepted.set_result(event)
        elif isinstance(event, AssociationRejected):
            error = AssociationRejectedError(
                f"the association was rejected: {reject_words(event.rj)}", event.rj
            )
            log.warning("%s", error)
            self._end(error)
        elif isinstance(event, Aborted):
            who = "the peer" if event.by_peer else "us"
            log.warning("aborted by %s: %s", who, event.why)
            self._end(
                AssociationAbortedError(
                    f"the association was aborted by {who}: {event.why}",
                    source=event.source,
                    reason=event.reason,
                    by_peer=event.by_peer,
                )
            )
        elif isinstance(event, Released):
            if not self._released.done():
                self._released.set_result(None)
            self._end(AssociationError("the association is released"), released=True)
        elif isinstance(event, ReleaseRequested):
            if event.must_respond:  # between our messages, never inside one (PS3.8 E.1)
                self._releasing = self._loop.create_task(self._answer_release())
            if not event.collision:  # the peer released the association (PS3.8 7.2)
                self._end(AssociationError("the peer released the association"))
        elif isinstance(event, OperationsUnfinished):
            self._invoker.unfinished(event)
        elif isinstance(event, TimedOut):
            log.warning("timed out: %s", event.which)
            if event.which == "idle":
                self._link.abort("nothing came or went for idle_timeout")
            elif event.which == "response" and event.operation is not None:
                self._invoker.fail(
                    event.operation.request.message_id, "its response did not come in time"
                )
        elif isinstance(event, UnexpectedResponse):
            log.warning("%s", event.diagnostic)
        else:
            log.debug("%s", event)

    async def _answer_release(self) -> None:
        """The A-RELEASE response (PS3.8 7.2), once no message of ours is half sent."""
        async with self._link.send_lock:
            # the association may have gone meanwhile (an abort): nothing to answer then
            with contextlib.suppress(LocalProtocolError):
                self._link.send(ReleaseResponse(abandon_outstanding=True))

    def _end(self, error: AssociationError, *, released: bool = False) -> None:
        if self._ended is None:
            self._ended = error
        if not self._accepted.done():
            self._accepted.set_exception(error)
        if not released and not self._released.done():
            self._released.set_exception(error)
            self._released.exception()  # retrieved: nobody may be waiting for it
        self._invoker.end(error)
        if self.answering is not None:
            self.answering.cancel()


class Connecting:
    """What :func:`connect` returns: await it for the association, or use it as an async
    context manager (released when the block ends, aborted when it raises; one that
    ended under the block, aborted by a timeout say, has its transport's close awaited,
    which the peer or ARTIM makes)."""

    def __init__(self, opener: Callable[[], Any]) -> None:
        self._opener = opener
        self._association: ClientAssociation | None = None

    def __await__(self) -> Generator[Any, None, ClientAssociation]:
        return self._opener().__await__()  # type: ignore[no-any-return]

    async def __aenter__(self) -> ClientAssociation:
        self._association = await self._opener()
        return self._association

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        association = self._association
        if association is None:
            return
        if kind is None and association.is_established:
            try:
                await association.release()
            except LocalProtocolError:  # operations outstanding: nothing else can end it
                await association.abort()
                raise
        elif association.is_established:
            await association.abort()
        else:  # it ended under the block: the peer closes the transport, or ARTIM does
            await association.wait_closed()


_ids = iter(range(1, 1 << 62))


def connect(
    host: str,
    port: int,
    called_ae_title: str = "ANY-SCP",
    calling_ae_title: str = "DIMSEKIT",
    *,
    contexts: Iterable[ProposedContext | str] = (VERIFICATION_SOP_CLASS,),
    max_pdu_length: int = DEFAULT_MAX_PDU_LENGTH,
    async_window: tuple[int, int] | None = None,
    user_identity: UserIdentityRQ | None = None,
    extended_negotiation: Iterable[SOPClassExtendedNegotiation] = (),
    common_extended_negotiation: Iterable[SOPClassCommonExtendedNegotiation] = (),
    ssl: _ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    connect_timeout: float | None = 30.0,
    request_timeout: float | None = 30.0,
    response_timeout: float | None = None,
    release_timeout: float | None = 30.0,
    idle_timeout: float | None = None,
    artim_timeout: float = 30.0,
    strict: bool = False,
    operations_policy: OperationsPolicy | None = None,
    handlers: Handlers | None = None,
) -> Connecting:
    """Connect to ``host``:``port`` and request an association (PS3.8 7.1) proposing
    ``contexts`` (abstract syntaxes with the default transfer syntaxes, or
    :class:`~dimsekit.ProposedContext`), with the maximum PDU length, window, user
    identity and extended negotiation given (:func:`~dimsekit.propose`).  TLS (PS3.15
    B.1) with ``ssl``.  ``connect_timeout`` bounds the TCP (and TLS) connection; the
    others are the engine's (:class:`~dimsekit.Association`).  ``handlers`` answer
    requests the peer may make of us (roles negotiated for them).

    Raises :class:`~dimsekit.aio.AssociationError` when the connection fails,
    :class:`~dimsekit.aio.AssociationRejectedError` when the peer rejects,
    :class:`~dimsekit.aio.AssociationAbortedError` when it aborts or a timeout does."""
    rq = propose(
        calling_ae_title=calling_ae_title,
        called_ae_title=called_ae_title,
        contexts=contexts,
        max_pdu_length=max_pdu_length,
        async_window=async_window,
        user_identity=user_identity,
        extended_negotiation=extended_negotiation,
        common_extended_negotiation=common_extended_negotiation,
    )

    async def open_association() -> ClientAssociation:
        loop = asyncio.get_running_loop()
        number = next(_ids)
        log = AssociationLog(LOGGER, {"association": number, "peer": f"{host}:{port}"})
        holder: list[ClientAssociation] = []
        answering: list[Answering] = []
        engine = Association(
            Role.REQUESTOR,
            now=loop.time(),
            strict=strict,
            artim_timeout=artim_timeout,
            request_timeout=request_timeout,
            release_timeout=release_timeout,
            idle_timeout=idle_timeout,
            response_timeout=response_timeout,
            operations_policy=operations_policy,
            spill=lambda context_id, command: answering[0].spill(context_id, command),
        )
        link = Link(engine, lambda event: holder[0].on_event(event), log)
        peer = Peer(
            address=(host, port),
            calling_ae_title=rq.calling_ae_title,
            called_ae_title=rq.called_ae_title,
            association_id=number,
        )
        association = ClientAssociation(link, peer)
        association.release_timeout = release_timeout
        association.handlers = handlers or association.handlers
        holder.append(association)
        answering.append(Answering(link, association.handlers, peer, association=association))
        association.answering = answering[0]
        try:
            await asyncio.wait_for(
                loop.create_connection(
                    lambda: link, host, port, ssl=ssl, server_hostname=server_hostname
                ),
                connect_timeout,
            )
        except (TimeoutError, OSError, _ssl.SSLError) as error:
            why = "timed out" if isinstance(error, asyncio.TimeoutError) else str(error)
            raise AssociationError(f"cannot connect to {host}:{port}: {why}") from error
        log.debug("connected; requesting %s -> %s", rq.calling_ae_title, rq.called_ae_title)
        link.send(AssociateRequest(rq))
        try:
            await association._accepted
        except AssociationError:
            await link.closed
            raise
        except BaseException:  # cancelled while waiting: the association never begins
            link.abort("the caller gave up before the association was accepted")
            link.close()
            raise
        return association

    return Connecting(open_association)
