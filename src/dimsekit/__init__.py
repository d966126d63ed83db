"""dimsekit: a typed, validated model of the DICOM DIMSE messages of PS3.7.

This module is the public facade: it imports and re-exports, nothing else.  The message
classes and the converter functions are re-exported by their modules' own ``__all__``,
so each public name is listed once.
"""

from . import _converter, messages
from ._command import encode_command
from ._command_decode import DecodedCommand, decode_command
from ._converter import *  # noqa: F403 (re-exports its __all__)
from ._diagnostics import Diagnostic, Severity
from ._errors import DecodeError, DimseError, FramingError, InvalidMessageError
from ._fields import COMMAND_ELEMENTS, ElementSpec, attribute_name
from ._payload import DataSetPayload, PayloadInput
from ._pdata_receive import (
    Event,
    MessageAssembler,
    MessageReceived,
    PDUReceived,
    SpillFactory,
    UndecodableMessage,
)
from ._pdata_send import PDUBuffers, fragment_message
from ._pdu import PDUType
from ._status import ServiceClass, Status, StatusCategory
from ._vr import AttributeTags, CommandField, Priority, TagLike, truncate_error_comment
from ._wire_details import WireDetails
from .messages import *  # noqa: F403 (re-exports its __all__)

__version__ = "0.1.0"

__all__ = [
    "COMMAND_ELEMENTS",
    "AttributeTags",
    "CommandField",
    "DataSetPayload",
    "DecodeError",
    "DecodedCommand",
    "Diagnostic",
    "DimseError",
    "ElementSpec",
    "Event",
    "FramingError",
    "InvalidMessageError",
    "MessageAssembler",
    "MessageReceived",
    "PDUBuffers",
    "PDUReceived",
    "PDUType",
    "PayloadInput",
    "Priority",
    "ServiceClass",
    "Severity",
    "SpillFactory",
    "Status",
    "StatusCategory",
    "TagLike",
    "UndecodableMessage",
    "WireDetails",
    "attribute_name",
    "decode_command",
    "encode_command",
    "fragment_message",
    "truncate_error_comment",
]
__all__ += messages.__all__
__all__ += _converter.__all__
