"""Value types of command elements (UI, AE, US, AT, LO), Priority, CommandField, names.

The rules are those of PS3.7 Annex E (the command elements, their VRs and the Command Field
values), PS3.7 9.3.1.1 (Priority), PS3.5 6.2 (the VRs) and PS3.7 C.4.1, C.5 (Error Comment);
every refusal is checked for the class, the field and the rule it names.
"""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydicom.tag import BaseTag, Tag
from pydicom.uid import UID

import dimsekit as dk
from dimsekit._model.vr import Priority, to_optional_uid, to_priority, to_uid

from .helpers import CT, IntEnumOne, StrSubclass, refused
from .message_examples import DATA_SET_NAMES, STUDY_MOVE


def echo(uid: object) -> dk.CEchoRequest:
    return dk.CEchoRequest(message_id=1, affected_sop_class_uid=uid)  # type: ignore[arg-type]


def n_get(**values: Any) -> dk.NGetRequest:
    return dk.NGetRequest(
        **{
            "message_id": 1,
            "requested_sop_class_uid": "1.2.840.10008.5.1.1.16",
            "requested_sop_instance_uid": "1.2.840.10008.5.1.1.17",
            **values,
        }
    )


def move(destination: object) -> dk.CMoveRequest:
    return dk.CMoveRequest(
        message_id=1,
        affected_sop_class_uid=STUDY_MOVE,
        move_destination=destination,  # type: ignore[arg-type]
        identifier=b"",
    )


def store_failure(**values: Any) -> dk.CStoreResponse:
    return dk.CStoreResponse(**{"message_id_being_responded_to": 1, "status": 0xC000, **values})


# --- UI (PS3.5 9.1) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_uid", "kept"),
    [
        (CT, CT),
        (CT.encode(), CT),
        (CT + "\0", CT),
        (CT.encode() + b"\0", CT),
        (CT + " ", CT),
        (CT.encode() + b" ", CT),
        (CT + "\0 ", CT),
        (bytearray(CT.encode() + b"\0"), CT),
        (str.__new__(UID, CT + "\0"), CT),  # a padded pydicom UID is a str too
        ("0", "0"),
        ("0.0", "0.0"),
        ("1.20.300", "1.20.300"),
        ("1." + "2" * 62, "1." + "2" * 62),  # 64 characters
        (("1." + "2" * 62).encode() + b"\0", "1." + "2" * 62),  # the pad does not count
    ],
)
def test_uids_are_normalised_to_pydicom_uids(given_uid: str | bytes, kept: str) -> None:
    uid = echo(given_uid).affected_sop_class_uid
    assert uid == kept
    assert type(uid) is UID


def test_a_uid_value_is_a_pydicom_uid_with_its_name() -> None:
    assert echo(CT.encode() + b"\0").affected_sop_class_uid.name == "CT Image Storage"
    assert echo(CT).affected_sop_class_uid.name == UID(CT).name
    assert echo("1.2.840.10008.1.1").affected_sop_class_uid.is_valid
    rq = n_get(requested_sop_class_uid=b"1.2.840.10008.5.1.1.16\0")
    assert rq.requested_sop_class_uid.name == "Printer SOP Class"
    assert type(rq.requested_sop_instance_uid) is UID


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        ("", "1 to 64"),
        (b"", "1 to 64"),
        ("\0", "1 to 64"),
        ("  ", "1 to 64"),
        ("1." + "2" * 63, "1 to 64"),  # 65 characters
        ("1..2", "no empty component"),
        (".1", "no empty component"),
        ("1.", "no empty component"),
        ("1.2..", "no empty component"),
        ("1.02", "no leading zero"),
        ("01.2", "no leading zero"),
        ("1.2.00", "no leading zero"),
        ("1.2a", "only digits and dots"),
        ("1 .2", "only digits and dots"),
        ("1.2\0.3", "only digits and dots"),
        ("-1.2", "only digits and dots"),
        ("1,2", "only digits and dots"),
        (12, "str or bytes"),
        (1.2, "str or bytes"),
    ],
)
def test_bad_uids_are_refused_with_the_rule_they_break(bad: object, rule: str) -> None:
    error = refused(lambda: echo(bad))
    assert error.message_class == "CEchoRequest"
    assert error.fields == ("affected_sop_class_uid",)
    assert rule in error.rule
    assert error.reference == "PS3.5 9.1"
    assert str(error).startswith("CEchoRequest.affected_sop_class_uid: ")
    assert "[PS3.5 9.1]" in str(error)


def test_a_trailing_dot_is_no_padding() -> None:
    error = refused(lambda: echo("1.2."))
    assert "no empty component" in error.rule


def test_uid_rules_hold_for_every_uid_field() -> None:
    error = refused(lambda: n_get(requested_sop_instance_uid="1.02"))
    assert error.fields == ("requested_sop_instance_uid",)
    assert error.message_class == "NGetRequest"
    error = refused(
        lambda: dk.CStoreResponse(
            message_id_being_responded_to=1, status=0, affected_sop_instance_uid="1..2"
        )
    )
    assert error.fields == ("affected_sop_instance_uid",)


# to_uid's shortcut for a str that is already a UID's text, against its general path


def general_to_uid(value: object) -> object:
    """to_uid as it was before its shortcut."""
    if type(value) is UID and not value.endswith(("\0", " ")):
        return value
    text = bytes(value).decode("latin-1") if isinstance(value, bytes | bytearray) else value
    if isinstance(text, str):
        return str.__new__(UID, text.rstrip("\0 "))
    return text


UID_INPUTS: list[object] = [
    "1.2.3",
    "1.2.3\0",
    "1.2.3 ",
    "1.2.3\0 \0",
    "",
    " ",
    "\0",
    "abc",
    "1.2 .3",
    UID("1.2.3"),
    str.__new__(UID, "1.2.3 "),
    StrSubclass("1.2.3"),
    StrSubclass("1.2.3 "),
    b"1.2.3\0",
    bytearray(b"1.2"),
    12,
    None,
    1.5,
    ["1.2"],
]


@pytest.mark.parametrize("value", UID_INPUTS, ids=repr)
def test_to_uid_shortcut(value: object) -> None:
    got = to_uid(value)  # type: ignore[arg-type]
    want = general_to_uid(value)
    assert type(got) is type(want)
    assert got == want
    if value is not None:
        assert type(to_optional_uid(value)) is type(want)  # type: ignore[arg-type]


# --- AE (PS3.5 6.2) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_ae", "kept"),
    [
        ("STORESCP", "STORESCP"),
        ("  STORE SCP ", "STORE SCP"),  # inner spaces are significant
        (b"ANY_AE-1 ", "ANY_AE-1"),
        (bytearray(b" X"), "X"),
        ("A" * 16, "A" * 16),
        (" " + "A" * 16 + "  ", "A" * 16),  # 16 significant characters
        ("a!~[]{}", "a!~[]{}"),
    ],
)
def test_ae_titles_lose_their_insignificant_spaces(given_ae: str | bytes, kept: str) -> None:
    assert move(given_ae).move_destination == kept
    rq = dk.CStoreRequest(
        message_id=1,
        affected_sop_class_uid=CT,
        affected_sop_instance_uid="1.2.3",
        data_set=b"",
        move_originator_application_entity_title=given_ae,
        move_originator_message_id=1,
    )
    assert rq.move_originator_application_entity_title == kept


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        ("", "not be empty or all spaces"),
        ("    ", "not be empty or all spaces"),
        (b" " * 16, "not be empty or all spaces"),
        ("A" * 17, "at most 16"),
        ("BACK\\SLASH", "without backslash"),
        ("TAB\tAE", "control characters"),
        ("NEW\nLINE", "control characters"),
        ("DEL\x7f", "control characters"),
        ("NUL\0AE", "control characters"),
        ("ÉCHO", "Default Character Repertoire"),
        (7, "str or bytes"),
    ],
)
def test_bad_ae_titles_are_refused(bad: object, rule: str) -> None:
    error = refused(lambda: move(bad))
    assert error.message_class == "CMoveRequest"
    assert error.fields == ("move_destination",)
    assert rule in error.rule
    assert error.reference == "PS3.5 6.2"
    assert "CMoveRequest.move_destination" in str(error)


# --- US (PS3.5 6.2) ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 0x7FFF, 0xFFFF])
def test_us_takes_0_to_65535(value: int) -> None:
    assert dk.CEchoRequest(message_id=value).message_id == value
    assert dk.CCancelRequest(message_id_being_responded_to=value).message_id_being_responded_to == (
        value
    )


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        (-1, "from 0 to 65535"),
        (65536, "from 0 to 65535"),
        (2**40, "from 0 to 65535"),
        (True, "must be an int"),
        (False, "must be an int"),
        ("7", "must be an int"),
        (1.0, "must be an int"),
        (None, "must be an int"),
    ],
)
def test_us_refuses_everything_else(bad: object, rule: str) -> None:
    error = refused(lambda: dk.CEchoRequest(message_id=bad))  # type: ignore[arg-type]
    assert error.fields == ("message_id",)
    assert rule in error.rule
    assert error.value is bad
    assert error.reference == "PS3.5 6.2"


# --- AT (PS3.5 6.2, VM 1-n) ----------------------------------------------------------------


def test_tags_in_every_form_become_base_tags() -> None:
    tags = store_failure(
        offending_element=[
            0x00100010,
            "PatientID",
            (0x0010, 0x0030),
            BaseTag(0x00100040),
            [0x0008, 0x0018],
        ]
    ).offending_element
    assert tags == (0x00100010, 0x00100020, 0x00100030, 0x00100040, 0x00080018)
    assert tags is not None
    assert all(type(tag) is BaseTag for tag in tags)
    assert type(tags) is dk.AttributeTags


def test_a_tag_list_may_be_any_iterable() -> None:
    tags = store_failure(offending_element=(t for t in [0x00100010])).offending_element
    assert tags == (BaseTag(0x00100010),)


NOT_TAG_LISTS = [
    # given, the rule it breaks, the value named (PS3.5 6.2)
    (["NoSuchKeyword"], "not a DICOM tag", "NoSuchKeyword"),
    ([0x00100010, "NoSuchKeyword"], "not a DICOM tag", "NoSuchKeyword"),
    ([2**32], "not a DICOM tag", 2**32),
    ([BaseTag(2**32)], "not a DICOM tag", 2**32),  # a BaseTag no AT value can hold
    ([-1], "not a DICOM tag", -1),
    ([(1, 2, 3)], "not a DICOM tag", (1, 2, 3)),
    ([(0x10000, 0)], "not a DICOM tag", (0x10000, 0)),
    ([None], "not a DICOM tag", None),
    ([True], "not a DICOM tag", True),  # not (0000,0001)
    ([1.5], "not a DICOM tag", 1.5),  # not (0000,0001)
    ("PatientID", "a sequence of tags", "PatientID"),
    (0x00100010, "a sequence of tags", 0x00100010),
    (b"\x10\x00\x10\x00", "a sequence of tags", b"\x10\x00\x10\x00"),
    (bytearray(b"\x10\x00"), "a sequence of tags", b"\x10\x00"),  # not (0000,0010), (0000,0000)
    (object, "a sequence of tags", object),
    ((0x0010, 0x0010), "ambiguous", (0x0010, 0x0010)),
]


@pytest.mark.parametrize(
    ("bad", "rule", "value"),
    [([], "at least one tag", ()), ((), "at least one tag", ()), *NOT_TAG_LISTS],
)
def test_junk_tag_lists_are_refused(bad: object, rule: str, value: object) -> None:
    error = refused(lambda: store_failure(offending_element=bad))
    assert error.fields == ("offending_element",)
    assert rule in error.rule
    assert error.value == value
    assert "CStoreResponse.offending_element" in str(error)


@pytest.mark.parametrize("pair", [(0x0010, 0x0010), (0, 0), (0x0700, 0xFFFF)])
def test_a_tuple_of_two_small_numbers_is_refused_as_ambiguous(pair: tuple[int, int]) -> None:
    # one tag (group, element), or two command-group tags? The caller says which.
    error = refused(lambda: store_failure(offending_element=pair))
    assert error.fields == ("offending_element",)
    assert "ambiguous" in error.rule and f"[(0x{pair[0]:04X}, 0x{pair[1]:04X})]" in error.rule
    assert error.value == pair
    assert store_failure(offending_element=[pair]).offending_element == (Tag(*pair),)
    assert store_failure(offending_element=list(pair)).offending_element == tuple(map(Tag, pair))


@pytest.mark.parametrize(
    "tags",
    [
        (0x00100010, 0x00100020),  # more than 0xFFFF: whole tags
        (BaseTag(0x0010), BaseTag(0x0020)),  # tags already, as the decoders give them
        (0x0010, 0x0010, 0x0020),  # not a pair
        ((0x0010, 0x0010), (0x0010, 0x0020)),
    ],
)
def test_other_tuples_of_tags_are_read_as_sequences(tags: tuple[Any, ...]) -> None:
    assert store_failure(offending_element=tags).offending_element == tuple(map(Tag, tags))


# --- AttributeTags: the value of an AT field ------------------------------------------------

TAGS = (0x00100010, 0x00100020, 0x0020000D)
# The same as an AT value in a command set: each tag its group, then its element, little
# endian (PS3.5 7.1.2), worked out by hand.
PACKED = bytes.fromhex("10001000 10002000 20000D00")


def test_attribute_tags_hold_the_bytes_of_an_at_value() -> None:
    tags = dk.AttributeTags(["PatientName", (0x0010, 0x0020), 0x0020000D])
    assert tags.to_bytes() == PACKED
    for data in (PACKED, bytearray(PACKED), memoryview(PACKED)):
        read = dk.AttributeTags.from_bytes(data)
        assert read == tags
        assert type(read.to_bytes()) is bytes
    assert dk.AttributeTags.from_bytes(b"").to_bytes() == b"" == dk.AttributeTags().to_bytes()
    with pytest.raises(dk.DecodeError, match=r"an AT value of 5 bytes; AT values are 4 bytes"):
        dk.AttributeTags.from_bytes(PACKED[:5])


def test_attribute_tags_equal_any_sequence_of_the_same_tags() -> None:
    tags = dk.AttributeTags(TAGS)
    same: list[object] = [
        TAGS,
        list(TAGS),
        tuple(map(BaseTag, TAGS)),
        [BaseTag(tag) for tag in TAGS],
        dk.AttributeTags.from_bytes(PACKED),
    ]
    for other in same:
        assert tags == other and other == tags
        assert not tags != other and not other != tags  # noqa: SIM202
    different: list[object] = [
        TAGS[:2],
        TAGS[::-1],
        (*TAGS, 0),
        (),
        ["PatientName", "PatientID", "StudyInstanceUID"],  # forms to build from, not tags
        PACKED,
        "abc",
        0x00100010,
        None,
    ]
    for other in different:
        assert tags != other and other != tags
        assert not tags == other and not other == tags  # noqa: SIM201
    assert dk.AttributeTags() == () == dk.AttributeTags([])


def test_attribute_tags_hash_as_the_tuple_of_their_tags() -> None:
    tags = dk.AttributeTags(TAGS)
    assert hash(tags) == hash(TAGS) == hash(tuple(map(BaseTag, TAGS)))
    assert hash(tags) == hash(tags)  # remembered, the same
    assert hash(dk.AttributeTags()) == hash(())
    by_tags: dict[object, str] = {tags: "found"}
    by_tuple: dict[object, str] = {TAGS: "found"}
    assert by_tags[TAGS] == "found" and by_tuple[tags] == "found"
    assert len({tags, TAGS, dk.AttributeTags.from_bytes(PACKED)}) == 1
    message = store_failure(offending_element=TAGS)
    assert hash(message) == hash(store_failure(offending_element=list(TAGS)))


def test_attribute_tags_give_base_tags_and_slice_as_attribute_tags() -> None:
    tags = dk.AttributeTags(TAGS)
    assert len(tags) == 3
    assert [type(tag) for tag in tags] == [BaseTag] * 3
    assert list(tags) == list(TAGS)
    assert type(tags[0]) is BaseTag and tags[0] == 0x00100010
    assert tags[-1] == 0x0020000D == tags[2]
    assert tags[-3] == 0x00100010
    assert tags[True] == 0x00100020  # an index, as for a tuple
    for position in (3, -4, 2**70, -(2**70)):
        with pytest.raises(IndexError, match="AttributeTags index out of range"):
            tags[position]
    with pytest.raises(TypeError, match="indices must be integers or slices, not str"):
        tags["PatientID"]  # type: ignore[call-overload]
    for part, expected in [
        (tags[1:], TAGS[1:]),
        (tags[:-1], TAGS[:-1]),
        (tags[::-1], TAGS[::-1]),
        (tags[::2], TAGS[::2]),
        (tags[5:], ()),
        (tags[2:1], ()),
        (tags[:], TAGS),
    ]:
        assert type(part) is dk.AttributeTags
        assert part == expected
    assert list(reversed(tags)) == list(reversed(TAGS))
    assert tags.index(0x00100020) == 1 and tags.count(0x0020000D) == 1


def test_only_whole_tags_are_in_attribute_tags() -> None:
    tags = dk.AttributeTags(TAGS)
    assert 0x00100020 in tags and BaseTag(0x0020000D) in tags
    assert "PatientName" in tags  # as BaseTag compares (pydicom's Tag())
    assert 0x00200020 not in tags  # its bytes are there, at offset 6: no tag of the list
    assert PACKED[6:10] == bytes.fromhex("20002000")
    assert 0x00100030 not in tags and 2**32 not in tags and None not in tags


@given(st.lists(st.integers(min_value=0, max_value=0xFFFFFFFF), max_size=12), st.slices(14))
def test_attribute_tags_behave_as_the_tuple_of_their_tags(numbers: list[int], part: slice) -> None:
    tags, expected = dk.AttributeTags(numbers), tuple(numbers)
    assert tags == expected and hash(tags) == hash(expected) and len(tags) == len(expected)
    assert tags[part] == expected[part]
    for position in range(-len(expected) - 1, len(expected) + 1):
        if -len(expected) <= position < len(expected):
            assert tags[position] == expected[position]
        else:
            with pytest.raises(IndexError):
                tags[position]
    assert dk.AttributeTags.from_bytes(tags.to_bytes()) == tags


def test_attribute_tags_pickle_and_cannot_be_changed() -> None:
    tags = dk.AttributeTags(TAGS)
    again = pickle.loads(pickle.dumps(tags))
    assert type(again) is dk.AttributeTags and again == tags and again.to_bytes() == PACKED
    with pytest.raises(TypeError):
        tags[0] = BaseTag(0x00080018)  # type: ignore[index]
    with pytest.raises(TypeError):
        del tags[0]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="immutable"):
        tags._packed = b""
    with pytest.raises(AttributeError, match="immutable"):
        tags.note = "x"  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="immutable"):
        del tags._packed
    assert tags.to_bytes() == PACKED
    assert not hasattr(tags, "__dict__")


def test_attribute_tags_repr_shows_the_tags() -> None:
    assert repr(dk.AttributeTags(TAGS)) == "AttributeTags([(0010,0010), (0010,0020), (0020,000D)])"
    assert repr(dk.AttributeTags()) == "AttributeTags([])"
    rq = n_get(attribute_identifier_list=["PatientName"])
    assert "attribute_identifier_list=AttributeTags([(0010,0010)])" in repr(rq)


def test_a_long_attribute_tags_is_shown_short_in_an_error() -> None:
    tags = dk.AttributeTags(range(0x00100000, 0x00100000 + 100_000))
    error = refused(
        lambda: dk.CStoreResponse(message_id_being_responded_to=1, status=0, offending_element=tags)
    )
    assert error.value == {"offending_element": tags, "status": 0}
    assert len(str(error)) < 500
    assert "AttributeTags([(0010,0000), (0010,0001)," in str(error)


@pytest.mark.parametrize(("bad", "rule", "value"), NOT_TAG_LISTS)
def test_attribute_tags_refuse_what_an_at_field_refuses(
    bad: object, rule: str, value: object
) -> None:
    error = refused(lambda: dk.AttributeTags(bad))  # type: ignore[arg-type]
    assert (error.message_class, error.fields) == ("AttributeTags", ("tags",))
    assert str(error).startswith("AttributeTags.tags: ")
    field_error = refused(lambda: store_failure(offending_element=bad))
    assert (error.rule, error.value, error.reference) == (
        field_error.rule,
        field_error.value,
        field_error.reference,
    )
    assert rule in error.rule and error.value == value


def test_attribute_tags_are_taken_as_they_are() -> None:
    tags = dk.AttributeTags(TAGS)
    assert dk.AttributeTags(tags) is tags
    assert store_failure(offending_element=tags).offending_element is tags
    assert n_get(attribute_identifier_list=dk.AttributeTags()).attribute_identifier_list == ()


def test_only_n_get_rq_takes_an_empty_attribute_identifier_list() -> None:
    # PS3.7 10.1.2.1.4: an empty list asks for all attributes
    assert n_get(attribute_identifier_list=[]).attribute_identifier_list == ()
    assert n_get().attribute_identifier_list is None
    listed = n_get(attribute_identifier_list=["PatientName", 0x00100020])
    assert listed.attribute_identifier_list == (0x00100010, 0x00100020)
    error = refused(lambda: n_get(attribute_identifier_list=["NoSuchKeyword"]))
    assert error.fields == ("attribute_identifier_list",)
    for cls in (dk.NGetResponse, dk.NSetResponse, dk.NCreateResponse):
        with pytest.raises(dk.InvalidMessageError) as caught:
            cls(message_id_being_responded_to=1, status=0x0105, attribute_identifier_list=[])
        assert caught.value.fields == ("attribute_identifier_list",)
        assert "at least one tag" in caught.value.rule


# --- LO: Error Comment (PS3.7 C.4.1, C.5: Default Character Repertoire only) ---------------


@pytest.mark.parametrize(
    ("given_text", "kept"),
    [
        ("disk full", "disk full"),
        ("  disk full ", "disk full"),
        (b"cannot store", "cannot store"),
        ("x" * 64, "x" * 64),
        (b"x" * 64, "x" * 64),
        (" " + "x" * 64 + " ", "x" * 64),
        ("a-b_c (d) [e] {f} ~!", "a-b_c (d) [e] {f} ~!"),
    ],
)
def test_error_comment_is_lo_text(given_text: str | bytes, kept: str) -> None:
    assert store_failure(error_comment=given_text).error_comment == kept


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        ("x" * 65, "at most 64"),
        ("a\\b", "without backslash"),
        ("line\nbreak", "control characters"),
        ("é", "Default Character Repertoire"),
        (b"\xe9", "Default Character Repertoire"),
        ("", "empty"),
        ("  ", "empty"),
        ("   ", "empty"),
        (404, "str or bytes"),
    ],
)
def test_bad_error_comments_are_refused_never_cut(bad: object, rule: str) -> None:
    error = refused(lambda: store_failure(error_comment=bad))
    assert error.fields == ("error_comment",)
    assert rule in error.rule
    assert "CStoreResponse.error_comment" in str(error)


@pytest.mark.parametrize(
    ("text", "fitted"),
    [
        ("short", "short"),
        ("x" * 64, "x" * 64),
        ("x" * 70, "x" * 64),
        ("  padded  ", "padded"),
        ("naïve\\path", "na?ve?path"),
        ("tab\there", "tab?here"),
        ("a" * 63 + " b", "a" * 63),  # no trailing space left by the cut
        ("   ", "?"),
        ("", "?"),
    ],
)
def test_truncate_error_comment_is_the_explicit_helper(text: str, fitted: str) -> None:
    assert dk.truncate_error_comment(text) == fitted
    assert store_failure(error_comment=dk.truncate_error_comment(text)).error_comment == fitted


@given(st.text())
def test_truncate_error_comment_always_fits(text: str) -> None:
    fitted = dk.truncate_error_comment(text)
    assert 1 <= len(fitted) <= 64
    assert store_failure(error_comment=fitted).error_comment == fitted


# --- Priority (PS3.7 9.3.1.1) --------------------------------------------------------------


def test_priority_values() -> None:
    assert [(p.name, int(p)) for p in dk.Priority] == [("MEDIUM", 0), ("HIGH", 1), ("LOW", 2)]


def request_id(value: object) -> str:
    return getattr(value, "__name__", "values")


QR_REQUESTS: list[tuple[type[dk.Message], dict[str, Any]]] = [
    (dk.CFindRequest, {"affected_sop_class_uid": STUDY_MOVE, "identifier": b""}),
    (dk.CGetRequest, {"affected_sop_class_uid": STUDY_MOVE, "identifier": b""}),
    (dk.CMoveRequest, {"affected_sop_class_uid": STUDY_MOVE, "identifier": b"",
                       "move_destination": "B"}),
    (dk.CStoreRequest, {"affected_sop_class_uid": CT, "affected_sop_instance_uid": "1.2",
                        "data_set": b""}),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "values"), QR_REQUESTS, ids=request_id)
@pytest.mark.parametrize(
    ("given_priority", "kept"),
    [(0, dk.Priority.MEDIUM), (1, dk.Priority.HIGH), (2, dk.Priority.LOW), (dk.Priority.LOW,) * 2],
)
def test_priority_takes_plain_ints(
    cls: type[dk.Message], values: dict[str, Any], given_priority: int, kept: dk.Priority
) -> None:
    message: Any = cls(**{"message_id": 1, "priority": given_priority, **values})
    assert message.priority is kept
    assert type(message.priority) is dk.Priority
    default: Any = cls(**{"message_id": 1, **values})
    assert default.priority is dk.Priority.MEDIUM


@pytest.mark.parametrize(("cls", "values"), QR_REQUESTS, ids=request_id)
@pytest.mark.parametrize("bad", [3, -1, 0xFFFF, True, 1.0, "HIGH", None])
def test_priority_refuses_other_values(
    cls: type[dk.Message], values: dict[str, Any], bad: object
) -> None:
    error = refused(lambda: cls(**{"message_id": 1, "priority": bad, **values}))
    assert error.message_class == cls.__name__
    assert error.fields == ("priority",)
    assert error.value is bad
    assert "0 (MEDIUM), 1 (HIGH) or 2 (LOW)" in error.rule
    assert error.reference == "PS3.7 9.3.1.1"


# to_priority's shortcut for a plain int, against its general path


def general_to_priority(value: object) -> object:
    if type(value) is Priority:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    try:
        return Priority(value)
    except (ValueError, TypeError):
        return value


@pytest.mark.parametrize(
    "value", [-1, 0, 1, 2, 3, 0x10000, True, False, 1.0, "1", None, Priority.LOW, IntEnumOne.ONE]
)
def test_to_priority_shortcut(value: object) -> None:
    got, want = to_priority(value), general_to_priority(value)  # type: ignore[arg-type]
    assert type(got) is type(want)
    assert got == want
    if type(want) is Priority:
        assert got is want


# --- CommandField (PS3.7 E.1, and the tables of 9.3 and 10.3) ------------------------------

CODES = {
    "C-STORE-RQ": 0x0001, "C-STORE-RSP": 0x8001, "C-GET-RQ": 0x0010, "C-GET-RSP": 0x8010,
    "C-FIND-RQ": 0x0020, "C-FIND-RSP": 0x8020, "C-MOVE-RQ": 0x0021, "C-MOVE-RSP": 0x8021,
    "C-ECHO-RQ": 0x0030, "C-ECHO-RSP": 0x8030, "N-EVENT-REPORT-RQ": 0x0100,
    "N-EVENT-REPORT-RSP": 0x8100, "N-GET-RQ": 0x0110, "N-GET-RSP": 0x8110,
    "N-SET-RQ": 0x0120, "N-SET-RSP": 0x8120, "N-ACTION-RQ": 0x0130, "N-ACTION-RSP": 0x8130,
    "N-CREATE-RQ": 0x0140, "N-CREATE-RSP": 0x8140, "N-DELETE-RQ": 0x0150,
    "N-DELETE-RSP": 0x8150, "C-CANCEL-RQ": 0x0FFF,
}  # fmt: skip


def test_command_field_has_all_23_codes() -> None:
    assert len(dk.CommandField) == 23
    assert {field.message_name: int(field) for field in dk.CommandField} == CODES


@pytest.mark.parametrize(("name", "code"), sorted(CODES.items()))
def test_command_field_members(name: str, code: int) -> None:
    field = dk.CommandField(code)
    assert field.name == name.replace("-", "_")
    assert field.message_name == name
    assert field.service == name.rsplit("-", 1)[0]
    assert field.is_response == name.endswith("-RSP")
    if field.is_response:  # a response is its request with bit 15 set
        assert dk.CommandField(code & 0x7FFF).message_name == name[:-3] + "RQ"
    assert dk.MESSAGE_CLASSES[field].command_field is field


def test_c_cancel_has_no_response() -> None:
    assert 0x8FFF not in {int(field) for field in dk.CommandField}
    assert dk.CommandField.C_CANCEL_RQ.service == "C-CANCEL"
    with pytest.raises(ValueError, match="0"):
        dk.CommandField(0x0000)  # DCMTK's DIMSE_NOTHING is no wire value


# --- attribute names from keywords (issue section 3) ---------------------------------------

# name -> (tag, VR) as the registry of PS3.7 E.1 lists them
NAMES: dict[str, tuple[int, str]] = {
    "message_id": (0x0110, "US"),
    "message_id_being_responded_to": (0x0120, "US"),
    "affected_sop_class_uid": (0x0002, "UI"),
    "affected_sop_instance_uid": (0x1000, "UI"),
    "requested_sop_class_uid": (0x0003, "UI"),
    "requested_sop_instance_uid": (0x1001, "UI"),
    "priority": (0x0700, "US"),
    "move_destination": (0x0600, "AE"),
    "status": (0x0900, "US"),
    "offending_element": (0x0901, "AT"),
    "error_comment": (0x0902, "LO"),
    "error_id": (0x0903, "US"),
    "event_type_id": (0x1002, "US"),
    "attribute_identifier_list": (0x1005, "AT"),
    "action_type_id": (0x1008, "US"),
    "number_of_remaining_suboperations": (0x1020, "US"),
    "number_of_completed_suboperations": (0x1021, "US"),
    "number_of_failed_suboperations": (0x1022, "US"),
    "number_of_warning_suboperations": (0x1023, "US"),
    "move_originator_application_entity_title": (0x1030, "AE"),
    "move_originator_message_id": (0x1031, "US"),
}
BY_TAG = {spec.tag: spec for spec in dk.COMMAND_ELEMENTS}


@pytest.mark.parametrize(("name", "tag", "vr"), [(n, *t) for n, t in NAMES.items()])
def test_each_name_is_its_keyword_in_snake_case(name: str, tag: int, vr: str) -> None:
    spec = BY_TAG[tag]
    assert dk.attribute_name(spec.keyword) == name
    assert spec.name == name
    assert spec.vr == vr
    assert not spec.retired
    assert spec.tag_text == f"(0000,{tag:04X})"


@pytest.mark.parametrize(
    ("keyword", "name"),
    [
        ("MessageIDBeingRespondedTo", "message_id_being_responded_to"),
        ("AffectedSOPClassUID", "affected_sop_class_uid"),
        ("MoveOriginatorApplicationEntityTitle", "move_originator_application_entity_title"),
        ("ErrorID", "error_id"),
        ("CommandGroupLength", "command_group_length"),
        ("PatientID", "patient_id"),
        ("SOPInstanceUID", "sop_instance_uid"),
    ],
)
def test_attribute_name_rule(keyword: str, name: str) -> None:
    assert dk.attribute_name(keyword) == name


def test_message_fields_are_exactly_the_named_elements_and_data_sets() -> None:
    used = {name for cls in dk.MESSAGE_CLASSES.values() for name in cls.requirements()}
    assert used == set(NAMES) | DATA_SET_NAMES


def test_command_dictionary_has_each_tag_once() -> None:
    tags = [spec.tag for spec in dk.COMMAND_ELEMENTS]
    assert len(tags) == len(set(tags))
    assert tags == sorted(tags)
    assert len({spec.keyword for spec in dk.COMMAND_ELEMENTS}) == len(tags)


# --- the error type ------------------------------------------------------------------------


def test_invalid_message_error_pickles_with_its_attributes() -> None:
    error = refused(lambda: dk.CEchoRequest(message_id=-1))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is dk.InvalidMessageError
    assert (copy.message_class, copy.fields, copy.value, copy.rule, copy.reference) == (
        "CEchoRequest",
        ("message_id",),
        -1,
        error.rule,
        "PS3.5 6.2",
    )
    assert str(copy) == str(error)


def test_long_values_are_shortened_in_the_message() -> None:
    error = refused(lambda: move("A" * 500))
    assert error.value == "A" * 500
    assert len(str(error)) < 400
    assert "..." in str(error)


# --- each rule declared once: the validators and the inline forms the fast paths take ----

_SAMPLES: list[object] = [
    None, 0, 1, 2, 3, -1, 65535, 65536, 2**64, True, False, 1.0, "", " ", "A", "STORESCP",
    "A" * 16, "A" * 17, "x" * 64, "x" * 65, "a\\b", "é", "\t", "\x7f", "~", "1.2.3", "1.02",
    "1..2", "1.2.", ".1", "0", "00", "0.0", "1" * 64, "1" * 65, UID("1.2.3"),
    str.__new__(UID, "1.02"), str.__new__(UID, ""), StrSubclass("1.2.3"),
    StrSubclass("STORESCP"), b"1.2.3", Priority.HIGH, IntEnumOne.ONE, dk.Status(0),
    dk.Status(0xFF00), dk.Status(0xFE00), dk.Status(0xC000), dk.AttributeTags([]),
    dk.AttributeTags([0x00100010]), (0x00100010,), [0x00100010], dk.DataSetPayload(b""),
    bytearray(b""),
]  # fmt: skip


def _hand_declared_checks() -> list[tuple[Any, Any]]:
    """The inline forms declared by hand: of validators that are no :class:`ValueRule`'s."""
    from dimsekit._model import value_rules

    return sorted(
        (
            (check, form)
            for check, form in value_rules.INLINE_CHECKS.items()
            if check not in value_rules.VALUE_RULES
        ),
        key=lambda item: getattr(item[0], "__name__", ""),
    )


def _holds(form: Any, cls: Any = None) -> Any:
    from dimsekit._codegen import compile_function

    source = f"def holds(v):\n    return {form.of('v')}\n"
    return compile_function(source, "holds", "test holds", form.names_for(cls))


@pytest.mark.parametrize(
    ("validator", "form"),
    _hand_declared_checks(),
    ids=lambda item: getattr(item, "__name__", ""),
)
def test_a_hand_declared_inline_form_holds_only_for_what_its_validator_accepts(
    validator: Any, form: Any
) -> None:
    """For each form declared by hand (not derived from a rule: the status check), on
    every sample and in every message class whose fields use the validator: where the
    form holds, the validator accepts, and it holds for some value."""
    import attrs

    from dimsekit.messages import MESSAGE_CLASSES

    uses = [
        (cls, field)
        for cls in MESSAGE_CLASSES.values()
        for field in attrs.fields(cls)
        if field.validator is validator
    ]
    held = 0
    for cls, field in uses:
        holds = _holds(form, cls)
        inst = object.__new__(cls)
        for value in _SAMPLES:
            if holds(value):
                held += 1
                validator(inst, field, value)  # must not raise
    assert held


def test_every_declared_form_but_the_status_and_remembered_checks_is_derived_from_a_rule() -> None:
    # The status check's words depend on the service; the SOP Class UID checks are the
    # UI rule's form with the memory of valid UIDs consulted first (checked against
    # check_uid by the agreement test above).
    assert [getattr(check, "__name__", "") for check, _ in _hand_declared_checks()] == [
        "_check_status",
        "check_optional_sop_class_uid",
        "check_sop_class_uid",
    ]


def _rules() -> list[tuple[str, Any]]:
    from dimsekit._model.value_rules import VALUE_RULES

    return sorted(
        ((validator.__name__, validator) for validator in VALUE_RULES), key=lambda item: item[0]
    )


@pytest.mark.parametrize(("name", "validator"), _rules(), ids=[name for name, _ in _rules()])
def test_a_rules_inline_form_is_the_conjunction_of_its_clauses(name: str, validator: Any) -> None:
    """The inline form is the rule's clauses joined by ``and``, in order (the first one
    replaced by the test of the exact type where the rule has one); the validator's
    generated source tests each clause in the same order, each with its own words."""
    import linecache

    from dimsekit._model.value_rules import INLINE_CHECKS, VALUE_RULES

    rule = VALUE_RULES[validator]
    form = INLINE_CHECKS[validator]
    assert form.covers_us == rule.covers_us
    tests = [clause.holds for clause in rule.clauses]
    if rule.exact is not None:
        exact = [alias for alias, kind in form.names.items() if kind is rule.exact]
        tests[0] = f"type({{v}}) is {exact[0] if exact else rule.exact.__name__}"
    conjunction = f"({' and '.join(tests)})"
    optional = name.startswith("check_optional_")
    assert form.expression == (f"({{v}} is None or {conjunction})" if optional else conjunction)
    assert form.names.items() >= rule.names.items()
    source = "".join(linecache.getlines(validator.__code__.co_filename))
    assert source.startswith(f"def {name}(inst, attribute, value):\n")
    assert ("if value is None:" in source) is optional
    tested = source.split("\n    if not (")[1:]  # each clause's test and its refusal
    assert len(tested) == len(rule.clauses)
    for index, (clause, lines) in enumerate(zip(rule.clauses, tested, strict=True)):
        assert lines.startswith(f"{clause.holds.format(v='value')}):\n        _refuse(")
        words = repr(clause.words) if isinstance(clause.words, str) else f"_words_{index}(value)"
        assert f", {words}, {clause.reference!r})" in lines


# Values that break each clause of each rule: (validator, value, index of the clause).
_BREAKS: list[tuple[str, object, int]] = [
    ("check_uid", 123, 0), ("check_uid", b"1.2", 0), ("check_uid", None, 0),
    ("check_uid", "", 1), ("check_uid", "1" * 65, 1), ("check_uid", "1.a", 2),
    ("check_uid", "1..2", 2), ("check_uid", "1.02", 2), ("check_uid", StrSubclass("1.02"), 2),
    ("check_ae", 7, 0), ("check_ae", "", 1), ("check_ae", "A" * 17, 2), ("check_ae", "a\\b", 3),
    ("check_ae", "\x7f", 3), ("check_lo", b"x", 0), ("check_lo", "", 1),
    ("check_lo", "x" * 65, 2), ("check_lo", "é", 3), ("check_us", True, 0),
    ("check_us", 1.0, 0), ("check_us", "7", 0), ("check_us", -1, 1), ("check_us", 65536, 1),
    ("check_tags", "PatientName", 0), ("check_tags", (0x10, 0x10), 0),
    ("check_tags", dk.AttributeTags([]), 1), ("check_tags_may_be_empty", 5, 0),
    ("check_priority", 1, 0), ("check_payload", b"", 0),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value", "index"), _BREAKS)
def test_each_clause_refusing_gives_its_own_words(name: str, value: object, index: int) -> None:
    """The first clause a value breaks is what the validator raises and what the rule's
    ``problem`` gives: its words (for the UID syntax, which of PS3.5 9.1's rules) and
    its reference; the value named is the value (an AT list the converter could not
    read: what it could not read)."""
    import attrs

    from dimsekit._model.value_rules import VALUE_RULES
    from dimsekit._model.vr import to_optional_tags

    validator = dict(_rules())[name]
    rule = VALUE_RULES[validator]
    clause = rule.clauses[index]
    given = to_optional_tags(value) if name.startswith("check_tags") else value  # type: ignore[arg-type]
    words = clause.words if isinstance(clause.words, str) else clause.words(given)
    assert rule.problem(given) == (words, clause.reference)
    field = attrs.fields(dk.CEchoRequest).message_id
    with pytest.raises(dk.InvalidMessageError) as caught:
        validator(object.__new__(dk.CEchoRequest), field, given)
    error = caught.value
    assert (error.message_class, error.fields) == ("CEchoRequest", ("message_id",))
    assert (error.rule, error.reference) == (words, clause.reference)
    assert error.value is (clause.shown(given) if clause.shown is not None else given)


def test_every_clause_of_every_rule_has_a_value_that_breaks_it() -> None:
    from dimsekit._model.value_rules import VALUE_RULES

    broken = {(name, index) for name, _, index in _BREAKS}
    for name, validator in _rules():
        if not name.startswith("check_optional_"):
            clauses = range(len(VALUE_RULES[validator].clauses))
            assert {(name, index) for index in clauses} <= broken, name


def _refusal(validator: Any, inst: object, field: Any, value: object) -> Any:
    """The error ``validator`` refuses ``value`` with, or None."""
    try:
        validator(inst, field, value)
    except dk.InvalidMessageError as error:
        return error
    return None


@pytest.mark.parametrize(("name", "validator"), _rules(), ids=[name for name, _ in _rules()])
def test_a_rules_validator_and_inline_form_agree(name: str, validator: Any) -> None:
    """On every sample: where the inline form holds, the validator accepts and the rule
    finds no problem; where the validator accepts a value of the rule's exact type (or
    None, for an optional field), the inline form holds too: it is stricter only in the
    type.  A value the validator accepts is what ``problem`` finds no fault with."""
    import attrs

    from dimsekit._model.value_rules import INLINE_CHECKS, VALUE_RULES

    rule = VALUE_RULES[validator]
    holds = _holds(INLINE_CHECKS[validator])
    field = attrs.fields(dk.CEchoRequest).message_id
    inst = object.__new__(dk.CEchoRequest)
    accepted = 0
    for value in _SAMPLES:
        error = _refusal(validator, inst, field, value)
        if error is not None:
            assert not holds(value), value
            assert rule.problem(value) == (error.rule, error.reference)
            continue
        accepted += 1
        assert value is None or rule.problem(value) is None
        if value is None or rule.exact is None or type(value) is rule.exact:
            assert holds(value), value
    assert accepted


def test_a_subclass_of_the_exact_type_goes_to_the_validator() -> None:
    """The inline forms test the converter's own type, so a subclass is left to the
    validator, which takes it by the rule's first clause."""
    import attrs

    from dimsekit._model.value_rules import INLINE_CHECKS
    from dimsekit._model.vr import check_ae, check_uid, check_us

    for validator, value in [
        (check_uid, StrSubclass("1.2.3")),
        (check_ae, StrSubclass("STORESCP")),
        (check_us, IntEnumOne.ONE),
    ]:
        assert not _holds(INLINE_CHECKS[validator])(value)
        field = attrs.fields(dk.CEchoRequest).message_id
        validator(object.__new__(dk.CEchoRequest), field, value)  # accepted


def test_covers_us_is_derived_from_the_rules_clauses() -> None:
    """A rule covers US when its exact type is int and its other clauses are spans that
    take 0 to 65535; then its inline form does hold for every such value."""
    from dimsekit._model.value_rules import VALUE_RULES, Clause, ValueRule
    from dimsekit._model.vr import US_RULE, check_us

    assert US_RULE.covers_us and VALUE_RULES[check_us] is US_RULE
    holds = _holds(US_RULE.inline)
    assert all(holds(value) for value in range(0x10000))
    narrower = ValueRule(
        "n", (US_RULE.clauses[0], Clause.between(0, 0xFFFE, "at most 65534", "-")), exact=int
    )
    assert not narrower.covers_us and not narrower.inline.covers_us
    unspanned = ValueRule(
        "u", (US_RULE.clauses[0], Clause("{v} >= 0", "not negative", "-")), exact=int
    )
    assert not unspanned.covers_us  # what the clause takes is not known
    for validator, rule in VALUE_RULES.items():
        assert rule.covers_us is (rule is US_RULE), validator.__name__


@pytest.fixture
def declarations() -> Any:
    """The registries of inline forms and rules, as they were after the test."""
    from dimsekit._model.value_rules import INLINE_CHECKS, VALUE_RULES

    forms, rules = dict(INLINE_CHECKS), dict(VALUE_RULES)
    yield
    INLINE_CHECKS.clear()
    INLINE_CHECKS.update(forms)
    VALUE_RULES.clear()
    VALUE_RULES.update(rules)


@pytest.mark.usefixtures("declarations")
def test_a_new_rule_derives_its_validator_problem_and_form() -> None:
    """A rule stated as clauses: the words may be a function of the value, the value
    named another; a clause that binds more loosely than ``and`` keeps its sense in the
    inline form; the validator and its form are declared together."""
    import attrs

    from dimsekit._model.value_rules import INLINE_CHECKS, VALUE_RULES, Clause, ValueRule

    rule = ValueRule(
        "ODD",
        (
            Clause("isinstance({v}, int)", "an int", "X 1", shown=repr),
            Clause("{v} == 1 or {v} % 2 == 1", lambda value: f"{value} is even", "X 2"),
        ),
        doc="An odd int.",
    )
    assert rule.inline.expression == "(isinstance({v}, int) and ({v} == 1 or {v} % 2 == 1))"
    assert rule.problem(3) is None
    assert rule.problem(4) == ("4 is even", "X 2")
    assert rule.problem("a") == ("an int", "X 1")
    check = rule.validator("check_odd_probe", module=__name__)
    assert (check.__name__, check.__doc__, check.__module__) == (
        "check_odd_probe",
        "An odd int.",
        __name__,  # the module declaring it
    )
    assert INLINE_CHECKS[check] is rule.inline and VALUE_RULES[check] is rule
    holds = _holds(rule.inline)
    assert [holds(value) for value in (3, 4, "a")] == [True, False, False]
    inst = object.__new__(dk.CEchoRequest)
    field = attrs.fields(dk.CEchoRequest).message_id
    with pytest.raises(dk.InvalidMessageError) as caught:
        check(inst, field, "a")
    assert (caught.value.value, caught.value.rule) == ("'a'", "an int")
    with pytest.raises(dk.InvalidMessageError, match="4 is even"):
        check(inst, field, 4)
    check(inst, field, 5)


@pytest.mark.usefixtures("declarations")
def test_optional_of_a_validator_without_a_rule_wraps_it() -> None:
    import attrs

    from dimsekit._model.value_rules import (
        INLINE_CHECKS,
        VALUE_RULES,
        InlineCheck,
        declare_inline,
        optional,
    )

    calls: list[object] = []

    def check_probe(inst: object, attribute: Any, value: object) -> None:
        calls.append(value)

    declare_inline(check_probe, InlineCheck("({v} == 1)"))
    made = optional(check_probe, "check_optional_probe", module=__name__)
    assert made not in VALUE_RULES
    assert INLINE_CHECKS[made].expression == "({v} is None or ({v} == 1))"
    assert made.__doc__ == "As check_probe, letting None (no element) pass."
    field = attrs.fields(dk.CEchoRequest).message_id
    made(None, field, None)
    made(None, field, 2)
    assert calls == [2]


def test_every_validator_of_a_message_field_has_a_declared_inline_form() -> None:
    import attrs

    from dimsekit._model.value_rules import INLINE_CHECKS
    from dimsekit.messages import MESSAGE_CLASSES

    validators = {
        field.validator
        for cls in MESSAGE_CLASSES.values()
        for field in attrs.fields(cls)
        if field.validator is not None
    }
    assert validators <= set(INLINE_CHECKS)


def test_an_optional_validator_and_its_form_are_derived_from_the_required_one() -> None:
    from dimsekit._model.payload import check_optional_payload, check_payload
    from dimsekit._model.value_rules import INLINE_CHECKS
    from dimsekit._model.vr import (
        check_ae,
        check_lo,
        check_optional_ae,
        check_optional_lo,
        check_optional_sop_class_uid,
        check_optional_tags,
        check_optional_uid,
        check_optional_us,
        check_sop_class_uid,
        check_tags,
        check_uid,
        check_us,
    )

    pairs = [
        (check_uid, check_optional_uid),
        (check_sop_class_uid, check_optional_sop_class_uid),
        (check_ae, check_optional_ae),
        (check_lo, check_optional_lo),
        (check_us, check_optional_us),
        (check_tags, check_optional_tags),
        (check_payload, check_optional_payload),
    ]
    for required, optional in pairs:
        form = INLINE_CHECKS[required]
        assert INLINE_CHECKS[optional].expression == f"({{v}} is None or {form.expression})"
        assert INLINE_CHECKS[optional].names == form.names
        assert optional.__name__ == f"check_optional_{required.__name__[len('check_') :]}"


def test_the_text_rules_name_what_they_refuse_without_a_message() -> None:
    """The AE rule serves what is no command element too (an A-ASSOCIATE-RQ's AE
    titles follow it, PS3.8 9.3.2): the same words the validator raises with."""
    from dimsekit._model.vr import AE_TEXT, LO_TEXT

    assert AE_TEXT.problem("STORESCP") is None
    assert (AE_TEXT.maximum, LO_TEXT.maximum) == (16, 64)
    assert AE_TEXT.problem is AE_TEXT.rule.problem  # the rule's own, compiled from it
    assert AE_TEXT.problem("A" * 17) == (
        "an AE title has at most 16 significant characters",
        "PS3.5 6.2",
    )
    assert AE_TEXT.problem(b"X") == ("an AE title must be str or bytes", "PS3.5 6.2")
    assert LO_TEXT.problem("a\\b") == (
        "command set text uses only the Default Character Repertoire, "
        "without backslash or control characters",
        "PS3.7 C.4.1, PS3.5 6.2",
    )
    with pytest.raises(dk.InvalidMessageError, match="at most 16 significant"):
        dk.CMoveRequest(
            message_id=1, affected_sop_class_uid=STUDY_MOVE, move_destination="A" * 17,
            identifier=b"",
        )  # fmt: skip


def test_a_second_inline_form_for_a_validator_is_refused() -> None:
    from dimsekit._model.value_rules import INLINE_CHECKS, InlineCheck, declare_inline
    from dimsekit._model.vr import check_uid

    with pytest.raises(ValueError, match="check_uid has an inline form already"):
        declare_inline(check_uid, InlineCheck("True"))
    assert INLINE_CHECKS[check_uid].expression != "True"


def test_one_memory_of_uids_serves_building_and_decoding() -> None:
    """A SOP Class UID decoded is remembered, and so is one built; a message built with a
    remembered text takes the remembered UID; and what is remembered passes both fast
    paths unchecked (shown with a text planted there that no check accepts, which both
    refuse once it is forgotten)."""
    from dimsekit._codec.fast_decode import decode_canonical
    from dimsekit._model.vr import KNOWN_UIDS, forget_uids

    forget_uids()
    decoded = decode_canonical(dk.encode_command(echo("1.2.840.10008.1.1.5")))
    assert isinstance(decoded, dk.CEchoRequest)
    assert set(KNOWN_UIDS) == {"1.2.840.10008.1.1.5"}
    remembered = KNOWN_UIDS["1.2.840.10008.1.1.5"]
    assert echo("1.2.840.10008.1.1.5").affected_sop_class_uid is remembered
    assert echo("1.2.840.10008.1.1.77").affected_sop_class_uid == "1.2.840.10008.1.1.77"
    assert set(KNOWN_UIDS) == {"1.2.840.10008.1.1.5", "1.2.840.10008.1.1.77"}
    assert all(type(uid) is UID and uid == text for text, uid in KNOWN_UIDS.items())
    KNOWN_UIDS["1.02"] = str.__new__(UID, "1.02")  # a leading zero: never remembered, planted
    encoded = dk.encode_command(echo("1.02"))
    assert isinstance(decode_canonical(encoded), dk.CEchoRequest)
    forget_uids()
    with pytest.raises(dk.InvalidMessageError, match="no leading zero"):
        echo("1.02")
    assert decode_canonical(encoded) is None


def test_a_sop_class_uid_is_refused_in_check_uids_words() -> None:
    """check_sop_class_uid is check_uid's rule (its inline form only remembers): the
    same refusal, word for word, on every path that builds a message."""
    from dimsekit._model.vr import (
        KNOWN_UIDS,
        check_optional_sop_class_uid,
        check_sop_class_uid,
        check_uid,
    )

    field = attrs.fields(dk.CEchoRequest).affected_sop_class_uid
    inst = object.__new__(dk.CEchoRequest)
    for bad in ["", "1.02", "1..2", "1.a", "1." + "2" * 63, b"1.2", 5]:
        refusals = []
        for check in (check_uid, check_sop_class_uid, check_optional_sop_class_uid):
            with pytest.raises(dk.InvalidMessageError) as raised:
                check(inst, field, bad)
            refusals.append(str(raised.value))
        assert refusals[0] == refusals[1] == refusals[2], bad
        if isinstance(bad, str):
            with pytest.raises(dk.InvalidMessageError) as built:
                dk.CEchoRequest(message_id=1, affected_sop_class_uid=bad)
            assert str(built.value) == refusals[0]
    assert not set(KNOWN_UIDS) & {"", "1.02", "1..2", "1.a"}
    check_optional_sop_class_uid(inst, field, None)


def test_the_fields_that_hold_a_sop_class_uid_are_checked_as_one() -> None:
    """Affected and Requested SOP Class UID (PS3.7 E.1), in every message that has
    them, and no other field, use check_sop_class_uid and to_sop_class_uid (whose
    inline forms consult the memory)."""
    from dimsekit._model.fields import BY_NAME
    from dimsekit._model.vr import (
        check_optional_sop_class_uid,
        check_sop_class_uid,
        to_optional_sop_class_uid,
        to_sop_class_uid,
    )
    from dimsekit.messages import MESSAGE_CLASSES

    sop_class_checks = {check_sop_class_uid, check_optional_sop_class_uid}
    sop_class_converters = {to_sop_class_uid, to_optional_sop_class_uid}
    seen = set()
    for cls in MESSAGE_CLASSES.values():
        for field in attrs.fields(cls):
            spec = BY_NAME.get(field.name)
            keyword = "" if spec is None else spec.keyword
            holds_sop_class = keyword.endswith("SOPClassUID")
            assert (field.validator in sop_class_checks) is holds_sop_class, (cls, field.name)
            assert (field.converter in sop_class_converters) is holds_sop_class, field.name
            if holds_sop_class:
                seen.add(keyword)
    assert seen == {"AffectedSOPClassUID", "RequestedSOPClassUID"}
