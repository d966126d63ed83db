"""dimsekit.aio's Part 10 files (PS3.10 7.1): the File Meta Information written before a
data set, and read from a file without reading its data set."""

from __future__ import annotations

import pickle
import struct
import tempfile
from pathlib import Path

import attrs
import pydicom
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom import uid
from pydicom.dataset import Dataset, FileMetaDataset

import dimsekit as dk
from dimsekit._model.payload import encode_dataset
from dimsekit.aio import Part10Error, Part10Instance, _part10, file_meta_information, read_part10
from dimsekit.testing import ae_titles, uids

from .helpers import CT, INSTANCE, examples

SYNTAXES = [
    uid.ImplicitVRLittleEndian,
    uid.ExplicitVRLittleEndian,
    uid.ExplicitVRBigEndian,
    uid.DeflatedExplicitVRLittleEndian,
]


def image(instance: str = INSTANCE) -> Dataset:
    dataset = Dataset()
    dataset.SOPClassUID = CT
    dataset.SOPInstanceUID = instance
    dataset.PatientName = "Doe^Jane"
    dataset.PatientID = "ID1"  # odd length: padded
    dataset.Rows = 2
    return dataset


def meta_elements(meta: bytes) -> list[tuple[int, bytes, bytes]]:
    """(tag, VR, value) of each element of a File Meta Information written by us."""
    found, offset = [], 132
    while offset < len(meta):
        group, element, vr_code = struct.unpack_from("<HH2s", meta, offset)
        if vr_code == b"OB":
            (length,) = struct.unpack_from("<I", meta, offset + 8)
            start = offset + 12
        else:
            (length,) = struct.unpack_from("<H", meta, offset + 6)
            start = offset + 8
        found.append((group << 16 | element, vr_code, meta[start : start + length]))
        offset = start + length
    assert offset == len(meta)
    return found


# --- writing ---------------------------------------------------------------------------------


def test_the_layout_of_a_file_meta_information() -> None:
    meta = file_meta_information(CT, "1.2.3.4", uid.ExplicitVRLittleEndian, source_ae_title="AE1")
    assert meta[:128] == bytes(128) and meta[128:132] == b"DICM"
    elements = meta_elements(meta)
    assert [(tag, vr_code) for tag, vr_code, _ in elements] == [
        (0x0002_0000, b"UL"),
        (0x0002_0001, b"OB"),
        (0x0002_0002, b"UI"),
        (0x0002_0003, b"UI"),
        (0x0002_0010, b"UI"),
        (0x0002_0012, b"UI"),
        (0x0002_0013, b"SH"),
        (0x0002_0016, b"AE"),
    ]
    values = {tag: value for tag, _, value in elements}
    # the group length counts every byte after its own element (PS3.10 7.1)
    assert struct.unpack("<I", values[0x0002_0000]) == (len(meta) - 132 - 12,)
    assert values[0x0002_0001] == b"\x00\x01"
    assert values[0x0002_0002] == CT.encode() + b"\0"  # 25 characters: a NUL pads it
    assert values[0x0002_0003] == b"1.2.3.4\0"
    assert values[0x0002_0010] == b"1.2.840.10008.1.2.1\0"
    assert values[0x0002_0012] == dk.IMPLEMENTATION_CLASS_UID.encode()  # even already
    assert values[0x0002_0013] == dk.IMPLEMENTATION_VERSION_NAME.encode()
    assert values[0x0002_0016] == b"AE1 "  # text is padded with a space
    assert all(len(value) % 2 == 0 for value in values.values())


def test_optional_elements_are_left_out_when_not_given() -> None:
    meta = file_meta_information(
        CT, "1.2.3", uid.ImplicitVRLittleEndian, implementation_version_name=None
    )
    tags = [tag for tag, _, _ in meta_elements(meta)]
    assert 0x0002_0013 not in tags and 0x0002_0016 not in tags
    assert tags[-1] == 0x0002_0012


def test_another_implementation_is_named_when_given(tmp_path: Path) -> None:
    meta = file_meta_information(
        CT,
        "1.2.3",
        uid.ImplicitVRLittleEndian,
        implementation_class_uid="1.2.3.4.5",
        implementation_version_name="OTHER_1",
    )
    data_set = encode_dataset(image(), uid.ImplicitVRLittleEndian)
    dataset = pydicom.dcmread(_file_of(meta + data_set, tmp_path))
    assert dataset.file_meta.ImplementationClassUID == "1.2.3.4.5"
    assert dataset.file_meta.ImplementationVersionName == "OTHER_1"


def _file_of(content: bytes, directory: Path | str) -> str:
    """A file holding ``content`` in ``directory``."""
    path = Path(directory) / "file.dcm"
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_what_is_written_reads_back_in_pydicom_and_in_read_part10(
    syntax: str, tmp_path: Path
) -> None:
    data_set = encode_dataset(image(), syntax)
    meta = file_meta_information(CT, INSTANCE, syntax, source_ae_title="STORESCU")
    path = _file_of(meta + data_set, tmp_path)

    read = pydicom.dcmread(path)
    assert read.file_meta.MediaStorageSOPClassUID == CT
    assert read.file_meta.MediaStorageSOPInstanceUID == INSTANCE
    assert read.file_meta.TransferSyntaxUID == syntax
    assert read.file_meta.ImplementationClassUID == dk.IMPLEMENTATION_CLASS_UID
    assert read.file_meta.ImplementationVersionName == dk.IMPLEMENTATION_VERSION_NAME
    assert read.file_meta.SourceApplicationEntityTitle == "STORESCU"
    assert read.file_meta.FileMetaInformationVersion == b"\x00\x01"
    assert read.PatientName == "Doe^Jane" and read.Rows == 2

    instance = read_part10(path)
    assert instance == Part10Instance(
        path=path,
        sop_class_uid=uid.UID(CT),
        sop_instance_uid=uid.UID(INSTANCE),
        transfer_syntax=uid.UID(syntax),
        data_set_offset=len(meta),
        data_set_length=len(data_set),
    )
    assert instance.payload().to_bytes() == data_set


@settings(max_examples=examples(50))
@given(
    sop_class=uids(),
    instance=uids(),
    syntax=st.sampled_from(SYNTAXES),
    source=st.none() | ae_titles(),
    version=st.none() | st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789.", max_size=16),
)
def test_any_meta_written_reads_back(
    sop_class: str, instance: str, syntax: str, source: str | None, version: str | None
) -> None:
    meta = file_meta_information(
        sop_class, instance, syntax, implementation_version_name=version, source_ae_title=source
    )
    assert len(meta) % 2 == 0
    data_set = encode_dataset(image(), syntax)
    with tempfile.TemporaryDirectory() as directory:
        path = _file_of(meta + data_set, directory)
        instance_read = read_part10(path)
        read = pydicom.dcmread(path)
    assert (instance_read.sop_class_uid, instance_read.sop_instance_uid) == (sop_class, instance)
    assert instance_read.transfer_syntax == syntax
    assert instance_read.data_set_offset == len(meta)
    assert read.file_meta.MediaStorageSOPClassUID == sop_class
    assert read.file_meta.MediaStorageSOPInstanceUID == instance
    for keyword, written in (
        ("SourceApplicationEntityTitle", source),
        ("ImplementationVersionName", version),
    ):
        if written is None:
            assert keyword not in read.file_meta
        else:
            assert read.file_meta[keyword].value == written
    assert read.PatientName == "Doe^Jane"


def test_a_value_that_cannot_be_written_is_refused() -> None:
    with pytest.raises(Part10Error, match=r"\(0002,0003\).*outside Latin-1") as caught:
        file_meta_information(CT, "1.2.\u20ac", uid.ImplicitVRLittleEndian)
    assert caught.value.path is None
    with pytest.raises(Part10Error, match=r"\(0002,0016\).*2-byte length"):
        file_meta_information(CT, "1.2", uid.ImplicitVRLittleEndian, source_ae_title="A" * 70_000)


def test_a_malformed_uid_is_written_as_given() -> None:
    """A UID a peer sent leniently decoded (PS3.5 9.1 broken) names the instance still."""
    traversal = "/".join(["." * 2, "." * 2, "etc", "passwd"])
    meta = file_meta_information(CT, traversal, uid.ImplicitVRLittleEndian)
    values = {tag: value for tag, _, value in meta_elements(meta)}
    assert values[0x0002_0003] == traversal.encode()


# --- reading files pydicom wrote ----------------------------------------------------------


@pytest.mark.parametrize("syntax", SYNTAXES)
def test_files_written_by_pydicom_are_read(syntax: str, tmp_path: Path) -> None:
    dataset = image()
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.TransferSyntaxUID = uid.UID(syntax)
    dataset.file_meta.MediaStorageSOPClassUID = uid.UID(CT)
    dataset.file_meta.MediaStorageSOPInstanceUID = uid.UID(INSTANCE)
    path = tmp_path / "pydicom.dcm"
    pydicom.dcmwrite(path, dataset, enforce_file_format=True)

    instance = read_part10(path)
    assert instance.path == str(path)
    assert (instance.sop_class_uid, instance.sop_instance_uid) == (CT, INSTANCE)
    assert instance.transfer_syntax == syntax
    assert instance.data_set_offset + instance.data_set_length == path.stat().st_size
    # a small file is read whole; the same instance sent from the file has its region
    in_memory, on_disk = instance.payload(), attrs.evolve(instance, data_set=None).payload()
    assert not in_memory.is_file and on_disk.is_file
    for payload in (in_memory, on_disk):
        # the region is the data set exactly: decoded, it is what was written (a deflated
        # one is the deflated stream, sent as it is)
        assert payload.to_dataset(syntax) == dataset
        if syntax == uid.DeflatedExplicitVRLittleEndian:
            assert payload.to_bytes() != encode_dataset(dataset, uid.ExplicitVRLittleEndian)


def test_a_file_with_more_meta_elements_skips_them(tmp_path: Path) -> None:
    dataset = image()
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.TransferSyntaxUID = uid.UID(uid.ExplicitVRLittleEndian)
    dataset.file_meta.MediaStorageSOPClassUID = uid.UID(CT)
    dataset.file_meta.MediaStorageSOPInstanceUID = uid.UID(INSTANCE)
    dataset.file_meta.PrivateInformationCreatorUID = uid.UID("1.2.3")
    dataset.file_meta.PrivateInformation = b"\xff" * 1000  # OB: a 4-byte length
    path = tmp_path / "private.dcm"
    pydicom.dcmwrite(path, dataset, enforce_file_format=True)
    instance = read_part10(path)
    assert instance.payload().to_dataset(uid.ExplicitVRLittleEndian) == dataset


def test_a_file_without_group_length_is_read(tmp_path: Path) -> None:
    """(0002,0000) is Type 1, but files without it exist; the group ends where it ends."""
    meta = file_meta_information(CT, INSTANCE, uid.ImplicitVRLittleEndian)
    without = meta[:132] + meta[132 + 12 :]
    data_set = encode_dataset(image(), uid.ImplicitVRLittleEndian)
    instance = read_part10(_file_of(without + data_set, tmp_path))
    assert instance.data_set_offset == len(without)
    assert instance.payload().to_bytes() == data_set


# --- what is not a Part 10 file ---------------------------------------------------------------


def _valid(syntax: str = uid.ImplicitVRLittleEndian) -> tuple[bytes, bytes]:
    return file_meta_information(CT, INSTANCE, syntax), encode_dataset(image(), syntax)


@pytest.mark.parametrize(
    "content",
    [b"", b"DICM", bytes(131), bytes(128) + b"DICN" + bytes(20), b"DICM" + bytes(200)],
    ids=["empty", "no preamble", "short", "other prefix", "prefix first"],
)
def test_a_file_without_dicm_is_not_part10(content: bytes, tmp_path: Path) -> None:
    path = _file_of(content, tmp_path)
    with pytest.raises(Part10Error, match="not a DICOM Part 10 file") as caught:
        read_part10(path)
    assert caught.value.path == path and caught.value.offset == 128
    assert str(caught.value).startswith(f"{path}: offset 128: ")


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        (0x0002_0002, "Media Storage SOP Class UID"),
        (0x0002_0003, "Media Storage SOP Instance UID"),
        (0x0002_0010, "Transfer Syntax UID"),
    ],
)
def test_a_required_element_missing_is_named(tag: int, name: str, tmp_path: Path) -> None:
    meta, data_set = _valid()
    kept = b"".join(
        struct.pack("<HH2sH", t >> 16, t & 0xFFFF, vr_code, len(value)) + value
        if vr_code != b"OB"
        else struct.pack("<HH2s2xI", t >> 16, t & 0xFFFF, vr_code, len(value)) + value
        for t, vr_code, value in meta_elements(meta)[1:]
        if t != tag
    )
    head = meta[:132] + struct.pack("<HH2sHI", 2, 0, b"UL", 4, len(kept))
    path = _file_of(head + kept + data_set, tmp_path)
    with pytest.raises(Part10Error, match=rf"no {name} \(0002,{tag & 0xFFFF:04X}\)") as caught:
        read_part10(path)
    assert caught.value.offset == len(head) + len(kept)  # where the group ended


def test_a_meta_not_in_explicit_vr_is_refused(tmp_path: Path) -> None:
    implicit = struct.pack("<HHI", 2, 0x0002, 4) + b"1.2\0"
    path = _file_of(bytes(128) + b"DICM" + implicit, tmp_path)
    with pytest.raises(Part10Error, match=r"\(0002,0002\) has no explicit VR") as caught:
        read_part10(path)
    assert caught.value.offset == 132


def test_an_undefined_length_in_the_meta_is_refused(tmp_path: Path) -> None:
    element = struct.pack("<HH2s2xI", 2, 0x0102, b"OB", 0xFFFF_FFFF)
    meta, data_set = _valid()
    path = _file_of(meta + element + data_set, tmp_path)
    with pytest.raises(Part10Error, match="undefined length") as caught:
        read_part10(path)
    assert caught.value.offset == len(meta)


@settings(max_examples=examples(30))
@given(cut=st.integers(min_value=132, max_value=10_000))
def test_a_file_cut_inside_its_meta_is_truncated(cut: int) -> None:
    meta, _ = _valid()
    cut = 132 + (cut - 132) % (len(meta) - 132)  # anywhere after DICM, before the data set
    with (
        tempfile.TemporaryDirectory() as directory,
        pytest.raises(Part10Error, match=r"truncated|no Media Storage") as caught,
    ):
        read_part10(_file_of(meta[:cut], directory))
    assert caught.value.offset is not None and 132 <= caught.value.offset <= cut


def test_a_group_length_beyond_the_file_is_truncated(tmp_path: Path) -> None:
    meta, _ = _valid()
    tag, _, value = meta_elements(meta)[-1]
    assert tag == 0x0002_0013
    cut = meta[: -(8 + len(value))]  # cut at an element boundary: only the group length tells
    with pytest.raises(Part10Error, match="the group \\(0002,0000\\) announces"):
        read_part10(_file_of(cut, tmp_path))


@settings(max_examples=examples(50))
@given(junk=st.binary(max_size=300))
def test_whatever_follows_dicm_is_read_or_refused_as_ours(junk: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = _file_of(bytes(128) + b"DICM" + junk, directory)
        read = _outcome(path)
    if isinstance(read, Part10Error):
        assert read.path == path
    else:
        assert read.data_set_offset + read.data_set_length == 132 + len(junk)


def _outcome(path: str) -> Part10Instance | Part10Error:
    try:
        return read_part10(path)
    except Part10Error as error:
        return error


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_part10(tmp_path / "absent.dcm")


def test_part10_error_is_ours_and_pickles() -> None:
    error = Part10Error("/a/b.dcm", 128, "what is wrong")
    assert isinstance(error, dk.DimseError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.offset, copy.reason, str(copy)) == (
        "/a/b.dcm",
        128,
        "what is wrong",
        "/a/b.dcm: offset 128: what is wrong",
    )


# --- a small file, read whole ---------------------------------------------------------------


def test_a_small_file_is_read_whole_and_sent_from_memory(tmp_path: Path) -> None:
    meta, data_set = _valid()
    path = _file_of(meta + data_set, tmp_path)
    instance = read_part10(path)
    assert instance.data_set == data_set
    payload = instance.payload()
    assert not payload.is_file and payload.to_bytes() == data_set
    on_disk = attrs.evolve(instance, data_set=None)
    assert on_disk == instance  # the same instance, wherever its bytes are
    assert on_disk.payload().is_file and on_disk.payload().to_bytes() == data_set


@pytest.mark.parametrize("extra", [0, 1])
def test_a_file_above_the_limit_keeps_its_data_set_on_disk(extra: int, tmp_path: Path) -> None:
    meta, _ = _valid()
    data_set = bytes(_part10.WHOLE_FILE_LIMIT - len(meta) + 2 * extra)  # even: a data set
    path = _file_of(meta + data_set, tmp_path)
    instance = read_part10(path)
    assert (instance.data_set is None) is bool(extra)
    assert instance.payload().is_file is bool(extra)
    assert instance.payload().to_bytes() == data_set
    assert instance.data_set_offset == len(meta)


def _both_ways(path: str) -> tuple[object, object]:
    """What read_part10 gives for ``path`` read whole, and read from the file."""
    whole = _outcome(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_part10, "WHOLE_FILE_LIMIT", -1)
        from_file = _outcome(path)
    assert not isinstance(from_file, Part10Instance) or from_file.data_set is None
    return _comparable(whole), _comparable(from_file)


def _comparable(read: Part10Instance | Part10Error) -> object:
    if isinstance(read, Part10Error):
        return (type(read), str(read), read.offset)
    return read


@settings(max_examples=examples(100))
@given(junk=st.binary(max_size=300), valid=st.booleans())
def test_a_file_read_whole_gives_what_the_file_read_gives(junk: bytes, valid: bool) -> None:
    meta, data_set = _valid()
    head = meta + junk if valid else bytes(128) + b"DICM" + junk
    with tempfile.TemporaryDirectory() as directory:
        whole, from_file = _both_ways(_file_of(head + data_set, directory))
    assert whole == from_file


@pytest.mark.parametrize("cut", [131, 132, 140, 150, 160, 200])
def test_a_cut_file_read_whole_gives_what_the_file_read_gives(cut: int, tmp_path: Path) -> None:
    meta, _ = _valid()
    whole, from_file = _both_ways(_file_of(meta[:cut], tmp_path))
    assert isinstance(whole, tuple) and whole == from_file
