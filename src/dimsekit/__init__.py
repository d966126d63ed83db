"""dimsekit: a typed, validated model of the DICOM DIMSE messages of PS3.7.

This module is the public facade: it imports and re-exports, nothing else.
"""

from ._errors import DimseError, InvalidMessageError
from ._fields import COMMAND_ELEMENTS, ElementSpec, attribute_name
from ._payload import DataSetPayload, PayloadInput
from ._status import ServiceClass, Status, StatusCategory
from ._vr import CommandField, Priority, TagLike, truncate_error_comment
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
    "DataSetPayload",
    "DimseError",
    "ElementSpec",
    "InvalidMessageError",
    "Message",
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
    "PayloadInput",
    "Priority",
    "Request",
    "Response",
    "ResponseMismatch",
    "Rule",
    "ServiceClass",
    "Status",
    "StatusCategory",
    "TagLike",
    "WireDetails",
    "attribute_name",
    "truncate_error_comment",
]
