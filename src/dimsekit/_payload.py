"""The data-set payload handle: what a message carries after its command set.

Owns: :class:`DataSetPayload`, the one type behind every data-set parameter of PS3.7
(Data Set, Identifier, Event Information, Event Reply, Attribute List, Modification
List, Action Information, Action Reply; PS3.7 6.3).  It holds either already-encoded
bytes (kept as given, never copied) or a pydicom ``Dataset`` to be encoded later with
the presentation context's transfer syntax.

Equality is by content.  Hashing is honest: a payload of immutable bytes hashes by
value; one that holds a mutable ``Dataset`` or a writable buffer refuses to be hashed,
so a frozen message holding it is unhashable too, instead of pretending.

Must not know: message classes, command sets, PDUs or transfer syntaxes.
"""

from __future__ import annotations

from typing import Any, TypeAlias, final

from attrs import Attribute
from pydicom.dataset import Dataset

from ._vr import refuse

__all__ = ["DataSetPayload", "PayloadInput"]


@final
class DataSetPayload:
    """A message's data set: encoded bytes, or a pydicom ``Dataset`` encoded on demand.

    Build one with ``DataSetPayload(value)``; message fields also accept the raw value
    and wrap it.  ``bytes``, ``bytearray`` and ``memoryview`` are held without copying.
    """

    __slots__ = ("_value",)

    _value: bytes | memoryview | Dataset

    def __init__(self, value: PayloadInput) -> None:
        if isinstance(value, DataSetPayload):
            value = value._value
        if isinstance(value, bytearray):
            value = memoryview(value)
        if isinstance(value, memoryview):
            value = value.cast("B") if value.format != "B" or value.ndim != 1 else value
        elif not isinstance(value, bytes | Dataset):
            raise TypeError(
                "a data set payload is bytes, bytearray, memoryview or a pydicom Dataset, "
                f"not {type(value).__name__}"
            )
        self._value = value

    @property
    def dataset(self) -> Dataset | None:
        """The pydicom ``Dataset`` this payload holds, or None if it holds bytes."""
        return self._value if isinstance(self._value, Dataset) else None

    @property
    def encoded(self) -> bytes | memoryview | None:
        """The encoded bytes this payload holds, or None if it holds a ``Dataset``."""
        return None if isinstance(self._value, Dataset) else self._value

    @property
    def is_encoded(self) -> bool:
        """True if the payload holds bytes (already in a transfer syntax)."""
        return not isinstance(self._value, Dataset)

    def __len__(self) -> int:
        """The encoded length in bytes; a ``Dataset`` has no length until encoded."""
        if isinstance(self._value, Dataset):
            raise TypeError("a Dataset payload has no byte length before it is encoded")
        return self._value.nbytes if isinstance(self._value, memoryview) else len(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DataSetPayload):
            return NotImplemented
        mine, theirs = self._value, other._value
        if isinstance(mine, Dataset) or isinstance(theirs, Dataset):
            return isinstance(mine, Dataset) and isinstance(theirs, Dataset) and mine == theirs
        return mine == theirs

    def __hash__(self) -> int:
        value = self._value
        if isinstance(value, bytes):
            return hash(value)
        if isinstance(value, memoryview) and value.readonly:
            return hash(value.tobytes())
        raise TypeError(
            "unhashable DataSetPayload: it holds a mutable "
            + ("pydicom Dataset" if isinstance(value, Dataset) else "buffer")
        )

    def __repr__(self) -> str:
        value = self._value
        if isinstance(value, Dataset):
            return f"DataSetPayload(<Dataset, {len(value)} elements>)"
        return f"DataSetPayload(<{len(self)} bytes>)"

    def __reduce__(self) -> tuple[type[DataSetPayload], tuple[bytes | Dataset]]:
        value = self._value
        return (DataSetPayload, (value.tobytes() if isinstance(value, memoryview) else value,))


PayloadInput: TypeAlias = DataSetPayload | Dataset | bytes | bytearray | memoryview
"""What a data-set field accepts."""


def to_payload(value: PayloadInput) -> DataSetPayload:
    """Converter for a required data-set field; wrong types go to the validator."""
    if type(value) is DataSetPayload:
        return value
    try:
        return DataSetPayload(value)
    except TypeError:
        return value  # type: ignore[return-value]  # refused by the validator, with context


def to_optional_payload(value: PayloadInput | None) -> DataSetPayload | None:
    """Converter for an optional data-set field."""
    return None if value is None else to_payload(value)


def check_payload(inst: object, attribute: Attribute[Any], value: object) -> None:
    """Validator: the field holds a data set (PS3.7 6.3)."""
    if type(value) is not DataSetPayload:
        refuse(
            inst,
            attribute.name,
            value,
            "a data set is bytes, bytearray, memoryview, a pydicom Dataset or a DataSetPayload",
            "PS3.7 6.3",
        )


def check_optional_payload(inst: object, attribute: Attribute[Any], value: object) -> None:
    if value is not None:
        check_payload(inst, attribute, value)
