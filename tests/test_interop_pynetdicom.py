"""The pynetdicom adapter: every class to a primitive and back, and through pynetdicom's codec."""

from __future__ import annotations

import importlib
import logging
import pickle
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any, assert_type

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import _config, dimse_messages, dimse_primitives
from pynetdicom.dsutils import encode
from pynetdicom.pdu_primitives import P_DATA

import dimsekit as dk
from dimsekit._codec.layout import layout_of
from dimsekit.interop.pynetdicom import (
    InexpressibleError,
    Primitive,
    from_primitive,
    to_primitive,
)
from dimsekit.testing import message_of

from .helpers import examples

logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)
CLASSES = sorted(dk.MESSAGE_CLASSES.values(), key=lambda cls: cls.command_field)
by_class = pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
relaxed = settings(max_examples=examples(40), suppress_health_check=[HealthCheck.too_slow])

# What pynetdicom 3's DIMSE messages have no element for (dimse_messages._COMMAND_SET_KEYWORDS).
INEXPRESSIBLE: dict[type[dk.Message], dict[str, str]] = {
    dk.CEchoResponse: {"offending_element": "OffendingElement"},
    dk.NEventReportResponse: {"offending_element": "OffendingElement"},
    dk.NGetResponse: {"offending_element": "OffendingElement"},
    dk.NSetResponse: {"offending_element": "OffendingElement"},
    dk.NActionResponse: {"offending_element": "OffendingElement"},
    dk.NCreateResponse: {
        "offending_element": "OffendingElement",
        "attribute_identifier_list": "AttributeIdentifierList",
    },
    dk.NDeleteResponse: {"offending_element": "OffendingElement"},
}
STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"


def refused_parameters(message: dk.Message) -> set[str]:
    """The pynetdicom parameters ``to_primitive`` must refuse for ``message``."""
    refused = {
        keyword
        for attribute, keyword in INEXPRESSIBLE.get(type(message), {}).items()
        if getattr(message, attribute) is not None
    }
    payload, field = message.data_set_payload, type(message).data_set_field()
    if payload is not None and field is not None and len(payload) == 0:
        refused.add("".join(part.capitalize() for part in field.split("_")))
    return refused


def failure(cls: Any, **fields: object) -> dk.Message:
    """A response of ``cls`` to Message ID 1 with ``fields``."""
    message: dk.Message = cls(message_id_being_responded_to=1, **fields)
    return message


def expressible(message: dk.Message) -> tuple[dk.Message, Primitive]:
    """``message`` and its primitive, after checking that what pynetdicom cannot carry is
    refused; then that is mended (fields dropped, an empty data set filled) and converted."""
    refused = refused_parameters(message)
    if not refused:
        return message, to_primitive(message)
    with pytest.raises(InexpressibleError) as caught:
        to_primitive(message)
    assert caught.value.parameter in refused
    assert caught.value.message_name == message.command_field.message_name
    assert caught.value.parameter is not None
    assert caught.value.parameter in str(caught.value)
    changes: dict[str, object] = dict.fromkeys(INEXPRESSIBLE.get(type(message), {}))
    field = type(message).data_set_field()
    if field is not None and message.data_set_payload is not None:
        changes[field] = message.data_set_payload.to_bytes() or b"\0\0"
    mended = attrs.evolve(message, **changes)
    assert not refused_parameters(mended)
    return mended, to_primitive(mended)


def pynetdicom_message(primitive: Primitive, message: dk.Message) -> dimse_messages.DIMSEMessage:
    name = message.command_field.message_name.replace("-", "_")
    pyn: dimse_messages.DIMSEMessage = getattr(dimse_messages, name)()
    pyn.primitive_to_message(primitive)
    return pyn


def received(primitive: Primitive, message: dk.Message) -> Primitive:
    """``primitive`` sent by pynetdicom and decoded by pynetdicom, as its SCPs get it."""
    sent = pynetdicom_message(primitive, message)
    got = dimse_messages.DIMSEMessage()
    done = [got.decode_msg(pdata) for pdata in sent.encode_msg(1, 4096)]
    assert done[-1]
    return got.message_to_primitive()


@by_class
@relaxed
@given(data=st.data())
def test_round_trip_through_the_primitive(cls: type[dk.Message], data: st.DataObject) -> None:
    message, primitive = expressible(data.draw(message_of(cls)))
    assert type(primitive).__name__ == message.command_field.service.replace("-", "_")
    assert from_primitive(primitive, is_response=message.command_field.is_response) == message
    assert from_primitive(primitive) == message  # the half told by the primitive


@by_class
@relaxed
@given(data=st.data())
def test_pynetdicom_encodes_what_dimsekit_decodes_back(
    cls: type[dk.Message], data: st.DataObject
) -> None:
    message, primitive = expressible(data.draw(message_of(cls)))
    command = encode(pynetdicom_message(primitive, message).command_set, True, True)
    assert isinstance(command, bytes)
    decoded = dk.decode_command(command, data_set=message.data_set_payload, strict=True)
    assert decoded.message == message


@by_class
@relaxed
@given(data=st.data())
def test_what_pynetdicom_receives_comes_back(cls: type[dk.Message], data: st.DataObject) -> None:
    message, primitive = expressible(data.draw(message_of(cls)))
    assert from_primitive(received(primitive, message)) == message


@pytest.mark.parametrize(
    ("message", "keyword"),
    [
        *(
            (failure(cls, status=0xC000, offending_element=[2]), keyword)
            for cls, fields in INEXPRESSIBLE.items()
            for keyword in fields.values()
            if keyword == "OffendingElement"
        ),
        (
            dk.NCreateResponse(
                message_id_being_responded_to=1, status=0x0107, attribute_identifier_list=[2]
            ),
            "AttributeIdentifierList",
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, dk.Message) else value,
)
def test_what_pynetdicom_cannot_express_is_refused_by_name(
    message: dk.Message, keyword: str
) -> None:
    name = message.command_field.message_name
    with pytest.raises(InexpressibleError, match=f"pynetdicom's {name} has no {keyword}") as caught:
        to_primitive(message)
    assert (caught.value.message_name, caught.value.parameter) == (name, keyword)


def test_the_inexpressible_list_is_exact() -> None:
    """Every other field of every class reaches pynetdicom's command set."""
    for cls in CLASSES:
        name = cls.command_field.message_name.replace("-", "_")
        keywords = {element.keyword for element in getattr(dimse_messages, name)().command_set}
        missing = {
            attribute: spec.keyword
            for attribute, spec in layout_of(cls).fields
            if spec.keyword not in keywords
        }
        assert missing == INEXPRESSIBLE.get(cls, {}), cls.__name__


def test_typed_per_service() -> None:
    echo = dk.CEchoRequest(message_id=1)
    primitive = to_primitive(echo)
    assert_type(primitive, dimse_primitives.C_ECHO)
    back = from_primitive(primitive)
    assert_type(back, dk.CEchoRequest | dk.CEchoResponse)
    assert back == echo
    cancel = to_primitive(dk.CCancelRequest(message_id_being_responded_to=7))
    assert_type(cancel, dimse_primitives.C_CANCEL)
    assert_type(from_primitive(cancel), dk.CCancelRequest)


def test_dataset_payloads_need_a_transfer_syntax() -> None:
    dataset = Dataset()
    dataset.PatientID = "7"
    rq = dk.CFindRequest(message_id=1, affected_sop_class_uid=STUDY_ROOT_FIND, identifier=dataset)
    with pytest.raises(InexpressibleError, match="Identifier: the identifier is a pydicom Dataset"):
        to_primitive(rq)
    primitive = to_primitive(rq, transfer_syntax=ExplicitVRLittleEndian)
    assert isinstance(primitive.Identifier, BytesIO)
    back = from_primitive(primitive)
    assert back.data_set_payload is not None
    assert back.data_set_payload.is_encoded
    assert back.data_set_payload.to_dataset(ExplicitVRLittleEndian) == dataset


def test_an_empty_data_set_is_refused_and_an_empty_bytesio_is_none() -> None:
    rq = dk.CFindRequest(message_id=1, affected_sop_class_uid=STUDY_ROOT_FIND, identifier=b"")
    with pytest.raises(InexpressibleError, match="Identifier: the identifier is empty"):
        to_primitive(rq)
    with pytest.raises(InexpressibleError, match="is empty"):
        to_primitive(
            dk.CFindRequest(
                message_id=1, affected_sop_class_uid=STUDY_ROOT_FIND, identifier=Dataset()
            ),
            transfer_syntax=ImplicitVRLittleEndian,
        )
    # pynetdicom's decoder hands "no data set" (0x0101) over as an empty BytesIO
    final = dimse_primitives.C_FIND()
    final.MessageIDBeingRespondedTo = 1
    final.Status = 0x0000
    final.Identifier = BytesIO()
    assert from_primitive(final) == dk.CFindResponse(message_id_being_responded_to=1, status=0)


def test_file_payloads_are_read_into_the_bytesio(tmp_path: Path) -> None:
    path = tmp_path / "data"
    path.write_bytes(b"\x01\x02" * 8)
    rq = dk.CStoreRequest(
        message_id=1,
        affected_sop_class_uid=CT_IMAGE,
        affected_sop_instance_uid="1.2.3",
        data_set=dk.DataSetPayload.from_file(path, offset=4, length=6),
    )
    primitive = to_primitive(rq)
    assert primitive.DataSet is not None
    assert primitive.DataSet.getvalue() == b"\x01\x02" * 3
    assert from_primitive(primitive) == dk.CStoreRequest(
        message_id=1,
        affected_sop_class_uid=CT_IMAGE,
        affected_sop_instance_uid="1.2.3",
        data_set=b"\x01\x02" * 3,
    )


def _dicom_file(path: Path) -> Dataset:
    dataset = Dataset()
    dataset.PatientID = "7"
    dataset.SOPClassUID = CT_IMAGE
    dataset.SOPInstanceUID = "1.2.3"
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.MediaStorageSOPClassUID = UID(CT_IMAGE)
    dataset.file_meta.MediaStorageSOPInstanceUID = UID("1.2.3")
    dataset.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset.save_as(path, enforce_file_format=True)
    return dataset


@pytest.mark.parametrize("how", ["sent", "received"])
def test_c_store_data_sets_pynetdicom_keeps_in_files(tmp_path: Path, how: str) -> None:
    """send_c_store(path) sets (path, offset); a chunked receive sets the file's path."""
    path = tmp_path / "instance.dcm"
    dataset = _dicom_file(path)
    primitive = dimse_primitives.C_STORE()
    primitive.MessageID = 1
    primitive.AffectedSOPClassUID = CT_IMAGE
    primitive.AffectedSOPInstanceUID = "1.2.3"
    if how == "sent":
        primitive.DataSet = None
        primitive._dataset_path = (path, 0)
    else:
        primitive.DataSet = BytesIO()
        primitive._dataset_path = path
    message = from_primitive(primitive)
    assert isinstance(message, dk.CStoreRequest)
    assert message.data_set.is_file
    if how == "sent":
        assert message.data_set.to_bytes() == path.read_bytes()
    else:
        assert message.data_set.to_dataset(ExplicitVRLittleEndian) == dataset


def test_pynetdicom_setters_that_refuse_or_drop_a_value_are_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(_config.VALIDATORS, "AE", lambda value: (False, "not today"))
    move = dk.CMoveRequest(
        message_id=1,
        affected_sop_class_uid=STUDY_ROOT_FIND,
        move_destination="B",
        identifier=b"\0\0",
    )
    with pytest.raises(InexpressibleError, match="C-MOVE-RQ MoveDestination: pynetdicom refuses"):
        to_primitive(move)
    store = dk.CStoreRequest(
        message_id=1,
        affected_sop_class_uid=CT_IMAGE,
        affected_sop_instance_uid="1.2.3",
        move_originator_application_entity_title="A",
        move_originator_message_id=3,
        data_set=b"\0\0",
    )
    # its setter logs the error and keeps None
    with pytest.raises(InexpressibleError, match="keeps None for move_originator_application"):
        to_primitive(store)


def test_the_half_is_told_by_status_or_message_id_being_responded_to() -> None:
    # as pynetdicom's service classes build a response: Message ID copied, Priority default
    rsp = dimse_primitives.C_STORE()
    rsp.MessageID = 5
    rsp.MessageIDBeingRespondedTo = 5
    rsp.AffectedSOPClassUID = CT_IMAGE
    rsp.AffectedSOPInstanceUID = "1.2.3"
    rsp.Status = 0x0000
    assert from_primitive(rsp) == dk.CStoreResponse(
        message_id_being_responded_to=5,
        status=0,
        affected_sop_class_uid=CT_IMAGE,
        affected_sop_instance_uid="1.2.3",
    )
    half = dimse_primitives.N_DELETE()
    half.MessageIDBeingRespondedTo = 5  # a response without its Status: the model says so
    with pytest.raises(dk.InvalidMessageError, match=r"NDeleteResponse\.status"):
        from_primitive(half)
    with pytest.raises(InexpressibleError, match="N-DELETE-RQ MessageIDBeingRespondedTo"):
        from_primitive(half, is_response=False)
    rq = dimse_primitives.N_DELETE()
    rq.MessageID = 5
    rq.RequestedSOPClassUID = "1.2.3"
    rq.RequestedSOPInstanceUID = "1.2.3.4"
    assert isinstance(from_primitive(rq), dk.NDeleteRequest)
    with pytest.raises(dk.InvalidMessageError, match="NDeleteResponse"):
        from_primitive(rq, is_response=True)


def test_c_cancel_is_always_a_request() -> None:
    cancel = to_primitive(dk.CCancelRequest(message_id_being_responded_to=9))
    assert cancel.MessageIDBeingRespondedTo == 9
    assert from_primitive(cancel, is_response=False) == dk.CCancelRequest(
        message_id_being_responded_to=9
    )
    with pytest.raises(InexpressibleError, match=r"C-CANCEL-RSP: PS3\.7 has no such response"):
        from_primitive(cancel, is_response=True)


def test_invalid_primitives_are_refused_by_the_model() -> None:
    primitive = dimse_primitives.C_ECHO()
    primitive.MessageIDBeingRespondedTo = 1
    primitive.Status = 0x0000
    setattr(primitive, "ErrorComment", "fine")  # noqa: B010  # typed None in pynetdicom
    with pytest.raises(dk.InvalidMessageError, match="status-related"):
        from_primitive(primitive)
    with pytest.raises(dk.InvalidMessageError, match="message_id_being_responded_to"):
        from_primitive(dimse_primitives.C_CANCEL())
    store = dimse_primitives.C_STORE()
    store.MessageID = 1
    store.AffectedSOPClassUID = CT_IMAGE
    store.AffectedSOPInstanceUID = "1.2.3"
    with pytest.raises(dk.InvalidMessageError, match=r"CStoreRequest\.data_set"):
        from_primitive(store)


def test_empty_attribute_identifier_list() -> None:
    """pynetdicom sends it as a zero-length element but reads that back as absent."""
    rq = dk.NGetRequest(
        message_id=3,
        requested_sop_class_uid="1.2.3",
        requested_sop_instance_uid="1.2.3.4",
        attribute_identifier_list=(),
    )
    primitive = to_primitive(rq)
    assert from_primitive(primitive) == rq
    command = encode(pynetdicom_message(primitive, rq).command_set, True, True)
    assert isinstance(command, bytes)
    assert dk.decode_command(command, strict=True).message == rq
    back = from_primitive(received(primitive, rq))
    assert isinstance(back, dk.NGetRequest)
    assert back.attribute_identifier_list is None  # both ask for all attributes (10.1.2.1.4)


def test_other_types_are_refused() -> None:
    with pytest.raises(TypeError, match="not a pynetdicom DIMSE primitive: P_DATA"):
        from_primitive(P_DATA())  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="not a dimsekit DIMSE message: int"):
        to_primitive(3)  # type: ignore[call-overload]


def test_the_error_pickles() -> None:
    error = InexpressibleError("N-SET-RSP", "OffendingElement", "no element")
    assert isinstance(error, dk.DimseError)
    back = pickle.loads(pickle.dumps(error))
    assert (back.message_name, back.parameter, back.reason, str(back)) == (
        "N-SET-RSP",
        "OffendingElement",
        "no element",
        "N-SET-RSP OffendingElement: no element",
    )


def test_without_pynetdicom_the_import_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynetdicom", None)
    monkeypatch.delitem(sys.modules, "dimsekit.interop.pynetdicom")
    with pytest.raises(ImportError, match=r"pip install 'dimsekit\[pynetdicom\]'"):
        importlib.import_module("dimsekit.interop.pynetdicom")


def test_dimsekit_and_its_interop_package_do_not_import_pynetdicom() -> None:
    code = "import sys, dimsekit, dimsekit.interop; assert 'pynetdicom' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
