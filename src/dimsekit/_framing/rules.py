"""The rules a received P-DATA-TF keeps, each stated once (PS3.8 9.3.5, 9.3.5.1, D.1, E.1).

Owns: each framing rule as a declaration, :class:`FramingRule`: when it holds, as a
Python expression over named values, and the clause it comes from, under the name of
the constant that declares it (in lower case: ``FRAGMENT_EVEN`` is ``fragment_even``,
as :data:`RULES` and the templates of :func:`inline` know it); the predicate compiled
from it, ``RULE.holds``, which the general parser (``_framing.pdata_receive``) calls
before it says what broke; and :func:`inline`, which writes the same expressions into the source of
generated code (the one-pass scanner, ``_framing.pdata_one_pass``), where a call per PDU would
cost more than the rule.  A rule that changes changes here, for both.

The values a rule names: ``length`` is a PDU-length, ``max_pdu_length`` the Maximum
Length Received we advertised (0: none), ``room`` the bytes of the PDU left from the
start of a PDV item, ``item_length`` a PDV item length (it counts the context ID, the
message control header and the fragment: PS3.8 9.3.5.1), ``is_command`` the control
header's command bit (0 or 1), ``in_data`` whether the message's command is complete,
``context_id`` and ``message_context`` a fragment's context and its message's.

Must not know: the parser's state, how a breach is said (an error, or a diagnostic when
lenient), DIMSE messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import CodeType
from typing import Final

from .._codec.decode import MAX_COMMAND_LENGTH
from .._codegen import compile_function
from .pdu import COMMAND_BIT, ITEM_FIXED, ITEM_LENGTH_FIELD, PDV_HEADER

__all__ = [
    "COMMAND_WITHIN_LIMIT",
    "FRAGMENT_EVEN",
    "FRAGMENT_IN_ORDER",
    "FRAGMENT_NOT_EMPTY",
    "ITEM_FIXED",
    "ITEM_LENGTH_FIELD",
    "ONE_CONTEXT",
    "PDV_HEADER_FITS",
    "PDV_ITEM_FITS",
    "P_DATA_HAS_PDV",
    "RULES",
    "WITHIN_MAX_PDU_LENGTH",
    "FramingRule",
    "all_hold",
    "check_inlined",
    "fragment_clean",
    "inline",
]


class FramingRule:
    """One framing rule: the ``expression`` that is true where it holds, over ``names``,
    and the ``clause`` it comes from.  Its ``name`` is its constant's, in lower case, and
    ``holds`` the expression as a function of ``names`` (in order), both given once every
    rule is declared (:data:`RULES`)."""

    __slots__ = ("clause", "expression", "holds", "name", "names")
    name: str
    holds: Callable[..., bool]

    def __init__(self, names: tuple[str, ...], expression: str, clause: str) -> None:
        self.names = names
        self.expression = expression
        self.clause = clause

    def __repr__(self) -> str:
        return f"FramingRule({getattr(self, 'name', '?')}: {self.expression}; {self.clause})"

    def _named(self, name: str) -> None:
        source = f"def {name}({', '.join(self.names)}):\n    return {self.expression}\n"
        self.name = name
        self.holds = compile_function(source, name, f"framing rule {name}", {})


P_DATA_HAS_PDV: Final = FramingRule(("length",), "length > 0", "PS3.8 9.3.5: one or more")
WITHIN_MAX_PDU_LENGTH: Final = FramingRule(
    ("length", "max_pdu_length"),
    "not max_pdu_length or length <= max_pdu_length",
    "PS3.8 D.1",
)
PDV_HEADER_FITS: Final = FramingRule(("room",), f"room >= {PDV_HEADER.size}", "PS3.8 9.3.5.1")
PDV_ITEM_FITS: Final = FramingRule(
    ("item_length", "room"),
    f"{ITEM_FIXED} <= item_length <= room - {ITEM_LENGTH_FIELD}",
    "PS3.8 9.3.5.1",
)
FRAGMENT_NOT_EMPTY: Final = FramingRule(
    ("item_length",), f"item_length > {ITEM_FIXED}", "PS3.8 9.3.5.1, E.1"
)
FRAGMENT_EVEN: Final = FramingRule(
    # The fragment is the item less ITEM_FIXED (even) bytes: the two share their parity.
    ("item_length",),
    "not item_length & 1",
    "PS3.8 E.1",
)
FRAGMENT_IN_ORDER: Final = FramingRule(
    # A command fragment while the command is still coming, a data set fragment once it
    # is complete; ``is_command`` is 0 or 1 (COMMAND_BIT), which compares with a bool.
    ("is_command", "in_data"),
    "is_command != in_data",
    "PS3.8 E.1, E.2",
)
ONE_CONTEXT: Final = FramingRule(
    ("context_id", "message_context"),
    "context_id == message_context",
    "PS3.8 E.1",
)
COMMAND_WITHIN_LIMIT: Final = FramingRule(
    # Not the standard's: PS3.7 sets no limit (_codec.decode.MAX_COMMAND_LENGTH).
    ("command_length",),
    f"command_length <= {MAX_COMMAND_LENGTH}",
    "dimsekit's limit",
)
assert COMMAND_BIT == 1, "FRAGMENT_IN_ORDER compares the bit itself with a bool"


def _named(declared: dict[str, object]) -> dict[str, FramingRule]:
    """Every rule declared above, by its constant's name in lower case, named so."""
    rules = {}
    for constant, rule in declared.items():
        if type(rule) is FramingRule:
            rule._named(constant.lower())
            rules[rule.name] = rule
    return rules


RULES: Final = _named(dict(globals()))
"""Each framing rule by its name (its constant's, in lower case), in declaration order."""


def all_hold(name: str, *rules: FramingRule) -> Callable[..., bool]:
    """The conjunction of ``rules`` as one function of all their names (in the order they
    first appear): one call where a caller checks them all at once."""
    names = tuple(dict.fromkeys(value for rule in rules for value in rule.names))
    holds = " and ".join(f"({rule.expression})" for rule in rules)
    source = f"def {name}({', '.join(names)}):\n    return {holds}\n"
    function: Callable[..., bool] = compile_function(source, name, f"framing rules {name}", {})
    return function


fragment_clean: Final = all_hold(
    "fragment_clean",
    PDV_ITEM_FITS,
    FRAGMENT_NOT_EMPTY,
    FRAGMENT_EVEN,
    FRAGMENT_IN_ORDER,
    ONE_CONTEXT,
)
"""(item_length, room, is_command, in_data, context_id, message_context): a fragment on
which every rule holds, of a message begun, the usual one."""

_PLACE: Final = re.compile(r"\{rule:(\w+)\}")


def inline(template: str) -> tuple[str, tuple[FramingRule, ...]]:
    """``template`` with each ``{rule:NAME}`` replaced by that rule's expression, in
    parentheses, and the rules used; the code names the rule's values as its locals
    (:func:`check_inlined` says whether it does)."""
    used: list[FramingRule] = []

    def expression(match: re.Match[str]) -> str:
        rule = RULES[match[1]]
        used.append(rule)
        return f"({rule.expression})"

    return _PLACE.sub(expression, template), tuple(used)


def check_inlined(code: CodeType, rules: tuple[FramingRule, ...]) -> None:
    """Fail at import if generated code inlines a rule over names it does not define."""
    for rule in rules:
        missing = set(rule.names) - set(code.co_varnames)
        if missing:
            raise AssertionError(f"{code.co_name} inlines {rule.name} without {sorted(missing)}")
