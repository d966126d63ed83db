"""The byte layouts of the Upper Layer PDUs, items and sub-items, each declared once.

Owns: :class:`ItemType` (the item and sub-item type codes, PS3.8 9.3, Annex D; PS3.7
D.3.3), and a declaration for every item type (:data:`ITEM_LAYOUTS`) and every PDU type
but P-DATA-TF (:data:`PDU_LAYOUTS`): its fields after the item header (or the PDU header)
in order, each with its struct format or how its length is given, whether it is
reserved (sent as zero, never tested, kept as received), what kind of value it holds,
and, for a field of sub-items, which child goes to which field of its parent and how
many there may be; and the clause each layout comes from.  The decoder
(``_framing.pdu_decode``) and the encoder (``_framing.pdu_encode``) walk these
declarations; neither restates a layout.  :class:`Received`, what a decoded item keeps of
its bytes that its fields do not hold (reserved values, padding, the order of its
sub-items), is declared here too, as it is a fact of the layout.

Every item and sub-item starts with the same header (:data:`ITEM_HEADER`): its type, a
reserved byte (PS3.7 D.3.3.6 makes it the sub-item version of 57H), and its length, 16
bits (PS3.8 9.3.2.1), which counts the bytes after the header.  The P-DATA-TF's PDV items
are laid out in ``_framing.pdu`` (``PDV_HEADER``).

Must not know: the classes that hold the values, the rules a value follows (the items
module owns those), DIMSE messages.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, NamedTuple

import attrs

from .pdu import PDUType

__all__ = [
    "ITEM_HEADER",
    "ITEM_LAYOUTS",
    "ECHOED",
    "MAX_ITEM_LENGTH",
    "PDU_LAYOUTS",
    "Child",
    "Count",
    "ItemLayout",
    "ItemType",
    "Kind",
    "Part",
    "Received",
    "ValueKind",
]

ITEM_HEADER: Final = struct.Struct(">BBH")
"""Item-type, reserved (57H: sub-item version), item-length (PS3.8 9.3.2.1, D.1)."""
MAX_ITEM_LENGTH: Final = 0xFFFF
"""The largest item-length the 16-bit field holds: a User Information item, all its
sub-items and their headers included, is at most this long (PS3.8 9.3.2.3)."""
LENGTH_PREFIX: Final = struct.Struct(">H")
"""The 16-bit length before a UID or field inside a sub-item (PS3.8 D.3.3; PS3.7 D.3.3)."""


class ItemType(enum.IntEnum):
    """The item and sub-item types of the A-ASSOCIATE PDUs (PS3.8 9.3.2, 9.3.3, Annex D;
    PS3.7 D.3.3)."""

    APPLICATION_CONTEXT = 0x10
    PRESENTATION_CONTEXT_RQ = 0x20
    PRESENTATION_CONTEXT_AC = 0x21
    ABSTRACT_SYNTAX = 0x30
    TRANSFER_SYNTAX = 0x40
    USER_INFORMATION = 0x50
    MAXIMUM_LENGTH = 0x51
    IMPLEMENTATION_CLASS_UID = 0x52
    ASYNCHRONOUS_OPERATIONS_WINDOW = 0x53
    ROLE_SELECTION = 0x54
    IMPLEMENTATION_VERSION_NAME = 0x55
    SOP_CLASS_EXTENDED_NEGOTIATION = 0x56
    SOP_CLASS_COMMON_EXTENDED_NEGOTIATION = 0x57
    USER_IDENTITY_RQ = 0x58
    USER_IDENTITY_AC = 0x59


class Kind(enum.Enum):
    """How a field's bytes are delimited."""

    FIXED = "fixed"
    """A struct field of the format given."""
    RESERVED = "reserved"
    """A struct field sent as zero and never tested (PS3.8 9.3.1); kept as received."""
    PREFIXED = "prefixed"
    """A 16-bit length, then that many bytes."""
    PREFIXED_LIST = "prefixed list"
    """A 16-bit length, then that many bytes of (16-bit length, value) entries."""
    REST = "rest"
    """The bytes to the end of the item."""
    ITEMS = "items"
    """Items or sub-items to the end of the item (or PDU)."""


class ValueKind(enum.Enum):
    """What a field holds."""

    INT = "int"
    VERSION = "version"
    """An int of which only bit 0 is tested (the protocol version, PS3.8 9.3.2)."""
    UID = "uid"
    """A UID, not padded (PS3.8 Annex F: a received NUL or space is stripped and kept)."""
    UIDS = "uids"
    AE = "ae"
    """An AE title field of 16 bytes, space padded (PS3.8 9.3.2)."""
    TEXT = "text"
    BYTES = "bytes"
    ITEMS = "items"


class Count(enum.Enum):
    """How many of one child type a parent holds."""

    ONE = "exactly one"
    OPTIONAL = "at most one"
    MANY = "one or more"


class Child(NamedTuple):
    """Which field of the parent an item of type ``item_type`` goes to, and how many."""

    item_type: ItemType
    field: str
    occurs: Count


class Part(NamedTuple):
    """One field of an item (after its header) or of a PDU (after the PDU header)."""

    name: str
    kind: Kind
    value: ValueKind = ValueKind.INT
    fmt: str = ""
    """The struct format of a FIXED or RESERVED field (big-endian, PS3.8 9.3.1)."""
    children: tuple[Child, ...] | None = None
    """For ITEMS: the typed children and their fields; None: every item goes, as it is,
    into the one field (the User Information sub-items, kept in their order)."""

    def zero(self) -> int | bytes:
        """What a built PDU sends in this (reserved) field: zero."""
        return bytes(struct.calcsize(self.fmt)) if self.value is ValueKind.BYTES else 0


class ItemLayout(NamedTuple):
    """The layout of one item or sub-item type, or of one PDU's fields."""

    name: str
    """As the standard names it."""
    parts: tuple[Part, ...]
    clause: str
    header_field: str | None = None
    """The field that the item header's second byte holds, where it is not reserved."""
    bare: bool = False
    """True where the parent holds the item as its one value (30H, 40H: a UID)."""

    @property
    def head(self) -> struct.Struct:
        """The struct of the FIXED and RESERVED fields that open the layout."""
        return _head(self.parts)

    @property
    def head_parts(self) -> tuple[Part, ...]:
        return tuple(_leading(self.parts))

    @property
    def reserved(self) -> tuple[Part, ...]:
        """The reserved fields, in order (a decoded item keeps their received values)."""
        return tuple(part for part in self.parts if part.kind is Kind.RESERVED)


def _leading(parts: tuple[Part, ...]) -> list[Part]:
    leading = []
    for part in parts:
        if part.kind not in (Kind.FIXED, Kind.RESERVED):
            break
        leading.append(part)
    return leading


def _head(parts: tuple[Part, ...]) -> struct.Struct:
    return struct.Struct(">" + "".join(part.fmt for part in _leading(parts)))


def _uid(name: str) -> Part:
    return Part(name, Kind.REST, ValueKind.UID)


def _byte(name: str) -> Part:
    return Part(name, Kind.FIXED, ValueKind.INT, "B")


def _reserved(fmt: str, index: int | str = 0) -> Part:
    name = f"reserved{index}" if isinstance(index, int) else index
    return Part(name, Kind.RESERVED, ValueKind.BYTES if "s" in fmt else ValueKind.INT, fmt)


_T = ItemType
ITEM_LAYOUTS: Final[Mapping[int, ItemLayout]] = MappingProxyType(
    {
        _T.APPLICATION_CONTEXT: ItemLayout(
            "Application Context Item", (_uid("name"),), "PS3.8 9.3.2.1"
        ),
        _T.PRESENTATION_CONTEXT_RQ: ItemLayout(
            "Presentation Context Item (A-ASSOCIATE-RQ)",
            (
                _byte("context_id"),
                _reserved("B", 0),
                _reserved("B", 1),
                _reserved("B", 2),
                Part(
                    "sub_items",
                    Kind.ITEMS,
                    ValueKind.ITEMS,
                    children=(
                        Child(_T.ABSTRACT_SYNTAX, "abstract_syntax", Count.ONE),
                        Child(_T.TRANSFER_SYNTAX, "transfer_syntaxes", Count.MANY),
                    ),
                ),
            ),
            "PS3.8 9.3.2.2",
        ),
        _T.PRESENTATION_CONTEXT_AC: ItemLayout(
            "Presentation Context Item (A-ASSOCIATE-AC)",
            (
                _byte("context_id"),
                _reserved("B", 0),
                _byte("result"),
                _reserved("B", 1),
                Part(
                    "sub_items",
                    Kind.ITEMS,
                    ValueKind.ITEMS,
                    children=(Child(_T.TRANSFER_SYNTAX, "transfer_syntax", Count.OPTIONAL),),
                ),
            ),
            "PS3.8 9.3.3.2",
        ),
        _T.ABSTRACT_SYNTAX: ItemLayout(
            "Abstract Syntax Sub-Item", (_uid("uid"),), "PS3.8 9.3.2.2.1", bare=True
        ),
        _T.TRANSFER_SYNTAX: ItemLayout(
            "Transfer Syntax Sub-Item", (_uid("uid"),), "PS3.8 9.3.2.2.2", bare=True
        ),
        _T.USER_INFORMATION: ItemLayout(
            "User Information Item",
            (Part("sub_items", Kind.ITEMS, ValueKind.ITEMS),),
            "PS3.8 9.3.2.3",
        ),
        _T.MAXIMUM_LENGTH: ItemLayout(
            "Maximum Length Sub-Item",
            (Part("maximum_length", Kind.FIXED, ValueKind.INT, "I"),),
            "PS3.8 D.1.1",
        ),
        _T.IMPLEMENTATION_CLASS_UID: ItemLayout(
            "Implementation Class UID Sub-Item", (_uid("uid"),), "PS3.7 D.3.3.2.1"
        ),
        _T.ASYNCHRONOUS_OPERATIONS_WINDOW: ItemLayout(
            "Asynchronous Operations Window Sub-Item",
            (
                Part("maximum_number_operations_invoked", Kind.FIXED, ValueKind.INT, "H"),
                Part("maximum_number_operations_performed", Kind.FIXED, ValueKind.INT, "H"),
            ),
            "PS3.7 D.3.3.3.1",
        ),
        _T.ROLE_SELECTION: ItemLayout(
            "SCP/SCU Role Selection Sub-Item",
            (
                Part("sop_class_uid", Kind.PREFIXED, ValueKind.UID),
                _byte("scu_role"),
                _byte("scp_role"),
            ),
            "PS3.7 D.3.3.4.1",
        ),
        _T.IMPLEMENTATION_VERSION_NAME: ItemLayout(
            "Implementation Version Name Sub-Item",
            (Part("name", Kind.REST, ValueKind.TEXT),),
            "PS3.7 D.3.3.2.3",
        ),
        _T.SOP_CLASS_EXTENDED_NEGOTIATION: ItemLayout(
            "SOP Class Extended Negotiation Sub-Item",
            (
                Part("sop_class_uid", Kind.PREFIXED, ValueKind.UID),
                Part("service_class_application_information", Kind.REST, ValueKind.BYTES),
            ),
            "PS3.7 D.3.3.5.1",
        ),
        _T.SOP_CLASS_COMMON_EXTENDED_NEGOTIATION: ItemLayout(
            "SOP Class Common Extended Negotiation Sub-Item",
            (
                Part("sop_class_uid", Kind.PREFIXED, ValueKind.UID),
                Part("service_class_uid", Kind.PREFIXED, ValueKind.UID),
                Part("related_general_sop_class_uids", Kind.PREFIXED_LIST, ValueKind.UIDS),
            ),
            "PS3.7 D.3.3.6.1",
            header_field="sub_item_version",
        ),
        _T.USER_IDENTITY_RQ: ItemLayout(
            "User Identity Sub-Item (A-ASSOCIATE-RQ)",
            (
                _byte("user_identity_type"),
                _byte("positive_response_requested"),
                Part("primary_field", Kind.PREFIXED, ValueKind.BYTES),
                Part("secondary_field", Kind.PREFIXED, ValueKind.BYTES),
            ),
            "PS3.7 D.3.3.7.1",
        ),
        _T.USER_IDENTITY_AC: ItemLayout(
            "User Identity Sub-Item (A-ASSOCIATE-AC)",
            (Part("server_response", Kind.PREFIXED, ValueKind.BYTES),),
            "PS3.7 D.3.3.7.2",
        ),
    }
)
"""Every item and sub-item type dimsekit knows, by its code; any other is kept raw."""

_ASSOCIATE_RQ_ITEMS: Final = (
    Child(_T.APPLICATION_CONTEXT, "application_context", Count.ONE),
    Child(_T.PRESENTATION_CONTEXT_RQ, "presentation_contexts", Count.MANY),
    Child(_T.USER_INFORMATION, "user_information", Count.ONE),
)
_ASSOCIATE_AC_ITEMS: Final = (
    Child(_T.APPLICATION_CONTEXT, "application_context", Count.ONE),
    Child(_T.PRESENTATION_CONTEXT_AC, "presentation_contexts", Count.MANY),
    Child(_T.USER_INFORMATION, "user_information", Count.ONE),
)


def _associate(name: str, children: tuple[Child, ...], clause: str) -> ItemLayout:
    return ItemLayout(
        name,
        (
            Part("protocol_version", Kind.FIXED, ValueKind.VERSION, "H"),
            _reserved("H", 0),
            Part("called_ae_title", Kind.FIXED, ValueKind.AE, "16s"),
            Part("calling_ae_title", Kind.FIXED, ValueKind.AE, "16s"),
            _reserved("32s", "reserved_43_74"),
            Part("items", Kind.ITEMS, ValueKind.ITEMS, children=children),
        ),
        clause,
    )


ECHOED: Final = ("called_ae_title", "calling_ae_title", "reserved_43_74")
"""The fields of an A-ASSOCIATE-AC sent with the values the RQ had, bytes 11-74 (PS3.8
9.3.3): both AE-title fields and the 32 reserved bytes."""

PDU_LAYOUTS: Final[Mapping[PDUType, ItemLayout]] = MappingProxyType(
    {
        PDUType.A_ASSOCIATE_RQ: _associate("A-ASSOCIATE-RQ", _ASSOCIATE_RQ_ITEMS, "PS3.8 9.3.2"),
        # Bytes 11-74 of an AC are reserved, sent with the values the RQ had (PS3.8 9.3.3):
        # the AE-title fields hold the RQ's AE titles.
        PDUType.A_ASSOCIATE_AC: _associate("A-ASSOCIATE-AC", _ASSOCIATE_AC_ITEMS, "PS3.8 9.3.3"),
        PDUType.A_ASSOCIATE_RJ: ItemLayout(
            "A-ASSOCIATE-RJ",
            (_reserved("B"), _byte("result"), _byte("source"), _byte("reason")),
            "PS3.8 9.3.4",
        ),
        PDUType.A_RELEASE_RQ: ItemLayout("A-RELEASE-RQ", (_reserved("I"),), "PS3.8 9.3.6"),
        PDUType.A_RELEASE_RP: ItemLayout("A-RELEASE-RP", (_reserved("I"),), "PS3.8 9.3.7"),
        PDUType.A_ABORT: ItemLayout(
            "A-ABORT",
            (_reserved("B", 0), _reserved("B", 1), _byte("source"), _byte("reason")),
            "PS3.8 9.3.8",
        ),
    }
)
"""The fields of every PDU but P-DATA-TF after the PDU header (whose PDV items
``_framing.pdu`` lays out); the fixed sizes agree with ``pdu.PDU_LENGTHS``."""


@attrs.frozen(kw_only=True)
class Received:
    """What a decoded item or PDU keeps of its bytes that its fields do not hold, so that
    it re-encodes byte for byte; excluded from equality and ``repr``.

    - ``reserved``: the received values of its reserved fields, in layout order (the
      item header's reserved byte first, for an item);
    - ``raw``: (field, received bytes) of each text or UID field whose bytes are not
      what the encoder writes for its value (padding, leading spaces);
    - ``order``: for a parent with typed children, the item types of its children as
      they came (0 stands for the next unknown item); None when they came in the order
      the encoder writes.
    - ``version``: the protocol version as received, where it is not 1.
    """

    reserved: tuple[int | bytes, ...] = ()
    raw: tuple[tuple[str, bytes], ...] = ()
    order: bytes | None = None
    version: int | None = None
