"""The type of every field of every one of the 23 message classes.

One function per class; its parameter is an instance, and one ``assert_type`` per field
states what a user reads back.  Required fields are never Optional; optional ones are
``X | None``; converted fields read back as their normalised type (a pydicom ``UID``,
``Priority``, ``Status``, ``DataSetPayload``, ``AttributeTags``), whatever
form they were given in.
"""

from __future__ import annotations

from typing import assert_type

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
    CommandField,
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
    Rule,
    ServiceClass,
    Status,
    WireDetails,
)

# --- what every message has -------------------------------------------------------------


def check_message_common(rq: CMoveRequest, rsp: CMoveResponse, cancel: CCancelRequest) -> None:
    assert_type(rq.command_field, CommandField)
    assert_type(CMoveRequest.command_field, CommandField)
    assert_type(rsp.command_field, CommandField)
    assert_type(cancel.command_field, CommandField)
    assert_type(CMoveRequest.rules, tuple[Rule, ...])
    assert_type(rq.wire, WireDetails | None)
    assert_type(rsp.wire, WireDetails | None)
    assert_type(rq.data_set_payload, DataSetPayload | None)
    assert_type(rsp.data_set_payload, DataSetPayload | None)
    assert_type(CMoveRequest.requirements(), dict[str, str])
    assert_type(CMoveRequest.data_set_field(), str | None)
    assert_type(rsp.status_meaning, str)
    assert_type(rsp.service_class, ServiceClass)
    assert_type(CMoveResponse.status_service_class, ServiceClass)
    assert_type(CMoveResponse.annex_c_fields, frozenset[str])
    assert_type(CMoveResponse.may_carry("identifier", rsp.status), bool)


# --- C-ECHO -----------------------------------------------------------------------------


def check_c_echo_request(rq: CEchoRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)


def check_c_echo_response(rsp: CEchoResponse) -> None:
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.offending_element, AttributeTags | None)
    assert_type(rsp.error_comment, str | None)


# --- C-STORE ----------------------------------------------------------------------------


def check_c_store_request(rq: CStoreRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.affected_sop_instance_uid, UID)
    assert_type(rq.priority, Priority)
    assert_type(rq.move_originator_application_entity_title, str | None)
    assert_type(rq.move_originator_message_id, int | None)
    assert_type(rq.data_set, DataSetPayload)


def check_c_store_response(rsp: CStoreResponse) -> None:
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
    assert_type(rsp.offending_element, AttributeTags | None)
    assert_type(rsp.error_comment, str | None)


# --- C-FIND -----------------------------------------------------------------------------


def check_c_find_request(rq: CFindRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.priority, Priority)
    assert_type(rq.identifier, DataSetPayload)


def check_c_find_response(rsp: CFindResponse) -> None:
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.offending_element, AttributeTags | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.identifier, DataSetPayload | None)


# --- C-GET ------------------------------------------------------------------------------


def check_c_get_request(rq: CGetRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.priority, Priority)
    assert_type(rq.identifier, DataSetPayload)


def check_c_get_response(rsp: CGetResponse) -> None:
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.offending_element, AttributeTags | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.number_of_remaining_suboperations, int | None)
    assert_type(rsp.number_of_completed_suboperations, int | None)
    assert_type(rsp.number_of_failed_suboperations, int | None)
    assert_type(rsp.number_of_warning_suboperations, int | None)
    assert_type(rsp.identifier, DataSetPayload | None)


# --- C-MOVE -----------------------------------------------------------------------------


def check_c_move_request(rq: CMoveRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.priority, Priority)
    assert_type(rq.move_destination, str)
    assert_type(rq.identifier, DataSetPayload)


def check_c_move_response(rsp: CMoveResponse) -> None:
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.offending_element, AttributeTags | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.number_of_remaining_suboperations, int | None)
    assert_type(rsp.number_of_completed_suboperations, int | None)
    assert_type(rsp.number_of_failed_suboperations, int | None)
    assert_type(rsp.number_of_warning_suboperations, int | None)
    assert_type(rsp.identifier, DataSetPayload | None)


# --- C-CANCEL ---------------------------------------------------------------------------


def check_c_cancel_request(rq: CCancelRequest) -> None:
    assert_type(rq.message_id_being_responded_to, int)


# --- N-EVENT-REPORT ---------------------------------------------------------------------


def check_n_event_report_request(rq: NEventReportRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.affected_sop_instance_uid, UID)
    assert_type(rq.event_type_id, int)
    assert_type(rq.event_information, DataSetPayload | None)


def check_n_event_report_response(rsp: NEventReportResponse) -> None:
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
    assert_type(rsp.offending_element, AttributeTags | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.error_id, int | None)
    assert_type(rsp.event_type_id, int | None)
    assert_type(rsp.event_reply, DataSetPayload | None)


# --- N-GET ------------------------------------------------------------------------------


def check_n_get_request(rq: NGetRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.requested_sop_class_uid, UID)
    assert_type(rq.requested_sop_instance_uid, UID)
    assert_type(rq.attribute_identifier_list, AttributeTags | None)


def check_n_get_response(rsp: NGetResponse) -> None:
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
    assert_type(rsp.offending_element, AttributeTags | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.error_id, int | None)
    assert_type(rsp.attribute_identifier_list, AttributeTags | None)
    assert_type(rsp.attribute_list, DataSetPayload | None)


# --- N-SET ------------------------------------------------------------------------------


def check_n_set_request(rq: NSetRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.requested_sop_class_uid, UID)
    assert_type(rq.requested_sop_instance_uid, UID)
    assert_type(rq.modification_list, DataSetPayload)


def check_n_set_response(rsp: NSetResponse) -> None:
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
    assert_type(rsp.offending_element, AttributeTags | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.error_id, int | None)
    assert_type(rsp.attribute_identifier_list, AttributeTags | None)
    assert_type(rsp.attribute_list, DataSetPayload | None)


# --- N-ACTION ---------------------------------------------------------------------------


def check_n_action_request(rq: NActionRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.requested_sop_class_uid, UID)
    assert_type(rq.requested_sop_instance_uid, UID)
    assert_type(rq.action_type_id, int)
    assert_type(rq.action_information, DataSetPayload | None)


def check_n_action_response(rsp: NActionResponse) -> None:
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
    assert_type(rsp.offending_element, AttributeTags | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.error_id, int | None)
    assert_type(rsp.action_type_id, int | None)
    assert_type(rsp.action_reply, DataSetPayload | None)


# --- N-CREATE ---------------------------------------------------------------------------


def check_n_create_request(rq: NCreateRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.affected_sop_instance_uid, UID | None)
    assert_type(rq.attribute_list, DataSetPayload | None)


def check_n_create_response(rsp: NCreateResponse) -> None:
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
    assert_type(rsp.offending_element, AttributeTags | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.error_id, int | None)
    assert_type(rsp.attribute_identifier_list, AttributeTags | None)
    assert_type(rsp.attribute_list, DataSetPayload | None)


# --- N-DELETE ---------------------------------------------------------------------------


def check_n_delete_request(rq: NDeleteRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.requested_sop_class_uid, UID)
    assert_type(rq.requested_sop_instance_uid, UID)


def check_n_delete_response(rsp: NDeleteResponse) -> None:
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
    assert_type(rsp.offending_element, AttributeTags | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.error_id, int | None)
