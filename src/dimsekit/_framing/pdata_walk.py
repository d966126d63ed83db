"""The receiver's PDU walk: PDU headers, PDV item headers and the bytes between (PS3.8 9.3).

Owns: :class:`PDUWalker`, the part of :class:`~dimsekit.MessageAssembler` that walks a
byte stream split anywhere: the byte-wise states (a PDU header being collected, a PDU
body, a PDV item header, a fragment's bytes), the walk over a P-DATA-TF that is wholly
in one ``feed``, without those states (it earns its place: about 30% on a data set fed
PDU by PDU), the checks on a PDU (a known type, PS3.8 9.3.1; a P-DATA-TF's length, a
PDV item header within it, from ``_framing.rules``; the PDU-length of every other type,
``_framing.pdu.PDU_LENGTHS``), other PDUs gathered whole and decoded once to their typed
form (``events.decode_received``: strictly when the walk is strict), and the one way a
deviation is said (:meth:`PDUWalker._deviation`: an error when strict, else a diagnostic).

It hands each fragment to its subclass (``_begin_fragment``, ``_take_fragment_bytes``,
``_end_fragment``), each PDU other than P-DATA-TF that comes inside a message
(``_pdu_inside_message``), and the start of each message to the one-pass path
(``_whole_message``), which may take it whole.

Must not know: DIMSE messages, the message being assembled (PS3.8 E.1, E.2: which
fragment may come when), command sets, data sets and where they are kept.
"""

from __future__ import annotations

from typing import Final

from .._diagnostics import Diagnostic, DiagnosticLog, Severity
from .events import FramingError, PDUReceived, StreamEvent, decode_received
from .pdu import PDU_HEADER, PDU_LENGTHS, PDV_HEADER, PDUType
from .rules import P_DATA_HAS_PDV, PDV_HEADER_FITS, WITHIN_MAX_PDU_LENGTH

__all__ = ["MAX_OTHER_PDU_LENGTH", "PDUWalker", "pdu_name"]

MAX_OTHER_PDU_LENGTH: Final = 1 << 20
_KNOWN_PDU_TYPES: Final = frozenset(int(kind) for kind in PDUType)
_P_DATA_TF: Final = int(PDUType.P_DATA_TF)


def pdu_name(pdu_type: int, article: bool = True) -> str:
    """``an A-RELEASE-RQ``, ``a P-DATA-TF``: a known PDU type in words."""
    name = PDUType(pdu_type).label
    return f"{'an' if name[0] == 'A' else 'a'} {name}" if article else name


class PDUWalker:
    """The PDU walk of a received stream; the subclass assembles the messages."""

    _context_id: int | None
    """The context of the message being received (the subclass's): None between them."""

    def __init__(self, max_pdu_length: int, strict: bool) -> None:
        self._max_pdu_length = max_pdu_length
        self._strict = strict
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

    # --- the subclass's part ---------------------------------------------------------------

    def _whole_message(
        self, view: memoryview, position: int, end: int, events: list[StreamEvent]
    ) -> int:
        """Take a whole message from ``position`` in one pass; its end, or 0 to decline."""
        raise NotImplementedError

    def _begin_fragment(
        self, events: list[StreamEvent], item_length: int, context_id: int, control: int
    ) -> None:
        """Check a PDV item header (already counted in ``_offset``) and expect its bytes
        (set ``_control`` and ``_fragment_left``, count the header in ``_pdu_left``)."""
        raise NotImplementedError

    def _take_fragment_bytes(self, events: list[StreamEvent], chunk: memoryview) -> None:
        raise NotImplementedError

    def _end_fragment(self, events: list[StreamEvent]) -> None:
        """The fragment is complete (set ``_fragment_left`` to -1)."""
        raise NotImplementedError

    def _pdu_inside_message(
        self, events: list[StreamEvent], pdu_type: int, log: DiagnosticLog, offset: int
    ) -> None:
        raise NotImplementedError

    # --- the walk --------------------------------------------------------------------------

    def _unfinished_pdu(self) -> FramingError | None:
        """The PDU (or PDU header) the stream leaves unfinished if it ends here, or None."""
        if self._pdu_type:
            name = pdu_name(self._pdu_type)
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
        return None

    def _fail(self, rule: str, offset: int | None = None) -> FramingError:
        return FramingError(rule, offset=self._offset if offset is None else offset)

    def _collect_head(self, view: memoryview, position: int, size: int) -> int:
        """Move up to ``size`` header bytes into ``_head``; return the new position."""
        take = min(size - len(self._head), len(view) - position)
        self._head += view[position : position + take]
        self._offset += take
        return position + take

    def _parse(
        self, view: memoryview, events: list[StreamEvent], position: int, tried: int = -1
    ) -> None:
        end = len(view)
        while position < end:
            if (
                self._pdu_type == 0
                and not self._head
                and self._context_id is None
                and position != tried
                and end - position >= PDU_HEADER.size
            ):
                after = self._whole_message(view, position, end, events)
                if after:
                    position = after
                    continue
            if (
                self._pdu_type == 0
                and not self._head
                and end - position >= PDU_HEADER.size
                and view[position] == _P_DATA_TF
            ):
                length = PDU_HEADER.unpack_from(view, position)[2]
                if length <= end - position - PDU_HEADER.size:  # the whole PDU is here
                    self._whole_p_data(view, position, length, events)
                    position += PDU_HEADER.size + length
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
                self._check_pdv_header_fits()
                position = self._collect_head(view, position, 6)
                if len(self._head) == 6:
                    self._start_fragment(events)
                    if self._fragment_left == 0:
                        self._end_fragment(events)
            else:
                take = min(self._fragment_left, end - position)
                if take:
                    self._take_fragment_bytes(events, view[position : position + take])
                    position += take
                    self._offset += take
                    self._fragment_left -= take
                    self._pdu_left -= take
                if self._fragment_left == 0:
                    self._end_fragment(events)
            if self._pdu_type and self._pdu_left == 0 and self._fragment_left < 0:
                self._end_pdu(events)

    def _whole_p_data(
        self, view: memoryview, position: int, length: int, events: list[StreamEvent]
    ) -> None:
        """A P-DATA-TF that is wholly in ``view``: its PDVs, without the byte-wise states
        (the same checks, the same state after each PDV)."""
        self._offset += PDU_HEADER.size
        self._check_p_data(length, self._offset - PDU_HEADER.size)
        self._pdu_start = self._offset - PDU_HEADER.size
        self._pdu_type = _P_DATA_TF
        self._pdu_length = self._pdu_left = length
        offset = position + PDU_HEADER.size
        while self._pdu_left:
            self._check_pdv_header_fits()
            self._offset += PDV_HEADER.size
            self._begin_fragment(events, *PDV_HEADER.unpack_from(view, offset))
            fragment_length = self._fragment_left
            offset += PDV_HEADER.size
            if fragment_length:
                self._take_fragment_bytes(events, view[offset : offset + fragment_length])
                offset += fragment_length
                self._offset += fragment_length
                self._pdu_left -= fragment_length
                self._fragment_left = 0
            self._end_fragment(events)
        self._pdu_type = 0

    def _check_p_data(self, length: int, start: int) -> None:
        """A P-DATA-TF's PDU-length: within what we advertised, one PDV item or more."""
        if not WITHIN_MAX_PDU_LENGTH.holds(length, self._max_pdu_length):
            raise self._fail(
                f"P-DATA-TF of {length} bytes exceeds the maximum length we advertised, "
                f"{self._max_pdu_length} ({WITHIN_MAX_PDU_LENGTH.clause})",
                start,
            )
        if not P_DATA_HAS_PDV.holds(length):
            raise self._fail(f"P-DATA-TF with no PDV item ({P_DATA_HAS_PDV.clause})", start)

    def _check_pdv_header_fits(self) -> None:
        """What is left of the P-DATA-TF holds a PDV item header."""
        if not PDV_HEADER_FITS.holds(self._pdu_left):
            raise self._fail(
                f"the P-DATA-TF ends {self._pdu_left} bytes into a PDV item header "
                f"({PDV_HEADER_FITS.clause})"
            )

    def _start_pdu(self, events: list[StreamEvent]) -> None:
        pdu_type, _reserved, length = PDU_HEADER.unpack(self._head)
        self._head.clear()
        start = self._offset - 6
        if pdu_type not in _KNOWN_PDU_TYPES:
            raise self._fail(f"unknown PDU type 0x{pdu_type:02X} (PS3.8 9.3.1)", start)
        self._pdu_start = start
        self._pdu_type = pdu_type
        self._pdu_length = self._pdu_left = length
        if pdu_type == PDUType.P_DATA_TF:
            self._check_p_data(length, start)
            return
        log = self._other_diagnostics = DiagnosticLog()
        if self._context_id is not None:
            self._pdu_inside_message(events, pdu_type, log, start)
        if length > MAX_OTHER_PDU_LENGTH:
            raise self._fail(
                f"{pdu_name(pdu_type)} of {length} bytes is beyond the {MAX_OTHER_PDU_LENGTH} "
                "bytes dimsekit accepts for it",
                start,
            )
        bounds = PDU_LENGTHS[PDUType(pdu_type)]
        breach = bounds.breach(length)
        if breach is not None:
            what = f"{pdu_name(pdu_type, article=False)} with {breach}"
            self._deviation(log, what, bounds.clause, start, severity=Severity.ERROR)
        self._other = bytearray(PDU_HEADER.pack(pdu_type, _reserved, length))

    def _end_pdu(self, events: list[StreamEvent]) -> None:
        if self._other is not None:
            pdu = bytes(self._other)
            events.append(
                PDUReceived(
                    PDUType(self._pdu_type),
                    pdu,
                    self._other_diagnostics.freeze(),
                    decode_received(pdu, strict=self._strict),
                )
            )
            self._other = None
        self._pdu_type = 0

    def _start_fragment(self, events: list[StreamEvent]) -> None:
        item_length, context_id, control = PDV_HEADER.unpack(self._head)
        self._head.clear()
        self._begin_fragment(events, item_length, context_id, control)

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
