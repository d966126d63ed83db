"""DICOM Part 10 files (PS3.10 7.1): the File Meta Information before a data set.

Owns: the layout of a Part 10 file's head (a 128-byte preamble, the prefix "DICM", then
group 0002 in Explicit VR Little Endian, its (0002,0000) File Meta Information Group
Length first; PS3.10 7.1, PS3.5 7.1.2); :func:`read_part10`, which reads that head (and
the data set only of a small file, read whole in one read), into a :class:`Part10Instance`
that can be sent as a file region or from memory; :func:`file_meta_information`, the head
to write before a data set received; and :class:`Part10Error`, what is wrong with a file
that is not one.

Must not know: sockets, the engine, DIMSE messages, what the data set holds (it is never
parsed: its bytes are sent and stored as they are, in the transfer syntax the head
names).
"""

from __future__ import annotations

import io
import os
import struct
from typing import IO, Final

import attrs
from pydicom.uid import UID

from .._association.negotiation import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME
from .._errors import DimseError, show
from .._model import vr
from .._model.payload import DataSetPayload

__all__ = ["Part10Error", "Part10Instance", "file_meta_information", "read_part10"]

PREAMBLE_LENGTH: Final = 128
"""The File Preamble's length (PS3.10 7.1): its content is the application's; ours, zeros."""
PREFIX: Final = b"DICM"
"""The DICOM Prefix after the preamble (PS3.10 7.1)."""
_HEAD: Final = PREAMBLE_LENGTH + len(PREFIX)

_GROUP_LENGTH: Final = 0x0002_0000
_VERSION: Final = 0x0002_0001
_SOP_CLASS: Final = 0x0002_0002
_SOP_INSTANCE: Final = 0x0002_0003
_TRANSFER_SYNTAX: Final = 0x0002_0010
_IMPLEMENTATION_CLASS: Final = 0x0002_0012
_IMPLEMENTATION_VERSION: Final = 0x0002_0013
_SOURCE_AE: Final = 0x0002_0016

_REQUIRED: Final = {
    _SOP_CLASS: "Media Storage SOP Class UID",
    _SOP_INSTANCE: "Media Storage SOP Instance UID",
    _TRANSFER_SYNTAX: "Transfer Syntax UID",
}
"""The elements of group 0002 a file cannot be sent without (PS3.10 7.1: Type 1)."""

_LONG_VRS: Final = frozenset(
    {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV"}
)
"""The VRs whose Explicit VR header has 2 reserved bytes and a 4-byte length (PS3.5
7.1.2, Table 7.1-1); every other VR has a 2-byte length."""

WHOLE_FILE_LIMIT: Final = 1 << 16
"""A file of at most this many bytes is read whole by :func:`read_part10`, in one read,
its data set kept for :meth:`Part10Instance.payload` (the file opened once); a larger one
has its head read and its data set sent from the file."""

_VERSION_VALUE: Final = b"\x00\x01"
"""File Meta Information Version (0002,0001): version 1 (PS3.10 7.1)."""


class Part10Error(DimseError):
    """A file is not a DICOM Part 10 file dimsekit can read, or a File Meta Information
    cannot be written (PS3.10 7.1): ``path`` names the file (None when writing),
    ``offset`` the byte where the problem is (None if it is at no one place), ``reason``
    what is wrong, with the rule."""

    path: str | None
    offset: int | None
    reason: str

    def __init__(self, path: str | None, offset: int | None, reason: str) -> None:
        self.path = path
        self.offset = offset
        self.reason = reason
        where = [part for part in (path, None if offset is None else f"offset {offset}") if part]
        super().__init__(": ".join([*where, reason]))

    def __reduce__(self) -> tuple[type[Part10Error], tuple[str | None, int | None, str]]:
        return (type(self), (self.path, self.offset, self.reason))


@attrs.frozen(kw_only=True)
class Part10Instance:
    """A SOP instance in a Part 10 file, as its File Meta Information names it (PS3.10
    7.1): the data set is the ``data_set_length`` bytes from ``data_set_offset``, in
    ``transfer_syntax``: :attr:`data_set` when :func:`read_part10` read the file whole (at
    most :data:`WHOLE_FILE_LIMIT` bytes), else never read until it is sent."""

    path: str
    sop_class_uid: UID
    sop_instance_uid: UID
    transfer_syntax: UID
    data_set_offset: int
    data_set_length: int
    data_set: bytes | None = attrs.field(default=None, eq=False, repr=False)
    """The data set's bytes, read with the head (a small file), or None: read from
    :attr:`path` when sent.  Not part of equality: the same instance either way."""

    def payload(self) -> DataSetPayload:
        """The data set, to be sent on a presentation context that agreed
        :attr:`transfer_syntax` (PS3.8 7.1.1.13): its bytes go as they are, from memory
        when :attr:`data_set` holds them, else as a region of the file."""
        if self.data_set is not None:
            return DataSetPayload(self.data_set)
        return DataSetPayload.from_file(
            self.path, offset=self.data_set_offset, length=self.data_set_length
        )


def read_part10(path: str | os.PathLike[str]) -> Part10Instance:
    """Read the head of the Part 10 file at ``path`` (PS3.10 7.1): its preamble, "DICM"
    and group 0002, not the data set after it.

    Group 0002 ends before the first element of another group; its elements must be in
    Explicit VR Little Endian (PS3.10 7.1), and (0002,0002), (0002,0003) and (0002,0010)
    must be there.  A deflated transfer syntax (PS3.5 A.5) is read as any other: the
    data set's bytes are the deflated stream, sent as they are on a context that agreed
    that syntax, since a deflated data set travels deflated the same way.  Raises
    :class:`Part10Error` for a file that is not one, :class:`OSError` for one that cannot
    be read.  A file of at most :data:`WHOLE_FILE_LIMIT` bytes is read whole, in one
    read, and its head parsed from those bytes (the same checks, the same errors).
    """
    name = os.fspath(path)
    data_set: bytes | None = None
    with open(name, "rb", buffering=0) as raw:  # one read(2) for a small file
        size = os.fstat(raw.fileno()).st_size
        content = raw.read(size) if size <= WHOLE_FILE_LIMIT else None
        if content is not None:
            size = len(content)
        handle: IO[bytes] = io.BufferedReader(raw) if content is None else io.BytesIO(content)
        found = _read_meta(name, handle, size)
        end = handle.tell()
        if content is not None:
            data_set = content[end:]
    values: dict[int, UID] = {}
    for tag, what in _REQUIRED.items():
        value = found.get(tag)
        if value is None:
            raise Part10Error(
                name,
                end,
                f"the File Meta Information has no {what} (0002,{tag & 0xFFFF:04X}), "
                "which a Part 10 file must have (PS3.10 7.1, Type 1)",
            )
        values[tag] = vr.to_uid(value)
    return Part10Instance(
        path=name,
        sop_class_uid=values[_SOP_CLASS],
        sop_instance_uid=values[_SOP_INSTANCE],
        transfer_syntax=values[_TRANSFER_SYNTAX],
        data_set_offset=end,
        data_set_length=size - end,
        data_set=data_set,
    )


def _read_meta(name: str, handle: IO[bytes], size: int) -> dict[int, bytes]:
    """The values of the required elements of group 0002, the file positioned after the
    group's last element; the values of the others are skipped, never read."""
    head = handle.read(_HEAD)
    if len(head) < _HEAD or head[PREAMBLE_LENGTH:] != PREFIX:
        raise Part10Error(
            name,
            PREAMBLE_LENGTH,
            'not a DICOM Part 10 file: no "DICM" after a 128-byte preamble (PS3.10 7.1)',
        )
    found: dict[int, bytes] = {}
    offset = _HEAD
    group_end: int | None = None
    while offset < size:
        header = handle.read(8)
        if len(header) < 8:
            raise _truncated(name, offset, "an element header of 8 bytes", size)
        group, element = struct.unpack_from("<HH", header)
        if group != 0x0002:
            break
        tag = group << 16 | element
        vr_code = header[4:6]
        if not (vr_code.isalpha() and vr_code.isupper()):
            raise Part10Error(
                name,
                offset,
                f"element (0002,{element:04X}) has no explicit VR (found {vr_code!r}): the "
                "File Meta Information is in Explicit VR Little Endian (PS3.10 7.1)",
            )
        if vr_code in _LONG_VRS:
            rest = handle.read(4)
            if len(rest) < 4:
                raise _truncated(name, offset, "an element header of 12 bytes", size)
            (length,) = struct.unpack("<I", rest)
            start = offset + 12
        else:
            (length,) = struct.unpack_from("<H", header, 6)
            start = offset + 8
        if length == 0xFFFF_FFFF:
            raise Part10Error(
                name,
                offset,
                f"element (0002,{element:04X}) has an undefined length, which no element "
                "of the File Meta Information may have (PS3.10 7.1)",
            )
        if start + length > size:
            raise _truncated(name, offset, f"(0002,{element:04X})'s {length} bytes", size)
        if tag in _REQUIRED or tag == _GROUP_LENGTH:
            found[tag] = handle.read(length)
        else:
            handle.seek(length, os.SEEK_CUR)
        offset = start + length
        if tag == _GROUP_LENGTH and length == 4:
            group_end = offset + struct.unpack("<I", found[tag])[0]
    else:  # the file ended with group 0002: is the group as long as it said?
        if group_end is not None and group_end > size:
            raise _truncated(name, offset, "the group (0002,0000) announces", size)
    handle.seek(offset)
    return found


def _truncated(name: str, offset: int, what: str, size: int) -> Part10Error:
    return Part10Error(
        name,
        offset,
        f"the File Meta Information is truncated: the file ends ({size} bytes) "
        f"before {what} (PS3.10 7.1)",
    )


def file_meta_information(
    sop_class_uid: str,
    sop_instance_uid: str,
    transfer_syntax: str,
    *,
    implementation_class_uid: str = IMPLEMENTATION_CLASS_UID,
    implementation_version_name: str | None = IMPLEMENTATION_VERSION_NAME,
    source_ae_title: str | None = None,
) -> bytes:
    """The head of a Part 10 file (PS3.10 7.1): a preamble of zeros, "DICM", and group
    0002 in Explicit VR Little Endian: (0002,0000) its length, (0002,0001) version 00 01,
    (0002,0002) and (0002,0003) the SOP class and instance, (0002,0010) the transfer
    syntax of the data set that follows, (0002,0012) and (0002,0013) who wrote it, and
    (0002,0016) the Source AE Title when given.

    Values are written as given, each padded to an even length (UIDs with a NUL, text
    with a space: PS3.5 6.2, 9.1); they are not checked against PS3.5 9.1, so that an
    instance received is stored under the UIDs its C-STORE-RQ named.  A value that
    cannot be written (a character outside Latin-1, as the codec writes text; longer
    than a 2-byte length holds) raises :class:`Part10Error`.
    """
    elements = [
        _element(_VERSION, b"OB", _VERSION_VALUE),
        _element(_SOP_CLASS, b"UI", _text(_SOP_CLASS, sop_class_uid, b"\0")),
        _element(_SOP_INSTANCE, b"UI", _text(_SOP_INSTANCE, sop_instance_uid, b"\0")),
        _element(_TRANSFER_SYNTAX, b"UI", _text(_TRANSFER_SYNTAX, transfer_syntax, b"\0")),
        _element(
            _IMPLEMENTATION_CLASS,
            b"UI",
            _text(_IMPLEMENTATION_CLASS, implementation_class_uid, b"\0"),
        ),
    ]
    if implementation_version_name is not None:
        value = _text(_IMPLEMENTATION_VERSION, implementation_version_name, b" ")
        elements.append(_element(_IMPLEMENTATION_VERSION, b"SH", value))
    if source_ae_title is not None:
        elements.append(_element(_SOURCE_AE, b"AE", _text(_SOURCE_AE, source_ae_title, b" ")))
    body = b"".join(elements)
    group_length = _element(_GROUP_LENGTH, b"UL", struct.pack("<I", len(body)))
    return bytes(PREAMBLE_LENGTH) + PREFIX + group_length + body


def _text(tag: int, value: str, padding: bytes) -> bytes:
    try:
        encoded = value.encode("latin-1")
    except UnicodeEncodeError as error:
        raise Part10Error(
            None,
            None,
            f"(0002,{tag & 0xFFFF:04X}) {show(value)} has a character outside Latin-1 at "
            f"{error.start}, which it cannot be written in",
        ) from None
    if len(encoded) & 1:
        encoded += padding
    if len(encoded) > 0xFFFE:
        raise Part10Error(
            None,
            None,
            f"(0002,{tag & 0xFFFF:04X}) has {len(encoded)} bytes, more than its 2-byte "
            "length holds (PS3.5 7.1.2)",
        )
    return encoded


def _element(tag: int, vr_code: bytes, value: bytes) -> bytes:
    """One Explicit VR Little Endian element (PS3.5 7.1.2)."""
    if vr_code in _LONG_VRS:
        return struct.pack("<HH2s2xI", tag >> 16, tag & 0xFFFF, vr_code, len(value)) + value
    return struct.pack("<HH2sH", tag >> 16, tag & 0xFFFF, vr_code, len(value)) + value
