"""Association negotiation as a policy, apart from the state machine (PS3.8 7.1.1, 9.3.2
to 9.3.4, Annex D; PS3.7 D.3.3): pure functions of the typed A-ASSOCIATE PDUs.

Owns: the requestor's side (:class:`ProposedContext` and :func:`propose`, which builds an
A-ASSOCIATE-RQ; :func:`check_received_answer`, what an A-ASSOCIATE-AC does not answer of
it); the acceptor's side (:class:`AcceptorPolicy` and :func:`answer`, the AC or RJ a policy
gives an RQ; :func:`check_local_answer`, which refuses a user's own AC that does not
answer its RQ; :data:`DEFAULT_POLICY`, what DCMTK's storescp accepts by default); the
provider's own test of an RQ (:func:`provider_refusal`, AE-6 of PS3.8 9.2); and what both
sides hold once the AC is sent or received (:class:`Agreement` of
:class:`AcceptedContext`, from :func:`agreement`).  The rules an AC follows against its
RQ are written once (``_answer_problems``): the requestor reports them as diagnostics,
the acceptor refuses to send an AC that breaks one.

Must not know: the states and events of PS3.8 9.2, bytes and their layouts, DIMSE
messages (it takes only the Verification SOP Class UID of ``messages``), sockets and
clocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Final, Literal, TypeVar

import attrs
from pydicom import uid as _uid
from pydicom.uid import UID

from .._diagnostics import Diagnostic, DiagnosticLog, Severity
from .._errors import ContextNotAgreedError, InvalidPDUError, LocalProtocolError
from .._framing import pdu_encode  # noqa: F401 (registers the item measure items ask)
from .._framing.items import (
    DICOM_APPLICATION_CONTEXT,
    AsynchronousOperationsWindow,
    ContextResult,
    PresentationContextAC,
    PresentationContextRQ,
    RoleSelection,
    SOPClassCommonExtendedNegotiation,
    SOPClassExtendedNegotiation,
    SubItem,
    UserIdentityAC,
    UserIdentityRQ,
    UserIdentityType,
    UserInformation,
    context_id_holds,
    uid_problem,
)
from .._framing.pdus import (
    AAssociateAC,
    AAssociateRJ,
    AAssociateRQ,
    RejectReason,
    RejectResult,
    answer_diagnostics,
)
from .._model import vr
from ..messages import VERIFICATION_SOP_CLASS

__all__ = [
    "DEFAULT_MAX_PDU_LENGTH",
    "DEFAULT_POLICY",
    "DEFAULT_TRANSFER_SYNTAXES",
    "IMPLEMENTATION_CLASS_UID",
    "IMPLEMENTATION_VERSION_NAME",
    "STORAGE_SOP_CLASSES",
    "AcceptedContext",
    "AcceptorPolicy",
    "Agreement",
    "ProposedContext",
    "agreement",
    "answer",
    "check_local_answer",
    "check_received_answer",
    "propose",
    "provider_refusal",
]

IMPLEMENTATION_CLASS_UID: Final = UID("2.25.127997657010449872655278908721906391021")
"""dimsekit's Implementation Class UID (PS3.7 D.3.3.2): a UUID-derived UID (PS3.5 B.2),
sent in the 52H sub-item of every RQ and AC it builds unless told otherwise."""

IMPLEMENTATION_VERSION_NAME: Final = "DIMSEKIT_0.1.0"
"""dimsekit's Implementation Version Name (PS3.7 D.3.3.2.3): the package version."""

DEFAULT_MAX_PDU_LENGTH: Final = 16382
"""The Maximum Length dimsekit announces unless told otherwise (PS3.8 D.1): what
pynetdicom announces; 0 would mean no maximum."""

DEFAULT_TRANSFER_SYNTAXES: Final[tuple[UID, ...]] = (
    _uid.ExplicitVRLittleEndian,
    _uid.ImplicitVRLittleEndian,
)
"""What :func:`propose` offers for a context given as a bare abstract syntax: Explicit VR
Little Endian first, then the default every AE supports, Implicit VR Little Endian
(PS3.5 10.1)."""

_NOT_PATIENT_STORAGE: Final = frozenset({_uid.MediaStorageDirectoryStorage})
"""A SOP class named "... Storage" that no C-STORE carries: the DICOMDIR (PS3.10)."""

STORAGE_SOP_CLASSES: Final[tuple[UID, ...]] = tuple(
    UID(uid)
    for uid, (name, kind, *_rest) in _uid.UID_dictionary.items()  # type: ignore[attr-defined]
    if kind == "SOP Class"
    and "Storage" in name
    and "Storage Commitment" not in name
    and uid not in _NOT_PATIENT_STORAGE
)
"""The storage SOP classes (PS3.4 B.5), retired ones included, as pydicom's UID
dictionary names them ("... Storage"; Storage Commitment is not one): what
:data:`DEFAULT_POLICY` accepts, a superset of DCMTK's ``dcmAllStorageSOPClassUIDs``."""

Side = Literal["requestor", "acceptor"]
"""Which end of the association (PS3.8 7.1: the requestor asked for it)."""

_T = TypeVar("_T")

_ONCE: Final = "an A-ASSOCIATE-AC answers each presentation context once (PS3.8 7.1.1.14, 9.3.3.2)"
_ROLES: Final = (
    "an acceptor answers a role selection only for a SOP class the requestor sent one for, "
    "and never accepts a role the requestor did not propose (PS3.7 D.3.3.4)"
)
_WINDOW: Final = (
    "an acceptor answers the asynchronous operations window only when the requestor sent "
    "one, each maximum at most the requestor's (0: unlimited) (PS3.7 D.3.3.3)"
)
_IDENTITY: Final = (
    "a user identity answer (59H) is sent only for a user identity (58H) that asked for a "
    "positive response (PS3.7 D.3.3.7)"
)
_EMPTY_RESPONSE: Final = (
    "the server response of a user identity answer (59H) is zero length for a username "
    "(type 1) or a username and passcode (type 2) (PS3.7 D.3.3.7.2)"
)
_NO_SERVER_RESPONSE: Final = frozenset(
    {UserIdentityType.USERNAME, UserIdentityType.USERNAME_AND_PASSCODE}
)
"""The user identity types answered with a zero-length server response (PS3.7 D.3.3.7.2)."""
_EXTENDED: Final = (
    "an extended negotiation answer (56H) is sent only for a SOP class the requestor "
    "sent one for (PS3.7 D.3.3.5)"
)
_IDS: Final = (
    "an A-ASSOCIATE-RQ proposes one or more presentation contexts (PS3.8 9.3.2), each under "
    "its own ID, an odd integer from 1 to 255 (PS3.8 9.3.2.2); no A-ASSOCIATE-AC answers an "
    "RQ that breaks it (PS3.8 7.1.1.14), so it is rejected"
)
_ECHO: Final = (
    "the A-ASSOCIATE-AC's called and calling AE title fields are sent with the values of "
    "the A-ASSOCIATE-RQ (PS3.8 9.3.3)"
)


# --- the requestor: what is proposed ---------------------------------------------------------


def _to_syntaxes(value: Iterable[str | bytes] | str | bytes) -> tuple[UID, ...]:
    if isinstance(value, str | bytes):
        return (vr.to_uid(value),)
    if not isinstance(value, Iterable):
        raise TypeError(
            f"transfer syntaxes are a UID or an iterable of UIDs, not {type(value).__name__}"
        )
    return tuple(vr.to_uid(item) for item in value)


@attrs.frozen(kw_only=True)
class ProposedContext:
    """One presentation context a requestor proposes (PS3.8 7.1.1.13): an abstract syntax,
    the transfer syntaxes offered for it in the requestor's order of preference, and the
    roles it asks for with an SCP/SCU Role Selection sub-item (PS3.7 D.3.3.4): both None,
    none is sent (the requestor is SCU, the acceptor SCP); one given, the other takes its
    default (SCU proposed, SCP not)."""

    abstract_syntax: UID = attrs.field(converter=vr.to_uid)
    transfer_syntaxes: tuple[UID, ...] = attrs.field(
        default=DEFAULT_TRANSFER_SYNTAXES, converter=_to_syntaxes
    )
    scu_role: bool | None = None
    scp_role: bool | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("scu_role", "scp_role"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise TypeError(
                    f"ProposedContext.{name} must be bool or None, not {type(value).__name__}"
                )
        self.item(1)  # the rules of a proposed context are the item's (PS3.8 9.3.2.2)

    @property
    def asks_roles(self) -> bool:
        return self.scu_role is not None or self.scp_role is not None

    @property
    def roles(self) -> tuple[bool, bool]:
        """(SCU, SCP) as proposed, the defaults filled in (PS3.7 D.3.3.4)."""
        return (
            True if self.scu_role is None else self.scu_role,
            False if self.scp_role is None else self.scp_role,
        )

    def item(self, context_id: int) -> PresentationContextRQ:
        """The Presentation Context item proposing it under ``context_id``."""
        return PresentationContextRQ(
            context_id=context_id,
            abstract_syntax=self.abstract_syntax,
            transfer_syntaxes=self.transfer_syntaxes,
        )


def _proposed(value: object) -> ProposedContext:
    if isinstance(value, ProposedContext):
        return value
    if isinstance(value, str | bytes):
        return ProposedContext(abstract_syntax=value)
    raise TypeError(f"propose() contexts holds ProposedContext or str, not {type(value).__name__}")


def propose(
    *,
    calling_ae_title: str | bytes,
    called_ae_title: str | bytes,
    contexts: Iterable[ProposedContext | str],
    max_pdu_length: int = DEFAULT_MAX_PDU_LENGTH,
    implementation_class_uid: str | bytes = IMPLEMENTATION_CLASS_UID,
    implementation_version_name: str | bytes | None = IMPLEMENTATION_VERSION_NAME,
    async_window: tuple[int, int] | None = None,
    user_identity: UserIdentityRQ | None = None,
    extended_negotiation: Iterable[SOPClassExtendedNegotiation] = (),
    common_extended_negotiation: Iterable[SOPClassCommonExtendedNegotiation] = (),
) -> AAssociateRQ:
    """The A-ASSOCIATE-RQ proposing ``contexts`` (PS3.8 9.3.2): context IDs 1, 3, 5, ... in
    the order given (PS3.8 9.3.2.2), one SCP/SCU Role Selection sub-item per SOP class
    that asks for roles (PS3.7 D.3.3.4: contexts of one SOP class asking different roles
    are refused), the Asynchronous Operations Window (``(invoked, performed)``, PS3.7
    D.3.3.3; None: none sent, synchronous), a user identity (PS3.7 D.3.3.7) and extended
    negotiation sub-items (PS3.7 D.3.3.5, D.3.3.6).  A string is an abstract syntax
    offered with :data:`DEFAULT_TRANSFER_SYNTAXES`."""
    if isinstance(contexts, str | bytes) or not isinstance(contexts, Iterable):
        raise TypeError(
            "propose() contexts must be an iterable of ProposedContext or str, "
            f"not {type(contexts).__name__}"
        )
    proposed = [_proposed(context) for context in contexts]
    if user_identity is not None and not isinstance(user_identity, UserIdentityRQ):
        raise TypeError(
            f"propose() user_identity must be UserIdentityRQ or None, "
            f"not {type(user_identity).__name__}"
        )
    roles: dict[UID, tuple[bool, bool]] = {}
    for context in proposed:
        if not context.asks_roles:
            continue
        asked = roles.setdefault(context.abstract_syntax, context.roles)
        if asked != context.roles:
            raise ValueError(
                f"propose(): the contexts of {context.abstract_syntax} ask for different "
                "roles, and one role selection sub-item is sent per SOP class (PS3.7 D.3.3.4)"
            )
    others: list[SubItem] = [
        RoleSelection(sop_class_uid=uid, scu_role=int(scu), scp_role=int(scp))
        for uid, (scu, scp) in roles.items()
    ]
    others += _items_of(extended_negotiation, SOPClassExtendedNegotiation, "extended_negotiation")
    others += _items_of(
        common_extended_negotiation,
        SOPClassCommonExtendedNegotiation,
        "common_extended_negotiation",
    )
    if user_identity is not None:
        others.append(user_identity)
    return AAssociateRQ(
        called_ae_title=called_ae_title,
        calling_ae_title=calling_ae_title,
        presentation_contexts=[
            context.item(2 * index + 1) for index, context in enumerate(proposed)
        ],
        user_information=UserInformation.of(
            maximum_length=max_pdu_length,
            implementation_class_uid=implementation_class_uid,
            implementation_version_name=implementation_version_name,
            asynchronous_operations_window=async_window,
            others=others,
        ),
    )


def _items_of(value: Iterable[_T], kind: type[_T], name: str) -> list[_T]:
    items = list(value)
    for item in items:
        if not isinstance(item, kind):
            raise TypeError(f"propose() {name} holds {kind.__name__}, not {type(item).__name__}")
    return items


# --- what both sides hold once the answer is known -----------------------------------------


@attrs.frozen(kw_only=True)
class AcceptedContext:
    """An accepted presentation context: its abstract syntax, the one transfer syntax
    accepted (PS3.8 9.3.3.2), and the roles the requestor may take for it (PS3.7
    D.3.3.4; without a role selection, the requestor is SCU and the acceptor SCP).  The
    acceptor takes the other role of each: the requestor's SCP role is the acceptor's SCU
    role."""

    context_id: int
    abstract_syntax: UID = attrs.field(converter=vr.to_uid)
    transfer_syntax: UID = attrs.field(converter=vr.to_uid)
    requestor_is_scu: bool = True
    requestor_is_scp: bool = False

    @property
    def acceptor_is_scu(self) -> bool:
        return self.requestor_is_scp

    @property
    def acceptor_is_scp(self) -> bool:
        return self.requestor_is_scu

    @property
    def usable(self) -> bool:
        """Whether either side has a role left on it (both refused: no DIMSE flows)."""
        return self.requestor_is_scu or self.requestor_is_scp

    def scu_is(self, side: Side) -> bool:
        """Whether ``side`` may act as SCU (invoke the operations) on this context."""
        return self.requestor_is_scu if side == "requestor" else self.requestor_is_scp


@attrs.frozen(kw_only=True)
class Agreement:
    """What an association agreed (PS3.8 7.1.1, PS3.7 D.3.3), the same for both sides: the
    accepted contexts by ID (:class:`AcceptedContext`), the rejected ones with their
    result (a proposed context the AC left out is taken as rejected: ``NO_REASON``; one
    accepted with a transfer syntax that was not proposed for it, or with none, as
    ``TRANSFER_SYNTAXES_NOT_SUPPORTED``, since the requestor cannot encode in a syntax it
    did not offer, PS3.8 7.1.1.14: it is never usable for sending), each
    side's Maximum Length (0: no maximum; PS3.8 D.1), the asynchronous operations window
    (PS3.7 D.3.3.3: ``max_operations_invoked`` is how many operations the requestor may
    have outstanding, ``max_operations_performed`` how many the acceptor may; 0:
    unlimited; 1/1 without the sub-item), the user identity answer and the extended
    negotiation answers by SOP class.  What the AC answered beyond its RQ is taken as the
    receiver takes it (:func:`check_received_answer` says what)."""

    rq: AAssociateRQ
    ac: AAssociateAC
    contexts: Mapping[int, AcceptedContext]
    rejected: Mapping[int, ContextResult]
    requestor_max_pdu_length: int
    acceptor_max_pdu_length: int
    max_operations_invoked: int = 1
    max_operations_performed: int = 1
    user_identity: UserIdentityAC | None = None
    extended_negotiation: Mapping[UID, SOPClassExtendedNegotiation] = attrs.field(factory=dict)

    def contexts_for(
        self,
        abstract_syntax: str,
        transfer_syntax: str | None = None,
        *,
        scu: Side | None = None,
    ) -> tuple[AcceptedContext, ...]:
        """The usable accepted contexts of ``abstract_syntax`` (and ``transfer_syntax``),
        in ID order; ``scu``: only those where that side may act as SCU (a requestor
        sending a C-STORE asks ``scu="requestor"``, a C-GET SCP sending its C-STORE
        sub-operations ``scu="acceptor"``)."""
        return tuple(
            context
            for _, context in sorted(self.contexts.items())
            if context.abstract_syntax == abstract_syntax
            and (transfer_syntax is None or context.transfer_syntax == transfer_syntax)
            and context.usable
            and (scu is None or context.scu_is(scu))
        )

    def for_abstract_syntax(
        self,
        abstract_syntax: str,
        transfer_syntax: str | None = None,
        *,
        scu: Side | None = None,
    ) -> AcceptedContext | None:
        """The first of :meth:`contexts_for`, or None where there is none (a rejected or
        never proposed abstract syntax): :meth:`context_for` raises instead."""
        found = self.contexts_for(abstract_syntax, transfer_syntax, scu=scu)
        return found[0] if found else None

    def context_for(
        self,
        abstract_syntax: str,
        transfer_syntax: str | None = None,
        *,
        scu: Side | None = None,
    ) -> AcceptedContext:
        """The first of :meth:`contexts_for`, the context to send on; where there is none,
        :class:`~dimsekit.ContextNotAgreedError` names ``abstract_syntax`` and says what
        the A-ASSOCIATE-AC answered for each context proposed for it (PS3.8 7.1.1.14:
        rejected with which result, not answered, accepted with another transfer syntax
        or with roles that do not fit ``scu``), or that none was proposed."""
        found = self.contexts_for(abstract_syntax, transfer_syntax, scu=scu)
        if found:
            return found[0]
        wanted = "".join(
            (
                f" in {transfer_syntax}" if transfer_syntax is not None else "",
                f" with the {scu} as SCU" if scu is not None else "",
            )
        )
        told = "; ".join(
            self._answered(context.context_id)
            for context in self.rq.presentation_contexts
            if context.abstract_syntax == abstract_syntax
        )
        raise ContextNotAgreedError(
            f"no usable presentation context for {abstract_syntax}{wanted}: "
            + (told or "none was proposed for it"),
            abstract_syntax=abstract_syntax,
        )

    def _answered(self, context_id: int) -> str:
        """What the AC answered for proposed context ``context_id``, as agreed."""
        accepted = self.contexts.get(context_id)
        if accepted is not None:
            roles = " and ".join(
                role
                for role, held in (
                    ("SCU", accepted.requestor_is_scu),
                    ("SCP", accepted.requestor_is_scp),
                )
                if held
            )
            return (
                f"context {context_id} is accepted with {accepted.transfer_syntax}, the "
                f"requestor {roles or 'neither SCU nor SCP'}"
            )
        value = self.rejected.get(context_id, ContextResult.NO_REASON)
        # a result of no meaning (the decoder reported it) stays an int
        result = value.name if isinstance(value, ContextResult) else f"result {int(value)}"
        answered = next(
            (item for item in self.ac.presentation_contexts if item.context_id == context_id),
            None,
        )
        if answered is None:
            return f"context {context_id} is not answered, taken as rejected ({result})"
        if answered.accepted:
            return (
                f"context {context_id} is accepted with "
                f"{answered.transfer_syntax or 'no transfer syntax'}, not one proposed for it, "
                f"taken as rejected ({result})"
            )
        return f"context {context_id} is rejected ({result})"


def _role_selections(information: UserInformation) -> dict[UID, RoleSelection]:
    return {item.sop_class_uid: item for item in information.role_selections}


def _window(information: UserInformation) -> tuple[int, int] | None:
    item = information.asynchronous_operations_window
    if item is None:
        return None
    return (item.maximum_number_operations_invoked, item.maximum_number_operations_performed)


def _within(answered: int, offered: int) -> bool:
    """Whether an answered maximum is within the offered one (0: unlimited)."""
    return offered == 0 or (answered != 0 and answered <= offered)


def agreement(rq: AAssociateRQ, ac: AAssociateAC) -> Agreement:
    """What ``rq`` and its answer ``ac`` agree, taking what the AC answers beyond the RQ
    as a receiver does (PS3.8 7.1.1.14; PS3.7 D.3.3): an answer to a context never
    proposed is ignored, a left-out context is rejected, a context accepted with a
    transfer syntax not proposed for it is rejected (transfer-syntaxes-not-supported), a
    role the RQ did not propose is refused, a window maximum above the offer is the
    offer, a window without one in the RQ is 1/1."""
    proposed = {context.context_id: context for context in rq.presentation_contexts}
    asked_roles = _role_selections(rq.user_information)
    answered_roles = _role_selections(ac.user_information)
    contexts: dict[int, AcceptedContext] = {}
    rejected: dict[int, ContextResult] = {}
    for item in ac.presentation_contexts:
        request = proposed.get(item.context_id)
        if request is None or item.context_id in contexts or item.context_id in rejected:
            continue
        if not item.accepted:
            rejected[item.context_id] = item.result
            continue
        if item.transfer_syntax not in request.transfer_syntaxes:
            # the requestor cannot encode in a syntax it did not offer (PS3.8 7.1.1.14)
            rejected[item.context_id] = ContextResult.TRANSFER_SYNTAXES_NOT_SUPPORTED
            continue
        scu, scp = _agreed_roles(
            asked_roles.get(request.abstract_syntax), answered_roles.get(request.abstract_syntax)
        )
        contexts[item.context_id] = AcceptedContext(
            context_id=item.context_id,
            abstract_syntax=request.abstract_syntax,
            transfer_syntax=item.transfer_syntax,
            requestor_is_scu=scu,
            requestor_is_scp=scp,
        )
    for context_id in proposed.keys() - contexts.keys() - rejected.keys():
        rejected[context_id] = ContextResult.NO_REASON
    invoked, performed = 1, 1
    offered, answered = _window(rq.user_information), _window(ac.user_information)
    if offered is not None and answered is not None:
        invoked, performed = (
            value if _within(value, limit) else limit
            for value, limit in zip(answered, offered, strict=True)
        )
    identity = ac.user_information.user_identity
    asked_extended = {item.sop_class_uid for item in rq.user_information.extended_negotiations}
    return Agreement(
        rq=rq,
        ac=ac,
        contexts=dict(sorted(contexts.items())),
        rejected=dict(sorted(rejected.items())),
        requestor_max_pdu_length=rq.user_information.maximum_length or 0,
        acceptor_max_pdu_length=ac.user_information.maximum_length or 0,
        max_operations_invoked=invoked,
        max_operations_performed=performed,
        user_identity=identity
        if isinstance(identity, UserIdentityAC) and _asked_positive(rq)
        else None,
        extended_negotiation={
            item.sop_class_uid: item
            for item in ac.user_information.extended_negotiations
            if item.sop_class_uid in asked_extended
        },
    )


def _agreed_roles(asked: RoleSelection | None, answered: RoleSelection | None) -> tuple[bool, bool]:
    """(requestor is SCU, requestor is SCP) for one SOP class (PS3.7 D.3.3.4): the
    defaults without a role selection in the RQ or in the AC; otherwise each role both
    proposed and accepted."""
    if asked is None or answered is None:
        return True, False
    return (
        bool(asked.scu_role and answered.scu_role),
        bool(asked.scp_role and answered.scp_role),
    )


def _asked_positive(rq: AAssociateRQ) -> bool:
    identity = rq.user_information.user_identity
    return isinstance(identity, UserIdentityRQ) and bool(identity.positive_response_requested)


# --- the rules an AC follows against its RQ, written once ----------------------------------


def _problem(what: str, rule: str) -> Diagnostic:
    return Diagnostic(what=what, rule=rule, severity=Severity.ERROR)


def _answer_problems(rq: AAssociateRQ, ac: AAssociateAC) -> Iterator[Diagnostic]:
    """Each way ``ac`` answers beyond ``rq`` (PS3.8 7.1.1.14, PS3.7 D.3.3), worded as a
    receiver takes it."""
    yield from answer_diagnostics(rq, ac)
    asked_roles = _role_selections(rq.user_information)
    for item in ac.user_information.role_selections:
        asked = asked_roles.get(item.sop_class_uid)
        if asked is None:
            yield _problem(
                f"a role selection is answered for {item.sop_class_uid}, for which none was "
                "proposed; ignored (the default roles apply)",
                _ROLES,
            )
            continue
        for role in ("scu_role", "scp_role"):
            if getattr(item, role) and not getattr(asked, role):
                yield _problem(
                    f"the {role[:3].upper()} role of {item.sop_class_uid} is accepted but was "
                    "not proposed; taken as refused",
                    _ROLES,
                )
    offered, answered = _window(rq.user_information), _window(ac.user_information)
    if answered is not None and offered is None:
        yield _problem(
            "an asynchronous operations window is answered but none was offered; taken as "
            "1/1 (synchronous)",
            _WINDOW,
        )
    elif answered is not None and offered is not None:
        for name, value, limit in zip(("invoked", "performed"), answered, offered, strict=True):
            if not _within(value, limit):
                yield _problem(
                    f"the maximum number of operations {name} is answered as {value} "
                    f"(0: unlimited), above the {limit} offered; taken as {limit}",
                    _WINDOW,
                )
    answered_identity = ac.user_information.user_identity
    if isinstance(answered_identity, UserIdentityAC) and not _asked_positive(rq):
        yield _problem(
            "a user identity answer (59H) came, but no user identity asked for a positive "
            "response; ignored",
            _IDENTITY,
        )
    elif (
        isinstance(answered_identity, UserIdentityAC)
        and answered_identity.server_response
        and isinstance(asked_identity := rq.user_information.user_identity, UserIdentityRQ)
        and asked_identity.user_identity_type in _NO_SERVER_RESPONSE
    ):
        yield _problem(
            f"the user identity answer (59H) holds a server response of "
            f"{len(answered_identity.server_response)} bytes to a user identity of type "
            f"{int(asked_identity.user_identity_type)}; taken as the positive response, "
            "kept as received",
            _EMPTY_RESPONSE,
        )
    asked_extended = {item.sop_class_uid for item in rq.user_information.extended_negotiations}
    for extended in ac.user_information.extended_negotiations:
        if extended.sop_class_uid not in asked_extended:
            yield _problem(
                f"an extended negotiation answer for {extended.sop_class_uid} came, but none "
                "was sent for it; ignored",
                _EXTENDED,
            )


def check_received_answer(rq: AAssociateRQ, ac: AAssociateAC) -> tuple[Diagnostic, ...]:
    """What the A-ASSOCIATE-AC ``ac`` answers beyond the A-ASSOCIATE-RQ ``rq`` the
    requestor sent, each as a diagnostic saying what :func:`agreement` takes it for
    (PS3.8 7.1.1.14 via ``answer_diagnostics``; PS3.7 D.3.3.3 to D.3.3.7): a role
    accepted that was not proposed, or answered without one proposed; a window answered
    without an offer or above it; a 59H without a 58H asking for a positive response, or
    with a server response to a username (PS3.7 D.3.3.7.2: zero length for types 1 and
    2); a 56H for a SOP class without one in the RQ.  The AC's echoed fields are not tested
    (PS3.8 9.3.3).  Collected in a ``DiagnosticLog``: at most 16 listed per rule, the
    rest counted."""
    return DiagnosticLog(_answer_problems(rq, ac)).freeze()


def check_local_answer(rq: AAssociateRQ, answer: AAssociateAC | AAssociateRJ) -> None:
    """Refuse to send ``answer`` to ``rq`` if it is an A-ASSOCIATE-AC that breaks a rule of
    :func:`check_received_answer`, answers a context twice, or does not echo the RQ's AE
    titles (PS3.8 9.3.3), or answers an RQ no AC can answer (no presentation context, or
    a context ID that is not odd from 1 to 255 or is repeated, PS3.8 9.3.2.2: such an RQ
    is answered with the A-ASSOCIATE-RJ :func:`answer` gives it):
    :class:`~dimsekit.LocalProtocolError` names the first rule broken.  An
    A-ASSOCIATE-RJ answers any RQ."""
    if isinstance(answer, AAssociateRJ):
        return
    if not isinstance(answer, AAssociateAC):
        raise TypeError(
            f"check_local_answer() answer must be AAssociateAC or AAssociateRJ, "
            f"not {type(answer).__name__}"
        )
    for problem in _local_problems(rq, answer):
        raise LocalProtocolError(
            f"the A-ASSOCIATE-AC does not answer its A-ASSOCIATE-RQ: {problem.what} "
            f"[{problem.rule}]"
        )


def _local_problems(rq: AAssociateRQ, ac: AAssociateAC) -> Iterator[Diagnostic]:
    yield from _unanswerable(rq)
    for name in ("called_ae_title", "calling_ae_title"):
        if getattr(ac, name) != getattr(rq, name):
            yield _problem(
                f"its {name} is {getattr(ac, name)!r}, the RQ's {getattr(rq, name)!r}", _ECHO
            )
    seen: set[int] = set()
    for context in ac.presentation_contexts:
        if context.context_id in seen:
            yield _problem(f"presentation context {context.context_id} is answered twice", _ONCE)
        seen.add(context.context_id)
    yield from _answer_problems(rq, ac)


def _unanswerable(rq: AAssociateRQ) -> Iterator[Diagnostic]:
    """What makes ``rq`` unanswerable by any A-ASSOCIATE-AC (PS3.8 9.3.2.2, 7.1.1.14): no
    presentation context, or a context ID that is not odd from 1 to 255 or is repeated
    (a received RQ holds them, the decoder reporting each).  An AC answers a context by
    its ID alone: one answering a repeated ID would not say which context it answers."""
    if not rq.presentation_contexts:
        yield _problem("the A-ASSOCIATE-RQ proposes no presentation context", _IDS)
    counts: dict[int, int] = {}
    for context in rq.presentation_contexts:
        counts[context.context_id] = counts.get(context.context_id, 0) + 1
    for context_id, count in counts.items():
        if not context_id_holds(context_id):
            yield _problem(
                f"the A-ASSOCIATE-RQ proposes a presentation context under ID {context_id}, "
                "which is not an odd integer from 1 to 255",
                _IDS,
            )
        elif count > 1:
            yield _problem(
                f"the A-ASSOCIATE-RQ proposes {count} presentation contexts under ID {context_id}",
                _IDS,
            )


# --- the provider: AE-6 ----------------------------------------------------------------------


def provider_refusal(rq: AAssociateRQ) -> AAssociateRJ | None:
    """The A-ASSOCIATE-RJ the service provider answers ``rq`` with when it is not
    acceptable to it (AE-6 of PS3.8 9.2), or None: a protocol version without bit 0
    (version 1; the other bits are not tested, PS3.8 9.3.2) is rejected-permanent by the
    service-provider (ACSE related function), protocol-version-not-supported; an
    application context name other than DICOM's (PS3.7 A.2.1) is rejected-permanent by
    the service-user, application-context-name-not-supported (PS3.8 9.3.4: the only
    source with that reason)."""
    received = rq.received
    version = 1 if received is None or received.version is None else received.version
    if not version & 1:
        return _reject(RejectReason.PROTOCOL_VERSION_NOT_SUPPORTED)
    if rq.application_context.name != DICOM_APPLICATION_CONTEXT:
        return _reject(RejectReason.APPLICATION_CONTEXT_NAME_NOT_SUPPORTED)
    return None


def _reject(reason: RejectReason) -> AAssociateRJ:
    return AAssociateRJ(result=RejectResult.REJECTED_PERMANENT, source=reason.source, reason=reason)


# --- the acceptor: a policy and the answer it gives ----------------------------------------


def _to_syntax_map(value: Mapping[str, Iterable[str]]) -> Mapping[UID, tuple[UID, ...]]:
    if not isinstance(value, Mapping):
        raise TypeError(
            "AcceptorPolicy.abstract_syntaxes must be a mapping of abstract syntax to "
            f"transfer syntaxes, not {type(value).__name__}"
        )
    return {vr.to_uid(uid): _to_syntaxes(syntaxes) for uid, syntaxes in value.items()}


def _to_role_map(value: Mapping[str, tuple[bool, bool]]) -> Mapping[UID, tuple[bool, bool]]:
    if not isinstance(value, Mapping):
        raise TypeError(
            f"AcceptorPolicy.roles must be a mapping of SOP class to (scu, scp), "
            f"not {type(value).__name__}"
        )
    roles: dict[UID, tuple[bool, bool]] = {}
    for uid, pair in value.items():
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or not all(isinstance(flag, bool) for flag in pair)
        ):
            raise TypeError(f"AcceptorPolicy.roles[{uid!r}] must be a (bool, bool) pair")
        roles[vr.to_uid(uid)] = pair
    return roles


def _to_ae_set(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str | bytes):
        raise TypeError("AcceptorPolicy.calling_ae_titles must be a set of AE titles, not a str")
    return frozenset(vr.to_ae(title) for title in value)


def _to_window(value: tuple[int, int]) -> tuple[int, int]:
    AsynchronousOperationsWindow(
        maximum_number_operations_invoked=value[0], maximum_number_operations_performed=value[1]
    )  # the sub-item's rules (PS3.7 D.3.3.3.1)
    return (value[0], value[1])


UserIdentityHook = Callable[[UserIdentityRQ], "UserIdentityAC | bool | None"]
ExtendedNegotiationHook = Callable[
    [SOPClassExtendedNegotiation], "SOPClassExtendedNegotiation | None"
]


@attrs.frozen(kw_only=True)
class AcceptorPolicy:
    """What an acceptor accepts, as a value (PS3.8 7.1.1, PS3.7 D.3.3); :func:`answer`
    applies it.

    - ``abstract_syntaxes``: the supported abstract syntaxes, each with the transfer
      syntaxes accepted for it in the acceptor's order of preference (the first of them
      the requestor proposed is chosen);
    - ``ae_title``: the called AE title answered to (None: any); ``calling_ae_titles``:
      the calling AE titles accepted (None: any) (PS3.8 9.3.4);
    - ``roles``: per SOP class, (may the requestor be SCU, may it be SCP) (PS3.7
      D.3.3.4); a class not listed: (True, False), the default roles;
    - ``max_pdu_length``: the Maximum Length announced (PS3.8 D.1; 0: no maximum);
    - ``async_window``: (invoked, performed), how many operations the requestor may
      have outstanding and how many the acceptor invokes at most (PS3.7 D.3.3.3; 0:
      unlimited), lowered to the requestor's offer;
    - the implementation class UID and version name (PS3.7 D.3.3.2);
    - ``user_identity``: called with the RQ's 58H: a UserIdentityAC (its server response,
      zero length for identity types 1 and 2, PS3.7 D.3.3.7.2: :func:`answer` raises
      :class:`~dimsekit.LocalProtocolError` for another) or True accepts, False
      rejects the association (rejected-permanent, service-user, no-reason-given: PS3.7
      D.3.3.7), None accepts without answering; without a hook the identity is not
      checked (PS3.7 D.3.3.7: accepted without a response);
    - ``extended_negotiation``: called with each RQ 56H: its answer or None (PS3.7
      D.3.3.5);
    - ``reject_if_none_accepted``: answer an RJ (rejected-permanent, service-user,
      no-reason-given) rather than an AC rejecting every context.
    """

    abstract_syntaxes: Mapping[UID, tuple[UID, ...]] = attrs.field(converter=_to_syntax_map)
    ae_title: str | None = attrs.field(default=None, converter=vr.to_optional_ae)
    calling_ae_titles: frozenset[str] | None = attrs.field(default=None, converter=_to_ae_set)
    roles: Mapping[UID, tuple[bool, bool]] = attrs.field(factory=dict, converter=_to_role_map)
    max_pdu_length: int = DEFAULT_MAX_PDU_LENGTH
    async_window: tuple[int, int] = attrs.field(default=(1, 1), converter=_to_window)
    implementation_class_uid: UID = attrs.field(
        default=IMPLEMENTATION_CLASS_UID, converter=vr.to_uid
    )
    implementation_version_name: str | None = IMPLEMENTATION_VERSION_NAME
    user_identity: UserIdentityHook | None = None
    extended_negotiation: ExtendedNegotiationHook | None = None
    reject_if_none_accepted: bool = False

    def __attrs_post_init__(self) -> None:
        for name, uids in (
            ("abstract_syntaxes", list(self.abstract_syntaxes)),
            (
                "abstract_syntaxes",
                [s for syntaxes in self.abstract_syntaxes.values() for s in syntaxes],
            ),
            ("roles", list(self.roles)),
        ):
            for uid in uids:
                problem = uid_problem(uid)
                if problem is not None:
                    raise InvalidPDUError("AcceptorPolicy", (name,), uid, *problem)
        # the sub-items' own rules, asked once here rather than at each answer
        UserInformation.of(
            maximum_length=self.max_pdu_length,
            implementation_class_uid=self.implementation_class_uid,
            implementation_version_name=self.implementation_version_name,
        )

    def roles_for(self, sop_class: UID) -> tuple[bool, bool]:
        """(may the requestor be SCU, may it be SCP) for ``sop_class``."""
        return self.roles.get(sop_class, (True, False))


_STORESCP_TRANSFER_SYNTAXES: Final[tuple[UID, ...]] = (
    _uid.ExplicitVRLittleEndian,
    _uid.ExplicitVRBigEndian,
    _uid.ImplicitVRLittleEndian,
)
"""storescp's default preference on a little-endian host: explicit VR little endian,
explicit VR big endian, implicit VR little endian."""

DEFAULT_POLICY: Final = AcceptorPolicy(
    abstract_syntaxes=dict.fromkeys(
        (VERIFICATION_SOP_CLASS, *STORAGE_SOP_CLASSES), _STORESCP_TRANSFER_SYNTAXES
    )
)
"""What DCMTK's storescp accepts by default: Verification and the storage SOP classes
(:data:`STORAGE_SOP_CLASSES`), each with explicit VR little endian, explicit VR big
endian and implicit VR little endian, in that order of preference; any AE titles, the
default roles, synchronous operations."""


def _cap(ours: int, theirs: int) -> int:
    """Our maximum lowered to the requestor's offer (0: unlimited on either side)."""
    if theirs == 0:
        return ours
    return theirs if ours == 0 else min(ours, theirs)


def answer(rq: AAssociateRQ, policy: AcceptorPolicy) -> AAssociateAC | AAssociateRJ:
    """The answer ``policy`` gives ``rq``: an A-ASSOCIATE-RJ for an AE title it does not
    recognise (called first, then calling: rejected-permanent, service-user, PS3.8
    9.3.4) or an identity its hook refuses, else the A-ASSOCIATE-AC (built with
    ``AAssociateAC.answering``) answering every proposed context (PS3.8 7.1.1.14,
    9.3.3.2): abstract-syntax-not-supported, transfer-syntaxes-not-supported, or accepted
    with the first of the policy's transfer syntaxes the requestor proposed; a context of
    a SOP class where neither role is left (the requestor proposed only roles the policy
    refuses) is unusable and answered user-rejection.  A rejected context's transfer
    syntax sub-item, not significant, holds the first one proposed.  Roles are answered
    only for SOP classes the RQ asked and that have an accepted context, never 1 where
    the RQ had 0 (PS3.7 D.3.3.4); the window only when the RQ had one, each maximum at
    most the RQ's (PS3.7 D.3.3.3).  Nothing accepted is still an AC: PS3.8 7.1.1.14 and
    9.3.3.2 give each context its own result and require none of them to be acceptance
    (DCMTK's storescp answers so; the requestor then releases or aborts), unless
    ``policy.reject_if_none_accepted`` asks for an RJ.  The provider's
    own test (:func:`provider_refusal`) is not repeated here.  A received RQ that no AC
    can answer (no presentation context, or a context ID that is not odd from 1 to 255,
    or is repeated: PS3.8 9.3.2.2, which the decoder reports) is answered with an
    A-ASSOCIATE-RJ, rejected-permanent by the service-provider (ACSE related function),
    no-reason-given (PS3.8 9.3.4: the fault is in the protocol, not in anything the
    service-user could refuse; an engine aborts such an RQ before its user sees it).
    Every RQ gets an answer: only a hook's own bad answer raises."""
    if not isinstance(policy, AcceptorPolicy):
        raise TypeError(f"answer() policy must be AcceptorPolicy, not {type(policy).__name__}")
    if next(_unanswerable(rq), None) is not None:
        return _reject(RejectReason.PROVIDER_NO_REASON_GIVEN)
    if policy.ae_title is not None and rq.called_ae_title != policy.ae_title:
        return _reject(RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED)
    if policy.calling_ae_titles is not None and rq.calling_ae_title not in policy.calling_ae_titles:
        return _reject(RejectReason.CALLING_AE_TITLE_NOT_RECOGNIZED)
    others: list[SubItem] = []
    identity = rq.user_information.user_identity
    if isinstance(identity, UserIdentityRQ) and policy.user_identity is not None:
        verdict = policy.user_identity(identity)
        if verdict is False:
            return _reject(RejectReason.NO_REASON_GIVEN)
        if identity.positive_response_requested and verdict is not None:
            response = verdict if isinstance(verdict, UserIdentityAC) else UserIdentityAC()
            if response.server_response and identity.user_identity_type in _NO_SERVER_RESPONSE:
                raise LocalProtocolError(
                    f"AcceptorPolicy.user_identity returned a server response of "
                    f"{len(response.server_response)} bytes for a user identity of type "
                    f"{int(identity.user_identity_type)}: {_EMPTY_RESPONSE}"
                )
            others.append(response)
    asked_roles = _role_selections(rq.user_information)
    contexts: list[PresentationContextAC] = []
    accepted_classes: set[UID] = set()
    for request in rq.presentation_contexts:  # each ID once (_unanswerable)
        result, syntax = _context_answer(request, policy, asked_roles.get(request.abstract_syntax))
        if result is ContextResult.ACCEPTANCE:
            accepted_classes.add(request.abstract_syntax)
        contexts.append(
            PresentationContextAC(
                context_id=request.context_id, result=result, transfer_syntax=syntax
            )
        )
    if not accepted_classes and policy.reject_if_none_accepted:
        return _reject(RejectReason.NO_REASON_GIVEN)
    for uid, asked in asked_roles.items():
        if uid in accepted_classes:
            scu, scp = policy.roles_for(uid)
            others.append(
                RoleSelection(
                    sop_class_uid=uid,
                    scu_role=int(bool(asked.scu_role) and scu),
                    scp_role=int(bool(asked.scp_role) and scp),
                )
            )
    if policy.extended_negotiation is not None:
        for item in rq.user_information.extended_negotiations:
            reply = policy.extended_negotiation(item)
            if reply is None:
                continue
            if not isinstance(reply, SOPClassExtendedNegotiation) or (
                reply.sop_class_uid != item.sop_class_uid
            ):
                raise TypeError(
                    "AcceptorPolicy.extended_negotiation must return None or a "
                    f"SOPClassExtendedNegotiation for {item.sop_class_uid}, not {reply!r}"
                )
            others.append(reply)
    offered = _window(rq.user_information)
    window = None
    if offered is not None:
        window = (
            _cap(policy.async_window[0], offered[0]),
            _cap(policy.async_window[1], offered[1]),
        )
    return AAssociateAC.answering(
        rq,
        presentation_contexts=contexts,
        user_information=UserInformation.of(
            maximum_length=policy.max_pdu_length,
            implementation_class_uid=policy.implementation_class_uid,
            implementation_version_name=policy.implementation_version_name,
            asynchronous_operations_window=window,
            others=others,
        ),
    )


def _context_answer(
    request: PresentationContextRQ, policy: AcceptorPolicy, asked: RoleSelection | None
) -> tuple[ContextResult, UID | None]:
    """One context's result and transfer syntax (PS3.8 9.3.3.2)."""
    proposed = request.transfer_syntaxes
    first = proposed[0] if isinstance(proposed, tuple) and proposed else None
    supported = policy.abstract_syntaxes.get(request.abstract_syntax)
    if supported is None:
        return ContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED, first
    chosen = next((syntax for syntax in supported if syntax in proposed), None)
    if chosen is None:
        return ContextResult.TRANSFER_SYNTAXES_NOT_SUPPORTED, first
    scu, scp = policy.roles_for(request.abstract_syntax)
    # without a role selection, the default roles: the requestor is SCU (PS3.7 D.3.3.4)
    usable = (
        scu if asked is None else (bool(asked.scu_role) and scu) or (bool(asked.scp_role) and scp)
    )
    if not usable:
        return ContextResult.USER_REJECTION, first
    return ContextResult.ACCEPTANCE, chosen
