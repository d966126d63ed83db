"""The tap's pump (cli/_tap.py) without sockets: what it forwards with ``--reencode`` as a
message's fragments arrive, and what it reports only where someone will see it."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import cast
from unittest import mock

import pydicom
from pydicom.dataset import Dataset

import dimsekit as dk
from dimsekit.cli import _tap
from dimsekit.cli._decode import SUMMARY_PREFIX

from .helpers import CT, INSTANCE, joined, pdu_stream, store


class Writer:
    """What a pump writes, joined."""

    def __init__(self) -> None:
        self.written = bytearray()

    def write(self, data: bytes | memoryview) -> None:
        self.written += data

    def writelines(self, parts: object) -> None:
        for part in parts:  # type: ignore[attr-defined]
            self.written += part


def pump(tmp_path: Path, **options: object) -> tuple[_tap._Pump, io.StringIO]:
    out = io.StringIO()
    tap = _tap.TapOptions(("127.0.0.1", 0), ("127.0.0.1", 1), **options)  # type: ignore[arg-type]
    reporter = _tap._Reporter(tap, out)
    return _tap._Pump("client->server", _tap._Association(1), tap, reporter, None), out


def run(pumped: _tap._Pump, stream: bytes, step: int, kept: list[int] | None = None) -> bytes:
    """Feed ``stream`` ``step`` bytes at a time, handling each event as the pump does (and
    noting in ``kept`` how many data set bytes it keeps after each)."""
    writer = Writer()
    for start in range(0, len(stream), step):
        for event in pumped.assembler.feed(stream[start : start + step]):
            pumped._handle(event, cast(asyncio.WriteTransport, writer))
            if kept is not None:
                kept.append(len(pumped.leading))
    pumped.reporter.close()
    return bytes(writer.written)


def _instance(size: int) -> bytes:
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.PatientID = CT, INSTANCE, "PAT1"
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, implicit_vr=False, little_endian=True)
    head = buffer.getvalue()
    pixels = size - len(head) - 12
    return head + b"\xe0\x7f\x10\x00OW\x00\x00" + pixels.to_bytes(4, "little") + bytes(pixels)


def test_quiet_without_a_record_builds_no_report(tmp_path: Path) -> None:
    stream = pdu_stream(store(_instance(100_000)), dk.CEchoRequest(message_id=2), max_pdu=16_384)
    pumped, out = pump(tmp_path, quiet=True)
    with (
        mock.patch.object(_tap, "message_record") as record,
        mock.patch.object(_tap, "data_set_record") as data_set,
        mock.patch.object(_tap, "encode_command") as encode,
    ):
        assert run(pumped, stream, 5000) == b""  # forwarding the bytes is run()'s part
    assert not record.called and not data_set.called and not encode.called
    assert out.getvalue() == "" and not pumped.leading
    assert pumped.association.counts["messages"] == 2


def test_a_record_summarises_the_data_set_from_its_first_bytes_only(tmp_path: Path) -> None:
    data = _instance(SUMMARY_PREFIX + 300_000)
    jsonl = tmp_path / "tap.jsonl"
    pumped, out = pump(tmp_path, quiet=True, jsonl=jsonl)
    kept: list[int] = []
    run(pumped, pdu_stream(store(data), max_pdu=16_384), 50_000, kept)
    (record,) = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert record["name"] == "C-STORE-RQ" and record["reencoded_identical"]
    assert record["data_set"]["length"] == len(data)
    assert record["data_set"]["attributes"]["PatientID"] == "PAT1"
    assert max(kept) == SUMMARY_PREFIX and out.getvalue() == ""


def test_a_line_says_what_it_said(tmp_path: Path) -> None:
    pumped, out = pump(tmp_path)
    run(pumped, pdu_stream(store(b"\x01\x02" * 10), max_pdu=0), 7)
    (line,) = out.getvalue().splitlines()
    assert line.endswith(
        f"#1 client->server ctx 1 C-STORE-RQ  message_id=9  affected_sop_class_uid={CT}"
        "  data set 20 bytes"
    )


def test_reencode_forwards_each_message_as_fragment_message_cuts_it(tmp_path: Path) -> None:
    messages: list[dk.Message] = [store(_instance(100_000)), dk.CEchoRequest(message_id=2)]
    messages.append(store(b""))
    want = b"".join(
        joined(parts) for message in messages for parts in dk.fragment_message(message, 1, 16_384)
    )
    for step in (1_000, 70_000, 1 << 20):
        pumped, _ = pump(tmp_path, reencode=True, quiet=True)
        assert run(pumped, pdu_stream(*messages, max_pdu=4_000), step) == want


def test_reencode_forwards_the_data_set_as_its_bytes_arrive(tmp_path: Path) -> None:
    message = store(_instance(100_000))
    stream = pdu_stream(message, max_pdu=4_000)
    pumped, _ = pump(tmp_path, reencode=True, quiet=True)
    half = run(pumped, stream[: len(stream) // 2], 10_000)
    # all but the last (held) of the fragments whose bytes came are out already
    assert len(half) > len(stream) // 2 - 16_384
