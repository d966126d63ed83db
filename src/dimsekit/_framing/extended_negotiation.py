"""Typed views of the service-class-application-information of a SOP Class Extended
Negotiation sub-item (56H, PS3.7 D.3.3.5), where PS3.4 defines its bytes.

Owns: :class:`StorageNegotiation` (PS3.4 B.3.1: level of support, level of digital
signature support, element coercion), :class:`QueryNegotiation` (the C-FIND SOP classes
of Query/Retrieve, PS3.4 C.5.1.1: relational queries, combined date-time matching, fuzzy
semantic matching of person names, timezone query adjustment, enhanced multi-frame image
conversion), :class:`RetrieveNegotiation` (the C-MOVE and C-GET SOP classes, PS3.4
C.5.2.1, C.5.3.1: relational retrieval, enhanced multi-frame image conversion), and
:func:`negotiation_view`, the view of a sub-item for its SOP class's service.

Each view's byte layout is its fields, in order: field ``n`` (counting from 1) is item
byte ``n``; a field's metadata says which values it takes and what they mean, or that
the byte is reserved.  A field is ``None`` where the byte was not sent: PS3.4 lets a
peer send the first bytes only (C.5.1.1, C.5.2.1: "a missing sub-field shall be treated
as 0"), so a view re-encodes to as many bytes as it was given.  Bytes past those a view
defines are kept as they came (``extra``), and so are reserved bytes, so that
``from_bytes(data).to_bytes() == data``.  What the sub-item itself holds (its SOP class
UID, the raw bytes) stays with :class:`~dimsekit.SOPClassExtendedNegotiation`.

Must not know: the sub-item's layout in the PDU (``_framing.pdu_layout``), the codec,
association policy.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Final, TypeAlias, TypeVar

import attrs
from pydicom.uid import UID

from .._errors import InvalidPDUError
from .._model.status import ServiceClass
from .items import Problem, SOPClassExtendedNegotiation

__all__ = [
    "ExtendedNegotiationView",
    "QueryNegotiation",
    "RetrieveNegotiation",
    "StorageNegotiation",
    "negotiation_view",
]

_MEANINGS: Final = "meanings"
_RESERVED: Final = "reserved"
_SUPPORT: Final[Mapping[int, str]] = {0: "not supported", 1: "supported"}

_View = TypeVar("_View", bound="_Negotiation")


def _byte(meanings: Mapping[int, str]) -> Any:
    """A byte of the service-class-application-information: one of ``meanings``, or None
    where it was not sent."""
    return attrs.field(default=None, metadata={_MEANINGS: dict(meanings)})


_RESERVED_BYTE: Final = {_RESERVED: True}
"""The metadata of a reserved byte: sent as 00H, not tested, kept as received (its field
is no argument and not in eq or repr; spelt out at each, so that type checkers see it)."""


def layout_of(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    """The bytes of a view class, in order: byte ``n`` is the ``n``-th of these fields."""
    return tuple(
        field
        for field in attrs.fields(cls)
        if _MEANINGS in field.metadata or _RESERVED in field.metadata
    )


@attrs.frozen(kw_only=True)
class _Negotiation:
    """What the views share: the byte layout of their fields, the rules, the codec."""

    REFERENCE: ClassVar[str]
    SERVICES: ClassVar[frozenset[ServiceClass]]

    def problems(self) -> Iterator[Problem]:
        """Each rule the view breaks: a value its byte does not define, or a byte given
        after one not sent (the bytes are positional)."""
        absent: str | None = None
        for field in layout_of(type(self)):
            meanings = field.metadata.get(_MEANINGS)
            if meanings is None:
                continue
            value = getattr(self, field.name)
            if value is None:
                absent = absent or field.name
                continue
            if type(value) is not int:
                raise TypeError(
                    f"{type(self).__name__}.{field.name} must be int or None, "
                    f"not {type(value).__name__}"
                )
            if absent is not None:
                yield (
                    (field.name, absent),
                    value,
                    f"a byte is sent only with every byte before it ({absent} is not sent)",
                    self.REFERENCE,
                )
            if value not in meanings:
                words = ", ".join(f"{code} ({meaning})" for code, meaning in meanings.items())
                yield (field.name,), value, f"{field.name} is one of {words}", self.REFERENCE

    def __attrs_post_init__(self) -> None:
        for fields, value, rule, reference in self.problems():
            raise InvalidPDUError(type(self).__name__, fields, value, rule, reference)
        extra = getattr(self, "extra", b"")
        if type(extra) is not bytes:
            raise TypeError(
                f"{type(self).__name__}.extra must be bytes, not {type(extra).__name__}"
            )
        if extra and any(
            getattr(self, field.name) is None
            for field in layout_of(type(self))
            if _MEANINGS in field.metadata
        ):
            raise InvalidPDUError(
                type(self).__name__,
                ("extra",),
                extra,
                "bytes past the defined ones are sent only with every defined byte",
                self.REFERENCE,
            )

    def meaning(self, name: str) -> str | None:
        """What the value of field ``name`` means (PS3.4), or None where it was not sent."""
        field = attrs.fields_dict(type(self))[name]
        value = getattr(self, name)
        meanings: Mapping[int, str] | None = field.metadata.get(_MEANINGS)
        if meanings is None:
            raise KeyError(f"{type(self).__name__}.{name} is a reserved byte")
        return None if value is None else meanings[value]

    @classmethod
    def from_bytes(cls: type[_View], data: bytes) -> _View:
        """The view of ``data``, the service-class-application-information of a 56H
        sub-item.  A byte its field does not define is an
        :class:`~dimsekit.InvalidPDUError` naming the field and the byte."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"{cls.__name__}.from_bytes takes bytes, not {type(data).__name__}")
        data = bytes(data)
        layout = layout_of(cls)
        values: dict[str, object] = {}
        reserved: dict[str, int] = {}
        for field, value in zip(layout, data, strict=False):
            if _RESERVED in field.metadata:
                reserved[field.name] = value
            else:
                values[field.name] = value
        try:
            view = cls(**values, extra=data[len(layout) :])  # type: ignore[call-arg]
        except InvalidPDUError as error:
            names = [field.name for field in layout]
            if error.fields[0] not in names:
                raise
            byte = 1 + names.index(error.fields[0])
            raise InvalidPDUError(
                cls.__name__,
                error.fields,
                error.value,
                f"{error.rule} (item byte {byte} of the service-class-application-information)",
                error.reference,
            ) from None
        for name, value in reserved.items():
            object.__setattr__(view, name, value)
        return view

    def to_bytes(self) -> bytes:
        """The service-class-application-information: each byte given (a reserved one
        as received, else 00H), up to the last one given or received, then ``extra``."""
        layout = layout_of(type(self))
        extra: bytes = getattr(self, "extra", b"")
        length = len(layout) if extra else 0
        for index, field in enumerate(layout, 1):
            if getattr(self, field.name) is not None:
                length = max(length, index)
        # A reserved byte: as received, or 00H.
        return bytes(getattr(self, field.name) or 0 for field in layout[:length]) + extra


@attrs.frozen(kw_only=True)
class StorageNegotiation(_Negotiation):
    """The Storage SOP classes' extended negotiation (PS3.4 B.3.1: Table B.3-1 for the
    A-ASSOCIATE-RQ, B.3-2 for the AC), six bytes."""

    REFERENCE: ClassVar[str] = "PS3.4 B.3.1"
    SERVICES: ClassVar[frozenset[ServiceClass]] = frozenset({ServiceClass.STORAGE})
    level_of_support: int | None = _byte(
        {
            0: "level 0 SCP",
            1: "level 1 SCP",
            2: "level 2 SCP",
            3: "not applicable (the association-requestor is an SCU only)",
        }
    )
    reserved2: int | None = attrs.field(
        default=None, init=False, eq=False, repr=False, metadata=_RESERVED_BYTE
    )
    level_of_digital_signature_support: int | None = _byte(
        {
            0: "unspecified, or an SCU only, or not an SCP",
            1: "signature level 1",
            2: "signature level 2",
            3: "signature level 3",
        }
    )
    reserved4: int | None = attrs.field(
        default=None, init=False, eq=False, repr=False, metadata=_RESERVED_BYTE
    )
    element_coercion: int | None = _byte(
        {
            0: "does not coerce any element",
            1: "may coerce data elements",
            2: "not applicable (the association-requestor is an SCU only)",
        }
    )
    reserved6: int | None = attrs.field(
        default=None, init=False, eq=False, repr=False, metadata=_RESERVED_BYTE
    )
    extra: bytes = b""
    """Bytes past the six defined, kept as they came."""


@attrs.frozen(kw_only=True)
class QueryNegotiation(_Negotiation):
    """The C-FIND SOP classes of Query/Retrieve (PS3.4 C.5.1.1: Tables C.5-1, C.5-2):
    one byte, or more; a byte not sent is 0 (not supported).  Bytes after the fifth
    (later editions define more) are kept raw in ``extra``."""

    REFERENCE: ClassVar[str] = "PS3.4 C.5.1.1"
    SERVICES: ClassVar[frozenset[ServiceClass]] = frozenset({ServiceClass.QR_FIND})
    relational_queries: int | None = _byte(_SUPPORT)
    combined_date_time_matching: int | None = _byte({0: "not performed", 1: "performed"})
    fuzzy_semantic_matching_of_person_names: int | None = _byte(
        {0: "not performed", 1: "performed"}
    )
    timezone_query_adjustment: int | None = _byte({0: "not performed", 1: "performed"})
    enhanced_multi_frame_image_conversion: int | None = _byte(_SUPPORT)
    extra: bytes = b""


@attrs.frozen(kw_only=True)
class RetrieveNegotiation(_Negotiation):
    """The C-MOVE and C-GET SOP classes of Query/Retrieve (PS3.4 C.5.2.1, C.5.3.1): one
    byte or two; a byte not sent is 0 (not supported)."""

    REFERENCE: ClassVar[str] = "PS3.4 C.5.2.1, C.5.3.1"
    SERVICES: ClassVar[frozenset[ServiceClass]] = frozenset(
        {ServiceClass.QR_MOVE, ServiceClass.QR_GET}
    )
    relational_retrieval: int | None = _byte(_SUPPORT)
    enhanced_multi_frame_image_conversion: int | None = _byte(_SUPPORT)
    extra: bytes = b""


ExtendedNegotiationView: TypeAlias = StorageNegotiation | QueryNegotiation | RetrieveNegotiation
"""A typed view of a 56H sub-item's service-class-application-information."""

_VIEWS: Final[dict[ServiceClass, type[ExtendedNegotiationView]]] = {
    service: cls
    for cls in (StorageNegotiation, QueryNegotiation, RetrieveNegotiation)
    for service in cls.SERVICES
}
_QR_SUFFIXES: Final = {
    "Information Model - FIND": ServiceClass.QR_FIND,
    "Information Model - MOVE": ServiceClass.QR_MOVE,
    "Information Model - GET": ServiceClass.QR_GET,
}


def service_of(sop_class_uid: str) -> ServiceClass | None:
    """The service class of a SOP class the UID registry (pydicom's) names: a Storage SOP
    class (its name ends in "Storage", PS3.4 B.5) or a Query/Retrieve one (its name has
    "Query/Retrieve Information Model - FIND", "- MOVE" or "- GET", PS3.4 C.6); None
    for any other."""
    uid = UID(sop_class_uid)
    if uid.type != "SOP Class":
        return None
    name = uid.name
    if name.endswith(" Storage"):
        return ServiceClass.STORAGE
    if "Query/Retrieve" in name:
        for suffix, service in _QR_SUFFIXES.items():
            if name.endswith(suffix):
                return service
    return None


def negotiation_view(
    item: SOPClassExtendedNegotiation, service: ServiceClass | None = None
) -> ExtendedNegotiationView | None:
    """The typed view of ``item``'s service-class-application-information, for
    ``service`` (by default, the service of its SOP class: :func:`service_of`); None
    where PS3.4 defines no bytes for that service here (the raw bytes stay on ``item``).
    """
    if not isinstance(item, SOPClassExtendedNegotiation):
        raise TypeError(
            f"negotiation_view takes a SOPClassExtendedNegotiation, not {type(item).__name__}"
        )
    if service is None:
        service = service_of(item.sop_class_uid)
    cls = None if service is None else _VIEWS.get(service)
    return None if cls is None else cls.from_bytes(item.service_class_application_information)
