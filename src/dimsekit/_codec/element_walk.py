"""Command set bytes in: the walk that splits one into its elements.

Owns: walking a command set element by element (Implicit VR Little Endian: tag, 4-byte
length, value; PS3.5 7.1.2, PS3.7 6.3.1): refusing what cannot be walked (an element
outside group 0000, a value past the end, a truncated header) with a
:class:`~dimsekit.DecodeError`, and reporting what can (odd lengths, repeats, elements
out of ascending order) as diagnostics; keeping the elements the command dictionary
knows by tag and the unknown ones apart, as offsets (:class:`UnknownElements`), so that
a hostile command set costs a few times its size at most; and reading the Command Data
Set Type of a command set without decoding it (:func:`peek_data_set_type`).

Must not know: message classes, what a value means (``_codec.received_values``), or how the
message is assembled (``_codec.decode``).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Final

from .._diagnostics import Diagnostic, DiagnosticLog
from .._errors import DecodeError
from .._model.fields import BY_TAG
from .wire import ELEMENT_HEADER as _HEADER
from .wire import Raw

__all__ = ["UnknownElements", "as_view", "peek_data_set_type", "walk_elements"]


# Elements the command dictionary has no entry for (unknown ones) are kept apart from the
# others, as offsets of their first occurrence: a command set of a million bytes holds a
# hundred thousand of them, and none is worth an object of its own (see ``UnknownElements``).
_NO_TAG: Final = 1 << 16  # above every group 0000 element number


class UnknownElements:
    """The unknown elements of a command set, by the offset of each one's first
    occurrence: in an ``array`` while they come in ascending tag order (as they do in
    nearly every command set that has any), in a table of all 65536 group 0000 element
    numbers (offset + 1, 0 for none) from the first one that does not."""

    __slots__ = ("last", "offsets", "table", "view")

    def __init__(self, view: Raw) -> None:
        self.view = view
        self.offsets = array("I")
        self.table: array[int] | None = None
        self.last = -1

    def _tag_at(self, offset: int) -> int:
        view = self.view
        return view[offset + 2] | view[offset + 3] << 8

    def _table(self) -> array[int]:
        table = self.table
        if table is None:
            self.table = table = array("I", (0,)) * _NO_TAG
            for offset in self.offsets:
                table[self._tag_at(offset)] = offset + 1
            self.offsets = array("I")
        return table

    def seen(self, tag: int) -> bool:
        """Whether an element with this tag was kept."""
        if self.table is None and tag >= self.last:  # above, or the last one repeated
            return tag == self.last
        return bool(self._table()[tag])

    def add(self, tag: int, offset: int) -> None:
        """Keep the element at ``offset``, whose tag was not seen."""
        if self.table is None and tag > self.last:
            self.offsets.append(offset)
            self.last = tag
        else:
            self._table()[tag] = offset + 1

    def in_tag_order(self) -> Iterator[tuple[int, int]]:
        """(tag, offset) of each, by tag."""
        table = self.table
        if table is None:
            for offset in self.offsets:
                yield self._tag_at(offset), offset
            return
        for tag, found in enumerate(table):
            if found:
                yield tag, found - 1


def walk_elements(
    view: Raw, diags: DiagnosticLog
) -> tuple[dict[int, tuple[int, Raw]], UnknownElements | None]:
    """Split a command set into its elements: tag -> (offset, value bytes) for those the
    command dictionary knows, and the unknown ones apart (None if there are none).  The
    first occurrence of a tag is kept; repeats are only reported."""
    elements: dict[int, tuple[int, Raw]] = {}
    unknown: UnknownElements | None = None
    size = len(view)
    offset = 0
    previous = -1
    unpack = _HEADER.unpack_from
    while offset < size:
        if size - offset < 8:
            raise DecodeError(
                f"truncated element header: {size - offset} bytes left where an element "
                "needs 8 (tag, length) (PS3.5 7.1.2)",
                offset=offset,
            )
        group, element, length = unpack(view, offset)
        tag = (group << 16) | element
        end = offset + 8 + length
        known = tag in BY_TAG
        if group or end > size or length & 1 or tag <= previous:
            _refuse_element(offset, group, element, length, size)
            seen = tag in elements if known else unknown is not None and unknown.seen(tag)
            _report_element(diags, offset, tag, length, seen, tag < previous)
            if seen:
                offset = end
                continue
        if known:
            elements[tag] = (offset, view[offset + 8 : end])
        else:
            if unknown is None:
                unknown = UnknownElements(view)
            unknown.add(tag, offset)
        if tag > previous:
            previous = tag
        offset = end
    return elements, unknown


def _refuse_element(offset: int, group: int, element: int, length: int, size: int) -> None:
    """What cannot be read: an element of another group, a value past the end."""
    tag = (group << 16) | element
    if group:
        raise DecodeError(
            f"element ({group:04X},{element:04X}) is outside group 0000: a command set "
            "holds command elements only (PS3.7 6.3.1)",
            offset=offset,
            tag=tag,
        )
    if offset + 8 + length > size:
        raise DecodeError(
            f"value length {length} runs past the end of the command set "
            f"({size - offset - 8} bytes left) (PS3.5 7.1.2)",
            offset=offset,
            tag=tag,
        )


def _report_element(
    diags: DiagnosticLog, offset: int, tag: int, length: int, seen: bool, out_of_order: bool
) -> None:
    """Report an odd length, a repeated element, one out of order."""
    if length & 1:
        diags.append(
            Diagnostic(
                what=f"odd value length {length}",
                rule="PS3.7 6.3.1: command element lengths are even",
                offset=offset,
                tag=tag,
            )
        )
    if seen:
        diags.append(
            Diagnostic(
                what="element repeated; the first occurrence is kept",
                rule="PS3.7 6.3.1: each tag at most once",
                offset=offset,
                tag=tag,
            )
        )
    elif out_of_order:
        diags.append(
            Diagnostic(
                what="element out of ascending tag order",
                rule="PS3.7 6.3.1: elements in ascending tag order",
                offset=offset,
                tag=tag,
            )
        )


def as_view(buffer: bytes | bytearray | memoryview) -> Raw:
    """Bytes stay bytes (slicing them is cheapest); other buffers become a byte view."""
    if type(buffer) is bytes:
        return buffer
    try:
        view = memoryview(buffer)
    except TypeError:
        raise TypeError(
            "buffer must be bytes, bytearray or memoryview (any contiguous bytes-like "
            f"object), not {type(buffer).__name__}"
        ) from None
    if not view.c_contiguous:
        raise TypeError("buffer must be a contiguous bytes-like object")
    if view.format != "B" or view.ndim != 1:
        view = view.cast("B")
    return view


def peek_data_set_type(buffer: bytes | bytearray | memoryview) -> int | None:
    """The Command Data Set Type of an encoded command set, without decoding it.

    None when the element is absent, malformed or the bytes cannot be walked; the full
    decoder then has the last word.
    """
    view = as_view(buffer)
    offset = 0
    size = len(view)
    while offset + 8 <= size:
        group, element, length = _HEADER.unpack_from(view, offset)
        if group != 0:
            return None
        if element == 0x0800:
            if length != 2 or offset + 10 > size:
                return None
            return view[offset + 8] | (view[offset + 9] << 8)
        if element > 0x0800:
            return None
        offset += 8 + length
    return None
