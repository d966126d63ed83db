"""The association engine: one object per transport connection, PS3.8 9.2's machine, sans-IO.

Owns: :class:`Association` (either role, :class:`Role`), the local events a caller hands
it (:class:`AssociateRequest` ... :class:`AbortRequest`, PS3.8 Table 9-10's local
primitives), the events it hands back (:class:`AssociationRequested` ...
:class:`TimedOut`, :class:`OperationsUnfinished`, each DIMSE message received as the
``operations`` event of its operation, the framing layer's ``UndecodableMessage`` as it
is), :data:`NEED_DATA`, and the actions of PS3.8 Tables 9-6 to 9-9 as small
methods named after them (``_ae_1`` ... ``_aa_8``), dispatched from
``transitions.TRANSITIONS``: which action a state and an event lead to is asked of the
table, never written here again.

Theory of operation.  The caller hands the engine what its user wants to send
(:meth:`Association.send`, :meth:`Association.send_message`) and gets the buffers to
write; hands it the bytes it read (:meth:`Association.receive_data`, ``b""`` when the
transport has closed) and asks for the events that follow (:meth:`Association.next_event`);
writes what the engine queued on its own (an A-ABORT it sends for a PDU the table makes
an error, or when a timer fires: :meth:`Association.data_to_send`); and tells it when
its :attr:`Association.deadline` has come (:meth:`Association.handle_timer`).  Time only
comes in from the caller (``now``, any monotonic clock, in seconds).

One receive buffer for the connection.  Bytes go to one
:class:`~dimsekit.MessageAssembler` for the whole life of the connection, PDU by PDU:
the engine reads each PDU header (PS3.8 9.3.1) first, so that a P-DATA-TF the table
makes an error in this state (Evt10 anywhere but Sta6 and Sta7) aborts at once and its
bytes are never assembled, an unknown PDU type is Evt19 (A-ABORT, unrecognized PDU), and
a PDU above the maximum length we announced is taken with a diagnostic up to
``max_pdu_ceiling``, beyond it an A-ABORT; each P-DATA-TF's PDV item headers (PS3.8
9.3.5.1) are read before its bytes go on, so that a message on a presentation context
the association did not accept aborts at the first PDU that carries it, its data set
never assembled nor spilled.  Once the association is gone (Sta13) the assembler is done
with: PDUs are read whole and decoded alone, for Table 9-10's Sta13 column (ignored, but
for an A-ASSOCIATE-RQ or an invalid PDU, answered by an A-ABORT).  After a framing
break, a PDU of unknown type (whose length cannot be trusted), and an invalid PDU in
Sta13, the stream is out of step and the rest is dropped: garbage gets one A-ABORT, not
one every 6 bytes.

DIMSE operations.  Once the association is established the engine keeps its
:class:`~dimsekit.Operations` (PS3.7 9.1, 10.1, D.3.3): each message received (DT-2,
AR-6) comes as the event of its operation; each message sent is checked when
:meth:`Association.send_message` is called and recorded at its first P-DATA-TF.  The
answers an event owes the peer (0210H, 0122H, a window refusal) go out on their own, a
whole message between ours (PS3.8 E.1), from :meth:`Association.data_to_send`,
:meth:`Association.send`, or a message's iterator (before its first P-DATA-TF, or
after its last where they came while it went), and are dropped once the
state allows no P-DATA; what :class:`~dimsekit.OperationsPolicy` aborts on aborts (the
service user's A-ABORT, Evt15) after the event.  ``response_timeout`` runs for each of
our operations from the end of its request, restarted by each Pending response and, for
a C-GET, each C-STORE sub-operation received (PS3.4 C.4.3); it says :class:`TimedOut`
(``"response"``) and aborts or not as the policy says.  A release is refused while
operations are outstanding, unless the caller abandons them; operations still
outstanding when the association is over (Sta13, Sta1) are reported ended
(:class:`OperationsUnfinished`).  A raw :class:`PData` is bytes, untracked.

Choices where PS3.8 is silent: the provider's A-ABORT names the most specific reason
(PS3.8 9.3.8): an unknown PDU type is unrecognized-PDU (1); a PDU the state does not
expect, unexpected-PDU (2); a P-DATA-TF on a presentation context the association did
not accept, unexpected-PDU-parameter (5); a PDU that does not decode, an A-ASSOCIATE-RQ
whose presentation context IDs break PS3.8 9.3.2.2 (lenient decoding reports it; such an
RQ cannot be answered: Evt19, as strict decoding makes it), a framing break, a PDU
beyond ``max_pdu_ceiling`` and, when strict, an A-ASSOCIATE-AC that does not answer our
RQ, invalid-PDU-parameter-value (6).  In Sta2, AA-1 sends the service-user source with
reason 0, as the table and PS3.8 9.3.8 say.  The requestor's Sta4 (AE-1, Evt2, AE-2)
folds into :meth:`Association.send` of the A-ASSOCIATE-RQ: the object is made for a
connected transport.  The application timeouts (PS3.8 9.1.4 Note 2) are not ARTIM:
``request_timeout`` runs in Sta5 and ``release_timeout`` from our A-RELEASE-RQ until its
RP (Sta7, Sta9-Sta11), restarted by each P-DATA-TF received in Sta7 (AR-6: the peer is
alive, and may send P-DATA before its RP: PS3.8 7.2.2, AR-7); either one aborts (an
A-ABORT of the service user, as the user's Evt15 would) after a :class:`TimedOut`;
``idle_timeout`` runs in Sta6 from the last PDU either way (restarted by each PDU sent
and each PDU received: at its header, and a P-DATA-TF at its end too) and only says
:class:`TimedOut` (``"idle"``), once per quiet spell.  A peer maximum of 0 (no maximum,
PS3.8 D.1) sends P-DATA-TF of :data:`UNLIMITED_SEND_CAP`.

Must not know: sockets, threads, clocks; how a PDU, a command set or a P-DATA-TF is
laid out (the framing layer encodes, decodes, fragments and assembles); how an RQ is
built or answered (``negotiation``); the rules of DIMSE operations (``operations``).
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping
from itertools import chain, islice
from types import MappingProxyType
from typing import Final, Literal, TypeAlias

import attrs

from .._diagnostics import Diagnostic, Severity
from .._errors import DecodeError, LocalProtocolError
from .._framing.events import FramingError, MessageReceived, PDUReceived, UndecodableMessage
from .._framing.pdata_receive import MessageAssembler
from .._framing.pdata_send import Buffer, PDUBuffers, fragment_message
from .._framing.pdata_spill import SpillFactory
from .._framing.pdata_walk import MAX_OTHER_PDU_LENGTH
from .._framing.pdu import ITEM_FIXED, ITEM_LENGTH_FIELD, PDU_HEADER, PDV_HEADER, PDUType
from .._framing.pdu_decode import DecodedPDU, decode_pdu
from .._framing.pdu_encode import encode_pdu
from .._framing.pdus import (
    PDU,
    AAbort,
    AAssociateAC,
    AAssociateRJ,
    AAssociateRQ,
    AbortReason,
    AbortSource,
    AReleaseRP,
    AReleaseRQ,
    PDataTF,
    context_id_problems,
)
from ..messages import CGetRequest, CStoreRequest, Message, Request, Response
from . import negotiation
from .negotiation import Agreement
from .operations import (
    DEFAULT_OPERATIONS_POLICY,
    STRICT_OPERATIONS_POLICY,
    DuplicateInvocation,
    Operation,
    OperationEvent,
    Operations,
    OperationsPolicy,
    RequestReceived,
    RequestRefused,
    ResponseReceived,
    UnexpectedResponse,
    WindowOverrun,
)
from .states import Action, State, ULEvent
from .transitions import OUTCOMES, TRANSITIONS, Branch, branches, transition

__all__ = [
    "DEFAULT_MAX_PDU_CEILING",
    "NEED_DATA",
    "UNLIMITED_SEND_CAP",
    "AbortRequest",
    "Aborted",
    "AssociateAccept",
    "AssociateReject",
    "AssociateRequest",
    "Association",
    "AssociationAccepted",
    "AssociationEvent",
    "AssociationRejected",
    "AssociationRequested",
    "AwaitTransportClose",
    "CloseTransport",
    "Diagnostics",
    "LocalEvent",
    "NeedData",
    "OperationsUnfinished",
    "PData",
    "ReleaseRequest",
    "ReleaseRequested",
    "ReleaseResponse",
    "Released",
    "Role",
    "TimedOut",
]

UNLIMITED_SEND_CAP: Final = 1 << 20
"""The PDU-length of the P-DATA-TF we send to a peer whose maximum is 0 (no maximum,
PS3.8 D.1): 1 MiB."""
DEFAULT_MAX_PDU_CEILING: Final = 1 << 22
"""The longest P-DATA-TF received by default (4 MiB), whatever we announced."""


class Role(enum.Enum):
    """Which end of the association this is (PS3.8 7.1)."""

    REQUESTOR = "requestor"
    """The association requestor: it connected and sends the A-ASSOCIATE-RQ."""
    ACCEPTOR = "acceptor"
    """The association acceptor: the peer connected to it."""


# --- local events: what the caller's user asks for (PS3.8 Table 9-10's local rows) -------


@attrs.frozen
class AssociateRequest:
    """The A-ASSOCIATE request primitive (Evt1): send ``rq`` (requestor, Sta1)."""

    rq: AAssociateRQ = attrs.field(validator=attrs.validators.instance_of(AAssociateRQ))


@attrs.frozen
class AssociateAccept:
    """The A-ASSOCIATE response, accept (Evt7): send ``ac`` (acceptor, Sta3), checked
    against the RQ received."""

    ac: AAssociateAC = attrs.field(validator=attrs.validators.instance_of(AAssociateAC))


@attrs.frozen
class AssociateReject:
    """The A-ASSOCIATE response, reject (Evt8): send ``rj`` (acceptor, Sta3)."""

    rj: AAssociateRJ = attrs.field(validator=attrs.validators.instance_of(AAssociateRJ))


@attrs.frozen
class PData:
    """The P-DATA request (Evt9) as one prebuilt P-DATA-TF; :meth:`Association.send_message`
    sends a whole message."""

    pdu: PDataTF = attrs.field(validator=attrs.validators.instance_of(PDataTF))


@attrs.frozen(kw_only=True)
class ReleaseRequest:
    """The A-RELEASE request primitive (Evt11): send an A-RELEASE-RQ (Sta6).  Refused
    while DIMSE operations are outstanding, unless ``abandon_outstanding``: they are then
    reported ended without a final response (:class:`OperationsUnfinished`) when the
    association is over."""

    abandon_outstanding: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )


@attrs.frozen(kw_only=True)
class ReleaseResponse:
    """The A-RELEASE response primitive (Evt14): send the A-RELEASE-RP (Sta8, Sta9,
    Sta12); always affirmative (PS3.8 7.2).  Refused while DIMSE operations are
    outstanding, unless ``abandon_outstanding`` (as :class:`ReleaseRequest`)."""

    abandon_outstanding: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )


@attrs.frozen
class AbortRequest:
    """The A-ABORT request primitive (Evt15): send an A-ABORT, source service user
    (PS3.8 7.3, 9.3.8: its reason is not significant and goes as 0)."""


LocalEvent: TypeAlias = (
    AssociateRequest
    | AssociateAccept
    | AssociateReject
    | PData
    | ReleaseRequest
    | ReleaseResponse
    | AbortRequest
)
"""What :meth:`Association.send` takes."""

_LOCAL_EVENTS: Final[dict[type, ULEvent]] = {
    AssociateRequest: ULEvent.EVT1,
    AssociateAccept: ULEvent.EVT7,
    AssociateReject: ULEvent.EVT8,
    PData: ULEvent.EVT9,
    ReleaseRequest: ULEvent.EVT11,
    ReleaseResponse: ULEvent.EVT14,
    AbortRequest: ULEvent.EVT15,
}


# --- events out: what the engine tells its caller ---------------------------------------


@attrs.frozen
class AssociationRequested:
    """The A-ASSOCIATE indication (AE-6, acceptor, now in Sta3): answer ``rq`` with
    ``send(AssociateAccept(...))`` or ``send(AssociateReject(...))``."""

    rq: AAssociateRQ
    diagnostics: tuple[Diagnostic, ...] = ()


@attrs.frozen
class AssociationAccepted:
    """The association is established (AE-3 for the requestor): the AC received, what it
    agrees with our RQ, what deviated in it."""

    ac: AAssociateAC
    agreement: Agreement
    diagnostics: tuple[Diagnostic, ...] = ()


@attrs.frozen
class AssociationRejected:
    """The association was rejected with ``rj``: by the peer (AE-4, requestor), or by the
    service provider here, the RQ not being acceptable to it (AE-6, acceptor)."""

    rj: AAssociateRJ
    by_peer: bool = True


@attrs.frozen
class ReleaseRequested:
    """The A-RELEASE indication (AR-2; AR-8 when both asked at once, ``collision``):
    answer with ``send(ReleaseResponse())`` when ``must_respond``, True exactly when the
    state now allows it (PS3.8 Table 9-10, Evt14): Sta8, and the requestor's Sta9 in a
    collision.  In a collision the acceptor (Sta10, ``must_respond`` False) answers only
    after :class:`Released` (PS3.8 7.2.2, Sta10 then Sta12)."""

    collision: bool = False
    must_respond: bool = True


@attrs.frozen
class Released:
    """The A-RELEASE confirmation: the peer's A-RELEASE-RP came (AR-3: the association
    is over; AR-10 in a collision, acceptor side, which still owes its own response:
    ``must_respond``, True exactly when the state now allows ``send(ReleaseResponse())``,
    Sta12)."""

    must_respond: bool = False


@attrs.frozen
class Aborted:
    """The association was aborted (AA-1, AA-2, AA-3, AA-4, AA-8, a timeout): ``source``
    and ``reason`` are the A-ABORT's (PS3.8 9.3.8), sent or received; ``by_peer`` is True
    when it came from the peer (its A-ABORT PDU, ``pdu``, or its closing the transport);
    ``why`` says what happened, in words, with the state and event.  A received A-ABORT
    with a reserved source or reason (PS3.8 9.3.8) keeps its code as an int."""

    source: AbortSource | int
    reason: AbortReason | int
    by_peer: bool
    why: str
    pdu: AAbort | None = None


@attrs.frozen
class CloseTransport:
    """Close the transport connection now (AE-4, AR-3, AA-2, AA-3; PS3.8 9.1.4)."""


@attrs.frozen
class AwaitTransportClose:
    """The association is over (Sta13): wait for the peer to close the transport; ARTIM
    closes it at ``deadline`` if the peer does not."""

    deadline: float | None


@attrs.frozen
class TimedOut:
    """A timer fired: ARTIM (Evt18), or an application timeout (PS3.8 9.1.4 Note 2):
    ``"request"`` and ``"release"`` abort (an :class:`Aborted` follows), ``"idle"`` only
    says so; ``"response"``, the DIMSE response timeout of our ``operation``, aborts or
    only says so as the :class:`~dimsekit.OperationsPolicy` says."""

    which: Literal["artim", "request", "release", "idle", "response"]
    operation: Operation | None = None
    """The operation whose response did not come in time (``"response"`` only)."""


@attrs.frozen
class OperationsUnfinished:
    """The association is over (Sta13 or Sta1) with DIMSE operations outstanding: they
    ended without a final response (ours first, then the peer's).  It comes before the
    :class:`CloseTransport` or :class:`AwaitTransportClose` of the same step."""

    operations: tuple[Operation, ...]


@attrs.frozen
class Diagnostics:
    """What deviated where the engine was lenient: a PDU above the maximum length we
    announced (said for the first only), what a release or abort PDU's decoding
    reported."""

    diagnostics: tuple[Diagnostic, ...]


AssociationEvent: TypeAlias = (
    AssociationRequested
    | AssociationAccepted
    | AssociationRejected
    | OperationEvent
    | UndecodableMessage
    | ReleaseRequested
    | Released
    | Aborted
    | CloseTransport
    | AwaitTransportClose
    | TimedOut
    | OperationsUnfinished
    | Diagnostics
)
"""What :meth:`Association.next_event` returns, but for :data:`NEED_DATA`: each DIMSE
message received comes as the :data:`~dimsekit.OperationEvent` of its operation."""


class NeedData(enum.Enum):
    """The type of :data:`NEED_DATA`."""

    NEED_DATA = "NEED_DATA"


NEED_DATA: Final = NeedData.NEED_DATA
"""What :meth:`Association.next_event` returns when no event is ready (h11's sentinel)."""


# --- the engine ---------------------------------------------------------------------------

_Timer: TypeAlias = Literal["request", "release", "idle"]
_TIMER_STATES: Final[dict[str, frozenset[State]]] = {
    "request": frozenset({State.STA5}),
    "release": frozenset({State.STA7, State.STA9, State.STA10, State.STA11}),
    "idle": frozenset({State.STA6}),
}
"""Where each application timer runs; leaving them stops it."""

_PDU_EVENTS: Final[dict[type, ULEvent]] = {
    AAssociateAC: ULEvent.EVT3,
    AAssociateRJ: ULEvent.EVT4,
    AAssociateRQ: ULEvent.EVT6,
    PDataTF: ULEvent.EVT10,
    AReleaseRQ: ULEvent.EVT12,
    AReleaseRP: ULEvent.EVT13,
    AAbort: ULEvent.EVT16,
}
"""The event each PDU received is (PS3.8 Table 9-10)."""
_NONE: Final[Mapping[int, Operation]] = MappingProxyType({})
_KNOWN_TYPES: Final = frozenset(int(t) for t in PDUType)
_P_DATA: Final = int(PDUType.P_DATA_TF)
_DATA_ACTIONS: Final = frozenset({Action.DT_2, Action.AR_6})
"""The actions that take a P-DATA-TF in (PS3.8 Table 9-10, Evt10)."""
_TAKES_DATA: Final = frozenset(
    state
    for (state, event), action in TRANSITIONS.items()
    if event is ULEvent.EVT10 and action in _DATA_ACTIONS
)
"""The states whose Evt10 is one of them (Sta6, Sta7)."""


def _a(name: str) -> str:
    """A PDU's name after its article: "an A-ABORT", "a P-DATA-TF"."""
    return f"{'an' if name.startswith('A') else 'a'} {name}"


class _Route(enum.Enum):
    FEED = 1  # to the assembler
    SKIP = 2  # dropped: the table ignores it, or an abort has dealt with it
    COLLECT = 3  # gathered here and decoded alone (Sta13)


@attrs.define
class _Cause:
    """What an action needs of the event that led to it."""

    now: float
    pdu: PDU | None = None
    data: bytes = b""
    """The local PDU, encoded (before anything changed)."""
    buffers: PDUBuffers = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    received: MessageReceived | UndecodableMessage | None = None
    reason: AbortReason = AbortReason.NOT_SPECIFIED
    why: str = ""
    refusal: AAssociateRJ | None = None
    event: ULEvent | None = None
    """The event, set by ``_fire``, with the state it leads to."""
    next_state: State | None = None

    @property
    def must_respond(self) -> bool:
        """The state it leads to allows our A-RELEASE response (Evt14)."""
        return (self.next_state, ULEvent.EVT14) in TRANSITIONS


# The members the engine names, bound once: on Python 3.11 a member looked up on its Enum
# class takes the slow path of EnumType.__getattr__ (~0.1 µs each), and the engine names
# some forty of them a round trip.
_STA1: Final = State.STA1
_STA2: Final = State.STA2
_STA4: Final = State.STA4
_STA5: Final = State.STA5
_STA6: Final = State.STA6
_STA7: Final = State.STA7
_STA13: Final = State.STA13
_EVT1: Final = ULEvent.EVT1
_EVT2: Final = ULEvent.EVT2
_EVT3: Final = ULEvent.EVT3
_EVT5: Final = ULEvent.EVT5
_EVT6: Final = ULEvent.EVT6
_EVT9: Final = ULEvent.EVT9
_EVT10: Final = ULEvent.EVT10
_EVT11: Final = ULEvent.EVT11
_EVT14: Final = ULEvent.EVT14
_EVT15: Final = ULEvent.EVT15
_EVT17: Final = ULEvent.EVT17
_EVT18: Final = ULEvent.EVT18
_EVT19: Final = ULEvent.EVT19
_NOT_WHILE_SENDING: Final = frozenset({_EVT9, _EVT11, _EVT14})
"""P-DATA and the release primitives: refused after a failed send or while a message is
being sent."""
_COLLECT: Final = _Route.COLLECT
_FEED: Final = _Route.FEED
_SKIP: Final = _Route.SKIP


class Association:
    """One transport connection's Upper Layer, for either role (PS3.8 9.2), sans-IO.

    An ACCEPTOR is made when the transport connection is accepted: Evt5 and AE-5 at once,
    Sta2, ARTIM running from ``now``.  A REQUESTOR is made on a connected transport and
    stays in Sta1 until ``send(AssociateRequest(rq))`` (AE-1, Evt2 and AE-2 folded: Sta5).

    The connection is over when :attr:`state` is back to ``_STA1``: a caller's loop
    ends there.  The events say how it came: :class:`CloseTransport` where we close it
    (AE-4, AR-3, AA-2, AA-3), :class:`Aborted` where the transport closed under the
    association (AA-4).  Where the transport's closing is the expected end (Sta13, AR-5:
    the peer closed after our A-ABORT, A-RELEASE-RP or A-ASSOCIATE-RJ; Sta2, AA-5: it
    closed before sending an RQ) no event comes: the caller, who handed the engine that
    ``b""``, knows it already, and only has its socket to close.

    ``strict`` decodes received PDUs and command sets strictly, aborts on an A-ASSOCIATE-AC
    that does not answer our RQ and on a P-DATA-TF above the maximum we announced.
    ``max_pdu_ceiling`` is the longest P-DATA-TF received at all, or the maximum we
    announced where that is more (0: no ceiling);
    ``memory_budget`` and ``spill`` say where a received data set is kept, as for
    :class:`~dimsekit.MessageAssembler`.  Timeouts are seconds, None for none (where
    each runs and what restarts it: the module docstring); ``response_timeout``, the
    DIMSE response timeout of each of our operations, is None by default (DCMTK's).
    ``operations_policy``: what the engine does where the peer breaks a rule of the
    operations (:data:`~dimsekit.DEFAULT_OPERATIONS_POLICY`, or
    :data:`~dimsekit.STRICT_OPERATIONS_POLICY` when ``strict``).
    """

    def __init__(
        self,
        role: Role,
        *,
        now: float,
        strict: bool = False,
        artim_timeout: float = 30.0,
        request_timeout: float | None = 30.0,
        release_timeout: float | None = 30.0,
        idle_timeout: float | None = None,
        response_timeout: float | None = None,
        max_pdu_ceiling: int = DEFAULT_MAX_PDU_CEILING,
        memory_budget: int | None = None,
        spill: SpillFactory | None = None,
        operations_policy: OperationsPolicy | None = None,
    ) -> None:
        if not isinstance(role, Role):
            raise TypeError(f"role is a Role (REQUESTOR or ACCEPTOR), not {role!r}")
        for name, value in (
            ("artim_timeout", artim_timeout),
            ("request_timeout", request_timeout),
            ("release_timeout", release_timeout),
            ("idle_timeout", idle_timeout),
            ("response_timeout", response_timeout),
        ):
            if value is None and name != "artim_timeout":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise TypeError(f"{name} is a number of seconds above 0, not {value!r}")
        self._role: Final = role
        self._requestor: Final = role is Role.REQUESTOR
        self._strict = strict
        self._artim_timeout = float(artim_timeout)
        self._timeouts: dict[str, float | None] = {
            "request": request_timeout,
            "release": release_timeout,
            "idle": idle_timeout,
        }
        if (
            isinstance(max_pdu_ceiling, bool)
            or not isinstance(max_pdu_ceiling, int)
            or max_pdu_ceiling < 0
        ):
            raise TypeError(
                f"max_pdu_ceiling is a number of bytes (0: none), not {max_pdu_ceiling!r}"
            )
        self._ceiling = max_pdu_ceiling
        if operations_policy is None:
            operations_policy = STRICT_OPERATIONS_POLICY if strict else DEFAULT_OPERATIONS_POLICY
        elif not isinstance(operations_policy, OperationsPolicy):
            raise TypeError(f"operations_policy is an OperationsPolicy, not {operations_policy!r}")
        self._policy: Final = operations_policy
        self._response_timeout = response_timeout
        self._assembler = MessageAssembler(
            max_pdu_length=0,  # the length rules are ours, read from each PDU header
            memory_budget=memory_budget,
            spill=spill,
            strict=strict,
        )
        self._state = _STA1
        self._events: deque[AssociationEvent] = deque()
        self._outgoing: list[Buffer] = []
        self._artim: float | None = None
        self._app: tuple[_Timer, float] | None = None
        self._rq: AAssociateRQ | None = None
        self._agreement: Agreement | None = None
        self._our_max = 0  # the Maximum Length we announced (0: none yet, or no maximum)
        self._began = False  # an association has begun on this connection
        self._transport_closed = False
        # receiving: the PDU being routed
        self._header = bytearray()
        self._left = 0
        self._route = _FEED
        self._p_data = False  # the PDU being read is a P-DATA-TF
        self._pdu_type = self._pdu_length = 0  # the PDU being read's header fields
        self._pdv_head = bytearray()  # a PDV item header begun (PS3.8 9.3.5.1)
        self._pdv_skip = 0  # what is left of the PDV item being read, after its header
        self._collected = bytearray()
        self._out_of_step = False
        self._oversize_said = False
        # sending
        self._sending = False
        self._poisoned = False
        # the DIMSE operations, once the association is established
        self._operations: Operations | None = None
        self._owed: list[tuple[int, Response, bool]] = []
        """Answers the engine owes the peer (0210H, 0122H, a window refusal), sent
        between messages, and whether each ends a peer's operation (all but 0210H)."""
        self._waiting: dict[int, float] = {}
        """Our operations' response deadlines, by Message ID."""
        self._policy_abort = ""
        """Set by a policy that aborts on what a message received did: the abort follows
        the event that led to it."""
        self._now = now
        if role is Role.ACCEPTOR:
            self._began = True
            self._fire(_EVT5, _Cause(now))

    # --- what the caller reads ----------------------------------------------------------

    def __repr__(self) -> str:
        return f"<Association {self._role.value} {self._state.label}>"

    @property
    def role(self) -> Role:
        """Which end of the association this is."""
        return self._role

    @property
    def state(self) -> State:
        """The PS3.8 9.2 state (Sta1-Sta13)."""
        return self._state

    @property
    def agreement(self) -> Agreement | None:
        """What the RQ and AC agreed, once the association is established (Sta6)."""
        return self._agreement

    @property
    def deadline(self) -> float | None:
        """When :meth:`handle_timer` must next be called: the earliest running timer."""
        times = [t for t in (self._artim, self._app[1] if self._app else None) if t is not None]
        if self._waiting:
            times.append(min(self._waiting.values()))
        return min(times) if times else None

    @property
    def operations_policy(self) -> OperationsPolicy:
        """What the engine does where the peer breaks a rule of the operations."""
        return self._policy

    def _tracked(self) -> Operations:
        if self._operations is None:
            raise LocalProtocolError(
                "no association is established: there are no DIMSE operations yet",
                state=self._state.label,
            )
        return self._operations

    def next_message_id(self) -> int:
        """A Message ID for our next request, free among our outstanding operations
        (:meth:`~dimsekit.Operations.next_message_id`; PS3.7 9.1.1.1.1)."""
        return self._tracked().next_message_id()

    @property
    def window_open(self) -> bool:
        """Whether one more request of ours fits the asynchronous operations window
        (PS3.7 D.3.3.3): :meth:`send_message` refuses one that does not; a caller that
        holds requests instead asks this.  False before the association is established."""
        return self._operations is not None and self._operations.window_open

    @property
    def outstanding_ours(self) -> Mapping[int, Operation]:
        """Our outstanding operations by Message ID (empty before the association)."""
        return self._operations.outstanding_ours if self._operations else _NONE

    @property
    def outstanding_peers(self) -> Mapping[int, Operation]:
        """The peer's outstanding operations by Message ID (empty before the association)."""
        return self._operations.outstanding_peers if self._operations else _NONE

    @property
    def poisoned(self) -> bool:
        """True once a send failed half way: no more P-DATA, release (only an abort)."""
        return self._poisoned

    def next_event(self) -> AssociationEvent | NeedData:
        """The next event, or :data:`NEED_DATA` when none is ready."""
        return self._events.popleft() if self._events else NEED_DATA

    def events(self) -> list[AssociationEvent]:
        """Every event ready, in order."""
        ready = list(self._events)
        self._events.clear()
        return ready

    def data_to_send(self) -> list[Buffer]:
        """The bytes the engine queued on its own (an A-ABORT it sends for a PDU received
        or a timer, the answers it owes the peer's requests: 0210H, 0122H, a window
        refusal): write them after :meth:`receive_data` and :meth:`handle_timer`.  An
        owed answer goes between messages, never inside one being sent."""
        if self._owed and not self._sending:
            self._send_owed()
        out = self._outgoing
        self._outgoing = []
        return out

    # --- sending ------------------------------------------------------------------------

    def send(self, event: LocalEvent, *, now: float) -> list[Buffer]:
        """Do what the user asks (a local primitive of PS3.8 Table 9-10) and return the
        bytes to write (with any the engine had queued before, first).

        Raises :class:`~dimsekit.LocalProtocolError` where the table allows no such event
        in this state, for an A-ASSOCIATE answer that does not fit the RQ, and for P-DATA
        or a release after a send failed or while a message is being sent; nothing
        changes then.
        """
        ul = _LOCAL_EVENTS.get(type(event))
        if ul is None:
            raise TypeError(
                f"send takes a local event (AssociateRequest, ..., AbortRequest), not "
                f"{type(event).__name__}"
            )
        self._check_local(ul)
        cause = _Cause(now)
        if isinstance(event, AssociateRequest):
            cause.pdu = event.rq
        elif isinstance(event, AssociateAccept | AssociateReject):
            answer = event.ac if isinstance(event, AssociateAccept) else event.rj
            assert self._rq is not None  # Sta3
            try:
                negotiation.check_local_answer(self._rq, answer)
            except LocalProtocolError as error:
                raise LocalProtocolError(
                    str(error), state=self._state.label, event=ul.label
                ) from None
            cause.pdu = answer
        elif isinstance(event, PData):
            cause.pdu = event.pdu
        elif isinstance(event, ReleaseRequest | ReleaseResponse):
            if not event.abandon_outstanding:
                self._check_none_outstanding(ul)
            cause.pdu = AReleaseRQ() if isinstance(event, ReleaseRequest) else AReleaseRP()
        else:
            cause.pdu = AAbort(source=AbortSource.SERVICE_USER)
        cause.data = encode_pdu(cause.pdu)
        if isinstance(event, PData):
            limit = self._peer_max()
            if len(cause.data) - PDU_HEADER.size > limit:
                raise LocalProtocolError(
                    f"a P-DATA-TF of {len(cause.data) - PDU_HEADER.size} bytes is above the "
                    f"peer's maximum length, {limit} (PS3.8 D.1)",
                    state=self._state.label,
                    event=ul.label,
                )
            agreement = self._agreement
            assert agreement is not None  # Sta6 or Sta8
            for pdv in event.pdu.pdvs:
                if pdv.context_id not in agreement.contexts:
                    raise self._not_accepted(pdv.context_id, agreement)
            cause.buffers = (cause.data,)
        self._now = now
        if self._owed and ul is not _EVT15:
            self._send_owed()  # what was owed goes first
        self._fire(ul, cause)
        if ul is _EVT1:
            self._fire(_EVT2, cause)  # the transport is connected: AE-2 at once
        return self.data_to_send()

    def send_message(
        self,
        context_id: int,
        message: Message,
        *,
        now: float,
        pack_command_with_data: bool = False,
    ) -> Generator[PDUBuffers, float | None, None]:
        """Send ``message`` on presentation context ``context_id`` (DT-1; AR-7 while the
        peer awaits our release response): each item is one P-DATA-TF as buffers to write
        (``fragment_message``), made as the iterator is advanced, within the peer's
        maximum length, so that a data set in a file is never held whole; before the
        first, what the engine had queued, and after the last, the answers it came to
        owe the peer while the message went (0210H, 0122H, a window refusal), if any.
        Advanced with ``send(now)`` instead of ``next()``, it takes the time the caller
        wrote the item before (a long message takes a while): the idle timer and the
        request's response timer run from the time given last.

        The message is checked against the DIMSE operations now (its context, the role
        and SOP class the negotiation gave it, its Message ID, the window, what a response
        or C-CANCEL answers: :meth:`~dimsekit.Operations.check_outgoing`) and recorded
        at its first P-DATA-TF; a request's response timer starts once it has gone.

        The state, the context (one the association accepted) and a message already
        being sent are checked now, and the state and a message being sent again when the
        iterator first runs: :class:`~dimsekit.LocalProtocolError`, nothing changed.  One
        message at a time (PS3.8 E.1): the message is being sent from the iterator's first
        step until it ends; once it has given a P-DATA-TF of the message, an iterator left
        unfinished (closed, dropped) or one that raised poisons the connection (only an
        abort is left).  One never started, or closed before its first P-DATA-TF, changes
        nothing.
        """
        self._check_local(_EVT9)
        agreement = self._agreement
        assert agreement is not None  # Sta6 or Sta8
        context = agreement.contexts.get(context_id)
        if context is None:
            raise self._not_accepted(context_id, agreement)
        self._check_operation(context_id, message, record=False)
        pdus = fragment_message(
            message,
            context_id,
            self._peer_max(),
            transfer_syntax=context.transfer_syntax,
            pack_command_with_data=pack_command_with_data,
        )
        return self._send_pdus(pdus, now, context_id, message)

    def _check_operation(self, context_id: int, message: Message, *, record: bool) -> None:
        """The operations' checks of a message we send (PS3.7 9.1, 10.1, D.3.3), and its
        record when ``record`` (checked again only where what is outstanding changed
        since the check): :class:`~dimsekit.LocalProtocolError`, nothing changed."""
        operations = self._operations
        assert operations is not None  # Sta6 or Sta8
        try:
            if record:
                operations.outgoing(context_id, message)
            else:
                operations.check_outgoing(context_id, message)
        except LocalProtocolError as error:
            raise LocalProtocolError(
                str(error), state=self._state.label, event=_EVT9.label
            ) from None

    def _check_none_outstanding(self, event: ULEvent) -> None:
        """Refuse a release while DIMSE operations are outstanding (our choice; the
        caller may abandon them: ``abandon_outstanding``)."""
        operations = self._operations
        if operations is None:
            return
        owed = {answer.message_id_being_responded_to for _, answer, ends in self._owed if ends}
        ours = list(operations.outstanding_ours)
        peers = [i for i in operations.outstanding_peers if i not in owed]
        if ours or peers:
            raise LocalProtocolError(
                f"DIMSE operations are outstanding (ours: Message IDs {ours}; the peer's: "
                f"{peers}): release when they have ended, or say abandon_outstanding=True",
                state=self._state.label,
                event=event.label,
            )

    def _not_accepted(self, context_id: object, agreement: Agreement) -> LocalProtocolError:
        return LocalProtocolError(
            f"presentation context {context_id!r} was not accepted on this association "
            f"(accepted: {sorted(agreement.contexts)}) (PS3.8 7.1.1.13)",
            state=self._state.label,
            event=_EVT9.label,
        )

    def _send_pdus(
        self, pdus: Iterator[PDUBuffers], now: float, context_id: int, message: Message
    ) -> Generator[PDUBuffers, float | None, None]:
        # The first step: the state, or another message, may have moved on since the call.
        self._check_local(_EVT9)
        self._now = now
        if self._outgoing or self._owed:
            sent = yield tuple(self.data_to_send())
            if sent is not None:
                now = self._now = sent
            self._check_local(_EVT9)
        # Its first P-DATA-TF is made before it is recorded: a message that fails before
        # it (one that does not encode, a data set that cannot be read) changes nothing,
        # as one never started.
        first = next(pdus, None)
        self._check_operation(context_id, message, record=True)
        if first is not None:
            pdus = chain((first,), pdus)
        self._sending = True
        given = finished = False
        cause = _Cause(now)  # one for every P-DATA-TF: the actions of Evt9 keep none
        try:
            for buffers in pdus:
                cause.buffers = buffers
                queued = self._outgoing
                before = len(queued)
                self._fire(_EVT9, cause)
                if not before and len(queued) == len(buffers):
                    queued.clear()  # the action wrote the PDU alone: give its own tuple
                    out = buffers
                else:
                    self._outgoing = []
                    out = tuple(queued)
                given = True  # the caller has it once this yield returns it
                sent = yield out
                if sent is not None:  # when the caller wrote it: the timers run from then
                    now = cause.now = self._now = sent
            finished = True
        finally:
            self._sending = False
            if given and not finished:
                self._poisoned = True
        if self._response_timeout is not None:
            self._request_went(message, now)
        if self._owed:
            yield tuple(self.data_to_send())  # what came owed while the message went

    def _request_went(self, message: Message, now: float) -> None:
        """A message of ours has gone whole: a request's response timer starts (unless
        its final response came while it went)."""
        if not isinstance(message, Request):
            return  # a response or a C-CANCEL: nothing to wait for
        operation = self.outstanding_ours.get(message.message_id)
        if operation is not None:
            self._restart(operation, now)

    def _send_owed(self) -> None:
        """Send the answers owed to the peer's requests (a whole message each, between
        ours: PS3.8 E.1), where the state allows P-DATA (Table 9-10, Evt9); dropped where
        it no longer does (the association is going)."""
        owed, self._owed = self._owed, []
        operations = self._operations
        if self._poisoned or operations is None:
            return
        for context_id, response, _ in owed:
            if (self._state, _EVT9) not in TRANSITIONS:
                return
            operation = operations.response_sent(context_id, response)
            for buffers in fragment_message(
                response,
                context_id,
                self._peer_max(),
                transfer_syntax=operation.transfer_syntax,
            ):
                self._fire(_EVT9, _Cause(self._now, buffers=buffers))

    def send_failed(self) -> None:
        """Say that writing what the engine gave failed half way: the stream to the peer
        is out of step, so no more P-DATA nor release goes (only an abort), as h11's."""
        self._poisoned = True

    def _check_local(self, event: ULEvent) -> None:
        """Refuse a local event the state (Table 9-10) or the connection does not allow."""
        if event in _NOT_WHILE_SENDING:
            if self._poisoned:
                raise LocalProtocolError(
                    "an earlier send failed half way: only an A-ABORT can go now",
                    state=self._state.label,
                    event=event.label,
                )
            if self._sending:
                raise LocalProtocolError(
                    "a message is still being sent (its iterator is unfinished): fragments "
                    "of messages never interleave (PS3.8 E.1); finish it first",
                    state=self._state.label,
                    event=event.label,
                )
        if event is _EVT1 and (self._began or self._role is Role.ACCEPTOR):
            raise LocalProtocolError(
                "one association per transport connection (PS3.8 9.1.1): make a new "
                "Association for a new connection",
                state=self._state.label,
                event=event.label,
            )
        if (self._state, event) not in TRANSITIONS:
            transition(self._state, event)  # raises, saying so

    def _peer_max(self) -> int:
        """The longest P-DATA-TF the peer takes (PS3.8 D.1: its Maximum Length)."""
        agreement = self._agreement
        if agreement is None:
            return UNLIMITED_SEND_CAP
        peer = (
            agreement.acceptor_max_pdu_length
            if self._requestor
            else agreement.requestor_max_pdu_length
        )
        return peer or UNLIMITED_SEND_CAP

    # --- receiving ----------------------------------------------------------------------

    def receive_data(self, data: bytes | bytearray | memoryview, *, now: float) -> None:
        """Take the bytes read from the transport, split anywhere; ``b""`` means the
        transport has closed (Evt17).  The events they complete wait for
        :meth:`next_event`; bytes the engine answers with wait for :meth:`data_to_send`."""
        try:
            view = memoryview(data).cast("B")
        except TypeError:
            raise TypeError(
                "data is the bytes read: bytes, bytearray or a C-contiguous memoryview, "
                f"not {type(data).__name__}"
            ) from None
        if not self._began:
            raise LocalProtocolError(
                "nothing can be received before the A-ASSOCIATE-RQ is sent",
                state=self._state.label,
            )
        if self._transport_closed:
            raise LocalProtocolError(
                "the transport has closed (receive_data(b'') came): nothing more is received",
                state=self._state.label,
            )
        if not view:
            self._transport_closed = True
            if self._state is not _STA1:
                self._fire(_EVT17, _Cause(now, why=self._closed_why()))
            return
        self._route_bytes(view, now)

    def _closed_why(self) -> str:
        """What the transport's closing (Evt17) cut, in words."""
        state = self._state.label
        if self._header:
            return (
                f"the transport closed inside a PDU header ({len(self._header)} of its "
                f"{PDU_HEADER.size} bytes read) in {state}"
            )
        if self._left:
            name = PDUType(self._pdu_type).label if self._pdu_type in _KNOWN_TYPES else "PDU"
            return (
                f"the transport closed inside a PDU ({_a(name)} of {self._pdu_length} bytes, "
                f"{self._pdu_length - self._left} of them read) in {state}"
            )
        if self._assembler.in_message:
            return f"the transport closed inside a message (its last PDU not come) in {state}"
        return f"the transport connection closed in {state}"

    def _route_bytes(self, view: memoryview, now: float) -> None:
        position, end = 0, len(view)
        while position < end:
            if self._state is _STA1 or self._out_of_step:
                return  # closed by us, or out of step: what still comes is dropped
            if self._left == 0:
                if not self._header and end - position >= PDU_HEADER.size:
                    header: bytes | memoryview = view[position : position + PDU_HEADER.size]
                    peeked = True
                else:
                    take = min(PDU_HEADER.size - len(self._header), end - position)
                    self._header += view[position : position + take]
                    position += take
                    if len(self._header) < PDU_HEADER.size:
                        return
                    header = bytes(self._header)
                    self._header.clear()
                    peeked = False
                pdu_type, _, length = PDU_HEADER.unpack(header)
                self._route = self._start_pdu(pdu_type, length, now)
                self._left = length
                self._pdu_type, self._pdu_length = pdu_type, length
                self._p_data = pdu_type == _P_DATA
                self._pdv_head.clear()
                self._pdv_skip = 0
                if self._route is _FEED:
                    if peeked:
                        position = self._feed_run(view, position, position + PDU_HEADER.size, now)
                    else:
                        self._feed(header, now)
                    continue
                if peeked:
                    position += PDU_HEADER.size
                if self._route is _COLLECT:
                    self._collected = bytearray(header)
                    if not self._left:
                        self._end_collected(now)
                continue
            if self._route is _FEED and self._state is _STA13:
                self._route = _SKIP  # aborted inside this PDU: the rest is not read
            if self._route is _FEED:
                position = self._feed_run(view, position, position, now)
                continue
            take = min(self._left, end - position)
            chunk = view[position : position + take]
            position += take
            self._left -= take
            if self._route is _COLLECT:
                self._collected += chunk
                if not self._left:
                    self._end_collected(now)

    def _start_pdu(self, pdu_type: int, length: int, now: float) -> _Route:
        """A PDU header has come: where its bytes go, acting at once where the header
        alone says what the table does."""
        state = self._state
        self._pdu_came(pdu_type == _P_DATA, now)
        if pdu_type not in _KNOWN_TYPES:
            self._fire(
                _EVT19,
                _Cause(
                    now,
                    reason=AbortReason.UNRECOGNIZED_PDU,
                    why=f"a PDU of unknown type 0x{pdu_type:02X} came in {state.label} "
                    "(PS3.8 9.3.1)",
                ),
            )
            self._out_of_step = True  # its length cannot be trusted: the rest is dropped
            return _SKIP
        if pdu_type == _P_DATA and state not in _TAKES_DATA:
            why = self._unexpected(PDUType(pdu_type).label)
            self._fire(_EVT10, _Cause(now, reason=AbortReason.UNEXPECTED_PDU, why=why))
            return _SKIP
        if state is _STA13:
            if length > MAX_OTHER_PDU_LENGTH:
                self._fire(
                    _EVT19,
                    _Cause(
                        now,
                        reason=AbortReason.INVALID_PDU_PARAMETER_VALUE,
                        why=f"an {PDUType(pdu_type).label} of {length} bytes came in Sta13",
                    ),
                )
                return _SKIP
            return _COLLECT
        if pdu_type == _P_DATA:
            return self._check_p_data_length(length, now)
        return _FEED

    def _check_p_data_length(self, length: int, now: float) -> _Route:
        """A P-DATA-TF's length against the maximum we announced (PS3.8 D.1) and the
        ceiling: above ours, a diagnostic (the first time) or, strictly, an abort; above
        both, an abort.  The ceiling never refuses what we announced."""
        ours = self._our_max
        over_ours = bool(ours) and length > ours
        beyond = bool(self._ceiling) and length > max(self._ceiling, ours)
        if not over_ours and not beyond:
            return _FEED
        if over_ours:
            said = (
                f"a P-DATA-TF of {length} bytes is above the maximum length we announced, "
                f"{ours} (PS3.8 D.1)"
            )
        else:
            said = f"a P-DATA-TF of {length} bytes (we announced no maximum, PS3.8 D.1)"
        if beyond or self._strict:
            if beyond:
                said += f", above the ceiling of {max(self._ceiling, ours)} bytes we take"
            self._fire(
                _EVT19,
                _Cause(now, reason=AbortReason.INVALID_PDU_PARAMETER_VALUE, why=said),
            )
            return _SKIP
        if not self._oversize_said:
            self._oversize_said = True
            self._events.append(
                Diagnostics(
                    (
                        Diagnostic(
                            what=said + "; taken (said for the first such PDU only)",
                            rule="PS3.8 D.1: a P-DATA-TF is no longer than the receiver's "
                            "Maximum Length",
                            severity=Severity.ERROR,
                            offset=self._assembler.stream_offset,
                        ),
                    )
                )
            )
        return _FEED

    def _feed_run(self, view: memoryview, start: int, body: int, now: float) -> int:
        """Feed the PDU being read, from ``start`` (its header, or where its body goes
        on), its body from ``body``; after a P-DATA-TF, the whole or begun P-DATA-TF
        PDUs that follow it in ``view`` too, each one the state takes in and within every
        length rule with nothing to say, so that a message in several PDUs reaches the
        assembler in as few calls as it came (P-DATA changes no state: PS3.8 Table 9-10,
        DT-2, AR-6).  Each P-DATA-TF's PDV item headers are read first
        (:meth:`_scan_pdvs`): one on a presentation context the association did not
        accept aborts before its bytes reach the assembler, what came before it being
        fed.  The common case, a whole PDU that one PDV item fills, is read here at
        once.  Returns where it stopped; ``_left`` is what is still to come."""
        end = len(view)
        left = self._left
        pdu_end = body + left  # where the PDU being read ends (may be beyond view)
        stop = min(end, pdu_end)
        if not self._p_data:
            self._left = pdu_end - stop
            self._feed(view[start:stop], now)
            return stop
        agreement = self._agreement
        assert agreement is not None  # P-DATA is taken in Sta6 and Sta7 only
        accepted = agreement.contexts
        refused = None
        if pdu_end > end or self._pdv_head or self._pdv_skip or left < PDV_HEADER.size:
            refused = self._scan_pdvs(view, body, stop)
        else:
            item_length, context_id, _ = PDV_HEADER.unpack_from(view, body)
            if item_length != left - ITEM_LENGTH_FIELD or context_id not in accepted:
                refused = self._scan_pdvs(view, body, stop)
        if refused is None and stop == pdu_end:
            limit = min(x for x in (self._our_max, self._ceiling, 1 << 32) if x)
            while end - stop >= PDU_HEADER.size:
                pdu_type, _, length = PDU_HEADER.unpack_from(view, stop)
                if pdu_type != _P_DATA or length > limit:
                    break
                pdu_end = stop + PDU_HEADER.size + length
                if pdu_end <= end and length >= PDV_HEADER.size:
                    item_length, context_id, _ = PDV_HEADER.unpack_from(
                        view, stop + PDU_HEADER.size
                    )
                    if item_length == length - ITEM_LENGTH_FIELD and context_id in accepted:
                        stop = pdu_end  # whole, one PDV on an accepted context
                        continue
                self._pdv_head.clear()
                self._pdv_skip = 0
                self._pdu_length = length
                refused = self._scan_pdvs(view, stop + PDU_HEADER.size, min(end, pdu_end))
                stop = min(end, pdu_end)
                if refused is not None or pdu_end > end:
                    break
            self._pdu_came(True, now)  # a P-DATA-TF's end, and those batched here
        if refused is not None:
            context_id, stop = refused
        self._left = pdu_end - stop
        self._feed(view[start:stop], now)
        if refused is not None and self._state in _TAKES_DATA:
            self._fire(
                _EVT19,
                _Cause(
                    now,
                    reason=AbortReason.UNEXPECTED_PDU_PARAMETER,
                    why=f"a P-DATA-TF came on presentation context {context_id}, which the "
                    f"association did not accept (accepted: {sorted(agreement.contexts)}; "
                    "PS3.8 9.3.5.1)",
                ),
            )
        return stop

    def _pdu_came(self, p_data: bool, now: float) -> None:
        """A PDU came (its header, or a P-DATA-TF's end): the idle timer restarts in Sta6,
        as at each PDU sent; the release timer restarts at a P-DATA-TF in Sta7 (AR-6),
        the peer being alive and free to send P-DATA before its A-RELEASE-RP (PS3.8
        7.2.2: its AR-7)."""
        state = self._state
        if state is _STA6:
            self._start_timer("idle", now)
        elif state is _STA7 and p_data:
            self._start_timer("release", now)

    def _scan_pdvs(self, view: memoryview, position: int, stop: int) -> tuple[int, int] | None:
        """Read the PDV item headers (PS3.8 9.3.5.1) in ``view[position:stop]``, bytes of
        a P-DATA-TF's body, a header split anywhere: the first one on a presentation
        context the association did not accept, as its context ID and where its header
        begins (here, or ``position`` when it began in earlier bytes).  The item lengths
        are the assembler's to check; here they only find the next header."""
        assert self._agreement is not None  # P-DATA is taken in Sta6 and Sta7 only
        accepted = self._agreement.contexts
        first = position
        while position < stop:
            if self._pdv_skip:
                step = min(self._pdv_skip, stop - position)
                self._pdv_skip -= step
                position += step
                continue
            if not self._pdv_head and stop - position >= PDV_HEADER.size:
                item_length, context_id, _ = PDV_HEADER.unpack_from(view, position)
                position += PDV_HEADER.size
            else:
                take = min(PDV_HEADER.size - len(self._pdv_head), stop - position)
                self._pdv_head += view[position : position + take]
                position += take
                if len(self._pdv_head) < PDV_HEADER.size:
                    return None
                item_length, context_id, _ = PDV_HEADER.unpack(self._pdv_head)
                self._pdv_head.clear()
            if context_id not in accepted:
                return context_id, max(first, position - PDV_HEADER.size)
            self._pdv_skip = max(item_length - ITEM_FIXED, 0)
        return None

    def _unexpected(self, name: str) -> str:
        state = self._state
        return (
            f"{_a(name)} came in {state.label} ({state.meaning.rstrip('.')}), where PS3.8 "
            "Table 9-10 does not expect it"
        )

    def _feed(self, chunk: bytes | memoryview, now: float) -> None:
        try:
            received = self._assembler.feed(chunk)
        except FramingError as error:
            for event in error.events:
                self._received(event, now)
            self._out_of_step = True
            self._fire(
                _EVT19,
                _Cause(now, reason=AbortReason.INVALID_PDU_PARAMETER_VALUE, why=str(error)),
            )
            return
        for event in received:
            self._received(event, now)

    def _received(
        self, event: MessageReceived | UndecodableMessage | PDUReceived, now: float
    ) -> None:
        if self._state is _STA1:
            return  # closed on an earlier PDU of the same bytes
        if isinstance(event, PDUReceived):
            self._pdu_received(event.pdu_type.label, event.decoded, event.diagnostics, now)
            return
        self._fire(_EVT10, _Cause(now, received=event))
        if self._policy_abort:
            why, self._policy_abort = self._policy_abort, ""
            self._fire(_EVT15, _Cause(now, why=why))

    def _end_collected(self, now: float) -> None:
        """A PDU gathered whole in Sta13: decoded alone, for the table's Sta13 column."""
        pdu = bytes(self._collected)
        self._collected = bytearray()
        try:
            decoded = decode_pdu(pdu, strict=self._strict)
        except DecodeError as error:
            self._pdu_received(PDUType(pdu[0]).label, error, (), now)
        else:
            self._pdu_received(PDUType(pdu[0]).label, decoded, (), now)

    def _pdu_received(
        self,
        name: str,
        decoded: DecodedPDU | DecodeError,
        diagnostics: tuple[Diagnostic, ...],
        now: float,
    ) -> None:
        if isinstance(decoded, DecodeError):
            self._fire(
                _EVT19,
                _Cause(
                    now,
                    reason=AbortReason.INVALID_PDU_PARAMETER_VALUE,
                    why=f"an {name} that does not decode came in {self._state.label}: {decoded}",
                ),
            )
            return
        pdu = decoded.pdu
        if isinstance(pdu, AAssociateRQ):
            invalid = list(islice(context_id_problems(pdu.presentation_contexts), 2))
            if invalid:
                # lenient decoding reported it; such an RQ cannot be answered: an invalid
                # PDU (Evt19), as strict decoding makes it
                _, value, rule, reference = invalid[0]
                more = " (and more)" if len(invalid) > 1 else ""
                self._fire(
                    _EVT19,
                    _Cause(
                        now,
                        reason=AbortReason.INVALID_PDU_PARAMETER_VALUE,
                        why=f"an {name} came in {self._state.label} whose presentation "
                        f"context IDs break {reference}: {rule}; got {value!r}{more} (an "
                        "invalid PDU, Evt19)",
                    ),
                )
                return
        found = diagnostics + decoded.diagnostics
        event = _PDU_EVENTS[type(pdu)]
        cause = _Cause(
            now,
            pdu=pdu,
            diagnostics=found,
            reason=AbortReason.UNEXPECTED_PDU,
            why=self._unexpected(name),
        )
        if event is _EVT3 and self._state is _STA5:
            assert self._rq is not None and isinstance(pdu, AAssociateAC)
            problems = negotiation.check_received_answer(self._rq, pdu)
            if problems and self._strict:
                cause.reason = AbortReason.INVALID_PDU_PARAMETER_VALUE
                cause.why = f"the A-ASSOCIATE-AC does not answer our RQ: {problems[0].what}"
                self._fire(_EVT19, cause)
                return
            cause.diagnostics += problems
        elif found and event not in (_EVT3, _EVT6):
            self._events.append(Diagnostics(found))
        self._fire(event, cause)

    # --- timers -------------------------------------------------------------------------

    def handle_timer(self, *, now: float) -> None:
        """The time has come (``now`` at or after :attr:`deadline`): the timers due fire,
        ARTIM as Evt18, the application timeouts as PS3.8 9.1.4 Note 2 leaves them to us
        (see the module docstring).  Before the deadline nothing happens."""
        while True:
            if self._artim is not None and now >= self._artim:
                self._artim = None
                self._fire(
                    _EVT18,
                    _Cause(now, why=f"ARTIM expired in {self._state.label} (PS3.8 9.1.2)"),
                )
            elif self._waiting and now >= min(self._waiting.values()):
                message_id = min(self._waiting, key=self._waiting.__getitem__)
                del self._waiting[message_id]
                assert self._operations is not None
                operation = self._operations.outstanding_ours[message_id]
                self._events.append(TimedOut("response", operation))
                if self._policy.response_timeout == "abort":
                    name = operation.request.command_field.message_name
                    self._fire(
                        _EVT15,
                        _Cause(
                            now,
                            why=f"no response to our {name} "
                            f"(Message ID {message_id}) came within response_timeout "
                            f"({self._response_timeout} s) in {self._state.label}: aborted",
                        ),
                    )
            elif self._app is not None and now >= self._app[1]:
                which, _ = self._app
                self._app = None
                self._events.append(TimedOut(which))
                if which != "idle":
                    waited = {"request": "A-ASSOCIATE-AC or -RJ", "release": "A-RELEASE-RP"}
                    self._fire(
                        _EVT15,
                        _Cause(
                            now,
                            why=f"no {waited[which]} came within {which}_timeout "
                            f"({self._timeouts[which]} s) in {self._state.label}: aborted "
                            "(an application timeout, PS3.8 9.1.4 Note 2)",
                        ),
                    )
            else:
                return

    def _start_artim(self, now: float) -> None:
        self._artim = now + self._artim_timeout

    def _start_timer(self, which: _Timer, now: float) -> None:
        timeout = self._timeouts[which]
        self._app = None if timeout is None else (which, now + timeout)

    # --- the machine --------------------------------------------------------------------

    def _fire(self, event: ULEvent, cause: _Cause) -> None:
        """Do what PS3.8 Table 9-10 says for ``event`` in this state."""
        step = _STEPS.get((self._state, event))
        if step is None:
            transition(self._state, event)  # raises: no transition
            return
        action, next_state = step
        if next_state is None:
            next_state = OUTCOMES[action, self._branch(action, cause)]
        cause.event, cause.next_state = event, next_state
        _ACTIONS[action](self, cause)
        self._state = next_state
        app = self._app
        if app is not None and next_state not in _TIMER_STATES[app[0]]:
            self._app = None
        if next_state is _STA1 or next_state is _STA13:
            if next_state is _STA1:
                self._artim = None
            self._waiting.clear()
            self._owed.clear()
            if self._operations is not None:
                ended = self._operations.end_all()
                if ended:
                    # before what the transport is to do, which ends a caller's loop
                    events = self._events
                    last = events[-1] if events else None
                    at = len(events) - isinstance(last, CloseTransport | AwaitTransportClose)
                    events.insert(at, OperationsUnfinished(ended))

    def _branch(self, action: Action, cause: _Cause) -> Branch:
        if action is Action.AE_6:
            assert isinstance(cause.pdu, AAssociateRQ)
            cause.refusal = negotiation.provider_refusal(cause.pdu)
            return Branch.ACCEPTABLE if cause.refusal is None else Branch.NOT_ACCEPTABLE
        if action is Action.AR_8:
            return Branch.REQUESTOR if self._role is Role.REQUESTOR else Branch.ACCEPTOR
        assert action is Action.AA_3 and isinstance(cause.pdu, AAbort)
        if cause.pdu.source == AbortSource.SERVICE_USER:
            return Branch.SERVICE_USER
        return Branch.SERVICE_PROVIDER

    def _write(self, data: bytes) -> None:
        self._outgoing.append(data)

    def _abort_pdu(self, source: AbortSource, reason: AbortReason) -> AAbort:
        pdu = AAbort(source=source, reason=reason)
        self._write(encode_pdu(pdu))
        return pdu

    def _await_close(self) -> None:
        self._events.append(AwaitTransportClose(self._artim))

    # Each action of PS3.8 Tables 9-6 to 9-9; where it leads is the table's.

    def _ae_1(self, cause: _Cause) -> None:
        """The transport is connected already (the object is made for it)."""
        self._began = True

    def _ae_2(self, cause: _Cause) -> None:
        assert isinstance(cause.pdu, AAssociateRQ)
        self._rq = cause.pdu
        self._our_max = cause.pdu.user_information.maximum_length or 0
        self._write(cause.data)
        self._start_timer("request", cause.now)

    def _ae_3(self, cause: _Cause) -> None:
        assert isinstance(cause.pdu, AAssociateAC) and self._rq is not None
        self._agreement = negotiation.agreement(self._rq, cause.pdu)
        self._operations = Operations(self._agreement, self._role.value)
        self._events.append(AssociationAccepted(cause.pdu, self._agreement, cause.diagnostics))
        self._start_timer("idle", cause.now)

    def _ae_4(self, cause: _Cause) -> None:
        assert isinstance(cause.pdu, AAssociateRJ)
        self._events.append(AssociationRejected(cause.pdu, by_peer=True))
        self._events.append(CloseTransport())

    def _ae_5(self, cause: _Cause) -> None:
        self._start_artim(cause.now)

    def _ae_6(self, cause: _Cause) -> None:
        assert isinstance(cause.pdu, AAssociateRQ)
        self._artim = None
        if cause.refusal is None:
            self._rq = cause.pdu
            self._events.append(AssociationRequested(cause.pdu, cause.diagnostics))
            return
        self._write(encode_pdu(cause.refusal))
        self._start_artim(cause.now)
        self._events.append(AssociationRejected(cause.refusal, by_peer=False))
        self._await_close()

    def _ae_7(self, cause: _Cause) -> None:
        assert isinstance(cause.pdu, AAssociateAC) and self._rq is not None
        self._write(cause.data)
        self._our_max = cause.pdu.user_information.maximum_length or 0
        self._agreement = negotiation.agreement(self._rq, cause.pdu)
        self._operations = Operations(self._agreement, self._role.value)
        self._start_timer("idle", cause.now)

    def _ae_8(self, cause: _Cause) -> None:
        self._write(cause.data)
        self._start_artim(cause.now)
        self._await_close()

    def _dt_1(self, cause: _Cause) -> None:
        self._outgoing.extend(cause.buffers)
        self._start_timer("idle", cause.now)

    def _dt_2(self, cause: _Cause) -> None:
        assert cause.received is not None
        self._events.append(self._track(cause.received, cause.now))
        self._start_timer("idle", cause.now)

    def _track(
        self, received: MessageReceived | UndecodableMessage, now: float
    ) -> OperationEvent | UndecodableMessage:
        """A message received (DT-2, AR-6), as the event of its operation; what the
        event owes the peer (0210H, 0122H, a window refusal) queued to go between
        messages; what the policy aborts on, aborted after the event."""
        if isinstance(received, UndecodableMessage):
            return received
        operations = self._operations
        assert operations is not None  # P-DATA is taken in Sta6 and Sta7 only
        event = operations.incoming(received.context_id, received.message, received.diagnostics)
        if isinstance(event, ResponseReceived):
            if event.final:
                self._waiting.pop(event.operation.message_id, None)
            else:
                self._restart(event.operation, now)  # PS3.7: each Pending response
        elif isinstance(event, RequestReceived):
            if isinstance(event.request, CStoreRequest):
                # a sub-operation of one of our C-GETs (PS3.4 C.4.3): each restarts them
                for operation in operations.outstanding_ours.values():
                    if isinstance(operation.request, CGetRequest):
                        self._restart(operation, now)
        elif isinstance(event, DuplicateInvocation):
            self._owed.append((event.context_id, event.response, False))
        elif isinstance(event, RequestRefused):
            self._owed.append((event.operation.context_id, event.response, True))
        elif isinstance(event, WindowOverrun):
            if self._policy.window_overrun == "abort":
                self._policy_abort = f"{event.diagnostic.what} ({event.diagnostic.rule}): aborted"
            else:
                self._owed.append((event.operation.context_id, event.response, True))
        elif isinstance(event, UnexpectedResponse) and self._policy.unexpected_response == "abort":
            self._policy_abort = f"{event.diagnostic.what} ({event.diagnostic.rule}): aborted"
        return event

    def _restart(self, operation: Operation, now: float) -> None:
        """Restart the response timer of our outstanding ``operation``, fired or not."""
        timeout = self._response_timeout
        if timeout is not None:
            self._waiting[operation.message_id] = now + timeout

    def _ar_1(self, cause: _Cause) -> None:
        self._write(cause.data)
        self._start_timer("release", cause.now)

    def _ar_2(self, cause: _Cause) -> None:
        self._events.append(ReleaseRequested(False, cause.must_respond))

    def _ar_3(self, cause: _Cause) -> None:
        self._events.append(Released(cause.must_respond))
        self._events.append(CloseTransport())

    def _ar_4(self, cause: _Cause) -> None:
        self._write(cause.data)
        self._start_artim(cause.now)
        self._await_close()

    def _ar_5(self, cause: _Cause) -> None:
        self._artim = None

    def _ar_6(self, cause: _Cause) -> None:
        assert cause.received is not None
        self._events.append(self._track(cause.received, cause.now))

    def _ar_7(self, cause: _Cause) -> None:
        self._outgoing.extend(cause.buffers)

    def _ar_8(self, cause: _Cause) -> None:
        self._events.append(ReleaseRequested(True, cause.must_respond))

    def _ar_9(self, cause: _Cause) -> None:
        self._write(cause.data)

    def _ar_10(self, cause: _Cause) -> None:
        self._events.append(Released(cause.must_respond))

    def _aa_1(self, cause: _Cause) -> None:
        # Our user's A-ABORT (Evt15, or a timeout on its behalf), or, in Sta2, the
        # table's answer to a PDU it does not expect: the service-user source either way.
        pdu = self._abort_pdu(AbortSource.SERVICE_USER, AbortReason.NOT_SPECIFIED)
        self._start_artim(cause.now)
        if cause.why:
            self._events.append(Aborted(pdu.source, pdu.reason, False, cause.why, pdu))
        self._await_close()

    def _aa_2(self, cause: _Cause) -> None:
        self._artim = None
        if cause.pdu is None and self._state is not _STA4:
            self._events.append(TimedOut("artim"))
        elif isinstance(cause.pdu, AAbort) and self._state is _STA2:
            self._events.append(
                Aborted(
                    cause.pdu.source, cause.pdu.reason, True, self._abort_why(cause.pdu), cause.pdu
                )
            )
        self._events.append(CloseTransport())

    def _abort_why(self, pdu: AAbort) -> str:
        source, reason = pdu.source, pdu.reason
        by = {
            AbortSource.SERVICE_USER: "service user",
            AbortSource.SERVICE_PROVIDER: "service provider",
        }
        return (
            f"the peer sent an A-ABORT in {self._state.label}, source {int(source)} "
            f"({by.get(source, 'reserved')}), reason {int(reason)} "
            f"({reason.name if isinstance(reason, AbortReason) else 'reserved'})"
        )

    def _aa_3(self, cause: _Cause) -> None:
        assert isinstance(cause.pdu, AAbort)
        self._events.append(
            Aborted(cause.pdu.source, cause.pdu.reason, True, self._abort_why(cause.pdu), cause.pdu)
        )
        self._events.append(CloseTransport())

    def _aa_4(self, cause: _Cause) -> None:
        self._events.append(
            Aborted(
                AbortSource.SERVICE_PROVIDER,
                AbortReason.NOT_SPECIFIED,
                True,
                cause.why or f"the transport connection closed in {self._state.label}",
            )
        )

    def _aa_5(self, cause: _Cause) -> None:
        self._artim = None

    def _aa_6(self, cause: _Cause) -> None:
        """The PDU is ignored (the association is over)."""

    def _aa_7(self, cause: _Cause) -> None:
        self._abort_pdu(AbortSource.SERVICE_PROVIDER, cause.reason)
        if cause.event is _EVT19:
            # An invalid PDU after the association is gone: the stream is taken as out of
            # step and the rest dropped, so that garbage gets one A-ABORT, not one a PDU.
            self._out_of_step = True

    def _aa_8(self, cause: _Cause) -> None:
        pdu = self._abort_pdu(AbortSource.SERVICE_PROVIDER, cause.reason)
        self._events.append(Aborted(pdu.source, pdu.reason, False, cause.why, pdu))
        self._start_artim(cause.now)
        self._await_close()


_ACTIONS: Final[dict[Action, Callable[[Association, _Cause], None]]] = {
    action: getattr(Association, "_" + action.name.lower()) for action in Action
}
"""Each action's method: ``_ae_1`` for AE-1 ..."""
_STEPS: Final[dict[tuple[State, ULEvent], tuple[Action, State | None]]] = {
    key: (action, None if branches(action) else OUTCOMES[action, None])
    for key, action in TRANSITIONS.items()
}
"""Table 9-10 joined to each action's outcome (None: it branches), so that ``_fire``
asks one dict for where an event leads."""
