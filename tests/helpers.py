"""Helpers the test modules share, each defined once here.

Imported as ``from .helpers import ...``, as ps37_message_fields.py and pynetdicom_bridge.py
are.  Hand-made wire bytes (a command set's elements, PDVs, P-DATA-TF PDUs), streams of
fragmented messages, ways to damage them, the check every refusal passes, the
Hypothesis example count of a test, scaled by the profile conftest.py loads; two
association engines talking in memory (``EnginePair``), with a message sent raw past
the engine's operations (``raw_p_data``) and the messages in bytes (``received_messages``);
the DIMSE events of an association engine's events, and the message each one is; TLS
certificates for a test CA (``make_certificates``); a dimsekit.aio server in a thread of
its own, for the commands that run their own loop (``ThreadServer``); a C-GET's C-STORE
sub-operation and the sub-operation counters of a C-GET or C-MOVE response
(``sub_operation``, ``counters``); an event loop per test, bounded in time, that fails
on what asyncio was told and nobody saw (``run_bounded``).
"""

from __future__ import annotations

import asyncio
import enum
import gc
import shutil
import ssl as _ssl
import struct
import subprocess
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeVar

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

import dimsekit as dk
from dimsekit import aio
from dimsekit.testing import messages

CT = "1.2.840.10008.5.1.4.1.1.2"  # CT Image Storage (PS3.4 B.5)
MR = "1.2.840.10008.5.1.4.1.1.4"  # MR Image Storage
INSTANCE = "1.2.826.0.1.3680043.8.498.1"  # a SOP Instance UID


# --- Hypothesis example counts ---------------------------------------------------------------


def examples(quick: int) -> int:
    """A test's example count: ``quick`` under the quick profile (conftest.py), as many
    times more as the loaded profile has examples more than the quick one."""
    loaded = settings().max_examples  # a settings() takes the loaded profile's values
    return max(1, quick * loaded // settings.get_profile("quick").max_examples)


# --- command sets by hand: Implicit VR Little Endian elements (PS3.7 6.3.1, PS3.5 7.1.2) ----


def element(tag: int, value: bytes) -> bytes:
    """One element: group, element, 4-byte length, value."""
    return struct.pack("<HHI", tag >> 16, tag & 0xFFFF, len(value)) + value


def command(*elements: bytes, group_length: bool = True) -> bytes:
    """A command set of ``elements``, after its Command Group Length unless told not to."""
    body = b"".join(elements)
    return (element(0x0000_0000, struct.pack("<I", len(body))) if group_length else b"") + body


def us(value: int) -> bytes:
    """A US value (PS3.5 6.2)."""
    return struct.pack("<H", value)


def mutations() -> st.SearchStrategy[tuple[str, int, int]]:
    """How ``mutate`` damages a command set: (kind, where, value)."""
    return st.tuples(
        st.sampled_from(["truncate", "flip", "splice", "length", "drop"]),
        st.integers(min_value=0, max_value=10_000),
        st.integers(min_value=0, max_value=2**32 - 1),
    )


def mutate(encoded: bytes, how: tuple[str, int, int]) -> bytes:
    """``encoded`` cut short, a bit flipped, a junk element spliced in, a length field
    overwritten or 8 bytes dropped, as ``how`` (from ``mutations``) says."""
    kind, where, value = how
    position = where % max(len(encoded), 1)
    if kind == "truncate":
        return encoded[:position]
    if kind == "flip":
        mutable = bytearray(encoded)
        mutable[position] ^= 1 << (value % 8)
        return bytes(mutable)
    if kind == "splice":
        junk = struct.pack("<HHI", value >> 16 & 0xFFFF, value & 0xFFFF, value % 9) + b"\x00" * (
            value % 9
        )
        return encoded[:position] + junk + encoded[position:]
    if kind == "length":
        # overwrite the length field of the element at the first header boundary >= position
        offset = 0
        while offset + 8 <= len(encoded):
            length = struct.unpack_from("<I", encoded, offset + 4)[0]
            if offset >= position:
                break
            offset += 8 + length
        if offset + 8 > len(encoded):
            return encoded
        return encoded[: offset + 4] + struct.pack("<I", value) + encoded[offset + 8 :]
    return encoded[:position] + encoded[position + 8 :]


# --- P-DATA-TF by hand (PS3.8 9.3.5, E.2) ----------------------------------------------------


# Maximum PDU lengths (PS3.8 D.1): 0 (no limit), the smallest fragment_message takes (8) up
# to 64, and larger ones.
MAX_PDU_LENGTHS = st.one_of(
    st.just(0), st.integers(min_value=8, max_value=64), st.integers(min_value=65, max_value=70000)
)


def pdv(context_id: int, control: int, fragment: bytes) -> bytes:
    """One PDV item: 4-byte length, context ID, message control header, fragment."""
    return struct.pack(">IBB", 2 + len(fragment), context_id, control) + fragment


def p_data(*items: bytes) -> bytes:
    """A P-DATA-TF PDU of PDV ``items``: type 04H, reserved, 4-byte length (PS3.8 9.3.1)."""
    body = b"".join(items)
    return struct.pack(">BBI", 4, 0, len(body)) + body


def pdu_stream(*batch: dk.Message, max_pdu: int, context_id: int = 1, pack: bool = False) -> bytes:
    """The messages of ``batch`` fragmented by ``fragment_message``, one after the other,
    as one stream."""
    return b"".join(
        b"".join(parts)
        for message in batch
        for parts in dk.fragment_message(message, context_id, max_pdu, pack_command_with_data=pack)
    )


def corrupt(stream: bytes, how: str, where: int, byte: int) -> bytes:
    """``stream`` with the byte at ``where`` (modulo its length) flipped by ``byte``, or
    ``byte`` inserted there, or that byte deleted, or the stream cut there; or as it is."""
    mutable = bytearray(stream)
    position = where % len(mutable)
    if how == "flip":
        mutable[position] ^= byte or 1
    elif how == "insert":
        mutable.insert(position, byte)
    elif how == "delete":
        del mutable[position]
    elif how == "truncate":
        del mutable[position:]
    return bytes(mutable)


# --- messages ------------------------------------------------------------------------------


def store(data_set: object, message_id: int = 9) -> dk.CStoreRequest:
    """A C-STORE-RQ (Message ID 9 unless told) of a CT image carrying ``data_set``."""
    return dk.CStoreRequest(
        message_id=message_id,
        affected_sop_class_uid=CT,
        affected_sop_instance_uid="1.2.3.4",
        data_set=data_set,  # type: ignore[arg-type]
    )


def init_values(message: dk.Message) -> dict[str, Any]:
    """What ``message`` holds, by the name of its ``__init__`` parameter."""
    return {f.name: getattr(message, f.name) for f in attrs.fields(type(message)) if f.init}


def one_field_toggled(
    message: dk.Message, data: st.DataObject, *, defaulted: bool
) -> dict[str, Any] | None:
    """``message``'s init values with one optional field (drawn from ``data``) left out if
    it is there, else given another message's value of it; None if there is none.  With
    ``defaulted``, fields whose default is a value (Priority, C-ECHO's SOP Class UID) count
    as optional too, and are left out as None."""
    cls = type(message)
    optional = [
        f
        for f in attrs.fields(cls)
        if f.init and (f.default is None or (defaulted and f.default is not attrs.NOTHING))
    ]
    if not optional:
        return None
    field = data.draw(st.sampled_from(optional))
    values = init_values(message)
    donor = data.draw(messages(cls))
    values[field.name] = None if values[field.name] is not None else getattr(donor, field.name)
    return values


# --- the association engine's events ----------------------------------------------------------


def dimse_events(events: Iterable[object]) -> list[dk.OperationEvent]:
    """The DIMSE events of a list of engine events, in order: the operations event each
    message received came as (``RequestReceived`` ... ``UnexpectedCancel``)."""
    return [event for event in events if isinstance(event, dk.OperationEvent)]


def received_message(event: dk.OperationEvent) -> tuple[int, dk.Message]:
    """The presentation context a DIMSE message came on and the message, whichever
    operations event it came as."""
    if isinstance(event, dk.ResponseReceived):
        # a response on another context than its operation's is a mismatch that says so
        on = [m.response_value for m in event.mismatches if m.field == "context_id"]
        context_id = on[0] if on else event.operation.context_id
        assert isinstance(context_id, int)
        return context_id, event.response
    if isinstance(event, dk.RequestReceived | dk.RequestRefused | dk.WindowOverrun):
        return event.operation.context_id, event.operation.request
    if isinstance(event, dk.CancelReceived):
        return event.operation.context_id, event.cancel
    if isinstance(event, dk.UnexpectedResponse):
        return event.context_id, event.response
    if isinstance(event, dk.UnexpectedCancel):
        return event.context_id, event.cancel
    return event.context_id, event.request


# --- refusals --------------------------------------------------------------------------------


def refused(build: Callable[[], object]) -> dk.InvalidMessageError:
    """The error ``build`` raises, checked for what every refusal says: a ValueError and a
    DimseError that names each field it is about, its rule and, in brackets, its reference
    to the standard."""
    with pytest.raises(dk.InvalidMessageError) as caught:
        build()
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, dk.DimseError)
    assert error.fields
    assert all(f"{error.message_class}.{name}" in str(error) for name in error.fields)
    assert error.rule in str(error)
    assert error.reference.startswith("PS3.")
    assert f"[{error.reference}]" in str(error)
    return error


# --- callers' own types ----------------------------------------------------------------------


class StrSubclass(str):
    """A str of the caller's own type."""


class IntEnumOne(enum.IntEnum):
    """An int of the caller's own type."""

    ONE = 1


# --- two engines in memory (PS3.8 9.2) ---------------------------------------------------


def joined(buffers: Iterable[Any]) -> bytes:
    """The bytes of ``buffers`` (what the engine hands out to write), one after the other."""
    return b"".join(bytes(b) for b in buffers)


def raw_p_data(message: dk.Message, context_id: int, max_pdu: int = 16382) -> dk.PData:
    """``message`` as one prebuilt P-DATA-TF (its command and a short data set packed
    together): the engine sends it untracked, whatever its operations say."""
    parts = list(dk.fragment_message(message, context_id, max_pdu, pack_command_with_data=True))
    assert len(parts) == 1
    pdu = dk.decode_pdu(joined(parts[0])).pdu
    assert isinstance(pdu, dk.PDataTF)
    return dk.PData(pdu)


def received_messages(data: bytes) -> list[dk.MessageReceived]:
    """The DIMSE messages in ``data`` (whole P-DATA-TF PDUs), as an assembler reads them."""
    return [
        event for event in dk.MessageAssembler().feed(data) if isinstance(event, dk.MessageReceived)
    ]


Side: TypeAlias = Literal["requestor", "acceptor"]


class EnginePair:
    """A requestor and an acceptor engine in memory: what one writes is delivered to the
    other at once (whole, or one byte at a time with ``bytewise``), and so is what that
    one answers on its own (``data_to_send``).  ``log`` is every event of both, in order,
    with its side; :meth:`new` the events of one side since it was last asked.  What a
    side writes can be kept back (:meth:`hold`, or one ``send(..., hold=True)``) and
    delivered later (:meth:`release`)."""

    def __init__(self, *, bytewise: bool = False, **options: Any) -> None:
        self.now = 0.0
        self.bytewise = bytewise
        self.requestor = dk.Association(dk.Role.REQUESTOR, now=self.now, **options)
        self.acceptor = dk.Association(dk.Role.ACCEPTOR, now=self.now, **options)
        self.log: list[tuple[Side, object]] = []
        self._seen: dict[Side, int] = {"requestor": 0, "acceptor": 0}
        self._held: dict[Side, bytearray] = {"requestor": bytearray(), "acceptor": bytearray()}
        self._holding: dict[Side, bool] = {"requestor": False, "acceptor": False}

    def side(self, name: Side) -> dk.Association:
        return self.requestor if name == "requestor" else self.acceptor

    def state(self, name: Side) -> dk.State:
        """``name``'s state (a call, so that type checkers do not narrow it across steps)."""
        return self.side(name).state

    @staticmethod
    def other(name: Side) -> Side:
        return "acceptor" if name == "requestor" else "requestor"

    def new(self, name: Side) -> list[Any]:
        """The events of ``name`` logged since the last call for it."""
        ours = [event for side, event in self.log if side == name]
        fresh = ours[self._seen[name] :]
        self._seen[name] = len(ours)
        return fresh

    def kinds(self) -> list[tuple[Side, str]]:
        """The log, each event by the name of its class."""
        return [(side, type(event).__name__) for side, event in self.log]

    def collect(self, name: Side) -> None:
        for event in self.side(name).events():
            self.log.append((name, event))

    def feed(self, name: Side, data: bytes) -> None:
        """``name`` receives ``data``; what it answers on its own goes to its peer."""
        engine = self.side(name)
        if self.bytewise and data:
            for i in range(len(data)):
                engine.receive_data(data[i : i + 1], now=self.now)
        else:
            engine.receive_data(data, now=self.now)
        self.collect(name)
        self.deliver(name, joined(engine.data_to_send()))

    def close(self, name: Side) -> None:
        """``name``'s transport connection closes (its peer closed it)."""
        self.feed(name, b"")

    def deliver(self, sender: Side, data: bytes) -> None:
        if self._holding[sender]:
            self._held[sender] += data
        elif data:
            self.feed(self.other(sender), data)

    def hold(self, name: Side) -> None:
        """Keep what ``name`` writes from now on (on the wire, not yet read)."""
        self._holding[name] = True

    def held(self, name: Side) -> bytes:
        """What ``name`` wrote and was kept (since :meth:`hold`, or by ``send(...,
        hold=True)``), not delivered; writing is delivered again."""
        assert self._holding[name] or self._held[name], f"{name} kept nothing back"
        data = bytes(self._held[name])
        self._held[name].clear()
        self._holding[name] = False
        return data

    def release(self, name: Side) -> None:
        """What ``name`` kept, delivered now in one piece; writing is delivered again."""
        data = self.held(name)
        assert data, f"{name} kept nothing back"
        self.feed(self.other(name), data)

    def inject(self, name: Side, data: bytes) -> bytes:
        """``name`` receives ``data`` (from nowhere its peer's engine knows); what it
        answers is returned, not delivered."""
        self.hold(name)
        self.feed(name, data)
        return self.held(name)

    def send(self, name: Side, event: dk.LocalEvent, *, hold: bool = False) -> None:
        """``name`` sends ``event``; with ``hold``, its bytes are kept (:meth:`held`) but
        not what ``name`` writes after them."""
        data = joined(self.side(name).send(event, now=self.now))
        self.collect(name)
        if hold:
            self._held[name] += data
        else:
            self.deliver(name, data)

    def message(self, name: Side, context_id: int, message: dk.Message) -> int:
        """``name`` sends ``message`` with ``send_message``, each P-DATA-TF delivered as
        it comes: how many there were."""
        count = 0
        for pdu in self.side(name).send_message(context_id, message, now=self.now):
            count += 1
            self.collect(name)
            self.deliver(name, joined(pdu))
        self.collect(name)
        return count

    def associate(self, rq: dk.AAssociateRQ, ac: dk.AAssociateAC) -> None:
        self.send("requestor", dk.AssociateRequest(rq))
        self.send("acceptor", dk.AssociateAccept(ac))
        assert self.requestor.state is dk.State.STA6 and self.acceptor.state is dk.State.STA6

    def timer(self, name: Side, now: float) -> None:
        self.now = now
        engine = self.side(name)
        engine.handle_timer(now=now)
        self.collect(name)
        self.deliver(name, joined(engine.data_to_send()))


# --- TLS certificates (PS3.15 B.1), made by the openssl command line ---------------------


@attrs.frozen
class Certificates:
    """A CA, and a server's and a client's keys and certificates it signed, in PEM; the
    server's has the subject alternative name IP:127.0.0.1 (RFC 5280 4.2.1.6), which a
    client that checks host names matches against the address it connected to."""

    ca: Path
    server_key: Path
    server_cert: Path
    client_key: Path
    client_cert: Path


def openssl() -> str | None:
    return shutil.which("openssl")


def make_certificates(directory: Path) -> Certificates:
    """The certificates of :class:`Certificates`, made by ``openssl`` (EC P-256 keys,
    SHA-256 signatures, valid for a day)."""
    tool = openssl()
    assert tool is not None
    directory.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run([tool, *args], check=True, capture_output=True, timeout=30)

    def key(name: str) -> Path:
        path = directory / f"{name}.key"
        run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(path))
        return path

    ca_key = key("ca")
    ca = directory / "ca.pem"
    run(
        "req", "-x509", "-new", "-key", str(ca_key), "-sha256", "-days", "1",
        "-subj", "/CN=dimsekit test CA", "-out", str(ca),
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip

    def signed(name: str, usage: str, san: str | None) -> tuple[Path, Path]:
        private = key(name)
        request = directory / f"{name}.csr"
        run("req", "-new", "-key", str(private), "-subj", f"/CN={name}", "-out", str(request))
        extensions = directory / f"{name}.ext"
        lines = [
            "basicConstraints=critical,CA:FALSE",
            "keyUsage=critical,digitalSignature,keyAgreement",
            f"extendedKeyUsage={usage}",
        ]
        if san:
            lines.append(f"subjectAltName={san}")
        extensions.write_text("\n".join(lines) + "\n")
        cert = directory / f"{name}.pem"
        run(
            "x509", "-req", "-in", str(request), "-CA", str(ca), "-CAkey", str(ca_key),
            "-CAcreateserial", "-sha256", "-days", "1", "-extfile", str(extensions),
            "-out", str(cert),
        )  # fmt: skip
        return private, cert

    server_key, server_cert = signed("server", "serverAuth", "IP:127.0.0.1")
    client_key, client_cert = signed("client", "clientAuth", None)
    return Certificates(ca, server_key, server_cert, client_key, client_cert)


# --- C-GET and C-MOVE ---------------------------------------------------------------------


def sub_operation(number: int) -> dk.CStoreRequest:
    data_set = Dataset()
    data_set.SOPClassUID = CT
    data_set.SOPInstanceUID = f"{INSTANCE}.{number}"
    data_set.PatientID = "P1"
    return dk.CStoreRequest(
        message_id=100 + number,
        affected_sop_class_uid=CT,
        affected_sop_instance_uid=f"{INSTANCE}.{number}",
        data_set=dk.DataSetPayload(data_set),
    )


def counters(remaining: int | None, completed: int, failed: int = 0) -> dict[str, int | None]:
    """The sub-operation counters of a response (Remaining: in Pending ones, and optional
    after a cancel; PS3.7 9.3.3.2, 9.3.4.2)."""
    return {
        "number_of_remaining_suboperations": remaining,
        "number_of_completed_suboperations": completed,
        "number_of_failed_suboperations": failed,
        "number_of_warning_suboperations": 0,
    }


# --- a dimsekit.aio server in a thread ---------------------------------------------------

THREAD_TIMEOUT = 30.0
"""Seconds a ThreadServer's start and stop may take."""


class ThreadServer:
    """A dimsekit.aio server answering on 127.0.0.1 in a thread with its own loop; what
    its handlers were given is in :attr:`echoes` and :attr:`stores`."""

    def __init__(self) -> None:
        self.echoes: list[aio.EchoRequested] = []
        self.stores: list[aio.StoreRequested] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: aio.Server | None = None

    def start(
        self,
        *,
        echo_status: int = 0,
        store: Callable[[aio.StoreRequested], Awaitable[int]] | None = None,
        ae_title: str | None = None,
        syntaxes: tuple[str, ...] = (ExplicitVRLittleEndian, ImplicitVRLittleEndian),
        ssl: _ssl.SSLContext | None = None,
        handlers: aio.Handlers | None = None,
        move_destinations: dict[str, tuple[str, int]] | None = None,
    ) -> int:
        """Serve; ``handlers`` replace the echo and store handlers made of the others."""

        async def echo(event: aio.EchoRequested) -> int:
            self.echoes.append(event)
            return echo_status

        async def keep(event: aio.StoreRequested) -> int:
            self.stores.append(event)
            return 0

        async def start() -> aio.Server:
            served = handlers or aio.Handlers(echo=echo, store=store or keep)
            policy = aio.policy_for(served, ae_title=ae_title, transfer_syntaxes=syntaxes)
            return await aio.serve(
                "127.0.0.1",
                0,
                handlers=served,
                policy=policy,
                ssl=ssl,
                move_destinations=move_destinations,
            )

        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(start(), self.loop).result(THREAD_TIMEOUT)
        return self.server.address[1]

    def stop(self) -> None:
        server = self.server

        async def stop() -> None:
            if server is not None:
                server.close()
                server.abort_all()
                await server.wait_closed()

        if self.thread.is_alive():
            asyncio.run_coroutine_threadsafe(stop(), self.loop).result(THREAD_TIMEOUT)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(THREAD_TIMEOUT)
        self.loop.close()


# --- an event loop per test, bounded ------------------------------------------------------

_T = TypeVar("_T")


def run_bounded(coroutine: Coroutine[Any, Any, _T], timeout: float = 60.0) -> _T:
    """Run ``coroutine`` in a new event loop, bounded by ``timeout``; then fail if a task
    is left running or the loop was told of a problem nobody saw: a future whose
    exception was never retrieved, a task destroyed pending, an exception in a callback
    (asyncio's exception handler; collected objects report theirs when the garbage
    collector runs, so it is run)."""
    problems: list[dict[str, Any]] = []

    async def main() -> _T:
        asyncio.get_running_loop().set_exception_handler(
            lambda _, context: problems.append(context)
        )
        async with asyncio.timeout(timeout):
            result = await coroutine
        await asyncio.sleep(0)
        left = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        assert not left, f"tasks left running: {left}"
        return result

    result = asyncio.run(main())
    gc.collect()
    told = [f"{context['message']}: {context.get('exception')!r}" for context in problems]
    assert not told, told
    return result
