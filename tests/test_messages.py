"""The 23 message classes: construction, value semantics and every field's own rule.

The example values (MINIMAL, VARIANTS) are message_examples.py's, shared with
test_messages_rules.py and test_messages_responses.py.  The fields and requirement codes
are PS3.7's, as ps37_message_fields.py declares them table by table.
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

from .helpers import CT
from .message_examples import (
    CLASSES,
    DATA_SET_NAMES,
    ID,
    MINIMAL,
    REQUESTS,
    RESPONSES,
    VARIANTS,
    build,
    refusal,
)
from .ps37_message_fields import DATA_SET_NAMES as PS37_DATA_SETS
from .ps37_message_fields import MESSAGE_FIELDS, PROTOCOL_FIELDS

# test_messages_rules.py imports these from here; they are message_examples.py's
__all__ = ["CLASSES", "ID", "MINIMAL", "RESPONSES", "build", "refusal"]

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


def test_there_are_23_classes() -> None:
    assert len(CLASSES) == len(set(CLASSES)) == 23 == len(dk.MESSAGE_CLASSES)
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
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
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
    assert changed != message
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
