"""The floor: a minimal hand-written ``struct`` codec for the benchmark's command sets.

No validation, no objects: values in a plain dict, a per-message plan (tag prefixes in
ascending tag order) computed once, the command set and the P-DATA-TF framing (one PDV
per PDU, fragments of max PDU - 6 bytes, rounded down to even) written with ``struct``
and ``bytes.join``; decoding walks PDU and PDV headers and returns the element values
by tag (US/UL as int, text stripped of its padding) and the data set bytes.  This is
about what no Python library can beat; everything a library adds (checking values
against PS3.7, typed messages, diagnostics, streaming state) shows as the ratio to it.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

# The command elements the benchmark uses: keyword -> (element number, VR).  Group 0000.
ELEMENTS: dict[str, tuple[int, str]] = {
    "AffectedSOPClassUID": (0x0002, "UI"),
    "RequestedSOPClassUID": (0x0003, "UI"),
    "CommandField": (0x0100, "US"),
    "MessageID": (0x0110, "US"),
    "MessageIDBeingRespondedTo": (0x0120, "US"),
    "MoveDestination": (0x0600, "AE"),
    "Priority": (0x0700, "US"),
    "CommandDataSetType": (0x0800, "US"),
    "Status": (0x0900, "US"),
    "AffectedSOPInstanceUID": (0x1000, "UI"),
    "RequestedSOPInstanceUID": (0x1001, "UI"),
    "ActionTypeID": (0x1008, "US"),
    "NumberOfRemainingSuboperations": (0x1020, "US"),
    "NumberOfCompletedSuboperations": (0x1021, "US"),
    "NumberOfFailedSuboperations": (0x1022, "US"),
    "NumberOfWarningSuboperations": (0x1023, "US"),
}
_VR_BY_ELEMENT = dict(ELEMENTS.values())

_ELEMENT_HEADER = struct.Struct("<HHI")
_LENGTH = struct.Struct("<I")
_US_ELEMENT = struct.Struct("<HHIH")
_US = struct.Struct("<H")
_UL = struct.Struct("<I")
_PDU = struct.Struct(">BBIIBB")  # PDU header + one PDV item header
_PDU_LENGTH = struct.Struct(">I")
_PDV = struct.Struct(">IBB")

Encoder = Callable[[dict[str, int | str], bytes | None], list[bytes]]
Decoder = Callable[[bytes], tuple[dict[int, int | str], bytes]]


def make_encoder(keywords: list[str], context_id: int, max_pdu: int) -> Encoder:
    """An encoder for messages with these command parameters (plus CommandField and
    CommandDataSetType, which the caller's dict carries and the encoder sets)."""
    plan = sorted(ELEMENTS[keyword] + (keyword,) for keyword in keywords)
    us_pack = _US_ELEMENT.pack
    header_pack = _ELEMENT_HEADER.pack
    pdu_pack = _PDU.pack
    fragment_size = (max_pdu - 6) & ~1

    def encode(values: dict[str, int | str], data: bytes | None) -> list[bytes]:
        parts = []
        for element, vr, keyword in plan:
            value = values[keyword]
            if isinstance(value, int):  # the US elements
                parts.append(us_pack(0, element, 2, value))
            else:
                raw = value.encode()
                if len(raw) & 1:
                    raw += b"\0" if vr == "UI" else b" "
                parts.append(header_pack(0, element, len(raw)))
                parts.append(raw)
        body = b"".join(parts)
        size = len(body) + 12
        pdus = [
            b"".join(
                (pdu_pack(4, 0, size + 6, size + 2, context_id, 3),
                 header_pack(0, 0, 4), _LENGTH.pack(len(body)), body)
            )
        ]  # fmt: skip
        if data is not None:
            view = memoryview(data)
            end = len(data)
            for start in range(0, end, fragment_size):
                piece = view[start : start + fragment_size]
                control = 2 if start + fragment_size >= end else 0
                n = len(piece)
                pdus.append(b"".join((pdu_pack(4, 0, n + 6, n + 2, context_id, control), piece)))
        return pdus

    return encode


def decode(stream: bytes) -> tuple[dict[int, int | str], bytes]:
    """A PDU stream carrying one message -> (element number -> value, data set bytes)."""
    view = memoryview(stream)
    command: list[memoryview] = []
    data: list[memoryview] = []
    pdu_length = _PDU_LENGTH.unpack_from
    pdv = _PDV.unpack_from
    position = 0
    end = len(stream)
    while position < end:
        pdu_end = position + 6 + pdu_length(stream, position + 2)[0]
        position += 6
        while position < pdu_end:
            item_length, _context, control = pdv(stream, position)
            (command if control & 1 else data).append(
                view[position + 6 : position + 4 + item_length]
            )
            position += 4 + item_length
    raw = b"".join(command)
    values: dict[int, int | str] = {}
    element_header = _ELEMENT_HEADER.unpack_from
    us, ul = _US.unpack_from, _UL.unpack_from
    vrs = _VR_BY_ELEMENT
    position = 0
    end = len(raw)
    while position < end:
        _group, element, length = element_header(raw, position)
        position += 8
        vr = vrs.get(element)
        if vr == "US":
            values[element] = us(raw, position)[0]
        elif element == 0:  # Command Group Length, UL
            values[element] = ul(raw, position)[0]
        else:
            values[element] = raw[position : position + length].rstrip(b"\0 ").decode()
        position += length
    return values, b"".join(data)


def floor_ops(
    command_field: int,
    parameters: dict[str, int | str],
    data: bytes | None,
    context_id: int,
    max_pdu: int,
) -> tuple[Callable[[], list[bytes]], Callable[[], object], list[bytes]]:
    """(encode, decode, the PDUs encode produces) on these inputs; checks the round trip."""
    values: dict[str, int | str] = {
        **parameters,
        "CommandField": command_field,
        "CommandDataSetType": 0x0101 if data is None else 0x0001,
    }
    encoder = make_encoder(list(values), context_id, max_pdu)

    def encode() -> list[bytes]:
        return encoder(values, data)

    pdus = encode()
    stream = b"".join(pdus)

    def decode_stream() -> tuple[dict[int, int | str], bytes]:
        return decode(stream)

    decoded, decoded_data = decode_stream()
    expected = {ELEMENTS[keyword][0]: value for keyword, value in values.items()}
    assert {k: v for k, v in decoded.items() if k} == expected, "floor: round trip"
    assert decoded_data == (data or b""), "floor: data set round trip"
    return encode, decode_stream, pdus
