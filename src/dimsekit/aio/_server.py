"""The acceptor's side: :func:`serve` listens, and answers each association on its own.

Owns: :func:`serve` and :class:`Server` (many associations at once, each its own engine
and :class:`~dimsekit.aio._link.Link`; TLS by the caller's :class:`ssl.SSLContext`); the
policy a server negotiates with when the caller gives none (:func:`policy_for`: the
services it has handlers for, with the roles they need); the table of C-MOVE
destinations it answers with (``move_destinations``) and how it connects to one (its
own settings); the finite wait for each request the server makes, there or on the
association itself (:attr:`Server.sub_operation_timeout`);
the life of one accepted association (:class:`ServerAssociation`): its A-ASSOCIATE-RQ
answered by the policy (:func:`~dimsekit.answer`), its requests answered by
:class:`~dimsekit.aio._answering.Answering`, its own requests sent
(:meth:`ServerAssociation.invoke`), a release answered once every request taken is
answered (and what its handler asked to have done after), everything of it stopped when
it ends; a log line
for each association and each operation (logger ``dimsekit.aio``, INFO).

Must not know: the rules of negotiation and of operations (the engine's and
``negotiation``'s), how a handler keeps what it is given.
"""

from __future__ import annotations

import asyncio
import ssl as _ssl
from collections.abc import Callable, Iterable, Mapping
from typing import Final, TypeVar

from .._association.engine import (
    Aborted,
    AssociateAccept,
    AssociateReject,
    Association,
    AssociationEvent,
    AssociationRejected,
    AssociationRequested,
    OperationsUnfinished,
    Released,
    ReleaseRequested,
    ReleaseResponse,
    Role,
    TimedOut,
)
from .._association.negotiation import (
    DEFAULT_MAX_PDU_LENGTH,
    STORAGE_SOP_CLASSES,
    AcceptorPolicy,
    Agreement,
    ProposedContext,
    answer,
)
from .._association.operations import (
    CancelReceived,
    DuplicateInvocation,
    OperationsPolicy,
    RequestReceived,
    RequestRefused,
    ResponseReceived,
    UnexpectedCancel,
    UnexpectedResponse,
    WindowOverrun,
)
from .._errors import LocalProtocolError
from .._framing.events import UndecodableMessage
from .._framing.pdus import AAssociateAC
from .._model.sop_classes import QUERY_MODELS, STORAGE_COMMITMENT_PUSH_MODEL
from ..messages import VERIFICATION_SOP_CLASS, Request, Response
from ._answering import Answering
from ._client import connect
from ._errors import AssociationError, reject_words
from ._handlers import Handlers, Peer
from ._invoking import Invoker
from ._link import LOGGER, AssociationLog, Link
from ._retrieving import Connector, Destination

__all__ = [
    "DEFAULT_MEMORY_BUDGET",
    "DEFAULT_SUB_OPERATION_TIMEOUT",
    "Server",
    "ServerAssociation",
    "policy_for",
    "serve",
]

_RspT = TypeVar("_RspT", bound=Response)

DEFAULT_MEMORY_BUDGET: Final = 1 << 20
"""How much of a received data set a server keeps in memory before it goes to a file
(the streaming store handler's, or a temporary one): 1 MiB."""

DEFAULT_SUB_OPERATION_TIMEOUT: Final = 60.0
"""How long a peer has to answer each request the server makes, in seconds, where the
server has no ``response_timeout`` of its own: a C-MOVE destination's C-STORE
sub-operation (one that never comes fails that sub-operation), a C-GET requestor's
C-STORE sub-operation or an N-EVENT-REPORT on the association itself (one that never
comes aborts it, the engine's response timeout): never held for ever; long enough for
an instance kept on a slow disk."""

_UNCOMPRESSED: Final = (
    "1.2.840.10008.1.2.1",  # Explicit VR Little Endian
    "1.2.840.10008.1.2.2",  # Explicit VR Big Endian (retired, still sent)
    "1.2.840.10008.1.2",  # Implicit VR Little Endian
)
"""The transfer syntaxes a server accepts unless told: storescp's default preference."""


def policy_for(
    handlers: Handlers,
    *,
    ae_title: str | None = None,
    transfer_syntaxes: tuple[str, ...] = _UNCOMPRESSED,
    max_pdu_length: int = DEFAULT_MAX_PDU_LENGTH,
    async_window: tuple[int, int] = (16, 1),
    sop_classes: Iterable[str] = (),
) -> AcceptorPolicy:
    """The policy that accepts what ``handlers`` answer, each in ``transfer_syntaxes``:
    Verification with an echo handler; the storage SOP classes
    (:data:`~dimsekit.STORAGE_SOP_CLASSES`) with a store handler, and with a get handler
    the requestor's SCP role for them (PS3.7 D.3.3.4: the C-GET's sub-operations come back
    to it); the FIND, GET and MOVE SOP classes of the Patient Root, Study Root and Modality
    Worklist models with find, get and move handlers; the Storage Commitment Push Model
    with an n_action handler (the requestor SCU) or an event_report handler (the requestor
    may take the SCP role, to send its N-EVENT-REPORT: PS3.4 J.3.3); ``sop_classes``, the
    SOP classes of the other DIMSE-N services a handler answers (MPPS, print: no table of
    them here), with the default roles.  The requestor may have ``async_window``'s first
    number of operations outstanding (PS3.7 D.3.3.3)."""
    accepted: list[str] = []
    roles: dict[str, tuple[bool, bool]] = {}
    if handlers.echo is not None:
        accepted.append(VERIFICATION_SOP_CLASS)
    if handlers.store is not None or handlers.get is not None:
        accepted += STORAGE_SOP_CLASSES
    if handlers.get is not None:
        roles.update(dict.fromkeys(STORAGE_SOP_CLASSES, (handlers.store is not None, True)))
    for model in QUERY_MODELS.values():
        for handler, sop_class in (
            (handlers.find, model.find),
            (handlers.get, model.get),
            (handlers.move, model.move),
        ):
            if handler is not None and sop_class is not None:
                accepted.append(sop_class)
    if handlers.n_action is not None or handlers.event_report is not None:
        accepted.append(STORAGE_COMMITMENT_PUSH_MODEL)
        roles[STORAGE_COMMITMENT_PUSH_MODEL] = (
            handlers.n_action is not None,
            handlers.event_report is not None,
        )
    accepted += sop_classes
    return AcceptorPolicy(
        abstract_syntaxes=dict.fromkeys(accepted, transfer_syntaxes),
        ae_title=ae_title,
        roles=roles,
        max_pdu_length=max_pdu_length,
        async_window=async_window,
    )


class ServerAssociation(Link):
    """One association a :class:`Server` accepted the transport of (:attr:`Server.associations`):
    its engine, transport and :attr:`peer`, and what it does with each event."""

    def __init__(self, server: Server) -> None:
        self._server = server
        server.counted += 1
        self.number: int = server.counted
        loop = asyncio.get_running_loop()
        engine = Association(
            Role.ACCEPTOR,
            now=loop.time(),
            strict=server.strict,
            artim_timeout=server.artim_timeout,
            release_timeout=server.release_timeout,
            idle_timeout=server.idle_timeout,
            response_timeout=server.sub_operation_timeout,
            memory_budget=server.memory_budget,
            operations_policy=server.operations_policy,
            spill=lambda context_id, command: self.answering.spill(context_id, command),
        )
        log = AssociationLog(LOGGER, {"association": self.number, "peer": "?"})
        super().__init__(engine, self.on_event, log)
        self.address: tuple[str, int] = ("?", 0)
        self.peer: Peer = Peer(
            address=self.address,
            calling_ae_title="",
            called_ae_title="",
            association_id=self.number,
        )
        self.invoker: Invoker = Invoker(self)
        """The requests the server invokes on the association (a C-GET's C-STORE
        sub-operations, an N-EVENT-REPORT) and their responses."""
        self.answering: Answering = Answering(
            self,
            server.handlers,
            self.peer,
            association=self,
            move_to=server.move_to,
        )
        self._releasing: asyncio.Task[None] | None = None
        self.requested: bool = False
        """Whether the peer sent an A-ASSOCIATE-RQ (PS3.8 7.1)."""

    @property
    def agreement(self) -> Agreement:
        """What the association agreed (once its A-ASSOCIATE-AC is sent: PS3.8 7.1.1)."""
        agreement = self.engine.agreement
        if agreement is None:
            raise LocalProtocolError("the association is not established: nothing is agreed")
        return agreement

    async def invoke(
        self,
        context_id: int,
        build: Callable[[int], Request[_RspT]],
        *,
        check: bool = False,
        pending: Callable[[_RspT], None] | None = None,
    ) -> _RspT:
        """Send the request ``build`` makes with a free Message ID (PS3.7 9.1, 10.1) on
        ``context_id`` and await its final response (:meth:`Invoker.invoke
        <dimsekit.aio.Invoker.invoke>`, as :meth:`ClientAssociation.invoke
        <dimsekit.aio.ClientAssociation.invoke>` does): a C-STORE sub-operation of a
        C-GET, an N-EVENT-REPORT of a Storage Commitment result (PS3.4 J.3.3)."""
        return await self.invoker.invoke(context_id, build, check=check, pending=pending)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        peername = transport.get_extra_info("peername")
        if peername:
            self.address = (str(peername[0]), int(peername[1]))
        self.log.extra = {
            "association": self.number,
            "peer": f"{self.address[0]}:{self.address[1]}",
        }
        self._server.live.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.invoker.end(AssociationError("the association has ended"))
        self.answering.cancel()
        self._server.ended(self)

    def on_event(self, event: AssociationEvent) -> None:
        """What the engine said (called within the loop's callbacks)."""
        log = self.log
        if isinstance(event, RequestReceived):
            self.answering.request(event)
        elif isinstance(event, CancelReceived):
            log.info("C-CANCEL-RQ for Message ID %d", event.operation.message_id)
            self.answering.cancel_received(event)
        elif isinstance(event, AssociationRequested):
            self._requested(event)
        elif isinstance(event, ReleaseRequested):
            if event.must_respond and self._releasing is None:
                self._releasing = asyncio.get_running_loop().create_task(self._release())
        elif isinstance(event, Released):
            log.info("released")
            self.invoker.end(AssociationError("the association is released"))
        elif isinstance(event, Aborted):
            who = "the peer" if event.by_peer else "us"
            log.warning("aborted by %s: %s", who, event.why)
            self.invoker.end(AssociationError(f"the association was aborted by {who}: {event.why}"))
            self.answering.cancel()
        elif isinstance(event, AssociationRejected):
            log.info("rejected: %s", reject_words(event.rj))
        elif isinstance(
            event,
            DuplicateInvocation
            | RequestRefused
            | WindowOverrun
            | UnexpectedCancel
            | UnexpectedResponse,
        ):
            log.warning("%s", event.diagnostic)
            if isinstance(event, DuplicateInvocation | RequestRefused | WindowOverrun):
                self.answering.drop_target()
        elif isinstance(event, UndecodableMessage):
            log.warning("an undecodable message: %s", event)
            self.answering.drop_target()
        elif isinstance(event, OperationsUnfinished):
            log.warning("ended with %d operations unfinished", len(event.operations))
            self.invoker.unfinished(event)
        elif isinstance(event, TimedOut):
            log.warning("timed out: %s", event.which)
            if event.which == "idle":
                self.abort("nothing came or went for idle_timeout: the peer is gone")
            elif event.which == "response" and event.operation is not None:
                self.invoker.fail(
                    event.operation.request.message_id, "its response did not come in time"
                )
        elif isinstance(event, ResponseReceived):
            if event.operation.ours:
                self.invoker.response(event)
        else:
            log.debug("%s", event)

    def _requested(self, event: AssociationRequested) -> None:
        rq = event.rq
        self.requested = True
        self.peer = Peer(
            address=self.address,
            calling_ae_title=rq.calling_ae_title,
            called_ae_title=rq.called_ae_title,
            association_id=self.number,
        )
        self.answering.peer = self.peer
        reply = answer(rq, self._server.policy)
        if isinstance(reply, AAssociateAC):
            accepted = sum(1 for item in reply.presentation_contexts if item.accepted)
            self.log.info(
                "association %s -> %s: accepted %d of %d presentation contexts",
                rq.calling_ae_title,
                rq.called_ae_title,
                accepted,
                len(rq.presentation_contexts),
            )
            self.send(AssociateAccept(reply))
        else:
            self.log.info(
                "association %s -> %s: rejected (%s)",
                rq.calling_ae_title,
                rq.called_ae_title,
                reject_words(reply),
            )
            self.send(AssociateReject(reply))

    async def _release(self) -> None:
        """Answer the peer's A-RELEASE-RQ once every request it made is answered, and
        what their handlers asked to have done after (PS3.8 7.2: the release is orderly)."""
        await self.answering.finished()
        try:
            self.send(ReleaseResponse())
        except LocalProtocolError:  # the association went meanwhile (an abort)
            return
        self.log.info("released")


class Server:
    """A listening acceptor (made by :func:`serve`)."""

    def __init__(
        self,
        handlers: Handlers,
        policy: AcceptorPolicy,
        *,
        strict: bool,
        artim_timeout: float,
        release_timeout: float | None,
        idle_timeout: float | None,
        response_timeout: float | None,
        memory_budget: int | None,
        operations_policy: OperationsPolicy | None,
        move_destinations: Mapping[str, tuple[str, int]] | None = None,
    ) -> None:
        self.handlers = handlers
        self.move_destinations: Mapping[str, tuple[str, int]] = dict(move_destinations or {})
        """Where each C-MOVE destination is: its AE title to its host and port."""
        self.policy = policy
        self.strict = strict
        self.artim_timeout = artim_timeout
        self.release_timeout = release_timeout
        self.idle_timeout = idle_timeout
        self.response_timeout = response_timeout
        self.memory_budget = memory_budget
        self.operations_policy = operations_policy
        self.counted: int = 0
        self.served: int = 0
        """Associations (connections whose peer sent an A-ASSOCIATE-RQ) whose transport
        has closed; a connection that never asked for one (a port probe) is not one."""
        self.live: set[ServerAssociation] = set()
        self._served_changed = asyncio.Event()
        self._server: asyncio.Server | None = None

    @property
    def sub_operation_timeout(self) -> float:
        """How long a peer has to answer a request of the server's: ``response_timeout``,
        or :data:`DEFAULT_SUB_OPERATION_TIMEOUT` where there is none."""
        if self.response_timeout is None:
            return DEFAULT_SUB_OPERATION_TIMEOUT
        return self.response_timeout

    def move_to(self, ae_title: str) -> Connector | None:
        """The connector to C-MOVE destination ``ae_title`` (:attr:`move_destinations`),
        None for one not there: it requests an association (PS3.8 7.1) of that called AE
        title, the C-MOVE's own called AE title calling, with the server's own
        strictness, timeouts, operations policy and maximum PDU length; each C-STORE
        awaited for :attr:`sub_operation_timeout`."""
        address = self.move_destinations.get(ae_title)
        if address is None:
            return None
        host, port = address

        async def open_association(
            calling_ae_title: str, contexts: list[ProposedContext]
        ) -> Destination:
            return await connect(
                host,
                port,
                called_ae_title=ae_title,
                calling_ae_title=calling_ae_title,
                contexts=contexts,
                max_pdu_length=self.policy.max_pdu_length,
                strict=self.strict,
                artim_timeout=self.artim_timeout,
                release_timeout=self.release_timeout,
                response_timeout=self.sub_operation_timeout,
                operations_policy=self.operations_policy,
            )

        return open_association

    @property
    def associations(self) -> tuple[ServerAssociation, ...]:
        """The associations under way, in the order they came."""
        return tuple(sorted(self.live, key=lambda association: association.number))

    @property
    def address(self) -> tuple[str, int]:
        """The address listened on (the port chosen when 0 was asked)."""
        assert self._server is not None
        name = self._server.sockets[0].getsockname()
        return str(name[0]), int(name[1])

    def ended(self, protocol: ServerAssociation) -> None:
        """``protocol``'s transport has closed (called by it)."""
        self.live.discard(protocol)
        if protocol.requested:
            self.served += 1
            self._served_changed.set()

    async def wait_served(self, count: int = 1) -> None:
        """Wait until ``count`` associations have ended."""
        while self.served < count:
            self._served_changed.clear()
            await self._served_changed.wait()

    async def serve_forever(self) -> None:
        """Accept associations until cancelled (asyncio's ``Server.serve_forever``)."""
        assert self._server is not None
        await self._server.serve_forever()

    def close(self) -> None:
        """Stop listening; associations under way go on."""
        if self._server is not None:
            self._server.close()

    def abort_all(self) -> None:
        """Abort every association under way (PS3.8 7.3) and close its transport once
        the A-ABORT is written (the server is going: it does not wait for ARTIM)."""
        for protocol in list(self.live):
            protocol.abort("the server is closing")
            protocol.close()

    async def wait_closed(self) -> None:
        """Wait until the listener and every association have closed."""
        if self._server is not None:
            await self._server.wait_closed()
        while self.live:
            await asyncio.wait({protocol.closed for protocol in self.live})

    async def __aenter__(self) -> Server:
        return self

    async def __aexit__(self, *_: object) -> None:
        self.close()
        self.abort_all()
        await self.wait_closed()

    async def start(
        self,
        host: str,
        port: int,
        ssl: _ssl.SSLContext | None,
        backlog: int,
    ) -> None:
        """Listen (called by :func:`serve`)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: ServerAssociation(self), host, port, ssl=ssl, backlog=backlog
        )


async def serve(
    host: str,
    port: int,
    ae_title: str | None = None,
    handlers: Handlers | None = None,
    *,
    policy: AcceptorPolicy | None = None,
    ssl: _ssl.SSLContext | None = None,
    strict: bool = False,
    artim_timeout: float = 30.0,
    release_timeout: float | None = 30.0,
    idle_timeout: float | None = None,
    response_timeout: float | None = None,
    memory_budget: int | None = DEFAULT_MEMORY_BUDGET,
    operations_policy: OperationsPolicy | None = None,
    max_pdu_length: int = DEFAULT_MAX_PDU_LENGTH,
    async_window: tuple[int, int] = (16, 1),
    backlog: int = 100,
    move_destinations: Mapping[str, tuple[str, int]] | None = None,
) -> Server:
    """Listen on ``host``:``port`` (0: any free port, :attr:`Server.address` tells) and
    answer every association: its RQ by ``policy`` (by default :func:`policy_for` the
    ``handlers``, answering to ``ae_title`` or, with None, to any called AE title, with
    ``max_pdu_length`` and ``async_window``), its
    requests by ``handlers`` (by default: C-ECHO only).  TLS (PS3.15 B.1) with ``ssl``.
    A received data set beyond ``memory_budget`` bytes goes to a file as it arrives.
    A C-MOVE's sub-operations go to the host and port ``move_destinations`` gives for its
    Move Destination (an AE title it does not name: A801, PS3.4 C.4.2.1.5).  Each request
    the server makes (a sub-operation, an N-EVENT-REPORT) is answered within
    ``response_timeout``, :data:`DEFAULT_SUB_OPERATION_TIMEOUT` where None."""
    handlers = handlers or Handlers()
    if policy is None:
        policy = policy_for(
            handlers, ae_title=ae_title, max_pdu_length=max_pdu_length, async_window=async_window
        )
    server = Server(
        handlers,
        policy,
        strict=strict,
        artim_timeout=artim_timeout,
        release_timeout=release_timeout,
        idle_timeout=idle_timeout,
        response_timeout=response_timeout,
        memory_budget=memory_budget,
        operations_policy=operations_policy,
        move_destinations=move_destinations,
    )
    await server.start(host, port, ssl, backlog)
    return server
