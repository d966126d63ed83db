"""C-STORE (PS3.7 9.1.1, messages 9.3.1): store one composite SOP Instance.

Owns: CStoreRequest and CStoreResponse, their fields and their conditions.
Must not know: how they are encoded.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
from pydicom.uid import UID

from .._model.payload import DataSetPayload, check_payload, to_payload
from .._model.status import ServiceClass
from .._model.vr import (
    CommandField,
    Priority,
    check_optional_ae,
    check_optional_uid,
    check_optional_us,
    check_priority,
    check_sop_class_uid,
    check_uid,
    to_optional_ae,
    to_optional_uid,
    to_priority,
    to_sop_class_uid,
    to_uid,
)
from ._base import U_EQ, FieldPairs, M, Request, Rule, U, message
from ._dimse_c import DimseCResponse

__all__ = ["CStoreRequest", "CStoreResponse"]


@message(
    CommandField.C_STORE_RQ,
    Rule(
        ("move_originator_application_entity_title", "move_originator_message_id"),
        "the Move Originator AE Title and Message ID name the C-MOVE this C-STORE is a "
        "sub-operation of: give both or neither",
        "PS3.7 9.1.1.1.6-7, 9.3.1.1",
        lambda m: (
            (m.move_originator_application_entity_title is None)
            == (m.move_originator_message_id is None)
        ),
    ),
    section="9.3.1.1",
)
@attrs.frozen(kw_only=True)
class CStoreRequest(Request["CStoreResponse"]):
    """C-STORE-RQ (0x0001): store ``data_set`` as the SOP Instance it names."""

    affected_sop_class_uid: UID = attrs.field(
        converter=to_sop_class_uid, validator=check_sop_class_uid, metadata=M
    )
    affected_sop_instance_uid: UID = attrs.field(converter=to_uid, validator=check_uid, metadata=M)
    priority: Priority = attrs.field(
        default=Priority.MEDIUM, converter=to_priority, validator=check_priority, metadata=M
    )
    move_originator_application_entity_title: str | None = attrs.field(
        default=None, converter=to_optional_ae, validator=check_optional_ae, metadata=U
    )
    move_originator_message_id: int | None = attrs.field(
        default=None, validator=check_optional_us, metadata=U
    )
    data_set: DataSetPayload = attrs.field(
        converter=to_payload, validator=check_payload, metadata=M
    )

    echoed: ClassVar[FieldPairs] = (
        ("affected_sop_class_uid", "affected_sop_class_uid"),
        ("affected_sop_instance_uid", "affected_sop_instance_uid"),
    )
    must_equal: ClassVar[FieldPairs] = echoed


@message(CommandField.C_STORE_RSP, section="9.3.1.2", answers=CStoreRequest)
@attrs.frozen(kw_only=True)
class CStoreResponse(DimseCResponse):
    """C-STORE-RSP (0x8001): the outcome of one C-STORE."""

    status_service_class = ServiceClass.STORAGE

    affected_sop_instance_uid: UID | None = attrs.field(
        default=None, converter=to_optional_uid, validator=check_optional_uid, metadata=U_EQ
    )
