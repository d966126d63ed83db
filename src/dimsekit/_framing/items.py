"""The variable items of the A-ASSOCIATE PDUs and the user information sub-items.

Owns: a frozen attrs class for every item and sub-item of PS3.8 9.3.2, 9.3.3 and Annex D
and PS3.7 D.3.3 (Application Context, the Presentation Context items of the RQ and the AC
with their abstract and transfer syntaxes held as UIDs, User Information and its
sub-items 51H-59H), :class:`UnknownItem` for any other type, the enumerations of their
coded values, and the rules a value follows, each stated once as a ``problems`` method
(what a decoder reports as diagnostics) which ``__attrs_post_init__`` turns into an
:class:`~dimsekit.InvalidPDUError` when an item is built (what PS3.8 forbids cannot be
built).  The rules of the value representations (AE, UID, US) are asked of ``_model.vr``
through the one adapter below (:func:`uid_problem`, :func:`ae_problem`,
:func:`us_problem`).

Must not know: how the items are laid out in bytes (``_framing.pdu_layout``), how they
are encoded or decoded (it asks the encoder only for an item's length, to enforce the
16-bit item-length limit), the PDUs that carry them, association policy.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar, Final, TypeAlias, cast

import attrs
from pydicom.uid import UID

from .._codegen import compile_function
from .._errors import InvalidPDUError
from .._model import vr
from .._model.value_rules import InlineCheck
from .pdu_layout import MAX_ITEM_LENGTH, ItemType, Received

__all__ = [
    "ApplicationContext",
    "AsynchronousOperationsWindow",
    "ContextResult",
    "ImplementationClassUID",
    "ImplementationVersionName",
    "MaximumLength",
    "PresentationContextAC",
    "PresentationContextRQ",
    "RoleSelection",
    "SOPClassCommonExtendedNegotiation",
    "SOPClassExtendedNegotiation",
    "UnknownItem",
    "UserIdentityAC",
    "UserIdentityRQ",
    "UserIdentityType",
    "UserInformation",
]

Problem: TypeAlias = tuple[tuple[str, ...], object, str, str]
"""(fields, value, rule, reference): one rule an item breaks."""

DICOM_APPLICATION_CONTEXT: Final = UID("1.2.840.10008.3.1.1.1")
"""The DICOM Application Context Name (PS3.7 A.2.1)."""

# --- the one adapter to the value rules of _model.vr --------------------------------------

_known_uids: Final = vr.KNOWN_UIDS
"""UIDs known to be valid (the shared memory of ``_model.vr``): one of them passes at once."""


def uid_problem(value: object) -> tuple[str, str] | None:
    """The UI rule (PS3.5 9.1: at most 64 bytes, digits and dots) a value breaks, or None.
    A valid one is remembered in the shared memory (``vr.remember_uid``): the UIDs of
    the items (abstract and transfer syntaxes, SOP classes, implementation classes)
    recur, so that the next item holding it is known valid at once, as the decoder's
    are."""
    if type(value) is UID and (value in _known_uids or vr.remember_uid(value)):
        return None
    return vr.UI_RULE.problem(value)


def ae_problem(value: object) -> tuple[str, str] | None:
    """The AE rule (PS3.5 6.2; PS3.8 9.3.2) a value breaks, or None."""
    return vr.AE_TEXT.problem(value)


def us_problem(value: object) -> str | None:
    """The US rule (an int from 0 to 65535) a value breaks, or None."""
    return vr.us_problem(value)


VERSION_NAME_TEXT: Final = vr.TextRule(
    16,
    "an implementation version name must be str or bytes",
    "an implementation version name has 1 to 16 characters",
    "an implementation version name has 1 to 16 characters",
    "an implementation version name uses the Default Character Repertoire "
    "without backslash or control characters",
    "PS3.7 D.3.3.2.3",
)

# --- the mechanism: rules as problems, refused when built ---------------------------------


class Checked:
    """Mixin: ``problems`` states the rules of an item; building one that breaks a rule
    raises :class:`~dimsekit.InvalidPDUError` (the first one), and ``limits`` the
    encoding's own limits (checked only when built: a decoded item came within them).
    ``HOLDS``, where a class declares it: an inline form over the item (``{v}``) true
    only for one that breaks none of its rules, which ``problems`` asks first and the
    decoder inlines; ``FIELDS_HOLD``, where it is made of one part per field: those
    parts, by field name, each over the field's value (``{v}``)."""

    __slots__ = ()
    HOLDS: ClassVar[InlineCheck | None] = None
    FIELDS_HOLD: ClassVar[Mapping[str, str] | None] = None

    def problems(self) -> Iterable[Problem]:
        """Each rule this item breaks, as (fields, value, rule, reference)."""
        return iter(())

    def limits(self) -> Iterable[Problem]:
        """Each limit of the encoding this item exceeds."""
        return ()

    def __attrs_post_init__(self) -> None:
        for fields, value, rule, reference in self.problems():
            raise InvalidPDUError(type(self).__name__, fields, value, rule, reference)
        for fields, value, rule, reference in self.limits():
            raise InvalidPDUError(type(self).__name__, fields, value, rule, reference)


def need(owner: object, name: str, value: object, kinds: type | tuple[type, ...]) -> None:
    """A Python argument of the wrong type is a TypeError naming the parameter."""
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _as_tuple(kinds)):
        wanted = " or ".join(kind.__name__ for kind in _as_tuple(kinds))
        raise TypeError(
            f"{type(owner).__name__}.{name} must be {wanted}, not {type(value).__name__}"
        )


def _as_tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def uid_rule(name: str, value: object) -> Iterator[Problem]:
    """The UI rule of one field."""
    problem = uid_problem(value)
    if problem is not None:
        yield (name,), value, *problem


def byte_rule(name: str, value: object, reference: str) -> Iterator[Problem]:
    """A one-byte field holds 0 to 255 (the encoding's limit)."""
    if not 0 <= cast(int, value) <= 0xFF:
        yield (name,), value, "a one-byte field holds 0 to 255", reference


_measure: list[Callable[[object], int]] = []
"""How an item's Item-length is measured: the encoder's, registered by ``_framing.pdu_encode``
(:func:`measure_with`), so that this module needs no encoder (the facade imports it, so it
is registered before any item is built)."""


def measure_with(item_length: Callable[[object], int]) -> None:
    """Say how the 16-bit limit measures an item (``_framing.pdu_encode`` does)."""
    _measure[:] = [item_length]


def length_limit(owner: object, name: str, value: object, reference: str) -> Iterator[Problem]:
    """An item's length field has 16 bits (PS3.8 9.3.2.1): its body is at most 65,535 bytes."""
    if not _measure:
        raise RuntimeError("dimsekit._framing.pdu_encode has not registered its measure")
    length = _measure[0](owner)
    if length > MAX_ITEM_LENGTH:
        yield (
            (name,),
            f"{length} bytes",
            f"an item's 16-bit Item-length holds at most {MAX_ITEM_LENGTH} bytes",
            reference,
        )


def to_uids(value: Iterable[str | bytes]) -> tuple[UID, ...]:
    """An iterable of str/bytes UIDs -> a tuple of UIDs (a lone str is left for the
    validator, which names it)."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return cast("tuple[UID, ...]", value)
    return tuple(vr.to_uid(item) for item in value)


def enum_member(kind: type[enum.IntEnum], value: object) -> Any:
    """int -> the member of ``kind``; any other value is left for the rule to refuse."""
    if type(value) is kind or isinstance(value, bool):
        return value
    members = _MEMBERS.get(kind)
    if members is None:
        members = _MEMBERS[kind] = {member.value: member for member in kind}
    try:
        # The member of that value, as ``kind(value)`` finds it, without the call.
        return members.get(value, value)
    except TypeError:  # not hashable: left for the rule
        return value


_MEMBERS: Final[dict[type[enum.IntEnum], dict[object, enum.IntEnum]]] = {}
"""Each enumeration's members by value, made the first time one is converted."""


def enum_rule(name: str, value: object, kind: type[enum.Enum], reference: str) -> Iterator[Problem]:
    if not isinstance(value, kind):
        names = ", ".join(f"{member.value} ({member.name})" for member in kind)
        yield (name,), value, f"{kind.__name__} is one of {names}", reference


def to_flag(value: bool | int) -> bool:
    """0 or 1 -> False or True; any other value is left for the rule to refuse."""
    return bool(value) if type(value) is int and value in (0, 1) else cast(bool, value)


def _redacted(value: bytes) -> str:
    return f"<{len(value)} bytes, redacted>"


# --- the enumerations ---------------------------------------------------------------------


class ContextResult(enum.IntEnum):
    """Result/Reason of an A-ASSOCIATE-AC presentation context (PS3.8 9.3.3.2)."""

    ACCEPTANCE = 0
    USER_REJECTION = 1
    NO_REASON = 2
    """provider rejection"""
    ABSTRACT_SYNTAX_NOT_SUPPORTED = 3
    """provider rejection"""
    TRANSFER_SYNTAXES_NOT_SUPPORTED = 4
    """provider rejection"""


class UserIdentityType(enum.IntEnum):
    """User-Identity-Type of the User Identity sub-item (PS3.7 D.3.3.7.1)."""

    USERNAME = 1
    USERNAME_AND_PASSCODE = 2
    KERBEROS = 3
    SAML = 4
    JWT = 5


def to_context_result(value: int) -> ContextResult:
    """int -> ContextResult (anything else is left for the rule)."""
    return cast(ContextResult, enum_member(ContextResult, value))


def to_user_identity_type(value: int) -> UserIdentityType:
    """int -> UserIdentityType (anything else is left for the rule)."""
    return cast(UserIdentityType, enum_member(UserIdentityType, value))


def to_unknown_items(value: Iterable[UnknownItem]) -> tuple[UnknownItem, ...]:
    return tuple(value)


_PUBLIC_PRIMARY: Final = frozenset(
    {UserIdentityType.USERNAME, UserIdentityType.USERNAME_AND_PASSCODE}
)
"""The types whose primary field is a username, shown in ``repr``; any other type's
primary field is a token (Kerberos ticket, SAML assertion, JWT) and is redacted."""


# --- items ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class UnknownItem:
    """An item or sub-item of a type dimsekit does not know, kept as it came (PS3.8
    9.3.1, D.2: unrecognised items are skipped and ignored, not refused)."""

    item_type: int
    data: bytes = attrs.field(converter=bytes)
    reserved: int = 0
    """The item header's reserved byte as received."""

    def __attrs_post_init__(self) -> None:
        need(self, "item_type", self.item_type, int)
        need(self, "reserved", self.reserved, int)
        for name, value in (("item_type", self.item_type), ("reserved", self.reserved)):
            if not 0 <= value <= 0xFF:
                raise InvalidPDUError(
                    "UnknownItem", (name,), value, "a one-byte field holds 0 to 255", "PS3.8 9.3.1"
                )
        if len(self.data) > MAX_ITEM_LENGTH:
            raise InvalidPDUError(
                "UnknownItem",
                ("data",),
                f"{len(self.data)} bytes",
                f"an item's 16-bit Item-length holds at most {MAX_ITEM_LENGTH} bytes",
                "PS3.8 9.3.1",
            )


@attrs.frozen(kw_only=True)
class ApplicationContext(Checked):
    """Application Context item, 10H (PS3.8 9.3.2.1): the application context name."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.APPLICATION_CONTEXT
    name: UID = attrs.field(default=DICOM_APPLICATION_CONTEXT, converter=vr.to_uid)
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        yield from uid_rule("name", self.name)


CONTEXT_ID_RULE: Final = "1 <= {v} <= 255 and {v} & 1"
"""A presentation context ID is an odd integer from 1 to 255 (PS3.8 9.3.2.2): the rule,
as an expression over ``{v}``, which :func:`context_id_holds` is compiled from."""
context_id_holds: Final[Callable[[int], bool]] = compile_function(
    f"def context_id_holds(v):\n    return bool({CONTEXT_ID_RULE.format(v='v')})\n",
    "context_id_holds",
    "context ID rule",
    {},
)


def context_id_rule(context_id: int) -> Iterator[Problem]:
    """The context ID rule (:data:`CONTEXT_ID_RULE`), as a problem."""
    if not context_id_holds(context_id):
        yield (
            ("context_id",),
            context_id,
            "a presentation context ID is an odd integer from 1 to 255",
            "PS3.8 9.3.2.2",
        )


CONTEXT_RQ_FIELDS_HOLD: Final = {
    "context_id": "type({v}) is int and " + CONTEXT_ID_RULE,
    "abstract_syntax": "{v} in _known_uids",
    "transfer_syntaxes": "type({v}) is tuple and {v} != () and _all(map(_known_has, {v}))",
}
"""What :data:`CONTEXT_RQ_HOLDS` asks of each field of a proposed context, over the
field's value ``{v}``: each a part of it, true only where that field breaks none of its
rules.  The parts over UIDs ask the shared memory (``_model.vr.KNOWN_UIDS``), which holds
only valid UIDs; a UID that is valid stays so, so a part found true of a value stays
true of it (the decoder remembers values it found so, and does not ask again)."""

CONTEXT_RQ_HOLDS: Final = InlineCheck(
    "("
    + " and ".join(
        f"({form.format(v='{v}.' + name)})" for name, form in CONTEXT_RQ_FIELDS_HOLD.items()
    )
    + ")",
    {"_known_uids": _known_uids, "_known_has": _known_uids.__contains__, "_all": all},
)
"""True only for a proposed context that breaks none of its rules: a valid ID (the
compiled :data:`CONTEXT_ID_RULE`), at least one transfer syntax, and UIDs the shared
memory knows to be valid (``_model.vr.KNOWN_UIDS``): the parts of
:data:`CONTEXT_RQ_FIELDS_HOLD`, over the item's fields; the form ``problems`` asks first
and the decoder inlines (a false one: ``problems`` says what is broken)."""


def _predicate(form: InlineCheck, label: str) -> Callable[[object], bool]:
    """``form`` as a function of one value, compiled from the declaration itself."""
    source = f"def holds(v):\n    return bool({form.of('v')})\n"
    return compile_function(source, "holds", label, dict(form.names))


_context_rq_holds: Final = _predicate(CONTEXT_RQ_HOLDS, "PresentationContextRQ holds")


@attrs.frozen(kw_only=True)
class PresentationContextRQ(Checked):
    """Presentation Context item of an A-ASSOCIATE-RQ, 20H (PS3.8 9.3.2.2): one
    abstract syntax and one or more transfer syntaxes proposed under an odd ID."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.PRESENTATION_CONTEXT_RQ
    context_id: int
    abstract_syntax: UID = attrs.field(converter=vr.to_uid)
    transfer_syntaxes: tuple[UID, ...] = attrs.field(converter=to_uids)
    unknown_items: tuple[UnknownItem, ...] = attrs.field(default=(), converter=to_unknown_items)
    """Sub-items of other types, kept in order (PS3.8 9.3.1)."""
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    HOLDS: ClassVar[InlineCheck] = CONTEXT_RQ_HOLDS
    FIELDS_HOLD: ClassVar[Mapping[str, str]] = CONTEXT_RQ_FIELDS_HOLD

    def problems(self) -> Iterable[Problem]:
        # A context of a valid ID and of UIDs known to be valid breaks no rule: said at
        # once (CONTEXT_RQ_HOLDS: the compiled context ID rule, the shared UID memory).
        if _context_rq_holds(self):
            return ()
        return self.each_problem()

    def each_problem(self) -> Iterator[Problem]:
        context_id = self.context_id
        if type(context_id) is not int:
            need(self, "context_id", context_id, int)
        if not context_id_holds(context_id):
            yield from context_id_rule(context_id)
        abstract = self.abstract_syntax
        if abstract not in _known_uids:
            yield from uid_rule("abstract_syntax", abstract)
        syntaxes = self.transfer_syntaxes
        if not isinstance(syntaxes, tuple):
            raise TypeError(
                f"PresentationContextRQ.transfer_syntaxes must be an iterable of UIDs, "
                f"not {type(syntaxes).__name__}"
            )
        if not syntaxes:
            yield (
                ("transfer_syntaxes",),
                syntaxes,
                "a proposed presentation context has one or more transfer syntaxes",
                "PS3.8 9.3.2.2",
            )
        for syntax in syntaxes:
            if syntax not in _known_uids:
                yield from uid_rule("transfer_syntaxes", syntax)

    def limits(self) -> Iterator[Problem]:
        yield from length_limit(self, "transfer_syntaxes", self.transfer_syntaxes, "PS3.8 9.3.2.2")


CONTEXT_AC_HOLDS: Final = InlineCheck(
    "(type({v}.context_id) is int and "
    + CONTEXT_ID_RULE.format(v="{v}.context_id")
    + " and type({v}.result) is _ContextResult"
    " and ({v}.result is not _ACCEPTANCE or {v}.transfer_syntax in _known_uids))",
    {
        "_known_uids": _known_uids,
        "_ContextResult": ContextResult,
        "_ACCEPTANCE": ContextResult.ACCEPTANCE,
    },
)
"""True only for an answered context that breaks none of its rules (PS3.8 9.3.3.2): a
valid ID, a result, and, accepted, a transfer syntax the shared memory knows to be valid
(not accepted, the transfer syntax is not significant); ``problems`` asks it first and
the decoder inlines it."""
_context_ac_holds: Final = _predicate(CONTEXT_AC_HOLDS, "PresentationContextAC holds")


@attrs.frozen(kw_only=True)
class PresentationContextAC(Checked):
    """Presentation Context item of an A-ASSOCIATE-AC, 21H (PS3.8 9.3.3.2): the answer
    to one proposed context, with the one transfer syntax accepted.  When the context is
    not accepted the transfer syntax sub-item is not significant and is not tested."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.PRESENTATION_CONTEXT_AC
    context_id: int
    result: ContextResult = attrs.field(
        default=ContextResult.ACCEPTANCE, converter=to_context_result
    )
    transfer_syntax: UID | None = attrs.field(default=None, converter=vr.to_optional_uid)
    unknown_items: tuple[UnknownItem, ...] = attrs.field(default=(), converter=to_unknown_items)
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    HOLDS: ClassVar[InlineCheck] = CONTEXT_AC_HOLDS

    @property
    def accepted(self) -> bool:
        return self.result is ContextResult.ACCEPTANCE

    def problems(self) -> Iterable[Problem]:
        # CONTEXT_AC_HOLDS: a valid ID, a result, and for an accepted context a transfer
        # syntax the shared memory knows to be valid: no rule broken, said at once.
        if _context_ac_holds(self):
            return ()
        return self.each_problem()

    def each_problem(self) -> Iterator[Problem]:
        if type(self.context_id) is not int:
            need(self, "context_id", self.context_id, int)
        if not context_id_holds(self.context_id):
            yield from context_id_rule(self.context_id)
        if type(self.result) is not ContextResult:
            yield from enum_rule("result", self.result, ContextResult, "PS3.8 9.3.3.2")
        if self.result == ContextResult.ACCEPTANCE:
            if self.transfer_syntax is None:
                yield (
                    ("transfer_syntax", "result"),
                    (None, self.result),
                    "an accepted presentation context has the one transfer syntax accepted",
                    "PS3.8 9.3.3.2",
                )
            elif self.transfer_syntax not in _known_uids:
                yield from uid_rule("transfer_syntax", self.transfer_syntax)

    def limits(self) -> Iterable[Problem]:
        # Its one transfer syntax is a UID of at most 64 bytes: only sub-items of other
        # types can take the item past its 16-bit Item-length.
        if self.unknown_items:
            return length_limit(self, "unknown_items", None, "PS3.8 9.3.3.2")
        return ()


# --- user information sub-items ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class MaximumLength(Checked):
    """Maximum Length sub-item, 51H (PS3.8 D.1.1): the largest P-DATA-TF variable field
    the sender receives; 0 means no maximum."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.MAXIMUM_LENGTH
    maximum_length: int
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        need(self, "maximum_length", self.maximum_length, int)
        if not 0 <= self.maximum_length <= 0xFFFF_FFFF:
            yield (
                ("maximum_length",),
                self.maximum_length,
                "Maximum-length-received is 0 (no maximum) or up to 2**32-1",
                "PS3.8 D.1.1",
            )


@attrs.frozen(kw_only=True)
class ImplementationClassUID(Checked):
    """Implementation Class UID sub-item, 52H (PS3.7 D.3.3.2.1)."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.IMPLEMENTATION_CLASS_UID
    uid: UID = attrs.field(converter=vr.to_uid)
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        yield from uid_rule("uid", self.uid)


@attrs.frozen(kw_only=True)
class AsynchronousOperationsWindow(Checked):
    """Asynchronous Operations Window sub-item, 53H (PS3.7 D.3.3.3.1): how many
    operations may be outstanding each way; 0 means unlimited, 1 synchronous (the
    default when the sub-item is absent)."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.ASYNCHRONOUS_OPERATIONS_WINDOW
    maximum_number_operations_invoked: int = 1
    maximum_number_operations_performed: int = 1
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        for name in ("maximum_number_operations_invoked", "maximum_number_operations_performed"):
            value = getattr(self, name)
            need(self, name, value, int)
            problem = us_problem(value)
            if problem is not None:
                yield (name,), value, f"{problem} (0: unlimited)", "PS3.7 D.3.3.3.1"


@attrs.frozen(kw_only=True)
class RoleSelection(Checked):
    """SCP/SCU Role Selection sub-item, 54H (PS3.7 D.3.3.4.1): for one SOP class, whether
    the requestor proposes (or the acceptor accepts) each role, 0 or 1."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.ROLE_SELECTION
    sop_class_uid: UID = attrs.field(converter=vr.to_uid)
    scu_role: int
    scp_role: int
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        yield from uid_rule("sop_class_uid", self.sop_class_uid)
        for name in ("scu_role", "scp_role"):
            value = getattr(self, name)
            need(self, name, value, int)
            if value not in (0, 1):
                yield (
                    (name,),
                    value,
                    "a role is 0 (not proposed, or refused) or 1 (proposed, or accepted)",
                    "PS3.7 D.3.3.4.1",
                )


@attrs.frozen(kw_only=True)
class ImplementationVersionName(Checked):
    """Implementation Version Name sub-item, 55H (PS3.7 D.3.3.2.3): 1-16 characters."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.IMPLEMENTATION_VERSION_NAME
    name: str = attrs.field(converter=vr.to_ae)
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        problem = VERSION_NAME_TEXT.problem(self.name)
        if problem is not None:
            yield ("name",), self.name, problem[0], "PS3.7 D.3.3.2.3"


@attrs.frozen(kw_only=True)
class SOPClassExtendedNegotiation(Checked):
    """SOP Class Extended Negotiation sub-item, 56H (PS3.7 D.3.3.5.1): for one SOP
    class, service-class-application-information whose meaning its service class
    defines (PS3.4)."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.SOP_CLASS_EXTENDED_NEGOTIATION
    sop_class_uid: UID = attrs.field(converter=vr.to_uid)
    service_class_application_information: bytes = attrs.field(default=b"", converter=bytes)
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        yield from uid_rule("sop_class_uid", self.sop_class_uid)

    def limits(self) -> Iterator[Problem]:
        yield from length_limit(
            self, "service_class_application_information", None, "PS3.7 D.3.3.5.1"
        )


@attrs.frozen(kw_only=True)
class SOPClassCommonExtendedNegotiation(Checked):
    """SOP Class Common Extended Negotiation sub-item, 57H (PS3.7 D.3.3.6.1), sent only
    in an A-ASSOCIATE-RQ."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.SOP_CLASS_COMMON_EXTENDED_NEGOTIATION
    sop_class_uid: UID = attrs.field(converter=vr.to_uid)
    service_class_uid: UID = attrs.field(converter=vr.to_uid)
    related_general_sop_class_uids: tuple[UID, ...] = attrs.field(default=(), converter=to_uids)
    sub_item_version: int = 0
    """The item header's second byte: the sub-item version, 0 (PS3.7 D.3.3.6.1)."""
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        yield from uid_rule("sop_class_uid", self.sop_class_uid)
        yield from uid_rule("service_class_uid", self.service_class_uid)
        related = self.related_general_sop_class_uids
        if not isinstance(related, tuple):
            raise TypeError(
                "SOPClassCommonExtendedNegotiation.related_general_sop_class_uids must be an "
                f"iterable of UIDs, not {type(related).__name__}"
            )
        for uid in related:
            yield from uid_rule("related_general_sop_class_uids", uid)
        need(self, "sub_item_version", self.sub_item_version, int)
        yield from byte_rule("sub_item_version", self.sub_item_version, "PS3.7 D.3.3.6.1")

    def limits(self) -> Iterator[Problem]:
        yield from length_limit(self, "related_general_sop_class_uids", None, "PS3.7 D.3.3.6.1")


@attrs.frozen(kw_only=True, repr=False)
class UserIdentityRQ(Checked):
    """User Identity sub-item of an A-ASSOCIATE-RQ, 58H (PS3.7 D.3.3.7.1).  A passcode
    and a Kerberos, SAML or JWT token are redacted in ``repr``."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.USER_IDENTITY_RQ
    user_identity_type: UserIdentityType = attrs.field(converter=to_user_identity_type)
    primary_field: bytes = attrs.field(converter=bytes)
    secondary_field: bytes = attrs.field(default=b"", converter=bytes)
    positive_response_requested: bool = attrs.field(default=False, converter=to_flag)
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def problems(self) -> Iterator[Problem]:
        yield from enum_rule(
            "user_identity_type", self.user_identity_type, UserIdentityType, "PS3.7 D.3.3.7.1"
        )
        need(self, "positive_response_requested", self.positive_response_requested, (bool, int))
        if self.positive_response_requested not in (0, 1):
            yield (
                ("positive_response_requested",),
                self.positive_response_requested,
                "Positive-response-requested is 0 or 1",
                "PS3.7 D.3.3.7.1",
            )
        if not self.primary_field:
            yield (
                ("primary_field",),
                self.primary_field,
                "the primary field (username or token) is not empty",
                "PS3.7 D.3.3.7.1",
            )
        if (
            self.secondary_field
            and self.user_identity_type != UserIdentityType.USERNAME_AND_PASSCODE
        ):
            yield (
                ("secondary_field", "user_identity_type"),
                ("<redacted>", self.user_identity_type),
                "only a username-and-passcode identity has a secondary field (the passcode)",
                "PS3.7 D.3.3.7.1",
            )

    def limits(self) -> Iterator[Problem]:
        yield from length_limit(self, "primary_field", None, "PS3.7 D.3.3.7.1")

    def __repr__(self) -> str:
        kind = self.user_identity_type
        primary = (
            repr(self.primary_field) if kind in _PUBLIC_PRIMARY else _redacted(self.primary_field)
        )
        secondary = _redacted(self.secondary_field) if self.secondary_field else "b''"
        return (
            f"UserIdentityRQ(user_identity_type={kind!r}, primary_field={primary}, "
            f"secondary_field={secondary}, "
            f"positive_response_requested={self.positive_response_requested!r})"
        )


@attrs.frozen(kw_only=True, repr=False)
class UserIdentityAC(Checked):
    """User Identity sub-item of an A-ASSOCIATE-AC, 59H (PS3.7 D.3.3.7.2): the server
    response (a Kerberos ticket, a SAML response; empty for a username), redacted in
    ``repr``."""

    ITEM_TYPE: ClassVar[ItemType] = ItemType.USER_IDENTITY_AC
    server_response: bytes = attrs.field(default=b"", converter=bytes)
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def limits(self) -> Iterator[Problem]:
        yield from length_limit(self, "server_response", None, "PS3.7 D.3.3.7.2")

    def __repr__(self) -> str:
        shown = _redacted(self.server_response) if self.server_response else "b''"
        return f"UserIdentityAC(server_response={shown})"


SubItem: TypeAlias = (
    MaximumLength
    | ImplementationClassUID
    | AsynchronousOperationsWindow
    | RoleSelection
    | ImplementationVersionName
    | SOPClassExtendedNegotiation
    | SOPClassCommonExtendedNegotiation
    | UserIdentityRQ
    | UserIdentityAC
    | UnknownItem
)
"""A user information sub-item."""

_SUB_ITEM_CLASSES: Final = (
    MaximumLength,
    ImplementationClassUID,
    AsynchronousOperationsWindow,
    RoleSelection,
    ImplementationVersionName,
    SOPClassExtendedNegotiation,
    SOPClassCommonExtendedNegotiation,
    UserIdentityRQ,
    UserIdentityAC,
    UnknownItem,
)


def _item_type(item: object) -> int:
    kind = getattr(type(item), "ITEM_TYPE", None)
    return kind if kind is not None else cast(UnknownItem, item).item_type


def to_sub_items(value: Iterable[SubItem]) -> tuple[SubItem, ...]:
    """Sub-items in increasing type order, as PS3.8 9.3.1 has them sent (stable: the
    role selections keep their order among themselves)."""
    if not isinstance(value, Iterable):
        return cast("tuple[SubItem, ...]", value)
    items = tuple(value)
    if not all(isinstance(item, _SUB_ITEM_CLASSES) for item in items):
        return items  # the rule names what is not a sub-item
    return tuple(sorted(items, key=_item_type))


def _in_type_order(items: tuple[SubItem, ...]) -> tuple[SubItem, ...]:
    """Equality ignores the order of sub-items of different types (CP 280 lets them
    come in any order); among one type, order counts."""
    return tuple(sorted(items, key=_item_type)) if isinstance(items, tuple) else items


@attrs.frozen(kw_only=True)
class UserInformation(Checked):
    """User Information item, 50H (PS3.8 9.3.2.3, Annex D): its sub-items, kept in the
    order they came (built: in increasing type order), unknown ones among them.

    The count rules (PS3.8 D.1, PS3.7 D.3.3): one Maximum Length and one Implementation
    Class UID, at most one of each other type but for the role selections and the
    extended negotiations, which are at most one per SOP class.  Whether 57H or 58H
    (RQ only) or 59H (AC only) may be there depends on the PDU, which checks it.
    """

    ITEM_TYPE: ClassVar[ItemType] = ItemType.USER_INFORMATION
    sub_items: tuple[SubItem, ...] = attrs.field(
        default=(), converter=to_sub_items, eq=_in_type_order
    )
    received: Received | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @classmethod
    def of(
        cls,
        *,
        maximum_length: int,
        implementation_class_uid: str | bytes,
        implementation_version_name: str | bytes | None = None,
        asynchronous_operations_window: tuple[int, int] | None = None,
        others: Iterable[SubItem] = (),
    ) -> UserInformation:
        """The item with the sub-items named (``others``: any more, e.g. role selections)."""
        items: list[SubItem] = [
            MaximumLength(maximum_length=maximum_length),
            ImplementationClassUID(uid=implementation_class_uid),
        ]
        if implementation_version_name is not None:
            items.append(ImplementationVersionName(name=implementation_version_name))
        if asynchronous_operations_window is not None:
            invoked, performed = asynchronous_operations_window
            items.append(
                AsynchronousOperationsWindow(
                    maximum_number_operations_invoked=invoked,
                    maximum_number_operations_performed=performed,
                )
            )
        items.extend(others)
        return cls(sub_items=items)

    def _first(self, kind: type[Any]) -> Any:
        for item in self.sub_items:
            if type(item) is kind:
                return item
        return None

    @property
    def maximum_length(self) -> int | None:
        """The Maximum Length received (0: no maximum), or None without the sub-item."""
        item = self._first(MaximumLength)
        return None if item is None else cast(int, item.maximum_length)

    @property
    def implementation_class_uid(self) -> UID | None:
        item = self._first(ImplementationClassUID)
        return None if item is None else cast(UID, item.uid)

    @property
    def implementation_version_name(self) -> str | None:
        item = self._first(ImplementationVersionName)
        return None if item is None else cast(str, item.name)

    @property
    def asynchronous_operations_window(self) -> AsynchronousOperationsWindow | None:
        return cast(
            "AsynchronousOperationsWindow | None", self._first(AsynchronousOperationsWindow)
        )

    @property
    def role_selections(self) -> tuple[RoleSelection, ...]:
        return tuple(item for item in self.sub_items if type(item) is RoleSelection)

    @property
    def extended_negotiations(self) -> tuple[SOPClassExtendedNegotiation, ...]:
        return tuple(item for item in self.sub_items if type(item) is SOPClassExtendedNegotiation)

    @property
    def common_extended_negotiations(self) -> tuple[SOPClassCommonExtendedNegotiation, ...]:
        return tuple(
            item for item in self.sub_items if type(item) is SOPClassCommonExtendedNegotiation
        )

    @property
    def user_identity(self) -> UserIdentityRQ | UserIdentityAC | None:
        return cast(
            "UserIdentityRQ | UserIdentityAC | None",
            self._first(UserIdentityRQ) or self._first(UserIdentityAC),
        )

    @property
    def unknown_items(self) -> tuple[UnknownItem, ...]:
        return tuple(item for item in self.sub_items if type(item) is UnknownItem)

    def problems(self) -> Iterator[Problem]:
        items = self.sub_items
        if not isinstance(items, tuple):
            raise TypeError(
                f"UserInformation.sub_items must be an iterable of sub-items, "
                f"not {type(items).__name__}"
            )
        for item in items:
            if not isinstance(item, _SUB_ITEM_CLASSES):
                raise TypeError(
                    f"UserInformation.sub_items holds sub-items (MaximumLength, ...), "
                    f"not {type(item).__name__}"
                )
        counts: dict[type, int] = {}
        per_class: dict[tuple[type, str], int] = {}
        for item in items:
            counts[type(item)] = counts.get(type(item), 0) + 1
            if isinstance(
                item,
                RoleSelection | SOPClassExtendedNegotiation | SOPClassCommonExtendedNegotiation,
            ):
                key = (type(item), str(item.sop_class_uid))
                per_class[key] = per_class.get(key, 0) + 1
        for kind, what, reference, assumed in _EXACTLY_ONE:
            if counts.get(kind, 0) != 1:
                yield (
                    ("sub_items",),
                    f"{counts.get(kind, 0)} {what} sub-items",
                    f"a User Information item has exactly one {what} sub-item"
                    + (f" (without one, {assumed})" if not counts.get(kind) else ""),
                    reference,
                )
        for kind, what, reference in _AT_MOST_ONE:
            if counts.get(kind, 0) > 1:
                yield (
                    ("sub_items",),
                    f"{counts[kind]} {what} sub-items",
                    f"a User Information item has at most one {what} sub-item",
                    reference,
                )
        for (kind, uid), count in per_class.items():
            if count > 1:
                yield (
                    ("sub_items",),
                    f"{count} {kind.__name__} sub-items for {uid}",
                    f"at most one {kind.__name__} sub-item per SOP class",
                    _PER_CLASS[kind],
                )

    def limits(self) -> Iterator[Problem]:
        yield from length_limit(self, "sub_items", None, "PS3.8 9.3.2.3")


_EXACTLY_ONE: Final[tuple[tuple[type, str, str, str], ...]] = (
    (MaximumLength, "Maximum Length", "PS3.8 D.1", "a receiver assumes no maximum"),
    (
        ImplementationClassUID,
        "Implementation Class UID",
        "PS3.7 D.3.3.2",
        "the implementation is unknown",
    ),
)
_AT_MOST_ONE: Final[tuple[tuple[type, str, str], ...]] = (
    (AsynchronousOperationsWindow, "Asynchronous Operations Window", "PS3.7 D.3.3.3"),
    (ImplementationVersionName, "Implementation Version Name", "PS3.7 D.3.3.2"),
    (UserIdentityRQ, "User Identity (RQ)", "PS3.7 D.3.3.7"),
    (UserIdentityAC, "User Identity (AC)", "PS3.7 D.3.3.7"),
)
_PER_CLASS: Final[dict[type, str]] = {
    RoleSelection: "PS3.7 D.3.3.4",
    SOPClassExtendedNegotiation: "PS3.7 D.3.3.5",
    SOPClassCommonExtendedNegotiation: "PS3.7 D.3.3.6",
}
