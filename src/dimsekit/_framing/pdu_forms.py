"""The dict and JSON forms of the Upper Layer PDUs.

Owns: :class:`PDUConverter` and :func:`make_pdu_converter`, a cattrs converter of its
own (never the global one) for the PDUs, items and sub-items of ``_framing.pdus`` and
``_framing.items``.  Importing this module registers the forms with the codec's
converter (``_codec.converter.register_other_forms``), whose public ``to_dict``,
``from_dict``, ``to_json`` and ``from_json`` then hand it every PDU (and a form, with
``pdu=True``): one set of functions for messages and PDUs, and the codec, the layer
below, never imports a PDU.

The dict form of a PDU: ``"pdu_type"`` (its name, ``"A-ASSOCIATE-RQ"``), then its
fields by their attribute names; UIDs and text as str; coded values (results, sources,
reasons, identity types) by their enum member's name (an int where a peer sent a code
the standard does not define); bytes as hex; each user information sub-item with
``"type"``, its class name.  A decoded PDU's ``received`` details (reserved bytes with
what the peer put in them, padding, the order its items came in; ``pdu_layout.Received``)
appear under ``"received"``, so that the PDU built from the form encodes to the bytes
received.  Secrets, a User Identity passcode and a Kerberos, SAML or JWT token (PS3.7
D.3.3.7.1) and the server response (D.3.3.7.2), are written as ``{"redacted": N}`` (N:
their length) unless ``show_secrets``; such a form is refused when built back (a
placeholder is never sent in place of a secret).

Building from the form is strict, through the classes' constructors: what PS3.8 forbids
is a :class:`~dimsekit.DecodeError` naming the class, the field and the rule.

Must not know: the byte layouts (the encoder and decoder own them), how a message's
command dict is made (the codec's converter does).
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
from cattrs.preconf.json import JsonConverter
from cattrs.preconf.json import configure_converter as configure_json
from pydicom.uid import UID

from .._codec.converter import OtherForms, register_other_forms
from .._errors import DecodeError, InvalidMessageError, show
from .._model import vr
from . import items as _items_module
from . import pdus as _pdus_module
from .items import SubItem, UserIdentityAC, UserIdentityRQ, UserIdentityType
from .pdu_decode import DecodedPDU
from .pdu_layout import Received
from .pdus import PDU, PDU_CLASSES, PresentationDataValue

__all__ = ["PDUConverter", "make_pdu_converter"]

PDUDict = dict[str, Any]
"""A PDU (or an item) as field name -> JSON-ready value."""

PDU_TYPE_KEY: Final = "pdu_type"
"""The key of a PDU's dict form that names the PDU."""
TYPE_KEY: Final = "type"
"""The key of a user information sub-item's dict form that names its class."""
RECEIVED_KEY: Final = "received"
REDACTED_KEY: Final = "redacted"

_CLASSES: Final[tuple[type, ...]] = tuple(
    cls
    for module in (_items_module, _pdus_module)
    for name in module.__all__
    if isinstance(cls := getattr(module, name), type) and attrs.has(cls)
)
"""Every PDU, item and sub-item class (the forms are made for these)."""
_ENUMS: Final[tuple[type[enum.Enum], ...]] = tuple(
    kind
    for module in (_items_module, _pdus_module)
    for name in module.__all__
    if isinstance(kind := getattr(module, name), type) and issubclass(kind, enum.Enum)
)
"""The coded values' enums (results, sources, reasons, identity types)."""
_PDU_TYPES: Final = frozenset(PDU_CLASSES.values())
_BY_LABEL: Final = {pdu_type.label: cls for pdu_type, cls in PDU_CLASSES.items()}
_SUB_ITEMS: Final[dict[str, type]] = {cls.__name__: cls for cls in typing.get_args(SubItem)}
_PUBLIC_PRIMARY: Final = frozenset(
    {UserIdentityType.USERNAME, UserIdentityType.USERNAME_AND_PASSCODE}
)
"""User identity types whose primary field is a username, not a token (PS3.7 D.3.3.7.1)."""


def secret_fields(item: object) -> tuple[str, ...]:
    """The fields of ``item`` that hold a secret (PS3.7 D.3.3.7): a passcode, a token,
    a server response; () for any other item."""
    if isinstance(item, UserIdentityRQ):
        primary = () if item.user_identity_type in _PUBLIC_PRIMARY else ("primary_field",)
        return (*primary, "secondary_field") if item.secondary_field else primary
    if isinstance(item, UserIdentityAC) and item.server_response:
        return ("server_response",)
    return ()


def _hints(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {field.name: hints[field.name] for field in attrs.fields(cls) if field.init}


_FIELDS: Final = {cls: _hints(cls) for cls in (*_CLASSES, PresentationDataValue)}


def _hex(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise DecodeError(f"{what}: {show(value)} is not bytes in hex")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise DecodeError(f"{what}: {show(value)} is not bytes in hex") from None


def _structure_enum(value: object, kind: type[enum.Enum]) -> Any:
    """A member's name -> the member; an int is left for the class's converter (which
    reads it as the standard's code); anything else is refused."""
    if isinstance(value, str):
        try:
            return kind[value]
        except KeyError:
            names = ", ".join(member.name for member in kind)
            raise DecodeError(f"{show(value)} is no {kind.__name__} (one of {names})") from None
    if type(value) is int:
        return value
    raise DecodeError(f"{show(value)} is no {kind.__name__}: give its name or its code")


def _enum_name(member: enum.Enum) -> str:
    return member.name


def _unstructure_received(received: Received) -> dict[str, object]:
    """What was received beyond the fields (``pdu_layout.Received``), what is not empty."""
    form: dict[str, object] = {}
    if received.reserved:
        form["reserved"] = [v.hex() if isinstance(v, bytes) else v for v in received.reserved]
    if received.raw:
        form["raw"] = [[name, value.hex()] for name, value in received.raw]
    if received.order is not None:
        form["order"] = received.order.hex()
    if received.version is not None:
        form["version"] = received.version
    return form


def _structure_received(value: object, _: type) -> Received:
    what = RECEIVED_KEY
    if not isinstance(value, Mapping):
        raise DecodeError(f"{what}: {show(value)} is not an object")
    reserved = value.get("reserved", [])
    raw = value.get("raw", [])
    order = value.get("order")
    version = value.get("version")
    if not isinstance(reserved, list) or not isinstance(raw, list):
        raise DecodeError(f"{what}: reserved and raw are lists")
    kept: list[int | bytes] = []
    for item in reserved:
        if type(item) is int and 0 <= item <= 0xFFFFFFFF:
            kept.append(item)
        else:
            kept.append(_hex(item, f"{what}.reserved"))
    pairs = []
    for pair in raw:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise DecodeError(f"{what}.raw: {show(pair)} is not a [field, hex] pair")
        pairs.append((pair[0], _hex(pair[1], f"{what}.raw")))
    if version is not None and not (type(version) is int and 0 <= version <= 0xFFFF):
        raise DecodeError(f"{what}.version: {show(version)} is not a 16-bit integer")
    return Received(
        reserved=tuple(kept),
        raw=tuple(pairs),
        order=None if order is None else _hex(order, f"{what}.order"),
        version=version,
    )


class PDUConverter(JsonConverter):
    """A cattrs converter for the Upper Layer PDUs: ``unstructure(pdu)`` is the dict
    form, ``structure(form, AAssociateRQ)`` (or ``PDU``, to go by ``"pdu_type"``)
    builds the PDU.  Make one with :func:`make_pdu_converter`."""

    def __init__(self, *, show_secrets: bool = False) -> None:
        super().__init__(detailed_validation=False)
        self.show_secrets = show_secrets

    def to_dict(self, pdu: PDU) -> PDUDict:
        """The dict form of ``pdu`` (or of an item or sub-item)."""
        if type(pdu) not in _FIELDS:
            raise TypeError(f"pdu must be a PDU (AAssociateRQ, ...), not {type(pdu).__name__}")
        form: PDUDict = self.unstructure(pdu)
        return form

    def from_dict(self, form: Mapping[str, object], cls: type | None = None) -> DecodedPDU:
        """The PDU the dict form describes, built strictly; of class ``cls`` if given (a
        form of another PDU is refused)."""
        if not isinstance(form, Mapping):
            raise TypeError(f"form must be a mapping of field: value, not {type(form).__name__}")
        if cls is not None and cls not in _PDU_TYPES:
            raise TypeError(f"pdu must be True or a PDU class, not {cls!r}")
        pdu: PDU = self.structure(form, PDU)  # type: ignore[arg-type]
        if cls is not None and type(pdu) is not cls:
            raise DecodeError(f"the form is of an {type(pdu).PDU_TYPE.label}, not {cls.__name__}")
        return DecodedPDU(pdu)


def _unstructure_object(converter: PDUConverter) -> Callable[[type], Callable[[Any], PDUDict]]:
    def factory(cls: type) -> Callable[[Any], PDUDict]:
        names = tuple(_FIELDS[cls])
        pdu_type = getattr(cls, "PDU_TYPE", None)
        sub_item = cls.__name__ if cls.__name__ in _SUB_ITEMS else None

        def unstructure(obj: Any) -> PDUDict:
            form: PDUDict = {}
            if pdu_type is not None:
                form[PDU_TYPE_KEY] = pdu_type.label
            if sub_item is not None:
                form[TYPE_KEY] = sub_item
            secrets = () if converter.show_secrets else secret_fields(obj)
            for name in names:
                value = getattr(obj, name)
                if name in secrets:
                    form[name] = {REDACTED_KEY: len(value)}
                else:
                    form[name] = converter.unstructure(value)
            if obj.received is not None:
                form[RECEIVED_KEY] = _unstructure_received(obj.received)
            return form

        return unstructure

    return factory


def _structure_object(converter: PDUConverter) -> Callable[[Any, type], Any]:
    def structure(form: Any, cls: type) -> Any:
        label = cls.__name__
        if not isinstance(form, Mapping):
            raise DecodeError(f"{label}: {show(form)} is not an object of field: value")
        fields = _FIELDS[cls]
        known = {*fields, RECEIVED_KEY, PDU_TYPE_KEY, TYPE_KEY}
        for key in form:
            if key not in known:
                raise DecodeError(f"{label}: {show(key)} is no field of it ({', '.join(fields)})")
        values: dict[str, Any] = {}
        for name, kind in fields.items():
            if name not in form:
                continue
            value = form[name]
            if isinstance(value, Mapping) and REDACTED_KEY in value:
                raise DecodeError(
                    f"{label}.{name} was redacted when the form was written (a secret, "
                    "PS3.7 D.3.3.7), so it cannot be encoded: write the form with "
                    "show_secrets=True (decode --show-secrets)"
                )
            try:
                values[name] = converter.structure(value, kind)
            except DecodeError as error:
                raise DecodeError(f"{label}.{name}: {error.reason}") from None
            except (ValueError, TypeError) as problem:
                raise DecodeError(f"{label}.{name}: {show(value)}: {problem}") from None
        try:
            obj = cls(**values)
        except InvalidMessageError as error:
            raise DecodeError(str(error)) from None
        except TypeError as problem:
            raise DecodeError(f"{label}: {problem}") from None
        # The items in the order the form lists them, which is the order they are sent
        # (a decoded PDU's: as they came, CP 280; a converter may sort sub-items, and the
        # constructor has checked these same items).
        for name, value in values.items():
            if isinstance(value, tuple) and value != getattr(obj, name):
                object.__setattr__(obj, name, value)
        if form.get(RECEIVED_KEY) is not None:
            object.__setattr__(obj, "received", _structure_received(form[RECEIVED_KEY], Received))
        return obj

    return structure


def _structure_pdu(converter: PDUConverter) -> Callable[[Any, type], Any]:
    def structure(form: Any, _: type) -> Any:
        if not isinstance(form, Mapping):
            raise DecodeError(f"a PDU's form is an object of field: value, not {show(form)}")
        label = form.get(PDU_TYPE_KEY)
        cls = _BY_LABEL.get(label) if isinstance(label, str) else None
        if cls is None:
            raise DecodeError(
                f"{PDU_TYPE_KEY} {show(label)} names no PDU (one of {', '.join(_BY_LABEL)})"
            )
        return converter.structure(form, cls)

    return structure


def _structure_sub_item(converter: PDUConverter) -> Callable[[Any, type], Any]:
    def structure(form: Any, _: type) -> Any:
        name = form.get(TYPE_KEY) if isinstance(form, Mapping) else None
        cls = _SUB_ITEMS.get(name) if isinstance(name, str) else None
        if cls is None:
            raise DecodeError(
                f"a user information sub-item names its {TYPE_KEY} (one of "
                f"{', '.join(_SUB_ITEMS)}), not {show(name)}"
            )
        return converter.structure(form, cls)

    return structure


def _structure_exact(kind: type) -> Callable[[Any, type], Any]:
    def structure(value: Any, _: type) -> Any:
        if type(value) is not kind:
            article = "an" if kind is int else "a"
            raise DecodeError(f"{show(value)} is not {article} {kind.__name__}")
        return value

    return structure


def _is_sub_item(kind: Any) -> bool:
    return bool(kind == SubItem)


def configure_pdu_converter(converter: PDUConverter) -> None:
    """Register the hooks: leaf value types first, then the PDU and item classes."""
    configure_json(converter)
    converter.register_unstructure_hook(UID, str)
    converter.register_structure_hook(UID, lambda value, _: vr.to_uid(_text(value)))
    converter.register_unstructure_hook(bytes, bytes.hex)
    converter.register_structure_hook(bytes, lambda value, _: _hex(value, "bytes"))
    converter.register_structure_hook(int, _structure_exact(int))
    converter.register_structure_hook(bool, _structure_exact(bool))
    converter.register_structure_hook(str, lambda value, _: _text(value))
    for kind in _ENUMS:  # each its own: they are ints too
        converter.register_unstructure_hook(kind, _enum_name)
        converter.register_structure_hook(kind, _structure_enum)
    objects = set(_FIELDS)
    converter.register_unstructure_hook_factory(
        lambda cls: cls in objects, _unstructure_object(converter)
    )
    converter.register_structure_hook_func(lambda cls: cls in objects, _structure_object(converter))
    converter.register_structure_hook_func(_is_sub_item, _structure_sub_item(converter))
    converter.register_structure_hook_func(lambda kind: kind == PDU, _structure_pdu(converter))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise DecodeError(f"{show(value)} is not text")
    return value


def make_pdu_converter(*, show_secrets: bool = False) -> PDUConverter:
    """A new PDU converter, configured; ``show_secrets``: write secrets as they are."""
    converter = PDUConverter(show_secrets=show_secrets)
    configure_pdu_converter(converter)
    return converter


_REDACTING: Final = make_pdu_converter()
_SHOWING: Final = make_pdu_converter(show_secrets=True)


def _owns(value: object) -> bool:
    return type(value) in _FIELDS


def _to_dict(value: Any, show_secrets: bool) -> dict[str, Any]:
    return (_SHOWING if show_secrets else _REDACTING).to_dict(value)


def _from_dict(form: Mapping[str, object], cls: type | None) -> DecodedPDU:
    return _REDACTING.from_dict(form, cls)


register_other_forms(OtherForms(owns=_owns, to_dict=_to_dict, from_dict=_from_dict))
