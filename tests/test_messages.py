"""The 23 message classes: construction, value semantics and every field's own rule.

The tables here (MINIMAL, VARIANTS) are shared with test_messages_rules.py and
test_messages_responses.py.  The fields and requirement codes are PS3.7's, as
ps37_message_fields.py declares them table by table.
"""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag
from pydicom.uid import UID

import dimsekit as dk

from .ps37_message_fields import DATA_SET_NAMES as PS37_DATA_SETS
from .ps37_message_fields import MESSAGE_FIELDS, PROTOCOL_FIELDS

STUDY_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
STUDY_MOVE = "1.2.840.10008.5.1.4.1.2.2.2"
STUDY_GET = "1.2.840.10008.5.1.4.1.2.2.3"
CT = "1.2.840.10008.5.1.4.1.1.2"
COMMITMENT = "1.2.840.10008.1.20.1"
COMMITMENT_INSTANCE = "1.2.840.10008.1.20.1.1"
FILM_SESSION = "1.2.840.10008.5.1.1.1"
PRINTER = "1.2.840.10008.5.1.1.16"
PRINTER_INSTANCE = "1.2.840.10008.5.1.1.17"
ID = b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY "  # QueryRetrieveLevel, Implicit VR LE

# the fewest fields each class is built with
MINIMAL: dict[type[dk.Message], dict[str, Any]] = {
    dk.CStoreRequest: {"message_id": 1, "affected_sop_class_uid": CT,
                       "affected_sop_instance_uid": "1.2.3", "data_set": ID},
    dk.CStoreResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CFindRequest: {"message_id": 1, "affected_sop_class_uid": STUDY_FIND, "identifier": ID},
    dk.CFindResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CGetRequest: {"message_id": 1, "affected_sop_class_uid": STUDY_GET, "identifier": ID},
    dk.CGetResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CMoveRequest: {"message_id": 1, "affected_sop_class_uid": STUDY_MOVE,
                      "move_destination": "STORESCP", "identifier": ID},
    dk.CMoveResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CEchoRequest: {"message_id": 1},
    dk.CEchoResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CCancelRequest: {"message_id_being_responded_to": 1},
    dk.NEventReportRequest: {"message_id": 1, "affected_sop_class_uid": COMMITMENT,
                             "affected_sop_instance_uid": COMMITMENT_INSTANCE,
                             "event_type_id": 1},
    dk.NEventReportResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.NGetRequest: {"message_id": 1, "requested_sop_class_uid": PRINTER,
                     "requested_sop_instance_uid": PRINTER_INSTANCE},
    dk.NGetResponse: {"message_id_being_responded_to": 1, "status": 0},
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

# additions to MINIMAL: together a class's variants use every optional field it has, each
# with a status that allows it (one status cannot allow them all)
COUNTS = {"number_of_completed_suboperations": 3, "number_of_failed_suboperations": 1,
          "number_of_warning_suboperations": 0}  # fmt: skip
VARIANTS: dict[type[dk.Message], list[dict[str, Any]]] = {
    dk.CStoreRequest: [{"priority": 1, "move_originator_application_entity_title": "MOVESCU",
                        "move_originator_message_id": 7}],
    dk.CStoreResponse: [{"status": 0xB000, "affected_sop_class_uid": CT,
                         "affected_sop_instance_uid": "1.2.3",
                         "offending_element": ["PatientID"], "error_comment": "coerced"}],
    dk.CFindRequest: [{"priority": 2}],
    dk.CFindResponse: [{"status": 0xFF01, "affected_sop_class_uid": STUDY_FIND,
                        "identifier": ID},
                       {"status": 0xC001, "offending_element": [0x00080052],
                        "error_comment": "bad key"}],
    dk.CGetRequest: [{"priority": 1}],
    dk.CGetResponse: [{"status": 0xFE00, "affected_sop_class_uid": STUDY_GET,
                       "number_of_remaining_suboperations": 2, **COUNTS, "identifier": ID},
                      {"status": 0xA900, **COUNTS, "offending_element": [0x00080052],
                       "error_comment": "bad level"}],
    dk.CMoveRequest: [{"priority": 2}],
    dk.CMoveResponse: [{"status": 0xFE00, "affected_sop_class_uid": STUDY_MOVE,
                        "number_of_remaining_suboperations": 2, **COUNTS, "identifier": ID},
                       {"status": 0xC000, **COUNTS, "offending_element": [0x00080052],
                        "error_comment": "bad level", "identifier": ID}],
    dk.CEchoRequest: [{"affected_sop_class_uid": "1.2.840.10008.1.1"}],
    dk.CEchoResponse: [{"status": 0xC000, "affected_sop_class_uid": "1.2.840.10008.1.1",
                        "offending_element": [0x00000002], "error_comment": "cannot"}],
    dk.CCancelRequest: [{}],
    dk.NEventReportRequest: [{"event_information": ID}],
    dk.NEventReportResponse: [{"affected_sop_class_uid": COMMITMENT,
                               "affected_sop_instance_uid": COMMITMENT_INSTANCE,
                               "event_type_id": 1, "event_reply": ID},
                              {"status": 0x0110, "error_comment": "failed", "error_id": 9},
                              {"status": 0xC000, "offending_element": [0x00081195]}],
    dk.NGetRequest: [{"attribute_identifier_list": [0x21100010]}],
    dk.NGetResponse: [{"affected_sop_class_uid": PRINTER,
                       "affected_sop_instance_uid": PRINTER_INSTANCE, "attribute_list": ID},
                      {"status": 0x0107, "attribute_identifier_list": [0x21100099],
                       "attribute_list": ID},
                      {"status": 0x0110, "error_comment": "failed", "error_id": 9},
                      {"status": 0xC000, "offending_element": [0x21100010]}],
    dk.NSetRequest: [{}],
    dk.NSetResponse: [{"affected_sop_class_uid": FILM_SESSION,
                       "affected_sop_instance_uid": "1.2.3", "attribute_list": ID},
                      {"status": 0x0105, "attribute_identifier_list": [0x20000010]},
                      {"status": 0x0110, "error_comment": "failed", "error_id": 0xA710},
                      {"status": 0xB600, "offending_element": [0x20000010]}],
    dk.NActionRequest: [{"action_information": ID}],
    dk.NActionResponse: [{"affected_sop_class_uid": FILM_SESSION,
                          "affected_sop_instance_uid": "1.2.3", "action_type_id": 1,
                          "action_reply": ID},
                         {"status": 0x0110, "error_comment": "failed", "error_id": 9},
                         {"status": 0xC600, "offending_element": [0x20000010]}],
    dk.NCreateRequest: [{"affected_sop_instance_uid": "1.2.3", "attribute_list": ID}],
    dk.NCreateResponse: [{"affected_sop_class_uid": FILM_SESSION,
                          "affected_sop_instance_uid": "1.2.3", "attribute_list": ID},
                         {"status": 0x0121, "attribute_identifier_list": [0x20000010]},
                         {"status": 0x0110, "error_comment": "failed", "error_id": 9},
                         {"status": 0xC000, "offending_element": [0x20000010]}],
    dk.NDeleteRequest: [{}],
    dk.NDeleteResponse: [{"affected_sop_class_uid": FILM_SESSION,
                          "affected_sop_instance_uid": "1.2.3"},
                         {"status": 0x0110, "error_comment": "failed", "error_id": 9},
                         {"status": 0xC000, "offending_element": [0x20000010]}],
}  # fmt: skip

CLASSES = list(MINIMAL)
REQUESTS = [cls for cls in CLASSES if issubclass(cls, dk.Request)]
RESPONSES = [cls for cls in CLASSES if issubclass(cls, dk.Response)]
DATA_SET_NAMES = {
    "data_set", "identifier", "event_information", "event_reply", "attribute_list",
    "modification_list", "action_information", "action_reply",
}  # fmt: skip
VR = {spec.name: spec.vr for spec in dk.COMMAND_ELEMENTS}


def class_id(value: object) -> str:
    return getattr(value, "__name__", "")


by_class = pytest.mark.parametrize("cls", CLASSES, ids=class_id)
by_variant = pytest.mark.parametrize(
    ("cls", "variant"),
    [
        pytest.param(cls, variant, id=f"{cls.__name__}-{index}")
        for cls in CLASSES
        for index, variant in enumerate(VARIANTS[cls])
    ],
)


def build(cls: type[dk.Message], variant: int = 0, **changes: Any) -> Any:
    """A message of ``cls`` with MINIMAL, one of its VARIANTS and ``changes``."""
    return cls(**{**MINIMAL[cls], **VARIANTS[cls][variant], **changes})


def refusal(cls: type[dk.Message], values: dict[str, Any]) -> dk.InvalidMessageError:
    """The error building ``cls`` from ``values`` raises, checked for what every error says."""
    with pytest.raises(dk.InvalidMessageError) as caught:
        cls(**values)
    error = caught.value
    assert error.message_class == cls.__name__
    assert error.fields
    assert all(f"{cls.__name__}.{name}" in str(error) for name in error.fields)
    assert error.rule in str(error)
    assert error.reference.startswith("PS3.")
    assert f"[{error.reference}]" in str(error)
    return error


def test_there_are_23_classes() -> None:
    assert len(CLASSES) == len(set(CLASSES)) == 23
    assert set(CLASSES) == set(dk.MESSAGE_CLASSES.values())
    assert len(REQUESTS) == 11 and len(RESPONSES) == 11  # and C-CANCEL-RQ


# --- construction --------------------------------------------------------------------------


@by_class
def test_built_with_the_required_fields_only(cls: type[dk.Message]) -> None:
    message: Any = cls(**MINIMAL[cls])
    for field in attrs.fields(cls):
        if not field.init:
            continue
        value = getattr(message, field.name)
        if field.name in MINIMAL[cls]:
            assert value is not None
        elif field.default is None:
            assert value is None
        else:  # M with a default: Priority MEDIUM, C-ECHO's Verification SOP Class
            assert value == field.default and field.name in ("priority", "affected_sop_class_uid")


@by_variant
def test_built_with_optional_fields(cls: type[dk.Message], variant: dict[str, Any]) -> None:
    message = cls(**{**MINIMAL[cls], **variant})
    for name in variant:
        assert getattr(message, name) is not None


@by_class
def test_the_variants_use_every_field(cls: type[dk.Message]) -> None:
    used = set(MINIMAL[cls]).union(*VARIANTS[cls])
    assert used == set(cls.requirements())


@by_class
def test_missing_required_fields_are_a_type_error(cls: type[dk.Message]) -> None:
    for name in MINIMAL[cls]:
        values = {key: value for key, value in MINIMAL[cls].items() if key != name}
        with pytest.raises(TypeError, match=name):
            cls(**values)


@by_class
def test_required_fields_refuse_none(cls: type[dk.Message]) -> None:
    mandatory = [name for name, code in cls.requirements().items() if code == "M"]
    assert mandatory
    for name in mandatory:
        error = refusal(cls, {**MINIMAL[cls], name: None})
        assert error.fields == (name,)
        assert error.value is None


@by_class
def test_unknown_fields_are_a_type_error(cls: type[dk.Message]) -> None:
    unknown: dict[str, Any] = {"command_data_set_type": 0x0101}  # the codec's, not a field
    private: dict[str, Any] = {"_wire": None}
    with pytest.raises(TypeError, match="command_data_set_type"):
        cls(**MINIMAL[cls], **unknown)
    with pytest.raises(TypeError):
        cls(**MINIMAL[cls], **private)


# --- value semantics -----------------------------------------------------------------------


@by_variant
def test_equality(cls: type[dk.Message], variant: dict[str, Any]) -> None:
    values = {**MINIMAL[cls], **variant}
    message = cls(**values)
    assert message == cls(**values)
    assert (message != cls(**values)) is False
    first = next(iter(MINIMAL[cls]))  # message_id or message_id_being_responded_to
    assert message != cls(**{**values, first: 2})
    other: object = values
    assert message != other


def test_messages_of_different_classes_are_never_equal() -> None:
    same = {"message_id_being_responded_to": 1, "status": 0}
    responses: list[object] = [cls(**same) for cls in RESPONSES]
    for index, message in enumerate(responses):
        for other_index, other in enumerate(responses):
            assert (message == other) == (index == other_index)


def test_normalised_inputs_give_equal_messages() -> None:
    a = dk.CStoreRequest(
        message_id=1,
        affected_sop_class_uid=CT + "\0",
        affected_sop_instance_uid=b"1.2.3\0",
        data_set=bytearray(ID),
        priority=0,
    )
    b = dk.CStoreRequest(
        message_id=1, affected_sop_class_uid=CT, affected_sop_instance_uid="1.2.3", data_set=ID
    )
    assert a == b


@by_variant
def test_hashable_with_bytes_payloads(cls: type[dk.Message], variant: dict[str, Any]) -> None:
    message = cls(**{**MINIMAL[cls], **variant})
    assert hash(message) == hash(cls(**{**MINIMAL[cls], **variant}))
    assert len({message, cls(**{**MINIMAL[cls], **variant})}) == 1


PAYLOAD_CLASSES = [cls for cls in CLASSES if cls.data_set_field() is not None]


@pytest.mark.parametrize("cls", PAYLOAD_CLASSES, ids=class_id)
def test_a_dataset_payload_makes_a_message_unhashable(cls: type[dk.Message]) -> None:
    name = cls.data_set_field()
    assert name is not None
    variant = next(
        i for i, values in enumerate(VARIANTS[cls]) if name in {**MINIMAL[cls], **values}
    )
    dataset = Dataset()
    dataset.PatientID = "1"
    message = build(cls, variant, **{name: dataset})
    assert message.data_set_payload.dataset is dataset
    assert message == build(cls, variant, **{name: dataset})
    with pytest.raises(TypeError, match="mutable pydicom Dataset"):
        hash(message)
    with pytest.raises(TypeError, match="mutable buffer"):
        hash(build(cls, variant, **{name: bytearray(ID)}))
    assert hash(build(cls, variant, **{name: memoryview(ID)})) == hash(build(cls, variant))


@by_variant
def test_pickling_round_trip(cls: type[dk.Message], variant: dict[str, Any]) -> None:
    message = cls(**{**MINIMAL[cls], **variant})
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(message, protocol))
        assert type(back) is cls
        assert back == message
        for field in attrs.fields(cls):
            if field.init:
                assert type(getattr(back, field.name)) is type(getattr(message, field.name))


@by_class
def test_frozen(cls: type[dk.Message]) -> None:
    message = build(cls)
    for name in cls.requirements():
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(message, name, getattr(message, name))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            delattr(message, name)
    with pytest.raises((attrs.exceptions.FrozenInstanceError, AttributeError)):
        message.not_a_field = 1
    assert message == build(cls)


@by_class
def test_slotted(cls: type[dk.Message]) -> None:
    assert "__slots__" in vars(cls)
    assert not hasattr(build(cls), "__dict__")


@by_class
def test_keyword_only(cls: type[dk.Message]) -> None:
    values = list(MINIMAL[cls].values())
    with pytest.raises(TypeError, match="positional"):
        cls(*values)
    rest = dict(list(MINIMAL[cls].items())[1:])
    with pytest.raises(TypeError, match="positional"):
        cls(values[0], **rest)  # type: ignore[call-arg]


@by_class
def test_evolve_changes_one_field(cls: type[dk.Message]) -> None:
    message = build(cls)
    first = next(iter(MINIMAL[cls]))
    changed = attrs.evolve(message, **{first: 0xFFFF})
    assert type(changed) is cls
    assert getattr(changed, first) == 0xFFFF
    assert getattr(message, first) == 1
    for name in cls.requirements():
        if name != first:
            assert getattr(changed, name) == getattr(message, name)
    assert attrs.evolve(changed, **{first: 1}) == message


@by_class
def test_evolve_validates_again(cls: type[dk.Message]) -> None:
    first = next(iter(MINIMAL[cls]))
    with pytest.raises(dk.InvalidMessageError) as caught:
        attrs.evolve(build(cls), **{first: 70000})
    assert caught.value.fields == (first,)
    assert caught.value.message_class == cls.__name__


@by_class
def test_repr_names_the_class_and_fields(cls: type[dk.Message]) -> None:
    text = repr(build(cls))
    assert text.startswith(f"{cls.__name__}(")
    for name in cls.requirements():
        assert f"{name}=" in text
    assert "_wire" not in text


@by_class
def test_a_built_message_has_no_wire_details(cls: type[dk.Message]) -> None:
    assert build(cls).wire is None


# --- the fields and their requirement codes (PS3.7 9.3, 10.3; ps37_message_fields) ---------


def _attribute(field: str) -> str:
    """The model's attribute name for a keyword or a data-set parameter name."""
    return field.lower().replace(" ", "_") if field in PS37_DATA_SETS else dk.attribute_name(field)


# the standard's codes, by model attribute; the protocol fields are not attributes
REQUIREMENTS: dict[type[dk.Message], dict[str, str]] = {
    dk.MESSAGE_CLASSES[field]: {
        _attribute(name): code
        for name, code in MESSAGE_FIELDS[field.message_name].items()
        if name not in PROTOCOL_FIELDS
    }
    for field in dk.CommandField
}


@by_class
def test_requirement_codes_follow_ps37(cls: type[dk.Message]) -> None:
    assert cls.requirements() == REQUIREMENTS[cls]


@by_class
def test_each_field_is_a_command_element_or_the_data_set(cls: type[dk.Message]) -> None:
    for name in cls.requirements():
        assert name in VR or name in DATA_SET_NAMES


DATA_SET_FIELD = {
    dk.CStoreRequest: "data_set", dk.CFindRequest: "identifier", dk.CFindResponse: "identifier",
    dk.CGetRequest: "identifier", dk.CGetResponse: "identifier", dk.CMoveRequest: "identifier",
    dk.CMoveResponse: "identifier", dk.NEventReportRequest: "event_information",
    dk.NEventReportResponse: "event_reply", dk.NGetResponse: "attribute_list",
    dk.NSetRequest: "modification_list", dk.NSetResponse: "attribute_list",
    dk.NActionRequest: "action_information", dk.NActionResponse: "action_reply",
    dk.NCreateRequest: "attribute_list", dk.NCreateResponse: "attribute_list",
}  # fmt: skip


@by_class
def test_data_set_field_and_payload(cls: type[dk.Message]) -> None:
    # PS3.7 9.3, 10.3 (Command Data Set Type 0101H): C-STORE-RSP, C-ECHO, C-CANCEL, N-GET-RQ,
    # N-DELETE carry none
    expected = DATA_SET_FIELD.get(cls)
    assert cls.data_set_field() == expected
    for index, variant in enumerate(VARIANTS[cls]):
        message = build(cls, index)
        payload = message.data_set_payload
        if expected is not None and {**MINIMAL[cls], **variant}.get(expected) is not None:
            assert payload is getattr(message, expected)
            assert isinstance(payload, dk.DataSetPayload)
            assert payload.to_bytes() == ID
        else:
            assert payload is None


# --- every field's own rule, both ways -----------------------------------------------------

# (VR, bad value, rule): each field refuses a value its VR does not allow
BAD: dict[str, list[tuple[object, str]]] = {
    "UI": [("1..2", "no empty component"), ("1.02", "no leading zero"),
           ("1.2x", "only digits and dots"), ("1." + "2" * 63, "1 to 64"), (12, "str or bytes")],
    "US": [(65536, "from 0 to 65535"), (-1, "from 0 to 65535"), (True, "must be an int")],
    "AE": [("A" * 17, "at most 16"), ("   ", "empty or all spaces"), ("A\\B", "backslash")],
    "AT": [(["NoSuchKeyword"], "not a DICOM tag"), ([], "at least one tag"),
           ("PatientID", "sequence of tags")],
    "LO": [("x" * 65, "at most 64"), ("é", "Default Character Repertoire"), ("", "empty")],
    "data set": [(12, "a data set is bytes"), ("text", "a data set is bytes"),
                 ([ID], "a data set is bytes")],
    "priority": [(3, "0 (MEDIUM), 1 (HIGH) or 2 (LOW)")],
    "status": [(0xD000, "0xD000 is no status"), (0x0002, "0x0002 is no status")],
}  # fmt: skip


def kind(name: str) -> str:
    if name in DATA_SET_NAMES:
        return "data set"
    if name in ("priority", "status"):
        return name
    return VR[name]


def variant_with(cls: type[dk.Message], name: str) -> int:
    """The first variant of ``cls`` that has field ``name``."""
    return next(i for i, v in enumerate(VARIANTS[cls]) if name in {**MINIMAL[cls], **v})


def field_cases() -> list[Any]:
    cases = []
    for cls in CLASSES:
        for name in cls.requirements():
            for number, (bad, rule) in enumerate(BAD[kind(name)]):
                if cls is dk.NGetRequest and bad == []:
                    continue  # N-GET-RQ: an empty list asks for all attributes (test_vr.py)
                case = (cls, variant_with(cls, name), name, bad, rule)
                cases.append(pytest.param(*case, id=f"{cls.__name__}.{name}-{number}"))
    return cases


@pytest.mark.parametrize(("cls", "variant", "name", "bad", "rule"), field_cases())
def test_every_field_refuses_a_bad_value(
    cls: type[dk.Message], variant: int, name: str, bad: object, rule: str
) -> None:
    error = refusal(cls, {**MINIMAL[cls], **VARIANTS[cls][variant], name: bad})
    assert error.fields == (name,)
    assert rule in error.rule
    assert str(error).startswith(f"{cls.__name__}.{name}: ")


def good_forms(name: str, value: object) -> list[tuple[object, object]]:
    """Other spellings of a good value, and what the field keeps."""
    vr = kind(name)
    if vr == "UI":
        text = str(value)
        return [(text.encode() + b"\0", text), (text + " ", text), (bytearray(text.encode()), text)]
    if vr == "AE":
        return [(f"  {value} ".encode(), value), (f" {value}", value)]
    if vr == "LO":
        return [(f" {value} ", value), (str(value).encode(), value)]
    if vr == "US":
        return [(0, 0), (0xFFFF, 0xFFFF)]
    if vr == "AT":
        return [(["PatientName", (0x0010, 0x0020)], (BaseTag(0x00100010), BaseTag(0x00100020)))]
    if vr == "data set":
        return [(bytearray(ID), dk.DataSetPayload(ID)), (memoryview(ID), dk.DataSetPayload(ID))]
    if vr == "priority":
        return [(2, dk.Priority.LOW), (dk.Priority.HIGH, dk.Priority.HIGH)]
    return []


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        pytest.param(cls, name, id=f"{cls.__name__}.{name}")
        for cls in CLASSES
        for name in cls.requirements()
        if name != "status"
    ],
)
def test_every_field_normalises_good_values(cls: type[dk.Message], name: str) -> None:
    variant = variant_with(cls, name)
    values = {**MINIMAL[cls], **VARIANTS[cls][variant]}
    forms = good_forms(name, getattr(build(cls, variant), name))
    assert forms
    for given, kept in forms:
        value = getattr(cls(**{**values, name: given}), name)
        assert value == kept
        if kind(name) == "UI":
            assert type(value) is UID
        if kind(name) == "AT":
            assert all(type(tag) is BaseTag for tag in value)
