"""dimsekit.aio: asyncio clients and servers on the association engine.

This package is the only part of dimsekit that does network I/O.  It moves bytes between
asyncio streams and :class:`~dimsekit.Association` and awaits what the engine says; every
rule of the protocol (states, negotiation, DIMSE operations, timers' meaning) stays in the
engine.  This module is its public facade: it imports and re-exports, nothing else.
"""

from ._handlers import *  # noqa: F403 (re-exports its __all__)
from ._handlers import __all__ as _handlers_all
from ._part10 import *  # noqa: F403 (re-exports its __all__)
from ._part10 import __all__ as _part10_all
from ._storage import *  # noqa: F403 (re-exports its __all__)
from ._storage import __all__ as _storage_all

__all__ = [*_handlers_all, *_part10_all, *_storage_all]
