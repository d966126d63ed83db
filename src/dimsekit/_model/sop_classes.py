"""The SOP classes of the services beyond Verification and Storage that an association
carries: the Query/Retrieve information models (PS3.4 C.6), the Modality Worklist
information model (PS3.4 K.6) and the Storage Commitment Push Model (PS3.4 J.3).

Owns: :class:`QueryModel` (one information model: the SOP classes of its C-FIND, C-MOVE
and C-GET) and its values :data:`PATIENT_ROOT`, :data:`STUDY_ROOT` and
:data:`MODALITY_WORKLIST` (:data:`QUERY_MODELS` by name); the Storage Commitment Push
Model's SOP class and well-known SOP instance; :func:`uid_of`, the UID of a keyword.
Each UID is looked up by its keyword in pydicom's UID dictionary, which states it; none
is written here.  Stated in the model layer so that the messages (the service class
whose status meanings a response takes) and the association layer (negotiation, the
servers' policies; ``dimsekit._association.sop_classes`` re-exports it) name them from
one place.

Must not know: negotiation, the engine, messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

import attrs
from pydicom import uid as _uid
from pydicom.uid import UID

__all__ = [
    "MODALITY_WORKLIST",
    "PATIENT_ROOT",
    "QUERY_MODELS",
    "STORAGE_COMMITMENT_PUSH_MODEL",
    "STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE",
    "STUDY_ROOT",
    "QueryModel",
]

_BY_KEYWORD: Final[Mapping[str, str]] = MappingProxyType(
    {
        entry[4]: uid
        for uid, entry in _uid.UID_dictionary.items()  # type: ignore[attr-defined]
    }
)


def uid_of(keyword: str) -> UID:
    """The UID pydicom's dictionary names ``keyword`` (PS3.6 Annex A), e.g.
    ``"ModalityPerformedProcedureStep"``."""
    return UID(_BY_KEYWORD[keyword])


@attrs.frozen
class QueryModel:
    """An information model of the Query/Retrieve service class (PS3.4 C.6) or the
    Modality Worklist (PS3.4 K.6): ``name``, as DCMTK's options say it (``-P`` patient
    root, ``-S`` study root, ``-W`` worklist), and the SOP class of each of its
    operations; a model with no C-MOVE or C-GET (the worklist) has None there."""

    name: str
    find: UID
    move: UID | None = None
    get: UID | None = None
    levels: tuple[str, ...] = ()
    """The Query/Retrieve Levels (0008,0052) of the model, root first (PS3.4 C.6.1.1,
    C.6.2.1); empty for the worklist, which has none."""

    def retrieve_class(self, operation: Literal["move", "get"]) -> UID:
        """The SOP class of the model's C-MOVE or C-GET; :class:`ValueError` where the
        model has none (the worklist: PS3.4 K.6.1)."""
        sop_class = self.move if operation == "move" else self.get
        if sop_class is None:
            raise ValueError(f"the {self.name} information model has no C-{operation.upper()}")
        return sop_class

    @property
    def sop_classes(self) -> tuple[UID, ...]:
        """Every SOP class of the model, FIND first."""
        return tuple(uid for uid in (self.find, self.move, self.get) if uid is not None)


def _retrieve_model(name: str, keyword: str, levels: tuple[str, ...]) -> QueryModel:
    stem = f"{keyword}QueryRetrieveInformationModel"
    return QueryModel(
        name=name,
        find=uid_of(f"{stem}Find"),
        move=uid_of(f"{stem}Move"),
        get=uid_of(f"{stem}Get"),
        levels=levels,
    )


PATIENT_ROOT: Final = _retrieve_model(
    "patient", "PatientRoot", ("PATIENT", "STUDY", "SERIES", "IMAGE")
)
"""The Patient Root Query/Retrieve Information Model (PS3.4 C.6.1)."""
STUDY_ROOT: Final = _retrieve_model("study", "StudyRoot", ("STUDY", "SERIES", "IMAGE"))
"""The Study Root Query/Retrieve Information Model (PS3.4 C.6.2)."""
MODALITY_WORKLIST: Final = QueryModel(
    name="worklist", find=uid_of("ModalityWorklistInformationModelFind")
)
"""The Modality Worklist Information Model, C-FIND only (PS3.4 K.6.1)."""

QUERY_MODELS: Final[Mapping[str, QueryModel]] = MappingProxyType(
    {model.name: model for model in (PATIENT_ROOT, STUDY_ROOT, MODALITY_WORKLIST)}
)
"""The information models by name."""

STORAGE_COMMITMENT_PUSH_MODEL: Final = uid_of("StorageCommitmentPushModel")
"""The Storage Commitment Push Model SOP Class (PS3.4 J.3)."""
STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE: Final = uid_of("StorageCommitmentPushModelInstance")
"""Its well-known SOP instance, which its N-ACTION and N-EVENT-REPORT name (PS3.4 J.3.2)."""
