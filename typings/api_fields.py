"""What every field of every message class is, to the type checker (checked, never run)."""

from __future__ import annotations

from typing import assert_type

from pydicom.tag import BaseTag
from pydicom.uid import UID

from dimsekit import (
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
    Status,
    WireDetails,
)

Tags = tuple[BaseTag, ...]


def c_store(rq: CStoreRequest, rsp: CStoreResponse) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.affected_sop_instance_uid, UID)
    assert_type(rq.priority, Priority)
    assert_type(rq.move_originator_application_entity_title, str | None)
    assert_type(rq.move_originator_message_id, int | None)
    assert_type(rq.data_set, DataSetPayload)
    assert_type(rq.wire, WireDetails | None)
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
    assert_type(rsp.offending_element, Tags | None)
    assert_type(rsp.error_comment, str | None)


def c_find(rq: CFindRequest, rsp: CFindResponse) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.priority, Priority)
    assert_type(rq.identifier, DataSetPayload)
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.offending_element, Tags | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.identifier, DataSetPayload | None)


def c_get(rq: CGetRequest, rsp: CGetResponse) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.priority, Priority)
    assert_type(rq.identifier, DataSetPayload)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.number_of_remaining_suboperations, int | None)
    assert_type(rsp.number_of_completed_suboperations, int | None)
    assert_type(rsp.number_of_failed_suboperations, int | None)
    assert_type(rsp.number_of_warning_suboperations, int | None)
    assert_type(rsp.offending_element, Tags | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.identifier, DataSetPayload | None)


def c_move(rq: CMoveRequest, rsp: CMoveResponse) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.priority, Priority)
    assert_type(rq.move_destination, str)
    assert_type(rq.identifier, DataSetPayload)
    assert_type(rsp.message_id_being_responded_to, int)
    assert_type(rsp.status, Status)
    assert_type(rsp.number_of_remaining_suboperations, int | None)
    assert_type(rsp.number_of_completed_suboperations, int | None)
    assert_type(rsp.number_of_failed_suboperations, int | None)
    assert_type(rsp.number_of_warning_suboperations, int | None)
    assert_type(rsp.identifier, DataSetPayload | None)


def c_echo_and_cancel(rq: CEchoRequest, rsp: CEchoResponse, cancel: CCancelRequest) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(cancel.message_id_being_responded_to, int)


def n_event_report(rq: NEventReportRequest, rsp: NEventReportResponse) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.affected_sop_instance_uid, UID)
    assert_type(rq.event_type_id, int)
    assert_type(rq.event_information, DataSetPayload | None)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
    assert_type(rsp.event_type_id, int | None)
    assert_type(rsp.event_reply, DataSetPayload | None)
    assert_type(rsp.error_comment, str | None)
    assert_type(rsp.error_id, int | None)
    assert_type(rsp.offending_element, Tags | None)


def n_get(rq: NGetRequest, rsp: NGetResponse) -> None:
    assert_type(rq.message_id, int)
    assert_type(rq.requested_sop_class_uid, UID)
    assert_type(rq.requested_sop_instance_uid, UID)
    assert_type(rq.attribute_identifier_list, Tags | None)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
    assert_type(rsp.attribute_identifier_list, Tags | None)
    assert_type(rsp.attribute_list, DataSetPayload | None)
    assert_type(rsp.error_id, int | None)


def n_set(rq: NSetRequest, rsp: NSetResponse) -> None:
    assert_type(rq.requested_sop_class_uid, UID)
    assert_type(rq.requested_sop_instance_uid, UID)
    assert_type(rq.modification_list, DataSetPayload)
    assert_type(rsp.status, Status)
    assert_type(rsp.attribute_identifier_list, Tags | None)
    assert_type(rsp.attribute_list, DataSetPayload | None)


def n_action(rq: NActionRequest, rsp: NActionResponse) -> None:
    assert_type(rq.requested_sop_class_uid, UID)
    assert_type(rq.requested_sop_instance_uid, UID)
    assert_type(rq.action_type_id, int)
    assert_type(rq.action_information, DataSetPayload | None)
    assert_type(rsp.status, Status)
    assert_type(rsp.action_type_id, int | None)
    assert_type(rsp.action_reply, DataSetPayload | None)


def n_create(rq: NCreateRequest, rsp: NCreateResponse) -> None:
    assert_type(rq.affected_sop_class_uid, UID)
    assert_type(rq.affected_sop_instance_uid, UID | None)
    assert_type(rq.attribute_list, DataSetPayload | None)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
    assert_type(rsp.attribute_identifier_list, Tags | None)
    assert_type(rsp.attribute_list, DataSetPayload | None)


def n_delete(rq: NDeleteRequest, rsp: NDeleteResponse) -> None:
    assert_type(rq.requested_sop_class_uid, UID)
    assert_type(rq.requested_sop_instance_uid, UID)
    assert_type(rsp.status, Status)
    assert_type(rsp.affected_sop_class_uid, UID | None)
    assert_type(rsp.affected_sop_instance_uid, UID | None)
