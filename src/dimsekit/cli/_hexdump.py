"""Hex dumps back into bytes: the forms people paste captured bytes in.

Owns: reading, a line at a time, plain hex (``xxd -p``, or digits with any spacing),
``xxd`` (``00000000: 0100 0000  ....``, ``*`` with ``-a``), ``hexdump -C``
(``00000000  01 00 00 00 ...  |....|``, ``*`` for repeated rows, the closing line that is
only the total length) and Wireshark's "Follow TCP Stream" as a hex dump, copied from the
GUI or printed by ``tshark -qz follow,tcp,hex,N`` (a header of ``===``, ``Follow:``,
``Filter:``, ``Node 0:`` and ``Node 1:`` lines, the second direction's lines indented by a
tab, each direction counting its own offsets).  Every offset is checked against the bytes
read before it, so a dump that lost or gained a row is refused at that line.  Each
direction becomes its own byte stream, spooled to a temporary file (memory stays bounded
whatever the size of the dump), and its first bytes are handed to a check as soon as
they are known, so that a dump of something that is no DIMSE input is refused early.

Must not know: what the bytes are (PDUs, command sets); how they are decoded.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from typing import IO, Final

import attrs

from .._errors import DecodeError

__all__ = ["HEAD_SIZE", "Direction", "read_hex_dump"]

HEAD_SIZE: Final = 132
"""How many first bytes of each direction the early check is given (a Part-10 file is
recognised by its 128-byte preamble and ``DICM``)."""

_LINE_LIMIT: Final = 1 << 16  # longer lines are read in pieces (plain hex only)
_SPOOL_IN_MEMORY: Final = 8 << 20
_ROW: Final = 16  # bytes per row in hexdump -C and Wireshark dumps
_OFFSET_LINE: Final = re.compile(rb"^(\t?)[ ]*([0-9A-Fa-f]{4,16})(:[ ]?|[ ]{2}|[ ]*$)")
_PAIR: Final = re.compile(rb"[0-9A-Fa-f]{2}")
_HEX_DIGITS: Final = re.compile(rb"[0-9A-Fa-f]*")
_HEADER_PREFIXES: Final = (b"Follow:", b"Filter:", b"Node 0:", b"Node 1:")
_NODE_ADDRESS: Final = re.compile(rb"^Node ([01]): (.*)$")


@attrs.define
class Direction:
    """One byte stream of a dump: its name (None for a one-direction dump), its bytes,
    and, if its first bytes were refused, why."""

    name: str | None
    data: IO[bytes]
    size: int = 0
    refused: DecodeError | None = None
    checked: bool = False
    last_row: bytes = b""  # the row a ``*`` line repeats
    next_offset: int | None = None  # the offset its next row must have


class _Dump:
    def __init__(self, check: Callable[[bytes], DecodeError | None]) -> None:
        self.check = check
        self.directions: list[Direction] = []
        self.current: list[Direction] = []  # this block's: node 0 -> 1, node 1 -> 0
        self.nodes: dict[int, str] = {}
        self.blocks = 0
        self.last: Direction | None = None  # the direction of the last row
        self.repeat_pending: Direction | None = None

    def direction(self, index: int) -> Direction:
        while len(self.current) <= index:
            # closed by read_hex_dump if it fails, else by the caller it hands them to
            spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
            direction = Direction(None, spool)
            self.current.append(direction)
            self.directions.append(direction)
        return self.current[index]

    def write(self, direction: Direction, data: bytes) -> None:
        if direction.refused is not None:
            return  # its bytes are no DIMSE input; the rows are still checked
        direction.data.write(data)
        direction.size += len(data)
        if not direction.checked and direction.size >= HEAD_SIZE:
            self._check(direction)

    def _check(self, direction: Direction) -> None:
        direction.checked = True
        direction.data.seek(0)
        head = direction.data.read(HEAD_SIZE)
        direction.data.seek(0, 2)
        direction.refused = self.check(head)
        if direction.refused is not None:
            direction.data.close()
            if self.blocks == 0 and len(self.directions) == 1:
                raise direction.refused  # one stream, and it is none of ours: at once

    def new_block(self) -> None:
        """A ``Follow:`` line: a new TCP stream, whose two directions start afresh."""
        self.end_block()
        self.nodes = {}
        self.blocks += 1

    def end_block(self) -> None:
        """Name the directions of the block that has just ended, by their node
        addresses where the block gave them (tshark), else by their node numbers."""
        stream = f"stream {self.blocks}: " if self.blocks > 1 else ""
        for sender, direction in enumerate(self.current):
            receiver = 1 - sender
            if sender in self.nodes and receiver in self.nodes:
                direction.name = f"{stream}{self.nodes[sender]} -> {self.nodes[receiver]}"
            else:
                direction.name = f"{stream}node {sender} -> node {receiver}"
        self.current = []

    def finish(self) -> list[Direction]:
        one_way = self.blocks == 0 and len(self.directions) == 1
        self.end_block()
        found = []
        for direction in self.directions:
            if one_way:
                direction.name = None
            elif direction.size == 0 and direction.refused is None:
                continue  # a direction that sent nothing
            if direction.refused is None:
                if not direction.checked:
                    self._check(direction)
                if direction.refused is None:
                    direction.data.seek(0)
            found.append(direction)
        return found


def read_hex_dump(
    stream: IO[bytes], check: Callable[[bytes], DecodeError | None]
) -> list[Direction]:
    """The byte streams a hex dump holds, each spooled and rewound: one, or each
    direction of each TCP stream of a Wireshark dump (node 0 to node 1 first).

    ``check`` is given the first :data:`HEAD_SIZE` bytes of each stream (or all of a
    shorter one) as soon as they are known, and returns why they cannot be DIMSE input,
    or None; a refused stream keeps only that reason (``Direction.refused``), and a dump
    of one stream is refused at once.  A line that fits none of the forms raises
    :class:`~dimsekit.DecodeError` naming it.
    """
    dump = _Dump(check)
    try:
        return _read(stream, dump)
    except BaseException:
        for direction in dump.directions:
            direction.data.close()
        raise


def _read(stream: IO[bytes], dump: _Dump) -> list[Direction]:
    mode: str | None = None  # "plain" or "offsets", from the first line with content
    carry = b""  # plain hex: an odd digit left at the end of a piece
    number = 0
    in_piece = False
    while True:
        piece = stream.readline(_LINE_LIMIT)
        if not piece:
            break
        # a piece of a longer line fills the limit and ends without a line break
        continued, in_piece = in_piece, len(piece) == _LINE_LIMIT and piece[-1:] != b"\n"
        if not continued:
            number += 1
        line = piece.rstrip(b"\r\n")
        if mode == "offsets" and (in_piece or continued):
            raise _refuse(number, f"a line of more than {_LINE_LIMIT} characters")
        if not line.strip():
            continue
        if mode is None:
            mode = "offsets" if _is_offset_dump_start(line) else "plain"
        if mode == "plain":
            digits = carry + re.sub(rb"\s+", b"", line)
            if not _HEX_DIGITS.fullmatch(digits):
                raise _refuse(number, "expected pairs of hex digits")
            even = len(digits) & ~1
            carry = digits[even:]
            dump.write(dump.direction(0), bytes.fromhex(digits[:even].decode("ascii")))
        else:
            _offset_line(dump, line, number)
    if carry:
        raise _refuse(number, "an odd number of hex digits")
    if dump.repeat_pending is not None:
        raise _refuse(number, "a '*' line with no offset after it to say how far it repeats")
    return dump.finish()


def _is_offset_dump_start(line: bytes) -> bool:
    """Whether the first line is tshark's header or a row with an offset: the offset
    and a colon (xxd), or the offset, two spaces and more (hexdump -C, Wireshark)."""
    if line.lstrip().startswith((b"=", *_HEADER_PREFIXES)):
        return True
    match = _OFFSET_LINE.match(line)
    return match is not None and (
        match.group(3).startswith(b":") or line[match.end() :].strip() != b""
    )


def _refuse(number: int, why: str) -> DecodeError:
    return DecodeError(f"not a hex dump: line {number}: {why}")


def _offset_line(dump: _Dump, line: bytes, number: int) -> None:
    """One line of xxd, hexdump -C or Wireshark output."""
    stripped = line.strip()
    if stripped.startswith(b"="):  # tshark's rule above and below a stream
        dump.end_block()
        return
    if stripped.startswith(_HEADER_PREFIXES):
        if stripped.startswith(b"Follow:"):
            dump.new_block()
        node = _NODE_ADDRESS.match(stripped)
        if node is not None:
            dump.nodes[int(node.group(1))] = node.group(2).decode("ascii", "replace").strip()
        return
    if stripped == b"*":
        if dump.repeat_pending is not None or dump.last is None or not dump.last.last_row:
            raise _refuse(number, "'*' must follow a row, to repeat it")
        dump.repeat_pending = dump.last
        return
    match = _OFFSET_LINE.match(line)
    if match is None:
        raise _refuse(number, "expected an offset, then hex bytes")
    direction = dump.direction(1 if match.group(1) else 0)
    offset = int(match.group(2), 16)
    if dump.repeat_pending is not None:
        _expand_repeat(dump, dump.repeat_pending, offset, number)
    if direction.next_offset is not None and offset != direction.next_offset:
        raise _refuse(
            number,
            f"offset {match.group(2).decode()} where the rows before it end at "
            f"{direction.next_offset:x}: a row is missing, or too long",
        )
    row = _row_bytes(line[match.end() :], xxd=match.group(3).startswith(b":"), number=number)
    direction.next_offset = offset + len(row)  # the first row's offset is where it starts
    if row:
        direction.last_row = row
        dump.last = direction
        dump.write(direction, row)


def _expand_repeat(dump: _Dump, direction: Direction, offset: int, number: int) -> None:
    """``*``: the row before it, repeated up to the offset of the row after it."""
    dump.repeat_pending = None
    row = direction.last_row
    start = direction.next_offset
    assert start is not None
    if offset < start or (offset - start) % len(row):
        raise _refuse(
            number,
            f"'*' repeats a row of {len(row)} bytes from offset {start:x}, which does not "
            f"reach offset {offset:x}",
        )
    for _ in range((offset - start) // len(row)):
        dump.write(direction, row)
    direction.next_offset = offset


def _row_bytes(rest: bytes, *, xxd: bool, number: int) -> bytes:
    """The bytes of one row, from what follows its offset.

    xxd writes groups of hex digits separated by one space and its text column after two
    spaces; hexdump -C and Wireshark write 16 pairs (two spaces after the eighth), then
    the text column, padded after a short row: such a row ends after 16 pairs or at
    three spaces (hexdump -C's column also starts with ``|``).
    """
    if xxd:
        digits = b"".join(rest.split(b"  ", 1)[0].split())
        if len(digits) & 1 or not _HEX_DIGITS.fullmatch(digits):
            raise _refuse(number, "expected groups of hex digits after the offset")
        return bytes.fromhex(digits.decode("ascii"))
    pairs = rest.split(b"|", 1)[0].split(b"   ", 1)[0].split()[:_ROW]
    if not all(_PAIR.fullmatch(pair) for pair in pairs):
        raise _refuse(number, "expected hex byte pairs after the offset")
    return bytes.fromhex(b"".join(pairs).decode("ascii"))
