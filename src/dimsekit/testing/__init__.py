"""Hypothesis strategies for DIMSE messages and Upper Layer PDUs, for dimsekit's tests and
for yours.

Owns: strategies that generate valid instances of every message class
(:func:`messages`), values of each command element type, and invalid constructions
(:func:`invalid_constructions`) that the model must refuse; and the same for the PDUs of
PS3.8 9.3 with their items and sub-items (:func:`pdus`, :func:`pdu_of`,
:func:`invalid_pdu_constructions`).  Valid messages are found by
drawing a candidate and mending what the model refuses: an optional field the error
names is dropped when present, or drawn when absent, until the message builds.  The
rules therefore live only in the model; new rules need no change here.

Requires Hypothesis (``pip install dimsekit[testing]``).

Must not know: encodings.
"""

from __future__ import annotations

import importlib.util
from typing import Any, Final, TypeVar

import attrs

if importlib.util.find_spec("hypothesis") is None:  # pragma: no cover - environment
    raise ImportError("dimsekit.testing needs Hypothesis: pip install 'dimsekit[testing]'")

from hypothesis import strategies as st

from .._association import negotiation as _negotiation
from .._codec.layout import LAYOUTS
from .._errors import InvalidMessageError
from .._framing import items as _items
from .._framing import pdus as _pdus
from .._framing.pdu_layout import ItemType
from .._model.fields import BY_NAME, DATA_SET_PARAMETERS
from .._model.payload import DataSetPayload
from .._model.status import CANCEL_CODES, PENDING_CODES, refused_statuses
from .._model.vr import AttributeTags, Priority, check_optional_tags_may_be_empty
from ..messages import MESSAGE_CLASSES, Message, Response

__all__ = [
    "acceptor_policies",
    "ae_titles",
    "attribute_tags",
    "invalid_constructions",
    "invalid_pdu_constructions",
    "message_of",
    "messages",
    "pdu_of",
    "pdus",
    "status_codes",
    "uids",
]

_M = TypeVar("_M", bound=Message)

_DEFAULT_TEXT: Final = st.characters(
    min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="\\"
)
_COMPONENT: Final = st.one_of(st.just("0"), st.integers(min_value=1, max_value=10**12).map(str))


@st.composite
def uids(draw: st.DrawFn) -> str:
    """Valid UIDs: dot-separated numbers, no leading zeros, 1-64 characters."""
    root = draw(st.sampled_from(["1.2.840.10008", "1.2.826.0.1.3680043.8.498", "2.25", "1"]))
    parts = draw(st.lists(_COMPONENT, min_size=0, max_size=8))
    uid = ".".join([root, *parts])
    while len(uid) > 64:
        uid = uid.rsplit(".", 1)[0]
    return uid


def _text(max_size: int) -> st.SearchStrategy[str]:
    return (
        st.text(_DEFAULT_TEXT, min_size=1, max_size=max_size)
        .map(lambda text: text.strip(" "))
        .filter(bool)
    )


def ae_titles() -> st.SearchStrategy[str]:
    """Valid AE titles, as the model normalises them (no outer spaces)."""
    return _text(16)


def attribute_tags() -> st.SearchStrategy[AttributeTags]:
    """Non-empty lists of tags, as an AT field holds them."""
    return st.lists(st.integers(min_value=0, max_value=0xFFFFFFFF), min_size=1, max_size=6).map(
        AttributeTags
    )


def _payloads() -> st.SearchStrategy[DataSetPayload]:
    """Encoded data sets: any bytes of even length (PS3.5 7.1), as they are sent."""
    return st.binary(max_size=64).map(
        lambda data: DataSetPayload(data + b"\0" if len(data) & 1 else data)
    )


def status_codes(cls: type[Response] | None = None) -> st.SearchStrategy[int]:
    """Valid status codes; for a response class, ones its service may answer with."""
    final = st.one_of(
        st.sampled_from(
            [0x0000, 0x0001, 0x0107, 0x0116, 0x0110, 0x0112, 0x0115, 0x0122, 0x0211, 0xA700]
        ),
        st.integers(min_value=0xA000, max_value=0xAFFF),
        st.integers(min_value=0xB000, max_value=0xBFFF),
        st.integers(min_value=0xC000, max_value=0xCFFF),
        st.integers(min_value=0x0100, max_value=0x02FF),
    )
    pending_or_cancel = PENDING_CODES | CANCEL_CODES
    if cls is not None:
        pending_or_cancel -= refused_statuses(cls.command_field.service)
    extra = sorted(pending_or_cancel)
    return st.one_of(final, st.sampled_from(extra)) if extra else final


def _value_strategy(cls: type[Message], name: str) -> st.SearchStrategy[Any]:
    if name in DATA_SET_PARAMETERS:
        return _payloads()
    if name == "status":
        return status_codes(cls) if issubclass(cls, Response) else status_codes()
    if name == "priority":
        return st.sampled_from(Priority)
    vr = BY_NAME[name].vr
    if vr == "UI":
        return uids()
    if vr == "AE":
        return ae_titles()
    if vr == "LO":
        return _text(64)
    if vr == "AT":
        return attribute_tags()
    return st.integers(min_value=0, max_value=0xFFFF)


@st.composite
def message_of(draw: st.DrawFn, cls: type[_M]) -> _M:
    """A valid instance of ``cls``, with a random choice of its optional fields."""
    values: dict[str, Any] = {}
    optional: set[str] = set()
    for field in attrs.fields(cls):
        if not field.init:
            continue
        if field.default is attrs.NOTHING:
            values[field.name] = draw(_value_strategy(cls, field.name), label=field.name)
        else:
            optional.add(field.name)
            if draw(st.booleans(), label=f"include {field.name}"):
                values[field.name] = draw(_value_strategy(cls, field.name), label=field.name)
    for _ in range(4 * len(optional) + 4):
        try:
            return cls(**values)
        except InvalidMessageError as problem:
            mended = False
            for name in problem.fields:
                if name not in optional:
                    continue
                if values.get(name) is not None:
                    values.pop(name)
                else:
                    values[name] = draw(_value_strategy(cls, name), label=f"mend {name}")
                mended = True
                break
            if not mended:
                raise
    return cls(**values)


def messages(
    *classes: type[Message],
) -> st.SearchStrategy[Message]:
    """Valid messages of the given classes (all 23 if none is given)."""
    chosen = classes or tuple(LAYOUTS)
    return st.sampled_from(chosen).flatmap(message_of)


_BAD_VALUES: Final[dict[str, list[object]]] = {
    "UI": ["", "1..2", "1.02", "1.2.a", "1." + "2" * 64, 12],
    "AE": ["", "   ", "A" * 17, "BACK\\SLASH", "TAB\tAE", 5],
    "LO": ["x" * 65, "back\\slash", "é", "   "],
    "US": [-1, 0x10000, True, "7", 1.5],
    "AT": [[], ["NotAKeyword"], [2**32], "PatientID"],
}


@st.composite
def invalid_constructions(
    draw: st.DrawFn, *classes: type[Message]
) -> tuple[type[Message], dict[str, Any]]:
    """(class, keyword arguments) that the model must refuse with InvalidMessageError.

    A valid message's fields with one value replaced by one its value representation
    forbids, or its status replaced by a code of no status class.
    """
    cls = draw(st.sampled_from(classes or tuple(MESSAGE_CLASSES.values())))
    message = draw(message_of(cls))
    values = {field.name: getattr(message, field.name) for field in attrs.fields(cls) if field.init}
    candidates = [name for name in values if name in BY_NAME and name != "status"]
    name = draw(st.sampled_from(candidates))
    if name == "priority":
        bad: object = draw(st.sampled_from([3, -1, 0x10000]))
    else:
        choices = _BAD_VALUES[BY_NAME[name].vr]
        if attrs.fields_dict(cls)[name].validator is check_optional_tags_may_be_empty:
            choices = [choice for choice in choices if choice != []]
        bad = draw(st.sampled_from(choices))
    values[name] = bad
    if issubclass(cls, Response) and draw(st.booleans()):
        values[name] = getattr(message, name)
        values["status"] = draw(st.sampled_from([0x0002, 0x00FF, 0x0300, 0xD000, 0xFF02]))
    return cls, values


# --- Upper Layer PDUs (PS3.8 9.3) ---------------------------------------------------------

_P = TypeVar("_P", bound=_pdus.PDU)

_CONTEXT_IDS: Final = st.integers(min_value=0, max_value=127).map(lambda n: 2 * n + 1)
"""Presentation context IDs: odd, 1-255 (PS3.8 9.3.2.2)."""
_BYTE_ROLES: Final = st.sampled_from([0, 1])
_KNOWN_ITEM_TYPES: Final = frozenset(int(code) for code in ItemType)
_UNKNOWN_TYPES: Final = st.integers(min_value=0x10, max_value=0xFF).filter(
    lambda code: code not in _KNOWN_ITEM_TYPES
)


def _unknown_items() -> st.SearchStrategy[list[_items.UnknownItem]]:
    """Items of types PS3.8 does not define, kept as received (PS3.8 9.3.1, D.2): in type
    order, as a built PDU writes them."""
    return st.lists(
        st.builds(_items.UnknownItem, item_type=_UNKNOWN_TYPES, data=st.binary(max_size=12)),
        max_size=2,
    ).map(lambda found: sorted(found, key=lambda item: item.item_type))


def _uid_lists(min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(uids(), min_size=min_size, max_size=max_size)


def _context_rq(context_id: int) -> st.SearchStrategy[_items.PresentationContextRQ]:
    return st.builds(
        _items.PresentationContextRQ,
        context_id=st.just(context_id),
        abstract_syntax=uids(),
        transfer_syntaxes=_uid_lists(1, 3),
        unknown_items=_unknown_items(),
    )


@st.composite
def _context_ac(draw: st.DrawFn, context_id: int) -> _items.PresentationContextAC:
    result = draw(st.sampled_from(_items.ContextResult), label="result")
    # a context not accepted need not name a transfer syntax (PS3.8 9.3.3.2)
    syntax = uids() if result is _items.ContextResult.ACCEPTANCE else st.none() | uids()
    return _items.PresentationContextAC(
        context_id=context_id,
        result=result,
        transfer_syntax=draw(syntax, label="transfer_syntax"),
        unknown_items=draw(_unknown_items(), label="unknown_items"),
    )


def _per_class(kind: Any, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    """Sub-items of ``kind``, at most one per SOP class (PS3.7 D.3.3.4 to D.3.3.6)."""
    return st.lists(uids(), unique=True, max_size=2).flatmap(
        lambda classes: st.tuples(
            *(st.builds(kind, sop_class_uid=st.just(uid), **fields) for uid in classes)
        ).map(list)
    )


@st.composite
def _user_identity_rq(draw: st.DrawFn) -> _items.UserIdentityRQ:
    kind = draw(st.sampled_from(_items.UserIdentityType), label="user_identity_type")
    # only a username-and-passcode identity has a secondary field (PS3.7 D.3.3.7.1)
    with_passcode = kind is _items.UserIdentityType.USERNAME_AND_PASSCODE
    return _items.UserIdentityRQ(
        user_identity_type=kind,
        primary_field=draw(st.binary(min_size=1, max_size=16), label="primary_field"),
        secondary_field=draw(st.binary(max_size=16), label="secondary_field")
        if with_passcode
        else b"",
        positive_response_requested=draw(st.booleans(), label="positive_response_requested"),
    )


@st.composite
def _user_information(draw: st.DrawFn, request: bool) -> _items.UserInformation:
    """A User Information item of an RQ (``request``) or an AC: the one Maximum Length and
    Implementation Class UID (PS3.8 D.1, PS3.7 D.3.3.2), some of the others, in any order."""
    optional: list[st.SearchStrategy[list[Any]]] = [
        st.lists(st.builds(_items.ImplementationVersionName, name=ae_titles()), max_size=1),
        st.lists(
            st.builds(
                _items.AsynchronousOperationsWindow,
                maximum_number_operations_invoked=st.integers(0, 0xFFFF),
                maximum_number_operations_performed=st.integers(0, 0xFFFF),
            ),
            max_size=1,
        ),
        _per_class(_items.RoleSelection, scu_role=_BYTE_ROLES, scp_role=_BYTE_ROLES),
        _per_class(
            _items.SOPClassExtendedNegotiation,
            service_class_application_information=st.binary(max_size=8),
        ),
        _unknown_items(),
    ]
    if request:  # 57H and 58H only in an RQ, 59H only in an AC (PS3.7 D.3.3.6, D.3.3.7)
        optional += [
            _per_class(
                _items.SOPClassCommonExtendedNegotiation,
                service_class_uid=uids(),
                related_general_sop_class_uids=_uid_lists(0, 2),
            ),
            st.lists(_user_identity_rq(), max_size=1),
        ]
    else:
        optional.append(
            st.lists(
                st.builds(_items.UserIdentityAC, server_response=st.binary(max_size=16)),
                max_size=1,
            )
        )
    sub_items: list[Any] = [
        _items.MaximumLength(maximum_length=draw(st.integers(0, 0xFFFF_FFFF))),
        _items.ImplementationClassUID(uid=draw(uids(), label="implementation_class_uid")),
    ]
    for strategy in optional:
        sub_items += draw(strategy)
    return _items.UserInformation(sub_items=draw(st.permutations(sub_items), label="order"))


@st.composite
def _associate(draw: st.DrawFn, cls: type[Any]) -> Any:
    request = cls is _pdus.AAssociateRQ
    ids = draw(st.lists(_CONTEXT_IDS, min_size=1, max_size=4, unique=True), label="context IDs")
    context = _context_rq if request else _context_ac
    return cls(
        called_ae_title=draw(ae_titles(), label="called_ae_title"),
        calling_ae_title=draw(ae_titles(), label="calling_ae_title"),
        application_context=draw(
            st.just(_items.ApplicationContext()) | st.builds(_items.ApplicationContext, name=uids())
        ),
        presentation_contexts=[draw(context(context_id)) for context_id in ids],
        user_information=draw(_user_information(request), label="user_information"),
        unknown_items=draw(_unknown_items(), label="unknown_items"),
    )


@st.composite
def _reject(draw: st.DrawFn) -> _pdus.AAssociateRJ:
    # each reason belongs to one source (PS3.8 9.3.4)
    reason = draw(st.sampled_from(_pdus.RejectReason), label="reason")
    return _pdus.AAssociateRJ(
        result=draw(st.sampled_from(_pdus.RejectResult)), source=reason.source, reason=reason
    )


@st.composite
def _abort(draw: st.DrawFn) -> _pdus.AAbort:
    source = draw(st.sampled_from(_pdus.AbortSource), label="source")
    # the reason is significant only for the service provider (PS3.8 9.3.8)
    if source is _pdus.AbortSource.SERVICE_PROVIDER:
        return _pdus.AAbort(source=source, reason=draw(st.sampled_from(_pdus.AbortReason)))
    return _pdus.AAbort(source=source)


_PDV: Final = st.builds(
    _pdus.PresentationDataValue,
    context_id=_CONTEXT_IDS,
    is_command=st.booleans(),
    is_last=st.booleans(),
    fragment=st.binary(max_size=32),
)

_PDU_STRATEGIES: Final[dict[type, st.SearchStrategy[Any]]] = {
    _pdus.AAssociateRQ: _associate(_pdus.AAssociateRQ),
    _pdus.AAssociateAC: _associate(_pdus.AAssociateAC),
    _pdus.AAssociateRJ: _reject(),
    _pdus.PDataTF: st.builds(_pdus.PDataTF, pdvs=st.lists(_PDV, min_size=1, max_size=3)),
    _pdus.AReleaseRQ: st.just(_pdus.AReleaseRQ()),
    _pdus.AReleaseRP: st.just(_pdus.AReleaseRP()),
    _pdus.AAbort: _abort(),
}


def pdu_of(cls: type[_P]) -> st.SearchStrategy[_P]:
    """Valid instances of the PDU class ``cls`` (PS3.8 9.3), with a random choice of their
    items and sub-items, unknown ones included."""
    if cls not in _PDU_STRATEGIES:
        raise TypeError(f"pdu_of takes a PDU class (AAssociateRQ, ...), not {cls!r}")
    return _PDU_STRATEGIES[cls]


def pdus(*classes: type[_pdus.PDU]) -> st.SearchStrategy[_pdus.PDU]:
    """Valid PDUs of the given classes (all seven if none is given)."""
    return st.one_of([pdu_of(cls) for cls in classes or tuple(_PDU_STRATEGIES)])


_IDENTITY_VERDICTS: Final[tuple[Any, ...]] = (
    None,
    lambda identity: True,
    lambda identity: None,
    # a server response only for an identity that has one (PS3.7 D.3.3.7.2: zero length
    # for a username, types 1 and 2)
    lambda identity: _items.UserIdentityAC(
        server_response=b""
        if identity.user_identity_type
        in (_items.UserIdentityType.USERNAME, _items.UserIdentityType.USERNAME_AND_PASSCODE)
        else b"ticket"
    ),
)
_EXTENDED_REPLIES: Final[tuple[Any, ...]] = (None, lambda item: item, lambda item: None)


@st.composite
def _policy_for(draw: st.DrawFn, rq: _pdus.AAssociateRQ) -> _negotiation.AcceptorPolicy:
    proposed = sorted({context.abstract_syntax for context in rq.presentation_contexts})
    syntaxes = sorted(
        {syntax for context in rq.presentation_contexts for syntax in context.transfer_syntaxes}
        | set(_negotiation.DEFAULT_TRANSFER_SYNTAXES)
    )
    supported = draw(st.lists(st.sampled_from(proposed), unique=True), label="supported")
    return _negotiation.AcceptorPolicy(
        abstract_syntaxes={
            uid: draw(st.lists(st.sampled_from(syntaxes), unique=True, max_size=3))
            for uid in supported
        },
        roles={uid: (draw(st.booleans()), draw(st.booleans())) for uid in supported},
        async_window=(draw(st.integers(0, 0xFFFF)), draw(st.integers(0, 0xFFFF))),
        max_pdu_length=draw(st.integers(0, 2**32 - 1)),
        user_identity=draw(st.sampled_from(_IDENTITY_VERDICTS), label="user_identity"),
        extended_negotiation=draw(st.sampled_from(_EXTENDED_REPLIES), label="extended"),
        reject_if_none_accepted=draw(st.booleans()),
    )


def acceptor_policies(rq: _pdus.AAssociateRQ) -> st.SearchStrategy[_negotiation.AcceptorPolicy]:
    """Acceptor policies (:class:`~dimsekit.AcceptorPolicy`) worth answering ``rq`` with:
    some of its abstract syntaxes supported, each with transfer syntaxes drawn from those
    proposed and the defaults, roles, an asynchronous operations window, a Maximum
    Length, user identity and extended negotiation hooks (PS3.7 D.3.3)."""
    return _policy_for(rq)


_ITEM_STRATEGIES: Final[dict[type, st.SearchStrategy[Any]]] = {
    _items.PresentationContextRQ: _CONTEXT_IDS.flatmap(_context_rq),
    _items.PresentationContextAC: _CONTEXT_IDS.flatmap(_context_ac),
    _items.MaximumLength: st.builds(_items.MaximumLength, maximum_length=st.integers(0, 2**32 - 1)),
    _items.ImplementationClassUID: st.builds(_items.ImplementationClassUID, uid=uids()),
    _items.ImplementationVersionName: st.builds(_items.ImplementationVersionName, name=ae_titles()),
    _items.AsynchronousOperationsWindow: st.builds(_items.AsynchronousOperationsWindow),
    _items.RoleSelection: st.builds(
        _items.RoleSelection, sop_class_uid=uids(), scu_role=_BYTE_ROLES, scp_role=_BYTE_ROLES
    ),
    _items.UserIdentityRQ: _user_identity_rq(),
    _items.UserInformation: st.booleans().flatmap(_user_information),
    _pdus.PresentationDataValue: _PDV,
    **_PDU_STRATEGIES,
}


def _the_other_associate_sub_item(pdu: Any) -> _items.UserInformation:
    """The user information of ``pdu`` with a sub-item its PDU type does not carry:
    a 59H in an RQ, a 57H in an AC (PS3.7 D.3.3.6, D.3.3.7)."""
    if isinstance(pdu, _pdus.AAssociateRQ):
        alien: Any = _items.UserIdentityAC()
    else:
        alien = _items.SOPClassCommonExtendedNegotiation(
            sop_class_uid="1.2.840.10008.5.1.4.1.1.88.22", service_class_uid="1.2.840.10008.4.2"
        )
    return _items.UserInformation(sub_items=(*pdu.user_information.sub_items, alien))


def _twice(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return (*values, values[0])


_AE: Final = ("called_ae_title", "calling_ae_title")
_MAXIMUM: Final = _items.MaximumLength
_BAD_AE_TITLES: Final = ("", "   ", "A" * 17, "BACK\\SLASH", "TAB\tAE", "\u00e9t\u00e9")

_BAD_PDU_FIELDS: Final[dict[type, list[tuple[str, Any]]]] = {
    _pdus.AAssociateRQ: [
        *((name, lambda _, bad=bad: bad) for name in _AE for bad in _BAD_AE_TITLES),
        ("presentation_contexts", lambda pdu: ()),
        ("presentation_contexts", lambda pdu: _twice(pdu.presentation_contexts)),
        ("user_information", _the_other_associate_sub_item),
    ],
    _pdus.AAssociateAC: [
        # the AC echoes the RQ's AE-title fields, which are not tested (PS3.8 9.3.3):
        # only what does not fit the 16 bytes is refused
        *((name, lambda _: "A" * 17) for name in _AE),
        ("presentation_contexts", lambda pdu: ()),
        ("presentation_contexts", lambda pdu: _twice(pdu.presentation_contexts)),
        ("user_information", _the_other_associate_sub_item),
    ],
    _pdus.AAssociateRJ: [
        ("reason", lambda rj: next(r for r in _pdus.RejectReason if r.source is not rj.source)),
        ("result", lambda _: 3),
        ("source", lambda _: 4),
    ],
    _pdus.AAbort: [("source", lambda _: 1), ("reason", lambda _: 3)],
    _pdus.PDataTF: [("pdvs", lambda _: ())],
    _pdus.PresentationDataValue: [("context_id", lambda _: 2), ("context_id", lambda _: 257)],
    _items.PresentationContextRQ: [
        ("context_id", lambda _: 0),
        ("context_id", lambda _: 2),
        ("context_id", lambda _: 256),
        ("transfer_syntaxes", lambda _: ()),
        ("abstract_syntax", lambda _: "1..2"),
    ],
    _items.PresentationContextAC: [
        ("context_id", lambda _: 4),
        # accepted with no transfer syntax (PS3.8 9.3.3.2), or a result of no meaning
        ("result", lambda context: 0 if context.transfer_syntax is None else 5),
    ],
    _items.MaximumLength: [("maximum_length", lambda _: -1), ("maximum_length", lambda _: 2**32)],
    _items.ImplementationClassUID: [("uid", lambda _: "1." + "2" * 64), ("uid", lambda _: "1.02")],
    _items.ImplementationVersionName: [("name", lambda _: ""), ("name", lambda _: "V" * 17)],
    _items.AsynchronousOperationsWindow: [
        ("maximum_number_operations_invoked", lambda _: 0x10000),
        ("maximum_number_operations_performed", lambda _: -1),
    ],
    _items.RoleSelection: [("scu_role", lambda _: 2), ("scp_role", lambda _: 2)],
    _items.UserIdentityRQ: [
        ("primary_field", lambda _: b""),
        ("user_identity_type", lambda _: 6),
    ],
    _items.UserInformation: [
        # no Maximum Length, or two (PS3.8 D.1)
        ("sub_items", lambda info: tuple(i for i in info.sub_items if type(i) is not _MAXIMUM)),
        ("sub_items", lambda info: (*info.sub_items, _MAXIMUM(maximum_length=0))),
    ],
}
"""For each class, (field, what to put there instead) that PS3.8 9.3 and PS3.7 D.3.3
forbid; from the valid instance, where the bad value is made of it."""


def invalid_pdu_constructions(*classes: type) -> st.SearchStrategy[tuple[type, dict[str, Any]]]:
    """(class, keyword arguments) that a PDU, item or sub-item class must refuse with
    :class:`~dimsekit.InvalidPDUError`.

    A valid instance's fields with one replaced by a value a rule forbids: an AE title
    of 17 characters or all spaces, an even or out-of-range context ID, duplicate IDs, no
    presentation context, a context with no transfer syntax, a 57H in an AC or a 59H in
    an RQ, a role of 2, a Maximum Length past 32 bits, the reasons a source does not
    allow, ... (``classes``: only those).
    """
    unknown = [cls for cls in classes if cls not in _BAD_PDU_FIELDS]
    if unknown:
        raise TypeError(
            f"invalid_pdu_constructions takes PDU, item or sub-item classes, not {unknown!r}"
        )
    return _invalid_pdu(classes or tuple(_BAD_PDU_FIELDS))


@st.composite
def _invalid_pdu(draw: st.DrawFn, classes: tuple[type, ...]) -> tuple[type, dict[str, Any]]:
    cls = draw(st.sampled_from(classes), label="class")
    valid = draw(_ITEM_STRATEGIES[cls], label="valid")
    values = {field.name: getattr(valid, field.name) for field in attrs.fields(cls) if field.init}
    name, bad = draw(st.sampled_from(_BAD_PDU_FIELDS[cls]), label="replaced")
    values[name] = bad(valid)
    return cls, values
