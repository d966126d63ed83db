"""Write the tiny DICOM instances of ``examples/instances/`` (what the README's quick start
stores): Part 10 files (PS3.10 7.1) of a few KiB each, the same bytes at every run.

Three instances of one generated patient (``DIMSEKIT^EXAMPLE``): a CT and an MR image in
Explicit VR Little Endian and a Secondary Capture image in Implicit VR Little Endian, each
32 x 32 pixels of 16 bits (a gradient), every UID derived from fixed text, the File Meta
Information naming dimsekit's implementation, not pydicom's (whose version would change
the bytes).

Run: python scripts/make_example_instances.py [OUTPUT_DIR]   (default: examples/instances)
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "src"))

from dimsekit import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME  # noqa: E402

ROOT = "1.2.826.0.1.3680043.8.498."
"""pydicom's UID root: UIDs made under it from fixed text are the same at every run."""
SIDE = 32

PLAN = (
    ("01-CT.dcm", "1.2.840.10008.5.1.4.1.1.2", "CT", ExplicitVRLittleEndian),
    ("02-MR.dcm", "1.2.840.10008.5.1.4.1.1.4", "MR", ExplicitVRLittleEndian),
    ("03-OT.dcm", "1.2.840.10008.5.1.4.1.1.7", "OT", ImplicitVRLittleEndian),
)


def uid(*text: str) -> str:
    return str(generate_uid(prefix=ROOT, entropy_srcs=["dimsekit example", *text]))


def instance(number: int, sop_class: str, modality: str, syntax: str) -> Dataset:
    dataset = Dataset()
    dataset.SOPClassUID = sop_class
    dataset.SOPInstanceUID = uid("instance", str(number))
    dataset.PatientName = "DIMSEKIT^EXAMPLE"
    dataset.PatientID = "DIMSEKIT-1"
    dataset.PatientBirthDate = "19700101"
    dataset.PatientSex = "O"
    dataset.StudyInstanceUID = uid("study")
    dataset.StudyID = "1"
    dataset.StudyDate = "20260101"
    dataset.StudyTime = "120000"
    dataset.AccessionNumber = "A0001"
    dataset.ReferringPhysicianName = ""
    dataset.SeriesInstanceUID = uid("series", modality)
    dataset.SeriesNumber = number
    dataset.InstanceNumber = 1
    dataset.Modality = modality
    if modality == "OT":
        dataset.ConversionType = "WSD"
    dataset.Rows = SIDE
    dataset.Columns = SIDE
    dataset.SamplesPerPixel = 1
    dataset.PhotometricInterpretation = "MONOCHROME2"
    dataset.BitsAllocated = 16
    dataset.BitsStored = 12
    dataset.HighBit = 11
    dataset.PixelRepresentation = 0
    dataset.PixelData = b"".join(
        ((row * SIDE + column) * 4 * number % 4096).to_bytes(2, "little")
        for row in range(SIDE)
        for column in range(SIDE)
    )
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(sop_class)
    meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    meta.TransferSyntaxUID = UID(syntax)
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    dataset.file_meta = meta
    return dataset


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, (name, sop_class, modality, syntax) in enumerate(PLAN, 1):
        path = directory / name
        instance(number, sop_class, modality, syntax).save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else REPOSITORY / "examples" / "instances"
    for written in write(target):
        print(f"{written} ({written.stat().st_size} bytes)")
