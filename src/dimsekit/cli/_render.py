"""Printing records for a terminal or a pipe.

Owns: the text layout of ``decode`` output (aligned columns, cut to the terminal's
width, colour only on a terminal and never with ``--no-color`` or ``NO_COLOR``) and its
JSON Lines form.

Must not know: how records are made.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from typing import Any, TextIO

from pydicom.uid import UID

from .._diagnostics import Diagnostic, Severity
from .._model.fields import BY_TAG

__all__ = ["Style", "error_line", "render_json_lines", "render_text"]

Record = dict[str, Any]


class Style:
    """ANSI styling that switches itself off where it does not belong."""

    def __init__(self, stream: TextIO, no_color: bool) -> None:
        self.enabled = (
            not no_color and "NO_COLOR" not in os.environ and getattr(stream, "isatty", bool)()
        )
        on_terminal = getattr(stream, "isatty", bool)()
        self.width = shutil.get_terminal_size((100, 24)).columns if on_terminal else 1 << 16

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def severity(self, severity: str, text: str) -> str:
        return self._wrap({"error": "31", "warning": "33"}.get(severity, "0"), text)

    def status(self, category: str, text: str) -> str:
        colour = {"success": "32", "pending": "36", "cancel": "35", "warning": "33"}
        return self._wrap(colour.get(category, "31"), text)


def render_json_lines(records: Iterable[Record], out: TextIO) -> None:
    """One JSON object per line."""
    for record in records:
        out.write(json.dumps(record) + "\n")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def _command_rows(command: dict[str, Any]) -> list[tuple[str, str, str]]:
    rows = []
    by_keyword = {spec.keyword: spec for spec in BY_TAG.values()}
    for keyword, value in command.items():
        spec = by_keyword.get(keyword)
        tag = spec.tag_text if spec is not None else f"({keyword[:4]},{keyword[4:]})"
        name = keyword if spec is not None else "(unknown)"
        if isinstance(value, list):
            shown = ", ".join(f"({v[:4]},{v[4:]})" for v in value)
        elif isinstance(value, int) and keyword in ("CommandField", "CommandDataSetType", "Status"):
            shown = f"0x{value:04X}"
        elif spec is not None and (spec.retired or keyword not in _FIELD_KEYWORDS):
            shown = f"raw {value}"
        else:
            shown = str(value)
            if spec is not None and spec.vr == "UI":
                shown = _with_uid_name(shown)
        rows.append((tag, name, shown))
    return rows


def _with_uid_name(uid: str) -> str:
    name = UID(uid).name
    return f"{uid}  ({name})" if name and name != uid else uid


_FIELD_KEYWORDS = frozenset(spec.keyword for spec in BY_TAG.values() if not spec.retired)


def render_text(
    records: Iterable[Record], out: TextIO, style: Style, *, unheaded: str | None = None
) -> None:
    """Aligned, human-readable output: a header line where the source changes (but not
    before the records of ``unheaded``, the one file given), messages numbered per
    source."""
    index = 0
    source = unheaded
    for record in records:
        if record["source"] != source:
            source = record["source"]
            out.write(style.bold(_cut(f"== {source} ==", style.width)) + "\n")
            index = 0
        kind = record["kind"]
        if kind == "message":
            index += 1
            _message(record, index, out, style)
        elif kind == "pdu":
            _pdu(record, out, style)
        else:
            out.write(style.severity("error", _cut(error_line(record), style.width)) + "\n")


def error_line(record: Record) -> str:
    """An error record in one line: where, and why."""
    where = f" at offset {record['offset']}" if record.get("offset") is not None else ""
    tag = record.get("tag")
    where += f", tag ({tag[:4]},{tag[4:]})" if tag else ""
    return f"{record['source']}: cannot decode{where}: {record['reason']}"


def _pdu(record: Record, out: TextIO, style: Style) -> None:
    head = f"{record['name']} ({record['length']} bytes)"
    details = []
    if "sent_by" in record:
        # the AE that sent it, and the largest PDU that AE receives (PS3.8 D.1)
        limit = record["max_pdu_length"]
        receives = {0: "of any length", None: "of unstated length"}.get(
            limit, f"of up to {limit} bytes"
        )
        details.append(f"{record['sent_by']} -> {record['sent_to']},")
        details.append(f"{record['sent_by']} receives PDUs {receives}")
    out.write(style.dim(_cut(" ".join([head, *details]), style.width)) + "\n")
    for line in _pdu_lines(record):
        out.write(_cut(f"    {line}", style.width) + "\n")
    _diagnostics(record, out, style)
    if record.get("error"):
        line = _cut(f"  cannot read its fields: {record['error']}", style.width)
        out.write(style.severity("error", line) + "\n")


def _named(uid: str | None, name: str | None) -> str:
    if uid is None:
        return "-"
    return f"{name} ({uid})" if name else uid


def _pdu_lines(record: Record) -> list[str]:
    """The lines that show a PDU's fields, after its head line."""
    lines = []
    if "application_context" in record:
        lines.append(
            "application context: "
            + _named(record["application_context"], record["application_context_name"])
        )
    for context in record.get("contexts", ()):
        syntaxes = ", ".join(
            _named(uid, name)
            for uid, name in zip(
                context["transfer_syntaxes"], context["transfer_syntax_names"], strict=True
            )
        )
        if context["result"] is None:  # proposed
            abstract = _named(context["abstract_syntax"], context["abstract_syntax_name"])
            lines.append(f"context {context['id']}: {abstract}")
            lines.append(f"    transfer syntaxes: {syntaxes}")
        else:
            answer = f": {syntaxes}" if syntaxes else ""
            lines.append(f"context {context['id']}: {context['result']}{answer}")
    if "user_information" in record:
        lines.append("user information:")
        for item in record["user_information"]:
            fields = ", ".join(item["fields"])
            lines.append(f"    {item['type']} {item['name']}: {fields}")
    for unknown in record.get("unknown_items", ()):
        lines.append(f"unknown item {unknown} (kept as received)")
    if "source_of_reject" in record:
        lines.append(f"result: {record['result']}")
        lines.append(f"source: {record['source_of_reject']}")
        lines.append(f"reason: {record['reason']}")
    if "source_of_abort" in record:
        lines.append(f"source: {record['source_of_abort']}")
        lines.append(f"reason: {record['reason']}")
    return lines


def _message(record: Record, index: int, out: TextIO, style: Style) -> None:
    context = record["context_id"]
    where = f"  context {context}" if context is not None else ""
    out.write(style.bold(f"#{index} {record['name']}") + f"  {record['class']}{where}\n")
    rows = _command_rows(record["command"])
    status = record.get("status")
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for tag, keyword, value in rows:
        line = f"  {tag.ljust(widths[0])}  {keyword.ljust(widths[1])}  "
        room = style.width - len(line)
        if keyword == "Status" and status is not None:
            text = f"{value} {status['category']}: {status['meaning']}"
            out.write(line + style.status(status["category"], _cut(text, room)) + "\n")
        else:
            out.write(line + _cut(value, room) + "\n")
    data_set = record.get("data_set")
    if data_set is not None:
        syntax = data_set.get("transfer_syntax")
        known = "" if data_set.get("transfer_syntax_known") else " (guessed)"
        head = f"  data set: {data_set['parameter']}, {data_set['length']} bytes"
        head += f", {_with_uid_name(syntax)}{known}" if syntax else ", transfer syntax unknown"
        out.write(_cut(head, style.width) + "\n")
        for keyword, value in data_set.get("attributes", {}).items():
            out.write(_cut(f"    {keyword} = {value}", style.width) + "\n")
    _diagnostics(record, out, style)


def _diagnostics(record: Record, out: TextIO, style: Style) -> None:
    for diagnostic in record["diagnostics"]:
        text = f"  {_as_diagnostic(diagnostic)}"  # in the words of Diagnostic.__str__
        out.write(style.severity(diagnostic["severity"], _cut(text, style.width)) + "\n")


def _as_diagnostic(record: Record) -> Diagnostic:
    """The diagnostic a diagnostic record describes (its tag as 8 hex digits)."""
    tag = record["tag"]
    return Diagnostic(
        what=record["what"],
        rule=record["rule"],
        severity=Severity(record["severity"]),
        offset=record["offset"],
        tag=None if tag is None else int(tag, 16),
        repeats=record["repeats"],
    )
