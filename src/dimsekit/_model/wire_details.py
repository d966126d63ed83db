"""What a decoded message remembers of the command set it came from.

Owns: :class:`WireDetails`, the part of a received command set that the typed fields do
not hold: the raw Command Data Set Type (any value other than 0x0101 means "a data set
follows", PS3.7 9.3 / 10.3, and real toolkits send 0x0000, 0x0001, 0x0102 or 0x0202) and
the group 0000 elements the message class has no field for (retired ACR-NEMA elements,
unknown ones, the retired Message ID of a DIMSE-C response), kept as raw value bytes.
With them the encoder reproduces the received bytes exactly.

Owns too: :class:`ExtraElements`, how those elements are kept: as (tag, start, end)
ranges of one bytes object (the received command set itself, when it came as bytes), so
that keeping tens of thousands of them costs twelve bytes each, not a tuple and a bytes
object each; the (tag, value) pairs are made only when asked for.

Must not know: how elements are parsed or encoded; the codec fills and reads it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from typing import Final

import attrs

__all__ = ["ExtraElements", "WireDetails"]


@attrs.frozen(eq=False, repr=False)
class ExtraElements:
    """(tag, value bytes) pairs in tag order, kept as ranges of one bytes object.

    ``source`` holds the values; ``ranges`` is a native ``array('I')`` of (tag, start,
    end) triples as bytes.  Two are equal when they hold the same pairs, whatever
    buffer the values sit in.
    """

    source: bytes
    ranges: bytes

    @classmethod
    def of(cls, pairs: Iterable[tuple[int, bytes | bytearray | memoryview]]) -> ExtraElements:
        """The pairs given, their values copied into one bytes object."""
        values: list[bytes | bytearray | memoryview] = []
        ranges = array("I")
        position = 0
        for tag, raw in pairs:
            end = position + len(raw)
            ranges.extend((tag, position, end))
            values.append(raw)
            position = end
        return cls(b"".join(values), ranges.tobytes())

    def __len__(self) -> int:
        return len(self.ranges) // (3 * _ITEM)

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        ranges = memoryview(self.ranges).cast("I")
        source = self.source
        for index in range(0, len(ranges), 3):
            yield ranges[index], source[ranges[index + 1] : ranges[index + 2]]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExtraElements):
            return NotImplemented
        if len(self) != len(other):
            return False
        return (self.source is other.source and self.ranges == other.ranges) or all(
            mine == theirs for mine, theirs in zip(self, other, strict=True)
        )

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"ExtraElements({tuple(self)!r})"

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled as the pairs, not the whole buffer the values sit in.
        return (ExtraElements.of, (tuple(self),))


_ITEM: Final = array("I").itemsize
NO_EXTRAS: Final = ExtraElements(b"", b"")


def _to_extras(value: Iterable[tuple[int, bytes]] | ExtraElements) -> ExtraElements:
    if isinstance(value, ExtraElements):
        return value
    return ExtraElements.of(value) if value else NO_EXTRAS


@attrs.frozen(kw_only=True, repr=False)
class WireDetails:
    """Details of a received command set that have no field in the typed message."""

    command_data_set_type: int
    """The Command Data Set Type (0000,0800) as received."""
    _extras: ExtraElements = attrs.field(
        default=NO_EXTRAS, converter=_to_extras, alias="extra_elements"
    )

    @property
    def extra_elements(self) -> tuple[tuple[int, bytes], ...]:
        """(tag, raw value bytes) of each group 0000 element the class has no field for,
        in tag order (made when asked for)."""
        return tuple(self._extras) if self._extras else ()

    def __repr__(self) -> str:
        return (
            f"WireDetails(command_data_set_type={self.command_data_set_type!r}, "
            f"extra_elements={self.extra_elements!r})"
        )


PLAIN_WIRE: Final = {
    cdst: WireDetails(command_data_set_type=cdst)
    for cdst in (0x0000, 0x0001, 0x0101, 0x0102, 0x0202)
}
"""The wire details of the command sets real toolkits send, shared (they are frozen)."""
