"""What the type checker must refuse: each line ends in ``# type: ignore[code]``.

mypy runs with ``warn_unused_ignores``: if dimsekit's annotations ever let one of these
mistakes through, its ignore becomes unused and the typing session fails.  pyright
refuses the same lines (its own rule names are in typings/README.md).
"""

from __future__ import annotations

from typing import Any

from pydicom.tag import BaseTag
from pydicom.uid import UID

from dimsekit import (
    AttributeTags,
    CCancelRequest,
    CEchoRequest,
    CEchoResponse,
    CFindRequest,
    CFindResponse,
    CGetRequest,
    CGetResponse,
    CMoveRequest,
    CMoveResponse,
    CStoreRequest,
    CStoreResponse,
    DataSetPayload,
    NActionRequest,
    NActionResponse,
    NCreateRequest,
    NCreateResponse,
    NDeleteRequest,
    NDeleteResponse,
    NEventReportRequest,
    NEventReportResponse,
    NGetRequest,
    NGetResponse,
    NSetRequest,
    NSetResponse,
    Priority,
    Request,
    ServiceClass,
    Status,
)

SOP = "1.2.840.10008.5.1.4.1.2.2.2"
INST = "1.2.3.4"
DS = b""


def missing_required_keyword() -> None:
    """Every required field of every class: leaving it out is refused (call-arg)."""
    # C-STORE-RQ: message_id, affected_sop_class_uid, affected_sop_instance_uid, data_set
    CStoreRequest(affected_sop_class_uid=SOP, affected_sop_instance_uid=INST, data_set=DS)  # type: ignore[call-arg]
    CStoreRequest(message_id=1, affected_sop_instance_uid=INST, data_set=DS)  # type: ignore[call-arg]
    CStoreRequest(message_id=1, affected_sop_class_uid=SOP, data_set=DS)  # type: ignore[call-arg]
    CStoreRequest(message_id=1, affected_sop_class_uid=SOP, affected_sop_instance_uid=INST)  # type: ignore[call-arg]
    # C-STORE-RSP: message_id_being_responded_to, status
    CStoreResponse(status=0)  # type: ignore[call-arg]
    CStoreResponse(message_id_being_responded_to=1)  # type: ignore[call-arg]
    # C-GET-RQ: message_id, affected_sop_class_uid, identifier
    CGetRequest(affected_sop_class_uid=SOP, identifier=DS)  # type: ignore[call-arg]
    CGetRequest(message_id=1, identifier=DS)  # type: ignore[call-arg]
    CGetRequest(message_id=1, affected_sop_class_uid=SOP)  # type: ignore[call-arg]
    # C-GET-RSP: message_id_being_responded_to, status
    CGetResponse(status=0)  # type: ignore[call-arg]
    CGetResponse(message_id_being_responded_to=1)  # type: ignore[call-arg]
    # C-FIND-RQ: message_id, affected_sop_class_uid, identifier
    CFindRequest(affected_sop_class_uid=SOP, identifier=DS)  # type: ignore[call-arg]
    CFindRequest(message_id=1, identifier=DS)  # type: ignore[call-arg]
    CFindRequest(message_id=1, affected_sop_class_uid=SOP)  # type: ignore[call-arg]
    # C-FIND-RSP: message_id_being_responded_to, status
    CFindResponse(status=0)  # type: ignore[call-arg]
    CFindResponse(message_id_being_responded_to=1)  # type: ignore[call-arg]
    # C-MOVE-RQ: message_id, affected_sop_class_uid, identifier, move_destination
    CMoveRequest(affected_sop_class_uid=SOP, identifier=DS, move_destination="AE")  # type: ignore[call-arg]
    CMoveRequest(message_id=1, identifier=DS, move_destination="AE")  # type: ignore[call-arg]
    CMoveRequest(message_id=1, affected_sop_class_uid=SOP, move_destination="AE")  # type: ignore[call-arg]
    CMoveRequest(message_id=1, affected_sop_class_uid=SOP, identifier=DS)  # type: ignore[call-arg]
    # C-MOVE-RSP: message_id_being_responded_to, status
    CMoveResponse(status=0)  # type: ignore[call-arg]
    CMoveResponse(message_id_being_responded_to=1)  # type: ignore[call-arg]
    # C-ECHO-RQ: message_id
    CEchoRequest()  # type: ignore[call-arg]
    # C-ECHO-RSP: message_id_being_responded_to, status
    CEchoResponse(status=0)  # type: ignore[call-arg]
    CEchoResponse(message_id_being_responded_to=1)  # type: ignore[call-arg]
    # N-EVENT-REPORT-RQ: message_id, affected_sop_class_uid, affected_sop_instance_uid,
    # event_type_id
    NEventReportRequest(affected_sop_class_uid=SOP, affected_sop_instance_uid=INST, event_type_id=1)  # type: ignore[call-arg]
    NEventReportRequest(message_id=1, affected_sop_instance_uid=INST, event_type_id=1)  # type: ignore[call-arg]
    NEventReportRequest(message_id=1, affected_sop_class_uid=SOP, event_type_id=1)  # type: ignore[call-arg]
    NEventReportRequest(message_id=1, affected_sop_class_uid=SOP, affected_sop_instance_uid=INST)  # type: ignore[call-arg]
    # N-EVENT-REPORT-RSP: message_id_being_responded_to, status
    NEventReportResponse(status=0)  # type: ignore[call-arg]
    NEventReportResponse(message_id_being_responded_to=1)  # type: ignore[call-arg]
    # N-GET-RQ: message_id, requested_sop_class_uid, requested_sop_instance_uid
    NGetRequest(requested_sop_class_uid=SOP, requested_sop_instance_uid=INST)  # type: ignore[call-arg]
    NGetRequest(message_id=1, requested_sop_instance_uid=INST)  # type: ignore[call-arg]
    NGetRequest(message_id=1, requested_sop_class_uid=SOP)  # type: ignore[call-arg]
    # N-GET-RSP: message_id_being_responded_to, status
    NGetResponse(status=0)  # type: ignore[call-arg]
    NGetResponse(message_id_being_responded_to=1)  # type: ignore[call-arg]
    # N-SET-RQ: message_id, requested_sop_class_uid, requested_sop_instance_uid, modification_list
    NSetRequest(requested_sop_class_uid=SOP, requested_sop_instance_uid=INST, modification_list=DS)  # type: ignore[call-arg]
    NSetRequest(message_id=1, requested_sop_instance_uid=INST, modification_list=DS)  # type: ignore[call-arg]
    NSetRequest(message_id=1, requested_sop_class_uid=SOP, modification_list=DS)  # type: ignore[call-arg]
    NSetRequest(message_id=1, requested_sop_class_uid=SOP, requested_sop_instance_uid=INST)  # type: ignore[call-arg]
    # N-SET-RSP: message_id_being_responded_to, status
    NSetResponse(status=0)  # type: ignore[call-arg]
    NSetResponse(message_id_being_responded_to=1)  # type: ignore[call-arg]
    # N-ACTION-RQ: message_id, requested_sop_class_uid, requested_sop_instance_uid, action_type_id
    NActionRequest(requested_sop_class_uid=SOP, requested_sop_instance_uid=INST, action_type_id=1)  # type: ignore[call-arg]
    NActionRequest(message_id=1, requested_sop_instance_uid=INST, action_type_id=1)  # type: ignore[call-arg]
    NActionRequest(message_id=1, requested_sop_class_uid=SOP, action_type_id=1)  # type: ignore[call-arg]
    NActionRequest(message_id=1, requested_sop_class_uid=SOP, requested_sop_instance_uid=INST)  # type: ignore[call-arg]
    # N-ACTION-RSP: message_id_being_responded_to, status
    NActionResponse(status=0)  # type: ignore[call-arg]
    NActionResponse(message_id_being_responded_to=1)  # type: ignore[call-arg]
    # N-CREATE-RQ: message_id, affected_sop_class_uid
    NCreateRequest(affected_sop_class_uid=SOP)  # type: ignore[call-arg]
    NCreateRequest(message_id=1)  # type: ignore[call-arg]
    # N-CREATE-RSP: message_id_being_responded_to, status
    NCreateResponse(status=0)  # type: ignore[call-arg]
    NCreateResponse(message_id_being_responded_to=1)  # type: ignore[call-arg]
    # N-DELETE-RQ: message_id, requested_sop_class_uid, requested_sop_instance_uid
    NDeleteRequest(requested_sop_class_uid=SOP, requested_sop_instance_uid=INST)  # type: ignore[call-arg]
    NDeleteRequest(message_id=1, requested_sop_instance_uid=INST)  # type: ignore[call-arg]
    NDeleteRequest(message_id=1, requested_sop_class_uid=SOP)  # type: ignore[call-arg]
    # N-DELETE-RSP: message_id_being_responded_to, status
    NDeleteResponse(status=0)  # type: ignore[call-arg]
    NDeleteResponse(message_id_being_responded_to=1)  # type: ignore[call-arg]
    # C-CANCEL-RQ: message_id_being_responded_to
    CCancelRequest()  # type: ignore[call-arg]


def str_where_int_is_required() -> None:
    """US fields, Status and Priority take ints; a str is refused (arg-type)."""
    CEchoRequest(message_id="1")  # type: ignore[arg-type]
    CEchoResponse(message_id_being_responded_to="1", status=0)  # type: ignore[arg-type]
    CCancelRequest(message_id_being_responded_to="1")  # type: ignore[arg-type]
    CEchoResponse(message_id_being_responded_to=1, status="0000")  # type: ignore[arg-type]
    CFindRequest(message_id=1, affected_sop_class_uid=SOP, priority="HIGH", identifier=DS)  # type: ignore[arg-type]
    CStoreRequest(
        message_id=1,
        affected_sop_class_uid=SOP,
        affected_sop_instance_uid=INST,
        data_set=DS,
        move_originator_application_entity_title="MOVE_SCU",
        move_originator_message_id="7",  # type: ignore[arg-type]
    )
    CMoveResponse(
        message_id_being_responded_to=1,
        status=0xFF00,
        number_of_remaining_suboperations="3",  # type: ignore[arg-type]
    )
    CMoveResponse(
        message_id_being_responded_to=1,
        status=0xFF00,
        number_of_completed_suboperations="3",  # type: ignore[arg-type]
    )
    CGetResponse(message_id_being_responded_to=1, status=0xFF00, number_of_failed_suboperations="0")  # type: ignore[arg-type]
    CGetResponse(
        message_id_being_responded_to=1,
        status=0xFF00,
        number_of_warning_suboperations="0",  # type: ignore[arg-type]
    )
    NEventReportRequest(
        message_id=1,
        affected_sop_class_uid=SOP,
        affected_sop_instance_uid=INST,
        event_type_id="1",  # type: ignore[arg-type]
    )
    NEventReportResponse(message_id_being_responded_to=1, status=0, event_type_id="1")  # type: ignore[arg-type]
    NActionRequest(
        message_id=1,
        requested_sop_class_uid=SOP,
        requested_sop_instance_uid=INST,
        action_type_id="1",  # type: ignore[arg-type]
    )
    NActionResponse(message_id_being_responded_to=1, status=0, action_type_id="1")  # type: ignore[arg-type]
    NCreateResponse(message_id_being_responded_to=1, status=0x0110, error_id="1")  # type: ignore[arg-type]
    Status("FF00")  # type: ignore[arg-type]


def none_for_a_required_field() -> None:
    """Required fields are not Optional (arg-type)."""
    CEchoRequest(message_id=None)  # type: ignore[arg-type]
    CEchoRequest(message_id=1, affected_sop_class_uid=None)  # type: ignore[arg-type]
    CEchoResponse(message_id_being_responded_to=1, status=None)  # type: ignore[arg-type]
    CFindRequest(message_id=1, affected_sop_class_uid=SOP, identifier=None)  # type: ignore[arg-type]
    CFindRequest(message_id=1, affected_sop_class_uid=SOP, priority=None, identifier=DS)  # type: ignore[arg-type]
    CMoveRequest(message_id=1, affected_sop_class_uid=SOP, identifier=DS, move_destination=None)  # type: ignore[arg-type]
    CStoreRequest(
        message_id=1,
        affected_sop_class_uid=SOP,
        affected_sop_instance_uid=None,  # type: ignore[arg-type]
        data_set=DS,
    )
    NSetRequest(
        message_id=1,
        requested_sop_class_uid=SOP,
        requested_sop_instance_uid=INST,
        modification_list=None,  # type: ignore[arg-type]
    )
    NActionRequest(
        message_id=1,
        requested_sop_class_uid=SOP,
        requested_sop_instance_uid=INST,
        action_type_id=None,  # type: ignore[arg-type]
    )
    CCancelRequest(message_id_being_responded_to=None)  # type: ignore[arg-type]


def wrong_value_types(payload: DataSetPayload) -> None:
    """A value of a type no converter takes (arg-type)."""
    CEchoRequest(message_id=1, affected_sop_class_uid=1.2)  # type: ignore[arg-type]
    CStoreRequest(
        message_id=1,
        affected_sop_class_uid=SOP,
        affected_sop_instance_uid=INST,
        data_set="not a data set",  # type: ignore[arg-type]
    )
    CStoreRequest(
        message_id=1,
        affected_sop_class_uid=SOP,
        affected_sop_instance_uid=INST,
        data_set=5,  # type: ignore[arg-type]
    )
    CStoreResponse(message_id_being_responded_to=1, status=0xC000, offending_element=0x00100010)  # type: ignore[arg-type]
    CStoreResponse(message_id_being_responded_to=1, status=0xC000, error_comment=42)  # type: ignore[arg-type]
    CMoveRequest(message_id=1, affected_sop_class_uid=SOP, identifier=DS, move_destination=42)  # type: ignore[arg-type]
    DataSetPayload("not a data set")  # type: ignore[arg-type]
    Status(0).meaning("Storage")  # type: ignore[arg-type]


def positional_arguments(move: CMoveRequest) -> None:
    """Keyword-only, bases included (call-arg)."""
    CEchoRequest(1)  # type: ignore[call-arg]
    CEchoResponse(1, 0)  # type: ignore[call-arg]
    CCancelRequest(1)  # type: ignore[call-arg]
    CMoveRequest(1, SOP, Priority.HIGH, DS, "AE")  # type: ignore[call-arg]
    move.response(0x0000)  # type: ignore[call-arg]


def unknown_keyword() -> None:
    """No such field, and the fields PS3.7 marks "-" for that half (call-arg)."""
    CEchoRequest(message_id=1, colour="red")  # type: ignore[call-arg]
    CEchoRequest(message_id=1, priority=0)  # type: ignore[call-arg]
    CCancelRequest(message_id=1)  # type: ignore[call-arg]
    CEchoResponse(message_id=1, status=0)  # type: ignore[call-arg]
    CStoreResponse(message_id_being_responded_to=1, status=0, identifier=DS)  # type: ignore[call-arg]
    CFindResponse(message_id_being_responded_to=1, status=0, number_of_remaining_suboperations=0)  # type: ignore[call-arg]
    CMoveResponse(message_id_being_responded_to=1, status=0, move_destination="AE")  # type: ignore[call-arg]
    NGetRequest(  # type: ignore[call-arg]
        message_id=1,
        requested_sop_class_uid=SOP,
        requested_sop_instance_uid=INST,
        attribute_list=DS,  # pyright: ignore[reportCallIssue]
    )
    NDeleteRequest(  # type: ignore[call-arg]
        message_id=1,
        requested_sop_class_uid=SOP,
        requested_sop_instance_uid=INST,
        attribute_list=DS,  # pyright: ignore[reportCallIssue]
    )
    NDeleteResponse(message_id_being_responded_to=1, status=0, attribute_list=DS)  # type: ignore[call-arg]
    NEventReportRequest(  # type: ignore[call-arg]  # Requested UIDs are N-GET/SET/ACTION/DELETE's
        message_id=1,
        requested_sop_class_uid=SOP,  # pyright: ignore[reportCallIssue]
        requested_sop_instance_uid=INST,  # pyright: ignore[reportCallIssue]
        event_type_id=1,
    )
    NActionResponse(message_id_being_responded_to=1, status=0, event_type_id=1)  # type: ignore[call-arg]


def absent_fields(
    echo: CEchoRequest,
    store_rsp: CStoreResponse,
    find_rsp: CFindResponse,
    delete: NDeleteRequest,
    cancel: CCancelRequest,
) -> None:
    """A field PS3.7 marks "-" is not an attribute of that half (attr-defined)."""
    echo.priority  # type: ignore[attr-defined]
    store_rsp.identifier  # type: ignore[attr-defined]
    find_rsp.number_of_remaining_suboperations  # type: ignore[attr-defined]
    delete.attribute_list  # type: ignore[attr-defined]
    cancel.message_id  # type: ignore[attr-defined]
    find_rsp.cancel()  # type: ignore[attr-defined]


def assigning_to_a_frozen_field(
    echo: CEchoRequest,
    echo_rsp: CEchoResponse,
    store: CStoreRequest,
    store_rsp: CStoreResponse,
    find: CFindRequest,
    find_rsp: CFindResponse,
    get: CGetRequest,
    get_rsp: CGetResponse,
    move: CMoveRequest,
    move_rsp: CMoveResponse,
    cancel: CCancelRequest,
    report: NEventReportRequest,
    report_rsp: NEventReportResponse,
    n_get: NGetRequest,
    n_get_rsp: NGetResponse,
    n_set: NSetRequest,
    n_set_rsp: NSetResponse,
    action: NActionRequest,
    action_rsp: NActionResponse,
    create: NCreateRequest,
    create_rsp: NCreateResponse,
    delete: NDeleteRequest,
    delete_rsp: NDeleteResponse,
) -> None:
    """Every class is frozen, bases included (mypy: misc, "Property ... is read-only")."""
    echo.message_id = 2  # type: ignore[misc]
    echo_rsp.status = Status(0)  # type: ignore[misc]
    store.data_set = DataSetPayload(DS)  # type: ignore[misc]
    store_rsp.affected_sop_instance_uid = None  # type: ignore[misc]
    find.priority = Priority.HIGH  # type: ignore[misc]
    find_rsp.identifier = None  # type: ignore[misc]
    get.identifier = DataSetPayload(DS)  # type: ignore[misc]
    get_rsp.number_of_remaining_suboperations = 0  # type: ignore[misc]
    move.move_destination = "OTHER_AE"  # type: ignore[misc]
    move_rsp.number_of_failed_suboperations = 1  # type: ignore[misc]
    cancel.message_id_being_responded_to = 2  # type: ignore[misc]
    report.event_type_id = 2  # type: ignore[misc]
    report_rsp.event_reply = None  # type: ignore[misc]
    n_get.attribute_identifier_list = None  # type: ignore[misc]
    n_get_rsp.attribute_list = None  # type: ignore[misc]
    n_set.requested_sop_instance_uid = UID(INST)  # type: ignore[misc]
    n_set_rsp.error_comment = None  # type: ignore[misc]
    action.action_type_id = 2  # type: ignore[misc]
    action_rsp.error_id = None  # type: ignore[misc]
    create.affected_sop_instance_uid = None  # type: ignore[misc]
    create_rsp.offending_element = None  # type: ignore[misc]
    delete.requested_sop_class_uid = UID(SOP)  # type: ignore[misc]
    delete_rsp.message_id_being_responded_to = 2  # type: ignore[misc]
    echo_rsp.status_meaning = "Success"  # type: ignore[misc]


def takes_a_c_move_request(request: CMoveRequest) -> None: ...


def takes_any_request(request: Request[Any]) -> None: ...


def a_response_where_a_request_is_required(
    move: CMoveRequest,
    get: CGetRequest,
    store: CStoreRequest,
    create: NCreateRequest,
    move_rsp: CMoveResponse,
    get_rsp: CGetResponse,
    find_rsp: CFindResponse,
    store_rsp: CStoreResponse,
    set_rsp: NSetResponse,
    cancel: CCancelRequest,
) -> None:
    """Requests and responses are distinct types, and each request knows its answer."""
    takes_a_c_move_request(move_rsp)  # type: ignore[arg-type]
    takes_a_c_move_request(get)  # type: ignore[arg-type]
    takes_any_request(move_rsp)  # type: ignore[arg-type]
    takes_any_request(cancel)  # type: ignore[arg-type]  # C-CANCEL-RQ has no response
    move.check_response(find_rsp)  # type: ignore[arg-type]
    move.check_response(get_rsp)  # type: ignore[arg-type]  # same fields, other service
    move.check_response(move)  # type: ignore[arg-type]
    get.check_response(move_rsp)  # type: ignore[arg-type]
    store.check_response(find_rsp)  # type: ignore[arg-type]
    create.check_response(set_rsp)  # type: ignore[arg-type]
    store_rsp.response(status=0)  # type: ignore[attr-defined]
    wrong: CGetResponse = move.response(status=0)  # type: ignore[assignment]
    move.response(status="0000")  # type: ignore[arg-type]


def optional_fields_must_be_narrowed(move_rsp: CMoveResponse, create_rsp: NCreateResponse) -> None:
    """An optional field is ``X | None`` until checked (assignment)."""
    remaining: int = move_rsp.number_of_remaining_suboperations  # type: ignore[assignment]
    uid: UID = create_rsp.affected_sop_instance_uid  # type: ignore[assignment]
    payload: DataSetPayload = move_rsp.identifier  # type: ignore[assignment]
    if move_rsp.number_of_remaining_suboperations is not None:
        narrowed: int = move_rsp.number_of_remaining_suboperations


def generic_request_needs_its_parameter(request: Request) -> None:  # type: ignore[type-arg]
    """``Request`` is generic in its response class: write ``Request[Any]`` (strict mypy)."""


def status_is_not_a_service_class(status: Status) -> None:
    status.meaning(ServiceClass)  # type: ignore[arg-type]


def attribute_tags_are_an_immutable_sequence(tags: AttributeTags, rsp: NGetResponse) -> None:
    """An AT list is no tuple and cannot be changed; it takes tags, not one tag or bytes."""
    AttributeTags(0x00100010)  # type: ignore[arg-type]
    AttributeTags([1.5])  # type: ignore[list-item]
    AttributeTags.from_bytes("00100010")  # type: ignore[arg-type]
    tags[0] = BaseTag(0x00100010)  # type: ignore[index]
    del tags[0]  # type: ignore[attr-defined]
    tags["PatientID"]  # type: ignore[call-overload]
    tags.append(0x00100010)  # type: ignore[attr-defined]
    tags.note = "x"  # type: ignore[attr-defined]
    if rsp.attribute_identifier_list is not None:
        as_tuple: tuple[BaseTag, ...] = rsp.attribute_identifier_list  # type: ignore[assignment]
