"""C-ECHO (PS3.7 9.1.5, messages 9.3.5): verify end-to-end communication.

Owns: CEchoRequest and CEchoResponse.
Must not know: how they are encoded.
"""

from __future__ import annotations

from typing import ClassVar, Final

import attrs
from pydicom.uid import UID

from .._model import vr
from .._model.status import ServiceClass
from .._model.vr import CommandField
from ._base import FieldPairs, M, Request, message
from ._dimse_c import DimseCResponse

__all__ = ["VERIFICATION_SOP_CLASS", "CEchoRequest", "CEchoResponse"]

VERIFICATION_SOP_CLASS: Final = UID("1.2.840.10008.1.1")
"""The Verification SOP Class (PS3.4 A.4), C-ECHO's only SOP Class."""


@message(CommandField.C_ECHO_RQ, section="9.3.5.1")
@attrs.frozen(kw_only=True)
class CEchoRequest(Request["CEchoResponse"]):
    """C-ECHO-RQ (0x0030).  ``affected_sop_class_uid`` defaults to Verification."""

    affected_sop_class_uid: UID = attrs.field(
        default=VERIFICATION_SOP_CLASS,
        converter=vr.to_sop_class_uid,
        validator=vr.check_sop_class_uid,
        metadata=M,
    )

    echoed: ClassVar[FieldPairs] = (("affected_sop_class_uid", "affected_sop_class_uid"),)
    must_equal: ClassVar[FieldPairs] = echoed


@message(CommandField.C_ECHO_RSP, section="9.3.5.2", answers=CEchoRequest)
@attrs.frozen(kw_only=True)
class CEchoResponse(DimseCResponse):
    """C-ECHO-RSP (0x8030)."""

    status_service_class = ServiceClass.VERIFICATION
