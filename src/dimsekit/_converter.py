"""The cattrs converter: messages <-> command dicts, pydicom Datasets and JSON.

Owns: :class:`CommandSetConverter` and :func:`make_converter`, built the way cattrs'
preconfigured converters are (``configure_converter`` registers the hooks, leaf types
before the message classes).  Never the global cattrs converter.

The converter's unstructured form of a message is its *command dict*: DICOM keywords as
keys, in ascending tag order, with JSON-ready values (UIDs, AE titles and texts as str,
US/UL as int, AT as a list of ``"GGGGEEEE"`` strings), including Command Group Length,
Command Field and Command Data Set Type.  Elements a decoded message kept without a field
(retired or unknown) appear under their keyword, or ``"GGGGEEEE"`` when they have none,
with their raw value bytes in hex.  From the command dict come:

- pydicom ``Dataset`` (group 0000 only), whose Implicit VR Little Endian encoding by
  pydicom equals :func:`~dimsekit.encode_command`'s bytes;
- JSON, through cattrs' preconfigured JSON converter;
- and, the other way, the typed message, built by the same assembly the byte decoder
  uses, so the three forms cannot disagree on what a message is.

The byte form itself is the hot path and lives in ``_command``; the converter serves it
too (``to_bytes``/``from_bytes``) so one object speaks all three forms.

Must not know: PDUs; how pydicom encodes (it only hands pydicom keywords and values).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import attrs
from cattrs.errors import BaseValidationError, CattrsError
from cattrs.preconf.json import JsonConverter
from cattrs.preconf.json import configure_converter as configure_json
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag
from pydicom.uid import UID

from ._command import data_set_type_for, encode_command
from ._command_decode import (
    DecodedCommand,
    _extra_elements,
    _refuse_unrepresentable,
    assemble,
    decode_command,
)
from ._diagnostics import Diagnostic, DiagnosticLog
from ._errors import DecodeError
from ._fields import BY_TAG, ElementSpec
from ._layout import COMMAND_DATA_SET_TYPE, COMMAND_FIELD, GROUP_LENGTH, LAYOUTS
from ._payload import PayloadInput
from ._status import Status, to_status
from ._vr import CommandField, Priority, to_priority, to_uid
from .messages import MESSAGE_CLASSES, Message

__all__ = [
    "CommandSetConverter",
    "configure_converter",
    "from_dataset",
    "from_dict",
    "from_json",
    "make_converter",
    "to_dataset",
    "to_dict",
    "to_json",
]

CommandDict = dict[str, Any]
"""A message as keyword -> JSON-ready value."""

_BY_KEYWORD: Final[dict[str, ElementSpec]] = {spec.keyword: spec for spec in BY_TAG.values()}
_M = TypeVar("_M", bound=Message)


def _tag_text(tag: int) -> str:
    return f"{tag:08X}"


def _parse_tag(value: object) -> BaseTag:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0xFFFFFFFF:
        return BaseTag(value)
    if isinstance(value, str) and len(value) == 8:
        try:
            return BaseTag(int(value, 16))
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a tag: write it as 8 hex digits, e.g. '00100010'")


def _structure_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not an integer")
    return value


class CommandSetConverter(JsonConverter):
    """A cattrs converter for DIMSE messages in three forms: bytes, Dataset, JSON.

    Make one with :func:`make_converter`.  ``unstructure(message)`` gives the command
    dict; ``structure(command_dict, CMoveRequest)`` (or ``Message`` to dispatch on the
    Command Field) builds the message strictly.
    """

    def to_bytes(self, message: Message, *, data_set_type: int | None = None) -> bytes:
        """The command set as Implicit VR Little Endian bytes (:func:`encode_command`)."""
        return encode_command(message, data_set_type=data_set_type)

    def from_bytes(
        self,
        buffer: bytes | bytearray | memoryview,
        *,
        data_set: PayloadInput | None = None,
        strict: bool = False,
    ) -> DecodedCommand:
        """Decode command set bytes (:func:`decode_command`)."""
        return decode_command(buffer, data_set=data_set, strict=strict)

    def to_dict(self, message: Message, *, data_set_type: int | None = None) -> CommandDict:
        """The command dict of ``message``: keywords in tag order, JSON-ready values."""
        unstructured: CommandDict = self.unstructure(message)
        if data_set_type is not None:
            unstructured[COMMAND_DATA_SET_TYPE.keyword] = data_set_type_for(message, data_set_type)
        return unstructured

    def from_dict(
        self,
        command: Mapping[str, object],
        *,
        data_set: PayloadInput | None = None,
        strict: bool = False,
    ) -> DecodedCommand:
        """Build the message a command dict describes, leniently unless ``strict``."""
        return self._decode_dict(command, data_set=data_set, strict=strict)

    def to_json(self, message: Message, *, data_set_type: int | None = None) -> str:
        """The command dict as a JSON object (keys in tag order)."""
        return json.dumps(self.to_dict(message, data_set_type=data_set_type))

    def from_json(
        self,
        text: str | bytes,
        *,
        data_set: PayloadInput | None = None,
        strict: bool = False,
    ) -> DecodedCommand:
        """Build the message a JSON command dict describes."""
        try:
            command = json.loads(text)
        except (ValueError, UnicodeDecodeError) as problem:
            raise DecodeError(f"not JSON: {problem}") from None
        if not isinstance(command, dict):
            raise DecodeError("a command in JSON is an object of keyword: value")
        return self._decode_dict(command, data_set=data_set, strict=strict)

    def to_dataset(self, message: Message, *, data_set_type: int | None = None) -> Dataset:
        """The command set as a pydicom ``Dataset`` of group 0000 elements."""
        dataset = Dataset()
        for keyword, value in self.to_dict(message, data_set_type=data_set_type).items():
            spec = _spec_for_key(keyword)
            if spec is None or keyword not in _BY_KEYWORD or _is_extra(message, spec):
                tag = spec.tag if spec is not None else int(keyword, 16)
                vr = "UN" if spec is None else spec.vr
                dataset.add(DataElement(tag, vr, bytes.fromhex(value)))
            elif spec.vr == "AT":
                dataset.add(DataElement(spec.tag, "AT", [int(item, 16) for item in value]))
            else:
                dataset.add(DataElement(spec.tag, spec.vr, value))
        return dataset

    def from_dataset(
        self,
        dataset: Dataset,
        *,
        data_set: PayloadInput | None = None,
        strict: bool = False,
    ) -> DecodedCommand:
        """Build the message a command ``Dataset`` holds (e.g. one pynetdicom decoded)."""
        command: CommandDict = {}
        diags = DiagnosticLog()
        for element in dataset:
            tag = int(element.tag)
            if tag >> 16:
                raise DecodeError(
                    "a command set holds command elements only (PS3.7 6.3.1)", tag=tag
                )
            spec = BY_TAG.get(tag)
            key = spec.keyword if spec is not None else _tag_text(tag)
            command[key] = _dataset_value(element, spec, diags)
        return self._decode_dict(command, data_set=data_set, strict=strict, diags=diags)

    def _decode_dict(
        self,
        command: Mapping[str, object],
        *,
        data_set: PayloadInput | None,
        strict: bool,
        diags: DiagnosticLog | None = None,
    ) -> DecodedCommand:
        diags = DiagnosticLog() if diags is None else diags
        remaining = dict(command)
        remaining.pop(GROUP_LENGTH.keyword, None)  # derived: recomputed when encoding
        cls = _class_of(remaining.pop(COMMAND_FIELD.keyword, None))
        values: dict[str, object] = {}
        for name, spec in LAYOUTS[cls].fields:
            if spec.keyword not in remaining:
                continue
            primitive = remaining.pop(spec.keyword)
            try:
                values[name] = self.structure(primitive, _FIELD_TYPES[cls][name])
            except (BaseValidationError, CattrsError, ValueError, TypeError) as problem:
                raise DecodeError(
                    f"{spec.keyword}: {primitive!r} is not a {spec.vr} value ({problem})",
                    tag=spec.tag,
                ) from None
        cdst = remaining.pop(COMMAND_DATA_SET_TYPE.keyword, None)
        if cdst is not None and (isinstance(cdst, bool) or not isinstance(cdst, int)):
            raise DecodeError(
                f"CommandDataSetType: {cdst!r} is not a US value", tag=COMMAND_DATA_SET_TYPE.tag
            )
        extras: dict[int, tuple[int | None, bytes]] = {}
        for key, value in remaining.items():
            known = _spec_for_key(key)
            tag = known.tag if known is not None else _tag_from_key(key)
            if not isinstance(value, str):
                raise DecodeError(
                    f"{key}: an element without a field of its own is given as hex bytes",
                    tag=tag,
                )
            try:
                extras[tag] = (None, bytes.fromhex(value))
            except ValueError:
                raise DecodeError(f"{key}: {value!r} is not hex bytes", tag=tag) from None
        _refuse_unrepresentable(cls, values, {})
        return assemble(
            cls,
            values,
            offsets={},
            data_set_type=(cdst, None),
            extras=_extra_elements(cls, extras, diags),  # type: ignore[arg-type]
            data_set=data_set,
            diags=diags,
            strict=strict,
        )


def _spec_for_key(key: str) -> ElementSpec | None:
    spec = _BY_KEYWORD.get(key)
    if spec is not None:
        return spec
    if len(key) == 8:
        try:
            return BY_TAG.get(int(key, 16))
        except ValueError:
            return None
    return None


def _tag_from_key(key: str) -> int:
    try:
        tag = int(key, 16) if len(key) == 8 else -1
    except ValueError:
        tag = -1
    if tag < 0 or tag >> 16:
        raise DecodeError(f"{key!r} is neither a command element keyword nor a group 0000 tag")
    return tag


def _is_extra(message: Message, spec: ElementSpec) -> bool:
    wire = message.wire
    return wire is not None and any(tag == spec.tag for tag, _ in wire.extra_elements)


def _class_of(command_field: object) -> type[Message]:
    if command_field is None:
        raise DecodeError("no CommandField: the command names no DIMSE message")
    if isinstance(command_field, int) and command_field in MESSAGE_CLASSES:
        return MESSAGE_CLASSES[CommandField(command_field)]
    raise DecodeError(
        f"CommandField {command_field!r} is no DIMSE message (PS3.7 E.1)",
        tag=COMMAND_FIELD.tag,
        suggested_status=0x0211,
    )


def _dataset_value(element: DataElement, spec: ElementSpec | None, diags: DiagnosticLog) -> Any:
    """A pydicom element's value as a command dict value."""
    value = element.value
    if spec is None or spec.retired or spec.name not in _KNOWN_FIELD_NAMES:
        if isinstance(value, bytes):
            return value.hex()
        if isinstance(value, str):
            data = value.encode("latin-1")
            return (data + b" " if len(data) & 1 else data).hex()
        if isinstance(value, int) and spec is not None and spec.vr in ("US", "UL"):
            return value.to_bytes(2 if spec.vr == "US" else 4, "little").hex()
        raise DecodeError(
            f"cannot keep {element.keyword or element.tag} as raw bytes", tag=int(element.tag)
        )
    if spec.vr == "AT":
        items = value if isinstance(value, MultiValue | list) else [value]
        return [_tag_text(int(item)) for item in items]
    if isinstance(value, MultiValue):
        diags.append(
            Diagnostic(
                what=f"{spec.keyword} has {len(value)} values where VM is 1; the first is kept",
                rule="PS3.7 E.1 (VM 1)",
                tag=spec.tag,
            )
        )
        value = value[0] if len(value) else None
    if isinstance(value, str):
        return str(value)
    return value


_KNOWN_FIELD_NAMES: Final = frozenset(
    name for layout in LAYOUTS.values() for name, _ in layout.fields
) | frozenset({GROUP_LENGTH.name, COMMAND_FIELD.name, COMMAND_DATA_SET_TYPE.name})


def _field_types(cls: type[Message]) -> dict[str, Any]:
    attrs.resolve_types(cls)
    return {field.name: field.type for field in attrs.fields(cls) if field.init}


_FIELD_TYPES: Final[dict[type[Message], dict[str, Any]]] = {
    cls: _field_types(cls) for cls in LAYOUTS
}


def _unstructure_hook(converter: CommandSetConverter) -> Callable[[type[Message]], Any]:
    def factory(cls: type[Message]) -> Callable[[Message], CommandDict]:
        layout = LAYOUTS[cls]
        unstructure = converter.unstructure
        fields = layout.fields

        def to_command_dict(message: Message) -> CommandDict:
            items: list[tuple[int, str, object]] = [
                (COMMAND_FIELD.tag, COMMAND_FIELD.keyword, int(cls.command_field)),
                (
                    COMMAND_DATA_SET_TYPE.tag,
                    COMMAND_DATA_SET_TYPE.keyword,
                    data_set_type_for(message, None),
                ),
            ]
            for name, spec in fields:
                value = getattr(message, name)
                if value is not None:
                    items.append((spec.tag, spec.keyword, unstructure(value)))
            wire = message.wire
            if wire is not None:
                for tag, raw in wire.extra_elements:
                    extra = BY_TAG.get(tag)
                    items.append((tag, extra.keyword if extra else _tag_text(tag), raw.hex()))
            items.sort(key=lambda item: item[0])
            length = len(encode_command(message)) - 12
            result: CommandDict = {GROUP_LENGTH.keyword: length}
            result.update((keyword, value) for _, keyword, value in items)
            return result

        return to_command_dict

    return factory


def _structure_message(converter: CommandSetConverter) -> Callable[[Any, type[_M]], _M]:
    def structure(command: Any, cls: type[_M]) -> _M:
        if not isinstance(command, Mapping):
            raise DecodeError("a command dict is a mapping of keyword: value")
        message = converter._decode_dict(command, data_set=None, strict=True).message
        if not isinstance(message, cls):
            raise DecodeError(
                f"the command is a {type(message).__name__}, not a {cls.__name__}",
                tag=COMMAND_FIELD.tag,
            )
        return message

    return structure


def configure_converter(converter: CommandSetConverter) -> None:
    """Register dimsekit's hooks: leaf value types first, then the message classes."""
    configure_json(converter)
    converter.register_structure_hook(int, _structure_int)
    converter.register_unstructure_hook(UID, str)
    converter.register_structure_hook(UID, lambda value, _: to_uid(value))
    converter.register_unstructure_hook(BaseTag, _tag_text)
    converter.register_structure_hook(BaseTag, lambda value, _: _parse_tag(value))
    converter.register_unstructure_hook(Status, int)
    converter.register_structure_hook(
        Status, lambda value, _: to_status(_structure_int(value, int))
    )
    converter.register_unstructure_hook(Priority, int)
    converter.register_structure_hook(
        Priority, lambda value, _: to_priority(_structure_int(value, int))
    )

    def is_message_class(cls: Any) -> bool:
        return isinstance(cls, type) and issubclass(cls, Message)

    converter.register_unstructure_hook_factory(is_message_class, _unstructure_hook(converter))
    converter.register_structure_hook_func(is_message_class, _structure_message(converter))


def make_converter() -> CommandSetConverter:
    """A new converter of dimsekit's own, configured (the global one is never touched)."""
    converter = CommandSetConverter()
    configure_converter(converter)
    return converter


_DEFAULT: Final = make_converter()


def to_dict(message: Message, *, data_set_type: int | None = None) -> CommandDict:
    """The command dict of ``message``: DICOM keywords in tag order, JSON-ready values."""
    return _DEFAULT.to_dict(message, data_set_type=data_set_type)


def from_dict(
    command: Mapping[str, object], *, data_set: PayloadInput | None = None, strict: bool = False
) -> DecodedCommand:
    """The message a command dict describes, with what deviated."""
    return _DEFAULT.from_dict(command, data_set=data_set, strict=strict)


def to_dataset(message: Message, *, data_set_type: int | None = None) -> Dataset:
    """The command set of ``message`` as a pydicom ``Dataset`` (group 0000 only)."""
    return _DEFAULT.to_dataset(message, data_set_type=data_set_type)


def from_dataset(
    dataset: Dataset, *, data_set: PayloadInput | None = None, strict: bool = False
) -> DecodedCommand:
    """The message a command ``Dataset`` holds, with what deviated."""
    return _DEFAULT.from_dataset(dataset, data_set=data_set, strict=strict)


def to_json(message: Message, *, data_set_type: int | None = None) -> str:
    """The command set of ``message`` as JSON with DICOM keywords as keys."""
    return _DEFAULT.to_json(message, data_set_type=data_set_type)


def from_json(
    text: str | bytes, *, data_set: PayloadInput | None = None, strict: bool = False
) -> DecodedCommand:
    """The message a JSON command (as :func:`to_json` writes it) describes."""
    return _DEFAULT.from_json(text, data_set=data_set, strict=strict)
