"""The command set byte codec: exact encoding, lenient decoding, clear errors."""

from __future__ import annotations

import itertools
import linecache
import pickle
import struct
import tracemalloc
from collections.abc import Callable, Iterable
from unittest import mock

import attrs
import pytest
from pynetdicom import dimse_messages, dimse_primitives
from pynetdicom.dsutils import encode as pynetdicom_encode

import dimsekit as dk
from dimsekit import DecodeError, Severity, decode_command, encode_command
from dimsekit._codec import decode as codec_decode
from dimsekit._codec.decode import MAX_COMMAND_LENGTH, peek_data_set_type
from dimsekit._codec.fast_decode import decode_canonical
from dimsekit._codec.layout import layout_of
from dimsekit._diagnostics import MAX_LISTED
from dimsekit._model.fields import BY_TAG

from .helpers import command, element, us

STORAGE_CT = "1.2.840.10008.5.1.4.1.1.2"
STUDY_MOVE = "1.2.840.10008.5.1.4.1.2.2.2"

# PS3.7 Table 9.3-12 encoded as PS3.7 6.3.1 says: C-ECHO-RQ, Message ID 1, worked out by hand.
ECHO_RQ_BYTES = bytes.fromhex(
    "0000 0000 04000000 38000000"
    "0000 0200 12000000 312e322e3834302e31303030382e312e3100"
    "0000 0001 02000000 3000"
    "0000 1001 02000000 0100"
    "0000 0008 02000000 0101"
)


def store_rq(**overrides: object) -> dk.CStoreRequest:
    values: dict[str, object] = {
        "message_id": 7,
        "affected_sop_class_uid": STORAGE_CT,
        "affected_sop_instance_uid": "1.2.3.4.5",
        "data_set": b"\x08\x00\x18\x00\x00\x00\x00\x00",
    }
    values.update(overrides)
    return dk.CStoreRequest(**values)  # type: ignore[arg-type]


# --- encoding ----------------------------------------------------------------------------


def test_c_echo_rq_matches_the_worked_example() -> None:
    assert encode_command(dk.CEchoRequest(message_id=1)) == ECHO_RQ_BYTES


def test_group_length_counts_every_byte_after_it() -> None:
    encoded = encode_command(store_rq())
    (length,) = struct.unpack_from("<I", encoded, 8)
    assert encoded[:8] == b"\x00\x00\x00\x00\x04\x00\x00\x00"
    assert len(encoded) == 12 + length


def test_elements_are_in_ascending_tag_order_once_each() -> None:
    decoded = decode_command(
        encode_command(
            store_rq(
                move_originator_application_entity_title="MOVESCU", move_originator_message_id=3
            )
        ),
        data_set=b"x",
    )
    assert decoded.diagnostics == ()
    encoded = encode_command(decoded.message)
    tags = []
    offset = 0
    while offset < len(encoded):
        group, elem, length = struct.unpack_from("<HHI", encoded, offset)
        tags.append((group << 16) | elem)
        offset += 8 + length
    assert tags == sorted(set(tags))
    assert tags == [0x0000, 0x0002, 0x0100, 0x0110, 0x0700, 0x0800, 0x1000, 0x1030, 0x1031]


@pytest.mark.parametrize(
    ("message", "tag", "value"),
    [
        # UI: odd length padded with one NUL
        (store_rq(affected_sop_instance_uid="1.2.3"), 0x1000, b"1.2.3\x00"),
        # UI: even length not padded
        (store_rq(affected_sop_instance_uid="1.2.34"), 0x1000, b"1.2.34"),
        # AE: padded with a space
        (
            dk.CMoveRequest(
                message_id=1,
                affected_sop_class_uid=STUDY_MOVE,
                move_destination="ABC",
                identifier=b"",
            ),
            0x0600,
            b"ABC ",
        ),
        # LO: padded with a space
        (
            dk.CStoreResponse(message_id_being_responded_to=1, status=0xA700, error_comment="full"),
            0x0902,
            b"full",
        ),
        (
            dk.CStoreResponse(message_id_being_responded_to=1, status=0xA700, error_comment="disk"),
            0x0902,
            b"disk",
        ),
        (
            dk.CStoreResponse(message_id_being_responded_to=1, status=0xA700, error_comment="odd"),
            0x0902,
            b"odd ",
        ),
        # AT: group then element, each little endian
        (
            dk.CStoreResponse(
                message_id_being_responded_to=1,
                status=0xC000,
                offending_element=[0x00100020, "PatientName"],
            ),
            0x0901,
            b"\x10\x00\x20\x00\x10\x00\x10\x00",
        ),
        # US little endian
        (store_rq(message_id=0x1234), 0x0110, b"\x34\x12"),
        (store_rq(priority=dk.Priority.LOW), 0x0700, b"\x02\x00"),
    ],
)
def test_values_are_padded_and_ordered_per_vr(message: dk.Message, tag: int, value: bytes) -> None:
    assert element(tag, value) in encode_command(message)


@pytest.mark.parametrize("data_set_type", [0x0000, 0x0001, 0x0102, 0x0202, 0xFEFE])
def test_data_set_type_is_a_per_call_option(data_set_type: int) -> None:
    encoded = encode_command(store_rq(), data_set_type=data_set_type)
    assert element(0x0800, us(data_set_type)) in encoded
    assert element(0x0800, us(0x0001)) in encode_command(store_rq())


def test_data_set_type_is_0101_without_a_data_set_whatever_the_option() -> None:
    echo = dk.CEchoRequest(message_id=1)
    assert element(0x0800, us(0x0101)) in encode_command(echo, data_set_type=0x0001)


@pytest.mark.parametrize("bad", [0x0101, -1, 0x10000])
def test_a_data_set_type_that_cannot_announce_a_data_set_is_refused(bad: int) -> None:
    with pytest.raises(dk.DimseError, match="cannot announce"):
        encode_command(store_rq(), data_set_type=bad)


def test_encoding_something_that_is_no_message_is_refused() -> None:
    with pytest.raises(dk.DimseError, match="not a DIMSE message class"):
        encode_command(object())  # type: ignore[arg-type]


# --- decoding: clean input ---------------------------------------------------------------


def test_decodes_the_worked_example() -> None:
    decoded = decode_command(ECHO_RQ_BYTES)
    assert decoded.message == dk.CEchoRequest(message_id=1)
    assert decoded.clean
    assert decoded.message.wire == dk.WireDetails(command_data_set_type=0x0101)


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_accepts_bytes_bytearray_and_memoryview(kind: type) -> None:
    assert decode_command(kind(ECHO_RQ_BYTES)).message == dk.CEchoRequest(message_id=1)


def test_the_data_set_goes_into_the_class_data_set_field() -> None:
    message = store_rq()
    decoded = decode_command(encode_command(message), data_set=b"\x08\x00\x18\x00\x00\x00\x00\x00")
    assert decoded.message == message
    assert decoded.clean


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_a_data_set_given_as_bytes_is_taken_by_the_compiled_decoder(kind: type) -> None:
    message = store_rq()
    data = b"\x08\x00\x18\x00\x00\x00\x00\x00"
    with mock.patch.object(codec_decode, "walk_elements", side_effect=AssertionError("general")):
        decoded = decode_command(encode_command(message), data_set=kind(data))
    assert decoded.message == message and decoded.clean
    assert decoded.message.data_set == dk.DataSetPayload(data)


def test_a_data_set_of_a_type_no_payload_takes_is_refused_by_the_general_decoder() -> None:
    wrong: object = "not bytes"
    decoded = decode_command(encode_command(store_rq()), data_set=wrong)  # type: ignore[arg-type]
    assert [d.severity for d in decoded.diagnostics] == [Severity.ERROR]
    assert "a data set is bytes" in decoded.diagnostics[0].what


@pytest.mark.parametrize(
    ("cls", "placements"),
    [
        (dk.CEchoRequest, [(None, "NOT_CARRIED"), (None, "NOT_CARRIED"),
                           (None, None), (None, None)]),
        (dk.CStoreRequest, [("data_set", None), ("data_set", None),
                            ("data_set", "REQUIRED"), ("data_set", "REQUIRED")]),
        (dk.CFindResponse, [("identifier", None), ("identifier", None),
                            (None, "NOT_ANNOUNCED"), (None, None)]),
    ],
)  # fmt: skip
def test_the_layout_says_where_the_data_set_goes(
    cls: type[dk.Message], placements: list[tuple[str | None, str | None]]
) -> None:
    layout = layout_of(cls)
    cases = [(True, True), (True, False), (False, True), (False, False)]  # announced, given
    found = [layout.place_data_set(announced, given) for announced, given in cases]
    assert [(p.field, p.deviation and p.deviation.name) for p in found] == placements


def test_an_announced_data_set_not_supplied_is_stood_in_for_by_an_empty_payload() -> None:
    decoded = decode_command(encode_command(store_rq()))
    assert isinstance(decoded.message, dk.CStoreRequest)
    assert decoded.message.data_set == dk.DataSetPayload(b"")


@pytest.mark.parametrize("data_set_type", [0x0000, 0x0102, 0x0202])
def test_any_data_set_type_but_0101_announces_a_data_set_and_is_reproduced(
    data_set_type: int,
) -> None:
    encoded = encode_command(store_rq(), data_set_type=data_set_type)
    decoded = decode_command(encoded, data_set=b"\x08\x00\x18\x00\x00\x00\x00\x00")
    assert decoded.clean
    assert decoded.message.wire is not None
    assert decoded.message.wire.command_data_set_type == data_set_type
    assert encode_command(decoded.message) == encoded


def test_whether_a_data_set_follows_is_the_layouts_one_expression() -> None:
    """announces_data_set is ANNOUNCES_DATA_SET compiled: one value of the US, 0101H, says
    no data set follows (PS3.7 9.3, 10.3), and data_set_type gives each answer's value."""
    from dimsekit._codec.layout import ANNOUNCES_DATA_SET, announces_data_set, data_set_type

    source = "".join(linecache.getlines(announces_data_set.__code__.co_filename))
    assert ANNOUNCES_DATA_SET.format(v="data_set_type") in source
    assert [value for value in range(0x10000) if not announces_data_set(value)] == [0x0101]
    assert [announces_data_set(data_set_type(answer)) for answer in (True, False)] == [True, False]


# --- decoding: lenient where real peers deviate --------------------------------------------


def echo_elements(uid: bytes = b"1.2.840.10008.1.1\x00") -> list[bytes]:
    return [
        element(0x0002, uid),
        element(0x0100, us(0x0030)),
        element(0x0110, us(1)),
        element(0x0800, us(0x0101)),
    ]


def lenient(buffer: bytes) -> dk.DecodedCommand:
    decoded = decode_command(buffer)
    with pytest.raises(DecodeError):
        decode_command(buffer, strict=True)
    return decoded


def test_missing_group_length_is_an_error_naming_what_is_taken_instead() -> None:
    buffer = command(*echo_elements(), group_length=False)
    decoded = lenient(buffer)
    assert decoded.message == dk.CEchoRequest(message_id=1)
    (diagnostic,) = decoded.diagnostics
    assert (diagnostic.severity, diagnostic.tag, diagnostic.offset) == (Severity.ERROR, 0, None)
    assert diagnostic.what == (
        f"no CommandGroupLength; the length of the elements that follow ({len(buffer)} "
        "bytes) assumed"
    )
    assert diagnostic.rule == "PS3.7 9.3.5.1: M"
    assert str(diagnostic).count("(0000,0000)") == 1


def test_wrong_group_length_is_reported_and_ignored() -> None:
    body = b"".join(echo_elements())
    buffer = element(0x0000, struct.pack("<I", len(body) + 10)) + body
    decoded = lenient(buffer)
    assert decoded.message == dk.CEchoRequest(message_id=1)
    assert "says 66" in decoded.diagnostics[0].what
    assert decoded.diagnostics[0].offset == 0


def test_space_padded_uid_is_accepted_and_reported() -> None:
    decoded = lenient(command(*echo_elements(b"1.2.840.10008.1.1 ")))
    assert decoded.message == dk.CEchoRequest(message_id=1)
    (diagnostic,) = decoded.diagnostics
    assert diagnostic.tag == 0x0002
    assert diagnostic.offset == 12
    assert "space" in diagnostic.what


def test_over_long_uid_is_kept_with_an_error_diagnostic() -> None:
    long_uid = "1.2." + "3" * 70
    decoded = lenient(command(*echo_elements(long_uid.encode())))
    assert isinstance(decoded.message, dk.CEchoRequest)
    assert decoded.message.affected_sop_class_uid == long_uid
    (diagnostic,) = decoded.diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert diagnostic.tag == 0x0002
    assert "1 to 64" in diagnostic.what


def test_vm_greater_than_one_keeps_the_first_value() -> None:
    elements = echo_elements()
    elements[2] = element(0x0110, us(5) + us(6))
    decoded = lenient(command(*elements))
    assert decoded.message == dk.CEchoRequest(message_id=5)
    assert "VM > 1" in decoded.diagnostics[0].what


def test_elements_out_of_order_are_accepted_and_reported() -> None:
    elements = echo_elements()
    elements[1], elements[2] = elements[2], elements[1]
    decoded = lenient(command(*elements))
    assert decoded.message == dk.CEchoRequest(message_id=1)
    assert "order" in decoded.diagnostics[0].what


def test_repeated_element_keeps_the_first() -> None:
    elements = [*echo_elements(), element(0x0110, us(9))]
    decoded = lenient(command(*elements))
    assert decoded.message == dk.CEchoRequest(message_id=1)
    assert any("repeated" in d.what for d in decoded.diagnostics)


def test_retired_and_unknown_elements_are_kept_and_written_back() -> None:
    elements = [
        *echo_elements()[:3],
        element(0x0200, b"OLDAE "),  # retired Initiator
        *echo_elements()[3:],
        element(0x0810, b"\x01\x00"),  # unknown
    ]
    buffer = command(*elements)
    decoded = lenient(buffer)
    assert decoded.message == dk.CEchoRequest(message_id=1)
    assert decoded.message.wire is not None
    assert decoded.message.wire.extra_elements == ((0x0200, b"OLDAE "), (0x0810, b"\x01\x00"))
    whats = [d.what for d in decoded.diagnostics]
    assert any("retired command element Initiator" in what for what in whats)
    assert any("unknown command element" in what for what in whats)
    assert encode_command(decoded.message) == buffer


def test_message_id_in_a_response_is_retired_usage_kept_as_received() -> None:
    buffer = command(
        element(0x0100, us(0x8030)),
        element(0x0110, us(4)),
        element(0x0120, us(4)),
        element(0x0800, us(0x0101)),
        element(0x0900, us(0)),
    )
    decoded = lenient(buffer)
    assert decoded.message == dk.CEchoResponse(message_id_being_responded_to=4, status=0)
    assert "retired usage" in decoded.diagnostics[0].rule
    assert encode_command(decoded.message) == buffer


def test_odd_value_length_is_reported() -> None:
    elements = echo_elements(b"1.2.840.10008.1.1")
    decoded = lenient(command(*elements))
    assert decoded.message == dk.CEchoRequest(message_id=1)
    assert "odd value length 17" in decoded.diagnostics[0].what


# What an absent Command Data Set Type is taken to be: the message, the data set given.
ABSENT_DATA_SET_TYPE = [
    (dk.CEchoRequest(message_id=1), None, "0x0101 (no data set)", "PS3.7 9.3.5.1: M"),
    (
        store_rq(),
        None,
        "0x0001 (a data set follows: a C-STORE-RQ carries its data_set)",
        "PS3.7 9.3.1.1: M",
    ),
    (
        dk.NSetResponse(message_id_being_responded_to=1, status=0),
        None,
        "0x0101 (no data set)",
        "PS3.7 10.3.3.2: M",
    ),
    (
        dk.NSetResponse(message_id_being_responded_to=1, status=0, attribute_list=b""),
        b"",
        "0x0001 (a data set follows: one was given)",
        "PS3.7 10.3.3.2: M",
    ),
]


@pytest.mark.parametrize(
    ("message", "data_set", "assumed", "rule"),
    ABSENT_DATA_SET_TYPE,
    ids=["echo", "store", "n-set-rsp", "n-set-rsp with a data set"],
)
def test_missing_data_set_type_is_an_error_naming_the_value_assumed(
    message: dk.Message, data_set: bytes | None, assumed: str, rule: str
) -> None:
    buffer = without(encode_command(message), 0x0800)
    payload = message.data_set_payload if data_set is None else dk.DataSetPayload(data_set)
    decoded = lenient_with(buffer, payload)
    assert decoded.message == message
    assert decoded.message.wire is not None
    assert decoded.message.wire.command_data_set_type == int(assumed[:6], 16)
    (diagnostic,) = decoded.diagnostics
    assert (diagnostic.severity, diagnostic.tag, diagnostic.offset) == (
        Severity.ERROR,
        0x0800,
        None,
    )
    assert (diagnostic.what, diagnostic.rule) == (f"no CommandDataSetType; {assumed} assumed", rule)
    assert str(diagnostic).count("(0000,0800)") == 1


def lenient_with(buffer: bytes, payload: dk.DataSetPayload | None) -> dk.DecodedCommand:
    decoded = decode_command(buffer, data_set=payload)
    with pytest.raises(DecodeError, match="assumed"):
        decode_command(buffer, data_set=payload, strict=True)
    return decoded


def test_data_set_announced_for_a_message_that_carries_none() -> None:
    elements = echo_elements()
    elements[3] = element(0x0800, us(0x0001))
    decoded = lenient(command(*elements))
    assert decoded.message == dk.CEchoRequest(message_id=1)
    assert decoded.diagnostics[0].severity is Severity.ERROR


def test_required_data_set_missing_is_an_error_diagnostic() -> None:
    encoded = encode_command(store_rq()).replace(
        element(0x0800, us(1)), element(0x0800, us(0x0101))
    )
    decoded = lenient(encoded)
    assert isinstance(decoded.message, dk.CStoreRequest)
    assert "must carry its data_set" in decoded.diagnostics[0].what


def test_missing_optional_u_eq_fields_are_fine() -> None:
    # DCMTK's print SCP leaves the affected SOP UIDs out of N-* responses.
    buffer = command(
        element(0x0100, us(0x8140)),
        element(0x0120, us(2)),
        element(0x0800, us(0x0101)),
        element(0x0900, us(0)),
    )
    decoded = decode_command(buffer)
    assert decoded.clean
    assert decoded.message == dk.NCreateResponse(message_id_being_responded_to=2, status=0)


def test_broken_condition_is_understood_and_reported() -> None:
    # A C-FIND-RSP Success that says a data set follows (an Identifier on Success).
    buffer = command(
        element(0x0002, b"1.2.840.10008.5.1.4.1.2.2.1\x00"),
        element(0x0100, us(0x8020)),
        element(0x0120, us(3)),
        element(0x0800, us(0x0001)),
        element(0x0900, us(0)),
    )
    decoded = lenient(buffer)
    assert isinstance(decoded.message, dk.CFindResponse)
    assert decoded.message.identifier == dk.DataSetPayload(b"")
    (diagnostic,) = decoded.diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert diagnostic.tag == 0x0120 or diagnostic.tag == 0x0900
    assert "exactly when its status is Pending" in diagnostic.what


# --- decoding: what cannot be understood ---------------------------------------------------


@pytest.mark.parametrize(
    ("buffer", "offset", "reason"),
    [
        (ECHO_RQ_BYTES[:5], 0, "truncated element header"),
        (ECHO_RQ_BYTES[:-1], 58, "runs past the end"),
        (ECHO_RQ_BYTES + b"\x00\x00", 68, "truncated element header"),
        (element(0x0000, b"\x00\x00\x00") + b"\xff\xff\xff\xff" + b"\x00\x00", None, None),
        (ECHO_RQ_BYTES + element(0x0008_0016, b"1.2\x00"), 68, "outside group 0000"),
        (
            ECHO_RQ_BYTES + struct.pack("<HHI", 0, 0x0902, 0xFFFFFFFE),
            68,
            "runs past the end",
        ),
        (ECHO_RQ_BYTES + struct.pack("<HHI", 0, 0x0902, 0xFFFFFFFF), 68, "runs past the end"),
    ],
)
def test_undecodable_input_raises_decode_error_with_offset(
    buffer: bytes, offset: int | None, reason: str | None
) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_command(buffer)
    if offset is not None:
        assert caught.value.offset == offset
    if reason is not None:
        assert reason in caught.value.reason
    assert caught.value.suggested_status == 0xC000


def test_no_command_field() -> None:
    with pytest.raises(DecodeError, match="no Command Field") as caught:
        decode_command(command(element(0x0110, us(1))))
    assert caught.value.tag == 0x0100


@pytest.mark.parametrize("code", [0x0000, 0x0002, 0x8FFF, 0xFFFF, 0x0031])
def test_unknown_command_field_suggests_unrecognized_operation(code: int) -> None:
    with pytest.raises(DecodeError, match="is no DIMSE message") as caught:
        decode_command(command(element(0x0100, us(code)), element(0x0110, us(1))))
    assert caught.value.suggested_status == 0x0211
    assert caught.value.tag == 0x0100
    assert caught.value.offset == 12


def test_missing_mandatory_field() -> None:
    elements = echo_elements()
    del elements[2]  # Message ID
    with pytest.raises(DecodeError, match="must have MessageID") as caught:
        decode_command(command(*elements))
    assert caught.value.tag == 0x0110


@pytest.mark.parametrize("status", [0x0002, 0xD000, 0xFF02])
def test_status_of_no_class_is_refused_in_either_mode(status: int) -> None:
    buffer = command(
        element(0x0100, us(0x8030)),
        element(0x0120, us(4)),
        element(0x0800, us(0x0101)),
        element(0x0900, us(status)),
    )
    with pytest.raises(DecodeError, match="no status class") as caught:
        decode_command(buffer)
    assert caught.value.tag == 0x0900
    assert caught.value.offset == 42


def test_priority_out_of_range_is_refused() -> None:
    encoded = encode_command(store_rq()).replace(element(0x0700, us(0)), element(0x0700, us(3)))
    with pytest.raises(DecodeError, match="Priority 3"):
        decode_command(encoded)


@pytest.mark.parametrize(
    ("tag", "value", "reason"),
    [
        (0x0120, b"\x01", "1-byte value"),
        (0x0901, b"\x10\x00\x20", "AT values are 4 bytes"),
    ],
)
def test_malformed_values_are_refused(tag: int, value: bytes, reason: str) -> None:
    values = {0x0100: us(0x8001), 0x0120: us(1), 0x0800: us(0x0101), 0x0900: us(0xC000)}
    values[tag] = value
    with pytest.raises(DecodeError, match=reason) as caught:
        decode_command(command(*(element(t, v) for t, v in sorted(values.items()))))
    assert caught.value.tag == tag


def test_group_length_of_the_wrong_size_is_only_reported() -> None:
    buffer = element(0x0000, b"\x01\x00") + b"".join(echo_elements())
    decoded = decode_command(buffer)
    assert decoded.message == dk.CEchoRequest(message_id=1)
    assert decoded.diagnostics[0].tag == 0x0000


def test_decode_error_pickles() -> None:
    import pickle

    error = DecodeError("why", offset=3, tag=0x0100, suggested_status=0x0211)
    again = pickle.loads(pickle.dumps(error))
    assert (again.reason, again.offset, again.tag, again.suggested_status) == (
        "why",
        3,
        0x0100,
        0x0211,
    )
    assert str(again) == str(error)


# --- decoding: nothing is filled in without saying so (PS3.7 9.3, 10.3: M) ----------------


def replaced(buffer: bytes, tag: int, value: bytes | None) -> bytes:
    """``buffer`` with element ``tag``'s value replaced (left out for None), its Command
    Group Length made right again."""
    kept = []
    offset = 12
    while offset < len(buffer):
        group, elem, length = struct.unpack_from("<HHI", buffer, offset)
        if (group << 16) | elem != tag:
            kept.append(buffer[offset : offset + 8 + length])
        elif value is not None:
            kept.append(element(tag, value))
        offset += 8 + length
    return command(*kept)


def without(buffer: bytes, tag: int) -> bytes:
    return replaced(buffer, tag, None)


def general_only() -> mock._patch[mock.MagicMock]:
    """The general decoder alone: the compiled fast path switched off."""
    return mock.patch.object(codec_decode, "decode_canonical", return_value=None)


ID = b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY "
# The mandatory elements (PS3.7 M) the model has a default for, and what it assumes.
ASSUMED = [
    (store_rq(), 0x0700, "no Priority; MEDIUM (0) assumed", "PS3.7 9.3.1.1: M"),
    (
        dk.CFindRequest(message_id=2, affected_sop_class_uid=STUDY_MOVE, identifier=ID),
        0x0700,
        "no Priority; MEDIUM (0) assumed",
        "PS3.7 9.3.2.1: M",
    ),
    (
        dk.CGetRequest(message_id=2, affected_sop_class_uid=STUDY_MOVE, identifier=ID),
        0x0700,
        "no Priority; MEDIUM (0) assumed",
        "PS3.7 9.3.3.1: M",
    ),
    (
        dk.CMoveRequest(
            message_id=2, affected_sop_class_uid=STUDY_MOVE, move_destination="X", identifier=ID
        ),
        0x0700,
        "no Priority; MEDIUM (0) assumed",
        "PS3.7 9.3.4.1: M",
    ),
    (
        dk.CEchoRequest(message_id=2),
        0x0002,
        "no AffectedSOPClassUID; 1.2.840.10008.1.1 (Verification SOP Class) assumed",
        "PS3.7 9.3.5.1: M",
    ),
]


def test_the_assumed_elements_are_every_mandatory_one_with_a_default() -> None:
    found = {
        (cls, field.name)
        for cls in dk.MESSAGE_CLASSES.values()
        for field in attrs.fields(cls)
        if field.init and field.metadata.get("dimse.req") == "M"
        if field.default is not attrs.NOTHING
    }
    assert found == {(type(message), BY_TAG[tag].name) for message, tag, _, _ in ASSUMED}


@pytest.mark.parametrize(
    ("message", "tag", "what", "rule"), ASSUMED, ids=[type(case[0]).__name__ for case in ASSUMED]
)
def test_a_missing_mandatory_element_with_a_default_is_an_error_diagnostic(
    message: dk.Message, tag: int, what: str, rule: str
) -> None:
    buffer = without(encode_command(message), tag)
    payload = message.data_set_payload
    assert decode_canonical(buffer, payload) is None
    for fast_path in (True, False):
        decoded = decode_with(buffer, payload, fast_path=fast_path)
        assert decoded.message == message  # the default, said so
        (diagnostic,) = decoded.diagnostics
        assert (diagnostic.severity, diagnostic.tag) == (Severity.ERROR, tag)
        assert (diagnostic.what, diagnostic.rule) == (what, rule)
        assert str(diagnostic).count(BY_TAG[tag].tag_text) == 1  # the tag, said once
    with pytest.raises(DecodeError, match="assumed") as caught:
        decode_command(buffer, data_set=payload, strict=True)
    assert caught.value.tag == tag


def decode_with(
    buffer: bytes, payload: dk.DataSetPayload | None, *, fast_path: bool
) -> dk.DecodedCommand:
    if fast_path:
        return decode_command(buffer, data_set=payload)
    with general_only():
        return decode_command(buffer, data_set=payload)


# --- decoding: padding (PS3.5 6.2, 9.1) --------------------------------------------------

UID_PADDING = {
    "one NUL to an even length": (b"1.2.840.10008.1.1\0", None),
    "even, unpadded": (b"1.2.840.10008.1.10", None),
    "one space": (b"1.2.840.10008.1.1 ", "padded with a space, not NUL"),
    "two NULs": (
        b"1.2.840.10008.1.10\0\0",
        "padded with 2 trailing NULs; a UID is padded with one NUL, to an even length",
    ),
    "three NULs": (b"1.2.840.10008.1.1\0\0\0", "padded with 3 trailing NULs"),
    "leading spaces": (b"  1.2.840.10008.1.1\0", "padded with 2 leading spaces;"),
    "spaces after the NUL": (b"1.2.840.10008.1.10\0 ", "1 trailing space and 1 trailing NUL"),
    "leading and trailing": (b" 1.2.840.10008.1.10 ", "1 leading space and 1 trailing space"),
}


@pytest.mark.parametrize(("raw", "what"), UID_PADDING.values(), ids=UID_PADDING.keys())
def test_uid_padding_other_than_one_nul_is_removed_and_reported(
    raw: bytes, what: str | None
) -> None:
    buffer = command(*echo_elements(raw))
    decoded = decode_command(buffer)
    assert isinstance(decoded.message, dk.CEchoRequest)
    assert decoded.message.affected_sop_class_uid == raw.strip(b"\0 ").decode()
    if what is None:
        assert decoded.clean
        assert decode_canonical(buffer) is not None
        return
    (diagnostic,) = decoded.diagnostics
    assert (diagnostic.severity, diagnostic.tag, diagnostic.offset) == (Severity.WARNING, 2, 12)
    assert what in diagnostic.what
    assert diagnostic.rule == "PS3.5 6.2, 9.1"
    assert decode_canonical(buffer) is None
    with pytest.raises(DecodeError, match="padded"):
        decode_command(buffer, strict=True)


def test_a_nul_that_makes_a_uid_odd_is_reported_as_the_odd_length() -> None:
    decoded = lenient(command(*echo_elements(b"1.2.840.10008.1.10\0")))
    assert isinstance(decoded.message, dk.CEchoRequest)
    assert decoded.message.affected_sop_class_uid == "1.2.840.10008.1.10"
    assert [d.what for d in decoded.diagnostics] == ["odd value length 19"]


def test_a_uid_of_padding_only_is_absent() -> None:
    decoded = lenient(command(*echo_elements(b"\0\0")))
    assert [d.what for d in decoded.diagnostics] == [
        "UID '\\x00\\x00' is padding only; taken as absent",
        ASSUMED[-1][2],
    ]


def move_rq_with(destination: bytes) -> bytes:
    message = dk.CMoveRequest(
        message_id=1, affected_sop_class_uid=STUDY_MOVE, move_destination="X", identifier=ID
    )
    return replaced(encode_command(message), 0x0600, destination)


AE_PADDING = {
    "spaces to an even length": (b"STORESCP", "STORESCP", None),
    "leading and trailing spaces": (b"  STORE ", "STORE", None),
    "16 bytes with spaces": (b" " * 6 + b"STORESCP  ", "STORESCP", None),
    "NUL padding": (b"STORE\0", "STORE", "AE title 'STORE\\x00' padded with NUL, not a space"),
    "NULs after spaces": (b"AB  \0\0", "AB", "padded with NUL, not a space"),
    "18 bytes with spaces": (b"  STORESCP        ", "STORESCP", "AE value of 18 bytes"),
}


@pytest.mark.parametrize(("raw", "title", "what"), AE_PADDING.values(), ids=AE_PADDING.keys())
def test_ae_titles_are_reported_only_for_nul_padding_or_over_16_bytes(
    raw: bytes, title: str, what: str | None
) -> None:
    buffer = move_rq_with(raw)
    decoded = decode_command(buffer)
    assert isinstance(decoded.message, dk.CMoveRequest)
    assert decoded.message.move_destination == title
    if what is None:
        assert decoded.clean
        assert decode_canonical(buffer) is not None
        return
    (diagnostic,) = decoded.diagnostics
    assert (diagnostic.severity, diagnostic.tag) == (Severity.WARNING, 0x0600)
    assert what in diagnostic.what
    assert diagnostic.rule == "PS3.5 6.2"
    assert decode_canonical(buffer) is None
    with pytest.raises(DecodeError):
        decode_command(buffer, strict=True)


def test_an_ae_title_over_16_characters_is_still_the_validators() -> None:
    decoded = lenient(move_rq_with(b"A" * 18))
    (diagnostic,) = decoded.diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert "at most 16 significant characters" in diagnostic.what


# --- decoding: a rule real peers break, their meaning clear, is a warning when read -------


def pynetdicom_final_c_get_success() -> bytes:
    """pynetdicom 3.0.4's C-GET SCP ends with a Success that still carries the Number of
    Remaining Sub-operations of its last Pending response (0): encoded by pynetdicom."""
    primitive = dimse_primitives.C_GET()
    primitive.MessageIDBeingRespondedTo = 5
    primitive.AffectedSOPClassUID = "1.2.840.10008.5.1.4.1.2.2.3"
    primitive.Status = 0x0000
    primitive.NumberOfRemainingSuboperations = 0
    primitive.NumberOfCompletedSuboperations = 2
    primitive.NumberOfFailedSuboperations = 0
    primitive.NumberOfWarningSuboperations = 0
    message = dimse_messages.C_GET_RSP()
    message.primitive_to_message(primitive)
    encoded = pynetdicom_encode(message.command_set, True, True)
    assert isinstance(encoded, bytes)
    return encoded


def test_pynetdicoms_final_c_get_success_with_remaining_is_a_warning() -> None:
    buffer = pynetdicom_final_c_get_success()
    decoded = decode_command(buffer)
    assert isinstance(decoded.message, dk.CGetResponse)
    assert decoded.message.number_of_remaining_suboperations == 0
    assert decoded.message.number_of_completed_suboperations == 2
    (diagnostic,) = decoded.diagnostics
    assert diagnostic.severity is Severity.WARNING
    assert diagnostic.tag == 0x1020
    assert "absent with any other final status" in diagnostic.what
    assert diagnostic.rule == "PS3.7 9.1.3.1, 9.1.4.1; PS3.4 C.4.2.1.6, C.4.3.1"
    assert encode_command(decoded.message) == buffer
    with pytest.raises(DecodeError, match="absent with any other final status"):
        decode_command(buffer, strict=True)
    with pytest.raises(dk.InvalidMessageError, match="absent with any other final status"):
        dk.CGetResponse(
            message_id_being_responded_to=5,
            status=0,
            number_of_remaining_suboperations=0,
            number_of_completed_suboperations=2,
        )


def test_a_pending_c_get_without_remaining_is_still_an_error() -> None:
    buffer = replaced(pynetdicom_final_c_get_success(), 0x0900, us(0xFF00))
    decoded = lenient(without(buffer, 0x1020))
    assert isinstance(decoded.message, dk.CGetResponse)
    assert decoded.message.status.is_pending
    (diagnostic,) = decoded.diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert diagnostic.what.startswith("number_of_remaining_suboperations is required with")


def test_a_status_related_field_with_another_status_is_a_warning() -> None:
    # pynetdicom copies whatever its handler's status Dataset holds into the response.
    buffer = command(
        element(0x0100, us(0x8001)),
        element(0x0120, us(1)),
        element(0x0800, us(0x0101)),
        element(0x0900, us(0x0000)),
        element(0x0902, b"all good"),
    )
    decoded = lenient(buffer)
    assert isinstance(decoded.message, dk.CStoreResponse)
    assert decoded.message.error_comment == "all good"
    (diagnostic,) = decoded.diagnostics
    assert diagnostic.severity is Severity.WARNING
    assert "error_comment is a status-related field" in diagnostic.what


def test_a_failed_n_create_naming_the_instance_is_a_warning() -> None:
    # pynetdicom's N-CREATE SCP copies the request's Affected SOP Instance UID into every
    # response, failures too.
    buffer = command(
        element(0x0002, b"1.2.840.10008.5.1.1.1\0"),
        element(0x0100, us(0x8140)),
        element(0x0120, us(1)),
        element(0x0800, us(0x0101)),
        element(0x0900, us(0x0213)),
        element(0x1000, b"1.2.3\0"),
    )
    decoded = lenient(buffer)
    assert isinstance(decoded.message, dk.NCreateResponse)
    assert decoded.message.affected_sop_instance_uid == "1.2.3"
    assert [d.severity for d in decoded.diagnostics] == [Severity.WARNING]


# --- decoding: what is no command set at all -----------------------------------------------


@pytest.mark.parametrize("buffer", ["text", 42, None, [0, 1]], ids=repr)
def test_a_buffer_that_holds_no_bytes_is_a_type_error_naming_it(buffer: object) -> None:
    with pytest.raises(TypeError, match=r"^buffer must be bytes, bytearray or memoryview"):
        decode_command(buffer)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^buffer must be"):
        peek_data_set_type(buffer)  # type: ignore[arg-type]


def test_a_non_contiguous_buffer_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="contiguous"):
        decode_command(memoryview(ECHO_RQ_BYTES * 2)[::2])


@pytest.mark.parametrize("empty", [b"", bytearray(), memoryview(b"")], ids=repr)
@pytest.mark.parametrize("strict", [False, True])
def test_empty_input_is_said_to_be_empty(empty: bytes, strict: bool) -> None:
    with pytest.raises(DecodeError, match=r"^offset 0: empty input"):
        decode_command(empty, strict=strict)


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_a_command_set_over_the_limit_is_refused_before_it_is_parsed(kind: type) -> None:
    # What follows would be refused as soon as parsed (group 0008): it is never looked at.
    buffer = kind(element(0x0008_0016, b"\0" * (MAX_COMMAND_LENGTH - 7)))
    assert len(buffer) == MAX_COMMAND_LENGTH + 1
    with pytest.raises(DecodeError, match=f"longer than {MAX_COMMAND_LENGTH}") as caught:
        decode_command(buffer)
    assert caught.value.offset == 0
    with pytest.raises(DecodeError, match="outside group 0000"):
        decode_command(buffer[:MAX_COMMAND_LENGTH])


# --- decoding: memory stays within a few times the input ----------------------------------

UNKNOWN = [number for number in range(0x0801, 0x10000) if number not in BY_TAG]


def filled(elements: Iterable[bytes]) -> bytes:
    """A C-ECHO-RQ followed by ``elements``, as many as fit in MAX_COMMAND_LENGTH."""
    parts = echo_elements()
    room = MAX_COMMAND_LENGTH - 12 - sum(map(len, parts))
    for part in elements:
        room -= len(part)
        if room < 0:
            break
        parts.append(part)
    return command(*parts)


HOSTILE = {
    # what makes it, and the rule whose diagnostics the log bounds (then counts)
    "zero-length unknown elements": (
        lambda: filled(element(number, b"") for _ in range(3) for number in UNKNOWN),
        "PS3.7 E.1",
    ),
    "one element repeated": (
        lambda: filled(itertools.repeat(element(0xF000, b""))),
        "PS3.7 6.3.1: each tag at most once",
    ),
    "a known element repeated": (
        lambda: filled(itertools.repeat(element(0x0110, us(2)))),
        "PS3.7 6.3.1: each tag at most once",
    ),
    "unknown elements out of order": (
        lambda: filled(element(number, b"12345678") for number in reversed(UNKNOWN)),
        "PS3.7 6.3.1: elements in ascending tag order",
    ),
}


@pytest.mark.parametrize("kind", [bytes, bytearray])
@pytest.mark.parametrize(("make", "rule"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_command_set_costs_a_few_times_its_size(
    make: Callable[[], bytes], rule: str, kind: type
) -> None:
    buffer = kind(make())
    assert 0.95 * MAX_COMMAND_LENGTH < len(buffer) <= MAX_COMMAND_LENGTH
    tracemalloc.start()
    try:
        decoded = decode_command(buffer)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * len(buffer)
    assert decoded.message == dk.CEchoRequest(message_id=1)
    assert len(decoded.diagnostics) <= 3 * MAX_LISTED + 3  # bounded by DiagnosticLog
    under_rule = [d for d in decoded.diagnostics if d.rule == rule]
    counted = sum(1 + d.repeats for d in under_rule if "not listed" not in d.what)
    counted += sum(int(d.what.split()[0]) for d in under_rule if "not listed" in d.what)
    assert counted > 50_000  # each one counted, few of them kept
    with pytest.raises(DecodeError):
        decode_command(buffer, strict=True)


PRINTER = b"1.2.840.10008.5.1.1.16"  # Printer SOP Class: an even length, no padding
PRINTER_INSTANCE = b"1.2.840.10008.5.1.1.17"


def n_get_rq(attributes: bytes, *extra: bytes) -> bytes:
    """An N-GET-RQ (PS3.7 10.3.2.1) whose Attribute Identifier List holds ``attributes``."""
    return command(
        element(0x0003, PRINTER), element(0x0100, us(0x0110)), element(0x0110, us(1)),
        element(0x0800, us(0x0101)), element(0x1001, PRINTER_INSTANCE),
        element(0x1005, attributes), *extra,
    )  # fmt: skip


def store_success_naming(offending: bytes) -> bytes:
    """A C-STORE-RSP Success with an Offending Element, which no Success carries (PS3.7
    Annex C): understood and reported."""
    return command(
        element(0x0002, STORAGE_CT.encode() + b"\0"), element(0x0100, us(0x8001)),
        element(0x0120, us(1)), element(0x0800, us(0x0101)), element(0x0900, us(0x0000)),
        element(0x0901, offending),
    )  # fmt: skip


def as_many_tags_as_fit(make: Callable[[bytes], bytes]) -> bytes:
    """An AT value of as many distinct tags as ``make(value)`` holds within
    MAX_COMMAND_LENGTH, as a command set holds them (PS3.5 7.1.2: group, element, little
    endian)."""
    count = (MAX_COMMAND_LENGTH - len(make(b""))) // 4
    return b"".join(struct.pack("<HH", 0x0010 + (n >> 16), n & 0xFFFF) for n in range(count))


def decode_fast(buffer: bytes) -> dk.DecodedCommand:
    message = decode_canonical(buffer)
    assert message is not None  # canonical and valid: the compiled path takes it
    return dk.DecodedCommand(message)


LONG_AT_LISTS = {
    # how the command set is made, whose AT field holds the list, how it is decoded, and
    # whether anything is reported
    "N-GET-RQ, the fast path": (n_get_rq, "attribute_identifier_list", decode_fast, False),
    "N-GET-RQ, the general path": (n_get_rq, "attribute_identifier_list", decode_command, False),
    "N-GET-RQ as a bytearray": (
        n_get_rq,
        "attribute_identifier_list",
        lambda buffer: decode_command(bytearray(buffer)),
        False,
    ),
    "N-GET-RQ with an unknown element": (
        lambda value: n_get_rq(value, element(0x7777, b"")),
        "attribute_identifier_list",
        decode_command,
        True,
    ),
    "C-STORE-RSP Success with an Offending Element": (
        store_success_naming,
        "offending_element",
        decode_command,
        True,
    ),
}


@pytest.mark.parametrize(
    ("make", "field", "decode", "reported"), LONG_AT_LISTS.values(), ids=LONG_AT_LISTS.keys()
)
def test_a_long_at_list_costs_a_few_times_its_size(
    make: Callable[[bytes], bytes],
    field: str,
    decode: Callable[[bytes], dk.DecodedCommand],
    reported: bool,
) -> None:
    # A quarter of a million tags in a command set of 1 MiB: held as the value bytes,
    # not as a BaseTag each (52 bytes where the wire has 4).
    value = as_many_tags_as_fit(make)
    buffer = make(value)
    assert MAX_COMMAND_LENGTH - 4 < len(buffer) <= MAX_COMMAND_LENGTH
    assert len(buffer) > codec_decode._CANONICAL_MAX  # decode_command: the general path
    tracemalloc.start()
    try:
        decoded = decode(buffer)
        decode_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        encoded = encode_command(decoded.message)
        encode_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert decode_peak < 4 * len(buffer)
    assert encode_peak < 4 * len(buffer)
    tags = getattr(decoded.message, field)
    assert type(tags) is dk.AttributeTags
    assert tags.to_bytes() == value
    assert len(tags) == len(value) // 4
    assert tags[0] == 0x00100000 and tags[-1] == 0x00100000 + len(tags) - 1
    assert encoded == buffer
    assert bool(decoded.diagnostics) is reported
    assert all(len(str(d)) < 500 for d in decoded.diagnostics)  # values shown bounded


def test_kept_elements_do_not_keep_the_whole_command_set_in_a_pickle() -> None:
    big = element(0x0901, b"\x10\x00\x10\x00" * 10_000)  # Offending Element
    buffer = command(
        element(0x0100, us(0x8001)), element(0x0120, us(1)), element(0x0800, us(0x0101)),
        element(0x0900, us(0xC000)), big, element(0x7777, b"ab"),
    )  # fmt: skip
    wire = decode_command(buffer).message.wire
    assert wire is not None and wire.extra_elements == ((0x7777, b"ab"),)
    assert len(pickle.dumps(wire)) < 1000
    assert pickle.loads(pickle.dumps(wire)) == wire


def test_unknown_elements_are_kept_by_tag_and_written_back() -> None:
    ascending = filled(element(number, bytes([number & 0xFF, 0])) for number in UNKNOWN)
    decoded = decode_command(ascending)
    assert decoded.message.wire is not None
    extras = decoded.message.wire.extra_elements
    assert [tag for tag, _ in extras] == UNKNOWN[: len(extras)]
    assert all(raw == bytes([tag & 0xFF, 0]) for tag, raw in extras)
    assert any("not listed" in d.what for d in decoded.diagnostics)
    assert encode_command(decoded.message) == ascending
    shuffled = filled(element(number, b"xy") for number in reversed(UNKNOWN[:1000]))
    decoded = decode_command(shuffled)
    again = decode_command(encode_command(decoded.message))
    wire = again.message.wire
    assert wire is not None and wire == decoded.message.wire
    assert [tag for tag, _ in wire.extra_elements] == UNKNOWN[:1000]


def test_with_data_set_puts_the_data_set_in_place_of_the_stand_in_without_a_copy() -> None:
    decoded = decode_command(encode_command(store_rq())).message
    assert codec_decode.data_set_follows(decoded)
    data = memoryview(b"\x08\x00\x18\x00\x00\x00\x00\x00")
    payload = dk.DataSetPayload(data)
    completed = codec_decode.with_data_set(decoded, payload)
    assert completed is decoded and completed == store_rq()
    assert isinstance(completed, dk.CStoreRequest) and completed.data_set is payload
    assert completed.data_set.encoded is data  # held, not copied
    with pytest.raises(ValueError, match=r"CStoreRequest\.data_set holds a data set already"):
        codec_decode.with_data_set(completed, payload)


def test_with_data_set_leaves_a_message_that_carries_none_as_it_is() -> None:
    announced = encode_command(dk.CEchoRequest(message_id=1)).replace(
        element(0x0800, us(0x0101)), element(0x0800, us(0x0001))
    )
    decoded = decode_command(announced).message
    assert codec_decode.data_set_follows(decoded)
    assert codec_decode.with_data_set(decoded, dk.DataSetPayload(b"\0\0")) is decoded
    assert decoded == dk.CEchoRequest(message_id=1)
    assert not codec_decode.data_set_follows(decode_command(ECHO_RQ_BYTES).message)
    # a message built, not decoded: whether it carries one
    assert codec_decode.data_set_follows(store_rq())
    assert not codec_decode.data_set_follows(dk.CEchoRequest(message_id=1))
