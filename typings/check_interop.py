"""What ``dimsekit.interop.pynetdicom`` returns: one primitive class per service, both ways.

Each message class (request or response) goes to its service's pynetdicom primitive, and
each primitive comes back as its service's request or response (C-CANCEL: the request).
"""

from __future__ import annotations

from typing import assert_type

from pynetdicom import dimse_primitives as p

import dimsekit as dk
from dimsekit.interop.pynetdicom import Primitive, from_primitive, to_primitive


def c_store(request: dk.CStoreRequest, response: dk.CStoreResponse, primitive: p.C_STORE) -> None:
    assert_type(to_primitive(request), p.C_STORE)
    assert_type(to_primitive(response, transfer_syntax=None), p.C_STORE)
    assert_type(from_primitive(primitive), dk.CStoreRequest | dk.CStoreResponse)
    assert_type(from_primitive(primitive, is_response=True), dk.CStoreRequest | dk.CStoreResponse)


def c_find(request: dk.CFindRequest, response: dk.CFindResponse, primitive: p.C_FIND) -> None:
    assert_type(to_primitive(request), p.C_FIND)
    assert_type(to_primitive(response, transfer_syntax=None), p.C_FIND)
    assert_type(from_primitive(primitive), dk.CFindRequest | dk.CFindResponse)
    assert_type(from_primitive(primitive, is_response=True), dk.CFindRequest | dk.CFindResponse)


def c_get(request: dk.CGetRequest, response: dk.CGetResponse, primitive: p.C_GET) -> None:
    assert_type(to_primitive(request), p.C_GET)
    assert_type(to_primitive(response, transfer_syntax=None), p.C_GET)
    assert_type(from_primitive(primitive), dk.CGetRequest | dk.CGetResponse)
    assert_type(from_primitive(primitive, is_response=True), dk.CGetRequest | dk.CGetResponse)


def c_move(request: dk.CMoveRequest, response: dk.CMoveResponse, primitive: p.C_MOVE) -> None:
    assert_type(to_primitive(request), p.C_MOVE)
    assert_type(to_primitive(response, transfer_syntax=None), p.C_MOVE)
    assert_type(from_primitive(primitive), dk.CMoveRequest | dk.CMoveResponse)
    assert_type(from_primitive(primitive, is_response=True), dk.CMoveRequest | dk.CMoveResponse)


def c_echo(request: dk.CEchoRequest, response: dk.CEchoResponse, primitive: p.C_ECHO) -> None:
    assert_type(to_primitive(request), p.C_ECHO)
    assert_type(to_primitive(response, transfer_syntax=None), p.C_ECHO)
    assert_type(from_primitive(primitive), dk.CEchoRequest | dk.CEchoResponse)
    assert_type(from_primitive(primitive, is_response=True), dk.CEchoRequest | dk.CEchoResponse)


def c_cancel(request: dk.CCancelRequest, primitive: p.C_CANCEL) -> None:
    assert_type(to_primitive(request), p.C_CANCEL)
    assert_type(from_primitive(primitive), dk.CCancelRequest)


def n_event_report(
    request: dk.NEventReportRequest, response: dk.NEventReportResponse, primitive: p.N_EVENT_REPORT
) -> None:
    assert_type(to_primitive(request), p.N_EVENT_REPORT)
    assert_type(to_primitive(response, transfer_syntax=None), p.N_EVENT_REPORT)
    assert_type(from_primitive(primitive), dk.NEventReportRequest | dk.NEventReportResponse)
    assert_type(
        from_primitive(primitive, is_response=True),
        dk.NEventReportRequest | dk.NEventReportResponse,
    )


def n_get(request: dk.NGetRequest, response: dk.NGetResponse, primitive: p.N_GET) -> None:
    assert_type(to_primitive(request), p.N_GET)
    assert_type(to_primitive(response, transfer_syntax=None), p.N_GET)
    assert_type(from_primitive(primitive), dk.NGetRequest | dk.NGetResponse)
    assert_type(from_primitive(primitive, is_response=True), dk.NGetRequest | dk.NGetResponse)


def n_set(request: dk.NSetRequest, response: dk.NSetResponse, primitive: p.N_SET) -> None:
    assert_type(to_primitive(request), p.N_SET)
    assert_type(to_primitive(response, transfer_syntax=None), p.N_SET)
    assert_type(from_primitive(primitive), dk.NSetRequest | dk.NSetResponse)
    assert_type(from_primitive(primitive, is_response=True), dk.NSetRequest | dk.NSetResponse)


def n_action(
    request: dk.NActionRequest, response: dk.NActionResponse, primitive: p.N_ACTION
) -> None:
    assert_type(to_primitive(request), p.N_ACTION)
    assert_type(to_primitive(response, transfer_syntax=None), p.N_ACTION)
    assert_type(from_primitive(primitive), dk.NActionRequest | dk.NActionResponse)
    assert_type(from_primitive(primitive, is_response=True), dk.NActionRequest | dk.NActionResponse)


def n_create(
    request: dk.NCreateRequest, response: dk.NCreateResponse, primitive: p.N_CREATE
) -> None:
    assert_type(to_primitive(request), p.N_CREATE)
    assert_type(to_primitive(response, transfer_syntax=None), p.N_CREATE)
    assert_type(from_primitive(primitive), dk.NCreateRequest | dk.NCreateResponse)
    assert_type(from_primitive(primitive, is_response=True), dk.NCreateRequest | dk.NCreateResponse)


def n_delete(
    request: dk.NDeleteRequest, response: dk.NDeleteResponse, primitive: p.N_DELETE
) -> None:
    assert_type(to_primitive(request), p.N_DELETE)
    assert_type(to_primitive(response, transfer_syntax=None), p.N_DELETE)
    assert_type(from_primitive(primitive), dk.NDeleteRequest | dk.NDeleteResponse)
    assert_type(from_primitive(primitive, is_response=True), dk.NDeleteRequest | dk.NDeleteResponse)


def any_message(message: dk.Message) -> None:
    assert_type(to_primitive(message), Primitive)
