"""Hex dumps back into bytes: the forms people paste captured bytes in.

Owns: reading, a line at a time, plain hex (``xxd -p``, or digits with any spacing),
``xxd`` (``00000000: 0100 0000  ....``, ``*`` with ``-a``), ``hexdump -C``
(``00000000  01 00 00 00 ...  |....|``, ``*`` for repeated rows, the closing line that is
only the total length) and Wireshark's "Follow TCP Stream" as a hex dump, copied from the
GUI or printed by ``tshark -qz follow,tcp,hex,N`` (a header of ``===``, ``Follow:``,
``Filter:``, ``Node 0:`` and ``Node 1:`` lines, the second direction's lines indented by a
tab, each direction counting its own offsets).  Every offset is checked against the bytes
read before it, so a dump that lost or gained a row is refused at that line.  Each
direction becomes its own byte stream, handed as it is read to a consumer the caller
opens from the stream's first bytes (as many as the caller asks for): a dump of
something that is none of the caller's input is refused early, and once a consumer
takes no more (a framing error, say) nothing more of its stream is made, its ``*`` rows
are not expanded, and a dump of that one stream is read no further.

The cost of reading a dump is bounded by its size but for ``*``, which stands for the row
before it repeated up to the next offset: with offsets of up to 16 hex digits, a dump of
a few lines could stand for 2**64 bytes.  The rule: the rows that ``*`` lines stand for
add at most :data:`REPEAT_LIMIT` bytes (64 MiB) to a dump, in all, and a ``*`` that would
go beyond is refused at the line that ends it, before any of its bytes are made.  Real
dumps repeat runs of zeros in a data set, kilobytes to a few megabytes; 64 MiB is far
more than such a paste holds, and is decoded in about a second.

Must not know: what the bytes are (PDUs, command sets); how they are decoded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO, Final, Generic, Protocol, TypeVar

import attrs

from .._errors import DecodeError

__all__ = ["REPEAT_LIMIT", "Consumer", "Direction", "read_hex_dump"]

REPEAT_LIMIT: Final = 64 << 20
"""The most bytes the rows ``*`` lines stand for may add to one dump (see the module
docstring)."""

_LINE_LIMIT: Final = 1 << 16  # longer lines are read in pieces (plain hex only)
_PIECE: Final = 1 << 16  # the most bytes a consumer is handed at a time
_ROW: Final = 16  # bytes per row in hexdump -C and Wireshark dumps
_OFFSET_LINE: Final = re.compile(rb"^(\t?)[ ]*([0-9A-Fa-f]{4,16})(:[ ]?|[ ]{2}|[ ]*$)")
_PAIR: Final = re.compile(rb"[0-9A-Fa-f]{2}")
_HEX_DIGITS: Final = re.compile(rb"[0-9A-Fa-f]*")
_HEADER_PREFIXES: Final = (b"Follow:", b"Filter:", b"Node 0:", b"Node 1:")
_NODE_ADDRESS: Final = re.compile(rb"^Node ([01]): (.*)$")


class Consumer(Protocol):
    """What takes the bytes of one stream of a dump, in order, as they are read."""

    def feed(self, data: bytes) -> bool:
        """Take the next bytes; False once it wants no more (the stream is refused)."""
        ...

    def close(self) -> None:
        """Let go of what it holds."""
        ...


C = TypeVar("C", bound=Consumer)


@attrs.define
class Direction(Generic[C]):
    """One byte stream of a dump: its name (None for a one-direction dump), the consumer
    its bytes went to, or, if its first bytes were refused, why."""

    name: str | None
    consumer: C | None = None
    refused: DecodeError | None = None
    size: int = 0  # the bytes it holds, read so far
    done: bool = False  # its consumer takes no more
    pending: bytearray = attrs.field(factory=bytearray)  # read, not yet handed over
    last_row: bytes = b""  # the row a ``*`` line repeats
    next_offset: int | None = None  # the offset its next row must have


class _Dump(Generic[C]):
    def __init__(self, open_consumer: Callable[[bytes], C | DecodeError], head_size: int) -> None:
        self.open_consumer = open_consumer
        self.head_size = head_size
        self.directions: list[Direction[C]] = []
        self.current: list[Direction[C]] = []  # this block's: node 0 -> 1, node 1 -> 0
        self.nodes: dict[int, str] = {}
        self.blocks = 0
        self.last: Direction[C] | None = None  # the direction of the last row
        self.repeat_pending: Direction[C] | None = None
        self.repeated = 0  # the bytes ``*`` lines stood for so far
        self.stopped = False  # the dump's one stream was refused: read no further

    def direction(self, index: int) -> Direction[C]:
        while len(self.current) <= index:
            direction: Direction[C] = Direction(None)
            self.current.append(direction)
            self.directions.append(direction)
        return self.current[index]

    def one_stream(self) -> bool:
        """Whether the dump has shown one stream so far (no tshark header, one side)."""
        return self.blocks == 0 and len(self.directions) == 1

    def write(self, direction: Direction[C], data: bytes) -> None:
        direction.size += len(data)
        if direction.refused is not None or direction.done:
            return  # its bytes go nowhere; the rows are still checked
        direction.pending += data
        if direction.consumer is None:
            if len(direction.pending) < self.head_size:
                return
            self._open(direction)
        if len(direction.pending) >= _PIECE:
            self.hand_over(direction)

    def _open(self, direction: Direction[C]) -> None:
        opened = self.open_consumer(bytes(direction.pending[: self.head_size]))
        if isinstance(opened, DecodeError):
            direction.refused = opened
            direction.pending = bytearray()
            if self.one_stream():
                raise opened  # one stream, and it is none of the caller's: at once
        else:
            direction.consumer = opened

    def hand_over(self, direction: Direction[C]) -> None:
        """Give the consumer what was read for it; stop if it takes no more."""
        if direction.consumer is None or direction.done or not direction.pending:
            return
        data = bytes(direction.pending)
        direction.pending.clear()
        if not direction.consumer.feed(data):
            direction.done = True
            self.stopped = self.one_stream()

    def turn_to(self, direction: Direction[C]) -> None:
        """A row of ``direction``: what the other direction read goes first, so that the
        consumers see the bytes in the order the dump gives them."""
        if self.last is not None and self.last is not direction:
            self.hand_over(self.last)
        self.last = direction

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

    def finish(self) -> list[Direction[C]]:
        one_way = self.one_stream()
        self.end_block()
        found = []
        for direction in self.directions:
            if one_way:
                direction.name = None
            elif direction.size == 0 and direction.refused is None:
                continue  # a direction that sent nothing
            if direction.refused is None and direction.consumer is None:
                self._open(direction)  # a stream shorter than the head
            self.hand_over(direction)
            found.append(direction)
        return found


def read_hex_dump(
    stream: IO[bytes], open_consumer: Callable[[bytes], C | DecodeError], head_size: int
) -> list[Direction[C]]:
    """The byte streams a hex dump holds: one, or each direction of each TCP stream of a
    Wireshark dump (node 0 to node 1 first), each handed to its consumer as it is read.

    ``open_consumer`` is given the first ``head_size`` bytes of each stream (or all of a
    shorter one) as soon as they are known, and returns the consumer of its bytes, which
    are then fed to it in order (a piece at a time, and before the dump turns to the
    other direction), or the :class:`~dimsekit.DecodeError` saying why they are none of
    the caller's: the direction keeps only that reason (``Direction.refused``), and a
    dump of one stream is refused at once.  Once a consumer takes no more, the rest of
    its stream is checked but goes nowhere, and a dump of one stream is read no further.
    A line that fits none of the forms, or a ``*`` beyond :data:`REPEAT_LIMIT`, raises
    :class:`~dimsekit.DecodeError` naming it.  The consumers of the directions returned
    are the caller's to close; if reading fails, they are closed here.
    """
    dump = _Dump(open_consumer, head_size)
    try:
        return _read(stream, dump)
    except BaseException:
        for direction in dump.directions:
            if direction.consumer is not None:
                direction.consumer.close()
        raise


def _read(stream: IO[bytes], dump: _Dump[C]) -> list[Direction[C]]:
    mode: str | None = None  # "plain" or "offsets", from the first line with content
    carry = b""  # plain hex: an odd digit left at the end of a piece
    number = 0
    in_piece = False
    while not dump.stopped:
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
    if dump.stopped:
        return dump.finish()  # its one stream was refused: the rest is not read
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


def _offset_line(dump: _Dump[C], line: bytes, number: int) -> None:
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
        dump.turn_to(direction)
        dump.write(direction, row)


def _expand_repeat(dump: _Dump[C], direction: Direction[C], offset: int, number: int) -> None:
    """``*``: the row before it, repeated up to the offset of the row after it, within
    :data:`REPEAT_LIMIT`, and made only while the stream's consumer takes them."""
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
    size = offset - start
    if dump.repeated + size > REPEAT_LIMIT:
        raise _refuse(
            number,
            f"the '*' before it stands for {size} bytes (offset {start:x} to {offset:x}), and "
            f"'*' rows may stand for at most {REPEAT_LIMIT} bytes of a dump in all",
        )
    dump.repeated += size
    rows = size // len(row)
    per_piece = max(_PIECE // len(row), 1)
    while rows and direction.refused is None and not direction.done:
        count = min(rows, per_piece)
        dump.write(direction, row * count)
        rows -= count
    direction.size += rows * len(row)  # what went unmade, to nowhere
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
