"""The benchmark's messages and the encode/decode operations of dimsekit and pynetdicom.

Every message is written once, as pynetdicom's primitive parameters (DICOM keywords) plus
an already encoded data set; dimsekit's fields are the same values under
``dimsekit.attribute_name(keyword)``.  The data sets are encoded once, up front, with
pydicom's own writer (Implicit VR Little Endian), so neither library encodes them.

encode: Python values -> the P-DATA-TF PDUs for a peer maximum of 16382 bytes, each PDU
joined into one ``bytes`` object as ``socket.send`` needs it.
decode: those PDU bytes -> the typed message with its data set bytes.  dimsekit's
MessageAssembler is fed the whole stream in one call (as it would arrive from
``recv``); pynetdicom is given the PDUs one by one, as its DUL reads them off the
socket (the split is not timed, which favours pynetdicom slightly).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset
from pydicom.sequence import Sequence as DicomSequence
from pynetdicom import dimse_messages, dimse_primitives
from pynetdicom.pdu import P_DATA_TF

import dimsekit as dk

logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)

MAX_PDU = 16382
CONTEXT_ID = 1
Operation = Callable[[], object]

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
INSTANCE = "1.2.826.0.1.3680043.8.498.12345678901234567890"
STUDY = "1.2.826.0.1.3680043.8.498.10101010101010101010101010"
STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
STUDY_ROOT_MOVE = "1.2.840.10008.5.1.4.1.2.2.2"
STORAGE_COMMITMENT = "1.2.840.10008.1.20.1"
STORAGE_COMMITMENT_INSTANCE = "1.2.840.10008.1.20.1.1"


def implicit_le(dataset: Dataset) -> bytes:
    """A bare data set in Implicit VR Little Endian, written by pydicom."""
    buffer = DicomBytesIO()
    buffer.is_little_endian = True
    buffer.is_implicit_VR = True
    write_dataset(buffer, dataset)
    return buffer.getvalue()


def image(size: int) -> bytes:
    """A CT-like data set of exactly ``size`` bytes (Pixel Data fills the rest)."""
    dataset = Dataset()
    dataset.SOPClassUID = CT_IMAGE
    dataset.SOPInstanceUID = INSTANCE
    dataset.Modality = "CT"
    dataset.Rows = dataset.Columns = 64
    dataset.SamplesPerPixel = 1
    dataset.BitsAllocated = dataset.BitsStored = 16
    dataset.PixelRepresentation = 0
    pixel_length = size - len(implicit_le(dataset)) - 8  # (7FE0,0010) header: 8 bytes
    dataset.PixelData = bytes(range(256)) * (pixel_length // 256) + bytes(pixel_length % 256)
    encoded = implicit_le(dataset)
    assert len(encoded) == size, (len(encoded), size)
    return encoded


def study_root_identifier() -> bytes:
    dataset = Dataset()
    dataset.QueryRetrieveLevel = "STUDY"
    dataset.StudyInstanceUID = STUDY
    return implicit_le(dataset)


def study_match() -> bytes:
    dataset = Dataset()
    dataset.QueryRetrieveLevel = "STUDY"
    dataset.PatientName = "Alpha^Ann"
    dataset.PatientID = "PAT0001"
    dataset.StudyDate = "20260101"
    dataset.StudyDescription = "CT CHEST"
    dataset.StudyInstanceUID = STUDY
    return implicit_le(dataset)


def commitment_request() -> bytes:
    dataset = Dataset()
    dataset.TransactionUID = "1.2.826.0.1.3680043.8.498.20202020202020202020"
    item = Dataset()
    item.ReferencedSOPClassUID = CT_IMAGE
    item.ReferencedSOPInstanceUID = INSTANCE
    dataset.ReferencedSOPSequence = DicomSequence([item])
    return implicit_le(dataset)


@dataclass(frozen=True)
class Case:
    """One message, as the same values for every implementation."""

    label: str
    message: str
    """pynetdicom's message class (C_STORE_RQ); its primitive is the name without _RQ/_RSP."""
    dimsekit_class: type[dk.Message]
    command_field: int
    parameters: dict[str, int | str]
    """Command parameters by DICOM keyword (pynetdicom's primitive attribute names)."""
    data_parameter: str | None = None
    data: bytes | None = None
    fields: dict[str, object] = field(init=False)
    """dimsekit's constructor arguments: the same values under attribute_name(keyword)."""

    def __post_init__(self) -> None:
        fields: dict[str, object] = {dk.attribute_name(k): v for k, v in self.parameters.items()}
        if self.data_parameter is not None:
            fields[dk.attribute_name(self.data_parameter)] = self.data
        object.__setattr__(self, "fields", fields)


def cases() -> list[Case]:
    """The messages of issue 7, data sets encoded up front."""
    request = {"MessageID": 7, "Priority": 0}
    pending = {"MessageIDBeingRespondedTo": 7, "Status": 0xFF00}
    return [
        Case("C-ECHO-RQ", "C_ECHO_RQ", dk.CEchoRequest, 0x0030,
             {"MessageID": 7, "AffectedSOPClassUID": "1.2.840.10008.1.1"}),
        Case("C-STORE-RQ 8 KiB", "C_STORE_RQ", dk.CStoreRequest, 0x0001,
             {**request, "AffectedSOPClassUID": CT_IMAGE, "AffectedSOPInstanceUID": INSTANCE},
             "DataSet", image(8 << 10)),
        Case("C-STORE-RQ 128 KiB", "C_STORE_RQ", dk.CStoreRequest, 0x0001,
             {**request, "AffectedSOPClassUID": CT_IMAGE, "AffectedSOPInstanceUID": INSTANCE},
             "DataSet", image(128 << 10)),
        Case("C-MOVE-RQ", "C_MOVE_RQ", dk.CMoveRequest, 0x0021,
             {**request, "AffectedSOPClassUID": STUDY_ROOT_MOVE, "MoveDestination": "STORESCP"},
             "Identifier", study_root_identifier()),
        Case("C-FIND-RSP Pending", "C_FIND_RSP", dk.CFindResponse, 0x8020,
             {**pending, "AffectedSOPClassUID": STUDY_ROOT_FIND},
             "Identifier", study_match()),
        Case("C-MOVE-RSP Pending", "C_MOVE_RSP", dk.CMoveResponse, 0x8021,
             {**pending, "AffectedSOPClassUID": STUDY_ROOT_MOVE,
              "NumberOfRemainingSuboperations": 12, "NumberOfCompletedSuboperations": 3,
              "NumberOfFailedSuboperations": 1, "NumberOfWarningSuboperations": 0}),
        Case("N-ACTION-RQ", "N_ACTION_RQ", dk.NActionRequest, 0x0130,
             {"MessageID": 7, "RequestedSOPClassUID": STORAGE_COMMITMENT,
              "RequestedSOPInstanceUID": STORAGE_COMMITMENT_INSTANCE, "ActionTypeID": 1},
             "ActionInformation", commitment_request()),
    ]  # fmt: skip


# --- dimsekit ------------------------------------------------------------------------------


def dimsekit_ops(case: Case) -> tuple[Operation, Operation, list[bytes]]:
    """(encode, decode, the PDUs encode produces); checks decode gives the input back."""
    cls, fields = case.dimsekit_class, case.fields

    def encode() -> list[bytes]:
        message = cls(**fields)  # builds and validates
        return [b"".join(pdu) for pdu in dk.fragment_message(message, CONTEXT_ID, MAX_PDU)]

    pdus = encode()
    stream = b"".join(pdus)
    assembler = dk.MessageAssembler(max_pdu_length=MAX_PDU)  # one per association

    def decode() -> dk.Message:
        (event,) = assembler.feed(stream)
        assert isinstance(event, dk.MessageReceived)
        return event.message

    (event,) = dk.MessageAssembler(max_pdu_length=MAX_PDU, strict=True).feed(stream)
    assert isinstance(event, dk.MessageReceived) and not event.diagnostics, event
    received = decode()
    assert received == cls(**fields), f"dimsekit: {case.label} does not decode to its input"
    assert type(received) is cls
    payload = received.data_set_payload
    assert (payload.to_bytes() if payload is not None else None) == case.data
    return encode, decode, pdus


# --- pynetdicom ----------------------------------------------------------------------------


def pynetdicom_ops(case: Case) -> tuple[Operation, Operation, list[bytes]]:
    """pynetdicom's own path: primitive -> message -> encode_msg -> P_DATA_TF.encode, and
    P_DATA_TF.decode -> decode_msg -> message_to_primitive."""
    primitive_class: Any = getattr(dimse_primitives, case.message.rsplit("_", 1)[0])
    message_class: Any = getattr(dimse_messages, case.message)
    parameters = case.parameters
    data_parameter, data = case.data_parameter, case.data or b""

    def encode() -> list[bytes]:
        primitive = primitive_class()
        for keyword, value in parameters.items():
            setattr(primitive, keyword, value)  # pynetdicom validates each on assignment
        if data_parameter is not None:
            setattr(primitive, data_parameter, BytesIO(data))
        message = message_class()
        message.primitive_to_message(primitive)
        out = []
        for p_data in message.encode_msg(CONTEXT_ID, MAX_PDU):
            pdu = P_DATA_TF()
            pdu.from_primitive(p_data)
            out.append(pdu.encode())
        return out

    pdus = encode()

    def decode() -> Any:
        message = dimse_messages.DIMSEMessage()
        for raw in pdus:
            pdu = P_DATA_TF()
            pdu.decode(raw)
            if message.decode_msg(pdu.to_primitive()):
                break
        return message.message_to_primitive()

    primitive = decode()
    assert type(primitive) is primitive_class
    for keyword, value in parameters.items():
        assert getattr(primitive, keyword) == value, f"pynetdicom: {case.label} {keyword}"
    if data_parameter is not None:
        assert getattr(primitive, data_parameter).getvalue() == data
    return encode, decode, pdus
