"""``dimsekit decode``: find the DIMSE messages in captured bytes.

Owns: recognising what a file holds (a bare command set, a command set followed by its
data set, an upper-layer PDU stream as read off a socket, or a hex dump of any of
these), decoding it with the library, and describing each message, PDU and failure as a
plain record (a dict that is already JSON) for ``_render`` to print.

Must not know: how records are printed; argument parsing.
"""

from __future__ import annotations

import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from io import BytesIO
from typing import Any, Final

from pydicom.dataset import Dataset
from pydicom.filereader import read_dataset
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from .._association import read_associate
from .._command_decode import decode_command
from .._converter import to_dict
from .._diagnostics import Diagnostic, Severity
from .._errors import DecodeError, DimseError, FramingError
from .._pdata_receive import MessageAssembler, MessageReceived, PDUReceived, UndecodableMessage
from .._pdu import PDUType
from ..messages import Message, Response

__all__ = ["FORMATS", "Record", "decode_records", "detect_format"]

Record = dict[str, Any]
FORMATS: Final = ("command", "command+data", "pdu", "hex")

_HEX_LINE_OFFSET: Final = re.compile(r"^\s*[0-9A-Fa-f]{4,}(:|\s{2})")
_SUMMARY_KEYWORDS: Final = (
    "QueryRetrieveLevel",
    "SOPClassUID",
    "SOPInstanceUID",
    "PatientID",
    "PatientName",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "Modality",
    "AccessionNumber",
    "TransactionUID",
)


def detect_format(data: bytes) -> str | None:
    """The format of ``data`` by its content, or None if it is none of ours."""
    if not data:
        return None
    if all(byte in b"\t\n\r " or 0x20 <= byte < 0x7F for byte in data[:4096]):
        return "hex"
    if data[0] in range(1, 8) and len(data) >= 6 and data[1] == 0:
        return "pdu"
    if len(data) >= 8 and data[:2] == b"\x00\x00":
        end = _command_end(data)
        # what follows the command is a data set only if it is no group 0000 element
        return (
            "command+data" if end < len(data) and data[end : end + 2] != b"\x00\x00" else "command"
        )
    return None


def hex_to_bytes(text: bytes) -> bytes:
    """Bytes from a hex dump: plain hex, ``xxd`` or ``hexdump -C`` output."""
    digits: list[str] = []
    for raw_line in text.decode("ascii").splitlines():
        line = raw_line.split("|", 1)[0]  # hexdump -C's ASCII column
        match = _HEX_LINE_OFFSET.match(line)
        if match:
            line = line[match.end() :]
            if match.group(1) == ":":
                line = line.split("  ", 1)[0]  # xxd's ASCII column
        digits.append(re.sub(r"\s+", "", line))
    joined = "".join(digits)
    if len(joined) % 2 or not re.fullmatch(r"[0-9A-Fa-f]*", joined):
        raise DecodeError("not a hex dump: expected pairs of hex digits")
    return bytes.fromhex(joined)


def _command_end(data: bytes) -> int:
    """Where the command set ends: after the last element of group 0000."""
    offset = 0
    while offset + 8 <= len(data):
        group, _element, length = struct.unpack_from("<HHI", data, offset)
        if group != 0 or offset + 8 + length > len(data):
            break
        offset += 8 + length
    return offset


def decode_records(
    data: bytes, source: str, fmt: str | None, syntaxes: dict[int, str]
) -> Iterator[Record]:
    """Records for everything ``data`` holds, decoded leniently so that every deviation
    is shown; ``syntaxes`` maps context IDs to transfer syntaxes and is updated from any
    A-ASSOCIATE PDUs seen."""
    fmt = fmt or detect_format(data)
    if fmt is None:
        yield _error(source, DecodeError("empty input" if not data else _unknown(data)))
        return
    if fmt == "hex":
        try:
            data = hex_to_bytes(data)
        except (DecodeError, UnicodeDecodeError) as error:
            problem = error if isinstance(error, DecodeError) else DecodeError(str(error))
            yield _error(source, problem)
            return
        yield from decode_records(data, source, None, syntaxes)
        return
    if fmt == "pdu":
        yield from _pdu_records(data, source, syntaxes)
        return
    end = _command_end(data) if fmt == "command+data" else len(data)
    data_set = data[end:] if end < len(data) else None
    try:
        decoded = decode_command(data[:end], data_set=data_set)
    except DecodeError as error:
        yield _error(source, error)
        return
    yield _message_record(source, None, decoded.message, decoded.diagnostics, None)


def _unknown(data: bytes) -> str:
    return (
        f"not a command set, PDU stream or hex dump: it starts with {data[:8].hex(' ')} "
        "(a command set starts with group 0000, a PDU with a type from 01 to 07)"
    )


def _pdu_records(data: bytes, source: str, syntaxes: dict[int, str]) -> Iterator[Record]:
    """Records for a PDU stream; the file's end is the stream's end, so a stream cut
    anywhere but between PDUs with no message pending ends in an error record."""
    assembler = MessageAssembler()
    events: list[MessageReceived | UndecodableMessage | PDUReceived] = []
    failure: FramingError | None = None
    try:
        events += assembler.feed(data)
        events += assembler.close()
    except FramingError as error:
        events += error.events  # what came whole before the break
        failure = error
    for event in events:
        if isinstance(event, PDUReceived):
            record = _pdu_record(source, event, syntaxes)
            if event.diagnostics:
                record["diagnostics"] = [_diagnostic_record(d) for d in event.diagnostics]
            yield record
        elif isinstance(event, UndecodableMessage):
            record = _error(source, event.error)
            record["context_id"] = event.context_id
            yield record
        else:
            yield _received_record(source, event, syntaxes)
    if failure is not None:
        yield _error(source, failure)


def _pdu_record(source: str, event: PDUReceived, syntaxes: dict[int, str]) -> Record:
    record: Record = {
        "source": source,
        "kind": "pdu",
        "name": event.pdu_type.name.replace("_", "-"),
        "length": len(event.pdu),
    }
    if event.pdu_type in (PDUType.A_ASSOCIATE_RQ, PDUType.A_ASSOCIATE_AC):
        try:
            summary = read_associate(event.pdu)
        except FramingError as error:
            record["error"] = error.rule
            return record
        record.update(
            called_ae_title=summary.called_ae_title,
            calling_ae_title=summary.calling_ae_title,
            max_pdu_length=summary.max_pdu_length,
            contexts=[
                {
                    "id": context.context_id,
                    "abstract_syntax": context.abstract_syntax,
                    "transfer_syntaxes": list(context.transfer_syntaxes),
                    "result": context.result_name,
                }
                for context in summary.contexts
            ],
        )
        for context in summary.contexts:
            if len(context.transfer_syntaxes) == 1 and context.result in (None, 0):
                syntaxes[context.context_id] = context.transfer_syntaxes[0]
    elif event.pdu_type == PDUType.A_ABORT and len(event.pdu) >= 10:
        record.update(source_of_abort=event.pdu[8], reason=event.pdu[9])
    return record


def _received_record(source: str, event: MessageReceived, syntaxes: dict[int, str]) -> Record:
    return _message_record(
        source,
        event.context_id,
        event.message,
        event.diagnostics,
        syntaxes.get(event.context_id),
    )


def _message_record(
    source: str,
    context_id: int | None,
    message: Message,
    diagnostics: tuple[Diagnostic, ...],
    transfer_syntax: str | None,
) -> Record:
    record: Record = {
        "source": source,
        "kind": "message",
        "name": message.command_field.message_name,
        "class": type(message).__name__,
        "context_id": context_id,
        "command": to_dict(message),
    }
    if isinstance(message, Response):
        record["status"] = {
            "code": int(message.status),
            "category": message.status.category.value,
            "meaning": message.status_meaning,
            "service_class": message.service_class.value,
        }
    payload = message.data_set_payload
    if payload is not None:
        record["data_set"] = _data_set_record(message, payload.to_bytes(), transfer_syntax)
    record["diagnostics"] = [_diagnostic_record(d) for d in diagnostics]
    return record


def _looks_explicit(data: bytes) -> bool:
    """Whether the first element has a VR after its tag (Explicit VR Little Endian)."""
    return len(data) >= 8 and data[4:6] in _VRS


_VRS: Final = frozenset(
    vr.encode()
    for vr in [
        "AE",
        "AS",
        "AT",
        "CS",
        "DA",
        "DS",
        "DT",
        "FD",
        "FL",
        "IS",
        "LO",
        "LT",
        "OB",
        "OD",
        "OF",
        "OL",
        "OV",
        "OW",
        "PN",
        "SH",
        "SL",
        "SQ",
        "SS",
        "ST",
        "SV",
        "TM",
        "UC",
        "UI",
        "UL",
        "UN",
        "UR",
        "US",
        "UT",
        "UV",
    ]
)


def _data_set_record(message: Message, data: bytes, transfer_syntax: str | None) -> Record:
    record: Record = {"parameter": type(message).data_set_field(), "length": len(data)}
    guess = ExplicitVRLittleEndian if _looks_explicit(data) else ImplicitVRLittleEndian
    candidates = [transfer_syntax] if transfer_syntax else [guess]
    for syntax in candidates:
        attributes = _summarise(data, syntax)
        if attributes is not None:
            record["transfer_syntax"] = syntax
            record["transfer_syntax_known"] = transfer_syntax is not None
            record["attributes"] = attributes
            break
    return record


def _summarise(data: bytes, transfer_syntax: str) -> dict[str, str] | None:
    """A few identifying attributes, or None if the bytes do not read as this syntax."""
    syntax = UID(transfer_syntax)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pydicom's guesses are ours to report
            dataset = _read(data, syntax)
        found = {}
        for keyword in _SUMMARY_KEYWORDS:
            if keyword not in dataset:
                continue
            value = dataset[keyword].value
            if value not in (None, ""):
                name = getattr(value, "name", "") if keyword == "SOPClassUID" else ""
                found[keyword] = f"{value} ({name})" if name else str(value)
    except Exception:  # any failure means: not this transfer syntax
        return None
    if not found and len(data) > 0:
        return None
    return found


def _read(data: bytes, syntax: UID) -> Dataset:
    """The attributes up to group 0020 (never the pixel data) of a bare data set."""
    if syntax.is_deflated:
        data = zlib.decompressobj(-zlib.MAX_WBITS).decompress(data, 1 << 20)
    return read_dataset(
        BytesIO(data),
        is_implicit_VR=syntax.is_implicit_VR,
        is_little_endian=syntax.is_little_endian,
        stop_when=lambda tag, vr, length: tag > 0x0020_FFFF,
    )


def _diagnostic_record(diagnostic: Diagnostic) -> Record:
    return {
        "severity": diagnostic.severity.value,
        "offset": diagnostic.offset,
        "tag": None if diagnostic.tag is None else f"{diagnostic.tag:08X}",
        "what": diagnostic.what,
        "rule": diagnostic.rule,
    }


def _error(source: str, error: DimseError) -> Record:
    record: Record = {"source": source, "kind": "error", "error": type(error).__name__}
    if isinstance(error, DecodeError):
        record.update(
            reason=error.reason,
            offset=error.offset,
            tag=None if error.tag is None else f"{error.tag:08X}",
            suggested_status=f"0x{error.suggested_status:04X}",
        )
    elif isinstance(error, FramingError):
        record.update(reason=error.rule, offset=error.offset)
    else:
        record.update(reason=str(error))
    return record


def exit_status(records: list[Record], strict: bool) -> int:
    """0 clean; 1 diagnostics (errors, or any with ``strict``); 2 something undecodable."""
    if any(record["kind"] == "error" for record in records):
        return 2
    for record in records:
        for diagnostic in record.get("diagnostics", ()):
            if strict or diagnostic["severity"] == Severity.ERROR.value:
                return 1
    return 0
