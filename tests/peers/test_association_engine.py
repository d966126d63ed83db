"""The association engine on a real socket, against DCMTK: as requestor to storescp
(associate, C-ECHO, C-STORE of a CT instance, release) and as acceptor for echoscu and
storescu, each driven by a plain blocking socket loop."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

from pydicom import dcmread
from pydicom.uid import generate_uid

import dimsekit as dk

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
        for pdu in engine.send_message(1, dk.CEchoRequest(message_id=1), now=time.monotonic()):
            sock.sendmsg(pdu)
        (echo,) = pump(sock, engine, lambda e: isinstance(e, dk.MessageReceived))
        assert isinstance(echo, dk.MessageReceived)
        assert echo.message == dk.CEchoResponse(
            message_id_being_responded_to=1, status=0, affected_sop_class_uid=VERIFICATION
        )
        instance = make_instance("PAT1", "Alpha^Ann", generate_uid(prefix=ROOT), "CT", 1)
        store = dk.CStoreRequest(
            message_id=2,
            affected_sop_class_uid=CT,
            affected_sop_instance_uid=instance.SOPInstanceUID,
            data_set=instance,
        )
        for pdu in engine.send_message(3, store, now=time.monotonic()):
            sock.sendmsg(pdu)
        (stored,) = pump(sock, engine, lambda e: isinstance(e, dk.MessageReceived))
        assert isinstance(stored, dk.MessageReceived)
        assert isinstance(stored.message, dk.CStoreResponse) and stored.message.status == 0
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
            elif isinstance(event, dk.MessageReceived):
                request = event.message
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
                for pdu in engine.send_message(event.context_id, answer, now=now):
                    sock.sendmsg(pdu)
            elif isinstance(event, dk.ReleaseRequested):
                sock.sendall(b"".join(engine.send(dk.ReleaseResponse(), now=now)))

        seen = pump(sock, engine, lambda e: False, on_event)
        assert engine.state is dk.State.STA1
        return seen


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
            "MessageReceived",
            "ReleaseRequested",
            "AwaitTransportClose",
        ]
        storescu = processes.start("storescu", dcmtk("storescu"), "127.0.0.1", str(port), str(path))
        seen = serve_one(listener)
        assert storescu.wait(TIMEOUT) == 0
        (received,) = [e for e in seen if isinstance(e, dk.MessageReceived)]
        assert isinstance(received.message, dk.CStoreRequest)
        assert received.message.affected_sop_instance_uid == instance.SOPInstanceUID
