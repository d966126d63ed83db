"""What ``dimsekit.interop.pynetdicom`` returns: one primitive class per service, both ways.

Each message class (request or response) goes to its service's pynetdicom primitive, and
each primitive comes back as its service's request or response (C-CANCEL: the request).
"""

from __future__ import annotations

from typing import assert_type

from pynetdicom.dimse_primitives import (
    C_CANCEL,
    C_ECHO,
    C_FIND,
    C_GET,
    C_MOVE,
    C_STORE,
    N_ACTION,
    N_CREATE,
    N_DELETE,
    N_EVENT_REPORT,
    N_GET,
    N_SET,
)

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
    Message,
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
)
from dimsekit.interop.pynetdicom import Primitive, from_primitive, to_primitive


def c_store(request: CStoreRequest, response: CStoreResponse, primitive: C_STORE) -> None:
    assert_type(to_primitive(request), C_STORE)
    assert_type(to_primitive(response, transfer_syntax=None), C_STORE)
    assert_type(from_primitive(primitive), CStoreRequest | CStoreResponse)
    assert_type(from_primitive(primitive, is_response=True), CStoreRequest | CStoreResponse)


def c_find(request: CFindRequest, response: CFindResponse, primitive: C_FIND) -> None:
    assert_type(to_primitive(request), C_FIND)
    assert_type(to_primitive(response, transfer_syntax=None), C_FIND)
    assert_type(from_primitive(primitive), CFindRequest | CFindResponse)
    assert_type(from_primitive(primitive, is_response=True), CFindRequest | CFindResponse)


def c_get(request: CGetRequest, response: CGetResponse, primitive: C_GET) -> None:
    assert_type(to_primitive(request), C_GET)
    assert_type(to_primitive(response, transfer_syntax=None), C_GET)
    assert_type(from_primitive(primitive), CGetRequest | CGetResponse)
    assert_type(from_primitive(primitive, is_response=True), CGetRequest | CGetResponse)


def c_move(request: CMoveRequest, response: CMoveResponse, primitive: C_MOVE) -> None:
    assert_type(to_primitive(request), C_MOVE)
    assert_type(to_primitive(response, transfer_syntax=None), C_MOVE)
    assert_type(from_primitive(primitive), CMoveRequest | CMoveResponse)
    assert_type(from_primitive(primitive, is_response=True), CMoveRequest | CMoveResponse)


def c_echo(request: CEchoRequest, response: CEchoResponse, primitive: C_ECHO) -> None:
    assert_type(to_primitive(request), C_ECHO)
    assert_type(to_primitive(response, transfer_syntax=None), C_ECHO)
    assert_type(from_primitive(primitive), CEchoRequest | CEchoResponse)
    assert_type(from_primitive(primitive, is_response=True), CEchoRequest | CEchoResponse)


def c_cancel(request: CCancelRequest, primitive: C_CANCEL) -> None:
    assert_type(to_primitive(request), C_CANCEL)
    assert_type(from_primitive(primitive), CCancelRequest)


def n_event_report(
    request: NEventReportRequest, response: NEventReportResponse, primitive: N_EVENT_REPORT
) -> None:
    assert_type(to_primitive(request), N_EVENT_REPORT)
    assert_type(to_primitive(response, transfer_syntax=None), N_EVENT_REPORT)
    assert_type(from_primitive(primitive), NEventReportRequest | NEventReportResponse)
    assert_type(
        from_primitive(primitive, is_response=True), NEventReportRequest | NEventReportResponse
    )


def n_get(request: NGetRequest, response: NGetResponse, primitive: N_GET) -> None:
    assert_type(to_primitive(request), N_GET)
    assert_type(to_primitive(response, transfer_syntax=None), N_GET)
    assert_type(from_primitive(primitive), NGetRequest | NGetResponse)
    assert_type(from_primitive(primitive, is_response=True), NGetRequest | NGetResponse)


def n_set(request: NSetRequest, response: NSetResponse, primitive: N_SET) -> None:
    assert_type(to_primitive(request), N_SET)
    assert_type(to_primitive(response, transfer_syntax=None), N_SET)
    assert_type(from_primitive(primitive), NSetRequest | NSetResponse)
    assert_type(from_primitive(primitive, is_response=True), NSetRequest | NSetResponse)


def n_action(request: NActionRequest, response: NActionResponse, primitive: N_ACTION) -> None:
    assert_type(to_primitive(request), N_ACTION)
    assert_type(to_primitive(response, transfer_syntax=None), N_ACTION)
    assert_type(from_primitive(primitive), NActionRequest | NActionResponse)
    assert_type(from_primitive(primitive, is_response=True), NActionRequest | NActionResponse)


def n_create(request: NCreateRequest, response: NCreateResponse, primitive: N_CREATE) -> None:
    assert_type(to_primitive(request), N_CREATE)
    assert_type(to_primitive(response, transfer_syntax=None), N_CREATE)
    assert_type(from_primitive(primitive), NCreateRequest | NCreateResponse)
    assert_type(from_primitive(primitive, is_response=True), NCreateRequest | NCreateResponse)


def n_delete(request: NDeleteRequest, response: NDeleteResponse, primitive: N_DELETE) -> None:
    assert_type(to_primitive(request), N_DELETE)
    assert_type(to_primitive(response, transfer_syntax=None), N_DELETE)
    assert_type(from_primitive(primitive), NDeleteRequest | NDeleteResponse)
    assert_type(from_primitive(primitive, is_response=True), NDeleteRequest | NDeleteResponse)


def any_message(message: Message) -> None:
    assert_type(to_primitive(message), Primitive)
