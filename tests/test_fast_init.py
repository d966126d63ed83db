"""The compiled ``__init__`` of each class gives exactly what attrs' ``__init__`` gives.

Valid and invalid values, broken rules, and raw inputs as a caller types them, whose
conversions (``to_uid``, ``to_priority``, ``to_payload``) the compiled ``__init__`` takes
shortcuts for: each built both ways and compared, field by field, or error by error.
"""

from __future__ import annotations

import io
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom.uid import UID

import dimsekit as dk
from dimsekit._model.payload import DataSetPayload
from dimsekit._model.vr import KNOWN_UIDS, UIDS_REMEMBERED, Priority
from dimsekit.messages import _fast_init
from dimsekit.testing import invalid_constructions, messages

from .helpers import IntEnumOne, StrSubclass, examples, init_values, one_field_toggled, store


def attrs_init(cls: type[dk.Message], values: dict[str, Any]) -> dk.Message:
    """Build with the attrs-generated __init__ the fast one falls back to."""
    instance = object.__new__(cls)
    cls.__init__.__wrapped__(instance, **values)  # type: ignore[attr-defined]
    return instance


@settings(max_examples=examples(1500))
@given(messages())
def test_valid_messages_are_the_same_either_way(message: dk.Message) -> None:
    values = init_values(message)
    fast, slow = type(message)(**values), attrs_init(type(message), values)
    assert fast == slow
    assert repr(fast) == repr(slow)
    assert fast.wire is None and slow.wire is None


@settings(max_examples=examples(1500))
@given(invalid_constructions())
def test_invalid_messages_fail_the_same_way(case: tuple[type[dk.Message], dict[str, Any]]) -> None:
    cls, values = case
    with pytest.raises(dk.InvalidMessageError) as fast:
        cls(**values)
    with pytest.raises(dk.InvalidMessageError) as slow:
        attrs_init(cls, values)
    assert str(fast.value) == str(slow.value)


@settings(max_examples=examples(500))
@given(messages(), st.data())
def test_breaking_a_rule_fails_the_same_way(message: dk.Message, data: st.DataObject) -> None:
    """Drop or add one optional field at random: both paths agree on the outcome."""
    values = one_field_toggled(message, data, defaulted=True)
    if values is None:
        return
    assert _outcome(type(message), values, fast=True) == _outcome(type(message), values, fast=False)


def built(cls: type[dk.Message], values: dict[str, Any], *, fast: bool) -> dk.Message | str:
    """What the compiled __init__ (``fast``) or attrs' builds, or the text of its error."""
    try:
        return cls(**values) if fast else attrs_init(cls, values)
    except dk.InvalidMessageError as error:
        return str(error)


def _outcome(cls: type[dk.Message], values: dict[str, Any], *, fast: bool) -> str:
    outcome = built(cls, values, fast=fast)
    return outcome if isinstance(outcome, str) else repr(outcome)


def test_the_fast_path_is_installed_on_every_class() -> None:
    for cls in dk.MESSAGE_CLASSES.values():
        assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"
        assert hasattr(cls.__init__, "__wrapped__")


def test_disabled_attrs_validators_are_respected_as_attrs_does() -> None:
    attrs.validators.set_disabled(True)
    try:
        odd = dk.CEchoRequest(message_id=70000)  # attrs would not validate either
    finally:
        attrs.validators.set_disabled(False)
    assert odd.message_id == 70000
    with pytest.raises(dk.InvalidMessageError):
        dk.CEchoRequest(message_id=70000)


def test_sop_class_uids_are_remembered_only_once_valid_and_only_so_many() -> None:
    remembered = KNOWN_UIDS
    remembered.clear()
    instance = "1.2.826.0.1.3680043.2.1125.1"
    for _ in range(2):  # refused the second time too: an invalid UID is never remembered
        with pytest.raises(dk.InvalidMessageError, match="affected_sop_class_uid"):
            dk.CStoreRequest(
                message_id=1, affected_sop_class_uid="1.02", affected_sop_instance_uid=instance,
                data_set=b"",
            )  # fmt: skip
    assert not remembered
    ct = "1.2.840.10008.5.1.4.1.1.2"
    first, second = (
        dk.CStoreRequest(
            message_id=number, affected_sop_class_uid=given, affected_sop_instance_uid=instance,
            data_set=b"",
        )
        for number, given in ((1, ct), (2, ct + "\0"))
    )  # fmt: skip
    assert list(remembered) == [ct] and type(next(iter(remembered))) is str
    third = dk.CStoreRequest(
        message_id=3, affected_sop_class_uid=ct, affected_sop_instance_uid=instance, data_set=b""
    )
    for message in (first, second, third):
        assert type(message.affected_sop_class_uid) is UID
        assert message.affected_sop_class_uid == ct
    assert third == attrs_init(dk.CStoreRequest, init_values(third))
    # A UID object of the caller's is kept in its own message only, never handed on.
    theirs = UID("1.2.840.10008.5.1.4.1.1.4")
    theirs.note = "the caller's"  # type: ignore[attr-defined]
    mine, later = (
        dk.CStoreRequest(
            message_id=number, affected_sop_class_uid=given, affected_sop_instance_uid=instance,
            data_set=b"",
        )
        for number, given in ((4, theirs), (5, str(theirs)))
    )  # fmt: skip
    assert mine.affected_sop_class_uid is theirs
    assert later.affected_sop_class_uid == theirs and later.affected_sop_class_uid is not theirs
    assert not hasattr(later.affected_sop_class_uid, "note")
    # An optional SOP Class UID (a response's) and a Requested one go the same way.
    response = dk.CFindResponse(
        message_id_being_responded_to=1, status=0, affected_sop_class_uid="1.2.3.4"
    )
    action = dk.NActionRequest(
        message_id=1, requested_sop_class_uid="1.2.840.10008.1.20.1",
        requested_sop_instance_uid="1.2.840.10008.1.20.1.1", action_type_id=1,
    )  # fmt: skip
    assert response.affected_sop_class_uid == "1.2.3.4"
    assert action.requested_sop_class_uid == "1.2.840.10008.1.20.1"
    assert {"1.2.3.4", "1.2.840.10008.1.20.1"} < set(remembered)
    final = dk.CFindResponse(message_id_being_responded_to=1, status=0)
    assert final.affected_sop_class_uid is None
    for number in range(UIDS_REMEMBERED + 100):
        uid = f"1.2.3.{number}"
        echo = dk.CEchoRequest(message_id=1, affected_sop_class_uid=uid)
        assert echo.affected_sop_class_uid == uid
    assert len(remembered) == UIDS_REMEMBERED
    with pytest.raises(dk.InvalidMessageError, match="affected_sop_class_uid"):
        dk.CEchoRequest(message_id=1, affected_sop_class_uid="1.2.3.x")
    remembered.clear()


# --- raw inputs as a caller types them: padded str UIDs, int priorities, bytes data sets ----


def same_built(cls: type[dk.Message], values: dict[str, Any]) -> None:
    """Both ways build equal messages, field by field of the same types, or fail alike."""
    fast, slow = built(cls, values, fast=True), built(cls, values, fast=False)
    if isinstance(slow, str):
        assert fast == slow
        return
    assert isinstance(fast, dk.Message)
    assert fast == slow
    for field in attrs.fields(cls):
        mine, theirs = getattr(fast, field.name), getattr(slow, field.name)
        assert type(mine) is type(theirs), field.name
        assert mine == theirs, field.name
        if type(mine) is DataSetPayload:
            assert mine.encoded is theirs.encoded or mine.encoded == theirs.encoded


def raw_values(message: dk.Message, data: st.DataObject) -> dict[str, Any]:
    """The init values of ``message`` as a caller would type them, padded at random."""
    values: dict[str, Any] = {}
    for field in attrs.fields(type(message)):
        if not field.init:
            continue
        value = getattr(message, field.name)
        if type(value) is UID:
            value = str(value) + data.draw(st.sampled_from(["", "", "\0", " ", " \0"]))
        elif type(value) is Priority:
            value = data.draw(st.sampled_from([int(value), value]))
        elif type(value) is DataSetPayload:
            value = data.draw(st.sampled_from([value.to_bytes(), value]))
        elif type(value) is str:
            value = data.draw(st.sampled_from([value, f" {value} "]))
        values[field.name] = value
    return values


@settings(max_examples=examples(1000))
@given(messages(), st.data())
def test_raw_inputs_build_the_same_either_way(message: dk.Message, data: st.DataObject) -> None:
    same_built(type(message), raw_values(message, data))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("affected_sop_class_uid", "1.02"),
        ("affected_sop_class_uid", "01.2"),
        ("affected_sop_class_uid", "00"),
        ("affected_sop_class_uid", "0.0.10.200"),
        ("affected_sop_class_uid", "0"),
        ("affected_sop_class_uid", ".1"),
        ("affected_sop_class_uid", "1..2"),
        ("affected_sop_class_uid", "1.2.3x"),
        ("affected_sop_class_uid", "1" * 64),
        ("affected_sop_class_uid", "1.2."),
        ("affected_sop_class_uid", ""),
        ("affected_sop_class_uid", "\0"),
        ("affected_sop_class_uid", "1" * 65),
        ("affected_sop_class_uid", "1.2\u0661"),  # an Arabic-Indic digit
        ("affected_sop_class_uid", StrSubclass("1.2")),
        ("affected_sop_instance_uid", b"1.2.3\0"),
        ("priority", 3),
        ("priority", -1),
        ("priority", True),
        ("priority", 1.0),
        ("priority", IntEnumOne.ONE),
        ("data_set", "ab"),
        ("data_set", bytearray(b"ab")),
        ("data_set", b"abc"),
        ("move_originator_application_entity_title", "A" * 17),
        ("move_originator_application_entity_title", ""),
        ("move_originator_application_entity_title", "   "),
        ("move_originator_application_entity_title", "TAB\tAE"),
        ("move_originator_application_entity_title", "BACK\\SLASH"),
        ("move_originator_application_entity_title", StrSubclass("STORESCU")),
        ("move_originator_application_entity_title", b"STORESCU"),
        ("move_originator_application_entity_title", "STORESCU"),
        ("move_originator_message_id", 70000),
    ],
)
def test_odd_raw_inputs_build_or_fail_the_same_way(name: str, value: object) -> None:
    values: dict[str, Any] = {
        "message_id": 1,
        "affected_sop_class_uid": "1.2.840.10008.5.1.4.1.1.2",
        "affected_sop_instance_uid": "1.2.3",
        "priority": 0,
        "move_originator_application_entity_title": "STORESCU",
        "move_originator_message_id": 3,
        "data_set": b"ab",
        name: value,
    }
    same_built(dk.CStoreRequest, values)


@pytest.mark.parametrize(
    "comment", ["x" * 64, "x" * 65, "back\\slash", "é", "   ", "", " ok ", b"bytes", 5]
)
def test_lo_text_builds_or_fails_the_same_way(comment: object) -> None:
    same_built(
        dk.CStoreResponse,
        {"message_id_being_responded_to": 1, "status": 0xA700, "error_comment": comment},
    )


def test_file_object_payload_is_not_taken_for_bytes() -> None:
    payload = DataSetPayload.from_file(io.BytesIO(b"abcd"))
    assert store(payload).data_set is payload


# --- the inline checks are the declarations, not a copy of them --------------------------


def _source(function: Any) -> str:
    import linecache

    return "".join(linecache.getlines(function.__code__.co_filename))


def test_each_inline_check_is_its_validators_declared_form() -> None:
    from dimsekit._model.value_rules import INLINE_CHECKS
    from dimsekit.messages import MESSAGE_CLASSES
    from dimsekit.messages._base import fast_rules

    for cls in MESSAGE_CLASSES.values():
        source = _source(cls.__init__)
        for field in attrs.fields(cls):
            if not field.init:
                continue
            assert INLINE_CHECKS[field.validator].of(field.name) in source, (cls, field.name)
            assert f"_validate_{field.name}" not in source
        condition = fast_rules(cls)[1]
        if condition is not None:  # the Annex C rules, inline
            assert condition.expression in source


def test_a_validator_with_no_declared_form_is_called_as_attrs_calls_it() -> None:
    from dimsekit._model.value_rules import INLINE_CHECKS
    from dimsekit._model.vr import check_uid

    calls: list[object] = []

    def undeclared(inst: object, attribute: Any, value: object) -> None:
        calls.append(value)
        if value == "refused":
            raise dk.InvalidMessageError("Probe", ("note",), value, "refused", "-")

    @attrs.frozen(kw_only=True)
    class Probe:
        _wire: object = attrs.field(init=False, default=None)
        uid: object = attrs.field(validator=check_uid)
        note: object = attrs.field(validator=undeclared)

    assert undeclared not in INLINE_CHECKS
    _fast_init.install_fast_init(Probe, (), None)
    source = _source(Probe.__init__)
    assert INLINE_CHECKS[check_uid].of("uid") in source
    assert "_validate_note(self, _field_note, note)" in source
    probe = Probe(uid=UID("1.2.3"), note="kept")
    assert (probe.uid, probe.note, calls) == ("1.2.3", "kept", ["kept"])
    with pytest.raises(dk.InvalidMessageError, match="refused"):
        Probe(uid=UID("1.2.3"), note="refused")
