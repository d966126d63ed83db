"""The DIMSE operations of one association, both ways, sans-IO (PS3.7 9.1, 10.1, D.3.3.3).

Owns: :class:`Operations`, one per association, built from its
:class:`~dimsekit.Agreement` and which end of it we are; the :class:`Operation` it keeps
for each request outstanding (ours, and the peer's), with the transfer syntax its
context accepted; the events it hands back (:class:`RequestReceived`,
:class:`ResponseReceived`, :class:`UnexpectedResponse`, :class:`DuplicateInvocation`,
:class:`RequestRefused`, :class:`WindowOverrun`, :class:`CancelReceived`,
:class:`UnexpectedCancel`), the answers PS3.7 names for a peer's request it cannot take
(0210H, 0122H, Out of Resources); and :class:`OperationsPolicy`, what the engine does
about the rest.  It
allocates our Message IDs (unique among our outstanding operations, PS3.7 9.1.1.1.1,
10.1.1.1.1), pairs each response with its request by Message ID Being Responded To (not
first in, first out), tells Pending from final responses (PS3.7 Annex C), applies the
request's :meth:`~dimsekit.Request.check_response` to every response, routes a C-CANCEL
to the C-FIND, C-GET or C-MOVE it names (:data:`CANCELLABLE`, the one list of them:
PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3), keeps each
direction within the asynchronous operations window (PS3.7 D.3.3.3), and each request
within the role the negotiation gave its sender (PS3.7 D.3.3.4) and the SOP class its
context's abstract syntax names (PS3.7 D.1; PS3.4 H.3.2.2 for the Meta SOP Classes).

Theory of operation.  The caller tells it each DIMSE message as it goes out
(:meth:`Operations.request_sent`, :meth:`~Operations.response_sent`,
:meth:`~Operations.cancel_sent`, or :meth:`~Operations.outgoing` for any;
:meth:`~Operations.check_outgoing` only checks), before it goes: what breaks a rule
of ours raises :class:`~dimsekit.LocalProtocolError` and is never sent.  It tells it
each message received (:meth:`~Operations.request_received`,
:meth:`~Operations.response_received`, :meth:`~Operations.cancel_received`, or
:meth:`~Operations.incoming`) and gets an event back: what the peer did wrong is an
event with a diagnostic, never an exception, and what to do about it (send the answer
it carries, abort) is the caller's policy.

Choices where PS3.7 is silent: our Message IDs run 1 to 65535 and wrap to 1 (0 is a
valid US, but DCMTK and pynetdicom start at 1 and some peers take 0 for absent); the
peer's Message IDs are its own (unique among the peer's outstanding operations, apart
from ours); a request beyond our window is refused, not held (holding it until an
operation ends is the caller's choice: :attr:`Operations.window_open` says whether one
more may go); a peer's request beyond its window is taken as outstanding all the same,
with a :class:`WindowOverrun` whose answer ends it: its service's "Refused: Out of
Resources" (A700 C-STORE and C-FIND, A702 C-GET and C-MOVE), 0213H Resource Limitation
for the others; a C-CANCEL travels on its operation's presentation context (what DCMTK
and pynetdicom do); a peer's request in a role or of a SOP class its context does not
carry is answered 0122H, Refused: SOP Class Not Supported (the nearest PS3.7 C.5 general
failure), and taken as outstanding until that answer goes.

The association engine keeps one (``engine``: it calls the verbs, sends the answers the
events carry and acts on :class:`OperationsPolicy`); used alone, the caller does.

Must not know: bytes, PDUs, the states of PS3.8 9.2, sockets, threads and clocks (the
DIMSE response timeouts are the engine's deadlines).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal, TypeAlias

import attrs
from pydicom.uid import UID

from .._diagnostics import Diagnostic, Severity
from .._errors import InvalidMessageError, LocalProtocolError
from .._model.vr import CommandField
from ..messages import CCancelRequest, Message, Request, Response, ResponseMismatch
from .negotiation import AcceptedContext, Agreement, Side

__all__ = [
    "CANCELLABLE",
    "DEFAULT_OPERATIONS_POLICY",
    "DUPLICATE_INVOCATION",
    "OUT_OF_RESOURCES",
    "SOP_CLASS_NOT_SUPPORTED",
    "STRICT_OPERATIONS_POLICY",
    "CancelReceived",
    "DuplicateInvocation",
    "Operation",
    "OperationEvent",
    "Operations",
    "OperationsPolicy",
    "RequestReceived",
    "RequestRefused",
    "ResponseReceived",
    "UnexpectedCancel",
    "UnexpectedResponse",
    "WindowOverrun",
]

DUPLICATE_INVOCATION: Final = 0x0210
"""The status answering a request whose Message ID is already outstanding (PS3.7 C.5:
Duplicate Invocation, a general Failure of every service)."""

SOP_CLASS_NOT_SUPPORTED: Final = 0x0122
"""The status answering a peer's request that its context does not carry: a SOP class
the context's abstract syntax does not name, or a role the negotiation did not give the
peer (PS3.7 C.5: Refused: SOP Class Not Supported, a general Failure of every service)."""

OUT_OF_RESOURCES: Final[Mapping[CommandField, int]] = MappingProxyType(
    {
        CommandField.C_STORE_RQ: 0xA700,  # Refused: Out of Resources (PS3.4 B.2.3)
        CommandField.C_FIND_RQ: 0xA700,  # Refused: Out of Resources (PS3.4 C.4.1.1.4)
        CommandField.C_GET_RQ: 0xA702,  # ... unable to perform sub-operations (C.4.3.1.4)
        CommandField.C_MOVE_RQ: 0xA702,  # ... unable to perform sub-operations (C.4.2.1.4)
    }
)
"""Each service's "Refused: Out of Resources" status, by its request's Command Field: the
answer to a request beyond the window, and a storage SCP's when it cannot keep an
instance."""
"""The Failure status refusing a peer's request beyond its window, by service: its
"Refused: Out of Resources"; any other service, 0213H Resource Limitation (PS3.7 C.5)."""
_RESOURCE_LIMITATION: Final = 0x0213

_META_SOP_CLASSES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        # Basic Grayscale Print Management Meta (PS3.4 H.3.2.2.1): Basic Film Session,
        # Basic Film Box, Basic Grayscale Image Box, Printer
        "1.2.840.10008.5.1.1.9": frozenset(
            {
                "1.2.840.10008.5.1.1.1",
                "1.2.840.10008.5.1.1.2",
                "1.2.840.10008.5.1.1.4",
                "1.2.840.10008.5.1.1.16",
            }
        ),
        # Basic Color Print Management Meta (PS3.4 H.3.2.2.2): the same with the Basic
        # Color Image Box
        "1.2.840.10008.5.1.1.18": frozenset(
            {
                "1.2.840.10008.5.1.1.1",
                "1.2.840.10008.5.1.1.2",
                "1.2.840.10008.5.1.1.4.1",
                "1.2.840.10008.5.1.1.16",
            }
        ),
    }
)
"""The SOP classes a message may name on a context whose abstract syntax is a Meta SOP
Class UID; any other abstract syntax is the SOP Class UID its messages name (PS3.7 D.1)."""

_FIRST_ID: Final = 1
_LAST_ID: Final = 0xFFFF
_ID_COUNT: Final = _LAST_ID - _FIRST_ID + 1

CANCELLABLE: Final = frozenset(
    {CommandField.C_FIND_RQ, CommandField.C_GET_RQ, CommandField.C_MOVE_RQ}
)
"""The requests a C-CANCEL-RQ may stop, by Command Field (PS3.7 9.3.2.3, 9.3.3.3,
9.3.4.3): the engine refuses a C-CANCEL of any other, the invoker sends none for one, and
an answering side honours one only for these."""

_INVOKED_BY_SCP: Final = frozenset({CommandField.N_EVENT_REPORT_RQ})
"""The requests the SCP of a SOP class sends (an N-EVENT-REPORT reports the SCP's event
to the SCU: PS3.7 10.1.1; PS3.4 Annex J, Storage Commitment); every other request is the
SCU's."""

_UNIQUE: Final = (
    "a Message ID is unique among the outstanding operations of its sender "
    "(PS3.7 9.1.1.1.1, 10.1.1.1.1)"
)
_ANSWERS: Final = (
    "a response answers an outstanding request of its peer, by Message ID Being Responded "
    "To (PS3.7 9.3, 10.3)"
)
_SAME_CONTEXT: Final = (
    "a response travels on its request's presentation context, a C-CANCEL-RQ on its "
    "operation's: the context of a PDV (PS3.8 9.3.5.1) names the operation's abstract "
    "syntax (PS3.8 7.1.1.13), as DCMTK and pynetdicom send them"
)
_CANCELS: Final = (
    "a C-CANCEL-RQ names an outstanding C-FIND, C-GET or C-MOVE by its Message ID "
    "(PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3)"
)
_WINDOW: Final = (
    "each side keeps at most the negotiated number of operations outstanding: the "
    "requestor max-operations-invoked, the acceptor max-operations-performed, 0 unlimited "
    "(PS3.7 D.3.3.3)"
)
_ROLE: Final = (
    "a request is sent by the side the negotiation made SCU of its context (an "
    "N-EVENT-REPORT-RQ by the SCP) (PS3.7 D.3.3.4)"
)
_SOP_CLASS_FIELDS: Final = ("affected_sop_class_uid", "requested_sop_class_uid")
"""The fields a request names its SOP class in (PS3.7 9.3, 10.3)."""
_SOP_CLASS: Final = (
    "a message names the SOP class of its presentation context's abstract syntax, or one "
    "of the Meta SOP Class it names (PS3.7 D.1; PS3.4 H.3.2.2)"
)


@attrs.frozen(kw_only=True)
class OperationsPolicy:
    """What the association engine does where the peer breaks a rule of the operations
    or a response does not come in time; what every peer gets whatever the policy
    (0210H for a duplicate invocation, 0122H for a request its context does not carry)
    is not the policy's.  An abort is the service user's (PS3.8 7.3: the DIMSE layer
    is the Upper Layer's user; its reason is not significant)."""

    unexpected_response: Literal["report", "abort"] = attrs.field(
        default="report", validator=attrs.validators.in_(("report", "abort"))
    )
    """A response to no outstanding operation of ours: only an :class:`UnexpectedResponse`
    event, or that event and an abort."""
    window_overrun: Literal["refuse", "abort"] = attrs.field(
        default="refuse", validator=attrs.validators.in_(("refuse", "abort"))
    )
    """A peer's request beyond its window: answered with the :class:`WindowOverrun`'s
    Failure ``response``, which ends it, or an abort."""
    response_timeout: Literal["abort", "report"] = attrs.field(
        default="abort", validator=attrs.validators.in_(("abort", "report"))
    )
    """A response of ours that did not come within the engine's ``response_timeout``:
    the association aborted, or only the event (the operation stays outstanding, for
    the caller to cancel, wait on or abort)."""


DEFAULT_OPERATIONS_POLICY: Final = OperationsPolicy()
"""Report a response to nothing, refuse a window overrun, abort on a response timeout."""
STRICT_OPERATIONS_POLICY: Final = OperationsPolicy(
    unexpected_response="abort", window_overrun="abort"
)
"""Abort on a response to nothing and on a window overrun too (the engine's ``strict``)."""


def _answer(request: Request[Any], status: int) -> Response:
    """The Failure ``status`` answering a peer's request the engine cannot take, with the
    fields a response echoes (PS3.7 9.3, 10.3); where one of them, decoded leniently,
    could not be sent (an invalid UID), with none of them: all are optional in a Failure
    response (U(=), C(=)), and we never send what the standard forbids."""
    answer: Response
    try:
        answer = request.response(status=status)
    except InvalidMessageError:
        answer = request.response(status=status, **dict.fromkeys(t for _, t in request.echoed))
    return answer


def _other(side: Side) -> Side:
    return "acceptor" if side == "requestor" else "requestor"


@attrs.frozen(kw_only=True)
class Operation:
    """One outstanding DIMSE operation: its ``request``, the presentation context it
    travels on, whether we invoked it (``ours``) or the peer did, and whether a
    C-CANCEL-RQ was sent or received for it (``cancelled``; PS3.7 9.3.2.3)."""

    context_id: int
    request: Request[Any]
    ours: bool
    transfer_syntax: UID
    """The transfer syntax its context accepted: the one every data set of the operation
    is encoded in, both ways (PS3.8 7.1.1.14; PS3.7 6.3.1)."""
    cancelled: bool = False

    @property
    def message_id(self) -> int:
        """The request's Message ID, which its responses name (PS3.7 9.3, 10.3)."""
        return self.request.message_id


@attrs.frozen(kw_only=True)
class ResponseReceived:
    """A response to one of our outstanding operations, paired by Message ID Being
    Responded To (PS3.7 9.3, 10.3).  ``final``: the operation ended with it (any status
    but Pending, PS3.7 Annex C; a Pending C-FIND match or C-GET/C-MOVE progress is not
    final).  ``mismatches``: every way the response fails to answer the request
    (:meth:`~dimsekit.Request.check_response`, and the presentation context), empty when
    it does."""

    operation: Operation
    response: Response
    final: bool
    mismatches: tuple[ResponseMismatch, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    """What deviated in the message as it was decoded (lenient decoding's report)."""

    @property
    def cancelled(self) -> bool:
        """Whether a C-CANCEL-RQ was sent for the operation (its final status is the one
        the peer sent: Cancel FE00, or another if it finished first; PS3.7 9.3.2.3)."""
        return self.operation.cancelled


@attrs.frozen(kw_only=True)
class UnexpectedResponse:
    """A response to no outstanding operation of ours (PS3.7 9.3, 10.3): reported, and
    what follows (ignoring it, an abort) is the caller's policy."""

    context_id: int
    response: Response
    diagnostic: Diagnostic
    diagnostics: tuple[Diagnostic, ...] = ()


@attrs.frozen(kw_only=True)
class RequestReceived:
    """A peer's request, now its outstanding ``operation``, for us to perform and answer
    (every response on the operation's context, PS3.7 9.3, 10.3)."""

    operation: Operation
    diagnostics: tuple[Diagnostic, ...] = ()
    """What deviated in the message as it was decoded (lenient decoding's report)."""

    @property
    def request(self) -> Request[Any]:
        return self.operation.request


@attrs.frozen(kw_only=True)
class DuplicateInvocation:
    """A peer's request whose Message ID is already outstanding from the peer: it is not
    taken as an operation, and ``response`` (status 0210H, Duplicate Invocation, PS3.7
    C.5) is the answer to send on ``context_id``.  ``original`` is the operation that
    holds the Message ID."""

    context_id: int
    request: Request[Any]
    original: Operation
    response: Response
    diagnostic: Diagnostic
    diagnostics: tuple[Diagnostic, ...] = ()


@attrs.frozen(kw_only=True)
class RequestRefused:
    """A peer's request its presentation context does not carry: a SOP class the
    context's abstract syntax does not name (PS3.7 D.1), or a role the negotiation did
    not give the peer (PS3.7 D.3.3.4; a C-STORE sub-operation to a C-GET SCU that did
    not take the SCP role).  It is outstanding (``operation``) until ``response``, its
    0122H answer (PS3.7 C.5), is sent."""

    operation: Operation
    response: Response
    diagnostic: Diagnostic
    diagnostics: tuple[Diagnostic, ...] = ()


@attrs.frozen(kw_only=True)
class WindowOverrun:
    """A peer's request beyond the window the negotiation gave the peer (PS3.7
    D.3.3.3): it is outstanding all the same (``operation``), and the caller's policy
    answers it with ``response`` (its service's "Refused: Out of Resources", or 0213H
    Resource Limitation: a Failure, which ends it) or aborts.  ``limit``: the peer's
    window."""

    operation: Operation
    limit: int
    response: Response
    diagnostic: Diagnostic
    diagnostics: tuple[Diagnostic, ...] = ()


@attrs.frozen(kw_only=True)
class CancelReceived:
    """A C-CANCEL-RQ from the peer for an operation it invoked that is still ours to
    perform (now marked ``cancelled``): the SCP should stop and end it with its final
    response, Cancel FE00 (PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3)."""

    operation: Operation
    cancel: CCancelRequest
    diagnostics: tuple[Diagnostic, ...] = ()


@attrs.frozen(kw_only=True)
class UnexpectedCancel:
    """A C-CANCEL-RQ from the peer naming no outstanding C-FIND, C-GET or C-MOVE of its
    own (it may have crossed the final response on the wire: a warning then), or one on
    another presentation context."""

    context_id: int
    cancel: CCancelRequest
    diagnostic: Diagnostic
    diagnostics: tuple[Diagnostic, ...] = ()


OperationEvent: TypeAlias = (
    RequestReceived
    | ResponseReceived
    | UnexpectedResponse
    | DuplicateInvocation
    | RequestRefused
    | WindowOverrun
    | CancelReceived
    | UnexpectedCancel
)
"""What :class:`Operations` hands back for a message received."""


class Operations:
    """The DIMSE operations of one association, in both directions (see the module
    docstring).  ``side``: which end of the association we are (``"requestor"`` or
    ``"acceptor"``, the value of the engine's :class:`~dimsekit.Role`)."""

    __slots__ = (
        "_agreement",
        "_changes",
        "_checked",
        "_duplicates",
        "_next_id",
        "_ours",
        "_peers",
        "_side",
    )

    def __init__(self, agreement: Agreement, side: Side) -> None:
        if not isinstance(agreement, Agreement):
            raise TypeError(f"agreement is an Agreement, not {agreement!r}")
        if side not in ("requestor", "acceptor"):
            raise TypeError(f"side is 'requestor' or 'acceptor', not {side!r}")
        self._agreement = agreement
        self._side: Side = side
        self._next_id = _FIRST_ID
        self._ours: dict[int, Operation] = {}
        self._peers: dict[int, Operation] = {}
        self._duplicates: dict[int, list[Operation]] = {}
        """The duplicates whose Duplicate Invocation answer was handed out and not yet
        sent, by Message ID: each the duplicate's own (its context, its request), apart
        from the original's."""
        self._changes = 0
        """Counts the changes to what is outstanding: a check of :meth:`check_outgoing`
        holds while it has not moved."""
        self._checked: tuple[int, Message, int] | None = None
        """The last message :meth:`check_outgoing` passed: its context, itself, and the
        count of changes then."""

    # --- what the negotiation gave each side ------------------------------------------

    @property
    def side(self) -> Side:
        return self._side

    def _limit(self, side: Side) -> int:
        """How many operations ``side`` may have outstanding (PS3.7 D.3.3.3; 0: any)."""
        agreed = self._agreement
        if side == "requestor":
            return agreed.max_operations_invoked
        return agreed.max_operations_performed

    @property
    def our_window(self) -> int:
        """How many operations we may have outstanding (PS3.7 D.3.3.3; 0: unlimited)."""
        return self._limit(self._side)

    @property
    def peer_window(self) -> int:
        """How many operations the peer may have outstanding (0: unlimited)."""
        return self._limit(_other(self._side))

    @property
    def window_open(self) -> bool:
        """Whether one more request of ours fits the window (what a caller that holds
        requests rather than have them refused asks)."""
        limit = self.our_window
        return limit == 0 or len(self._ours) < limit

    @property
    def outstanding_ours(self) -> Mapping[int, Operation]:
        """Our outstanding operations by Message ID (a read-only view)."""
        return MappingProxyType(self._ours)

    @property
    def outstanding_peers(self) -> Mapping[int, Operation]:
        """The peer's outstanding operations by Message ID (a read-only view)."""
        return MappingProxyType(self._peers)

    # --- Message IDs -------------------------------------------------------------------

    def next_message_id(self) -> int:
        """A Message ID for our next request: the next of 1 to 65535 after the last one
        given, wrapping, skipping those still outstanding (PS3.7 9.1.1.1.1, 10.1.1.1.1).  It
        is not reserved until :meth:`request_sent`.  Every one outstanding:
        :class:`~dimsekit.LocalProtocolError`."""
        if len(self._ours) >= _ID_COUNT:
            raise LocalProtocolError(
                f"no Message ID is free: all {_ID_COUNT} are outstanding ({_UNIQUE})"
            )
        candidate = self._next_id
        while candidate in self._ours:
            candidate = _FIRST_ID if candidate == _LAST_ID else candidate + 1
        self._next_id = _FIRST_ID if candidate == _LAST_ID else candidate + 1
        return candidate

    # --- what a context carries ------------------------------------------------------

    def _context(self, context_id: int, request: Request[Any]) -> AcceptedContext:
        context = self._agreement.contexts.get(context_id)
        if context is None or not context.usable:
            raise LocalProtocolError(
                f"a {request.command_field.message_name} on presentation context "
                f"{context_id}, which the association did not accept (PS3.8 7.1.1.14)"
            )
        return context

    @staticmethod
    def _misfit(
        context: AcceptedContext, side: Side, request: Request[Any]
    ) -> tuple[str, str] | None:
        """What keeps ``side`` from invoking ``request`` on ``context``, and the rule
        (None: nothing): the role the negotiation gave it (PS3.7 D.3.3.4), the SOP class
        the context's abstract syntax names (PS3.7 D.1)."""
        by_scp = request.command_field in _INVOKED_BY_SCP
        syntax = context.abstract_syntax
        if not (context.scu_is(_other(side)) if by_scp else context.scu_is(side)):
            role = "SCP" if by_scp else "SCU"
            return f"the negotiation did not make the {side} {role} of {syntax}", _ROLE
        for field in _SOP_CLASS_FIELDS:
            sop_class = getattr(request, field, None)
            if sop_class is None:
                continue
            if sop_class != syntax and sop_class not in _META_SOP_CLASSES.get(syntax, ()):
                return f"its {field} is {sop_class}, the abstract syntax {syntax}", _SOP_CLASS
        return None

    # --- what we send: checked, then recorded ------------------------------------------

    def check_outgoing(self, context_id: int, message: Message) -> None:
        """Raise :class:`~dimsekit.LocalProtocolError` where sending ``message`` on
        ``context_id`` now breaks a rule (:meth:`request_sent`, :meth:`response_sent`,
        :meth:`cancel_sent` say which); change nothing.  :meth:`outgoing` of the same
        message (the same object, on the same context) does not check it again while
        nothing outstanding has changed since."""
        if isinstance(message, CCancelRequest):
            self._check_cancel(context_id, message)
        elif isinstance(message, Request):
            self._check_request(context_id, message)
        elif isinstance(message, Response):
            if not self._answers_duplicate(message):
                self._check_response(context_id, message)
        else:
            raise TypeError(f"message is a DIMSE Message, not {message!r}")
        self._checked = (context_id, message, self._changes)

    def outgoing(self, context_id: int, message: Message) -> Operation:
        """Record ``message``, about to be sent on ``context_id``: :meth:`request_sent`,
        :meth:`response_sent` or :meth:`cancel_sent`, by what it is (checked again but
        where :meth:`check_outgoing` passed it and nothing outstanding changed since)."""
        checked, self._checked = self._checked, None
        if (
            checked is not None
            and checked[1] is message
            and checked[0] == context_id
            and checked[2] == self._changes
        ):
            if isinstance(message, CCancelRequest):
                return self._mark(self._ours, message)
            if isinstance(message, Request):
                return self._record_request(
                    context_id, message, self._agreement.contexts[context_id]
                )
            if isinstance(message, Response):
                if self._answers_duplicate(message):
                    return self._duplicate_answered(message)
                return self._record_response(
                    self._peers[message.message_id_being_responded_to], message
                )
        if isinstance(message, CCancelRequest):
            return self.cancel_sent(context_id, message)
        if isinstance(message, Request):
            return self.request_sent(context_id, message)
        if isinstance(message, Response):
            return self.response_sent(context_id, message)
        raise TypeError(f"message is a DIMSE Message, not {message!r}")

    def incoming(
        self, context_id: int, message: Message, diagnostics: tuple[Diagnostic, ...] = ()
    ) -> OperationEvent:
        """The event for ``message``, received on ``context_id`` (what deviated in its
        decoding, ``diagnostics``, goes with it): :meth:`request_received`,
        :meth:`response_received` or :meth:`cancel_received`, by what it is."""
        if isinstance(message, CCancelRequest):
            return self.cancel_received(context_id, message, diagnostics)
        if isinstance(message, Request):
            return self.request_received(context_id, message, diagnostics)
        if isinstance(message, Response):
            return self.response_received(context_id, message, diagnostics)
        raise TypeError(f"message is a DIMSE Message, not {message!r}")

    # --- our requests and their responses ----------------------------------------------

    def _check_request(self, context_id: int, request: Request[Any]) -> AcceptedContext:
        if not isinstance(request, Request):
            raise TypeError(f"request is a DIMSE Request, not {request!r}")
        context = self._context(context_id, request)
        misfit = self._misfit(context, self._side, request)
        message_id = request.message_id
        if misfit is None and message_id not in self._ours and self.window_open:
            return context
        name = request.command_field.message_name
        if misfit is not None:
            what, rule = misfit
            raise LocalProtocolError(
                f"a {name} on presentation context {context_id}: {what} ({rule})"
            )
        if message_id in self._ours:
            raise LocalProtocolError(
                f"a {name} with Message ID {message_id}, already outstanding ({_UNIQUE})"
            )
        raise LocalProtocolError(
            f"a {name} beyond the window: {len(self._ours)} operations of ours are "
            f"outstanding, the {self._side} may have {self.our_window} ({_WINDOW})"
        )

    def request_sent(self, context_id: int, request: Request[Any]) -> Operation:
        """Record ``request``, about to be sent on ``context_id``, as our outstanding
        operation, and return it.

        Refused with :class:`~dimsekit.LocalProtocolError`: a Message ID already
        outstanding of ours (PS3.7 9.1.1.1.1, 10.1.1.1.1); a context not accepted; a role
        the negotiation did not give us on it (PS3.7 D.3.3.4: a C-STORE-RQ where we are
        not SCU, an N-EVENT-REPORT-RQ where we are not SCP); a SOP class the context's
        abstract syntax does not name (PS3.7 D.1; PS3.4 H.3.2.2 for the Print Management
        Meta SOP Classes); one request beyond our window (PS3.7 D.3.3.3).  A request
        beyond the window is refused, never held: holding it until an operation ends is
        the caller's choice (ask :attr:`window_open`).
        """
        return self._record_request(context_id, request, self._check_request(context_id, request))

    def _record_request(
        self, context_id: int, request: Request[Any], context: AcceptedContext
    ) -> Operation:
        operation = Operation(
            context_id=context_id,
            request=request,
            ours=True,
            transfer_syntax=context.transfer_syntax,
        )
        self._ours[request.message_id] = operation
        self._changes += 1
        return operation

    def response_received(
        self,
        context_id: int,
        response: Response,
        diagnostics: tuple[Diagnostic, ...] = (),
    ) -> ResponseReceived | UnexpectedResponse:
        """The response received on ``context_id``, paired with our operation its
        Message ID Being Responded To names (PS3.7 9.3, 10.3): a
        :class:`ResponseReceived` (the operation ends with a final one), or an
        :class:`UnexpectedResponse` where none of ours is outstanding under that ID."""
        if not isinstance(response, Response):
            raise TypeError(f"response is a DIMSE Response, not {response!r}")
        message_id = response.message_id_being_responded_to
        operation = self._ours.get(message_id)
        if operation is None:
            name = response.command_field.message_name
            return UnexpectedResponse(
                context_id=context_id,
                response=response,
                diagnostic=Diagnostic(
                    what=f"a {name} to Message ID {message_id}, which names no outstanding "
                    "request of ours",
                    rule=_ANSWERS,
                    severity=Severity.ERROR,
                ),
                diagnostics=diagnostics,
            )
        mismatches = list(operation.request.check_response(response))
        if context_id != operation.context_id:
            mismatches.append(
                ResponseMismatch("context_id", operation.context_id, context_id, _SAME_CONTEXT)
            )
        final = not response.status.is_pending
        if final:
            del self._ours[message_id]
            self._changes += 1
        return ResponseReceived(
            operation=operation,
            response=response,
            final=final,
            mismatches=tuple(mismatches),
            diagnostics=diagnostics,
        )

    # --- the peer's requests and our responses -----------------------------------------

    def request_received(
        self,
        context_id: int,
        request: Request[Any],
        diagnostics: tuple[Diagnostic, ...] = (),
    ) -> RequestReceived | DuplicateInvocation | RequestRefused | WindowOverrun:
        """Take the peer's ``request``, received on ``context_id`` (one the association
        accepted: the engine aborts on any other before a message is assembled, PS3.8
        9.3.5.1; another is a ``ValueError``): a :class:`RequestReceived`, its outstanding
        operation; a :class:`DuplicateInvocation` carrying the 0210H answer where the
        peer's Message ID is already outstanding (PS3.7 C.5), the request not taken; a
        :class:`RequestRefused` carrying the 0122H answer where the context does not
        carry it (the peer's role, its SOP class: PS3.7 D.3.3.4, D.1); a
        :class:`WindowOverrun` where it is one beyond the peer's window (PS3.7 D.3.3.3).
        The last two are taken all the same, for their answer to end them."""
        if not isinstance(request, Request):
            raise TypeError(f"request is a DIMSE Request, not {request!r}")
        context = self._agreement.contexts.get(context_id)
        if context is None:
            raise ValueError(
                f"presentation context {context_id} was not accepted: the engine aborts on "
                "such a message before it is assembled (PS3.8 9.3.5.1)"
            )
        message_id = request.message_id
        original = self._peers.get(message_id)
        self._changes += 1
        if original is not None:
            name = request.command_field.message_name
            self._duplicates.setdefault(message_id, []).append(
                Operation(
                    context_id=context_id,
                    request=request,
                    ours=False,
                    transfer_syntax=context.transfer_syntax,
                )
            )
            return DuplicateInvocation(
                context_id=context_id,
                request=request,
                original=original,
                response=_answer(request, DUPLICATE_INVOCATION),
                diagnostic=Diagnostic(
                    what=f"a {name} with Message ID {message_id}, which a "
                    f"{original.request.command_field.message_name} of the peer still holds",
                    rule=_UNIQUE,
                    severity=Severity.ERROR,
                ),
                diagnostics=diagnostics,
            )
        operation = Operation(
            context_id=context_id,
            request=request,
            ours=False,
            transfer_syntax=context.transfer_syntax,
        )
        self._peers[message_id] = operation
        misfit = self._misfit(context, _other(self._side), request)
        if misfit is not None:
            what, rule = misfit
            return RequestRefused(
                operation=operation,
                response=_answer(request, SOP_CLASS_NOT_SUPPORTED),
                diagnostic=Diagnostic(
                    what=f"a {request.command_field.message_name} on presentation context "
                    f"{context_id}: {what}",
                    rule=rule,
                    severity=Severity.ERROR,
                ),
                diagnostics=diagnostics,
            )
        limit = self.peer_window
        if limit and len(self._peers) > limit:
            status = OUT_OF_RESOURCES.get(request.command_field, _RESOURCE_LIMITATION)
            return WindowOverrun(
                operation=operation,
                limit=limit,
                response=_answer(request, status),
                diagnostic=Diagnostic(
                    what=f"a {request.command_field.message_name} makes {len(self._peers)} "
                    "operations of the peer "
                    f"outstanding; the {_other(self._side)} may have {limit}",
                    rule=_WINDOW,
                    severity=Severity.ERROR,
                ),
                diagnostics=diagnostics,
            )
        return RequestReceived(operation=operation, diagnostics=diagnostics)

    def _answers_duplicate(self, response: Response) -> bool:
        """Whether ``response`` is the 0210H answer a :class:`DuplicateInvocation` handed
        out: the duplicate's own, on its context and of its service, not an answer to the
        original (whose checks are not its, and which may have ended since)."""
        if not isinstance(response, Response):
            raise TypeError(f"response is a DIMSE Response, not {response!r}")
        return (
            response.status == DUPLICATE_INVOCATION
            and response.message_id_being_responded_to in self._duplicates
        )

    def _check_response(self, context_id: int, response: Response) -> Operation:
        if not isinstance(response, Response):
            raise TypeError(f"response is a DIMSE Response, not {response!r}")
        message_id = response.message_id_being_responded_to
        operation = self._peers.get(message_id)
        if operation is not None and context_id == operation.context_id:
            mismatches = operation.request.check_response(response)
            if not mismatches:
                return operation
            raise LocalProtocolError(
                f"a {response.command_field.message_name} that does not answer its request: "
                + "; ".join(str(mismatch) for mismatch in mismatches)
            )
        name = response.command_field.message_name
        if operation is None:
            raise LocalProtocolError(
                f"a {name} to Message ID {message_id}, which names no outstanding request "
                f"of the peer ({_ANSWERS})"
            )
        raise LocalProtocolError(
            f"a {name} on presentation context {context_id}; its request came on "
            f"{operation.context_id} ({_SAME_CONTEXT})"
        )

    def response_sent(self, context_id: int, response: Response) -> Operation:
        """Record our ``response``, about to be sent on ``context_id``, to the peer's
        operation it names, and return that operation; a final one (any status but
        Pending) ends it.  Refused with :class:`~dimsekit.LocalProtocolError`: a response
        to no outstanding operation of the peer, on another context, or that does not
        answer its request (:meth:`~dimsekit.Request.check_response`).  The 0210H answer
        of a :class:`DuplicateInvocation` is the duplicate's: none of those checks is its,
        it ends nothing outstanding (the original stays, or has ended already), and the
        operation returned is the duplicate's own (never outstanding)."""
        if self._answers_duplicate(response):
            return self._duplicate_answered(response)
        return self._record_response(self._check_response(context_id, response), response)

    def _duplicate_answered(self, response: Response) -> Operation:
        """The duplicate the 0210H ``response`` answers, first come first answered."""
        message_id = response.message_id_being_responded_to
        waiting = self._duplicates[message_id]
        duplicate = waiting.pop(0)
        if not waiting:
            del self._duplicates[message_id]
        self._changes += 1
        return duplicate

    def _record_response(self, operation: Operation, response: Response) -> Operation:
        if not response.status.is_pending:
            del self._peers[operation.message_id]
            self._changes += 1
        return operation

    # --- C-CANCEL ----------------------------------------------------------------------

    def _cancelled(
        self, table: dict[int, Operation], context_id: int, cancel: CCancelRequest
    ) -> Iterator[str]:
        """What keeps ``cancel`` from naming an operation of ``table`` (nothing: it
        does, and that operation is marked cancelled)."""
        message_id = cancel.message_id_being_responded_to
        operation = table.get(message_id)
        if operation is None:
            yield f"Message ID {message_id} names no outstanding operation"
            return
        field = operation.request.command_field
        if field not in CANCELLABLE:
            yield f"Message ID {message_id} names a {field.message_name}, which no C-CANCEL stops"
        if context_id != operation.context_id:
            yield (
                f"it came on presentation context {context_id}, the operation on "
                f"{operation.context_id} ({_SAME_CONTEXT})"
            )
        if operation.cancelled:
            yield f"the operation of Message ID {message_id} is already cancelled"

    def _check_cancel(self, context_id: int, cancel: CCancelRequest) -> None:
        if not isinstance(cancel, CCancelRequest):
            raise TypeError(f"cancel is a CCancelRequest, not {cancel!r}")
        problems = list(self._cancelled(self._ours, context_id, cancel))
        if problems:
            raise LocalProtocolError(
                f"a C-CANCEL-RQ that cancels nothing: {'; '.join(problems)} ({_CANCELS})"
            )

    def cancel_sent(self, context_id: int, cancel: CCancelRequest) -> Operation:
        """Record our C-CANCEL-RQ, about to be sent on ``context_id``, and return the
        operation of ours it names, now ``cancelled``: its final response then says so
        (:attr:`ResponseReceived.cancelled`).  A C-CANCEL counts against no window and
        has no response of its own (PS3.7 9.3.2.3, 9.3.3.3, 9.3.4.3).  Refused with
        :class:`~dimsekit.LocalProtocolError`: no outstanding operation of ours under
        its Message ID (one that has ended included), one that is no C-FIND, C-GET or
        C-MOVE, another context, or one already cancelled."""
        self._check_cancel(context_id, cancel)
        return self._mark(self._ours, cancel)

    def cancel_received(
        self,
        context_id: int,
        cancel: CCancelRequest,
        diagnostics: tuple[Diagnostic, ...] = (),
    ) -> CancelReceived | UnexpectedCancel:
        """The peer's C-CANCEL-RQ received on ``context_id``, routed to the operation it
        invoked that it names: a :class:`CancelReceived` for us, its SCP, to act on, or
        an :class:`UnexpectedCancel` (a warning where no operation is outstanding under
        its Message ID, which a cancel crossing the final response makes; an error
        otherwise)."""
        if not isinstance(cancel, CCancelRequest):
            raise TypeError(f"cancel is a CCancelRequest, not {cancel!r}")
        problems = list(self._cancelled(self._peers, context_id, cancel))
        if problems:
            gone = cancel.message_id_being_responded_to not in self._peers
            return UnexpectedCancel(
                context_id=context_id,
                cancel=cancel,
                diagnostic=Diagnostic(
                    what=f"a C-CANCEL-RQ that cancels nothing: {'; '.join(problems)}",
                    rule=_CANCELS,
                    severity=Severity.WARNING if gone else Severity.ERROR,
                ),
                diagnostics=diagnostics,
            )
        return CancelReceived(
            operation=self._mark(self._peers, cancel), cancel=cancel, diagnostics=diagnostics
        )

    # --- the end ------------------------------------------------------------------------

    def end_all(self) -> tuple[Operation, ...]:
        """End every outstanding operation, ours then the peer's, without a final
        response (the association is over), and return them."""
        ended = (*self._ours.values(), *self._peers.values())
        self._changes += 1
        self._ours.clear()
        self._peers.clear()
        self._duplicates.clear()
        return ended

    def _mark(self, table: dict[int, Operation], cancel: CCancelRequest) -> Operation:
        message_id = cancel.message_id_being_responded_to
        operation = attrs.evolve(table[message_id], cancelled=True)
        table[message_id] = operation
        self._changes += 1
        return operation
