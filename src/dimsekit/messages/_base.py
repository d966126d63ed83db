"""What every DIMSE message class shares: the bases, the rule machinery, the registry.

Owns: :class:`Message`, :class:`Request`, :class:`Response`; :class:`Rule`, a
cross-field condition of PS3.7 stated once in words and once as a check, with how
serious breaking it is in a received message; the
requirement codes of each field (M, U, U(=), C, C(=), A for Annex C only); the rules
every response obeys (its status is one its service may answer with, its status-related
fields go with a status whose PS3.7 Annex C entry lists them, stated once as
:func:`annex_c_condition`, which each field's rule and both fast paths are made from);
the inline form of the status validator; the registry that maps a
Command Field to its class; and building a response from its request.

Must not know: bytes, tags or how fields are encoded (that is the codec's, through
``dimsekit._model.fields``), or the rules of one particular service (each service module
states its own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, TypeAlias, TypeVar, cast

import attrs
from pydicom.uid import UID

from .._codegen import compile_function
from .._diagnostics import Severity
from .._errors import InvalidMessageError
from .._model.fields import BY_NAME, DATA_SET_PARAMETERS
from .._model.payload import DataSetPayload
from .._model.sop_classes import MODALITY_WORKLIST, STORAGE_COMMITMENT_PUSH_MODEL, uid_of
from .._model.status import ServiceClass, Status, refused_statuses, related_fields, to_status
from .._model.value_rules import InlineCheck, declare_inline, refuse
from .._model.vr import CommandField, check_us
from .._model.wire_details import WireDetails
from ._fast_init import install_fast_init

__all__ = [
    "MESSAGE_CLASSES",
    "Message",
    "Request",
    "Response",
    "ResponseMismatch",
    "FieldPairs",
    "Rule",
    "message",
]

REQ: Final = "dimse.req"
"""Field metadata key: the field's requirement code in its message (PS3.7 tables)."""

M: Final[Mapping[str, str]] = {REQ: "M"}
U: Final[Mapping[str, str]] = {REQ: "U"}
U_EQ: Final[Mapping[str, str]] = {REQ: "U(=)"}
C: Final[Mapping[str, str]] = {REQ: "C"}
C_EQ: Final[Mapping[str, str]] = {REQ: "C(=)"}
A: Final[Mapping[str, str]] = {REQ: "A"}
"""Status-related only: present just with a status whose Annex C entry lists the field."""


@attrs.frozen
class Rule:
    """A condition of PS3.7 that ties fields of one message together.

    ``holds`` gets the message once every field has passed its own validator and
    returns False when the condition is broken.

    A message that breaks a rule is never built.  ``when_received`` says how a lenient
    decoder reports a received one that does: an ERROR by default, a WARNING for a rule
    real peers break while what they mean stays clear (the message is understood the
    same either way; strict decoding refuses both).
    """

    fields: tuple[str, ...]
    text: str
    reference: str
    holds: Callable[[Any], bool] = attrs.field(repr=False)
    when_received: Severity = attrs.field(default=Severity.ERROR, kw_only=True)
    """The severity of the diagnostic a received message breaking this rule gets."""


@attrs.frozen
class ResponseMismatch:
    """One way in which a response does not answer a request."""

    field: str
    request_value: object
    response_value: object
    rule: str

    def __str__(self) -> str:
        return (
            f"{self.field}: {self.rule} (request {self.request_value!r}, "
            f"response {self.response_value!r})"
        )


MESSAGE_CLASSES: Final[dict[CommandField, type[Message]]] = {}
"""Every message class by its Command Field; filled as the service modules load."""
_DATA_SET_FIELDS: Final[dict[type, str | None]] = {}
"""Each class's data-set field, as :meth:`Message.data_set_field` found it."""
_UNKNOWN: Final = object()


@attrs.frozen(kw_only=True)
class Message:
    """Base of the 23 DIMSE message classes (PS3.7 9.3 and 10.3).

    Instances are frozen and validated: each field is converted and checked on its own,
    then every :class:`Rule` of the class is checked.  A message that breaks PS3.7 raises
    :class:`~dimsekit.InvalidMessageError` and never exists.
    """

    command_field: ClassVar[CommandField]
    section: ClassVar[str]
    """Where PS3.7 lays out this message's parameters (its message table), as a
    reference: ``"PS3.7 9.3.1.1"`` (a service's request in .1, its response in .2; the
    C-CANCEL-RQ in the three services it cancels)."""
    rules: ClassVar[tuple[Rule, ...]] = ()
    """The cross-field conditions this class enforces, in words and as checks."""
    requirement_marks: ClassVar[Mapping[str, str]] = {}
    """Requirement codes of inherited fields that this message's table marks otherwise
    than the base class does (N-EVENT-REPORT-RSP's Affected SOP Class UID is U(=) where
    the DIMSE-N responses' is U): the field keeps its one definition, in the base."""

    _wire: WireDetails | None = attrs.field(init=False, default=None, eq=False, repr=False)

    @property
    def wire(self) -> WireDetails | None:
        """What the decoder kept of the received command set; None for a built message.

        It takes no part in equality, and ``attrs.evolve`` drops it: a changed message
        is no longer the one received.
        """
        return self._wire

    if TYPE_CHECKING:

        @property
        def wire_slot(self) -> WireDetails | None:
            """:attr:`wire`, read without a call (internal to dimsekit, for the codec's
            once-a-message reads): the ``_wire`` slot's own descriptor, under a second
            name, set below the class."""

    def __attrs_post_init__(self) -> None:
        for rule in self.rules:
            if not rule.holds(self):
                raise InvalidMessageError(
                    type(self).__name__,
                    rule.fields,
                    {name: getattr(self, name) for name in rule.fields},
                    rule.text,
                    rule.reference,
                )

    @classmethod
    def requirements(cls) -> dict[str, str]:
        """Attribute name -> requirement code (M, U, U(=), C, C(=), A) of this message."""
        marks = cls.requirement_marks
        return {
            field.name: marks.get(field.name, field.metadata[REQ])
            for field in attrs.fields(cls)
            if field.init
        }

    @classmethod
    def data_set_field(cls) -> str | None:
        """The name of this message's data-set parameter, or None if it carries none.

        The one statement of which field holds a message's data set: the field named
        for a PS3.7 data-set parameter (``_model.fields.DATA_SET_PARAMETERS``; PS3.7 9.3, 10.3).
        The codec's layout (``_codec.layout.Layout``) and everything after it take it from here.
        """
        found = _DATA_SET_FIELDS.get(cls, _UNKNOWN)
        if found is _UNKNOWN:
            found = next((f.name for f in attrs.fields(cls) if f.name in DATA_SET_PARAMETERS), None)
            _DATA_SET_FIELDS[cls] = found
        return found  # type: ignore[return-value]

    @property
    def data_set_payload(self) -> DataSetPayload | None:
        """The data set this message carries, whatever its PS3.7 name, or None."""
        name = self.data_set_field()
        value = getattr(self, name) if name is not None else None
        return value if isinstance(value, DataSetPayload) else None


MessageT = TypeVar("MessageT", bound=Message)


def build_leniently(
    cls: type[MessageT], values: Mapping[str, object], wire: WireDetails | None = None
) -> tuple[MessageT, list[tuple[InvalidMessageError, Severity]]]:
    """Build a message of ``cls`` from decoded values even where they break PS3.7.

    For the lenient decoder only (internal to dimsekit): every converter runs, then every
    validator and rule, and what they refuse is returned instead of raised, each with how
    serious it is in a received message (a field's own check: ERROR; a rule: its
    ``when_received``), so that a peer's deviation can be reported while its message
    is still understood.  ``values`` must hold every field that has no default.
    """
    inst = object.__new__(cls)
    fields = attrs.fields(cls)
    for field in fields:
        if not field.init:
            value: object = wire if field.name == "_wire" else field.default
        elif field.name in values:
            value = values[field.name]
            if field.converter is not None:
                value = field.converter(value)
        else:
            value = field.default
        object.__setattr__(inst, field.name, value)
    problems: list[tuple[InvalidMessageError, Severity]] = []
    for field in fields:
        if field.validator is not None:
            try:
                field.validator(inst, field, getattr(inst, field.name))
            except InvalidMessageError as problem:
                problems.append((problem, Severity.ERROR))
    for rule in cls.rules:
        try:
            holds = rule.holds(inst)
        except Exception:  # a value so wrong the rule cannot even be evaluated
            holds = False
        if not holds:
            broken = InvalidMessageError(
                cls.__name__,
                rule.fields,
                {name: getattr(inst, name) for name in rule.fields},
                rule.text,
                rule.reference,
            )
            problems.append((broken, rule.when_received))
    return inst, problems


def with_wire(message: MessageT, wire: WireDetails) -> MessageT:
    """``message``, remembering ``wire`` (set once, by the decoder; internal to dimsekit)."""
    object.__setattr__(message, "_wire", wire)
    return message


# ``Message.wire_slot`` is the ``_wire`` slot's descriptor: reading it costs what reading
# ``_wire`` does, where the property or an ``operator.attrgetter`` costs a call (35 ns, on
# an encode of 550 ns).  The slot keeps its name: pickles name it.
setattr(Message, "wire_slot", vars(Message)["_wire"])  # noqa: B010  # hidden from mypy


RspT = TypeVar("RspT", bound="Response")

FieldPairs: TypeAlias = tuple[tuple[str, str], ...]
"""(request field, response field) pairs."""


@attrs.frozen(kw_only=True)
class Request(Message, Generic[RspT]):
    """A request (``*-RQ``): it carries a Message ID and is answered by ``RspT``."""

    response_class: ClassVar[type[Response]]
    echoed: ClassVar[FieldPairs] = ()
    """(request field, response field) pairs copied into :meth:`response`."""
    must_equal: ClassVar[FieldPairs] = ()
    """(request field, response field) pairs that must be equal where both are present."""

    message_id: int = attrs.field(validator=check_us, metadata=M)

    def response(self, *, status: int, **fields: object) -> RspT:
        """Build the response to this request (PS3.7 9.3, 10.3).

        ``message_id_being_responded_to`` is this request's Message ID, and the fields
        the response echoes (the U(=) and C(=) parameters, and for DIMSE-N the
        Requested SOP Class/Instance UID as the Affected ones) are filled from this
        request wherever the status allows them.  Keyword arguments add or override
        fields; passing ``None`` leaves an echoed field out.
        """
        values: dict[str, Any] = {
            "message_id_being_responded_to": self.message_id,
            "status": status,
        }
        code = to_status(status)
        response_class = self.response_class
        if isinstance(code, Status):
            for mine, theirs in self.echoed:
                value = getattr(self, mine)
                if value is not None and response_class.may_carry(theirs, code):
                    values[theirs] = value
        values.update(fields)
        return cast(RspT, response_class(**values))

    def check_response(self, response: RspT) -> list[ResponseMismatch]:
        """Every way in which ``response`` fails to answer this request; empty if it does.

        Checks the response class, the Message ID, and that each U(=)/C(=) field the
        response carries equals the request's value (PS3.7 9.3, 10.3).
        """
        mismatches: list[ResponseMismatch] = []
        if not isinstance(response, self.response_class):
            mismatches.append(
                ResponseMismatch(
                    "command_field",
                    self.command_field.message_name,
                    getattr(response, "command_field", type(response).__name__),
                    f"the answer to a {self.command_field.message_name} is a "
                    f"{self.response_class.command_field.message_name}",
                )
            )
            return mismatches
        if response.message_id_being_responded_to != self.message_id:
            mismatches.append(
                ResponseMismatch(
                    "message_id_being_responded_to",
                    self.message_id,
                    response.message_id_being_responded_to,
                    "must equal the request's Message ID (PS3.7 9.3, 10.3)",
                )
            )
        for mine, theirs in self.must_equal:
            ours, their_value = getattr(self, mine), getattr(response, theirs)
            if their_value is not None and ours is not None and ours != their_value:
                mismatches.append(
                    ResponseMismatch(
                        theirs,
                        ours,
                        their_value,
                        f"if present, must equal the request's {mine} (U(=), C(=))",
                    )
                )
        mismatches.extend(self._extra_mismatches(response))
        return mismatches

    def _extra_mismatches(self, response: RspT) -> list[ResponseMismatch]:
        """Service-specific checks a request class may add."""
        return []


def _check_status(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not Status:
        shown = f"0x{value:04X}" if isinstance(value, int) and 0 <= value <= 0xFFFF else "it"
        refuse(
            inst,
            attribute.name,
            value,
            f"{shown} is no status: a Status is a code of the classes Success 0000, "
            "Warning 0001/Bxxx/0107/0116, Failure Axxx/Cxxx/01xx/02xx, Cancel FE00, "
            "Pending FF00/FF01; no other value may be used",
            "PS3.7 Annex C",
        )
        return
    service = type(inst).command_field.service  # type: ignore[attr-defined]
    if value in refused_statuses(service):
        refuse(
            inst,
            attribute.name,
            value,
            f"{service} has no {value.category.value} status (only C-FIND, C-GET and "
            "C-MOVE answer Pending FF00 or Cancel FE00, and only C-FIND FF01)",
            "PS3.7 9.1, 10.1; PS3.4 C.4",
        )


declare_inline(
    _check_status,
    InlineCheck(
        "(type({v}) is _Status and {v} not in _refused_statuses)",
        {"_Status": Status},
        bind=lambda cls: {"_refused_statuses": refused_statuses(cls.command_field.service)},
    ),
)


@attrs.frozen(kw_only=True)
class Response(Message):
    """A response (``*-RSP``): it answers one request and carries a Status."""

    status_service_class: ClassVar[ServiceClass]
    """The service class whose status meanings apply by default."""
    annex_c_fields: ClassVar[frozenset[str]] = frozenset()
    """Fields marked A: allowed only with a status whose Annex C entry lists them."""
    annex_c_rules: ClassVar[tuple[Rule, ...]] = ()
    """The rules (also in ``rules``) that enforce ``annex_c_fields``, one per field."""

    message_id_being_responded_to: int = attrs.field(validator=check_us, metadata=M)
    status: Status = attrs.field(converter=to_status, validator=_check_status, metadata=M)

    @classmethod
    def may_carry(cls, name: str, status: Status) -> bool:
        """Whether a response of this class with ``status`` may carry field ``name``.

        Used by :meth:`Request.response` to decide what to echo.  Fields that are always
        optional may; Annex C fields may when the status lists them; a class narrows
        further for its C and C(=) fields.
        """
        if name in cls.annex_c_fields:
            return name in status.related_fields()
        return True

    @property
    def status_meaning(self) -> str:
        """What the status means for this response's service class (PS3.4, PS3.7 C)."""
        return self.status.meaning(self.service_class)

    @property
    def service_class(self) -> ServiceClass:
        """The service class whose status meanings apply to this response."""
        return _service_class_of(self, self.status_service_class)


# SOP classes whose service class has status meanings of its own.
_SOP_CLASS_SERVICE: Final[dict[str, ServiceClass]] = {
    MODALITY_WORKLIST.find: ServiceClass.MODALITY_WORKLIST,
    **dict.fromkeys(
        (
            uid_of("ModalityPerformedProcedureStep"),
            uid_of("ModalityPerformedProcedureStepNotification"),
            uid_of("ModalityPerformedProcedureStepRetrieve"),
        ),
        ServiceClass.MPPS,
    ),
    STORAGE_COMMITMENT_PUSH_MODEL: ServiceClass.STORAGE_COMMITMENT,
}
_PRINT_MANAGEMENT_ROOT: Final = "1.2.840.10008.5.1.1."


def _service_class_of(response: Response, default: ServiceClass) -> ServiceClass:
    uid = getattr(response, "affected_sop_class_uid", None)
    if isinstance(uid, UID):
        found = _SOP_CLASS_SERVICE.get(uid)
        if found is not None:
            return found
        if uid.startswith(_PRINT_MANAGEMENT_ROOT):
            return ServiceClass.PRINT
    return default


_M = TypeVar("_M", bound=type[Message])


def message(
    command_field: CommandField,
    *rules: Rule,
    section: str,
    answers: type[Request[Any]] | None = None,
) -> Callable[[_M], _M]:
    """Register a message class: its Command Field, the PS3.7 ``section`` of its message
    table (e.g. ``"9.3.1.1"``), its own rules and the shared ones.

    A response names the request class it ``answers``.

    Every field name must be a command element of the dictionary or a PS3.7 data-set
    parameter, so that the codec and the docs find its tag, keyword and VR in one place.
    Responses get one Annex C rule for each field marked A.
    """

    def register(cls: _M) -> _M:
        for field in attrs.fields(cls):
            if not field.init:
                continue
            if field.name not in BY_NAME and field.name not in DATA_SET_PARAMETERS:
                raise TypeError(f"{cls.__name__}.{field.name} is no command element")
        cls.command_field = command_field
        cls.section = f"PS3.7 {section}"
        shared: list[Rule] = []
        if issubclass(cls, Response):
            annex_c = frozenset(name for name, code in cls.requirements().items() if code == "A")
            cls.annex_c_fields = annex_c
            cls.annex_c_rules = tuple(_annex_c_rule(name) for name in sorted(annex_c))
            shared.extend(cls.annex_c_rules)
        if answers is not None:
            answers.response_class = cast(type[Response], cls)
        cls.rules = (*rules, *shared)
        install_fast_init(cls, *fast_rules(cls))
        MESSAGE_CLASSES[command_field] = cls
        return cls

    return register


def _annex_c_rule(name: str) -> Rule:
    """A status-related field only with a status that lists it.  Received, breaking it is
    a warning: the status says what happened, the field only adds to it, and real peers
    send such fields with other statuses (pynetdicom 3.0.4 copies whatever its handler's
    status Dataset holds into the response, and keeps it in the responses that follow)."""
    return Rule(
        (name, "status"),
        f"{name} is a status-related field: present only with a status whose Annex C "
        "entry lists it",
        "PS3.7 Annex C",
        _annex_c_holds(name),
        when_received=Severity.WARNING,
    )


def annex_c_condition(names: Iterable[str]) -> InlineCheck:
    """The Annex C rule of the status-related fields ``names``: each is absent, or
    listed by the entry of the status (PS3.7 Annex C).  Stated as a condition over
    variables named as the fields and ``status`` (a valid Status), which each field's
    :class:`Rule` is compiled from, and which both fast paths inline for all of a
    class's fields at once (their values are variables there)."""
    expression = " and ".join(f"({name} is None or {name!r} in _related(status))" for name in names)
    return InlineCheck(f"({expression or 'True'})", {"_related": related_fields})


def _annex_c_holds(name: str) -> Callable[[Any], bool]:
    """The rule of one status-related field as a function of a response."""
    condition = annex_c_condition((name,))
    reads = f"    {name} = m.{name}\n    status = m.status\n"
    source = f"def holds(m):\n{reads}    return {condition.expression}\n"
    label = f"Annex C rule of {name}"
    return compile_function(source, "holds", label, dict(condition.names))


def fast_rules(
    cls: type[Message],
) -> tuple[tuple[Callable[[Any], bool], ...], InlineCheck | None]:
    """What a fast path checks of a message of ``cls`` beyond its fields' own checks, as
    ``cls.rules`` states it: the ``holds`` of each rule but the Annex C ones, and the
    Annex C rules of all its status-related fields as one inline condition (see
    :func:`annex_c_condition`), or None for a class with none."""
    annex_c: tuple[Rule, ...] = cls.annex_c_rules if issubclass(cls, Response) else ()
    names = sorted(cls.annex_c_fields) if issubclass(cls, Response) else []
    holds = tuple(rule.holds for rule in cls.rules if rule not in annex_c)
    return holds, annex_c_condition(names) if names else None
