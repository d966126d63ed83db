"""The association PDUs recorded from real peers (tests/data/association/, PS3.8 9.3).

Each ``NAME.pdu`` is one whole PDU as a DCMTK or pynetdicom peer sent it, and ``NAME.json``
says what it holds (``expect``), as record.py's own walk of the PS3.8 9.3 layouts read it
when it was recorded.  These tests hold the files to each other, and pynetdicom's PDU
classes to the ``expect`` of each, so that a decoder can be tested against facts that
two independent readers agree on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dimsekit._framing.pdu import PDU_HEADER, PDU_LENGTHS, PDUType
from tests.data.association import record

RECORDINGS = Path(__file__).parent / "data" / "association"
NAMES = sorted(path.stem for path in RECORDINGS.glob("*.pdu"))

WIRE_ONLY = ("reserved_bytes_43_74", "nonzero_reserved")
"""``expect`` fields pynetdicom's classes do not keep (reserved bytes)."""


def load(name: str) -> tuple[bytes, dict[str, Any]]:
    document: dict[str, Any] = json.loads((RECORDINGS / f"{name}.json").read_text())
    return (RECORDINGS / f"{name}.pdu").read_bytes(), document


def test_the_recordings_are_there_in_pairs() -> None:
    assert {path.stem for path in RECORDINGS.glob("*.json")} == set(NAMES)
    kinds = {name: load(name)[1]["pdu"] for name in NAMES}
    # what issue 14 asks to be recorded, each of the PDU type it must be
    assert {
        "storescu-rq": "A-ASSOCIATE-RQ", "storescp-ac": "A-ASSOCIATE-AC",
        "findscu-rq": "A-ASSOCIATE-RQ", "dcmqrscp-findscu-ac": "A-ASSOCIATE-AC",
        "movescu-rq": "A-ASSOCIATE-RQ", "dcmqrscp-movescu-ac": "A-ASSOCIATE-AC",
        "getscu-rq": "A-ASSOCIATE-RQ", "dcmqrscp-getscu-ac": "A-ASSOCIATE-AC",
        "dcmprscu-rq": "A-ASSOCIATE-RQ",
        "storescp-refuse-rj": "A-ASSOCIATE-RJ", "dcmqrscp-called-ae-rj": "A-ASSOCIATE-RJ",
        "storescu-release-rq": "A-RELEASE-RQ", "storescp-release-rp": "A-RELEASE-RP",
        "echoscu-abort": "A-ABORT", "storescp-abort": "A-ABORT",
        "pynetdicom-user-identity-rq": "A-ASSOCIATE-RQ",
        "pynetdicom-jwt-ac": "A-ASSOCIATE-AC",
        "pynetdicom-async-window-rq": "A-ASSOCIATE-RQ",
        "pynetdicom-async-window-ac": "A-ASSOCIATE-AC",
        "pynetdicom-extended-negotiation-rq": "A-ASSOCIATE-RQ",
        "pynetdicom-extended-negotiation-ac": "A-ASSOCIATE-AC",
    }.items() <= kinds.items()  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_each_recording_is_one_whole_pdu(name: str) -> None:
    data, document = load(name)
    pdu_type, _reserved, length = PDU_HEADER.unpack_from(data)
    assert length == len(data) - PDU_HEADER.size
    kind = PDUType(pdu_type)
    assert kind is not PDUType.P_DATA_TF
    assert PDU_LENGTHS[kind].breach(length) is None
    expect = document["expect"]
    assert (document["pdu"], expect["pdu"]) == (kind.label, kind.label)
    assert (expect["pdu_type"], expect["pdu_length"]) == (pdu_type, length)


@pytest.mark.parametrize("name", NAMES)
def test_each_json_says_what_its_pdu_holds(name: str) -> None:
    """The ``expect`` is record.py's reading of the bytes, not edited since, and holds
    together: counts agree with the item order, context IDs are odd and unique."""
    data, document = load(name)
    expect = document["expect"]
    assert expect == record.fields(data)
    assert set(document) == {
        "pdu", "peer", "counterpart", "recorded_with", "answers", "notes", "expect",
    }  # fmt: skip
    assert document["peer"]["toolkit"] in ("DCMTK", "pynetdicom")
    if expect["pdu_type"] not in (1, 2):
        return
    runs = dict(expect["items_in_order"])
    context_item = "20H" if expect["pdu_type"] == 1 else "21H"
    assert runs == {"10H": 1, context_item: len(expect["presentation_contexts"]), "50H": 1}
    ids = [context["id"] for context in expect["presentation_contexts"]]
    assert len(set(ids)) == len(ids) and all(i % 2 == 1 for i in ids)
    order = expect["user_information_in_order"]
    assert order == [item["item_type"] for item in expect["user_information"]]
    assert order.count("51H") == order.count("52H") == 1  # PS3.8 D.1, D.3.3.2


ANSWERS = sorted(name for name in NAMES if load(name)[1]["answers"])


@pytest.mark.parametrize("name", ANSWERS)
def test_each_answer_answers_its_request(name: str) -> None:
    """An AC echoes its RQ's AE titles and answers each proposed context with one of the
    transfer syntaxes proposed (PS3.8 9.3.3); what it says of the user information
    sub-items is at most what was asked (PS3.7 D.3.3.3, D.3.3.4)."""
    _, document = load(name)
    answer = document["expect"]
    request = load(document["answers"])[1]["expect"]
    assert (request["pdu_type"], answer["pdu_type"]) in ((1, 2), (5, 6))
    if answer["pdu_type"] == 6:
        return
    for title in ("called_ae_title", "calling_ae_title"):
        assert answer[title] == request[title]
    proposed = {context["id"]: context for context in request["presentation_contexts"]}
    assert sorted(c["id"] for c in answer["presentation_contexts"]) == sorted(proposed)
    for context in answer["presentation_contexts"]:
        if context["result"] == 0:
            assert context["transfer_syntax"] in proposed[context["id"]]["transfer_syntaxes"]
    asked = {(i["item_type"], i.get("sop_class_uid")): i for i in request["user_information"]}
    for item in answer["user_information"]:
        if item["item_type"] == "54H":
            offered = asked["54H", item["sop_class_uid"]]
            assert item["scu_role"] <= offered["scu_role"]
            assert item["scp_role"] <= offered["scp_role"]
        elif item["item_type"] == "53H":
            offered = asked["53H", None]
            for limit in ("maximum_operations_invoked", "maximum_operations_performed"):
                assert 1 <= item[limit] <= offered[limit] or offered[limit] == 0
        elif item["item_type"] in ("56H", "59H"):
            assert (item["item_type"].replace("59H", "58H"), item.get("sop_class_uid")) in asked


def test_the_recordings_hold_no_credentials_but_the_test_ones() -> None:
    """User identity fields are record.py's made-up credentials, nothing else."""
    test_ones = {record.USERNAME, record.PASSCODE, record.JWT, record.SERVER_RESPONSE, b""}
    seen = set()
    for name in NAMES:
        for item in load(name)[1]["expect"].get("user_information", []):
            for key in ("primary_field", "secondary_field", "server_response"):
                if key in item:
                    seen.add(item[key].encode())
    assert seen == test_ones


# --- pynetdicom's reading ------------------------------------------------------------------


def _sub_item(item: Any) -> dict[str, Any]:
    """One pynetdicom user information sub-item in record.fields()' form."""
    out: dict[str, Any] = {"item_type": f"{item.item_type:02X}H"}
    kind = type(item).__name__
    if kind == "MaximumLengthSubItem":
        out["maximum_length"] = item.maximum_length_received
    elif kind == "ImplementationClassUIDSubItem":
        out["implementation_class_uid"] = str(item.implementation_class_uid)
    elif kind == "ImplementationVersionNameSubItem":
        out["implementation_version_name"] = str(item.implementation_version_name)
    elif kind == "AsynchronousOperationsWindowSubItem":
        out["maximum_operations_invoked"] = item.maximum_number_operations_invoked
        out["maximum_operations_performed"] = item.maximum_number_operations_performed
    elif kind == "SCP_SCU_RoleSelectionSubItem":
        out |= {"sop_class_uid": str(item.uid), "scu_role": item.scu_role}
        out["scp_role"] = item.scp_role
    elif kind == "SOPClassExtendedNegotiationSubItem":
        out["sop_class_uid"] = str(item.sop_class_uid)
        out["service_class_application_information"] = (
            item.service_class_application_information.hex()
        )
    elif kind == "SOPClassCommonExtendedNegotiationSubItem":
        out |= {
            "sub_item_version": item.sub_item_version,
            "sop_class_uid": str(item.sop_class_uid),
            "service_class_uid": str(item.service_class_uid),
            "related_general_sop_class_uids": [
                str(uid) for uid in item.related_general_sop_class_identification
            ],
        }
    elif kind == "UserIdentitySubItemRQ":
        out |= {
            "user_identity_type": item.user_identity_type,
            "positive_response_requested": item.positive_response_requested,
            "primary_field": item.primary_field.decode(),
            "secondary_field": item.secondary_field.decode(),
        }
    elif kind == "UserIdentitySubItemAC":
        out["server_response"] = item.server_response.decode()
    else:
        raise AssertionError(f"pynetdicom read a {kind}")
    return out


def pynetdicom_fields(data: bytes) -> dict[str, Any]:
    """``data`` read by pynetdicom's PDU classes, in record.fields()' form."""
    from pynetdicom import pdu as pynetdicom_pdu

    pdu_type = data[0]
    classes = {
        1: pynetdicom_pdu.A_ASSOCIATE_RQ, 2: pynetdicom_pdu.A_ASSOCIATE_AC,
        3: pynetdicom_pdu.A_ASSOCIATE_RJ, 5: pynetdicom_pdu.A_RELEASE_RQ,
        6: pynetdicom_pdu.A_RELEASE_RP, 7: pynetdicom_pdu.A_ABORT_RQ,
    }  # fmt: skip
    pdu: Any = classes[pdu_type]()
    pdu.decode(data)
    out: dict[str, Any] = {
        "pdu_type": pdu.pdu_type, "pdu": PDUType(pdu.pdu_type).label,
        "pdu_length": pdu.pdu_length,
    }  # fmt: skip
    if pdu_type in (1, 2):
        contexts = []
        for context in pdu.presentation_context:
            if pdu_type == 1:
                contexts.append({
                    "id": context.context_id, "abstract_syntax": str(context.abstract_syntax),
                    "transfer_syntaxes": [str(uid) for uid in context.transfer_syntax],
                })  # fmt: skip
            else:
                contexts.append({
                    "id": context.context_id, "result": context.result,
                    "transfer_syntax": str(context.transfer_syntax),
                })  # fmt: skip
        sub_items = [_sub_item(item) for item in pdu.user_information.user_data]
        out |= {
            "protocol_version": pdu.protocol_version,
            "called_ae_title": pdu.called_ae_title.strip(" "),
            "calling_ae_title": pdu.calling_ae_title.strip(" "),
            "application_context_name": str(pdu.application_context_name),
            "items_in_order": record.runs([item.item_type for item in pdu.variable_items]),
            "presentation_contexts": contexts,
            "user_information": sub_items,
            "user_information_in_order": [item["item_type"] for item in sub_items],
        }
    elif pdu_type == 3:
        out |= {"result": pdu.result, "source": pdu.source, "reason": pdu.reason_diagnostic}
    elif pdu_type == 7:
        out |= {"source": pdu.source, "reason": pdu.reason_diagnostic}
    return out


@pytest.mark.parametrize("name", NAMES)
def test_pynetdicom_reads_each_recording_as_its_json_says(name: str) -> None:
    pytest.importorskip("pynetdicom")
    data, document = load(name)
    expect = {k: v for k, v in document["expect"].items() if k not in WIRE_ONLY}
    assert pynetdicom_fields(data) == expect


# --- whole conversations (conversations/, replayed in test_association_replay.py) ---------

CONVERSATIONS = sorted(path.stem for path in (RECORDINGS / "conversations").glob("*.json"))


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_each_conversation_is_whole_pdus_as_its_document_lists(name: str) -> None:
    stem = RECORDINGS / "conversations" / name
    document = json.loads(stem.with_suffix(".json").read_text())
    for side in ("requestor", "acceptor"):
        stream = stem.with_suffix(f".{side}").read_bytes()
        pdus = record.split_pdus(stream)
        assert b"".join(pdus) == stream  # whole PDUs, nothing left over
        assert [record.PDU_NAMES[pdu[0]] for pdu in pdus] == document["sent"][side]
    first = {side: document["sent"][side][0] for side in ("requestor", "acceptor")}
    assert first == {"requestor": "A-ASSOCIATE-RQ", "acceptor": "A-ASSOCIATE-AC"}


def test_the_conversations_cover_release_and_abort_from_both_toolkits() -> None:
    assert set(CONVERSATIONS) == {
        "storescu-storescp",
        "storescu-storescp-abort",
        "echoscu-abort",
        "pynetdicom-echo",
        "pynetdicom-abort",
    }
