"""The dict and JSON forms of the Upper Layer PDUs (``_framing.pdu_forms``), through the
public ``to_dict``/``from_dict``/``to_json``/``from_json`` that take messages too."""

from __future__ import annotations

import json
from pathlib import Path

import cattrs
import pytest

import dimsekit as dk
from tests.data.association import record

RECORDINGS = Path(__file__).parent / "data" / "association"
NAMES = sorted(path.stem for path in RECORDINGS.glob("*.pdu"))
SECRETS = (record.PASSCODE, record.JWT, record.SERVER_RESPONSE)


def pdu_of(name: str) -> tuple[bytes, dk.PDU]:
    data = (RECORDINGS / f"{name}.pdu").read_bytes()
    return data, dk.decode_pdu(data).pdu


@pytest.mark.parametrize("name", NAMES)
def test_every_recording_goes_through_json_and_back_to_its_bytes(name: str) -> None:
    data, pdu = pdu_of(name)
    text = dk.to_json(pdu, show_secrets=True)
    back = dk.from_json(text, pdu=type(pdu))
    assert back.pdu == pdu
    assert dk.encode_pdu(back.pdu) == data  # reserved junk, order and padding survive
    assert back.diagnostics == ()
    form = dk.to_dict(pdu, show_secrets=True)
    assert form["pdu_type"] == type(pdu).PDU_TYPE.label
    assert dk.encode_pdu(dk.from_dict(form, pdu=type(pdu)).pdu) == data


def test_what_was_received_is_in_the_form_and_a_built_pdu_has_none() -> None:
    _, storescu = pdu_of("storescu-rq")
    context = dk.to_dict(storescu)["presentation_contexts"][0]
    # DCMTK's FFH in a reserved byte of every context it proposes (PS3.8 9.3.2.2)
    assert context["received"] == {"reserved": [0, 0, 0xFF, 0]}
    built = dk.AAbort(source=dk.AbortSource.SERVICE_PROVIDER, reason=dk.AbortReason.UNEXPECTED_PDU)
    assert dk.to_dict(built) == {
        "pdu_type": "A-ABORT",
        "source": "SERVICE_PROVIDER",
        "reason": "UNEXPECTED_PDU",
    }
    assert dk.from_dict(dk.to_dict(built), pdu=True).pdu == built


def test_sub_items_keep_the_order_they_came_in() -> None:
    # pynetdicom sends 55H before 53H (CP 280 allows any order): the form lists them so
    data, pdu = pdu_of("pynetdicom-async-window-rq")
    types = [item["type"] for item in dk.to_dict(pdu)["user_information"]["sub_items"]]
    assert types.index("ImplementationVersionName") < types.index("AsynchronousOperationsWindow")
    assert dk.encode_pdu(dk.from_json(dk.to_json(pdu), pdu=dk.AAssociateRQ).pdu) == data


@pytest.mark.parametrize(
    ("name", "redacted"),
    [
        ("pynetdicom-user-identity-rq", "secondary_field"),  # the passcode; the username shows
        ("pynetdicom-jwt-rq", "primary_field"),
        ("pynetdicom-jwt-ac", "server_response"),
    ],
)
def test_secrets_are_redacted_and_a_redacted_form_is_not_encoded(name: str, redacted: str) -> None:
    _, pdu = pdu_of(name)
    text = dk.to_json(pdu)
    assert not any(secret.hex() in text for secret in SECRETS)
    (identity,) = [
        item
        for item in json.loads(text)["user_information"]["sub_items"]
        if item["type"].startswith("UserIdentity")
    ]
    assert set(identity[redacted]) == {"redacted"}
    if name == "pynetdicom-user-identity-rq":
        assert bytes.fromhex(identity["primary_field"]) == record.USERNAME
    with pytest.raises(dk.DecodeError, match=rf"{redacted} was redacted .* show_secrets=True"):
        dk.from_json(text, pdu=type(pdu))
    shown = dk.to_json(pdu, show_secrets=True)
    assert any(secret.hex() in shown for secret in SECRETS)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"pdu_type": "A-ASSOCIATE-XX"}, r"pdu_type 'A-ASSOCIATE-XX' names no PDU"),
        ({"colour": 1}, r"AAssociateRJ: 'colour' is no field of it"),
        ({"result": "SOMETIMES"}, r"'SOMETIMES' is no RejectResult"),
        ({"result": True}, r"give its name or its code"),
        ({"reason": "TEMPORARY_CONGESTION"}, r"the reasons source .* allows .*PS3\.8 9\.3\.4"),
    ],
)
def test_a_bad_form_is_our_error_naming_the_field(change: dict[str, object], match: str) -> None:
    _, rj = pdu_of("storescp-refuse-rj")
    form = {**dk.to_dict(rj), **change}
    with pytest.raises(dk.DecodeError, match=match):
        dk.from_dict(form, pdu=True)


def test_a_rule_of_ps38_is_refused_from_a_form() -> None:
    _, findscu = pdu_of("findscu-rq")
    form = dk.to_dict(findscu)
    form["presentation_contexts"][0]["context_id"] = 2
    with pytest.raises(dk.DecodeError, match=r"context_id.*odd.*PS3\.8 9\.3\.2\.2"):
        dk.from_dict(form, pdu=True)
    form["presentation_contexts"][0]["context_id"] = "1"
    with pytest.raises(dk.DecodeError, match=r"context_id: '1' is not an int"):
        dk.from_dict(form, pdu=True)
    with pytest.raises(dk.DecodeError, match="not JSON"):
        dk.from_json("{", pdu=True)
    with pytest.raises(dk.DecodeError, match="an object of field: value"):
        dk.from_json("[]", pdu=True)


def test_messages_keep_their_forms_and_pdus_refuse_what_is_for_messages() -> None:
    echo = dk.CEchoRequest(message_id=7)
    converter = dk.make_converter()
    assert dk.to_dict(echo) == converter.to_dict(echo)
    assert dk.to_json(echo, data_set_type=0x0101) == converter.to_json(echo, data_set_type=0x0101)
    assert dk.from_json(dk.to_json(echo)).message == echo
    with pytest.raises(TypeError, match="data_set_type is for a message"):
        dk.to_dict(dk.AReleaseRQ(), data_set_type=0x0101)  # type: ignore[call-overload]
    # a PDU's form is no command: without pdu=True it is read as one, and refused as one
    with pytest.raises(dk.DecodeError, match="'pdu_type' is neither a command element keyword"):
        dk.from_dict(dk.to_dict(dk.AReleaseRQ()))


def test_the_pdu_converter_is_our_own() -> None:
    converter = dk.make_pdu_converter()
    assert converter is not cattrs.global_converter
    assert converter.unstructure(dk.AReleaseRP()) == {"pdu_type": "A-RELEASE-RP"}
    assert cattrs.global_converter.unstructure(dk.AReleaseRP()) != {"pdu_type": "A-RELEASE-RP"}
    with pytest.raises(TypeError, match="pdu must be a PDU"):
        converter.to_dict(object())  # type: ignore[arg-type]


def test_a_pdu_class_asked_for_is_the_one_built() -> None:
    _, rj = pdu_of("storescp-refuse-rj")
    assert dk.from_json(dk.to_json(rj), pdu=dk.AAssociateRJ).pdu == rj
    with pytest.raises(dk.DecodeError, match="the form is of an A-ASSOCIATE-RJ, not AAbort"):
        dk.from_json(dk.to_json(rj), pdu=dk.AAbort)
    with pytest.raises(TypeError, match="pdu must be True or a PDU class"):
        dk.from_dict(dk.to_dict(rj), pdu=dk.CEchoRequest)  # type: ignore[type-var]
