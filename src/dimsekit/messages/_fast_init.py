"""A faster ``__init__`` for each message class, with the very same outcome.

Owns: compiling, once per class, an ``__init__`` that converts the common raw inputs
inline (a ``str`` UID with no padding, an ``int`` priority, ``bytes`` data) or skips
the converter (for the exact type it produces, and for None where it keeps None),
checks the common value types inline (US ranges, UID syntax, AE and LO text, an
``AttributeTags`` already made) instead of calling one converter and one validator per
field, stores the values through the slots' descriptors, then runs the class's rules.
SOP Class UIDs, which repeat from message to message (an association uses a handful),
are remembered once valid (at most 512 of them, as ``_fast_decode`` remembers them by
their bytes): a ``str`` seen before is taken converted and checked; instance UIDs are
always checked.  Building messages is on the hot path of every DICOM program (a
C-STORE per instance, a C-FIND-RSP per match), and attrs' generic ``__init__`` spends
most of its time in calls.

Contract: the fast path only ever *accepts*, and only what the attrs ``__init__`` accepts
too; whenever an inline check or a rule fails it hands the call to the attrs
``__init__`` unchanged, which raises the precise error.  Fields whose validators have no
inline form call those validators directly, in field order, as attrs does.  With attrs'
validators switched off globally the attrs ``__init__`` runs, as it would.

Must not know: any particular message class or rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

import attrs
from pydicom.uid import UID

from .._codegen import compile_function, slot_setter
from .._fields import SOP_CLASS_UID_FIELDS, SOP_CLASS_UIDS_REMEMBERED
from .._payload import (
    DataSetPayload,
    check_optional_payload,
    check_payload,
    payload_of_bytes,
    to_optional_payload,
    to_payload,
)
from .._status import PENDING_CODES_BY_SERVICE, Status, to_status
from .._vr import (
    AE_MAX,
    DEFAULT_TEXT,
    LO_MAX,
    PRIORITIES,
    UI_MAX,
    AttributeTags,
    Priority,
    check_ae,
    check_optional_ae,
    check_optional_lo,
    check_optional_tags,
    check_optional_tags_may_be_empty,
    check_optional_uid,
    check_optional_us,
    check_priority,
    check_uid,
    check_us,
    to_optional_ae,
    to_optional_lo,
    to_optional_tags,
    to_optional_uid,
    to_priority,
    to_uid,
)

__all__ = ["install_fast_init"]

_US: Final = "(type({v}) is int and 0 <= {v} <= 65535)"
_UID: Final = "(type({v}) is _UID and len({v}) <= 64 and _uid_match({v}) is not None)"
_TEXT: Final = "(type({v}) is str and 0 < len({v}) <= MAX and _text_match({v}) is not None)"
_AE: Final = _TEXT.replace("MAX", str(AE_MAX))
_LO: Final = _TEXT.replace("MAX", str(LO_MAX))
# _vr's UID syntax (PS3.5 9.1) with possessive repeats: it matches the same strings (a
# run of digits given back could only be followed by a digit, which nothing accepts),
# with less backtracking.
_UID_SYNTAX_POSSESSIVE: Final = re.compile(r"(?:0|[1-9][0-9]*+)(?:\.(?:0|[1-9][0-9]*+))*+")
# Valid SOP Class UIDs by their text (plain ``str`` keys), each as the UID it converts to.
_class_uids: Final[dict[str, UID]] = {}


def _valid_class_uid(uid: UID) -> bool:
    """The inline UID check for a SOP Class UID not remembered yet; remembers it if valid
    (boundedly).  ``uid`` is already a UID: the converter has run.  What is remembered is
    a UID of our own, not the caller's object (a pydicom UID can carry attributes), so
    later messages get what attrs would give them: a UID with the same text."""
    if len(uid) > UI_MAX or _UID_SYNTAX_POSSESSIVE.fullmatch(uid) is None:
        return False
    if len(_class_uids) < SOP_CLASS_UIDS_REMEMBERED:
        text = str(uid)
        _class_uids[text] = str.__new__(UID, text)
    return True


# validator -> inline check that accepts a subset of what the validator accepts
_INLINE: Final[dict[Callable[..., Any], str]] = {
    check_us: _US,
    check_optional_us: "({v} is None or " + _US + ")",
    check_uid: _UID,
    check_optional_uid: "({v} is None or " + _UID + ")",
    check_priority: "(type({v}) is _Priority)",
    check_payload: "(type({v}) is _Payload)",
    check_optional_payload: "({v} is None or type({v}) is _Payload)",
    check_ae: _AE,
    check_optional_ae: "({v} is None or " + _AE + ")",
    check_optional_lo: "({v} is None or " + _LO + ")",
    check_optional_tags: "({v} is None or (type({v}) is _Tags and len({v}) > 0))",
    check_optional_tags_may_be_empty: "({v} is None or type({v}) is _Tags)",
}
# SOP Class UID validator -> inline check that takes a UID remembered as valid at once
_KNOWN_UID: Final = "(type({v}) is _UID and ({v} in _class_uids or _valid_class_uid({v})))"
_CLASS_UID_CHECKS: Final[dict[Callable[..., Any], str]] = {
    check_uid: _KNOWN_UID,
    check_optional_uid: "({v} is None or " + _KNOWN_UID + ")",
}
# converter -> the exact type it returns, so that it need not be called on that type
_CONVERTED_TYPE: Final[dict[Callable[..., Any], str]] = {
    to_uid: "_UID",
    to_optional_uid: "_UID",
    to_priority: "_Priority",
    to_status: "_Status",
    to_payload: "_Payload",
    to_optional_payload: "_Payload",
    to_optional_tags: "_Tags",
}
# converter -> the value it gives for the common raw input it recognises, else its call
# (each gives exactly what the converter returns: see _vr and _payload)
_STR_UID: Final = "_str_new(_UID, {v}) if type({v}) is str and {v}[-1:] not in _PADS else {call}"
_STR_UID_CONVERTERS: Final = (to_uid, to_optional_uid)
_CONVERTED_INLINE: Final[dict[Callable[..., Any], str]] = {
    to_uid: _STR_UID,
    to_optional_uid: _STR_UID,
    to_priority: "_priorities[{v}] if type({v}) is int and 0 <= {v} <= 2 else {call}",
    to_payload: "_bytes_payload({v}) if type({v}) is bytes else {call}",
    to_optional_payload: "_bytes_payload({v}) if type({v}) is bytes else {call}",
}
# converters that return None for None, which need not be called for it
_KEEPS_NONE: Final = frozenset(
    {to_optional_uid, to_optional_payload, to_optional_ae, to_optional_lo, to_optional_tags}
)


def install_fast_init(cls: type[Any], rules: tuple[Any, ...]) -> None:
    """Give ``cls`` the faster ``__init__``; attrs' own stays as the fallback."""
    fields = [field for field in attrs.fields(cls) if field.init]
    namespace: dict[str, Any] = {
        "_slow": cls.__init__,
        "_validators_disabled": attrs.validators.get_disabled,
        "_rules": rules,
        "_UID": UID,
        "_uid_match": _UID_SYNTAX_POSSESSIVE.fullmatch,
        "_text_match": DEFAULT_TEXT.fullmatch,
        "_Priority": Priority,
        "_priorities": PRIORITIES,
        "_Status": Status,
        "_Payload": DataSetPayload,
        "_Tags": AttributeTags,
        "_bytes_payload": payload_of_bytes,
        "_str_new": str.__new__,
        "_PADS": ("\0", " "),
        "_class_uids": _class_uids,
        "_class_uids_get": _class_uids.get,
        "_valid_class_uid": _valid_class_uid,
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
            conditions = [f"{name} is not None"] if field.converter in _KEEPS_NONE else []
            exact = _CONVERTED_TYPE.get(field.converter)
            if exact is not None:
                conditions.append(f"type({name}) is not {exact}")
            call = f"_convert_{name}({name})"
            value = _CONVERTED_INLINE.get(field.converter, "{call}").format(v=name, call=call)
            test = " and ".join(conditions)
            line = f"if {test}: {name} = {value}" if test else f"{name} = {value}"
            if name in SOP_CLASS_UID_FIELDS and field.converter in _STR_UID_CONVERTERS:
                # A str seen valid before: its UID, converted and checked already.
                converts += [
                    f"        _known = _class_uids_get({name}) if type({name}) is str else None",
                    f"        if _known is not None: {name} = _known",
                ]
                line = f"el{line}" if test else f"else: {line}"
            converts.append(f"        {line}")
        inline = _INLINE.get(field.validator) if field.validator is not None else None
        if name in SOP_CLASS_UID_FIELDS and field.validator in _CLASS_UID_CHECKS:
            inline = _CLASS_UID_CHECKS[field.validator]
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
        namespace[f"_set_{name}"] = slot_setter(cls, name)
        sets.append(f"            _set_{name}(self, {name})")
    namespace["_set__wire"] = slot_setter(cls, "_wire")
    set_wire = "_set__wire(self, None)"
    keywords = ", ".join(f"{field.name}={field.name}" for field in fields)
    source = "\n".join(
        [
            f"def __init__(self, *, {', '.join(parameters)}):",
            "    if not _validators_disabled():",
            *converts,
            f"        if {' and '.join(checks) or 'True'}:",
            f"            {set_wire}",
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
    fast: Any = compile_function(source, "__init__", f"{cls.__name__}.__init__", namespace)
    fast.__doc__ = cls.__init__.__doc__
    fast.__qualname__ = f"{cls.__qualname__}.__init__"
    fast.__module__ = cls.__module__
    fast.__annotations__ = dict(cls.__init__.__annotations__)
    fast.__wrapped__ = cls.__init__
    cls.__init__ = fast
