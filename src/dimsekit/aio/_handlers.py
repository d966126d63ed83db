"""What a server's handlers are given and give back: the contract between ``serve`` and
the code that answers each DIMSE request.

Owns: :class:`Peer` (who an association is with), the requests a handler is handed
(:class:`EchoRequested`, :class:`StoreRequested`), the handler types
(:class:`EchoHandler`, :class:`StoreHandler`, and :class:`StreamingStoreHandler`, a store
handler that names the file a large data set is written to as it arrives, so that it is
never held in memory), and :class:`Handlers`, the set of them a server runs.

Must not know: sockets, the engine's events, how a message is encoded, what a handler
does with what it is given.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import IO, Protocol, TypeAlias, runtime_checkable

import attrs

from .._association.negotiation import AcceptedContext
from .._model.status import Status
from ..messages import CEchoRequest, CStoreRequest

__all__ = [
    "EchoHandler",
    "EchoRequested",
    "Handlers",
    "Peer",
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


@attrs.frozen(kw_only=True)
class Handlers:
    """The handlers a server runs, one per service; a service without one is not offered
    (the default policy accepts no context for it); one that a caller's own policy
    accepts anyway is answered 0211H, unrecognized operation (PS3.7 C.5)."""

    echo: EchoHandler | None = answer_echo
    store: StoreHandler | None = None
