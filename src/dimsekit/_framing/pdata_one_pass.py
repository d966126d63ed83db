"""The receiver's one-pass path: a whole message's fragments found in one scan (PS3.8 E.1).

Owns: :func:`scan_whole_message`.  Given the bytes of one ``feed`` and where a message
may begin, it finds the message's command and data set fragments if they are all there,
in whole P-DATA-TF PDUs, framed as every toolkit frames them: the command in PDVs of
any number of PDUs, the data set PDVs after the command's last in its PDU, then one
data set PDV per PDU up to the last.  It slices the fragments out of the caller's buffer
and copies nothing but the command.

It is generated (``_codegen``) from the framing rules' declarations
(``_framing.rules``): every rule the general parser checks is inlined here from the same
expression, and where one does not hold the scan gives up, so that the general parser
takes the message and says what broke.  Its first test takes the usual message, whose
command is one PDV filling its PDU, with the rules the loop would check on it, inlined
from the same declarations (``_FIRST_PDU``); anything else goes on to the loop.  The
rules are over a PDU's header fields and the message's, none over where the PDU lies, so
a data set PDU that begins with the same header bytes as the one before (the same
length, context and control: all but the last of a data set cut at the peer's maximum)
is compared with it, not read and checked again; that it ends in the buffer is seen for
each.  It gives up too on what it does not take: a PDU other than P-DATA-TF, a PDU not
wholly in the buffer, a data set PDU of several PDVs, more PDVs after the data set's
last in its PDU.

Must not know: the assembler's state, how a breach is said, DIMSE messages and how a
command set is decoded (the caller decodes it, and decides whether a data set follows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeAlias

from .._codegen import compile_function
from .pdu import COMMAND_BIT, LAST_BIT, PDU_AND_PDV_HEADERS, PDU_HEADER, PDV_HEADER, PDUType
from .rules import ITEM_LENGTH_FIELD, check_inlined, inline

__all__ = ["Scanned", "scan_whole_message"]

Scanned: TypeAlias = tuple[int, bytes, list[memoryview], int]
"""(context ID, command set bytes, data set fragments, the position after the message)."""

_TEMPLATE: Final = """\
def scan_whole_message(view, position, end, max_pdu_length):
    command = []
    data = []
    message_context = -1
    in_data = data_done = False
    pdu_start = position
FIRST_PDU
    # The PDUs up to the one where the command ends, any number of PDVs in each.
    while not in_data:
        if end - pdu_start < HEADERS:
            return None
        pdu_type, _, length, item_length, context_id, control = pdu_and_pdv(view, pdu_start)
        pdu_end = pdu_start + PDU_HEAD + length
        if (
            pdu_type != P_DATA_TF
            or pdu_end > end
            or not {rule:p_data_has_pdv}
            or not {rule:within_max_pdu_length}
        ):
            return None
        offset = pdu_start + PDU_HEAD
        pdu_start = pdu_end
        while True:
            room = pdu_end - offset
            is_command = control & COMMAND_BIT
            if not (
                {rule:pdv_item_fits}
                and {rule:fragment_not_empty}
                and {rule:fragment_even}
                and {rule:fragment_in_order}
            ):
                return None
            if message_context < 0:
                message_context = context_id
            elif not {rule:one_context}:
                return None
            fragment_end = offset + ITEM_LENGTH_FIELD + item_length
            if is_command:
                command.append(view[offset + PDV_HEAD : fragment_end])
                in_data = control & LAST_BIT != 0
            else:  # data set fragments after the command's last, in its PDU
                data.append(view[offset + PDV_HEAD : fragment_end])
                data_done = control & LAST_BIT != 0
            offset = fragment_end
            room = pdu_end - offset
            if not room:
                break
            if data_done or not {rule:pdv_header_fits}:
                return None
            item_length, context_id, control = pdv(view, offset)
    # The data set goes on if data PDVs came after the command in its PDU, or the next
    # PDU carries data: its PDUs, one PDV each, up to the last.
    if not data_done and (data or DATA_NEXT):
        while not data_done:
            if end - pdu_start < HEADERS:
                return None
            pdu_type, _, length, item_length, context_id, control = pdu_and_pdv(view, pdu_start)
            pdu_end = pdu_start + PDU_HEAD + length
            room = length
            is_command = control & COMMAND_BIT
            if (
                pdu_type != P_DATA_TF
                or item_length != length - ITEM_LENGTH_FIELD  # one PDV fills the PDU
                or pdu_end > end
                or not {rule:within_max_pdu_length}
                or not {rule:pdv_item_fits}
                or not {rule:fragment_not_empty}
                or not {rule:fragment_even}
                or not {rule:fragment_in_order}
                or not {rule:one_context}
            ):
                return None
            data.append(view[pdu_start + HEADERS : pdu_end])
            data_done = control & LAST_BIT
            if not data_done:
                # The PDUs after it that begin with the same header bytes (the same
                # length, context and control) keep every rule it kept, as each is over
                # the header's fields and the message's, none over where the PDU lies:
                # only that each ends in the buffer is left to see.  The bytes are
                # compared where they are, if ``view`` is all of a bytes or bytearray.
                source = view.obj
                in_place = type(source) is bytes or type(source) is bytearray
                if in_place and len(source) == len(view):
                    header = source[pdu_start : pdu_start + HEADERS]
                    size = pdu_end - pdu_start
                    pdu_start = pdu_end
                    while source.startswith(header, pdu_start):
                        pdu_end = pdu_start + size
                        if pdu_end > end:
                            return None
                        data.append(view[pdu_start + HEADERS : pdu_end])
                        pdu_start = pdu_end
                    continue
            pdu_start = pdu_end
    command = bytes(command[0]) if len(command) == 1 else b"".join(command)
    command_length = len(command)
    if not {rule:command_within_limit}:
        return None
    return message_context, command, data, pdu_start
"""

_FIRST_PDU: Final = """\
    # The usual first PDU: the whole command in its one PDV, which fills it.  The same
    # rules as the loop below checks on a command fragment, for the values they take
    # here (the PDV at the PDU's start: ``room`` is the PDU-length; the message's first
    # fragment: no context to compare yet); where one fails the loop sees it again.
    if end - position >= HEADERS:
        pdu_type, _, length, item_length, context_id, control = pdu_and_pdv(view, position)
        pdu_end = position + PDU_HEAD + length
        room = length
        is_command = control & COMMAND_BIT
        if (
            control == LAST_COMMAND
            and item_length == length - ITEM_LENGTH_FIELD  # one PDV fills the PDU
            and pdu_type == P_DATA_TF
            and pdu_end <= end
            and {rule:p_data_has_pdv}
            and {rule:within_max_pdu_length}
            and {rule:pdv_item_fits}
            and {rule:fragment_not_empty}
            and {rule:fragment_even}
            and {rule:fragment_in_order}
        ):
            message_context = context_id
            pdu_start = pdu_end
            if not DATA_NEXT:  # the message is this PDU
                command = bytes(view[position + HEADERS : pdu_end])
                command_length = len(command)
                if not {rule:command_within_limit}:
                    return None
                return message_context, command, data, pdu_start
            command.append(view[position + HEADERS : pdu_end])
            in_data = True
"""
"""The scan's first test, written where the template says ``FIRST_PDU``: the usual
message, whose command is one PDV filling its PDU (a data set, if any, in the PDUs
after it).  The rules it inlines are those the loop checks on the first command
fragment, and it leaves every other case to the loop, so the scan with it gives what
the scan without it gives (``_generate("")``, which a test compares); it saves the
loop's set-up and list of one command fragment, about a fifth of a small message's scan."""

_DATA_NEXT: Final = (
    "(end - pdu_start >= HEADERS and view[pdu_start] == P_DATA_TF"
    " and not view[pdu_start + HEADERS - 1] & COMMAND_BIT)"
)
"""Whether the PDU at ``pdu_start``, after the command's last, carries data (it begins
in the buffer, a P-DATA-TF whose first PDV is not a command fragment): written where the
template says ``DATA_NEXT``."""


def _generate(first_pdu: str) -> Callable[[memoryview, int, int, int], Scanned | None]:
    """The scan compiled from the template, ``first_pdu`` written as its first test."""
    source, inlined = inline(
        _TEMPLATE.replace("FIRST_PDU\n", first_pdu).replace("DATA_NEXT", _DATA_NEXT)
    )
    scan: Callable[[memoryview, int, int, int], Scanned | None] = compile_function(
        source,
        "scan_whole_message",
        "pdata_one_pass.scan_whole_message",
        {
            "pdu_and_pdv": PDU_AND_PDV_HEADERS.unpack_from,
            "pdv": PDV_HEADER.unpack_from,
            "HEADERS": PDU_AND_PDV_HEADERS.size,
            "PDU_HEAD": PDU_HEADER.size,
            "PDV_HEAD": PDV_HEADER.size,
            "ITEM_LENGTH_FIELD": ITEM_LENGTH_FIELD,
            "P_DATA_TF": int(PDUType.P_DATA_TF),
            "COMMAND_BIT": COMMAND_BIT,
            "LAST_BIT": LAST_BIT,
            "LAST_COMMAND": COMMAND_BIT | LAST_BIT,
        },
    )
    check_inlined(scan.__code__, inlined)
    return scan


scan_whole_message: Final = _generate(_FIRST_PDU)
scan_whole_message.__doc__ = """The message that begins at ``position`` in ``view`` (up
to ``end``), if all its fragments are there and every framing rule holds for them: its
context, its command set, its data set fragments (slices of ``view``) and the position
after it; None to leave it to the general parser (nothing is changed).

The data set fragments are those that follow the command (none, if the next PDU does not
carry data); whether the command announces a data set is for the caller to compare."""
