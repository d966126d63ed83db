"""How DCMTK's Query/Retrieve SCP (dcmqrscp) and Print SCP (dcmprscp) are set up for the
peers tests, for the recorder of tests/data/association and for benchmarks/bench_qr.py:
their configuration files, and the database dcmqrscp serves, made once.

Owns: :class:`QrDatabase`, dcmqrscp's storage area holding

- the small set of ``instances.write_instances`` (two patients, three studies);
- the *find* study: :data:`FIND_COUNT` instances of one patient, each in a series of its
  own, so that a study-root C-FIND at SERIES level within it has that many matches
  (PS3.4 C.6.2); DCMTK's index database keeps at most 500 studies in a storage area
  (``DB_UpperMaxStudies``), so 1,000 matches can only be had below the study level;
- the *get* study: :data:`GET_COUNT` small instances, for a C-GET or C-MOVE of many
  sub-operations (and one cancelled half way);

their files written once by pydicom and registered in dcmqrscp's index by DCMTK's
``dcmqridx`` (no C-STORE, no dcmqrscp running meanwhile); then
:func:`qrscp_config`, the configuration of a dcmqrscp that serves it under the
AE title :data:`QRSCP` with a table of move destinations, and :func:`print_config`,
dcmprscp's (a local printer, and a second entry for the SCU, which may point elsewhere).

Must not know: pytest, how a process is started and stopped (the tests' ``Processes``
and the benchmark's each do it their way), dimsekit.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

import attrs
from pydicom.dataset import Dataset

from .instances import ROOT, make_instance, write_instances

QRSCP: Final = "QRSCP"
"""The AE title dcmqrscp serves its database under."""
FIND_COUNT: Final = 1000
GET_COUNT: Final = 200
FIND_STUDY: Final = f"{ROOT}7.1"
GET_STUDY: Final = f"{ROOT}8.1"
FIND_PATIENT: Final = ("FIND", "Find^Many")
GET_PATIENT: Final = ("GET", "Get^Many")
INDEX_TIMEOUT: Final = 300.0
"""dcmqridx takes about 4 s for 1,200 files here (it looks for duplicates: quadratic)."""


@attrs.frozen(kw_only=True)
class QrDatabase:
    """A storage area of dcmqrscp, its files registered in its index."""

    directory: Path
    small: tuple[Path, ...]
    """The files of ``write_instances``."""
    find: tuple[Path, ...]
    """The find study's files, in instance number order."""
    get: tuple[Path, ...]
    """The get study's files, in instance number order."""

    @classmethod
    def build(
        cls, directory: Path, dcmqridx: str, find: int = FIND_COUNT, get: int = GET_COUNT
    ) -> QrDatabase:
        """Write the instances into ``directory`` (new) and register them with
        ``dcmqridx`` (the path of DCMTK's tool)."""
        directory.mkdir(parents=True)
        small = write_instances(directory / "small")
        found = _write_study(directory / "find", FIND_PATIENT, FIND_STUDY, find)
        got = _write_study(directory / "get", GET_PATIENT, GET_STUDY, get)
        files = [*small, *found, *got]
        result = subprocess.run(
            [dcmqridx, str(directory), *map(str, files)],
            capture_output=True, timeout=INDEX_TIMEOUT, check=False,
        )  # fmt: skip
        if result.returncode != 0 or result.stderr:
            raise RuntimeError(f"dcmqridx failed ({result.returncode}): {result.stderr[-500:]!r}")
        return cls(directory=directory, small=tuple(small), find=tuple(found), get=tuple(got))

    def patients(self, small: Iterable[Dataset]) -> set[tuple[str, str]]:
        """(Patient ID, Patient's Name) of every patient: those of ``small`` (the small
        set, read) and the two of the find and get studies."""
        return {(d.PatientID, str(d.PatientName)) for d in small} | {FIND_PATIENT, GET_PATIENT}


def _write_study(directory: Path, patient: tuple[str, str], study: str, count: int) -> list[Path]:
    """``count`` Secondary Capture instances of one study, each in its own series."""
    directory.mkdir()
    paths = []
    for number in range(1, count + 1):
        path = directory / f"{number:04d}.dcm"
        make_instance(*patient, study, "OT", number).save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def qrscp_config(
    path: Path, port: int, database: Path, move_destinations: Mapping[str, int]
) -> Path:
    """Write dcmqrscp's configuration to ``path``: ``database`` served as :data:`QRSCP`
    to any caller on ``port`` (read and write, at most 200 studies: nothing stores into
    it), each move destination an AE title on 127.0.0.1 at its port."""
    hosts = "".join(
        f"{name} = ({name}, 127.0.0.1, {destination})\n"
        for name, destination in move_destinations.items()
    )
    path.write_text(
        f"NetworkTCPPort = {port}\nMaxPDUSize = 16384\nMaxAssociations = 16\n"
        f"HostTable BEGIN\n{hosts}HostTable END\n"
        "VendorTable BEGIN\nVendorTable END\n"
        f"AETable BEGIN\n{QRSCP} {database} RW (200, 1024mb) ANY\nAETable END\n"
    )
    return path


def qrscp_command(dcmqrscp: str, config: Path, port: int, *options: str) -> list[str]:
    """The command line of dcmqrscp (the path of DCMTK's tool) with ``config``."""
    return [dcmqrscp, "-c", str(config), "--disable-host-lookup", *options, str(port)]


_PRINTER: Final = """Aetitle = PRINTSCP
Hostname = 127.0.0.1
Port = {port}
Type = {kind}
DisableNewVRs = false
DisplayFormat = 1,1\\1,2\\2,2
FilmSizeID = 8INX10IN\\14INX17IN
ImplicitOnly = false
MagnificationType = REPLICATE\\NONE
MaxDensity = 320
MaxPDU = 16384
MediumType = PAPER\\CLEAR FILM
MinDensity = 20
PresentationLUTMatchRequired = false
PresentationLUTinFilmSession = false
Supports12Bit = true
SupportsPresentationLUT = true
"""

PRINT_SCP: Final = "PRINTSCP"
"""The entry of the configuration dcmprscp serves (``dcmprscp -p PRINTSCP``)."""
PRINT_SCU: Final = "VIATAP"
"""The entry DCMTK's print SCUs use (``-p VIATAP``): the printer at ``scu_port``."""


def print_config(directory: Path, scp_port: int, scu_port: int) -> Path:
    """dcmprscp's configuration (dcmpstat.cfg) in ``directory``, with the folders it
    names: the printer :data:`PRINT_SCP` listening on ``scp_port``, and :data:`PRINT_SCU`
    that an SCU reaches at ``scu_port`` (a tap in front of the printer, say)."""
    for name in ("spool", "database", "log", "lut", "reports"):
        (directory / name).mkdir()
    config = directory / "dcmpstat.cfg"
    config.write_text(
        "[[GENERAL]]\n[APPLICATION]\nLogDirectory = log\nLogFile = general.log\n"
        "[PRINT]\nDirectory = spool\nDeletePrintJobs = false\n"
        "[DATABASE]\nDirectory = database\n[LUT]\nDirectory = lut\n"
        "[REPORT]\nDirectory = reports\n[[COMMUNICATION]]\n"
        f"[{PRINT_SCP}]\n" + _PRINTER.format(port=scp_port, kind="LOCALPRINTER") +
        f"[{PRINT_SCU}]\n" + _PRINTER.format(port=scu_port, kind="PRINTER")
    )  # fmt: skip
    return config
