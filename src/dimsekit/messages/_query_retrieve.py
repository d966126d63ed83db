"""What C-FIND, C-GET and C-MOVE share (PS3.7 9.1.2-9.1.4, PS3.4 C.4).

Owns: the request fields common to the three query/retrieve services, the C-CANCEL they
can be cancelled with, and the fields and conditions C-GET-RSP and C-MOVE-RSP share: the
sub-operation counters (Remaining with Pending, and optionally Cancel, only; the other
three with Pending, optionally with a final status: PS3.7 9.1.3.1, 9.1.4.1, PS3.4 C.4.2.1.6,
C.4.3.1) and the response Identifier (only in a final Cancel, Warning or Failure
response: PS3.4 C.4.2.1.4.2, C.4.3.1.3.2).

Must not know: how the messages are encoded.
"""

from __future__ import annotations

from typing import ClassVar, Final, TypeVar

import attrs
from pydicom.uid import UID

from .._diagnostics import Severity
from .._model import vr
from .._model.payload import (
    DataSetPayload,
    check_optional_payload,
    check_payload,
    to_optional_payload,
    to_payload,
)
from .._model.status import Status
from .._model.vr import Priority
from ._base import C, FieldPairs, M, Request, Response, Rule, U
from ._dimse_c import DimseCResponse
from .c_cancel import CCancelRequest

__all__ = ["RETRIEVE_RULES", "QueryRetrieveRequest", "RetrieveResponse"]

RspT = TypeVar("RspT", bound=Response)


@attrs.frozen(kw_only=True)
class QueryRetrieveRequest(Request[RspT]):
    """Fields of C-FIND-RQ, C-GET-RQ and C-MOVE-RQ (PS3.7 9.3.2.1, 9.3.3.1, 9.3.4.1)."""

    affected_sop_class_uid: UID = attrs.field(
        converter=vr.to_sop_class_uid, validator=vr.check_sop_class_uid, metadata=M
    )
    priority: Priority = attrs.field(
        default=Priority.MEDIUM, converter=vr.to_priority, validator=vr.check_priority, metadata=M
    )
    identifier: DataSetPayload = attrs.field(
        converter=to_payload, validator=check_payload, metadata=M
    )

    echoed: ClassVar[FieldPairs] = (("affected_sop_class_uid", "affected_sop_class_uid"),)
    must_equal: ClassVar[FieldPairs] = echoed

    def cancel(self) -> CCancelRequest:
        """The C-CANCEL-RQ that cancels this operation (PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3)."""
        return CCancelRequest(message_id_being_responded_to=self.message_id)


@attrs.frozen(kw_only=True)
class RetrieveResponse(DimseCResponse):
    """Fields of C-GET-RSP and C-MOVE-RSP (PS3.7 9.3.3.2, 9.3.4.2)."""

    number_of_remaining_suboperations: int | None = attrs.field(
        default=None, validator=vr.check_optional_us, metadata=C
    )
    number_of_completed_suboperations: int | None = attrs.field(
        default=None, validator=vr.check_optional_us, metadata=C
    )
    number_of_failed_suboperations: int | None = attrs.field(
        default=None, validator=vr.check_optional_us, metadata=C
    )
    number_of_warning_suboperations: int | None = attrs.field(
        default=None, validator=vr.check_optional_us, metadata=C
    )
    identifier: DataSetPayload | None = attrs.field(
        default=None, converter=to_optional_payload, validator=check_optional_payload, metadata=U
    )

    @classmethod
    def may_carry(cls, name: str, status: Status) -> bool:
        if name == "identifier":
            return _identifier_allowed(status)
        return super().may_carry(name, status)


def _identifier_allowed(status: Status) -> bool:
    return status.is_cancel or status.is_warning or status.is_failure


def _count_rule(name: str) -> Rule:
    return Rule(
        (name, "status"),
        f"{name} is required with Pending (FF00) and optional with a final status",
        "PS3.7 9.1.3.1, 9.1.4.1; PS3.4 C.4.2.1.6-9, C.4.3.1",
        lambda m: not m.status.is_pending or getattr(m, name) is not None,
    )


_REMAINING: Final = "number_of_remaining_suboperations"
_REMAINING_REFERENCE: Final = "PS3.7 9.1.3.1, 9.1.4.1; PS3.4 C.4.2.1.6, C.4.3.1"

RETRIEVE_RULES: Final[tuple[Rule, ...]] = (
    # The condition on Remaining, in two rules, each stating its own half, that differ
    # in how serious breaking them is when received: without it a Pending response says
    # nothing of what is left; with it, a final response (any status but Pending) still
    # means what its status says, and pynetdicom 3.0.4's C-GET and C-MOVE SCPs send it
    # (0) in their final Success, Warning or Failure.
    Rule(
        (_REMAINING, "status"),
        "number_of_remaining_suboperations is required with Pending (FF00)",
        _REMAINING_REFERENCE,
        lambda m: not m.status.is_pending or m.number_of_remaining_suboperations is not None,
    ),
    Rule(
        (_REMAINING, "status"),
        "number_of_remaining_suboperations is optional with Cancel (FE00) and absent with "
        "any other final status",
        _REMAINING_REFERENCE,
        lambda m: (
            m.number_of_remaining_suboperations is None or m.status.is_pending or m.status.is_cancel
        ),
        when_received=Severity.WARNING,
    ),
    _count_rule("number_of_completed_suboperations"),
    _count_rule("number_of_failed_suboperations"),
    _count_rule("number_of_warning_suboperations"),
    Rule(
        ("identifier", "status"),
        "the response Identifier (Failed SOP Instance UID List) is sent only in a final "
        "response whose status is Cancel, Warning or Failure",
        "PS3.7 9.1.3.1, 9.1.4.1; PS3.4 C.4.2.1.4.2, C.4.3.1.3.2",
        lambda m: m.identifier is None or _identifier_allowed(m.status),
    ),
)
