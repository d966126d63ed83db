"""``fragment_message`` (``_framing.pdata_send``): its fast path gives what the general
code gives.

``fragment_message`` cuts the common case (the command in one fragment, no data set or one
in memory) itself: it is compared, PDU by PDU and buffer by buffer (type and bytes), and
error by error, with the general path (``_fragment_any``) it replaced, whose command set
comes from the general element loop of the encoder (PS3.8 9.3.5, E.2: the PDVs and their
message control headers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

import dimsekit as dk
from dimsekit import DimseError, fragment_message
from dimsekit._codec import encode
from dimsekit._codec.encode import _COMPILED, _encode_elements
from dimsekit._framing.pdata_send import _fragment_any
from dimsekit._framing.pdu import LAST_BIT, check_context_id, check_max_pdu_length
from dimsekit._model.payload import CHUNK_SIZE, DataSetPayload
from dimsekit.testing import messages

from .helpers import IntEnumOne, examples, store

# --- the general path ------------------------------------------------------------------------

Buffer = bytes | memoryview


def reference(
    message: dk.Message,
    context_id: int,
    max_pdu_length: int,
    *,
    transfer_syntax: str | None = None,
    data_set_type: int | None = None,
    pack_command_with_data: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[tuple[Buffer, ...]]:
    """``fragment_message`` as it was before its fast path: the same checks, the command
    through the general element loop, every PDU through the general cutting."""
    check_context_id(context_id)
    check_max_pdu_length(max_pdu_length)
    if chunk_size < 2:
        raise DimseError("chunk_size must be at least 2 bytes")
    if max_pdu_length:
        fragment_size = (max_pdu_length - 6) & ~1
        read_size = max(1, chunk_size // fragment_size) * fragment_size
    else:
        fragment_size = read_size = chunk_size & ~1
    yield from _fragment_any(
        _general_command(message, data_set_type),
        message.data_set_payload,
        context_id,
        max_pdu_length,
        transfer_syntax,
        pack_command_with_data,
        fragment_size,
        read_size,
    )


def _general_command(message: dk.Message, data_set_type: int | None) -> bytes:
    """The command set through the general element loop, not the compiled encoder."""
    if type(message) not in _COMPILED:
        raise DimseError(f"{type(message).__name__} is not a DIMSE message class")
    plan = _COMPILED[type(message)][0]
    cdst = encode.data_set_type_for(message, data_set_type)
    wire = message.wire
    return _encode_elements(message, plan, cdst, wire.extra_elements if wire else ())


# --- comparing the two ----------------------------------------------------------------------

Outcome = tuple[list[tuple[tuple[type, bytes], ...]], tuple[type, str] | None]


def run(produce: Callable[[], Iterator[tuple[Buffer, ...]]]) -> Outcome:
    """Every PDU as (buffer type, bytes) pairs, and the error that ended it, if any."""
    made: list[tuple[tuple[type, bytes], ...]] = []
    try:
        for pdu in produce():
            made.append(tuple((type(buffer), bytes(buffer)) for buffer in pdu))
    except Exception as error:
        return made, (type(error), str(error))
    return made, None


def same_either_way(message: object, *args: object, **options: object) -> Outcome:
    fast = run(lambda: fragment_message(message, *args, **options))  # type: ignore[arg-type]
    general = run(lambda: reference(message, *args, **options))  # type: ignore[arg-type]
    assert fast == general
    return fast


def data_of(size: int) -> bytes:
    return bytes(range(256)) * (size // 256) + bytes(range(size % 256))


MAX_PDUS = [0, 8, 9, 10, 32, 33, 100, 101, 146, 147, 148, 1000, 16382, 16383, 2**32 - 1]
SIZES = [0, 2, 8, 94, 100, 138, 140, 142, 994, 5000, 16376, 16378, 40000]


@pytest.mark.parametrize("pack", [False, True])
@pytest.mark.parametrize("max_pdu", MAX_PDUS)
@pytest.mark.parametrize("size", SIZES)
def test_bytes_and_memoryview_payloads(size: int, max_pdu: int, pack: bool) -> None:
    data = data_of(size)
    for value in (data, memoryview(data), bytearray(data), memoryview(bytearray(data))):
        made, error = same_either_way(store(value), 1, max_pdu, pack_command_with_data=pack)
        assert error is None
        assert data_sent(made) == data


def data_sent(made: list[tuple[tuple[type, bytes], ...]]) -> bytes:
    """The data-set fragments joined: each fragment follows a header ending in its control."""
    return b"".join(
        pdu[index][1]
        for pdu in made
        for index in range(1, len(pdu), 2)
        if pdu[index - 1][1][-1] == 0 or pdu[index - 1][1][-1] == LAST_BIT
    )


@pytest.mark.parametrize("size", [0, 2, 100, 101 * 2])
@pytest.mark.parametrize("slack", [-2, -1, 0, 1, 2])
def test_packing_at_the_limit(size: int, slack: int) -> None:
    """The command and the first data fragment share a PDU exactly when they fit."""
    message = store(data_of(size))
    packed = 12 + len(dk.encode_command(message)) + size
    made, error = same_either_way(message, 1, packed + slack, pack_command_with_data=True)
    assert error is None
    assert len(made[0]) == (4 if slack >= 0 else 2)


@pytest.mark.parametrize("chunk_size", [2, 3, 7, 100, 4096, CHUNK_SIZE])
@pytest.mark.parametrize("max_pdu", [0, 8, 100, 16382])
@pytest.mark.parametrize("size", [0, 2, 98, 100, 4096, 9000])
def test_chunk_sizes(chunk_size: int, max_pdu: int, size: int) -> None:
    for pack in (False, True):
        same_either_way(
            store(data_of(size)), 3, max_pdu, pack_command_with_data=pack, chunk_size=chunk_size
        )


def test_the_fast_path_really_runs_on_the_common_case() -> None:
    """The headers of a one-fragment command are packed by the fast path's one Struct."""
    (pdu,) = fragment_message(dk.CEchoRequest(message_id=1), 1, 16382)
    assert type(pdu[1]) is memoryview
    pdus = list(fragment_message(store(data_of(60000)), 5, 16382))
    assert len(pdus) == 5  # the command, then fragments from 0, 16376, 32752 and 49128
    assert pdus[2][0] is pdus[3][0]  # the two middle fragments share one header


@pytest.mark.parametrize("max_pdu", [0, 8, 32, 100, 16382])
@pytest.mark.parametrize("pack", [False, True])
def test_messages_without_a_data_set(max_pdu: int, pack: bool) -> None:
    for message in (
        dk.CEchoRequest(message_id=1),
        dk.CMoveResponse(
            message_id_being_responded_to=7,
            status=0xFF00,
            affected_sop_class_uid="1.2.840.10008.5.1.4.1.2.2.2",
            number_of_remaining_suboperations=12,
            number_of_completed_suboperations=3,
            number_of_failed_suboperations=1,
            number_of_warning_suboperations=0,
        ),
    ):
        same_either_way(message, 1, max_pdu, pack_command_with_data=pack)
        same_either_way(message, 1, max_pdu, data_set_type=0x0102)


def dataset() -> Dataset:
    ds = Dataset()
    ds.PatientName = "Alpha^Ann"
    ds.PatientID = "PAT0001"
    ds.ImageComments = "x" * 3001
    return ds


@pytest.mark.parametrize("max_pdu", [0, 8, 100, 1000, 16382])
@pytest.mark.parametrize("pack", [False, True])
def test_dataset_and_file_payloads(max_pdu: int, pack: bool, tmp_path: Path) -> None:
    for syntax in (ImplicitVRLittleEndian, ExplicitVRLittleEndian):
        made, error = same_either_way(
            store(dataset()), 1, max_pdu, transfer_syntax=syntax, pack_command_with_data=pack
        )
        assert error is None and made
    path = tmp_path / "data.bin"
    path.write_bytes(b"xx" + data_of(5000) + b"yy")
    from_path = DataSetPayload.from_file(path, offset=2, length=5000)
    made, error = same_either_way(store(from_path), 1, max_pdu, pack_command_with_data=pack)
    assert error is None
    with path.open("rb") as handle:
        from_handle = DataSetPayload.from_file(handle, offset=2, length=5000)
        assert same_either_way(store(from_handle), 1, max_pdu, pack_command_with_data=pack) == (
            made,
            None,
        )


@pytest.mark.parametrize(
    ("context_id", "max_pdu", "options"),
    [
        (True, 100, {}),
        (2, 100, {}),
        (0, 100, {}),
        (257, 100, {}),
        (255, 100, {}),
        (IntEnumOne.ONE, 100, {}),
        ("1", 100, {}),
        (1.0, 100, {}),
        (1, True, {}),
        (1, -1, {}),
        (1, 7, {}),
        (1, 2**32, {}),
        (1, 100.0, {}),
        (1, 100, {"chunk_size": 1}),
        (1, 100, {"chunk_size": 0}),
        (1, 100, {"chunk_size": 4096.0}),
        (1, 16382, {"chunk_size": 40000.0}),
        (1, 0, {"chunk_size": 4096.0}),
        (1, 16382, {"chunk_size": IntEnumOne.ONE}),
        (1, 16382, {"chunk_size": None}),
        (1, 100, {"data_set_type": 0x0101}),
        (1, 100, {"data_set_type": 0x10000}),
        (1, 100, {"data_set_type": 0x0000}),
        (1, 100, {"data_set_type": 0x0202}),
    ],
)
def test_argument_errors_and_their_order(
    context_id: object, max_pdu: object, options: dict[str, object]
) -> None:
    for message in (store(b"ab"), store(b"abc" * 5), dk.CEchoRequest(message_id=2)):
        same_either_way(message, context_id, max_pdu, **options)


@pytest.mark.parametrize("max_pdu", [0, 8, 32, 100, 16382])
def test_payload_errors_come_at_the_same_point(max_pdu: int) -> None:
    """An odd data set, or a Dataset without a transfer syntax: raised when the generator
    first runs, after any command fragments that come before it (tiny maximum)."""
    for message in (store(b"abc"), store(memoryview(b"a" * 101)), store(dataset())):
        made, error = same_either_way(message, 1, max_pdu)
        assert error is not None and error[0] is DimseError
        assert bool(made) == (max_pdu in (8, 32, 100))


def test_errors_are_raised_lazily_as_before() -> None:
    pdus = fragment_message(store(b"abc"), 2, 7)  # nothing is checked yet
    with pytest.raises(DimseError, match="context ID 2"):
        next(pdus)
    with pytest.raises(DimseError, match="not a DIMSE message class"):
        next(fragment_message(object(), 1, 100))  # type: ignore[arg-type]


def test_a_decoded_message_with_extra_elements() -> None:
    command = dk.encode_command(store(b"ab"), data_set_type=0x0102)
    offset = 12  # after Command Group Length: walk to the first element past (0000,0800)
    while int.from_bytes(command[offset + 2 : offset + 4], "little") <= 0x0800:
        offset += 8 + int.from_bytes(command[offset + 4 : offset + 8], "little")
    extra = b"\x00\x00\x00\x09\x02\x00\x00\x00\x00\x00"  # Status: CStoreRequest has none
    body = command[12:offset] + extra + command[offset:]
    spliced = command[:8] + len(body).to_bytes(4, "little") + body
    decoded = dk.decode_command(spliced, data_set=b"wxyz").message
    assert decoded.wire is not None and decoded.wire.extra_elements
    assert dk.encode_command(decoded) == spliced
    for max_pdu in (0, 8, 64, 16382):
        for data_set_type in (None, 0x0001):
            made, error = same_either_way(decoded, 1, max_pdu, data_set_type=data_set_type)
            assert error is None and data_sent(made) == b"wxyz"


@settings(max_examples=examples(400))
@given(
    messages(),
    st.sampled_from([0, 8, 10, 40, 90, 100, 150, 200, 16382]),
    st.booleans(),
    st.sampled_from([None, 0x0000, 0x0001, 0x0102, 0x0202]),
    st.sampled_from([bytes, memoryview, bytearray]),
)
def test_any_message_either_way(
    message: dk.Message,
    max_pdu: int,
    pack: bool,
    data_set_type: int | None,
    kind: Callable[[bytes], object],
) -> None:
    payload = message.data_set_payload
    if payload is not None:
        field = type(message).data_set_field()
        assert field is not None
        message = attrs.evolve(message, **{field: kind(payload.to_bytes())})
    same_either_way(message, 1, max_pdu, pack_command_with_data=pack, data_set_type=data_set_type)


@pytest.mark.parametrize("pack", [False, True])
@pytest.mark.parametrize("max_pdu", [0, 32, 147, 16382])
def test_every_length_field_counts_what_the_pdu_layout_says(max_pdu: int, pack: bool) -> None:
    """PS3.8 9.3.5, 9.3.5.1: a P-DATA-TF's PDU-length counts what follows its 6-byte
    header, each PDV item's 4-byte item length counts the context ID, the control header
    and the fragment; the header sizes the sender uses are the ones ``_framing.pdu``
    declares, which the receiver's rules share."""
    from dimsekit._framing import pdu, rules

    assert (pdu.ITEM_LENGTH_FIELD, pdu.ITEM_FIXED, pdu.PDV_HEADER.size) == (4, 2, 6)
    assert (rules.ITEM_LENGTH_FIELD, rules.ITEM_FIXED) == (pdu.ITEM_LENGTH_FIELD, pdu.ITEM_FIXED)
    message = store(data_of(1000))
    controls = []
    for buffers in fragment_message(message, 3, max_pdu, pack_command_with_data=pack):
        raw = b"".join(bytes(buffer) for buffer in buffers)
        assert raw[0] == 0x04 and int.from_bytes(raw[2:6], "big") == len(raw) - 6
        offset = 6
        while offset < len(raw):
            item_length = int.from_bytes(raw[offset : offset + 4], "big")
            assert raw[offset + 4] == 3  # the context ID
            controls.append(raw[offset + 5])
            offset += 4 + item_length
            assert offset <= len(raw)
    assert controls[: controls.index(3) + 1] == [1] * controls.index(3) + [3]
    assert controls[controls.index(3) + 1 :] == [0] * (len(controls) - controls.index(3) - 2) + [2]
