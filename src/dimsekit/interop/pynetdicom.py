"""dimsekit messages to pynetdicom DIMSE primitives and back, one message at a time.

Owns: :func:`to_primitive` and :func:`from_primitive` for the 12 DIMSE services (all 23
messages), the :data:`Primitive` union, and :class:`InexpressibleError`.  Fields are
mapped through dimsekit's command dictionary and layouts: a primitive parameter is named
by the DICOM keyword of its command element (PS3.7 Annex E), and a data-set parameter by
its PS3.7 name without spaces (``attribute_list`` -> ``AttributeList``), never through a
second hand-written table.  Which keywords pynetdicom can carry is asked of pynetdicom
itself: the command set its DIMSE message class starts with.

Rules applied:

- A value crosses unchanged or not at all.  :func:`to_primitive` raises
  :class:`InexpressibleError`, naming the field, when pynetdicom's message has no element
  for it (Offending Element in C-ECHO-RSP and every DIMSE-N response, Attribute
  Identifier List in N-CREATE-RSP), when a pynetdicom setter refuses a value, and when it
  keeps a different one (its Move Originator AE Title setter turns a value it finds
  invalid into None).
- Data sets travel encoded, as pynetdicom keeps them: a ``BytesIO``.  A payload held as a
  pydicom ``Dataset`` is encoded with the ``transfer_syntax`` given (the presentation
  context's, PS3.7 6.3.1 and PS3.8 Annex E, which only the association knows) and refused
  without one.  A file-backed payload is read into memory; the other way, a C-STORE data
  set pynetdicom keeps in a file (its chunked send and receive) becomes a file-backed
  payload, read lazily as dimsekit's always are.  An empty data set is refused:
  pynetdicom announces it (Command Data Set Type 0x0001) but sends no fragment for it,
  and its decoder hands "no data set" over as an empty ``BytesIO``, which
  :func:`from_primitive` therefore reads as no data set.
- pynetdicom uses one primitive class for both halves of a service.  Unless told with
  ``is_response``, a primitive is a response when it has a Message ID Being Responded To
  or a Status: the command elements every response of the service must have and its
  request cannot (PS3.7 9.3, 10.3), computed from the layouts.  Parameters of the other
  half are ignored, as pynetdicom's own encoder ignores them (its service classes set
  Message ID on responses); C-CANCEL is always a request (PS3.7 9.3.2.3).

Must not know: command-set bytes, PDUs or the codec (pynetdicom's encoder is only
exercised by the tests); pynetdicom's associations, events or service classes.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any, Final, NamedTuple, TypeAlias, get_args, overload

from pydicom.tag import BaseTag

try:
    from pynetdicom import dimse_messages
    from pynetdicom.dimse_primitives import (
        C_CANCEL,
        C_ECHO,
        C_FIND,
        C_GET,
        C_MOVE,
        C_STORE,
        N_ACTION,
        N_CREATE,
        N_DELETE,
        N_EVENT_REPORT,
        N_GET,
        N_SET,
    )
    from pynetdicom.dsutils import split_dataset
except ImportError as _missing:
    raise ImportError(
        "dimsekit.interop.pynetdicom needs pynetdicom 3: pip install 'dimsekit[pynetdicom]' "
        f"({_missing})"
    ) from _missing

from .. import messages
from .._codec.layout import layout_of
from .._errors import DimseError
from .._model.fields import DATA_SET_PARAMETERS, ElementSpec
from .._model.payload import DataSetPayload
from ..messages import MESSAGE_CLASSES, Message

__all__ = ["InexpressibleError", "Primitive", "from_primitive", "to_primitive"]

Primitive: TypeAlias = (
    C_STORE | C_FIND | C_GET | C_MOVE | C_ECHO | C_CANCEL
    | N_EVENT_REPORT | N_GET | N_SET | N_ACTION | N_CREATE | N_DELETE
)  # fmt: skip
"""Any pynetdicom DIMSE primitive (``pynetdicom.dimse_primitives``)."""

# Each service's message classes, as the overloads of both directions name them.
_CStore: TypeAlias = messages.CStoreRequest | messages.CStoreResponse
_CFind: TypeAlias = messages.CFindRequest | messages.CFindResponse
_CGet: TypeAlias = messages.CGetRequest | messages.CGetResponse
_CMove: TypeAlias = messages.CMoveRequest | messages.CMoveResponse
_CEcho: TypeAlias = messages.CEchoRequest | messages.CEchoResponse
_CCancel: TypeAlias = messages.CCancelRequest
_NEventReport: TypeAlias = messages.NEventReportRequest | messages.NEventReportResponse
_NGet: TypeAlias = messages.NGetRequest | messages.NGetResponse
_NSet: TypeAlias = messages.NSetRequest | messages.NSetResponse
_NAction: TypeAlias = messages.NActionRequest | messages.NActionResponse
_NCreate: TypeAlias = messages.NCreateRequest | messages.NCreateResponse
_NDelete: TypeAlias = messages.NDeleteRequest | messages.NDeleteResponse


class InexpressibleError(DimseError):
    """A message, field or primitive that cannot cross to the other side unchanged.

    Attributes: ``message_name``, the PS3.7 message concerned (e.g. ``"N-SET-RSP"``);
    ``parameter``, the pynetdicom parameter (a DICOM keyword such as
    ``"OffendingElement"``, or a data-set parameter such as ``"Identifier"``), or None;
    ``reason``, in words.
    """

    message_name: str
    parameter: str | None
    reason: str

    def __init__(self, message_name: str, parameter: str | None, reason: str) -> None:
        self.message_name = message_name
        self.parameter = parameter
        self.reason = reason
        where = message_name if parameter is None else f"{message_name} {parameter}"
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.message_name, self.parameter, self.reason))


class _Service(NamedTuple):
    primitive: type[Any]
    request: type[Message]
    response: type[Message] | None
    markers: tuple[str, ...]
    """Keywords every response of the service has and its request cannot."""


_PRIMITIVE_CLASSES: Final[dict[str, type[Any]]] = {cls.__name__: cls for cls in get_args(Primitive)}


def _services() -> dict[type[Any], _Service]:
    halves: dict[str, dict[bool, type[Message]]] = {}
    for command, cls in MESSAGE_CLASSES.items():
        halves.setdefault(command.service, {})[command.is_response] = cls
    services = {}
    for name, half in halves.items():
        request, response = half[False], half.get(True)
        markers: tuple[str, ...] = ()
        if response is not None:
            asked = {spec.keyword for _, spec in layout_of(request).fields}
            layout = layout_of(response)
            markers = tuple(
                spec.keyword
                for attribute, spec in layout.fields
                if attribute in layout.required and spec.keyword not in asked
            )
        primitive = _PRIMITIVE_CLASSES[name.replace("-", "_")]
        services[primitive] = _Service(primitive, request, response, markers)
    return services


_SERVICES: Final = _services()
_SERVICE_OF: Final[dict[type[Message], _Service]] = {
    cls: service
    for service in _SERVICES.values()
    for cls in (service.request, service.response)
    if cls is not None
}
_ENCODED: Final[dict[type[Message], frozenset[str]]] = {
    cls: frozenset(
        element.keyword
        for element in getattr(
            dimse_messages, cls.command_field.message_name.replace("-", "_")
        )().command_set
    )
    for cls in MESSAGE_CLASSES.values()
}
"""The keywords pynetdicom's DIMSE message for each class encodes; it drops any other."""


def _parameter(field: str) -> str:
    """A data-set parameter's pynetdicom name: ``event_reply`` -> ``EventReply``."""
    return DATA_SET_PARAMETERS[field].replace(" ", "")


def _to_pynetdicom(spec: ElementSpec, value: Any) -> Any:
    if spec.vr == "AT":
        return list(value)
    if spec.vr == "US":
        return int(value)  # Status and Priority are int subclasses of ours
    return value


def _from_pynetdicom(spec: ElementSpec, value: Any) -> Any:
    if spec.vr == "AT":
        # pynetdicom keeps a list of one tag as the tag itself.  As BaseTag, the items
        # are tags, never a (group, element) pair of numbers.
        return tuple(BaseTag(item) for item in ([value] if isinstance(value, int) else value))
    return value


# One overload per service, so that callers get the primitive class they can use.
@overload
def to_primitive(message: _CStore, *, transfer_syntax: str | None = None) -> C_STORE: ...
@overload
def to_primitive(message: _CFind, *, transfer_syntax: str | None = None) -> C_FIND: ...
@overload
def to_primitive(message: _CGet, *, transfer_syntax: str | None = None) -> C_GET: ...
@overload
def to_primitive(message: _CMove, *, transfer_syntax: str | None = None) -> C_MOVE: ...
@overload
def to_primitive(message: _CEcho, *, transfer_syntax: str | None = None) -> C_ECHO: ...
@overload
def to_primitive(message: _CCancel, *, transfer_syntax: str | None = None) -> C_CANCEL: ...
@overload
def to_primitive(
    message: _NEventReport, *, transfer_syntax: str | None = None
) -> N_EVENT_REPORT: ...
@overload
def to_primitive(message: _NGet, *, transfer_syntax: str | None = None) -> N_GET: ...
@overload
def to_primitive(message: _NSet, *, transfer_syntax: str | None = None) -> N_SET: ...
@overload
def to_primitive(message: _NAction, *, transfer_syntax: str | None = None) -> N_ACTION: ...
@overload
def to_primitive(message: _NCreate, *, transfer_syntax: str | None = None) -> N_CREATE: ...
@overload
def to_primitive(message: _NDelete, *, transfer_syntax: str | None = None) -> N_DELETE: ...
@overload
def to_primitive(message: Message, *, transfer_syntax: str | None = None) -> Primitive: ...
def to_primitive(message: Message, *, transfer_syntax: str | None = None) -> Primitive:
    """The pynetdicom primitive carrying ``message``'s service parameters (PS3.7 9.1, 10.1).

    ``transfer_syntax`` encodes a data set held as a pydicom ``Dataset`` (required then;
    unused for an encoded one).  Raises :class:`InexpressibleError`, naming the field,
    for anything pynetdicom would drop or change (see the module's rules).
    """
    cls = type(message)
    service = _SERVICE_OF.get(cls)
    if service is None:
        raise TypeError(f"not a dimsekit DIMSE message: {cls.__name__}")
    name = message.command_field.message_name
    primitive = service.primitive()
    encoded = _ENCODED[cls]
    for attribute, spec in layout_of(cls).fields:
        value = getattr(message, attribute)
        if value is None:
            continue
        keyword = spec.keyword
        if keyword not in encoded:
            raise InexpressibleError(
                name,
                keyword,
                f"pynetdicom's {name} has no {keyword} {spec.tag_text}: {attribute}={value!r} "
                "would be lost",
            )
        try:
            setattr(primitive, keyword, _to_pynetdicom(spec, value))
        except (TypeError, ValueError) as problem:
            raise InexpressibleError(
                name, keyword, f"pynetdicom refuses {attribute}={value!r}: {problem}"
            ) from problem
        kept = getattr(primitive, keyword)
        if kept is None or _from_pynetdicom(spec, kept) != value:
            raise InexpressibleError(
                name, keyword, f"pynetdicom keeps {kept!r} for {attribute}={value!r}"
            )
    field = cls.data_set_field()
    payload = message.data_set_payload
    if field is not None and payload is not None:
        parameter = _parameter(field)
        if not payload.is_encoded and transfer_syntax is None:
            raise InexpressibleError(
                name,
                parameter,
                f"the {field} is a pydicom Dataset: pynetdicom carries it encoded, so give "
                "transfer_syntax (the presentation context's, PS3.7 6.3.1) to encode it",
            )
        data = payload.to_bytes(transfer_syntax)
        if not data:
            raise InexpressibleError(
                name,
                parameter,
                f"the {field} is empty: pynetdicom announces an empty data set but sends "
                "none, and reads one back as no data set",
            )
        setattr(primitive, parameter, BytesIO(data))
    return primitive  # type: ignore[no-any-return]


def _payload_of(primitive: Any, parameter: str) -> DataSetPayload | None:
    """The data set of ``primitive``: its BytesIO, else the file pynetdicom points to."""
    data: BytesIO | None = getattr(primitive, parameter)
    encoded = b"" if data is None else data.getvalue()
    if encoded:
        return DataSetPayload(encoded)
    # pynetdicom's C-STORE streams from and to files: a (path, offset) to send
    # (Association.send_c_store), a DICOM file with File Meta when received.
    path = getattr(primitive, "_dataset_path", None)
    if isinstance(path, tuple):
        return DataSetPayload.from_file(path[0], offset=path[1])
    if path is not None:
        return DataSetPayload.from_file(path, offset=split_dataset(Path(path))[1])
    return None  # pynetdicom's decoder gives an empty BytesIO for "no data set"


@overload
def from_primitive(primitive: C_STORE, *, is_response: bool | None = None) -> _CStore: ...
@overload
def from_primitive(primitive: C_FIND, *, is_response: bool | None = None) -> _CFind: ...
@overload
def from_primitive(primitive: C_GET, *, is_response: bool | None = None) -> _CGet: ...
@overload
def from_primitive(primitive: C_MOVE, *, is_response: bool | None = None) -> _CMove: ...
@overload
def from_primitive(primitive: C_ECHO, *, is_response: bool | None = None) -> _CEcho: ...
@overload
def from_primitive(primitive: C_CANCEL, *, is_response: bool | None = None) -> _CCancel: ...
@overload
def from_primitive(
    primitive: N_EVENT_REPORT, *, is_response: bool | None = None
) -> _NEventReport: ...
@overload
def from_primitive(primitive: N_GET, *, is_response: bool | None = None) -> _NGet: ...
@overload
def from_primitive(primitive: N_SET, *, is_response: bool | None = None) -> _NSet: ...
@overload
def from_primitive(primitive: N_ACTION, *, is_response: bool | None = None) -> _NAction: ...
@overload
def from_primitive(primitive: N_CREATE, *, is_response: bool | None = None) -> _NCreate: ...
@overload
def from_primitive(primitive: N_DELETE, *, is_response: bool | None = None) -> _NDelete: ...
def from_primitive(primitive: Primitive, *, is_response: bool | None = None) -> Message:
    """The dimsekit message for a pynetdicom primitive, validated like any other.

    pynetdicom uses one primitive class for both halves of a service: ``is_response``
    says which, and when it is None the primitive is a response exactly when it has a
    Message ID Being Responded To or a Status (PS3.7 9.3, 10.3: every response has both,
    no request has either; C-CANCEL, the exception, is always a request).  A value the
    model refuses raises :class:`~dimsekit.InvalidMessageError`; a request primitive
    with response parameters, or a C-CANCEL taken as a response, raises
    :class:`InexpressibleError`.

    A C-STORE data set pynetdicom keeps in a file becomes a file-backed payload: read it
    before pynetdicom deletes a received one (when its handler returns).
    """
    service = _SERVICES.get(type(primitive))
    if service is None:
        raise TypeError(f"not a pynetdicom DIMSE primitive: {type(primitive).__name__}")
    marked = [keyword for keyword in service.markers if getattr(primitive, keyword) is not None]
    if is_response is None:
        is_response = bool(marked)
    cls = service.response if is_response else service.request
    if cls is None:
        raise InexpressibleError(
            f"{type(primitive).__name__.replace('_', '-')}-RSP",
            None,
            "PS3.7 has no such response (9.3.2.3: the cancelled operation ends with its own)",
        )
    if not is_response and marked:
        raise InexpressibleError(
            service.request.command_field.message_name,
            marked[0],
            f"a request has no {' or '.join(marked)} (PS3.7 9.3, 10.3), and this primitive "
            "has: it is a response",
        )
    layout = layout_of(cls)
    values: dict[str, Any] = {}
    for attribute, spec in layout.fields:
        value = getattr(primitive, spec.keyword, None)
        if value is not None:
            values[attribute] = _from_pynetdicom(spec, value)
    field = cls.data_set_field()
    if field is not None:
        values[field] = _payload_of(primitive, _parameter(field))
    for attribute in layout.required:
        values.setdefault(attribute, None)  # so that the model names what is missing
    return cls(**values)
