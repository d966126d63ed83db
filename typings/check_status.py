"""Status and the other value types: what their constructors, properties and methods return."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO, Literal, assert_type

from pydicom.dataset import Dataset
from pydicom.tag import BaseTag

from dimsekit import (
    AttributeTags,
    CEchoResponse,
    CFindResponse,
    CGetResponse,
    CMoveResponse,
    CommandField,
    CStoreResponse,
    DataSetPayload,
    NActionResponse,
    NCreateResponse,
    NDeleteResponse,
    NEventReportResponse,
    NGetResponse,
    NSetResponse,
    Priority,
    ServiceClass,
    Status,
    StatusCategory,
    truncate_error_comment,
)


def check_status(code: int) -> None:
    status = Status(code)
    assert_type(status, Status)
    assert_type(Status(0xFF00), Status)
    assert_type(status.category, StatusCategory)
    assert_type(status.is_success, bool)
    assert_type(status.is_pending, bool)
    assert_type(status.is_cancel, bool)
    assert_type(status.is_warning, bool)
    assert_type(status.is_failure, bool)
    assert_type(status.is_final, bool)
    assert_type(status.meaning(), str)
    assert_type(status.meaning(None), str)
    assert_type(status.meaning(ServiceClass.QR_MOVE), str)
    assert_type(status.related_fields(), frozenset[str])
    assert_type(repr(status), str)
    # a Status is an int: it compares with, and goes wherever, a code goes
    assert_type(int(status), int)
    assert_type(status == 0xFF00, bool)
    assert_type(status & 0xF000, int)
    plain: int = status


def check_status_enums(category: StatusCategory, service: ServiceClass) -> None:
    # mypy reads ``.value`` as str, pyright as the union of the members' literal values
    category_text: str = category.value
    service_name: str = service.value
    assert_type(StatusCategory.PENDING, Literal[StatusCategory.PENDING])
    assert_type(ServiceClass.STORAGE_COMMITMENT, Literal[ServiceClass.STORAGE_COMMITMENT])


def check_status_meaning_of_every_response(
    echo: CEchoResponse,
    store: CStoreResponse,
    find: CFindResponse,
    get: CGetResponse,
    move: CMoveResponse,
    report: NEventReportResponse,
    n_get: NGetResponse,
    n_set: NSetResponse,
    action: NActionResponse,
    create: NCreateResponse,
    delete: NDeleteResponse,
) -> None:
    assert_type(echo.status_meaning, str)
    assert_type(store.status_meaning, str)
    assert_type(find.status_meaning, str)
    assert_type(get.status_meaning, str)
    assert_type(move.status_meaning, str)
    assert_type(report.status_meaning, str)
    assert_type(n_get.status_meaning, str)
    assert_type(n_set.status_meaning, str)
    assert_type(action.status_meaning, str)
    assert_type(create.status_meaning, str)
    assert_type(delete.status_meaning, str)
    assert_type(move.service_class, ServiceClass)
    assert_type(move.status.meaning(move.service_class), str)


def check_priority_and_command_field(priority: Priority, field: CommandField) -> None:
    assert_type(Priority(0), Priority)
    assert_type(Priority.HIGH, Literal[Priority.HIGH])
    assert_type(int(priority), int)
    assert_type(CommandField(0x8021), CommandField)
    assert_type(field.is_response, bool)
    assert_type(field.message_name, str)
    assert_type(field.service, str)
    assert_type(truncate_error_comment("a very long comment"), str)


def check_payload(payload: DataSetPayload, ds: Dataset, stream: IO[bytes]) -> None:
    assert_type(DataSetPayload(ds), DataSetPayload)
    assert_type(DataSetPayload(b"\x08\x00"), DataSetPayload)
    assert_type(DataSetPayload.from_file("instance.dcm", offset=132), DataSetPayload)
    assert_type(
        DataSetPayload.from_file(stream, length=10, close_with_payload=True), DataSetPayload
    )
    assert_type(payload.dataset, Dataset | None)
    assert_type(payload.encoded, bytes | memoryview | None)
    assert_type(payload.is_encoded, bool)
    assert_type(payload.is_file, bool)
    assert_type(len(payload), int)
    assert_type(payload.chunks("1.2.840.10008.1.2"), Iterator[bytes | memoryview])
    assert_type(payload.to_bytes(), bytes)
    assert_type(payload.to_dataset(), Dataset)


def check_attribute_tags(tags: AttributeTags, index: int, data: bytes) -> None:
    assert_type(AttributeTags([0x00100010, "PatientID", (0x0010, 0x0030)]), AttributeTags)
    assert_type(AttributeTags(), AttributeTags)
    assert_type(AttributeTags.from_bytes(data), AttributeTags)
    assert_type(AttributeTags.from_bytes(memoryview(data)), AttributeTags)
    assert_type(tags.to_bytes(), bytes)
    assert_type(tags[index], BaseTag)
    assert_type(tags[-1], BaseTag)
    assert_type(tags[1:], AttributeTags)
    assert_type(len(tags), int)
    assert_type(iter(tags), Iterator[BaseTag])
    for tag in tags:
        assert_type(tag, BaseTag)
    assert_type([tag.group for tag in tags], list[int])
    assert_type(0x00100010 in tags, bool)
    assert_type(tags == (0x00100010,), bool)
    assert_type(hash(tags), int)
    sequence: Sequence[BaseTag] = tags  # it is one
