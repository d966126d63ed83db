"""``dimsekit describe``: the fields and conditions of messages, from the model itself.

Owns: rendering a message class as the table PS3.7 shows (tag, keyword, VR, requirement
code, dimsekit attribute) followed by its conditions in words.  Everything printed comes
from the classes' field metadata, the command dictionary and the classes' rules, so it
cannot disagree with what construction enforces.

Must not know: how messages are encoded.
"""

from __future__ import annotations

from .._fields import BY_NAME, DATA_SET_PARAMETERS
from ..messages import MESSAGE_CLASSES, Message, Response

__all__ = ["describe_messages", "find_message_classes"]


def find_message_classes(name: str | None) -> list[type[Message]]:
    """Classes named by a service, a message name or a class name; all if None."""
    ordered = sorted(
        MESSAGE_CLASSES.values(), key=lambda c: (c.command_field & 0x7FFF, c.command_field)
    )
    if name is None:
        return ordered
    wanted = name.strip().upper()
    return [
        cls
        for cls in ordered
        if wanted
        in (cls.__name__.upper(), cls.command_field.message_name, cls.command_field.service)
    ]


def describe_messages(classes: list[type[Message]]) -> str:
    """The tables of ``classes``, one after the other."""
    return "\n".join(_describe(cls) for cls in classes)


def _describe(cls: type[Message]) -> str:
    field = cls.command_field
    lines = [f"{field.message_name} (Command Field 0x{field:04X})  dimsekit.{cls.__name__}"]
    rows = [("Tag", "Keyword", "VR", "Req", "Attribute")]
    for name, code in cls.requirements().items():
        spec = BY_NAME.get(name)
        if spec is not None:
            rows.append((spec.tag_text, spec.keyword, spec.vr, code, name))
        else:
            rows.append(("-", DATA_SET_PARAMETERS[name], "-", code, name))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines.extend(
        "  "
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
    conditions = [f"  - {rule.text} [{rule.reference}]" for rule in cls.rules]
    if issubclass(cls, Response):
        conditions.insert(
            0, f"  - status meanings: {cls.status_service_class.value} (PS3.4, PS3.7 Annex C)"
        )
    if conditions:
        lines.append("  Conditions:")
        lines.extend(conditions)
    return "\n".join(lines) + "\n"
