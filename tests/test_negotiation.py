"""Association negotiation as a policy (dimsekit._association.negotiation): the RQ a
requestor proposes, the AC or RJ an acceptor's policy answers, what an AC may answer of
its RQ (checked received, refused local), and the agreement both sides hold (PS3.8 7.1.1,
9.3.2 to 9.3.4; PS3.7 D.3.3)."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydicom import uid as pydicom_uid

import dimsekit as dk
from dimsekit._framing.items import SubItem
from dimsekit.testing import acceptor_policies, pdu_of
from tests.helpers import CT

RECORDINGS = Path(__file__).parent / "data" / "association"
EXPLICIT = pydicom_uid.ExplicitVRLittleEndian
IMPLICIT = pydicom_uid.ImplicitVRLittleEndian
BIG = pydicom_uid.ExplicitVRBigEndian
DEFLATED = pydicom_uid.DeflatedExplicitVRLittleEndian
MR = "1.2.840.10008.5.1.4.1.1.4"  # MR Image Storage (PS3.4 B.5)
FIND = "1.2.840.10008.5.1.4.1.2.2.1"  # Study Root Q/R FIND (PS3.4 C.6.2)
UNKNOWN = "1.2.826.0.1.3680043.8.498.77"


def recorded(name: str) -> dk.PDU:
    decoded = dk.decode_pdu((RECORDINGS / f"{name}.pdu").read_bytes())
    assert decoded.diagnostics == ()
    return decoded.pdu


RQ_NAMES = sorted(
    path.stem
    for path in RECORDINGS.glob("*.pdu")
    if isinstance(recorded(path.stem), dk.AAssociateRQ)
)
PAIRS = [
    ("storescu-rq", "storescp-ac"),
    ("findscu-rq", "dcmqrscp-findscu-ac"),
    ("movescu-rq", "dcmqrscp-movescu-ac"),
    ("getscu-rq", "dcmqrscp-getscu-ac"),
    ("dcmprscu-rq", "dcmprscp-ac"),
    ("pynetdicom-async-window-rq", "pynetdicom-async-window-ac"),
    ("pynetdicom-extended-negotiation-rq", "pynetdicom-extended-negotiation-ac"),
    ("pynetdicom-jwt-rq", "pynetdicom-jwt-ac"),
    ("pynetdicom-user-identity-rq", "pynetdicom-user-identity-ac"),
]


def rq_of(*contexts: dk.ProposedContext | str, **options: object) -> dk.AAssociateRQ:
    return dk.propose(
        calling_ae_title="SCU",
        called_ae_title="SCP",
        contexts=contexts,
        **options,  # type: ignore[arg-type]
    )


def ac_for(
    rq: dk.AAssociateRQ,
    contexts: list[dk.PresentationContextAC] | None = None,
    *others: SubItem,
    window: tuple[int, int] | None = None,
) -> dk.AAssociateAC:
    """An AC for ``rq``: each context accepted with its first transfer syntax unless
    ``contexts`` are given, and the sub-items given."""
    if contexts is None:
        contexts = [
            dk.PresentationContextAC(
                context_id=c.context_id, transfer_syntax=c.transfer_syntaxes[0]
            )
            for c in rq.presentation_contexts
        ]
    return dk.AAssociateAC.answering(
        rq,
        presentation_contexts=contexts,
        user_information=dk.UserInformation.of(
            maximum_length=0,
            implementation_class_uid="1.2.3",
            asynchronous_operations_window=window,
            others=others,
        ),
    )


def whats(diagnostics: tuple[dk.Diagnostic, ...]) -> list[str]:
    return [d.what for d in diagnostics]


def local_refusal(rq: dk.AAssociateRQ, ac: dk.AAssociateAC) -> str:
    with pytest.raises(dk.LocalProtocolError) as raised:
        dk.check_local_answer(rq, ac)
    assert raised.value.state is None and raised.value.event is None
    return str(raised.value)


# --- propose --------------------------------------------------------------------------------


def test_propose_numbers_the_contexts_1_3_5_and_a_string_takes_the_default_syntaxes() -> None:
    rq = rq_of(CT, dk.ProposedContext(abstract_syntax=MR, transfer_syntaxes=[IMPLICIT]), FIND)
    assert [
        (c.context_id, c.abstract_syntax, c.transfer_syntaxes) for c in rq.presentation_contexts
    ] == [
        (1, CT, (EXPLICIT, IMPLICIT)),
        (3, MR, (IMPLICIT,)),
        (5, FIND, (EXPLICIT, IMPLICIT)),
    ]
    info = rq.user_information
    assert (
        info.maximum_length,
        info.implementation_class_uid,
        info.implementation_version_name,
    ) == (
        16382,
        dk.IMPLEMENTATION_CLASS_UID,
        "DIMSEKIT_0.1.0",
    )
    assert info.asynchronous_operations_window is None  # synchronous: no 53H (PS3.7 D.3.3.3)
    assert info.role_selections == () and info.user_identity is None
    assert (rq.calling_ae_title, rq.called_ae_title) == ("SCU", "SCP")
    assert rq.application_context.name == "1.2.840.10008.3.1.1.1"
    assert (
        rq_of(CT, implementation_version_name=None).user_information.implementation_version_name
        is None
    )


def test_the_implementation_version_name_is_the_package_version() -> None:
    assert f"DIMSEKIT_{dk.__version__}" == dk.IMPLEMENTATION_VERSION_NAME
    assert dk.IMPLEMENTATION_CLASS_UID.startswith("2.25.") and dk.IMPLEMENTATION_CLASS_UID.is_valid


def test_propose_sends_one_role_selection_per_sop_class_asking() -> None:
    rq = rq_of(
        dk.ProposedContext(abstract_syntax=CT, scp_role=True),  # SCU takes its default: 1
        dk.ProposedContext(abstract_syntax=CT, transfer_syntaxes=[BIG], scp_role=True),
        dk.ProposedContext(abstract_syntax=MR, scu_role=False, scp_role=True),
        FIND,
    )
    assert rq.user_information.role_selections == (
        dk.RoleSelection(sop_class_uid=CT, scu_role=1, scp_role=1),
        dk.RoleSelection(sop_class_uid=MR, scu_role=0, scp_role=1),
    )
    with pytest.raises(ValueError, match="different roles"):
        rq_of(
            dk.ProposedContext(abstract_syntax=CT, scp_role=True),
            dk.ProposedContext(abstract_syntax=CT, scp_role=False),
        )


def test_propose_sends_the_window_the_identity_and_the_extended_negotiation() -> None:
    identity = dk.UserIdentityRQ(user_identity_type=1, primary_field=b"me")
    extended = dk.SOPClassExtendedNegotiation(
        sop_class_uid=CT, service_class_application_information=b"\x01"
    )
    common = dk.SOPClassCommonExtendedNegotiation(
        sop_class_uid=CT, service_class_uid="1.2.840.10008.4.2"
    )
    rq = rq_of(
        CT,
        async_window=(5, 0),
        user_identity=identity,
        extended_negotiation=[extended],
        common_extended_negotiation=[common],
        max_pdu_length=0,
    )
    info = rq.user_information
    assert info.asynchronous_operations_window == dk.AsynchronousOperationsWindow(
        maximum_number_operations_invoked=5, maximum_number_operations_performed=0
    )
    assert info.user_identity == identity and info.maximum_length == 0
    assert info.extended_negotiations == (extended,)
    assert info.common_extended_negotiations == (common,)


def test_propose_refuses_what_is_not_a_context_with_a_type_error() -> None:
    with pytest.raises(TypeError, match="contexts must be an iterable"):
        dk.propose(calling_ae_title="A", called_ae_title="B", contexts=CT)
    with pytest.raises(TypeError, match="ProposedContext or str, not int"):
        dk.propose(calling_ae_title="A", called_ae_title="B", contexts=[1])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="user_identity must be"):
        rq_of(CT, user_identity=b"me")
    with pytest.raises(TypeError, match="scp_role must be bool"):
        dk.ProposedContext(abstract_syntax=CT, scp_role=1)  # type: ignore[arg-type]
    with pytest.raises(dk.InvalidPDUError, match="transfer_syntaxes"):
        dk.ProposedContext(abstract_syntax=CT, transfer_syntaxes=[])
    with pytest.raises(dk.InvalidPDUError, match="abstract_syntax"):
        dk.ProposedContext(abstract_syntax="1.02")
    with pytest.raises(dk.InvalidPDUError, match="one or more presentation context"):
        rq_of()


# --- provider_refusal (AE-6) ------------------------------------------------------------------


def with_version(rq: dk.AAssociateRQ, version: int) -> dk.AAssociateRQ:
    data = bytearray(dk.encode_pdu(rq))
    data[6:8] = version.to_bytes(2, "big")
    pdu = dk.decode_pdu(bytes(data)).pdu
    assert isinstance(pdu, dk.AAssociateRQ)
    return pdu


def test_a_protocol_version_without_bit_0_is_refused_by_the_acse_provider() -> None:
    rq = rq_of(CT)
    assert dk.provider_refusal(rq) is None
    assert dk.provider_refusal(with_version(rq, 3)) is None  # only bit 0 is tested
    assert dk.provider_refusal(with_version(rq, 2)) == dk.AAssociateRJ(
        result=dk.RejectResult.REJECTED_PERMANENT,
        source=dk.RejectSource.SERVICE_PROVIDER_ACSE,
        reason=dk.RejectReason.PROTOCOL_VERSION_NOT_SUPPORTED,
    )


def test_another_application_context_is_refused_by_the_service_user() -> None:
    rq = attrs.evolve(rq_of(CT), application_context=dk.ApplicationContext(name="1.2.3"))
    refusal = dk.provider_refusal(rq)
    assert refusal is not None
    assert (refusal.result, refusal.source, int(refusal.reason)) == (1, 1, 2)
    assert refusal.reason is dk.RejectReason.APPLICATION_CONTEXT_NAME_NOT_SUPPORTED


# --- answer: presentation contexts ------------------------------------------------------------


def results(ac: dk.AAssociateAC | dk.AAssociateRJ) -> list[tuple[int, int, str | None]]:
    assert isinstance(ac, dk.AAssociateAC)
    return [(c.context_id, c.result, c.transfer_syntax) for c in ac.presentation_contexts]


def test_each_context_gets_its_result_and_the_policys_order_chooses_the_syntax() -> None:
    policy = dk.AcceptorPolicy(abstract_syntaxes={CT: [IMPLICIT, EXPLICIT], MR: [DEFLATED]})
    rq = rq_of(
        dk.ProposedContext(abstract_syntax=CT, transfer_syntaxes=[EXPLICIT, IMPLICIT]),
        dk.ProposedContext(abstract_syntax=CT, transfer_syntaxes=[BIG, EXPLICIT]),
        dk.ProposedContext(abstract_syntax=MR, transfer_syntaxes=[BIG, IMPLICIT]),
        dk.ProposedContext(abstract_syntax=UNKNOWN, transfer_syntaxes=[EXPLICIT]),
    )
    assert results(dk.answer(rq, policy)) == [
        (
            1,
            dk.ContextResult.ACCEPTANCE,
            IMPLICIT,
        ),  # the acceptor's preference, not the requestor's
        (3, dk.ContextResult.ACCEPTANCE, EXPLICIT),
        (5, dk.ContextResult.TRANSFER_SYNTAXES_NOT_SUPPORTED, BIG),  # not significant: the first
        (7, dk.ContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED, EXPLICIT),
    ]


def test_the_default_policy_answers_storescu_as_storescp_did() -> None:
    rq, storescp = recorded("storescu-rq"), recorded("storescp-ac")
    assert isinstance(rq, dk.AAssociateRQ) and isinstance(storescp, dk.AAssociateAC)
    ours = dk.answer(rq, dk.DEFAULT_POLICY)
    assert isinstance(ours, dk.AAssociateAC)
    # 128 contexts, 64 of them accepted with big endian where little endian was not offered
    assert ours.presentation_contexts == storescp.presentation_contexts
    assert dk.agreement(rq, ours).contexts == dk.agreement(rq, storescp).contexts


def test_the_default_policy_is_verification_and_the_storage_classes() -> None:
    classes = dk.STORAGE_SOP_CLASSES
    assert CT in classes and MR in classes
    assert (
        "1.2.840.10008.5.1.4.1.1.1.1" in classes
    )  # Digital X-Ray Image Storage - For Presentation
    assert "1.2.840.10008.5.1.4.1.1.5" in classes  # NM Image Storage (Retired): DCMTK has it too
    assert "1.2.840.10008.1.20.1" not in classes  # Storage Commitment Push Model
    assert "1.2.840.10008.1.3.10" not in classes  # Media Storage Directory Storage
    assert FIND not in classes and dk.VERIFICATION_SOP_CLASS not in classes
    assert set(dk.DEFAULT_POLICY.abstract_syntaxes) == {dk.VERIFICATION_SOP_CLASS, *classes}
    assert set(dk.DEFAULT_POLICY.abstract_syntaxes.values()) == {(EXPLICIT, BIG, IMPLICIT)}
    policy = dk.DEFAULT_POLICY
    assert (policy.ae_title, policy.calling_ae_titles, policy.async_window) == (None, None, (1, 1))


def test_nothing_acceptable_is_still_an_ac_unless_the_policy_rejects() -> None:
    rq = rq_of(UNKNOWN, FIND)
    ac = dk.answer(rq, dk.DEFAULT_POLICY)
    assert [r for _, r, _ in results(ac)] == [dk.ContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED] * 2
    refusing = attrs.evolve(dk.DEFAULT_POLICY, reject_if_none_accepted=True)
    assert dk.answer(rq, refusing) == dk.AAssociateRJ(
        result=1, source=1, reason=dk.RejectReason.NO_REASON_GIVEN
    )
    assert isinstance(dk.answer(rq_of(UNKNOWN, CT), refusing), dk.AAssociateAC)


def test_the_ac_carries_the_policys_maximum_length_and_implementation() -> None:
    policy = dk.AcceptorPolicy(
        abstract_syntaxes={CT: [EXPLICIT]},
        max_pdu_length=0,
        implementation_class_uid="1.2.826.0.1.3680043.8.498.5",
        implementation_version_name=None,
    )
    ac = dk.answer(rq_of(CT, max_pdu_length=4096), policy)
    assert isinstance(ac, dk.AAssociateAC)
    info = ac.user_information
    assert (info.maximum_length, info.implementation_class_uid) == (
        0,
        "1.2.826.0.1.3680043.8.498.5",
    )
    assert info.implementation_version_name is None
    agreed = dk.agreement(rq_of(CT, max_pdu_length=4096), ac)
    assert (agreed.requestor_max_pdu_length, agreed.acceptor_max_pdu_length) == (4096, 0)
    ours = dk.answer(rq_of(CT), dk.DEFAULT_POLICY)
    assert isinstance(ours, dk.AAssociateAC)
    assert ours.user_information.implementation_class_uid == dk.IMPLEMENTATION_CLASS_UID
    assert ours.user_information.implementation_version_name == dk.IMPLEMENTATION_VERSION_NAME


# --- answer: AE titles ----------------------------------------------------------------------


def test_an_unrecognised_called_or_calling_ae_title_is_rejected_by_the_service_user() -> None:
    policy = dk.AcceptorPolicy(
        abstract_syntaxes={CT: [EXPLICIT]}, ae_title="SCP", calling_ae_titles={"SCU", "OTHER"}
    )
    assert isinstance(dk.answer(rq_of(CT), policy), dk.AAssociateAC)
    wrong_called = attrs.evolve(rq_of(CT), called_ae_title="ELSEWHERE")
    wrong_calling = attrs.evolve(rq_of(CT), calling_ae_title="STRANGER")
    for rq, reason in (
        (wrong_called, dk.RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED),
        (wrong_calling, dk.RejectReason.CALLING_AE_TITLE_NOT_RECOGNIZED),
        (
            attrs.evolve(wrong_called, calling_ae_title="STRANGER"),
            dk.RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED,
        ),
    ):
        rj = dk.answer(rq, policy)
        assert isinstance(rj, dk.AAssociateRJ)
        assert (rj.result, rj.source, rj.reason) == (1, 1, reason)
    assert isinstance(dk.answer(wrong_called, dk.DEFAULT_POLICY), dk.AAssociateAC)  # any AE


# --- answer and agreement: roles -----------------------------------------------------------


def test_roles_are_answered_only_where_asked_and_never_1_where_the_rq_sent_0() -> None:
    policy = dk.AcceptorPolicy(
        abstract_syntaxes={CT: [EXPLICIT], MR: [EXPLICIT], FIND: [EXPLICIT]},
        roles={CT: (True, True), MR: (True, True), FIND: (True, True)},
    )
    rq = rq_of(
        dk.ProposedContext(abstract_syntax=CT, scu_role=False, scp_role=True),
        dk.ProposedContext(abstract_syntax=MR, scu_role=True, scp_role=True),
        FIND,
    )
    ac = dk.answer(rq, policy)
    assert isinstance(ac, dk.AAssociateAC)
    assert ac.user_information.role_selections == (
        dk.RoleSelection(sop_class_uid=CT, scu_role=0, scp_role=1),
        dk.RoleSelection(sop_class_uid=MR, scu_role=1, scp_role=1),
    )  # none for FIND: the RQ sent none
    agreed = dk.agreement(rq, ac)
    roles = {
        c.abstract_syntax: (c.requestor_is_scu, c.requestor_is_scp)
        for c in agreed.contexts.values()
    }
    assert roles == {CT: (False, True), MR: (True, True), FIND: (True, False)}
    ct = agreed.contexts[1]
    assert (ct.acceptor_is_scu, ct.acceptor_is_scp) == (True, False)


def test_a_role_the_policy_refuses_is_answered_0() -> None:
    rq = rq_of(dk.ProposedContext(abstract_syntax=CT, scu_role=True, scp_role=True))
    ac = dk.answer(rq, dk.DEFAULT_POLICY)  # default roles: the requestor may not be SCP
    assert isinstance(ac, dk.AAssociateAC)
    assert ac.user_information.role_selections == (
        dk.RoleSelection(sop_class_uid=CT, scu_role=1, scp_role=0),
    )
    context = dk.agreement(rq, ac).contexts[1]
    assert (context.requestor_is_scu, context.requestor_is_scp) == (True, False)


def test_a_context_with_no_role_left_is_rejected_by_the_user_and_gets_no_role_answer() -> None:
    scp_only = dk.ProposedContext(abstract_syntax=CT, scu_role=False, scp_role=True)
    rq = rq_of(scp_only, MR)
    ac = dk.answer(rq, dk.DEFAULT_POLICY)
    assert results(ac)[0] == (1, dk.ContextResult.USER_REJECTION, EXPLICIT)
    assert isinstance(ac, dk.AAssociateAC) and ac.user_information.role_selections == ()
    assert dk.check_received_answer(rq, ac) == ()
    # without a role selection, the requestor is SCU: a policy that refuses that
    policy = dk.AcceptorPolicy(abstract_syntaxes={MR: [EXPLICIT]}, roles={MR: (False, True)})
    assert results(dk.answer(rq_of(MR), policy)) == [(1, dk.ContextResult.USER_REJECTION, EXPLICIT)]


def test_the_received_answer_of_a_role_never_proposed_is_reported_and_refused() -> None:
    rq = rq_of(dk.ProposedContext(abstract_syntax=CT, scu_role=True, scp_role=False), MR)
    ac = ac_for(
        rq,
        None,
        dk.RoleSelection(sop_class_uid=CT, scu_role=1, scp_role=1),
        dk.RoleSelection(sop_class_uid=MR, scu_role=0, scp_role=1),
    )
    assert whats(dk.check_received_answer(rq, ac)) == [
        f"the SCP role of {CT} is accepted but was not proposed; taken as refused",
        f"a role selection is answered for {MR}, for which none was proposed; ignored "
        "(the default roles apply)",
    ]
    agreed = dk.agreement(rq, ac)
    assert (agreed.contexts[1].requestor_is_scu, agreed.contexts[1].requestor_is_scp) == (
        True,
        False,
    )
    assert (agreed.contexts[3].requestor_is_scu, agreed.contexts[3].requestor_is_scp) == (
        True,
        False,
    )
    assert "SCP role of" in local_refusal(rq, ac)


def test_without_a_role_answer_the_defaults_apply() -> None:
    rq = rq_of(dk.ProposedContext(abstract_syntax=CT, scu_role=False, scp_role=True))
    context = dk.agreement(rq, ac_for(rq)).contexts[1]
    assert (context.requestor_is_scu, context.requestor_is_scp) == (True, False)


# --- answer and agreement: the asynchronous operations window --------------------------------


@pytest.mark.parametrize(
    ("offered", "ours", "answered"),
    [
        ((0, 0), (0, 0), (0, 0)),  # 0/0 only when the RQ asked 0/0
        ((0, 0), (1, 1), (1, 1)),
        ((5, 0), (0, 3), (5, 3)),
        ((2, 2), (10, 0), (2, 2)),
        ((3, 4), (2, 1), (2, 1)),
    ],
)
def test_the_window_is_at_most_the_offer_each_way(
    offered: tuple[int, int], ours: tuple[int, int], answered: tuple[int, int]
) -> None:
    policy = dk.AcceptorPolicy(abstract_syntaxes={CT: [EXPLICIT]}, async_window=ours)
    rq = rq_of(CT, async_window=offered)
    ac = dk.answer(rq, policy)
    assert isinstance(ac, dk.AAssociateAC)
    window = ac.user_information.asynchronous_operations_window
    assert window is not None
    got = (window.maximum_number_operations_invoked, window.maximum_number_operations_performed)
    assert got == answered
    agreed = dk.agreement(rq, ac)
    assert (agreed.max_operations_invoked, agreed.max_operations_performed) == answered
    assert dk.check_received_answer(rq, ac) == ()


def test_no_window_is_answered_without_one_offered_and_it_is_then_1_1() -> None:
    policy = dk.AcceptorPolicy(abstract_syntaxes={CT: [EXPLICIT]}, async_window=(0, 0))
    rq = rq_of(CT)
    ac = dk.answer(rq, policy)
    assert isinstance(ac, dk.AAssociateAC)
    assert ac.user_information.asynchronous_operations_window is None
    agreed = dk.agreement(rq, ac)
    assert (agreed.max_operations_invoked, agreed.max_operations_performed) == (1, 1)


def test_a_received_window_beyond_the_offer_is_reported_and_taken_as_the_offer() -> None:
    rq = rq_of(CT, async_window=(3, 2))
    ac = ac_for(rq, window=(4, 0))
    assert whats(dk.check_received_answer(rq, ac)) == [
        "the maximum number of operations invoked is answered as 4 (0: unlimited), above the 3 "
        "offered; taken as 3",
        "the maximum number of operations performed is answered as 0 (0: unlimited), above the 2 "
        "offered; taken as 2",
    ]
    agreed = dk.agreement(rq, ac)
    assert (agreed.max_operations_invoked, agreed.max_operations_performed) == (3, 2)
    assert "invoked is answered as 4" in local_refusal(rq, ac)
    unasked = ac_for(rq_of(CT), window=(1, 1))
    assert whats(dk.check_received_answer(rq_of(CT), unasked)) == [
        "an asynchronous operations window is answered but none was offered; taken as 1/1 "
        "(synchronous)"
    ]
    assert dk.check_received_answer(rq_of(CT, async_window=(0, 0)), ac_for(rq, window=(9, 0))) == ()


# --- answer and agreement: user identity and extended negotiation ---------------------------


def identity_rq(positive: bool, kind: int = 2) -> dk.AAssociateRQ:
    return rq_of(
        CT,
        user_identity=dk.UserIdentityRQ(
            user_identity_type=kind,
            primary_field=b"user" if kind < 3 else b"ticket",
            secondary_field=b"secret" if kind == 2 else b"",
            positive_response_requested=positive,
        ),
    )


Hook = Callable[[dk.UserIdentityRQ], "dk.UserIdentityAC | bool | None"]


@pytest.mark.parametrize(
    ("hook", "positive", "expected", "kind"),
    [
        (lambda identity: True, True, dk.UserIdentityAC(), 2),
        (
            lambda identity: dk.UserIdentityAC(server_response=b"t"),
            True,
            dk.UserIdentityAC(server_response=b"t"),
            3,  # a Kerberos service ticket is answered with the server ticket
        ),
        (lambda identity: dk.UserIdentityAC(), True, dk.UserIdentityAC(), 1),
        (lambda identity: True, False, None, 2),  # no positive response asked: no 59H
        (lambda identity: None, True, None, 2),  # accepted without answering
        (None, True, None, 2),  # identity not checked (PS3.7 D.3.3.7)
    ],
)
def test_the_user_identity_hook_decides_the_59h(
    hook: Hook | None, positive: bool, expected: dk.UserIdentityAC | None, kind: int
) -> None:
    policy = dk.AcceptorPolicy(abstract_syntaxes={CT: [EXPLICIT]}, user_identity=hook)
    rq = identity_rq(positive, kind)
    ac = dk.answer(rq, policy)
    assert isinstance(ac, dk.AAssociateAC)
    assert ac.user_information.user_identity == expected
    assert dk.agreement(rq, ac).user_identity == expected
    assert dk.check_received_answer(rq, ac) == ()


def test_an_identity_the_hook_refuses_is_rejected_by_the_service_user() -> None:
    seen: list[bytes] = []

    def refuse(identity: dk.UserIdentityRQ) -> bool:
        seen.append(identity.secondary_field)
        return False

    policy = dk.AcceptorPolicy(abstract_syntaxes={CT: [EXPLICIT]}, user_identity=refuse)
    assert dk.answer(identity_rq(False), policy) == dk.AAssociateRJ(
        result=1, source=1, reason=dk.RejectReason.NO_REASON_GIVEN
    )
    assert seen == [b"secret"]
    assert isinstance(dk.answer(rq_of(CT), policy), dk.AAssociateAC)  # no 58H: not called


@pytest.mark.parametrize("kind", [1, 2])
def test_a_server_response_to_a_username_is_refused_to_the_hook_and_reported(kind: int) -> None:
    rq = identity_rq(True, kind)
    policy = dk.AcceptorPolicy(
        abstract_syntaxes={CT: [EXPLICIT]},
        user_identity=lambda identity: dk.UserIdentityAC(server_response=b"ticket"),
    )
    with pytest.raises(dk.LocalProtocolError) as raised:
        dk.answer(rq, policy)
    assert str(raised.value).startswith(
        f"AcceptorPolicy.user_identity returned a server response of 6 bytes for a user "
        f"identity of type {kind}: "
    )
    assert "PS3.7 D.3.3.7.2" in str(raised.value)
    ac = ac_for(rq, None, dk.UserIdentityAC(server_response=b"ticket"))
    assert whats(dk.check_received_answer(rq, ac)) == [
        f"the user identity answer (59H) holds a server response of 6 bytes to a user "
        f"identity of type {kind}; taken as the positive response, kept as received"
    ]
    assert dk.agreement(rq, ac).user_identity == dk.UserIdentityAC(server_response=b"ticket")
    assert "zero length" in local_refusal(rq, ac)


def test_a_59h_without_a_58h_asking_for_it_is_reported_and_refused() -> None:
    for rq in (rq_of(CT), identity_rq(False)):
        ac = ac_for(rq, None, dk.UserIdentityAC())
        assert whats(dk.check_received_answer(rq, ac)) == [
            "a user identity answer (59H) came, but no user identity asked for a positive "
            "response; ignored"
        ]
        assert dk.agreement(rq, ac).user_identity is None
        assert "59H" in local_refusal(rq, ac)
    assert (
        dk.check_received_answer(
            identity_rq(True), ac_for(identity_rq(True), None, dk.UserIdentityAC())
        )
        == ()
    )


def test_the_extended_negotiation_hook_answers_each_56h() -> None:
    asked = dk.SOPClassExtendedNegotiation(
        sop_class_uid=CT, service_class_application_information=b"\x01"
    )
    other = dk.SOPClassExtendedNegotiation(
        sop_class_uid=MR, service_class_application_information=b"\x02"
    )
    reply = dk.SOPClassExtendedNegotiation(
        sop_class_uid=CT, service_class_application_information=b"\x00"
    )
    rq = rq_of(CT, MR, extended_negotiation=[asked, other])

    def hook(item: dk.SOPClassExtendedNegotiation) -> dk.SOPClassExtendedNegotiation | None:
        return reply if item.sop_class_uid == CT else None

    policy = dk.AcceptorPolicy(abstract_syntaxes={CT: [EXPLICIT]}, extended_negotiation=hook)
    ac = dk.answer(rq, policy)
    assert isinstance(ac, dk.AAssociateAC)
    assert ac.user_information.extended_negotiations == (reply,)
    assert dk.agreement(rq, ac).extended_negotiation == {CT: reply}
    assert dk.check_received_answer(rq, ac) == ()
    no_hook = dk.answer(rq, dk.DEFAULT_POLICY)
    assert (
        isinstance(no_hook, dk.AAssociateAC)
        and no_hook.user_information.extended_negotiations == ()
    )
    stray = attrs.evolve(
        policy, extended_negotiation=lambda item: attrs.evolve(reply, sop_class_uid=FIND)
    )
    with pytest.raises(TypeError, match="extended_negotiation must return None or a"):
        dk.answer(rq, stray)


def test_a_56h_for_a_class_the_rq_did_not_negotiate_is_reported_and_refused() -> None:
    rq = rq_of(CT)
    ac = ac_for(rq, None, dk.SOPClassExtendedNegotiation(sop_class_uid=CT))
    assert whats(dk.check_received_answer(rq, ac)) == [
        f"an extended negotiation answer for {CT} came, but none was sent for it; ignored"
    ]
    assert dk.agreement(rq, ac).extended_negotiation == {}
    assert "extended negotiation answer" in local_refusal(rq, ac)


# --- what an AC answers of its contexts ------------------------------------------------------


def test_the_context_rules_of_answer_diagnostics_are_reported_and_refused() -> None:
    rq = rq_of(CT, MR)
    wrong = [
        dk.PresentationContextAC(context_id=1, transfer_syntax=BIG),  # never proposed for it
        dk.PresentationContextAC(context_id=7, transfer_syntax=EXPLICIT),  # never proposed
    ]  # and 3 left out: taken as rejected
    ac = ac_for(rq, wrong)
    assert whats(dk.check_received_answer(rq, ac)) == whats(dk.answer_diagnostics(rq, ac))
    assert len(dk.check_received_answer(rq, ac)) == 3
    agreed = dk.agreement(rq, ac)
    assert agreed.contexts == {}  # 1 is taken as rejected: see the test below
    assert agreed.rejected == {
        1: dk.ContextResult.TRANSFER_SYNTAXES_NOT_SUPPORTED,
        3: dk.ContextResult.NO_REASON,
    }
    message = local_refusal(rq, ac)
    assert message.startswith("the A-ASSOCIATE-AC does not answer its A-ASSOCIATE-RQ: ")
    assert "accepted with transfer syntax" in message and "PS3.8 7.1.1.14" in message
    for contexts, words in (
        ([dk.PresentationContextAC(context_id=1, transfer_syntax=EXPLICIT)], "not answered"),
        (
            [
                dk.PresentationContextAC(context_id=1, transfer_syntax=EXPLICIT),
                dk.PresentationContextAC(context_id=3, transfer_syntax=EXPLICIT),
                dk.PresentationContextAC(context_id=5, result=1),
            ],
            "never proposed",
        ),
    ):
        assert words in local_refusal(rq, ac_for(rq, contexts))


def test_a_context_accepted_with_a_syntax_never_proposed_is_not_usable_for_sending() -> None:
    rq = rq_of(
        dk.ProposedContext(abstract_syntax=CT, transfer_syntaxes=IMPLICIT),
        dk.ProposedContext(abstract_syntax=MR, transfer_syntaxes=EXPLICIT),
    )
    jpeg = pydicom_uid.JPEGBaseline8Bit
    ac = ac_for(
        rq,
        [
            dk.PresentationContextAC(context_id=1, transfer_syntax=jpeg),  # CT: not offered
            dk.PresentationContextAC(context_id=3, transfer_syntax=EXPLICIT),
        ],
    )
    assert whats(dk.check_received_answer(rq, ac)) == [
        f"presentation context 1 is accepted with transfer syntax {jpeg}, which was not "
        "proposed for it"
    ]
    agreed = dk.agreement(rq, ac)
    assert list(agreed.contexts) == [3]
    assert agreed.rejected == {1: dk.ContextResult.TRANSFER_SYNTAXES_NOT_SUPPORTED}
    assert agreed.for_abstract_syntax(CT) is None
    assert agreed.contexts_for(CT, jpeg) == ()


def test_a_context_answered_twice_is_refused() -> None:
    rq, twice = twice_answered()
    assert "presentation context 1 is answered twice" in local_refusal(rq, twice)
    assert list(dk.agreement(rq, twice).contexts) == [1, 5, 7]  # the first answer counts


def test_a_local_ac_echoes_the_rqs_ae_titles() -> None:
    rq = rq_of(CT)
    ac = attrs.evolve(ac_for(rq), calling_ae_title="SOMEONE")
    assert "its calling_ae_title is 'SOMEONE', the RQ's 'SCU'" in local_refusal(rq, ac)
    assert dk.check_received_answer(rq, ac) == ()  # received, they are not tested (PS3.8 9.3.3)


def twice_answered() -> tuple[dk.AAssociateRQ, dk.AAssociateAC]:
    """A recorded RQ and its AC as received with its second context answering ID 1 again
    (lenient: the decoder reports it)."""
    rq, ac = recorded("pynetdicom-async-window-rq"), recorded("pynetdicom-async-window-ac")
    assert isinstance(rq, dk.AAssociateRQ) and isinstance(ac, dk.AAssociateAC)
    data = bytearray(dk.encode_pdu(ac))
    first = data.find(bytes([0x21, 0]))
    second = data.find(bytes([0x21, 0]), first + 1)
    data[second + 4] = data[first + 4]
    twice = dk.decode_pdu(bytes(data)).pdu
    assert isinstance(twice, dk.AAssociateAC)
    return rq, twice


def refusal_cases() -> list[tuple[dk.AAssociateRQ, dk.AAssociateAC, str, str]]:
    """(RQ, an AC breaking one rule of check_local_answer, what the refusal names, the
    section it cites): every way check_local_answer refuses."""
    rq, two = rq_of(CT), rq_of(CT, MR)
    windowed, username = rq_of(CT, async_window=(3, 2)), identity_rq(True, 1)
    accepted = [dk.PresentationContextAC(context_id=1, transfer_syntax=EXPLICIT)]
    bad_ids = with_context_ids(two, 1, 2)
    return [
        (bad_ids, ac_for(bad_ids, accepted), "under ID 2, which is not", "PS3.8 9.3.2.2"),
        (rq, attrs.evolve(ac_for(rq), called_ae_title="X"), "called_ae_title is 'X'", "9.3.3"),
        (rq, attrs.evolve(ac_for(rq), calling_ae_title="X"), "calling_ae_title is 'X'", "9.3.3"),
        (*twice_answered(), "presentation context 1 is answered twice", "9.3.3.2"),
        (
            rq,
            ac_for(rq, [*accepted, dk.PresentationContextAC(context_id=7, result=1)]),
            "presentation context 7 is answered but was never proposed",
            "PS3.8 7.1.1.14",
        ),
        (
            rq,
            ac_for(rq, [dk.PresentationContextAC(context_id=1, transfer_syntax=BIG)]),
            f"presentation context 1 is accepted with transfer syntax {BIG}",
            "PS3.8 7.1.1.14",
        ),
        (two, ac_for(two, accepted), f"presentation context 3 ({MR}) is not answered", "7.1.1.14"),
        (
            rq,
            ac_for(rq, None, dk.RoleSelection(sop_class_uid=CT, scu_role=1, scp_role=0)),
            f"a role selection is answered for {CT}",
            "PS3.7 D.3.3.4",
        ),
        (
            asking := rq_of(dk.ProposedContext(abstract_syntax=CT, scu_role=True)),
            ac_for(asking, None, dk.RoleSelection(sop_class_uid=CT, scu_role=1, scp_role=1)),
            f"the SCP role of {CT} is accepted but was not proposed",
            "PS3.7 D.3.3.4",
        ),
        (rq, ac_for(rq, window=(1, 1)), "window is answered but none was offered", "D.3.3.3"),
        (windowed, ac_for(windowed, window=(3, 5)), "performed is answered as 5", "D.3.3.3"),
        (rq, ac_for(rq, None, dk.UserIdentityAC()), "a user identity answer (59H)", "D.3.3.7"),
        (
            username,
            ac_for(username, None, dk.UserIdentityAC(server_response=b"x")),
            "a server response of 1 bytes to a user identity of type 1",
            "PS3.7 D.3.3.7.2",
        ),
        (
            rq,
            ac_for(rq, None, dk.SOPClassExtendedNegotiation(sop_class_uid=CT)),
            f"an extended negotiation answer for {CT} came",
            "PS3.7 D.3.3.5",
        ),
    ]


def test_each_refusal_of_check_local_answer_names_what_and_the_rule() -> None:
    rules = set()
    for rq, ac, words, section in refusal_cases():
        with pytest.raises(dk.LocalProtocolError) as raised:
            dk.check_local_answer(rq, ac)
        message = str(raised.value)
        assert message.startswith("the A-ASSOCIATE-AC does not answer its A-ASSOCIATE-RQ: ")
        assert words in message, message
        rule = message[message.index(" [") :]
        assert section in rule and rule.endswith("]"), message
        # no state of PS3.8 9.2 is this function's: an engine wraps it with its own
        assert (raised.value.state, raised.value.event) == (None, None)
        rules.add(rule)
    assert len(rules) == 9  # IDs, echo, once, each context, roles, window, 59H twice, 56H


def test_check_local_answer_takes_an_rj_and_refuses_other_types() -> None:
    rq = rq_of(CT)
    dk.check_local_answer(rq, dk.AAssociateRJ(result=2, source=3, reason=1))
    dk.check_local_answer(rq, ac_for(rq))
    with pytest.raises(TypeError, match="answer must be AAssociateAC or AAssociateRJ"):
        dk.check_local_answer(rq, rq)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="policy must be AcceptorPolicy"):
        dk.answer(rq, {CT: [EXPLICIT]})  # type: ignore[arg-type]


# --- the agreement -------------------------------------------------------------------------


def test_the_agreement_looks_contexts_up_by_syntax_and_by_who_is_scu() -> None:
    policy = dk.AcceptorPolicy(
        abstract_syntaxes={CT: [EXPLICIT, IMPLICIT], MR: [EXPLICIT]}, roles={CT: (True, True)}
    )
    rq = rq_of(
        dk.ProposedContext(
            abstract_syntax=CT, transfer_syntaxes=[IMPLICIT], scu_role=False, scp_role=True
        ),
        dk.ProposedContext(
            abstract_syntax=CT, transfer_syntaxes=[EXPLICIT], scu_role=False, scp_role=True
        ),
        dk.ProposedContext(abstract_syntax=MR, transfer_syntaxes=[IMPLICIT]),
        FIND,
    )
    ac = dk.answer(rq, policy)
    assert isinstance(ac, dk.AAssociateAC)
    agreed = dk.agreement(rq, ac)
    assert list(agreed.contexts) == [1, 3]
    assert agreed.rejected == {
        5: dk.ContextResult.TRANSFER_SYNTAXES_NOT_SUPPORTED,
        7: dk.ContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED,
    }
    assert agreed.contexts[3] == dk.AcceptedContext(
        context_id=3,
        abstract_syntax=CT,
        transfer_syntax=EXPLICIT,
        requestor_is_scu=False,
        requestor_is_scp=True,
    )
    found = agreed.for_abstract_syntax(CT)
    assert found is not None and found.context_id == 1
    by_syntax = agreed.for_abstract_syntax(CT, EXPLICIT)
    assert by_syntax is not None and by_syntax.context_id == 3
    assert [c.context_id for c in agreed.contexts_for(CT, scu="acceptor")] == [1, 3]
    assert agreed.for_abstract_syntax(CT, scu="requestor") is None  # the requestor is SCP only
    assert agreed.for_abstract_syntax(MR) is None and agreed.for_abstract_syntax(CT, BIG) is None
    assert (agreed.rq, agreed.ac) == (rq, ac)


def test_an_accepted_context_with_no_role_left_is_kept_but_never_looked_up() -> None:
    rq = rq_of(dk.ProposedContext(abstract_syntax=CT, scu_role=True, scp_role=False))
    ac = ac_for(rq, None, dk.RoleSelection(sop_class_uid=CT, scu_role=0, scp_role=0))
    agreed = dk.agreement(rq, ac)
    assert not agreed.contexts[1].usable
    assert agreed.for_abstract_syntax(CT) is None


def test_context_for_gives_the_context_or_says_what_the_ac_answered_for_it() -> None:
    policy = dk.AcceptorPolicy(abstract_syntaxes={CT: [EXPLICIT], MR: [EXPLICIT]})
    rq = rq_of(
        dk.ProposedContext(abstract_syntax=CT, transfer_syntaxes=[IMPLICIT]),
        dk.ProposedContext(abstract_syntax=CT, transfer_syntaxes=[EXPLICIT]),
        dk.ProposedContext(abstract_syntax=MR, transfer_syntaxes=[IMPLICIT]),
        FIND,
    )
    ac = dk.answer(rq, policy)
    assert isinstance(ac, dk.AAssociateAC)
    agreed = dk.agreement(rq, ac)
    assert agreed.context_for(CT) == agreed.for_abstract_syntax(CT) == agreed.contexts[3]

    def refusal(
        uid: str, syntax: str | None = None, scu: Literal["requestor", "acceptor"] | None = None
    ) -> str:
        with pytest.raises(dk.ContextNotAgreedError) as raised:
            agreed.context_for(uid, syntax, scu=scu)
        assert raised.value.abstract_syntax == uid
        assert isinstance(raised.value, LookupError) and isinstance(raised.value, dk.DimseError)
        return str(raised.value)

    assert refusal(MR) == (
        f"no usable presentation context for {MR}: context 5 is rejected "
        "(TRANSFER_SYNTAXES_NOT_SUPPORTED)"
    )
    assert refusal(FIND) == (
        f"no usable presentation context for {FIND}: context 7 is rejected "
        "(ABSTRACT_SYNTAX_NOT_SUPPORTED)"
    )
    assert refusal(UNKNOWN) == (
        f"no usable presentation context for {UNKNOWN}: none was proposed for it"
    )
    assert refusal(CT, BIG, scu="acceptor") == (
        f"no usable presentation context for {CT} in {BIG} with the acceptor as SCU: "
        "context 1 is rejected (TRANSFER_SYNTAXES_NOT_SUPPORTED); "
        f"context 3 is accepted with {EXPLICIT}, the requestor SCU"
    )
    error = dk.ContextNotAgreedError("why", abstract_syntax=CT)
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.abstract_syntax) == ("why", CT)


def test_context_for_says_how_an_ac_deviating_left_a_context_unusable() -> None:
    rq = rq_of(CT, MR, dk.ProposedContext(abstract_syntax=FIND, scu_role=True))
    ac = ac_for(
        rq,
        [
            dk.PresentationContextAC(context_id=1, transfer_syntax=BIG),  # not proposed
            dk.PresentationContextAC(context_id=5, transfer_syntax=EXPLICIT),
        ],  # and 3 left out
        dk.RoleSelection(sop_class_uid=FIND, scu_role=0, scp_role=0),
    )
    agreed = dk.agreement(rq, ac)
    messages = []
    for uid in (CT, MR, FIND):
        with pytest.raises(dk.ContextNotAgreedError) as raised:
            agreed.context_for(uid)
        messages.append(str(raised.value).split(": ", 1)[1])
    assert messages == [
        f"context 1 is accepted with {BIG}, not one proposed for it, taken as rejected "
        "(TRANSFER_SYNTAXES_NOT_SUPPORTED)",
        "context 3 is not answered, taken as rejected (NO_REASON)",
        f"context 5 is accepted with {EXPLICIT}, the requestor neither SCU nor SCP",
    ]


# --- round trips, the recordings ------------------------------------------------------------


def test_propose_answer_agreement_agree_on_both_sides_through_the_bytes() -> None:
    rq = rq_of(
        CT,
        dk.ProposedContext(abstract_syntax=MR, transfer_syntaxes=[IMPLICIT, BIG], scp_role=True),
        dk.VERIFICATION_SOP_CLASS,
        FIND,
        async_window=(4, 4),
    )
    sent_rq = dk.decode_pdu(dk.encode_pdu(rq)).pdu  # what the acceptor reads
    assert isinstance(sent_rq, dk.AAssociateRQ)
    assert dk.provider_refusal(sent_rq) is None
    ac = dk.answer(sent_rq, dk.DEFAULT_POLICY)
    assert isinstance(ac, dk.AAssociateAC)
    dk.check_local_answer(sent_rq, ac)
    received_ac = dk.decode_pdu(dk.encode_pdu(ac)).pdu  # what the requestor reads
    assert isinstance(received_ac, dk.AAssociateAC)
    assert dk.check_received_answer(rq, received_ac) == ()
    requestor, acceptor = dk.agreement(rq, received_ac), dk.agreement(sent_rq, ac)
    for name in (
        "contexts",
        "rejected",
        "requestor_max_pdu_length",
        "acceptor_max_pdu_length",
        "max_operations_invoked",
        "max_operations_performed",
    ):
        assert getattr(requestor, name) == getattr(acceptor, name), name
    assert [(c.abstract_syntax, c.transfer_syntax) for c in requestor.contexts.values()] == [
        (CT, EXPLICIT),
        (MR, BIG),
        (dk.VERIFICATION_SOP_CLASS, EXPLICIT),
    ]
    assert requestor.rejected == {7: dk.ContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED}
    assert (requestor.max_operations_invoked, requestor.max_operations_performed) == (1, 1)


@pytest.mark.parametrize("name", RQ_NAMES)
def test_the_default_policy_answers_each_recorded_rq_within_the_rules(name: str) -> None:
    rq = recorded(name)
    assert isinstance(rq, dk.AAssociateRQ)
    assert dk.provider_refusal(rq) is None
    ac = dk.answer(rq, dk.DEFAULT_POLICY)
    assert isinstance(ac, dk.AAssociateAC)
    assert dk.check_received_answer(rq, ac) == ()
    dk.check_local_answer(rq, ac)
    assert dk.encode_pdu(ac)[10:74] == dk.encode_pdu(rq)[10:74]  # bytes 11-74 echoed (PS3.8 9.3.3)


def test_the_recordings_hold_every_rq_there_is() -> None:
    assert len(RQ_NAMES) == 9 and set(RQ_NAMES) == {rq for rq, _ in PAIRS}


@pytest.mark.parametrize(("rq_name", "ac_name"), PAIRS)
def test_each_real_peers_ac_answers_its_rq_within_the_rules(rq_name: str, ac_name: str) -> None:
    rq, ac = recorded(rq_name), recorded(ac_name)
    assert isinstance(rq, dk.AAssociateRQ) and isinstance(ac, dk.AAssociateAC)
    assert dk.check_received_answer(rq, ac) == ()
    agreed = dk.agreement(rq, ac)
    assert set(agreed.contexts) | set(agreed.rejected) == {
        c.context_id for c in rq.presentation_contexts
    }


def test_getscus_roles_as_dcmqrscp_answered_them() -> None:
    rq, ac = recorded("getscu-rq"), recorded("dcmqrscp-getscu-ac")
    assert isinstance(rq, dk.AAssociateRQ) and isinstance(ac, dk.AAssociateAC)
    agreed = dk.agreement(rq, ac)
    ct = agreed.for_abstract_syntax(CT, scu="acceptor")  # the C-GET SCP's C-STOREs
    assert ct is not None and ct.requestor_is_scp
    pair = rq_of(FIND), ac_for(rq_of(FIND))
    assert dk.agreement(*pair).for_abstract_syntax(FIND, scu="acceptor") is None


def test_pynetdicoms_window_answer_is_what_dimsekit_agrees() -> None:
    rq, ac = recorded("pynetdicom-async-window-rq"), recorded("pynetdicom-async-window-ac")
    assert isinstance(rq, dk.AAssociateRQ) and isinstance(ac, dk.AAssociateAC)
    agreed = dk.agreement(rq, ac)
    assert (agreed.max_operations_invoked, agreed.max_operations_performed) == (1, 1)
    ours = dk.answer(rq, attrs.evolve(dk.DEFAULT_POLICY, async_window=(0, 0)))
    assert isinstance(ours, dk.AAssociateAC)
    assert dk.agreement(rq, ours).max_operations_invoked == 5  # the requestor's offer (5, 3)
    assert dk.agreement(rq, ours).max_operations_performed == 3


# --- properties ----------------------------------------------------------------------------


@st.composite
def rqs(draw: st.DrawFn) -> dk.AAssociateRQ:
    """RQs, some with role selections for their own abstract syntaxes (those of
    ``pdu_of`` are for SOP classes of their own), some as received with a context ID
    that breaks PS3.8 9.3.2.2 (even, or another context's)."""
    rq = draw(valid_rqs())
    if not draw(st.booleans()):
        return rq
    ids = [c.context_id for c in rq.presentation_contexts]
    index = draw(st.integers(0, len(ids) - 1))
    others = [i for n, i in enumerate(ids) if n != index]
    bad = st.integers(0, 127).map(lambda n: 2 * n)
    ids[index] = draw(bad | st.sampled_from(others) if others else bad)
    return with_context_ids(rq, *ids)


@st.composite
def valid_rqs(draw: st.DrawFn) -> dk.AAssociateRQ:
    rq = draw(pdu_of(dk.AAssociateRQ))
    asked = {item.sop_class_uid for item in rq.user_information.role_selections}
    classes = sorted({c.abstract_syntax for c in rq.presentation_contexts} - asked)
    chosen = draw(st.lists(st.sampled_from(classes), unique=True)) if classes else []
    roles = [
        dk.RoleSelection(
            sop_class_uid=uid, scu_role=draw(st.integers(0, 1)), scp_role=draw(st.integers(0, 1))
        )
        for uid in chosen
    ]
    sub_items = (*rq.user_information.sub_items, *roles)
    return attrs.evolve(rq, user_information=dk.UserInformation(sub_items=sub_items))


@given(rqs(), st.data())
def test_answer_never_raises_and_its_ac_keeps_every_rule(
    rq: dk.AAssociateRQ, data: st.DataObject
) -> None:
    for policy in (dk.DEFAULT_POLICY, data.draw(acceptor_policies(rq), label="policy")):
        answered = dk.answer(rq, policy)
        dk.check_local_answer(rq, answered)
        if isinstance(answered, dk.AAssociateRJ):
            ids = [c.context_id for c in rq.presentation_contexts]
            valid = len(set(ids)) == len(ids) and all(i % 2 for i in ids)
            assert policy.reject_if_none_accepted if valid else answered == UNANSWERABLE
            continue
        assert dk.check_received_answer(rq, answered) == ()
        agreed = dk.agreement(rq, answered)
        assert set(agreed.contexts) | set(agreed.rejected) == {
            c.context_id for c in rq.presentation_contexts
        }
        assert all(context.usable for context in agreed.contexts.values())
        # the AC goes through the bytes as it is
        assert dk.decode_pdu(dk.encode_pdu(answered), strict=True).pdu == answered


@given(pdu_of(dk.AAssociateRQ), pdu_of(dk.AAssociateAC))
def test_any_received_ac_is_checked_and_agreed_without_raising(
    rq: dk.AAssociateRQ, ac: dk.AAssociateAC
) -> None:
    diagnostics = dk.check_received_answer(rq, ac)
    agreed = dk.agreement(rq, ac)
    assert set(agreed.contexts) <= {c.context_id for c in rq.presentation_contexts}
    echoes = (ac.called_ae_title, ac.calling_ae_title) == (rq.called_ae_title, rq.calling_ae_title)
    if not diagnostics and echoes:
        dk.check_local_answer(rq, ac)
    else:  # what the requestor reports, the acceptor does not send
        with pytest.raises(dk.LocalProtocolError):
            dk.check_local_answer(rq, ac)


def with_context_ids(rq: dk.AAssociateRQ, *ids: int) -> dk.AAssociateRQ:
    """``rq`` as received with its presentation context IDs replaced (the decoder reports
    what breaks PS3.8 9.3.2.2 and goes on)."""
    data = bytearray(dk.encode_pdu(rq))
    position, found = 74, 0
    while position < len(data):
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        if data[position] == 0x20:
            data[position + 4] = ids[found]
            found += 1
        position += 4 + length
    decoded = dk.decode_pdu(bytes(data))
    assert decoded.diagnostics and isinstance(decoded.pdu, dk.AAssociateRQ)
    return decoded.pdu


UNANSWERABLE = dk.AAssociateRJ(
    result=dk.RejectResult.REJECTED_PERMANENT,
    source=dk.RejectSource.SERVICE_PROVIDER_ACSE,
    reason=dk.RejectReason.PROVIDER_NO_REASON_GIVEN,
)


@pytest.mark.parametrize(
    ("ids", "words"),
    [
        ((0,), "under ID 0, which is not an odd integer"),
        ((1, 2), "under ID 2, which is not an odd integer"),
        ((1, 1), "proposes 2 presentation contexts under ID 1"),
        ((3, 5, 3), "proposes 2 presentation contexts under ID 3"),
    ],
)
def test_a_received_rq_no_ac_can_answer_is_rejected_by_the_acse_provider(
    ids: tuple[int, ...], words: str
) -> None:
    rq = with_context_ids(rq_of(*[CT, MR, dk.VERIFICATION_SOP_CLASS][: len(ids)]), *ids)
    answered = dk.answer(rq, dk.DEFAULT_POLICY)
    assert answered == UNANSWERABLE
    dk.check_local_answer(rq, answered)  # the RJ is what check_local_answer lets through
    valid = ac_for(rq, [dk.PresentationContextAC(context_id=1, transfer_syntax=EXPLICIT)])
    message = local_refusal(rq, valid)
    assert words in message and "PS3.8 9.3.2.2" in message


def test_an_rq_without_a_presentation_context_is_rejected_by_the_acse_provider() -> None:
    rq = rq_of(CT)
    data = dk.encode_pdu(rq)
    context = data.index(b"\x20\x00", 74)  # the one Presentation Context item
    end = context + 4 + int.from_bytes(data[context + 2 : context + 4], "big")
    body = data[6:context] + data[end:]
    decoded = dk.decode_pdu(data[:2] + len(body).to_bytes(4, "big") + body)
    empty = decoded.pdu
    assert isinstance(empty, dk.AAssociateRQ) and empty.presentation_contexts == ()
    assert dk.answer(empty, dk.DEFAULT_POLICY) == UNANSWERABLE
    assert "proposes no presentation context" in local_refusal(empty, ac_for(rq))


def test_a_policy_of_an_invalid_uid_is_refused_when_built() -> None:
    with pytest.raises(dk.InvalidPDUError, match=r"AcceptorPolicy.abstract_syntaxes: .*'1.02'"):
        dk.AcceptorPolicy(abstract_syntaxes={"1.02": [EXPLICIT]})
    with pytest.raises(dk.InvalidPDUError, match=r"AcceptorPolicy.abstract_syntaxes: .*'1.2.x'"):
        dk.AcceptorPolicy(abstract_syntaxes={CT: ["1.2.x"]})
    with pytest.raises(dk.InvalidPDUError, match=r"AcceptorPolicy.roles"):
        dk.AcceptorPolicy(abstract_syntaxes={}, roles={"1..2": (True, True)})
    with pytest.raises(TypeError, match=r"roles\['1.2'\] must be a \(bool, bool\) pair"):
        dk.AcceptorPolicy(abstract_syntaxes={}, roles={"1.2": (1, 0)})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="abstract_syntaxes must be a mapping"):
        dk.AcceptorPolicy(abstract_syntaxes=[CT])  # type: ignore[arg-type]
    with pytest.raises(dk.InvalidPDUError, match="maximum_number_operations_invoked"):
        dk.AcceptorPolicy(abstract_syntaxes={}, async_window=(70000, 1))
    with pytest.raises(dk.InvalidPDUError, match="maximum_length"):
        dk.AcceptorPolicy(abstract_syntaxes={}, max_pdu_length=-1)
    policy = dk.AcceptorPolicy(abstract_syntaxes={CT: EXPLICIT}, calling_ae_titles=[" SCU "])
    assert policy.abstract_syntaxes == {CT: (EXPLICIT,)} and policy.calling_ae_titles == frozenset(
        {"SCU"}
    )


def test_an_agreement_and_the_default_policy_pickle_and_copy() -> None:
    rq = rq_of(CT, async_window=(2, 2))
    ac = dk.answer(rq, dk.DEFAULT_POLICY)
    assert isinstance(ac, dk.AAssociateAC)
    agreed = dk.agreement(rq, ac)
    assert pickle.loads(pickle.dumps(agreed)) == agreed == copy.deepcopy(agreed)
    assert pickle.loads(pickle.dumps(dk.DEFAULT_POLICY)) == dk.DEFAULT_POLICY


def test_a_received_ac_lists_at_most_16_deviations_of_a_rule() -> None:
    rq = rq_of(CT)
    classes = [f"1.2.826.0.1.3680043.8.498.{n}" for n in range(1, 41)]
    ac = ac_for(
        rq, None, *(dk.RoleSelection(sop_class_uid=uid, scu_role=1, scp_role=0) for uid in classes)
    )
    diagnostics = dk.check_received_answer(rq, ac)
    assert len(diagnostics) == 17
    assert diagnostics[-1].what == "24 more distinct deviations of this rule, not listed"
