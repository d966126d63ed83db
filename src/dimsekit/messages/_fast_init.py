"""A faster ``__init__`` for each message class, with the very same outcome.

Owns: compiling, once per class, an ``__init__`` that checks the common value types
inline (US ranges, UID syntax, the exact types converters produce) instead of calling
one converter and one validator per field, then runs the class's rules.  Building
messages is on the hot path of every DICOM program (a C-STORE per instance, a C-FIND-RSP
per match), and attrs' generic ``__init__`` spends most of its time in calls.

Contract: the fast path only ever *accepts*, and only what the attrs ``__init__`` accepts
too; whenever an inline check or a rule fails it hands the call to the attrs
``__init__`` unchanged, which raises the precise error.  Fields whose validators have no
inline form call those validators directly, in field order, as attrs does.  With attrs'
validators switched off globally the attrs ``__init__`` runs, as it would.

Must not know: any particular message class or rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs
from attr import _config  # attrs' switch for running validators
from pydicom.uid import UID

from .._payload import (
    DataSetPayload,
    check_optional_payload,
    check_payload,
    to_optional_payload,
    to_payload,
)
from .._status import PENDING_CODES_BY_SERVICE, Status, to_status
from .._vr import (
    _UID_SYNTAX,
    Priority,
    check_optional_uid,
    check_optional_us,
    check_priority,
    check_uid,
    check_us,
    to_optional_uid,
    to_priority,
    to_uid,
)

__all__ = ["install_fast_init"]

_US: Final = "(type({v}) is int and 0 <= {v} <= 65535)"
_UID: Final = "(type({v}) is _UID and len({v}) <= 64 and _uid_match({v}) is not None)"

# validator -> inline check that accepts a subset of what the validator accepts
_INLINE: Final[dict[Callable[..., Any], str]] = {
    check_us: _US,
    check_optional_us: "({v} is None or " + _US + ")",
    check_uid: _UID,
    check_optional_uid: "({v} is None or " + _UID + ")",
    check_priority: "(type({v}) is _Priority)",
    check_payload: "(type({v}) is _Payload)",
    check_optional_payload: "({v} is None or type({v}) is _Payload)",
}
# converter -> the exact type it returns, so that it need not be called on that type
_CONVERTED_TYPE: Final[dict[Callable[..., Any], str]] = {
    to_uid: "_UID",
    to_optional_uid: "_UID",
    to_priority: "_Priority",
    to_status: "_Status",
    to_payload: "_Payload",
    to_optional_payload: "_Payload",
}


def install_fast_init(cls: type[Any], rules: tuple[Any, ...]) -> None:
    """Give ``cls`` the faster ``__init__``; attrs' own stays as the fallback."""
    fields = [field for field in attrs.fields(cls) if field.init]
    namespace: dict[str, Any] = {
        "_slow": cls.__init__,
        "_set": object.__setattr__,
        "_config": _config,
        "_rules": rules,
        "_UID": UID,
        "_uid_match": _UID_SYNTAX.fullmatch,
        "_Priority": Priority,
        "_Status": Status,
        "_Payload": DataSetPayload,
    }
    parameters, converts, checks, calls, sets = [], [], [], [], []
    for field in fields:
        name = field.name
        if field.default is attrs.NOTHING:
            parameters.append(name)
        else:
            namespace[f"_default_{name}"] = field.default
            parameters.append(f"{name}=_default_{name}")
        if field.converter is not None:
            namespace[f"_convert_{name}"] = field.converter
            exact = _CONVERTED_TYPE.get(field.converter)
            if exact is None:
                converts.append(f"        {name} = _convert_{name}({name})")
            else:
                converts.append(
                    f"        if type({name}) is not {exact}: {name} = _convert_{name}({name})"
                )
        inline = _INLINE.get(field.validator) if field.validator is not None else None
        if name == "status":
            service = cls.command_field.service
            namespace["_special_statuses"] = PENDING_CODES_BY_SERVICE.get(service, frozenset())
            inline = (
                "(type(status) is _Status and (status < 0xFE00 or status in _special_statuses))"
            )
        if inline is not None:
            checks.append(inline.format(v=name))
        elif field.validator is not None:
            namespace[f"_validate_{name}"] = field.validator
            namespace[f"_field_{name}"] = field
            calls.append(f"            _validate_{name}(self, _field_{name}, {name})")
        sets.append(f"            _set(self, {name!r}, {name})")
    keywords = ", ".join(f"{field.name}={field.name}" for field in fields)
    source = "\n".join(
        [
            f"def __init__(self, *, {', '.join(parameters)}):",
            "    if _config._run_validators is True:",
            *converts,
            f"        if {' and '.join(checks) or 'True'}:",
            "            _set(self, '_wire', None)",
            *sets,
            *calls,
            "            for rule in _rules:",
            "                if not rule.holds(self):",
            "                    break",
            "            else:",
            "                return",
            f"    _slow(self, {keywords})",
        ]
    )
    exec(compile(source, f"<dimsekit fast __init__ of {cls.__name__}>", "exec"), namespace)
    fast = namespace["__init__"]
    fast.__doc__ = cls.__init__.__doc__
    fast.__qualname__ = f"{cls.__qualname__}.__init__"
    fast.__module__ = cls.__module__
    fast.__annotations__ = dict(cls.__init__.__annotations__)
    fast.__wrapped__ = cls.__init__
    cls.__init__ = fast
