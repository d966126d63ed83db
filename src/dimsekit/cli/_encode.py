"""``dimsekit encode``: messages given as JSON back into bytes.

Owns: reading the input (one JSON object, or JSON Lines: records as ``decode --json``
prints them, or bare command objects), and writing either the command set of its one
message (followed by its data set when the input holds it) or, with ``--pdata``, the
P-DATA-TF PDUs of every message in order, each on its record's presentation context.
With ``decode --json --data`` records, which carry each data set and each PDU other
than P-DATA-TF as base64, ``--pdata`` writes the stream again: the other PDUs as they
were, every message fragmented for the maximum length its receiver stated.

Which maximum applies to which stream: an A-ASSOCIATE-RQ is sent by the calling AE and
states what the calling AE receives; the -AC is sent by the called AE and states what
it receives (PS3.8 9.3.2, 9.3.3, D.1).  So the messages of the stream that holds the RQ
are cut for the maximum in the AC (found in another stream of the same input, the same
calling and called AE titles), and those of the stream that holds the AC for the
maximum in the RQ.  ``--max-pdu``, given, applies to every stream (DCMTK, for one, cuts
its PDUs 6 bytes short of the maximum it was given: its streams are written again with
``--max-pdu`` set to that maximum less 6).

A PDU record without its base64 is written from its dict form (``"pdu"``, as ``decode
--json`` prints it; or a bare form, as ``dimsekit.to_json`` writes it); one whose secrets
were redacted (``decode --json`` without ``--show-secrets``) is refused, never sent with a
placeholder.  An input of PDUs alone is written as it is, with or without ``--pdata``.

Must not know: how messages are encoded or fragmented (the library's); argument parsing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

import attrs

from .._codec.converter import from_dict, parse_json, to_dict
from .._codec.encode import data_set_type_for, encode_command
from .._codec.layout import COMMAND_DATA_SET_TYPE, LAYOUTS, NO_DATA_SET
from .._diagnostics import Diagnostic, Severity
from .._errors import DecodeError, DimseError
from .._framing.pdata_send import fragment_message
from .._framing.pdu import PDU_HEADER, PDUType
from .._framing.pdu_encode import encode_pdu
from .._model.fields import BY_TAG
from .._model.payload import DataSetPayload
from ..messages import Message

__all__ = ["DEFAULT_CONTEXT_ID", "DEFAULT_MAX_PDU", "EncodeOptions", "encode", "read_documents"]

DEFAULT_CONTEXT_ID: Final = 1
DEFAULT_MAX_PDU: Final = 16382
"""The maximum PDU length used where neither the input nor ``--max-pdu`` gives one."""

Document = dict[str, Any]


@attrs.frozen
class EncodeOptions:
    pdata: bool = False
    context_id: int | None = None
    """For every message, if given; else each record's own, else 1."""
    max_pdu: int | None = None
    """For every stream, if given; else what the input's A-ASSOCIATE PDUs say applies to
    it, else :data:`DEFAULT_MAX_PDU`."""
    data_set: DataSetPayload | None = None
    """The data set of the one message in the input."""
    data_set_type: int | None = None


@attrs.frozen
class _Item:
    """One line of input that becomes output: a message, or a PDU written as it was."""

    line: int
    source: str | None
    command: Mapping[str, object] | None = None
    context_id: int | None = None
    data: bytes | None = None
    pdu: bytes | None = None


def read_documents(text: bytes) -> list[tuple[int, Document]]:
    """(line number, object) for each line of JSON Lines, or the one JSON object the
    whole input is (an object may then span lines)."""
    try:
        whole = parse_json(text)
    except DecodeError:
        whole = None
    else:
        if not isinstance(whole, dict):
            raise DimseError("expected a JSON object, or JSON Lines of objects")
        return [(1, whole)]
    documents = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            document = parse_json(line)
        except DecodeError as error:
            raise DimseError(f"line {number}: {error.reason}") from None
        if not isinstance(document, dict):
            raise DimseError(f"line {number}: expected a JSON object")
        documents.append((number, document))
    if not documents:
        raise DimseError("not JSON: the input is empty")
    return documents


def _items(documents: list[tuple[int, Document]]) -> list[_Item]:
    items = []
    for number, document in documents:
        kind = document.get("kind")
        source = document.get("source")
        source = source if isinstance(source, str) else None
        if kind == "error":
            raise DimseError(
                f"line {number}: an error record ({document.get('reason', 'undecodable')}): "
                "the input could not be decoded there, so there is nothing to encode"
            )
        if kind == "pdu":
            raw = document.get("base64")
            form = document.get("pdu")
            if raw is not None:  # the bytes as they came
                pdu = _pdu(number, raw)
            elif isinstance(form, dict):  # the PDU's dict form, as decode --json prints it
                pdu = _pdu_of_form(number, form)
            else:
                pdu = None
            items.append(_Item(number, source, pdu=pdu))
            continue
        if kind is None and "pdu_type" in document:  # a bare PDU form (dimsekit.to_json)
            items.append(_Item(number, source, pdu=_pdu_of_form(number, document)))
            continue
        if kind == "message" or isinstance(document.get("command"), dict):
            command = document.get("command")
            if not isinstance(command, dict):
                raise DimseError(f"line {number}: a message record holds a command object")
            data_set = document.get("data_set")
            encoded = data_set.get("base64") if isinstance(data_set, dict) else None
            context_id = document.get("context_id")
            if context_id is not None and (type(context_id) is not int):
                raise DimseError(f"line {number}: context_id is an integer, not {context_id!r}")
            data = None if encoded is None else _base64(number, "data_set.base64", encoded)
            items.append(_Item(number, source, command, context_id, data))
            continue
        if kind is None:  # a bare command object
            items.append(_Item(number, None, document))
            continue
        raise DimseError(f"line {number}: a record of kind {kind!r} holds no message")
    return items


def _base64(number: int, key: str, value: object) -> bytes:
    try:
        if not isinstance(value, str):
            raise ValueError(f"{type(value).__name__}, not a string")
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error) as error:
        raise DimseError(f"line {number}: {key} is not base64: {error}") from None


def _pdu_of_form(number: int, form: Document) -> bytes:
    """The bytes of the PDU a dict form describes (refused if its secrets were redacted)."""
    try:
        return encode_pdu(from_dict(form, pdu=True).pdu)  # type: ignore[arg-type]
    except DimseError as error:
        reason = error.reason if isinstance(error, DecodeError) else str(error)
        raise DimseError(f"line {number}: this PDU cannot be encoded: {reason}") from None


def _pdu(number: int, value: object) -> bytes:
    pdu = _base64(number, "base64", value)
    if len(pdu) < PDU_HEADER.size or PDU_HEADER.unpack_from(pdu)[2] + PDU_HEADER.size != len(pdu):
        raise DimseError(f"line {number}: base64 holds no whole PDU (PS3.8 9.3.1)")
    return pdu


def _limits(documents: list[tuple[int, Document]]) -> dict[str, int]:
    """Source -> the maximum PDU length of the side that receives what it sends."""
    requests: list[tuple[str, tuple[str, str], int | None]] = []
    accepts: list[tuple[str, tuple[str, str], int | None]] = []
    for _, document in documents:
        source = document.get("source")
        if document.get("kind") != "pdu" or not isinstance(source, str):
            continue
        pair = (str(document.get("calling_ae_title")), str(document.get("called_ae_title")))
        limit = document.get("max_pdu_length")
        entry = (source, pair, limit if type(limit) is int else None)
        if document.get("name") == PDUType.A_ASSOCIATE_RQ.label:
            requests.append(entry)
        elif document.get("name") == PDUType.A_ASSOCIATE_AC.label:
            accepts.append(entry)
    limits: dict[str, int] = {}
    for request_source, pair, request_limit in requests:
        for index, (accept_source, accept_pair, accept_limit) in enumerate(accepts):
            if accept_pair == pair and accept_source != request_source:
                if accept_limit is not None:
                    limits.setdefault(request_source, accept_limit)
                if request_limit is not None:
                    limits.setdefault(accept_source, request_limit)
                del accepts[index]
                break
    return limits


def encode(text: bytes, options: EncodeOptions, warn: Any) -> Iterator[bytes]:
    """The bytes to write for ``text``, as they are made.  ``warn`` is called with a
    line of text for what is worth saying but does not stop the work."""
    documents = read_documents(text)
    items = _items(documents)
    messages = [item for item in items if item.command is not None]
    if not messages:
        pdus = [item.pdu for item in items if item.pdu is not None]
        if not pdus:
            raise DimseError("the input holds no message")
        yield from pdus  # PDUs alone (A-ASSOCIATE, A-RELEASE, A-ABORT): written in order
        return
    if options.data_set is not None and len(messages) > 1:
        raise DimseError(
            f"--data-set gives the data set of one message; the input has {len(messages)}: "
            "give records as `decode --json --data` prints them"
        )
    if not options.pdata and len(messages) > 1:
        raise DimseError(
            f"the input has {len(messages)} messages and a command set holds one: write "
            "them with --pdata, or give one"
        )
    limits = _limits(documents) if options.pdata else {}
    unsaid: set[str | None] = set()
    for item in items:
        if item.pdu is not None:
            if options.pdata:
                yield item.pdu
            continue
        if item.command is None:
            continue  # a PDU record without its bytes (no --data): not a message
        if not options.pdata:
            yield from _command_set(item, options)
            continue
        limit = options.max_pdu
        if limit is None and item.source is not None:
            limit = limits.get(item.source)
        if limit is None:
            limit = DEFAULT_MAX_PDU
            if item.source not in unsaid:
                unsaid.add(item.source)
                where = f"{item.source}: " if item.source else ""
                warn(
                    f"{where}the input holds no A-ASSOCIATE PDU of the side that receives "
                    f"this stream: PDUs of up to {limit} bytes (--max-pdu sets it)"
                )
        message, data_set_type = _message(item, options)
        context_id = options.context_id
        if context_id is None:
            context_id = DEFAULT_CONTEXT_ID if item.context_id is None else item.context_id
        for pdu in fragment_message(message, context_id, limit, data_set_type=data_set_type):
            yield b"".join(pdu)


def _message(item: _Item, options: EncodeOptions) -> tuple[Any, int | None]:
    """The message of ``item`` with its data set, and the Command Data Set Type to send
    (None: the message's own).  A message whose command set announces a data set the
    input does not hold is refused; 0x0101 asked for drops the data set (and the
    model says whether the message may go without one)."""
    assert item.command is not None
    command = dict(item.command)
    data_set_type = options.data_set_type
    payload: DataSetPayload | None = options.data_set
    if payload is None and item.data is not None:
        payload = DataSetPayload(item.data)
    if data_set_type == NO_DATA_SET:
        command[COMMAND_DATA_SET_TYPE.keyword] = NO_DATA_SET
        payload, data_set_type = None, None
    # Lenient, so that what a decoded message kept (extra elements, its Command Data
    # Set Type) is written back; but a message the model refuses is not encoded.
    decoded = from_dict(command, data_set=payload)
    if COMMAND_DATA_SET_TYPE.keyword not in command:
        # Like the group length, the encoder derives it from the message (PS3.7 9.3,
        # 10.3): an input without it lacks no value of the message's own.
        command[COMMAND_DATA_SET_TYPE.keyword] = data_set_type_for(decoded.message, None)
        decoded = from_dict(command, data_set=payload)
    message = decoded.message
    refused = [d for d in decoded.diagnostics if d.severity is Severity.ERROR]
    name = message.command_field.message_name
    if refused:
        raise DimseError(f"line {item.line}: " + "; and ".join(_why(message, refused)))
    if message.data_set_payload is not None and payload is None:
        field = type(message).data_set_field()
        announced = data_set_type_for(message, None)  # what its command set says
        raise DimseError(
            f"line {item.line}: the command set of this {name} announces its {field} "
            f"(Command Data Set Type 0x{announced:04X}), "
            "which the input does not hold: give it with --data-set FILE or as "
            "`decode --json --data` records carry it, or send none with "
            f"--data-set-type 0x{NO_DATA_SET:04X}"
        )
    return message, data_set_type


def _why(message: Message, refused: list[Diagnostic]) -> Iterator[str]:
    """Why ``message`` is not encoded, one phrase per error diagnostic its decoding gave.

    Encoding is strict: a command that lacks an element PS3.7 marks M is refused, even
    one the model has a value for that lenient decoding assumes (and reports).  Its
    phrase names the element and its rule, and gives the value assumed as JSON to write.
    """
    name = message.command_field.message_name
    assumed = {
        spec.tag: (field, spec, default) for field, spec, default in LAYOUTS[type(message)].assumed
    }
    for diagnostic in refused:
        found = assumed.get(diagnostic.tag) if diagnostic.tag is not None else None
        if found is not None and getattr(message, found[0]) == found[2]:
            spec = found[1]
            shown = json.dumps({spec.keyword: to_dict(message)[spec.keyword]})[1:-1]
            yield (
                f"a {name} must have {spec.keyword} {spec.tag_text} [{diagnostic.rule}]; "
                f"write it (dimsekit would assume {shown})"
            )
            continue
        element = None if diagnostic.tag is None else BY_TAG.get(diagnostic.tag)
        if diagnostic.tag is not None and element is None:
            yield f"this {name} cannot be encoded: {diagnostic}"  # an element of no name
            continue
        where = ""
        if element is not None and element.tag_text not in diagnostic.what:
            where = f"{element.tag_text}: "  # once, whether or not ``what`` names it
        yield f"this {name} cannot be encoded: {where}{diagnostic.what} [{diagnostic.rule}]"


def _command_set(item: _Item, options: EncodeOptions) -> Iterator[bytes]:
    """The command set, then the data set the message carries (the command+data form
    ``decode`` reads)."""
    message, data_set_type = _message(item, options)
    yield encode_command(message, data_set_type=data_set_type)
    payload = message.data_set_payload
    if payload is not None:
        yield from (bytes(chunk) for chunk in payload.chunks())
