"""A faster ``__init__`` for each message class, with the very same outcome.

Owns: compiling, once per class, an ``__init__`` that converts the common raw inputs
inline and checks each value inline, instead of calling one converter and one validator
per field, stores the values through the slots' descriptors, then runs the class's
rules.  What is inline is not written here: each converter's and validator's inline
form is declared beside it (``_model.value_rules.INLINE_CONVERTERS``,
``_model.value_rules.INLINE_CHECKS``, and the declarations in ``_model.payload``,
``_model.status`` and ``messages._base``), the form the canonical decoders use too.
Building messages is on the hot path of every DICOM program (a C-STORE per instance, a
C-FIND-RSP per match), and attrs' generic ``__init__`` spends most of its time in calls.

Contract: the fast path only ever *accepts*, and only what the attrs ``__init__`` accepts
too; whenever an inline check or a rule fails it hands the call to the attrs
``__init__`` unchanged, which raises the precise error.  Fields whose validators have no
inline form call those validators directly, in field order, as attrs does.  With attrs'
validators switched off globally the attrs ``__init__`` runs, as it would.

Must not know: any particular message class, value rule or cross-field rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs

from .._codegen import compile_function, slot_setter
from .._model.value_rules import (
    INLINE_CHECKS,
    INLINE_CONVERTERS,
    InlineCheck,
    InlineConverter,
    add_inline_names,
)

__all__ = ["install_fast_init"]

_NOTHING_INLINE: Final = InlineConverter()


def install_fast_init(
    cls: type[Any], rules: tuple[Callable[[Any], bool], ...], condition: InlineCheck | None
) -> None:
    """Give ``cls`` the faster ``__init__``, checking ``rules`` (functions that tell
    whether a built message holds to a rule) and ``condition`` (rules inline, over the
    fields by name); attrs' own stays as the fallback."""
    fields = [field for field in attrs.fields(cls) if field.init]
    namespace: dict[str, Any] = {
        "_slow": cls.__init__,
        "_validators_disabled": attrs.validators.get_disabled,
        "_rules": rules,
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
            form = INLINE_CONVERTERS.get(field.converter, _NOTHING_INLINE)
            add_inline_names(namespace, form.names)
            namespace[f"_convert_{name}"] = field.converter
            conditions = [f"{name} is not None"] if form.keeps_none else []
            if form.produces is not None:
                namespace[f"_produces_{name}"] = form.produces
                conditions.append(f"type({name}) is not _produces_{name}")
            call = f"_convert_{name}({name})"
            value = (form.common or "{call}").format(v=name, call=call)
            test = " and ".join(conditions)
            line = f"if {test}: {name} = {value}" if test else f"{name} = {value}"
            converts.append(f"        {line}")
        check = INLINE_CHECKS.get(field.validator) if field.validator is not None else None
        if check is not None:
            add_inline_names(namespace, check.names_for(cls))
            checks.append(check.of(name))
        elif field.validator is not None:
            namespace[f"_validate_{name}"] = field.validator
            namespace[f"_field_{name}"] = field
            calls.append(f"            _validate_{name}(self, _field_{name}, {name})")
        namespace[f"_set_{name}"] = slot_setter(cls, name)
        sets.append(f"            _set_{name}(self, {name})")
    if condition is not None:  # after the fields' checks: over checked values
        add_inline_names(namespace, condition.names)
        checks.append(condition.expression)
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
            "            for holds in _rules:",
            "                if not holds(self):",
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
