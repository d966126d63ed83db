"""The association PDUs real peers send, live through ``dimsekit tap --reencode`` (PS3.8 9.3).

The other scenarios check every PDU they pass (``tap_factory`` does, when each test ends);
these add the PDUs that those never send: an A-ASSOCIATE-RJ from each of DCMTK's
servers, an A-ABORT from each side, and pynetdicom's user identity (PS3.7 D.3.3.7),
asynchronous operations window (D.3.3.3) and SOP class extended negotiation (D.3.3.5,
D.3.3.6).  Each decodes to its typed class with no diagnostic and re-encodes byte for byte
(``assert_pdus_understood``); the record says what it holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    RELEASED,
    Processes,
    Tap,
    assert_pdus_understood,
    associate_record,
    dcmtk,
    negotiating_acceptor,
    run_client,
)
from .instances import write_instances
from .test_dcmtk import start_storescp

logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)

VERIFICATION = "1.2.840.10008.1.1"
STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
ENHANCED_SR, BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.22", "1.2.840.10008.5.1.4.1.1.88.11"
STORAGE_SERVICE = "1.2.840.10008.4.2"  # the Storage Service Class (PS3.4 B.5)
PASSCODE, JWT, SERVER_RESPONSE = b"not-a-real-passcode", b"not.a.jwt", b"not-a-real-response"


def test_storescp_refuses_with_an_a_associate_rj(
    processes: Processes, tap_factory: Any, tmp_path: Path
) -> None:
    tap: Tap = tap_factory(start_storescp(processes, tmp_path / "received", "--refuse"))
    result = run_client(dcmtk("echoscu"), "127.0.0.1", str(tap.port))
    assert result.returncode != 0  # echoscu reports the rejection
    pdus = tap.pdus()
    assert_pdus_understood(pdus, "A-ASSOCIATE-RQ", "A-ASSOCIATE-RJ")
    rj = associate_record(pdus, "A-ASSOCIATE-RJ")
    assert (rj["result"], rj["source"], rj["reason"]) == (
        "REJECTED_PERMANENT", "SERVICE_USER", "NO_REASON_GIVEN"
    )  # fmt: skip


def test_dcmqrscp_rejects_an_unknown_called_ae_title(
    qrscp: Callable[..., int], tap_factory: Any
) -> None:
    tap: Tap = tap_factory(qrscp())
    result = run_client(
        dcmtk("findscu"), "-S", "-aec", "NOBODY", "-k", "QueryRetrieveLevel=STUDY",
        "127.0.0.1", str(tap.port),
    )  # fmt: skip
    assert result.returncode != 0
    pdus = tap.pdus()
    assert_pdus_understood(pdus, "A-ASSOCIATE-RQ", "A-ASSOCIATE-RJ")
    assert associate_record(pdus, "A-ASSOCIATE-RQ")["called_ae_title"] == "NOBODY"
    assert associate_record(pdus, "A-ASSOCIATE-RJ")["reason"] == "CALLED_AE_TITLE_NOT_RECOGNIZED"


def test_echoscu_aborts(processes: Processes, tap_factory: Any, tmp_path: Path) -> None:
    tap: Tap = tap_factory(start_storescp(processes, tmp_path / "received"))
    result = run_client(dcmtk("echoscu"), "--abort", "127.0.0.1", str(tap.port))
    assert result.returncode == 0, result.stderr
    pdus = tap.pdus()
    assert_pdus_understood(pdus, "A-ASSOCIATE-RQ", "A-ASSOCIATE-AC", "A-ABORT")
    abort = pdus[-1]
    assert (abort["direction"], abort["source"]) == ("client->server", "SERVICE_USER")


def test_storescp_aborts_after_a_c_store(
    processes: Processes, tap_factory: Any, tmp_path: Path
) -> None:
    tap: Tap = tap_factory(start_storescp(processes, tmp_path / "received", "--abort-after"))
    (instance, *_) = write_instances(tmp_path / "sent")
    run_client(dcmtk("storescu"), "127.0.0.1", str(tap.port), str(instance))
    pdus = tap.pdus()
    assert_pdus_understood(pdus, "A-ASSOCIATE-RQ", "A-ASSOCIATE-AC", "A-ABORT")
    assert (pdus[-1]["direction"], pdus[-1]["source"]) == ("server->client", "SERVICE_USER")


@pytest.fixture
def pynetdicom_acceptor() -> Iterator[int]:
    """A pynetdicom acceptor in this process that answers user identity, window and
    extended negotiation (PS3.7 D.3.3), on the port it yields."""
    with negotiating_acceptor(
        (VERIFICATION, STUDY_ROOT_FIND, ENHANCED_SR), SERVER_RESPONSE
    ) as port:
        yield port


def _negotiations() -> list[tuple[str, list[Any], str]]:
    """(what, pynetdicom's ext_neg items, how the association ends)."""
    from pynetdicom.pdu_primitives import (
        AsynchronousOperationsWindowNegotiation,
        SOPClassCommonExtendedNegotiation,
        SOPClassExtendedNegotiation,
        UserIdentityNegotiation,
    )

    passcode = UserIdentityNegotiation()
    passcode.user_identity_type = 2
    passcode.primary_field, passcode.secondary_field = b"USERNAME", PASSCODE
    passcode.positive_response_requested = True
    jwt = UserIdentityNegotiation()
    jwt.user_identity_type = 5
    jwt.primary_field = JWT
    jwt.positive_response_requested = True
    window = AsynchronousOperationsWindowNegotiation()
    window.maximum_number_operations_invoked = 5
    window.maximum_number_operations_performed = 3
    extended = SOPClassExtendedNegotiation()
    extended.sop_class_uid = STUDY_ROOT_FIND
    # PS3.4 C.5.1.1: relational, combined date-time, fuzzy, timezone, enhanced multi-frame
    extended.service_class_application_information = bytes([1, 1, 1, 1, 1])
    common = SOPClassCommonExtendedNegotiation()
    common.sop_class_uid = ENHANCED_SR
    common.service_class_uid = STORAGE_SERVICE
    common.related_general_sop_class_identification = [BASIC_TEXT_SR]
    return [
        ("passcode", [passcode], "release"),
        ("jwt", [jwt], "release"),
        ("window", [window], "abort"),
        ("extended", [extended, common], "release"),
    ]


def test_pynetdicom_user_identity_window_and_extended_negotiation(
    pynetdicom_acceptor: int, tap_factory: Any, tmp_path: Path
) -> None:
    from pynetdicom import AE

    tap: Tap = tap_factory(pynetdicom_acceptor)
    scu = AE(ae_title="PYNETDICOM-SCU")
    scu.acse_timeout = scu.dimse_timeout = scu.network_timeout = 20
    for uid in (VERIFICATION, STUDY_ROOT_FIND, ENHANCED_SR):
        scu.add_requested_context(uid)
    negotiations = _negotiations()
    for _, ext_neg, end in negotiations:
        assoc = scu.associate("127.0.0.1", tap.port, ae_title="PYNETDICOM-SCP", ext_neg=ext_neg)
        assert assoc.is_established
        assert assoc.send_c_echo().Status == 0x0000
        assoc.release() if end == "release" else assoc.abort()
    pdus = tap.pdus()
    associations = sorted({record["association"] for record in pdus})
    assert len(associations) == len(negotiations)
    sub_items = {}
    for (what, _, end), number in zip(negotiations, associations, strict=True):
        mine = [record for record in pdus if record["association"] == number]
        ended = ("A-ABORT",) if end == "abort" else RELEASED[2:]
        assert_pdus_understood(mine, *RELEASED[:2], *ended)
        for name in ("A-ASSOCIATE-RQ", "A-ASSOCIATE-AC"):
            sub_items[what, name] = associate_record(mine, name)["user_information"]
    assert "UserIdentityRQ" in sub_items["passcode", "A-ASSOCIATE-RQ"]
    assert "UserIdentityRQ" in sub_items["jwt", "A-ASSOCIATE-RQ"]
    assert "UserIdentityAC" in sub_items["jwt", "A-ASSOCIATE-AC"]
    assert "AsynchronousOperationsWindow" in sub_items["window", "A-ASSOCIATE-RQ"]
    assert "AsynchronousOperationsWindow" in sub_items["window", "A-ASSOCIATE-AC"]
    assert {"SOPClassExtendedNegotiation", "SOPClassCommonExtendedNegotiation"} <= set(
        sub_items["extended", "A-ASSOCIATE-RQ"]
    )
    assert "SOPClassExtendedNegotiation" in sub_items["extended", "A-ASSOCIATE-AC"]
    # the tap's records and log keep the secrets (PS3.7 D.3.3.7) to themselves
    said = tap.jsonl.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("logs/*.log"))
    for secret in (PASSCODE, JWT, SERVER_RESPONSE):
        assert secret not in said
