"""``dimsekit decode``: find the DIMSE messages in captured bytes.

Owns: recognising what a file holds from its first bytes (a bare command set, a command
set followed by its data set, an upper-layer PDU stream as read off a socket, or a hex
dump of any of these, ``_hexdump``), decoding it with the library, and describing each
message, PDU and failure as a plain record (a dict that is already JSON) for ``_render``
to print.  Cost is bounded whatever the input: a PDU stream is fed to the
:class:`~dimsekit.MessageAssembler` a chunk at a time (data sets beyond a budget go to
a temporary file), a PDU stream in a hex dump as the dump is read (so a framing error
stops the reading), a command set is read up to the decoder's limit and a byte more
(the decoder refuses more), a data set after a bare command set stays in its file, and
input that can be none of these is refused from its first bytes.

Must not know: how records are printed; argument parsing.
"""

from __future__ import annotations

import base64
import enum
import io
import json
import struct
import tempfile
import warnings
import zlib
from collections.abc import Iterable, Iterator
from io import BytesIO
from typing import IO, Any, Final

import attrs
from pydicom.dataset import Dataset
from pydicom.filereader import read_dataset
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from .._codec.converter import to_dict
from .._codec.decode import MAX_COMMAND_LENGTH, decode_command
from .._codec.layout import GROUP_LENGTH
from .._diagnostics import Diagnostic, Severity
from .._errors import DecodeError, DimseError
from .._framing.events import FramingError
from .._framing.items import ContextResult, PresentationContextRQ, UserIdentityRQ
from .._framing.pdata_receive import (
    Event,
    MessageAssembler,
    MessageReceived,
    PDUReceived,
    UndecodableMessage,
)
from .._framing.pdu import PDUType
from .._framing.pdu_layout import ITEM_LAYOUTS
from .._framing.pdus import AAbort, AAssociateAC, AAssociateRJ, AAssociateRQ, AbortSource
from .._model.payload import DataSetPayload
from ..messages import Message, Response
from ._hexdump import read_hex_dump
from ._learned import LearnedAssociation

__all__ = [
    "FORMATS",
    "SUMMARY_PREFIX",
    "DecodeOptions",
    "Record",
    "data_set_record",
    "decode_file",
    "detect_format",
    "diagnostic_record",
    "message_record",
    "record_status",
]

Record = dict[str, Any]
FORMATS: Final = ("command", "command+data", "pdu", "hex")

_CHUNK: Final = 1 << 18
"""How much of a file is read, and fed to the assembler, at a time."""
_MEMORY_BUDGET: Final = 16 << 20
"""The bytes of one received data set kept in memory; beyond, a temporary file."""
SUMMARY_PREFIX: Final = 1 << 20
"""How much of a data set is read to summarise it (its attributes up to group 0020)."""
_TEXT_PROBE: Final = 4096
_PART10_PREAMBLE: Final = 128
_PART10_MAGIC: Final = b"DICM"
_FORMAT_HEAD: Final = _PART10_PREAMBLE + len(_PART10_MAGIC)
"""The most first bytes that say what an input is (a Part-10 file's preamble and magic)."""
_SPOOL_IN_MEMORY: Final = 8 << 20
"""What a stream of a hex dump keeps in memory of its bytes or records; beyond, a file."""
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


@attrs.frozen
class DecodeOptions:
    """``fmt``: one of :data:`FORMATS`, or None to detect; ``include_data``: put each
    data set, and each PDU other than P-DATA-TF, in its record as base64 (what
    ``encode`` needs to write the stream again)."""

    fmt: str | None = None
    include_data: bool = False
    show_secrets: bool = False
    """Put secrets (a User Identity passcode or token, PS3.7 D.3.3.7) in the records."""


def detect_format(head: bytes) -> str | None:
    """The format of an input by its first bytes, or None if it is none of ours."""
    if not head:
        return None
    if all(byte in b"\t\n\r " or 0x20 <= byte < 0x7F for byte in head[:_TEXT_PROBE]):
        return "hex"
    return _binary_format(head)


def _binary_format(head: bytes) -> str | None:
    """``pdu``, ``command`` (with or without a data set after it) or None, from at most
    the first :data:`_FORMAT_HEAD` bytes: a PDU starts with its type, 01 to 07 (PS3.8
    9.3.1), then 00; a command set with a group 0000 element, and if that is (0000,0000)
    Command Group Length, a UL, its length is 4 (PS3.7 9.3, 10.3; PS3.5 7.1.2); a Part-10
    file has ``DICM`` after its 128-byte preamble (PS3.10 7.1).

    The 00 after a PDU's type is a heuristic of ours: that byte is reserved, and PS3.8
    9.3.1 has a receiver not test it, but that rule is for a peer reading an
    association, not for guessing what a file holds, where a 00 there tells a PDU stream
    from other bytes that start with 01 to 07."""
    if _is_part10(head):
        return None
    if len(head) >= 6 and head[0] in _PDU_TYPES and head[1] == 0:
        return "pdu"
    if len(head) >= 8 and head[:2] == b"\x00\x00":
        _group, element, length = struct.unpack_from("<HHI", head)
        if length > MAX_COMMAND_LENGTH or (element == 0 and length != 4):
            return None
        return "command"
    return None


_PDU_TYPES: Final = frozenset(int(kind) for kind in PDUType)


def _is_part10(head: bytes) -> bool:
    return head[_PART10_PREAMBLE:_FORMAT_HEAD] == _PART10_MAGIC


def _unknown(head: bytes) -> DecodeError:
    """Why input that starts with ``head`` is none of the inputs ``decode`` reads."""
    if not head:
        return DecodeError("empty input")
    if _is_part10(head):
        return DecodeError(
            "a DICOM Part-10 file (128-byte preamble, then 'DICM', PS3.10 7.1): it holds "
            "a data set, not a DIMSE message; decode reads command sets and PDU streams"
        )
    if len(head) >= 8 and head[:2] == b"\x00\x00":
        _group, element, length = struct.unpack_from("<HHI", head)
        if element == 0 and length != 4:
            return DecodeError(
                f"not a command set: it starts with {GROUP_LENGTH.tag_text} "
                f"{GROUP_LENGTH.keyword} of length {length}, which is a UL of 4 bytes "
                "(PS3.7 9.3, 10.3)",
                offset=0,
                tag=GROUP_LENGTH.tag,
            )
        return DecodeError(
            f"not a command set: its first element claims {length} bytes, and a command "
            f"set has at most {MAX_COMMAND_LENGTH}",
            offset=0,
        )
    return DecodeError(
        f"not a command set, PDU stream or hex dump: it starts with {head[:8].hex(' ')} "
        "(a command set starts with group 0000, a PDU with a type from 01 to 07)"
    )


def decode_file(
    stream: IO[bytes],
    source: str,
    options: DecodeOptions,
    learned: LearnedAssociation,
    *,
    path: str | None = None,
) -> Iterator[Record]:
    """Records for everything ``stream`` holds, decoded leniently so that every
    deviation is shown.  ``path`` names the file ``stream`` reads, if it is one (a data
    set after a command set is then left in it); ``learned`` is what the A-ASSOCIATE PDUs
    seen so far said (the contexts' transfer syntaxes, the RQ an AC answers), and learns
    from those in ``stream``."""
    head = _read_up_to(stream, _CHUNK)
    fmt = options.fmt or detect_format(head)
    if fmt is None:
        yield _error(source, _unknown(head))
        return
    rejoined = _Rejoined(head, stream)
    if fmt == "hex":
        yield from _hex_records(rejoined, source, options, learned)
    elif fmt == "pdu":
        yield from _pdu_records(_chunks(rejoined), source, learned, options)
    else:
        yield from _command_records(rejoined, source, options, path)


def _read_up_to(stream: IO[bytes], size: int) -> bytes:
    """``size`` bytes, or fewer at the end of the stream (a pipe may give less a read)."""
    parts = []
    while size > 0:
        part = stream.read(size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


class _Rejoined(io.BufferedReader):
    """A stream again from its first byte: the head already read, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        super().__init__(_RejoinedRaw(head, rest), _CHUNK)


class _RejoinedRaw(io.RawIOBase):
    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        target = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(target), len(self._head))
            target[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(target))
        target[: len(data)] = data
        return len(data)


def _hex_records(
    stream: IO[bytes], source: str, options: DecodeOptions, learned: LearnedAssociation
) -> Iterator[Record]:
    def open_stream(head: bytes) -> _DumpedStream | DecodeError:
        fmt = _binary_format(head)  # a dump of a dump is none of ours
        return _unknown(head) if fmt is None else _DumpedStream(fmt, options, learned)

    try:
        directions = read_hex_dump(stream, open_stream, _FORMAT_HEAD)
    except (DecodeError, UnicodeDecodeError) as error:
        problem = error if isinstance(error, DecodeError) else DecodeError(str(error))
        yield _error(source, problem)
        return
    if not directions:
        yield _error(source, DecodeError("the hex dump holds no bytes"))
    try:
        for direction in directions:
            name = source if direction.name is None else f"{source} ({direction.name})"
            if direction.consumer is None:
                assert direction.refused is not None
                yield _error(name, direction.refused)
            else:
                yield from direction.consumer.records(name)
    finally:
        for direction in directions:
            if direction.consumer is not None:
                direction.consumer.close()


class _DumpedStream:
    """One stream of a hex dump, decoded as ``_hexdump`` reads it.

    A PDU stream goes to the assembler as it comes, so that a framing error stops the
    reading; its records wait, as JSON Lines in a spool, for the stream's name, which is
    known when the dump ends.  A command set, and any data set after it, is spooled and
    decoded at the end.
    """

    def __init__(self, fmt: str, options: DecodeOptions, learned: LearnedAssociation) -> None:
        self._options = attrs.evolve(options, fmt=None)
        # its records are named when they are read, by records()
        self._pdus = _PDUStream("", learned, options) if fmt == "pdu" else None
        # closed by close(), which the caller of read_hex_dump calls
        self._spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115

    def feed(self, data: bytes) -> bool:
        if self._pdus is None:
            self._spool.write(data)
            return True
        self._keep(self._pdus.feed(data))
        return not self._pdus.failed

    def _keep(self, records: list[Record]) -> None:
        self._spool.writelines(json.dumps(record).encode("ascii") + b"\n" for record in records)

    def records(self, source: str) -> Iterator[Record]:
        """The records of the stream, named ``source``."""
        if self._pdus is None:
            self._spool.seek(0)
            yield from _command_records(self._spool, source, self._options, None)
            return
        if not self._pdus.failed:
            self._keep(self._pdus.close())
        self._spool.seek(0)
        for line in self._spool:
            record: Record = json.loads(line)
            record["source"] = source
            yield record

    def close(self) -> None:
        self._spool.close()


def _command_records(
    stream: IO[bytes], source: str, options: DecodeOptions, path: str | None
) -> Iterator[Record]:
    """A command set, read up to the decoder's limit and a byte more, and any data set
    after it (left in its file, or spooled to a temporary one).  With ``--format
    command`` all of the input is the command set."""
    prefix = _read_up_to(stream, MAX_COMMAND_LENGTH + 1)
    end = _command_end(prefix)
    # what follows the command is a data set only if it is no group 0000 element
    data_follows = end < len(prefix) and prefix[end : end + 2] != b"\x00\x00"
    if options.fmt == "command" or not data_follows:
        # all of it is the command set: maybe a truncated one, or one a byte longer
        # than MAX_COMMAND_LENGTH, which decode_command refuses unread
        end = len(prefix)
        data_follows = False
    data_set = _rest_as_payload(prefix, end, stream, path) if data_follows else None
    try:
        decoded = decode_command(prefix[:end], data_set=data_set)
    except DecodeError as error:
        yield _error(source, error)
        return
    yield message_record(source, None, decoded.message, decoded.diagnostics, None, options)


def _rest_as_payload(
    prefix: bytes, end: int, stream: IO[bytes], path: str | None
) -> DataSetPayload:
    """What follows the command set: the rest of the file ``path``, or, from a stream,
    a temporary file it is copied to a chunk at a time."""
    if path is not None:
        return DataSetPayload.from_file(path, offset=end)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (the payload closes it)
    spool.write(prefix[end:])
    for chunk in _chunks(stream):
        spool.write(chunk)
    spool.seek(0)
    return DataSetPayload.from_file(spool, close_with_payload=True)


def _command_end(data: bytes) -> int:
    """Where the command set ends: after the last element of group 0000."""
    offset = 0
    while offset + 8 <= len(data):
        group, _element, length = struct.unpack_from("<HHI", data, offset)
        if group != 0 or offset + 8 + length > len(data):
            break
        offset += 8 + length
    return offset


def _pdu_records(
    chunks: Iterable[bytes], source: str, learned: LearnedAssociation, options: DecodeOptions
) -> Iterator[Record]:
    """The records of a PDU stream, fed to the assembler a chunk at a time."""
    stream = _PDUStream(source, learned, options)
    for chunk in chunks:
        yield from stream.feed(chunk)
        if stream.failed:
            return
    yield from stream.close()


class _PDUStream:
    """A PDU stream as it comes, a chunk at a time, to the records of what it holds; after
    a framing error, its last record, it is ``failed`` and takes no more."""

    def __init__(self, source: str, learned: LearnedAssociation, options: DecodeOptions) -> None:
        self._assembler = MessageAssembler(memory_budget=_MEMORY_BUDGET)
        self._source = source
        self._learned = learned
        self._options = options
        self.failed = False

    def feed(self, chunk: bytes) -> list[Record]:
        """The records of what ``chunk`` completed (the messages before a break too)."""
        try:
            events = self._assembler.feed(chunk)
        except FramingError as error:
            return self._failure(error)
        return self._records(events)

    def close(self) -> list[Record]:
        """The records of the stream's end.  The file's end is the stream's end, so a
        stream cut anywhere but between PDUs with no message pending ends in an error."""
        try:
            events = self._assembler.close()
        except FramingError as error:
            return self._failure(error)
        return self._records(events)

    def _failure(self, error: FramingError) -> list[Record]:
        self.failed = True
        return [*self._records(error.events), _error(self._source, error)]

    def _records(self, events: Iterable[Event]) -> list[Record]:
        return list(_event_records(events, self._source, self._learned, self._options))


def _event_records(
    events: Iterable[Event], source: str, learned: LearnedAssociation, options: DecodeOptions
) -> Iterator[Record]:
    for event in events:
        if isinstance(event, PDUReceived):
            yield _pdu_record(source, event, learned, options)
        elif isinstance(event, UndecodableMessage):
            record = _error(source, event.error)
            record["context_id"] = event.context_id
            yield record
        else:
            yield _received_record(source, event, learned, options.include_data)


def _pdu_record(
    source: str, event: PDUReceived, learned: LearnedAssociation, options: DecodeOptions
) -> Record:
    record: Record = {
        "source": source,
        "kind": "pdu",
        "name": event.pdu_type.label,
        "length": len(event.pdu),
        "diagnostics": [diagnostic_record(d) for d in event.diagnostics],
    }
    if options.include_data:
        record["base64"] = base64.b64encode(event.pdu).decode("ascii")
    decoded = event.decoded  # decoded once, by the assembler
    if isinstance(decoded, DecodeError):
        record["error"] = decoded.reason
        return record
    pdu = decoded.pdu
    said = {(d["what"], d["rule"]) for d in record["diagnostics"]}
    record["diagnostics"].extend(
        diagnostic_record(d)
        for d in decoded.diagnostics + learned.learn(pdu)
        if (d.what, d.rule) not in said
    )
    # the dict form, which `encode` builds the PDU from again (secrets only if asked)
    form = to_dict(pdu, show_secrets=options.show_secrets)
    if isinstance(pdu, AAssociateRQ | AAssociateAC):
        record.update(_associate_record(pdu, form))
    elif isinstance(pdu, AAssociateRJ):
        record.update(
            result=_words(pdu.result),
            source_of_reject=_words(pdu.source),
            reason=_words(pdu.reason),
        )
    elif isinstance(pdu, AAbort):
        # the reason is significant only when the provider aborts (PS3.8 9.3.8)
        significant = pdu.source == AbortSource.SERVICE_PROVIDER or pdu.reason != 0
        record.update(
            source_of_abort=_words(pdu.source),
            reason=_words(pdu.reason) if significant else "not significant",
        )
    record["pdu"] = form
    return record


def _words(value: object) -> str:
    """A coded value in words: its enum member's name (PS3.8 9.3), or its code where the
    standard defines none."""
    if isinstance(value, enum.Enum):
        return value.name.lower().replace("_", " ").replace("ae title", "AE title")
    return f"code {value!r} (not defined)"


def _associate_record(pdu: AAssociateRQ | AAssociateAC, form: Record) -> Record:
    """An A-ASSOCIATE-RQ or -AC in full: who sends it to whom, each context by ID with
    its syntaxes named, the result in words, every user information sub-item."""
    is_request = isinstance(pdu, AAssociateRQ)
    contexts = []
    for context in pdu.presentation_contexts:
        if isinstance(context, PresentationContextRQ):
            offered = list(context.transfer_syntaxes)
            entry: Record = {
                "id": context.context_id,
                "abstract_syntax": str(context.abstract_syntax),
                "abstract_syntax_name": _uid_name(context.abstract_syntax),
                "transfer_syntaxes": [str(uid) for uid in offered],
                "transfer_syntax_names": [_uid_name(uid) for uid in offered],
                "result": None,
            }
        else:
            syntax = context.transfer_syntax
            accepted = context.result == ContextResult.ACCEPTANCE
            # a rejected context's transfer syntax is not significant (PS3.8 9.3.3.2)
            shown = [] if syntax is None or not accepted else [str(syntax)]
            entry = {
                "id": context.context_id,
                "abstract_syntax": None,
                "abstract_syntax_name": None,
                "transfer_syntaxes": shown,
                "transfer_syntax_names": [_uid_name(uid) for uid in shown],
                "result": _words(context.result),
            }
        contexts.append(entry)
    information = pdu.user_information
    forms = form["user_information"]["sub_items"]
    return {
        "called_ae_title": pdu.called_ae_title,
        "calling_ae_title": pdu.calling_ae_title,
        # the requestor is the calling AE, the acceptor the called AE (PS3.8 9.3.2, 9.3.3)
        "sent_by": pdu.calling_ae_title if is_request else pdu.called_ae_title,
        "sent_to": pdu.called_ae_title if is_request else pdu.calling_ae_title,
        # what the sender receives: the limit on the PDUs the other side sends (PS3.8 D.1)
        "max_pdu_length": information.maximum_length,
        "application_context": str(pdu.application_context.name),
        "application_context_name": _uid_name(pdu.application_context.name),
        "contexts": contexts,
        "user_information": [
            _sub_item_record(item, shown)
            for item, shown in zip(information.sub_items, forms, strict=True)
        ],
        "unknown_items": [
            f"{item.item_type:02X}H ({len(item.data)} bytes)" for item in pdu.unknown_items
        ],
    }


def _sub_item_record(item: object, form: Record) -> Record:
    """One user information sub-item: its type and name as PS3.7 D.3.3 gives them, and
    its fields as its dict form has them (secrets redacted there unless asked)."""
    code = getattr(type(item), "ITEM_TYPE", None)
    if code is None:
        code = form["item_type"]
        name = "unknown sub-item (kept as received, PS3.8 9.3.1)"
    else:
        name = ITEM_LAYOUTS[code].name
    fields = []
    for key, value in form.items():
        if key in ("type", "received"):
            continue
        if isinstance(value, dict) and "redacted" in value:
            shown = f"<{value['redacted']} bytes, redacted>"
        elif value == "":
            shown = "(empty)"
        elif isinstance(item, UserIdentityRQ) and key == "primary_field":
            shown = repr(bytes.fromhex(value).decode("utf-8", "replace"))  # a username
        elif isinstance(value, list):
            shown = "[" + ", ".join(_with_name(str(v)) for v in value) + "]"
        else:
            shown = _with_name(str(value)) if isinstance(value, str) else str(value)
        fields.append(f"{key} {shown}")
    return {"type": f"{code:02X}H", "name": name, "fields": fields}


def _uid_name(uid: str) -> str | None:
    """pydicom's name of a UID, or None where it has none."""
    name = UID(uid).name
    return name if name and name != uid else None


def _with_name(text: str) -> str:
    is_uid = "." in text and text.replace(".", "").isdigit()
    name = _uid_name(text) if is_uid else None
    return f"{text} ({name})" if name else text


def _received_record(
    source: str, event: MessageReceived, learned: LearnedAssociation, include_data: bool
) -> Record:
    return message_record(
        source,
        event.context_id,
        event.message,
        event.diagnostics,
        learned.syntaxes.get(event.context_id),
        DecodeOptions(include_data=include_data),
    )


def message_record(
    source: str,
    context_id: int | None,
    message: Message,
    diagnostics: tuple[Diagnostic, ...],
    transfer_syntax: str | None,
    options: DecodeOptions = DecodeOptions(),
    data_set: Record | None = None,
) -> Record:
    """The record of one decoded ``message``: its command as JSON, its status, where its
    data set is and what it holds (``data_set``: that record, made by
    :func:`data_set_record`, for a data set the message does not hold), and its
    diagnostics.  ``tap`` reports each message it forwards with the same record."""
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
    if data_set is not None:
        record["data_set"] = data_set
    elif payload is not None:
        leading = _leading_bytes(payload, SUMMARY_PREFIX)
        record["data_set"] = data_set_record(message, len(payload), leading, transfer_syntax)
        if options.include_data:
            encoded = base64.b64encode(payload.to_bytes()).decode("ascii")
            record["data_set"]["base64"] = encoded
    record["diagnostics"] = [diagnostic_record(d) for d in diagnostics]
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


def data_set_record(
    message: Message, length: int, leading: bytes, transfer_syntax: str | None
) -> Record:
    """Where the data set of ``message`` is (its parameter), its ``length``, and a few
    identifying attributes read from its ``leading`` bytes (its first
    :data:`SUMMARY_PREFIX`, or all of a shorter one) in the context's transfer syntax, or
    in the one its first element suggests when that is not known."""
    record: Record = {"parameter": type(message).data_set_field(), "length": length}
    data = leading
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


def _leading_bytes(payload: DataSetPayload, size: int) -> bytes:
    """The first ``size`` bytes of a data set (all of a shorter one), read in chunks."""
    parts: list[bytes] = []
    for chunk in payload.chunks(chunk_size=min(size, _CHUNK)):
        parts.append(bytes(chunk[:size]))
        size -= len(parts[-1])
        if size <= 0:
            break
    return b"".join(parts)


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


def diagnostic_record(diagnostic: Diagnostic) -> Record:
    """A diagnostic as a record holds it (decode and tap alike)."""
    return {
        "severity": diagnostic.severity.value,
        "offset": diagnostic.offset,
        "tag": None if diagnostic.tag is None else f"{diagnostic.tag:08X}",
        "what": diagnostic.what,
        "rule": diagnostic.rule,
        "repeats": diagnostic.repeats,
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


def record_status(record: Record, strict: bool) -> int:
    """What one record means for the exit status: 2 undecodable, 1 diagnostics (errors,
    or any with ``strict``), 0 clean."""
    if record["kind"] == "error":
        return 2
    for diagnostic in record.get("diagnostics", ()):
        if strict or diagnostic["severity"] == Severity.ERROR.value:
            return 1
    return 0
