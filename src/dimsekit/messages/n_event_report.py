"""N-EVENT-REPORT (PS3.7 10.1.1, messages 10.3.1): notify an event about a SOP Instance.

Owns: NEventReportRequest and NEventReportResponse.
Must not know: how they are encoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs
from pydicom.uid import UID

from .._model import vr
from .._model.payload import DataSetPayload, check_optional_payload, to_optional_payload
from .._model.vr import CommandField
from ._base import C_EQ, C, FieldPairs, M, Request, U, message
from ._dimse_n import DimseNResponse, typed_reply_rules

__all__ = ["NEventReportRequest", "NEventReportResponse"]


@message(CommandField.N_EVENT_REPORT_RQ, section="10.3.1.1")
@attrs.frozen(kw_only=True)
class NEventReportRequest(Request["NEventReportResponse"]):
    """N-EVENT-REPORT-RQ (0x0100): event ``event_type_id`` happened to an instance."""

    affected_sop_class_uid: UID = attrs.field(
        converter=vr.to_sop_class_uid, validator=vr.check_sop_class_uid, metadata=M
    )
    affected_sop_instance_uid: UID = attrs.field(
        converter=vr.to_uid, validator=vr.check_uid, metadata=M
    )
    event_type_id: int = attrs.field(validator=vr.check_us, metadata=M)
    event_information: DataSetPayload | None = attrs.field(
        default=None, converter=to_optional_payload, validator=check_optional_payload, metadata=U
    )

    echoed: ClassVar[FieldPairs] = (
        ("affected_sop_class_uid", "affected_sop_class_uid"),
        ("affected_sop_instance_uid", "affected_sop_instance_uid"),
        ("event_type_id", "event_type_id"),
    )
    must_equal: ClassVar[FieldPairs] = echoed


@message(
    CommandField.N_EVENT_REPORT_RSP,
    *typed_reply_rules("event_type_id", "event_reply", "PS3.7 10.1.1.1.4, 10.1.1.1.6"),
    section="10.3.1.2",
    answers=NEventReportRequest,
)
@attrs.frozen(kw_only=True)
class NEventReportResponse(DimseNResponse):
    """N-EVENT-REPORT-RSP (0x8100)."""

    requirement_marks: ClassVar[Mapping[str, str]] = {
        "affected_sop_class_uid": "U(=)",
        "affected_sop_instance_uid": "U(=)",
    }
    success_fields: ClassVar[frozenset[str]] = frozenset({"event_type_id"})

    event_type_id: int | None = attrs.field(
        default=None, validator=vr.check_optional_us, metadata=C_EQ
    )
    event_reply: DataSetPayload | None = attrs.field(
        default=None, converter=to_optional_payload, validator=check_optional_payload, metadata=C
    )
