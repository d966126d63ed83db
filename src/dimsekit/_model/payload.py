"""The data-set payload handle: what a message carries after its command set.

Owns: :class:`DataSetPayload`, the one type behind every data-set parameter of PS3.7
(Data Set, Identifier, Event Information, Event Reply, Attribute List, Modification
List, Action Information, Action Reply; PS3.7 6.3).  It holds one of:

- already-encoded bytes (``bytes``, ``bytearray``, ``memoryview``), kept as given,
  never copied;
- a pydicom ``Dataset``, encoded with the presentation context's transfer syntax when
  it is sent (PS3.7 6.3.1, PS3.8 E);
- a region of a file (a path or a binary file object, an offset and a length), read in
  chunks when it is sent, never read whole.

Equality is by content for bytes and Datasets, and by (file, offset, length) for files.
Hashing is honest: a payload of immutable bytes or of a file path hashes by value; one
that holds a mutable ``Dataset``, a writable buffer or an open file object refuses to be
hashed, so a frozen message holding it is unhashable too, instead of pretending.

Must not know: message classes, command sets or PDUs.  It knows transfer syntaxes only
to encode and decode a ``Dataset`` (through pydicom).
"""

from __future__ import annotations

import io
import os
import weakref
import zlib
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, Final, TypeAlias, final

import attrs
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset
from pydicom.filewriter import write_dataset
from pydicom.uid import UID, ImplicitVRLittleEndian

from .value_rules import InlineConverter, declare_converter, exact_type, optional

__all__ = ["DataSetPayload", "PayloadInput"]

CHUNK_SIZE: Final = 1 << 20
"""How much of a file-backed payload is read at a time."""

BinaryFile: TypeAlias = IO[bytes]
FileSource: TypeAlias = "str | os.PathLike[str] | BinaryFile"


@attrs.frozen(eq=False)
class _FileRegion:
    """``length`` bytes of a file from ``offset``; the length is fixed when made."""

    source: str | BinaryFile
    offset: int
    length: int

    def key(self) -> tuple[object, int, int]:
        source = self.source if isinstance(self.source, str) else id(self.source)
        return (source, self.offset, self.length)

    def chunks(self, chunk_size: int) -> Iterator[bytes]:
        if isinstance(self.source, str):
            with open(self.source, "rb") as handle:
                yield from self._read(handle, chunk_size)
        else:
            yield from self._read(self.source, chunk_size)

    def _read(self, handle: BinaryFile, chunk_size: int) -> Iterator[bytes]:
        handle.seek(self.offset)
        left = self.length
        while left:
            chunk = handle.read(min(chunk_size, left))
            if not chunk:
                raise EOFError(
                    f"the file ended {left} bytes before the data set's {self.length} bytes"
                )
            left -= len(chunk)
            yield chunk


_Value: TypeAlias = bytes | memoryview | Dataset | _FileRegion


@final
class DataSetPayload:
    """A message's data set: encoded bytes, a pydicom ``Dataset``, or a file region.

    Build one with ``DataSetPayload(value)`` or :meth:`from_file`; message fields also
    accept the raw value and wrap it.  ``bytes``, ``bytearray`` and ``memoryview`` are
    held without copying.
    """

    __slots__ = ("__weakref__", "_value")

    _value: _Value

    def __init__(self, value: PayloadInput) -> None:
        if isinstance(value, DataSetPayload):
            value = value._value  # type: ignore[assignment]
        if isinstance(value, bytearray):
            value = memoryview(value)
        if isinstance(value, memoryview):
            value = value.cast("B") if value.format != "B" or value.ndim != 1 else value
        elif not isinstance(value, bytes | Dataset | _FileRegion):
            raise TypeError(
                "a data set payload is bytes, bytearray, memoryview or a pydicom Dataset, "
                f"not {type(value).__name__}"
            )
        self._value = value

    if TYPE_CHECKING:

        @property
        def value_slot(self) -> object:
            """What the payload holds, as it holds it: ``bytes``, a ``memoryview``, a
            ``Dataset`` or a file region (internal to dimsekit, for the sender, which sends
            the first two as they are), read without a call: the ``_value`` slot's own
            descriptor under a second name, set below the class."""

    @classmethod
    def from_file(
        cls,
        source: FileSource,
        *,
        offset: int = 0,
        length: int | None = None,
        close_with_payload: bool = False,
    ) -> DataSetPayload:
        """The ``length`` bytes of a file from ``offset`` (to its end if None).

        ``source`` is a path or a binary file object opened for reading; the bytes
        must already be in the transfer syntax they will travel in.  Nothing is read
        until the payload is sent or read.  With ``close_with_payload`` the payload
        owns the file object and closes it when the payload is garbage-collected.
        """
        if offset < 0 or (length is not None and length < 0):
            raise ValueError("offset and length of a file payload are not negative")
        if isinstance(source, str | os.PathLike):
            path = os.fspath(source)
            size = os.path.getsize(path)
            resolved: str | BinaryFile = path
        else:
            position = source.tell()
            size = source.seek(0, io.SEEK_END)
            source.seek(position)
            resolved = source
        if offset > size or (length is not None and offset + length > size):
            raise ValueError(f"the region {offset}+{length} lies beyond the file's {size} bytes")
        region = _FileRegion(resolved, offset, size - offset if length is None else length)
        payload = cls.__new__(cls)
        payload._value = region
        if close_with_payload and not isinstance(resolved, str):
            weakref.finalize(payload, resolved.close)
        return payload

    @property
    def dataset(self) -> Dataset | None:
        """The pydicom ``Dataset`` this payload holds, or None if it holds bytes or a file."""
        return self._value if isinstance(self._value, Dataset) else None

    @property
    def encoded(self) -> bytes | memoryview | None:
        """The encoded bytes this payload holds in memory, or None (Dataset or file)."""
        value = self._value
        return value if isinstance(value, bytes | memoryview) else None

    @property
    def is_encoded(self) -> bool:
        """True if the payload is already bytes in a transfer syntax (memory or file)."""
        return not isinstance(self._value, Dataset)

    @property
    def is_file(self) -> bool:
        """True if the payload is a region of a file."""
        return isinstance(self._value, _FileRegion)

    def __len__(self) -> int:
        """The encoded length in bytes; a ``Dataset`` has no length until encoded."""
        value = self._value
        if isinstance(value, Dataset):
            raise TypeError("a Dataset payload has no byte length before it is encoded")
        if isinstance(value, _FileRegion):
            return value.length
        return value.nbytes if isinstance(value, memoryview) else len(value)

    def chunks(
        self, transfer_syntax: str | None = None, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[bytes | memoryview]:
        """The encoded bytes, in pieces of at most ``chunk_size``.

        Memory is sliced without copying, a file is read a chunk at a time, and a
        ``Dataset`` is encoded once with ``transfer_syntax`` (required for it).
        """
        value = self._value
        if isinstance(value, _FileRegion):
            yield from value.chunks(chunk_size)
            return
        if isinstance(value, Dataset):
            if transfer_syntax is None:
                raise ValueError("a Dataset payload needs a transfer syntax to be encoded")
            value = encode_dataset(value, transfer_syntax)
        view = memoryview(value)
        for start in range(0, len(view), chunk_size):
            yield view[start : start + chunk_size]

    def to_bytes(self, transfer_syntax: str | None = None) -> bytes:
        """All the encoded bytes at once (reads a whole file: for small payloads)."""
        return b"".join(self.chunks(transfer_syntax))

    def to_dataset(self, transfer_syntax: str = ImplicitVRLittleEndian) -> Dataset:
        """The payload decoded into a pydicom ``Dataset`` with ``transfer_syntax``."""
        value = self._value
        if isinstance(value, Dataset):
            return value
        return decode_dataset(self.to_bytes(), transfer_syntax)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DataSetPayload):
            return NotImplemented
        mine, theirs = self._value, other._value
        if isinstance(mine, _FileRegion) or isinstance(theirs, _FileRegion):
            return (
                isinstance(mine, _FileRegion)
                and isinstance(theirs, _FileRegion)
                and mine.key() == theirs.key()
            )
        if isinstance(mine, Dataset) or isinstance(theirs, Dataset):
            return isinstance(mine, Dataset) and isinstance(theirs, Dataset) and mine == theirs
        return mine == theirs

    def __hash__(self) -> int:
        value = self._value
        if isinstance(value, bytes):
            return hash(value)
        if isinstance(value, memoryview) and value.readonly:
            return hash(value.tobytes())
        if isinstance(value, _FileRegion) and isinstance(value.source, str):
            return hash(value.key())
        kind = {Dataset: "pydicom Dataset", memoryview: "buffer", _FileRegion: "file object"}
        raise TypeError(f"unhashable DataSetPayload: it holds a mutable {kind[type(value)]}")

    def __repr__(self) -> str:
        value = self._value
        if isinstance(value, Dataset):
            return f"DataSetPayload(<Dataset, {len(value)} elements>)"
        if isinstance(value, _FileRegion):
            name = value.source if isinstance(value.source, str) else "file object"
            return f"DataSetPayload(<{name!r} from {value.offset}, {value.length} bytes>)"
        return f"DataSetPayload(<{len(self)} bytes>)"

    def __reduce__(self) -> tuple[Any, ...]:
        value = self._value
        if isinstance(value, _FileRegion):
            if not isinstance(value.source, str):
                raise TypeError("a payload backed by an open file object cannot be pickled")
            return (_file_payload, (value.source, value.offset, value.length))
        return (DataSetPayload, (value.tobytes() if isinstance(value, memoryview) else value,))


def _file_payload(path: str, offset: int, length: int) -> DataSetPayload:
    return DataSetPayload.from_file(path, offset=offset, length=length)


PayloadInput: TypeAlias = DataSetPayload | Dataset | bytes | bytearray | memoryview
"""What a data-set field accepts."""


def encode_dataset(dataset: Dataset, transfer_syntax: str) -> bytes:
    """A bare data set (no preamble, no File Meta) in ``transfer_syntax`` (PS3.8 8 / E)."""
    syntax = UID(transfer_syntax)
    buffer = DicomBytesIO()
    buffer.is_little_endian = syntax.is_little_endian
    buffer.is_implicit_VR = syntax.is_implicit_VR
    write_dataset(buffer, dataset)
    encoded = buffer.getvalue()
    if syntax.is_deflated:
        compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -zlib.MAX_WBITS)
        encoded = compressor.compress(encoded) + compressor.flush()
        if len(encoded) & 1:
            encoded += b"\0"  # PS3.5 A.5: padded to even length
    return encoded


def decode_dataset(encoded: bytes, transfer_syntax: str) -> Dataset:
    """Read a bare data set encoded in ``transfer_syntax``."""
    syntax = UID(transfer_syntax)
    if syntax.is_deflated:
        encoded = zlib.decompressobj(-zlib.MAX_WBITS).decompress(encoded)
    return read_dataset(
        io.BytesIO(encoded),
        is_implicit_VR=syntax.is_implicit_VR,
        is_little_endian=syntax.is_little_endian,
    )


# ``DataSetPayload.value_slot`` is the ``_value`` slot's descriptor: reading it costs what
# reading ``_value`` does, where a property or an ``operator.attrgetter`` costs a call.  The
# slot keeps its name: pickles name it.
setattr(DataSetPayload, "value_slot", vars(DataSetPayload)["_value"])  # noqa: B010


def received_payload(data: bytes) -> DataSetPayload:
    """A data set the receiver has just joined: held as a read-only view, as
    ``DataSetPayload(memoryview(data))`` would hold it, without the type checks
    (internal to dimsekit, for ``_framing.pdata_receive``)."""
    payload = object.__new__(DataSetPayload)
    payload._value = memoryview(data)
    return payload


def payload_of_bytes(value: bytes) -> DataSetPayload:
    """``DataSetPayload(value)`` for ``bytes`` exactly, without its type checks."""
    payload = object.__new__(DataSetPayload)
    payload._value = value
    return payload


def to_payload(value: PayloadInput) -> DataSetPayload:
    """Converter for a required data-set field; wrong types go to the validator."""
    if type(value) is DataSetPayload:
        return value
    if type(value) is bytes:
        return payload_of_bytes(value)
    try:
        return DataSetPayload(value)
    except TypeError:
        return value  # type: ignore[return-value]  # refused by the validator, with context


def to_optional_payload(value: PayloadInput | None) -> DataSetPayload | None:
    """Converter for an optional data-set field."""
    return None if value is None else to_payload(value)


# to_payload's first branches, inline: the payload itself; bytes, wrapped.
_BYTES_PAYLOAD: Final = InlineConverter(
    DataSetPayload,
    common="_bytes_payload({v}) if type({v}) is bytes else {call}",
    names={"_bytes_payload": payload_of_bytes},
)
declare_converter(to_payload, _BYTES_PAYLOAD)
declare_converter(to_optional_payload, attrs.evolve(_BYTES_PAYLOAD, keeps_none=True))


check_payload: Final = exact_type(
    DataSetPayload,
    "a data set is bytes, bytearray, memoryview, a pydicom Dataset or a DataSetPayload",
    "PS3.7 6.3",
    "check_payload",
    module=__name__,
)
check_optional_payload: Final = optional(check_payload, "check_optional_payload", module=__name__)

EMPTY_PAYLOAD: Final = DataSetPayload(b"")
"""The empty data set the decoders put in a message until its data set arrives; it is
immutable, so one serves every message."""
