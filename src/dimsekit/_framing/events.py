"""What the receiving side gives back: the events and the framing error (PS3.8 9.3, Annex E).

Owns: the events :class:`~dimsekit.MessageAssembler` returns (:class:`MessageReceived`,
:class:`UndecodableMessage`, :class:`PDUReceived` with its typed PDU, the :data:`Event`
alias), the three more a ``StreamingAssembler`` returns in their place for a message
with a data set (:class:`CommandReceived`, :class:`DataSetFragment`, :class:`DataSetEnd`,
the :data:`StreamEvent` alias; package-internal, for ``dimsekit tap``) and
:class:`~dimsekit.FramingError`, which carries the events a ``feed`` completed before
the break.  They live together, apart from the parser, so that the error hierarchy
(``_errors``) needs nothing of ours: this module registers with ``_errors`` how a pickled
FramingError is rebuilt.

Pickles made before this module existed name the events ``dimsekit._pdata_receive``:
``_pickle_names`` gives them that ``__module__`` (they are attributes of ``pdata_receive``
too).  FramingError's ``__module__`` is ``"dimsekit"``, and its pickles name
``dimsekit._errors._rebuild_framing_error`` (``_errors.reduce_framing_error`` says so).

Must not know: how a stream is parsed, how a command set is decoded (a PDU is decoded by
``pdu_decode``'s :func:`~dimsekit.decode_pdu`, called once per PDU).
"""

# No ``from __future__ import annotations``: the annotations are evaluated here, so that
# typing.get_type_hints need not find their names in the module ``__module__`` names.
from typing import TypeAlias

import attrs

from .. import _errors
from .._diagnostics import Diagnostic
from .._errors import DecodeError, DimseError
from ..messages import Message
from .pdu import PDU_HEADER, PDUType
from .pdu_decode import DecodedPDU, decode_pdu

__all__ = [
    "CommandReceived",
    "DataSetEnd",
    "DataSetFragment",
    "Event",
    "FramingError",
    "MessageReceived",
    "PDUReceived",
    "StreamEvent",
    "UndecodableMessage",
]


@attrs.frozen
class MessageReceived:
    """A complete DIMSE message: its context, the typed message, what deviated."""

    context_id: int
    message: Message
    diagnostics: tuple[Diagnostic, ...] = ()
    command: bytes = attrs.field(default=b"", eq=False, repr=False)
    """The command set bytes as received (not part of equality)."""


@attrs.frozen
class UndecodableMessage:
    """A message framed correctly whose command set could not be decoded."""

    context_id: int
    error: DecodeError
    command: bytes
    """The command set bytes as received."""


def decode_received(pdu: bytes, *, strict: bool = False) -> DecodedPDU | DecodeError:
    """The typed form of a PDU received whole: :func:`~dimsekit.decode_pdu`'s answer, or
    the :class:`~dimsekit.DecodeError` it raised (a PDU that frames correctly but does not
    decode leaves the stream in step, as an undecodable command set does)."""
    try:
        return decode_pdu(pdu, strict=strict)
    except DecodeError as error:
        return error


def _decode_own(event: "PDUReceived") -> DecodedPDU | DecodeError:
    return decode_received(event.pdu)


@attrs.frozen
class PDUReceived:
    """Any PDU other than P-DATA-TF, whole (header included), for the caller to handle,
    and what deviated (a PDU-length the standard does not allow for its type, coming
    inside a message) or what it did (an A-ABORT that dropped the message it cut).

    ``decoded`` is the typed PDU (PS3.8 9.3): what :func:`~dimsekit.decode_pdu` gives for
    ``pdu`` (its ``.pdu`` and its ``.diagnostics``, offsets counted from the PDU's first
    byte), decoded once, strictly when the assembler is strict; or the
    :class:`~dimsekit.DecodeError` it raised, for a PDU that does not decode.  It is
    derived from ``pdu``, so it takes no part in equality; an event built by hand decodes
    its bytes leniently, and so does an event pickled before it existed.
    """

    pdu_type: PDUType
    pdu: bytes
    diagnostics: tuple[Diagnostic, ...] = ()
    decoded: DecodedPDU | DecodeError = attrs.field(
        default=attrs.Factory(_decode_own, takes_self=True), eq=False, repr=False
    )

    @property
    def body(self) -> bytes:
        """The PDU without its header (PDU-type, reserved, PDU-length: 6 bytes)."""
        return self.pdu[PDU_HEADER.size :]

    def __getstate__(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in ("pdu_type", "pdu", "diagnostics", "decoded")}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        if "decoded" not in state:  # pickled before the typed PDUs
            object.__setattr__(self, "decoded", _decode_own(self))


Event: TypeAlias = MessageReceived | UndecodableMessage | PDUReceived


@attrs.frozen
class CommandReceived:
    """The command set of a message whose data set follows (PS3.7 9.3, 10.3 Command Data
    Set Type; PS3.8 E.1), decoded as soon as its last fragment came: the typed message
    (its data-set field still the empty stand-in the decoder put there) and the command
    set bytes as received.  Its data set comes next as :class:`DataSetFragment` events,
    then a :class:`DataSetEnd`."""

    context_id: int
    message: Message
    command: bytes = attrs.field(eq=False, repr=False)


@attrs.frozen
class DataSetFragment:
    """Data set bytes of the message being received, as they came: a whole PDV fragment
    or the part of one that a ``feed`` held, never empty (PS3.8 9.3.5.1, E.1).

    ``data`` is a read-only view of the bytes fed, not a copy: it stays valid as long as
    they do (for ``bytes`` fed, always); ``bytes(event.data)`` keeps it past a buffer the
    caller reuses."""

    context_id: int
    data: memoryview = attrs.field(eq=False, repr=False)


@attrs.frozen
class DataSetEnd:
    """The message's data set is complete (its last fragment came, PS3.8 E.2), or, when
    lenient, never came (what followed is in the diagnostics): how many bytes it had,
    and what deviated in the whole message, command set included (what
    :attr:`MessageReceived.diagnostics` would say)."""

    context_id: int
    length: int
    diagnostics: tuple[Diagnostic, ...] = ()


StreamEvent: TypeAlias = Event | CommandReceived | DataSetFragment | DataSetEnd
"""What a ``StreamingAssembler`` returns: a message with a data set comes as a
:class:`CommandReceived` (or an :class:`UndecodableMessage`), its fragments and a
:class:`DataSetEnd`; a message without one, and every other PDU, as :data:`Event` does."""


class FramingError(DimseError):
    """A byte stream breaks the rules of P-DATA-TF framing (PS3.8 9.3, Annex E).

    ``offset`` is the position in the stream fed so far (counting from the first byte
    ever fed); ``rule`` says which rule, with its reference.  ``events`` are the events
    the same ``feed`` completed before the break (messages received whole before it),
    which it could not return.
    """

    offset: int
    rule: str
    events: tuple[Event, ...]

    def __init__(self, rule: str, *, offset: int) -> None:
        self.offset = offset
        self.rule = rule
        self.events = ()
        super().__init__(f"stream offset {offset}: {rule}")

    def __reduce__(self) -> tuple[object, ...]:
        return _errors.reduce_framing_error(self.rule, self.offset)


FramingError.__module__ = "dimsekit"  # after the class: as ``_errors`` says of its own


def _framing_error(rule: str, offset: int) -> FramingError:
    return FramingError(rule, offset=offset)


_errors.register_framing_error(_framing_error)
