"""Named constructors, accepted inputs, and what the type checker must refuse.

Checked by ``nox -s typing`` with ``warn_unused_ignores``: each ``# type: ignore[code]``
line is a mistake users must be stopped from making; if dimsekit's annotations ever let
it through, the ignore becomes unused and the check fails.  Never executed.
"""

from __future__ import annotations

from typing import assert_type

from pydicom.dataset import Dataset
from pydicom.tag import BaseTag

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
    DecodedCommand,
    Event,
    Message,
    MessageAssembler,
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
    ResponseMismatch,
    ServiceClass,
    Status,
    StatusCategory,
    decode_command,
    encode_command,
    fragment_message,
)


def responses_match_their_requests(
    store: CStoreRequest,
    find: CFindRequest,
    get: CGetRequest,
    move: CMoveRequest,
    echo: CEchoRequest,
    report: NEventReportRequest,
    n_get: NGetRequest,
    n_set: NSetRequest,
    action: NActionRequest,
    create: NCreateRequest,
    delete: NDeleteRequest,
) -> None:
    assert_type(store.response(status=0), CStoreResponse)
    assert_type(find.response(status=0xFF00, identifier=b""), CFindResponse)
    assert_type(get.response(status=0), CGetResponse)
    assert_type(move.response(status=0), CMoveResponse)
    assert_type(echo.response(status=0), CEchoResponse)
    assert_type(report.response(status=0), NEventReportResponse)
    assert_type(n_get.response(status=0), NGetResponse)
    assert_type(n_set.response(status=0), NSetResponse)
    assert_type(action.response(status=0), NActionResponse)
    assert_type(create.response(status=0), NCreateResponse)
    assert_type(delete.response(status=0), NDeleteResponse)
    assert_type(find.cancel(), CCancelRequest)
    assert_type(get.cancel(), CCancelRequest)
    assert_type(move.cancel(), CCancelRequest)
    assert_type(move.check_response(move.response(status=0)), list[ResponseMismatch])


def status_and_codec(rsp: CMoveResponse, message: Message) -> None:
    assert_type(rsp.status_meaning, str)
    assert_type(rsp.service_class, ServiceClass)
    assert_type(rsp.status.category, StatusCategory)
    assert_type(rsp.status.meaning(ServiceClass.STORAGE), str)
    assert_type(rsp.status.is_final, bool)
    assert_type(Status(0xFF00), Status)
    assert_type(encode_command(message), bytes)
    assert_type(decode_command(b""), DecodedCommand)
    assert_type(decode_command(b"").message, Message)
    assert_type(message.data_set_payload, DataSetPayload | None)
    assert_type(MessageAssembler().feed(b""), list[Event])
    for pdu in fragment_message(message, 1, 16382):
        assert_type(pdu, tuple[bytes | memoryview, ...])


def accepted_inputs(dataset: Dataset, buffer: bytearray, view: memoryview) -> None:
    # UIDs as str or bytes, priority and status as plain ints, data sets in any form
    CStoreRequest(
        message_id=1,
        affected_sop_class_uid=b"1.2.840.10008.5.1.4.1.1.2\0",
        affected_sop_instance_uid="1.2.3",
        priority=2,
        data_set=dataset,
    )
    CStoreRequest(
        message_id=1,
        affected_sop_class_uid="1.2",
        affected_sop_instance_uid="1.2.3",
        priority=Priority.HIGH,
        data_set=buffer,
    )
    CFindResponse(message_id_being_responded_to=1, status=0xFF00, identifier=view)
    CFindResponse(message_id_being_responded_to=1, status=0xFF00, identifier=DataSetPayload(b""))
    # tags as ints, keywords or (group, element) pairs
    CStoreResponse(
        message_id_being_responded_to=1,
        status=0xC000,
        offending_element=[0x00100010, "PatientID", (0x0010, 0x0030), BaseTag(0x00100040)],
    )


def refused(move: CMoveRequest, find_rsp: CFindResponse, rsp: CMoveResponse) -> None:
    CEchoRequest()  # type: ignore[call-arg]  # message_id is required
    CEchoRequest(message_id="1")  # type: ignore[arg-type]  # a str where an int is required
    CEchoRequest(message_id=None)  # type: ignore[arg-type]  # a required field cannot be None
    CEchoRequest(1)  # type: ignore[call-arg]  # keyword-only
    CEchoRequest(message_id=1, colour="red")  # type: ignore[call-arg]  # no such field
    CMoveRequest(  # type: ignore[call-arg]  # move_destination is required
        message_id=1, affected_sop_class_uid="1.2", identifier=b""
    )
    CStoreRequest(
        message_id=1,
        affected_sop_class_uid="1.2",
        affected_sop_instance_uid="1.2",
        data_set=5,  # type: ignore[arg-type]  # a data set is not an int
    )
    move.message_id = 2  # type: ignore[misc]  # frozen
    rsp.status = Status(0)  # type: ignore[misc]  # frozen
    move.check_response(find_rsp)  # type: ignore[arg-type]  # a C-FIND-RSP answers no C-MOVE
    takes_a_request(rsp)  # type: ignore[arg-type]  # a response where a request is required
    CFindResponse.cancel  # type: ignore[attr-defined]  # responses cannot cancel


def takes_a_request(request: CMoveRequest) -> None:
    assert_type(request.cancel(), CCancelRequest)
