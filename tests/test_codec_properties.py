"""Properties of the codec over generated messages of every class (Hypothesis).

Example counts: each property below runs ``EXAMPLES`` examples per message class, or a
multiple of it (``examples``: 60 under the quick profile).
"""

from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset

import dimsekit as dk
from dimsekit import DecodeError, decode_command, encode_command
from dimsekit.testing import invalid_constructions, message_of, messages

from .helpers import examples, mutate, mutations
from .pynetdicom_bridge import Inexpressible, pynetdicom_command_bytes

EXAMPLES = examples(60)
_KEYWORD_TAGS = {spec.keyword: spec.tag for spec in dk.COMMAND_ELEMENTS}
CLASSES = sorted(dk.MESSAGE_CLASSES.values(), key=lambda cls: cls.command_field)
per_class = settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
by_class = pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)


def pydicom_bytes(message: dk.Message) -> bytes:
    buffer = DicomBytesIO()
    buffer.is_little_endian = True
    buffer.is_implicit_VR = True
    write_dataset(buffer, dk.to_dataset(message))
    return buffer.getvalue()


@by_class
@per_class
@given(data=st.data())
def test_decode_of_encode_is_the_message(cls: type[dk.Message], data: st.DataObject) -> None:
    message = data.draw(message_of(cls))
    encoded = encode_command(message)
    decoded = decode_command(encoded, data_set=message.data_set_payload)
    assert decoded.message == message
    assert decoded.clean
    assert encode_command(decoded.message) == encoded
    strict = decode_command(encoded, data_set=message.data_set_payload, strict=True)
    assert strict.message == message


@by_class
@per_class
@given(data=st.data())
def test_pydicom_encodes_the_dataset_form_to_the_same_bytes(
    cls: type[dk.Message], data: st.DataObject
) -> None:
    message = data.draw(message_of(cls))
    assert pydicom_bytes(message) == encode_command(message)


@by_class
@per_class
@given(data=st.data())
def test_pynetdicom_encodes_the_same_bytes(cls: type[dk.Message], data: st.DataObject) -> None:
    message = data.draw(message_of(cls))
    try:
        theirs = pynetdicom_command_bytes(message)
    except Inexpressible:
        assume(False)
        raise
    assert encode_command(message) == theirs


@by_class
@per_class
@given(data=st.data())
def test_dataset_and_json_forms_round_trip(cls: type[dk.Message], data: st.DataObject) -> None:
    message = data.draw(message_of(cls))
    payload = message.data_set_payload
    from_dataset = dk.from_dataset(dk.to_dataset(message), data_set=payload, strict=True)
    assert from_dataset.message == message
    from_json = dk.from_json(dk.to_json(message), data_set=payload, strict=True)
    assert from_json.message == message
    converter = dk.make_converter()
    unstructured = converter.unstructure(message)
    tags = [_KEYWORD_TAGS[keyword] for keyword in unstructured]
    assert tags[0] == 0x0000
    assert tags == sorted(tags)
    assert unstructured["CommandField"] == cls.command_field
    if payload is None:
        assert converter.structure(unstructured, cls) == message
        assert converter.structure(unstructured, dk.Message) == message


@settings(max_examples=EXAMPLES * 10)
@given(messages(), st.data())
def test_received_extras_survive_every_form(message: dk.Message, data: st.DataObject) -> None:
    extra = struct.pack("<HHI", 0, 0x4000, 4) + b"HI  "  # retired DialogReceiver (LT)
    encoded = encode_command(message)
    offset = 12
    while offset < len(encoded):
        group, element, length = struct.unpack_from("<HHI", encoded, offset)
        if (group << 16 | element) > 0x4000:
            break
        offset += 8 + length
    spliced = encoded[:offset] + extra + encoded[offset:]
    spliced = struct.pack("<HHII", 0, 0, 4, len(spliced) - 12) + spliced[12:]
    decoded = decode_command(spliced, data_set=message.data_set_payload)
    assert decoded.message == message
    assert len(decoded.diagnostics) == 1
    assert encode_command(decoded.message) == spliced
    again = dk.from_json(dk.to_json(decoded.message), data_set=message.data_set_payload)
    assert encode_command(again.message) == spliced
    via_dataset = dk.from_dataset(dk.to_dataset(decoded.message), data_set=message.data_set_payload)
    assert encode_command(via_dataset.message) == spliced
    assert pydicom_bytes(decoded.message) == spliced


@settings(max_examples=EXAMPLES * 30)
@given(messages(), mutations(), st.booleans())
def test_mutated_command_sets_give_a_message_or_our_error(
    message: dk.Message, how: tuple[str, int, int], strict: bool
) -> None:
    buffer = mutate(encode_command(message), how)
    try:
        decoded = decode_command(buffer, data_set=message.data_set_payload, strict=strict)
    except DecodeError as error:
        reason = error.reason
    else:
        assert isinstance(decoded.message, dk.Message)
        assert decoded.clean or not strict
        reason = "decoded"
    assert reason


def _element_lists() -> st.SearchStrategy[bytes]:
    """Command sets put together from random elements after those of a valid message (or
    a bare Command Field): tags of the command dictionary and others, now and then one of
    another group, values of all kinds, lengths mostly those of the value; in tag order
    or not."""
    dictionary = st.sampled_from([spec.tag for spec in dk.COMMAND_ELEMENTS])
    tags = st.one_of(
        dictionary, dictionary, dictionary, st.integers(0, 0xFFFF), st.integers(0, 0xFFFF_FFFF)
    )
    values = st.one_of(
        st.binary(max_size=70),
        st.sampled_from(
            [b"", b"\0\0", b"\x01\x01", b"\x00\xff", b"1.2.3\0", b" 1.2 ", b"ST\0\0", b"  "]
        ),
        st.sampled_from([struct.pack("<H", code) for code in dk.CommandField]),
    )
    items = st.lists(st.tuples(tags, values, st.integers(0, 20)), max_size=12)
    starts = st.one_of(
        messages().map(lambda message: _elements_of(encode_command(message))),
        st.sampled_from(list(dk.CommandField)).map(
            lambda code: [(0x0100, struct.pack("<H", code), 20)]
        ),
    )

    def build(
        case: tuple[list[tuple[int, bytes, int]], list[tuple[int, bytes, int]], bool],
    ) -> bytes:
        start, added, in_order = case
        elements = start + added
        if in_order:
            elements.sort(key=lambda item: item[0])
        return b"".join(
            struct.pack("<HHI", tag >> 16, tag & 0xFFFF, _length(len(value), how)) + value
            for tag, value, how in elements
        )

    return st.tuples(starts, items, st.booleans()).map(build)


def _elements_of(encoded: bytes) -> list[tuple[int, bytes, int]]:
    """(tag, value, 20: its own length) of each element after the Command Group Length."""
    found = []
    offset = 12
    while offset < len(encoded):
        group, element, length = struct.unpack_from("<HHI", encoded, offset)
        found.append((group << 16 | element, encoded[offset + 8 : offset + 8 + length], 20))
        offset += 8 + length
    return found


def _length(actual: int, how: int) -> int:
    """The length an element states: mostly its value's, sometimes one more or less, or
    far more."""
    return {0: actual + 1, 1: 0xFFFF_FFFF, 2: max(actual - 1, 0)}.get(how, actual)


@settings(max_examples=EXAMPLES * 40)
@given(st.one_of(st.binary(max_size=2000), _element_lists()), st.booleans(), st.booleans())
def test_arbitrary_input_gives_a_message_or_our_error(
    buffer: bytes, with_group_length: bool, strict: bool
) -> None:
    if with_group_length:
        buffer = struct.pack("<HHII", 0, 0, 4, len(buffer)) + buffer
    try:
        decoded = decode_command(buffer, strict=strict)
    except DecodeError:
        return
    assert isinstance(decoded.message, dk.Message)
    assert decoded.clean or not strict
    assert decode_command(encode_command(decoded.message)).message == decoded.message


@settings(max_examples=EXAMPLES * 10)
@given(invalid_constructions())
def test_invalid_constructions_are_refused(
    case: tuple[type[dk.Message], dict[str, object]],
) -> None:
    cls, values = case
    with pytest.raises(dk.InvalidMessageError) as caught:
        cls(**values)
    assert caught.value.message_class == cls.__name__
    assert caught.value.reference
