"""``dimsekit echo``, ``store`` and ``serve``: ``main([...])`` run in-process against a
dimsekit.aio server in a thread of its own (or a raw socket that aborts), and ``serve``
run as a user runs it, in a subprocess bounded in time and killed in the end."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydicom import dcmread

from dimsekit import aio
from dimsekit.cli import main
from dimsekit.cli._network import TlsFiles

from .helpers import Certificates, ThreadServer, make_certificates, openssl

REPOSITORY = Path(__file__).resolve().parent.parent
INSTANCES = REPOSITORY / "examples" / "instances"
IMPLICIT = "1.2.840.10008.1.2"
CT = "1.2.840.10008.5.1.4.1.1.2"
EXPLICIT = "1.2.840.10008.1.2.1"
RLE = "1.2.840.10008.1.2.5"
TIMEOUT = 30.0
SUMMARY = re.compile(
    r"^(\d+) of (\d+) files sent(?: \((\d+) with a warning\))?, (\d+) failed, (\d+) bytes "
    r"\([\d.]+ (?:B|KiB|MiB)\) in [\d.]+ s, [\d.]+ (?:B|KiB|MiB|GiB)/s$",
    re.MULTILINE,
)
A_ABORT_BY_PROVIDER = bytes([7, 0, 0, 0, 0, 4, 0, 0, 2, 1])
"""An A-ABORT PDU (PS3.8 9.3.8): source service provider, reason unrecognized PDU."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def aborting_peer() -> Iterator[int]:
    """A TCP server that answers the first A-ASSOCIATE-RQ with an A-ABORT."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT)

    def run() -> None:
        with contextlib.suppress(OSError):
            connection, _ = listener.accept()
            with connection:
                connection.settimeout(TIMEOUT)
                connection.recv(65536)
                connection.sendall(A_ABORT_BY_PROVIDER)
                connection.recv(65536)  # until the client closes

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()
        thread.join(TIMEOUT)


@contextlib.contextmanager
def closing_peer() -> Iterator[int]:
    """A TCP server that closes each connection as soon as it accepts it."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(TIMEOUT)

    def run() -> None:
        with contextlib.suppress(OSError):
            connection, _ = listener.accept()
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()
        thread.join(TIMEOUT)


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@contextlib.contextmanager
def serve_process(*arguments: str) -> Iterator[subprocess.Popen[str]]:
    """``dimsekit serve`` in a subprocess, killed in the end if it has not exited."""
    process = subprocess.Popen(
        [sys.executable, "-m", "dimsekit", "serve", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=TIMEOUT)


def listening_port(process: subprocess.Popen[str]) -> int:
    """The port the ``serve`` subprocess says it listens on (its first line)."""
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
    assert found, line
    return int(found.group(1))


def copy_instances(directory: Path) -> list[Path]:
    """The bundled instances in ``directory``, one in a subdirectory, and a text file."""
    (directory / "deeper").mkdir(parents=True)
    paths = [
        Path(shutil.copy(INSTANCES / "01-CT.dcm", directory)),
        Path(shutil.copy(INSTANCES / "02-MR.dcm", directory)),
        Path(shutil.copy(INSTANCES / "03-OT.dcm", directory / "deeper")),
    ]
    (directory / "deeper" / "notes.txt").write_text("not DICOM\n")
    return paths


def uids(paths: list[Path]) -> set[str]:
    return {aio.read_part10(str(path)).sop_instance_uid for path in paths}


# --- echo -------------------------------------------------------------------------------------


def test_echo_prints_each_status_and_exits_0(
    server: ThreadServer, capsys: pytest.CaptureFixture[str]
) -> None:
    port = server.start()
    assert main(["echo", "-r", "2", "127.0.0.1", str(port)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "C-ECHO 1: status 0x0000 (success): Success",
        "C-ECHO 2: status 0x0000 (success): Success",
    ]
    assert err == ""
    assert len(server.echoes) == 2


def test_echo_takes_dcmtk_spellings(server: ThreadServer) -> None:
    port = server.start(ae_title="STORESCP")
    argv = ["echo", "-aet", "MINE", "-aec", "STORESCP", "-pdu", "32768", "-to", "5"]
    assert main([*argv, "-ta", "5", "-td", "5", "-xi", "127.0.0.1", str(port)]) == 0
    (echo,) = server.echoes
    assert echo.peer.calling_ae_title == "MINE"
    assert echo.peer.called_ae_title == "STORESCP"
    assert echo.context.transfer_syntax == IMPLICIT


def test_propose_ts_takes_names_and_uids_in_order(server: ThreadServer) -> None:
    port = server.start(syntaxes=(EXPLICIT, IMPLICIT))
    assert main(["echo", "--propose-ts", f"{IMPLICIT}", "127.0.0.1", str(port)]) == 0
    assert main(["echo", "--propose-ts", "big,explicit", "127.0.0.1", str(port)]) == 0
    assert [echo.context.transfer_syntax for echo in server.echoes] == [IMPLICIT, EXPLICIT]


@pytest.mark.parametrize("given", ["bogus", CT])
def test_propose_ts_refuses_what_is_no_transfer_syntax(
    given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["echo", "--propose-ts", f"explicit,{given}", "127.0.0.1", "11112"])
    assert exited.value.code == 2
    assert f"argument --propose-ts: {given!r} is no transfer syntax" in capsys.readouterr().err


def test_echo_of_a_failure_status_exits_1(
    server: ThreadServer, capsys: pytest.CaptureFixture[str]
) -> None:
    port = server.start(echo_status=0x0110)
    assert main(["echo", "127.0.0.1", str(port)]) == 1
    assert capsys.readouterr().out.startswith("C-ECHO 1: status 0x0110 (failure): ")


def test_a_refused_connection_exits_2_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["echo", "127.0.0.1", str(free_port())]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("dimsekit echo: cannot connect to 127.0.0.1:")


def test_a_rejection_exits_2_saying_why(
    server: ThreadServer, capsys: pytest.CaptureFixture[str]
) -> None:
    port = server.start(ae_title="RIGHT")
    assert main(["echo", "--called-ae", "WRONG", "127.0.0.1", str(port)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "dimsekit echo: the association was rejected: rejected permanent, source service "
        "user, called ae title not recognized\n"
    )


def test_an_abort_exits_2_with_source_and_reason(capsys: pytest.CaptureFixture[str]) -> None:
    with aborting_peer() as port:
        assert main(["echo", "127.0.0.1", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("dimsekit echo: the association was aborted by the peer")
    assert "source 2 (service provider), reason 1 (UNRECOGNIZED_PDU)" in err


def test_a_peer_closing_at_once_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    # whether the close comes before the A-ASSOCIATE-RQ is sent or after, no hang
    with closing_peer() as port:
        assert main(["echo", "-ta", "5", "127.0.0.1", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "the transport connection closed" in err


# --- store ------------------------------------------------------------------------------------


def test_store_of_a_directory_sends_every_dicom_file_and_sums_up(
    server: ThreadServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = copy_instances(tmp_path / "in")
    port = server.start()
    assert main(["store", "127.0.0.1", str(port), str(tmp_path / "in")]) == 0
    out, err = capsys.readouterr()
    assert {event.request.affected_sop_instance_uid for event in server.stores} == uids(paths)
    summary = SUMMARY.fullmatch(out.strip())
    assert summary, out
    sent, total, warned, failed, sent_bytes = summary.groups()
    assert (sent, total, warned, failed) == ("3", "3", None, "0")
    assert int(sent_bytes) == sum(aio.read_part10(str(path)).data_set_length for path in paths)
    # the text file skipped with a warning; no progress off a terminal
    assert err == (
        f"dimsekit store: skipping {tmp_path / 'in' / 'deeper' / 'notes.txt'}: offset 128: "
        'not a DICOM Part 10 file: no "DICM" after a 128-byte preamble (PS3.10 7.1)\n'
    )


@pytest.mark.parametrize("name", ["01-CT.dcm", "03-OT.dcm"])
def test_store_sends_a_file_as_it_is_in_its_own_transfer_syntax(
    server: ThreadServer, name: str
) -> None:
    port = server.start()
    assert main(["store", "-xi", "127.0.0.1", str(port), str(INSTANCES / name)]) == 0
    (event,) = server.stores
    instance = aio.read_part10(INSTANCES / name)
    assert event.context.transfer_syntax == instance.transfer_syntax
    assert event.request.data_set is not None
    on_disk = (INSTANCES / name).read_bytes()[instance.data_set_offset :]
    assert event.request.data_set.to_bytes() == on_disk


def test_store_re_encodes_an_uncompressed_file_the_peer_takes_in_another_syntax(
    server: ThreadServer,
) -> None:
    port = server.start(syntaxes=(IMPLICIT,))
    assert main(["store", "127.0.0.1", str(port), str(INSTANCES / "01-CT.dcm")]) == 0
    (event,) = server.stores
    assert event.context.transfer_syntax == IMPLICIT
    assert event.request.data_set is not None
    received = event.request.data_set.to_dataset(IMPLICIT)
    sent = dcmread(INSTANCES / "01-CT.dcm")
    assert received.PixelData == sent.PixelData
    assert received.PatientName == sent.PatientName


def test_store_of_a_file_in_a_syntax_not_accepted_fails_it_and_exits_1(
    server: ThreadServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rle = tmp_path / "rle.dcm"
    rle.write_bytes(
        aio.file_meta_information(CT, "1.2.3.4", RLE) + b"\x08\x00\x16\x00UI\x02\x001\x00"
    )
    port = server.start()
    argv = ["store", "127.0.0.1", str(port), str(rle), str(INSTANCES / "01-CT.dcm")]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    summary = SUMMARY.fullmatch(out.strip())
    assert summary, out
    assert summary.group(1, 2, 4) == ("1", "2", "1")
    assert err.startswith(f"dimsekit store: {rle}: not sent: no usable presentation context")
    assert len(server.stores) == 1


def test_store_of_a_failure_status_exits_1(
    server: ThreadServer, capsys: pytest.CaptureFixture[str]
) -> None:
    async def refuse(event: aio.StoreRequested) -> int:
        return 0xA700

    port = server.start(store=refuse)
    assert main(["store", "127.0.0.1", str(port), str(INSTANCES)]) == 1
    out, err = capsys.readouterr()
    summary = SUMMARY.fullmatch(out.strip())
    assert summary, out
    assert summary.group(1, 2, 4) == ("0", "3", "3")
    assert err.count("status 0xA700 (failure)") == 3


def test_store_of_a_warning_status_exits_0(
    server: ThreadServer, capsys: pytest.CaptureFixture[str]
) -> None:
    async def coerce(event: aio.StoreRequested) -> int:
        return 0xB000

    port = server.start(store=coerce)
    assert main(["store", "127.0.0.1", str(port), str(INSTANCES)]) == 0
    out, err = capsys.readouterr()
    summary = SUMMARY.fullmatch(out.strip())
    assert summary, out
    assert summary.group(1, 2, 3, 4) == ("3", "3", "3", "0")
    assert err.count("status 0xB000 (warning)") == 3


def test_store_aborted_at_once_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with aborting_peer() as port:
        assert main(["store", "127.0.0.1", str(port), str(INSTANCES)]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no association: nothing to sum up
    assert err.count("\n") == 1
    assert (
        "aborted by the peer: the peer sent an A-ABORT in Sta5, "
        "source 2 (service provider), reason 1 (UNRECOGNIZED_PDU)" in err
    )


def test_store_aborted_midway_sums_up_then_exits_2(
    server: ThreadServer, capsys: pytest.CaptureFixture[str]
) -> None:
    async def abort_the_second(event: aio.StoreRequested) -> int:
        server.stores.append(event)
        if len(server.stores) == 2:
            assert server.server is not None
            server.server.abort_all()
            await asyncio.sleep(TIMEOUT)  # cancelled by the abort
        return 0

    port = server.start(store=abort_the_second)
    assert main(["store", "127.0.0.1", str(port), str(INSTANCES)]) == 2
    out, err = capsys.readouterr()
    summary = SUMMARY.fullmatch(out.strip())
    assert summary, out
    assert summary.group(1, 2, 4) == ("1", "3", "0")
    assert err.count("\n") == 1
    assert err.startswith(
        "dimsekit store: the association was aborted by the peer: "
        "the peer sent an A-ABORT in Sta6, source 0 (service user)"
    )


def test_store_with_no_dicom_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("not DICOM\n")
    assert main(["store", "127.0.0.1", str(free_port()), str(tmp_path)]) == 2
    assert capsys.readouterr().err.endswith("dimsekit store: no DICOM files to send\n")


def test_store_async_has_that_many_outstanding(server: ThreadServer) -> None:
    # each handler waits for the three C-STORE-RQs to be outstanding at once: only with
    # --async 3 do they all arrive before one is answered
    arrived: list[aio.StoreRequested] = []
    all_there = asyncio.Event()

    async def gather(event: aio.StoreRequested) -> int:
        arrived.append(event)
        if len(arrived) == 3:
            all_there.set()
        try:
            await asyncio.wait_for(all_there.wait(), 2.0)
        except TimeoutError:
            return 0xA700
        return 0

    port = server.start(store=gather)
    assert main(["store", "--async", "3", "127.0.0.1", str(port), str(INSTANCES)]) == 0
    assert len(arrived) == 3


def test_store_shows_progress_on_a_terminal_only(
    server: ThreadServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = server.start()
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["store", "127.0.0.1", str(port), str(INSTANCES)]) == 0
    shown = terminal.getvalue()
    assert shown.startswith("\r\x1b[K0/3 files, 0 B, ")
    assert "\r\x1b[K3/3 files, 7.5 KiB, " in shown
    assert shown.endswith("\r\x1b[K")  # erased: the summary follows on stdout
    monkeypatch.undo()
    assert SUMMARY.fullmatch(capsys.readouterr().out.strip())
    assert main(["store", "127.0.0.1", str(port), str(INSTANCES)]) == 0
    assert capsys.readouterr().err == ""


# --- serve ------------------------------------------------------------------------------------


def test_serve_once_keeps_the_instances_and_exits_after_one_association(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = copy_instances(tmp_path / "in")
    received = tmp_path / "received"
    with serve_process("0", "--once", "--store-dir", str(received)) as process:
        port = listening_port(process)
        assert main(["store", "127.0.0.1", str(port), str(tmp_path / "in")]) == 0
        out, err = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0, err
    assert err == ""
    lines = out.splitlines()
    assert len([line for line in lines if "association DIMSEKIT -> ANY-SCP: accepted" in line]) == 1
    assert len([line for line in lines if "CStoreRequest Message ID" in line]) == 3
    assert lines[-1].endswith("stopped after 1 association")
    assert {path.stem for path in received.iterdir()} == uids(paths)
    for path in paths:
        kept = dcmread(received / f"{aio.read_part10(str(path)).sop_instance_uid}.dcm")
        assert kept.PixelData == dcmread(path).PixelData


def test_serve_answers_to_its_ae_title_only(capsys: pytest.CaptureFixture[str]) -> None:
    with serve_process("0", "--once", "-aet", "RIGHT") as process:
        port = listening_port(process)
        assert main(["echo", "-aec", "WRONG", "127.0.0.1", str(port)]) == 2
        out, _ = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0
    assert "association DIMSEKIT -> WRONG: rejected (rejected permanent" in out


def test_store_retries_a_refused_connection_until_serve_listens(tmp_path: Path) -> None:
    # the quick start's way: serve started, and store run at once, before it listens
    port = free_port()
    with serve_process(str(port), "--once", "--store-dir", str(tmp_path)) as process:
        started = time.monotonic()
        assert main(["store", "--connect-retry", "20", "127.0.0.1", str(port), str(INSTANCES)]) == 0
        assert time.monotonic() - started < 20
        process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0
    assert len(list(tmp_path.iterdir())) == 3


def test_serve_ends_cleanly_on_ctrl_c() -> None:
    with serve_process("0") as process:
        port = listening_port(process)
        assert main(["echo", "127.0.0.1", str(port)]) == 0
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0
    assert err == ""
    assert out.splitlines()[-1].endswith("stopped after 1 association")


def test_serve_on_a_port_in_use_exits_2() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with serve_process(str(port)) as process:
            _, err = process.communicate(timeout=TIMEOUT)
            assert process.returncode == 2
    assert err.startswith(f"dimsekit serve: cannot listen on 127.0.0.1:{port}: ")
    assert err.count("\n") == 1


# --- TLS --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A CA and the server's and a client's certificates it signed (tests/helpers.py)."""
    if openssl() is None:
        pytest.skip("the openssl command line is not installed (apt-get install openssl)")
    return make_certificates(tmp_path_factory.mktemp("tls"))


def test_echo_over_tls_checks_the_server_against_tls_ca(
    server: ThreadServer, certificates: Certificates, capsys: pytest.CaptureFixture[str]
) -> None:
    made = certificates
    tls = TlsFiles(cert=str(made.server_cert), key=str(made.server_key))
    port = server.start(ssl=tls.server_context())
    assert main(["echo", "--tls-ca", str(made.ca), "127.0.0.1", str(port)]) == 0
    assert capsys.readouterr().out.startswith("C-ECHO 1: status 0x0000 (success)")
    # the system's authorities do not know it: no association
    assert main(["echo", "--tls", "127.0.0.1", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "certificate verify failed" in err


def test_store_over_tls_sends_our_certificate_given_as_dcmtk_does(
    server: ThreadServer, certificates: Certificates
) -> None:
    made = certificates
    ca, key, cert = str(made.ca), str(made.client_key), str(made.client_cert)
    tls = TlsFiles(cert=str(made.server_cert), key=str(made.server_key), ca=ca)
    port = server.start(ssl=tls.server_context())
    argv = ["store", "+tls", key, cert, "--tls-ca", ca, "127.0.0.1", str(port)]
    assert main([*argv, str(INSTANCES)]) == 0
    assert len(server.stores) == 3
    # without a certificate of ours, the server (requiring one) lets no association begin
    assert main(["store", "--tls-ca", ca, "127.0.0.1", str(port), str(INSTANCES)]) == 2
    assert len(server.stores) == 3


def test_serve_over_tls(certificates: Certificates) -> None:
    made = certificates
    with serve_process(
        "0", "--once", "+tls", str(made.server_key), str(made.server_cert)
    ) as process:
        port = listening_port(process)
        assert main(["echo", "--tls-ca", str(made.ca), "127.0.0.1", str(port)]) == 0
        out, _ = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0
    assert "CEchoRequest Message ID 1" in out


# --- timeouts and duplicates ------------------------------------------------------------------


def test_a_response_later_than_the_dimse_timeout_ends_the_store_with_2(
    server: ThreadServer, capsys: pytest.CaptureFixture[str]
) -> None:
    async def slow(event: aio.StoreRequested) -> int:
        await asyncio.sleep(TIMEOUT)
        return 0

    port = server.start(store=slow)
    started = time.monotonic()
    assert main(["store", "-td", "0.3", "127.0.0.1", str(port), str(INSTANCES)]) == 2
    assert time.monotonic() - started < TIMEOUT
    out, err = capsys.readouterr()
    summary = SUMMARY.fullmatch(out.strip())
    assert summary, out
    assert summary.group(1, 2) == ("0", "3")
    assert err.count("\n") == 1
    assert err.startswith("dimsekit store: ")


def test_serve_refuses_a_duplicate_when_told(tmp_path: Path) -> None:
    with serve_process("0", "--store-dir", str(tmp_path), "--duplicates", "refuse") as process:
        port = listening_port(process)
        assert main(["store", "127.0.0.1", str(port), str(INSTANCES / "01-CT.dcm")]) == 0
        assert main(["store", "127.0.0.1", str(port), str(INSTANCES / "01-CT.dcm")]) == 1
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0
    assert len(list(tmp_path.iterdir())) == 1
    assert ": 0x0111 " in out
