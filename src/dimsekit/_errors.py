"""The one error hierarchy of dimsekit.

Owns: every exception type the library raises on purpose.  Following h11's split, an
error is either *local* (you tried to build something PS3.7 forbids: the message never
comes into existence) or *remote* (bytes from a peer could not be understood).  Remote
errors carry ``suggested_status``: the DIMSE status a service provider would answer with.

Must not know: how messages, command sets or PDUs are laid out.  Callers format their own
context into the fields defined here.
"""

from __future__ import annotations

__all__ = ["DimseError", "InvalidMessageError"]


class DimseError(ValueError):
    """Base class of every error dimsekit raises on purpose.

    It subclasses :class:`ValueError` so that code written against "bad value" keeps
    working; catch :class:`DimseError` to catch only ours.
    """

    __module__ = "dimsekit"  # shown in tracebacks as it is imported


class InvalidMessageError(DimseError):
    """A DIMSE message was built with a value or a combination of values PS3.7 forbids.

    Attributes name what broke so that tools can report it without parsing the text:

    - ``message_class``: the class being built, e.g. ``"CMoveResponse"``;
    - ``fields``: the attribute names involved (one for a value rule, several for a
      cross-field rule);
    - ``value``: the offending value (a tuple of values for a cross-field rule);
    - ``rule``: the rule in words;
    - ``reference``: where the rule comes from, e.g. ``"PS3.7 9.1.2.1"``.
    """

    __module__ = "dimsekit"

    message_class: str
    fields: tuple[str, ...]
    value: object
    rule: str
    reference: str

    def __init__(
        self,
        message_class: str,
        fields: tuple[str, ...],
        value: object,
        rule: str,
        reference: str,
    ) -> None:
        self.message_class = message_class
        self.fields = fields
        self.value = value
        self.rule = rule
        self.reference = reference
        where = ", ".join(f"{message_class}.{name}" for name in fields)
        super().__init__(f"{where}: {rule}; got {_show(value)} [{reference}]")

    def __reduce__(self) -> tuple[type[InvalidMessageError], tuple[object, ...]]:
        return (
            type(self),
            (self.message_class, self.fields, self.value, self.rule, self.reference),
        )


def _show(value: object) -> str:
    """A short, unambiguous rendering of a value for an error message."""
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
