"""The asyncio layer (``dimsekit.aio``) on 127.0.0.1: connect, serve, echo, store, the
window, timeouts, aborts, release, and that nothing is left running.

Each test runs its own event loop (``run``), bounded in time; peers are dimsekit's own
``serve`` or the scripted peer of tests/scripted_peer.py (the engine over a socket).
"""

from __future__ import annotations

import asyncio
import io
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable, Coroutine
from typing import IO, Any, TypeVar

import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

import dimsekit as dk
from dimsekit import aio

from .helpers import CT, INSTANCE, make_certificates, openssl, run_bounded
from .scripted_peer import ScriptedConnection, accept_all, scripted

_T = TypeVar("_T")
LIMIT = 20.0  # seconds any one test may take


def run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    return run_bounded(coroutine, LIMIT)


def instance(number: int = 1, **values: object) -> Dataset:
    data_set = Dataset()
    data_set.SOPClassUID = CT
    data_set.SOPInstanceUID = f"{INSTANCE}.{number}"
    data_set.PatientName = "DOE^JANE"
    data_set.PatientID = f"P{number}"
    for keyword, value in values.items():
        setattr(data_set, keyword, value)
    return data_set


class Kept:
    """A store handler that keeps what it is given, answering ``status``, after ``delay``
    seconds (a function of the instance's number, for answers out of order)."""

    def __init__(self, status: int = 0x0000, delay: Callable[[int], float] | None = None) -> None:
        self.status = status
        self.delay = delay
        self.events: list[aio.StoreRequested] = []
        self.running = 0
        self.most = 0
        self.answered: list[str] = []
        """The SOP Instance UIDs in the order they were answered."""

    async def __call__(self, event: aio.StoreRequested) -> int:
        self.events.append(event)
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            if self.delay is not None:
                number = int(str(event.request.affected_sop_instance_uid).rsplit(".", 1)[1])
                await asyncio.sleep(self.delay(number))
        finally:
            self.running -= 1
        self.answered.append(str(event.request.affected_sop_instance_uid))
        return self.status


def storage_contexts(*syntaxes: str) -> list[dk.ProposedContext | str]:
    return [
        dk.VERIFICATION_SOP_CLASS,
        dk.ProposedContext(
            abstract_syntax=CT, transfer_syntaxes=syntaxes or (ExplicitVRLittleEndian,)
        ),
    ]


async def served(
    handlers: aio.Handlers, body: Callable[[tuple[str, int]], Awaitable[_T]], **options: Any
) -> _T:
    server = await aio.serve("127.0.0.1", 0, handlers=handlers, **options)
    async with server:
        return await body(server.address)


# --- echo and store against dimsekit's own server ---------------------------------------------


def test_echo_returns_the_typed_final_response() -> None:
    async def body(address: tuple[str, int]) -> dk.CEchoResponse:
        async with aio.connect(*address) as association:
            return await association.echo()

    response = run(served(aio.Handlers(), body))
    assert isinstance(response, dk.CEchoResponse)
    assert response.status == 0x0000 and response.message_id_being_responded_to == 1


@pytest.mark.parametrize(
    "syntax", [ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian]
)
def test_store_sends_the_data_set_in_the_accepted_transfer_syntax(syntax: str) -> None:
    kept = Kept()

    async def body(address: tuple[str, int]) -> dk.CStoreResponse:
        async with aio.connect(*address, contexts=storage_contexts(syntax)) as association:
            return await association.store(instance(7))

    response = run(served(aio.Handlers(store=kept), body))
    assert response.status == 0x0000
    assert response.affected_sop_instance_uid == f"{INSTANCE}.7"
    (event,) = kept.events
    assert event.context.transfer_syntax == syntax
    received = event.request.data_set
    assert received is not None
    decoded = received.to_dataset(syntax)
    assert decoded.PatientName == "DOE^JANE" and decoded.SOPInstanceUID == f"{INSTANCE}.7"


@pytest.mark.parametrize("window", [1, 3, 0])
def test_stores_at_once_are_held_at_the_window_and_paired_out_of_order(window: int) -> None:
    """Ten stores at once: at most ``window`` outstanding (0: unlimited, as many as asked),
    the later answered first, each response paired with its own request."""
    kept = Kept(delay=lambda number: 0.002 * (10 - number))

    async def body(address: tuple[str, int]) -> list[dk.CStoreResponse]:
        async with aio.connect(
            *address,
            contexts=storage_contexts(),
            async_window=None if window == 1 else (window, 1),
        ) as association:
            agreed = association.agreement.max_operations_invoked
            assert agreed == window
            return await asyncio.gather(*(association.store(instance(n)) for n in range(10)))

    responses = run(served(aio.Handlers(store=kept), body, async_window=(0, 0)))
    assert [r.affected_sop_instance_uid for r in responses] == [
        f"{INSTANCE}.{n}" for n in range(10)
    ]
    assert kept.most == (window or 10)
    received = [str(e.request.affected_sop_instance_uid) for e in kept.events]
    assert received == [f"{INSTANCE}.{n}" for n in range(10)]
    # with a window, later ones were answered first; one at a time, in order
    assert (kept.answered == received) == (window == 1)


def test_check_raises_a_status_error_for_a_failure_and_not_for_a_warning() -> None:
    async def body(address: tuple[str, int]) -> None:
        async with aio.connect(*address, contexts=storage_contexts()) as association:
            kept.status = 0xB000  # a warning: Coercion of data elements
            warned = await association.store(instance(1), check=True)
            assert warned.status == 0xB000
            kept.status = 0xA700
            unchecked = await association.store(instance(2))
            assert unchecked.status == 0xA700
            with pytest.raises(
                aio.StatusError, match=r"0xA700 \(failure\): Refused: Out of Resources"
            ) as raised:
                await association.store(instance(3), check=True)
            assert isinstance(raised.value.response, dk.CStoreResponse)

    kept = Kept()
    run(served(aio.Handlers(store=kept), body))


def test_a_handler_that_raises_answers_processing_failure() -> None:
    async def broken(event: aio.StoreRequested) -> int:
        raise RuntimeError("disk on fire")

    async def body(address: tuple[str, int]) -> dk.CStoreResponse:
        async with aio.connect(*address, contexts=storage_contexts()) as association:
            return await association.store(instance())

    assert run(served(aio.Handlers(store=broken), body)).status == 0x0110


def test_a_service_without_a_handler_is_not_accepted() -> None:
    async def body(address: tuple[str, int]) -> None:
        async with aio.connect(*address, contexts=storage_contexts()) as association:
            with pytest.raises(dk.ContextNotAgreedError, match="rejected"):
                await association.store(instance())
            assert (await association.echo()).status == 0x0000

    run(served(aio.Handlers(), body))


def test_a_rejection_says_why_in_words() -> None:
    async def body(address: tuple[str, int]) -> None:
        with pytest.raises(aio.AssociationRejectedError, match="called ae title not recognized"):
            await aio.connect(*address, called_ae_title="ELSEWHERE")

    run(served(aio.Handlers(), body, ae_title="STORESCP"))


def test_a_refused_connection_is_an_association_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nobody listens there once it is closed

    async def body() -> None:
        with pytest.raises(aio.AssociationError, match=f"cannot connect to 127.0.0.1:{port}"):
            await aio.connect("127.0.0.1", port)

    run(body())


def test_tcp_nodelay_is_on_for_both_ends() -> None:
    seen: list[int] = []

    async def echo(event: aio.EchoRequested) -> int:
        return 0

    async def body(address: tuple[str, int]) -> None:
        async with aio.connect(*address) as association:
            await association.echo()
            sock = association.transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            (accepted,) = server_holder[0].associations
            sock = accepted.transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    server_holder: list[aio.Server] = []

    async def main() -> None:
        server = await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(echo=echo))
        server_holder.append(server)
        async with server:
            await body(server.address)

    run(main())
    assert seen == [1, 1]


# --- a scripted peer: what real peers do on a bad day -------------------------------------------


def test_a_peer_abort_fails_the_outstanding_operation_with_source_and_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def script(peer: ScriptedConnection) -> None:
        await accept_all(peer)
        await peer.expect(dk.RequestReceived)
        peer.send(dk.AbortRequest())
        await peer.closed()

    async def body(address: tuple[str, int]) -> None:
        association = await aio.connect(*address)
        with pytest.raises(aio.AssociationAbortedError, match="aborted by the peer") as raised:
            await association.echo()
        assert raised.value.by_peer and raised.value.source == dk.AbortSource.SERVICE_USER
        await association.abort()  # nothing left to abort: returns at once
        assert association.engine.state is dk.State.STA1

    with caplog.at_level(logging.WARNING, logger="dimsekit.aio"):
        scripted(script, body)
    (line,) = [r for r in caplog.records if "aborted" in r.getMessage()]
    assert "source 0 (service user)" in line.getMessage()
    assert getattr(line, "association", None) is not None and getattr(line, "peer", "").startswith(
        "127.0.0.1:"
    )


def test_a_provider_abort_is_worded_with_its_reason() -> None:
    async def script(peer: ScriptedConnection) -> None:
        await accept_all(peer)
        peer.raw(bytes([0x07, 0, 0, 0, 0, 4, 0, 0, 2, 2]))  # A-ABORT, provider, unexpected PDU
        await peer.closed()

    async def body(address: tuple[str, int]) -> None:
        association = await aio.connect(*address)
        await association.wait_closed()
        with pytest.raises(
            aio.AssociationAbortedError,
            match=r"source 2 \(service provider\), reason 2 \(UNEXPECTED_PDU\)",
        ):
            await association.echo()

    scripted(script, body)


def test_a_peer_that_vanishes_mid_operation_leaves_nothing_behind() -> None:
    async def script(peer: ScriptedConnection) -> None:
        await accept_all(peer)
        await peer.expect(dk.RequestReceived)
        peer.vanish()

    async def body(address: tuple[str, int]) -> None:
        association = await aio.connect(*address)
        with pytest.raises(aio.AssociationAbortedError, match="transport"):
            await association.echo()
        assert association.transport.is_closing()

    scripted(script, body)


def test_a_peer_that_never_answers_the_rq_is_aborted_at_the_request_timeout() -> None:
    async def script(peer: ScriptedConnection) -> None:
        await peer.expect(dk.AssociationRequested)
        await peer.closed(timeout=10)  # silent until we close

    async def body(address: tuple[str, int]) -> None:
        started = asyncio.get_running_loop().time()
        with pytest.raises(aio.AssociationAbortedError, match="request"):
            await aio.connect(*address, request_timeout=0.2)
        assert asyncio.get_running_loop().time() - started < 5

    scripted(script, body)


def test_a_response_that_never_comes_aborts_at_the_response_timeout() -> None:
    async def script(peer: ScriptedConnection) -> None:
        await accept_all(peer)
        await peer.expect(dk.RequestReceived)
        await peer.expect(dk.Aborted)  # ours
        await peer.closed()

    async def body(address: tuple[str, int]) -> None:
        association = await aio.connect(*address, response_timeout=0.2)
        with pytest.raises(aio.OperationEndedError, match="did not come in time"):
            await association.echo()
        await association.wait_closed()
        assert association.engine.state is dk.State.STA1

    scripted(script, body)


def test_a_release_collision_ends_released_on_both_sides() -> None:
    """Both ask at once (PS3.8 7.2.2): the peer sends its A-RELEASE-RQ as ours goes."""

    async def script(peer: ScriptedConnection) -> None:
        await accept_all(peer)
        peer.reading.clear()  # ours is on its way, not read yet
        await asyncio.sleep(0.2)
        peer.send(dk.ReleaseRequest())  # the acceptor asks too, before reading ours
        peer.reading.set()
        requested = await peer.expect(dk.ReleaseRequested)
        assert requested.collision
        released = await peer.expect(dk.Released)
        assert released.must_respond
        peer.send(dk.ReleaseResponse())
        await peer.closed()

    async def body(address: tuple[str, int]) -> None:
        association = await aio.connect(*address)
        await association.release()
        assert association.engine.state is dk.State.STA1

    scripted(script, body)


def test_cancelling_a_store_half_sent_aborts_the_association() -> None:
    """The peer stops reading: the message stalls in flow control; cancelling its task
    aborts (a message is never left half sent, PS3.8 E.1)."""

    async def script(peer: ScriptedConnection) -> None:
        await accept_all(peer, abstract_syntaxes={CT: [ExplicitVRLittleEndian]})
        peer.reading.clear()  # read nothing more until told
        await peer.closed(timeout=15)

    async def body(address: tuple[str, int]) -> None:
        association = await aio.connect(*address, contexts=storage_contexts(), artim_timeout=0.3)
        big = instance(1)
        big.add_new("PixelData", "OB", bytes(32 << 20))  # far beyond any socket buffer
        task = asyncio.get_running_loop().create_task(association.store(big))
        await asyncio.sleep(0.3)  # the socket buffers fill; the store waits on flow control
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert association.engine.poisoned
        assert association.engine.state in (dk.State.STA13, dk.State.STA1)
        # the stalled peer never reads our A-ABORT: ARTIM closes, unwritten bytes dropped
        await association.wait_closed()

    scripted(script, body)


# --- the server's side ------------------------------------------------------------------------


def test_a_release_is_answered_once_the_requests_taken_are_answered() -> None:
    """The peer sends its A-RELEASE-RQ while our handler still runs: the C-STORE response
    goes first (P-DATA in Sta8, PS3.8 AR-7), then the A-RELEASE-RP."""

    async def body(address: tuple[str, int]) -> list[object]:
        requestor = dk.Association(dk.Role.REQUESTOR, now=0.0)
        reader, writer = await asyncio.open_connection(*address)
        rq = dk.propose(calling_ae_title="SCU", called_ae_title="ANY", contexts=storage_contexts())
        writer.writelines(requestor.send(dk.AssociateRequest(rq), now=0.0))
        events: list[object] = []

        async def until(kind: type) -> None:
            while not any(isinstance(e, kind) for e in events):
                requestor.receive_data(await reader.read(65536), now=0.0)
                events.extend(requestor.events())

        await until(dk.AssociationAccepted)
        context = requestor.agreement.context_for(CT)  # type: ignore[union-attr]
        for buffers in requestor.send_message(
            context.context_id,
            dk.CStoreRequest(
                message_id=1,
                affected_sop_class_uid=CT,
                affected_sop_instance_uid=f"{INSTANCE}.1",
                data_set=instance(1),
            ),
            now=0.0,
        ):
            writer.writelines(buffers)
        # the release goes at once, the operation outstanding: abandoned on our side
        writer.writelines(requestor.send(dk.ReleaseRequest(abandon_outstanding=True), now=0.0))
        await until(dk.Released)
        writer.close()
        await writer.wait_closed()
        return events

    kept = Kept(delay=lambda number: 0.1)
    events = run(served(aio.Handlers(store=kept), body))
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("ResponseReceived") < kinds.index("Released"), kinds


def test_fifty_associations_at_once_none_lost() -> None:
    kept = Kept(delay=lambda number: 0.01)

    async def one(address: tuple[str, int], number: int) -> dk.CStoreResponse:
        async with aio.connect(*address, contexts=storage_contexts()) as association:
            return await association.store(instance(number))

    async def body(address: tuple[str, int]) -> list[dk.CStoreResponse]:
        return await asyncio.gather(*(one(address, n) for n in range(50)))

    responses = run(served(aio.Handlers(store=kept), body))
    assert all(r.status == 0 for r in responses)
    assert sorted(str(e.request.affected_sop_instance_uid) for e in kept.events) == sorted(
        f"{INSTANCE}.{n}" for n in range(50)
    )
    assert kept.most > 1  # they were under way at once


def test_closing_a_server_aborts_what_is_under_way_and_leaves_nothing_running() -> None:
    started = []

    async def slow(event: aio.StoreRequested) -> int:
        started.append(event)
        await asyncio.sleep(30)
        return 0

    async def main() -> None:
        server = await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(store=slow))
        association = await aio.connect(*server.address, contexts=storage_contexts())
        store = asyncio.get_running_loop().create_task(association.store(instance()))
        while not started:
            await asyncio.sleep(0.01)
        async with server:
            pass  # closed, its associations aborted
        with pytest.raises(aio.AssociationAbortedError, match="by the peer"):
            await store
        await association.wait_closed()
        assert not server.associations

    run(main())


def test_the_server_logs_a_line_per_association_and_per_operation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def body(address: tuple[str, int]) -> None:
        async with aio.connect(*address, calling_ae_title="MODALITY", called_ae_title="PACS") as a:
            await a.echo()
            await a.echo()

    with caplog.at_level(logging.INFO, logger="dimsekit.aio"):
        run(served(aio.Handlers(), body))
    lines = [r.getMessage() for r in caplog.records]
    assert sum("association MODALITY -> PACS: accepted 1 of 1" in line for line in lines) == 1
    assert (
        sum("CEchoRequest Message ID" in line and "0x0000 Success" in line for line in lines) == 2
    )
    assert sum(line.endswith("released") for line in lines) == 1


def test_a_peer_that_connects_and_says_nothing_is_closed_by_artim() -> None:
    async def main() -> None:
        server = await aio.serve("127.0.0.1", 0, artim_timeout=0.2)
        async with server:
            reader, writer = await asyncio.open_connection(*server.address)
            assert await reader.read() == b""  # closed on us, nothing sent
            writer.close()
            await writer.wait_closed()
            while server.associations:
                await asyncio.sleep(0.01)
            assert server.served == 0  # no association was asked for

    run(main())


def test_an_idle_association_is_aborted_at_the_idle_timeout() -> None:
    async def main() -> None:
        server = await aio.serve("127.0.0.1", 0, idle_timeout=0.2)
        async with server:
            association = await aio.connect(*server.address)
            await association.echo()
            await association.wait_closed()  # the server gave up on us
            with pytest.raises(aio.AssociationAbortedError, match="by the peer"):
                await association.echo()

    run(main())


def test_a_large_data_set_goes_to_a_temporary_file_closed_once_answered() -> None:
    """Beyond the memory budget a data set goes to a file as it comes; a handler that is
    not a streaming one gets it as a file region, readable while it runs."""
    seen: list[bytes] = []

    async def keep(event: aio.StoreRequested) -> int:
        assert event.target is None
        data_set = event.request.data_set
        assert data_set is not None and data_set.is_file
        seen.append(data_set.to_bytes())
        return 0

    big = instance(1)
    big.add_new("PixelData", "OB", bytes(range(256)) * 4096)  # 1 MiB

    async def body(address: tuple[str, int]) -> None:
        async with aio.connect(*address, contexts=storage_contexts()) as association:
            await association.store(big)

    run(served(aio.Handlers(store=keep), body, memory_budget=1000))
    (received,) = seen
    assert received == dk.DataSetPayload(big).to_bytes(ExplicitVRLittleEndian)


def test_a_data_set_that_cannot_be_kept_aborts(tmp_path: Any) -> None:
    class Full:
        """A streaming handler whose disk fills once the data set is under way."""

        async def __call__(self, event: aio.StoreRequested) -> int:
            raise AssertionError("never called: the data set never completes")

        def begin(
            self, request: dk.CStoreRequest, context: dk.AcceptedContext, peer: aio.Peer
        ) -> aio.StoreTarget:
            handler = self

            class Target:
                file: IO[bytes] = FullFile()

                def abandon(self) -> None:
                    handler.abandoned = True

            return Target()

        abandoned = False

    class FullFile(io.BytesIO):
        def write(self, data: object) -> int:
            raise OSError(28, "No space left on device")

    full = Full()
    big = instance(1)
    big.add_new("PixelData", "OB", bytes(1 << 20))

    async def body(address: tuple[str, int]) -> None:
        association = await aio.connect(*address, contexts=storage_contexts())
        with pytest.raises(aio.AssociationAbortedError, match="by the peer"):
            await association.store(big)

    run(served(aio.Handlers(store=full), body, memory_budget=0))
    assert full.abandoned


def test_a_release_never_answered_aborts_at_the_release_timeout() -> None:
    async def script(peer: ScriptedConnection) -> None:
        await accept_all(peer)
        await peer.expect(dk.ReleaseRequested)  # and never answers
        await peer.expect(dk.Aborted)
        await peer.closed()

    async def body(address: tuple[str, int]) -> None:
        association = await aio.connect(*address, release_timeout=0.2)
        with pytest.raises(aio.AssociationAbortedError, match="release_timeout"):
            await association.release()
        assert association.engine.state is dk.State.STA1

    scripted(script, body)


def test_a_dicom_file_is_sent_from_disk_and_stored_as_the_same_data_set(tmp_path: Any) -> None:
    sent = tmp_path / "sent.dcm"
    image = instance(3)
    image.add_new("PixelData", "OB", bytes(range(256)) * 300)
    image.file_meta = FileMetaDataset()
    image.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    image.save_as(sent, enforce_file_format=True)
    received = tmp_path / "received"

    async def body(address: tuple[str, int]) -> dk.CStoreResponse:
        async with aio.connect(*address, contexts=storage_contexts()) as association:
            return await association.store(sent)

    handlers = aio.Handlers(store=aio.StoreToDirectory(received))
    assert run(served(handlers, body, memory_budget=4096)).status == 0x0000
    original, kept = aio.read_part10(sent), aio.read_part10(received / f"{INSTANCE}.3.dcm")
    assert kept.payload().to_bytes() == original.payload().to_bytes()
    assert kept.transfer_syntax == ExplicitVRLittleEndian


def test_tls_both_ends(tmp_path: Any) -> None:
    """PS3.15 B.1: the same exchange over TLS, the client checking the server's
    certificate (an IP subject alternative name) against its own CA."""
    if openssl() is None:
        pytest.skip("the openssl command line is not installed (apt-get install openssl)")
    made = make_certificates(tmp_path)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(made.server_cert, made.server_key)
    client_side = ssl.create_default_context(cafile=str(made.ca))

    async def body(address: tuple[str, int]) -> tuple[int, object]:
        async with aio.connect(*address, ssl=client_side) as association:
            response = await association.echo()
            return response.status, association.transport.get_extra_info("peercert")

    status, peer_certificate = run(served(aio.Handlers(), body, ssl=server_side))
    assert status == 0 and peer_certificate
    plain = ssl.create_default_context()  # without our CA: the server is not trusted

    async def untrusted(address: tuple[str, int]) -> None:
        with pytest.raises(aio.AssociationError, match="certificate verify failed"):
            await aio.connect(*address, ssl=plain)

    run(served(aio.Handlers(), untrusted, ssl=server_side))


def test_an_abort_while_a_release_waits_for_a_handler_leaves_nothing_behind() -> None:
    started: list[aio.StoreRequested] = []

    async def slow(event: aio.StoreRequested) -> int:
        started.append(event)
        await asyncio.sleep(30)
        return 0

    async def body(address: tuple[str, int]) -> None:
        association = await aio.connect(*address, contexts=storage_contexts())
        store = asyncio.get_running_loop().create_task(association.store(instance()))
        while not started:
            await asyncio.sleep(0.01)
        # the release waits for the handler on the server's side; we abort under it
        release = asyncio.get_running_loop().create_task(
            association.release(abandon_outstanding=True)
        )
        await asyncio.sleep(0.05)
        assert not release.done()
        await association.abort()
        with pytest.raises(aio.AssociationError):
            await store
        with pytest.raises(aio.AssociationAbortedError):
            await release

    run(served(aio.Handlers(store=slow), body))


def test_a_connection_that_asks_for_no_association_is_not_counted_as_served() -> None:
    async def main() -> None:
        server = await aio.serve("127.0.0.1", 0)
        async with server:
            _, writer = await asyncio.open_connection(*server.address)  # a port probe
            writer.close()
            await writer.wait_closed()
            async with aio.connect(*server.address) as association:
                await association.echo()
            await server.wait_served(1)
            assert server.served == 1

    run(main())


def test_a_handler_status_no_response_may_carry_answers_processing_failure() -> None:
    async def odd(event: aio.StoreRequested) -> int:
        return 0x1234  # of no status class (PS3.7 Annex C)

    async def body(address: tuple[str, int]) -> dk.CStoreResponse:
        async with aio.connect(*address, contexts=storage_contexts()) as association:
            return await association.store(instance())

    assert run(served(aio.Handlers(store=odd), body)).status == 0x0110


def test_leaving_the_block_with_an_operation_outstanding_aborts_and_says_so() -> None:
    async def slow(event: aio.StoreRequested) -> int:
        await asyncio.sleep(30)
        return 0

    async def body(address: tuple[str, int]) -> None:
        connecting = aio.connect(*address, contexts=storage_contexts())
        association = await connecting.__aenter__()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(association.store(instance()), 0.1)
        with pytest.raises(dk.LocalProtocolError, match="outstanding"):
            await connecting.__aexit__(None, None, None)  # leaving the block
        assert association.transport.is_closing()

    run(served(aio.Handlers(store=slow), body))


def test_cancelling_connect_closes_its_connection() -> None:
    async def script(peer: ScriptedConnection) -> None:
        await peer.expect(dk.AssociationRequested)
        await peer.closed()  # we gave up: it closes

    async def body(address: tuple[str, int]) -> None:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(aio.connect(*address, request_timeout=None), 0.3)

    scripted(script, body)


def test_a_data_set_read_big_endian_is_never_sent_little_endian() -> None:
    """pydicom writes an OW value's bytes as they are: a data set read from an Explicit VR
    Big Endian file goes only on a big-endian context (PS3.5 A.1-A.3)."""
    image = instance(1)
    image.file_meta = FileMetaDataset()
    image.file_meta.TransferSyntaxUID = ExplicitVRBigEndian

    async def body(address: tuple[str, int]) -> None:
        async with aio.connect(*address, contexts=storage_contexts(ExplicitVRLittleEndian)) as a:
            with pytest.raises(dk.ContextNotAgreedError, match=r"1\.2\.840\.10008\.1\.2\.2"):
                await a.store(image)

    run(served(aio.Handlers(store=Kept()), body))


def test_a_server_that_speaks_before_our_rq_is_left() -> None:
    async def main() -> None:
        done = asyncio.Event()

        async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"220 SMTP ready\r\n")  # not a DICOM peer
            await writer.drain()
            await reader.read()
            writer.close()
            done.set()

        listener = await asyncio.start_server(greet, "127.0.0.1", 0)
        async with listener:
            port = listener.sockets[0].getsockname()[1]
            with pytest.raises(aio.AssociationAbortedError, match="transport"):
                await aio.connect("127.0.0.1", port)
            await done.wait()

    run(main())
