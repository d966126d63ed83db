"""The Dataset, command dict and JSON doors (``_codec.converter``): hostile input gets our errors.

Whatever comes through ``from_json``, ``from_dict`` or ``from_dataset``, in either mode,
ends in a :class:`~dimsekit.DecodeError` or in a message that ``encode_command``,
``to_json`` and ``to_dataset`` then write without an exception; a value no command
element can carry is refused in both modes; an argument of the wrong Python type is a
TypeError naming the parameter.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from pydicom import config as pydicom_config
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.filereader import read_dataset

import dimsekit as dk
from dimsekit import DecodeError, encode_command
from dimsekit._codec.converter import JSON_DEPTH_MAX
from dimsekit.testing import ae_titles, messages, uids

from .helpers import examples as example_count
from .helpers import mutate, mutations

EXAMPLES = example_count(400)
STORAGE_CT = "1.2.840.10008.5.1.4.1.1.2"
examples = settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
both_modes = pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])

ECHO_RQ: dict[str, object] = dk.to_dict(dk.CEchoRequest(message_id=1))
STORE_RQ: dict[str, object] = dk.to_dict(
    dk.CStoreRequest(
        message_id=1, affected_sop_class_uid=STORAGE_CT, affected_sop_instance_uid="1.2.3",
        data_set=b"",
    )
)  # fmt: skip
MOVE_RQ: dict[str, object] = dk.to_dict(
    dk.CMoveRequest(
        message_id=1, affected_sop_class_uid="1.2.840.10008.5.1.4.1.2.2.2",
        move_destination="STORESCP", identifier=b"",
    )
)  # fmt: skip
FAILED_RSP: dict[str, object] = dk.to_dict(
    dk.CEchoResponse(message_id_being_responded_to=1, status=0x0110)
)
N_GET_RQ: dict[str, object] = dk.to_dict(
    dk.NGetRequest(
        message_id=1, requested_sop_class_uid="1.2.840.10008.3.1.2.3.3",
        requested_sop_instance_uid="1.2.3", attribute_identifier_list=[0x00100010],
    )
)  # fmt: skip


def deep_list(depth: int) -> list[object]:
    outer: list[object] = []
    inner = outer
    for _ in range(depth):
        nested: list[object] = []
        inner.append(nested)
        inner = nested
    return outer


def writes_in_every_form(decoded: dk.DecodedCommand, strict: bool) -> None:
    """A message a door returned: it encodes, and what to_json writes reads back to it."""
    message = decoded.message
    assert decoded.clean or not strict
    encoded = encode_command(message)
    text = dk.to_json(message)
    dk.to_dataset(message)
    again = dk.from_json(text)
    assert encode_command(again.message) == encoded
    if strict:
        assert dk.from_json(text, strict=True).message == message


def message_or_our_error(decode: Callable[[], dk.DecodedCommand], strict: bool) -> None:
    try:
        decoded = decode()
    except DecodeError:
        return
    writes_in_every_form(decoded, strict)


# --- strategies: JSON documents, command dicts, Datasets ---------------------------------

_CODES = [int(code) for code in dk.MESSAGE_CLASSES]
_KEYWORDS = [spec.keyword for spec in dk.COMMAND_ELEMENTS]
_KEYS = st.one_of(
    st.sampled_from(_KEYWORDS),
    st.sampled_from([f"{spec.tag:08X}" for spec in dk.COMMAND_ELEMENTS]),
    st.integers(min_value=0, max_value=0xFFFF).map(lambda element: f"{element:08x}"),
    st.integers(min_value=0, max_value=0xFFFFFFFF).map(lambda tag: f"{tag:08X}"),
    st.sampled_from(["-0000001", "0x000110", " 0000110", "0000_110"]),
    st.text(max_size=10),
)
_ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)  # surrogates too
_TEXTS = st.one_of(
    _ANY_TEXT,
    uids(),
    ae_titles(),
    st.binary(max_size=8).map(bytes.hex),
    st.sampled_from(["", " ", "1.2\udc80", "1.2.a", "ÄЖ", "é", "00100010", "-0000001"]),
)
_INTS = st.one_of(
    st.integers(min_value=-2, max_value=0x1_0001),
    st.sampled_from([*_CODES, 0x0101, 0xFF00, 0xFE00, 0xD000, 0xFFFF, 2**32, 2**64]),
    st.integers(min_value=-(2**200), max_value=2**200),
)
_LEAVES = st.one_of(st.none(), st.booleans(), _INTS, st.floats(), _TEXTS)
_VALUES = st.recursive(
    _LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=3),
    max_leaves=10,
)


@st.composite
def command_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A JSON object: a message's command dict with some elements changed, dropped or
    added, or keys and values drawn at random (usually with a real Command Field)."""
    if draw(st.booleans()):
        document: dict[str, Any] = dk.to_dict(draw(messages()))
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            key = draw(st.sampled_from(sorted(document)) | _KEYS)
            if draw(st.integers(min_value=0, max_value=3)) == 0:
                document.pop(key, None)
            else:
                document[key] = draw(_VALUES)
        return document
    document = draw(st.dictionaries(_KEYS, _VALUES, max_size=8))
    if draw(st.integers(min_value=0, max_value=4)):
        document["CommandField"] = draw(st.sampled_from(_CODES))
    return document


_VRS = ["US", "UL", "UI", "AE", "LO", "AT", "SH", "LT", "CS", "IS", "OB", "UN", "FD", "PN"]
_BY_TAG = {spec.tag: spec for spec in dk.COMMAND_ELEMENTS}
TAGS = {spec.keyword: spec.tag for spec in dk.COMMAND_ELEMENTS}


def _element_values(vr: str) -> st.SearchStrategy[object]:
    single: st.SearchStrategy[object]
    if vr in ("US", "UL", "AT", "IS"):
        single = _INTS
    elif vr in ("OB", "UN"):
        single = st.binary(max_size=8)
    elif vr == "FD":
        single = st.floats()
    else:
        single = _TEXTS
    return st.one_of(st.none(), single, st.lists(single, max_size=3))


@st.composite
def command_datasets(draw: st.DrawFn) -> Dataset:
    """A Dataset of group 0000 elements: a message's, with elements replaced or added
    (VR and value drawn, not always matching), or elements drawn at random."""
    if draw(st.booleans()):
        dataset = dk.to_dataset(draw(messages()))
        count = draw(st.integers(min_value=1, max_value=3))
    else:
        dataset = Dataset()
        dataset.CommandField = draw(st.sampled_from(_CODES))
        count = draw(st.integers(min_value=0, max_value=6))
    for _ in range(count):
        tag = draw(st.sampled_from(sorted(_BY_TAG)) | st.integers(min_value=0, max_value=0xFFFF))
        spec = _BY_TAG.get(tag)
        vr = spec.vr if spec is not None and draw(st.booleans()) else draw(st.sampled_from(_VRS))
        value = draw(_element_values(vr))
        try:
            element = DataElement(tag, vr, value, validation_mode=pydicom_config.IGNORE)
        except Exception:  # pydicom takes not every value for every VR
            reject()
        dataset[tag] = element
    return dataset


# --- the proof: any input, either mode -----------------------------------------------------


@both_modes
@examples
@given(document=command_documents())
def test_any_json_command_gives_an_encodable_message_or_our_error(
    document: dict[str, Any], strict: bool
) -> None:
    text = json.dumps(document)
    message_or_our_error(lambda: dk.from_json(text, strict=strict), strict)
    message_or_our_error(lambda: dk.from_json(text.encode(), strict=strict), strict)


@both_modes
@examples
@given(document=command_documents())
def test_any_command_dict_gives_an_encodable_message_or_our_error(
    document: dict[str, Any], strict: bool
) -> None:
    message_or_our_error(lambda: dk.from_dict(document, strict=strict), strict)


@both_modes
@examples
@given(
    text=st.one_of(
        st.text(st.characters(exclude_categories=()), max_size=40),
        st.binary(max_size=40),
        _VALUES.map(json.dumps),
        st.builds(
            lambda opener, depth, tail: opener * depth + tail,
            st.sampled_from(["[", "{", '{"a":', '[{"b":']),
            st.integers(min_value=1, max_value=3000),
            st.sampled_from(["", "]", "1", '"x"']),
        ),
    )
)
def test_any_json_text_gives_an_encodable_message_or_our_error(
    text: str | bytes, strict: bool
) -> None:
    message_or_our_error(lambda: dk.from_json(text, strict=strict), strict)


@both_modes
@examples
@given(dataset=command_datasets())
def test_any_command_dataset_gives_an_encodable_message_or_our_error(
    dataset: Dataset, strict: bool
) -> None:
    message_or_our_error(lambda: dk.from_dataset(dataset, strict=strict), strict)


@both_modes
def test_a_us_value_read_from_an_at_element_is_a_plain_int(strict: bool) -> None:
    # Found by the test above: Message ID sent as AT (0000,0000) came in as a pydicom
    # tag, which to_json wrote as "00000000" and from_json could not read back.
    dataset = Dataset()
    dataset.CommandGroupLength = 62
    dataset.AffectedSOPClassUID = "1.2.840.10008"
    dataset.CommandField = 0x0020
    dataset.add(DataElement(0x00000110, "AT", 0))
    dataset.Priority = 0
    dataset.CommandDataSetType = 1
    decoded = dk.from_dataset(dataset, strict=strict)
    assert isinstance(decoded.message, dk.CFindRequest)  # Command Field 0020H
    assert type(decoded.message.message_id) is int
    writes_in_every_form(decoded, strict)


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom's, on values it reads: its setting
@both_modes
@examples
@given(message=messages(), how=mutations())
def test_any_dataset_pydicom_reads_from_command_bytes_gives_a_message_or_our_error(
    message: dk.Message, how: tuple[str, int, int], strict: bool
) -> None:
    buffer = mutate(encode_command(message), how)
    try:  # as pynetdicom does: pydicom reads the element headers, values stay bytes
        dataset = read_dataset(io.BytesIO(buffer), is_implicit_VR=True, is_little_endian=True)
    except Exception:  # bytes pydicom cannot walk never reach from_dataset
        reject()
    message_or_our_error(lambda: dk.from_dataset(dataset, strict=strict), strict)


# --- nesting ---------------------------------------------------------------------------


@both_modes
@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        '{"a":' * 100_000,
        '{"CommandField": 48, "MessageID": ' + "[" * 100_000,
        b"[" * 100_000,
        "[" * 100_000 + "]" * 100_000,
    ],
    ids=["arrays", "objects", "in-a-command", "bytes", "balanced"],
)
def test_deeply_nested_json_is_refused_before_the_parser_recurses(
    text: str | bytes, strict: bool
) -> None:
    with pytest.raises(DecodeError, match="nested too deeply"):
        dk.from_json(text, strict=strict)


def test_the_nesting_bound_counts_brackets_not_characters_in_strings() -> None:
    def nested(depth: int) -> str:
        return '{"CommandField": 48, "MessageID": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"

    with pytest.raises(DecodeError, match="is no US value"):
        dk.from_json(nested(JSON_DEPTH_MAX))
    with pytest.raises(DecodeError, match="nested too deeply"):
        dk.from_json(nested(JSON_DEPTH_MAX + 1))
    uid = '\\"' + "[" * 1000 + "{" * 1000  # brackets in a string, after an escaped quote
    text = '{"CommandField": 48, "MessageID": 1, "AffectedSOPClassUID": "' + uid + '"}'
    decoded = dk.from_json(text)
    assert isinstance(decoded.message, dk.CEchoRequest)
    assert decoded.message.affected_sop_class_uid == '"' + "[" * 1000 + "{" * 1000
    writes_in_every_form(decoded, strict=False)


@both_modes
@pytest.mark.parametrize(
    "keyword", ["AffectedSOPClassUID", "MessageID", "CommandField", "CommandDataSetType"]
)
def test_a_deep_python_structure_in_a_command_dict_is_refused(keyword: str, strict: bool) -> None:
    circular: list[object] = []
    circular.append(circular)
    for value in (deep_list(100_000), circular, [deep_list(100_000)]):
        with pytest.raises(DecodeError) as caught:
            dk.from_dict({**ECHO_RQ, keyword: value}, strict=strict)
        assert caught.value.tag == TAGS[keyword]
        assert len(str(caught.value)) < 400


@both_modes
def test_a_deep_python_structure_as_a_tag_or_a_kept_element_is_refused(strict: bool) -> None:
    with pytest.raises(DecodeError, match="is not a tag"):
        dk.from_dict({**N_GET_RQ, "AttributeIdentifierList": [deep_list(100_000)]}, strict=strict)
    with pytest.raises(DecodeError, match="given as hex bytes"):
        dk.from_dict({**ECHO_RQ, "DialogReceiver": deep_list(100_000)}, strict=strict)


# --- values the wire cannot carry: refused in both modes -------------------------------------

_UNREPRESENTABLE = [
    pytest.param(ECHO_RQ, "AffectedSOPClassUID", True, "a UI value is text", id="bool-uid"),
    pytest.param(ECHO_RQ, "AffectedSOPClassUID", 1.5, "a UI value is text", id="float-uid"),
    pytest.param(ECHO_RQ, "AffectedSOPClassUID", "1.2\udc80", "'\\udc80' is none", id="surrogate"),
    pytest.param(ECHO_RQ, "AffectedSOPClassUID", "1.2.€", "'€' is none", id="euro-uid"),
    pytest.param(ECHO_RQ, "MessageID", 65536, "from 0 to 65535", id="message-id-65536"),
    pytest.param(ECHO_RQ, "MessageID", -1, "from 0 to 65535", id="message-id-negative"),
    pytest.param(ECHO_RQ, "MessageID", 2**64, "from 0 to 65535", id="message-id-2**64"),
    pytest.param(MOVE_RQ, "MoveDestination", "ÄЖ", "'Ж' is none", id="cyrillic-ae"),
    pytest.param(MOVE_RQ, "MoveDestination", "\udc80", "is none", id="surrogate-ae"),
    pytest.param(MOVE_RQ, "MoveDestination", 5, "is not text", id="int-ae"),
    pytest.param(MOVE_RQ, "MoveDestination", None, "must have MoveDestination", id="null-ae"),
    pytest.param(FAILED_RSP, "ErrorComment", "Ж", "'Ж' is none", id="cyrillic-lo"),
    pytest.param(N_GET_RQ, "AttributeIdentifierList", ["-0000001"], "not a tag", id="at-neg"),
    pytest.param(N_GET_RQ, "AttributeIdentifierList", ["0x000110"], "not a tag", id="at-0x"),
    pytest.param(STORE_RQ, "CommandField", True, "must be an int", id="bool-command-field"),
    pytest.param(STORE_RQ, "CommandDataSetType", 70000, "65535", id="data-set-type-70000"),
    pytest.param(STORE_RQ, "CommandDataSetType", -1, "65535", id="data-set-type-negative"),
    pytest.param(STORE_RQ, "CommandDataSetType", 2**64, "65535", id="data-set-type-2**64"),
]


@both_modes
@pytest.mark.parametrize(("base", "keyword", "value", "reason"), _UNREPRESENTABLE)
def test_a_value_the_wire_cannot_carry_is_refused_at_the_door(
    base: dict[str, object], keyword: str, value: object, reason: str, strict: bool
) -> None:
    document = {**base, keyword: value}
    doors: list[Callable[[], dk.DecodedCommand]] = [
        lambda: dk.from_dict(document, strict=strict),
        lambda: dk.from_json(json.dumps(document), strict=strict),
    ]
    for decode in doors:
        with pytest.raises(DecodeError) as caught:
            decode()
        assert reason in caught.value.reason
        assert caught.value.tag == TAGS[keyword]


@both_modes
def test_an_int_too_long_to_print_is_refused_and_shown_by_its_size(strict: bool) -> None:
    with pytest.raises(DecodeError, match=r"MessageID <an int of 16610 bits>: a US value") as e:
        dk.from_dict({**ECHO_RQ, "MessageID": 10**5000}, strict=strict)
    assert len(str(e.value)) < 200
    with pytest.raises(dk.InvalidMessageError, match="got <an int of 16610 bits>"):
        dk.CEchoRequest(message_id=10**5000)  # the model's own error shows it the same way


@pytest.mark.parametrize(
    ("base", "keyword", "value", "rule"),
    [
        (ECHO_RQ, "AffectedSOPClassUID", "1.2.a", "PS3.5 9.1"),  # a letter, which bytes carry
        (ECHO_RQ, "AffectedSOPClassUID", "1" * 65, "PS3.5 9.1"),
        (ECHO_RQ, "AffectedSOPClassUID", "1.2.é", "PS3.5 9.1"),  # 0xE9 on the wire
        (MOVE_RQ, "MoveDestination", "A" * 17, "PS3.5 6.2"),
    ],
    ids=["letter-in-uid", "65-character-uid", "latin-1-uid", "17-character-ae"],
)
def test_a_value_the_wire_carries_but_the_standard_forbids_is_reported_leniently(
    base: dict[str, object], keyword: str, value: object, rule: str
) -> None:
    document = {**base, keyword: value}
    decoded = dk.from_dict(document)
    assert [(d.severity, d.rule, d.tag) for d in decoded.diagnostics] == [
        (dk.Severity.ERROR, rule, TAGS[keyword])
    ]
    with pytest.raises(DecodeError, match=re.escape(rule)):
        dk.from_dict(document, strict=True)
    writes_in_every_form(decoded, strict=False)  # to_dataset too: pydicom does not object
    assert dk.decode_command(encode_command(decoded.message)).message == decoded.message


# --- keys -------------------------------------------------------------------------------


def test_an_element_is_named_once_by_keyword_or_tag() -> None:
    by_tag = {**ECHO_RQ, "00000110": 5}
    del by_tag["MessageID"]
    assert dk.from_dict(by_tag).message == dk.CEchoRequest(message_id=5)
    for twice in ({**ECHO_RQ, "00000110": 2}, {**ECHO_RQ, "00000000": "0200"}):
        with pytest.raises(DecodeError, match="name the same element"):
            dk.from_dict(twice)


@pytest.mark.parametrize("key", [5, None, (0, 0x110), 1.5])
def test_a_key_that_is_not_text_is_refused(key: object) -> None:
    command: dict[Any, object] = {**ECHO_RQ, key: "0000"}
    with pytest.raises(DecodeError, match="no key of a command dict"):
        dk.from_dict(command)


# --- nothing filled in silently, in every form (PS3.7 9.3, 10.3: M) -------------------------

MISSING_MANDATORY = [
    (STORE_RQ, "Priority", "MEDIUM (0)", "PS3.7 9.3.1.1: M"),
    (
        STORE_RQ,
        "CommandDataSetType",
        "0x0001 (a data set follows: a C-STORE-RQ carries its data_set)",
        "PS3.7 9.3.1.1: M",
    ),
    (
        ECHO_RQ,
        "AffectedSOPClassUID",
        "1.2.840.10008.1.1 (Verification SOP Class)",
        "PS3.7 9.3.5.1: M",
    ),
    (ECHO_RQ, "CommandDataSetType", "0x0101 (no data set)", "PS3.7 9.3.5.1: M"),
]


@pytest.mark.parametrize(
    ("command", "keyword", "assumed", "rule"),
    MISSING_MANDATORY,
    ids=["store-priority", "store-data-set-type", "echo-sop-class", "echo-data-set-type"],
)
def test_a_missing_mandatory_element_is_said_in_every_form(
    command: dict[str, object], keyword: str, assumed: str, rule: str
) -> None:
    """The dict, JSON and Dataset doors all say what was assumed, as the bytes door does
    (test_command.py); strictly, they refuse it."""
    data_set = b"" if command is STORE_RQ else None
    command_dict = {key: value for key, value in command.items() if key != keyword}
    dataset = dk.to_dataset(dk.from_dict(command, data_set=data_set).message)
    del dataset[TAGS[keyword]]
    doors: dict[str, Callable[[bool], dk.DecodedCommand]] = {
        "dict": lambda strict: dk.from_dict(command_dict, data_set=data_set, strict=strict),
        "json": lambda strict: dk.from_json(
            json.dumps(command_dict), data_set=data_set, strict=strict
        ),
        "dataset": lambda strict: dk.from_dataset(dataset, data_set=data_set, strict=strict),
    }
    expected = dk.Diagnostic(
        what=f"no {keyword}; {assumed} assumed",
        rule=rule,
        severity=dk.Severity.ERROR,
        tag=TAGS[keyword],
    )
    for form, door in doors.items():
        decoded = door(False)
        assert decoded.diagnostics == (expected,), form
        assert dk.encode_command(decoded.message) == dk.encode_command(
            dk.from_dict(command, data_set=data_set).message
        ), form
        with pytest.raises(DecodeError, match=re.escape(f"{expected.what} [{rule}]")):
            door(True)


# --- Datasets ---------------------------------------------------------------------------


def n_get_dataset(**changes: object) -> Dataset:
    dataset = dk.to_dataset(dk.from_dict(N_GET_RQ).message)
    for keyword, value in changes.items():
        dataset[TAGS[keyword]].value = value
    return dataset


def test_an_empty_at_element_from_a_dataset_is_an_empty_list() -> None:
    decoded = dk.from_dataset(n_get_dataset(AttributeIdentifierList=None))  # as pydicom reads it
    assert decoded.message.attribute_identifier_list == ()  # type: ignore[attr-defined]
    writes_in_every_form(decoded, strict=False)


@both_modes
@pytest.mark.parametrize(
    ("tag", "vr", "value", "reason"),
    [
        (0x0000_4000, "LT", "Ж", "cannot be written"),  # retired DialogReceiver
        (0x0000_0850, "US", 70000, "cannot be written"),  # retired NumberOfMatches
        (0x0000_0110, "US", 10**5000, "<an int of 16610 bits>: a US value"),
        (0x0000_0110, "US", 1.5, "is no US value"),
    ],
    ids=["non-latin-1-text", "us-70000", "us-10**5000", "us-float"],
)
def test_a_dataset_element_the_wire_cannot_carry_is_refused(
    tag: int, vr: str, value: object, reason: str, strict: bool
) -> None:
    dataset = dk.to_dataset(dk.CEchoRequest(message_id=1))
    dataset[tag] = DataElement(tag, vr, value, validation_mode=pydicom_config.IGNORE)
    with pytest.raises(DecodeError, match=reason) as caught:
        dk.from_dataset(dataset, strict=strict)
    assert caught.value.tag == tag


@both_modes
def test_bytes_pydicom_cannot_read_as_their_vr_are_our_error(strict: bool) -> None:
    buffer = encode_command(dk.CEchoRequest(message_id=1)).replace(
        b"\x10\x01\x02\x00\x00\x00\x01\x00", b"\x10\x01\x03\x00\x00\x00\x01\x00\x02"
    )  # Message ID with 3 value bytes
    dataset = read_dataset(io.BytesIO(buffer), is_implicit_VR=True, is_little_endian=True)
    with pytest.raises(DecodeError, match="pydicom cannot read the element") as caught:
        dk.from_dataset(dataset, strict=strict)
    assert caught.value.tag == TAGS["MessageID"]


def test_a_multi_valued_retired_element_is_kept_as_its_bytes() -> None:
    dataset = dk.to_dataset(dk.CEchoRequest(message_id=1))
    dataset[0x0000_51B0] = DataElement(0x0000_51B0, "US", [1, 2])  # retired Overlays, VM 1-n
    decoded = dk.from_dataset(dataset)
    assert decoded.message.wire is not None
    assert decoded.message.wire.extra_elements == ((0x0000_51B0, b"\x01\x00\x02\x00"),)


# --- Python types -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [{}, None, 5, ["{}"], memoryview(b"{}")])
def test_from_json_of_no_text_is_a_type_error_naming_text(text: Any) -> None:
    with pytest.raises(TypeError, match=r"^text must be str or bytes"):
        dk.from_json(text)


@pytest.mark.parametrize("command", ["{}", None, [("CommandField", 48)], 48])
def test_from_dict_of_no_mapping_is_a_type_error_naming_command(command: Any) -> None:
    with pytest.raises(TypeError, match=r"^command must be a mapping"):
        dk.from_dict(command)


@pytest.mark.parametrize("dataset", [{}, None, ECHO_RQ])
def test_from_dataset_of_no_dataset_is_a_type_error_naming_dataset(dataset: Any) -> None:
    with pytest.raises(TypeError, match=r"^dataset must be a pydicom Dataset"):
        dk.from_dataset(dataset)
