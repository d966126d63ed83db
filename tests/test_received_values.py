"""The lengths each VR's received value is read at: one declaration, both decoders."""

from __future__ import annotations

import pytest

from dimsekit._codec.layout import LAYOUTS
from dimsekit._codec.received_values import ABSENT, VALUE_DECODERS, VALUE_LENGTHS, ValueLength
from dimsekit._diagnostics import DiagnosticLog
from dimsekit._errors import DecodeError
from dimsekit._model.fields import COMMAND_ELEMENTS


def _value(vr: str, length: int) -> bytes:
    """A value of ``length`` bytes whose content the VR's decoder takes without a word,
    so that only its length can make it say something: digits for a UID, a title padded
    with spaces for an AE (its spaces are not significant), zeros for binary VRs."""
    if vr == "AE":
        return (b"A" + b" " * (length - 1))[:length]
    if vr in ("UI", "LO"):
        return b"1" * length
    return bytes(length)


def _read_as_it_is(vr: str, raw: bytes) -> bool:
    """Whether the general decoder's reading of ``raw`` says nothing and gives a value."""
    spec = next(spec for spec in COMMAND_ELEMENTS if spec.vr == vr)
    diags = DiagnosticLog()
    try:
        value = VALUE_DECODERS[vr](raw, 0, spec, diags)
    except DecodeError:
        return False
    return value is not ABSENT and not diags


@pytest.mark.parametrize("vr", sorted(VALUE_DECODERS))
def test_the_declared_lengths_are_those_the_general_decoder_reads_without_a_word(vr: str) -> None:
    """The expression the compiled decoder declines lengths by is true for exactly the
    lengths at which the general decoder refuses, reports or drops a value, and for
    every odd length (the element walk's to report)."""
    declared = VALUE_LENGTHS[vr]
    for length in range(80):
        breaks = eval(declared.breaks("ln"), {"ln": length})
        if length & 1:
            assert breaks, (vr, length)
        else:
            assert bool(breaks) is not _read_as_it_is(vr, _value(vr, length)), (vr, length)


def test_every_vr_a_message_field_has_has_its_lengths_declared() -> None:
    used = {spec.vr for layout in LAYOUTS.values() for _, spec in layout.fields}
    assert used <= set(VALUE_LENGTHS) == set(VALUE_DECODERS)


def test_a_step_that_is_no_even_power_of_two_is_refused() -> None:
    for step in (1, 3, 6):
        with pytest.raises(ValueError, match="no even power of two"):
            ValueLength(step=step)
