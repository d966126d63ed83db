"""The seven Upper Layer PDUs of PS3.8 9.3 as frozen, validated values.

Owns: :class:`AAssociateRQ`, :class:`AAssociateAC`, :class:`AAssociateRJ`,
:class:`PDataTF` with its :class:`PresentationDataValue` items, :class:`AReleaseRQ`,
:class:`AReleaseRP` and :class:`AAbort`; the enumerations of their coded fields (the
A-ASSOCIATE-RJ result, source and reason, with which reasons each source allows declared
once in :data:`REJECT_REASONS`; the A-ABORT source and reason); the rules that span a
PDU's items (context IDs unique, the sub-items an RQ or an AC may carry); and the type
alias :data:`PDU`.  Rules are ``problems`` methods, as in ``_framing.items``.

Must not know: the byte layouts (``_framing.pdu_layout``), the codec, association
policy (which contexts to accept), DIMSE messages.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Final, TypeAlias, cast

import attrs

from .._diagnostics import Diagnostic, Severity
from .._model import vr
from .items import (
    ApplicationContext,
    Checked,
    PresentationContextAC,
    PresentationContextRQ,
    Problem,
    SOPClassCommonExtendedNegotiation,
    UnknownItem,
    UserIdentityAC,
    UserIdentityRQ,
    UserInformation,
    ae_problem,
    context_id_rule,
    enum_member,
    enum_rule,
    need,
    to_unknown_items,
)
from .pdu import PDUType
from .pdu_layout import ECHOED, PDU_LAYOUTS, Received

__all__ = [
    "PDU",
    "AAbort",
    "AAssociateAC",
    "AAssociateRJ",
    "AAssociateRQ",
    "AReleaseRP",
    "AReleaseRQ",
    "AbortReason",
    "AbortSource",
    "PDataTF",
    "PresentationDataValue",
    "RejectReason",
    "RejectResult",
    "RejectSource",
    "answer_diagnostics",
]

MAX_CONTEXTS: Final = 128
"""Odd IDs from 1 to 255: at most 128 presentation contexts in one PDU (PS3.8 9.3.2.2)."""


def _unique_context_ids(contexts: tuple[object, ...], reference: str) -> Iterator[Problem]:
    ids = [context.context_id for context in contexts]  # type: ignore[attr-defined]
    if len(set(ids)) == len(ids):
        return
    seen: set[int] = set()
    for context_id in ids:
        if context_id in seen:
            yield (
                ("presentation_contexts",),
                context_id,
                "each presentation context ID is used once in a PDU",
                reference,
            )
        seen.add(context_id)


def context_id_problems(contexts: tuple[object, ...]) -> Iterator[Problem]:
    """What a PDU's presentation context IDs break of PS3.8 9.3.2.2: an ID that is not an
    odd integer from 1 to 255 (:func:`context_id_rule`), an ID used twice; the rules the
    decoder reports, for whoever must act on them (an A-ASSOCIATE-RQ that breaks them
    cannot be answered)."""
    for context in contexts:
        yield from context_id_rule(context.context_id)  # type: ignore[attr-defined]
    yield from _unique_context_ids(contexts, "PS3.8 9.3.2.2")


def _contexts_of(owner: object, value: object, kind: type) -> None:
    if not isinstance(value, tuple) or not (
        set(map(type, value)) <= {kind} or all(isinstance(item, kind) for item in value)
    ):
        raise TypeError(
            f"{type(owner).__name__}.presentation_contexts must be an iterable of "
            f"{kind.__name__}, not {type(value).__name__}"
        )


def _to_tuple(value: object) -> Any:
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return tuple(value)
    return value  # the rule names what is not a sequence


def to_rq_contexts(value: Iterable[PresentationContextRQ]) -> tuple[PresentationContextRQ, ...]:
    return cast("tuple[PresentationContextRQ, ...]", _to_tuple(value))


def to_ac_contexts(value: Iterable[PresentationContextAC]) -> tuple[PresentationContextAC, ...]:
    return cast("tuple[PresentationContextAC, ...]", _to_tuple(value))


def to_pdvs(value: Iterable[PresentationDataValue]) -> tuple[PresentationDataValue, ...]:
    return cast("tuple[PresentationDataValue, ...]", _to_tuple(value))


def to_reject_result(value: int) -> RejectResult:
    return cast(RejectResult, enum_member(RejectResult, value))


def to_reject_source(value: int) -> RejectSource:
    return cast(RejectSource, enum_member(RejectSource, value))


def to_abort_source(value: int) -> AbortSource:
    return cast(AbortSource, enum_member(AbortSource, value))


def to_abort_reason(value: int) -> AbortReason:
    return cast(AbortReason, enum_member(AbortReason, value))


def _sub_items_only(
    owner: object, user_information: UserInformation, refused: tuple[type, ...], reference: str
) -> Iterator[Problem]:
    for item in user_information.sub_items:
        if isinstance(item, refused):
            yield (
                ("user_information",),
                type(item).__name__,
                f"a {type(item).__name__} sub-item is not sent in an {_LABELS[type(owner)]}",
                reference,
            )


class _Associate(Checked):
    """What the A-ASSOCIATE-RQ and -AC share: their AE-title fields, application
    context, presentation contexts and user information."""

    __slots__ = ()
    called_ae_title: str
    calling_ae_title: str
    application_context: ApplicationContext
    presentation_contexts: tuple[PresentationContextRQ, ...] | tuple[PresentationContextAC, ...]
    user_information: UserInformation
    unknown_items: tuple[UnknownItem, ...]

    def _common(self, context_kind: type, reference: str) -> Iterator[Problem]:
        need(self, "application_context", self.application_context, ApplicationContext)
        need(self, "user_information", self.user_information, UserInformation)
        _contexts_of(self, self.presentation_contexts, context_kind)
        contexts = self.presentation_contexts
        if not contexts:
            yield (
                ("presentation_contexts",),
                contexts,
                "an A-ASSOCIATE PDU has one or more presentation context items",
                reference,
            )
        if len(contexts) > MAX_CONTEXTS:
            yield (
                ("presentation_contexts",),
                f"{len(contexts)} contexts",
                f"at most {MAX_CONTEXTS} presentation contexts (odd IDs 1-255)",
                "PS3.8 9.3.2.2",
            )
        yield from _unique_context_ids(contexts, "PS3.8 9.3.2.2")
        yield from self.user_information.problems()


@attrs.frozen(kw_only=True)
class AAssociateRQ(_Associate):
    """A-ASSOCIATE-RQ (PS3.8 9.3.2)."""

    PDU_TYPE: ClassVar[PDUType] = PDUType.A_ASSOCIATE_RQ
    called_ae_title: str = attrs.field(converter=vr.to_ae)
    calling_ae_title: str = attrs.field(converter=vr.to_ae)
    presentation_contexts: tuple[PresentationContextRQ, ...] = attrs.field(converter=to_rq_contexts)
    user_information: UserInformation
    application_context: ApplicationContext = attrs.field(factory=ApplicationContext)
    unknown_items: tuple[UnknownItem, ...] = attrs.field(default=(), converter=to_unknown_items)
    """Items of other types, kept in order (PS3.8 9.3.1)."""
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        for name in ("called_ae_title", "calling_ae_title"):
            problem = ae_problem(getattr(self, name))
            if problem is not None:
                yield (name,), getattr(self, name), problem[0], "PS3.8 9.3.2"
        yield from self._common(PresentationContextRQ, "PS3.8 9.3.2")
        yield from _sub_items_only(self, self.user_information, (UserIdentityAC,), "PS3.7 D.3.3.7")


def _echo_problem(owner: object, name: str, value: object) -> Iterator[Problem]:
    """The AC's AE-title fields echo the RQ's (PS3.8 9.3.3): 16 bytes of Latin-1 text."""
    if not isinstance(value, str):
        raise TypeError(
            f"{type(owner).__name__}.{name} must be str or bytes, not {type(value).__name__}"
        )
    try:
        encoded = value.encode("latin-1")
    except UnicodeEncodeError:
        encoded = b"\xff" * 17
    if len(encoded) > 16:
        yield (name,), value, "the field holds 16 bytes (the RQ's AE title, echoed)", "PS3.8 9.3.3"


@attrs.frozen(kw_only=True)
class AAssociateAC(_Associate):
    """A-ASSOCIATE-AC (PS3.8 9.3.3).  Its AE-title fields and the 32 bytes after them are
    reserved, sent with the values the RQ had and not tested: :meth:`answering` builds an
    AC that echoes them."""

    PDU_TYPE: ClassVar[PDUType] = PDUType.A_ASSOCIATE_AC
    called_ae_title: str = attrs.field(converter=vr.to_ae)
    calling_ae_title: str = attrs.field(converter=vr.to_ae)
    presentation_contexts: tuple[PresentationContextAC, ...] = attrs.field(converter=to_ac_contexts)
    user_information: UserInformation
    application_context: ApplicationContext = attrs.field(factory=ApplicationContext)
    unknown_items: tuple[UnknownItem, ...] = attrs.field(default=(), converter=to_unknown_items)
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @classmethod
    def answering(
        cls,
        rq: AAssociateRQ,
        *,
        presentation_contexts: Iterable[PresentationContextAC],
        user_information: UserInformation,
    ) -> AAssociateAC:
        """The AC answering ``rq``: bytes 11-74 as the RQ had them (PS3.8 9.3.3), the
        RQ's application context name, the contexts and user information given."""
        ac = cls(
            called_ae_title=rq.called_ae_title,
            calling_ae_title=rq.calling_ae_title,
            presentation_contexts=tuple(presentation_contexts),
            user_information=user_information,
            application_context=ApplicationContext(name=rq.application_context.name),
        )
        received = rq.received
        if received is not None:
            # Only bytes 11-74 are echoed (ECHOED): the AE-title fields, 32 reserved bytes.
            parts = PDU_LAYOUTS[PDUType.A_ASSOCIATE_RQ].reserved
            echo = Received(
                reserved=(
                    0,
                    *(
                        value if part.name in ECHOED else part.zero()
                        for part, value in zip(parts, received.reserved[1:], strict=False)
                    ),
                ),
                raw=tuple((name, value) for name, value in received.raw if name in ECHOED),
            )
            zeros = all(v == p.zero() for v, p in zip(echo.reserved[1:], parts, strict=False))
            if zeros and not echo.raw:
                return ac  # nothing but zeros and canonical titles: the built AC is the echo
            object.__setattr__(ac, "received", echo)
        return ac

    def problems(self) -> Iterator[Problem]:
        for name in ("called_ae_title", "calling_ae_title"):
            yield from _echo_problem(self, name, getattr(self, name))
        yield from self._common(PresentationContextAC, "PS3.8 9.3.3")
        yield from _sub_items_only(
            self,
            self.user_information,
            (UserIdentityRQ, SOPClassCommonExtendedNegotiation),
            "PS3.7 D.3.3.6, D.3.3.7",
        )


class RejectResult(enum.IntEnum):
    """Result of an A-ASSOCIATE-RJ (PS3.8 9.3.4)."""

    REJECTED_PERMANENT = 1
    REJECTED_TRANSIENT = 2


class RejectSource(enum.IntEnum):
    """Source of an A-ASSOCIATE-RJ (PS3.8 9.3.4)."""

    SERVICE_USER = 1
    SERVICE_PROVIDER_ACSE = 2
    SERVICE_PROVIDER_PRESENTATION = 3


class RejectReason(enum.Enum):
    """Reason/Diag. of an A-ASSOCIATE-RJ (PS3.8 9.3.4): its meaning depends on the source,
    so each member's value is (source, code); ``int()`` of a member is its code."""

    NO_REASON_GIVEN = (RejectSource.SERVICE_USER, 1)
    APPLICATION_CONTEXT_NAME_NOT_SUPPORTED = (RejectSource.SERVICE_USER, 2)
    CALLING_AE_TITLE_NOT_RECOGNIZED = (RejectSource.SERVICE_USER, 3)
    CALLED_AE_TITLE_NOT_RECOGNIZED = (RejectSource.SERVICE_USER, 7)
    PROVIDER_NO_REASON_GIVEN = (RejectSource.SERVICE_PROVIDER_ACSE, 1)
    PROTOCOL_VERSION_NOT_SUPPORTED = (RejectSource.SERVICE_PROVIDER_ACSE, 2)
    TEMPORARY_CONGESTION = (RejectSource.SERVICE_PROVIDER_PRESENTATION, 1)
    LOCAL_LIMIT_EXCEEDED = (RejectSource.SERVICE_PROVIDER_PRESENTATION, 2)

    @property
    def source(self) -> RejectSource:
        source: RejectSource = self.value[0]
        return source

    @property
    def code(self) -> int:
        code: int = self.value[1]
        return code

    def __index__(self) -> int:
        return self.code

    __int__ = __index__


REJECT_REASONS: Final = {
    source: {reason.code: reason for reason in RejectReason if reason.source is source}
    for source in RejectSource
}
"""Which reasons each source allows, by code (PS3.8 9.3.4; the others are reserved)."""


def _to_reason(value: RejectReason | int, rj: Any) -> RejectReason:
    """An int reason -> the member its source gives that code; anything else unchanged."""
    if type(value) is int:
        reasons: dict[int, RejectReason] = REJECT_REASONS.get(rj.source, {})
        return reasons.get(value, cast(RejectReason, value))
    return cast(RejectReason, value)


@attrs.frozen(kw_only=True)
class AAssociateRJ(Checked):
    """A-ASSOCIATE-RJ (PS3.8 9.3.4): the result, its source and the reason, one that the
    source allows (:data:`REJECT_REASONS`)."""

    PDU_TYPE: ClassVar[PDUType] = PDUType.A_ASSOCIATE_RJ
    result: RejectResult = attrs.field(converter=to_reject_result)
    source: RejectSource = attrs.field(converter=to_reject_source)
    reason: RejectReason = attrs.field(
        converter=attrs.Converter(_to_reason, takes_self=True)  # type: ignore[misc]
    )
    """A member, or the code (read with the source: :data:`REJECT_REASONS`)."""
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        yield from enum_rule("result", self.result, RejectResult, "PS3.8 9.3.4")
        yield from enum_rule("source", self.source, RejectSource, "PS3.8 9.3.4")
        if not isinstance(self.reason, RejectReason) or self.reason.source is not self.source:
            allowed = REJECT_REASONS.get(self.source, {})
            words = ", ".join(f"{code} ({reason.name})" for code, reason in allowed.items())
            yield (
                ("reason", "source"),
                (self.reason, self.source),
                f"the reasons source {self.source!s} allows are {words or 'none'}",
                "PS3.8 9.3.4",
            )


class AbortSource(enum.IntEnum):
    """Source of an A-ABORT (PS3.8 9.3.8): 1 is reserved."""

    SERVICE_USER = 0
    SERVICE_PROVIDER = 2


class AbortReason(enum.IntEnum):
    """Reason/Diag. of an A-ABORT, significant only when the provider aborts (PS3.8 9.3.8)."""

    NOT_SPECIFIED = 0
    UNRECOGNIZED_PDU = 1
    UNEXPECTED_PDU = 2
    UNRECOGNIZED_PDU_PARAMETER = 4
    UNEXPECTED_PDU_PARAMETER = 5
    INVALID_PDU_PARAMETER_VALUE = 6


@attrs.frozen(kw_only=True)
class AAbort(Checked):
    """A-ABORT (PS3.8 9.3.8): the user's A-ABORT or the provider's A-P-ABORT.  A user's
    abort sends reason 0 (it is not significant, and not tested when received)."""

    PDU_TYPE: ClassVar[PDUType] = PDUType.A_ABORT
    source: AbortSource = attrs.field(default=AbortSource.SERVICE_USER, converter=to_abort_source)
    reason: AbortReason = attrs.field(default=AbortReason.NOT_SPECIFIED, converter=to_abort_reason)
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        yield from enum_rule("source", self.source, AbortSource, "PS3.8 9.3.8")
        if self.source == AbortSource.SERVICE_PROVIDER:
            yield from enum_rule("reason", self.reason, AbortReason, "PS3.8 9.3.8")

    def limits(self) -> Iterator[Problem]:
        # Built: a user abort sends 00H (PS3.8 9.3.8); received, it is not tested.
        if self.source == AbortSource.SERVICE_USER and self.reason != 0:
            yield (
                ("reason", "source"),
                (self.reason, self.source),
                "a service user's A-ABORT sends reason 0 (the reason is significant only "
                "for the service provider)",
                "PS3.8 9.3.8",
            )


@attrs.frozen(kw_only=True)
class AReleaseRQ(Checked):
    """A-RELEASE-RQ (PS3.8 9.3.6): no fields."""

    PDU_TYPE: ClassVar[PDUType] = PDUType.A_RELEASE_RQ
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class AReleaseRP(Checked):
    """A-RELEASE-RP (PS3.8 9.3.7): no fields."""

    PDU_TYPE: ClassVar[PDUType] = PDUType.A_RELEASE_RP
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)


@attrs.frozen(kw_only=True, repr=False)
class PresentationDataValue(Checked):
    """One PDV item of a P-DATA-TF (PS3.8 9.3.5.1, E.2): a fragment of a command or data
    set on one presentation context, with the message control header's two bits."""

    context_id: int
    is_command: bool
    is_last: bool
    fragment: bytes = attrs.field(converter=bytes)
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        need(self, "context_id", self.context_id, int)
        yield from context_id_rule(self.context_id)
        need(self, "is_command", self.is_command, bool)
        need(self, "is_last", self.is_last, bool)

    def __repr__(self) -> str:
        return (
            f"PresentationDataValue(context_id={self.context_id!r}, is_command="
            f"{self.is_command!r}, is_last={self.is_last!r}, fragment=<{len(self.fragment)} bytes>)"
        )


@attrs.frozen(kw_only=True)
class PDataTF(Checked):
    """P-DATA-TF (PS3.8 9.3.5): one or more PDV items."""

    PDU_TYPE: ClassVar[PDUType] = PDUType.P_DATA_TF
    pdvs: tuple[PresentationDataValue, ...] = attrs.field(converter=to_pdvs)
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        pdvs = self.pdvs
        if not isinstance(pdvs, tuple) or not all(
            isinstance(p, PresentationDataValue) for p in pdvs
        ):
            raise TypeError(
                f"PDataTF.pdvs must be an iterable of PresentationDataValue, not "
                f"{type(pdvs).__name__}"
            )
        if not pdvs:
            yield ("pdvs",), pdvs, "a P-DATA-TF has one or more PDV items", "PS3.8 9.3.5"


PDU: TypeAlias = (
    AAssociateRQ | AAssociateAC | AAssociateRJ | PDataTF | AReleaseRQ | AReleaseRP | AAbort
)
"""Any Upper Layer PDU."""

PDU_CLASSES: Final = {
    cls.PDU_TYPE: cls
    for cls in (AAssociateRQ, AAssociateAC, AAssociateRJ, PDataTF, AReleaseRQ, AReleaseRP, AAbort)
}
_LABELS: Final[dict[type, str]] = {cls: cls.PDU_TYPE.label for cls in PDU_CLASSES.values()}


# --- an answer against its request ---------------------------------------------------------

_ANSWERS_EACH: Final = (
    "an A-ASSOCIATE-AC answers each presentation context the A-ASSOCIATE-RQ proposed, "
    "and only those, accepting one of its proposed transfer syntaxes (PS3.8 7.1.1.14, 9.3.3.2)"
)


def answer_diagnostics(rq: AAssociateRQ, ac: AAssociateAC) -> tuple[Diagnostic, ...]:
    """What in ``ac`` does not answer ``rq`` as PS3.8 7.1.1.14 wants (one result for each
    proposed presentation context, in any order, an accepted one with one of the transfer
    syntaxes proposed for it), each as a diagnostic saying what a receiver takes it for: a
    context left out is taken as rejected, an answer to a context never proposed is
    ignored, a transfer syntax never proposed is reported (the requestor cannot send in
    it: an association's agreement takes that context as rejected).  Neither PDU alone
    shows these, so the decoder cannot: whoever holds both asks (the tap does)."""
    proposed = {context.context_id: context for context in rq.presentation_contexts}
    answered = {context.context_id for context in ac.presentation_contexts}
    found: list[Diagnostic] = []
    for context in ac.presentation_contexts:
        request = proposed.get(context.context_id)
        if request is None:
            found.append(
                Diagnostic(
                    what=f"presentation context {context.context_id} is answered but was never "
                    "proposed; ignored",
                    rule=_ANSWERS_EACH,
                    severity=Severity.ERROR,
                )
            )
        elif (
            context.accepted
            and context.transfer_syntax is not None
            and context.transfer_syntax not in request.transfer_syntaxes
        ):
            found.append(
                Diagnostic(
                    what=f"presentation context {context.context_id} is accepted with transfer "
                    f"syntax {context.transfer_syntax}, which was not proposed for it",
                    rule=_ANSWERS_EACH,
                    severity=Severity.ERROR,
                )
            )
    for context_id in sorted(set(proposed) - answered):
        found.append(
            Diagnostic(
                what=f"presentation context {context_id} ({proposed[context_id].abstract_syntax}) "
                "is not answered; taken as rejected",
                rule=_ANSWERS_EACH,
                severity=Severity.ERROR,
            )
        )
    return tuple(found)
