"""Record a real C-MOVE exchange between DCMTK peers as raw PDU streams.

Starts, on 127.0.0.1 with free ports: DCMTK's storescp (the move destination), a
dcmqrscp holding six generated instances, and two recording ``dimsekit tap``s (one in
front of each server, forwarding bytes unchanged); then runs DCMTK's movescu for one
study, stops everything, and writes the four byte streams to ``examples/c-move/``:

    1-movescu-to-dcmqrscp.pdu    A-ASSOCIATE-RQ, C-MOVE-RQ, A-RELEASE-RQ
    2-dcmqrscp-to-movescu.pdu    A-ASSOCIATE-AC, C-MOVE-RSP (Pending..., Success), A-RELEASE-RP
    3-dcmqrscp-to-storescp.pdu   the C-STORE sub-operations (Move Originator set)
    4-storescp-to-dcmqrscp.pdu   their C-STORE-RSPs

Needs Debian's dcmtk.  Run: python scripts/record_move_example.py [OUTPUT_DIR]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from tests.peers.conftest import Processes, free_port, run_client, wait_for_port  # noqa: E402
from tests.peers.instances import write_instances  # noqa: E402


def _tap(processes: Processes, upstream: int, record: Path, name: str) -> int:
    port = free_port()
    process = processes.start(
        name, sys.executable, "-m", "dimsekit", "tap", "--quiet",
        "--listen", f"127.0.0.1:{port}", "--upstream", f"127.0.0.1:{upstream}",
        "--record", str(record),
    )  # fmt: skip
    wait_for_port(port, process)
    return port


def main() -> int:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else REPOSITORY / "examples" / "c-move"
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "logs").mkdir()
        processes = Processes(root / "logs")
        try:
            store_port = free_port()
            (root / "received").mkdir()
            storescp = processes.start(
                "storescp", "/usr/bin/storescp", "-od", str(root / "received"), str(store_port)
            )
            wait_for_port(store_port, storescp)
            store_tap = _tap(processes, store_port, root / "store-streams", "store-tap")

            qr_port = free_port()
            (root / "db").mkdir()
            config = root / "dcmqrscp.cfg"
            config.write_text(
                f"NetworkTCPPort = {qr_port}\nMaxPDUSize = 16384\nMaxAssociations = 16\n"
                f"HostTable BEGIN\nSTORESCP = (STORESCP, 127.0.0.1, {store_tap})\nHostTable END\n"
                "VendorTable BEGIN\nVendorTable END\n"
                f"AETable BEGIN\nQRSCP {root / 'db'} RW (200, 1024mb) ANY\nAETable END\n"
            )
            qrscp = processes.start(
                "dcmqrscp", "/usr/bin/dcmqrscp", "-c", str(config), "--disable-host-lookup",
                str(qr_port),
            )  # fmt: skip
            wait_for_port(qr_port, qrscp)
            instances = write_instances(root / "instances")
            stored = run_client(
                "/usr/bin/storescu", "-aec", "QRSCP", "127.0.0.1", str(qr_port),
                *map(str, instances),
            )  # fmt: skip
            if stored.returncode:
                raise RuntimeError(stored.stderr.decode())
            move_tap = _tap(processes, qr_port, root / "move-streams", "move-tap")
            study = subprocess.run(
                [sys.executable, "-c", "import sys, pydicom; "
                 "print(pydicom.dcmread(sys.argv[1]).StudyInstanceUID)", str(instances[0])],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            moved = run_client(
                "/usr/bin/movescu", "-S", "-aet", "MOVESCU", "-aec", "QRSCP", "-aem", "STORESCP",
                "-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={study}",
                "127.0.0.1", str(move_tap),
            )  # fmt: skip
            if moved.returncode:
                raise RuntimeError(moved.stderr.decode())
        finally:
            processes.stop()
        output.mkdir(parents=True, exist_ok=True)
        # the taps record a connection from its first byte on: one pair each
        (move_up,) = (root / "move-streams").glob("*-client-to-server.pdu")
        (store_up,) = (root / "store-streams").glob("*-client-to-server.pdu")
        streams = {
            "1-movescu-to-dcmqrscp.pdu": move_up,
            "2-dcmqrscp-to-movescu.pdu": move_up.with_name(
                move_up.name.replace("client-to-server", "server-to-client")
            ),
            "3-dcmqrscp-to-storescp.pdu": store_up,
            "4-storescp-to-dcmqrscp.pdu": store_up.with_name(
                store_up.name.replace("client-to-server", "server-to-client")
            ),
        }
        for name, source in streams.items():
            shutil.copyfile(source, output / name)
            print(f"{output / name}: {source.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
