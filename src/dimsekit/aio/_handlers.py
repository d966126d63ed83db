"""What a server's handlers are given and give back: the contract between ``serve`` and
the code that answers each DIMSE request.

Owns: :class:`Peer` (who an association is with), the requests a handler is handed
(:class:`EchoRequested`, :class:`StoreRequested`, and :class:`Requested` for every other
service: the request, its data set decoded, the association to invoke on
(:class:`Invoking`: what a handler may do with it), what to do once the response is sent
(:meth:`Requested.after_response`)), the handler types (:class:`EchoHandler`,
:class:`StoreHandler`, :class:`StreamingStoreHandler`, a store handler that names the
file a large data set is written to as it arrives, so that it is never held in memory;
:data:`FindHandler`, an async iterator of the matches (:data:`Match`);
:data:`RetrieveHandler`, the instances a C-GET or C-MOVE sends; :data:`NHandler`, the
response of a DIMSE-N service), :class:`Refused` (a handler's failure status), and
:class:`Handlers`, the set of them a server runs.

Must not know: sockets, the engine's events, how a message is encoded, what a handler
does with what it is given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import IO, Any, Generic, Protocol, TypeAlias, TypeVar, runtime_checkable

import attrs
from pydicom.dataset import Dataset

from .._association.negotiation import AcceptedContext, Agreement
from .._model.status import Status, StatusCategory, status_category
from ..messages import (
    CEchoRequest,
    CFindRequest,
    CGetRequest,
    CMoveRequest,
    CStoreRequest,
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
from ._instances import Instance

__all__ = [
    "EchoHandler",
    "EchoRequested",
    "FindHandler",
    "FollowUp",
    "Handlers",
    "Invoking",
    "Match",
    "NHandler",
    "Peer",
    "Refused",
    "Requested",
    "RetrieveHandler",
    "StoreHandler",
    "StoreRequested",
    "StoreTarget",
    "StreamingStoreHandler",
    "answer_echo",
]


@attrs.frozen(kw_only=True)
class Peer:
    """Who an association is with: its transport address and the AE titles of its
    A-ASSOCIATE-RQ (PS3.8 7.1.1.3-4), and the number the server gave the association
    (counted from 1, as its log lines show it)."""

    address: tuple[str, int]
    calling_ae_title: str
    called_ae_title: str
    association_id: int


@attrs.frozen(kw_only=True)
class EchoRequested:
    """A C-ECHO-RQ received (PS3.7 9.1.5): answer with a status (0000: success)."""

    request: CEchoRequest
    context: AcceptedContext
    peer: Peer


class StoreTarget(Protocol):
    """Where a streaming store handler has a data set written as it arrives: ``file``, a
    binary file open for writing and reading, positioned where the data set's first byte
    goes (what is before it, a File Meta Information for one, is the handler's)."""

    @property
    def file(self) -> IO[bytes]: ...

    def abandon(self) -> None:
        """The data set will never be complete (the association ended under it): undo
        what :meth:`StreamingStoreHandler.begin` began (close and remove the file)."""


@attrs.frozen(kw_only=True)
class StoreRequested:
    """A C-STORE-RQ received whole (PS3.7 9.1.1), its data set in ``request.data_set`` in
    the transfer syntax of ``context``: answer with a status (0000 success, Bxxx warning,
    Axxx/Cxxx failure: PS3.4 B.2.3).  ``target`` is the :class:`StoreTarget` a streaming
    handler's :meth:`~StreamingStoreHandler.begin` gave for it, None where the data set
    stayed in memory."""

    request: CStoreRequest
    context: AcceptedContext
    peer: Peer
    target: StoreTarget | None = None


EchoHandler: TypeAlias = Callable[[EchoRequested], Awaitable[int | Status]]
"""Answers a C-ECHO: the status to send."""


@runtime_checkable
class StoreHandler(Protocol):
    """Answers a C-STORE: the status to send."""

    def __call__(self, event: StoreRequested, /) -> Awaitable[int | Status]: ...


@runtime_checkable
class StreamingStoreHandler(StoreHandler, Protocol):
    """A store handler that takes large data sets as they arrive: ``begin`` is called once
    the data set of ``request`` (its command set whole, its data set not yet) outgrows
    what the server keeps in memory, and names where its bytes go from there on."""

    def begin(
        self, request: CStoreRequest, context: AcceptedContext, peer: Peer
    ) -> StoreTarget: ...


async def answer_echo(event: EchoRequested) -> int:
    """The default C-ECHO handler: success (PS3.7 9.1.5, PS3.4 A.4)."""
    return 0x0000


_ReqT = TypeVar("_ReqT", bound=Request[Any])
_RspT = TypeVar("_RspT", bound=Response)


class Invoking(Protocol):
    """The association a request came on, as a handler may use it: what it agreed, and
    a request of our own sent on it (an N-EVENT-REPORT after an N-ACTION, PS3.4 J.3.3:
    from :meth:`Requested.after_response`).  A :class:`~dimsekit.aio.ClientAssociation`
    and a :class:`~dimsekit.aio.ServerAssociation` are each one."""

    @property
    def agreement(self) -> Agreement: ...

    async def invoke(
        self, context_id: int, build: Callable[[int], Request[_RspT]], *, check: bool = False
    ) -> _RspT:
        """Send the request ``build`` makes with a free Message ID (PS3.7 9.1, 10.1) on
        ``context_id`` and await its final response (with ``check``, a Failure status
        raises :class:`~dimsekit.aio.StatusError`)."""
        ...


FollowUp: TypeAlias = Callable[[], Awaitable[object]]
"""What a handler has done once its response is sent (:meth:`Requested.after_response`)."""


@attrs.frozen(kw_only=True)
class Requested(Generic[_ReqT]):
    """A request received whole, for a service beyond Verification and Storage: the
    ``request``, its ``context``, the ``peer``; ``data_set``, the request's data set (an
    Identifier, Modification List, Action or Event Information, Attribute List: PS3.7
    6.3) decoded in the context's transfer syntax, None where it carries none; and the
    ``association`` it came on (None where the one answering was given none)."""

    request: _ReqT
    context: AcceptedContext
    peer: Peer
    data_set: Dataset | None
    association: Invoking | None = attrs.field(default=None, eq=False, repr=False)
    follow_ups: list[FollowUp] = attrs.field(factory=list, eq=False, repr=False)
    """What :meth:`after_response` was given, in order (the answering side runs them)."""

    def after_response(self, follow_up: FollowUp) -> None:
        """Have ``follow_up`` called once the response the handler returns is sent: what
        must come after it on the association, such as the N-EVENT-REPORT of a Storage
        Commitment result on the N-ACTION's association (PS3.4 J.3.3: after the
        N-ACTION-RSP).  Each runs in a task of the association's, tracked as a
        handler is: a release waits for it (PS3.8 7.2), the association's end cancels
        it; one that raises is logged.  None runs where the handler raised (a
        :class:`Refused` too) or its response could not be sent."""
        self.follow_ups.append(follow_up)


class Refused(Exception):
    """Raised by a handler to end its operation with ``status`` (a failure: Axxx,
    Cxxx, 01xx, 02xx; PS3.4 C.4, PS3.7 C) and, where the response may carry one, an
    ``error_comment`` (PS3.7 C.4); any other exception a handler raises answers 0110H,
    processing failure (PS3.7 C.5.1)."""

    def __init__(self, status: int, error_comment: str | None = None) -> None:
        if status_category(status) is not StatusCategory.FAILURE:
            raise ValueError(
                f"Refused is a failure status (Axxx, Cxxx, 01xx, 02xx: PS3.7 C), not {status!r}"
            )
        super().__init__(f"0x{status:04X}" + (f": {error_comment}" if error_comment else ""))
        self.status = status
        self.error_comment = error_comment


Match: TypeAlias = Dataset | tuple[Dataset, int]
"""A C-FIND match: its Identifier, sent in a Pending response FF00; or the Identifier
and the Pending status to send it with, FF00 or FF01, one or more of the Optional Keys
not supported (PS3.4 C.4.1.1.4); any other status answers 0110H, processing failure."""

FindHandler: TypeAlias = Callable[[Requested[CFindRequest]], AsyncIterator[Match]]
"""Answers a C-FIND (PS3.4 C.4.1, K.4.1): the matches of ``event.data_set``, each a
Pending response carrying it (:data:`Match`); an async generator function is one.  A
C-CANCEL is honoured between matches (the iterator closed, Cancel FE00); the end of the
matches is Success (0000)."""

RetrieveHandler: TypeAlias = Callable[[Requested[_ReqT]], Awaitable[Sequence[Instance]]]
"""Answers a C-GET or C-MOVE (PS3.4 C.4.3, C.4.2): the instances ``event.data_set``
names, each sent by a C-STORE sub-operation.  A sequence, so that their number is known
before the first goes, as each Pending response counts the remaining ones (PS3.7
9.3.3.2, 9.3.4.2): one of paths costs nothing, and one that reads each instance when
indexed keeps one in memory at a time."""

NHandler: TypeAlias = Callable[[Requested[_ReqT]], Awaitable[_RspT]]
"""Answers a DIMSE-N request (PS3.7 10.1): its response, made with
``event.request.response(status=..., ...)`` (its data set a pydicom ``Dataset``, encoded
in the context's transfer syntax when sent); what must follow that response on the
association (a Storage Commitment result's N-EVENT-REPORT, PS3.4 J.3.3) is given to
``event.after_response``, to invoke on ``event.association``."""


@attrs.frozen(kw_only=True)
class Handlers:
    """The handlers a server runs, one per service; a service without one is not offered
    (the default policy accepts no context for it); one that a caller's own policy
    accepts anyway is answered 0211H, unrecognized operation (PS3.7 C.5).
    ``event_report`` takes the N-EVENT-REPORTs the peer sends us (a Storage Commitment
    result, PS3.4 J.3.3), on a server's association or a client's."""

    echo: EchoHandler | None = answer_echo
    store: StoreHandler | None = None
    find: FindHandler | None = None
    get: RetrieveHandler[CGetRequest] | None = None
    move: RetrieveHandler[CMoveRequest] | None = None
    n_get: NHandler[NGetRequest, NGetResponse] | None = None
    n_set: NHandler[NSetRequest, NSetResponse] | None = None
    n_action: NHandler[NActionRequest, NActionResponse] | None = None
    n_create: NHandler[NCreateRequest, NCreateResponse] | None = None
    n_delete: NHandler[NDeleteRequest, NDeleteResponse] | None = None
    event_report: NHandler[NEventReportRequest, NEventReportResponse] | None = None
