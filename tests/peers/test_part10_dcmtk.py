"""Part 10 files between dimsekit.aio and DCMTK: what StoreToDirectory writes, DCMTK
takes as a DICOM file (dcmftest, dcmdump, storescu); what DCMTK's storescp writes,
read_part10 reads, its data set the bytes that were sent; and what DCMTK's storescu sends
to a dimsekit server, StoreToDirectory keeps byte for byte."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import dimsekit as dk
from dimsekit.aio import (
    Handlers,
    Peer,
    StoreRequested,
    StoreToDirectory,
    read_part10,
    safe_file_name,
    serve,
)

from .conftest import (
    PROCESS_TIMEOUT,
    Processes,
    Tap,
    assert_dimsekit_understood,
    dcmtk,
    free_port,
    run_client,
    wait_for_port,
)
from .instances import write_instances

PEER = Peer(
    address=("127.0.0.1", 1),
    calling_ae_title="STORESCU",
    called_ae_title="ANY-SCP",
    association_id=1,
)


def stored_by_dimsekit(sources: list[Path], directory: Path) -> list[Path]:
    """Each of ``sources`` (pydicom's files) received by StoreToDirectory as a C-STORE of
    its data set, in its own transfer syntax: the files it wrote."""
    handler = StoreToDirectory(directory)
    written = []
    for source in sources:
        instance = read_part10(source)
        context = dk.AcceptedContext(
            context_id=1,
            abstract_syntax=instance.sop_class_uid,
            transfer_syntax=instance.transfer_syntax,
        )
        request = dk.CStoreRequest(
            message_id=1,
            affected_sop_class_uid=instance.sop_class_uid,
            affected_sop_instance_uid=instance.sop_instance_uid,
            data_set=instance.payload().to_bytes(),
        )
        event = StoreRequested(request=request, context=context, peer=PEER)
        assert asyncio.run(handler(event)) == 0x0000
        written.append(directory / f"{instance.sop_instance_uid}.dcm")
    return written


def test_dcmtk_takes_our_files_for_dicom_files(tmp_path: Path) -> None:
    ours = stored_by_dimsekit(write_instances(tmp_path / "pydicom"), tmp_path / "ours")
    for path in ours:
        tested = run_client(dcmtk("dcmftest"), str(path))
        assert tested.returncode == 0 and tested.stdout.startswith(b"yes: "), tested.stdout
        dumped = run_client(dcmtk("dcmdump"), "-M", "+L", str(path))
        assert dumped.returncode == 0, dumped.stderr
        assert b"(0002,0016) AE [STORESCU]" in dumped.stdout
        assert f"[{dk.IMPLEMENTATION_CLASS_UID}]".encode() in dumped.stdout
        assert not dumped.stderr  # no warning about the meta


def test_storescu_sends_our_files_and_storescp_writes_the_same_data_sets(
    processes: Processes, tap_factory: Any, tmp_path: Path
) -> None:
    ours = stored_by_dimsekit(write_instances(tmp_path / "pydicom"), tmp_path / "ours")
    received = tmp_path / "received"
    received.mkdir()
    port = free_port()
    # +B: storescp writes the data set as it came, bit for bit
    scp = processes.start("storescp", dcmtk("storescp"), "-od", str(received), "+B", str(port))
    wait_for_port(port, scp)
    tap: Tap = tap_factory(port)
    result = run_client(dcmtk("storescu"), "127.0.0.1", str(tap.port), *map(str, ours))
    assert result.returncode == 0, result.stderr
    assert_dimsekit_understood(tap.messages())

    theirs = {read_part10(path).sop_instance_uid: read_part10(path) for path in received.iterdir()}
    assert len(theirs) == len(ours)
    for path in ours:
        mine = read_part10(path)
        written = theirs[mine.sop_instance_uid]
        assert written.sop_class_uid == mine.sop_class_uid
        assert written.transfer_syntax == mine.transfer_syntax
        assert written.payload().to_bytes() == mine.payload().to_bytes()


async def storescu_to_serve(
    handler: StoreToDirectory, memory_budget: int | None, files: list[Path]
) -> bytes:
    """DCMTK's storescu sends ``files`` to a dimsekit server answering by ``handler``:
    its output (it must end well)."""
    handlers = Handlers(store=handler)
    async with await serve(
        "127.0.0.1", 0, handlers=handlers, memory_budget=memory_budget
    ) as server:
        host, port = server.address
        process = await asyncio.create_subprocess_exec(
            dcmtk("storescu"), "-v", host, str(port), *map(str, files),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            output, _ = await asyncio.wait_for(process.communicate(), PROCESS_TIMEOUT)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode == 0, output.decode(errors="replace")
        return output


@pytest.mark.parametrize("memory_budget", [0, None])
def test_storescu_to_a_dimsekit_server_storing_to_a_directory(
    tmp_path: Path, memory_budget: int | None
) -> None:
    """Streamed (a budget of 0) or held in memory: each instance storescu sends is a file
    of the data set it sent, byte for byte (storescu sends each file's data set as it is,
    on a context of its transfer syntax)."""
    sent = write_instances(tmp_path / "pydicom")
    stored = tmp_path / "stored"
    asyncio.run(storescu_to_serve(StoreToDirectory(stored), memory_budget, sent))
    assert len(list(stored.iterdir())) == len(sent)
    for path in sent:
        original = read_part10(path)
        kept = read_part10(stored / safe_file_name(original.sop_instance_uid))
        assert (kept.sop_class_uid, kept.transfer_syntax) == (
            original.sop_class_uid,
            original.transfer_syntax,
        )
        assert kept.payload().to_bytes() == original.payload().to_bytes()
    assert not [p for p in stored.iterdir() if p.name.startswith(".partial-")]
