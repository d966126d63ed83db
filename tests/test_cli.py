"""The ``dimsekit`` command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import io
import json
import re
import socket
import struct
import subprocess
import sys
import tracemalloc
from importlib import metadata
from pathlib import Path
from typing import Any

import attrs
import pytest

import dimsekit as dk
from dimsekit._codec.decode import MAX_COMMAND_LENGTH
from dimsekit._framing.pdu_layout import PDU_LAYOUTS, Kind
from dimsekit._model.fields import BY_TAG
from dimsekit._model.vr import us_problem
from dimsekit.cli._decode import DecodeOptions, decode_file, record_status
from dimsekit.cli._hexdump import REPEAT_LIMIT, read_hex_dump
from dimsekit.cli._learned import LearnedAssociation

from .conftest import EXAMPLES, clean_ends
from .ps37_message_fields import DATA_SET_NAMES, MESSAGE_FIELDS

STUDY_MOVE = "1.2.840.10008.5.1.4.1.2.2.2"


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dimsekit", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )


def move_rq() -> dk.CMoveRequest:
    return dk.CMoveRequest(
        message_id=3,
        affected_sop_class_uid=STUDY_MOVE,
        move_destination="STORESCP",
        identifier=b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY ",
    )


def pdu_stream(*messages: dk.Message, max_pdu: int = 64) -> bytes:
    return b"".join(
        b"".join(parts)
        for message in messages
        for parts in dk.fragment_message(message, 1, max_pdu)
    )


# --- describe --------------------------------------------------------------------------------


def test_describe_a_service_prints_both_halves_and_the_conditions() -> None:
    result = run("describe", "C-MOVE")
    assert result.returncode == 0
    text = result.stdout.decode()
    assert "C-MOVE-RQ = dimsekit.CMoveRequest" in text
    assert re.search(r"\(0000,0600\)\s+MoveDestination\s+AE\s+M\s+-\s+move_destination", text)
    assert re.search(r"\(0000,1020\)\s+NumberOfRemainingSuboperations\s+US\s+-\s+C\s+", text)
    assert "required with Pending (FF00)" in text


@pytest.mark.parametrize("name", ["C-MOVE-RQ", "CMoveRequest", "cmoverequest"])
def test_describe_one_half(name: str) -> None:
    text = run("describe", name).stdout.decode()
    assert "C-MOVE-RQ" in text
    assert "C-MOVE-RSP" not in text


def test_describe_all_lists_the_twelve_services() -> None:
    text = run("describe", "--all").stdout.decode()
    services = re.findall(r"^([CN]-[A-Z-]+): ", text, re.M)
    assert services == [
        "C-STORE", "C-GET", "C-FIND", "C-MOVE", "C-ECHO", "N-EVENT-REPORT",
        "N-GET", "N-SET", "N-ACTION", "N-CREATE", "N-DELETE", "C-CANCEL",
    ]  # fmt: skip


def test_describe_status_for_a_service() -> None:
    result = run("describe", "status", "0xA801", "--service", "C-MOVE")
    assert result.returncode == 0
    text = result.stdout.decode()
    assert "failure" in text
    assert "Refused: Move Destination unknown" in text
    assert "ErrorComment" in text
    assert "OffendingElement" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["describe", "C-FOO"], "no DIMSE message"),
        (["describe"], "give one MESSAGE"),
        (["describe", "status", "0xD000"], "no status class"),
        (["describe", "status", "0x0000", "--service", "X-RAY"], "unknown service"),
    ],
)
def test_describe_refusals(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def _described_fields(text: str) -> dict[str, dict[str, str]]:
    """Message name -> {keyword or data-set name: code}, as ``describe --all`` prints them.

    A field printed ``-`` for a message is left out, as in MESSAGE_FIELDS.
    """
    described: dict[str, dict[str, str]] = {}
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        names = re.findall(r"([CN]-[A-Z-]+-(?:RQ|RSP)) = ", lines[0])
        labels = lines[1].split()[3:-1]  # between "Tag Keyword VR" and "Attribute"
        assert labels == ["Req/Ind", "Rsp/Conf"][: len(names)], lines[:2]
        fields: list[dict[str, str]] = [described.setdefault(name, {}) for name in names]
        for line in lines[2:]:
            if line.startswith("  Codes:"):
                break
            cells = line.split()
            codes = cells[-1 - len(labels) : -1]
            # a tag row: tag, keyword, VR, codes, attribute; a data-set row: "-", its
            # parameter name (words), "-", codes, attribute
            field = " ".join(cells[1 : -2 - len(labels)]) if cells[0] == "-" else cells[1]
            for of_message, code in zip(fields, codes, strict=True):
                if code != "-":
                    of_message[field] = code
    return described


def test_describe_agrees_with_ps37_for_all_23_messages() -> None:
    assert set(MESSAGE_FIELDS) == {field.message_name for field in dk.CommandField}
    every_field = {field for fields in MESSAGE_FIELDS.values() for field in fields}
    assert len(every_field - DATA_SET_NAMES) == 24  # the command elements in use
    assert every_field >= DATA_SET_NAMES
    described = _described_fields(run("describe", "--all").stdout.decode())
    assert set(described) == set(MESSAGE_FIELDS)
    for message, fields in MESSAGE_FIELDS.items():
        assert described[message] == fields, message


# --- decode ----------------------------------------------------------------------------------


def test_decode_a_bare_command_set(tmp_path: Path) -> None:
    path = tmp_path / "echo.cmd"
    path.write_bytes(dk.encode_command(dk.CEchoRequest(message_id=5)))
    result = run("decode", str(path))
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert "#1 C-ECHO-RQ" in text
    assert re.search(r"\(0000,0110\)\s+MessageID\s+5", text)
    assert "\x1b[" not in text  # not a terminal: no colour


def test_decode_a_command_followed_by_its_data_set(tmp_path: Path) -> None:
    message = move_rq()
    path = tmp_path / "move.bin"
    path.write_bytes(dk.encode_command(message) + b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY ")
    record = json.loads(run("decode", "--json", str(path)).stdout)
    assert record["name"] == "C-MOVE-RQ"
    assert record["data_set"]["length"] == 14
    assert record["data_set"]["attributes"] == {"QueryRetrieveLevel": "STUDY"}


def test_decode_a_pdu_stream_from_stdin_with_status_meanings() -> None:
    response = move_rq().response(
        status=0xFF00,
        number_of_remaining_suboperations=1,
        number_of_completed_suboperations=0,
        number_of_failed_suboperations=0,
        number_of_warning_suboperations=0,
    )
    result = run("decode", "-", stdin=pdu_stream(move_rq(), response))
    assert result.returncode == 0
    text = result.stdout.decode()
    assert "#1 C-MOVE-RQ" in text and "#2 C-MOVE-RSP" in text
    assert "pending: Sub-operations are continuing" in text
    assert "context 1" in text


def test_decode_json_lines_and_encode_reproduce_the_bytes(tmp_path: Path) -> None:
    originals = [
        dk.encode_command(move_rq()),
        dk.encode_command(move_rq(), data_set_type=0x0102),
        dk.encode_command(dk.CStoreResponse(message_id_being_responded_to=2, status=0xB000)),
    ]
    for index, original in enumerate(originals):
        path = tmp_path / f"{index}.cmd"
        path.write_bytes(original)
        line = run("decode", "--json", "--data", str(path)).stdout
        assert json.loads(line)["kind"] == "message"
        encoded = run("encode", stdin=line)
        assert encoded.returncode == 0, encoded.stderr
        assert encoded.stdout == original


def test_encode_refuses_a_command_set_announcing_a_data_set_it_lacks(tmp_path: Path) -> None:
    path = tmp_path / "move.cmd"
    path.write_bytes(dk.encode_command(move_rq()))
    record = run("decode", "--json", str(path)).stdout  # no --data: no data set in it
    result = run("encode", stdin=record)
    assert result.returncode == 2
    assert result.stdout == b""
    assert "announces its identifier (Command Data Set Type 0x0001)" in result.stderr.decode()
    assert "--data-set-type 0x0101" in result.stderr.decode()
    # told to send none: the model decides whether the message may go without it
    refused = run("encode", "--data-set-type", "0x0101", stdin=record)
    assert refused.returncode == 2
    assert "identifier" in refused.stderr.decode()
    assert b"Traceback" not in refused.stderr
    action = dk.NActionRequest(
        message_id=1,
        requested_sop_class_uid="1.2.840.10008.5.1.4.1.1.88.11",
        requested_sop_instance_uid="1.2.3",
        action_type_id=1,
        action_information=b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY ",
    )
    command = json.dumps(dk.to_dict(action)).encode()
    assert run("encode", stdin=command).returncode == 2
    written = run("encode", "--data-set-type", "0x0101", stdin=command)
    assert written.returncode == 0, written.stderr
    assert written.stdout == dk.encode_command(attrs.evolve(action, action_information=None))
    # with the data set, the command set and the data set after it (what decode reads)
    data_set = tmp_path / "identifier.raw"
    data_set.write_bytes(b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY ")
    both = run("encode", "--data-set", str(data_set), stdin=record)
    assert both.stdout == dk.encode_command(move_rq()) + data_set.read_bytes()


def test_decode_keeps_deviations_and_encode_reproduces_them(tmp_path: Path) -> None:
    body = b"".join(
        struct.pack("<HHI", 0, element, len(value)) + value
        for element, value in [
            (0x0100, b"\x30\x80"),
            (0x0110, b"\x09\x00"),  # retired usage in a response
            (0x0120, b"\x09\x00"),
            (0x0800, b"\x01\x01"),
            (0x0900, b"\x00\x00"),
        ]
    )
    original = struct.pack("<HHII", 0, 0, 4, len(body)) + body
    path = tmp_path / "odd.cmd"
    path.write_bytes(original)
    result = run("decode", str(path))
    assert result.returncode == 0  # a warning only
    assert "warning" in result.stdout.decode()
    assert run("decode", "--strict", str(path)).returncode == 1
    line = run("decode", "--json", str(path)).stdout
    assert run("encode", stdin=line).stdout == original


def test_decode_error_diagnostics_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "long-uid.cmd"
    path.write_bytes(
        dk.encode_command(dk.CEchoRequest(message_id=1)).replace(
            b"\x12\x00\x00\x001.2.840.10008.1.1\x00", b"\x46\x00\x00\x00" + b"1." + b"2" * 68
        )
    )
    result = run("decode", str(path))
    assert result.returncode == 1
    assert "error:" in result.stdout.decode()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty input"),
        (dk.encode_command(dk.CEchoRequest(message_id=1))[:30], "runs past the end"),
        (bytes([0x89]) + b"PNG\r\n\x1a\n" + bytes(40), "not a command set, PDU stream or hex"),
        (bytes(range(256))[::7] * 3, "not a command set"),
        (b"zz not hex at all", "not a hex dump"),
        (pdu_stream(dk.CEchoRequest(message_id=1))[:-5], "ends inside"),
        (b"\x04\x00\x00\x00\x00\x00", "no PDV item"),
    ],
)
def test_decode_bad_files_exit_2_without_a_traceback(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad"
    path.write_bytes(content)
    result = run("decode", str(path))
    assert result.returncode == 2
    assert reason in result.stdout.decode() + result.stderr.decode()
    assert b"Traceback" not in result.stderr
    as_json = run("decode", "--json", str(path))
    assert as_json.returncode == 2
    assert json.loads(as_json.stdout.splitlines()[-1])["kind"] == "error"


def test_decode_a_missing_file_exits_2() -> None:
    result = run("decode", "/nonexistent/capture.pdu")
    assert result.returncode == 2
    assert b"No such file" in result.stderr


@pytest.mark.parametrize("style", ["plain", "xxd", "hexdump"])
def test_decode_hex_dumps(style: str) -> None:
    data = dk.encode_command(dk.CEchoRequest(message_id=7))
    if style == "plain":
        text = data.hex(" ")
    elif style == "xxd":
        lines = []
        for start in range(0, len(data), 16):
            chunk = data[start : start + 16]
            groups = " ".join(chunk[i : i + 2].hex() for i in range(0, len(chunk), 2))
            lines.append(f"{start:08x}: {groups:<40}  {'.' * len(chunk)}8")
        text = "\n".join(lines)
    else:
        lines = []
        for start in range(0, len(data), 16):
            chunk = data[start : start + 16]
            lines.append(f"{start:08x}  {chunk[:8].hex(' ')}  {chunk[8:].hex(' ')}  |{'.' * 16}|")
        text = "\n".join(lines)
    result = run("decode", "-", stdin=text.encode())
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"MessageID\s+7", result.stdout.decode())


def test_format_option_skips_detection(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(dk.encode_command(dk.CEchoRequest(message_id=1)))
    assert run("decode", "--format", "command", str(path)).returncode == 0
    assert run("decode", "--format", "pdu", str(path)).returncode == 2


# --- encode ----------------------------------------------------------------------------------


def test_encode_pdata_with_a_data_set(tmp_path: Path) -> None:
    data_set = tmp_path / "identifier.raw"
    data_set.write_bytes(b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY ")
    command = json.dumps(dk.to_dict(move_rq())).encode()
    result = run(
        "encode", "--pdata", "--context-id", "3", "--max-pdu", "32", "--data-set", str(data_set),
        stdin=command,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (event,) = dk.MessageAssembler().feed(result.stdout)
    assert isinstance(event, dk.MessageReceived)
    assert event.context_id == 3
    assert event.message == move_rq()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b"[" * 100_000, "nested too deeply"),
        (
            b'{"CommandField": 48, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            "nested too deeply",
        ),
        (b'{"CommandField": 48, "MessageID": 70000, "CommandDataSetType": 257}', "65535"),
        (b'{"CommandField": 1234}', "is no DIMSE message"),
        (
            json.dumps(
                {
                    "CommandField": 0x8020,
                    "MessageIDBeingRespondedTo": 1,
                    "Status": 0,
                    "CommandDataSetType": 1,
                }
            ).encode(),
            "exactly when its status is Pending",
        ),
    ],
)
def test_encode_refuses_invalid_messages_with_the_model_error(
    document: bytes, message: str
) -> None:
    result = run("encode", stdin=document)
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert b"Traceback" not in result.stderr


IDENTIFIER = b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY "


@pytest.mark.parametrize(
    ("command", "element", "assumed"),
    [
        ({"CommandField": 0x0030, "MessageID": 1}, "AffectedSOPClassUID", '"1.2.840.10008.1.1"'),
        (
            {"CommandField": 0x0020, "MessageID": 1, "AffectedSOPClassUID": "1.2.3"},
            "Priority",
            "0",
        ),
    ],
)
def test_encode_refuses_a_missing_mandatory_element_and_says_what_to_write(
    tmp_path: Path, command: dict[str, object], element: str, assumed: str
) -> None:
    # decode assumes such an element, and says so; encode is strict: it must be written
    decoded = dk.from_dict(command)
    spec = next(spec for spec in BY_TAG.values() if spec.keyword == element)
    (diagnostic,) = [d for d in decoded.diagnostics if d.tag == spec.tag]
    assert diagnostic.severity is dk.Severity.ERROR and diagnostic.tag is not None
    message = decoded.message
    options = []
    if message.data_set_payload is not None:  # the C-FIND-RQ's identifier
        (tmp_path / "data").write_bytes(IDENTIFIER)
        options = ["--data-set", str(tmp_path / "data")]
    name = message.command_field.message_name
    result = run("encode", *options, stdin=json.dumps(command).encode())
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode() == (
        f"dimsekit encode: line 1: a {name} must have {element} {BY_TAG[diagnostic.tag].tag_text} "
        f'[{diagnostic.rule}]; write it (dimsekit would assume "{element}": {assumed})\n'
    )
    written = {**command, element: json.loads(assumed)}
    result = run("encode", *options, stdin=json.dumps(written).encode())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(dk.encode_command(message))


def test_the_readme_says_what_encode_refuses_and_what_a_dump_may_repeat() -> None:
    readme = " ".join((EXAMPLES.parent.parent / "README.md").read_text().split())
    result = run("encode", stdin=b'{"CommandField": 48, "MessageID": 1}')
    said = result.stderr.decode().removeprefix("dimsekit encode: ").strip()
    assert (
        result.returncode == 2
        and f'`{{"CommandField": 48, "MessageID": 1}}` gets `{said}`' in readme
    )
    assert f"`*` rows expanded, up to {REPEAT_LIMIT >> 20} MiB a dump in all" in readme


def test_encode_names_the_us_rule_for_a_data_set_type_out_of_range() -> None:
    result = run("encode", "--data-set-type", "0x10000", stdin=b"{}")
    assert result.returncode == 2
    problem = us_problem(0x10000)
    assert problem is not None and f"'0x10000': {problem}" in result.stderr.decode()


def test_encode_pdata_needs_the_data_set() -> None:
    result = run("encode", "--pdata", stdin=json.dumps(dk.to_dict(move_rq())).encode())
    assert result.returncode == 2
    assert "--data-set" in result.stderr.decode()


# --- the examples ----------------------------------------------------------------------------


def test_the_example_exchange_decodes_clean() -> None:
    files = sorted(str(path) for path in EXAMPLES.glob("*.pdu"))
    assert len(files) == 4
    result = run("decode", "--json", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    messages = [r for r in records if r["kind"] == "message"]
    assert all(not r["diagnostics"] for r in messages)
    names = [r["name"] for r in messages]
    assert names[0] == "C-MOVE-RQ"
    responses = [r for r in messages if r["name"] == "C-MOVE-RSP"]
    assert [r["status"]["category"] for r in responses][-1] == "success"
    assert all(r["status"]["category"] == "pending" for r in responses[:-1])
    stores = [r for r in messages if r["name"] == "C-STORE-RQ"]
    assert stores and len(stores) == names.count("C-STORE-RSP")
    assert {r["command"]["MoveOriginatorApplicationEntityTitle"] for r in stores} == {"MOVESCU"}
    # every command set in the capture is reproduced byte for byte, by the library and
    # by `decode --json --data | encode` (the command set, then its data set)
    received = [
        event
        for path in files
        for event in dk.MessageAssembler().feed(Path(path).read_bytes())
        if isinstance(event, dk.MessageReceived)
    ]
    assert len(received) == len(messages)
    with_data = [
        json.loads(line)
        for line in run("decode", "--json", "--data", *files).stdout.splitlines()
        if json.loads(line)["kind"] == "message"
    ]
    for event, record in zip(received, with_data, strict=True):
        assert dk.encode_command(event.message) == event.command
        payload = event.message.data_set_payload
        data = b"" if payload is None else payload.to_bytes()
        assert run("encode", stdin=json.dumps(record).encode()).stdout == event.command + data


# --- decode --json --data | encode --pdata: the stream again --------------------------------


def decode_bytes(data: bytes, source: str) -> list[dict[str, object]]:
    return list(decode_file(io.BytesIO(data), source, DecodeOptions(), LearnedAssociation()))


def test_decode_errs_for_every_cut_of_a_real_stream_but_the_clean_ends() -> None:
    stream = (EXAMPLES / "1-movescu-to-dcmqrscp.pdu").read_bytes()
    ends = clean_ends(stream)
    for cut in range(1, len(stream) + 1):
        records = decode_bytes(stream[:cut], "cut")
        status = max(record_status(record, strict=False) for record in records)
        assert status == (0 if cut in ends else 2), cut
        if cut not in ends and cut >= 6:  # shorter, it is not even a PDU stream
            assert records[-1]["kind"] == "error"
            assert str(records[-1]["reason"]).startswith("the stream ends "), cut
    # What came whole before a break is shown before the error, as for a cut.
    records = decode_bytes(stream + b"\x09\x00\x00\x00\x00\x00", "bad")
    assert [record["kind"] for record in records] == ["pdu", "message", "pdu", "error"]
    assert records[-1]["reason"] == "unknown PDU type 0x09 (PS3.8 9.3.1)"


def test_decode_on_a_cut_file_exits_2_and_says_what_was_cut(tmp_path: Path) -> None:
    stream = (EXAMPLES / "1-movescu-to-dcmqrscp.pdu").read_bytes()
    path = tmp_path / "cut.pdu"
    path.write_bytes(stream[:100])  # inside the A-ASSOCIATE-RQ
    result = run("decode", str(path))
    assert result.returncode == 2, result.stderr
    assert (
        b"cannot decode at offset 0: the stream ends inside an A-ASSOCIATE-RQ: 94 of its "
        in result.stdout
    )


DCMTK_STORE = Path(__file__).resolve().parent / "data" / "dcmtk-store"
STORE_CLIENT = DCMTK_STORE / "1-storescu-to-storescp.pdu"
STORE_SERVER = DCMTK_STORE / "2-storescp-to-storescu.pdu"


def pdus(stream: bytes) -> list[bytes]:
    """The PDUs of a stream, whole (PS3.8 9.3.1: type, reserved, 4-byte length)."""
    found, offset = [], 0
    while offset < len(stream):
        end = offset + 6 + struct.unpack_from(">I", stream, offset + 2)[0]
        found.append(stream[offset:end])
        offset = end
    assert offset == len(stream)
    return found


def p_data(stream: bytes) -> list[bytes]:
    return [pdu for pdu in pdus(stream) if pdu[0] == 0x04]


def test_decode_data_then_encode_pdata_writes_each_example_stream_again() -> None:
    files = sorted(EXAMPLES.glob("*.pdu"))
    for path in files:
        records = run("decode", "--json", "--data", str(path)).stdout
        encoded = run("encode", "--pdata", "--max-pdu", "16384", stdin=records)
        assert encoded.returncode == 0, encoded.stderr
        original = path.read_bytes()
        assert p_data(encoded.stdout) == p_data(original), path.name
        assert encoded.stdout == original  # the other PDUs too, from their base64
    # all four at once: each stream's maximum comes from the other side's A-ASSOCIATE PDU
    records = run("decode", "--json", "--data", *map(str, files)).stdout
    encoded = run("encode", "--pdata", stdin=records)
    assert encoded.returncode == 0
    assert encoded.stderr == b""  # nothing had to be assumed
    assert encoded.stdout == b"".join(path.read_bytes() for path in files)
    stores = [json.loads(line) for line in records.splitlines()]
    assert any(r.get("name") == "C-STORE-RQ" and r["data_set"]["base64"] for r in stores)


def test_encode_cuts_each_stream_for_the_maximum_its_receiver_stated() -> None:
    records = run("decode", "--json", "--data", str(STORE_CLIENT), str(STORE_SERVER)).stdout
    # storescp (the called AE) said 4096 in its A-ASSOCIATE-AC: storescu's PDUs obey it
    encoded = run("encode", "--pdata", stdin=records)
    assert encoded.returncode == 0, encoded.stderr
    data = p_data(encoded.stdout)
    lengths = [len(pdu) - 6 for pdu in data]
    assert max(lengths) == 4096 and len(data) == len(p_data(STORE_CLIENT.read_bytes())) + 1
    # without storescp's stream nothing says what it receives: the default, and a warning
    alone = run("decode", "--json", "--data", str(STORE_CLIENT)).stdout
    assumed = run("encode", "--pdata", stdin=alone)
    assert "holds no A-ASSOCIATE PDU of the side that receives" in assumed.stderr.decode()
    assert max(len(pdu) - 6 for pdu in p_data(assumed.stdout)) > 4096


def test_dcmtk_fragments_6_bytes_short_of_the_maximum() -> None:
    """DCMTK cuts data-set fragments of (even maximum) - 12 bytes, so its PDUs have a
    PDU-length of the maximum less 6; dimsekit fills them to the maximum (PS3.8 D.1:
    the limit is on the PDU-length field).  Both are valid: DCMTK's streams are
    written again byte for byte with --max-pdu set to its receiver's maximum less 6."""
    original = STORE_CLIENT.read_bytes() + STORE_SERVER.read_bytes()
    assert [len(pdu) - 6 for pdu in p_data(STORE_CLIENT.read_bytes())] == [130, 4090, 4090, 128]
    records = run("decode", "--json", "--data", str(STORE_CLIENT), str(STORE_SERVER)).stdout
    assert run("encode", "--pdata", stdin=records).stdout != original
    again = run("encode", "--pdata", "--max-pdu", "4090", stdin=records)
    assert again.stdout == original


def test_encode_honours_each_records_context_id() -> None:
    rq = dk.CEchoRequest(message_id=1)
    rsp = dk.CEchoResponse(message_id_being_responded_to=1, status=0)
    lines = [
        json.dumps({"kind": "message", "context_id": 5, "command": dk.to_dict(rq)}),
        json.dumps(dk.to_dict(rsp)),  # a bare command object: --context-id, else 1
    ]
    text = "\n".join(lines).encode()
    events = dk.MessageAssembler().feed(run("encode", "--pdata", stdin=text).stdout)
    assert [(e.context_id, e.message) for e in events if isinstance(e, dk.MessageReceived)] == [
        (5, rq),
        (1, rsp),
    ]
    forced = dk.MessageAssembler().feed(
        run("encode", "--pdata", "--context-id", "7", stdin=text).stdout
    )
    assert {e.context_id for e in forced if isinstance(e, dk.MessageReceived)} == {7}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"kind": "error", "reason": "bad"}'], "line 1: an error record (bad)"),
        (['{"CommandField": 48, "MessageID": 1, "CommandDataSetType": 257}'] * 2, "--pdata"),
        (['{"kind": "pdu", "name": "A-ABORT", "base64": "!!"}'], "not base64"),
        (['{"CommandField": 48, "MessageID": 1, "CommandDataSetType": 257}', "{"], "line 2"),
    ],
)
def test_encode_refuses_json_lines_it_cannot_encode(lines: list[str], message: str) -> None:
    result = run("encode", stdin="\n".join(lines).encode())
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert result.stdout == b"" and b"Traceback" not in result.stderr


# --- hex dumps -------------------------------------------------------------------------------


def decoded(*args: str, stdin: bytes = b"") -> list[dict[str, object]]:
    result = run("decode", "--json", *args, stdin=stdin)
    assert result.returncode == 0, result.stdout + result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def without_source(records: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in record.items() if k != "source"} for record in records]


@pytest.mark.parametrize("dump", ["hexdump-C", "xxd-a"])
def test_real_hex_dumps_with_repeated_rows_decode_as_the_stream(dump: str) -> None:
    path = DCMTK_STORE / f"1-storescu-to-storescp.{dump}.txt"
    assert b"\n*\n" in path.read_bytes()  # rows repeated, written once
    expected = without_source(decoded("--data", str(STORE_CLIENT)))
    assert without_source(decoded("--data", str(path))) == expected


def test_hexdump_c_rows_must_agree_with_their_offsets(tmp_path: Path) -> None:
    lines = (DCMTK_STORE / "1-storescu-to-storescp.hexdump-C.txt").read_text().splitlines()
    star = lines.index("*")
    cases = {
        "row-missing": lines[:3] + lines[4:],
        "star-at-end": lines[: star + 1],
        "star-first": ["*", *lines],
        "short-star": [*lines[: star + 1], f"{int(lines[star + 1][:8], 16) + 8:08x}"],
    }
    for name, broken in cases.items():
        path = tmp_path / name
        path.write_text("\n".join(broken) + "\n")
        result = run("decode", str(path))
        assert result.returncode == 2, name
        assert "not a hex dump: line" in result.stdout.decode(), name
        assert b"Traceback" not in result.stderr


def test_tshark_follow_tcp_hex_decodes_each_direction_as_its_own_stream() -> None:
    path = DCMTK_STORE / "storescu-storescp.tshark-follow-hex.txt"
    text = path.read_text()
    assert "Follow: tcp,hex" in text and "\n\t00000000  02 00" in text
    records = decoded("--data", str(path))
    sources = list(dict.fromkeys(str(record["source"]) for record in records))
    assert sources == [
        f"{path} (127.0.0.1:46240 -> 127.0.0.1:41212)",
        f"{path} (127.0.0.1:41212 -> 127.0.0.1:46240)",
    ]
    for source, stream in zip(sources, [STORE_CLIENT, STORE_SERVER], strict=True):
        ours = [record for record in records if record["source"] == source]
        assert without_source(ours) == without_source(decoded("--data", str(stream)))
    # as copied from Wireshark's Follow TCP Stream window: no header, nodes by number
    body = "\n".join(line for line in text.splitlines() if line.startswith(("0", "\t")))
    copied = decoded(stdin=body.encode())
    assert list(dict.fromkeys(str(record["source"]) for record in copied)) == [
        "<stdin> (node 0 -> node 1)",
        "<stdin> (node 1 -> node 0)",
    ]
    text_output = run("decode", str(path)).stdout.decode()
    assert "== " + sources[1] + " ==" in text_output


def hexdump_c(data: bytes, *, repeated_to: int | None = None, indent: str = "") -> list[str]:
    """The rows ``hexdump -C`` prints for ``data`` (a multiple of 16 bytes), and, with
    ``repeated_to``, a ``*`` for its last row repeated up to that offset, then the offset."""
    assert len(data) % 16 == 0
    lines = [
        f"{indent}{start:08x}  {data[start : start + 8].hex(' ')}  "
        f"{data[start + 8 : start + 16].hex(' ')}  |{'.' * 16}|"
        for start in range(0, len(data), 16)
    ]
    if repeated_to is not None:
        lines += ["*", f"{indent}{repeated_to:08x}"]
    return lines


def peak_of(dump: list[str]) -> tuple[list[dict[str, object]], int]:
    """The records of decoding ``dump``, and the peak of the memory it took."""
    text = ("\n".join(dump) + "\n").encode()
    tracemalloc.start()
    try:
        records = list(decode_file(io.BytesIO(text), "dump", DecodeOptions(), LearnedAssociation()))
        return records, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# A P-DATA-TF that announces 2**32-1 bytes, then a PDV item of length 0: refused at offset 6.
BROKEN_PDU_ROW = b"\x04\x00\xff\xff\xff\xff" + bytes(10)


@pytest.mark.parametrize("tshark", [False, True], ids=["one-way", "tshark-two-way"])
def test_a_framing_error_stops_a_hex_dumps_stream_before_its_repeats(tshark: bool) -> None:
    # The review's dump: 4 lines, whose '*' stands for 64 MiB less a row.  The old reader
    # made all of it (8 MiB in memory, the rest in a temporary file), then refused it.
    echo = pdu_stream(dk.CEchoRequest(message_id=1), max_pdu=0)
    echo += bytes(-len(echo) % 16)  # then the zeros of a short row, which end the stream
    dump = hexdump_c(BROKEN_PDU_ROW, repeated_to=0x0400_0000)
    if tshark:  # the other direction, after it, is still decoded
        header = ["Follow: tcp,hex", "Filter: tcp.stream eq 0", "Node 0: a:1", "Node 1: b:2"]
        dump = header + dump + hexdump_c(echo[:80], indent="\t")
    records, peak = peak_of(dump)
    assert peak < 2 << 20, peak
    assert records[0]["kind"] == "error" and records[0]["offset"] == 6
    assert "PDV item length 0" in str(records[0]["reason"])
    if tshark:
        assert [(r["source"], r["kind"]) for r in records] == [
            ("dump (a:1 -> b:2)", "error"),
            ("dump (b:2 -> a:1)", "message"),
        ]
    else:
        assert len(records) == 1


def store_in_a_dump(repeated: int) -> tuple[int, list[str]]:
    """A C-STORE-RQ whose data set is zeros in one PDV, as ``hexdump -C`` dumps its PDU
    stream: the headers, one row of zeros, and a '*' that stands for ``repeated`` bytes
    more; and the length of the data set."""
    command = dk.encode_command(STORE_HEADERS)
    stream = struct.pack(">BBIIBB", 4, 0, len(command) + 6, len(command) + 2, 1, 3) + command
    start = len(stream) + 12  # after the data set's P-DATA-TF and PDV item headers
    zeros = -start % 16 + 16 + repeated
    stream += struct.pack(">BBIIBB", 4, 0, zeros + 6, zeros + 2, 1, 2)
    rows = hexdump_c(stream + bytes(-start % 16 + 16), repeated_to=start + zeros)
    return zeros, rows


STORE_HEADERS = dk.CStoreRequest(
    message_id=1,
    affected_sop_class_uid="1.2.840.10008.5.1.4.1.1.7",
    affected_sop_instance_uid="1.2.3",
    data_set=b"",
)


def test_a_star_row_may_stand_for_the_repeat_limit_and_no_more() -> None:
    size, rows = store_in_a_dump(REPEAT_LIMIT)  # at the limit, it decodes ...
    records = decode_bytes(("\n".join(rows) + "\n").encode(), "at-limit")
    assert [r["kind"] for r in records] == ["message"], records
    assert records[0]["data_set"]["length"] == size  # type: ignore[index]
    # ... a row more is refused at the line that ends the '*', before any of it is made
    _, rows = store_in_a_dump(REPEAT_LIMIT + 16)
    records, peak = peak_of(rows)
    assert peak < 2 << 20, peak
    assert [r["kind"] for r in records] == ["error"]
    assert str(records[0]["reason"]).startswith(f"not a hex dump: line {len(rows)}: ")
    assert f"at most {REPEAT_LIMIT} bytes" in str(records[0]["reason"])


def test_the_caller_says_how_many_first_bytes_a_dump_stream_is_judged_by() -> None:
    heads: list[bytes] = []
    fed: list[bytes] = []

    class Keep:
        def feed(self, data: bytes) -> bool:
            fed.append(data)
            return True

        def close(self) -> None:
            pass

    def open_consumer(head: bytes) -> Keep | dk.DecodeError:
        heads.append(head)
        return Keep()

    data = bytes(range(40))
    for head_size in (3, 100):
        heads.clear()
        fed.clear()
        (direction,) = read_hex_dump(io.BytesIO(data.hex().encode()), open_consumer, head_size)
        assert heads == [data[:head_size]]  # all of a shorter stream
        assert b"".join(fed) == data and direction.consumer is not None


# --- refused early, at bounded cost -----------------------------------------------------------

PEAK_RSS = """
import json, resource, subprocess, sys
result = subprocess.run([sys.executable, "-m", "dimsekit", *sys.argv[1:]], capture_output=True)
print(json.dumps({"returncode": result.returncode, "stdout": result.stdout.decode(),
                  "stderr": result.stderr.decode(),
                  "max_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def peak_rss(*args: str) -> dict[str, Any]:
    """Run ``dimsekit ARGS`` from a fresh process, so that RUSAGE_CHILDREN is its alone."""
    wrapper = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *args], capture_output=True, timeout=120, check=True
    )
    found: dict[str, Any] = json.loads(wrapper.stdout)
    return found


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (b"", "(0000,0000) CommandGroupLength of length 0, which is a UL of 4 bytes"),
        # the decoder's own refusal, given the limit and a byte more
        (struct.pack("<HHII", 0, 0, 4, 100), f"longer than {MAX_COMMAND_LENGTH}"),
    ],
)
def test_a_100_mb_file_is_refused_from_its_first_bytes(
    tmp_path: Path, start: bytes, message: str
) -> None:
    path = tmp_path / "zeros.bin"
    with path.open("wb") as file:
        file.write(start)
        file.truncate(100 << 20)  # sparse: zeros after ``start``
    baseline = peak_rss("--version")["max_rss_kib"]
    result = peak_rss("decode", str(path))
    assert result["returncode"] == 2
    assert message in result["stdout"] and message in result["stderr"]
    assert "Traceback" not in result["stderr"]
    # the old decoder read the whole file (140 MiB peak): now no more than a command set
    assert result["max_rss_kib"] < baseline + 16 * 1024, (result["max_rss_kib"], baseline)


def test_a_pdu_stream_is_decoded_a_chunk_at_a_time(tmp_path: Path) -> None:
    store = dk.CStoreRequest(
        message_id=1,
        affected_sop_class_uid="1.2.840.10008.5.1.4.1.1.7",
        affected_sop_instance_uid="1.2.3",
        data_set=b"\x10\x00\x20\x00\x04\x00\x00\x00PAT9" + bytes(48 << 20),
    )
    path = tmp_path / "store.pdu"
    with path.open("wb") as file:
        for pdu in dk.fragment_message(store, 1, 16384):
            file.writelines(pdu)
    baseline = peak_rss("--version")["max_rss_kib"]
    result = peak_rss("decode", str(path))
    assert result["returncode"] == 0, result
    assert "PatientID = PAT9" in result["stdout"]
    # a data set beyond 16 MiB goes to a temporary file; the old decoder held 4 copies
    assert result["max_rss_kib"] < baseline + 32 * 1024, (result["max_rss_kib"], baseline)


def test_a_part_10_file_is_named_as_one(tmp_path: Path) -> None:
    path = tmp_path / "image.dcm"
    path.write_bytes(bytes(128) + b"DICM" + b"\x02\x00\x00\x00UL\x04\x00" + bytes(4))
    result = run("decode", str(path))
    assert result.returncode == 2
    assert "a DICOM Part-10 file" in result.stderr.decode()
    assert "holds a data set, not a DIMSE message" in result.stdout.decode()


# --- output -------------------------------------------------------------------------------------


def test_several_files_each_get_a_header_and_errors_a_line_on_stderr(tmp_path: Path) -> None:
    good = tmp_path / "echo.cmd"
    good.write_bytes(dk.encode_command(dk.CEchoRequest(message_id=5)))
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(8))
    result = run("decode", str(good), str(bad), "/nonexistent/x.pdu")
    assert result.returncode == 2
    out = result.stdout.decode().splitlines()
    assert out[0] == f"== {good} =="
    assert out[1].startswith("#1 C-ECHO-RQ")
    assert f"== {bad} ==" in out
    assert out[-1].startswith(f"{bad}: cannot decode: not a command set")  # a record
    errors = result.stderr.decode().splitlines()
    assert errors == [
        f"dimsekit decode: {out[-1]}",
        "dimsekit decode: /nonexistent/x.pdu: No such file or directory",
    ]
    alone = run("decode", str(good)).stdout.decode()
    assert not alone.startswith("==")  # one file: no header


def test_an_a_associate_ac_is_shown_from_the_called_ae_that_sent_it() -> None:
    text = run("decode", str(EXAMPLES / "2-dcmqrscp-to-movescu.pdu")).stdout.decode()
    assert text.splitlines()[0] == (
        "A-ASSOCIATE-AC (223 bytes) QRSCP -> MOVESCU, QRSCP receives PDUs of up to 16384 bytes"
    )
    (record,) = [
        r for r in decoded(str(EXAMPLES / "2-dcmqrscp-to-movescu.pdu")) if r["kind"] == "pdu"
    ][:1]
    assert (record["sent_by"], record["sent_to"]) == ("QRSCP", "MOVESCU")
    request = run("decode", str(EXAMPLES / "1-movescu-to-dcmqrscp.pdu")).stdout.decode()
    assert request.startswith("A-ASSOCIATE-RQ (373 bytes) MOVESCU -> QRSCP,")


def test_version_comes_from_the_installed_package() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.decode().strip() == f"dimsekit {metadata.version('dimsekit')}"


# --- describe status, tap addresses ---------------------------------------------------------------


@pytest.mark.parametrize("code", ["A801", "a801", "0xA801", "0XA801", "A801H", "a801h"])
def test_describe_status_takes_codes_as_they_are_written(code: str) -> None:
    result = run("describe", "status", code, "--service", "C-MOVE")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith("Status 0xA801: failure")


@pytest.mark.parametrize("code", ["XYZ", "12345", "0x", "A8 01", "-1"])
def test_describe_status_refuses_what_is_no_code(code: str) -> None:
    result = run("describe", "status", code)
    assert result.returncode == 2
    assert f"{code!r} is no status code" in result.stderr.decode()
    assert b"Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("listen", "message"),
    [
        ("127.0.0.1:99999", "port '99999' is not a number from 0 to 65535"),
        ("127.0.0.1:x", "port 'x' is not a number"),
        ("::1:11112", "an IPv6 address goes in brackets: [::1]:11112"),
        ("[nohost]:11112", "is no IPv6 address"),
        ("11112", "expected HOST:PORT"),
        ("192.0.2.1:11112", "cannot listen on 192.0.2.1:11112: "),  # not an address of ours
    ],
)
def test_tap_refuses_addresses_it_cannot_listen_on(listen: str, message: str) -> None:
    result = run("tap", "--listen", listen, "--upstream", "127.0.0.1:1")
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_tap_listens_on_an_ipv6_literal_in_brackets() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no ::1 on this machine")
    command = [sys.executable, "-m", "dimsekit", "tap", "--listen", "[::1]:0"]
    with subprocess.Popen(
        [*command, "--upstream", "[::1]:1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    ) as tap:
        try:
            assert tap.stdout is not None
            line = tap.stdout.readline().decode()
            assert re.search(r"tap listening on \[::1\]:\d+, upstream \[::1\]:1$", line), line
        finally:
            tap.terminate()
            tap.wait(timeout=10)


def test_a_diagnostic_is_printed_as_the_library_words_it(tmp_path: Path) -> None:
    # a peer that pads a UID with a space: the line names the offset and the tag once
    path = tmp_path / "spaced.cmd"
    path.write_bytes(dk.encode_command(dk.CEchoRequest(message_id=1)).replace(b"1.1\0", b"1.1 "))
    (diagnostic,) = dk.decode_command(path.read_bytes()).diagnostics
    assert diagnostic.offset is not None and diagnostic.tag is not None
    lines = run("decode", "--no-color", str(path)).stdout.decode().splitlines()
    assert lines[-1] == f"  {diagnostic}"
    assert lines[-1].count(BY_TAG[diagnostic.tag].tag_text) == 1


def test_a_pdus_diagnostics_are_printed_and_set_the_exit_status() -> None:
    # An A-RELEASE-RQ with a PDU length of 6, not 4 (PS3.8 9.3.6), then a C-ECHO-RQ in
    # one-byte command fragments (odd, PS3.8 E.1): one diagnostic with its repeats.
    release = b"\x05\x00\x00\x00\x00\x06" + bytes(6)
    command = dk.encode_command(dk.CEchoRequest(message_id=1))
    fragments = b"".join(
        struct.pack(">IBB", 3, 1, 0x01 | (0x02 if last else 0)) + command[i : i + 1]
        for i in range(len(command))
        for last in [i == len(command) - 1]
    )
    echo = struct.pack(">BBI", 4, 0, len(fragments)) + fragments
    result = run("decode", "--no-color", "-", stdin=release + echo)
    text = result.stdout.decode()
    assert result.returncode == 1, text
    assert re.search(r"A-RELEASE-RQ \(12 bytes\)\n  error: .*PS3\.8 9\.3\.6", text), text
    assert f"(and {len(command) - 1} more like it)" in text
    records = [
        json.loads(line) for line in run("decode", "--json", "-", stdin=release).stdout.splitlines()
    ]
    assert records[0]["diagnostics"][0]["severity"] == "error"
    assert records[0]["diagnostics"][0]["repeats"] == 0


def test_encode_derives_the_command_data_set_type_as_it_derives_the_group_length() -> None:
    # Neither is a value of the message: the encoder computes both (PS3.7 9.3, 10.3).
    echo = dk.CEchoRequest(message_id=1)
    document = {
        "CommandField": 0x0030,
        "MessageID": 1,
        "AffectedSOPClassUID": echo.affected_sop_class_uid,
    }
    result = run("encode", stdin=json.dumps(document).encode())
    assert result.returncode == 0, result.stderr
    assert result.stdout == dk.encode_command(echo)


# --- association PDUs in full (issue 14) ----------------------------------------------------------

RECORDINGS = Path(__file__).parent / "data" / "association"
SECRETS = (b"not-a-secret", b"eyJhbGciOiJub25lIn0", b"dimsekit-test-server-response")
"""The made-up credentials of the user identity recordings (tests/data/association/record.py)."""


def test_decode_json_then_encode_writes_every_recorded_pdu_again() -> None:
    files = sorted(RECORDINGS.glob("*.pdu"))
    records = run("decode", "--json", "--show-secrets", *map(str, files)).stdout
    assert all(json.loads(line)["pdu"] for line in records.splitlines())
    encoded = run("encode", stdin=records)  # from the dict forms: no base64 in the records
    assert encoded.returncode == 0, encoded.stderr
    assert encoded.stdout == b"".join(path.read_bytes() for path in files)


@pytest.mark.parametrize(
    "name", ["pynetdicom-user-identity-rq", "pynetdicom-jwt-rq", "pynetdicom-jwt-ac"]
)
def test_decode_redacts_secrets_and_encode_refuses_a_redacted_pdu(name: str) -> None:
    path = str(RECORDINGS / f"{name}.pdu")
    for output in (run("decode", path).stdout, run("decode", "--json", path).stdout):
        assert not any(secret in output or secret.hex().encode() in output for secret in SECRETS)
    assert b"redacted" in run("decode", path).stdout
    refused = run("encode", stdin=run("decode", "--json", path).stdout)
    assert refused.returncode == 2
    assert b"was redacted" in refused.stderr and b"--show-secrets" in refused.stderr
    assert refused.stdout == b""


def test_decode_shows_an_association_in_full() -> None:
    text = run("decode", "--no-color", str(RECORDINGS / "getscu-rq.pdu")).stdout.decode()
    lines = text.splitlines()
    assert lines[0] == (
        "A-ASSOCIATE-RQ (17435 bytes) GETSCU -> QRSCP, GETSCU receives PDUs of up to 16384 bytes"
    )
    assert lines[2] == (
        "    context 1: Study Root Query/Retrieve Information Model - GET "
        "(1.2.840.10008.5.1.4.1.2.2.3)"
    )
    assert lines[3].startswith(
        "        transfer syntaxes: Explicit VR Little Endian (1.2.840.10008.1.2.1)"
    )
    assert (
        "        54H SCP/SCU Role Selection Sub-Item: sop_class_uid 1.2.840.10008.5.1.4.1.1.2 "
        "(CT Image Storage), scu_role 0, scp_role 1" in lines
    )
    assert lines[-1] == "        55H Implementation Version Name Sub-Item: name OFFIS_DCMTK_367"
    answer = run("decode", "--no-color", str(RECORDINGS / "dcmqrscp-getscu-ac.pdu")).stdout
    assert b"    context 1: acceptance: Explicit VR Little Endian (1.2.840.10008.1.2.1)\n" in answer
    rejected = run("decode", str(RECORDINGS / "dcmqrscp-called-ae-rj.pdu")).stdout.decode()
    assert rejected.splitlines()[1:] == [
        "    result: rejected permanent",
        "    source: service user",
        "    reason: called AE title not recognized",
    ]
    aborted = run("decode", "--json", str(RECORDINGS / "echoscu-abort.pdu")).stdout
    record = json.loads(aborted)
    assert (record["source_of_abort"], record["reason"]) == ("service user", "not significant")
    assert record["pdu"] == {
        "pdu_type": "A-ABORT",
        "source": "SERVICE_USER",
        "reason": "NOT_SPECIFIED",
    }


def test_decode_checks_an_ac_against_the_rq_before_it_in_the_stream(tmp_path: Path) -> None:
    rq_path, ac_path = RECORDINGS / "getscu-rq.pdu", RECORDINGS / "dcmqrscp-getscu-ac.pdu"
    # the recorded pair: the AC answers every context of its RQ
    pair = run("decode", "--json", str(rq_path), str(ac_path)).stdout.splitlines()
    assert [json.loads(line)["diagnostics"] for line in pair] == [[], []]
    # an AC that leaves out a proposed context, after its RQ (PS3.8 7.1.1.14)
    rq = dk.decode_pdu(rq_path.read_bytes()).pdu
    ac = dk.decode_pdu(ac_path.read_bytes()).pdu
    assert isinstance(rq, dk.AAssociateRQ) and isinstance(ac, dk.AAssociateAC)
    short = dk.AAssociateAC.answering(
        rq, presentation_contexts=ac.presentation_contexts[1:], user_information=ac.user_information
    )
    left_out = ac.presentation_contexts[0].context_id
    stream = tmp_path / "stream.pdu"
    stream.write_bytes(rq_path.read_bytes() + dk.encode_pdu(short))
    records = [
        json.loads(line) for line in run("decode", "--json", str(stream)).stdout.splitlines()
    ]
    assert records[0]["diagnostics"] == []
    said = records[1]["diagnostics"]
    assert len(said) == 1 and "7.1.1.14" in said[0]["rule"], said
    assert said[0]["what"].startswith(f"presentation context {left_out} ("), said
    # alone, the same AC has nothing to be checked against
    alone = tmp_path / "ac.pdu"
    alone.write_bytes(dk.encode_pdu(short))
    assert json.loads(run("decode", "--json", str(alone)).stdout)["diagnostics"] == []


@pytest.mark.parametrize("pdu_type", list(dk.PDUType))
def test_describe_a_pdu_prints_its_declared_layout_and_rules(pdu_type: dk.PDUType) -> None:
    for name in (pdu_type.label, pdu_type.label.lower()):
        result = run("describe", name)
        assert result.returncode == 0, result.stderr
        text = result.stdout.decode()
        assert text.startswith(f"{pdu_type.label} = dimsekit.")
        assert "  Rules:\n" in text
    layout = PDU_LAYOUTS.get(pdu_type)
    offset = 6  # after the PDU header (PS3.8 9.3.1)
    for part in layout.parts if layout is not None else ():
        assert re.search(rf"^  {offset}\s+\S+\s+{part.name}\s", text, re.MULTILINE), part
        if part.kind not in (Kind.FIXED, Kind.RESERVED):
            break
        offset += struct.calcsize(">" + part.fmt)


def test_describe_a_pdu_names_its_items_and_coded_values() -> None:
    rq = run("describe", "AAssociateRQ").stdout.decode()
    for code in ("10H", "20H", "30H", "40H", "50H", "51H", "52H", "54H", "58H"):
        assert re.search(rf"^ +{code} \S", rq, re.MULTILINE), code
    assert "one abstract syntax and one or more transfer syntaxes proposed under an odd ID" in rq
    rj = run("describe", "A-ASSOCIATE-RJ").stdout.decode()
    assert (
        "  - reason, with source 3 SERVICE_PROVIDER_PRESENTATION: 1 TEMPORARY_CONGESTION, "
        "2 LOCAL_LIMIT_EXCEEDED" in rj
    )
    item = run("describe", "21H").stdout.decode()
    assert item.startswith("21H Presentation Context Item (A-ASSOCIATE-AC) = dimsekit.")
    assert "result (ContextResult): 0 ACCEPTANCE, 1 USER_REJECTION" in item
    unknown = run("describe", "A-ASSOCIATE-XX")
    assert unknown.returncode == 2
    assert b"no DIMSE message 'A-ASSOCIATE-XX'" in unknown.stderr
