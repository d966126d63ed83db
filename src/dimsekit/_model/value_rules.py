"""How a rule of a value is declared, and what is derived from the declaration.

Owns: :class:`ValueRule` and :class:`Clause` (a rule of a value as its clauses in the
order they are tested, each a Python expression over the value with the words and the
reference a value that breaks it is refused with) and what is derived from a rule: its
attrs validator (compiled from the clauses, raising
:class:`~dimsekit._errors.InvalidMessageError` with the first clause a value breaks),
its ``problem`` (the same words, for callers that are not building a message) and its
inline form (:class:`InlineCheck`, the conjunction of the clauses, which generated code
inlines); the registries generated code reads (:data:`INLINE_CHECKS`: validator -> its
inline form; :data:`INLINE_CONVERTERS`: converter -> its :class:`InlineConverter`
forms; :data:`VALUE_RULES`: validator -> its rule), the optional validators derived
from the required ones (:func:`optional`) and the rule of one exact type
(:func:`exact_type`).

Must not know: any rule itself (``_model.vr`` declares the rules of the value
representations, ``_model.payload`` and ``_model.status`` theirs), messages, bytes.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Mapping
from typing import Any, Final, NoReturn, TypeAlias

import attrs
from attrs import Attribute

from .._codegen import compile_function
from .._errors import InvalidMessageError

__all__ = [
    "INLINE_CHECKS",
    "INLINE_CONVERTERS",
    "VALUE_RULES",
    "Clause",
    "InlineCheck",
    "InlineConverter",
    "ValueRule",
    "Validator",
    "Words",
    "add_inline_names",
    "declare_converter",
    "declare_inline",
    "exact_type",
    "inline_predicate",
    "optional",
    "refuse",
]


Validator: TypeAlias = Callable[[Any, "Attribute[Any]", Any], None]
"""An attrs field validator: (instance, attribute, value), raising when it refuses."""


def refuse(inst: object, name: str, value: object, rule: str, reference: str) -> NoReturn:
    """Raise the error for one field of the message being built."""
    raise InvalidMessageError(type(inst).__name__, (name,), value, rule, reference)


@attrs.frozen
class InlineCheck:
    """A validator's form inline in generated code (the fast ``__init__``, the canonical
    decoders): a Python expression over ``{v}`` that is true only for values the
    validator accepts (on a false one the fast path calls the validator, or declines),
    and the names it uses, with what each stands for.

    ``covers_us``: every value two bytes of a US element can hold passes, so a decoder
    that read the value as a US need not test it.  ``bind``: names that depend on the
    message class (a status check, which depends on the service), given the class.
    """

    expression: str
    names: Mapping[str, object] = attrs.field(factory=dict)
    covers_us: bool = False
    bind: Callable[[Any], Mapping[str, object]] | None = None

    def or_none(self) -> InlineCheck:
        """This form, letting None pass too (the form of :func:`optional`'s validator)."""
        return attrs.evolve(self, expression=f"({{v}} is None or {self.expression})")

    def of(self, value: str) -> str:
        """The expression for the variable ``value``."""
        return self.expression.format(v=value)

    def names_for(self, cls: object) -> dict[str, object]:
        """Every name the expression uses, for message class ``cls``."""
        return {**self.names, **(self.bind(cls) if self.bind is not None else {})}


INLINE_CHECKS: Final[dict[object, InlineCheck]] = {}
"""Validator -> its inline form: derived from the rule of each validator made by
:meth:`ValueRule.validator`, declared by hand with the others (``_model.payload``,
``messages._base``); a validator with none is called by the generated code."""


def add_inline_names(namespace: dict[str, Any], names: Mapping[str, object]) -> None:
    """Add the names an inline form uses to generated code's globals; a name stands for
    one thing in all the forms one function inlines."""
    for name, value in names.items():
        if namespace.setdefault(name, value) is not value:
            raise ValueError(f"two inline forms use {name} for different things")


def declare_inline(validator: Validator, form: InlineCheck) -> None:
    """State ``form`` as the inline form of ``validator`` (once: a second is a bug)."""
    if validator in INLINE_CHECKS:
        raise ValueError(f"{validator.__name__} has an inline form already")
    INLINE_CHECKS[validator] = form


# --- value rules: each stated once, as clauses; the validator and inline form derived ---

Words: TypeAlias = str | Callable[[Any], str]
"""What a value that breaks a clause is told: the words, or a function of the value
that gives them (where they say how it breaks the clause)."""

_PARENTHESISED: Final = (ast.BoolOp, ast.IfExp, ast.Lambda, ast.NamedExpr)
_TWO_BYTES: Final = (0, 0xFFFF)
"""What two bytes of a US element can hold (PS3.5 6.2)."""


def _operand(expression: str) -> str:
    """``expression`` (Python source) ready to stand between ``and``: in parentheses
    where it binds as loosely as ``and`` or more."""
    tree = ast.parse(expression, mode="eval").body
    return f"({expression})" if isinstance(tree, _PARENTHESISED) else expression


def _builtin_name(kind: type) -> str:
    """How generated code names ``kind``: a builtin by its own name, any other type as
    ``_`` and its name (bound in the code's namespace)."""
    return kind.__name__ if getattr(builtins, kind.__name__, None) is kind else f"_{kind.__name__}"


@attrs.frozen
class Clause:
    """One clause of a :class:`ValueRule`: ``holds``, a Python expression over ``{v}``
    that is true for a value that keeps the clause (it may take every earlier clause of
    its rule as holding), and what a value that breaks it is told: ``words`` and
    ``reference``, the section of the standard that states the clause.

    ``shown``: the value the error names, given the value, where that is not the value
    itself (a converter's note of what it could not convert, with why).  ``span``: the
    bounds of a clause made by :meth:`between`, so that what it takes is known."""

    holds: str
    words: Words
    reference: str
    shown: Callable[[Any], object] | None = None
    span: tuple[int, int] | None = None

    @classmethod
    def between(cls, low: int, high: int, words: Words, reference: str) -> Clause:
        """The clause that a number is from ``low`` to ``high``."""
        return cls(f"{low} <= {{v}} <= {high}", words, reference, span=(low, high))


@attrs.frozen(eq=False)
class ValueRule:
    """The rule of a value, stated once: its clauses in the order they are tested, and
    the names their expressions use, with what each stands for.  Everything that
    applies the rule is derived from them:

    - :attr:`problem`: a function of a value that gives the words and the reference of
      the first clause it breaks, or None, compiled from the clauses: for callers that
      are not building a message (an AE title of an A-ASSOCIATE-RQ follows the AE rule
      too, PS3.8 9.3.2);
    - :meth:`validator`: the attrs validator, compiled from the clauses, which raises
      :class:`~dimsekit._errors.InvalidMessageError` with them;
    - :attr:`inline`: the inline form, the conjunction of the clauses' expressions.

    ``exact``: the one type the field's converter makes of every value it accepts.  The
    inline form tests it exactly (``type({v}) is``) in place of the first clause, which
    is then the clause of the value's type: the form is stricter than the validator,
    and a value of a subclass goes to the validator, which takes it or says why not.
    ``doc``: what the rule takes, in a line (the validator's docstring).
    """

    name: str
    clauses: tuple[Clause, ...]
    names: Mapping[str, object] = attrs.field(factory=dict)
    exact: type | None = None
    doc: str = ""
    inline: InlineCheck = attrs.field(init=False)
    problem: Callable[[object], tuple[str, str] | None] = attrs.field(init=False, repr=False)

    @property
    def covers_us(self) -> bool:
        """Whether the inline form takes every value two bytes of a US element hold:
        the exact type is int and every other clause is a span that takes them all."""
        low, high = _TWO_BYTES
        return self.exact is int and all(
            clause.span is not None and clause.span[0] <= low and high <= clause.span[1]
            for clause in self.clauses[1:]
        )

    @inline.default
    def _inline(self) -> InlineCheck:
        tests = [clause.holds for clause in self.clauses]
        names = dict(self.names)
        if self.exact is not None:
            alias = _builtin_name(self.exact)
            if alias != self.exact.__name__:
                add_inline_names(names, {alias: self.exact})
            tests[0] = f"type({{v}}) is {alias}"
        expression = " and ".join(_operand(test) for test in tests)
        return InlineCheck(f"({expression})", names, covers_us=self.covers_us)

    @problem.default
    def _compile_problem(self) -> Callable[[object], tuple[str, str] | None]:
        # The function itself, not a method calling it: us_problem is on the path of
        # the general decoder, once a US field.
        return self._compile(
            "problem", "value", "return ({words}, {reference})", f"{self.name} rule: problem"
        )

    def validator(self, name: str, *, or_none: bool = False, module: str) -> Validator:
        """The attrs validator ``name`` of this rule, compiled from the clauses: it tests
        them in order and refuses a value with the first that fails (its words and its
        reference); with ``or_none`` it lets None (no element) pass.  Its inline form,
        :attr:`inline` (letting None pass too with ``or_none``), is declared with it.
        ``module`` is the module declaring it (its ``__module__``)."""
        refusal = "_refuse(inst, attribute.name, {shown}, {words}, {reference})"
        check: Validator = self._compile(
            name, "inst, attribute, value", refusal, name, or_none=or_none
        )
        check.__doc__ = self.doc or f"The {self.name} rule."
        check.__module__ = module
        declare_inline(check, self.inline.or_none() if or_none else self.inline)
        VALUE_RULES[check] = self
        return check

    def _compile(
        self, name: str, parameters: str, refusal: str, label: str, *, or_none: bool = False
    ) -> Callable[..., Any]:
        """The function ``name`` of ``parameters`` that runs ``refusal`` (a statement over
        ``{shown}``, ``{words}`` and ``{reference}``) for the first clause ``value``
        breaks, and else returns None."""
        namespace: dict[str, Any] = {"__name__": __name__, "_refuse": refuse}
        add_inline_names(namespace, self.names)
        lines = [f"def {name}({parameters}):"]
        if or_none:
            lines += ["    if value is None:", "        return None"]
        for index, clause in enumerate(self.clauses):
            words, shown = repr(clause.words), "value"
            if not isinstance(clause.words, str):
                add_inline_names(namespace, {f"_words_{index}": clause.words})
                words = f"_words_{index}(value)"
            if clause.shown is not None:
                add_inline_names(namespace, {f"_shown_{index}": clause.shown})
                shown = f"_shown_{index}(value)"
            lines.append(f"    if not ({clause.holds.format(v='value')}):")
            statement = refusal.format(shown=shown, words=words, reference=repr(clause.reference))
            lines.append(f"        {statement}")
        lines.append("    return None")
        return compile_function("\n".join(lines) + "\n", name, label, namespace)


VALUE_RULES: Final[dict[Validator, ValueRule]] = {}
"""Validator -> the rule it was compiled from by :meth:`ValueRule.validator` (an
optional one too: the rule of the values it does not let pass as None)."""


def optional(check: Validator, name: str, *, module: str) -> Validator:
    """The validator ``name`` of ``module`` (the one declaring it) that lets None pass
    and hands any other value to ``check``; where ``check`` has an inline form, so has
    it (``{v} is None or`` that form).  A validator of a :class:`ValueRule` gets one
    compiled from the rule, as quick as it."""
    rule = VALUE_RULES.get(check)
    if rule is not None:
        made = rule.validator(name, or_none=True, module=module)
    else:

        def made(inst: object, attribute: Attribute[Any], value: object) -> None:
            if value is not None:
                check(inst, attribute, value)

        made.__name__ = made.__qualname__ = name
        made.__module__ = module
        form = INLINE_CHECKS.get(check)
        if form is not None:
            declare_inline(made, form.or_none())
    made.__doc__ = f"As {check.__name__}, letting None (no element) pass."
    return made


def exact_type(kind: type, rule: str, reference: str, name: str, *, module: str) -> Validator:
    """The validator ``name`` of ``module`` (the one declaring it) that takes a value of
    exactly ``kind`` (what the field's converter makes of every value it accepts) and
    refuses any other by ``rule`` (at ``reference``): a rule of one clause, whose inline
    form is declared with it."""
    alias = _builtin_name(kind)
    return ValueRule(
        kind.__name__,
        (Clause(f"type({{v}}) is {alias}", rule, reference),),
        {} if alias == kind.__name__ else {alias: kind},
        doc=f"A {kind.__name__}, as the converter makes it ({reference}).",
    ).validator(name, module=module)


def inline_predicate(validator: Validator, label: str) -> Callable[[object], bool]:
    """The inline form of ``validator`` as a function of one value, compiled from the
    declaration itself, for plain code that needs the same yes/no."""
    form = INLINE_CHECKS[validator]
    source = f"def holds(v):\n    return {form.of('v')}\n"
    namespace: dict[str, Any] = dict(form.names)
    return compile_function(source, "holds", label, namespace)


@attrs.frozen
class InlineConverter:
    """A converter's forms in generated code.  ``produces``: the exact type it returns
    for any value it converts, which it returns unchanged (so it need not be called on
    that type); ``keeps_none``: it gives None for None; ``common``: an expression over
    ``{v}`` and ``{call}`` (the converter's call) that gives exactly what the converter
    gives, quicker for the common raw input; ``names``: what the expression uses.

    For a decoder, which has the value's bytes as received: ``received``, an expression
    over ``{raw}`` (those bytes) that gives what the converter would give for them,
    already known valid, or None when it does not know them at once; and ``remember``, a
    statement over ``{raw}`` and ``{v}`` (the value converted and found valid) that lets
    ``received`` know them the next time."""

    produces: type | None = None
    keeps_none: bool = False
    common: str | None = None
    names: Mapping[str, object] = attrs.field(factory=dict)
    received: str | None = None
    remember: str | None = None


INLINE_CONVERTERS: Final[dict[object, InlineConverter]] = {}
"""Converter -> its forms, declared with the converter."""


def declare_converter(converter: Callable[..., object], form: InlineConverter) -> None:
    """State ``form`` as the inline forms of ``converter`` (once)."""
    if converter in INLINE_CONVERTERS:
        raise ValueError(f"{converter.__name__} has inline forms already")
    INLINE_CONVERTERS[converter] = form
