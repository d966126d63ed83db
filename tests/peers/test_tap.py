"""The tap itself: bad clients end their own connection only, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dimsekit as dk

from .conftest import Processes, Tap, assert_dimsekit_understood, dcmtk, free_port, run_client
from .test_dcmtk import start_storescp


def _echo(tap: Tap) -> None:
    result = run_client(dcmtk("echoscu"), "127.0.0.1", str(tap.port))
    assert result.returncode == 0, result.stderr


def test_garbage_and_dropped_connections_end_only_themselves(
    processes: Processes, tap_factory: Any, tmp_path: Path
) -> None:
    tap: Tap = tap_factory(start_storescp(processes, tmp_path / "received"))
    # a client that sends garbage: its connection is closed, with a report
    with socket.create_connection(("127.0.0.1", tap.port), timeout=5) as garbage:
        garbage.sendall(b"\x09\x00\x00\x00\x00\x04GARBAGE!")
        garbage.settimeout(5)
        assert garbage.recv(100) in (b"", bytes([7, 0, 0, 0, 0, 4, 0, 0, 2, 0]))
    # a client that stops in the middle of a message (a P-DATA-TF cut short)
    half = b"".join(next(iter(dk.fragment_message(dk.CEchoRequest(message_id=1), 1, 0))))
    with socket.create_connection(("127.0.0.1", tap.port), timeout=5) as dropped:
        dropped.sendall(half[: len(half) // 2])
    # the tap goes on serving the next clients (storescp serves one at a time)
    _echo(tap)
    _echo(tap)
    records = tap.records()
    errors = [r for r in records if r.get("kind") == "error"]
    assert errors and "unknown PDU type 0x09" in errors[0]["reason"]
    messages = tap.messages()
    assert [r["name"] for r in messages] == ["C-ECHO-RQ", "C-ECHO-RSP"] * 2
    assert_dimsekit_understood(messages)
    log = (tmp_path / "logs").glob("tap*.log")
    text = "".join(path.read_text() for path in log)
    assert "framing error" in text and "closed mid-message" in text


@contextlib.contextmanager
def tap_process(upstream: str) -> Iterator[tuple[subprocess.Popen[bytes], socket.socket]]:
    """``dimsekit tap`` in its own process, and a client connected to it."""
    port = free_port()
    tap = subprocess.Popen(
        [sys.executable, "-m", "dimsekit", "tap", "--listen", f"127.0.0.1:{port}",
         "--upstream", upstream],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                client = socket.create_connection(("127.0.0.1", port), 0.2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        with client:
            yield tap, client
    finally:
        if tap.poll() is None:
            tap.kill()


def test_ctrl_c_stops_the_tap_cleanly() -> None:
    with tap_process("127.0.0.1:9") as (tap, client):
        client.close()
        tap.send_signal(signal.SIGINT)
        _, stderr = tap.communicate(timeout=15)
    assert tap.returncode == 0
    assert b"tap stopped" in stderr
    assert b"Traceback" not in stderr


@pytest.mark.parametrize(
    ("signal_number", "said"), [(signal.SIGINT, ["tap stopped"]), (signal.SIGTERM, [])]
)
def test_a_signal_with_a_connection_open_stops_the_tap_cleanly(
    signal_number: int, said: list[str]
) -> None:
    # The connection's task is alive (both pumps waiting) when the signal ends the tap:
    # it is cancelled, not waited for, and nothing is reported about it.
    with socket.create_server(("127.0.0.1", 0)) as upstream:
        upstream.settimeout(10)
        with (
            tap_process(f"127.0.0.1:{upstream.getsockname()[1]}") as (tap, _),
            upstream.accept()[0],  # the tap has connected upstream
        ):
            time.sleep(0.2)  # and its pumps wait for bytes
            tap.send_signal(signal_number)
            stdout, stderr = tap.communicate(timeout=15)
    assert tap.returncode == 0
    assert b"connection from" in stdout and b"#1 closed: 0 messages" in stdout
    assert stderr.decode().strip().splitlines() == said


def test_many_associations_at_once(processes: Processes, tap_factory: Any, tmp_path: Path) -> None:
    tap: Tap = tap_factory(start_storescp(processes, tmp_path / "received", "--fork"))
    clients = [
        subprocess.Popen([dcmtk("echoscu"), "--repeat", "5", "127.0.0.1", str(tap.port)])
        for _ in range(4)
    ]
    assert [client.wait(60) for client in clients] == [0, 0, 0, 0]
    messages = tap.messages()
    assert len(messages) == 4 * 5 * 2
    assert len({record["association"] for record in messages}) == 4
    assert_dimsekit_understood(messages)
