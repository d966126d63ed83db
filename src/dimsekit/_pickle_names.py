"""The module names that pickles made before the layer packages refer to.

Owns: ``MOVED``, each module that moved into a layer package, by its old name; and
:func:`keep`, which the facade calls once, after importing the layers.  For each moved
module it makes the old name import as the module itself (``sys.modules``), and gives the
public classes and functions defined there (its ``__all__``) their old ``__module__``
back: pickle names a class by ``__module__`` and ``__qualname__``, so pickles made before
the move still load, and pickles made now still load in older releases.

:func:`inspect.getsource` finds a class in the file of ``sys.modules[cls.__module__]``:
the old name imports as the module itself, so that file is the one defining the class,
and on Python 3.13+, where the line comes from ``__firstlineno__`` (which assigning
``__module__`` drops), :func:`keep` gives it back.  Not to a class defined in another
of the modules an old name's names went to (the events of ``dimsekit._pdata_receive``
live in ``_framing.events``): for those the file is not theirs, and inspect can only
say that it cannot find them, as for ``collections.abc.Mapping``.

Must not know: what the moved modules hold.  Imports nothing of dimsekit statically (the
facade has imported every layer before it calls :func:`keep`).
"""

from __future__ import annotations

import importlib
import sys
from typing import Final

__all__ = ["MOVED", "keep"]

MOVED: Final[dict[str, str | tuple[str, ...]]] = {
    "dimsekit._vr": "dimsekit._model.vr",
    "dimsekit._status": "dimsekit._model.status",
    "dimsekit._fields": "dimsekit._model.fields",
    "dimsekit._payload": "dimsekit._model.payload",
    "dimsekit._wire_details": "dimsekit._model.wire_details",
    "dimsekit._layout": "dimsekit._codec.layout",
    "dimsekit._wire": "dimsekit._codec.wire",
    "dimsekit._command": "dimsekit._codec.encode",
    "dimsekit._command_decode": "dimsekit._codec.decode",
    "dimsekit._fast_decode": "dimsekit._codec.fast_decode",
    "dimsekit._representable": "dimsekit._codec.representable",
    "dimsekit._converter": "dimsekit._codec.converter",
    "dimsekit._pdu": "dimsekit._framing.pdu",
    "dimsekit._pdata_send": "dimsekit._framing.pdata_send",
    "dimsekit._pdata_receive": ("dimsekit._framing.pdata_receive", "dimsekit._framing.events"),
}
"""Old module name -> the module it is now, or the modules its public names went to (the
first is the one the old name imports as); moved in dimsekit 0.1 (issue 13)."""


def keep() -> None:
    """Make every old name of ``MOVED`` import, and its public names pickle under it."""
    for old, new in MOVED.items():
        names = (new,) if isinstance(new, str) else new
        modules = [importlib.import_module(name) for name in names]
        sys.modules.setdefault(old, modules[0])
        for module in modules:
            for name in getattr(module, "__all__", ()):
                value = getattr(module, name)
                defined_here = getattr(value, "__module__", None) == module.__name__
                if defined_here and hasattr(value, "__qualname__"):
                    first_line = vars(value).get("__firstlineno__")  # a class, Python 3.13+
                    value.__module__ = old  # which drops __firstlineno__ (3.13+)
                    if first_line is not None and module is modules[0]:
                        value.__firstlineno__ = first_line
