"""What a decoded message remembers of the command set it came from.

Owns: :class:`WireDetails`, the part of a received command set that the typed fields do
not hold: the raw Command Data Set Type (any value other than 0x0101 means "a data set
follows", PS3.7 9.3 / 10.3, and real toolkits send 0x0000, 0x0001, 0x0102 or 0x0202) and
the group 0000 elements the message class has no field for (retired ACR-NEMA elements,
unknown ones, the retired Message ID of a DIMSE-C response), kept as raw value bytes.
With them the encoder reproduces the received bytes exactly.

Must not know: how elements are parsed or encoded; the codec fills and reads it.
"""

from __future__ import annotations

from typing import Final

import attrs

__all__ = ["WireDetails"]


@attrs.frozen(kw_only=True)
class WireDetails:
    """Details of a received command set that have no field in the typed message."""

    command_data_set_type: int
    """The Command Data Set Type (0000,0800) as received."""
    extra_elements: tuple[tuple[int, bytes], ...] = ()
    """(tag, raw value bytes) of each group 0000 element the class has no field for."""


PLAIN_WIRE: Final = {
    cdst: WireDetails(command_data_set_type=cdst)
    for cdst in (0x0000, 0x0001, 0x0101, 0x0102, 0x0202)
}
"""The wire details of the command sets real toolkits send, shared (they are frozen)."""
