"""The association engine on a real socket, against DCMTK: as requestor to storescp
(associate, C-ECHO, C-STORE of a CT instance, release) and as acceptor for echoscu and
storescu, each driven by a plain blocking socket loop."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydicom import dcmread
from pydicom.uid import generate_uid

import dimsekit as dk

from ..helpers import dimse_events
from .conftest import Processes, dcmtk, free_port
from .instances import ROOT, make_instance
from .test_dcmtk import start_storescp

VERIFICATION = "1.2.840.10008.1.1"
CT = "1.2.840.10008.5.1.4.1.1.2"
EXPLICIT = "1.2.840.10008.1.2.1"
IMPLICIT = "1.2.840.10008.1.2"
TIMEOUT = 20.0


def user_information() -> dk.UserInformation:
    return dk.UserInformation.of(
        maximum_length=16382, implementation_class_uid="1.2.826.0.1.3680043.9.1"
    )


def answered(event: object, context_id: int, request: dk.Request[Any]) -> None:
    """``event`` is the final response to our ``request`` on ``context_id``, paired with
    it, every field answering it (PS3.7 9.3)."""
    assert isinstance(event, dk.ResponseReceived), event
    assert event.operation.ours and event.operation.request == request
    assert event.operation.context_id == context_id
    assert event.response.message_id_being_responded_to == request.message_id
    assert event.final and event.mismatches == () and event.diagnostics == ()
    assert request.check_response(event.response) == []


def pump(
    sock: socket.socket,
    engine: dk.Association,
    until: Callable[[object], bool],
    on_event: Callable[[object], None] = lambda event: None,
) -> list[object]:
    """Read, feed, write what the engine answers, until an event satisfies ``until``."""
    seen: list[object] = []
    deadline = time.monotonic() + TIMEOUT
    while True:
        for event in engine.events():
            seen.append(event)
            on_event(event)
            if until(event):
                return seen
        assert time.monotonic() < deadline, seen
        data = sock.recv(65536)
        engine.receive_data(data, now=time.monotonic())
        sock.sendall(b"".join(engine.data_to_send()))
        if not data:
            seen.extend(engine.events())
            return seen


def test_the_engine_as_requestor_to_storescp(processes: Processes, tmp_path: Path) -> None:
    port = start_storescp(processes, tmp_path / "received")
    rq = dk.AAssociateRQ(
        called_ae_title="ANY-SCP",
        calling_ae_title="DIMSEKIT",
        presentation_contexts=[
            dk.PresentationContextRQ(
                context_id=1, abstract_syntax=VERIFICATION, transfer_syntaxes=[IMPLICIT]
            ),
            dk.PresentationContextRQ(
                context_id=3, abstract_syntax=CT, transfer_syntaxes=[EXPLICIT, IMPLICIT]
            ),
        ],
        user_information=user_information(),
    )
    with socket.create_connection(("127.0.0.1", port), TIMEOUT) as sock:
        engine = dk.Association(dk.Role.REQUESTOR, now=time.monotonic())
        sock.sendall(b"".join(engine.send(dk.AssociateRequest(rq), now=time.monotonic())))
        (accepted,) = pump(sock, engine, lambda e: isinstance(e, dk.AssociationAccepted))
        assert isinstance(accepted, dk.AssociationAccepted) and accepted.diagnostics == ()
        assert sorted(accepted.agreement.contexts) == [1, 3]
        echo_rq = dk.CEchoRequest(message_id=engine.next_message_id())
        for pdu in engine.send_message(1, echo_rq, now=time.monotonic()):
            sock.sendmsg(pdu)
        (echo,) = pump(sock, engine, lambda e: isinstance(e, dk.OperationEvent))
        answered(echo, 1, echo_rq)
        assert isinstance(echo, dk.ResponseReceived)
        assert echo.response == dk.CEchoResponse(
            message_id_being_responded_to=echo_rq.message_id,
            status=0,
            affected_sop_class_uid=VERIFICATION,
        )
        instance = make_instance("PAT1", "Alpha^Ann", generate_uid(prefix=ROOT), "CT", 1)
        store = dk.CStoreRequest(
            message_id=engine.next_message_id(),
            affected_sop_class_uid=CT,
            affected_sop_instance_uid=instance.SOPInstanceUID,
            data_set=instance,
        )
        for pdu in engine.send_message(3, store, now=time.monotonic()):
            sock.sendmsg(pdu)
        (stored,) = pump(sock, engine, lambda e: isinstance(e, dk.OperationEvent))
        answered(stored, 3, store)
        assert isinstance(stored, dk.ResponseReceived)
        assert isinstance(stored.response, dk.CStoreResponse) and stored.response.status == 0
        assert engine.outstanding_ours == {}
        sock.sendall(b"".join(engine.send(dk.ReleaseRequest(), now=time.monotonic())))
        assert pump(sock, engine, lambda e: isinstance(e, dk.CloseTransport)) == [
            dk.Released(),
            dk.CloseTransport(),
        ]
        assert engine.state is dk.State.STA1
    (path,) = (tmp_path / "received").iterdir()
    assert dcmread(path).SOPInstanceUID == instance.SOPInstanceUID


def serve_one(listener: socket.socket) -> list[object]:
    """Accept one connection and act as an acceptor that takes Verification and CT
    Image Storage in their first transfer syntax, answers C-ECHO and C-STORE with
    success, and releases when asked; the events it saw."""
    sock, _ = listener.accept()
    with sock:
        sock.settimeout(TIMEOUT)
        engine = dk.Association(dk.Role.ACCEPTOR, now=time.monotonic())

        def on_event(event: object) -> None:
            now = time.monotonic()
            if isinstance(event, dk.AssociationRequested):
                contexts = [
                    dk.PresentationContextAC(
                        context_id=c.context_id, transfer_syntax=c.transfer_syntaxes[0]
                    )
                    if c.abstract_syntax in (VERIFICATION, CT)
                    else dk.PresentationContextAC(
                        context_id=c.context_id,
                        result=dk.ContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED,
                    )
                    for c in event.rq.presentation_contexts
                ]
                ac = dk.AAssociateAC.answering(
                    event.rq, presentation_contexts=contexts, user_information=user_information()
                )
                sock.sendall(b"".join(engine.send(dk.AssociateAccept(ac), now=now)))
            elif isinstance(event, dk.OperationEvent):
                # every message a DCMTK SCU sends here is a request it may send
                assert isinstance(event, dk.RequestReceived), event
                assert not event.operation.ours and event.diagnostics == ()
                request = event.request
                answer: dk.Message
                if isinstance(request, dk.CEchoRequest):
                    answer = dk.CEchoResponse(
                        message_id_being_responded_to=request.message_id,
                        status=0,
                        affected_sop_class_uid=VERIFICATION,
                    )
                else:
                    assert isinstance(request, dk.CStoreRequest)
                    answer = dk.CStoreResponse(
                        message_id_being_responded_to=request.message_id,
                        status=0,
                        affected_sop_class_uid=request.affected_sop_class_uid,
                        affected_sop_instance_uid=request.affected_sop_instance_uid,
                    )
                context_id = event.operation.context_id
                for pdu in engine.send_message(context_id, answer, now=now):
                    sock.sendmsg(pdu)
                assert request.message_id not in engine.outstanding_peers  # answered
            elif isinstance(event, dk.ReleaseRequested):
                sock.sendall(b"".join(engine.send(dk.ReleaseResponse(), now=now)))

        seen = pump(sock, engine, lambda e: False, on_event)
        assert engine.state is dk.State.STA1
        return seen


def accepted_contexts(seen: list[object], abstract_syntax: str) -> set[int]:
    """The contexts the RQ among ``seen`` proposed for ``abstract_syntax``: serve_one
    accepts them all."""
    (requested,) = [e for e in seen if isinstance(e, dk.AssociationRequested)]
    return {
        c.context_id
        for c in requested.rq.presentation_contexts
        if c.abstract_syntax == abstract_syntax
    }


def test_the_engine_as_acceptor_for_echoscu_and_storescu(
    processes: Processes, tmp_path: Path
) -> None:
    port = free_port()
    instance = make_instance("PAT1", "Alpha^Ann", generate_uid(prefix=ROOT), "CT", 1)
    path = tmp_path / "ct.dcm"
    instance.save_as(path, enforce_file_format=True)
    with socket.create_server(("127.0.0.1", port)) as listener:
        listener.settimeout(TIMEOUT)
        echoscu = processes.start("echoscu", dcmtk("echoscu"), "127.0.0.1", str(port))
        seen = serve_one(listener)
        assert echoscu.wait(TIMEOUT) == 0
        kinds = [type(e).__name__ for e in seen]
        assert kinds == [
            "AssociationRequested",
            "RequestReceived",
            "ReleaseRequested",
            "AwaitTransportClose",
        ]
        (echo,) = dimse_events(seen)
        assert isinstance(echo, dk.RequestReceived)
        assert isinstance(echo.request, dk.CEchoRequest)
        assert echo.operation.context_id in accepted_contexts(seen, VERIFICATION)
        storescu = processes.start("storescu", dcmtk("storescu"), "127.0.0.1", str(port), str(path))
        seen = serve_one(listener)
        assert storescu.wait(TIMEOUT) == 0
        (received,) = dimse_events(seen)
        assert isinstance(received, dk.RequestReceived)
        assert isinstance(received.request, dk.CStoreRequest)
        assert received.request.affected_sop_instance_uid == instance.SOPInstanceUID
        assert received.operation.context_id in accepted_contexts(seen, CT)
        assert "OperationsUnfinished" not in [type(e).__name__ for e in seen]
