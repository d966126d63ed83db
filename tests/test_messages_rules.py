"""Every conditional rule of the 23 classes, accepted and refused, with its error text.

References: the parameter descriptions of PS3.7 9.1.x.1 and 10.1.x.1, the query/retrieve
statuses of PS3.4 C.4 and the status-related fields of PS3.7 Annex C.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import dimsekit as dk
from dimsekit import Status
from dimsekit.messages import build_leniently

from .test_messages import CLASSES, ID, MINIMAL, RESPONSES, build, refusal

RETRIEVE = [dk.CGetResponse, dk.CMoveResponse]
DIMSE_N_RESPONSES = [
    dk.NEventReportResponse, dk.NGetResponse, dk.NSetResponse, dk.NActionResponse,
    dk.NCreateResponse, dk.NDeleteResponse,
]  # fmt: skip
REMAINING = "number_of_remaining_suboperations"
OTHER_COUNTERS = [
    "number_of_completed_suboperations",
    "number_of_failed_suboperations",
    "number_of_warning_suboperations",
]
PENDING_COUNTERS = {REMAINING: 2} | dict.fromkeys(OTHER_COUNTERS, 1)


def hex_id(value: object) -> str:
    return f"{value:04X}" if isinstance(value, int) else getattr(value, "__name__", "")


def context(cls: type[dk.Message], status: int) -> dict[str, Any]:
    """What a response with ``status`` needs besides the field under test."""
    if cls is dk.CFindResponse and status in (0xFF00, 0xFF01):
        return {"identifier": ID}
    if cls in RETRIEVE and status == 0xFF00:
        return dict(PENDING_COUNTERS)
    return {}


def response(cls: type[dk.Message], status: int, **values: Any) -> Any:
    return cls(**{"message_id_being_responded_to": 1, "status": status, **values})


def refused(cls: type[dk.Message], status: int, **values: Any) -> dk.InvalidMessageError:
    return refusal(cls, {"message_id_being_responded_to": 1, "status": status, **values})


# --- C-FIND-RSP: an Identifier exactly with Pending (PS3.7 9.1.2.1; PS3.4 C.4.1.1.4) -------


@pytest.mark.parametrize(
    "status", [0xFF00, 0xFF01, 0x0000, 0xFE00, 0xA700, 0xA900, 0xC000, 0xCFFF, 0x0122, 0x0210],
    ids=hex_id,
)  # fmt: skip
def test_c_find_identifier_iff_pending(status: int) -> None:
    pending = status in (0xFF00, 0xFF01)
    kept = response(dk.CFindResponse, status, identifier=ID if pending else None)
    assert (kept.identifier is not None) == pending
    wrong = {"identifier": None if pending else ID}
    error = refused(dk.CFindResponse, status, **wrong)
    assert error.fields == ("identifier", "status")
    wrong_payload = None if pending else dk.DataSetPayload(ID)
    assert error.value == {"identifier": wrong_payload, "status": Status(status)}
    assert "carries an Identifier (one match) exactly when its status is Pending" in error.rule
    assert error.reference == "PS3.7 9.1.2.1; PS3.4 C.4.1.1.4"
    assert "CFindResponse.identifier, CFindResponse.status: " in str(error)


# --- C-GET/C-MOVE-RSP: the sub-operation counters (PS3.4 C.4.2.1.6, C.4.3.1) ---------------

# status -> how Remaining and the other three counters go with it
COUNTER_RULES = [
    (0xFF00, "required", "required"),
    (0xFE00, "allowed", "allowed"),
    (0x0000, "forbidden", "allowed"),
    (0xB000, "forbidden", "allowed"),
    (0xA701, "forbidden", "allowed"),
    (0xA702, "forbidden", "allowed"),
    (0xA801, "forbidden", "allowed"),
    (0xA900, "forbidden", "allowed"),
    (0xAA00, "forbidden", "allowed"),
    (0xC000, "forbidden", "allowed"),
    (0x0122, "forbidden", "allowed"),
    (0x0210, "forbidden", "allowed"),
]


@pytest.mark.parametrize("cls", RETRIEVE, ids=hex_id)
@pytest.mark.parametrize(("status", "remaining", "others"), COUNTER_RULES, ids=hex_id)
def test_sub_operation_counters_per_status(
    cls: type[dk.Message], status: int, remaining: str, others: str
) -> None:
    rules = {REMAINING: remaining} | dict.fromkeys(OTHER_COUNTERS, others)
    full = {name: 1 for name, rule in rules.items() if rule != "forbidden"}
    assert response(cls, status, **full).number_of_completed_suboperations == 1
    for name, rule in rules.items():
        without = {key: value for key, value in full.items() if key != name}
        if rule == "required":
            error = refused(cls, status, **without)
            assert error.fields == (name, "status")
            assert f"{name} is required with Pending (FF00)" in error.rule
            assert error.value == {name: None, "status": Status(status)}
        else:
            assert getattr(response(cls, status, **without), name) is None
        if rule == "forbidden":
            error = refused(cls, status, **full, **{name: 0})
            assert error.fields == (REMAINING, "status")
            assert error.rule == (
                "number_of_remaining_suboperations is optional with Cancel (FE00) and absent "
                "with any other final status"
            )
            assert error.reference == "PS3.7 9.1.3.1, 9.1.4.1; PS3.4 C.4.2.1.6, C.4.3.1"


@pytest.mark.parametrize("cls", RETRIEVE, ids=hex_id)
@pytest.mark.parametrize(
    ("status", "allowed"),
    [(0xFE00, True), (0xB000, True), (0xA701, True), (0xA702, True), (0xA900, True),
     (0xC000, True), (0x0122, True), (0x0000, False), (0xFF00, False)],
    ids=hex_id,
)  # fmt: skip
def test_retrieve_identifier_only_with_a_final_cancel_warning_or_failure(
    cls: type[dk.Message], status: int, allowed: bool
) -> None:
    values = context(cls, status)
    assert response(cls, status, **values).identifier is None
    if allowed:
        assert response(cls, status, **values, identifier=ID).identifier == dk.DataSetPayload(ID)
        return
    error = refused(cls, status, **values, identifier=ID)
    assert error.fields == ("identifier", "status")
    assert "only in a final response whose status is Cancel, Warning or Failure" in error.rule
    assert error.reference == "PS3.7 9.1.3.1, 9.1.4.1; PS3.4 C.4.2.1.4.2, C.4.3.1.3.2"


@pytest.mark.parametrize("cls", RETRIEVE, ids=hex_id)
def test_the_two_rules_on_remaining_each_state_their_own_half(cls: type[dk.Message]) -> None:
    texts = [rule.text for rule in cls.rules if rule.fields == (REMAINING, "status")]
    assert texts == [f"{REMAINING} is required with Pending (FF00)", REMAINING_TEXT]
    pending = refused(cls, 0xFF00, **dict.fromkeys(OTHER_COUNTERS, 1))
    assert pending.rule == texts[0]
    final = refused(cls, 0x0000, **{REMAINING: 0})
    assert final.rule == texts[1]


# --- C-STORE-RQ: the Move Originator pair (PS3.7 9.1.1.1.6-7) ------------------------------

PAIR = ("move_originator_application_entity_title", "move_originator_message_id")


@pytest.mark.parametrize(
    ("title", "message_id", "allowed"),
    [("MOVESCU", 7, True), (None, None, True), ("MOVESCU", None, False), (None, 0, False)],
)
def test_move_originator_both_or_neither(
    title: str | None, message_id: int | None, allowed: bool
) -> None:
    values = {**MINIMAL[dk.CStoreRequest], PAIR[0]: title, PAIR[1]: message_id}
    if allowed:
        message = dk.CStoreRequest(**values)
        assert message.move_originator_application_entity_title == title
        assert message.move_originator_message_id == message_id
        return
    error = refusal(dk.CStoreRequest, values)
    assert error.fields == PAIR
    assert "give both or neither" in error.rule
    assert error.value == {PAIR[0]: title, PAIR[1]: message_id}
    assert error.reference == "PS3.7 9.1.1.1.6-7, 9.3.1.1"


# --- status-related fields (PS3.7 Annex C, C.4 and C.5) ------------------------------------

COMMENT, TAGS = "text", [0x00100010]
ANNEX_C: list[tuple[list[type[dk.Message]], str, object, list[int], list[int]]] = [
    # (classes, field, value, statuses allowing it, statuses refusing it)
    ([dk.CStoreResponse], "error_comment", COMMENT,
     [0xA700, 0xA7FF, 0xA900, 0xC000, 0xB000, 0xB006, 0xB007, 0x0001, 0x0124, 0x0122],
     [0x0000, 0x0117, 0x0210, 0x0211, 0x0212]),
    ([dk.CStoreResponse], "offending_element", TAGS,
     [0xA900, 0xA9FF, 0xC000, 0xCFFF, 0xB000, 0xB006, 0xB007, 0x0001],
     [0x0000, 0xA700, 0xA7FF, 0x0117, 0x0122, 0x0124, 0x0210]),
    ([dk.CFindResponse], "error_comment", COMMENT, [0xA700, 0xA900, 0xC000],
     [0x0000, 0xFE00, 0xFF00, 0xFF01]),
    ([dk.CFindResponse], "offending_element", TAGS, [0xA900, 0xC000],
     [0xA700, 0x0000, 0xFE00, 0xFF00, 0x0122]),
    ([dk.CMoveResponse], "error_comment", COMMENT, [0xA801, 0xA701, 0xA702, 0xA900, 0xC000, 0xB000],
     [0x0000, 0xFE00, 0xFF00]),
    ([dk.CMoveResponse], "offending_element", TAGS, [0xA900, 0xC000, 0xB000],
     [0xA801, 0xA701, 0xA702, 0x0000, 0xFE00, 0xFF00]),
    ([dk.CGetResponse], "error_comment", COMMENT, [0xA701, 0xA702, 0xA900, 0xC000, 0xB000],
     [0x0000, 0xFE00, 0xFF00]),
    ([dk.CGetResponse], "offending_element", TAGS, [0xA900, 0xC000, 0xB000],
     [0xA701, 0xA702, 0x0000, 0xFE00, 0xFF00]),
    ([dk.CEchoResponse], "error_comment", COMMENT, [0x0122, 0xC000],
     [0x0000, 0x0210, 0x0211, 0x0212]),
    ([dk.CEchoResponse], "offending_element", TAGS, [0xC000], [0x0000, 0x0122, 0x0211]),
    (DIMSE_N_RESPONSES, "error_id", 9, [0x0110],
     [0x0000, 0x0112, 0x0124, 0x0107, 0x0001, 0xB000, 0xC000, 0xA700]),
    (DIMSE_N_RESPONSES, "error_comment", COMMENT, [0x0110, 0x0124, 0xC000, 0xB600, 0xC613],
     [0x0000, 0x0105, 0x0107, 0x0112, 0x0117, 0x0213]),
    (DIMSE_N_RESPONSES, "offending_element", TAGS, [0xC000, 0xB600, 0xC613, 0x0001],
     [0x0000, 0x0105, 0x0107, 0x0110, 0x0112, 0x0124]),
    # 0120 too: the model follows dcm4che here, not an Annex C entry that was read
    ([dk.NGetResponse, dk.NSetResponse, dk.NCreateResponse], "attribute_identifier_list", TAGS,
     [0x0105, 0x0107, 0x0121, 0x0120],
     [0x0000, 0x0001, 0x0106, 0x0110, 0x0112, 0x0116, 0xB000, 0xC000]),
]  # fmt: skip


def annex_c_cases() -> list[Any]:
    cases = []
    for classes, name, value, allowed, refused_codes in ANNEX_C:
        for cls in classes:
            for code in allowed + refused_codes:
                ok = code in allowed
                case_id = f"{cls.__name__}.{name}-{code:04X}-{'ok' if ok else 'no'}"
                cases.append(pytest.param(cls, name, value, code, ok, id=case_id))
    return cases


@pytest.mark.parametrize(("cls", "name", "value", "status", "allowed"), annex_c_cases())
def test_status_related_fields_only_with_their_statuses(
    cls: type[dk.Message], name: str, value: object, status: int, allowed: bool
) -> None:
    assert name in cls.requirements() and cls.requirements()[name] == "A"
    values = context(cls, status)
    if allowed:
        assert getattr(response(cls, status, **values, **{name: value}), name) is not None
        return
    error = refused(cls, status, **values, **{name: value})
    assert error.fields == (name, "status")
    assert error.rule == (
        f"{name} is a status-related field: present only with a status whose Annex C entry lists it"
    )
    assert error.reference == "PS3.7 Annex C"
    assert f"{cls.__name__}.{name}, {cls.__name__}.status" in str(error)


# --- N-ACTION-RSP and N-EVENT-REPORT-RSP: type ID and reply (PS3.7 10.1.1.1, 10.1.4.1) -----

TYPED = [
    pytest.param(dk.NActionResponse, "action_type_id", "action_reply", id="N-ACTION"),
    pytest.param(dk.NEventReportResponse, "event_type_id", "event_reply", id="N-EVENT-REPORT"),
]
SUCCESSFUL = [0x0000, 0x0001, 0x0107, 0x0116, 0xB000]
FAILED = [0x0110, 0x0112, 0x0113, 0x0114, 0x0117, 0x0123, 0x0213, 0xC000]


@pytest.mark.parametrize(("cls", "type_id", "reply"), TYPED)
@pytest.mark.parametrize("status", [*SUCCESSFUL, 0x0115], ids=hex_id)
def test_a_reply_needs_the_type_id(
    cls: type[dk.Message], type_id: str, reply: str, status: int
) -> None:
    message = response(cls, status, **{type_id: 1, reply: ID})
    assert getattr(message, reply) == dk.DataSetPayload(ID)
    error = refused(cls, status, **{reply: ID})
    assert error.fields == (type_id, reply)
    assert error.rule == f"{type_id} is required when {reply} is present"
    assert error.value == {type_id: None, reply: dk.DataSetPayload(ID)}


@pytest.mark.parametrize(("cls", "type_id", "reply"), TYPED)
@pytest.mark.parametrize("status", FAILED, ids=hex_id)
def test_a_reply_comes_with_success_or_as_the_0115_echo(
    cls: type[dk.Message], type_id: str, reply: str, status: int
) -> None:
    error = refused(cls, status, **{type_id: 1, reply: ID})
    assert error.fields == (reply, "status")
    assert "sent only in a success response, or with 0115 (Invalid Argument Value)" in error.rule
    assert error.reference.endswith("PS3.7 C.5.10")


@pytest.mark.parametrize(("cls", "type_id", "reply"), TYPED)
@pytest.mark.parametrize("status", [*SUCCESSFUL, *FAILED, 0x0115], ids=hex_id)
def test_the_type_id_alone_goes_with_any_status(
    cls: type[dk.Message], type_id: str, reply: str, status: int
) -> None:
    # PS3.7 10.1.4.1.5 grants it to a success response without forbidding it elsewhere;
    # pynetdicom and DCMTK's print SCP send it with every status
    assert getattr(response(cls, status, **{type_id: 3}), type_id) == 3
    assert getattr(response(cls, status, **{type_id: 3}), reply) is None


# --- N-CREATE-RSP: Affected SOP Instance UID only on success (PS3.7 10.1.5.1.4) ------------


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(0x0000, True), (0x0001, True), (0x0107, True), (0x0116, True), (0xB000, True),
     (0x0110, True), (0x0111, True), (0x0112, True), (0x0115, True), (0x0117, True),
     (0x0119, True),  # failures whose Annex C entry lists the instance UID
     (0x0105, False), (0x0106, False), (0x0113, False), (0x0114, False), (0x0118, False),
     (0x0120, False), (0x0121, False), (0x0123, False), (0x0124, False), (0x0210, False),
     (0x0213, False), (0xA700, False), (0xC000, False)],
    ids=hex_id,
)  # fmt: skip
def test_n_create_instance_uid_only_on_success(status: int, allowed: bool) -> None:
    assert response(dk.NCreateResponse, status).affected_sop_instance_uid is None
    if allowed:
        message = response(dk.NCreateResponse, status, affected_sop_instance_uid=b"1.2.3\0")
        assert message.affected_sop_instance_uid == "1.2.3"
        return
    error = refused(dk.NCreateResponse, status, affected_sop_instance_uid="1.2.3")
    assert error.fields == ("affected_sop_instance_uid", "status")
    assert "sent only in a success response, or with a status whose Annex C" in error.rule
    assert error.reference == "PS3.7 10.1.5.1.4"


# --- N-GET-RSP: the Attribute List with Success or Warning, not Failure (PS3.7 10.1.2.1.6) --


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(0x0000, True), (0x0107, True), (0x0001, True), (0x0116, True), (0xB000, True),
     (0x0110, False), (0x0112, False), (0x0105, False), (0x0124, False), (0x0213, False),
     (0xC000, False)],
    ids=hex_id,
)  # fmt: skip
def test_n_get_attribute_list_never_with_a_failure(status: int, allowed: bool) -> None:
    # absent is accepted with every status: pynetdicom answers Success without a data set
    # when its handler returns none, and the model allows it (Table 10.1-2 makes the
    # Attribute List C, and PS3.7 10.1.2.1.6 ties it to success without requiring it)
    assert response(dk.NGetResponse, status).attribute_list is None
    if allowed:
        assert response(dk.NGetResponse, status, attribute_list=ID).attribute_list is not None
        return
    error = refused(dk.NGetResponse, status, attribute_list=ID)
    assert error.fields == ("attribute_list", "status")
    assert "absent with a Failure" in error.rule
    assert error.reference == "PS3.7 10.1.2.1.6, 10.1.2.1.9"


def test_n_set_and_n_create_attribute_list_with_any_status() -> None:
    # U in both tables (PS3.7 Tables 10.1-3, 10.1-5): with 0106/0116 it echoes bad values
    for cls in (dk.NSetResponse, dk.NCreateResponse):
        for status in (0x0000, 0x0106, 0x0116, 0x0110, 0xC000):
            assert response(cls, status, attribute_list=ID).attribute_list is not None


# --- Pending and Cancel: only C-FIND, C-GET, C-MOVE; FF01 only C-FIND (PS3.7 9.1.2-9.1.4) --

SPECIAL = {"C-FIND": {0xFF00, 0xFF01, 0xFE00}, "C-GET": {0xFF00, 0xFE00},
           "C-MOVE": {0xFF00, 0xFE00}}  # fmt: skip


@pytest.mark.parametrize("cls", RESPONSES, ids=hex_id)
@pytest.mark.parametrize("status", [0xFF00, 0xFF01, 0xFE00], ids=hex_id)
def test_pending_and_cancel_only_where_the_service_has_them(
    cls: type[dk.Response], status: int
) -> None:
    service = cls.command_field.service
    if status in SPECIAL.get(service, set()):
        assert response(cls, status, **context(cls, status)).status == status
        return
    error = refused(cls, status, **context(cls, status))
    assert error.fields == ("status",)
    category = Status(status).category.value
    assert error.rule.startswith(f"{service} has no {category} status")
    assert "only C-FIND, C-GET and C-MOVE answer Pending FF00 or Cancel FE00" in error.rule
    assert "only C-FIND FF01" in error.rule
    assert error.reference == "PS3.7 9.1, 10.1; PS3.4 C.4"


@pytest.mark.parametrize("cls", RESPONSES, ids=hex_id)
@pytest.mark.parametrize(
    "status", [0x0002, 0x00FF, 0x0300, 0xD000, 0xFE01, 0xFF02, 0xFFFF], ids=hex_id
)
def test_codes_of_no_status_class_are_refused(cls: type[dk.Response], status: int) -> None:
    error = refused(cls, status)
    assert error.fields == ("status",)
    assert error.value == status
    assert error.rule.startswith(f"0x{status:04X} is no status")
    assert error.reference == "PS3.7 Annex C"


@pytest.mark.parametrize("cls", RESPONSES, ids=hex_id)
def test_statuses_outside_us_are_refused(cls: type[dk.Response]) -> None:
    for status in (0x1B000, -1, 0x10000):
        error = refused(cls, status)
        assert error.fields == ("status",)
        assert error.rule.startswith("it is no status")


# --- where PS3.7 lays out each message (PS3.7 9.3, 10.3) ------------------------------------

# The section of each message's table: a service's request in .1, its response in .2.
SERVICE_SECTIONS = {
    "C-STORE": "9.3.1", "C-FIND": "9.3.2", "C-GET": "9.3.3", "C-MOVE": "9.3.4",
    "C-ECHO": "9.3.5", "N-EVENT-REPORT": "10.3.1", "N-GET": "10.3.2", "N-SET": "10.3.3",
    "N-ACTION": "10.3.4", "N-CREATE": "10.3.5", "N-DELETE": "10.3.6",
}  # fmt: skip


@pytest.mark.parametrize("cls", CLASSES, ids=hex_id)
def test_each_message_names_the_section_of_its_table(cls: type[dk.Message]) -> None:
    field = cls.command_field
    if field.service == "C-CANCEL":  # C-CANCEL-FIND-RQ, C-CANCEL-GET-RQ, C-CANCEL-MOVE-RQ
        assert cls.section == "PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3"
    else:
        half = 2 if field.is_response else 1
        assert cls.section == f"PS3.7 {SERVICE_SECTIONS[field.service]}.{half}"


# --- how rules are checked -----------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES, ids=hex_id)
def test_each_rule_names_real_fields_and_a_reference(cls: type[dk.Message]) -> None:
    for rule in cls.rules:
        assert set(rule.fields) <= set(cls.requirements())
        assert rule.text and rule.reference.startswith("PS3.")
        assert rule.holds(build(cls))


def test_rules_count() -> None:
    counts = {cls.__name__: len(cls.rules) for cls in CLASSES if cls.rules}
    assert counts == {
        "CStoreRequest": 1, "CStoreResponse": 2, "CFindResponse": 3, "CGetResponse": 8,
        "CMoveResponse": 8, "CEchoResponse": 2, "NEventReportResponse": 5, "NGetResponse": 5,
        "NSetResponse": 4, "NActionResponse": 5, "NCreateResponse": 5, "NDeleteResponse": 3,
    }  # fmt: skip


# Rules real peers break while what they mean stays clear: a warning when received.
STATUS_RELATED = "is a status-related field: present only with a status whose Annex C entry"
REMAINING_TEXT = (
    "number_of_remaining_suboperations is optional with Cancel (FE00) and absent with any "
    "other final status"
)
WARNINGS_WHEN_RECEIVED = (
    # pynetdicom 3.0.4 copies its handler's status Dataset (Error Comment, Offending
    # Element, ...) into the response whatever the status, and keeps it in later ones.
    {
        (cls.__name__, f"{name} {STATUS_RELATED} lists it")
        for cls in CLASSES
        if issubclass(cls, dk.Response)
        for name in cls.annex_c_fields
    }
    # pynetdicom 3.0.4's C-GET and C-MOVE SCPs keep Remaining (0) in the final response.
    | {(cls.__name__, REMAINING_TEXT) for cls in RETRIEVE}
    # pynetdicom 3.0.4's N-CREATE SCP names the requested instance in every response.
    | {
        (
            "NCreateResponse",
            "the Affected SOP Instance UID is sent only in a success response, or with a "
            "status whose Annex C entry lists it",
        )
    }
)


def test_the_rules_real_peers_break_are_warnings_when_received() -> None:
    severities = {rule.when_received for cls in CLASSES for rule in cls.rules}
    assert severities == {dk.Severity.ERROR, dk.Severity.WARNING}
    warned = {
        (cls.__name__, rule.text)
        for cls in CLASSES
        for rule in cls.rules
        if rule.when_received is dk.Severity.WARNING
    }
    assert warned == WARNINGS_WHEN_RECEIVED


@pytest.mark.parametrize("cls", RETRIEVE, ids=hex_id)
def test_a_rule_that_is_a_warning_when_received_still_refuses_a_build(
    cls: type[dk.Message],
) -> None:
    error = refused(cls, 0x0000, number_of_remaining_suboperations=0)
    assert error.fields == (REMAINING, "status")
    _, problems = build_leniently(
        cls, {"message_id_being_responded_to": 1, "status": 0, REMAINING: 0}
    )
    assert [(problem.rule, severity) for problem, severity in problems] == [
        (error.rule, dk.Severity.WARNING)
    ]


def test_a_field_error_comes_before_a_rule_error() -> None:
    error = refused(dk.CFindResponse, 0x0000, identifier=12)
    assert error.fields == ("identifier",)
    error = refused(dk.CStoreResponse, 0x0000, error_comment="x" * 65)
    assert error.fields == ("error_comment",)


def test_evolve_checks_the_rules_again() -> None:
    pending = response(dk.CFindResponse, 0xFF00, identifier=ID)
    with pytest.raises(dk.InvalidMessageError) as caught:
        attrs.evolve(pending, status=0x0000)
    assert caught.value.fields == ("identifier", "status")
    assert attrs.evolve(pending, status=0x0000, identifier=None).status == 0
    store = build(dk.CStoreRequest)
    with pytest.raises(dk.InvalidMessageError) as caught:
        attrs.evolve(store, move_originator_message_id=None)
    assert caught.value.fields == PAIR
    move = response(dk.CMoveResponse, 0xFF00, **PENDING_COUNTERS)
    with pytest.raises(dk.InvalidMessageError) as caught:
        attrs.evolve(move, status=0x0000)
    assert caught.value.fields == (REMAINING, "status")
    with pytest.raises(dk.InvalidMessageError) as caught:
        attrs.evolve(response(dk.CStoreResponse, 0xA900, offending_element=TAGS), status=0xA700)
    assert caught.value.fields == ("offending_element", "status")
