"""``dimsekit describe``: what PS3.7 asks of a message, taken from the model itself.

Owns: rendering a service as the table PS3.7 presents (one row per parameter: tag,
keyword, VR, the Req/Ind and Rsp/Conf codes M, U, U(=), C, C(=), A (status-related,
Annex C) or -, and the dimsekit attribute), followed by every condition in words; and
describing a status code for a service.  Every row and condition comes from the
classes' field metadata, the command dictionary and the classes' rules, so it cannot
disagree with what construction enforces.

Must not know: how messages are encoded or decoded.
"""

from __future__ import annotations

from .._codec.layout import COMMAND_DATA_SET_TYPE, COMMAND_FIELD, GROUP_LENGTH
from .._model.fields import BY_NAME, DATA_SET_PARAMETERS
from .._model.status import PENDING_CODES_BY_SERVICE, ServiceClass, Status, refused_statuses
from ..messages import MESSAGE_CLASSES, Message, Request, Response

__all__ = ["describe_messages", "describe_status", "find_message_classes", "service_rows"]

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
