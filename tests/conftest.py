"""The suite's Hypothesis profiles, and helpers shared by test modules: the example
streams and what their headers say; a ``server`` (a ThreadServer, stopped at the end).

The profiles, chosen by HYPOTHESIS_PROFILE: ``quick`` (the default) runs each property as
many examples as the suite always has; ``thorough`` (what .ci/run asks nox's tests
session for) runs as many times more as its ``max_examples`` is more than quick's.  A
test that wants another count than the profile's own asks for ``examples(n)``
(tests/helpers.py): n under quick, scaled the same under thorough.  No profile has a
deadline: the suite times nothing.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# the shared helpers assert too: pytest explains their failures as it does a test's
pytest.register_assert_rewrite("tests.helpers", "tests.message_examples")

settings.register_profile("quick", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=400, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

from .helpers import ThreadServer  # noqa: E402 (after its assertions are rewritten)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "c-move"
"""A real DCMTK C-MOVE exchange, one file per direction and association."""


def parse_pdu(pdu: bytes) -> list[tuple[int, int, bytes]]:
    """(context ID, control header, fragment) of each PDV in one P-DATA-TF."""
    pdu_type, _, length = struct.unpack_from(">BBI", pdu)
    assert pdu_type == 4
    assert length == len(pdu) - 6
    items = []
    offset = 6
    while offset < len(pdu):
        item_length, context_id, control = struct.unpack_from(">IBB", pdu, offset)
        items.append((context_id, control, pdu[offset + 6 : offset + 4 + item_length]))
        offset += 4 + item_length
    assert offset == len(pdu)
    return items


def announces_data_set(command: bytes) -> bool:
    """Whether a command set's Command Data Set Type is other than 0x0101 (PS3.7 E.1)."""
    offset = 0
    while offset < len(command):
        _group, element, length = struct.unpack_from("<HHI", command, offset)
        if element == 0x0800:
            return command[offset + 8 : offset + 10] != b"\x01\x01"
        offset += 8 + length
    raise AssertionError("no Command Data Set Type")


def clean_ends(stream: bytes) -> set[int]:
    """The offsets where ``stream`` may end cleanly, read from its headers: after a PDU,
    with no message begun and not finished."""
    ends = set()
    offset = 0
    pending = False
    command = b""
    while offset < len(stream):
        pdu_type, _, length = struct.unpack_from(">BBI", stream, offset)
        end = offset + 6 + length
        if pdu_type == 4:
            for _context_id, control, fragment in parse_pdu(stream[offset:end]):
                if control & 1:
                    command += fragment
                    pending = not control & 2 or announces_data_set(command)
                else:
                    pending = not control & 2
                if not pending:
                    command = b""
        if not pending:
            ends.add(end)
        offset = end
    assert offset == len(stream)
    return ends


@pytest.fixture
def server() -> Iterator[ThreadServer]:
    running = ThreadServer()
    try:
        yield running
    finally:
        running.stop()
