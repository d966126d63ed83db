"""Receiving: bytes off a socket back into DIMSE messages (PS3.8 9.3 and Annex E).

Owns: :class:`MessageAssembler`, a sans-IO parser.  The caller feeds it bytes exactly as
they arrive, split anywhere (one byte at a time works), and gets events back: each
complete DIMSE message with its presentation context and diagnostics, each other PDU
(A-ASSOCIATE-RQ/AC/RJ, A-RELEASE-RQ/RP, A-ABORT) whole, with its type.  Beside it,
:class:`StreamingAssembler` (package-internal, for ``dimsekit tap``): the same parser
keeping no data set, which gives a message's command as soon as it is complete and its
data set fragment by fragment as the bytes arrive (``_Assembly._streams`` is the one
switch; both share every rule and every diagnostic).  Here is the
message being assembled: the order of its fragments, what deviates inside a message,
the decode of its command, the events; its parts live beside it: the PDU walk
(``pdata_walk``, the base class), the framing rules (``rules``), the one-pass scan
(``pdata_one_pass``), where a data set is kept (``pdata_spill``), the events and
FramingError (``events``; pickles name the event classes here, see ``_pickle_names``).

Theory of operation.  The parser walks PDU header -> PDV item header -> fragment bytes,
and never waits for a whole PDU: fragment bytes go straight to the message being built,
so a P-DATA-TF of any size costs no more memory than its data.  The message is a small
state machine (idle -> command -> data -> idle, PS3.8 E.1, E.2): the command
comes first, all its fragments on one context, then the data set iff the command says
one follows.  Data accumulates in memory up to ``memory_budget`` bytes; past it, or from
the first byte when ``memory_budget=0``, it goes to a file from ``spill``.

The common case in one pass.  When a ``feed`` holds a whole message between messages
(as one ``recv`` of a small message does), framed as every toolkit frames it and with a
canonical command set, it is taken in one pass over its PDUs: the fragments are found
and sliced out of the caller's buffer by a scan generated from the same framing rules
the walk checks, the command goes to the codec's canonical decoder, the data set is joined in one
copy.  Anything else, or anything that would be reported, leaves that message to the
walk above, unchanged; a test feeds streams whole and a byte at a time and compares.

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
(PS3.8 9.3.2 to 9.3.8: ``_framing.pdu.PDU_LENGTHS``), and a command whose Command Data Set Type
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
syntaxes), or how a command set is decoded: it calls the codec's entry points
(``decode_command``, ``decode_canonical``, ``with_data_set``, ``data_set_follows``,
``peek_data_set_type`` of ``_codec.decode``) and nothing below them.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Final, cast

import attrs

from .._codec.decode import (
    DecodedCommand,
    command_too_long,
    data_set_follows,
    decode_canonical,
    decode_command,
    peek_data_set_type,
    with_data_set,
)
from .._codec.layout import COMMAND_DATA_SET_TYPE, NO_DATA_SET, announces_data_set
from .._codegen import compile_function, slot_setter
from .._diagnostics import DiagnosticLog, Severity
from .._errors import DecodeError
from .._model.payload import DataSetPayload, received_payload
from .events import (
    CommandReceived,
    DataSetEnd,
    DataSetFragment,
    Event,
    FramingError,
    MessageReceived,
    PDUReceived,
    StreamEvent,
    UndecodableMessage,
)
from .pdata_one_pass import scan_whole_message
from .pdata_spill import DataSetSink, SpillFactory, temporary_file
from .pdata_walk import PDUWalker, pdu_name
from .pdu import (
    COMMAND_BIT,
    LAST_BIT,
    PDV_HEADER,
    PDUType,
    check_max_pdu_length,
)
from .rules import (
    COMMAND_WITHIN_LIMIT,
    FRAGMENT_EVEN,
    FRAGMENT_IN_ORDER,
    FRAGMENT_NOT_EMPTY,
    ITEM_FIXED,
    ITEM_LENGTH_FIELD,
    ONE_CONTEXT,
    PDV_ITEM_FITS,
    fragment_clean,
)

__all__ = [
    "Event",
    "MessageAssembler",
    "MessageReceived",
    "PDUReceived",
    "SpillFactory",
    "StreamingAssembler",
    "UndecodableMessage",
]


_NOT_DECODED: Final = DecodeError("no command has been received yet")
_DATA_SET_TYPE_RULE: Final = "PS3.7 9.3, 10.3 Command Data Set Type; PS3.8 E.1"
_A_ABORT: Final = int(PDUType.A_ABORT)
_STREAMED: Final = (CommandReceived, DataSetFragment, DataSetEnd)


def _slot_builder(cls: type[MessageReceived]) -> Callable[..., MessageReceived]:
    """A function of ``cls``'s fields (positional, in order) that makes the instance its
    ``__init__`` would, setting its slots: generated from its attrs fields, for a class
    whose ``__init__`` does nothing else (no field converts, validates or has a hook,
    no ``__attrs_post_init__``), which is checked here at import.  attrs' frozen
    ``__init__`` goes through ``object.__setattr__`` per field."""
    fields = attrs.fields(cls)
    plain = all(
        field.init
        and field.converter is None
        and field.validator is None
        and field.on_setattr in (None, attrs.setters.NO_OP)
        for field in fields
    )
    if not plain or hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        raise AssertionError(f"{cls.__name__}.__init__ does more than set its fields")
    names = [field.name for field in fields]
    namespace: dict[str, object] = {"_new": object.__new__, "_cls": cls}
    namespace.update({f"_set_{name}": slot_setter(cls, name) for name in names})
    source = "\n".join(
        [
            f"def build({', '.join(names)}):",
            "    self = _new(_cls)",
            *(f"    _set_{name}(self, {name})" for name in names),
            "    return self",
        ]
    )
    build: Callable[..., MessageReceived] = compile_function(
        source, "build", f"{cls.__name__} built by its slots", namespace
    )
    return build


_message_received: Final = _slot_builder(MessageReceived)
"""(context_id, message, diagnostics, command): ``MessageReceived(...)``, for the
one-pass path."""


class _Assembly(PDUWalker):
    """The assembly of received messages, whole or streamed (``_streams``): the
    parser both public assemblers are."""

    _streams = False
    """Whether a data set goes to the caller fragment by fragment (StreamingAssembler)
    rather than into the message."""

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
        self._memory_budget = memory_budget
        self._spill = spill if spill is not None else temporary_file
        self._owns_spill_files = spill is None
        super().__init__(max_pdu_length, strict)
        self._broken: FramingError | None = None  # set too by a clean close()
        self._closed = False
        self._reset_message()

    def _reset_message(self) -> None:
        self._context_id: int | None = None
        self._message_start = 0  # stream offset of its first PDV item
        self._in_data = False
        self._data_set_type = NO_DATA_SET  # once ``_in_data``: the value announcing it
        self._data_fragments = 0
        self._command = bytearray()
        self._data_set = DataSetSink(self._memory_budget)
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

    def _feed(self, data: bytes | bytearray | memoryview) -> list[StreamEvent]:
        if self._broken is not None:
            raise self._refusal()
        events: list[StreamEvent] = []
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

    def _close(self) -> list[StreamEvent]:
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

    def _break(self, error: FramingError, events: list[StreamEvent]) -> None:
        self._broken = error
        error.events = tuple(event for event in events if not isinstance(event, _STREAMED))
        self._data_set.drop()  # the message will never be finished

    def _unfinished(self) -> FramingError | None:
        """What the stream leaves unfinished if it ends here, as an error, or None."""
        unfinished = self._unfinished_pdu()
        if unfinished is not None or self._context_id is None:
            return unfinished
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
                f"the stream ends inside a message's data set: cut after {self._data_set.length} "
                f"bytes, {self._data_fragments} fragment(s), none of them the last "
                "(PS3.8 E.1, E.2)"
            )
        return self._fail(rule, self._message_start)

    # --- the message ------------------------------------------------------------------------

    def _whole_message(
        self, view: memoryview, position: int, end: int, events: list[StreamEvent]
    ) -> int:
        """The common case in one pass: a whole message, in whole P-DATA-TF PDUs that are
        all in ``view``, every framing rule holding (``_framing.pdata_one_pass``), its command
        set canonical.

        Returns the position after it, or 0 to leave everything to the general parser
        (nothing is changed then): a partial message, anything a diagnostic or an error
        would be raised for, a data set beyond ``memory_budget``, a command set that is
        not canonical (``_codec.fast_decode``), a PDU that holds more than this message.
        """
        scanned = scan_whole_message(view, position, end, self._max_pdu_length)
        if scanned is None:
            return 0
        context, command, data, pdu_start = scanned
        if data and not self._streams:
            budget = self._memory_budget
            if budget is not None and (not budget or sum(map(len, data)) > budget):
                return 0  # a file from ``spill`` takes it (budget 0: always)
        message = decode_canonical(command)
        if message is None or data_set_follows(message) != bool(data):
            return 0  # not canonical; or its data set is still to come, or not announced
        if data and self._streams:
            events.append(CommandReceived(context, message, command))
            events.extend(DataSetFragment(context, part.toreadonly()) for part in data)
            events.append(DataSetEnd(context, sum(map(len, data))))
        else:
            if data:
                # One copy, out of the caller's buffer, held as a read-only view as the
                # general parser holds it.
                message = with_data_set(message, received_payload(b"".join(data)))
            events.append(_message_received(context, message, (), command))
        self._offset += pdu_start - position
        return pdu_start

    def _begin_fragment(
        self, events: list[StreamEvent], item_length: int, context_id: int, control: int
    ) -> None:
        """Check a PDV item header (already counted in ``_offset``) and expect its bytes."""
        is_command = control & COMMAND_BIT
        fragment_length = item_length - ITEM_FIXED
        if fragment_clean(
            item_length, self._pdu_left, is_command, self._in_data, context_id, self._context_id
        ) and (not is_command or COMMAND_WITHIN_LIMIT.holds(len(self._command) + fragment_length)):
            # The usual fragment, every rule holding (a message begun): nothing to say.
            self._pdu_left -= PDV_HEADER.size
            if not is_command:
                self._data_fragments += 1
            self._control = control
            self._fragment_left = fragment_length
            return
        start = self._offset - PDV_HEADER.size
        if not PDV_ITEM_FITS.holds(item_length, self._pdu_left):
            raise self._fail(
                f"PDV item length {item_length} disagrees with its PDU "
                f"({self._pdu_left - ITEM_LENGTH_FIELD} bytes left for it; it counts the "
                "context ID, the control header and the fragment) "
                f"({PDV_ITEM_FITS.clause})",
                start,
            )
        self._pdu_left -= PDV_HEADER.size
        if is_command and self._in_data and not self._data_fragments:
            self._data_set_never_came(events, "a new command followed", start)
        self._check_order(is_command, context_id, start)
        if not FRAGMENT_NOT_EMPTY.holds(item_length):
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
        elif not FRAGMENT_EVEN.holds(item_length):
            self._deviation(
                self._diagnostics,
                f"odd fragment length {fragment_length}",
                FRAGMENT_EVEN.clause,
                start,
                why="fragments are even",
            )
        if is_command:
            size = len(self._command) + fragment_length
            if not COMMAND_WITHIN_LIMIT.holds(size):
                raise self._fail(command_too_long(size, at_least=not control & LAST_BIT), start)
        else:
            self._data_fragments += 1
        self._control = control
        self._fragment_left = fragment_length

    def _check_order(self, is_command: int, context_id: int, start: int) -> None:
        """A fragment on its message's context, in its place: the command's fragments
        first, then the data set's (PS3.8 E.1, E.2); the first one begins the message."""
        if self._context_id is None:
            if not is_command:
                raise self._fail(
                    "a data set fragment before any command fragment (PS3.7 6.3, PS3.8 E.1)",
                    start,
                )
            self._context_id = context_id
            self._message_start = start
        elif not ONE_CONTEXT.holds(context_id, self._context_id):
            raise self._fail(
                f"presentation context ID changes from {self._context_id} to {context_id} "
                f"within one message ({ONE_CONTEXT.clause})",
                start,
            )
        elif not FRAGMENT_IN_ORDER.holds(is_command, self._in_data):
            if is_command:
                raise self._fail(
                    f"a command fragment inside the data set, after {self._data_set.length} bytes "
                    f"of it and before its last fragment ({FRAGMENT_IN_ORDER.clause})",
                    start,
                )
            raise self._fail(
                "a data set fragment before the last command fragment (PS3.8 E.1)", start
            )

    def _data_set_never_came(self, events: list[StreamEvent], followed: str, offset: int) -> None:
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
        self._data_set.drop()  # ours, opened for it (memory_budget=0): unused
        self._finish(events, None)

    def _pdu_inside_message(
        self, events: list[StreamEvent], pdu_type: int, log: DiagnosticLog, offset: int
    ) -> None:
        """A PDU other than P-DATA-TF has come while a message is being received.

        An A-ABORT may come at any time (PS3.8 7.3) and nothing follows it on the
        association: the message is dropped, which a warning on the A-ABORT says, in
        both modes.  After a command whose data set has not begun, the data set never
        came (:meth:`_data_set_never_came`).  Anywhere else (between command fragments,
        or after some of the data set's) it is out of place, as PS3.8 E.1 sends a
        message's fragments in order: an error on the PDU when lenient, the message
        still waiting for the rest; a FramingError when strict."""
        name = pdu_name(pdu_type, article=False)
        if pdu_type == _A_ABORT:
            self._deviation(
                log,
                f"{name} {self._message_so_far()}; the message is dropped: nothing more "
                "comes on an aborted association",
                "PS3.8 7.3: an A-ABORT may come at any time",
                offset,
                forbidden=False,
            )
            self._data_set.drop()
            self._reset_message()
        elif self._in_data and not self._data_fragments:
            self._data_set_never_came(events, f"{pdu_name(pdu_type)} followed", offset)
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
                f"{self._data_set.length} bytes of its data set in {self._data_fragments} "
                "fragment(s), before its last"
            )
        return f"in the middle of a {name} on context {self._context_id}, after {after}"

    @property
    def _unfinished_spill(self) -> weakref.finalize[[], object] | None:
        """What closes the spill file of ours the message has, if any."""
        return self._data_set.unfinished

    def _take_fragment_bytes(self, events: list[StreamEvent], chunk: memoryview) -> None:
        if self._control & COMMAND_BIT:
            self._command += chunk
            return
        data_set = self._data_set
        if self._streams:
            data_set.count(len(chunk))
            context_id = self._context_id
            assert context_id is not None
            events.append(DataSetFragment(context_id, chunk.toreadonly()))
            return
        if not data_set.fits(len(chunk)):
            self._spill_data()
        data_set.write(chunk)

    def _spill_data(self) -> None:
        assert self._context_id is not None
        command = self._decoded.message if isinstance(self._decoded, DecodedCommand) else None
        # Ours until the message is complete (then its payload's): closed if the stream
        # breaks or the assembler goes away with the message unfinished.
        owner = self if self._owns_spill_files else None
        self._data_set.spill_to(self._spill(self._context_id, command), owner)

    def _end_fragment(self, events: list[StreamEvent]) -> None:
        self._fragment_left = -1
        if not self._control & LAST_BIT:
            return
        if self._control & COMMAND_BIT:
            self._end_command(events)
            return
        self._finish(events, None if self._streams else self._data_set.payload())

    def _end_command(self, events: list[StreamEvent]) -> None:
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
        if data_set_type is None or not announces_data_set(data_set_type):
            self._finish(events, None)
            return
        self._in_data = True
        self._data_set_type = data_set_type
        if self._streams:
            context_id = self._context_id
            assert context_id is not None
            decoded = self._decoded
            if isinstance(decoded, DecodeError):
                events.append(UndecodableMessage(context_id, decoded, self._command_bytes))
            else:
                events.append(CommandReceived(context_id, decoded.message, self._command_bytes))
        elif self._memory_budget == 0:
            self._spill_data()

    def _finish(self, events: list[StreamEvent], payload: DataSetPayload | None) -> None:
        context_id = self._context_id
        assert context_id is not None
        decoded = self._decoded
        if self._streams and self._in_data:  # its command event went out already
            if not isinstance(decoded, DecodeError):
                self._diagnostics.extend(decoded.diagnostics)
            length = self._data_set.length
            events.append(DataSetEnd(context_id, length, self._diagnostics.freeze()))
        elif isinstance(decoded, DecodeError):
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


class MessageAssembler(_Assembly):
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

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse ``data`` and return the events it completes, in order."""
        # A MessageAssembler never streams: its events are all Events.
        return cast("list[Event]", self._feed(data))

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
        return cast("list[Event]", self._close())


class StreamingAssembler(_Assembly):
    """A :class:`MessageAssembler` that keeps no data set: it hands each one to the
    caller as its bytes arrive (package-internal: what ``dimsekit tap`` forwards).

    A message without a data set, and every other PDU, comes out as from a
    MessageAssembler.  A message with one comes out in parts: when its command set is
    complete, a :class:`CommandReceived` (an :class:`UndecodableMessage` if it cannot be
    decoded), then a :class:`DataSetFragment` for each run of data set bytes that a
    ``feed`` holds (a view of the bytes fed, never a copy), then a :class:`DataSetEnd`
    with the length and every diagnostic of the message.  The rules checked and where
    they are reported are the same; so is an A-ABORT that cuts the message (it comes
    with its warning, and no DataSetEnd).  ``memory_budget`` and ``spill`` do not
    exist here: nothing is kept.  A :class:`~dimsekit.FramingError`'s ``events`` hold
    the :data:`~dimsekit.Event` ones of the ``feed`` that broke (not its fragments).
    """

    _streams = True

    def __init__(self, *, max_pdu_length: int = 0, strict: bool = False) -> None:
        super().__init__(max_pdu_length=max_pdu_length, memory_budget=None, strict=strict)

    def feed(self, data: bytes | bytearray | memoryview) -> list[StreamEvent]:
        """Parse ``data`` and return the events it completes, in order."""
        return self._feed(data)

    def close(self) -> list[StreamEvent]:
        """The stream has ended, as :meth:`MessageAssembler.close` says."""
        return self._close()
