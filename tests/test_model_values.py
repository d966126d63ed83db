"""Value types: UI, AE, US, AT, LO, Priority, CommandField, Status, DataSetPayload."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag
from pydicom.uid import UID

import dimsekit as dk
from dimsekit import ServiceClass, Status, StatusCategory

CT = "1.2.840.10008.5.1.4.1.1.2"


def echo(**values: Any) -> dk.CEchoRequest:
    return dk.CEchoRequest(**{"message_id": 1, **values})


def refusal(build: Any) -> dk.InvalidMessageError:
    with pytest.raises(dk.InvalidMessageError) as caught:
        build()
    assert isinstance(caught.value, ValueError)
    return caught.value


# --- UI ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (CT, CT),
        (CT.encode(), CT),
        (CT + "\0", CT),
        (CT.encode() + b"\0", CT),
        (CT + " ", CT),
        ("0", "0"),
        ("1." + "2" * 62, "1." + "2" * 62),
    ],
)
def test_uids_are_normalised_to_pydicom_uids(given: str | bytes, kept: str) -> None:
    uid = echo(affected_sop_class_uid=given).affected_sop_class_uid
    assert uid == kept
    assert type(uid) is UID
    assert UID(CT).name == echo(affected_sop_class_uid=CT).affected_sop_class_uid.name


@pytest.mark.parametrize(
    ("given", "rule"),
    [
        ("", "1 to 64"),
        ("\0", "1 to 64"),
        ("1." + "2" * 63, "1 to 64"),
        ("1..2", "no empty component"),
        (".1", "no empty component"),
        ("1.", "no empty component"),
        ("1.02", "no leading zero"),
        ("01.2", "no leading zero"),
        ("1.2a", "only digits and dots"),
        ("1 .2", "only digits and dots"),
        (12, "str or bytes"),
    ],
)
def test_bad_uids_are_refused(given: object, rule: str) -> None:
    error = refusal(lambda: echo(affected_sop_class_uid=given))
    assert error.message_class == "CEchoRequest"
    assert error.fields == ("affected_sop_class_uid",)
    assert rule in error.rule
    assert error.reference == "PS3.5 9.1"
    assert "CEchoRequest.affected_sop_class_uid" in str(error)


# --- AE ----------------------------------------------------------------------------------


def move(destination: object) -> dk.CMoveRequest:
    return dk.CMoveRequest(
        message_id=1,
        affected_sop_class_uid="1.2.840.10008.5.1.4.1.2.2.2",
        move_destination=destination,  # type: ignore[arg-type]
        identifier=b"",
    )


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("STORESCP", "STORESCP"),
        ("  STORE SCP ", "STORE SCP"),
        (b"ANY_AE-1 ", "ANY_AE-1"),
        ("A" * 16, "A" * 16),
    ],
)
def test_ae_titles_lose_insignificant_spaces(given: str | bytes, kept: str) -> None:
    assert move(given).move_destination == kept


@pytest.mark.parametrize(
    ("given", "rule"),
    [
        ("", "not be empty or all spaces"),
        ("    ", "not be empty or all spaces"),
        ("A" * 17, "at most 16"),
        ("BACK\\SLASH", "without backslash"),
        ("TAB\tAE", "control characters"),
        ("ÉCHO", "Default Character Repertoire"),
        (7, "str or bytes"),
    ],
)
def test_bad_ae_titles_are_refused(given: object, rule: str) -> None:
    error = refusal(lambda: move(given))
    assert error.fields == ("move_destination",)
    assert rule in error.rule


# --- US ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 0x7FFF, 0xFFFF])
def test_us_accepts_0_to_65535(value: int) -> None:
    assert echo(message_id=value).message_id == value


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (-1, "0 to 65535"),
        (0x10000, "0 to 65535"),
        (True, "an int"),
        ("7", "an int"),
        (1.0, "an int"),
    ],
)
def test_us_refuses_the_rest(value: object, rule: str) -> None:
    error = refusal(lambda: echo(message_id=value))
    assert error.fields == ("message_id",)
    assert rule in error.rule
    assert error.value == value


# --- AT ----------------------------------------------------------------------------------


def failure(**values: Any) -> dk.CStoreResponse:
    return dk.CStoreResponse(**{"message_id_being_responded_to": 1, "status": 0xC000, **values})


def test_tags_in_any_form_become_base_tags() -> None:
    tags = failure(
        offending_element=[0x00100010, "PatientID", (0x0010, 0x0030), BaseTag(0x00100040)]
    ).offending_element
    assert tags == (0x00100010, 0x00100020, 0x00100030, 0x00100040)
    assert tags is not None and all(type(tag) is BaseTag for tag in tags)


@pytest.mark.parametrize(
    ("given", "rule"),
    [
        ([], "at least one tag"),
        (["NoSuchKeyword"], "not a DICOM tag"),
        ([2**32], "not a DICOM tag"),
        ("PatientID", "a sequence of tags"),
        (0x00100010, "a sequence of tags"),
    ],
)
def test_bad_tag_lists_are_refused(given: object, rule: str) -> None:
    error = refusal(lambda: failure(offending_element=given))
    assert error.fields == ("offending_element",)
    assert rule in error.rule


def test_an_empty_attribute_identifier_list_means_all_in_n_get() -> None:
    rq = dk.NGetRequest(
        message_id=1, requested_sop_class_uid="1.2", requested_sop_instance_uid="1.3",
        attribute_identifier_list=[],
    )  # fmt: skip
    assert rq.attribute_identifier_list == ()


# --- LO ----------------------------------------------------------------------------------


def test_error_comment_is_lo() -> None:
    assert failure(error_comment="  disk full ").error_comment == "disk full"
    assert failure(error_comment=b"x" * 64).error_comment == "x" * 64
    for bad, rule in [
        ("x" * 65, "at most 64"),
        ("a\\b", "without backslash"),
        ("é", "Default"),
        ("  ", "empty"),
    ]:
        assert rule in refusal(lambda bad=bad: failure(error_comment=bad)).rule


@pytest.mark.parametrize(
    ("text", "fitted"),
    [("short", "short"), ("x" * 70, "x" * 64), ("naïve\\path", "na?ve?path"), ("   ", "?")],
)
def test_truncate_error_comment_is_explicit(text: str, fitted: str) -> None:
    assert dk.truncate_error_comment(text) == fitted
    assert failure(error_comment=dk.truncate_error_comment(text)).error_comment == fitted


# --- Priority and CommandField -------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"), [(0, dk.Priority.MEDIUM), (1, dk.Priority.HIGH), (2, dk.Priority.LOW)]
)
def test_priority_takes_plain_ints(given: int, kept: dk.Priority) -> None:
    rq = dk.CFindRequest(message_id=1, affected_sop_class_uid="1.2", priority=given, identifier=b"")
    assert rq.priority is kept
    assert (
        dk.CFindRequest(message_id=1, affected_sop_class_uid="1.2", identifier=b"").priority
        is dk.Priority.MEDIUM
    )


@pytest.mark.parametrize("bad", [3, -1, "HIGH"])
def test_priority_refuses_other_values(bad: object) -> None:
    values: dict[str, Any] = {"priority": bad}
    error = refusal(
        lambda: dk.CFindRequest(
            message_id=1, affected_sop_class_uid="1.2", identifier=b"", **values
        )
    )
    assert error.fields == ("priority",)
    assert "MEDIUM" in error.rule


def test_command_field_has_the_23_codes() -> None:
    codes = {field.message_name: int(field) for field in dk.CommandField}
    assert codes == {
        "C-STORE-RQ": 0x0001, "C-STORE-RSP": 0x8001, "C-GET-RQ": 0x0010, "C-GET-RSP": 0x8010,
        "C-FIND-RQ": 0x0020, "C-FIND-RSP": 0x8020, "C-MOVE-RQ": 0x0021, "C-MOVE-RSP": 0x8021,
        "C-ECHO-RQ": 0x0030, "C-ECHO-RSP": 0x8030, "N-EVENT-REPORT-RQ": 0x0100,
        "N-EVENT-REPORT-RSP": 0x8100, "N-GET-RQ": 0x0110, "N-GET-RSP": 0x8110,
        "N-SET-RQ": 0x0120, "N-SET-RSP": 0x8120, "N-ACTION-RQ": 0x0130, "N-ACTION-RSP": 0x8130,
        "N-CREATE-RQ": 0x0140, "N-CREATE-RSP": 0x8140, "N-DELETE-RQ": 0x0150,
        "N-DELETE-RSP": 0x8150, "C-CANCEL-RQ": 0x0FFF,
    }  # fmt: skip
    assert all(field.is_response == field.message_name.endswith("RSP") for field in dk.CommandField)
    assert dk.CommandField.N_EVENT_REPORT_RSP.service == "N-EVENT-REPORT"


# --- attribute names from keywords ---------------------------------------------------------

NAMES = [
    "message_id",
    "message_id_being_responded_to",
    "affected_sop_class_uid",
    "affected_sop_instance_uid",
    "requested_sop_class_uid",
    "requested_sop_instance_uid",
    "priority",
    "move_destination",
    "status",
    "offending_element",
    "error_comment",
    "error_id",
    "event_type_id",
    "attribute_identifier_list",
    "action_type_id",
    "number_of_remaining_suboperations",
    "number_of_completed_suboperations",
    "number_of_failed_suboperations",
    "number_of_warning_suboperations",
    "move_originator_application_entity_title",
    "move_originator_message_id",
]


def test_attribute_names_are_derived_mechanically_from_keywords() -> None:
    derived = {dk.attribute_name(spec.keyword) for spec in dk.COMMAND_ELEMENTS}
    assert set(NAMES) <= derived
    assert dk.attribute_name("MessageIDBeingRespondedTo") == "message_id_being_responded_to"
    assert dk.attribute_name("MoveOriginatorApplicationEntityTitle") == (
        "move_originator_application_entity_title"
    )
    used = {name for cls in dk.MESSAGE_CLASSES.values() for name in cls.requirements()}
    data_sets = {"data_set", "identifier", "event_information", "event_reply"}
    data_sets |= {"attribute_list", "modification_list", "action_information", "action_reply"}
    assert used - data_sets == set(NAMES)


# --- Status --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "category"),
    [
        (0x0000, StatusCategory.SUCCESS),
        (0x0001, StatusCategory.WARNING),
        (0x0100, StatusCategory.FAILURE),
        (0x0107, StatusCategory.WARNING),
        (0x0116, StatusCategory.WARNING),
        (0x0117, StatusCategory.FAILURE),
        (0x01FF, StatusCategory.FAILURE),
        (0x0200, StatusCategory.FAILURE),
        (0x02FF, StatusCategory.FAILURE),
        (0xA000, StatusCategory.FAILURE),
        (0xAFFF, StatusCategory.FAILURE),
        (0xB000, StatusCategory.WARNING),
        (0xBFFF, StatusCategory.WARNING),
        (0xC000, StatusCategory.FAILURE),
        (0xCFFF, StatusCategory.FAILURE),
        (0xFE00, StatusCategory.CANCEL),
        (0xFF00, StatusCategory.PENDING),
        (0xFF01, StatusCategory.PENDING),
    ],
)
def test_status_classes_follow_annex_c(code: int, category: StatusCategory) -> None:
    status = Status(code)
    assert status == code and isinstance(status, int)
    assert status.category is category
    assert status.is_final == (category is not StatusCategory.PENDING)
    assert pickle.loads(pickle.dumps(status)) == status
    assert repr(status) == f"Status(0x{code:04X})"


@pytest.mark.parametrize(
    "code", [0x0002, 0x00FF, 0x0300, 0x9FFF, 0xD000, 0xFDFF, 0xFE01, 0xFEFF, 0xFF02, 0xFFFF]
)
def test_codes_of_no_class_are_refused(code: int) -> None:
    with pytest.raises(dk.InvalidMessageError, match="no status class"):
        Status(code)
    error = refusal(lambda: dk.CEchoResponse(message_id_being_responded_to=1, status=code))
    assert error.fields == ("status",)
    assert f"0x{code:04X}" in error.rule


def test_meanings_depend_on_the_service_class() -> None:
    assert Status(0xB000).meaning(ServiceClass.STORAGE) == "Coercion of Data Elements"
    assert (
        Status(0xB000).meaning(ServiceClass.QR_MOVE)
        == "Sub-operations complete, one or more failures"
    )
    assert "or warnings" in Status(0xB000).meaning(ServiceClass.QR_GET)
    assert Status(0xA801).meaning(ServiceClass.QR_MOVE) == "Refused: Move Destination unknown"
    assert Status(0xA801).meaning(ServiceClass.QR_GET) == "Failure"
    assert Status(0xA7F3).meaning(ServiceClass.STORAGE) == "Refused: Out of Resources"
    assert Status(0xA7F3).meaning(ServiceClass.QR_FIND) == "Failure"  # only A700 there
    assert Status(0x0110).meaning(ServiceClass.MPPS) == "Processing Failure"
    assert Status(0x0001).meaning(ServiceClass.MPPS).startswith("Requested optional")
    assert Status(0xC613).meaning(ServiceClass.PRINT).startswith("Combined print image")
    assert (
        Status(0xFF01).meaning(ServiceClass.MODALITY_WORKLIST).startswith("Matches are continuing")
    )
    assert Status(0xB123).meaning() == "Warning"  # unknown but valid: its class
    assert Status(0x0125).meaning() == "Failure"
    assert Status(0x0213).meaning() == "Resource Limitation"


@pytest.mark.parametrize(
    ("code", "fields"),
    [
        (0x0000, set()),
        (0xFF00, set()),
        (0xFE00, set()),
        (0xB000, {"offending_element", "error_comment"}),
        (0x0001, {"offending_element", "error_comment"}),
        (0xA900, {"offending_element", "error_comment"}),
        (0xC123, {"offending_element", "error_comment"}),
        (0xA700, {"error_comment"}),
        (0xA801, {"error_comment"}),
        (
            0x0110,
            {"affected_sop_class_uid", "affected_sop_instance_uid", "error_comment", "error_id"},
        ),
        (
            0x0107,
            {"affected_sop_class_uid", "affected_sop_instance_uid", "attribute_identifier_list"},
        ),
        (0x0105, {"attribute_identifier_list"}),
        (0x0121, {"attribute_identifier_list"}),
        (0x0123, {"affected_sop_class_uid", "action_type_id"}),
        (0x0113, {"affected_sop_class_uid", "event_type_id"}),
        (0x0124, {"error_comment"}),
        (0x0211, set()),
    ],
)
def test_related_fields_per_annex_c(code: int, fields: set[str]) -> None:
    assert Status(code).related_fields() == fields


# --- DataSetPayload ------------------------------------------------------------------------


def test_payload_holds_buffers_without_copying() -> None:
    buffer = bytearray(b"\x08\x00\x18\x00")
    payload = dk.DataSetPayload(buffer)
    assert isinstance(payload.encoded, memoryview)
    buffer[0] = 9
    assert payload.encoded[0] == 9
    assert len(payload) == 4
    assert payload.is_encoded and payload.dataset is None


def test_payload_equality_and_honest_hashing() -> None:
    assert dk.DataSetPayload(b"ab") == dk.DataSetPayload(memoryview(b"ab"))
    assert hash(dk.DataSetPayload(b"ab")) == hash(dk.DataSetPayload(memoryview(b"ab")))
    dataset = Dataset()
    dataset.PatientID = "1"
    same = Dataset()
    same.PatientID = "1"
    assert dk.DataSetPayload(dataset) == dk.DataSetPayload(same)
    assert dk.DataSetPayload(dataset) != dk.DataSetPayload(b"ab")
    for unhashable in (dk.DataSetPayload(dataset), dk.DataSetPayload(bytearray(b"ab"))):
        with pytest.raises(TypeError, match="unhashable"):
            hash(unhashable)
    with pytest.raises(TypeError, match="no byte length"):
        len(dk.DataSetPayload(dataset))
    assert repr(dk.DataSetPayload(b"abcd")) == "DataSetPayload(<4 bytes>)"
    assert repr(dk.DataSetPayload(dataset)) == "DataSetPayload(<Dataset, 1 elements>)"


def test_payload_pickles_and_refuses_other_types() -> None:
    for payload in (dk.DataSetPayload(b"ab"), dk.DataSetPayload(bytearray(b"cd"))):
        assert pickle.loads(pickle.dumps(payload)) == payload
    with pytest.raises(TypeError, match="bytes, bytearray, memoryview or a pydicom Dataset"):
        dk.DataSetPayload(12)  # type: ignore[arg-type]
    error = refusal(
        lambda: dk.CFindRequest(message_id=1, affected_sop_class_uid="1.2", identifier=12)  # type: ignore[arg-type]
    )
    assert error.fields == ("identifier",)
