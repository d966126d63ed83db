"""Which command elements each message class has, in tag order.

Owns: the per-class layout the codec and the converter both walk: for each message
class, its fields that are command elements (attribute name and ElementSpec from the
command dictionary), sorted by tag, and the name of its data-set field.  Computed once
per class from the attrs fields and ``_fields``, never written by hand.

Must not know: how values become bytes, Datasets or JSON.
"""

from __future__ import annotations

from typing import Final

import attrs

from ._fields import BY_NAME, BY_TAG, ElementSpec
from .messages import MESSAGE_CLASSES, Message

__all__ = [
    "COMMAND_DATA_SET_TYPE",
    "COMMAND_FIELD",
    "DEFAULT_DATA_SET_TYPE",
    "GROUP_LENGTH",
    "NO_DATA_SET",
    "Layout",
    "layout_of",
]

GROUP_LENGTH: Final = BY_TAG[0x0000_0000]
COMMAND_FIELD: Final = BY_TAG[0x0000_0100]
COMMAND_DATA_SET_TYPE: Final = BY_TAG[0x0000_0800]
NO_DATA_SET: Final = 0x0101
"""Command Data Set Type value meaning "no data set follows" (PS3.7 9.3, 10.3)."""
DEFAULT_DATA_SET_TYPE: Final = 0x0001
"""What DCMTK and pynetdicom send for "a data set follows" (any value but 0101H, PS3.7 E.1)."""


@attrs.frozen
class Layout:
    """The command elements of one message class."""

    message_class: type[Message]
    fields: tuple[tuple[str, ElementSpec], ...]
    """(attribute name, element) for every field that is a command element, by tag."""
    data_set_field: str | None
    required: frozenset[str]
    """Attribute names that have no default: a command set without them is unusable."""

    @property
    def tags(self) -> frozenset[int]:
        return frozenset(spec.tag for _, spec in self.fields)


def _layout(cls: type[Message]) -> Layout:
    fields = [
        (field.name, BY_NAME[field.name])
        for field in attrs.fields(cls)
        if field.init and field.name in BY_NAME
    ]
    fields.sort(key=lambda item: item[1].tag)
    required = frozenset(
        field.name for field in attrs.fields(cls) if field.init and field.default is attrs.NOTHING
    )
    return Layout(cls, tuple(fields), cls.data_set_field(), required)


LAYOUTS: Final[dict[type[Message], Layout]] = {
    cls: _layout(cls) for cls in MESSAGE_CLASSES.values()
}


def layout_of(cls: type[Message]) -> Layout:
    """The layout of a registered message class."""
    return LAYOUTS[cls]
