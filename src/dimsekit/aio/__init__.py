"""dimsekit.aio: asyncio clients and servers on the association engine.

This package is the only part of dimsekit that does network I/O.  It moves bytes between
asyncio transports and :class:`~dimsekit.Association` and awaits what the engine says;
every rule of the protocol (states, negotiation, DIMSE operations, what a timer means)
stays in the engine.  This module is its public facade: it imports and re-exports,
nothing else.

- ``_link``: one transport driven by one engine (asyncio.Protocol), the logger;
- ``_client``: :func:`connect` and :class:`ClientAssociation` (the requestor);
- ``_server``: :func:`serve` and :class:`Server` (the acceptor);
- ``_invoking``: our requests and their responses (Pending ones as they come, C-CANCEL),
  for both;
- ``_answering``: the peer's requests answered by the handlers, for both;
- ``_retrieving``: the C-STORE sub-operations of a C-GET or C-MOVE we perform;
- ``_handlers``: the contract between a server and its handlers;
- ``_instances``: an instance to send, and the context it goes on;
- ``_storage``: the ready storage handler, each instance a file in a directory;
- ``_part10``: DICOM Part 10 files, read to be sent and written when received;
- ``_errors``: the errors of the asyncio layer.
"""

from ._client import *  # noqa: F403 (re-exports its __all__)
from ._client import __all__ as _client_all
from ._errors import *  # noqa: F403 (re-exports its __all__)
from ._errors import __all__ as _errors_all
from ._handlers import *  # noqa: F403 (re-exports its __all__)
from ._handlers import __all__ as _handlers_all
from ._instances import *  # noqa: F403 (re-exports its __all__)
from ._instances import __all__ as _instances_all
from ._invoking import Invocation, Invoker
from ._link import LOGGER, AssociationLog
from ._part10 import *  # noqa: F403 (re-exports its __all__)
from ._part10 import __all__ as _part10_all
from ._server import *  # noqa: F403 (re-exports its __all__)
from ._server import __all__ as _server_all
from ._storage import *  # noqa: F403 (re-exports its __all__)
from ._storage import __all__ as _storage_all

__all__ = [
    "LOGGER",
    "AssociationLog",
    "Invocation",
    "Invoker",
    *_client_all,
    *_errors_all,
    *_handlers_all,
    *_instances_all,
    *_part10_all,
    *_server_all,
    *_storage_all,
]
