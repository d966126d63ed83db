"""dimsekit: a typed, validated model of the DICOM DIMSE messages of PS3.7.

This module is the public facade: it imports and re-exports, nothing else.
"""

from ._command import encode_command
from ._command_decode import DecodedCommand, decode_command
from ._converter import (
    CommandSetConverter,
    configure_converter,
    from_dataset,
    from_dict,
    from_json,
    make_converter,
    to_dataset,
    to_dict,
    to_json,
)
from ._diagnostics import Diagnostic, Severity
from ._errors import DecodeError, DimseError, InvalidMessageError
from ._events import FramingError
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
from .messages import (
    MESSAGE_CLASSES,
    VERIFICATION_SOP_CLASS,
    CCancelRequest,
    CEchoRequest,
    CEchoResponse,
    CFindRequest,
    CFindResponse,
    CGetRequest,
    CGetResponse,
    CMoveRequest,
    CMoveResponse,
    CStoreRequest,
    CStoreResponse,
    Message,
    NActionRequest,
    NActionResponse,
    NCreateRequest,
    NCreateResponse,
    NDeleteRequest,
    NDeleteResponse,
    NEventReportRequest,
    NEventReportResponse,
    NGetRequest,
    NGetResponse,
    NSetRequest,
    NSetResponse,
    Request,
    Response,
    ResponseMismatch,
    Rule,
)

__version__ = "0.1.0"

__all__ = [
    "COMMAND_ELEMENTS",
    "MESSAGE_CLASSES",
    "VERIFICATION_SOP_CLASS",
    "AttributeTags",
    "CCancelRequest",
    "CEchoRequest",
    "CEchoResponse",
    "CFindRequest",
    "CFindResponse",
    "CGetRequest",
    "CGetResponse",
    "CMoveRequest",
    "CMoveResponse",
    "CStoreRequest",
    "CStoreResponse",
    "CommandField",
    "CommandSetConverter",
    "DataSetPayload",
    "DecodeError",
    "DecodedCommand",
    "Diagnostic",
    "DimseError",
    "ElementSpec",
    "Event",
    "FramingError",
    "InvalidMessageError",
    "Message",
    "MessageAssembler",
    "MessageReceived",
    "NActionRequest",
    "NActionResponse",
    "NCreateRequest",
    "NCreateResponse",
    "NDeleteRequest",
    "NDeleteResponse",
    "NEventReportRequest",
    "NEventReportResponse",
    "NGetRequest",
    "NGetResponse",
    "NSetRequest",
    "NSetResponse",
    "PDUBuffers",
    "PDUReceived",
    "PDUType",
    "PayloadInput",
    "Priority",
    "Request",
    "Response",
    "ResponseMismatch",
    "Rule",
    "ServiceClass",
    "Severity",
    "SpillFactory",
    "Status",
    "StatusCategory",
    "TagLike",
    "UndecodableMessage",
    "WireDetails",
    "attribute_name",
    "configure_converter",
    "decode_command",
    "encode_command",
    "fragment_message",
    "from_dataset",
    "from_dict",
    "from_json",
    "make_converter",
    "to_dataset",
    "to_dict",
    "to_json",
    "truncate_error_comment",
]
