"""Small but real DICOM instances of several SOP classes, made with pydicom."""

from __future__ import annotations

from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from dimsekit import MODALITY_WORKLIST

SOP_CLASSES = {
    "CT": "1.2.840.10008.5.1.4.1.1.2",
    "MR": "1.2.840.10008.5.1.4.1.1.4",
    "OT": "1.2.840.10008.5.1.4.1.1.7",  # Secondary Capture
}
ROOT = "1.2.826.0.1.3680043.8.498."


def make_instance(
    patient_id: str, patient_name: str, study_uid: str, modality: str, number: int
) -> Dataset:
    dataset = Dataset()
    dataset.SOPClassUID = SOP_CLASSES[modality]
    # UIDs from what the instance is, so that each run writes the same bytes (the
    # recordings of tests/data/association are compared with a new run's)
    dataset.SOPInstanceUID = generate_uid(prefix=ROOT, entropy_srcs=[study_uid, str(number)])
    dataset.PatientID = patient_id
    dataset.PatientName = patient_name
    dataset.PatientBirthDate = "19700101"
    dataset.PatientSex = "O"
    dataset.StudyInstanceUID = study_uid
    dataset.StudyID = "1"
    dataset.StudyDate = "20260101"
    dataset.StudyTime = "120000"
    dataset.AccessionNumber = f"A{number:04d}"
    dataset.ReferringPhysicianName = ""
    dataset.SeriesInstanceUID = generate_uid(
        prefix=ROOT, entropy_srcs=[study_uid, str(number), "series"]
    )
    dataset.SeriesNumber = number
    dataset.InstanceNumber = number
    dataset.Modality = modality
    dataset.ConversionType = "WSD"
    dataset.Rows = 8
    dataset.Columns = 8
    dataset.SamplesPerPixel = 1
    dataset.PhotometricInterpretation = "MONOCHROME2"
    dataset.BitsAllocated = 16
    dataset.BitsStored = 12
    dataset.HighBit = 11
    dataset.PixelRepresentation = 0
    dataset.PixelData = bytes((number + i) % 256 for i in range(128))
    dataset.file_meta = FileMetaDataset()
    dataset.file_meta.MediaStorageSOPClassUID = dataset.SOPClassUID
    dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    dataset.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return dataset


def write_instances(directory: Path) -> list[Path]:
    """Two patients, three studies, CT, MR and Secondary Capture instances."""
    directory.mkdir(parents=True, exist_ok=True)
    plan = [
        ("PAT1", "Alpha^Ann", "CT"),
        ("PAT1", "Alpha^Ann", "MR"),
        ("PAT2", "Beta^Bob", "OT"),
    ]
    paths = []
    number = 0
    for patient_id, patient_name, modality in plan:
        study_uid = generate_uid(prefix=ROOT, entropy_srcs=[patient_id, modality])
        for _ in range(2):
            number += 1
            dataset = make_instance(patient_id, patient_name, study_uid, modality, number)
            path = directory / f"{number:02d}-{modality}.dcm"
            dataset.save_as(path, enforce_file_format=True)
            paths.append(path)
    return paths


def write_worklist(directory: Path) -> list[Dataset]:
    """Three Modality Worklist items (PS3.4 K.6.1: a patient, a requested procedure, one
    scheduled procedure step), two of them MR, as ``.wl`` files in ``directory``, with
    the ``lockfile`` DCMTK's wlmscpfs looks for in an AE title's directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "lockfile").touch()
    items = []
    for number, (patient_id, name, modality) in enumerate(
        [("WL1", "Gamma^Gus", "MR"), ("WL2", "Delta^Dee", "CT"), ("WL3", "Eps^Eve", "MR")], 1
    ):
        item = Dataset()
        item.SpecificCharacterSet = "ISO_IR 100"
        item.AccessionNumber = f"ACC{number}"
        item.PatientName = name
        item.PatientID = patient_id
        item.PatientBirthDate = "19800101"
        item.PatientSex = "O"
        item.StudyInstanceUID = generate_uid(prefix=ROOT, entropy_srcs=["worklist", patient_id])
        item.RequestedProcedureID = f"RP{number}"
        item.RequestedProcedureDescription = "EXAM"
        step = Dataset()
        step.Modality = modality
        step.ScheduledStationAETitle = f"{modality}SCANNER"
        step.ScheduledProcedureStepStartDate = "20260102"
        step.ScheduledProcedureStepStartTime = "090000"
        step.ScheduledPerformingPhysicianName = "Doc^Dan"
        step.ScheduledProcedureStepDescription = "SCAN"
        step.ScheduledProcedureStepID = f"SPS{number}"
        item.ScheduledProcedureStepSequence = [step]
        item.file_meta = FileMetaDataset()
        item.file_meta.MediaStorageSOPClassUID = MODALITY_WORKLIST.find
        item.file_meta.MediaStorageSOPInstanceUID = generate_uid(prefix=ROOT)
        item.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        item.save_as(directory / f"item{number}.wl", enforce_file_format=True)
        items.append(item)
    return items
