"""The rules a received P-DATA-TF keeps, each stated once (PS3.8 9.3.5, 9.3.5.1, D.1, E.1).

Owns: each framing rule as a declaration, :class:`FramingRule`: when it holds, as a
Python expression over named values, and the clause it comes from; the predicate
compiled from it, which the general parser (``_framing.pdata_receive``) calls before it says
what broke; and :func:`inline`, which writes the same expressions into the source of
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
from typing import Final, NamedTuple

from .._codec.decode import MAX_COMMAND_LENGTH
from .._codegen import compile_function
from .pdu import COMMAND_BIT, ITEM_FIXED, ITEM_LENGTH_FIELD, PDV_HEADER

__all__ = [
    "ITEM_FIXED",
    "ITEM_LENGTH_FIELD",
    "RULES",
    "FramingRule",
    "all_hold",
    "check_inlined",
    "command_within_limit",
    "fragment_even",
    "fragment_clean",
    "fragment_in_order",
    "fragment_not_empty",
    "inline",
    "one_context",
    "p_data_has_pdv",
    "pdv_header_fits",
    "pdv_item_fits",
    "within_max_pdu_length",
]


class FramingRule(NamedTuple):
    """One framing rule: the expression that is true where it holds, over ``names``."""

    name: str
    names: tuple[str, ...]
    holds: str
    clause: str

    def predicate(self) -> Callable[..., bool]:
        """The rule as a function of ``names`` (in order): True where it holds."""
        source = f"def {self.name}({', '.join(self.names)}):\n    return {self.holds}\n"
        function: Callable[..., bool] = compile_function(
            source, self.name, f"framing rule {self.name}", {}
        )
        return function


P_DATA_HAS_PDV: Final = FramingRule(
    "p_data_has_pdv", ("length",), "length > 0", "PS3.8 9.3.5: one or more"
)
WITHIN_MAX_PDU_LENGTH: Final = FramingRule(
    "within_max_pdu_length",
    ("length", "max_pdu_length"),
    "not max_pdu_length or length <= max_pdu_length",
    "PS3.8 D.1",
)
PDV_HEADER_FITS: Final = FramingRule(
    "pdv_header_fits", ("room",), f"room >= {PDV_HEADER.size}", "PS3.8 9.3.5.1"
)
PDV_ITEM_FITS: Final = FramingRule(
    "pdv_item_fits",
    ("item_length", "room"),
    f"{ITEM_FIXED} <= item_length <= room - {ITEM_LENGTH_FIELD}",
    "PS3.8 9.3.5.1",
)
FRAGMENT_NOT_EMPTY: Final = FramingRule(
    "fragment_not_empty", ("item_length",), f"item_length > {ITEM_FIXED}", "PS3.8 9.3.5.1, E.1"
)
FRAGMENT_EVEN: Final = FramingRule(
    # The fragment is the item less ITEM_FIXED (even) bytes: the two share their parity.
    "fragment_even",
    ("item_length",),
    "not item_length & 1",
    "PS3.8 E.1",
)
FRAGMENT_IN_ORDER: Final = FramingRule(
    # A command fragment while the command is still coming, a data set fragment once it
    # is complete; ``is_command`` is 0 or 1 (COMMAND_BIT), which compares with a bool.
    "fragment_in_order",
    ("is_command", "in_data"),
    "is_command != in_data",
    "PS3.8 E.1, E.2",
)
ONE_CONTEXT: Final = FramingRule(
    "one_context",
    ("context_id", "message_context"),
    "context_id == message_context",
    "PS3.8 E.1",
)
COMMAND_WITHIN_LIMIT: Final = FramingRule(
    # Not the standard's: PS3.7 sets no limit (_codec.decode.MAX_COMMAND_LENGTH).
    "command_within_limit",
    ("command_length",),
    f"command_length <= {MAX_COMMAND_LENGTH}",
    "dimsekit's limit",
)
assert COMMAND_BIT == 1, "FRAGMENT_IN_ORDER compares the bit itself with a bool"

RULES: Final = {
    rule.name: rule
    for rule in (
        P_DATA_HAS_PDV,
        WITHIN_MAX_PDU_LENGTH,
        PDV_HEADER_FITS,
        PDV_ITEM_FITS,
        FRAGMENT_NOT_EMPTY,
        FRAGMENT_EVEN,
        FRAGMENT_IN_ORDER,
        ONE_CONTEXT,
        COMMAND_WITHIN_LIMIT,
    )
}

p_data_has_pdv: Final = P_DATA_HAS_PDV.predicate()
within_max_pdu_length: Final = WITHIN_MAX_PDU_LENGTH.predicate()
pdv_header_fits: Final = PDV_HEADER_FITS.predicate()
pdv_item_fits: Final = PDV_ITEM_FITS.predicate()
fragment_not_empty: Final = FRAGMENT_NOT_EMPTY.predicate()
fragment_even: Final = FRAGMENT_EVEN.predicate()
fragment_in_order: Final = FRAGMENT_IN_ORDER.predicate()
one_context: Final = ONE_CONTEXT.predicate()
command_within_limit: Final = COMMAND_WITHIN_LIMIT.predicate()


def all_hold(name: str, *rules: FramingRule) -> Callable[..., bool]:
    """The conjunction of ``rules`` as one function of all their names (in the order they
    first appear): one call where a caller checks them all at once."""
    names = tuple(dict.fromkeys(value for rule in rules for value in rule.names))
    holds = " and ".join(f"({rule.holds})" for rule in rules)
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
        return f"({rule.holds})"

    return _PLACE.sub(expression, template), tuple(used)


def check_inlined(code: CodeType, rules: tuple[FramingRule, ...]) -> None:
    """Fail at import if generated code inlines a rule over names it does not define."""
    for rule in rules:
        missing = set(rule.names) - set(code.co_varnames)
        if missing:
            raise AssertionError(f"{code.co_name} inlines {rule.name} without {sorted(missing)}")
