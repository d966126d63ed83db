"""The Upper Layer PDUs: the type of their fields (required ones non-Optional), the input
forms their converters take, the codec entry points, and the mistakes refused."""

from __future__ import annotations

from typing import Any, assert_type

from pydicom.uid import UID

from dimsekit import (
    PDU,
    AAbort,
    AAssociateAC,
    AAssociateRJ,
    AAssociateRQ,
    AbortReason,
    AbortSource,
    ApplicationContext,
    CEchoRequest,
    ContextResult,
    DecodedCommand,
    DecodedOther,
    DecodedPDU,
    Diagnostic,
    ExtendedNegotiationView,
    ImplementationClassUID,
    MaximumLength,
    OtherForm,
    PDataTF,
    PDUConverter,
    PresentationContextAC,
    PresentationContextRQ,
    PresentationDataValue,
    QueryNegotiation,
    RejectResult,
    RejectSource,
    RetrieveNegotiation,
    RoleSelection,
    SOPClassExtendedNegotiation,
    StorageNegotiation,
    UnknownItem,
    UserIdentityRQ,
    UserIdentityType,
    UserInformation,
    decode_pdu,
    encode_pdu,
    from_dict,
    from_json,
    make_pdu_converter,
    negotiation_view,
    to_dict,
    to_json,
)


def fields(rq: AAssociateRQ, ac: AAssociateAC, rj: AAssociateRJ, abort: AAbort) -> None:
    assert_type(rq.called_ae_title, str)
    assert_type(rq.calling_ae_title, str)
    assert_type(rq.application_context, ApplicationContext)
    assert_type(rq.application_context.name, UID)
    assert_type(rq.presentation_contexts, tuple[PresentationContextRQ, ...])
    assert_type(rq.presentation_contexts[0].context_id, int)
    assert_type(rq.presentation_contexts[0].abstract_syntax, UID)
    assert_type(rq.presentation_contexts[0].transfer_syntaxes, tuple[UID, ...])
    assert_type(rq.user_information, UserInformation)
    assert_type(rq.user_information.maximum_length, int | None)
    assert_type(rq.user_information.role_selections, tuple[RoleSelection, ...])
    assert_type(rq.unknown_items, tuple[UnknownItem, ...])
    assert_type(ac.presentation_contexts, tuple[PresentationContextAC, ...])
    assert_type(ac.presentation_contexts[0].result, ContextResult)
    assert_type(ac.presentation_contexts[0].transfer_syntax, UID | None)
    assert_type(rj.result, RejectResult)
    assert_type(rj.source, RejectSource)
    assert_type(abort.source, AbortSource)
    assert_type(abort.reason, AbortReason)


def inputs() -> None:
    context = PresentationContextRQ(
        context_id=1, abstract_syntax=b"1.2.840.10008.1.1", transfer_syntaxes=["1.2.840.10008.1.2"]
    )
    info = UserInformation(
        sub_items=[MaximumLength(maximum_length=0), ImplementationClassUID(uid=b"1.2")]
    )
    rq = AAssociateRQ(
        called_ae_title=b"SCP", calling_ae_title="SCU", presentation_contexts=[context],
        user_information=info,
    )  # fmt: skip
    ac = AAssociateAC.answering(
        rq,
        presentation_contexts=[PresentationContextAC(context_id=1, result=4)],
        user_information=info,
    )
    assert_type(ac, AAssociateAC)
    assert_type(
        UserIdentityRQ(user_identity_type=1, primary_field=b"me").user_identity_type,
        UserIdentityType,
    )
    assert_type(AAbort(source=2, reason=1), AAbort)
    pdu: PDU = PDataTF(
        pdvs=[PresentationDataValue(context_id=1, is_command=True, is_last=True, fragment=b"")]
    )
    assert_type(encode_pdu(pdu), bytes)
    decoded = decode_pdu(encode_pdu(rq), strict=True)
    assert_type(decoded, DecodedPDU)
    assert_type(decoded.pdu, PDU)
    assert_type(decoded.diagnostics, tuple[Diagnostic, ...])


def rejections(info: UserInformation, context: PresentationContextRQ) -> None:
    PresentationContextRQ(abstract_syntax="1.2", transfer_syntaxes=["1.2"])  # type: ignore[call-arg]
    PresentationContextRQ(context_id="1", abstract_syntax="1.2", transfer_syntaxes=["1.2"])  # type: ignore[arg-type]
    PresentationContextRQ(context_id=1, abstract_syntax=None, transfer_syntaxes=["1.2"])  # type: ignore[arg-type]
    AAssociateRQ(called_ae_title="A", calling_ae_title="B", presentation_contexts=[context])  # type: ignore[call-arg]
    AAssociateRQ(
        called_ae_title="A", calling_ae_title="B", presentation_contexts=[context],
        user_information=None,  # type: ignore[arg-type]
    )  # fmt: skip
    AAssociateRQ(
        called_ae_title="A", calling_ae_title="B", user_information=info,
        presentation_contexts=[PresentationContextAC(context_id=1, transfer_syntax="1.2")],  # type: ignore[list-item]
    )  # fmt: skip
    MaximumLength(maximum_length="16384")  # type: ignore[arg-type]
    UserInformation(sub_items=[context])  # type: ignore[list-item]
    encode_pdu(info)  # type: ignore[arg-type]
    decode_pdu("0100")  # type: ignore[arg-type]
    context.context_id = 3  # type: ignore[misc]


def extended_negotiation(item: SOPClassExtendedNegotiation) -> None:
    assert_type(StorageNegotiation.from_bytes(b"\x02"), StorageNegotiation)
    assert_type(QueryNegotiation.from_bytes(b"\x01").relational_queries, int | None)
    assert_type(RetrieveNegotiation(relational_retrieval=1).to_bytes(), bytes)
    assert_type(negotiation_view(item), ExtendedNegotiationView | None)
    QueryNegotiation(relational_queries="1")  # type: ignore[arg-type]
    StorageNegotiation(reserved2=0)  # type: ignore[call-arg]
    QueryNegotiation(relational_queries=1).relational_queries = 0  # type: ignore[misc]


def forms(rq: AAssociateRQ, echo: CEchoRequest, text: str) -> None:
    """One set of form functions for messages and PDUs: a message's types as before, a
    PDU's form with ``show_secrets``, the PDU back with ``pdu=`` (its class: precise)."""
    assert_type(to_json(echo, data_set_type=0x0101), str)
    assert_type(to_json(rq, show_secrets=True), str)
    assert_type(to_dict(rq), dict[str, Any])
    assert_type(from_json(text), DecodedCommand)
    assert_type(from_json(text, strict=True), DecodedCommand)
    assert_type(from_json(text, pdu=AAssociateRQ), DecodedOther[AAssociateRQ])
    assert_type(from_json(text, pdu=AAssociateRQ).pdu, AAssociateRQ)
    assert_type(from_json(text, pdu=True), DecodedOther[OtherForm])
    assert_type(from_dict({}, pdu=AAbort).pdu, AAbort)
    assert_type(make_pdu_converter(show_secrets=True), PDUConverter)
    assert_type(make_pdu_converter().from_dict({}), DecodedPDU)
    to_json(rq, data_set_type=0x0101)  # type: ignore[call-overload]
    to_json(echo, show_secrets=True)  # type: ignore[call-overload]
    from_json(text, pdu=True, data_set=b"")  # type: ignore[call-overload]
    from_json(text, pdu=CEchoRequest)  # type: ignore[type-var]
