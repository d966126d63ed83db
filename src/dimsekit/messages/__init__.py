"""The 23 DIMSE message classes of PS3.7, one module per service.

Each module holds one service's request and response and states that service's own
rules; what several services share lives in the private modules beside them.  Besides
``__all__``, this package gives the codec layer ``fast_rules`` (what a generated fast path
checks beyond the fields) and ``build_leniently`` and ``with_wire`` (what the lenient
decoder does with a message beyond building it), as no layer imports another's private
modules.
"""

from ._base import MESSAGE_CLASSES, Message, Request, Response, ResponseMismatch, Rule
from ._base import build_leniently as build_leniently  # for the codec; not in __all__
from ._base import fast_rules as fast_rules  # for the codec's fast path; not in __all__
from ._base import with_wire as with_wire  # for the codec; not in __all__
from .c_cancel import CCancelRequest
from .c_echo import VERIFICATION_SOP_CLASS, CEchoRequest, CEchoResponse
from .c_find import CFindRequest, CFindResponse
from .c_get import CGetRequest, CGetResponse
from .c_move import CMoveRequest, CMoveResponse
from .c_store import CStoreRequest, CStoreResponse
from .n_action import NActionRequest, NActionResponse
from .n_create import NCreateRequest, NCreateResponse
from .n_delete import NDeleteRequest, NDeleteResponse
from .n_event_report import NEventReportRequest, NEventReportResponse
from .n_get import NGetRequest, NGetResponse
from .n_set import NSetRequest, NSetResponse

__all__ = [
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
    "Request",
    "Response",
    "ResponseMismatch",
    "Rule",
]
