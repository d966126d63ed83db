"""dimsekit.aio (issue 17): what connect, serve and the handlers give and take.

Type-checked, never executed.
"""

from __future__ import annotations

from pathlib import Path
from typing import assert_type

from pydicom.dataset import Dataset

from dimsekit import CEchoResponse, CFindRequest, CFindResponse, CStoreResponse, Status, aio


async def client(image: Dataset, path: Path) -> None:
    async with aio.connect("127.0.0.1", 11112, "STORESCP", "ME") as association:
        assert_type(association, aio.ClientAssociation)
        assert_type(await association.echo(), CEchoResponse)
        assert_type(await association.store(image), CStoreResponse)
        assert_type(await association.store(path), CStoreResponse)
        assert_type(await association.store(str(path), check=True), CStoreResponse)
        assert_type(await association.store(aio.read_part10(path)), CStoreResponse)
        found = await association.invoke(
            1,
            lambda message_id: CFindRequest(
                message_id=message_id, affected_sop_class_uid="1.2", identifier=b""
            ),
        )
        assert_type(found, CFindResponse)
        await association.release()
    assert_type(await aio.connect("127.0.0.1", 11112), aio.ClientAssociation)
    await association.store(b"bytes")  # type: ignore[arg-type]
    await association.echo(True)  # type: ignore[call-arg]
    aio.connect("127.0.0.1", "11112")  # type: ignore[arg-type]


async def echo(event: aio.EchoRequested) -> int:
    return 0


async def store(event: aio.StoreRequested) -> Status:
    assert_type(event.target, aio.StoreTarget | None)
    assert_type(event.peer.calling_ae_title, str)
    return Status(0)


async def wrong(event: aio.StoreRequested) -> str:
    return "0"


async def server(folder: Path) -> None:
    server = await aio.serve("127.0.0.1", 0, "STORESCP", aio.Handlers(echo=echo, store=store))
    assert_type(server, aio.Server)
    assert_type(server.address, tuple[str, int])
    assert_type(server.associations, tuple[aio.ServerAssociation, ...])
    aio.Handlers(store=aio.StoreToDirectory(folder, duplicates=aio.DuplicatePolicy.REFUSE))
    aio.Handlers(store=wrong)  # type: ignore[arg-type]
    aio.Handlers(echo=store)  # type: ignore[arg-type]
    async with server:
        await server.wait_served(1)
