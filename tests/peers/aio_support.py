"""What the ``dimsekit.aio`` peers tests share: the instances they send (several SOP
classes and transfer syntaxes, one of 200 MiB written to disk), what "the data set
received equals the data set sent" means for them (the bytes after the File Meta
Information of a Part 10 file, PS3.10 7.1, compared whole or by SHA-256 in chunks), a relay that
records the PDUs passing through it (their types and lengths, PS3.8 9.3.1), the store
handler of the tests' servers (:class:`Keeper`), TCP_NODELAY of a transport, and DICOM
clients run from within the event loop that a server of ours answers on.

Helpers only: the fixtures are in ``conftest.py``, the scenarios in ``test_aio_*.py``.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import struct
import subprocess
import tracemalloc
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from ssl import SSLContext
from typing import Any, Final, TypeVar

import attrs
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.filereader import read_file_meta_info
from pydicom.uid import (
    UID,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    RLELossless,
)

from dimsekit import CStoreRequest, DataSetPayload, aio

from ..helpers import run_bounded
from .instances import ROOT, make_instance

SYNTAXES: Final = {
    "implicit": ImplicitVRLittleEndian,
    "explicit": ExplicitVRLittleEndian,
    "big": ExplicitVRBigEndian,
    "rle": RLELossless,
}
"""The transfer syntaxes the stores are run in: the three uncompressed ones, and RLE
Lossless (PS3.5 A.4.2, encoded by pydicom without numpy) for a compressed one."""

MODALITIES: Final = ("CT", "MR", "OT")
"""Three storage SOP classes (``instances.SOP_CLASSES``)."""

CHUNK: Final = 1 << 20
LARGE_PIXEL_BYTES: Final = 200 << 20
"""The pixel data of the large instance: 200 MiB, 10240 x 10240 pixels of 16 bits."""


def instances_in(syntax: UID, first: int = 1) -> list[Dataset]:
    """One instance of each of :data:`MODALITIES`, numbered from ``first``, its
    ``file_meta`` saying ``syntax``; for a compressed syntax its pixel data encoded so
    (a Dataset's data set is encoded by the sender in the context's syntax, but pixel
    data is compressed only by the one who made it)."""
    made = []
    for offset, modality in enumerate(MODALITIES):
        number = first + offset
        study = f"{ROOT}1.{number}"
        dataset = make_instance(f"PAT{number}", "Aio^Test", study, modality, number)
        if syntax.is_compressed:
            dataset.compress(syntax)
        else:
            dataset.file_meta.TransferSyntaxUID = syntax
        made.append(dataset)
    return made


def encoded(dataset: Dataset, syntax: str) -> bytes:
    """The bytes dimsekit sends for ``dataset`` on a context of ``syntax``."""
    return b"".join(bytes(chunk) for chunk in DataSetPayload(dataset).chunks(syntax))


def read_back(path: Path) -> Dataset:
    """``path`` read by pydicom, its File Meta Information left out.  Encapsulated pixel
    data makes pydicom 3.0 compare bytes with a str (``fileutil.read_undefined_length_value``),
    which ``python -bb`` turns into an error: that warning is ignored here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BytesWarning)
        return without_meta(dcmread(path))


def without_meta(dataset: Dataset) -> Dataset:
    """``dataset`` without group 0002 (a Part 10 file's File Meta Information)."""
    copy = Dataset(dataset)
    for tag in [element.tag for element in copy if element.tag.group == 0x0002]:
        del copy[tag]
    return copy


@attrs.frozen
class Part10:
    """A Part 10 file split where its data set begins (PS3.10 7.1)."""

    path: Path
    offset: int
    """Where the data set begins: after the preamble, ``DICM`` and the File Meta
    Information, whose length its first element, (0002,0000), gives."""
    transfer_syntax: UID
    sop_class_uid: UID
    sop_instance_uid: UID

    @classmethod
    def read(cls, path: Path) -> Part10:
        with path.open("rb") as handle:
            head = handle.read(144)
        if head[128:132] != b"DICM" or head[132:138] != b"\x02\x00\x00\x00UL":
            raise ValueError(f"{path}: no preamble, DICM and (0002,0000) UL (PS3.10 7.1)")
        (group_length,) = struct.unpack("<I", head[140:144])
        meta = read_file_meta_info(path)
        return cls(
            path, 144 + group_length, UID(meta.TransferSyntaxUID),
            UID(meta.MediaStorageSOPClassUID), UID(meta.MediaStorageSOPInstanceUID),
        )  # fmt: skip

    def data_set(self) -> bytes:
        """The data set's bytes (for small files)."""
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            return handle.read()

    def digest(self) -> str:
        """The SHA-256 of the data set, read in chunks of 1 MiB."""
        return sha256_chunks(self.chunks())

    def chunks(self) -> Iterator[bytes]:
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            while chunk := handle.read(CHUNK):
                yield chunk


def sha256_chunks(chunks: Iterator[bytes | memoryview]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def write_large_instance(path: Path, pixel_bytes: int = LARGE_PIXEL_BYTES) -> Part10:
    """A Secondary Capture instance of ``pixel_bytes`` of 16-bit pixel data in explicit VR
    little endian, written to ``path`` a chunk at a time (never whole in memory): the
    small data set by pydicom, then the (7FE0,0010) OW element appended (PS3.5 7.1.2),
    its value a pattern that differs in each MiB."""
    side = int((pixel_bytes // 2) ** 0.5)
    if side * side * 2 != pixel_bytes or pixel_bytes % CHUNK:
        raise ValueError(f"{pixel_bytes} bytes are not a square of 16-bit pixels in MiB")
    dataset = make_instance("BIG", "Large^Instance", f"{ROOT}2", "OT", 99)
    del dataset.PixelData
    dataset.Rows = dataset.Columns = side
    dataset.save_as(path, enforce_file_format=True)
    pattern = bytes(range(256)) * (CHUNK // 256)
    with path.open("ab") as handle:
        handle.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, pixel_bytes))
        for index in range(pixel_bytes // CHUNK):
            handle.write(index.to_bytes(8, "little") + pattern[8:])
    return Part10.read(path)


# --- what a server of the tests keeps ---------------------------------------------------


@attrs.frozen
class Kept:
    """What one C-STORE brought."""

    sop_class: str
    transfer_syntax: str
    calling_ae_title: str
    digest: str
    data: bytes | None
    """The data set's bytes, for one of at most 1 MiB."""
    in_file: bool
    """The server had put the data set in a file (it outgrew the memory budget)."""
    move_originator: tuple[str, int] | None = None
    """The Move Originator AE Title and Message ID of a C-MOVE's sub-operation (PS3.7
    9.3.1.1)."""


class Keeper:
    """A store handler keeping what each C-STORE brought, by SOP Instance UID (a list:
    a duplicate shows).  With ``gather``, each waits until that many stores are under way
    at once (at most ``patience`` seconds), and ``peak`` says how many there were."""

    def __init__(self, gather: int | None = None, patience: float = 30.0) -> None:
        self.kept: dict[str, list[Kept]] = {}
        self.gather = gather
        self.patience = patience
        self.under_way = 0
        self.peak = 0
        self._gathered = asyncio.Event()

    async def __call__(self, event: aio.StoreRequested) -> int:
        request = event.request
        payload = request.data_set
        assert payload is not None
        small = len(payload) <= 1 << 20
        self.kept.setdefault(request.affected_sop_instance_uid, []).append(
            Kept(
                sop_class=request.affected_sop_class_uid,
                transfer_syntax=event.context.transfer_syntax,
                calling_ae_title=event.peer.calling_ae_title,
                digest=sha256_chunks(payload.chunks()),
                data=b"".join(bytes(chunk) for chunk in payload.chunks()) if small else None,
                in_file=payload.is_file,
                move_originator=_originator(request),
            )
        )
        if self.gather is not None:
            self.under_way += 1
            self.peak = max(self.peak, self.under_way)
            if self.under_way >= self.gather:
                self._gathered.set()
            try:
                await asyncio.wait_for(self._gathered.wait(), self.patience)
            except TimeoutError:
                pass
            finally:
                self.under_way -= 1
        return 0x0000


def _originator(request: CStoreRequest) -> tuple[str, int] | None:
    title = request.move_originator_application_entity_title
    number = request.move_originator_message_id
    return None if title is None or number is None else (title, number)


def write_files(directory: Path, syntax: UID, count: int | None = None) -> list[Part10]:
    """Instances (of three SOP classes, or ``count`` Secondary Captures) saved in
    ``syntax`` as Part 10 files."""
    directory.mkdir(parents=True, exist_ok=True)
    if count is None:
        datasets = instances_in(syntax)
    else:
        datasets = [
            make_instance(f"P{n}", "Many^At^Once", f"{ROOT}3", "OT", n) for n in range(1, count + 1)
        ]
    files = []
    for number, dataset in enumerate(datasets, 1):
        path = directory / f"{number:02d}.dcm"
        dataset.save_as(path, enforce_file_format=True)
        files.append(Part10.read(path))
    return files


def assert_received_as_sent(keeper: Keeper, files: list[Part10], calling: str) -> None:
    """Each file's instance received once, on a context of the file's transfer syntax,
    its data set the file's, byte for byte."""
    assert set(keeper.kept) == {part10.sop_instance_uid for part10 in files}
    for part10 in files:
        (kept,) = keeper.kept[part10.sop_instance_uid]
        assert kept.transfer_syntax == part10.transfer_syntax
        assert kept.calling_ae_title == calling
        assert kept.data == part10.data_set()


# --- a relay that records PDUs ----------------------------------------------------------


@attrs.define
class PduRelay:
    """A TCP relay on 127.0.0.1 in front of ``upstream``: it forwards bytes both ways as
    they come and records each PDU's type and length (the 6-byte header, PS3.8 9.3.1),
    in ``sent`` (from the client) and ``answered`` (from the server)."""

    upstream: tuple[str, int]
    sent: list[tuple[int, int]] = attrs.Factory(list)
    answered: list[tuple[int, int]] = attrs.Factory(list)
    server: asyncio.Server | None = None
    relays: list[asyncio.Task[None]] = attrs.Factory(list)
    writers: list[asyncio.StreamWriter] = attrs.Factory(list)

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def close(self) -> None:
        """Stop listening and let each connection relayed end (both sides close once the
        association is over); one still open after 5 s is closed.  Never cancelled: the
        streams' callback would report a cancelled task as an error."""
        if self.server is not None:
            self.server.close()
        if self.relays:
            _, pending = await asyncio.wait(self.relays, timeout=5)
            if pending:
                for writer in self.writers:
                    writer.close()
                await asyncio.wait(pending)
        if self.server is not None:
            await self.server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.relays.append(task)
        self.writers.append(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        self.writers.append(up_writer)
        await asyncio.gather(
            self._pump(reader, up_writer, self.sent),
            self._pump(up_reader, writer, self.answered),
        )

    @staticmethod
    async def _pump(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record: list[tuple[int, int]]
    ) -> None:
        try:
            while True:
                try:
                    header = await reader.readexactly(6)
                except asyncio.IncompleteReadError:
                    break
                pdu_type, _, length = struct.unpack(">BBI", header)
                record.append((pdu_type, length))
                writer.write(header)
                left = length
                while left:
                    chunk = await reader.read(min(left, CHUNK))
                    if not chunk:
                        return
                    left -= len(chunk)
                    writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


def nodelay(transport: asyncio.BaseTransport) -> int:
    """TCP_NODELAY of a transport's socket (asyncio sets it on TCP transports; under TLS
    the socket is the TCP one beneath)."""
    sock = transport.get_extra_info("socket")
    value: int = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    return value


# --- running a scenario --------------------------------------------------------------

_T = TypeVar("_T")

SCENARIO_TIMEOUT: Final = 60.0
"""Every scenario is bounded: a hang fails the test, not the run."""


# --- clients run from within the event loop --------------------------------------------


async def run_process(*args: str, timeout: float = 60.0) -> tuple[int, str]:
    """Run a client to completion without blocking the loop (a server of ours answers it
    on the same loop), bounded in time: (its exit status, its output)."""
    process = await asyncio.create_subprocess_exec(
        *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


def storescu_into(
    storescu: str, handlers: aio.Handlers, files: Iterable[Path], *options: str, **serve: Any
) -> tuple[int, str]:
    """DCMTK's ``storescu`` (``options`` before the address) sending ``files`` to a
    ``serve`` of ``handlers`` (and ``serve``'s other arguments) on 127.0.0.1, bounded in
    time: (its exit status, its output)."""

    async def scenario() -> tuple[int, str]:
        async with await aio.serve("127.0.0.1", 0, handlers=handlers, **serve) as server:
            port = str(server.address[1])
            result = await run_process(
                storescu, "-R", *options, "127.0.0.1", port, *map(str, files)
            )
            await server.wait_served(1)
            return result

    return run_bounded(scenario())


def storescu_traced(
    storescu: str,
    handlers: aio.Handlers,
    files: Iterable[Path],
    *options: str,
    ssl: SSLContext | None = None,
) -> tuple[int, str, int]:
    """:func:`storescu_into`, and the peak of the Python memory allocated meanwhile, as
    tracemalloc saw it."""
    tracemalloc.start()
    try:
        status, output = storescu_into(storescu, handlers, files, *options, ssl=ssl)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return status, output, peak
