"""Status (0000,0900): its class, its meaning per service class, and its related fields.

Owns: the class rule of PS3.7 Annex C (which codes are Success, Pending, Cancel, Warning
or Failure, and which are no status at all); the meanings PS3.7 Annex C and PS3.4 give
codes per service class; which status-related command fields (Annex C) may accompany a
code; which statuses each DIMSE service may answer with at all (the Pending and Cancel
codes, :data:`PENDING_CODES_BY_SERVICE` and :func:`refused_statuses`, which the
validator and both fast paths take them from).

The class of a code depends on the code alone.  Its meaning depends on the service
class: B000 is "Coercion of Data Elements" in Storage but "Sub-operations complete, one
or more failures" in Query/Retrieve MOVE.  Unknown codes of a valid class are kept
verbatim and described by their class.

Must not know: message classes or their layout; it speaks of fields by attribute name.
"""

from __future__ import annotations

import enum
from typing import Final

from .._errors import InvalidMessageError
from .value_rules import InlineConverter, declare_converter

__all__ = ["ServiceClass", "Status", "StatusCategory"]


class StatusCategory(enum.Enum):
    """The five classes of status of PS3.7 Annex C."""

    SUCCESS = "success"
    PENDING = "pending"
    CANCEL = "cancel"
    WARNING = "warning"
    FAILURE = "failure"


class ServiceClass(enum.Enum):
    """Service classes whose status meanings dimsekit knows (PS3.4, PS3.7 Annex C)."""

    VERIFICATION = "Verification"
    STORAGE = "Storage"
    QR_FIND = "Query/Retrieve FIND"
    QR_GET = "Query/Retrieve GET"
    QR_MOVE = "Query/Retrieve MOVE"
    MODALITY_WORKLIST = "Modality Worklist"
    DIMSE_N = "DIMSE-N general"
    STORAGE_COMMITMENT = "Storage Commitment"
    MPPS = "Modality Performed Procedure Step"
    PRINT = "Print Management"


SUCCESS: Final = 0x0000
"""The Success status (PS3.7 Annex C: C.1)."""
PENDING: Final = 0xFF00
"""Pending: a C-FIND's match, a C-GET's or C-MOVE's progress (PS3.7 Annex C: C.2;
PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4)."""
PENDING_OPTIONAL_KEYS: Final = 0xFF01
"""Pending, C-FIND's only: a match, one or more of the Optional Keys not supported
(PS3.4 C.4.1.1.4)."""
CANCEL: Final = 0xFE00
"""Cancel: the operation a C-CANCEL stopped (PS3.7 Annex C: C.3; PS3.4 C.4.1.1.4,
C.4.2.1.5, C.4.3.1.4)."""
PENDING_CODES: Final = frozenset({PENDING, PENDING_OPTIONAL_KEYS})
"""The Pending statuses (PS3.7 Annex C: C.2)."""
CANCEL_CODES: Final = frozenset({CANCEL})
"""The Cancel status (PS3.7 Annex C: C.3)."""


def status_category(code: int) -> StatusCategory | None:
    """The Annex C class of a code, or None if the code belongs to no class."""
    if not 0 <= code <= 0xFFFF:
        return None  # Status is US (PS3.7 E.1): the masks below would wrap other ints
    if code == SUCCESS:
        return StatusCategory.SUCCESS
    if code in PENDING_CODES:
        return StatusCategory.PENDING
    if code in CANCEL_CODES:
        return StatusCategory.CANCEL
    if code in (0x0001, 0x0107, 0x0116) or code & 0xF000 == 0xB000:
        return StatusCategory.WARNING
    if code & 0xF000 in (0xA000, 0xC000) or code & 0xFF00 in (0x0100, 0x0200):
        return StatusCategory.FAILURE
    return None


# A meaning table: a row a code, or a range of codes (first-last), and its meaning, as
# PS3.4 and PS3.7 Annex C word it; the first row that matches wins.
_Meanings = tuple[tuple[int, int, str], ...]


def _meanings(*tables: str) -> _Meanings:
    rows = []
    for table in tables:
        for line in table.strip().splitlines():
            codes, meaning = line.split(maxsplit=1)
            first, _, last = codes.partition("-")
            rows.append((int(first, 16), int(last or first, 16), meaning))
    return tuple(rows)


# PS3.7 Annex C general statuses: 01xx and 02xx mean the same in every service (C.4, C.5).
_GENERAL: Final = _meanings("""
    0105       No Such Attribute
    0106       Invalid Attribute Value
    0107       Attribute List warning
    0110       Processing Failure
    0111       Duplicate SOP Instance
    0112       No Such SOP Instance
    0113       No Such Event Type
    0114       No Such Argument
    0115       Invalid Argument Value
    0116       Attribute Value Out of Range
    0117       Invalid SOP Instance
    0118       No Such SOP Class
    0119       Class-Instance Conflict
    0120       Missing Attribute
    0121       Missing Attribute Value
    0122       Refused: SOP Class Not Supported
    0123       No Such Action
    0124       Refused: Not Authorized
    0210       Duplicate Invocation
    0211       Unrecognized Operation
    0212       Mistyped Argument
    0213       Resource Limitation
""")

_SUCCESS: Final = "0000  Success"

_QR_FIND: Final = _meanings("""
    0000       Matching is complete; no final Identifier is supplied
    FF00       Matches are continuing; current match is supplied
    FF01       Matches are continuing; one or more Optional Keys were not supported
    FE00       Matching terminated due to Cancel request
    A700       Refused: Out of Resources
    A900       Identifier does not match SOP Class
    C000-CFFF  Unable to process
""")

_RETRIEVE: Final = """
    0000       Sub-operations complete, no failures
    FF00       Sub-operations are continuing
    FE00       Sub-operations terminated due to Cancel indication
    A701       Refused: Out of Resources, unable to calculate number of matches
    A702       Refused: Out of Resources, unable to perform sub-operations
    A900       Identifier does not match SOP Class
    AA00       None of the frames requested were found in the SOP Instance
    AA01       Unable to create new object for this SOP Class
    AA02       Unable to extract frames
    AA03       Time-based request received for a non-time-based SOP Instance
    AA04       Invalid Request
    C000-CFFF  Unable to process
"""

_MEANINGS: Final[dict[ServiceClass, _Meanings]] = {
    ServiceClass.VERIFICATION: _meanings(_SUCCESS),
    ServiceClass.STORAGE: _meanings("""
    0000       Success
    A700-A7FF  Refused: Out of Resources
    A900-A9FF  Error: Data Set does not match SOP Class
    C000-CFFF  Error: Cannot understand
    B000       Coercion of Data Elements
    B006       Elements Discarded
    B007       Data Set does not match SOP Class
"""),
    ServiceClass.QR_FIND: _QR_FIND,
    ServiceClass.MODALITY_WORKLIST: _QR_FIND,
    ServiceClass.QR_MOVE: _meanings(
        _RETRIEVE,
        """
    A801       Refused: Move Destination unknown
    B000       Sub-operations complete, one or more failures
""",
    ),
    ServiceClass.QR_GET: _meanings(
        _RETRIEVE,
        """
    B000       Sub-operations complete, one or more failures or warnings
""",
    ),
    ServiceClass.DIMSE_N: _meanings(_SUCCESS),
    ServiceClass.STORAGE_COMMITMENT: _meanings(_SUCCESS),
    ServiceClass.MPPS: _meanings("""
    0000       Success
    0001       Requested optional Attributes are not supported
"""),
    ServiceClass.PRINT: _meanings("""
    0000       Success
    B600       Memory allocation not supported
    B601       Film session printing (collation) is not supported
    B602       Film Session has no Image Box SOP Instances (empty page)
    B603       Film Box has no Image Box SOP Instances (empty page)
    B604       Image larger than the image box: demagnified
    B605       Requested density outside the printer's range: range limit used
    B609       Image larger than the image box: cropped to fit
    B60A       Image or combined print image larger than the box: decimated
    C600       Film Session has no Film Box SOP Instances
    C601       Unable to create Print Job SOP Instance; print queue is full
    C602       Unable to create Print Job SOP Instance (Film Box); queue is full
    C603       Image size is larger than image box size
    C605       Insufficient memory in printer to store the image
    C613       Combined print image size is larger than the image box size
    C616       An existing film box has not been printed
"""),
}

_CATEGORY_MEANING: Final = {
    StatusCategory.SUCCESS: "Success",
    StatusCategory.PENDING: "Pending",
    StatusCategory.CANCEL: "Cancel",
    StatusCategory.WARNING: "Warning",
    StatusCategory.FAILURE: "Failure",
}


def _lookup(table: _Meanings, code: int) -> str | None:
    for first, last, meaning in table:
        if first <= code <= last:
            return meaning
    return None


# --- status-related fields (PS3.7 Annex C: the fields of each status type, C.4, C.5) -----

_OFFENDING_AND_COMMENT: Final = frozenset({"offending_element", "error_comment"})
_CLASS_UID: Final = "affected_sop_class_uid"
_INSTANCE_UID: Final = "affected_sop_instance_uid"

# Fixed codes.  0x0122 is listed with Affected SOP Class UID by dcm4che and with Error
# Comment by pynetdicom; the Annex C entry could not be read, so both are allowed.
_RELATED_BY_CODE: Final[dict[int, frozenset[str]]] = {
    0x0105: frozenset({"attribute_identifier_list"}),
    0x0107: frozenset({_CLASS_UID, _INSTANCE_UID, "attribute_identifier_list"}),
    0x0110: frozenset({_CLASS_UID, _INSTANCE_UID, "error_comment", "error_id"}),
    0x0111: frozenset({_INSTANCE_UID}),
    0x0112: frozenset({_INSTANCE_UID}),
    0x0113: frozenset({_CLASS_UID, "event_type_id"}),
    0x0114: frozenset({_CLASS_UID, "event_type_id", "action_type_id"}),
    0x0115: frozenset({_CLASS_UID, _INSTANCE_UID, "event_type_id", "action_type_id"}),
    0x0117: frozenset({_INSTANCE_UID}),
    0x0118: frozenset({_CLASS_UID}),
    0x0119: frozenset({_CLASS_UID, _INSTANCE_UID}),
    0x0120: frozenset({"attribute_identifier_list"}),  # dcm4che sends it; Annex C unread
    0x0121: frozenset({"attribute_identifier_list"}),
    0x0122: frozenset({_CLASS_UID, "error_comment"}),
    0x0123: frozenset({_CLASS_UID, "action_type_id"}),
    0x0124: frozenset({"error_comment"}),
}


def related_fields(code: int) -> frozenset[str]:
    """Attribute names of the status-related fields Annex C allows with ``code``."""
    fixed = _RELATED_BY_CODE.get(code)
    if fixed is not None:
        return fixed
    if code & 0xFF00 in (0x0100, 0x0200):
        return frozenset()  # the other reserved general codes: Status only
    if code & 0xFF00 == 0xA700 or code == 0xA801:
        return frozenset({"error_comment"})  # Refused: Out of Resources / Move Destination
    if code == 0x0001 or code & 0xF000 in (0xA000, 0xB000, 0xC000):
        return _OFFENDING_AND_COMMENT  # generic Warning (C.4.1) and Failure (C.5)
    return frozenset()  # Success, Pending, Cancel: Status only


# PS3.7 9.1.x: only C-FIND, C-GET and C-MOVE have Pending and Cancel; FF01 is C-FIND's.
PENDING_CODES_BY_SERVICE: Final[dict[str, frozenset[int]]] = {
    "C-FIND": PENDING_CODES | CANCEL_CODES,
    "C-GET": frozenset({PENDING}) | CANCEL_CODES,
    "C-MOVE": frozenset({PENDING}) | CANCEL_CODES,
}
"""The Pending and Cancel statuses each service may answer with; a service not named
here has none."""


def refused_statuses(service: str) -> frozenset[int]:
    """The Pending and Cancel statuses the DIMSE ``service`` (e.g. ``"C-STORE"``) may not
    answer with: every other status of a class is allowed (PS3.7 9.1, 10.1)."""
    return (PENDING_CODES | CANCEL_CODES) - PENDING_CODES_BY_SERVICE.get(service, frozenset())


class Status(int):
    """A DIMSE status code (0000,0900) with its class and its meanings.

    It is an ``int`` (``Status(0xFF00) == 0xFF00``), so it goes wherever a code goes.
    Codes outside every class of PS3.7 Annex C (for example 0x0002, 0xD000, 0xFF02) are
    refused.  Codes of a valid class that no table lists are kept verbatim and described
    by their class.
    """

    __slots__ = ()

    def __new__(cls, code: int) -> Status:
        if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= 0xFFFF:
            raise InvalidMessageError(
                "Status", ("code",), code, "a status is an int from 0 to 65535", "PS3.7 C"
            )
        if status_category(code) is None:
            raise InvalidMessageError(
                "Status",
                ("code",),
                code,
                f"0x{code:04X} belongs to no status class (Success 0000, Warning 0001/"
                "Bxxx/0107/0116, Failure Axxx/Cxxx/01xx/02xx, Cancel FE00, Pending "
                "FF00/FF01); no other value may be used",
                "PS3.7 Annex C",
            )
        return super().__new__(cls, code)

    @property
    def category(self) -> StatusCategory:
        """Success, Pending, Cancel, Warning or Failure, by the rule of PS3.7 Annex C."""
        category = status_category(self)
        assert category is not None  # refused at construction
        return category

    @property
    def is_success(self) -> bool:
        return self == SUCCESS

    @property
    def is_pending(self) -> bool:
        return self in PENDING_CODES

    @property
    def is_cancel(self) -> bool:
        return self in CANCEL_CODES

    @property
    def is_warning(self) -> bool:
        return self.category is StatusCategory.WARNING

    @property
    def is_failure(self) -> bool:
        return self.category is StatusCategory.FAILURE

    @property
    def is_final(self) -> bool:
        """True unless Pending: the response ends the operation."""
        return not self.is_pending

    def meaning(self, service_class: ServiceClass | None = None) -> str:
        """What the code means in ``service_class`` (PS3.4), else its general meaning.

        Lookup order: the service class's own table, the fixed general codes of PS3.7
        Annex C, then the name of the code's class ("Warning", "Failure", ...).
        """
        if service_class is not None:
            found = _lookup(_MEANINGS[service_class], self)
            if found is not None:
                return found
        found = _lookup(_GENERAL, self)
        if found is not None:
            return found
        return _CATEGORY_MEANING[self.category]

    def related_fields(self) -> frozenset[str]:
        """Attribute names of the status-related fields PS3.7 Annex C allows with this code."""
        return related_fields(self)

    def __repr__(self) -> str:
        return f"Status(0x{int(self):04X})"

    def __reduce__(self) -> tuple[type[Status], tuple[int]]:
        return (Status, (int(self),))


# Every Status made by to_status, by its code: Status is immutable, and the codes of a
# class are bounded (about 13,000), so one object serves every message with that code.
_STATUSES: Final[dict[int, Status]] = {}


def to_status(value: int) -> Status:
    """Converter: int -> Status; an invalid code is passed on for the validator to refuse."""
    if type(value) is Status:
        return value
    if type(value) is int:
        found = _STATUSES.get(value)
        if found is not None:
            return found
        if status_category(value) is not None:
            found = _STATUSES[value] = int.__new__(Status, value)
            return found
    return value  # type: ignore[return-value]  # the validator refuses it with context


declare_converter(to_status, InlineConverter(Status))
