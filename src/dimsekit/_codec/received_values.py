"""Command element values in: what a received value of each VR means, and what deviated.

Owns: reading one received command element's value (Implicit VR Little Endian, PS3.5
7.1.2) for each VR a command element has (UI, AE, LO, US, UL, AT; PS3.7 E.1), the way
real peers' values are understood: padding a UID with spaces or extra NULs, an AE title
padded with NUL or too long, an empty value, a US with more than one value; each such
deviation reported as a :class:`~dimsekit.Diagnostic` naming the offset and the tag,
each value that cannot be understood (a US or UL of the wrong size, an AT list not in
4-byte steps) refused with a :class:`~dimsekit.DecodeError`.  A value that is there
but empty comes back as :data:`ABSENT`.  The lengths of each VR's value that are read
as they are, without a word, are declared once (:data:`VALUE_LENGTHS`): the decoders
here test them, and the compiled decoder (``_codec.fast_decode``) declines every other
length with the test the declaration writes.  The value returned is the one the model's
converter would make of it (a pydicom ``UID``, a stripped ``str``, an ``int``,
:class:`~dimsekit.AttributeTags`); the model's validators still check it.

Must not know: message classes or which element belongs to which (``_codec.layout``), the
element walk (``_codec.element_walk``), how the message is assembled (``_codec.decode``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeAlias

import attrs
from pydicom.uid import UID

from .._diagnostics import Diagnostic, DiagnosticLog, Severity
from .._errors import DecodeError
from .._model.fields import ElementSpec
from .._model.vr import AE_MAX, AttributeTags
from .wire import Raw

__all__ = [
    "ABSENT",
    "UL_SIZE",
    "US_SIZE",
    "VALUE_DECODERS",
    "VALUE_LENGTHS",
    "ValueDecoder",
    "ValueLength",
    "decode_us",
    "diagnostic_at",
]

ABSENT: Final = object()
"""What a value decoder returns for a value that is there but empty (taken as absent)."""


@attrs.frozen
class ValueLength:
    """The lengths at which a received value of one VR is read as it is, without a word
    (PS3.5 6.2, 7.1.2); at any other its decoder refuses it, reports it or takes it as
    absent.  Every such length is even (PS3.7 6.3.1: an odd one is the element walk's to
    report)."""

    size: int | None = None
    """Every value has exactly this many bytes (US 2, UL 4: PS3.5 6.2), or None."""
    step: int = 2
    """Else the length is a multiple of this (a power of two: 4 for AT, a tag each)."""
    empty_is_absent: bool = True
    """An empty value is taken as absent (reported), not read: all but AT's (an empty
    tag list has a meaning, PS3.7 10.1.2.1.4)."""
    maximum: int | None = None
    """At most this many bytes (an AE value: 16, PS3.5 6.2), or None."""

    def __attrs_post_init__(self) -> None:
        if self.step & (self.step - 1) or self.step % 2:
            raise ValueError(f"a value length step of {self.step} is no even power of two")

    def breaks(self, length: str) -> str:
        """A Python expression over the variable ``length`` that is true for exactly the
        lengths not read as they are (for generated code, which declines them)."""
        if self.size is not None:
            return f"{length} != {self.size}"
        parts = [f"{length} & {self.step - 1}"]
        if self.empty_is_absent:
            parts.append(f"not {length}")
        if self.maximum is not None:
            parts.append(f"{length} > {self.maximum}")
        return " or ".join(parts)


US_SIZE: Final = 2
"""The bytes of a US value (PS3.5 6.2)."""
UL_SIZE: Final = 4
"""The bytes of a UL value (PS3.5 6.2)."""
_AT_STEP: Final = 4  # a tag, group then element (PS3.5 6.2, 7.1.2)
VALUE_LENGTHS: Final[dict[str, ValueLength]] = {
    "UI": ValueLength(),
    "AE": ValueLength(maximum=AE_MAX),  # its spaces included (PS3.5 6.2)
    "LO": ValueLength(),
    "US": ValueLength(size=US_SIZE),
    "UL": ValueLength(size=UL_SIZE),
    "AT": ValueLength(step=_AT_STEP, empty_is_absent=False),
}
"""VR -> the lengths its received values are read at as they are (PS3.5 6.2)."""
assert US_SIZE == 2, "decode_us reads the two bytes of a US value"


def decode_us(raw: Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    """A US value (2 bytes, PS3.5 6.2): of more, the first is kept (VM is 1, PS3.7 E.1)."""
    size = len(raw)
    if size == US_SIZE:
        return raw[0] | (raw[1] << 8)
    if size == 0:
        diags.append(
            diagnostic_at(offset, spec, "zero-length US value; taken as absent", "PS3.5 6.2")
        )
        return ABSENT
    if size < US_SIZE:
        raise DecodeError(
            f"{spec.keyword} (US) has a {size}-byte value; a US value has {US_SIZE} bytes "
            "(PS3.5 6.2)",
            offset=offset,
            tag=spec.tag,
        )
    diags.append(
        diagnostic_at(
            offset,
            spec,
            f"{spec.keyword} has {size} bytes (VM > 1) where VM is 1; the first value is kept",
            "PS3.7 E.1 (VM 1)",
        )
    )
    return raw[0] | (raw[1] << 8)


def _decode_ul(raw: Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    if len(raw) != UL_SIZE:
        raise DecodeError(
            f"{spec.keyword} (UL) has a {len(raw)}-byte value; a UL value has {UL_SIZE} bytes",
            offset=offset,
            tag=spec.tag,
        )
    return int.from_bytes(raw, "little")


def _decode_ui(raw: Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    """A UID is padded with one trailing NUL, to an even length, and with nothing else
    (PS3.5 9.1, 6.2): other padding (spaces anywhere, more NULs) is removed and reported.
    A NUL that makes the length odd is reported as the odd length it makes."""
    text = str(raw, "latin-1")
    core = text.rstrip("\0 ")
    if not core:
        what = f"UID {text!r} is padding only" if text else "zero-length UID"
        diags.append(diagnostic_at(offset, spec, f"{what}; taken as absent", "PS3.5 9.1"))
        return ABSENT
    value = core.lstrip(" ")
    leading = len(core) - len(value)
    trailing = text[len(core) :]
    if leading or (trailing and trailing != "\0"):
        diags.append(
            diagnostic_at(
                offset, spec, f"UID {text!r} {_uid_padding(leading, trailing)}", "PS3.5 6.2, 9.1"
            )
        )
    return str.__new__(UID, value)  # what the model's converter would make of it


def _uid_padding(leading: int, trailing: str) -> str:
    if not leading and trailing == " ":
        return "padded with a space, not NUL"
    spaces, nuls = trailing.count(" "), trailing.count("\0")
    parts = [
        f"{count} {what}{'s' if count > 1 else ''}"
        for count, what in (
            (leading, "leading space"),
            (spaces, "trailing space"),
            (nuls if nuls > 1 or spaces else 0, "trailing NUL"),
        )
        if count
    ]
    return f"padded with {' and '.join(parts)}; a UID is padded with one NUL, to an even length"


def _decode_ae(raw: Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    """Leading and trailing spaces of an AE title are not significant (PS3.5 6.2): they
    are removed without a word.  NUL padding is removed and reported, and so is a value
    longer than 16 bytes whose title fits (one that does not is the validator's)."""
    text = str(raw, "latin-1")
    core = text.rstrip("\0 ")
    value = core.strip(" ")
    if not value:
        diags.append(diagnostic_at(offset, spec, "empty AE value; taken as absent", "PS3.5 6.2"))
        return ABSENT
    if "\0" in text[len(core) :]:
        diags.append(
            diagnostic_at(
                offset, spec, f"AE title {text!r} padded with NUL, not a space", "PS3.5 6.2"
            )
        )
    if len(raw) > AE_MAX and len(value) <= AE_MAX:  # a title too long: the validator's
        diags.append(
            diagnostic_at(
                offset,
                spec,
                f"AE value of {len(raw)} bytes; an AE value has at most {AE_MAX}",
                "PS3.5 6.2",
            )
        )
    return value


def _decode_text(raw: Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    text = str(raw, "latin-1").strip(" ")
    if not text:
        diags.append(
            diagnostic_at(offset, spec, f"empty {spec.vr} value; taken as absent", "PS3.5 6.2")
        )
        return ABSENT
    return text


def _decode_at(raw: Raw, offset: int, spec: ElementSpec, diags: DiagnosticLog) -> object:
    size = len(raw)
    if size % _AT_STEP:
        raise DecodeError(
            f"{spec.keyword} (AT) has {size} bytes; AT values are {_AT_STEP} bytes each "
            "(PS3.5 6.2)",
            offset=offset,
            tag=spec.tag,
        )
    return AttributeTags.from_bytes(raw)  # the received bytes are its packed form


ValueDecoder: TypeAlias = Callable[[Raw, int, ElementSpec, DiagnosticLog], object]
"""(value bytes, the element's offset, the element, the log) -> the value, or ABSENT."""
VALUE_DECODERS: Final[dict[str, ValueDecoder]] = {
    "UI": _decode_ui,
    "AE": _decode_ae,
    "LO": _decode_text,
    "US": decode_us,
    "UL": _decode_ul,
    "AT": _decode_at,
}


def diagnostic_at(
    offset: int | None,
    spec: ElementSpec | None,
    what: str,
    rule: str,
    severity: Severity = Severity.WARNING,
) -> Diagnostic:
    """What deviated in the element ``spec`` at ``offset`` (a warning unless said)."""
    return Diagnostic(
        what=what,
        rule=rule,
        severity=severity,
        offset=offset,
        tag=None if spec is None else spec.tag,
    )
