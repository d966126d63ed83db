"""The ``dimsekit`` command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import dimsekit as dk

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
        line = run("decode", "--json", str(path)).stdout
        assert json.loads(line)["kind"] == "message"
        encoded = run("encode", stdin=line)
        assert encoded.returncode == 0, encoded.stderr
        assert encoded.stdout == original


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


def test_encode_pdata_needs_the_data_set() -> None:
    result = run("encode", "--pdata", stdin=json.dumps(dk.to_dict(move_rq())).encode())
    assert result.returncode == 2
    assert "--data-set" in result.stderr.decode()


# --- the examples ----------------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "c-move"


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
    # by `decode --json | encode`
    received = [
        event
        for path in files
        for event in dk.MessageAssembler().feed(Path(path).read_bytes())
        if isinstance(event, dk.MessageReceived)
    ]
    assert len(received) == len(messages)
    for event, record in zip(received, messages, strict=True):
        assert dk.encode_command(event.message) == event.command
        assert run("encode", stdin=json.dumps(record).encode()).stdout == event.command
