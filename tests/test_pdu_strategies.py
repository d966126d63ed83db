"""The Hypothesis strategies for Upper Layer PDUs (dimsekit.testing, PS3.8 9.3).

Every valid PDU they draw builds, round-trips through encode_pdu/decode_pdu equal (saying
only that items of unknown types were kept) and re-encodes to the same bytes; every invalid
construction is refused by its class with an InvalidPDUError naming the class, a field it
was given and the section of the rule.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import dimsekit as dk
from dimsekit.testing import invalid_pdu_constructions, pdu_of, pdus

PDU_CLASSES = (
    dk.AAssociateRQ, dk.AAssociateAC, dk.AAssociateRJ, dk.PDataTF, dk.AReleaseRQ,
    dk.AReleaseRP, dk.AAbort,
)  # fmt: skip
SETTINGS = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(pdus())
def test_every_valid_pdu_round_trips_equal_and_byte_for_byte(pdu: dk.PDU) -> None:
    encoded = dk.encode_pdu(pdu)
    decoded = dk.decode_pdu(encoded)
    assert decoded.pdu == pdu and type(decoded.pdu) is type(pdu)
    assert dk.encode_pdu(decoded.pdu) == encoded
    # what is said is only of the items of unknown types drawn (PS3.8 9.3.1, D.2): kept
    for said in decoded.diagnostics:
        assert said.severity is dk.Severity.WARNING and "of unknown type" in said.what, said
    if not decoded.diagnostics:
        assert dk.decode_pdu(encoded, strict=True) == decoded


@pytest.mark.parametrize("cls", PDU_CLASSES, ids=lambda cls: cls.__name__)
def test_pdu_of_draws_only_its_class_and_every_class_is_drawn(cls: type[Any]) -> None:
    @settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
    @given(pdu_of(cls))
    def drawn(pdu: object) -> None:
        assert type(pdu) is cls

    drawn()
    with pytest.raises(TypeError, match="pdu_of takes a PDU class"):
        pdu_of(dk.MaximumLength)  # type: ignore[type-var]


@SETTINGS
@given(pdu_of(dk.AAssociateRQ) | pdu_of(dk.AAssociateAC))
def test_the_associate_pdus_drawn_carry_what_their_type_may(pdu: Any) -> None:
    info = pdu.user_information
    assert info.maximum_length is not None and info.implementation_class_uid is not None
    ids = [context.context_id for context in pdu.presentation_contexts]
    assert ids and len(set(ids)) == len(ids) and all(i % 2 == 1 for i in ids)
    kinds = {type(item) for item in info.sub_items}
    if isinstance(pdu, dk.AAssociateRQ):
        assert dk.UserIdentityAC not in kinds
    else:
        assert not kinds & {dk.UserIdentityRQ, dk.SOPClassCommonExtendedNegotiation}


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(invalid_pdu_constructions())
def test_every_invalid_construction_is_refused_naming_the_rule(
    construction: tuple[type[Any], dict[str, Any]],
) -> None:
    cls, values = construction
    with pytest.raises(dk.InvalidPDUError) as refused:
        cls(**values)
    error = refused.value
    assert error.message_class == cls.__name__
    assert set(error.fields) & set(values), (error.fields, values)
    assert error.reference.startswith(("PS3.8 ", "PS3.7 ", "PS3.5 ")), error.reference
    assert error.rule


def test_the_invalid_constructions_cover_each_class_they_are_asked_for() -> None:
    seen: set[type] = set()

    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
    @given(invalid_pdu_constructions(dk.RoleSelection, dk.AAbort))
    def drawn(construction: tuple[type[Any], dict[str, Any]]) -> None:
        seen.add(construction[0])

    drawn()
    assert seen == {dk.RoleSelection, dk.AAbort}
    with pytest.raises(TypeError, match="invalid_pdu_constructions takes PDU, item or sub"):
        invalid_pdu_constructions(dk.CEchoRequest)
