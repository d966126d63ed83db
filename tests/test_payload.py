"""DataSetPayload: the one type behind every data-set parameter (PS3.7 6.3)."""

from __future__ import annotations

import array
import inspect
import pickle
from pathlib import Path

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

import dimsekit as dk
from dimsekit import DataSetPayload
from dimsekit._model import payload as payload_module
from dimsekit._model.payload import (
    check_optional_payload,
    check_payload,
    to_optional_payload,
    to_payload,
)

# (0010,0020) PatientID "1 " in Implicit VR Little Endian
ENCODED = b"\x10\x00\x20\x00\x02\x00\x00\x001 "


def patient(patient_id: str = "1") -> Dataset:
    dataset = Dataset()
    dataset.PatientID = patient_id
    return dataset


# --- holding bytes without copying ---------------------------------------------------------


def test_bytes_are_held_as_given() -> None:
    payload = DataSetPayload(ENCODED)
    assert payload.encoded is ENCODED
    assert payload.is_encoded and not payload.is_file
    assert payload.dataset is None
    assert len(payload) == len(ENCODED)


def test_a_bytearray_is_viewed_not_copied() -> None:
    buffer = bytearray(ENCODED)
    payload = DataSetPayload(buffer)
    view = payload.encoded
    assert isinstance(view, memoryview)
    assert view.obj is buffer
    assert payload.is_encoded and payload.dataset is None
    buffer[0] = 0x11
    assert view[0] == 0x11
    assert payload.to_bytes()[0] == 0x11
    assert len(payload) == len(ENCODED)


def test_a_memoryview_is_kept_and_shares_memory() -> None:
    buffer = bytearray(ENCODED)
    view = memoryview(buffer)
    payload = DataSetPayload(view)
    assert payload.encoded is view
    buffer[-1] = ord("2")
    assert bytes(payload.to_bytes())[-1:] == b"2"


def test_a_slice_of_a_memoryview_shares_memory() -> None:
    buffer = bytearray(b"xx" + ENCODED)
    payload = DataSetPayload(memoryview(buffer)[2:])
    assert len(payload) == len(ENCODED)
    buffer[2] = 0x12
    assert payload.to_bytes()[0] == 0x12


def test_a_typed_memoryview_is_cast_to_bytes_without_copy() -> None:
    words = array.array("H", [0x0010, 0x0020])
    payload = DataSetPayload(memoryview(words))
    view = payload.encoded
    assert isinstance(view, memoryview)
    assert view.format == "B"
    assert len(payload) == 4  # bytes, not items
    assert view.obj is words
    words[0] = 0x0008
    assert payload.to_bytes()[:2] == b"\x08\x00"


def test_a_payload_wraps_a_payload_without_nesting() -> None:
    inner = DataSetPayload(ENCODED)
    outer = DataSetPayload(inner)
    assert outer.encoded is ENCODED
    assert outer == inner


def test_a_message_holds_the_caller_buffer() -> None:
    buffer = bytearray(ENCODED)
    rq = dk.CStoreRequest(
        message_id=1, affected_sop_class_uid="1.2", affected_sop_instance_uid="1.3", data_set=buffer
    )
    assert type(rq.data_set) is DataSetPayload
    buffer[-1] = ord("3")
    assert rq.data_set.to_bytes().endswith(b"3")
    given = DataSetPayload(ENCODED)
    same = dk.CFindRequest(message_id=1, affected_sop_class_uid="1.2", identifier=given)
    assert same.identifier is given


# to_payload's shortcut for bytes, against DataSetPayload itself


@pytest.mark.parametrize(
    "value", [b"", b"ab", b"abc", bytearray(b"ab"), memoryview(b"ab"), "ab", 5, None]
)
def test_to_payload_shortcut(value: object) -> None:
    got = to_payload(value)  # type: ignore[arg-type]
    try:
        want: object = DataSetPayload(value)  # type: ignore[arg-type]
    except TypeError:
        want = value
    assert type(got) is type(want)
    assert got == want
    if type(value) is bytes:
        assert got.encoded is value
        assert to_optional_payload(value) == want


# --- Dataset -------------------------------------------------------------------------------


def test_a_dataset_is_held_until_encoded() -> None:
    dataset = patient()
    payload = DataSetPayload(dataset)
    assert payload.dataset is dataset
    assert payload.encoded is None
    assert not payload.is_encoded
    assert payload.to_dataset() is dataset
    with pytest.raises(TypeError, match="no byte length before it is encoded"):
        len(payload)
    with pytest.raises(ValueError, match="needs a transfer syntax"):
        payload.to_bytes()


def test_a_dataset_encodes_and_bytes_decode() -> None:
    assert DataSetPayload(patient()).to_bytes(ImplicitVRLittleEndian) == ENCODED
    explicit = DataSetPayload(patient()).to_bytes(ExplicitVRLittleEndian)
    assert explicit == b"\x10\x00\x20\x00LO\x02\x001 "
    assert DataSetPayload(ENCODED).to_dataset().PatientID == "1"
    assert DataSetPayload(explicit).to_dataset(ExplicitVRLittleEndian).PatientID == "1"


def test_chunks_slice_memory() -> None:
    chunks = list(DataSetPayload(ENCODED).chunks(chunk_size=4))
    assert [bytes(chunk) for chunk in chunks] == [ENCODED[:4], ENCODED[4:8], ENCODED[8:]]
    assert all(isinstance(chunk, memoryview) for chunk in chunks)
    assert list(DataSetPayload(b"").chunks()) == []


# --- equality and hashing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        (b"ab", b"ab", True),
        (b"ab", bytearray(b"ab"), True),
        (b"ab", memoryview(b"ab"), True),
        (bytearray(b"ab"), memoryview(bytearray(b"ab")), True),
        (b"ab", b"ac", False),
        (b"ab", b"abc", False),
        (b"", b"", True),
        (patient(), patient(), True),
        (patient("1"), patient("2"), False),
        (patient(), ENCODED, False),  # no decoding to compare
    ],
)
def test_equality_by_content(left: dk.PayloadInput, right: dk.PayloadInput, equal: bool) -> None:
    assert (DataSetPayload(left) == DataSetPayload(right)) is equal
    assert (DataSetPayload(right) == DataSetPayload(left)) is equal
    assert (DataSetPayload(left) != DataSetPayload(right)) is not equal


def test_a_payload_equals_no_other_type() -> None:
    assert DataSetPayload(b"ab") != b"ab"
    assert DataSetPayload(b"ab") != "ab"
    assert DataSetPayload(patient()) != patient()
    assert DataSetPayload(b"ab").__eq__(b"ab") is NotImplemented


@pytest.mark.parametrize("value", [b"ab", memoryview(b"ab"), memoryview(b"xab")[1:]])
def test_immutable_bytes_hash_by_value(value: bytes | memoryview) -> None:
    assert hash(DataSetPayload(value)) == hash(DataSetPayload(b"ab")) == hash(b"ab")
    assert len({DataSetPayload(value), DataSetPayload(b"ab")}) == 1


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (patient(), "mutable pydicom Dataset"),
        (bytearray(b"ab"), "mutable buffer"),
        (memoryview(bytearray(b"ab")), "mutable buffer"),
    ],
)
def test_mutable_contents_are_unhashable(value: dk.PayloadInput, kind: str) -> None:
    with pytest.raises(TypeError, match=f"unhashable DataSetPayload: it holds a {kind}"):
        hash(DataSetPayload(value))


def test_a_read_only_view_of_a_bytearray_is_hashable() -> None:
    view = memoryview(bytearray(b"ab")).toreadonly()
    assert hash(DataSetPayload(view)) == hash(b"ab")


# --- pickling and repr ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [b"", ENCODED, bytearray(ENCODED), memoryview(ENCODED), memoryview(bytearray(b"x"))]
)
def test_encoded_payloads_pickle_as_bytes(value: dk.PayloadInput) -> None:
    payload = DataSetPayload(value)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(payload, protocol))
        assert type(back) is DataSetPayload
        assert back == payload
        assert isinstance(back.encoded, bytes)


def test_a_dataset_payload_pickles_as_a_dataset() -> None:
    back = pickle.loads(pickle.dumps(DataSetPayload(patient("7"))))
    assert back.dataset is not None
    assert back.dataset.PatientID == "7"
    assert back == DataSetPayload(patient("7"))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (b"", "DataSetPayload(<0 bytes>)"),
        (b"abcd", "DataSetPayload(<4 bytes>)"),
        (ENCODED, "DataSetPayload(<10 bytes>)"),
        (bytearray(3), "DataSetPayload(<3 bytes>)"),
        (memoryview(array.array("I", [1, 2])), "DataSetPayload(<8 bytes>)"),
        (patient(), "DataSetPayload(<Dataset, 1 elements>)"),
    ],
)
def test_repr_never_dumps_the_contents(value: dk.PayloadInput, text: str) -> None:
    assert repr(DataSetPayload(value)) == text


# --- wrong types ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [12, "text", None, [b"ab"], 1.5, object()])
def test_other_types_are_refused(bad: object) -> None:
    with pytest.raises(TypeError, match="bytes, bytearray, memoryview or a pydicom Dataset"):
        DataSetPayload(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [12, "text", [b"ab"]])
def test_a_message_names_the_field_of_a_wrong_data_set(bad: object) -> None:
    with pytest.raises(dk.InvalidMessageError) as caught:
        dk.CFindRequest(message_id=1, affected_sop_class_uid="1.2", identifier=bad)  # type: ignore[arg-type]
    error = caught.value
    assert error.message_class == "CFindRequest"
    assert error.fields == ("identifier",)
    assert error.value is bad
    assert "a data set is bytes" in error.rule
    assert error.reference == "PS3.7 6.3"


# --- a region of a file --------------------------------------------------------------------


def test_a_file_region_is_read_only_when_sent(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"head" + ENCODED)
    payload = DataSetPayload.from_file(path, offset=4)
    assert payload.is_file and payload.is_encoded
    assert payload.encoded is None and payload.dataset is None
    assert len(payload) == len(ENCODED)
    assert payload.to_bytes() == ENCODED
    assert [len(c) for c in payload.chunks(chunk_size=4)] == [4, 4, 2]
    same = DataSetPayload.from_file(str(path), offset=4, length=len(ENCODED))
    assert payload == same
    assert hash(payload) == hash(same)
    assert payload != DataSetPayload(ENCODED)  # a file compares by place, not content
    assert pickle.loads(pickle.dumps(payload)) == payload
    assert repr(payload) == f"DataSetPayload(<{str(path)!r} from 4, 10 bytes>)"
    with pytest.raises(ValueError, match="beyond the file"):
        DataSetPayload.from_file(path, offset=4, length=11)
    with pytest.raises(ValueError, match="not negative"):
        DataSetPayload.from_file(path, offset=-1)


def test_an_open_file_is_unhashable_and_unpicklable(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(ENCODED)
    with path.open("rb") as handle:
        payload = DataSetPayload.from_file(handle)
        assert payload.to_bytes() == ENCODED
        with pytest.raises(TypeError, match="file object"):
            hash(payload)
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(payload)


def test_the_payload_validators_name_the_module_declaring_them() -> None:
    """Made by the factories of ``_model.vr``, they are ``_model.payload``'s."""
    for check in (check_payload, check_optional_payload):
        assert check.__module__ == "dimsekit._model.payload"
        assert inspect.getmodule(check) is payload_module
