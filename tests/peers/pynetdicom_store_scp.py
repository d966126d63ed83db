"""pynetdicom's storage SCP, run by the ``dimsekit.aio`` peers tests as a subprocess.

Usage: python pynetdicom_store_scp.py PORT DIRECTORY [--pdu N] [--extended HEX].

It accepts Verification and pynetdicom's storage SOP classes in implicit VR little
endian, explicit VR little endian, explicit VR big endian and RLE Lossless, writes each
data set received to DIRECTORY/<SOP Instance UID>.dcm as it arrives, without decoding it
(``STORE_RECV_CHUNKED_DATASET``: pynetdicom's File Meta Information, then the data set's
bytes as received; a second copy of an instance goes to <UID>.<n>.dcm, so that a
duplicate shows), and answers Success.  With ``--extended``, it answers each SOP Class
Extended Negotiation sub-item proposed with those bytes (PS3.7 D.3.3.5; without it, none
is answered).  ``--pdu`` is the maximum PDU length it announces.  It stops when its
parent kills it.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from pydicom.uid import (
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    RLELossless,
)
from pynetdicom import AE, StoragePresentationContexts, _config, evt
from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

SYNTAXES = [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian, RLELossless]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--pdu", type=int, default=16382)
    parser.add_argument("--extended", default=None)
    args = parser.parse_args()
    directory: Path = args.directory
    directory.mkdir(parents=True, exist_ok=True)
    _config.STORE_RECV_CHUNKED_DATASET = True

    def on_store(event: Any) -> int:
        uid = str(event.request.AffectedSOPInstanceUID)
        target = directory / f"{uid}.dcm"
        copies = 1
        while target.exists():
            target = directory / f"{uid}.{copies}.dcm"
            copies += 1
        shutil.move(event.dataset_path, target)
        return 0x0000

    handlers: list[Any] = [(evt.EVT_C_STORE, on_store)]
    if args.extended is not None:
        answer = bytes.fromhex(args.extended)
        handlers.append((evt.EVT_SOP_EXTENDED, lambda event: dict.fromkeys(event.app_info, answer)))

    ae = AE(ae_title="PYNETDICOM")
    ae.maximum_pdu_size = args.pdu
    ae.maximum_associations = 64
    ae.add_supported_context(Verification)
    for context in StoragePresentationContexts:
        assert context.abstract_syntax is not None
        ae.add_supported_context(context.abstract_syntax, SYNTAXES)
    ae.start_server(("127.0.0.1", args.port), block=True, evt_handlers=handlers)


if __name__ == "__main__":
    main()
