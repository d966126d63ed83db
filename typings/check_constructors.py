"""Named constructors: each request builds, checks and cancels with its own classes.

``request.response(status=...)`` returns the response class of that very request,
``check_response`` takes only that class and returns the mismatches,
``QueryRetrieveRequest.cancel()`` returns a C-CANCEL-RQ, ``attrs.evolve`` keeps the class.
Also the codec entry points a user calls on a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, assert_type

import attrs

from dimsekit import (
    MESSAGE_CLASSES,
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
    Request,
    Response,
    ResponseMismatch,
    Status,
    decode_command,
    encode_command,
    fragment_message,
)

Mismatches = list[ResponseMismatch]


def check_response_of_every_request(
    echo: CEchoRequest,
    store: CStoreRequest,
    find: CFindRequest,
    get: CGetRequest,
    move: CMoveRequest,
    report: NEventReportRequest,
    n_get: NGetRequest,
    n_set: NSetRequest,
    action: NActionRequest,
    create: NCreateRequest,
    delete: NDeleteRequest,
) -> None:
    assert_type(echo.response(status=0x0000), CEchoResponse)
    assert_type(store.response(status=0xB000), CStoreResponse)
    assert_type(find.response(status=0xFF00, identifier=b""), CFindResponse)
    assert_type(get.response(status=0xFF00, number_of_remaining_suboperations=3), CGetResponse)
    assert_type(move.response(status=0x0000), CMoveResponse)
    assert_type(report.response(status=0x0000), NEventReportResponse)
    assert_type(n_get.response(status=0x0000), NGetResponse)
    assert_type(n_set.response(status=0x0000), NSetResponse)
    assert_type(action.response(status=0x0000), NActionResponse)
    assert_type(create.response(status=0x0000), NCreateResponse)
    assert_type(delete.response(status=0x0000), NDeleteResponse)
    # a Status is an int, so it is a status argument too
    assert_type(move.response(status=Status(0xFE00)), CMoveResponse)


def check_check_response_of_every_request(
    echo: CEchoRequest,
    store: CStoreRequest,
    find: CFindRequest,
    get: CGetRequest,
    move: CMoveRequest,
    report: NEventReportRequest,
    n_get: NGetRequest,
    n_set: NSetRequest,
    action: NActionRequest,
    create: NCreateRequest,
    delete: NDeleteRequest,
) -> None:
    assert_type(echo.check_response(echo.response(status=0)), Mismatches)
    assert_type(store.check_response(store.response(status=0)), Mismatches)
    assert_type(find.check_response(find.response(status=0)), Mismatches)
    assert_type(get.check_response(get.response(status=0)), Mismatches)
    assert_type(move.check_response(move.response(status=0)), Mismatches)
    assert_type(report.check_response(report.response(status=0)), Mismatches)
    assert_type(n_get.check_response(n_get.response(status=0)), Mismatches)
    assert_type(n_set.check_response(n_set.response(status=0)), Mismatches)
    assert_type(action.check_response(action.response(status=0)), Mismatches)
    assert_type(create.check_response(create.response(status=0)), Mismatches)
    assert_type(delete.check_response(delete.response(status=0)), Mismatches)


def check_response_mismatch(mismatch: ResponseMismatch) -> None:
    assert_type(mismatch.field, str)
    assert_type(mismatch.request_value, object)
    assert_type(mismatch.response_value, object)
    assert_type(mismatch.rule, str)
    assert_type(str(mismatch), str)


def check_cancel(find: CFindRequest, get: CGetRequest, move: CMoveRequest) -> None:
    assert_type(find.cancel(), CCancelRequest)
    assert_type(get.cancel(), CCancelRequest)
    assert_type(move.cancel(), CCancelRequest)
    assert_type(move.cancel().message_id_being_responded_to, int)


def check_generic_request(request: Request[Any], response: Response) -> None:
    # Without knowing which request it is, its response is only known to be a Response.
    assert_type(request.response_class, type[Response])
    assert_type(request.message_id, int)
    assert_type(request.check_response(response), Mismatches)
    # ``Request[CMoveResponse]`` is what CMoveRequest is a Request of.
    generic: Request[CMoveResponse] = CMoveRequest(
        message_id=1, affected_sop_class_uid="1.2", identifier=b"", move_destination="AE"
    )
    assert_type(generic.response(status=0), CMoveResponse)


def check_evolve(move: CMoveRequest, rsp: CFindResponse, cancel: CCancelRequest) -> None:
    assert_type(attrs.evolve(move, message_id=2), CMoveRequest)
    assert_type(attrs.evolve(move, priority=1), CMoveRequest)
    assert_type(attrs.evolve(rsp, status=0x0000, identifier=None), CFindResponse)
    assert_type(attrs.evolve(cancel, message_id_being_responded_to=3), CCancelRequest)


def check_registry_and_codec(message: Message, data: bytes) -> None:
    assert_type(MESSAGE_CLASSES, dict[CommandField, type[Message]])
    assert_type(MESSAGE_CLASSES[CommandField.C_MOVE_RQ], type[Message])
    assert_type(encode_command(message), bytes)
    assert_type(decode_command(data), DecodedCommand)
    assert_type(decode_command(data).message, Message)
    assert_type(message.data_set_payload, DataSetPayload | None)
    assert_type(MessageAssembler().feed(data), list[Event])
    assert_type(fragment_message(message, 1, 16382), Iterator[tuple[bytes | memoryview, ...]])
    # narrowing a decoded message to its class gives back the typed fields
    if isinstance(message, CMoveRequest):
        assert_type(message.move_destination, str)
        assert_type(message.response(status=0xFF00), CMoveResponse)
