"""What the DIMSE-N messages share (PS3.7 10.1, 10.3; status-related fields of Annex C).

Owns: AddressedRequest (the Requested SOP Class/Instance UID of N-GET, N-SET, N-ACTION
and N-DELETE requests), DimseNResponse (the fields every DIMSE-N response has, and which
of a response's own fields come only in a success response), and the
conditions shared by N-EVENT-REPORT and N-ACTION on their type ID and reply: the
response's Event/Action Type ID is there when its reply is, and the reply comes only in a
success response or as the echo of 0115 (PS3.7 10.1.1.1.4, 10.1.1.1.6, 10.1.4.1.5,
10.1.4.1.7, C.5.10).

Must not know: how the messages are encoded.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

import attrs
from pydicom.uid import UID

from .._model import vr
from .._model.status import ServiceClass, Status
from .._model.vr import AttributeTags
from ._base import A, FieldPairs, M, Request, Response, Rule, U

__all__ = ["AddressedRequest", "DimseNResponse", "is_success_response", "typed_reply_rules"]

RspT = TypeVar("RspT", bound=Response)


def is_success_response(status: Status) -> bool:
    """Success or Warning: the operation was performed (PS3.7 10.1.x.1 "success response")."""
    return status.is_success or status.is_warning


@attrs.frozen(kw_only=True)
class AddressedRequest(Request[RspT]):
    """Requests that address one SOP Instance: N-GET, N-SET, N-ACTION, N-DELETE."""

    requested_sop_class_uid: UID = attrs.field(
        converter=vr.to_sop_class_uid, validator=vr.check_sop_class_uid, metadata=M
    )
    requested_sop_instance_uid: UID = attrs.field(
        converter=vr.to_uid, validator=vr.check_uid, metadata=M
    )

    echoed: ClassVar[FieldPairs] = (
        ("requested_sop_class_uid", "affected_sop_class_uid"),
        ("requested_sop_instance_uid", "affected_sop_instance_uid"),
    )


@attrs.frozen(kw_only=True)
class DimseNResponse(Response):
    """Fields every DIMSE-N response has (PS3.7 Tables 10.3-2 ... 10.3-12)."""

    status_service_class = ServiceClass.DIMSE_N
    success_fields: ClassVar[frozenset[str]] = frozenset()
    """Fields of the C kind "included in a success response" (PS3.7 10.1.x.1): they come
    with Success or a Warning, or with a failure whose Annex C entry lists them."""

    affected_sop_class_uid: UID | None = attrs.field(
        default=None,
        converter=vr.to_optional_sop_class_uid,
        validator=vr.check_optional_sop_class_uid,
        metadata=U,
    )
    affected_sop_instance_uid: UID | None = attrs.field(
        default=None, converter=vr.to_optional_uid, validator=vr.check_optional_uid, metadata=U
    )
    offending_element: AttributeTags | None = attrs.field(
        default=None, converter=vr.to_optional_tags, validator=vr.check_optional_tags, metadata=A
    )
    error_comment: str | None = attrs.field(
        default=None, converter=vr.to_optional_lo, validator=vr.check_optional_lo, metadata=A
    )
    error_id: int | None = attrs.field(default=None, validator=vr.check_optional_us, metadata=A)

    @classmethod
    def may_carry(cls, name: str, status: Status) -> bool:
        if name in cls.success_fields:
            return is_success_response(status) or name in status.related_fields()
        return super().may_carry(name, status)


def typed_reply_rules(id_name: str, reply_name: str, reference: str) -> tuple[Rule, ...]:
    """The conditions on Event/Action Type ID and Event Reply/Action Reply in a response.

    The type ID "may be included in the success response and shall be included if the
    reply is" (PS3.7 10.1.4.1.5): that grants it to a success response without
    forbidding it elsewhere, and pynetdicom and DCMTK's print SCP send it with every
    status, so any status may carry it; it must be there when the reply is.  The reply
    comes only in a success response, or with 0115 (Invalid Argument Value) as an echo
    of the invalid argument.
    """
    return (
        Rule(
            (reply_name, "status"),
            f"{reply_name} is sent only in a success response, or with 0115 (Invalid "
            "Argument Value) as an echo of the invalid argument",
            f"{reference}; PS3.7 C.5.10",
            lambda m: (
                getattr(m, reply_name) is None
                or is_success_response(m.status)
                or m.status == 0x0115
            ),
        ),
        Rule(
            (id_name, reply_name),
            f"{id_name} is required when {reply_name} is present",
            reference,
            lambda m: getattr(m, reply_name) is None or getattr(m, id_name) is not None,
        ),
    )
