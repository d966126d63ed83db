"""Responses that answer their requests: response(), check_response(), cancel(), meanings.

References: the (=) codes of the PS3.7 parameter tables 9.1-1 .. 10.1-6, PS3.7 10.1.5.1.4
(the N-CREATE response names the instance it created) and the status meanings of PS3.4
(B.2.3, C.4) and PS3.7 Annex C.
"""

from __future__ import annotations

from typing import Any

import pytest

import dimsekit as dk
from dimsekit import ServiceClass as SC

from .message_examples import CLASSES, COMMITMENT, ID, PRINTER, REQUESTS, build

ANSWERS: dict[type[dk.Message], type[dk.Response]] = {
    dk.CEchoRequest: dk.CEchoResponse, dk.CStoreRequest: dk.CStoreResponse,
    dk.CFindRequest: dk.CFindResponse, dk.CGetRequest: dk.CGetResponse,
    dk.CMoveRequest: dk.CMoveResponse, dk.NEventReportRequest: dk.NEventReportResponse,
    dk.NGetRequest: dk.NGetResponse, dk.NSetRequest: dk.NSetResponse,
    dk.NActionRequest: dk.NActionResponse, dk.NCreateRequest: dk.NCreateResponse,
    dk.NDeleteRequest: dk.NDeleteResponse,
}  # fmt: skip

CLASS, INSTANCE = "affected_sop_class_uid", "affected_sop_instance_uid"
ADDRESSED = {CLASS: "requested_sop_class_uid", INSTANCE: "requested_sop_instance_uid"}
# response field <- request field, for a Success (PS3.7 9.1, 10.1: U(=), C(=), and the DIMSE-N
# Requested SOP Class/Instance UID answered as the Affected ones)
ECHOED: dict[type[dk.Message], dict[str, str]] = {
    dk.CEchoRequest: {CLASS: CLASS},
    dk.CStoreRequest: {CLASS: CLASS, INSTANCE: INSTANCE},
    dk.CFindRequest: {CLASS: CLASS},
    dk.CGetRequest: {CLASS: CLASS},
    dk.CMoveRequest: {CLASS: CLASS},
    dk.NEventReportRequest: {CLASS: CLASS, INSTANCE: INSTANCE, "event_type_id": "event_type_id"},
    dk.NGetRequest: ADDRESSED,
    dk.NSetRequest: ADDRESSED,
    dk.NActionRequest: {**ADDRESSED, "action_type_id": "action_type_id"},
    dk.NCreateRequest: {CLASS: CLASS, INSTANCE: INSTANCE},
    dk.NDeleteRequest: ADDRESSED,
}
by_request = pytest.mark.parametrize("cls", REQUESTS, ids=lambda cls: cls.__name__)


def test_every_request_is_answered() -> None:
    assert set(ANSWERS) == set(REQUESTS) == set(ECHOED)
    assert dk.CCancelRequest in CLASSES and not issubclass(dk.CCancelRequest, dk.Request)
    for request, answer in ANSWERS.items():
        assert request.response_class is answer  # type: ignore[attr-defined]
        assert answer.command_field == request.command_field | 0x8000
        # what each class declares it echoes (request field, response field) is the table
        assert {theirs: mine for mine, theirs in request.echoed} == ECHOED[request]  # type: ignore[attr-defined]


@by_request
def test_response_copies_the_message_id_and_echoes(cls: type[dk.Request[Any]]) -> None:
    request = build(cls, message_id=42)
    answer = request.response(status=0)
    assert type(answer) is ANSWERS[cls]
    assert answer.message_id_being_responded_to == 42
    assert answer.status == 0 and type(answer.status) is dk.Status
    for theirs, mine in ECHOED[cls].items():
        assert getattr(answer, theirs) == getattr(request, mine)
        assert getattr(answer, theirs) is not None
    for name in answer.requirements():
        if name not in ECHOED[cls] and name not in ("message_id_being_responded_to", "status"):
            assert getattr(answer, name) is None, name
    assert request.check_response(answer) == []


@by_request
def test_response_echoes_u_fields_with_a_failure_too(cls: type[dk.Request[Any]]) -> None:
    request = build(cls)
    answer = request.response(status=0xC000, error_comment="no")
    for theirs, mine in ECHOED[cls].items():
        if cls is dk.NCreateRequest and theirs == INSTANCE:  # PS3.7 10.1.5.1.4: success only
            assert answer.affected_sop_instance_uid is None
        elif theirs in (CLASS, INSTANCE):
            assert getattr(answer, theirs) == getattr(request, mine)
        else:  # Event/Action Type ID: not with a generic failure
            assert getattr(answer, theirs) is None
    assert answer.error_comment == "no"
    assert request.check_response(answer) == []


@by_request
def test_response_overrides_and_leaves_out(cls: type[dk.Request[Any]]) -> None:
    request = build(cls)
    for name in ECHOED[cls]:
        assert getattr(request.response(status=0, **{name: None}), name) is None
    name = next(iter(ECHOED[cls]))
    answer = request.response(status=0, **{name: "1.2.3.4"})
    assert getattr(answer, name) == "1.2.3.4"


@by_request
def test_response_refuses_what_its_class_refuses(cls: type[dk.Request[Any]]) -> None:
    with pytest.raises(dk.InvalidMessageError) as caught:
        build(cls).response(status=0xD000)
    assert caught.value.message_class == ANSWERS[cls].__name__
    assert caught.value.fields == ("status",)
    with pytest.raises(dk.InvalidMessageError) as caught:
        build(cls).response(status=0, error_comment="x" * 65)
    assert caught.value.fields == ("error_comment",)


# where the status does not allow an echoed field, it is left out
TYPE_ID_ECHO = [
    (dk.NActionRequest, "action_type_id", [0x0000, 0x0001, 0x0107, 0x0114, 0x0115, 0x0123],
     [0x0110, 0x0112, 0x0117, 0x0213, 0xC000]),
    (dk.NEventReportRequest, "event_type_id", [0x0000, 0x0107, 0x0113, 0x0114, 0x0115],
     [0x0110, 0x0112, 0x0119, 0x0213, 0xC000]),
    (dk.NCreateRequest, INSTANCE, [0x0000, 0x0107, 0x0116, 0x0110, 0x0111, 0x0117, 0x0119],
     [0x0105, 0x0106, 0x0118, 0x0120, 0x0121, 0x0213, 0xA700]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("cls", "name", "status", "echoed"),
    [
        pytest.param(cls, name, code, code in yes, id=f"{cls.__name__}-{code:04X}")
        for cls, name, yes, no in TYPE_ID_ECHO
        for code in yes + no
    ],
)
def test_response_echoes_only_where_the_status_allows(
    cls: type[dk.Request[Any]], name: str, status: int, echoed: bool
) -> None:
    request = build(cls)
    answer = request.response(status=status)
    assert getattr(answer, name) == (getattr(request, name) if echoed else None)
    assert answer.affected_sop_class_uid == getattr(request, ECHOED[cls][CLASS])  # U: always
    assert request.check_response(answer) == []


@pytest.mark.parametrize(
    ("status", "carried"),
    [(0x0000, True), (0x0001, True), (0x0107, True), (0x0116, True), (0xB000, True),
     (0x0106, False), (0x0110, False), (0x0112, False), (0x0122, False), (0xC000, False)],
)  # fmt: skip
def test_n_get_response_carries_its_attribute_list_only_with_success_or_warning(
    status: int, carried: bool
) -> None:
    # PS3.7 10.1.2.1.6: in a success response (Success or a Warning), not with a failure,
    # even one (0106, 0110) whose Annex C entry lists other fields
    assert dk.NGetResponse.may_carry("attribute_list", dk.Status(status)) is carried


def test_query_retrieve_responses() -> None:
    find = build(dk.CFindRequest, message_id=3)
    match = find.response(status=0xFF00, identifier=ID)
    assert match.identifier == dk.DataSetPayload(ID)
    assert match.affected_sop_class_uid == find.affected_sop_class_uid
    assert find.response(status=0xFE00).identifier is None
    with pytest.raises(dk.InvalidMessageError, match="exactly when its status is Pending"):
        find.response(status=0xFF01)
    move = build(dk.CMoveRequest, message_id=7)
    pending = move.response(status=0xFF00, number_of_remaining_suboperations=2,
                            number_of_completed_suboperations=1, number_of_failed_suboperations=0,
                            number_of_warning_suboperations=0)  # fmt: skip
    assert move.check_response(pending) == []
    with pytest.raises(dk.InvalidMessageError, match="required with Pending"):
        move.response(status=0xFF00)
    failed = build(dk.CGetRequest).response(
        status=0xA702, number_of_failed_suboperations=4, identifier=ID
    )
    assert failed.identifier is not None and failed.number_of_remaining_suboperations is None


# --- check_response ------------------------------------------------------------------------


def test_a_wrong_message_id_is_a_mismatch() -> None:
    request = build(dk.CEchoRequest, message_id=5)
    (mismatch,) = request.check_response(
        dk.CEchoResponse(message_id_being_responded_to=6, status=0)
    )
    assert mismatch == dk.ResponseMismatch(
        "message_id_being_responded_to",
        5,
        6,
        "must equal the request's Message ID (PS3.7 9.3, 10.3)",
    )
    assert str(mismatch) == (
        "message_id_being_responded_to: must equal the request's Message ID (PS3.7 9.3, 10.3) "
        "(request 5, response 6)"
    )
    (overridden,) = request.check_response(
        request.response(status=0, message_id_being_responded_to=9)
    )
    assert overridden.field == "message_id_being_responded_to"


UNEQUAL = [
    (dk.CEchoRequest, CLASS),
    (dk.CStoreRequest, CLASS),
    (dk.CStoreRequest, INSTANCE),
    (dk.CFindRequest, CLASS),
    (dk.CGetRequest, CLASS),
    (dk.CMoveRequest, CLASS),
    (dk.NEventReportRequest, CLASS),
    (dk.NEventReportRequest, INSTANCE),
    (dk.NEventReportRequest, "event_type_id"),
    (dk.NActionRequest, "action_type_id"),
    (dk.NCreateRequest, CLASS),
    (dk.NCreateRequest, INSTANCE),
]


@pytest.mark.parametrize(("cls", "name"), UNEQUAL, ids=lambda v: getattr(v, "__name__", str(v)))
def test_a_differing_equal_field_is_a_mismatch(cls: type[dk.Request[Any]], name: str) -> None:
    request = build(cls)
    other = 77 if name.endswith("type_id") else "1.2.3.4.5"
    (mismatch,) = request.check_response(request.response(status=0, **{name: other}))
    assert mismatch.field == name
    assert mismatch.request_value == getattr(request, name)
    assert mismatch.response_value == other
    assert "if present, must equal the request's" in mismatch.rule
    # (=) binds only a field that is present
    assert request.check_response(request.response(status=0, **{name: None})) == []


@pytest.mark.parametrize(
    "cls", [dk.NGetRequest, dk.NSetRequest, dk.NActionRequest, dk.NDeleteRequest],
    ids=lambda cls: cls.__name__,
)  # fmt: skip
def test_plain_u_uids_of_dimse_n_responses_are_not_compared(cls: type[dk.Request[Any]]) -> None:
    # PS3.7 Tables 10.1-2, 10.1-3, 10.1-4, 10.1-6: Affected SOP Class/Instance UID are U, not U(=)
    request = build(cls)
    answer = request.response(
        status=0, affected_sop_class_uid="1.2.9", affected_sop_instance_uid="1.2.9"
    )
    assert request.check_response(answer) == []


def test_the_wrong_response_class_is_one_mismatch() -> None:
    move: dk.CMoveRequest = build(dk.CMoveRequest, message_id=5)
    answer = dk.CFindResponse(
        message_id_being_responded_to=6, status=0, affected_sop_class_uid="1.2"
    )
    (mismatch,) = move.check_response(answer)  # type: ignore[arg-type]
    assert mismatch.field == "command_field"
    assert mismatch.request_value == "C-MOVE-RQ"
    assert mismatch.response_value == dk.CommandField.C_FIND_RSP
    assert mismatch.rule == "the answer to a C-MOVE-RQ is a C-MOVE-RSP"
    store: dk.CStoreRequest = build(dk.CStoreRequest)
    cancel: dk.CCancelRequest = build(dk.CCancelRequest)
    assert [m.field for m in store.check_response(cancel)] == ["command_field"]  # type: ignore[arg-type]


def test_mismatches_are_listed_in_order() -> None:
    store = build(dk.CStoreRequest, message_id=5)
    answer = dk.CStoreResponse(
        message_id_being_responded_to=4,
        status=0,
        affected_sop_class_uid="1.2.8",
        affected_sop_instance_uid="1.2.9",
    )
    assert [m.field for m in store.check_response(answer)] == [
        "message_id_being_responded_to", CLASS, INSTANCE,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "instance", "missing"),
    [(0x0000, None, True), (0x0107, None, True), (0x0001, None, True), (0x0000, "1.2.5", False),
     (0x0213, None, False), (0x0110, None, False), (0x0110, "1.2.5", False)],
)  # fmt: skip
def test_n_create_success_must_name_the_created_instance(
    status: int, instance: str | None, missing: bool
) -> None:
    # PS3.7 10.1.5.1.4: required in a success response when the requester gave no UID
    request = dk.NCreateRequest(message_id=1, affected_sop_class_uid="1.2.840.10008.5.1.1.1")
    answer = request.response(status=status, affected_sop_instance_uid=instance)
    mismatches = request.check_response(answer)
    assert [m.field for m in mismatches] == ([INSTANCE] if missing else [])
    if missing:
        assert "must name the instance the SCP created" in mismatches[0].rule
        assert "PS3.7 10.1.5.1.4" in mismatches[0].rule
    given = build(dk.NCreateRequest)  # the requester named the instance: it may be omitted
    assert given.check_response(given.response(status=status, affected_sop_instance_uid=None)) == []


# --- C-CANCEL ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls", [dk.CFindRequest, dk.CGetRequest, dk.CMoveRequest], ids=lambda cls: cls.__name__
)
def test_cancel_names_the_operation(cls: type[dk.CFindRequest]) -> None:
    cancel = build(cls, message_id=9).cancel()
    assert type(cancel) is dk.CCancelRequest
    assert cancel == dk.CCancelRequest(message_id_being_responded_to=9)
    assert cancel.command_field is dk.CommandField.C_CANCEL_RQ


def test_only_query_retrieve_requests_can_be_cancelled() -> None:
    for cls in REQUESTS:
        assert hasattr(cls, "cancel") == (cls in (dk.CFindRequest, dk.CGetRequest, dk.CMoveRequest))


# --- the status meaning for the response's own service -------------------------------------

DEFAULT_SERVICE = {
    dk.CEchoResponse: SC.VERIFICATION, dk.CStoreResponse: SC.STORAGE,
    dk.CFindResponse: SC.QR_FIND, dk.CGetResponse: SC.QR_GET, dk.CMoveResponse: SC.QR_MOVE,
    dk.NEventReportResponse: SC.DIMSE_N, dk.NGetResponse: SC.DIMSE_N,
    dk.NSetResponse: SC.DIMSE_N, dk.NActionResponse: SC.DIMSE_N,
    dk.NCreateResponse: SC.DIMSE_N, dk.NDeleteResponse: SC.DIMSE_N,
}  # fmt: skip


@pytest.mark.parametrize("cls", list(DEFAULT_SERVICE), ids=lambda cls: cls.__name__)
def test_each_response_has_its_service_class(cls: type[dk.Response]) -> None:
    answer = cls(message_id_being_responded_to=1, status=0)
    assert answer.service_class is DEFAULT_SERVICE[cls]
    assert answer.status_meaning == dk.Status(0).meaning(DEFAULT_SERVICE[cls])


MWL, MPPS, MPPS_RETRIEVE = (
    "1.2.840.10008.5.1.4.31",
    "1.2.840.10008.3.1.2.3.3",
    "1.2.840.10008.3.1.2.3.5",
)
FILM_BOX, IMAGE_BOX = "1.2.840.10008.5.1.1.2", "1.2.840.10008.5.1.1.4"
AVAILABILITY = "1.2.840.10008.5.1.4.33"
COUNTS = {"number_of_completed_suboperations": 1, "number_of_failed_suboperations": 1,
          "number_of_warning_suboperations": 0}  # fmt: skip

MEANINGS: list[tuple[type[dk.Message], int, dict[str, Any], SC, str]] = [
    (dk.CStoreResponse, 0xB000, {}, SC.STORAGE, "Coercion of Data Elements"),
    (dk.CStoreResponse, 0xA7F0, {}, SC.STORAGE, "Refused: Out of Resources"),
    (dk.CStoreResponse, 0xB007, {}, SC.STORAGE, "Data Set does not match SOP Class"),
    (dk.CStoreResponse, 0xB006, {}, SC.STORAGE, "Elements Discarded"),
    (dk.CMoveResponse, 0xB000, COUNTS, SC.QR_MOVE, "Sub-operations complete, one or more failures"),
    (dk.CGetResponse, 0xB000, COUNTS, SC.QR_GET,
     "Sub-operations complete, one or more failures or warnings"),
    (dk.CMoveResponse, 0xA801, {}, SC.QR_MOVE, "Refused: Move Destination unknown"),
    (dk.CGetResponse, 0xA801, {}, SC.QR_GET, "Failure"),
    (dk.CFindResponse, 0xFF01, {"identifier": ID}, SC.QR_FIND,
     "Matches are continuing; one or more Optional Keys were not supported"),
    (dk.CFindResponse, 0xA7F0, {}, SC.QR_FIND, "Failure"),
    (dk.CFindResponse, 0xFF00, {"identifier": ID, CLASS: MWL}, SC.MODALITY_WORKLIST,
     "Matches are continuing; current match is supplied"),
    (dk.CFindResponse, 0xFF01, {"identifier": ID, CLASS: MWL}, SC.MODALITY_WORKLIST,
     "Matches are continuing; one or more Optional Keys were not supported"),
    (dk.CFindResponse, 0xA700, {CLASS: MWL}, SC.MODALITY_WORKLIST, "Refused: Out of Resources"),
    (dk.CEchoResponse, 0x0000, {}, SC.VERIFICATION, "Success"),
    (dk.CEchoResponse, 0x0122, {}, SC.VERIFICATION, "Refused: SOP Class Not Supported"),
    (dk.NSetResponse, 0x0110, {CLASS: MPPS}, SC.MPPS, "Processing Failure"),
    (dk.NCreateResponse, 0x0001, {CLASS: MPPS}, SC.MPPS,
     "Requested optional Attributes are not supported"),
    (dk.NGetResponse, 0x0001, {CLASS: MPPS_RETRIEVE}, SC.MPPS,
     "Requested optional Attributes are not supported"),
    (dk.NGetResponse, 0x0001, {}, SC.DIMSE_N, "Warning"),
    (dk.NCreateResponse, 0xC616, {CLASS: FILM_BOX}, SC.PRINT,
     "An existing film box has not been printed"),
    (dk.NSetResponse, 0xB604, {CLASS: IMAGE_BOX}, SC.PRINT,
     "Image larger than the image box: demagnified"),
    (dk.NGetResponse, 0xB600, {CLASS: PRINTER}, SC.PRINT, "Memory allocation not supported"),
    (dk.NGetResponse, 0xB600, {}, SC.DIMSE_N, "Warning"),
    (dk.NActionResponse, 0x0000, {CLASS: COMMITMENT}, SC.STORAGE_COMMITMENT, "Success"),
    (dk.NEventReportResponse, 0x0110, {CLASS: COMMITMENT}, SC.STORAGE_COMMITMENT,
     "Processing Failure"),
    (dk.NCreateResponse, 0xC616, {CLASS: AVAILABILITY}, SC.DIMSE_N, "Failure"),
    (dk.NDeleteResponse, 0x0211, {}, SC.DIMSE_N, "Unrecognized Operation"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("cls", "status", "values", "service_class", "meaning"),
    [
        pytest.param(*case, id=f"{case[0].__name__}-{case[1]:04X}-{case[3].name}")
        for case in MEANINGS
    ],
)
def test_status_meaning_per_response_and_sop_class(
    cls: type[dk.Response], status: int, values: dict[str, Any], service_class: SC, meaning: str
) -> None:
    answer = cls(message_id_being_responded_to=1, status=status, **values)
    assert answer.service_class is service_class
    assert answer.status_meaning == meaning
