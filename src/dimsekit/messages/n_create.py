"""N-CREATE (PS3.7 10.1.5, messages 10.3.5): create a SOP Instance.

Owns: NCreateRequest and NCreateResponse, and the condition on the Affected SOP Instance
UID of the response: only in a success response, and there when the request had none
(PS3.7 10.1.5.1.4).
Must not know: how they are encoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import attrs
from pydicom.uid import UID

from .._diagnostics import Severity
from .._model import vr
from .._model.payload import DataSetPayload, check_optional_payload, to_optional_payload
from .._model.vr import AttributeTags, CommandField
from ._base import A, FieldPairs, M, Request, ResponseMismatch, Rule, U, message
from ._dimse_n import DimseNResponse, is_success_response

__all__ = ["NCreateRequest", "NCreateResponse"]

_INSTANCE_UID_RULE = "PS3.7 10.1.5.1.4"


@message(CommandField.N_CREATE_RQ, section="10.3.5.1")
@attrs.frozen(kw_only=True)
class NCreateRequest(Request["NCreateResponse"]):
    """N-CREATE-RQ (0x0140): create an instance, its UID given or left to the SCP."""

    affected_sop_class_uid: UID = attrs.field(
        converter=vr.to_sop_class_uid, validator=vr.check_sop_class_uid, metadata=M
    )
    affected_sop_instance_uid: UID | None = attrs.field(
        default=None, converter=vr.to_optional_uid, validator=vr.check_optional_uid, metadata=U
    )
    attribute_list: DataSetPayload | None = attrs.field(
        default=None, converter=to_optional_payload, validator=check_optional_payload, metadata=U
    )

    echoed: ClassVar[FieldPairs] = (
        ("affected_sop_class_uid", "affected_sop_class_uid"),
        ("affected_sop_instance_uid", "affected_sop_instance_uid"),
    )
    must_equal: ClassVar[FieldPairs] = echoed

    def _extra_mismatches(self, response: NCreateResponse) -> list[ResponseMismatch]:
        if (
            self.affected_sop_instance_uid is None
            and is_success_response(response.status)
            and response.affected_sop_instance_uid is None
        ):
            return [
                ResponseMismatch(
                    "affected_sop_instance_uid",
                    None,
                    None,
                    "a success response must name the instance the SCP created when the "
                    f"request did not ({_INSTANCE_UID_RULE})",
                )
            ]
        return []


@message(
    CommandField.N_CREATE_RSP,
    Rule(
        ("affected_sop_instance_uid", "status"),
        "the Affected SOP Instance UID is sent only in a success response, or with a "
        "status whose Annex C entry lists it",
        _INSTANCE_UID_RULE,
        lambda m: (
            m.affected_sop_instance_uid is None
            or NCreateResponse.may_carry("affected_sop_instance_uid", m.status)
        ),
        # Received, a warning: the status says what happened, and pynetdicom 3.0.4's
        # N-CREATE SCP puts the request's instance UID in every response, failures too.
        when_received=Severity.WARNING,
    ),
    section="10.3.5.2",
    answers=NCreateRequest,
)
@attrs.frozen(kw_only=True)
class NCreateResponse(DimseNResponse):
    """N-CREATE-RSP (0x8140)."""

    requirement_marks: ClassVar[Mapping[str, str]] = {
        "affected_sop_class_uid": "U(=)",
        "affected_sop_instance_uid": "C",
    }
    success_fields: ClassVar[frozenset[str]] = frozenset({"affected_sop_instance_uid"})

    attribute_identifier_list: AttributeTags | None = attrs.field(
        default=None, converter=vr.to_optional_tags, validator=vr.check_optional_tags, metadata=A
    )
    attribute_list: DataSetPayload | None = attrs.field(
        default=None, converter=to_optional_payload, validator=check_optional_payload, metadata=U
    )
