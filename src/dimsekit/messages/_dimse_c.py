"""What every DIMSE-C response shares (PS3.7 9.3; status-related fields of Annex C).

Owns: DimseCResponse, the base of C-STORE-, C-FIND-, C-GET-, C-MOVE- and C-ECHO-RSP:
Affected SOP Class UID (U(=)) and the status-related Offending Element and Error Comment.
Must not know: how the messages are encoded.
"""

from __future__ import annotations

import attrs
from pydicom.uid import UID

from .._model import vr
from .._model.vr import AttributeTags
from ._base import U_EQ, A, Response

__all__ = ["DimseCResponse"]


@attrs.frozen(kw_only=True)
class DimseCResponse(Response):
    """Fields every DIMSE-C response has (PS3.7 Tables 9.3-2, -4, -7, -10, -13)."""

    affected_sop_class_uid: UID | None = attrs.field(
        default=None,
        converter=vr.to_optional_sop_class_uid,
        validator=vr.check_optional_sop_class_uid,
        metadata=U_EQ,
    )
    offending_element: AttributeTags | None = attrs.field(
        default=None, converter=vr.to_optional_tags, validator=vr.check_optional_tags, metadata=A
    )
    error_comment: str | None = attrs.field(
        default=None, converter=vr.to_optional_lo, validator=vr.check_optional_lo, metadata=A
    )
