"""pynetdicom SCU -> dimsekit tap --reencode -> pynetdicom SCP for the six DIMSE-N services."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydicom.dataset import Dataset
from pydicom.tag import BaseTag
from pynetdicom import AE
from pynetdicom.sop_class import BasicFilmSession, Printer  # type: ignore[attr-defined]

from .conftest import (
    RELEASED,
    Tap,
    assert_dimsekit_understood,
    assert_pdus_understood,
)

PRINTER_INSTANCE = "1.2.840.10008.5.1.1.17"  # the well-known Printer SOP Instance
logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)


def test_all_six_dimse_n_services(pynetdicom_n_scp: Callable[[], int], tap_factory: Any) -> None:
    tap: Tap = tap_factory(pynetdicom_n_scp())

    ae = AE(ae_title="NSCU")
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = 20
    for sop_class in (BasicFilmSession, Printer):
        ae.add_requested_context(sop_class)
    assoc = ae.associate("127.0.0.1", tap.port, ae_title="NSCP")
    assert assoc.is_established
    try:
        attributes = Dataset()
        attributes.NumberOfCopies = 2
        status, created = assoc.send_n_create(attributes, BasicFilmSession, "1.2.3.4.5")
        assert status.Status == 0x0000
        assert created is not None and created.NumberOfCopies == 2

        modification = Dataset()
        modification.NumberOfCopies = 3
        status, modified = assoc.send_n_set(modification, BasicFilmSession, "1.2.3.4.5")
        assert status.Status == 0x0000
        assert modified is not None and modified.NumberOfCopies == 3

        status, action_reply = assoc.send_n_action(None, 1, BasicFilmSession, "1.2.3.4.5")
        assert status.Status == 0x0000
        assert action_reply is not None and action_reply.PrintJobID == "JOB1"

        wanted = [BaseTag(0x21100010), BaseTag(0x21100030)]
        status, printer = assoc.send_n_get(wanted, Printer, PRINTER_INSTANCE)
        assert status.Status == 0x0000
        assert printer is not None and printer.PrinterStatus == "NORMAL"

        information = Dataset()
        information.PrinterStatusInfo = "WARMING UP"
        status, event_reply = assoc.send_n_event_report(information, 2, Printer, PRINTER_INSTANCE)
        assert status.Status == 0x0000
        assert event_reply is not None and event_reply.PrinterStatusInfo == "NORMAL"

        status = assoc.send_n_delete(BasicFilmSession, "1.2.3.4.5")
        assert status.Status == 0x0000
    finally:
        assoc.release()

    records = tap.messages()
    assert_dimsekit_understood(records)
    assert_pdus_understood(tap.pdus(), *RELEASED)
    assert [record["name"] for record in records] == [
        "N-CREATE-RQ", "N-CREATE-RSP", "N-SET-RQ", "N-SET-RSP", "N-ACTION-RQ", "N-ACTION-RSP",
        "N-GET-RQ", "N-GET-RSP", "N-EVENT-REPORT-RQ", "N-EVENT-REPORT-RSP",
        "N-DELETE-RQ", "N-DELETE-RSP",
    ]  # fmt: skip
    get_rq = records[6]["command"]
    assert get_rq["AttributeIdentifierList"] == ["21100010", "21100030"]
