"""The one error hierarchy of dimsekit.

Owns: every exception type the library raises on purpose, but for
:class:`~dimsekit.FramingError`, which lives with the receiving side's events it carries
(``_framing.events``) and registers here how its pickles are rebuilt.  Following h11's split, an
error is either *local* (you tried to build something PS3.7 forbids: the message never
comes into existence) or *remote* (bytes from a peer could not be understood).  Remote
errors carry ``suggested_status``: the DIMSE status a service provider would answer with.

Must not know: how messages, command sets or PDUs are laid out (it imports nothing of
dimsekit).  Callers format their own context into the fields defined here.
"""

from __future__ import annotations

import builtins
import reprlib
from collections.abc import Callable, Sequence
from itertools import islice
from typing import Final

__all__ = [
    "ContextNotAgreedError",
    "DecodeError",
    "DimseError",
    "InvalidMessageError",
    "InvalidPDUError",
    "LocalProtocolError",
]


class DimseError(ValueError):
    """Base class of every error dimsekit raises on purpose.

    It subclasses :class:`ValueError` so that code written against "bad value" keeps
    working; catch :class:`DimseError` to catch only ours.
    """


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
        super().__init__(f"{where}: {rule}; got {show(value)} [{reference}]")

    def __reduce__(self) -> tuple[type[InvalidMessageError], tuple[object, ...]]:
        return (
            type(self),
            (self.message_class, self.fields, self.value, self.rule, self.reference),
        )


class InvalidPDUError(InvalidMessageError):
    """An Upper Layer PDU, item or sub-item was built with a value PS3.8 forbids.

    The same attributes as :class:`InvalidMessageError`: ``message_class`` is the PDU,
    item or sub-item class (``"PresentationContextRQ"``), ``fields`` its fields involved,
    ``reference`` the section (``"PS3.8 9.3.2.2"``, ``"PS3.7 D.3.3.4"``).
    """


class LocalProtocolError(DimseError):
    """The caller asked an association for something its state does not allow.

    A local event that PS3.8 9.2 Table 9-10 defines no transition for in the current state
    (an A-RELEASE request before the association is established, P-DATA while the peer
    waits for our A-ASSOCIATE response, ...), or a local answer that does not fit what was
    received (an A-ASSOCIATE-AC that answers a context never proposed).  Raising it leaves
    the association exactly as it was (h11's ``LocalProtocolError``).  ``state`` names the
    state the association stays in, ``event`` what was asked, as PS3.8 names them
    (``"Sta5"``, ``"Evt11"``), or None where the refusal is not about the table.
    """

    state: str | None
    event: str | None

    def __init__(self, message: str, *, state: str | None = None, event: str | None = None) -> None:
        super().__init__(message)
        self.state = state
        self.event = event

    def __reduce__(self) -> tuple[Callable[..., LocalProtocolError], tuple[object, ...]]:
        return _local_protocol_error, (str(self), self.state, self.event)


def _local_protocol_error(message: str, state: str | None, event: str | None) -> LocalProtocolError:
    return LocalProtocolError(message, state=state, event=event)


class ContextNotAgreedError(DimseError, LookupError):
    """An association agreed no usable presentation context for what was looked up (PS3.8
    7.1.1.13, 7.1.1.14): ``abstract_syntax`` names it, the message says what the
    A-ASSOCIATE-AC answered for each context proposed for it (rejected with which result,
    accepted with another transfer syntax or other roles) or that none was proposed.  A
    :class:`LookupError` too, as a missing key is."""

    abstract_syntax: str

    def __init__(self, message: str, *, abstract_syntax: str) -> None:
        super().__init__(message)
        self.abstract_syntax = abstract_syntax

    def __reduce__(self) -> tuple[Callable[..., ContextNotAgreedError], tuple[object, ...]]:
        return _context_not_agreed_error, (str(self), self.abstract_syntax)


def _context_not_agreed_error(message: str, abstract_syntax: str) -> ContextNotAgreedError:
    return ContextNotAgreedError(message, abstract_syntax=abstract_syntax)


class DecodeError(DimseError):
    """Bytes (or a Dataset, or JSON) from a peer could not be turned into a message.

    Attributes:

    - ``offset``: byte offset in the command set where the problem is (None when the
      input was not bytes, or the problem is not at one place);
    - ``tag``: the command element concerned, as an int (None if none);
    - ``reason``: what is wrong, in words, with the rule it breaks;
    - ``suggested_status``: the status a service provider would answer with, e.g.
      0xC000 (cannot understand) or 0x0211 (unrecognized operation) for an unknown
      Command Field (PS3.7 Annex C).
    """

    offset: int | None
    tag: int | None
    reason: str
    suggested_status: int

    def __init__(
        self,
        reason: str,
        *,
        offset: int | None = None,
        tag: int | None = None,
        suggested_status: int = 0xC000,
    ) -> None:
        self.offset = offset
        self.tag = tag
        self.reason = reason
        self.suggested_status = suggested_status
        where = []
        if offset is not None:
            where.append(f"offset {offset}")
        if tag is not None:
            where.append(f"tag ({tag >> 16:04X},{tag & 0xFFFF:04X})")
        prefix = ", ".join(where)
        super().__init__(
            f"{prefix + ': ' if prefix else ''}{reason} (suggested status 0x{suggested_status:04X})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild_decode_error,
            (self.reason, self.offset, self.tag, self.suggested_status),
        )


# Named as they are imported (``dimsekit.DecodeError`` in a traceback, and in pickles of
# the classes).  Set here, not in the class bodies: assigning ``__module__`` drops
# ``__firstlineno__`` (Python 3.13+), so that inspect, which looks in the file of
# ``sys.modules["dimsekit"]`` (the facade, which does not define them), says it cannot
# find their source instead of showing the facade's lines.
for _error in (
    DimseError,
    InvalidMessageError,
    InvalidPDUError,
    LocalProtocolError,
    ContextNotAgreedError,
    DecodeError,
):
    _error.__module__ = "dimsekit"

_framing_error: Callable[[str, int], DimseError] | None = None
"""How a FramingError is made: registered by ``_framing.events``, where it lives with the events
it carries (``dimsekit`` imports it, so it is registered before anything is unpickled)."""


def register_framing_error(factory: Callable[[str, int], DimseError]) -> None:
    """Say how :func:`_rebuild_framing_error` makes a FramingError (``_framing.events`` does)."""
    global _framing_error
    _framing_error = factory


def reduce_framing_error(
    rule: str, offset: int
) -> tuple[Callable[[str, int], DimseError], tuple[str, int]]:
    """What ``FramingError.__reduce__`` returns (internal to dimsekit, for
    ``_framing.events``): pickles name :func:`_rebuild_framing_error`, as they always
    have, so that they load in every release."""
    return (_rebuild_framing_error, (rule, offset))


def _rebuild_framing_error(rule: str, offset: int) -> DimseError:
    """Unpickle a :class:`~dimsekit.FramingError`: its pickles name this function."""
    if _framing_error is None:
        raise RuntimeError(
            "dimsekit._framing.events has not registered FramingError"
        )  # unreachable
    return _framing_error(rule, offset)


def _rebuild_decode_error(
    reason: str, offset: int | None, tag: int | None, suggested_status: int
) -> DecodeError:
    return DecodeError(reason, offset=offset, tag=tag, suggested_status=suggested_status)


_SHOWN: Final = 120
"""The longest rendering of a value in an error message."""


class _BoundedRepr(reprlib.Repr):
    """``repr`` for values from outside, which may be anything: nesting, items and
    digits are bounded (``repr`` recurses through a nested list, and raises ValueError
    for an int of more than 4300 digits), an object whose ``repr`` fails is named by
    its type, and dicts keep their order."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 6
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = 40
        self.maxdict = 20
        self.maxother = 1 << 16  # plain repr, cut to _SHOWN by show

    def repr_int(self, x: int, level: int) -> str:
        bits = x.bit_length()
        return builtins.repr(x) if bits <= 256 else f"<an int of {bits} bits>"

    def repr_str(self, x: str, level: int) -> str:
        return builtins.repr(x[:_SHOWN])

    def repr_bytes(self, x: bytes, level: int) -> str:
        return builtins.repr(x[:_SHOWN])

    def repr_AttributeTags(self, x: Sequence[object], level: int) -> str:
        # reprlib finds this by the type's name: an AT list, its items bounded as a list's.
        return f"AttributeTags({self.repr_list(list(islice(x, self.maxlist + 1)), level)})"

    def repr_dict(self, x: dict[object, object], level: int) -> str:
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        pieces = [
            f"{self.repr1(key, level - 1)}: {self.repr1(value, level - 1)}"
            for key, value in islice(x.items(), self.maxdict)
        ]
        if len(x) > self.maxdict:
            pieces.append(self.fillvalue)
        return "{" + ", ".join(pieces) + "}"


_REPR: Final = _BoundedRepr()


def show(value: object) -> str:
    """A short, unambiguous rendering of a value for an error message (never raises)."""
    if isinstance(value, str | bytes) and type(value) in (str, bytes):  # the usual, quickly
        text = builtins.repr(value[:_SHOWN])
    elif isinstance(value, int) and type(value) is int and value.bit_length() <= 256:
        text = builtins.repr(value)
    else:
        text = _REPR.repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
