"""Receiving: bytes off a socket back into DIMSE messages (PS3.8 9.3 and Annex E).

Owns: :class:`MessageAssembler`, a sans-IO parser.  The caller feeds it bytes exactly as
they arrive, split anywhere (one byte at a time works), and gets events back: each
complete DIMSE message with its presentation context and diagnostics, each other PDU
(A-ASSOCIATE-RQ/AC/RJ, A-RELEASE-RQ/RP, A-ABORT) whole, with its type.

Theory of operation.  The parser walks PDU header -> PDV item header -> fragment bytes,
and never waits for a whole PDU: fragment bytes go straight to the message being built,
so a P-DATA-TF of any size costs no more memory than its data.  The message is a small
state machine (idle -> command -> data -> idle, PS3.8 E.1, E.2): the command
comes first, all its fragments on one context, then the data set iff the command says
one follows.  Data accumulates in memory up to ``memory_budget`` bytes; past it, or from
the first byte when ``memory_budget=0``, it goes to a file from ``spill``.

The common case in one pass.  When a ``feed`` holds a whole message between messages
(as one ``recv`` of a small message does), framed as every toolkit frames it and with a
canonical command set, it is taken in one pass over its PDUs: the fragments are sliced
out of the caller's buffer, the command goes to ``_fast_decode``, the data set is joined
in one copy.  Anything else, or anything that would be reported, leaves that message to
the walk above, unchanged; a test feeds streams whole and a byte at a time and compares.

The end of the stream.  Bytes alone cannot say that the stream has ended, so the
caller says it: :meth:`MessageAssembler.close` when the peer closes the connection.  A
stream that ends anywhere but between PDUs with no message pending (in a PDU header or
body, in a command, before or inside the data set a command announced) is an error then,
never a clean end.

Errors.  A broken framing rule is a :class:`~dimsekit.FramingError` naming the stream
offset and the rule; after one the stream is out of step and every later ``feed`` (or
``close``) raises again.  Messages the same ``feed`` completed before the break ride on
the error (``FramingError.events``), and an unfinished spill file of ours is closed; so
it is when ``close`` finds the stream cut.  A command set that frames correctly but
cannot be decoded does not break the stream: it comes out as an
:class:`UndecodableMessage` event carrying the :class:`~dimsekit.DecodeError` (with the
status to answer).  What deviates but can be understood is a diagnostic on the event
when lenient (``MessageReceived.diagnostics``, ``PDUReceived.diagnostics``) and a
FramingError when strict: odd fragments, a PDU-length its type does not allow
(PS3.8 9.3.2 to 9.3.8: ``_pdu.PDU_LENGTHS``), and a command whose Command Data Set Type
announces a data set (PS3.7 9.3, 10.3) followed by a new command or another PDU instead
of the data set's first fragment: the message then goes out as decoded, its data set
the empty payload the decoder put there, before what followed.  A data set cut after
some of its fragments by a new command is an error in both modes.

Other PDUs inside a message.  PS3.8 E.1 sends a message's fragments in order and says
nothing of other PDUs between them; but a peer that sends an A-RELEASE-RQ, an
A-RELEASE-RP or an A-ASSOCIATE-* between a message's command fragments, or after some
of its data set's, has cut its own message (after its A-RELEASE-RQ it may send only an
A-ABORT, PS3.8 7.2.2).  Such a PDU is an error diagnostic on its ``PDUReceived`` when
lenient, the message staying pending for the rest of its fragments, and a FramingError
when strict.  An A-ABORT is the exception: it may come at any time (PS3.8 7.3) and ends
the association, so it is no deviation: it comes out as usual, in both modes, and the
message it cut (wherever it was, its data set not begun included) is dropped, which a
warning diagnostic on the A-ABORT's ``PDUReceived`` says.

Choices where PS3.8 is silent: a command set longer than 1 MiB, and any PDU other than
P-DATA-TF longer than 1 MiB, is refused (real ones are a few hundred bytes and a few
KiB); odd fragment lengths (PS3.8 E.1 wants even ones) are a warning diagnostic when
lenient, because DCMTK pads only the tail of a deflated data set, and a
FramingError when strict.  No clause gives a fragment a minimum length (PS3.8 9.3.5.1,
E.1); an empty one (PDV item length 2) carries nothing, and a peer could stall a
message with them for ever, so it is reported as a deviation, a warning in both modes
(strict refuses only what a clause forbids), except where it is needed: the one fragment
of an empty data set.

Must not know: sockets, association negotiation (which contexts exist, their transfer
syntaxes), or how a command set is decoded (``_command_decode``, ``_fast_decode``).
"""

from __future__ import annotations

import struct
import tempfile
import weakref
from collections.abc import Callable
from typing import IO, Final, TypeAlias

import attrs

from ._codegen import slot_setter
from ._command_decode import (
    MAX_COMMAND_LENGTH,
    DecodedCommand,
    command_too_long,
    data_set_follows,
    decode_canonical,
    decode_command,
    peek_data_set_type,
    with_data_set,
)
from ._diagnostics import Diagnostic, DiagnosticLog, Severity
from ._errors import DecodeError, FramingError
from ._layout import COMMAND_DATA_SET_TYPE, NO_DATA_SET
from ._payload import DataSetPayload
from ._pdu import (
    COMMAND_BIT,
    LAST_BIT,
    MAX_LENGTH_FIELD,
    PDU_HEADER,
    PDU_LENGTHS,
    PDV_HEADER,
    PDUType,
    check_max_pdu_length,
)
from .messages import Message

__all__ = [
    "Event",
    "MessageAssembler",
    "MessageReceived",
    "PDUReceived",
    "SpillFactory",
    "UndecodableMessage",
]

MAX_OTHER_PDU_LENGTH: Final = 1 << 20


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


@attrs.frozen
class PDUReceived:
    """Any PDU other than P-DATA-TF, whole (header included), for the caller to handle,
    and what deviated (a PDU-length the standard does not allow for its type, coming
    inside a message) or what it did (an A-ABORT that dropped the message it cut)."""

    pdu_type: PDUType
    pdu: bytes
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def body(self) -> bytes:
        """The PDU without its header (PDU-type, reserved, PDU-length: 6 bytes)."""
        return self.pdu[PDU_HEADER.size :]


Event: TypeAlias = MessageReceived | UndecodableMessage | PDUReceived
SpillFactory: TypeAlias = Callable[[int, Message | None], IO[bytes]]
"""Called with (context ID, the command decoded so far, None if it cannot be decoded)
when a data set leaves memory; returns a binary file open for writing and reading."""

_KNOWN_PDU_TYPES: Final = frozenset(int(kind) for kind in PDUType)
_NOT_DECODED: Final = DecodeError("no command has been received yet")
_P_DATA_TF: Final = int(PDUType.P_DATA_TF)
_PDU_AND_PDV: Final = struct.Struct(">BBIIBB")  # a P-DATA-TF header and its one PDV's
_LAST_COMMAND: Final = COMMAND_BIT | LAST_BIT
_DATA_SET_TYPE_RULE: Final = "PS3.7 9.3, 10.3 Command Data Set Type; PS3.8 E.1"
_A_ABORT: Final = int(PDUType.A_ABORT)


_new_event: Final = MessageReceived.__new__
_set_context_id: Final = slot_setter(MessageReceived, "context_id")
_set_message: Final = slot_setter(MessageReceived, "message")
_set_diagnostics: Final = slot_setter(MessageReceived, "diagnostics")
_set_command: Final = slot_setter(MessageReceived, "command")


def _message_received(context_id: int, message: Message, command: bytes) -> MessageReceived:
    """``MessageReceived(context_id, message, (), command)``, for the one-pass path: the
    same object (it has no converters or validators), its slots set directly; attrs'
    frozen ``__init__`` calls ``object.__setattr__`` per field, about 0.2 µs more (4% of
    a small message's decode)."""
    event = _new_event(MessageReceived)
    _set_context_id(event, context_id)
    _set_message(event, message)
    _set_diagnostics(event, ())
    _set_command(event, command)
    return event


def _temporary_file(context_id: int, command: Message | None) -> IO[bytes]:
    return tempfile.TemporaryFile()


def _name(pdu_type: int, article: bool = True) -> str:
    """``an A-RELEASE-RQ``, ``a P-DATA-TF``: a known PDU type in words."""
    name = PDUType(pdu_type).label
    return f"{'an' if name[0] == 'A' else 'a'} {name}" if article else name


class MessageAssembler:
    """Turn a received byte stream into DIMSE messages and other PDUs (sans-IO).

    ``max_pdu_length`` is the Maximum Length Received *we* advertised (0: none); a
    P-DATA-TF longer than that is refused.  ``memory_budget`` bounds the bytes of one
    data set kept in memory (None: no bound); beyond it the data set is written to the
    file ``spill`` returns, which the caller owns and closes, or by default to a
    temporary file that the received payload owns and closes when it is collected.
    ``strict`` turns framing diagnostics (odd fragments, a PDU-length its type does not
    allow, a data set announced that never came, a PDU other than P-DATA-TF inside a
    message) into errors and decodes command sets strictly; an empty fragment, which no
    clause forbids, stays a warning, and an A-ABORT, which may come at any time, drops
    the message it cuts with a warning in both modes.

    The caller says where the stream ends by calling :meth:`close` (h11 takes
    ``receive_data(b"")`` for this; a method says it more plainly): a stream that ends
    inside a PDU or a message is an error there, never a clean end.
    """

    def __init__(
        self,
        *,
        max_pdu_length: int = 0,
        memory_budget: int | None = None,
        spill: SpillFactory | None = None,
        strict: bool = False,
    ) -> None:
        check_max_pdu_length(max_pdu_length)
        if memory_budget is not None and memory_budget < 0:
            raise ValueError("memory_budget is a number of bytes (0 or more) or None")
        self._max_pdu_length = max_pdu_length
        self._memory_budget = memory_budget
        self._spill = spill if spill is not None else _temporary_file
        self._owns_spill_files = spill is None
        self._strict = strict
        self._broken: FramingError | None = None  # set too by a clean close()
        self._closed = False
        self._offset = 0  # stream offset of the next byte to parse
        self._head = bytearray()  # a PDU or PDV header being collected
        self._pdu_type = 0  # 0: between PDUs
        self._pdu_start = 0
        self._pdu_length = 0
        self._pdu_left = 0  # bytes of the current PDU body not yet parsed
        self._other: bytearray | None = None  # body of a non-P-DATA PDU
        self._other_diagnostics = DiagnosticLog()  # and what deviated in it
        self._fragment_left = -1  # -1: a PDV item header comes next
        self._control = 0
        self._reset_message()

    def _reset_message(self) -> None:
        self._context_id: int | None = None
        self._message_start = 0  # stream offset of its first PDV item
        self._in_data = False
        self._data_set_type = NO_DATA_SET  # once ``_in_data``: the value announcing it
        self._data_fragments = 0
        self._command = bytearray()
        self._data = bytearray()
        self._data_file: IO[bytes] | None = None
        self._unfinished_spill: weakref.finalize[[], MessageAssembler] | None = None
        self._data_file_start = 0
        self._data_length = 0
        self._diagnostics = DiagnosticLog()
        self._command_bytes = b""
        self._decoded: DecodedCommand | DecodeError = _NOT_DECODED

    @property
    def stream_offset(self) -> int:
        """How many bytes have been parsed since the first ``feed``."""
        return self._offset

    @property
    def in_message(self) -> bool:
        """True while a DIMSE message is only partly received."""
        return self._context_id is not None

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse ``data`` and return the events it completes, in order."""
        if self._broken is not None:
            raise self._refusal()
        events: list[Event] = []
        try:
            view = memoryview(data).cast("B") if not isinstance(data, bytes) else memoryview(data)
        except TypeError:
            raise TypeError(
                "data is the bytes received: bytes, bytearray or a C-contiguous memoryview, "
                f"not {type(data).__name__}"
            ) from None
        try:
            if self._context_id is None and not self._pdu_type and not self._head:
                end = len(view)
                position = self._whole_message(view, 0, end, events) if end >= 6 else 0
                if position != end:
                    # Where the whole-message path has just declined, not again.
                    self._parse(view, events, position, tried=position)
            else:
                self._parse(view, events, 0)
        except FramingError as error:
            self._break(error, events)
            raise
        return events

    def close(self) -> list[Event]:
        """The stream has ended (the peer closed the connection): return the events the
        end completes, in order, as :meth:`feed` does.

        The list is empty today: no event is completed by the end alone.  It is a list
        all the same, as h11's ``receive_data(b"")`` is answered with events, so that
        the caller's loop handles the end as it handles any bytes, and so that an
        end-of-stream event can come later without a change of API.

        Raises :class:`~dimsekit.FramingError` naming the offset where the unfinished
        part began and what it was, if the stream ends anywhere but between PDUs with no
        message pending: in a PDU header or body, in a message's command, or after a
        command that announced a data set (PS3.7 9.3, 10.3 Command Data Set Type; PS3.8
        E.1) that never came or was cut short.  An unfinished spill file of ours is
        closed then, as when the stream breaks.  After ``close`` the stream takes no
        more bytes (``feed`` raises); ``close`` again returns ``[]`` (or raises again).
        """
        if self._broken is not None:
            if self._closed:
                return []
            raise self._refusal()
        unfinished = self._unfinished()
        if unfinished is not None:
            self._break(unfinished, [])
            raise unfinished
        self._closed = True
        self._broken = self._fail("the stream was closed and takes no more bytes")
        return []

    def _refusal(self) -> FramingError:
        """The error for bytes fed after a break or a close (a new one: no events)."""
        broken = self._broken
        assert broken is not None
        if self._closed:
            return self._fail(broken.rule)
        return self._fail(
            f"the stream broke earlier and cannot be resumed: {broken.rule}", broken.offset
        )

    def _break(self, error: FramingError, events: list[Event]) -> None:
        self._broken = error
        error.events = tuple(events)
        if self._unfinished_spill is not None:
            self._unfinished_spill()  # the message will never be finished

    def _unfinished(self) -> FramingError | None:
        """What the stream leaves unfinished if it ends here, as an error, or None."""
        if self._pdu_type:
            name = _name(self._pdu_type)
            came = self._offset - self._pdu_start - PDU_HEADER.size
            return self._fail(
                f"the stream ends inside {name}: {came} of its {self._pdu_length} body bytes "
                "came (PS3.8 9.3.1: PDU-length)",
                self._pdu_start,
            )
        if self._head:
            return self._fail(
                f"the stream ends inside a PDU header: {len(self._head)} of its "
                f"{PDU_HEADER.size} bytes came (PS3.8 9.3.1)",
                self._offset - len(self._head),
            )
        if self._context_id is None:
            return None
        if not self._in_data:
            rule = (
                f"the stream ends inside a message's command set: {len(self._command)} bytes "
                "of command fragments came, not the last one (PS3.8 E.1, E.2)"
            )
        elif not self._data_fragments:
            rule = (
                f"the stream ends after a command that announces a data set (Command Data "
                f"Set Type 0x{self._data_set_type:04X}), which never came "
                f"({_DATA_SET_TYPE_RULE})"
            )
        else:
            rule = (
                f"the stream ends inside a message's data set: cut after {self._data_length} "
                f"bytes, {self._data_fragments} fragment(s), none of them the last "
                "(PS3.8 E.1, E.2)"
            )
        return self._fail(rule, self._message_start)

    # --- the parser ----------------------------------------------------------------------

    def _fail(self, rule: str, offset: int | None = None) -> FramingError:
        return FramingError(rule, offset=self._offset if offset is None else offset)

    def _collect_head(self, view: memoryview, position: int, size: int) -> int:
        """Move up to ``size`` header bytes into ``_head``; return the new position."""
        take = min(size - len(self._head), len(view) - position)
        self._head += view[position : position + take]
        self._offset += take
        return position + take

    def _parse(self, view: memoryview, events: list[Event], position: int, tried: int = -1) -> None:
        end = len(view)
        while position < end:
            if self._pdu_type == 0 and not self._head and end - position >= 6:
                if self._context_id is None and position != tried:
                    after = self._whole_message(view, position, end, events)
                    if after:
                        position = after
                        continue
                length = PDU_HEADER.unpack_from(view, position)[2]
                if (
                    view[position] == PDUType.P_DATA_TF
                    and 0 < length <= end - position - 6
                    and (not self._max_pdu_length or length <= self._max_pdu_length)
                ):
                    self._whole_p_data(view, position, length, events)
                    position += 6 + length
                    continue
            if self._pdu_type == 0:
                position = self._collect_head(view, position, 6)
                if len(self._head) == 6:
                    self._start_pdu(events)
            elif self._other is not None:
                take = min(self._pdu_left, end - position)
                self._other += view[position : position + take]
                position += take
                self._offset += take
                self._pdu_left -= take
            elif self._fragment_left < 0:
                if self._pdu_left < 6:
                    raise self._fail(
                        f"the P-DATA-TF ends {self._pdu_left} bytes into a PDV item header "
                        "(PS3.8 9.3.5.1)"
                    )
                position = self._collect_head(view, position, 6)
                if len(self._head) == 6:
                    self._start_fragment(events)
                    if self._fragment_left == 0:
                        self._end_fragment(events)
            else:
                take = min(self._fragment_left, end - position)
                if take:
                    self._take_fragment_bytes(view[position : position + take])
                    position += take
                    self._offset += take
                    self._fragment_left -= take
                    self._pdu_left -= take
                if self._fragment_left == 0:
                    self._end_fragment(events)
            if self._pdu_type and self._pdu_left == 0 and self._fragment_left < 0:
                self._end_pdu(events)

    def _whole_message(self, view: memoryview, position: int, end: int, events: list[Event]) -> int:
        """The common case in one pass: a whole message, in whole P-DATA-TF PDUs that are
        all in ``view``, framed as PS3.8 E.1 wants, its command set canonical, and after
        the PDU where the command ends one data-set PDV per PDU (as every toolkit sends).

        Returns the position after it, or 0 to leave everything to the general parser
        (nothing is changed then): a partial message, anything a diagnostic or an error
        would be raised for, a data set beyond ``memory_budget``, a command set that is
        not canonical (``_fast_decode``), a PDU that holds more than this message.
        """
        if end - position < 12:
            return 0
        pdu_type, _, length, item_length, context, control = _PDU_AND_PDV.unpack_from(
            view, position
        )
        if control != _LAST_COMMAND or item_length != length - 4:
            # The command in several PDVs, or data-set PDVs in the same PDU.
            return self._whole_message_packed(view, position, end, events)
        pdu_end = position + 6 + length
        max_pdu_length = self._max_pdu_length
        if (
            pdu_type != _P_DATA_TF
            or item_length & 1
            or item_length <= 2  # an empty fragment: the general parser reports it
            or pdu_end > end
            or (max_pdu_length and length > max_pdu_length)
            or item_length > MAX_COMMAND_LENGTH + 2
        ):
            return 0
        command = bytes(view[position + 12 : pdu_end])
        return self._data_set_and_message(
            view, position, end, events, context, command, [], pdu_end
        )

    def _whole_message_packed(
        self, view: memoryview, position: int, end: int, events: list[Event]
    ) -> int:
        """:meth:`_whole_message` for a command in several PDVs or PDUs, or a PDU that
        holds data-set PDVs after the command's (PS3.8 E.1 allows both)."""
        max_pdu_length = self._max_pdu_length
        command: list[memoryview] = []
        data: list[memoryview] = []
        context = -1
        pdu_header, pdv_header = PDU_HEADER.unpack_from, PDV_HEADER.unpack_from
        pdu_start = position
        command_done = data_done = False
        # The PDUs up to the one where the command ends, any number of PDVs in each.
        while not command_done:
            if end - pdu_start < 6:
                return 0
            pdu_type, _, length = pdu_header(view, pdu_start)
            pdu_end = pdu_start + 6 + length
            if (
                pdu_type != _P_DATA_TF
                or not length
                or pdu_end > end
                or (max_pdu_length and length > max_pdu_length)
            ):
                return 0
            offset = pdu_start + 6
            pdu_start = pdu_end
            while offset < pdu_end:
                if pdu_end - offset < 6 or data_done:
                    return 0
                item_length, context_id, control = pdv_header(view, offset)
                fragment_end = offset + 4 + item_length
                if item_length <= 2 or item_length & 1 or fragment_end > pdu_end:
                    return 0  # empty, odd or past its PDU: the general parser says which
                if context_id != context:
                    if context >= 0:
                        return 0
                    context = context_id
                if control & COMMAND_BIT:
                    if command_done:
                        return 0
                    command.append(view[offset + 6 : fragment_end])
                    command_done = bool(control & LAST_BIT)
                elif command_done:
                    data.append(view[offset + 6 : fragment_end])
                    data_done = bool(control & LAST_BIT)
                else:
                    return 0  # data before the command's end
                offset = fragment_end
        command_bytes = bytes(command[0]) if len(command) == 1 else b"".join(command)
        if len(command_bytes) > MAX_COMMAND_LENGTH:
            return 0
        return self._data_set_and_message(
            view, position, end, events, context, command_bytes, data, pdu_start, data_done
        )

    def _data_set_and_message(
        self,
        view: memoryview,
        position: int,
        end: int,
        events: list[Event],
        context: int,
        command: bytes,
        data: list[memoryview],
        pdu_start: int,
        data_done: bool = False,
    ) -> int:
        """The rest of :meth:`_whole_message` once the command is in: if the data set
        goes on (data PDVs came after the command in its PDU, or the next PDU carries
        data), its PDUs from ``pdu_start``, one PDV each, up to the last; then decode,
        and the event out (or 0)."""
        if not data_done and (
            data
            or (
                end - pdu_start >= 12
                and view[pdu_start] == _P_DATA_TF
                and not view[pdu_start + 11] & COMMAND_BIT
            )
        ):
            pdu_and_pdv = _PDU_AND_PDV.unpack_from
            limit = self._max_pdu_length or MAX_LENGTH_FIELD
            control = 0
            while not control & LAST_BIT:
                if end - pdu_start < 12:
                    return 0
                pdu_type, _, length, item_length, context_id, control = pdu_and_pdv(view, pdu_start)
                pdu_end = pdu_start + 6 + length
                if (
                    pdu_type != _P_DATA_TF
                    or item_length != length - 4
                    or control & COMMAND_BIT
                    or context_id != context
                    or item_length & 1
                    or item_length <= 2
                    or pdu_end > end
                    or length > limit
                ):
                    return 0
                data.append(view[pdu_start + 12 : pdu_end])
                pdu_start = pdu_end
        if data:
            budget = self._memory_budget
            if budget is not None and (not budget or sum(map(len, data)) > budget):
                return 0  # a file from ``spill`` takes it (budget 0: always)
        message = decode_canonical(command)
        if message is None or data_set_follows(message) != bool(data):
            return 0  # not canonical; or its data set is still to come, or not announced
        if data:
            # One copy, out of the caller's buffer, held as a read-only view as the
            # general parser holds it.
            message = with_data_set(message, DataSetPayload._received(b"".join(data)))
        events.append(_message_received(context, message, command))
        self._offset += pdu_start - position
        return pdu_start

    def _whole_p_data(
        self, view: memoryview, position: int, length: int, events: list[Event]
    ) -> None:
        """A P-DATA-TF that is wholly in ``view``: its PDVs, without the byte-wise states."""
        self._pdu_start = self._offset
        self._pdu_type = PDUType.P_DATA_TF
        self._pdu_length = self._pdu_left = length
        self._offset += 6
        offset = position + 6
        while self._pdu_left:
            if self._pdu_left < 6:
                raise self._fail(
                    f"the P-DATA-TF ends {self._pdu_left} bytes into a PDV item header "
                    "(PS3.8 9.3.5.1)"
                )
            self._offset += 6
            self._begin_fragment(events, *PDV_HEADER.unpack_from(view, offset))
            fragment_length = self._fragment_left
            offset += 6
            if fragment_length:
                self._take_fragment_bytes(view[offset : offset + fragment_length])
                offset += fragment_length
                self._offset += fragment_length
                self._pdu_left -= fragment_length
                self._fragment_left = 0
            self._end_fragment(events)
        self._pdu_type = 0

    def _start_pdu(self, events: list[Event]) -> None:
        pdu_type, _reserved, length = PDU_HEADER.unpack(self._head)
        self._head.clear()
        start = self._offset - 6
        if pdu_type not in _KNOWN_PDU_TYPES:
            raise self._fail(f"unknown PDU type 0x{pdu_type:02X} (PS3.8 9.3.1)", start)
        self._pdu_start = start
        self._pdu_type = pdu_type
        self._pdu_length = self._pdu_left = length
        if pdu_type == PDUType.P_DATA_TF:
            if self._max_pdu_length and length > self._max_pdu_length:
                raise self._fail(
                    f"P-DATA-TF of {length} bytes exceeds the maximum length we advertised, "
                    f"{self._max_pdu_length} (PS3.8 D.1)",
                    start,
                )
            if length == 0:
                raise self._fail("P-DATA-TF with no PDV item (PS3.8 9.3.5: one or more)", start)
            return
        log = self._other_diagnostics = DiagnosticLog()
        if self._context_id is not None:
            self._pdu_inside_message(events, pdu_type, log, start)
        if length > MAX_OTHER_PDU_LENGTH:
            raise self._fail(
                f"{_name(pdu_type)} of {length} bytes is beyond the {MAX_OTHER_PDU_LENGTH} "
                "bytes dimsekit accepts for it",
                start,
            )
        bounds = PDU_LENGTHS[PDUType(pdu_type)]
        breach = bounds.breach(length)
        if breach is not None:
            what = f"{_name(pdu_type, article=False)} with {breach}"
            self._deviation(log, what, bounds.clause, start, severity=Severity.ERROR)
        self._other = bytearray(PDU_HEADER.pack(pdu_type, _reserved, length))

    def _end_pdu(self, events: list[Event]) -> None:
        if self._other is not None:
            events.append(
                PDUReceived(
                    PDUType(self._pdu_type), bytes(self._other), self._other_diagnostics.freeze()
                )
            )
            self._other = None
        self._pdu_type = 0

    def _start_fragment(self, events: list[Event]) -> None:
        item_length, context_id, control = PDV_HEADER.unpack(self._head)
        self._head.clear()
        self._begin_fragment(events, item_length, context_id, control)

    def _begin_fragment(
        self, events: list[Event], item_length: int, context_id: int, control: int
    ) -> None:
        """Check a PDV item header (already counted in ``_offset``) and expect its bytes."""
        start = self._offset - 6
        if item_length < 2 or item_length + 4 > self._pdu_left:
            raise self._fail(
                f"PDV item length {item_length} disagrees with its PDU ({self._pdu_left - 4} "
                "bytes left for it; it counts the context ID, the control header and the "
                "fragment) (PS3.8 9.3.5.1)",
                start,
            )
        self._pdu_left -= 6
        fragment_length = item_length - 2
        is_command = bool(control & COMMAND_BIT)
        if is_command and self._in_data and not self._data_fragments:
            self._data_set_never_came(events, "a new command followed", start)
        if self._context_id is None:
            if not is_command:
                raise self._fail(
                    "a data set fragment before any command fragment (PS3.7 6.3, PS3.8 E.1)",
                    start,
                )
            self._context_id = context_id
            self._message_start = start
        elif context_id != self._context_id:
            raise self._fail(
                f"presentation context ID changes from {self._context_id} to {context_id} "
                "within one message (PS3.8 E.1)",
                start,
            )
        elif is_command and self._in_data:
            raise self._fail(
                f"a command fragment inside the data set, after {self._data_length} bytes of "
                "it and before its last fragment (PS3.8 E.1, E.2)",
                start,
            )
        elif not is_command and not self._in_data:
            raise self._fail(
                "a data set fragment before the last command fragment (PS3.8 E.1)", start
            )
        if not fragment_length:
            # The one empty fragment that is needed: the only one of an empty data set.
            # Any other carries nothing; no clause sets a minimum length, so it is said
            # even strictly, never refused.
            if is_command or not control & LAST_BIT or self._data_fragments:
                kind = "command" if is_command else "data set"
                self._deviation(
                    self._diagnostics,
                    f"empty {kind} fragment (PDV item length 2)",
                    "PS3.8 9.3.5.1, E.1",
                    start,
                    forbidden=False,
                )
        elif fragment_length & 1:
            self._deviation(
                self._diagnostics,
                f"odd fragment length {fragment_length}",
                "PS3.8 E.1",
                start,
                why="fragments are even",
            )
        if is_command:
            size = len(self._command) + fragment_length
            if size > MAX_COMMAND_LENGTH:
                raise self._fail(command_too_long(size, at_least=not control & LAST_BIT), start)
        else:
            self._data_fragments += 1
        self._control = control
        self._fragment_left = fragment_length

    def _deviation(
        self,
        log: DiagnosticLog,
        what: str,
        rule: str,
        offset: int,
        *,
        severity: Severity = Severity.WARNING,
        why: str = "",
        tag: int | None = None,
        forbidden: bool = True,
    ) -> None:
        """A deviation from the framing rules, the one way they are all said: a
        :class:`~dimsekit.FramingError` when strict and a clause ``forbidden`` it (the
        ``rule``, and ``why`` if given, in its text); otherwise a diagnostic of
        ``severity`` in ``log`` (the message's or the PDU's).  What no clause forbids is
        a diagnostic in both modes."""
        if self._strict and forbidden:
            raise self._fail(f"{what} ({rule}{': ' + why if why else ''})", offset)
        log.append(Diagnostic(what=what, rule=rule, severity=severity, offset=offset, tag=tag))

    def _data_set_never_came(self, events: list[Event], followed: str, offset: int) -> None:
        """The command announced a data set, and something else came instead of its first
        fragment: when lenient the message goes out as decoded, with the empty payload
        the decoder put in its data set field, and an error diagnostic."""
        self._deviation(
            self._diagnostics,
            f"the command announces a data set (Command Data Set Type "
            f"0x{self._data_set_type:04X}) that never came: {followed}",
            _DATA_SET_TYPE_RULE,
            offset,
            severity=Severity.ERROR,
            tag=COMMAND_DATA_SET_TYPE.tag,
        )
        self._drop_spill_file()  # ours, opened for it (memory_budget=0): unused
        self._finish(events, None)

    def _pdu_inside_message(
        self, events: list[Event], pdu_type: int, log: DiagnosticLog, offset: int
    ) -> None:
        """A PDU other than P-DATA-TF has come while a message is being received.

        An A-ABORT may come at any time (PS3.8 7.3) and nothing follows it on the
        association: the message is dropped, which a warning on the A-ABORT says, in
        both modes.  After a command whose data set has not begun, the data set never
        came (:meth:`_data_set_never_came`).  Anywhere else (between command fragments,
        or after some of the data set's) it is out of place, as PS3.8 E.1 sends a
        message's fragments in order: an error on the PDU when lenient, the message
        still waiting for the rest; a FramingError when strict."""
        name = _name(pdu_type, article=False)
        if pdu_type == _A_ABORT:
            self._deviation(
                log,
                f"{name} {self._message_so_far()}; the message is dropped: nothing more "
                "comes on an aborted association",
                "PS3.8 7.3: an A-ABORT may come at any time",
                offset,
                forbidden=False,
            )
            self._drop_spill_file()
            self._reset_message()
        elif self._in_data and not self._data_fragments:
            self._data_set_never_came(events, f"{_name(pdu_type)} followed", offset)
        else:
            self._deviation(
                log,
                f"{name} {self._message_so_far()}; the message stays pending",
                "PS3.8 E.1",
                offset,
                severity=Severity.ERROR,
                why="a message's fragments are sent in order, and nothing else comes "
                "between its first and its last",
            )

    def _message_so_far(self) -> str:
        """Where the message being received is, in words: "in the middle of a
        C-STORE-RQ on context 1, after ..."."""
        decoded = self._decoded
        name = (
            decoded.message.command_field.message_name
            if isinstance(decoded, DecodedCommand)
            else "message"
        )
        if not self._in_data:
            after = f"{len(self._command)} bytes of its command set, before its last fragment"
        elif not self._data_fragments:
            after = (
                f"a command that announces a data set (Command Data Set Type "
                f"0x{self._data_set_type:04X}), before any of it"
            )
        else:
            after = (
                f"{self._data_length} bytes of its data set in {self._data_fragments} "
                "fragment(s), before its last"
            )
        return f"in the middle of a {name} on context {self._context_id}, after {after}"

    def _drop_spill_file(self) -> None:
        """Close the spill file of ours the message had, if any: it will not be used."""
        if self._unfinished_spill is not None:
            self._unfinished_spill()

    def _take_fragment_bytes(self, chunk: memoryview) -> None:
        if self._control & COMMAND_BIT:
            self._command += chunk
            return
        self._data_length += len(chunk)
        if self._data_file is not None:
            self._data_file.write(chunk)
            return
        budget = self._memory_budget
        if budget is not None and len(self._data) + len(chunk) > budget:
            self._spill_data()
            assert self._data_file is not None
            self._data_file.write(chunk)
            return
        self._data += chunk

    def _spill_data(self) -> None:
        assert self._context_id is not None
        command = self._decoded.message if isinstance(self._decoded, DecodedCommand) else None
        sink = self._spill(self._context_id, command)
        if self._owns_spill_files:
            # Ours until the message is complete (then its payload's): closed if the
            # stream breaks or the assembler goes away with the message unfinished.
            self._unfinished_spill = weakref.finalize(self, sink.close)
        self._data_file_start = sink.tell()
        sink.write(self._data)
        self._data = bytearray()
        self._data_file = sink

    def _end_fragment(self, events: list[Event]) -> None:
        self._fragment_left = -1
        if not self._control & LAST_BIT:
            return
        if self._control & COMMAND_BIT:
            self._end_command(events)
            return
        if self._data_file is not None:
            self._data_file.flush()
            if self._unfinished_spill is not None:
                self._unfinished_spill.detach()  # the payload closes it from now on
                self._unfinished_spill = None
            payload = DataSetPayload.from_file(
                self._data_file,
                offset=self._data_file_start,
                length=self._data_length,
                close_with_payload=self._owns_spill_files,
            )
        else:
            payload = DataSetPayload(memoryview(self._data).toreadonly())
        self._finish(events, payload)

    def _end_command(self, events: list[Event]) -> None:
        """Decode the command as soon as it is complete: it says whether a data set
        follows, and a spill file can be chosen knowing the message."""
        self._command_bytes = bytes(self._command)
        try:
            self._decoded = decode_command(self._command_bytes, strict=self._strict)
        except DecodeError as error:
            self._decoded = error
            data_set_type = peek_data_set_type(self._command_bytes)
        else:
            wire = self._decoded.message.wire
            data_set_type = NO_DATA_SET if wire is None else wire.command_data_set_type
        if data_set_type is None or data_set_type == NO_DATA_SET:
            self._finish(events, None)
            return
        self._in_data = True
        self._data_set_type = data_set_type
        if self._memory_budget == 0:
            self._spill_data()

    def _finish(self, events: list[Event], payload: DataSetPayload | None) -> None:
        context_id = self._context_id
        assert context_id is not None
        decoded = self._decoded
        if isinstance(decoded, DecodeError):
            events.append(UndecodableMessage(context_id, decoded, self._command_bytes))
        else:
            message = decoded.message
            if payload is not None:
                message = with_data_set(message, payload)
            self._diagnostics.extend(decoded.diagnostics)
            events.append(
                MessageReceived(
                    context_id, message, self._diagnostics.freeze(), self._command_bytes
                )
            )
        self._reset_message()
