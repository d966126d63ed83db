"""``dimsekit find``, ``dimsekit get`` and ``dimsekit move``: a Query/Retrieve (and Modality
Worklist) SCU on :mod:`dimsekit.aio`, with DCMTK's habits (findscu, getscu, movescu).

Owns: the keys of ``-k`` (:class:`Key`, :func:`parse_key`: a keyword or a tag of pydicom's
data dictionary, a path into sequences, with a value or none, which asks for a return
key, PS3.4 C.2.2.1) and the identifier they make (:func:`build_identifier`, with the
Query/Retrieve Level, :func:`query_level`); how a match is printed (:func:`match_line`,
one line of keyword=value pairs, or :func:`match_json`, the DICOM JSON model of PS3.18
F.2 on one line); the storage SOP classes a C-GET proposes the SCP role for
(:data:`COMMON_STORAGE_CLASSES` and those asked for); when the C-CANCEL goes (after
``--cancel N`` Pending responses, or on Ctrl-C) and what follows (the final response
awaited for :data:`CANCEL_GRACE` seconds, else an abort; a second Ctrl-C aborts); the
summary lines and exit statuses (as ``store``'s: 0 success or warning, 1 a failure or
cancel status, or Ctrl-C, 2 no association or one that ended under the command).

Must not know: any rule of PS3.7 or PS3.8 (the engine's and :mod:`dimsekit.aio`'s), how
a received instance is written (``aio.StoreToDirectory``), the options every client
command shares (``_network``'s).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from typing import IO, Final, TypeAlias

import attrs
from pydicom import datadict
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import UID

from .._association.negotiation import STORAGE_SOP_CLASSES, ProposedContext, propose
from .._association.sop_classes import QueryModel
from .._errors import DimseError
from .._model.vr import UID_SYNTAX
from ..aio import ClientAssociation, Handlers, StoreToDirectory, retrieve_contexts
from ..messages import CGetResponse, CMoveResponse, Response
from ._network import (
    EXIT_FAILURE_STATUS,
    EXIT_OK,
    ClientOptions,
    associate,
    end_association,
    fails,
    run_client,
    status_words,
)
from ._progress import Progress, SubOperations

__all__ = [
    "CANCEL_GRACE",
    "COMMON_STORAGE_CLASSES",
    "Key",
    "build_identifier",
    "match_json",
    "match_line",
    "parse_key",
    "query_level",
    "run_find",
    "run_get",
    "run_move",
    "storage_class",
]

CANCEL_GRACE: Final = 5.0
"""Seconds the final response is awaited once the C-CANCEL-RQ is sent (on Ctrl-C or
``--cancel N``); then the association is aborted (a second Ctrl-C aborts at once)."""

QUERY_RETRIEVE_LEVEL: Final = 0x00080052
"""Query/Retrieve Level (0008,0052), PS3.4 C.4.1.1.3.1."""

_STORAGE_BY_KEYWORD: Final = {uid.keyword: uid for uid in STORAGE_SOP_CLASSES}
"""The storage SOP classes by their keyword in pydicom's dictionary (``CTImageStorage``)."""

COMMON_STORAGE_CLASSES: Final[tuple[UID, ...]] = tuple(
    _STORAGE_BY_KEYWORD[keyword]
    for keyword in (  # noqa: SIM905 (82 keywords, read as a paragraph)
        "CTImageStorage EnhancedCTImageStorage LegacyConvertedEnhancedCTImageStorage "
        "MRImageStorage EnhancedMRImageStorage EnhancedMRColorImageStorage "
        "LegacyConvertedEnhancedMRImageStorage MRSpectroscopyStorage "
        "ComputedRadiographyImageStorage DigitalXRayImageStorageForPresentation "
        "DigitalXRayImageStorageForProcessing "
        "DigitalMammographyXRayImageStorageForPresentation "
        "DigitalMammographyXRayImageStorageForProcessing "
        "DigitalIntraOralXRayImageStorageForPresentation "
        "DigitalIntraOralXRayImageStorageForProcessing BreastTomosynthesisImageStorage "
        "BreastProjectionXRayImageStorageForPresentation "
        "BreastProjectionXRayImageStorageForProcessing XRayAngiographicImageStorage "
        "EnhancedXAImageStorage XRayRadiofluoroscopicImageStorage EnhancedXRFImageStorage "
        "XRay3DAngiographicImageStorage XRay3DCraniofacialImageStorage "
        "UltrasoundImageStorage UltrasoundMultiFrameImageStorage EnhancedUSVolumeStorage "
        "NuclearMedicineImageStorage PositronEmissionTomographyImageStorage "
        "EnhancedPETImageStorage LegacyConvertedEnhancedPETImageStorage "
        "SecondaryCaptureImageStorage MultiFrameSingleBitSecondaryCaptureImageStorage "
        "MultiFrameGrayscaleByteSecondaryCaptureImageStorage "
        "MultiFrameGrayscaleWordSecondaryCaptureImageStorage "
        "MultiFrameTrueColorSecondaryCaptureImageStorage VLEndoscopicImageStorage "
        "VideoEndoscopicImageStorage VLMicroscopicImageStorage "
        "VLSlideCoordinatesMicroscopicImageStorage VLPhotographicImageStorage "
        "VideoPhotographicImageStorage VLWholeSlideMicroscopyImageStorage "
        "OphthalmicPhotography8BitImageStorage OphthalmicPhotography16BitImageStorage "
        "OphthalmicTomographyImageStorage RTImageStorage RTDoseStorage "
        "RTStructureSetStorage RTPlanStorage RTIonPlanStorage "
        "RTBeamsTreatmentRecordStorage RTIonBeamsTreatmentRecordStorage "
        "RTTreatmentSummaryRecordStorage GrayscaleSoftcopyPresentationStateStorage "
        "ColorSoftcopyPresentationStateStorage PseudoColorSoftcopyPresentationStateStorage "
        "BlendingSoftcopyPresentationStateStorage KeyObjectSelectionDocumentStorage "
        "BasicTextSRStorage EnhancedSRStorage ComprehensiveSRStorage "
        "Comprehensive3DSRStorage MammographyCADSRStorage ChestCADSRStorage "
        "XRayRadiationDoseSRStorage RadiopharmaceuticalRadiationDoseSRStorage "
        "EncapsulatedPDFStorage EncapsulatedCDAStorage RawDataStorage "
        "SpatialRegistrationStorage DeformableSpatialRegistrationStorage "
        "SpatialFiducialsStorage SegmentationStorage SurfaceSegmentationStorage "
        "ParametricMapStorage RealWorldValueMappingStorage TwelveLeadECGWaveformStorage "
        "GeneralECGWaveformStorage AmbulatoryECGWaveformStorage HemodynamicWaveformStorage "
        "BasicVoiceAudioWaveformStorage"
    ).split()
)
"""The storage SOP classes (PS3.4 B.5) ``get`` proposes the SCP role for by default, by
keyword of pydicom's dictionary: the images, structured reports, presentation states,
radiotherapy objects, waveforms and documents in common use, as getscu proposes the
classes in common use: all of them (more than 200) do not fit in one A-ASSOCIATE-RQ,
whose presentation contexts are at most 128 (PS3.8 9.3.2.2)."""


# --- keys ------------------------------------------------------------------------------


_TAG_FORM: Final = re.compile(r"\(?([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)?")
_STEP: Final = re.compile(r"([^\[\]]+)(?:\[(\d+)\])?")
_NUMBERS: Final = {"US": int, "SS": int, "UL": int, "SL": int, "UV": int, "SV": int}
_FLOATS: Final = frozenset({"FL", "FD"})
_BINARY: Final = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN", "AT"})
_QUOTED: Final = re.compile(r"[\s'\"\\]")
"""What a value is quoted for in a match line: a space, a quote, a backslash."""


@attrs.frozen
class Key:
    """One ``-k``: the path to an attribute (each sequence on the way with the index of
    its item) and its value, None for a return key (asked to be returned, matching any
    value: PS3.4 C.2.2.1.3 universal matching)."""

    path: tuple[tuple[int, int], ...]
    """(tag, item index) of each sequence on the way, then (tag, 0) of the attribute."""
    vr: str
    value: str | None

    @property
    def tag(self) -> int:
        return self.path[-1][0]


def _tag(name: str, text: str) -> int:
    found = _TAG_FORM.fullmatch(name)
    tag = (
        int(found.group(1) + found.group(2), 16)
        if found
        else datadict.tag_for_keyword(name.strip())
    )
    if tag is None or not datadict.dictionary_has_tag(tag):
        raise ValueError(
            f"{name!r} (in {text!r}) is no keyword or tag of the DICOM data dictionary "
            "(PS3.6): give e.g. PatientName=DOE*, (0010,0010)=DOE* or StudyInstanceUID"
        )
    return tag


def parse_key(text: str) -> Key:
    """A ``-k`` as findscu takes it: ``KEYWORD=VALUE``, ``KEYWORD`` (a return key),
    ``(gggg,eeee)=VALUE`` or ``gggg,eeee=VALUE``, and a path into sequences,
    ``ScheduledProcedureStepSequence[0].Modality=MR`` (the item index 0 when left out).
    :class:`ValueError` says what is wrong."""
    where, equals, value = text.partition("=")
    steps = where.split(".") if where else []
    if not steps:
        raise ValueError(f"{text!r} names no attribute: give e.g. PatientName=DOE*")
    path: list[tuple[int, int]] = []
    vr = ""
    for number, step in enumerate(steps, 1):
        found = _STEP.fullmatch(step)
        if found is None:
            raise ValueError(f"{step!r} (in {text!r}) is no keyword, tag or Sequence[N]")
        tag = _tag(found.group(1), text)
        vr = datadict.dictionary_VR(tag).split(" or ")[0]  # "US or SS": US (PS3.5 6.2)
        last = number == len(steps)
        if (not last or found.group(2) is not None) and vr != "SQ":
            raise ValueError(f"{found.group(1)} (in {text!r}) is no sequence: it has no items")
        if last and found.group(2) is not None:
            raise ValueError(f"{text!r}: give a key within the item: {step}.Keyword")
        path.append((tag, int(found.group(2) or 0)))
    if vr == "SQ" and value:
        raise ValueError(f"{text!r}: a sequence takes no value; give its items' keys")
    if vr in _BINARY and value:
        raise ValueError(f"{text!r}: a value of VR {vr} cannot be given as text")
    if equals and value:
        _convert(vr, value, text)  # checked now, before any connection
    return Key(path=tuple(path), vr=vr, value=value if equals and value else None)


def _convert(vr: str, value: str | None, text: str) -> object:
    """The value pydicom takes for ``vr``: numbers for the binary numeric VRs (several
    separated by backslashes, PS3.5 6.4), the text itself for the others."""
    if value is None:
        return None
    kind: Callable[[str], object] | None = _NUMBERS.get(vr) or (float if vr in _FLOATS else None)
    if kind is None:
        return value
    try:
        values = [kind(part) for part in value.split("\\")]
    except ValueError:
        raise ValueError(f"{text!r}: {value!r} is no value of VR {vr}") from None
    return values[0] if len(values) == 1 else values


def query_level(model: QueryModel, keys: Sequence[Key], level: str | None) -> str | None:
    """The Query/Retrieve Level: ``level`` (``--level``) or a ``-k QueryRetrieveLevel=``,
    which must agree, STUDY when neither is given; one of the model's levels (PS3.4
    C.6.1.1, C.6.2.1). The worklist has none (PS3.4 K.6.1): None."""
    given = [key.value for key in keys if key.path == ((QUERY_RETRIEVE_LEVEL, 0),)]
    keyed = given[-1] if given else None
    if not model.levels:
        if level is not None:
            raise ValueError(f"the {model.name} information model has no --level")
        return None
    if level is not None and keyed is not None and level.upper() != keyed:
        raise ValueError(f"--level {level} and -k QueryRetrieveLevel={keyed} disagree")
    chosen = keyed or (level or "STUDY").upper()
    if chosen not in model.levels:
        raise ValueError(
            f"level {chosen!r} is none of the {model.name} root model's: " + ", ".join(model.levels)
        )
    return chosen


def build_identifier(keys: Iterable[Key], level: str | None) -> Dataset:
    """The identifier (PS3.4 C.4.1.1.3) of ``keys``, in order (a later key of the same
    attribute replaces an earlier one), with Query/Retrieve Level ``level`` (that of
    :func:`query_level`, which a key of it does not replace)."""
    identifier = Dataset()
    for key in keys:
        data_set = identifier
        for tag, index in key.path[:-1]:
            if tag not in data_set:
                data_set.add_new(tag, "SQ", DicomSequence())
            items = data_set[tag].value
            while len(items) <= index:
                items.append(Dataset())
            data_set = items[index]
        if key.vr == "SQ":
            if key.tag not in data_set:
                data_set.add_new(key.tag, "SQ", DicomSequence())
        else:
            data_set.add_new(key.tag, key.vr, _convert(key.vr, key.value, ""))
    if level is not None:  # last: what query_level made of a -k QueryRetrieveLevel too
        identifier.add_new(QUERY_RETRIEVE_LEVEL, "CS", level)
    return identifier


def storage_class(text: str) -> UID:
    """A ``--sop-class``: a UID, or a keyword of pydicom's dictionary (``CTImageStorage``);
    one pydicom knows must be a storage SOP class's (PS3.4 B.5), one it does not (a
    private one) is taken."""
    word = text.strip()
    if word in _STORAGE_BY_KEYWORD:
        return _STORAGE_BY_KEYWORD[word]
    # "" for a UID pydicom does not know
    kind = UID(word).type if UID_SYNTAX.fullmatch(word) else None
    if not (kind == "" or word in STORAGE_SOP_CLASSES):
        raise ValueError(
            f"{text!r} is no storage SOP class: give a UID or a keyword (CTImageStorage)"
        )
    return UID(word)


# --- matches ---------------------------------------------------------------------------


def _value_words(element: DataElement) -> str:
    value = element.value
    if value is None or value == "":
        return ""
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, str):
        words = value
    elif isinstance(value, MultiValue | list | tuple):
        words = "\\".join(str(part) for part in value)
    else:
        words = str(value)
    return shlex.quote(words) if _QUOTED.search(words) else words


def _pairs(data_set: Dataset, prefix: str) -> Iterator[str]:
    for element in data_set:  # in the order of their tags
        name = prefix + (element.keyword or f"({element.tag.group:04X},{element.tag.elem:04X})")
        if element.VR == "SQ":
            if not element.value:
                yield f"{name}="
            for index, item in enumerate(element.value):
                yield from _pairs(item, f"{name}[{index}].")
        else:
            yield f"{name}={_value_words(element)}"


def match_line(match: Dataset) -> str:
    """A match as one line: ``keyword=value`` pairs in the order of their tags, an item's
    attributes as ``Sequence[N].Keyword`` (each one a ``-k`` again), several values
    separated by backslashes, a value with a space, a quote or a backslash in shell
    quoting (the line splits as ``shlex.split`` splits it), one with no text as its
    length in bytes."""
    return " ".join(_pairs(match, ""))


def match_json(match: Dataset) -> str:
    """A match on one line in the DICOM JSON model (PS3.18 F.2), as pydicom writes it."""
    return json.dumps(match.to_json_dict(), separators=(",", ":"))


# --- cancelling ------------------------------------------------------------------------


class _Cancelling:
    """When the C-CANCEL-RQ goes (PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3): after ``after`` Pending
    responses (``--cancel N``), or on Ctrl-C; then the final response is awaited for
    :data:`CANCEL_GRACE` seconds, and the association aborted when it has not come (or at
    once on another Ctrl-C)."""

    def __init__(self, association: ClientAssociation, after: int | None) -> None:
        self._association = association
        self._after = after
        self.target: Callable[[], None] = lambda: None
        """What sends the C-CANCEL-RQ."""
        self.pending = 0
        self.sent = False
        self.interrupted = False
        self.gave_up = False
        self.expired = False
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def counted(self) -> None:
        """A Pending response came."""
        self.pending += 1
        if self._after is not None and self.pending >= self._after:
            self.cancel()

    def cancel(self) -> None:
        if self.sent:
            return
        self.sent = True
        self.target()
        self._timer = asyncio.get_running_loop().call_later(CANCEL_GRACE, self._expire)

    def interrupt(self) -> None:
        """Ctrl-C: the C-CANCEL-RQ the first time, the abort the next."""
        if self.interrupted:
            self._give_up()
            return
        self.interrupted = True
        print("dimsekit: interrupted: C-CANCEL sent", file=sys.stderr, flush=True)
        self.cancel()

    def _expire(self) -> None:
        self.expired = True
        self._give_up()

    def _give_up(self) -> None:
        if self.gave_up:
            return
        self.gave_up = True
        task = asyncio.get_running_loop().create_task(self._association.abort())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def why(self) -> ConnectionAbortedError:
        """The error the command ends with once it gave up (exit status 2)."""
        if self.expired:
            return ConnectionAbortedError(
                f"aborted: no final response within {CANCEL_GRACE:g} s of the C-CANCEL"
            )
        return ConnectionAbortedError("aborted: interrupted again before the final response")

    def exit_status(self, response: Response) -> int:
        """0 for a success or warning status, 1 for any other, and after Ctrl-C."""
        return EXIT_FAILURE_STATUS if fails(response) or self.interrupted else EXIT_OK


@contextlib.contextmanager
def _cancellable(association: ClientAssociation, after: int | None) -> Iterator[_Cancelling]:
    """A :class:`_Cancelling` for the block, Ctrl-C (SIGINT) its ``interrupt``; an error
    of an association it aborted is said as its ``why``."""
    cancelling = _Cancelling(association, after)
    loop = asyncio.get_running_loop()
    installed = False
    # not in the main thread: Ctrl-C is KeyboardInterrupt, as for store
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGINT, cancelling.interrupt)
        installed = True
    try:
        yield cancelling
    except Exception:
        if cancelling.gave_up:
            raise cancelling.why() from None
        raise
    finally:
        cancelling.close()
        if installed:
            loop.remove_signal_handler(signal.SIGINT)
    if cancelling.gave_up:
        raise cancelling.why()


_Pending: TypeAlias = Callable[[CGetResponse | CMoveResponse], None]
"""What is called with each Pending response of a C-GET or C-MOVE."""
# --- find ------------------------------------------------------------------------------


def run_find(
    options: ClientOptions,
    model: QueryModel,
    identifier: Dataset,
    *,
    as_json: bool = False,
    cancel_after: int | None = None,
) -> int:
    """C-FIND of ``identifier`` in ``model`` (PS3.4 C.4.1, K.4.1): each match on stdout as
    it comes, then the count and the final status on stderr; the C-CANCEL-RQ after
    ``cancel_after`` matches."""
    work = _find(options, model, identifier, as_json, cancel_after, sys.stdout)
    return run_client("find", options.verbose, work)


async def _find(
    options: ClientOptions,
    model: QueryModel,
    identifier: Dataset,
    as_json: bool,
    cancel_after: int | None,
    out: IO[str],
) -> int:
    context = ProposedContext(
        abstract_syntax=model.find, transfer_syntaxes=options.transfer_syntaxes
    )
    association = await associate(options, [context])
    render = match_json if as_json else match_line
    count = 0
    try:
        with _cancellable(association, cancel_after) as cancelling:
            async with association.find(identifier, model=model, check=False) as matches:
                cancelling.target = matches.cancel
                async for match in matches:
                    count += 1
                    print(render(match), file=out, flush=True)
                    cancelling.counted()
        response = matches.response
        assert response is not None  # the loop ended with it
        await association.release()
    finally:
        await end_association(association)
    plural = "match" if count == 1 else "matches"
    print(f"{count} {plural}, {status_words(response)}", file=sys.stderr, flush=True)
    return cancelling.exit_status(response)


# --- get and move ----------------------------------------------------------------------


def run_get(
    options: ClientOptions,
    model: QueryModel,
    identifier: Dataset,
    *,
    store_dir: str = ".",
    sop_classes: Sequence[str] = (),
    cancel_after: int | None = None,
) -> int:
    """C-GET of what ``identifier`` names in ``model`` (PS3.4 C.4.3): each instance the
    peer sends kept in ``store_dir`` (``aio.StoreToDirectory``), the SCP role proposed for
    :data:`COMMON_STORAGE_CLASSES` and ``sop_classes``; progress on a terminal, the
    summary on stdout; the C-CANCEL-RQ after ``cancel_after`` Pending responses."""
    classes = tuple(dict.fromkeys((*COMMON_STORAGE_CLASSES, *sop_classes)))
    contexts = retrieve_contexts(model, classes, options.transfer_syntaxes)
    try:  # the rules of an A-ASSOCIATE-RQ checked before connecting
        propose(calling_ae_title="A", called_ae_title="B", contexts=contexts)
    except DimseError as error:
        raise ValueError(
            f"{len(classes)} storage SOP classes and the C-GET make {len(contexts)} "
            f"presentation contexts: too many: {error}"
        ) from None
    handlers = Handlers(store=StoreToDirectory(store_dir))

    async def work(
        association: ClientAssociation, progress: _Pending, cancel: asyncio.Event
    ) -> CGetResponse:
        return await association.get(identifier, model=model, progress=progress, cancel=cancel)

    retrieving = _retrieve(options, contexts, handlers, work, cancel_after, sys.stderr)
    return run_client("get", options.verbose, retrieving)


def run_move(
    options: ClientOptions,
    model: QueryModel,
    identifier: Dataset,
    destination: str,
    *,
    cancel_after: int | None = None,
) -> int:
    """C-MOVE of what ``identifier`` names in ``model`` to the AE ``destination``
    (PS3.4 C.4.2); progress on a terminal, the summary on stdout; the C-CANCEL-RQ after
    ``cancel_after`` Pending responses."""
    context = ProposedContext(
        abstract_syntax=model.retrieve_class("move"), transfer_syntaxes=options.transfer_syntaxes
    )

    async def work(
        association: ClientAssociation, progress: _Pending, cancel: asyncio.Event
    ) -> CMoveResponse:
        return await association.move(
            identifier, destination, model=model, progress=progress, cancel=cancel
        )

    retrieving = _retrieve(options, [context], None, work, cancel_after, sys.stderr)
    return run_client("move", options.verbose, retrieving)


def _count(counts: SubOperations, response: CGetResponse | CMoveResponse) -> None:
    counts.remaining = response.number_of_remaining_suboperations
    counts.completed = response.number_of_completed_suboperations
    counts.failed = response.number_of_failed_suboperations
    counts.warning = response.number_of_warning_suboperations


async def _retrieve(
    options: ClientOptions,
    contexts: Sequence[ProposedContext],
    handlers: Handlers | None,
    work: Callable[
        [ClientAssociation, _Pending, asyncio.Event], Awaitable[CGetResponse | CMoveResponse]
    ],
    cancel_after: int | None,
    stream: IO[str],
) -> int:
    association = await associate(options, contexts, handlers=handlers)
    counts = SubOperations()
    progress = Progress(counts, stream)
    response: CGetResponse | CMoveResponse | None = None
    try:
        with _cancellable(association, cancel_after) as cancelling:

            def pending(update: CGetResponse | CMoveResponse) -> None:
                _count(counts, update)
                progress.update()
                cancelling.counted()

            cancel = asyncio.Event()  # set: the C-CANCEL-RQ goes, the final response comes
            cancelling.target = cancel.set
            progress.update(force=True)
            try:
                response = await work(association, pending, cancel)
            finally:
                progress.finish()
        await association.release()
    finally:
        await end_association(association)
    assert response is not None  # the call returned: an error would have left the block
    _count(counts, response)
    print(f"{counts.words()}; {status_words(response)}", flush=True)
    failed = response.identifier.dataset if response.identifier is not None else None
    if failed is not None and "FailedSOPInstanceUIDList" in failed:
        for uid in _values(failed["FailedSOPInstanceUIDList"]):
            print(f"dimsekit: failed: {uid}", file=stream)
    return cancelling.exit_status(response)


def _values(element: DataElement) -> list[str]:
    value = element.value
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else [str(part) for part in value]
