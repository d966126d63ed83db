"""dimsekit messages to pynetdicom primitives and back, so users can adopt one at a time.

Owns: :func:`to_primitive` and :func:`from_primitive` for all 12 services (23 messages).
Fields are mapped through the command dictionary (a dimsekit attribute name and a
pynetdicom primitive attribute are the same DICOM keyword), never through a second
hand-written table; the data-set parameter travels as pynetdicom keeps it, a ``BytesIO``
of the encoded data set.

Where pynetdicom has no place for a field dimsekit carries (its DIMSE messages do not
encode Offending Element in C-ECHO-RSP or in any DIMSE-N response), :func:`to_primitive`
raises :class:`InexpressibleError` naming the field rather than drop it silently.

Must not know: bytes or PDUs; pynetdicom's association or service classes.
"""

from __future__ import annotations

import importlib.util
from io import BytesIO
from typing import Any, TypeAlias

if importlib.util.find_spec("pynetdicom") is None:  # pragma: no cover - environment
    raise ImportError(
        "dimsekit.interop.pynetdicom needs pynetdicom: pip install 'dimsekit[pynetdicom]'"
    )

from pynetdicom import dimse_messages, dimse_primitives
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

from .._errors import DimseError
from .._layout import layout_of
from .._payload import DataSetPayload
from .._vr import CommandField
from ..messages import MESSAGE_CLASSES, CCancelRequest, Message

__all__ = ["InexpressibleError", "Primitive", "from_primitive", "to_primitive"]

Primitive: TypeAlias = (
    C_STORE | C_FIND | C_GET | C_MOVE | C_ECHO | C_CANCEL
    | N_EVENT_REPORT | N_GET | N_SET | N_ACTION | N_CREATE | N_DELETE
)  # fmt: skip
"""Any pynetdicom DIMSE primitive."""

# What pynetdicom's DIMSE messages encode, per message ("C-ECHO-RSP": keywords).
_ENCODED: dict[str, tuple[str, ...]] = getattr(dimse_messages, "_COMMAND_SET_KEYWORDS", {})


class InexpressibleError(DimseError):
    """pynetdicom has no place for a field this message carries."""

    __module__ = "dimsekit.interop.pynetdicom"


def _parameter(field: str) -> str:
    """A PS3.7 data-set parameter's pynetdicom name: ``event_reply`` -> ``EventReply``."""
    return "".join(part.capitalize() for part in field.split("_"))


def to_primitive(message: Message, *, transfer_syntax: str | None = None) -> Primitive:
    """The pynetdicom primitive for ``message`` (PS3.7 service parameters).

    A data set held as a pydicom ``Dataset`` is encoded with ``transfer_syntax``
    (required then): pynetdicom primitives carry encoded data sets.
    """
    name = message.command_field.message_name
    primitive: Any = getattr(dimse_primitives, message.command_field.service.replace("-", "_"))()
    encoded = _ENCODED.get(name)
    for attribute, spec in layout_of(type(message)).fields:
        value = getattr(message, attribute)
        if value is None:
            continue
        if not hasattr(primitive, spec.keyword) or (encoded and spec.keyword not in encoded):
            raise InexpressibleError(
                f"pynetdicom's {name} has no {spec.keyword} {spec.tag_text} for {attribute}"
            )
        if spec.vr == "AT":
            value = list(value)
        elif attribute in ("status", "priority"):
            value = int(value)
        setattr(primitive, spec.keyword, value)
    payload = message.data_set_payload
    field = type(message).data_set_field()
    if payload is not None and field is not None:
        if not payload.is_encoded and transfer_syntax is None:
            raise InexpressibleError(
                f"the {field} is a pydicom Dataset: give transfer_syntax to encode it, as "
                "pynetdicom primitives carry encoded data sets"
            )
        setattr(primitive, _parameter(field), BytesIO(payload.to_bytes(transfer_syntax)))
    return primitive  # type: ignore[no-any-return]


def from_primitive(primitive: Primitive, *, is_response: bool | None = None) -> Message:
    """The dimsekit message for a pynetdicom primitive (validated like any other).

    pynetdicom uses one primitive class for both halves of a service; ``is_response``
    says which, and when it is None the half is the response exactly when the
    primitive has a Status (PS3.7: every response has one, no request does).
    """
    service = type(primitive).__name__
    if isinstance(primitive, C_CANCEL):
        answered: Any = primitive.MessageIDBeingRespondedTo  # None is refused by the model
        return CCancelRequest(message_id_being_responded_to=answered)
    if is_response is None:
        is_response = getattr(primitive, "Status", None) is not None
    command = CommandField[f"{service}_{'RSP' if is_response else 'RQ'}"]
    cls = MESSAGE_CLASSES[command]
    values: dict[str, Any] = {}
    for attribute, spec in layout_of(cls).fields:
        value = getattr(primitive, spec.keyword, None)
        if value is not None:
            if spec.vr == "AT" and isinstance(value, int):
                value = (value,)  # pynetdicom gives a lone tag for a list of one
            values[attribute] = value
    field = cls.data_set_field()
    if field is not None:
        data = getattr(primitive, _parameter(field), None)
        if isinstance(data, BytesIO):
            values[field] = DataSetPayload(data.getvalue())
        elif data is not None:
            raise InexpressibleError(
                f"{service}.{_parameter(field)} is a {type(data).__name__}; dimsekit takes "
                "the encoded data set (a BytesIO)"
            )
    return cls(**values)
