"""dimsekit as SCU (``dimsekit.aio.connect``) against DCMTK's storescp and pynetdicom's
storage SCP, started and stopped by the tests on 127.0.0.1.

"Equal" here is byte for byte: each peer writes a Part 10 file of its own File Meta
Information followed by the data set as it received it (storescp in bit-preserving mode,
``+B``; pynetdicom with ``STORE_RECV_CHUNKED_DATASET``), and the bytes after the File
Meta Information (PS3.10 7.1) must be those dimsekit sent: the Dataset encoded in the
accepted context's transfer syntax, or the file's data set.  The small instances are also
parsed back by pydicom and compared with the Dataset sent (so that a wrong encoding
could not pass for a right one); the 200 MiB one is compared by SHA-256 read in chunks.
"""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import UID, ExplicitVRLittleEndian

import dimsekit as dk
from dimsekit import aio

from ..helpers import run_bounded
from .aio_support import (
    MODALITIES,
    SYNTAXES,
    Part10,
    PduRelay,
    encoded,
    instances_in,
    nodelay,
    read_back,
    without_meta,
    write_files,
)
from .conftest import Processes
from .instances import SOP_CLASSES

PEERS = ("storescp", "pynetdicom")
P_DATA_TF = 0x04
StartPeer = Callable[..., int]


def start_peer(
    peer: str, storescp: StartPeer, pynetdicom: StartPeer, directory: Path, *, pdu: int | None
) -> int:
    """The storage SCP ``peer`` writing into ``directory``: storescp bit-preserving,
    accepting every transfer syntax it knows (``+xa``, RLE Lossless with it)."""
    if peer == "storescp":
        return storescp(directory, "+B", "+xa", *(["-pdu", str(pdu)] if pdu else []))
    return pynetdicom(directory, *(["--pdu", str(pdu)] if pdu else []))


def received(directory: Path) -> dict[str, list[Part10]]:
    """The Part 10 files a peer wrote, by SOP Instance UID (several: a duplicate)."""
    found: dict[str, list[Part10]] = {}
    for path in sorted(directory.iterdir()):
        if path.is_file():
            part10 = Part10.read(path)
            found.setdefault(part10.sop_instance_uid, []).append(part10)
    return found


def contexts_in(syntax: str) -> list[dk.ProposedContext | str]:
    """Verification, and each SOP class of :data:`MODALITIES` offered in ``syntax`` only
    (so that the context accepted, and the encoding, is that one)."""
    return [
        dk.VERIFICATION_SOP_CLASS,
        *(
            dk.ProposedContext(abstract_syntax=SOP_CLASSES[m], transfer_syntaxes=[syntax])
            for m in MODALITIES
        ),
    ]


def assert_stored_as_sent(directory: Path, sent: list[Dataset], syntax: str) -> None:
    """Each instance of ``sent`` was written once by the peer, its data set the bytes
    dimsekit sent in ``syntax``, and pydicom reads back what was sent."""
    files = received(directory)
    assert set(files) == {dataset.SOPInstanceUID for dataset in sent}
    for dataset in sent:
        (part10,) = files[dataset.SOPInstanceUID]
        assert part10.transfer_syntax == syntax
        assert part10.data_set() == encoded(dataset, syntax)
        assert read_back(part10.path) == without_meta(dataset)


@pytest.mark.parametrize("peer", PEERS)
def test_echo(
    peer: str, storescp: StartPeer, pynetdicom_store_scp: StartPeer, tmp_path: Path
) -> None:
    """C-ECHO (PS3.7 9.1.5) answered with success; the client's socket has TCP_NODELAY."""
    port = start_peer(peer, storescp, pynetdicom_store_scp, tmp_path / "in", pdu=None)

    async def scenario() -> tuple[dk.CEchoResponse, int]:
        async with aio.connect("127.0.0.1", port) as association:
            assert association.agreement.contexts[1].abstract_syntax == dk.VERIFICATION_SOP_CLASS
            return await association.echo(check=True), nodelay(association.transport)

    response, tcp_nodelay = run_bounded(scenario())
    assert tcp_nodelay != 0  # the client's socket: no Nagle delay on small PDUs
    assert int(response.status) == 0x0000
    assert response.message_id_being_responded_to == 1


@pytest.mark.parametrize("syntax", list(SYNTAXES))
@pytest.mark.parametrize("peer", PEERS)
def test_store_in_each_transfer_syntax(
    peer: str,
    syntax: str,
    storescp: StartPeer,
    pynetdicom_store_scp: StartPeer,
    tmp_path: Path,
) -> None:
    uid = SYNTAXES[syntax]
    directory = tmp_path / "in"
    port = start_peer(peer, storescp, pynetdicom_store_scp, directory, pdu=None)
    sent = instances_in(uid)

    async def scenario() -> list[int]:
        async with aio.connect("127.0.0.1", port, contexts=contexts_in(uid)) as association:
            agreed = association.agreement.contexts.values()
            assert {
                context.abstract_syntax: context.transfer_syntax
                for context in agreed
                if context.abstract_syntax != dk.VERIFICATION_SOP_CLASS
            } == {SOP_CLASSES[modality]: uid for modality in MODALITIES}
            statuses = []
            for dataset in sent:
                response = await association.store(dataset, check=True)
                assert response.affected_sop_instance_uid == dataset.SOPInstanceUID
                statuses.append(int(response.status))
            return statuses

    assert run_bounded(scenario()) == [0x0000] * len(sent)
    assert_stored_as_sent(directory, sent, uid)


@pytest.mark.parametrize("syntax", list(SYNTAXES))
@pytest.mark.parametrize("peer", PEERS)
def test_store_files_in_each_transfer_syntax(
    peer: str,
    syntax: str,
    storescp: StartPeer,
    pynetdicom_store_scp: StartPeer,
    tmp_path: Path,
) -> None:
    """``store`` of Part 10 files in ``syntax``: each data set sent as it is in its file
    (on a context of the file's transfer syntax), and stored so."""
    uid = SYNTAXES[syntax]
    directory = tmp_path / "in"
    port = start_peer(peer, storescp, pynetdicom_store_scp, directory, pdu=None)
    sent = write_files(tmp_path / "sent", uid)

    async def scenario() -> list[int]:
        async with aio.connect("127.0.0.1", port, contexts=contexts_in(uid)) as association:
            return [
                int((await association.store(part10.path, check=True)).status) for part10 in sent
            ]

    assert run_bounded(scenario()) == [0x0000] * len(sent)
    files = received(directory)
    assert set(files) == {part10.sop_instance_uid for part10 in sent}
    for part10 in sent:
        (stored,) = files[part10.sop_instance_uid]
        assert (stored.transfer_syntax, stored.sop_class_uid) == (
            part10.transfer_syntax,
            part10.sop_class_uid,
        )
        assert stored.data_set() == part10.data_set()


@pytest.mark.parametrize("peer", PEERS)
def test_store_at_a_maximum_pdu_length_of_4096(
    peer: str, storescp: StartPeer, pynetdicom_store_scp: StartPeer, tmp_path: Path
) -> None:
    """Both sides announce 4096 (PS3.8 D.1): every P-DATA-TF either side sends is within
    it, and ours fill it; through a relay that records each PDU's length."""
    directory = tmp_path / "in"
    port = start_peer(peer, storescp, pynetdicom_store_scp, directory, pdu=4096)
    sent = instances_in(ExplicitVRLittleEndian)
    sent[0].PixelData = bytes(range(256)) * 256  # 64 KiB: sixteen PDUs and more
    sent[0].Rows = sent[0].Columns = 128
    relay = PduRelay(("127.0.0.1", port))

    async def scenario() -> dk.Agreement:
        relay_port = await relay.start()
        try:
            async with aio.connect(
                "127.0.0.1",
                relay_port,
                contexts=contexts_in(ExplicitVRLittleEndian),
                max_pdu_length=4096,
            ) as association:
                for dataset in sent:
                    await association.store(dataset, check=True)
                return association.agreement
        finally:
            await relay.close()

    agreement = run_bounded(scenario())
    assert (agreement.requestor_max_pdu_length, agreement.acceptor_max_pdu_length) == (4096, 4096)
    ours = [length for kind, length in relay.sent if kind == P_DATA_TF]
    theirs = [length for kind, length in relay.answered if kind == P_DATA_TF]
    assert ours and theirs
    assert max(ours) == 4096  # the 64 KiB data set fills its PDUs to the maximum
    assert max(theirs) <= 4096
    assert sum(ours) > 64 * 1024
    assert_stored_as_sent(directory, sent, ExplicitVRLittleEndian)


STORAGE_SCU = dk.StorageNegotiation.from_bytes(b"\x03\x00\x00\x00\x02\x00")
"""What an SCU proposes for a storage SOP class (PS3.4 B.3.1, Table B.3-1): level of
support and element coercion "not applicable", the requestor being an SCU only."""
STORAGE_SCP = dk.StorageNegotiation.from_bytes(b"\x02\x00\x00\x00\x01\x00")
"""What pynetdicom is told to answer (Table B.3-2): a level 2 (full) SCP, which may
coerce data elements."""


@pytest.mark.parametrize("peer", PEERS)
def test_sop_class_extended_negotiation_of_storage(
    peer: str, storescp: StartPeer, pynetdicom_store_scp: StartPeer, tmp_path: Path
) -> None:
    """A 56H sub-item proposed for CT Image Storage (PS3.7 D.3.3.5): pynetdicom answers
    what its handler says, storescp answers none (it does not take part in it), and the
    association works either way."""
    directory = tmp_path / "in"
    if peer == "storescp":
        port = storescp(directory, "+B")
    else:
        port = pynetdicom_store_scp(directory, "--extended", STORAGE_SCP.to_bytes().hex())
    ct = UID(SOP_CLASSES["CT"])
    proposal = dk.SOPClassExtendedNegotiation(
        sop_class_uid=ct, service_class_application_information=STORAGE_SCU.to_bytes()
    )
    sent = instances_in(ExplicitVRLittleEndian)[:1]
    assert sent[0].SOPClassUID == ct

    async def scenario() -> dk.Agreement:
        async with aio.connect(
            "127.0.0.1",
            port,
            contexts=contexts_in(ExplicitVRLittleEndian),
            extended_negotiation=[proposal],
        ) as association:
            await association.store(sent[0], check=True)
            return association.agreement

    agreement = run_bounded(scenario())
    if peer == "storescp":
        assert agreement.extended_negotiation == {}
    else:
        (answered,) = agreement.extended_negotiation.values()
        assert answered.sop_class_uid == ct
        assert answered.service_class_application_information == STORAGE_SCP.to_bytes()
        view = dk.negotiation_view(answered)
        assert isinstance(view, dk.StorageNegotiation)
        assert (view.level_of_support, view.element_coercion) == (2, 1)
    assert_stored_as_sent(directory, sent, ExplicitVRLittleEndian)


@pytest.mark.parametrize("peer", PEERS)
def test_store_a_200_mib_instance_from_disk(
    peer: str,
    storescp: StartPeer,
    pynetdicom_store_scp: StartPeer,
    tmp_path: Path,
    large_instance: Part10,
) -> None:
    """``store`` of a 200 MiB file: its data set sent from disk (never read whole: the
    Python memory allocated meanwhile stays under 16 MiB), stored equal (SHA-256)."""
    directory = tmp_path / "in"
    port = start_peer(peer, storescp, pynetdicom_store_scp, directory, pdu=None)
    sop_class = large_instance.sop_class_uid
    syntax = large_instance.transfer_syntax

    async def scenario() -> int:
        contexts = [dk.ProposedContext(abstract_syntax=sop_class, transfer_syntaxes=[syntax])]
        async with aio.connect("127.0.0.1", port, contexts=contexts) as association:
            response = await association.store(large_instance.path, check=True)
            assert response.affected_sop_instance_uid == large_instance.sop_instance_uid
            return int(response.status)

    tracemalloc.start()
    try:
        status = run_bounded(scenario())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 0x0000
    assert peak < 16 << 20, f"{peak} bytes allocated at the peak"
    (part10,) = received(directory)[large_instance.sop_instance_uid]
    assert part10.transfer_syntax == syntax
    assert part10.path.stat().st_size - part10.offset == large_instance.path.stat().st_size - (
        large_instance.offset
    )
    assert part10.digest() == large_instance.digest()


@pytest.mark.parametrize("peer", PEERS)
def test_stores_at_once_held_at_the_window_the_peer_answered(
    peer: str, storescp: StartPeer, pynetdicom_store_scp: StartPeer, tmp_path: Path
) -> None:
    """Nine stores started together on an association that proposed a window of (8, 1)
    (PS3.7 D.3.3.3): the peer answers no window (storescp) or its own, and the client
    holds the calls beyond it; every store is answered and stored."""
    directory = tmp_path / "in"
    port = start_peer(peer, storescp, pynetdicom_store_scp, directory, pdu=None)
    sent = [
        dataset for first in (1, 4, 7) for dataset in instances_in(ExplicitVRLittleEndian, first)
    ]

    async def scenario() -> tuple[list[int], int]:
        async with aio.connect(
            "127.0.0.1", port, contexts=contexts_in(ExplicitVRLittleEndian), async_window=(8, 1)
        ) as association:
            responses = await asyncio.gather(
                *(association.store(dataset, check=True) for dataset in sent)
            )
            return [int(r.status) for r in responses], association.agreement.max_operations_invoked

    statuses, window = run_bounded(scenario())
    assert statuses == [0x0000] * len(sent)
    assert window == 1  # neither peer performs operations asynchronously
    assert_stored_as_sent(directory, sent, ExplicitVRLittleEndian)


def test_storescp_killed_mid_store_fails_the_store(
    storescp: StartPeer, processes: Processes, tmp_path: Path, large_instance: Part10
) -> None:
    """storescp killed while the 200 MiB data set is on its way: the store raises an
    AssociationError (the transport closed under the association, PS3.8 7.4) soon,
    rather than hanging, and the association is over."""
    directory = tmp_path / "in"
    port = storescp(directory, "+B")
    process = processes.running[-1]
    contexts = [
        dk.ProposedContext(
            abstract_syntax=large_instance.sop_class_uid,
            transfer_syntaxes=[large_instance.transfer_syntax],
        )
    ]

    async def scenario() -> tuple[type[BaseException] | None, bool]:
        association = await aio.connect("127.0.0.1", port, contexts=contexts)
        store = asyncio.ensure_future(association.store(large_instance.path))
        while sum(path.stat().st_size for path in directory.rglob("*") if path.is_file()) < (
            20 << 20
        ):
            assert not store.done(), "the store ended before storescp was killed"
            await asyncio.sleep(0.01)
        process.kill()
        raised: type[BaseException] | None = None
        try:
            await asyncio.wait_for(store, 10)
        except aio.AssociationError as error:
            raised = type(error)
        await asyncio.wait_for(association.wait_closed(), 10)
        return raised, association.is_established

    # run_scenario fails too if a future's exception was never retrieved (asyncio says so)
    raised, established = run_bounded(scenario())
    assert raised is not None and issubclass(raised, aio.AssociationError)
    assert not established


def test_storescp_refuses_the_association(storescp: StartPeer, tmp_path: Path) -> None:
    """storescp --refuse: connect raises AssociationRejectedError with the A-ASSOCIATE-RJ
    (PS3.8 9.3.4) and its fields in words."""
    port = storescp(tmp_path / "in", "--refuse")

    async def scenario() -> None:
        async with aio.connect("127.0.0.1", port):
            pass

    with pytest.raises(aio.AssociationRejectedError, match="rejected permanent") as raised:
        run_bounded(scenario())
    assert raised.value.rj.result == dk.RejectResult.REJECTED_PERMANENT


@pytest.mark.parametrize("when", ["--abort-during", "--abort-after"])
def test_storescp_aborts_a_store(storescp: StartPeer, tmp_path: Path, when: str) -> None:
    """storescp aborts while a C-STORE-RQ comes in, or once it has (PS3.8 7.3): the store
    raises AssociationAbortedError, by the peer, and the association is over."""
    port = storescp(tmp_path / "in", when)
    (dataset,) = instances_in(ExplicitVRLittleEndian)[:1]

    async def scenario() -> tuple[aio.AssociationAbortedError | None, bool]:
        association = await aio.connect(
            "127.0.0.1", port, contexts=contexts_in(ExplicitVRLittleEndian)
        )
        aborted = None
        try:
            await association.store(dataset)
        except aio.AssociationAbortedError as error:
            aborted = error
        await asyncio.wait_for(association.wait_closed(), 10)
        return aborted, association.is_established

    aborted, established = run_bounded(scenario())
    assert aborted is not None and aborted.by_peer
    assert not established


def test_a_response_that_does_not_come_in_time(storescp: StartPeer, tmp_path: Path) -> None:
    """storescp sleeps 5 s before it answers; with a response timeout of 1 s the store
    raises OperationEndedError before that (the association aborted by us, PS3.8 7.3),
    and once the ``async with`` block is left the transport is closed (storescp, asleep,
    does not close it: ARTIM does, 2 s after the A-ABORT, PS3.8 9.2 Sta13), not left
    open for the garbage collector to find."""
    port = storescp(tmp_path / "in", "--sleep-during", "5")
    (dataset,) = instances_in(ExplicitVRLittleEndian)[:1]

    async def scenario() -> tuple[float, bool]:
        loop = asyncio.get_running_loop()
        async with aio.connect(
            "127.0.0.1",
            port,
            contexts=contexts_in(ExplicitVRLittleEndian),
            response_timeout=1.0,
            artim_timeout=2.0,
        ) as association:
            start = loop.time()
            with pytest.raises(aio.OperationEndedError, match="in time"):
                await association.store(dataset)
            waited = loop.time() - start
        return waited, association.transport.is_closing()

    waited, closing = run_bounded(scenario(), timeout=15.0)
    assert waited < 4.0  # storescp would have answered after 5 s
    assert closing
