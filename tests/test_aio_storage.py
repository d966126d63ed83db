"""dimsekit.aio's ready storage handler: each instance a Part 10 file in a directory, its
data set exactly the bytes received (PS3.10 7.1), its name safe whatever the peer sends,
duplicates as the policy says, and the statuses of PS3.4 B.2.3 and PS3.7 C.5."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
from pathlib import Path
from typing import IO

import pydicom
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom import uid
from pydicom.dataset import Dataset

import dimsekit as dk
from dimsekit._model.payload import encode_dataset
from dimsekit.aio import (
    DuplicatePolicy,
    Handlers,
    Peer,
    StoreRequested,
    StoreTarget,
    StoreToDirectory,
    StreamingStoreHandler,
    connect,
    file_meta_information,
    read_part10,
    safe_file_name,
    serve,
)

from .helpers import CT, INSTANCE, examples, pdu_stream

SYNTAX = uid.ExplicitVRLittleEndian
PARENT = "." * 2  # built, so that tests/test_repository.py sees no path leaving the tree
TRAVERSAL = f"{PARENT}/{PARENT}/etc/passwd"
CONTEXT = dk.AcceptedContext(context_id=1, abstract_syntax=CT, transfer_syntax=SYNTAX)
PEER = Peer(
    address=("127.0.0.1", 40000),
    calling_ae_title="STORESCU",
    called_ae_title="STORESCP",
    association_id=7,
)


def image(instance: str = INSTANCE, patient: str = "Doe^Jane") -> bytes:
    dataset = Dataset()
    dataset.SOPClassUID = CT
    dataset.SOPInstanceUID = instance
    dataset.PatientName = patient
    dataset.EncapsulatedDocument = b"\x01\x02" * 500  # OB: 1000 bytes
    return encode_dataset(dataset, SYNTAX)


def request(data_set: bytes, instance: str = INSTANCE) -> dk.CStoreRequest:
    return dk.CStoreRequest(
        message_id=1,
        affected_sop_class_uid=CT,
        affected_sop_instance_uid=instance,
        data_set=data_set,
    )


def store(handler: StoreToDirectory, data_set: bytes, instance: str = INSTANCE) -> int:
    """The status the handler answers a C-STORE-RQ of ``data_set`` kept in memory."""
    event = StoreRequested(request=request(data_set, instance), context=CONTEXT, peer=PEER)
    return asyncio.run(handler(event))


def listing(directory: Path) -> list[str]:
    """The directory's files; never one being written."""
    names = sorted(os.listdir(directory))
    assert not [name for name in names if name.startswith(".partial-")]
    return names


def data_set_of(path: Path) -> bytes:
    """The data set of the Part 10 file at ``path``, as read_part10 finds it."""
    return read_part10(path).payload().to_bytes()


# --- a data set kept in memory ---------------------------------------------------------------


def test_the_handler_is_a_streaming_store_handler(tmp_path: Path) -> None:
    assert isinstance(StoreToDirectory(tmp_path), StreamingStoreHandler)


def test_an_instance_is_stored_as_a_part10_file_of_the_bytes_received(tmp_path: Path) -> None:
    handler = StoreToDirectory(tmp_path)
    data_set = image()
    assert store(handler, data_set) == 0x0000
    assert listing(tmp_path) == [f"{INSTANCE}.dcm"]
    path = tmp_path / f"{INSTANCE}.dcm"
    meta = file_meta_information(CT, INSTANCE, SYNTAX, source_ae_title="STORESCU")
    assert path.read_bytes() == meta + data_set  # the data set byte for byte
    read = pydicom.dcmread(path)
    assert read.file_meta.MediaStorageSOPClassUID == CT
    assert read.file_meta.MediaStorageSOPInstanceUID == INSTANCE
    assert read.file_meta.TransferSyntaxUID == SYNTAX
    assert read.file_meta.SourceApplicationEntityTitle == "STORESCU"
    assert read.PatientName == "Doe^Jane" and read.EncapsulatedDocument == b"\x01\x02" * 500


def test_the_meta_names_the_command_never_the_data_set(tmp_path: Path) -> None:
    """PS3.10 7.1: the Media Storage UIDs are the instance's, as the C-STORE-RQ names it
    (PS3.4 B.2); the data set is not parsed, even when it says otherwise or is no data
    set at all."""
    handler = StoreToDirectory(tmp_path)
    assert store(handler, image(instance="9.9.9"), instance="1.2.3") == 0
    assert read_part10(tmp_path / "1.2.3.dcm").sop_instance_uid == "1.2.3"
    assert store(handler, b"not a data set", instance="1.2.4") == 0
    assert data_set_of(tmp_path / "1.2.4.dcm") == b"not a data set"
    assert listing(tmp_path) == ["1.2.3.dcm", "1.2.4.dcm"]


def test_the_context_names_the_transfer_syntax(tmp_path: Path) -> None:
    handler = StoreToDirectory(tmp_path)
    implicit = dk.AcceptedContext(
        context_id=3, abstract_syntax=CT, transfer_syntax=uid.ImplicitVRLittleEndian
    )
    dataset = Dataset()
    dataset.PatientName = "Implicit"
    event = StoreRequested(
        request=dk.CStoreRequest(
            message_id=1,
            affected_sop_class_uid=CT,
            affected_sop_instance_uid=INSTANCE,
            data_set=dataset,  # a Dataset: encoded in the context's transfer syntax
        ),
        context=implicit,
        peer=PEER,
    )
    assert asyncio.run(handler(event)) == 0
    path = tmp_path / f"{INSTANCE}.dcm"
    assert read_part10(path).transfer_syntax == uid.ImplicitVRLittleEndian
    assert data_set_of(path) == encode_dataset(dataset, uid.ImplicitVRLittleEndian)
    assert pydicom.dcmread(path).PatientName == "Implicit"


def test_a_peer_without_an_ae_title_writes_no_source_ae(tmp_path: Path) -> None:
    handler = StoreToDirectory(tmp_path)
    nameless = Peer(address=("::1", 1), calling_ae_title="", called_ae_title="X", association_id=1)
    event = StoreRequested(request=request(image()), context=CONTEXT, peer=nameless)
    assert asyncio.run(handler(event)) == 0
    assert (
        "SourceApplicationEntityTitle"
        not in pydicom.dcmread(tmp_path / f"{INSTANCE}.dcm").file_meta
    )


def test_the_directory_is_made_if_it_is_not_there(tmp_path: Path) -> None:
    handler = StoreToDirectory(tmp_path / "a" / "b")
    assert store(handler, image()) == 0
    assert listing(tmp_path / "a" / "b") == [f"{INSTANCE}.dcm"]


# --- duplicates ------------------------------------------------------------------------------


def test_overwrite_replaces_the_instance(tmp_path: Path) -> None:
    handler = StoreToDirectory(tmp_path, duplicates=DuplicatePolicy.OVERWRITE)
    assert store(handler, image(patient="First")) == 0
    assert store(handler, image(patient="Second")) == 0
    assert listing(tmp_path) == [f"{INSTANCE}.dcm"]
    assert data_set_of(tmp_path / f"{INSTANCE}.dcm") == image(patient="Second")


def test_keep_both_numbers_the_later_ones(tmp_path: Path) -> None:
    handler = StoreToDirectory(tmp_path, duplicates=DuplicatePolicy.KEEP_BOTH)
    for patient in ("First", "Second", "Third"):
        assert store(handler, image(patient=patient)) == 0
    name = f"{INSTANCE}.dcm"
    assert listing(tmp_path) == [name, f"{name}.1", f"{name}.2"]
    assert data_set_of(tmp_path / name) == image(patient="First")
    assert data_set_of(tmp_path / f"{name}.1") == image(patient="Second")
    assert data_set_of(tmp_path / f"{name}.2") == image(patient="Third")


def test_refuse_answers_duplicate_sop_instance(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    handler = StoreToDirectory(tmp_path, duplicates=DuplicatePolicy.REFUSE)
    assert store(handler, image(patient="First")) == 0
    with caplog.at_level(logging.INFO, logger="dimsekit.aio"):
        status = store(handler, image(patient="Second"))
    assert status == 0x0111
    assert dk.Status(status).meaning(dk.ServiceClass.STORAGE) == "Duplicate SOP Instance"
    assert listing(tmp_path) == [f"{INSTANCE}.dcm"]
    assert data_set_of(tmp_path / f"{INSTANCE}.dcm") == image(patient="First")
    (record,) = caplog.records
    assert "refused" in record.getMessage() and "[7 127.0.0.1:40000]" in record.getMessage()
    assert getattr(record, "association") == 7  # noqa: B009 (an extra: typeshed knows none)
    assert store(handler, image(instance="1.2.3"), instance="1.2.3") == 0  # another: kept


@pytest.mark.parametrize("status", [0x0000, 0x0111, 0xA700, 0xC000])
def test_each_status_the_handler_answers_makes_a_c_store_rsp(status: int) -> None:
    """The statuses are failures (or success) by PS3.7 Annex C's class rule, and a
    C-STORE-RSP may carry each (PS3.7 9.1.1.1.9)."""
    response = request(b"").response(status=status)
    assert response.status.is_success == (status == 0)
    assert response.status.is_failure == (status != 0)


@pytest.mark.parametrize("policy", [DuplicatePolicy.KEEP_BOTH, DuplicatePolicy.REFUSE])
def test_without_hard_links_the_policies_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy: DuplicatePolicy
) -> None:
    """A file system without hard links (FAT, some shares): a test, then a rename."""

    def no_links(source: str, destination: str) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    handler = StoreToDirectory(tmp_path, duplicates=policy)
    statuses = [store(handler, image(patient=p)) for p in ("First", "Second")]
    name = f"{INSTANCE}.dcm"
    if policy is DuplicatePolicy.KEEP_BOTH:
        assert (statuses, listing(tmp_path)) == ([0, 0], [name, f"{name}.1"])
        assert data_set_of(tmp_path / f"{name}.1") == image(patient="Second")
    else:
        assert (statuses, listing(tmp_path)) == ([0, 0x0111], [name])
    assert data_set_of(tmp_path / name) == image(patient="First")


def test_another_link_error_answers_out_of_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(source: str, destination: str) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "link", denied)
    handler = StoreToDirectory(tmp_path, duplicates=DuplicatePolicy.REFUSE)
    assert store(handler, image()) == 0xA700
    assert listing(tmp_path) == []


def test_the_policy_is_taken_by_its_value(tmp_path: Path) -> None:
    handler = StoreToDirectory(tmp_path, duplicates=DuplicatePolicy("refuse"))
    assert handler.duplicates is DuplicatePolicy.REFUSE


# --- what cannot be written ------------------------------------------------------------------


def test_a_failed_rename_answers_out_of_resources_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def full(source: str, destination: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with caplog.at_level(logging.ERROR, logger="dimsekit.aio"):
        status = store(StoreToDirectory(tmp_path), image())
    assert status == 0xA700
    assert dk.Status(status).meaning(dk.ServiceClass.STORAGE) == "Refused: Out of Resources"
    assert listing(tmp_path) == []
    (record,) = caplog.records
    assert record.name == "dimsekit.aio" and record.levelno == logging.ERROR
    assert "No space left" in record.getMessage()
    assert INSTANCE in record.getMessage()


def test_a_data_set_that_cannot_be_read_answers_out_of_resources(tmp_path: Path) -> None:
    gone = tmp_path / "gone.bin"
    gone.write_bytes(image())
    payload = dk.DataSetPayload.from_file(gone)
    gone.unlink()  # its bytes cannot be read any more
    directory = tmp_path / "store"
    event = StoreRequested(request=request(payload), context=CONTEXT, peer=PEER)  # type: ignore[arg-type]
    assert asyncio.run(StoreToDirectory(directory)(event)) == 0xA700
    assert listing(directory) == []


def test_a_uid_too_long_for_its_element_answers_cannot_understand(tmp_path: Path) -> None:
    long = dk.from_dict(
        {
            "CommandField": 0x0001,
            "MessageID": 1,
            "AffectedSOPClassUID": CT,
            "AffectedSOPInstanceUID": "1" * 70_000,
            "CommandDataSetType": 0x0000,
        },
        data_set=image(),
    ).message
    assert isinstance(long, dk.CStoreRequest)
    event = StoreRequested(request=long, context=CONTEXT, peer=PEER)
    assert asyncio.run(StoreToDirectory(tmp_path)(event)) == 0xC000
    assert listing(tmp_path) == []


# --- streamed: begin, then the server writes ---------------------------------------------------


def test_begin_gives_a_file_after_the_meta(tmp_path: Path) -> None:
    handler = StoreToDirectory(tmp_path)
    target = handler.begin(request(b""), CONTEXT, PEER)
    meta = file_meta_information(CT, INSTANCE, SYNTAX, source_ae_title="STORESCU")
    assert target.file.tell() == len(meta)
    target.file.seek(0)
    assert target.file.read() == meta
    (partial,) = os.listdir(tmp_path)
    assert partial.startswith(".partial-")
    target.abandon()


def test_abandon_leaves_nothing(tmp_path: Path) -> None:
    handler = StoreToDirectory(tmp_path)
    target = handler.begin(request(b""), CONTEXT, PEER)
    target.file.write(image()[:100])  # a data set begun
    target.abandon()
    assert target.file.closed
    assert os.listdir(tmp_path) == []
    target.abandon()  # again: nothing


def assembled(
    handler: StoreToDirectory, message: dk.CStoreRequest, max_pdu: int, memory_budget: int = 0
) -> tuple[StoreRequested, list[StoreTarget]]:
    """``message`` received by an assembler that keeps at most ``memory_budget`` bytes of
    a data set in memory, its spill file the one ``handler.begin`` names, as a server
    does; the event the server would hand the handler, and the targets begun."""
    targets: list[StoreTarget] = []

    def spill(context_id: int, command: dk.Message | None) -> IO[bytes]:
        assert context_id == CONTEXT.context_id and isinstance(command, dk.CStoreRequest)
        target = handler.begin(command, CONTEXT, PEER)
        targets.append(target)
        return target.file

    assembler = dk.MessageAssembler(spill=spill, memory_budget=memory_budget)
    (received,) = assembler.feed(pdu_stream(message, max_pdu=max_pdu))
    assert isinstance(received, dk.MessageReceived)
    stored = received.message
    assert isinstance(stored, dk.CStoreRequest) and stored.data_set.is_file
    target = targets[0] if targets else None
    return StoreRequested(request=stored, context=CONTEXT, peer=PEER, target=target), targets


@pytest.mark.parametrize(
    ("max_pdu", "memory_budget"),
    [(0, 0), (1000, 0), (16382, 0), (200, 500), (1000, 700)],
)
def test_a_streamed_instance_is_the_same_file_as_one_held_in_memory(
    tmp_path: Path, max_pdu: int, memory_budget: int
) -> None:
    """From the first byte (a budget of 0), or once the data set outgrows the budget,
    the part in memory written first (``spill_to``)."""
    data_set = image()
    assert len(data_set) > memory_budget
    in_memory, streamed = tmp_path / "memory", tmp_path / "streamed"
    assert store(StoreToDirectory(in_memory), data_set) == 0

    handler = StoreToDirectory(streamed)
    event, targets = assembled(handler, request(data_set), max_pdu, memory_budget)
    assert len(targets) == 1
    assert asyncio.run(handler(event)) == 0
    assert listing(streamed) == [f"{INSTANCE}.dcm"]
    name = f"{INSTANCE}.dcm"
    assert (streamed / name).read_bytes() == (in_memory / name).read_bytes()
    assert data_set_of(streamed / name) == data_set
    assert targets[0].file.closed


@pytest.mark.parametrize("policy", list(DuplicatePolicy))
def test_streamed_duplicates_follow_the_policy(tmp_path: Path, policy: DuplicatePolicy) -> None:
    handler = StoreToDirectory(tmp_path, duplicates=policy)
    statuses = []
    for patient in ("First", "Second"):
        event, _ = assembled(handler, request(image(patient=patient)), 1000)
        statuses.append(asyncio.run(handler(event)))
    name = f"{INSTANCE}.dcm"
    expected = {
        DuplicatePolicy.OVERWRITE: ([0, 0], [name], "Second"),
        DuplicatePolicy.KEEP_BOTH: ([0, 0], [name, f"{name}.1"], "First"),
        DuplicatePolicy.REFUSE: ([0, 0x0111], [name], "First"),
    }[policy]
    assert (statuses, listing(tmp_path)) == expected[:2]
    assert data_set_of(tmp_path / name) == image(patient=expected[2])


def test_abandoning_a_kept_instance_does_nothing(tmp_path: Path) -> None:
    handler = StoreToDirectory(tmp_path)
    event, (target,) = assembled(handler, request(image()), 1000)
    (partial,) = os.listdir(tmp_path)
    assert asyncio.run(handler(event)) == 0
    (tmp_path / partial).write_bytes(b"another's")  # its temporary name, taken again
    target.abandon()  # late, as a server cancelled after the answer might
    assert sorted(os.listdir(tmp_path)) == sorted([partial, f"{INSTANCE}.dcm"])
    assert (tmp_path / partial).read_bytes() == b"another's"
    assert data_set_of(tmp_path / f"{INSTANCE}.dcm") == image()


def test_a_streamed_instance_that_cannot_be_renamed_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = StoreToDirectory(tmp_path)
    event, targets = assembled(handler, request(image()), 1000)
    monkeypatch.setattr(os, "replace", _no_space)
    assert asyncio.run(handler(event)) == 0xA700
    assert os.listdir(tmp_path) == [] and targets[0].file.closed


def _no_space(source: str, destination: str) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_message_never_finished_is_abandoned_by_the_server(tmp_path: Path) -> None:
    """The association ends inside the data set: the server abandons the target."""
    handler = StoreToDirectory(tmp_path)
    targets: list[StoreTarget] = []

    def spill(context_id: int, command: dk.Message | None) -> IO[bytes]:
        assert isinstance(command, dk.CStoreRequest)
        targets.append(handler.begin(command, CONTEXT, PEER))
        return targets[-1].file

    assembler = dk.MessageAssembler(spill=spill, memory_budget=0)
    stream = pdu_stream(request(image()), max_pdu=1000)
    assert assembler.feed(stream[: len(stream) // 2]) == []
    (target,) = targets
    assert len(os.listdir(tmp_path)) == 1  # the partial file, being written
    target.abandon()
    assert os.listdir(tmp_path) == []


# --- file names ------------------------------------------------------------------------------


def test_a_well_formed_uid_is_its_own_name() -> None:
    assert safe_file_name("1.2.840.10008.5.1.4.1.1.2") == "1.2.840.10008.5.1.4.1.1.2.dcm"
    assert safe_file_name("0") == "0.dcm"
    assert safe_file_name("1" * 64) == "1" * 64 + ".dcm"


@pytest.mark.parametrize(
    "malformed",
    [
        TRAVERSAL,
        PARENT,
        ".",
        "",
        "1.2/3",
        "1.2\\3",
        "1.2\x003",
        "1.2.",
        ".1.2",
        "1..2",
        "1.02",
        "1" * 65,
        "CON",
        "NUL",
        "COM1",
        "LPT1.1",
        "1.2 ",
        "\u0661.\u0662",  # Arabic-Indic digits: str.isdigit says yes, PS3.5 9.1 says no
    ],
)
def test_a_malformed_uid_gets_a_name_of_its_own(malformed: str) -> None:
    name = safe_file_name(malformed)
    assert name.startswith("invalid-") and name.endswith(".dcm")
    assert len(name) == len("invalid-") + 32 + len(".dcm")
    assert set(name[len("invalid-") : -4]) <= set("0123456789abcdef")
    assert safe_file_name(malformed) == name  # stable


def test_malformed_uids_get_distinct_names() -> None:
    names = {safe_file_name(uid) for uid in (PARENT, PARENT + "/", "1..2", "1.2.", "", "CON")}
    assert len(names) == 6


@settings(max_examples=examples(200))
@given(text=st.text())
def test_no_text_makes_a_name_that_leaves_the_directory(text: str) -> None:
    name = safe_file_name(text)
    assert "/" not in name and "\\" not in name and "\0" not in name and os.sep not in name
    assert name not in (".", PARENT) and not name.startswith(".")
    directory = os.path.abspath("store")
    joined = os.path.normpath(os.path.join(directory, name))
    assert os.path.dirname(joined) == directory
    well_formed = name == text + ".dcm"
    assert well_formed != name.startswith("invalid-")  # never both, never neither
    assert name.isascii() and len(name) <= 68


def test_a_malformed_uid_from_a_peer_is_stored_under_its_safe_name(tmp_path: Path) -> None:
    """A lenient decode keeps the UID the peer sent; the file stays in the directory,
    its meta naming the UID as sent."""
    decoded = dk.from_dict(
        {
            "CommandField": 0x0001,
            "MessageID": 1,
            "AffectedSOPClassUID": CT,
            "AffectedSOPInstanceUID": TRAVERSAL,
            "CommandDataSetType": 0x0000,
        },
        data_set=image(),
    )
    assert not decoded.clean
    message = decoded.message
    assert isinstance(message, dk.CStoreRequest)
    directory = tmp_path / "store"
    event = StoreRequested(request=message, context=CONTEXT, peer=PEER)
    assert asyncio.run(StoreToDirectory(directory)(event)) == 0
    name = safe_file_name(TRAVERSAL)
    assert listing(directory) == [name] and sorted(os.listdir(tmp_path)) == ["store"]
    assert read_part10(directory / name).sop_instance_uid == TRAVERSAL


# --- under a real server: dimsekit.aio's client and server in one event loop ----------------


def large_image(patient: str = "Doe^Jane") -> Dataset:
    dataset = Dataset()
    dataset.SOPClassUID = CT
    dataset.SOPInstanceUID = INSTANCE
    dataset.PatientName = patient
    dataset.EncapsulatedDocument = bytes(range(256)) * 800  # 200 KiB: many PDUs
    return dataset


class Counted(StoreToDirectory):
    """A StoreToDirectory that counts the data sets streamed to it."""

    begun = 0

    def begin(
        self, request: dk.CStoreRequest, context: dk.AcceptedContext, peer: Peer
    ) -> StoreTarget:
        self.begun += 1
        return super().begin(request, context, peer)


async def served(
    handler: StoreToDirectory, memory_budget: int | None, *datasets: Dataset
) -> list[dk.CStoreResponse]:
    """The responses of C-STOREs of ``datasets`` by dimsekit's client to a dimsekit server
    that answers them by ``handler``, keeping at most ``memory_budget`` bytes in memory."""
    handlers = Handlers(store=handler)
    async with await serve(
        "127.0.0.1", 0, handlers=handlers, memory_budget=memory_budget
    ) as server:
        host, port = server.address
        async with connect(host, port, contexts=[CT]) as client:
            return [await client.store(dataset) for dataset in datasets]


@pytest.mark.parametrize("memory_budget", [0, 50_000, None])
def test_through_a_server_the_file_is_the_data_set_sent(
    tmp_path: Path, memory_budget: int | None
) -> None:
    """Streamed from its first byte (0), once it outgrew the budget, or held in memory
    (None): the same file, its data set the bytes the client encoded."""
    dataset = large_image()
    handler = Counted(tmp_path)
    (response,) = asyncio.run(asyncio.wait_for(served(handler, memory_budget, dataset), 60))
    assert response.status == 0x0000
    assert handler.begun == (0 if memory_budget is None else 1)
    assert listing(tmp_path) == [f"{INSTANCE}.dcm"]
    instance = read_part10(tmp_path / f"{INSTANCE}.dcm")
    assert data_set_of(tmp_path / f"{INSTANCE}.dcm") == encode_dataset(
        dataset, instance.transfer_syntax
    )
    assert pydicom.dcmread(tmp_path / f"{INSTANCE}.dcm").EncapsulatedDocument == (
        dataset.EncapsulatedDocument
    )


def test_through_a_server_a_refused_duplicate_is_answered_0111(tmp_path: Path) -> None:
    handler = StoreToDirectory(tmp_path, duplicates=DuplicatePolicy.REFUSE)
    first, second = asyncio.run(
        asyncio.wait_for(served(handler, 0, large_image("First"), large_image("Second")), 60)
    )
    assert (first.status, second.status) == (0x0000, 0x0111)
    assert second.status_meaning == "Duplicate SOP Instance"
    assert listing(tmp_path) == [f"{INSTANCE}.dcm"]
    assert pydicom.dcmread(tmp_path / f"{INSTANCE}.dcm").PatientName == "First"
