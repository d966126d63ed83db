"""Status (0000,0900): the class rule, meanings per service class, related fields.

The references: PS3.7 Annex C (the status classes in its introduction; the related fields of
each status type in C.4 and C.5) and the service classes of PS3.4 (meanings: B.2.3, C.4).
"""

from __future__ import annotations

import copy
import pickle

import pytest

import dimsekit as dk
from dimsekit import ServiceClass as SC
from dimsekit import Status, StatusCategory

from .helpers import refused

SUCCESS, PENDING, CANCEL = StatusCategory.SUCCESS, StatusCategory.PENDING, StatusCategory.CANCEL
WARNING, FAILURE = StatusCategory.WARNING, StatusCategory.FAILURE

# every boundary of the class table of PS3.7 Annex C (its introduction)
CLASSES: list[tuple[int, StatusCategory]] = [
    (0x0000, SUCCESS),
    (0x0001, WARNING),
    (0x0100, FAILURE),
    (0x0105, FAILURE),
    (0x0106, FAILURE),
    (0x0107, WARNING),
    (0x0108, FAILURE),
    (0x0115, FAILURE),
    (0x0116, WARNING),
    (0x0117, FAILURE),
    (0x0125, FAILURE),  # unlisted, but 01xx: Failure by the class rule (pynetdicom says Unknown)
    (0x01FF, FAILURE),
    (0x0200, FAILURE),
    (0x0213, FAILURE),
    (0x02FF, FAILURE),
    (0xA000, FAILURE),
    (0xA700, FAILURE),
    (0xAFFF, FAILURE),
    (0xB000, WARNING),
    (0xBFFF, WARNING),
    (0xC000, FAILURE),
    (0xCFFF, FAILURE),
    (0xFE00, CANCEL),
    (0xFF00, PENDING),
    (0xFF01, PENDING),
]

# PS3.7 Annex C: codes not listed in the class table shall not be used
NO_CLASS = [
    0x0002, 0x0010, 0x00FF, 0x0300, 0x1000, 0x9FFF, 0xD000, 0xEFFF, 0xFDFF, 0xFE01, 0xFEFF,
    0xFF02, 0xFFFF,
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "category"), CLASSES, ids=lambda v: f"{v:04X}" if isinstance(v, int) else ""
)
def test_class_rule_of_annex_c(code: int, category: StatusCategory) -> None:
    status = Status(code)
    assert status == code and isinstance(status, int)
    assert repr(status) == f"Status(0x{code:04X})"
    assert status.category is category
    assert status.is_success == (category is SUCCESS)
    assert status.is_pending == (category is PENDING)
    assert status.is_cancel == (category is CANCEL)
    assert status.is_warning == (category is WARNING)
    assert status.is_failure == (category is FAILURE)
    assert status.is_final == (category is not PENDING)


@pytest.mark.parametrize("code", NO_CLASS, ids=lambda v: f"{v:04X}")
def test_codes_of_no_class_are_refused(code: int) -> None:
    with pytest.raises(dk.InvalidMessageError) as caught:
        Status(code)
    error = caught.value
    assert error.message_class == "Status"
    assert error.fields == ("code",)
    assert error.value == code
    assert f"0x{code:04X} belongs to no status class" in error.rule
    assert error.reference == "PS3.7 Annex C"
    field_error = refused(lambda: dk.CEchoResponse(message_id_being_responded_to=1, status=code))
    assert field_error.fields == ("status",)
    assert f"0x{code:04X}" in field_error.rule


@pytest.mark.parametrize("bad", [-1, 0x10000, 0x1B000, 0x1A900, 0x10100, -0x5000, 2**40])
def test_a_status_is_a_us_value(bad: int) -> None:
    # 0x1B000 & 0xF000 == 0xB000: without the range check it would pass for a Warning
    with pytest.raises(dk.InvalidMessageError, match="from 0 to 65535"):
        Status(bad)
    with pytest.raises(dk.InvalidMessageError) as caught:
        dk.CStoreResponse(message_id_being_responded_to=1, status=bad)
    assert caught.value.fields == ("status",)


@pytest.mark.parametrize("bad", [True, False, 0.0, "0", b"\0\0", None])
def test_a_status_is_an_int(bad: object) -> None:
    with pytest.raises(dk.InvalidMessageError, match="an int from 0 to 65535"):
        Status(bad)  # type: ignore[arg-type]
    with pytest.raises(dk.InvalidMessageError) as caught:
        dk.CEchoResponse(message_id_being_responded_to=1, status=bad)  # type: ignore[arg-type]
    assert caught.value.fields == ("status",)
    assert caught.value.value is bad


def test_status_is_an_int() -> None:
    status = Status(0xFF00)
    assert isinstance(status, int)
    assert status == 0xFF00
    assert int.__eq__(0xFF00, status)
    assert hash(status) == hash(0xFF00)
    assert {0xFF00: "pending"}[status] == "pending"
    assert status in {0xFF00, 0xFF01}
    assert int(status) == 0xFF00 and type(int(status)) is int
    assert f"{status:04X}" == "FF00"
    assert Status(0xA700) < Status(0xB000)
    assert Status(Status(0xB000)) == 0xB000


def test_status_pickles_and_copies() -> None:
    for code, _ in CLASSES:
        status = Status(code)
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            back = pickle.loads(pickle.dumps(status, protocol))
            assert type(back) is Status
            assert back == status
            assert back.category is status.category
        assert type(copy.copy(status)) is Status
        assert copy.deepcopy(status) == status


@pytest.mark.parametrize(
    ("code", "text"),
    [(0, "Status(0x0000)"), (0xFF01, "Status(0xFF01)"), (0xA7F3, "Status(0xA7F3)")],
)
def test_status_repr(code: int, text: str) -> None:
    assert repr(Status(code)) == text
    if code != 0xFF01:
        assert text in repr(dk.CStoreResponse(message_id_being_responded_to=1, status=code))


def test_a_message_field_holds_a_status() -> None:
    response = dk.CStoreResponse(message_id_being_responded_to=1, status=0xB000)
    assert type(response.status) is Status
    assert response.status.category is WARNING
    given = Status(0xB007)
    assert dk.CStoreResponse(message_id_being_responded_to=1, status=given).status is given


# --- meanings per service class (PS3.4 B.2.3, C.4; PS3.7 Annex C) --------------------------

MEANINGS: list[tuple[int, SC | None, str]] = [
    # B000: one code, three meanings
    (0xB000, SC.STORAGE, "Coercion of Data Elements"),
    (0xB000, SC.QR_MOVE, "Sub-operations complete, one or more failures"),
    (0xB000, SC.QR_GET, "Sub-operations complete, one or more failures or warnings"),
    (0xB000, SC.QR_FIND, "Warning"),
    (0xB000, None, "Warning"),
    # Storage, Table B.2-1: A7xx, A9xx and Cxxx are ranges
    (0x0000, SC.STORAGE, "Success"),
    (0xA700, SC.STORAGE, "Refused: Out of Resources"),
    (0xA7F3, SC.STORAGE, "Refused: Out of Resources"),
    (0xA7FF, SC.STORAGE, "Refused: Out of Resources"),
    (0xA900, SC.STORAGE, "Error: Data Set does not match SOP Class"),
    (0xA9AB, SC.STORAGE, "Error: Data Set does not match SOP Class"),
    (0xC000, SC.STORAGE, "Error: Cannot understand"),
    (0xCFFF, SC.STORAGE, "Error: Cannot understand"),
    (0xB006, SC.STORAGE, "Elements Discarded"),
    (0xB007, SC.STORAGE, "Data Set does not match SOP Class"),
    (0xA800, SC.STORAGE, "Failure"),  # unknown valid code: its class's meaning
    (0xB001, SC.STORAGE, "Warning"),
    (0x0117, SC.STORAGE, "Invalid SOP Instance"),  # a general code keeps its meaning
    # Q/R FIND, Table C.4-1: A700 alone, not the A7xx range
    (0xFF00, SC.QR_FIND, "Matches are continuing; current match is supplied"),
    (0xFF01, SC.QR_FIND, "Matches are continuing; one or more Optional Keys were not supported"),
    (0xFE00, SC.QR_FIND, "Matching terminated due to Cancel request"),
    (0x0000, SC.QR_FIND, "Matching is complete; no final Identifier is supplied"),
    (0xA700, SC.QR_FIND, "Refused: Out of Resources"),
    (0xA701, SC.QR_FIND, "Failure"),
    (0xA7F3, SC.QR_FIND, "Failure"),
    (0xA900, SC.QR_FIND, "Identifier does not match SOP Class"),
    (0xC123, SC.QR_FIND, "Unable to process"),
    (0x0122, SC.QR_FIND, "Refused: SOP Class Not Supported"),
    # Modality Worklist, Table K.4-1 (same codes as Q/R FIND)
    (
        0xFF01,
        SC.MODALITY_WORKLIST,
        "Matches are continuing; one or more Optional Keys were not supported",
    ),
    (0xA700, SC.MODALITY_WORKLIST, "Refused: Out of Resources"),
    # Q/R MOVE, Table C.4-2; A801 only there
    (0xA801, SC.QR_MOVE, "Refused: Move Destination unknown"),
    (0xA801, SC.QR_GET, "Failure"),
    (0xA801, SC.STORAGE, "Failure"),
    (0xA701, SC.QR_MOVE, "Refused: Out of Resources, unable to calculate number of matches"),
    (0xA702, SC.QR_GET, "Refused: Out of Resources, unable to perform sub-operations"),
    (0xA900, SC.QR_MOVE, "Identifier does not match SOP Class"),
    (0xAA00, SC.QR_GET, "None of the frames requested were found in the SOP Instance"),
    (0xAA04, SC.QR_MOVE, "Invalid Request"),
    (0xC000, SC.QR_MOVE, "Unable to process"),
    (0xFE00, SC.QR_MOVE, "Sub-operations terminated due to Cancel indication"),
    (0xFF00, SC.QR_GET, "Sub-operations are continuing"),
    (0x0000, SC.QR_MOVE, "Sub-operations complete, no failures"),
    # Verification, DIMSE-N, Storage Commitment: the general codes
    (0x0000, SC.VERIFICATION, "Success"),
    (0x0122, SC.VERIFICATION, "Refused: SOP Class Not Supported"),
    (0x0211, SC.VERIFICATION, "Unrecognized Operation"),
    (0x0000, SC.DIMSE_N, "Success"),
    (0x0001, SC.DIMSE_N, "Warning"),
    (0x0107, SC.DIMSE_N, "Attribute List warning"),
    (0x0116, SC.DIMSE_N, "Attribute Value Out of Range"),
    (0x0110, SC.STORAGE_COMMITMENT, "Processing Failure"),
    (0x0213, SC.STORAGE_COMMITMENT, "Resource Limitation"),
    # MPPS (F.7): 0001 has a meaning of its own
    (0x0001, SC.MPPS, "Requested optional Attributes are not supported"),
    (0x0110, SC.MPPS, "Processing Failure"),
    # Print Management (H)
    (0xB600, SC.PRINT, "Memory allocation not supported"),
    (0xB605, SC.PRINT, "Requested density outside the printer's range: range limit used"),
    (0xC613, SC.PRINT, "Combined print image size is larger than the image box size"),
    (0xC616, SC.PRINT, "An existing film box has not been printed"),
    (0xC604, SC.PRINT, "Failure"),  # retired, unlisted
    (0xB600, SC.STORAGE, "Warning"),
    # no service class: the general table, else the class
    (0x0105, None, "No Such Attribute"),
    (0x0106, None, "Invalid Attribute Value"),
    (0x0111, None, "Duplicate SOP Instance"),
    (0x0112, None, "No Such SOP Instance"),
    (0x0113, None, "No Such Event Type"),
    (0x0114, None, "No Such Argument"),
    (0x0115, None, "Invalid Argument Value"),
    (0x0118, None, "No Such SOP Class"),
    (0x0119, None, "Class-Instance Conflict"),
    (0x0120, None, "Missing Attribute"),
    (0x0121, None, "Missing Attribute Value"),
    (0x0123, None, "No Such Action"),
    (0x0124, None, "Refused: Not Authorized"),
    (0x0210, None, "Duplicate Invocation"),
    (0x0212, None, "Mistyped Argument"),
    (0x0213, None, "Resource Limitation"),
    (0x0000, None, "Success"),
    (0xFF00, None, "Pending"),
    (0xFF01, None, "Pending"),
    (0xFE00, None, "Cancel"),
    (0x0125, None, "Failure"),
    (0x02FF, None, "Failure"),
    (0xA123, None, "Failure"),
    (0xC123, None, "Failure"),
    (0xB123, None, "Warning"),
]


@pytest.mark.parametrize(("code", "service_class", "meaning"), MEANINGS)
def test_meaning_per_service_class(code: int, service_class: SC | None, meaning: str) -> None:
    assert Status(code).meaning(service_class) == meaning


@pytest.mark.parametrize("service_class", list(SC))
def test_every_service_class_describes_every_valid_code(service_class: SC) -> None:
    for code, category in CLASSES:
        meaning = Status(code).meaning(service_class)
        assert meaning
        # the general codes of Annex C are reserved: no service class redefines them
        if 0x0100 <= code <= 0x02FF:
            assert meaning == Status(code).meaning()
        if code == 0x0000:
            assert "Success" in meaning or "complete" in meaning
        if category is FAILURE and code & 0xF000 == 0xC000:
            assert meaning != "Warning"


# --- related fields (PS3.7 Annex C, C.4 and C.5) -------------------------------------------

OFFENDING_AND_COMMENT = {"offending_element", "error_comment"}
CLASS_UID, INSTANCE_UID = "affected_sop_class_uid", "affected_sop_instance_uid"

RELATED: list[tuple[int, set[str]]] = [
    (0x0000, set()),
    (0xFF00, set()),
    (0xFF01, set()),
    (0xFE00, set()),
    (0x0001, OFFENDING_AND_COMMENT),  # C.4.1 generic Warning
    (0xB000, OFFENDING_AND_COMMENT),
    (0xB006, OFFENDING_AND_COMMENT),
    (0xB007, OFFENDING_AND_COMMENT),
    (0xBFFF, OFFENDING_AND_COMMENT),
    (0xA000, OFFENDING_AND_COMMENT),  # C.5 generic Failure
    (0xA900, OFFENDING_AND_COMMENT),
    (0xA9FF, OFFENDING_AND_COMMENT),
    (0xC000, OFFENDING_AND_COMMENT),
    (0xC123, OFFENDING_AND_COMMENT),
    (0xCFFF, OFFENDING_AND_COMMENT),
    (0xA700, {"error_comment"}),  # Refused: Out of Resources
    (0xA701, {"error_comment"}),
    (0xA7FF, {"error_comment"}),
    (0xA801, {"error_comment"}),  # Refused: Move Destination unknown
    (0x0105, {"attribute_identifier_list"}),
    (0x0106, set()),  # data set echo only
    (0x0107, {CLASS_UID, INSTANCE_UID, "attribute_identifier_list"}),
    (0x0110, {CLASS_UID, INSTANCE_UID, "error_comment", "error_id"}),
    (0x0111, {INSTANCE_UID}),
    (0x0112, {INSTANCE_UID}),
    (0x0113, {CLASS_UID, "event_type_id"}),
    (0x0114, {CLASS_UID, "event_type_id", "action_type_id"}),
    (0x0115, {CLASS_UID, INSTANCE_UID, "event_type_id", "action_type_id"}),
    (0x0116, set()),  # data set echo only
    (0x0117, {INSTANCE_UID}),
    (0x0118, {CLASS_UID}),
    (0x0119, {CLASS_UID, INSTANCE_UID}),
    (0x0121, {"attribute_identifier_list"}),
    (0x0123, {CLASS_UID, "action_type_id"}),
    (0x0124, {"error_comment"}),
    (0x0100, set()),
    (0x01FF, set()),
    (0x0210, set()),
    (0x0211, set()),
    (0x0212, set()),
    (0x0213, set()),
    (0x02FF, set()),
]


@pytest.mark.parametrize(
    ("code", "fields"), RELATED, ids=lambda v: f"{v:04X}" if isinstance(v, int) else ""
)
def test_related_fields_per_annex_c(code: int, fields: set[str]) -> None:
    related = Status(code).related_fields()
    assert related == fields
    assert isinstance(related, frozenset)


def _valid(code: int) -> bool:
    try:
        Status(code)
    except dk.InvalidMessageError:
        return False
    return True


def test_every_code_of_a_class_is_valid() -> None:
    # PS3.7 Annex C, class by class: Success, Pending, Cancel,
    # Warning (0001, Bxxx, 0107, 0116), Failure (01xx but two, 02xx, Axxx, Cxxx)
    count = sum(_valid(code) for code in range(0x10000))
    assert count == 1 + 2 + 1 + (1 + 4096 + 2) + (256 - 2 + 256 + 4096 + 4096)


def test_error_id_goes_with_processing_failure_only() -> None:
    valid = [Status(code) for code in range(0x10000) if _valid(code)]
    assert [code for code in valid if "error_id" in code.related_fields()] == [0x0110]


def test_0122_allows_both_disputed_fields() -> None:
    # dcm4che (Affected SOP Class UID) and pynetdicom (Error Comment) disagree, both allowed
    assert Status(0x0122).related_fields() == {CLASS_UID, "error_comment"}


def test_service_classes() -> None:
    assert {sc.name for sc in SC} == {
        "VERIFICATION", "STORAGE", "QR_FIND", "QR_GET", "QR_MOVE", "MODALITY_WORKLIST",
        "DIMSE_N", "STORAGE_COMMITMENT", "MPPS", "PRINT",
    }  # fmt: skip
    assert [c.value for c in StatusCategory] == [
        "success", "pending", "cancel", "warning", "failure"
    ]  # fmt: skip


# --- Pending and Cancel per service, declared once -------------------------------------


@pytest.mark.parametrize(
    ("service", "refused"),
    [
        ("C-FIND", set()),
        ("C-GET", {0xFF01}),
        ("C-MOVE", {0xFF01}),
        ("C-STORE", {0xFF00, 0xFF01, 0xFE00}),
        ("C-ECHO", {0xFF00, 0xFF01, 0xFE00}),
        ("N-ACTION", {0xFF00, 0xFF01, 0xFE00}),
    ],
)
def test_the_pending_and_cancel_statuses_a_service_may_not_answer_with(
    service: str, refused: set[int]
) -> None:
    """PS3.7 9.1, 10.1: one table, from which the validator and both fast paths take
    what each service refuses; every other status of a class is allowed."""
    from dimsekit._model.status import CANCEL_CODES, PENDING_CODES, refused_statuses

    assert refused_statuses(service) == refused
    assert {0xFF00, 0xFF01} == PENDING_CODES and {0xFE00} == CANCEL_CODES  # PS3.7 C.2, C.3
    for code in refused:  # the validator refuses them, naming the service
        with pytest.raises(dk.InvalidMessageError, match=f"{service} has no"):
            _response_of(service)(message_id_being_responded_to=1, status=code)


def _response_of(service: str) -> type[dk.Response]:
    from dimsekit.messages import MESSAGE_CLASSES

    return next(
        cls
        for field, cls in MESSAGE_CLASSES.items()
        if field.is_response and field.service == service
    )  # type: ignore[return-value]


def test_a_status_code_converts_to_one_object() -> None:
    """to_status remembers each Status it made (Status is immutable): every message
    with the code shares it, and a code of no class is passed on as it was."""
    from dimsekit._model.status import to_status

    first, second = to_status(0xB000), to_status(0xB000)
    assert type(first) is Status and first is second and first == 0xB000
    assert to_status(0x0002) == 0x0002 and type(to_status(0x0002)) is int
    assert to_status(True) is True  # type: ignore[comparison-overlap]
