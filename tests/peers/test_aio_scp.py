"""dimsekit as SCP (``dimsekit.aio.serve``) for DCMTK's echoscu and storescu and for
pynetdicom as SCU, all started and stopped by the tests on 127.0.0.1.

The server's store handler here is the test's own (``aio_support.Keeper``): it keeps what each
C-STORE brought, its data set's bytes as received (``request.data_set``, in memory or,
past the server's memory budget, in a file) and their SHA-256.  "Equal" is byte for
byte: the data set received is the sent file's data set, the bytes after its File Meta
Information (PS3.10 7.1).

The same scenarios run with the ready handler, :class:`~dimsekit.aio.StoreToDirectory`:
the Part 10 files it writes hold the data sets sent, byte for byte, under a File Meta
Information naming the sent instance's SOP class and instance and its transfer syntax.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import warnings
from pathlib import Path

import attrs
import pytest
from pydicom import dcmread
from pydicom.uid import ExplicitVRLittleEndian
from pynetdicom import AE, _config
from pynetdicom.pdu_primitives import (
    AsynchronousOperationsWindowNegotiation,
    UserIdentityNegotiation,
)

import dimsekit as dk
from dimsekit import aio

from ..helpers import run_bounded
from .aio_support import (
    SYNTAXES,
    Keeper,
    Part10,
    PduRelay,
    assert_received_as_sent,
    nodelay,
    run_process,
    storescu_into,
    storescu_traced,
    write_files,
)
from .conftest import dcmtk

STORESCU_PROPOSES = {"implicit": "-xi", "explicit": "-xe", "big": "-xb", "rle": "-xr"}
"""The storescu option that proposes each transfer syntax (with the uncompressed ones)."""


def test_echoscu(tmp_path: Path) -> None:
    """echoscu's C-ECHO answered; the server's socket has TCP_NODELAY set."""
    seen: list[tuple[aio.EchoRequested, int]] = []
    servers: list[aio.Server] = []

    async def echo(event: aio.EchoRequested) -> int:
        (association,) = [
            association
            for association in servers[0].associations
            if association.peer.association_id == event.peer.association_id
        ]
        seen.append((event, nodelay(association.transport)))
        return 0x0000

    async def scenario() -> tuple[int, str]:
        async with await aio.serve("127.0.0.1", 0, "DIMSEKIT-SCP", aio.Handlers(echo=echo)) as (
            server
        ):
            servers.append(server)
            result = await run_process(
                dcmtk("echoscu"), "-v", "-aec", "DIMSEKIT-SCP", "127.0.0.1",
                str(server.address[1]),
            )  # fmt: skip
            await server.wait_served(1)
            return result

    status, output = run_bounded(scenario())
    assert status == 0, output
    assert "Received Echo Response (Success)" in output
    ((event, tcp_nodelay),) = seen
    assert (event.peer.calling_ae_title, event.peer.called_ae_title) == ("ECHOSCU", "DIMSEKIT-SCP")
    assert event.context.abstract_syntax == dk.VERIFICATION_SOP_CLASS
    assert tcp_nodelay != 0


@pytest.mark.parametrize("syntax", list(SYNTAXES))
def test_storescu_in_each_transfer_syntax(syntax: str, tmp_path: Path) -> None:
    """storescu sends files of three SOP classes in ``syntax`` to a server that accepts
    that transfer syntax only."""
    uid = SYNTAXES[syntax]
    files = write_files(tmp_path / "sent", uid)
    keeper = Keeper()
    handlers = aio.Handlers(store=keeper)
    policy = aio.policy_for(handlers, transfer_syntaxes=(uid,))

    status, output = storescu_into(
        dcmtk("storescu"), handlers, [f.path for f in files], STORESCU_PROPOSES[syntax],
        policy=policy,
    )  # fmt: skip
    assert status == 0, output
    assert_received_as_sent(keeper, files, "STORESCU")


def test_storescu_a_200_mib_instance(large_instance: Part10) -> None:
    """storescu sends the 200 MiB file: the server holds at most its memory budget of the
    data set (the rest goes to a file as it arrives: the Python memory allocated meanwhile
    stays under 16 MiB), and the data set received is the file's (SHA-256)."""
    keeper = Keeper()
    status, output, peak = storescu_traced(
        dcmtk("storescu"), aio.Handlers(store=keeper), [large_instance.path]
    )
    assert status == 0, output
    (kept,) = keeper.kept[large_instance.sop_instance_uid]
    assert kept.in_file
    assert kept.transfer_syntax == large_instance.transfer_syntax
    assert kept.digest == large_instance.digest()
    assert peak < 16 << 20, f"{peak} bytes allocated at the peak"


def test_a_data_set_put_in_a_file_is_closed_by_its_owner(tmp_path: Path) -> None:
    """With a memory budget of 0 every data set goes to a file of the server's (the
    handler here does not stream); that file is closed by its owner, not left to the
    garbage collector (which says so with a ResourceWarning)."""
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian)
    keeper = Keeper()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        status, output = storescu_into(
            dcmtk("storescu"), aio.Handlers(store=keeper), [f.path for f in files], memory_budget=0
        )
        gc.collect()
    assert status == 0, output
    assert all(kept[0].in_file for kept in keeper.kept.values())
    assert_received_as_sent(keeper, files, "STORESCU")
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_fifty_storescu_at_once(tmp_path: Path) -> None:
    """Fifty storescu processes, each with an instance of its own, against one server:
    the handler holds each store until all fifty are under way (so the fifty
    associations are open at once), then every instance is received, once."""
    count = 50
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian, count)
    keeper = Keeper(gather=count)

    async def scenario() -> tuple[list[tuple[int, str]], int]:
        async with await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(store=keeper)) as server:
            port = str(server.address[1])
            storescu = [dcmtk("storescu"), "-R", "127.0.0.1", port]
            results = await asyncio.gather(
                *(
                    run_process(*storescu, "-aet", f"SCU{n}", str(part10.path))
                    for n, part10 in enumerate(files)
                )
            )
            await asyncio.wait_for(server.wait_served(count), 10)
            return list(results), server.served

    results, served = run_bounded(scenario())
    assert [status for status, _ in results] == [0] * count, [out for _, out in results]
    assert served == count
    assert keeper.peak == count
    assert set(keeper.kept) == {part10.sop_instance_uid for part10 in files}
    assert all(len(kept) == 1 for kept in keeper.kept.values())
    assert {kept[0].calling_ae_title for kept in keeper.kept.values()} == {
        f"SCU{n}" for n in range(count)
    }
    for part10 in files:
        assert keeper.kept[part10.sop_instance_uid][0].data == part10.data_set()


@attrs.frozen
class PynetdicomRun:
    established: bool
    rejected: bool
    statuses: list[int]
    window: tuple[int, int] | None
    identity_response: bytes | None


def pynetdicom_stores(port: int, files: list[Part10], password: bytes) -> PynetdicomRun:
    """pynetdicom associates proposing a user identity (username and passcode, a positive
    response requested, PS3.7 D.3.3.7) and an asynchronous operations window of (8, 2)
    (PS3.7 D.3.3.3), and sends ``files`` (their data sets as in the files:
    ``STORE_SEND_CHUNKED_DATASET``)."""
    ae = AE(ae_title="PYNETDICOM-SCU")
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = 20
    for part10 in files:
        if part10.sop_class_uid not in {c.abstract_syntax for c in ae.requested_contexts}:
            ae.add_requested_context(part10.sop_class_uid, [part10.transfer_syntax])
    identity = UserIdentityNegotiation()
    identity.user_identity_type = 2
    identity.primary_field = b"alice"
    identity.secondary_field = password
    identity.positive_response_requested = True
    window = AsynchronousOperationsWindowNegotiation()
    window.maximum_number_operations_invoked = 8
    window.maximum_number_operations_performed = 2
    association = ae.associate(
        "127.0.0.1", port, ae_title="DIMSEKIT-SCP", ext_neg=[identity, window]
    )
    if not association.is_established:
        return PynetdicomRun(False, association.is_rejected, [], None, None)
    try:
        statuses = [int(association.send_c_store(part10.path).Status) for part10 in files]
        answered = association.acceptor.user_identity
        return PynetdicomRun(
            True,
            False,
            statuses,
            association.acceptor.asynchronous_operations,
            None if answered is None else answered.server_response,
        )
    finally:
        association.release()


@pytest.mark.parametrize("password", [b"secret", b"wrong"])
def test_pynetdicom_scu_with_user_identity_and_a_window(
    password: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """pynetdicom as SCU, in a thread: the server's user identity hook sees the 58H
    sub-item and accepts (a positive response, zero length for a username and passcode,
    PS3.7 D.3.3.7.2) or rejects the association; the window is answered (8, 1), the
    server's (16, 1) lowered to the offer; the files are received as sent."""
    monkeypatch.setattr(_config, "STORE_SEND_CHUNKED_DATASET", True)
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian)
    keeper = Keeper()
    handlers = aio.Handlers(store=keeper)
    identities: list[dk.UserIdentityRQ] = []

    def check_identity(rq: dk.UserIdentityRQ) -> bool:
        identities.append(rq)
        return rq.primary_field == b"alice" and rq.secondary_field == b"secret"

    policy = attrs.evolve(aio.policy_for(handlers), user_identity=check_identity)

    async def scenario() -> PynetdicomRun:
        async with await aio.serve("127.0.0.1", 0, handlers=handlers, policy=policy) as server:
            run = await asyncio.to_thread(pynetdicom_stores, server.address[1], files, password)
            await server.wait_served(1)
            return run

    with caplog.at_level(logging.INFO, logger="dimsekit.aio"):
        run = run_bounded(scenario())
    (identity,) = identities
    assert (identity.user_identity_type, identity.positive_response_requested) == (2, True)
    answers = [r.getMessage() for r in caplog.records if "association PYNETDICOM" in r.getMessage()]
    if password == b"wrong":
        # what the server answered, from its own log: an A-ASSOCIATE-RJ (rejected-permanent,
        # service-user, PS3.7 D.3.3.7); pynetdicom, which closes the connection as it takes
        # the RJ (AE-4), has once (in CI) reported that as an abort, not a rejection
        assert len(answers) == 1 and ": rejected (" in answers[0], answers
        assert not run.established
        assert keeper.kept == {}
        return
    assert len(answers) == 1 and ": accepted " in answers[0], answers
    assert run.established
    assert run.statuses == [0x0000] * len(files)
    assert run.window == (8, 1)
    assert run.identity_response == b""
    assert_received_as_sent(keeper, files, "PYNETDICOM-SCU")


# --- into StoreToDirectory --------------------------------------------------------------


def assert_written_as_sent(directory: Path, files: list[Part10]) -> None:
    """StoreToDirectory wrote one file per instance sent (no other, no partial one left),
    its File Meta Information naming the instance and transfer syntax sent, its data set
    the sent file's, byte for byte (read here, not by ``read_part10``)."""
    written = {path.name: Part10.read(path) for path in directory.iterdir()}
    assert sorted(written) == sorted(aio.safe_file_name(p.sop_instance_uid) for p in files)
    for part10 in files:
        stored = written[aio.safe_file_name(part10.sop_instance_uid)]
        assert (stored.sop_class_uid, stored.sop_instance_uid, stored.transfer_syntax) == (
            part10.sop_class_uid,
            part10.sop_instance_uid,
            part10.transfer_syntax,
        )
        assert stored.data_set() == part10.data_set()


@pytest.mark.parametrize("syntax", list(SYNTAXES))
def test_storescu_into_store_to_directory(syntax: str, tmp_path: Path) -> None:
    uid = SYNTAXES[syntax]
    files = write_files(tmp_path / "sent", uid)
    directory = tmp_path / "stored"
    handlers = aio.Handlers(
        store=aio.StoreToDirectory(directory, duplicates=aio.DuplicatePolicy.KEEP_BOTH)
    )
    policy = aio.policy_for(handlers, transfer_syntaxes=(uid,))

    status, output = storescu_into(
        dcmtk("storescu"), handlers, [f.path for f in files], STORESCU_PROPOSES[syntax],
        policy=policy,
    )  # fmt: skip
    assert status == 0, output
    assert_written_as_sent(directory, files)


def test_storescu_a_200_mib_instance_into_store_to_directory(
    large_instance: Part10, tmp_path: Path
) -> None:
    """Streamed to its file as it arrives (the Python memory allocated meanwhile stays
    under 16 MiB); the file's data set is the sent one's (SHA-256)."""
    directory = tmp_path / "stored"
    handlers = aio.Handlers(store=aio.StoreToDirectory(directory))
    status, output, peak = storescu_traced(dcmtk("storescu"), handlers, [large_instance.path])
    assert status == 0, output
    (path,) = directory.iterdir()
    stored = Part10.read(path)
    assert path.name == aio.safe_file_name(large_instance.sop_instance_uid)
    assert stored.transfer_syntax == large_instance.transfer_syntax
    assert stored.digest() == large_instance.digest()
    assert peak < 16 << 20, f"{peak} bytes allocated at the peak"


def test_fifty_storescu_at_once_into_store_to_directory(tmp_path: Path) -> None:
    """Fifty storescu processes started at once, each with an instance of its own: fifty
    files, one per instance (a duplicate would be kept beside: KEEP_BOTH)."""
    count = 50
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian, count)
    directory = tmp_path / "stored"
    handlers = aio.Handlers(
        store=aio.StoreToDirectory(directory, duplicates=aio.DuplicatePolicy.KEEP_BOTH)
    )

    async def scenario() -> tuple[list[tuple[int, str]], int]:
        async with await aio.serve("127.0.0.1", 0, handlers=handlers) as server:
            storescu = [dcmtk("storescu"), "-R", "127.0.0.1", str(server.address[1])]
            results = await asyncio.gather(
                *(run_process(*storescu, str(part10.path)) for part10 in files)
            )
            await asyncio.wait_for(server.wait_served(count), 10)
            return list(results), server.served

    results, served = run_bounded(scenario())
    assert [status for status, _ in results] == [0] * count, [out for _, out in results]
    assert served == count
    assert_written_as_sent(directory, files)


def test_storescu_killed_mid_store_leaves_no_file(large_instance: Part10, tmp_path: Path) -> None:
    """storescu killed while the 200 MiB data set is streaming into StoreToDirectory: the
    association ends (the transport closed under it, PS3.8 7.4), the partial file is
    abandoned (removed), and nothing is kept."""
    directory = tmp_path / "stored"
    handlers = aio.Handlers(store=aio.StoreToDirectory(directory))

    async def scenario() -> int:
        async with await aio.serve("127.0.0.1", 0, handlers=handlers) as server:
            process = await asyncio.create_subprocess_exec(
                dcmtk("storescu"), "-R", "127.0.0.1", str(server.address[1]),
                str(large_instance.path),
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            try:
                while sum(path.stat().st_size for path in directory.iterdir()) < 20 << 20:
                    assert process.returncode is None, "storescu ended before it was killed"
                    await asyncio.sleep(0.01)
            finally:
                process.kill()
                await process.wait()
            await asyncio.wait_for(server.wait_served(1), 10)
            return len(server.associations)

    assert run_bounded(scenario()) == 0
    assert list(directory.iterdir()) == []


@pytest.mark.parametrize("password", ["secret", "wrong"])
def test_storescu_with_user_identity(password: str, tmp_path: Path) -> None:
    """storescu --user --password --pos-response (PS3.7 D.3.3.7): the server's hook sees
    the username and passcode; accepted, storescu gets its positive response and the
    files are received as sent; refused, the association is rejected, nothing kept."""
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian)
    keeper = Keeper()
    handlers = aio.Handlers(store=keeper)
    identities: list[dk.UserIdentityRQ] = []

    def check_identity(rq: dk.UserIdentityRQ) -> bool:
        identities.append(rq)
        return rq.primary_field == b"alice" and rq.secondary_field == b"secret"

    policy = attrs.evolve(aio.policy_for(handlers), user_identity=check_identity)

    status, output = storescu_into(
        dcmtk("storescu"), handlers, [f.path for f in files],
        "--user", "alice", "--password", password, "--pos-response", policy=policy,
    )  # fmt: skip
    (identity,) = identities
    assert (identity.user_identity_type, identity.positive_response_requested) == (2, True)
    if password == "wrong":
        assert status != 0
        assert keeper.kept == {}
        return
    assert status == 0, output
    assert_received_as_sent(keeper, files, "STORESCU")


def test_storescu_aborting_after_its_stores(tmp_path: Path) -> None:
    """storescu --abort: every store answered and kept, then its A-ABORT (PS3.8 7.3)
    ends the association; the server is left with none under way."""
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian)
    keeper = Keeper()

    async def scenario() -> tuple[int, str, int]:
        async with await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(store=keeper)) as server:
            status, output = await run_process(
                dcmtk("storescu"), "-R", "--abort", "127.0.0.1", str(server.address[1]),
                *(str(part10.path) for part10 in files),
            )  # fmt: skip
            await asyncio.wait_for(server.wait_served(1), 10)
            return status, output, len(server.associations)

    status, output, under_way = run_bounded(scenario())
    assert status == 0, output
    assert under_way == 0
    assert_received_as_sent(keeper, files, "STORESCU")


def test_storescu_at_a_maximum_pdu_length_of_4096(tmp_path: Path) -> None:
    """The server announces 4096 (its policy's max_pdu_length, PS3.8 D.1) and storescu
    -pdu 4096 does too: every P-DATA-TF storescu sends is within ours, through a relay
    that records each PDU's length, and a 64 KiB data set arrives as sent."""
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian)
    dataset = dcmread(files[0].path)
    dataset.PixelData = bytes(range(256)) * 256
    dataset.Rows = dataset.Columns = 128
    dataset.save_as(files[0].path, enforce_file_format=True)
    files[0] = Part10.read(files[0].path)
    keeper = Keeper()
    handlers = aio.Handlers(store=keeper)
    policy = aio.policy_for(handlers, max_pdu_length=4096)

    async def scenario() -> tuple[int, str]:
        async with await aio.serve("127.0.0.1", 0, handlers=handlers, policy=policy) as server:
            relay = PduRelay(server.address)
            port = await relay.start()
            try:
                return await run_process(
                    dcmtk("storescu"), "-R", "-pdu", "4096", "127.0.0.1", str(port),
                    *(str(part10.path) for part10 in files),
                )  # fmt: skip
            finally:
                await relay.close()
                sent.extend(relay.sent)
                answered.extend(relay.answered)

    sent: list[tuple[int, int]] = []
    answered: list[tuple[int, int]] = []
    status, output = run_bounded(scenario())
    assert status == 0, output
    theirs = [length for kind, length in sent if kind == 0x04]
    ours = [length for kind, length in answered if kind == 0x04]
    assert max(theirs) <= 4096 and sum(theirs) > 64 * 1024
    assert ours and max(ours) <= 4096
    assert_received_as_sent(keeper, files, "STORESCU")
