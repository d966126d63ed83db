"""What a constructor accepts: each field in every form the type checker lets through.

UIDs as ``str``, ``bytes`` or pydicom ``UID``; Priority as a plain ``int`` or
``Priority``; Status as a plain ``int`` or ``Status``; data sets as ``bytes``,
``bytearray``, ``memoryview``, a pydicom ``Dataset`` or a ``DataSetPayload``; tags as
ints, keywords, (group, element) pairs or ``BaseTag`` in any iterable, an
``AttributeTags`` among them; AE titles and Error Comments as ``str`` or ``bytes``;
``None`` for every optional field.

Each class is built once with every one of its fields given, so a renamed or dropped
keyword fails here.  The values are what the type checker accepts; some of them are
refused at run time by the PS3.7 rules (these files are never run).
"""

from __future__ import annotations

from typing import assert_type

from pydicom.dataset import Dataset
from pydicom.tag import BaseTag
from pydicom.uid import UID

from dimsekit import (
    VERIFICATION_SOP_CLASS,
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
    PayloadInput,
    Priority,
    Status,
    TagLike,
)

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
PRINTER = "1.2.840.10008.5.1.1.16"
PRINTER_INSTANCE = "1.2.840.10008.5.1.1.17"


def check_every_field_of_the_c_messages(ds: Dataset, raw: bytes) -> None:
    assert_type(
        CEchoRequest(message_id=1, affected_sop_class_uid=VERIFICATION_SOP_CLASS), CEchoRequest
    )
    assert_type(
        CEchoResponse(
            message_id_being_responded_to=1,
            status=0x0000,
            affected_sop_class_uid="1.2.840.10008.1.1",
            offending_element=None,
            error_comment=None,
        ),
        CEchoResponse,
    )
    assert_type(
        CStoreRequest(
            message_id=7,
            affected_sop_class_uid=CT_IMAGE,
            affected_sop_instance_uid=b"1.2.3.4\0",
            priority=Priority.LOW,
            move_originator_application_entity_title=b"MOVE_SCU",
            move_originator_message_id=3,
            data_set=ds,
        ),
        CStoreRequest,
    )
    assert_type(
        CStoreResponse(
            message_id_being_responded_to=7,
            status=0xA700,
            affected_sop_class_uid=CT_IMAGE,
            affected_sop_instance_uid="1.2.3.4",
            offending_element=None,
            error_comment="disk full",
        ),
        CStoreResponse,
    )
    assert_type(
        CFindRequest(
            message_id=2, affected_sop_class_uid=STUDY_ROOT_FIND, priority=0, identifier=ds
        ),
        CFindRequest,
    )
    assert_type(
        CFindResponse(
            message_id_being_responded_to=2,
            status=0xFF00,
            affected_sop_class_uid=STUDY_ROOT_FIND,
            offending_element=None,
            error_comment=None,
            identifier=raw,
        ),
        CFindResponse,
    )
    assert_type(
        CGetRequest(message_id=3, affected_sop_class_uid="1.2", priority=1, identifier=raw),
        CGetRequest,
    )
    assert_type(
        CGetResponse(
            message_id_being_responded_to=3,
            status=0xFF00,
            affected_sop_class_uid="1.2",
            offending_element=None,
            error_comment=None,
            number_of_remaining_suboperations=4,
            number_of_completed_suboperations=1,
            number_of_failed_suboperations=0,
            number_of_warning_suboperations=0,
            identifier=None,
        ),
        CGetResponse,
    )
    assert_type(
        CMoveRequest(
            message_id=4,
            affected_sop_class_uid="1.2",
            priority=Priority.HIGH,
            identifier=DataSetPayload(ds),
            move_destination="STORE_SCP",
        ),
        CMoveRequest,
    )
    assert_type(
        CMoveResponse(
            message_id_being_responded_to=4,
            status=Status(0xC000),
            affected_sop_class_uid="1.2",
            offending_element=[0x00080052],
            error_comment=b"bad level",
            number_of_remaining_suboperations=None,
            number_of_completed_suboperations=None,
            number_of_failed_suboperations=None,
            number_of_warning_suboperations=None,
            identifier=None,
        ),
        CMoveResponse,
    )
    assert_type(CCancelRequest(message_id_being_responded_to=2), CCancelRequest)


def check_every_field_of_the_n_messages(ds: Dataset, raw: bytes) -> None:
    assert_type(
        NEventReportRequest(
            message_id=5,
            affected_sop_class_uid=PRINTER,
            affected_sop_instance_uid=PRINTER_INSTANCE,
            event_type_id=1,
            event_information=ds,
        ),
        NEventReportRequest,
    )
    assert_type(
        NEventReportResponse(
            message_id_being_responded_to=5,
            status=0x0000,
            affected_sop_class_uid=PRINTER,
            affected_sop_instance_uid=PRINTER_INSTANCE,
            offending_element=None,
            error_comment=None,
            error_id=None,
            event_type_id=1,
            event_reply=raw,
        ),
        NEventReportResponse,
    )
    assert_type(
        NGetRequest(
            message_id=6,
            requested_sop_class_uid=PRINTER,
            requested_sop_instance_uid=PRINTER_INSTANCE,
            attribute_identifier_list=["PrinterStatus", (0x2110, 0x0020)],
        ),
        NGetRequest,
    )
    assert_type(
        NGetResponse(
            message_id_being_responded_to=6,
            status=0x0107,
            affected_sop_class_uid=PRINTER,
            affected_sop_instance_uid=PRINTER_INSTANCE,
            offending_element=None,
            error_comment=None,
            error_id=None,
            attribute_identifier_list=(0x21100020,),
            attribute_list=ds,
        ),
        NGetResponse,
    )
    assert_type(
        NSetRequest(
            message_id=7,
            requested_sop_class_uid="1.2.840.10008.5.1.1.1",
            requested_sop_instance_uid="1.2.3",
            modification_list=ds,
        ),
        NSetRequest,
    )
    assert_type(
        NSetResponse(
            message_id_being_responded_to=7,
            status=0x0106,
            affected_sop_class_uid=None,
            affected_sop_instance_uid=None,
            offending_element=None,
            error_comment=None,
            error_id=None,
            attribute_identifier_list=None,
            attribute_list=raw,
        ),
        NSetResponse,
    )
    assert_type(
        NActionRequest(
            message_id=8,
            requested_sop_class_uid="1.2.840.10008.1.20.1",
            requested_sop_instance_uid="1.2.840.10008.1.20.1.1",
            action_type_id=1,
            action_information=ds,
        ),
        NActionRequest,
    )
    assert_type(
        NActionResponse(
            message_id_being_responded_to=8,
            status=0x0000,
            affected_sop_class_uid="1.2.840.10008.1.20.1",
            affected_sop_instance_uid="1.2.840.10008.1.20.1.1",
            offending_element=None,
            error_comment=None,
            error_id=None,
            action_type_id=1,
            action_reply=None,
        ),
        NActionResponse,
    )
    assert_type(
        NCreateRequest(
            message_id=9,
            affected_sop_class_uid="1.2.840.10008.3.1.2.3.3",
            affected_sop_instance_uid=None,
            attribute_list=ds,
        ),
        NCreateRequest,
    )
    assert_type(
        NCreateResponse(
            message_id_being_responded_to=9,
            status=0x0110,
            affected_sop_class_uid="1.2.840.10008.3.1.2.3.3",
            affected_sop_instance_uid=None,
            offending_element=None,
            error_comment="could not create",
            error_id=0x0001,
            attribute_identifier_list=None,
            attribute_list=None,
        ),
        NCreateResponse,
    )
    assert_type(
        NDeleteRequest(
            message_id=10, requested_sop_class_uid=b"1.2", requested_sop_instance_uid=b"1.2.3"
        ),
        NDeleteRequest,
    )
    assert_type(
        NDeleteResponse(
            message_id_being_responded_to=10,
            status=0x0112,
            affected_sop_class_uid=None,
            affected_sop_instance_uid="1.2.3",
            offending_element=None,
            error_comment=None,
            error_id=None,
        ),
        NDeleteResponse,
    )


def check_uid_inputs(as_str: str, as_bytes: bytes, as_uid: UID) -> None:
    CEchoRequest(message_id=1, affected_sop_class_uid=as_str)
    CEchoRequest(message_id=1, affected_sop_class_uid=as_bytes)
    CEchoRequest(message_id=1, affected_sop_class_uid=as_uid)
    CEchoRequest(message_id=1, affected_sop_class_uid=b"1.2.840.10008.1.1\0")
    CEchoResponse(message_id_being_responded_to=1, status=0, affected_sop_class_uid=as_bytes)
    NGetRequest(message_id=1, requested_sop_class_uid=as_uid, requested_sop_instance_uid=as_str)


def check_priority_inputs(number: int, priority: Priority, ds: Dataset) -> None:
    CFindRequest(message_id=1, affected_sop_class_uid="1.2", priority=0, identifier=ds)
    CFindRequest(message_id=1, affected_sop_class_uid="1.2", priority=number, identifier=ds)
    CFindRequest(message_id=1, affected_sop_class_uid="1.2", priority=priority, identifier=ds)
    CGetRequest(message_id=1, affected_sop_class_uid="1.2", priority=Priority.LOW, identifier=ds)
    CStoreRequest(
        message_id=1,
        affected_sop_class_uid="1.2",
        affected_sop_instance_uid="1.3",
        priority=2,
        data_set=ds,
    )


def check_status_inputs(number: int, status: Status) -> None:
    CEchoResponse(message_id_being_responded_to=1, status=0)
    CEchoResponse(message_id_being_responded_to=1, status=0x0000)
    CEchoResponse(message_id_being_responded_to=1, status=number)
    CEchoResponse(message_id_being_responded_to=1, status=status)
    CEchoResponse(message_id_being_responded_to=1, status=Status(0xC001))


def check_data_set_inputs(
    raw: bytes,
    buffer: bytearray,
    view: memoryview,
    ds: Dataset,
    payload: DataSetPayload,
    any_form: PayloadInput,
) -> None:
    for value in (raw, buffer, view, ds, payload, any_form, DataSetPayload.from_file("x.dcm")):
        CStoreRequest(
            message_id=1,
            affected_sop_class_uid="1.2",
            affected_sop_instance_uid="1.3",
            data_set=value,
        )
        NSetRequest(
            message_id=1,
            requested_sop_class_uid="1.2",
            requested_sop_instance_uid="1.3",
            modification_list=value,
        )
        CFindResponse(message_id_being_responded_to=1, status=0xFF00, identifier=value)
    # optional data sets take None too
    for optional in (None, raw, buffer, view, ds, payload):
        NActionRequest(
            message_id=1,
            requested_sop_class_uid="1.2",
            requested_sop_instance_uid="1.3",
            action_type_id=1,
            action_information=optional,
        )


def check_tag_inputs(tag_like: TagLike, tags: list[TagLike]) -> None:
    for value in (
        [0x00100010],
        ["PatientName"],
        [(0x0010, 0x0010)],
        (0x00100010, "PatientID", (0x0010, 0x0030), BaseTag(0x00100040)),
        [tag_like],
        tags,
        (BaseTag(0x00100010 + n) for n in range(3)),
        AttributeTags(["PatientName"]),
        None,
    ):
        CStoreResponse(message_id_being_responded_to=1, status=0xC000, offending_element=value)
        NSetResponse(
            message_id_being_responded_to=1, status=0x0105, attribute_identifier_list=value
        )


def check_text_inputs(title: str, title_bytes: bytes) -> None:
    CMoveRequest(message_id=1, affected_sop_class_uid="1.2", identifier=b"", move_destination=title)
    CMoveRequest(
        message_id=1, affected_sop_class_uid="1.2", identifier=b"", move_destination=title_bytes
    )
    CStoreResponse(message_id_being_responded_to=1, status=0xC000, error_comment=title_bytes)
