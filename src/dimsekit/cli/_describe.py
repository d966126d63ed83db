"""``dimsekit describe``: what PS3.7 asks of a message, or PS3.8 of a PDU, taken from the
model itself.

Owns: rendering a service as the table PS3.7 presents (one row per parameter: tag,
keyword, VR, the Req/Ind and Rsp/Conf codes M, U, U(=), C, C(=), A (status-related,
Annex C) or -, and the dimsekit attribute), followed by every condition in words; and
describing a status code for a service; and a PDU, item or sub-item of PS3.8 9.3 as its
byte layout (offset, size, field, what it holds, from ``_framing.pdu_layout``'s
declarations) and its rules (the class's own statement of them and its coded fields'
enums), with every item it carries.  Every row and condition comes from the
classes' field metadata, the command dictionary and the classes' rules, so it cannot
disagree with what construction enforces.

Must not know: how messages are encoded or decoded.
"""

from __future__ import annotations

import enum
import re
import struct
import typing
from typing import Final

import attrs

from .._codec.layout import COMMAND_DATA_SET_TYPE, COMMAND_FIELD, GROUP_LENGTH
from .._framing.pdu import COMMAND_BIT, LAST_BIT, PDU_HEADER, PDU_LENGTHS, PDV_HEADER, PDUType
from .._framing.pdu_decode import ITEM_CLASSES
from .._framing.pdu_layout import (
    ITEM_HEADER,
    ITEM_LAYOUTS,
    PDU_LAYOUTS,
    Child,
    ItemLayout,
    ItemType,
    Kind,
    ValueKind,
)
from .._framing.pdus import PDU_CLASSES, REJECT_REASONS, RejectReason
from .._model.fields import BY_NAME, DATA_SET_PARAMETERS
from .._model.status import PENDING_CODES_BY_SERVICE, ServiceClass, Status, refused_statuses
from ..messages import MESSAGE_CLASSES, Message, Request, Response

__all__ = [
    "describe_messages",
    "describe_pdu",
    "describe_status",
    "find_message_classes",
    "find_pdu",
    "service_rows",
]

_PROTOCOL = (GROUP_LENGTH, COMMAND_FIELD, COMMAND_DATA_SET_TYPE)


def find_message_classes(name: str | None) -> list[type[Message]]:
    """Classes named by a service, a message name or a class name; all if None."""
    ordered = sorted(
        MESSAGE_CLASSES.values(), key=lambda c: (c.command_field & 0x7FFF, c.command_field)
    )
    if name is None:
        return ordered
    wanted = name.strip().upper().replace("_", "-")
    return [
        cls
        for cls in ordered
        if wanted
        in (cls.__name__.upper(), cls.command_field.message_name, cls.command_field.service)
    ]


def _sort_key(name: str) -> tuple[int, int]:
    spec = BY_NAME.get(name)
    return (1, 0) if spec is None else (0, spec.tag)


def service_rows(halves: list[type[Message]]) -> list[tuple[str, str, str, list[str], str]]:
    """(tag, keyword, VR, [code per half], attribute) for every parameter of the halves."""
    names: dict[str, None] = {}
    requirements = [half.requirements() for half in halves]
    for found in requirements:
        names.update(dict.fromkeys(found))
    rows = []
    for protocol in _PROTOCOL:
        rows.append((protocol.tag_text, protocol.keyword, protocol.vr, ["M"] * len(halves), "-"))
    for name in sorted(names, key=_sort_key):
        codes = [found.get(name, "-") for found in requirements]
        spec = BY_NAME.get(name)
        if spec is not None:
            rows.append((spec.tag_text, spec.keyword, spec.vr, codes, name))
        else:
            rows.append(("-", DATA_SET_PARAMETERS[name], "-", codes, name))
    rows.sort(key=lambda row: (row[0] == "-", row[0]))
    return rows


def describe_messages(classes: list[type[Message]]) -> str:
    """Tables of the services ``classes`` belong to, each narrowed to those classes."""
    services: dict[str, list[type[Message]]] = {}
    for cls in classes:
        services.setdefault(cls.command_field.service, []).append(cls)
    return "\n".join(_describe_service(service, halves) for service, halves in services.items())


def _describe_service(service: str, halves: list[type[Message]]) -> str:
    halves.sort(key=lambda cls: cls.command_field.is_response)
    labels = ["Req/Ind" if not c.command_field.is_response else "Rsp/Conf" for c in halves]
    names = ", ".join(
        f"{c.command_field.message_name} = dimsekit.{c.__name__} (0x{c.command_field:04X})"
        for c in halves
    )
    lines = [f"{service}: {names}"]
    table = [("Tag", "Keyword", "VR", *labels, "Attribute")]
    for tag, keyword, vr, codes, attribute in service_rows(halves):
        table.append((tag, keyword, vr, *codes, attribute))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append("  " + "  ".join(cells).rstrip())
    lines.append(
        "  Codes: M mandatory, U optional, (=) equals the request's value, C "
        "conditional, A status-related (PS3.7 Annex C), - not sent."
    )
    lines.append("  Conditions:")
    for cls in halves:
        label = cls.command_field.message_name
        for field_name, spec in ((n, BY_NAME.get(n)) for n in cls.requirements()):
            if spec is None:
                required = "must carry" if cls.requirements()[field_name] == "M" else "may carry"
                lines.append(
                    f"  - {label}: {required} a data set ({DATA_SET_PARAMETERS[field_name]}); "
                    "Command Data Set Type is 0x0101 exactly when none follows [PS3.7 9.3, 10.3]"
                )
        if cls.data_set_field() is None:
            lines.append(
                f"  - {label}: carries no data set; Command Data Set Type is 0x0101 "
                "[PS3.7 9.3, 10.3]"
            )
        if issubclass(cls, Response):
            lines.append(
                f"  - {label}: status meanings of {cls.status_service_class.value} "
                "(PS3.4); status-related fields per PS3.7 Annex C"
            )
            if service not in PENDING_CODES_BY_SERVICE:
                lines.append(f"  - {label}: no Pending or Cancel status [PS3.7 9.1, 10.1]")
        lines.extend(f"  - {label}: {rule.text} [{rule.reference}]" for rule in cls.rules)
        if issubclass(cls, Request) and cls.must_equal:
            pairs = ", ".join(theirs for _, theirs in cls.must_equal)
            lines.append(f"  - {label}: a response's {pairs} equal this request's [U(=), C(=)]")
    return "\n".join(lines) + "\n"


def describe_status(code: int, service: str | None) -> str:
    """The class and meaning of ``code`` for ``service`` and the fields it allows."""
    status = Status(code)
    lines = [f"Status 0x{code:04X}: {status.category.value}"]
    service_class = _service_class(service)
    lines.append(
        f"  meaning: {status.meaning(service_class)}"
        + (f" ({service_class.value})" if service_class else " (no service given)")
    )
    if service and code in refused_statuses(service.upper()):
        lines.append(f"  not a status {service.upper()} may answer with [PS3.7 9.1, 10.1]")
    related = sorted(status.related_fields())
    if related:
        lines.append("  status-related fields allowed with it (PS3.7 Annex C):")
        for name in related:
            spec = BY_NAME[name]
            lines.append(f"    {spec.tag_text}  {spec.keyword}  ({name})")
    else:
        lines.append("  no status-related fields (PS3.7 Annex C)")
    return "\n".join(lines) + "\n"


def _service_class(service: str | None) -> ServiceClass | None:
    if service is None:
        return None
    wanted = service.strip().upper()
    for cls in MESSAGE_CLASSES.values():
        if issubclass(cls, Response) and cls.command_field.service == wanted:
            return cls.status_service_class
    for candidate in ServiceClass:
        if wanted in (candidate.name, candidate.value.upper()):
            return candidate
    raise ValueError(
        f"unknown service {service!r}: give a DIMSE service (C-MOVE) or a service class "
        f"({', '.join(c.name for c in ServiceClass)})"
    )


# --- the Upper Layer PDUs (PS3.8 9.3) ---------------------------------------------------------

_PDU_HEADER_PARTS: Final = ("PDU-type", "reserved", "PDU-length")
"""The three fields of ``PDU_HEADER`` (PS3.8 9.3.1), in its order."""
_ITEM_HEADER_PARTS: Final = ("item-type", "reserved", "item-length")
"""The three fields of ``ITEM_HEADER`` (PS3.8 9.3.2.1, D.1), in its order."""
_PDV_PARTS: Final = ("item-length", "presentation context ID", "message control header")
"""The three fields of ``PDV_HEADER`` (PS3.8 9.3.5.1, E.2), in its order."""
_PDV_HOLDS: Final = (
    "32-bit: the bytes after it (context ID, control header, fragment)",
    "odd, 1-255: the context the fragment travels on",
    "bits, as below",
)
_HOLDS: Final = {
    ValueKind.INT: "unsigned integer",
    ValueKind.VERSION: "protocol version: bit 0 is tested, the rest not (PS3.8 9.3.2)",
    ValueKind.UID: "a UID, not padded",
    ValueKind.UIDS: "UIDs, each after its 16-bit length",
    ValueKind.AE: "an AE title, space padded to 16 bytes",
    ValueKind.TEXT: "text",
    ValueKind.BYTES: "bytes",
    ValueKind.ITEMS: "items",
}
_KINDS: Final = {
    Kind.PREFIXED: "2 + n",
    Kind.PREFIXED_LIST: "2 + n",
    Kind.REST: "n",
    Kind.ITEMS: "n",
}


Found = tuple[PDUType | int, type | None]
"""A PDU type or an item type, and its class (None: 30H and 40H, held as UIDs)."""


def find_pdu(name: str) -> Found | None:
    """The PDU (by its name, ``A-ASSOCIATE-RQ``, or class, ``AAssociateRQ``) or the item
    or sub-item (by its class, ``PresentationContextRQ``, or its type, ``20H``) that
    ``name`` names, with its class; None if it names none."""
    wanted = name.strip().upper().replace("_", "-")
    for pdu_type, cls in PDU_CLASSES.items():
        if wanted in (pdu_type.label, cls.__name__.upper()):
            return pdu_type, cls
    for code in ITEM_LAYOUTS:
        item = ITEM_CLASSES.get(code)
        if wanted in (f"{code:02X}H", f"0X{code:02X}") or (
            item is not None and wanted == item.__name__.upper()
        ):
            return code, item
    return None


def describe_pdu(found: Found) -> str:
    """The layout of a PDU (or item) and its rules, as ``pdu_layout`` declares the bytes
    and the classes state the rules, with every item it may carry, each once."""
    code, cls = found
    lines: list[str] = []
    if isinstance(code, PDUType):
        clause = PDU_LENGTHS[code].clause if code in PDU_LENGTHS else "PS3.8 9.3.5"
        lines.append(f"{code.label} = dimsekit.{_name(cls)} (PDU type {code:02X}H) [{clause}]")
        header = _header_rows(PDU_HEADER, _PDU_HEADER_PARTS, _type_header(code, 32))
        if code is PDUType.P_DATA_TF:
            pdvs = (str(PDU_HEADER.size), "n", "PDV items", "one or more, each as below", "")
            rows = [*header, pdvs]
            lines.extend(_table(rows))
            lines.append("  PDV item [PS3.8 9.3.5.1, E.2] = dimsekit.PresentationDataValue")
            pdv = _header_rows(PDV_HEADER, _PDV_PARTS, _PDV_HOLDS)
            pdv.append((str(PDV_HEADER.size), "n", "fragment", "of a command or data set", ""))
            lines.extend(_table(pdv, indent=4))
            lines.append(
                f"    message control header: bit 0 ({COMMAND_BIT:02X}H) command, else data "
                f"set; bit 1 ({LAST_BIT:02X}H) last fragment [PS3.8 E.2]"
            )
            lines.extend(_rules(cls, indent=2))
            return "\n".join(lines) + "\n"
        layout = PDU_LAYOUTS[code]
        lines.extend(_table([*header, *_part_rows(layout, PDU_HEADER.size)]))
        lines.extend(_rules(cls, indent=2))
        seen: set[int] = set()
        for child in _children(layout):
            lines.extend(_describe_item(child.item_type, child, seen, indent=2))
        return "\n".join(lines) + "\n"
    lines.extend(_describe_item(code, None, set(), indent=0))
    return "\n".join(lines) + "\n"


def _name(cls: type | None) -> str:
    return "-" if cls is None else cls.__name__


def _children(layout: ItemLayout) -> list[Child]:
    return [child for part in layout.parts for child in (part.children or ())]


def _describe_item(code: int, child: Child | None, seen: set[int], indent: int) -> list[str]:
    """An item's layout and rules, then those of the items it carries (each type once)."""
    if code in seen:
        return []
    seen.add(code)
    layout = ITEM_LAYOUTS[code]
    cls = ITEM_CLASSES.get(code)
    pad = " " * indent
    where = f" -> {child.field}, {child.occurs.value}" if child is not None else ""
    held = f"dimsekit.{cls.__name__}" if cls is not None else "held as a UID by its parent"
    lines = [f"{pad}{code:02X}H {layout.name} = {held}{where} [{layout.clause}]"]
    header = _header_rows(ITEM_HEADER, _ITEM_HEADER_PARTS, _type_header(code, 16))
    if layout.header_field is not None:
        offset, size, _, _, _ = header[1]
        header[1] = (offset, size, layout.header_field, "unsigned integer", "")
    lines.extend(_table([*header, *_part_rows(layout, ITEM_HEADER.size)], indent=indent + 2))
    lines.extend(_rules(cls, indent=indent + 2))
    sub_items = [part for part in layout.parts if part.kind is Kind.ITEMS and part.children is None]
    for child_of in _children(layout):
        lines.extend(_describe_item(child_of.item_type, child_of, seen, indent + 2))
    if sub_items:  # the user information sub-items: any of them, in any order (CP 280)
        for sub in _USER_INFORMATION_SUB_ITEMS:
            lines.extend(_describe_item(sub, None, seen, indent + 2))
    return lines


_ROLE: Final = re.compile(r":\w+:`~?([^`]*)`")
"""A Sphinx role in a docstring (``:data:`X```), shown as its text."""
_USER_INFORMATION_SUB_ITEMS: Final = tuple(
    code for code in ITEM_LAYOUTS if code > ItemType.USER_INFORMATION
)
"""The sub-items a User Information item holds (51H-59H, PS3.8 D.1; PS3.7 D.3.3)."""


def _header_rows(
    header: struct.Struct, names: tuple[str, ...], holds: tuple[str, ...]
) -> list[tuple[str, str, str, str, str]]:
    """The rows of a header struct: its fields' offsets and sizes, in its order."""
    rows = []
    offset = 0
    for name, fmt, held in zip(names, header.format.lstrip(">"), holds, strict=True):
        size = struct.calcsize(">" + fmt)
        rows.append((str(offset), str(size), name, held, ""))
        offset += size
    return rows


def _type_header(code: int, bits: int) -> tuple[str, ...]:
    """What the type, reserved and length fields of a PDU or item header hold."""
    return (f"{code:02X}H", "reserved: sent 00H, not tested", f"{bits}-bit: the bytes after it")


def _part_rows(layout: ItemLayout, start: int) -> list[tuple[str, str, str, str, str]]:
    """(offset, bytes, field, what it holds, children) of each declared part."""
    rows: list[tuple[str, str, str, str, str]] = []
    offset: int | None = start
    for part in layout.parts:
        if part.kind in (Kind.FIXED, Kind.RESERVED):
            size = struct.calcsize(">" + part.fmt)
            shown = str(size)
        else:
            size, shown = 0, _KINDS[part.kind]
        holds = (
            "reserved: sent as zero, not tested, kept as received (PS3.8 9.3.1)"
            if part.kind is Kind.RESERVED
            else _HOLDS[part.value]
        )
        if part.kind is Kind.ITEMS:
            holds = (
                "; ".join(
                    f"{c.item_type:02X}H {c.occurs.value} -> {c.field}" for c in part.children
                )
                if part.children
                else "sub-items, in any order (CP 280)"
            ) + "; items of other types kept as received"
        rows.append(("-" if offset is None else str(offset), shown, part.name, holds, ""))
        offset = (
            None
            if offset is None or part.kind not in (Kind.FIXED, Kind.RESERVED)
            else offset + size
        )
    return rows


def _table(rows: list[tuple[str, str, str, str, str]], indent: int = 2) -> list[str]:
    table = [("Offset", "Bytes", "Field", "Holds", ""), *rows]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    pad = " " * indent
    return [
        (
            pad
            + "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
            + "  "
            + row[3]
        ).rstrip()
        for row in table
    ]


def _rules(cls: type | None, indent: int) -> list[str]:
    """The rules as the class states them: its docstring, and each coded field's values
    (the enum's members; for the A-ASSOCIATE-RJ reason, the ones each source allows)."""
    if cls is None:
        return []
    pad = " " * indent
    lines = [f"{pad}Rules:"]
    doc = _ROLE.sub(r"\1", " ".join((cls.__doc__ or "").split())).replace("``", "")
    if doc:
        lines.append(f"{pad}- {doc}")
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        kind = hints.get(field.name)
        if not (isinstance(kind, type) and issubclass(kind, enum.Enum)) or not field.init:
            continue
        if kind is RejectReason:
            for source, reasons in REJECT_REASONS.items():
                allowed = ", ".join(f"{code} {reason.name}" for code, reason in reasons.items())
                lines.append(f"{pad}- reason, with source {int(source)} {source.name}: {allowed}")
            continue
        values = ", ".join(f"{int(member.value)} {member.name}" for member in kind)
        lines.append(f"{pad}- {field.name} ({kind.__name__}): {values}")
    return lines
