"""Which command elements each message class has, in tag order, and where its data set goes.

Owns: the per-class layout the codec and the converter both walk: for each message
class, its fields that are command elements (attribute name and ElementSpec from the
command dictionary), sorted by tag; the mandatory elements the model has a default for;
the elements every command set has besides the class's fields (:data:`PROTOCOL_TAGS`);
and the one statement of where a data set goes: which field of the class holds it
(``Message.data_set_field``, from the PS3.7 data-set parameters), what the Command Data
Set Type says of it (0101H: none follows, any other value: one does; PS3.7 9.3, 10.3,
PS3.8 E.1), and how a received command and data set can disagree with the class
(:meth:`Layout.place_data_set`).  Both command decoders, the converter and the receiver
take it from here.  Computed once per class from the attrs fields and ``_model.fields``, never
written by hand.

Must not know: how values become bytes, Datasets or JSON; diagnostics (it names a
deviation, the decoders word it).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Final

import attrs

from .._codegen import compile_function
from .._model.fields import BY_NAME, BY_TAG, ElementSpec
from ..messages import MESSAGE_CLASSES, Message

__all__ = [
    "ANNOUNCES_DATA_SET",
    "COMMAND_DATA_SET_TYPE",
    "COMMAND_FIELD",
    "DEFAULT_DATA_SET_TYPE",
    "GROUP_LENGTH",
    "LAYOUTS",
    "NO_DATA_SET",
    "PROTOCOL_TAGS",
    "DataSetDeviation",
    "DataSetPlacement",
    "Layout",
    "announces_data_set",
    "data_set_type",
    "layout_of",
]

GROUP_LENGTH: Final = BY_TAG[0x0000_0000]
COMMAND_FIELD: Final = BY_TAG[0x0000_0100]
COMMAND_DATA_SET_TYPE: Final = BY_TAG[0x0000_0800]
NO_DATA_SET: Final = 0x0101
"""Command Data Set Type value meaning "no data set follows" (PS3.7 9.3, 10.3)."""
DEFAULT_DATA_SET_TYPE: Final = 0x0001
"""What DCMTK and pynetdicom send for "a data set follows" (any value but 0101H, PS3.7 E.1)."""


ANNOUNCES_DATA_SET: Final = f"{{v}} != 0x{NO_DATA_SET:04X}"
"""Whether the Command Data Set Type ``{v}`` says a data set follows the command, as an
expression (for generated code): any value but :data:`NO_DATA_SET` does (PS3.7 9.3,
10.3; E.1).  :func:`announces_data_set` is this expression as a function."""
announces_data_set: Final[Callable[[int], bool]] = compile_function(
    "def announces_data_set(data_set_type):\n"
    f"    return {ANNOUNCES_DATA_SET.format(v='data_set_type')}\n",
    "announces_data_set",
    "layout.announces_data_set",
    {},
)
announces_data_set.__doc__ = """Whether a Command Data Set Type says a data set follows the
command: any value but :data:`NO_DATA_SET` does (PS3.7 9.3, 10.3; E.1)."""
announces_data_set.__module__ = __name__


def data_set_type(announces: bool) -> int:
    """The Command Data Set Type that says a data set follows (:data:`DEFAULT_DATA_SET_TYPE`)
    or that none does (:data:`NO_DATA_SET`)."""
    return DEFAULT_DATA_SET_TYPE if announces else NO_DATA_SET


PROTOCOL_TAGS: Final = frozenset({GROUP_LENGTH.tag, COMMAND_FIELD.tag, COMMAND_DATA_SET_TYPE.tag})
"""The elements of every command set that are no field of its class: Command Group
Length, Command Field, Command Data Set Type (M in every message table, PS3.7 9.3, 10.3)."""


class DataSetDeviation(enum.Enum):
    """How a received command, and the data set given with it, disagree with the class
    (PS3.7 9.3, 10.3: the Command Data Set Type says whether a data set follows)."""

    NOT_CARRIED = enum.auto()
    """A data set is announced, but the class carries none: it is ignored."""
    REQUIRED = enum.auto()
    """None is announced, but the class must carry one: the empty payload stands in."""
    NOT_ANNOUNCED = enum.auto()
    """A data set was given, but none is announced: it is ignored."""


@attrs.frozen
class DataSetPlacement:
    """Where one received command's data set goes: the answer of :meth:`Layout.place_data_set`."""

    field: str | None
    """The field that takes the data set (the empty payload standing in for one not given),
    or None: the message holds no data set (its data-set field, if it has one, is None)."""
    deviation: DataSetDeviation | None
    """How the command and the data set disagree with the class, if they do."""


@attrs.frozen
class Layout:
    """The command elements of one message class."""

    message_class: type[Message]
    fields: tuple[tuple[str, ElementSpec], ...]
    """(attribute name, element) for every field that is a command element, by tag."""
    data_set_field: str | None
    """The field that holds the class's data set (``Message.data_set_field``), or None."""
    required: frozenset[str]
    """Attribute names that have no default: a command set without them is unusable."""
    assumed: tuple[tuple[str, ElementSpec, object], ...]
    """The command elements PS3.7 marks M in the class for which the model has a default:
    (attribute name, element, the default as the field holds it), by tag."""

    @property
    def tags(self) -> frozenset[int]:
        return frozenset(spec.tag for _, spec in self.fields)

    @property
    def data_set_required(self) -> bool:
        """Whether every message of the class carries a data set (its field has no default)."""
        return self.data_set_field is not None and self.data_set_field in self.required

    def place_data_set(self, announced: bool, given: bool) -> DataSetPlacement:
        """Where the data set goes when the Command Data Set Type ``announced`` one (any
        value but :data:`NO_DATA_SET`) and one was ``given`` or not (PS3.7 9.3, 10.3).

        An announced data set goes into the class's data-set field; a class that must
        carry one gets one, the empty payload when none is announced (a deviation); an
        announced data set the class has no field for, and one given to a class with a
        data-set field that none is announced for, are ignored (deviations).  One given
        to a class without a data-set field with none announced is dropped without a
        deviation.  The general decoder words each deviation; the compiled decoder
        declines any input that has one.
        """
        field = self.data_set_field
        if field is None:
            return DataSetPlacement(None, DataSetDeviation.NOT_CARRIED if announced else None)
        if announced:
            return DataSetPlacement(field, None)
        if field in self.required:
            return DataSetPlacement(field, DataSetDeviation.REQUIRED)
        return DataSetPlacement(None, DataSetDeviation.NOT_ANNOUNCED if given else None)


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
    return Layout(cls, tuple(fields), cls.data_set_field(), required, _assumed(cls, fields))


def _assumed(
    cls: type[Message], fields: list[tuple[str, ElementSpec]]
) -> tuple[tuple[str, ElementSpec, object], ...]:
    requirements = cls.requirements()
    by_name = {field.name: field for field in attrs.fields(cls)}
    assumed = []
    for name, spec in fields:
        field = by_name[name]
        if requirements[name] != "M" or field.default is attrs.NOTHING:
            continue
        default = field.default
        if field.converter is not None:
            default = field.converter(default)
        assumed.append((name, spec, default))
    return tuple(assumed)


LAYOUTS: Final[dict[type[Message], Layout]] = {
    cls: _layout(cls) for cls in MESSAGE_CLASSES.values()
}


def layout_of(cls: type[Message]) -> Layout:
    """The layout of a registered message class."""
    return LAYOUTS[cls]
