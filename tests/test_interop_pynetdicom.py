"""The pynetdicom adapter: every class to a primitive and back, and through pynetdicom's codec."""

from __future__ import annotations

import logging
from io import BytesIO

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydicom.dataset import Dataset
from pynetdicom import dimse_messages, dimse_primitives
from pynetdicom.dsutils import encode

import dimsekit as dk
from dimsekit.interop.pynetdicom import InexpressibleError, from_primitive, to_primitive
from dimsekit.testing import message_of

logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)
CLASSES = sorted(dk.MESSAGE_CLASSES.values(), key=lambda cls: cls.command_field)
by_class = pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
relaxed = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def expressible(message: dk.Message) -> dimse_primitives.C_STORE:
    try:
        return to_primitive(message)  # type: ignore[return-value]
    except InexpressibleError:
        assume(False)
        raise


@by_class
@relaxed
@given(data=st.data())
def test_round_trip_through_the_primitive(cls: type[dk.Message], data: st.DataObject) -> None:
    message = data.draw(message_of(cls))
    primitive = expressible(message)
    assert type(primitive).__name__ == message.command_field.service.replace("-", "_")
    assert from_primitive(primitive, is_response=message.command_field.is_response) == message
    if not isinstance(primitive, dimse_primitives.C_CANCEL):
        assert from_primitive(primitive) == message  # the half told by the Status


@by_class
@relaxed
@given(data=st.data())
def test_pynetdicom_encodes_what_dimsekit_decodes_back(
    cls: type[dk.Message], data: st.DataObject
) -> None:
    message = data.draw(message_of(cls))
    primitive = expressible(message)
    pyn = getattr(dimse_messages, message.command_field.message_name.replace("-", "_"))()
    pyn.primitive_to_message(primitive)
    command = encode(pyn.command_set, True, True)
    assert isinstance(command, bytes)
    decoded = dk.decode_command(command, data_set=message.data_set_payload, strict=True)
    assert decoded.message == message


def test_what_pynetdicom_cannot_express_is_refused_by_name() -> None:
    rsp = dk.NSetResponse(
        message_id_being_responded_to=1, status=0xC601, offending_element=[0x20100010]
    )
    with pytest.raises(InexpressibleError, match="N-SET-RSP has no OffendingElement"):
        to_primitive(rsp)
    echo = dk.CEchoResponse(message_id_being_responded_to=1, status=0xC000, offending_element=[2])
    with pytest.raises(InexpressibleError, match="C-ECHO-RSP has no OffendingElement"):
        to_primitive(echo)


def test_dataset_payloads_need_a_transfer_syntax() -> None:
    dataset = Dataset()
    dataset.PatientID = "7"
    rq = dk.CFindRequest(
        message_id=1, affected_sop_class_uid="1.2.840.10008.5.1.4.1.2.2.1", identifier=dataset
    )
    with pytest.raises(InexpressibleError, match="transfer_syntax"):
        to_primitive(rq)
    primitive = to_primitive(rq, transfer_syntax="1.2.840.10008.1.2")
    assert isinstance(primitive, dimse_primitives.C_FIND)
    assert isinstance(primitive.Identifier, BytesIO)
    back = from_primitive(primitive)
    assert back.data_set_payload is not None
    assert back.data_set_payload.to_dataset("1.2.840.10008.1.2") == dataset


def test_invalid_primitives_are_refused_by_the_model() -> None:
    primitive = dimse_primitives.C_ECHO()
    primitive.MessageIDBeingRespondedTo = 1
    primitive.Status = 0x0000
    setattr(primitive, "ErrorComment", "fine")  # noqa: B010  # typed None in pynetdicom
    with pytest.raises(dk.InvalidMessageError, match="status-related"):
        from_primitive(primitive)
    with pytest.raises(dk.InvalidMessageError):
        from_primitive(dimse_primitives.C_CANCEL())
