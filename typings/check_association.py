"""The association engine with DIMSE operations (issue 16): what its verbs and events
return, the operations' events typed by what they carry, and the mistakes refused."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, assert_type

from pydicom.uid import UID

from dimsekit import (
    Association,
    AssociationEvent,
    CEchoRequest,
    CEchoResponse,
    DuplicateInvocation,
    NeedData,
    Operation,
    OperationsPolicy,
    OperationsUnfinished,
    PDUBuffers,
    ReleaseRequest,
    ReleaseResponse,
    Request,
    RequestReceived,
    RequestRefused,
    Response,
    ResponseMismatch,
    ResponseReceived,
    Role,
    TimedOut,
    WindowOverrun,
)


def engine_verbs(association: Association) -> None:
    assert_type(association.next_message_id(), int)
    assert_type(association.window_open, bool)
    assert_type(association.outstanding_ours, Mapping[int, Operation])
    assert_type(association.outstanding_peers, Mapping[int, Operation])
    assert_type(association.operations_policy, OperationsPolicy)
    echo = CEchoRequest(message_id=association.next_message_id())
    pdus = association.send_message(1, echo, now=0.0)
    assert_type(pdus, Generator[PDUBuffers, float | None, None])
    assert_type(association.next_event(), AssociationEvent | NeedData)
    written = association.send(ReleaseRequest(abandon_outstanding=True), now=1.0)
    assert_type(written, list[bytes | memoryview])


def events(event: AssociationEvent) -> None:
    if isinstance(event, RequestReceived):
        assert_type(event.request, Request[Any])
        assert_type(event.operation.transfer_syntax, UID)
        assert_type(event.operation.ours, bool)
    elif isinstance(event, ResponseReceived):
        assert_type(event.response, Response)
        assert_type(event.final, bool)
        assert_type(event.cancelled, bool)
        assert_type(event.mismatches, tuple[ResponseMismatch, ...])
    elif isinstance(event, DuplicateInvocation | RequestRefused | WindowOverrun):
        assert_type(event.response, Response)
    elif isinstance(event, TimedOut):
        assert_type(event.operation, Operation | None)
    elif isinstance(event, OperationsUnfinished):
        assert_type(event.operations, tuple[Operation, ...])


def rejected(association: Association, response: CEchoResponse) -> None:
    ReleaseRequest(True)  # type: ignore[call-arg]
    ReleaseResponse(abandon_outstanding="yes")  # type: ignore[arg-type]
    OperationsPolicy(window_overrun="hold")  # type: ignore[arg-type]
    Association(Role.REQUESTOR, now=0, operations_policy="strict")  # type: ignore[arg-type]
    association.send_message(1, "C-ECHO-RQ", now=0)  # type: ignore[arg-type]
    association.window_open = True  # type: ignore[misc]
    association.outstanding_ours[1] = response  # type: ignore[index]
