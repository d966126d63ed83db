"""The typed views of extended negotiation (``_framing.extended_negotiation``): the
service-class-application-information of a 56H sub-item as PS3.4 B.3.1 and C.5 define
it, built, read and written back byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

import dimsekit as dk
from dimsekit._framing.extended_negotiation import (
    QueryNegotiation,
    RetrieveNegotiation,
    StorageNegotiation,
    layout_of,
    negotiation_view,
    service_of,
)

RECORDINGS = Path(__file__).parent / "data" / "association"
STUDY_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
STUDY_MOVE = "1.2.840.10008.5.1.4.1.2.2.2"
PATIENT_GET = "1.2.840.10008.5.1.4.1.2.1.3"
CT = "1.2.840.10008.5.1.4.1.1.2"


@pytest.mark.parametrize("name", ["rq", "ac"])
def test_the_pynetdicom_recording_reads_as_a_query_view(name: str) -> None:
    data = (RECORDINGS / f"pynetdicom-extended-negotiation-{name}.pdu").read_bytes()
    decoded = dk.decode_pdu(data, strict=True)
    assert isinstance(decoded.pdu, dk.AAssociateRQ | dk.AAssociateAC)
    (item,) = decoded.pdu.user_information.extended_negotiations
    view = negotiation_view(item)
    assert view == QueryNegotiation(
        relational_queries=1,
        combined_date_time_matching=1,
        fuzzy_semantic_matching_of_person_names=1,
        timezone_query_adjustment=1,
        enhanced_multi_frame_image_conversion=1,
    )
    assert view.meaning("relational_queries") == "supported"
    assert view.to_bytes() == item.service_class_application_information == b"\x01" * 5


def test_a_short_field_keeps_its_length_and_a_byte_not_sent_is_none() -> None:
    # PS3.4 C.5.1.1: one byte or more; the acceptor may answer one byte only.
    view = QueryNegotiation.from_bytes(b"\x01")
    assert view.relational_queries == 1
    assert view.timezone_query_adjustment is None
    assert view.meaning("timezone_query_adjustment") is None
    assert view.to_bytes() == b"\x01"
    assert RetrieveNegotiation(relational_retrieval=0).to_bytes() == b"\x00"


def test_storage_keeps_its_reserved_bytes_and_what_follows() -> None:
    data = b"\x02\xff\x01\x00\x01\x07tail"
    view = StorageNegotiation.from_bytes(data)
    assert (view.level_of_support, view.level_of_digital_signature_support) == (2, 1)
    assert view.element_coercion == 1
    assert view.extra == b"tail"
    assert view.to_bytes() == data
    assert view == StorageNegotiation(
        level_of_support=2,
        level_of_digital_signature_support=1,
        element_coercion=1,
        extra=b"tail",
    )  # reserved bytes are not in equality
    built = StorageNegotiation(
        level_of_support=3, level_of_digital_signature_support=0, element_coercion=2
    )
    assert built.to_bytes() == b"\x03\x00\x00\x00\x02"
    assert (built.meaning("element_coercion") or "").startswith("not applicable")


def test_each_byte_of_the_layout_is_a_field_in_order() -> None:
    assert [field.name for field in layout_of(StorageNegotiation)] == [
        "level_of_support", "reserved2", "level_of_digital_signature_support", "reserved4",
        "element_coercion", "reserved6",
    ]  # fmt: skip
    assert len(layout_of(QueryNegotiation)) == 5
    assert len(layout_of(RetrieveNegotiation)) == 2


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: QueryNegotiation(relational_queries=2), "relational_queries is one of 0"),
        (
            lambda: QueryNegotiation(combined_date_time_matching=1),
            "a byte is sent only with every byte before it (relational_queries is not sent)",
        ),
        (lambda: StorageNegotiation(level_of_support=4), "level_of_support is one of 0"),
        (
            lambda: RetrieveNegotiation(relational_retrieval=1, extra=b"x"),
            "bytes past the defined ones are sent only with every defined byte",
        ),
        (
            lambda: StorageNegotiation.from_bytes(b"\x00\x00\x09"),
            "(item byte 3 of the service-class-application-information)",
        ),
    ],
)
def test_what_ps34_does_not_define_is_refused(build: object, words: str) -> None:
    with pytest.raises(dk.InvalidPDUError) as caught:
        build()  # type: ignore[operator]
    assert words in str(caught.value)
    assert caught.value.reference.startswith("PS3.4")


def test_wrong_python_types_are_type_errors() -> None:
    with pytest.raises(TypeError, match=r"QueryNegotiation\.relational_queries must be int"):
        QueryNegotiation(relational_queries=True)
    with pytest.raises(TypeError, match="from_bytes takes bytes"):
        QueryNegotiation.from_bytes("\x01")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="negotiation_view takes a SOPClassExtendedNegotiation"):
        negotiation_view(b"\x01")  # type: ignore[arg-type]


def test_the_view_follows_the_service_of_the_sop_class() -> None:
    assert service_of(STUDY_FIND) is dk.ServiceClass.QR_FIND
    assert service_of(STUDY_MOVE) is dk.ServiceClass.QR_MOVE
    assert service_of(PATIENT_GET) is dk.ServiceClass.QR_GET
    assert service_of(CT) is dk.ServiceClass.STORAGE
    assert service_of("1.2.840.10008.1.20.1") is None  # Storage Commitment Push Model
    assert service_of("1.2.840.10008.5.1.4.31") is None  # Modality Worklist (PS3.4 K)
    item = dk.SOPClassExtendedNegotiation(
        sop_class_uid=STUDY_MOVE, service_class_application_information=b"\x01\x00"
    )
    assert negotiation_view(item) == RetrieveNegotiation(
        relational_retrieval=1, enhanced_multi_frame_image_conversion=0
    )
    storage = dk.SOPClassExtendedNegotiation(
        sop_class_uid=CT,
        service_class_application_information=StorageNegotiation(level_of_support=2).to_bytes(),
    )
    assert negotiation_view(storage) == StorageNegotiation(level_of_support=2)
    private = dk.SOPClassExtendedNegotiation(
        sop_class_uid="1.2.3.4", service_class_application_information=b"\x09"
    )
    assert negotiation_view(private) is None
    with pytest.raises(dk.InvalidPDUError, match="relational_retrieval is one of"):
        negotiation_view(private, dk.ServiceClass.QR_GET)  # the service given is followed
