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

The byte form itself is the hot path and lives in ``_codec.encode``; the converter serves it
too (``to_bytes``/``from_bytes``) so one object speaks all three forms.

Whatever comes in (any JSON text, any mapping, any Dataset) ends in a message or a
:class:`~dimsekit.DecodeError`: a value no command element can carry (``_codec.representable``)
is refused in either mode, as the byte decoder refuses it, so that the message returned
always encodes; nesting is bounded before the JSON parser sees it; errors show values
bounded.  An argument of the wrong Python type is a TypeError naming the parameter.

The four module-level functions take PDUs too: the framing layer, above this one,
registers their forms (:func:`register_other_forms`) and the functions hand it any value
it owns, so that ``dimsekit.to_json`` is one function for messages and PDUs.

Must not know: PDUs (beyond :class:`OtherForm`, what a registered value looks like); how
pydicom encodes (it only hands pydicom keywords and values).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal, Protocol, TypeVar, cast, overload

import attrs
from cattrs.errors import BaseValidationError, CattrsError
from cattrs.preconf.json import JsonConverter
from cattrs.preconf.json import configure_converter as configure_json
from pydicom import config as pydicom_config
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag
from pydicom.uid import UID

from .._diagnostics import Diagnostic, DiagnosticLog
from .._errors import DecodeError, show
from .._model.fields import BY_TAG, ElementSpec
from .._model.payload import PayloadInput
from .._model.status import Status, to_status
from .._model.vr import AttributeTags, CommandField, Priority, text_of, to_priority, to_uid
from ..messages import MESSAGE_CLASSES, Message
from .decode import DecodedCommand, assemble, decode_command, extra_elements
from .encode import data_set_type_for, encode_command
from .layout import COMMAND_DATA_SET_TYPE, COMMAND_FIELD, GROUP_LENGTH, LAYOUTS, PROTOCOL_TAGS
from .representable import unrepresentable
from .wire import VALUE_ENCODERS, encode_text

__all__ = [
    "CommandSetConverter",
    "DecodedOther",
    "OtherForm",
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

JSON_DEPTH_MAX: Final = 32
"""How deeply a JSON command may nest (a command dict needs 2: an AT list in the object);
deeper input is refused before the parser, which recurses, sees it."""
_JSON_STRUCTURE: Final = re.compile(r'\\.|["\[\]{}]', re.DOTALL)
_TAG_TEXT: Final = re.compile(r"[0-9A-Fa-f]{8}")
_AS_IS: Final = pydicom_config.IGNORE
"""pydicom's validation, off: a leniently decoded message holds what the peer sent, and
what is wrong with it is already in its diagnostics."""


def _tag_text(tag: int) -> str:
    return f"{tag:08X}"


def _tag_of_text(text: str) -> int | None:
    """The tag written as ``GGGGEEEE`` (8 hex digits, as :func:`_tag_text` writes it)."""
    return int(text, 16) if _TAG_TEXT.fullmatch(text) else None


def _parse_tag(value: object) -> BaseTag:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0xFFFFFFFF:
        return BaseTag(value)
    tag = _tag_of_text(value) if isinstance(value, str) else None
    if tag is None:
        raise ValueError(f"{show(value)} is not a tag: write it as 8 hex digits, e.g. '00100010'")
    return BaseTag(tag)


def _structure_tags(value: object, _: type) -> AttributeTags:
    if not isinstance(value, list | tuple):  # a str or a dict would be taken apart
        raise TypeError(f"{show(value)} is not a list of tags")
    return AttributeTags([_parse_tag(item) for item in value])


def _unstructure_tags(tags: AttributeTags) -> list[str]:
    return [_tag_text(tag) for tag in tags]


def _structure_int(value: object, _: type) -> int:
    """An int, as a plain int: a subclass (a pydicom tag, read from an element that came
    as AT) would keep its own text form, which the JSON form could not read back."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{show(value)} is not an integer")
    return value if type(value) is int else int(value)


def _structure_str(value: object, _: type) -> str:
    """Text is text (cattrs would make ``5`` or ``None`` into ``"5"`` or ``"None"``);
    bytes are read as the model's converters read them."""
    text = text_of(value)
    if not isinstance(text, str):
        raise TypeError(f"{show(value)} is not text")
    return text


def parse_json(text: str | bytes | bytearray) -> object:
    """Parse a JSON document, refusing with :class:`~dimsekit.DecodeError` what is not
    JSON or nests deeper than :data:`JSON_DEPTH_MAX` (checked without recursion, so
    that ``'[' * 100000`` is refused, not a RecursionError)."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode(json.detect_encoding(text), "surrogatepass")
        except UnicodeDecodeError as problem:
            raise DecodeError(f"not JSON: {problem}") from None
    elif not isinstance(text, str):
        raise TypeError(f"text must be str or bytes, not {type(text).__name__}")
    if _nested_too_deeply(text):
        raise DecodeError(f"not a JSON command: nested too deeply (more than {JSON_DEPTH_MAX})")
    try:
        return json.loads(text)
    except ValueError as problem:
        raise DecodeError(f"not JSON: {problem}") from None


def _nested_too_deeply(text: str) -> bool:
    """Whether JSON ``text`` opens more than JSON_DEPTH_MAX arrays or objects at once.

    One pass over the brackets and quotes (an escape is skipped whole, so a quote it
    escapes does not end a string); exact for valid JSON, and for invalid JSON exact up
    to where the parser will stop.
    """
    if text.count("[") + text.count("{") <= JSON_DEPTH_MAX:
        return False
    depth = 0
    in_string = False
    for match in _JSON_STRUCTURE.finditer(text):
        token = match.group()
        if token == '"':
            in_string = not in_string
        elif in_string or len(token) == 2:
            continue
        elif token in "[{":
            depth += 1
            if depth > JSON_DEPTH_MAX:
                return True
        else:
            depth -= 1
    return False


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
        if not isinstance(command, Mapping):
            raise TypeError(
                f"command must be a mapping of keyword: value, not {type(command).__name__}"
            )
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
        command = parse_json(text)
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
                dataset.add(_kept_element(tag, spec, bytes.fromhex(value)))
            elif spec.vr == "AT":
                tags = [int(item, 16) for item in value]
                dataset.add(DataElement(spec.tag, "AT", tags, validation_mode=_AS_IS))
            else:
                dataset.add(DataElement(spec.tag, spec.vr, value, validation_mode=_AS_IS))
        return dataset

    def from_dataset(
        self,
        dataset: Dataset,
        *,
        data_set: PayloadInput | None = None,
        strict: bool = False,
    ) -> DecodedCommand:
        """Build the message a command ``Dataset`` holds (e.g. one pynetdicom decoded)."""
        if not isinstance(dataset, Dataset):
            raise TypeError(f"dataset must be a pydicom Dataset, not {type(dataset).__name__}")
        diags = DiagnosticLog()
        found = _element(dataset, COMMAND_FIELD.tag) if COMMAND_FIELD.tag in dataset else None
        code = None if found is None else _dataset_value(found, COMMAND_FIELD, diags)
        cls = _class_of(code)
        own = LAYOUTS[cls].tags | PROTOCOL_TAGS  # any other element is kept as its bytes
        command: CommandDict = {COMMAND_FIELD.keyword: code}
        tags = sorted(dataset.keys())  # not the elements: pydicom may fail to read one
        for tag in map(int, tags):
            if tag >> 16:
                raise DecodeError(
                    "a command set holds command elements only (PS3.7 6.3.1)", tag=tag
                )
            element = _element(dataset, tag)
            if tag not in own:
                extra = BY_TAG.get(tag)
                key = extra.keyword if extra is not None else _tag_text(tag)
                command[key] = _raw_value(element).hex()
            elif tag != COMMAND_FIELD.tag:
                spec = BY_TAG[tag]
                command[spec.keyword] = _dataset_value(element, spec, diags)
        return self._decode_dict(command, data_set=data_set, strict=strict, diags=diags)

    def _decode_dict(
        self,
        command: Mapping[Any, object],
        *,
        data_set: PayloadInput | None,
        strict: bool,
        diags: DiagnosticLog | None = None,
    ) -> DecodedCommand:
        diags = DiagnosticLog() if diags is None else diags
        remaining = _by_keyword(command)
        remaining.pop(GROUP_LENGTH.keyword, None)  # derived: recomputed when encoding
        cls = _class_of(remaining.pop(COMMAND_FIELD.keyword, None))
        values: dict[str, object] = {}
        for name, spec in LAYOUTS[cls].fields:
            primitive = remaining.pop(spec.keyword, None)
            if primitive is None:  # absent, or null: an element a message may leave out
                continue
            try:
                values[name] = self.structure(primitive, _FIELD_TYPES[cls][name])
            except (BaseValidationError, CattrsError, ValueError, TypeError) as problem:
                cause: BaseException = problem
                while isinstance(cause, BaseValidationError) and cause.exceptions:
                    cause = cause.exceptions[0]  # the first item cattrs could not take
                raise DecodeError(
                    f"{spec.keyword}: {show(primitive)} is no {spec.vr} value ({cause})",
                    tag=spec.tag,
                ) from None
        cdst = remaining.pop(COMMAND_DATA_SET_TYPE.keyword, None)
        reason = None if cdst is None else unrepresentable(COMMAND_DATA_SET_TYPE, cdst)
        if reason is not None:
            raise DecodeError(reason, tag=COMMAND_DATA_SET_TYPE.tag)
        data_set_type = cast(int | None, cdst)  # a US value, or absent
        extras: dict[int, tuple[int | None, bytes]] = {}
        for key, value in remaining.items():
            tag = _tag_of_key(key)
            if not isinstance(value, str):
                raise DecodeError(
                    f"{key}: an element without a field of its own is given as hex bytes",
                    tag=tag,
                )
            try:
                extras[tag] = (None, bytes.fromhex(value))
            except ValueError:
                raise DecodeError(f"{key}: {show(value)} is not hex bytes", tag=tag) from None
        return assemble(
            cls,
            values,
            offsets={},
            data_set_type=(data_set_type, None),
            extras=extra_elements(cls, extras, diags),  # type: ignore[arg-type]
            data_set=data_set,
            diags=diags,
            strict=strict,
        )


def _by_keyword(command: Mapping[Any, object]) -> dict[str, object]:
    """The command dict with each key as its element's keyword, or ``GGGGEEEE`` for an
    element that has none: an element is named once, whichever way it is named."""
    keyed: dict[str, object] = {}
    named: dict[str, str] = {}
    for key, value in command.items():
        if not isinstance(key, str):
            raise DecodeError(
                f"{show(key)} is no key of a command dict: a key is a DICOM keyword or a "
                "tag as 8 hex digits"
            )
        spec = _spec_for_key(key)
        name = spec.keyword if spec is not None else _tag_text(_tag_of_key(key))
        if name in named:
            raise DecodeError(
                f"{show(named[name])} and {show(key)} name the same element",
                tag=_tag_of_key(name),
            )
        named[name] = key
        keyed[name] = value
    return keyed


def _spec_for_key(key: str) -> ElementSpec | None:
    spec = _BY_KEYWORD.get(key)
    if spec is not None:
        return spec
    tag = _tag_of_text(key)
    return None if tag is None else BY_TAG.get(tag)


def _tag_of_key(key: str) -> int:
    """The tag a key names: a keyword's, or the one written as 8 hex digits (group 0000)."""
    spec = _BY_KEYWORD.get(key)
    if spec is not None:
        return spec.tag
    tag = _tag_of_text(key)
    if tag is None or tag >> 16:
        raise DecodeError(f"{show(key)} is neither a command element keyword nor a group 0000 tag")
    return tag


def _kept_element(tag: int, spec: ElementSpec | None, raw: bytes) -> DataElement:
    """An element kept as received: its value bytes as they are (pydicom would otherwise
    read them as its VR's values, as UTF-8 text or numbers, and not all bytes are)."""
    vr = "UN" if spec is None else spec.vr
    return DataElement(tag, vr, raw, validation_mode=_AS_IS, already_converted=True)


def _is_extra(message: Message, spec: ElementSpec) -> bool:
    wire = message.wire
    return wire is not None and any(tag == spec.tag for tag, _ in wire.extra_elements)


def _class_of(command_field: object) -> type[Message]:
    if command_field is None:
        raise DecodeError("no CommandField: the command names no DIMSE message")
    reason = unrepresentable(COMMAND_FIELD, command_field)
    if reason is not None:
        raise DecodeError(reason, tag=COMMAND_FIELD.tag)
    if isinstance(command_field, int) and command_field in MESSAGE_CLASSES:
        return MESSAGE_CLASSES[CommandField(command_field)]
    raise DecodeError(
        f"CommandField 0x{command_field:04X} is no DIMSE message (PS3.7 E.1)",
        tag=COMMAND_FIELD.tag,
        suggested_status=0x0211,
    )


def _element(dataset: Dataset, tag: int) -> DataElement:
    """The element at ``tag``, as pydicom reads it from the bytes it may still hold."""
    try:
        return dataset[tag]
    except Exception as problem:  # pydicom's reading of a peer's bytes fails in many ways
        raise DecodeError(f"pydicom cannot read the element: {problem}", tag=tag) from None


def _dataset_value(element: DataElement, spec: ElementSpec, diags: DiagnosticLog) -> Any:
    """A pydicom element's value as a command dict value, for an element of the message."""
    value = element.value
    if spec.vr == "AT":
        items = value if isinstance(value, MultiValue | list | tuple) else [value]
        return [_tag_text(item) if _is_int(item) else item for item in items if item is not None]
    if isinstance(value, MultiValue):
        if len(value) > 1:
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


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _raw_value(element: DataElement) -> bytes:
    """The value bytes of an element the message has no field for, kept as received:
    written by the codec's value encoders, as pydicom holds it (its VR)."""
    value = element.value
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, MultiValue) and all(isinstance(item, str) for item in value):
        value = "\\".join(value)  # PS3.5 6.4: values of a string VR are backslash-separated
    numbers = list(value) if isinstance(value, MultiValue) else [value]
    try:
        if isinstance(value, str):
            return encode_text(value)
        if element.VR in ("US", "UL") and all(_is_int(number) for number in numbers):
            return b"".join(VALUE_ENCODERS[element.VR](number) for number in numbers)
    except (UnicodeEncodeError, OverflowError):
        pass
    raise DecodeError(
        f"{element.keyword or _tag_text(int(element.tag))} {show(value)}: an element "
        "without a field of its own is kept as its value bytes, and these cannot be written",
        tag=int(element.tag),
    )


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
    converter.register_structure_hook(str, _structure_str)
    converter.register_unstructure_hook(UID, str)
    converter.register_structure_hook(UID, lambda value, _: to_uid(value))
    converter.register_unstructure_hook(BaseTag, _tag_text)
    converter.register_structure_hook(BaseTag, lambda value, _: _parse_tag(value))
    converter.register_unstructure_hook(AttributeTags, _unstructure_tags)
    converter.register_structure_hook(AttributeTags, _structure_tags)
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


# --- the forms a higher layer registers (the Upper Layer PDUs) ------------------------------


class OtherForm(Protocol):
    """A value of a higher layer whose dict form that layer registers with
    :func:`register_other_forms`: the Upper Layer PDUs (``_framing.pdu_forms``), known
    here only by the ``received`` details every one of them has."""

    @property
    def received(self) -> object: ...


_F = TypeVar("_F", bound=OtherForm)
_F_co = TypeVar("_F_co", bound=OtherForm, covariant=True)


class DecodedOther(Protocol[_F_co]):
    """What a registered layer builds from a form: the value (``pdu``) and what deviated
    (``dimsekit.DecodedPDU`` is one)."""

    @property
    def pdu(self) -> _F_co: ...

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]: ...


@attrs.frozen
class OtherForms:
    """A higher layer's forms: whether it has one for a value, the value's dict form
    (``show_secrets``), and the value built from a dict form."""

    owns: Callable[[object], bool]
    to_dict: Callable[[Any, bool], dict[str, Any]]
    from_dict: Callable[[Mapping[str, object], type | None], DecodedOther[OtherForm]]
    """The value a form describes; of the class given, if one is."""


_OTHER: list[OtherForms] = []
"""The forms registered (``_framing.pdu_forms`` registers the PDUs' when it is imported,
which the facade does), so that this layer needs no import of the one above it."""


def register_other_forms(forms: OtherForms) -> None:
    """Have :func:`to_dict`, :func:`from_dict`, :func:`to_json` and :func:`from_json`
    hand the values ``forms`` owns to it (``_framing.pdu_forms`` does, for the PDUs)."""
    _OTHER[:] = [forms]


def _other_forms(what: str) -> OtherForms:
    if not _OTHER:
        raise RuntimeError(f"{what}: dimsekit._framing.pdu_forms has not registered the PDU forms")
    return _OTHER[0]


def _owned(value: object) -> OtherForms | None:
    if isinstance(value, Message) or not _OTHER:
        return None
    forms = _OTHER[0]
    return forms if forms.owns(value) else None


@overload
def to_dict(message: Message, *, data_set_type: int | None = None) -> CommandDict: ...
@overload
def to_dict(message: OtherForm, *, show_secrets: bool = False) -> dict[str, Any]: ...
def to_dict(
    message: Message | OtherForm, *, data_set_type: int | None = None, show_secrets: bool = False
) -> CommandDict:
    """The command dict of ``message``: DICOM keywords in tag order, JSON-ready values;
    or the dict form of a PDU (``_framing.pdu_forms``: secrets redacted unless
    ``show_secrets``)."""
    forms = _owned(message)
    if forms is not None:
        if data_set_type is not None:
            raise TypeError("data_set_type is for a message's command set, not a PDU")
        return forms.to_dict(message, show_secrets)
    return _DEFAULT.to_dict(message, data_set_type=data_set_type)  # type: ignore[arg-type]


@overload
def from_dict(
    command: Mapping[str, object],
    *,
    data_set: PayloadInput | None = None,
    strict: bool = False,
    pdu: Literal[False] = False,
) -> DecodedCommand: ...
@overload
def from_dict(command: Mapping[str, object], *, pdu: Literal[True]) -> DecodedOther[OtherForm]: ...
@overload
def from_dict(command: Mapping[str, object], *, pdu: type[_F]) -> DecodedOther[_F]: ...
def from_dict(
    command: Mapping[str, object],
    *,
    data_set: PayloadInput | None = None,
    strict: bool = False,
    pdu: bool | type[OtherForm] = False,
) -> DecodedCommand | DecodedOther[Any]:
    """The message a command dict describes, with what deviated; with ``pdu=True``, the
    PDU a PDU's dict form describes (built strictly), or with ``pdu=`` a PDU class, the
    PDU of that class (another is refused)."""
    if pdu is not False:
        if not isinstance(command, Mapping):
            raise TypeError(
                f"command must be a mapping of field: value, not {type(command).__name__}"
            )
        return _other_forms("from_dict").from_dict(command, None if pdu is True else pdu)
    return _DEFAULT.from_dict(command, data_set=data_set, strict=strict)


def to_dataset(message: Message, *, data_set_type: int | None = None) -> Dataset:
    """The command set of ``message`` as a pydicom ``Dataset`` (group 0000 only)."""
    return _DEFAULT.to_dataset(message, data_set_type=data_set_type)


def from_dataset(
    dataset: Dataset, *, data_set: PayloadInput | None = None, strict: bool = False
) -> DecodedCommand:
    """The message a command ``Dataset`` holds, with what deviated."""
    return _DEFAULT.from_dataset(dataset, data_set=data_set, strict=strict)


@overload
def to_json(message: Message, *, data_set_type: int | None = None) -> str: ...
@overload
def to_json(message: OtherForm, *, show_secrets: bool = False) -> str: ...
def to_json(
    message: Message | OtherForm, *, data_set_type: int | None = None, show_secrets: bool = False
) -> str:
    """The command set of ``message`` as JSON with DICOM keywords as keys; or a PDU's
    dict form as JSON (secrets redacted unless ``show_secrets``)."""
    forms = _owned(message)
    if forms is not None:
        if data_set_type is not None:
            raise TypeError("data_set_type is for a message's command set, not a PDU")
        return json.dumps(forms.to_dict(message, show_secrets))
    return _DEFAULT.to_json(message, data_set_type=data_set_type)  # type: ignore[arg-type]


@overload
def from_json(
    text: str | bytes,
    *,
    data_set: PayloadInput | None = None,
    strict: bool = False,
    pdu: Literal[False] = False,
) -> DecodedCommand: ...
@overload
def from_json(text: str | bytes, *, pdu: Literal[True]) -> DecodedOther[OtherForm]: ...
@overload
def from_json(text: str | bytes, *, pdu: type[_F]) -> DecodedOther[_F]: ...
def from_json(
    text: str | bytes,
    *,
    data_set: PayloadInput | None = None,
    strict: bool = False,
    pdu: bool | type[OtherForm] = False,
) -> DecodedCommand | DecodedOther[Any]:
    """The message a JSON command (as :func:`to_json` writes it) describes; with
    ``pdu=True`` (or a PDU class), the PDU a PDU's JSON form describes."""
    if pdu is not False:
        form = parse_json(text)
        if not isinstance(form, dict):
            raise DecodeError("a PDU in JSON is an object of field: value")
        return _other_forms("from_json").from_dict(form, None if pdu is True else pdu)
    return _DEFAULT.from_json(text, data_set=data_set, strict=strict)
