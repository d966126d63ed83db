"""Test helper: the same message as pynetdicom would build and encode it.

Used only to prove byte-exactness against pynetdicom (a test-only dependency).  The
adapter users get is the interop issue's; this is the minimum a test needs.
"""

from __future__ import annotations

import logging
from io import BytesIO

from pynetdicom import dimse_messages, dimse_primitives
from pynetdicom.dsutils import encode

from dimsekit import Message
from dimsekit._codec.layout import layout_of

logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)


class Inexpressible(Exception):
    """pynetdicom has no place for a field this message carries."""


def pynetdicom_command_bytes(message: Message) -> bytes:
    """pynetdicom's Implicit VR LE encoding of ``message``'s command set."""
    service = message.command_field.service.replace("-", "_")
    primitive = getattr(dimse_primitives, service)()
    keywords = []
    for name, spec in layout_of(type(message)).fields:
        value = getattr(message, name)
        if value is None:
            continue
        if spec.vr == "AT":
            value = list(value)
        setattr(primitive, spec.keyword, value)
        keywords.append(spec.keyword)
    payload = message.data_set_payload
    field = type(message).data_set_field()
    if payload is not None and field is not None:
        encoded = payload.encoded
        assert encoded is not None
        parameter = "".join(part.capitalize() for part in field.split("_"))
        setattr(primitive, parameter, BytesIO(bytes(encoded)))
    pyn_message = getattr(dimse_messages, message.command_field.message_name.replace("-", "_"))()
    pyn_message.primitive_to_message(primitive)
    missing = [keyword for keyword in keywords if keyword not in pyn_message.command_set]
    if missing:
        raise Inexpressible(f"pynetdicom's {type(pyn_message).__name__} has no {missing}")
    result = encode(pyn_message.command_set, True, True)
    assert isinstance(result, bytes)
    return result
