"""A pynetdicom SCP for the six DIMSE-N services, run by the peers tests as a subprocess.

Usage: python pynetdicom_scp.py PORT.  It answers every request with Success and, where
the service has one, a small data set, and stops when its parent kills it.
"""

from __future__ import annotations

import sys
from typing import Any

from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import BasicFilmSession, Printer  # type: ignore[attr-defined]


def _dataset(**values: Any) -> Dataset:
    dataset = Dataset()
    for keyword, value in values.items():
        setattr(dataset, keyword, value)
    return dataset


def on_n_get(event: Any) -> tuple[int, Dataset]:
    return 0x0000, _dataset(PrinterStatus="NORMAL", PrinterName="DIMSEKIT")


def on_n_set(event: Any) -> tuple[int, Dataset]:
    return 0x0000, event.modification_list


def on_n_action(event: Any) -> tuple[int, Dataset]:
    return 0x0000, _dataset(PrintJobID="JOB1")


def on_n_create(event: Any) -> tuple[int, Dataset]:
    return 0x0000, event.attribute_list


def on_n_delete(event: Any) -> int:
    return 0x0000


def on_n_event_report(event: Any) -> tuple[int, Dataset]:
    return 0x0000, _dataset(PrinterStatusInfo="NORMAL")


def main() -> None:
    ae = AE(ae_title="NSCP")
    ae.add_supported_context(BasicFilmSession)
    # the roles a requestor proposes for the Printer accepted (PS3.7 D.3.3.4): as its SCP,
    # it sends the N-EVENT-REPORT (PS3.4 H.4.11.1)
    ae.add_supported_context(Printer, scu_role=True, scp_role=True)
    handlers: list[Any] = [
        (evt.EVT_N_GET, on_n_get),
        (evt.EVT_N_SET, on_n_set),
        (evt.EVT_N_ACTION, on_n_action),
        (evt.EVT_N_CREATE, on_n_create),
        (evt.EVT_N_DELETE, on_n_delete),
        (evt.EVT_N_EVENT_REPORT, on_n_event_report),
    ]
    ae.start_server(("127.0.0.1", int(sys.argv[1])), block=True, evt_handlers=handlers)


if __name__ == "__main__":
    main()
