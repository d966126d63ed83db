"""Python source generated at import time, turned into a function that shows its source.

Owns: :func:`compile_function`, the one way dimsekit compiles the code it generates (the
fast ``__init__`` of each message class, the canonical decoders, the command encoders):
the source gets a readable file name of its own, ``<dimsekit generated: LABEL>``, and is
registered with :mod:`linecache`, so that a traceback, a debugger, a profiler or
:func:`inspect.getsource` shows the generated lines; and :func:`slot_setter`, the one way
fast code sets an attribute of a new frozen instance.

Must not know: what the generated code does.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any

__all__ = ["compile_function", "slot_setter"]

_PREFIX = "<dimsekit generated: "


def compile_function(
    source: str, name: str, label: str, namespace: dict[str, Any]
) -> Callable[..., Any]:
    """Compile ``source``, which defines the function ``name``, run it in ``namespace``
    (the function's globals) and return the function.

    ``label`` names the code in tracebacks, e.g. ``CStoreRequest.__init__``; a label
    given again for other source gets a number, so no file name stands for two sources.
    """
    lines = source.splitlines(True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"  # as linecache reads a file
    filename, number = f"{_PREFIX}{label}>", 1
    while filename in linecache.cache and linecache.cache[filename][2:3] != (lines,):
        number += 1
        filename = f"{_PREFIX}{label} ({number})>"
    code = compile(source, filename, "exec")
    # An entry without a modification time is one that linecache.checkcache keeps.
    linecache.cache[filename] = (len(source), None, lines, filename)
    exec(code, namespace)
    function: Callable[..., Any] = namespace[name]
    return function


def slot_setter(cls: type, name: str) -> Callable[[Any, object], None]:
    """What sets attribute ``name`` of a new instance of ``cls``, frozen or not: the
    slot's own descriptor where the name is a slot (cheaper than ``object.__setattr__``,
    which looks the name up first, and past a frozen class's ``__setattr__``), else
    ``object.__setattr__`` for that name."""
    for klass in cls.__mro__:
        slot = vars(klass).get(name)
        if slot is not None:
            break
    if type(slot) is MemberDescriptorType:
        setter: Callable[[Any, object], None] = slot.__set__
        return setter
    return lambda instance, value: object.__setattr__(instance, name, value)
