"""TLS (PS3.15 B.1, the Basic TLS Secure Transport Connection Profile) both ways with
DCMTK (``+tls``): dimsekit's client against storescp, and DCMTK's echoscu and storescu
against dimsekit's server.  The certificates are made by the tests with the ``openssl``
command line (``make_certificates`` of tests/helpers.py): a CA, a server certificate with the
subject alternative name IP:127.0.0.1, and a client certificate, each side requiring
and verifying the other's (DCMTK's default, ``--require-peer-cert``).
"""

from __future__ import annotations

import ssl
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydicom.uid import ExplicitVRLittleEndian

import dimsekit as dk
from dimsekit import aio

from ..helpers import Certificates, run_bounded
from .aio_support import (
    Keeper,
    Part10,
    assert_received_as_sent,
    encoded,
    instances_in,
    nodelay,
    run_process,
    storescu_traced,
    write_files,
)
from .conftest import dcmtk
from .instances import SOP_CLASSES


def dcmtk_tls(key: Path, cert: Path, ca: Path) -> list[str]:
    """DCMTK's TLS options: our key and certificate (PEM, no password), the CA trusted."""
    return ["+tls", str(key), str(cert), "-pw", "+cf", str(ca)]


def client_context(certificates: Certificates, *, trust: bool = True) -> ssl.SSLContext:
    """A client's context: the host name checked (against the IP SAN), the CA trusted
    (or not), the client certificate offered."""
    context = ssl.create_default_context(cafile=str(certificates.ca) if trust else None)
    context.load_cert_chain(certificates.client_cert, certificates.client_key)
    return context


def server_context(certificates: Certificates) -> ssl.SSLContext:
    """A server's context: its certificate, a client certificate required and verified."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.server_cert, certificates.server_key)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cafile=str(certificates.ca))
    return context


def common_name(certificate: dict[str, Any]) -> str:
    """The commonName of a certificate's subject as ``getpeercert()`` gives it."""
    names = {key: value for rdn in certificate["subject"] for key, value in rdn}
    return str(names["commonName"])


def test_dimsekit_client_to_storescp(
    certificates: Certificates, storescp: Callable[..., int], tmp_path: Path
) -> None:
    """Echo and three stores over TLS; the server's certificate verified (its IP SAN
    matched), the data sets stored byte for byte, TCP_NODELAY under TLS too."""
    directory = tmp_path / "in"
    tls = dcmtk_tls(certificates.server_key, certificates.server_cert, certificates.ca)
    port = storescp(directory, "+B", *tls)
    sent = instances_in(ExplicitVRLittleEndian)
    contexts: list[dk.ProposedContext | str] = [dk.VERIFICATION_SOP_CLASS, *SOP_CLASSES.values()]

    async def scenario() -> tuple[int, str, int]:
        async with aio.connect(
            "127.0.0.1", port, contexts=contexts, ssl=client_context(certificates)
        ) as association:
            echo = await association.echo(check=True)
            for dataset in sent:
                await association.store(dataset, check=True)
            transport = association.transport
            peer = transport.get_extra_info("peercert")
            return int(echo.status), common_name(peer), nodelay(transport)

    status, server_name, tcp_nodelay = run_bounded(scenario())
    assert (status, server_name) == (0x0000, "server")
    assert tcp_nodelay != 0
    files = {part10.sop_instance_uid: part10 for part10 in map(Part10.read, directory.iterdir())}
    assert set(files) == {dataset.SOPInstanceUID for dataset in sent}
    for dataset in sent:
        stored = files[dataset.SOPInstanceUID]
        assert stored.data_set() == encoded(dataset, stored.transfer_syntax)


@pytest.mark.parametrize(
    ("trust", "server_hostname", "why"),
    [
        (False, None, "certificate verify failed"),
        (True, "localhost", "IP address mismatch|Hostname mismatch"),
    ],
    ids=["CA not trusted", "name not in the certificate"],
)
def test_dimsekit_client_refuses_a_server_it_cannot_verify(
    certificates: Certificates,
    storescp: Callable[..., int],
    tmp_path: Path,
    trust: bool,
    server_hostname: str | None,
    why: str,
) -> None:
    """Without the CA, or checking a name the certificate does not hold (its only name
    is IP:127.0.0.1), the connection fails: an AssociationError that says why."""
    tls = dcmtk_tls(certificates.server_key, certificates.server_cert, certificates.ca)
    port = storescp(tmp_path / "in", *tls)

    async def scenario() -> None:
        async with aio.connect(
            "127.0.0.1",
            port,
            ssl=client_context(certificates, trust=trust),
            server_hostname=server_hostname,
        ):
            pass

    with pytest.raises(aio.AssociationError, match=why):
        run_bounded(scenario())


def test_echoscu_and_storescu_to_serve(certificates: Certificates, tmp_path: Path) -> None:
    """echoscu and storescu over TLS against ``serve(ssl=...)``, which requires their
    client certificate: answered, every data set received byte for byte, the client's
    certificate seen by the server, TCP_NODELAY on the server's socket."""
    files = write_files(tmp_path / "sent", ExplicitVRLittleEndian)
    keeper = Keeper()
    seen: list[tuple[str, int]] = []
    servers: list[aio.Server] = []

    async def echo(event: aio.EchoRequested) -> int:
        (association,) = [
            association
            for association in servers[0].associations
            if association.peer.association_id == event.peer.association_id
        ]
        transport = association.transport
        seen.append((common_name(transport.get_extra_info("peercert")), nodelay(transport)))
        return 0x0000

    tls = dcmtk_tls(certificates.client_key, certificates.client_cert, certificates.ca)

    async def scenario() -> list[tuple[int, str]]:
        async with await aio.serve(
            "127.0.0.1",
            0,
            handlers=aio.Handlers(echo=echo, store=keeper),
            ssl=server_context(certificates),
        ) as server:
            servers.append(server)
            port = str(server.address[1])
            echoed = await run_process(dcmtk("echoscu"), "-v", *tls, "127.0.0.1", port)
            stored = await run_process(
                dcmtk("storescu"), "-R", *tls, "127.0.0.1", port,
                *(str(part10.path) for part10 in files),
            )  # fmt: skip
            await server.wait_served(2)
            return [echoed, stored]

    (echo_status, echo_output), (store_status, store_output) = run_bounded(scenario())
    assert echo_status == 0, echo_output
    assert "Received Echo Response (Success)" in echo_output
    assert store_status == 0, store_output
    ((client_name, tcp_nodelay),) = seen
    assert client_name == "client"
    assert tcp_nodelay != 0
    assert_received_as_sent(keeper, files, "STORESCU")


def test_dimsekit_client_stores_200_mib_to_storescp(
    certificates: Certificates,
    storescp: Callable[..., int],
    tmp_path: Path,
    large_instance: Part10,
) -> None:
    """The 200 MiB file over TLS: sent from disk under the TLS transport's flow control
    (the Python memory allocated meanwhile stays under 16 MiB), stored equal (SHA-256)."""
    directory = tmp_path / "in"
    tls = dcmtk_tls(certificates.server_key, certificates.server_cert, certificates.ca)
    port = storescp(directory, "+B", *tls)
    contexts = [
        dk.ProposedContext(
            abstract_syntax=large_instance.sop_class_uid,
            transfer_syntaxes=[large_instance.transfer_syntax],
        )
    ]

    async def scenario() -> int:
        async with aio.connect(
            "127.0.0.1", port, contexts=contexts, ssl=client_context(certificates)
        ) as association:
            return int((await association.store(large_instance.path, check=True)).status)

    tracemalloc.start()
    try:
        status = run_bounded(scenario())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 0x0000
    assert peak < 16 << 20, f"{peak} bytes allocated at the peak"
    (path,) = directory.iterdir()
    assert Part10.read(path).digest() == large_instance.digest()


def test_storescu_200_mib_to_serve(
    certificates: Certificates, tmp_path: Path, large_instance: Part10
) -> None:
    """storescu sends the 200 MiB file over TLS into StoreToDirectory: streamed to its
    file (the Python memory allocated meanwhile stays under 16 MiB), equal (SHA-256)."""
    directory = tmp_path / "stored"
    handlers = aio.Handlers(store=aio.StoreToDirectory(directory))
    tls = dcmtk_tls(certificates.client_key, certificates.client_cert, certificates.ca)
    status, output, peak = storescu_traced(
        dcmtk("storescu"), handlers, [large_instance.path], *tls, ssl=server_context(certificates)
    )
    assert status == 0, output
    assert peak < 16 << 20, f"{peak} bytes allocated at the peak"
    (path,) = directory.iterdir()
    assert Part10.read(path).digest() == large_instance.digest()
