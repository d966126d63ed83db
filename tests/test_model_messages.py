"""The 23 message classes: construction, value semantics, and every PS3.7 condition."""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest
from pydicom.dataset import Dataset

import dimsekit as dk

STUDY_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
STUDY_MOVE = "1.2.840.10008.5.1.4.1.2.2.2"
CT = "1.2.840.10008.5.1.4.1.1.2"
FILM_SESSION = "1.2.840.10008.5.1.1.1"
ID = b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY "

# the fewest fields each class can be built with, and every field at once
MINIMAL: dict[type[dk.Message], dict[str, Any]] = {
    dk.CStoreRequest: {"message_id": 1, "affected_sop_class_uid": CT,
                       "affected_sop_instance_uid": "1.2.3", "data_set": ID},
    dk.CStoreResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CFindRequest: {"message_id": 1, "affected_sop_class_uid": STUDY_FIND, "identifier": ID},
    dk.CFindResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CGetRequest: {"message_id": 1, "affected_sop_class_uid": STUDY_MOVE, "identifier": ID},
    dk.CGetResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CMoveRequest: {"message_id": 1, "affected_sop_class_uid": STUDY_MOVE,
                      "move_destination": "STORESCP", "identifier": ID},
    dk.CMoveResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CEchoRequest: {"message_id": 1},
    dk.CEchoResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CCancelRequest: {"message_id_being_responded_to": 1},
    dk.NEventReportRequest: {"message_id": 1, "affected_sop_class_uid": "1.2.840.10008.1.20.1",
                             "affected_sop_instance_uid": "1.2.840.10008.1.20.1.1",
                             "event_type_id": 1},
    dk.NEventReportResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.NGetRequest: {"message_id": 1, "requested_sop_class_uid": "1.2.840.10008.5.1.1.16",
                     "requested_sop_instance_uid": "1.2.840.10008.5.1.1.17"},
    dk.NGetResponse: {"message_id_being_responded_to": 1, "status": 0, "attribute_list": b""},
    dk.NSetRequest: {"message_id": 1, "requested_sop_class_uid": FILM_SESSION,
                     "requested_sop_instance_uid": "1.2.3", "modification_list": ID},
    dk.NSetResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.NActionRequest: {"message_id": 1, "requested_sop_class_uid": FILM_SESSION,
                        "requested_sop_instance_uid": "1.2.3", "action_type_id": 1},
    dk.NActionResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.NCreateRequest: {"message_id": 1, "affected_sop_class_uid": FILM_SESSION},
    dk.NCreateResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.NDeleteRequest: {"message_id": 1, "requested_sop_class_uid": FILM_SESSION,
                        "requested_sop_instance_uid": "1.2.3"},
    dk.NDeleteResponse: {"message_id_being_responded_to": 1, "status": 0},
}  # fmt: skip

FULL: dict[type[dk.Message], dict[str, Any]] = {
    dk.CStoreRequest: {"priority": 1, "move_originator_application_entity_title": "MOVESCU",
                       "move_originator_message_id": 7},
    dk.CStoreResponse: {"status": 0xB000, "affected_sop_class_uid": CT,
                        "affected_sop_instance_uid": "1.2.3", "offending_element": ["PatientID"],
                        "error_comment": "coerced"},
    dk.CFindRequest: {"priority": 2},
    dk.CFindResponse: {"status": 0xFF01, "affected_sop_class_uid": STUDY_FIND, "identifier": ID},
    dk.CGetRequest: {"priority": 1},
    dk.CGetResponse: {"status": 0xFE00, "affected_sop_class_uid": STUDY_MOVE,
                      "number_of_remaining_suboperations": 2,
                      "number_of_completed_suboperations": 1,
                      "number_of_failed_suboperations": 0,
                      "number_of_warning_suboperations": 0, "identifier": ID},
    dk.CMoveRequest: {"priority": 2},
    dk.CMoveResponse: {"status": 0xA900, "affected_sop_class_uid": STUDY_MOVE,
                       "number_of_completed_suboperations": 1,
                       "number_of_failed_suboperations": 1,
                       "number_of_warning_suboperations": 0, "offending_element": [0x00080052],
                       "error_comment": "bad level", "identifier": ID},
    dk.CEchoRequest: {"affected_sop_class_uid": "1.2.840.10008.1.1"},
    dk.CEchoResponse: {"status": 0xC000, "affected_sop_class_uid": "1.2.840.10008.1.1",
                       "offending_element": [0x00000002], "error_comment": "cannot"},
    dk.CCancelRequest: {},
    dk.NEventReportRequest: {"event_information": ID},
    dk.NEventReportResponse: {"affected_sop_class_uid": "1.2.840.10008.1.20.1",
                              "affected_sop_instance_uid": "1.2.840.10008.1.20.1.1",
                              "event_type_id": 1, "event_reply": ID},
    dk.NGetRequest: {"attribute_identifier_list": [0x21100010]},
    dk.NGetResponse: {"status": 0x0107, "affected_sop_class_uid": "1.2.840.10008.5.1.1.16",
                      "affected_sop_instance_uid": "1.2.840.10008.5.1.1.17",
                      "attribute_identifier_list": [0x21100099]},
    dk.NSetRequest: {},
    dk.NSetResponse: {"status": 0x0110, "affected_sop_class_uid": FILM_SESSION,
                      "affected_sop_instance_uid": "1.2.3", "error_comment": "failed",
                      "error_id": 0xA710, "attribute_list": ID},
    dk.NActionRequest: {"action_information": ID},
    dk.NActionResponse: {"affected_sop_class_uid": FILM_SESSION,
                         "affected_sop_instance_uid": "1.2.3", "action_type_id": 1,
                         "action_reply": ID},
    dk.NCreateRequest: {"affected_sop_instance_uid": "1.2.3", "attribute_list": ID},
    dk.NCreateResponse: {"affected_sop_class_uid": FILM_SESSION,
                         "affected_sop_instance_uid": "1.2.3", "attribute_list": ID},
    dk.NDeleteRequest: {},
    dk.NDeleteResponse: {"status": 0x0112, "affected_sop_instance_uid": "1.2.3"},
}  # fmt: skip

CLASSES = list(MINIMAL)
by_class = pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)


def build(cls: type[dk.Message], **changes: Any) -> Any:
    return cls(**{**MINIMAL[cls], **FULL[cls], **changes})


def refusal(cls: type[dk.Message], values: dict[str, Any]) -> dk.InvalidMessageError:
    with pytest.raises(dk.InvalidMessageError) as caught:
        cls(**values)
    assert caught.value.message_class == cls.__name__
    assert caught.value.reference
    return caught.value


def test_there_are_23_classes() -> None:
    assert len(CLASSES) == 23 == len(dk.MESSAGE_CLASSES)
    assert set(CLASSES) == set(dk.MESSAGE_CLASSES.values())


@by_class
def test_minimal_and_full_construction(cls: type[dk.Message]) -> None:
    minimal, full = cls(**MINIMAL[cls]), build(cls)
    for name in MINIMAL[cls]:
        assert getattr(minimal, name) is not None
    for name in FULL[cls]:
        assert getattr(full, name) is not None


@by_class
def test_value_semantics(cls: type[dk.Message]) -> None:
    message = build(cls)
    assert message == build(cls)
    assert hash(message) == hash(build(cls))
    assert pickle.loads(pickle.dumps(message)) == message
    assert message.wire is None
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        message.message_id_being_responded_to = 9
    with pytest.raises(TypeError):
        cls(*MINIMAL[cls].values())
    changed = attrs.evolve(message, **{next(iter(MINIMAL[cls])): 2})
    assert changed != message
    assert repr(message).startswith(f"{cls.__name__}(")


@by_class
def test_evolve_validates_again(cls: type[dk.Message]) -> None:
    first = next(iter(MINIMAL[cls]))
    with pytest.raises(dk.InvalidMessageError):
        attrs.evolve(build(cls), **{first: 70000})


@by_class
def test_required_fields_refuse_none(cls: type[dk.Message]) -> None:
    for name in MINIMAL[cls]:
        if name in ("message_id", "message_id_being_responded_to", "status", "event_type_id",
                    "action_type_id"):  # fmt: skip
            error = refusal(cls, {**MINIMAL[cls], name: None})
            assert error.fields == (name,)


def test_a_dataset_payload_makes_the_message_unhashable() -> None:
    dataset = Dataset()
    dataset.PatientID = "1"
    message = dk.CStoreRequest(**{**MINIMAL[dk.CStoreRequest], "data_set": dataset})
    assert message == dk.CStoreRequest(**{**MINIMAL[dk.CStoreRequest], "data_set": dataset})
    with pytest.raises(TypeError, match="mutable pydicom Dataset"):
        hash(message)


# --- conditions, each accepted and refused ---------------------------------------------------

ACCEPTED: list[tuple[type[dk.Message], dict[str, Any]]] = [
    (dk.CFindResponse, {"status": 0xFF00, "identifier": ID}),
    (dk.CFindResponse, {"status": 0x0000}),
    (dk.CFindResponse, {"status": 0xFE00}),
    (dk.CMoveResponse, {"status": 0xFF00, "number_of_remaining_suboperations": 1,
                        "number_of_completed_suboperations": 0,
                        "number_of_failed_suboperations": 0,
                        "number_of_warning_suboperations": 0}),
    (dk.CMoveResponse, {"status": 0xFE00, "number_of_remaining_suboperations": 1}),
    (dk.CMoveResponse, {"status": 0x0000, "number_of_completed_suboperations": 3}),
    (dk.CMoveResponse, {"status": 0xB000, "identifier": ID}),
    (dk.CGetResponse, {"status": 0xA702, "number_of_failed_suboperations": 3, "identifier": ID}),
    (dk.CStoreRequest, {"move_originator_application_entity_title": "A",
                        "move_originator_message_id": 1}),
    (dk.CStoreResponse, {"status": 0xA700, "error_comment": "full"}),
    (dk.CStoreResponse, {"status": 0xA900, "offending_element": [0x00100010]}),
    (dk.CStoreResponse, {"status": 0xB007, "offending_element": [0x00100010]}),
    (dk.NSetResponse, {"status": 0x0110, "error_id": 3}),
    (dk.NSetResponse, {"status": 0x0105, "attribute_identifier_list": [0x00100010]}),
    (dk.NCreateResponse, {"status": 0x0121, "attribute_identifier_list": [0x00100010]}),
    (dk.NCreateResponse, {"status": 0x0000, "affected_sop_instance_uid": "1.2"}),
    (dk.NCreateResponse, {"status": 0x0116, "affected_sop_instance_uid": "1.2"}),
    (dk.NCreateResponse, {"status": 0x0111, "affected_sop_instance_uid": "1.2"}),
    (dk.NGetResponse, {"status": 0x0000, "attribute_list": ID}),
    (dk.NGetResponse, {"status": 0x0107}),
    (dk.NGetResponse, {"status": 0x0112, "attribute_list": None}),
    (dk.NActionResponse, {"status": 0x0000, "action_type_id": 1, "action_reply": ID}),
    (dk.NActionResponse, {"status": 0x0000, "action_type_id": 1}),
    (dk.NActionResponse, {"status": 0x0123, "action_type_id": 7}),
    # pynetdicom and DCMTK's print SCP echo the type ID with every status (PS3.7 10.1.4.1.5
    # grants it to a success response without forbidding it elsewhere)
    (dk.NActionResponse, {"status": 0x0112, "action_type_id": 1}),
    (dk.NEventReportResponse, {"status": 0x0110, "event_type_id": 1}),
    # pynetdicom sends a Success without an Attribute List when the handler returns none
    (dk.NGetResponse, {"status": 0x0000, "attribute_list": None}),
    # dcm4che lists the missing attributes with 0120
    (dk.NSetResponse, {"status": 0x0120, "attribute_identifier_list": [0x00400270]}),
    (dk.NActionResponse, {"status": 0x0115, "action_type_id": 1, "action_reply": ID}),
    (dk.NEventReportResponse, {"status": 0x0000, "event_type_id": 2, "event_reply": ID}),
    (dk.NEventReportResponse, {"status": 0x0113, "event_type_id": 9}),
    (dk.CEchoResponse, {"status": 0x0122, "error_comment": "no"}),
]  # fmt: skip

REFUSED: list[tuple[type[dk.Message], dict[str, Any], tuple[str, ...], str]] = [
    (dk.CFindResponse, {"status": 0xFF00}, ("identifier", "status"), "when its status is Pending"),
    (dk.CFindResponse, {"status": 0x0000, "identifier": ID}, ("identifier", "status"), "Pending"),
    (dk.CFindResponse, {"status": 0xA700, "identifier": ID}, ("identifier", "status"), "Pending"),
    (dk.CMoveResponse, {"status": 0xFF00, "number_of_completed_suboperations": 0,
                        "number_of_failed_suboperations": 0, "number_of_warning_suboperations": 0},
     ("number_of_remaining_suboperations", "status"), "required with Pending"),
    (dk.CMoveResponse, {"status": 0x0000, "number_of_remaining_suboperations": 0},
     ("number_of_remaining_suboperations", "status"), "absent with any other final status"),
    (dk.CGetResponse, {"status": 0xFF00, "number_of_remaining_suboperations": 1,
                       "number_of_failed_suboperations": 0, "number_of_warning_suboperations": 0},
     ("number_of_completed_suboperations", "status"), "required with Pending"),
    (dk.CGetResponse, {"status": 0x0000, "identifier": ID}, ("identifier", "status"),
     "Cancel, Warning or Failure"),
    (dk.CMoveResponse, {"status": 0xFF00, "number_of_remaining_suboperations": 1,
                        "number_of_completed_suboperations": 0,
                        "number_of_failed_suboperations": 0,
                        "number_of_warning_suboperations": 0, "identifier": ID},
     ("identifier", "status"), "final response"),
    (dk.CStoreRequest, {"move_originator_application_entity_title": "A"},
     ("move_originator_application_entity_title", "move_originator_message_id"), "both or neither"),
    (dk.CStoreRequest, {"move_originator_message_id": 4},
     ("move_originator_application_entity_title", "move_originator_message_id"), "both or neither"),
    (dk.CStoreResponse, {"status": 0, "error_comment": "x"}, ("error_comment", "status"),
     "Annex C"),
    (dk.CStoreResponse, {"status": 0xA700, "offending_element": [0x00100010]},
     ("offending_element", "status"), "Annex C"),
    (dk.CEchoResponse, {"status": 0x0211, "error_comment": "x"}, ("error_comment", "status"),
     "Annex C"),
    (dk.NSetResponse, {"status": 0x0112, "error_id": 3}, ("error_id", "status"), "Annex C"),
    (dk.NSetResponse, {"status": 0x0000, "attribute_identifier_list": [0x00100010]},
     ("attribute_identifier_list", "status"), "Annex C"),
    (dk.NCreateResponse, {"status": 0x0213, "affected_sop_instance_uid": "1.2"},
     ("affected_sop_instance_uid", "status"), "success response"),
    (dk.NGetResponse, {"status": 0x0112, "attribute_list": ID}, ("attribute_list", "status"),
     "absent with a Failure"),
    (dk.NActionResponse, {"status": 0x0000, "action_reply": ID}, ("action_type_id", "action_reply"),
     "required when action_reply"),
    (dk.NActionResponse, {"status": 0x0112, "action_type_id": 1, "action_reply": ID},
     ("action_reply", "status"), "success response"),
    (dk.NEventReportResponse, {"status": 0x0000, "event_reply": ID},
     ("event_type_id", "event_reply"), "required when event_reply"),
    (dk.NEventReportResponse, {"status": 0x0110, "event_type_id": 1, "event_reply": ID},
     ("event_reply", "status"), "success response"),
    (dk.NEventReportResponse, {"status": 0x0113, "event_type_id": 1, "event_reply": ID},
     ("event_reply", "status"), "0115"),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "values"), ACCEPTED, ids=lambda v: getattr(v, "__name__", ""))
def test_conditions_accept(cls: type[dk.Message], values: dict[str, Any]) -> None:
    message = cls(**{**MINIMAL[cls], **values})
    for name, value in values.items():
        assert (getattr(message, name) is None) == (value is None)


@pytest.mark.parametrize(
    ("cls", "values", "fields", "rule"), REFUSED, ids=lambda v: getattr(v, "__name__", "")
)
def test_conditions_refuse(
    cls: type[dk.Message], values: dict[str, Any], fields: tuple[str, ...], rule: str
) -> None:
    error = refusal(cls, {**MINIMAL[cls], **values})
    assert error.fields == fields
    assert rule in error.rule
    assert all(f"{cls.__name__}.{field}" in str(error) for field in fields)
    assert error.reference.startswith("PS3.")


@pytest.mark.parametrize(
    ("cls", "status"),
    [(dk.CStoreResponse, 0xFF00), (dk.CEchoResponse, 0xFE00), (dk.NGetResponse, 0xFF00),
     (dk.CMoveResponse, 0xFF01), (dk.CGetResponse, 0xFF01), (dk.NActionResponse, 0xFE00)],
)  # fmt: skip
def test_pending_and_cancel_only_where_the_service_has_them(
    cls: type[dk.Message], status: int
) -> None:
    error = refusal(cls, {**MINIMAL[cls], "status": status})
    assert error.fields == ("status",)
    assert "only C-FIND, C-GET and C-MOVE" in error.rule


# --- requirement codes (PS3.7 Tables 9.1-1 .. 10.1-6, 9.3-1 .. 10.3-12) ----------------------


@pytest.mark.parametrize(
    ("cls", "codes"),
    [
        (dk.CStoreRequest, {"message_id": "M", "affected_sop_class_uid": "M",
                            "affected_sop_instance_uid": "M", "priority": "M",
                            "move_originator_application_entity_title": "U",
                            "move_originator_message_id": "U", "data_set": "M"}),
        (dk.CFindResponse, {"message_id_being_responded_to": "M", "status": "M",
                            "affected_sop_class_uid": "U(=)", "offending_element": "A",
                            "error_comment": "A", "identifier": "C"}),
        (dk.NActionResponse, {"message_id_being_responded_to": "M", "status": "M",
                              "affected_sop_class_uid": "U", "affected_sop_instance_uid": "U",
                              "offending_element": "A", "error_comment": "A", "error_id": "A",
                              "action_type_id": "C(=)", "action_reply": "C"}),
        (dk.NCreateResponse, {"message_id_being_responded_to": "M", "status": "M",
                              "affected_sop_class_uid": "U(=)", "affected_sop_instance_uid": "C",
                              "offending_element": "A", "error_comment": "A", "error_id": "A",
                              "attribute_identifier_list": "A", "attribute_list": "U"}),
        (dk.CCancelRequest, {"message_id_being_responded_to": "M"}),
    ],
)  # fmt: skip
def test_requirement_codes(cls: type[dk.Message], codes: dict[str, str]) -> None:
    assert cls.requirements() == codes


@by_class
def test_data_set_field(cls: type[dk.Message]) -> None:
    expected = {
        dk.CStoreRequest: "data_set", dk.CFindRequest: "identifier", dk.CFindResponse: "identifier",
        dk.CGetRequest: "identifier", dk.CGetResponse: "identifier",
        dk.CMoveRequest: "identifier", dk.CMoveResponse: "identifier",
        dk.NEventReportRequest: "event_information", dk.NEventReportResponse: "event_reply",
        dk.NGetResponse: "attribute_list", dk.NSetRequest: "modification_list",
        dk.NSetResponse: "attribute_list", dk.NActionRequest: "action_information",
        dk.NActionResponse: "action_reply", dk.NCreateRequest: "attribute_list",
        dk.NCreateResponse: "attribute_list",
    }.get(cls)  # fmt: skip
    assert cls.data_set_field() == expected
    message = build(cls)
    assert (message.data_set_payload is not None) == (expected is not None)


# --- responses from requests -----------------------------------------------------------------

REQUESTS = [cls for cls in CLASSES if issubclass(cls, dk.Request)]


@pytest.mark.parametrize("cls", REQUESTS, ids=lambda cls: cls.__name__)
def test_response_copies_the_message_id_and_echoed_fields(cls: type[dk.Request[Any]]) -> None:
    request = build(cls, message_id=42)
    extra = {"attribute_list": b""} if cls is dk.NGetRequest else {}
    response = request.response(status=0, **extra)
    assert isinstance(response, cls.response_class)
    assert response.message_id_being_responded_to == 42
    for mine, theirs in cls.echoed:
        assert getattr(response, theirs) == getattr(request, mine)
    assert request.check_response(response) == []


def test_echoed_fields_are_left_out_where_the_status_forbids_them() -> None:
    action = build(dk.NActionRequest)
    failed = action.response(status=0x0112)
    assert failed.action_type_id is None
    assert failed.affected_sop_class_uid == action.requested_sop_class_uid
    assert action.response(status=0x0123).action_type_id == action.action_type_id
    create = build(dk.NCreateRequest)
    assert create.response(status=0x0213).affected_sop_instance_uid is None
    assert create.response(status=0x0111).affected_sop_instance_uid == "1.2.3"
    report = build(dk.NEventReportRequest)
    assert report.response(status=0x0110).event_type_id is None
    assert report.response(status=0, event_type_id=None).event_type_id is None


def test_check_response_lists_mismatches() -> None:
    move = build(dk.CMoveRequest, message_id=5)
    wrong = dk.CMoveResponse(
        message_id_being_responded_to=6, status=0, affected_sop_class_uid=STUDY_FIND
    )
    mismatches = move.check_response(wrong)
    assert [m.field for m in mismatches] == [
        "message_id_being_responded_to",
        "affected_sop_class_uid",
    ]
    assert "request's Message ID" in str(mismatches[0])
    other = move.check_response(dk.CFindResponse(message_id_being_responded_to=5, status=0))
    assert [m.field for m in other] == ["command_field"]
    assert "C-MOVE-RSP" in other[0].rule
    create = dk.NCreateRequest(message_id=1, affected_sop_class_uid=FILM_SESSION)
    (missing,) = create.check_response(create.response(status=0))
    assert missing.field == "affected_sop_instance_uid"
    assert create.check_response(create.response(status=0, affected_sop_instance_uid="9.9")) == []
    action = build(dk.NActionRequest)
    (typed,) = action.check_response(action.response(status=0, action_type_id=2))
    assert typed.field == "action_type_id"


@pytest.mark.parametrize("cls", [dk.CFindRequest, dk.CGetRequest, dk.CMoveRequest])
def test_cancel_names_the_operation(cls: type[dk.CFindRequest]) -> None:
    assert build(cls, message_id=9).cancel() == dk.CCancelRequest(message_id_being_responded_to=9)


@pytest.mark.parametrize(
    ("message", "service_class", "meaning"),
    [
        (dk.CFindResponse(message_id_being_responded_to=1, status=0xFF01, identifier=b"",
                          affected_sop_class_uid="1.2.840.10008.5.1.4.31"),
         dk.ServiceClass.MODALITY_WORKLIST, "Matches are continuing; one or more Optional Keys"),
        (dk.NSetResponse(message_id_being_responded_to=1, status=0x0110,
                         affected_sop_class_uid="1.2.840.10008.3.1.2.3.3"),
         dk.ServiceClass.MPPS, "Processing Failure"),
        (dk.NCreateResponse(message_id_being_responded_to=1, status=0xC616,
                            affected_sop_class_uid="1.2.840.10008.5.1.1.2"),
         dk.ServiceClass.PRINT, "An existing film box"),
        (dk.NActionResponse(message_id_being_responded_to=1, status=0x0000,
                            affected_sop_class_uid="1.2.840.10008.1.20.1"),
         dk.ServiceClass.STORAGE_COMMITMENT, "Success"),
        (dk.CStoreResponse(message_id_being_responded_to=1, status=0xB006),
         dk.ServiceClass.STORAGE, "Elements Discarded"),
        (dk.NDeleteResponse(message_id_being_responded_to=1, status=0x0211),
         dk.ServiceClass.DIMSE_N, "Unrecognized Operation"),
    ],
)  # fmt: skip
def test_status_meaning_for_the_response_service(
    message: dk.Response, service_class: dk.ServiceClass, meaning: str
) -> None:
    assert message.service_class is service_class
    assert message.status_meaning.startswith(meaning)


# --- the public names --------------------------------------------------------------------------


def test_every_public_name_exists_and_is_exported_once() -> None:
    names = dk.__all__
    assert len(names) == len(set(names))
    objects = [getattr(dk, name) for name in names]
    identities = [id(obj) for obj in objects if not isinstance(obj, str | int)]
    assert len(identities) == len(set(identities)), "two public names for one object"
    for cls in dk.MESSAGE_CLASSES.values():
        assert cls.__name__ in names
    assert {"encode_command", "decode_command", "fragment_message", "MessageAssembler"} <= set(
        names
    )
