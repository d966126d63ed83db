"""``dimsekit find``, ``get`` and ``move``: ``main([...])`` run in-process against the
scripted peer (in a thread with its own loop), and as a user runs them, in a subprocess,
for Ctrl-C; the ``-k`` keys and the lines a match is printed as, on their own."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shlex
import signal
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

import dimsekit as dk
from dimsekit import aio
from dimsekit.cli import main
from dimsekit.cli._retrieve import (
    COMMON_STORAGE_CLASSES,
    build_identifier,
    match_line,
    parse_key,
    query_level,
    storage_class,
)

from .helpers import CT, INSTANCE, MR, ThreadServer, counters, run_bounded, sub_operation
from .scripted_peer import ScriptedConnection, accept_all, scripted_acceptor
from .test_aio import instance

TIMEOUT = 30.0
POLICY: dict[str, Any] = {
    "abstract_syntaxes": {
        **dict.fromkeys(
            (*dk.STUDY_ROOT.sop_classes, *dk.PATIENT_ROOT.sop_classes, dk.MODALITY_WORKLIST.find),
            (ExplicitVRLittleEndian,),
        ),
        CT: (ExplicitVRLittleEndian,),
    },
    "roles": {CT: (False, True)},
}
Script = Callable[[ScriptedConnection], Awaitable[None]]


@contextlib.contextmanager
def scripted_peer(script: Script) -> Iterator[int]:
    """The scripted peer on 127.0.0.1 in a thread of its own (``main`` runs its own loop);
    yields its port; a script that failed fails the test at the end."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    ready: asyncio.Future[int] = loop.create_future()
    done = asyncio.Event()

    async def hold() -> None:
        async with scripted_acceptor(script) as (_, port):
            ready.set_result(port)
            await done.wait()

    held = asyncio.run_coroutine_threadsafe(hold(), loop)
    try:
        yield asyncio.run_coroutine_threadsafe(asyncio.wait_for(ready, TIMEOUT), loop).result()
    finally:
        loop.call_soon_threadsafe(done.set)
        try:
            held.result(TIMEOUT)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(TIMEOUT)
            loop.close()


async def requested(peer: ScriptedConnection, seen: list[Any]) -> dk.RequestReceived:
    """The AC sent (what was proposed kept in ``seen``), then the first request."""
    seen.append(await accept_all(peer, **POLICY))
    event = await peer.expect(dk.RequestReceived)
    seen.append(event.request)
    return event


def answer(peer: ScriptedConnection, event: dk.RequestReceived, status: int, **fields: Any) -> None:
    peer.send_message(event.operation.context_id, event.request.response(status=status, **fields))


async def released(peer: ScriptedConnection) -> None:
    await peer.expect(dk.ReleaseRequested)
    peer.send(dk.ReleaseResponse())


def study(number: int, **values: object) -> Dataset:
    data_set = Dataset()
    data_set.QueryRetrieveLevel = "STUDY"
    data_set.PatientName = "Doe^Jane"
    data_set.StudyInstanceUID = f"{INSTANCE}.{number}"
    for keyword, value in values.items():
        setattr(data_set, keyword, value)
    return data_set


def identifier_of(request: object) -> Dataset:
    assert isinstance(request, dk.CFindRequest | dk.CGetRequest | dk.CMoveRequest)
    assert request.identifier is not None
    return request.identifier.to_dataset(ExplicitVRLittleEndian)


# --- keys and lines ---------------------------------------------------------------------


def test_keys_as_findscu_takes_them_make_the_identifier() -> None:
    keys = [
        parse_key(text)
        for text in (
            "PatientName=DOE*",
            "StudyInstanceUID",
            "(0008,0061)=CT\\MR",
            "0010,0020=P1",
            "PatientName=SMITH*",  # a later key replaces an earlier one
            "ScheduledProcedureStepSequence[1].Modality=MR",
            "ReferencedStudySequence",
            "Rows=512",
        )
    ]
    identifier = build_identifier(keys, "STUDY")
    assert identifier.QueryRetrieveLevel == "STUDY"
    assert identifier.PatientName == "SMITH*"
    assert identifier["StudyInstanceUID"].value in (None, "")  # a return key: no value
    assert list(identifier.ModalitiesInStudy) == ["CT", "MR"]
    assert identifier.PatientID == "P1"
    steps = identifier.ScheduledProcedureStepSequence
    assert len(steps) == 2 and steps[1].Modality == "MR" and "Modality" not in steps[0]
    assert identifier.ReferencedStudySequence == Sequence()
    assert identifier.Rows == 512


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Bogus=1", "'Bogus' (in 'Bogus=1') is no keyword or tag of the DICOM data dictionary"),
        ("(0011,1111)=x", "'(0011,1111)' (in '(0011,1111)=x') is no keyword or tag"),
        ("=DOE", "names no attribute"),
        (
            "PatientName[0].PatientID=1",
            "PatientName (in 'PatientName[0].PatientID=1') is no sequence",
        ),
        ("ReferencedStudySequence=1.2", "a sequence takes no value"),
        ("ReferencedStudySequence[0]", "give a key within the item"),
        ("Rows=many", "'many' is no value of VR US"),
        ("PixelData=abc", "a value of VR OB cannot be given as text"),
    ],
)
def test_a_bad_key_is_refused_before_connecting(
    text: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["find", "-k", text, "127.0.0.1", "1"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "dimsekit find: error: argument -k/--key: " in err
    assert words in err


def test_the_level_is_study_by_default_and_must_be_one_of_the_models() -> None:
    assert query_level(dk.STUDY_ROOT, [], None) == "STUDY"
    assert query_level(dk.PATIENT_ROOT, [], "patient") == "PATIENT"
    assert query_level(dk.STUDY_ROOT, [parse_key("QueryRetrieveLevel=SERIES")], None) == "SERIES"
    assert query_level(dk.MODALITY_WORKLIST, [], None) is None
    asked = [parse_key("QueryRetrieveLevel")]  # no value: the level all the same
    assert build_identifier(asked, query_level(dk.STUDY_ROOT, asked, None)).QueryRetrieveLevel == (
        "STUDY"
    )
    with pytest.raises(ValueError, match="'PATIENT' is none of the study root model's"):
        query_level(dk.STUDY_ROOT, [], "PATIENT")
    with pytest.raises(ValueError, match="disagree"):
        query_level(dk.STUDY_ROOT, [parse_key("QueryRetrieveLevel=SERIES")], "IMAGE")
    with pytest.raises(ValueError, match="worklist information model has no --level"):
        query_level(dk.MODALITY_WORKLIST, [], "STUDY")


def test_a_level_the_model_has_not_exits_2_before_connecting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["get", "-S", "--level", "patient", "127.0.0.1", "1"]) == 2
    assert capsys.readouterr().err == (
        "dimsekit get: level 'PATIENT' is none of the study root model's: STUDY, SERIES, IMAGE\n"
    )


def test_a_match_line_is_keyword_value_pairs_that_split_as_keys_again() -> None:
    match = study(1, StudyDescription="CT head 'plain'", ModalitiesInStudy=["CT", "MR"])
    match.ReferencedStudySequence = [Dataset()]
    match.ReferencedStudySequence[0].ReferencedSOPInstanceUID = "1.2.3"
    match.add_new(0x00091001, "LO", "private")
    match.ProcedureCodeSequence = []
    line = match_line(match)
    pairs = shlex.split(line)
    assert pairs == [  # in the order of their tags
        "QueryRetrieveLevel=STUDY",
        "ModalitiesInStudy=CT\\MR",
        "StudyDescription=CT head 'plain'",
        "ProcedureCodeSequence=",
        "ReferencedStudySequence[0].ReferencedSOPInstanceUID=1.2.3",
        "(0009,1001)=private",
        "PatientName=Doe^Jane",
        "StudyInstanceUID=" + f"{INSTANCE}.1",
    ]
    # each pair a key again (those of the dictionary)
    again = build_identifier([parse_key(p) for p in pairs if not p.startswith("(0009")], None)
    assert again.StudyDescription == "CT head 'plain'"
    assert again.ReferencedStudySequence[0].ReferencedSOPInstanceUID == "1.2.3"


# --- find -------------------------------------------------------------------------------


def test_find_prints_each_match_then_the_count_and_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen: list[Any] = []

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer, seen)
        for number in (1, 2):
            answer(peer, event, 0xFF00, identifier=study(number))
        answer(peer, event, 0x0000)
        await released(peer)

    with scripted_peer(script) as port:
        argv = ["find", "-aec", "QRSCP", "-k", "PatientName=DOE*", "-k", "StudyInstanceUID"]
        assert main([*argv, "127.0.0.1", str(port)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"QueryRetrieveLevel=STUDY PatientName=Doe^Jane StudyInstanceUID={INSTANCE}.{n}"
        for n in (1, 2)
    ]
    assert err == (
        "2 matches, status 0x0000 (success): Matching is complete; no final Identifier is "
        "supplied\n"
    )
    rq, request = seen
    assert [c.abstract_syntax for c in rq.presentation_contexts] == [dk.STUDY_ROOT.find]
    assert rq.called_ae_title == "QRSCP"
    asked = identifier_of(request)
    assert asked.QueryRetrieveLevel == "STUDY" and asked.PatientName == "DOE*"
    assert "StudyInstanceUID" in asked and not asked.StudyInstanceUID


def test_find_json_prints_one_dicom_json_object_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer, [])
        answer(peer, event, 0xFF00, identifier=study(1))
        answer(peer, event, 0x0000)
        await released(peer)

    with scripted_peer(script) as port:
        assert main(["find", "--json", "127.0.0.1", str(port)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line) == {
        "00080052": {"vr": "CS", "Value": ["STUDY"]},
        "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane"}]},
        "0020000D": {"vr": "UI", "Value": [f"{INSTANCE}.1"]},
    }
    assert Dataset.from_json(line) == study(1)


@pytest.mark.parametrize(
    ("flags", "model", "level"),
    [
        (["-P", "--level", "PATIENT"], dk.PATIENT_ROOT, "PATIENT"),
        (["-S", "-k", "QueryRetrieveLevel=SERIES"], dk.STUDY_ROOT, "SERIES"),
        (["-W", "-k", "ScheduledProcedureStepSequence[0].Modality=MR"], dk.MODALITY_WORKLIST, None),
    ],
)
def test_find_in_each_information_model(
    flags: list[str], model: dk.QueryModel, level: str | None
) -> None:
    seen: list[Any] = []

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer, seen)
        answer(peer, event, 0x0000)
        await released(peer)

    with scripted_peer(script) as port:
        assert main(["find", *flags, "127.0.0.1", str(port)]) == 0
    rq, request = seen
    assert [c.abstract_syntax for c in rq.presentation_contexts] == [model.find]
    asked = identifier_of(request)
    assert asked.get("QueryRetrieveLevel") == level
    if model is dk.MODALITY_WORKLIST:
        assert asked.ScheduledProcedureStepSequence[0].Modality == "MR"


def test_find_of_a_failure_status_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer, [])
        answer(peer, event, 0xA900)
        await released(peer)

    with scripted_peer(script) as port:
        assert main(["find", "127.0.0.1", str(port)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("0 matches, status 0xA900 (failure): ")


def test_find_rejected_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    async def script(peer: ScriptedConnection) -> None:
        await accept_all(peer, abstract_syntaxes={CT: (ExplicitVRLittleEndian,)})
        await released(peer)

    with scripted_peer(script) as port:
        assert main(["find", "127.0.0.1", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dimsekit find: ") and err.count("\n") == 1


@pytest.mark.parametrize("command", [["find"], ["get"], ["move", "-aem", "STORESCP"]])
def test_an_abort_midway_exits_2_saying_so(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer, [])
        pending = {"identifier": study(1)} if command == ["find"] else counters(2, 1)
        answer(peer, event, 0xFF00, **pending)
        peer.send(dk.AbortRequest())

    with scripted_peer(script) as port:
        assert main([*command, "127.0.0.1", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dimsekit {command[0]}: the association was aborted by the peer")
    assert err.count("\n") == 1


# --- get --------------------------------------------------------------------------------


def test_get_keeps_each_instance_in_the_store_dir_and_sums_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[Any] = []
    statuses: list[int] = []

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer, seen)
        agreement = peer.engine.agreement
        assert agreement is not None
        storage = agreement.context_for(CT, scu="acceptor")
        for number in (1, 2):
            peer.send_message(storage.context_id, sub_operation(number))
            stored = await peer.expect(dk.ResponseReceived)
            statuses.append(int(stored.response.status))
            answer(peer, event, 0xFF00, **counters(2 - number, number))
        answer(peer, event, 0x0000, **counters(None, 2))
        await released(peer)

    out_dir = tmp_path / "got"
    with scripted_peer(script) as port:
        argv = ["get", "-k", f"StudyInstanceUID={INSTANCE}", "--sop-class", "1.2.3.4"]
        assert main([*argv, "--store-dir", str(out_dir), "127.0.0.1", str(port)]) == 0
    out, err = capsys.readouterr()
    assert out == (
        "2 completed, 0 failed, 0 with a warning; status 0x0000 (success): "
        "Sub-operations complete, no failures\n"
    )
    assert err == ""  # no progress off a terminal
    assert statuses == [0, 0]
    kept = sorted(dcmread(path).SOPInstanceUID for path in out_dir.iterdir())
    assert kept == [f"{INSTANCE}.1", f"{INSTANCE}.2"]
    rq, request = seen
    assert isinstance(request, dk.CGetRequest)
    assert request.affected_sop_class_uid == dk.STUDY_ROOT.get
    proposed = [c.abstract_syntax for c in rq.presentation_contexts]
    assert proposed == [dk.STUDY_ROOT.get, *COMMON_STORAGE_CLASSES, "1.2.3.4"]
    roles = {item.sop_class_uid: item for item in rq.user_information.role_selections}
    assert set(roles) == {*COMMON_STORAGE_CLASSES, "1.2.3.4"}
    assert all(item.scp_role and not item.scu_role for item in roles.values())


def test_get_from_a_peer_that_refuses_the_scp_role_exits_2_saying_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def script(peer: ScriptedConnection) -> None:
        await accept_all(peer, **{**POLICY, "roles": {}})
        await peer.expect(dk.Aborted)

    with scripted_peer(script) as port:
        assert main(["get", "127.0.0.1", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dimsekit get: a C-GET's C-STORE sub-operations need a storage ")
    assert err.count("\n") == 1


def test_get_refuses_more_sop_classes_than_an_association_can_propose(
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra = [arg for n in range(50) for arg in ("--sop-class", f"1.2.3.{n}")]
    assert main(["get", *extra, "127.0.0.1", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "dimsekit get: 132 storage SOP classes and the C-GET make 133 presentation contexts: "
        "too many: "
    )
    assert "PS3.8 9.3.2.2" in err


@pytest.mark.parametrize(
    "given", [dk.STUDY_ROOT.find, "1.2.840.10008.1.2.1", "CTImage", "1.2.3.x", "1.02"]
)
def test_get_sop_class_refuses_what_is_no_storage_sop_class(
    given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["get", "--sop-class", given, "127.0.0.1", "1"])
    assert exited.value.code == 2
    assert f"argument --sop-class: {given!r} is no storage SOP class" in capsys.readouterr().err


def test_get_sop_class_takes_keywords_and_private_uids() -> None:
    assert storage_class("MRImageStorage") == MR
    assert storage_class("1.2.3.4") == "1.2.3.4"  # pydicom does not know it: private
    assert storage_class(CT) == CT


# --- move -------------------------------------------------------------------------------


class Terminal:
    """A stderr that says it is a terminal, kept as a list of writes."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_move_shows_progress_and_names_the_failed_instances_of_a_warning(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[Any] = []

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer, seen)
        answer(peer, event, 0xFF00, **counters(1, 1))
        failed = Dataset()
        failed.FailedSOPInstanceUIDList = [f"{INSTANCE}.2"]
        answer(peer, event, 0xB000, identifier=failed, **counters(None, 1, 1))
        await released(peer)

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with scripted_peer(script) as port:
        argv = ["move", "-P", "--level", "PATIENT", "-k", "PatientID=P1", "-aem", "STORESCP"]
        assert main([*argv, "127.0.0.1", str(port)]) == 0  # a warning: as store's
    assert capsys.readouterr().out == (
        "1 completed, 1 failed, 0 with a warning; status 0xB000 (warning): "
        "Sub-operations complete, one or more failures\n"
    )
    shown = "".join(terminal.writes)
    assert "\r\x1b[Ksub-operations: 1 remaining, 1 completed, 0 failed, 0 with a warning" in shown
    assert shown.endswith(f"\r\x1b[Kdimsekit: failed: {INSTANCE}.2\n")
    rq, request = seen
    assert [c.abstract_syntax for c in rq.presentation_contexts] == [dk.PATIENT_ROOT.move]
    assert isinstance(request, dk.CMoveRequest)
    assert request.move_destination == "STORESCP"
    assert identifier_of(request).QueryRetrieveLevel == "PATIENT"


def test_move_refused_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer, [])
        answer(peer, event, 0xA801, **counters(None, 0))
        await released(peer)

    with scripted_peer(script) as port:
        assert main(["move", "-aem", "NOWHERE", "127.0.0.1", str(port)]) == 1
    assert "status 0xA801 (failure): Refused: Move Destination unknown" in capsys.readouterr().out


def test_move_destination_must_be_an_ae_title(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["move", "-aem", "A" * 17, "127.0.0.1", "1"])
    assert exited.value.code == 2
    assert "an AE title has at most 16 significant characters" in capsys.readouterr().err


# --- Ctrl-C, in a subprocess --------------------------------------------------------------


async def interrupted(
    script: Script, ready: asyncio.Event | None, *arguments: str, signals: int = 1
) -> tuple[int, str, str]:
    """``dimsekit ARGUMENTS HOST PORT`` against ``script`` (:func:`interrupting`)."""
    async with scripted_acceptor(script) as address:
        return await interrupting(address, ready, *arguments, signals=signals)


async def interrupting(
    address: tuple[str, int], ready: asyncio.Event | None, *arguments: str, signals: int = 1
) -> tuple[int, str, str]:
    """``dimsekit ARGUMENTS HOST PORT`` in a subprocess, sent SIGINT ``signals`` times once
    ``ready`` is set (by the peer), or else once it has printed a line; its exit status,
    stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "dimsekit", *arguments, address[0], str(address[1]),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    first = b""
    try:
        if ready is None:
            first = await asyncio.wait_for(process.stdout.readline(), TIMEOUT)
        else:
            await asyncio.wait_for(ready.wait(), TIMEOUT)
        for _ in range(signals):
            process.send_signal(signal.SIGINT)
            await asyncio.sleep(0.2)
        out, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return process.returncode or 0, (first + out).decode(), err.decode()


def test_ctrl_c_during_find_cancels_and_exits_1_after_the_final_response() -> None:
    cancels: list[int] = []

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer, [])
        answer(peer, event, 0xFF00, identifier=study(1))
        cancel = await peer.expect(dk.CancelReceived, TIMEOUT)
        cancels.append(cancel.operation.message_id)
        answer(peer, event, 0xFE00)
        await released(peer)

    status, out, err = run_bounded(interrupted(script, None, "find"), TIMEOUT * 2)
    assert status == 1
    assert out == f"QueryRetrieveLevel=STUDY PatientName=Doe^Jane StudyInstanceUID={INSTANCE}.1\n"
    assert err == (
        "dimsekit: interrupted: C-CANCEL sent\n1 match, status 0xFE00 (cancel): "
        "Matching terminated due to Cancel request\n"
    )
    assert len(cancels) == 1


AfterCancel = Callable[[ScriptedConnection, dk.RequestReceived], Awaitable[None]]


def retrieve_interrupted(
    after_cancel: AfterCancel, *arguments: str, signals: int = 1
) -> tuple[int, str, str]:
    """``dimsekit ARGUMENTS`` (a get or a move) sent SIGINT once the peer has sent a
    Pending response; the peer does ``after_cancel`` once the C-CANCEL-RQ has come."""

    async def body() -> tuple[int, str, str]:
        ready = asyncio.Event()

        async def script(peer: ScriptedConnection) -> None:
            event = await requested(peer, [])
            answer(peer, event, 0xFF00, **counters(3, 1))
            ready.set()
            await peer.expect(dk.CancelReceived, TIMEOUT)
            await after_cancel(peer, event)

        return await interrupted(script, ready, *arguments, signals=signals)

    return run_bounded(body(), TIMEOUT * 2)


def test_ctrl_c_during_move_cancels_and_sums_up_what_was_done() -> None:
    async def cancelled(peer: ScriptedConnection, event: dk.RequestReceived) -> None:
        answer(peer, event, 0xFE00, **counters(None, 1))
        await released(peer)

    status, out, err = retrieve_interrupted(cancelled, "move", "-aem", "STORESCP")
    assert (status, out) == (
        1,
        "1 completed, 0 failed, 0 with a warning; "
        "status 0xFE00 (cancel): Sub-operations terminated due to Cancel indication\n",
    )  # the final response of the cancelled move, its counters (no Remaining: PS3.7 9.3.4.2)
    assert err == "dimsekit: interrupted: C-CANCEL sent\n"


def test_ctrl_c_twice_aborts_and_exits_2() -> None:
    aborted: list[object] = []

    async def silent(peer: ScriptedConnection, event: dk.RequestReceived) -> None:
        aborted.append(await peer.expect(dk.Aborted, TIMEOUT))  # no final response sent

    status, out, err = retrieve_interrupted(silent, "get", signals=2)
    assert (status, out) == (2, "")
    assert err == (
        "dimsekit: interrupted: C-CANCEL sent\n"
        "dimsekit get: aborted: interrupted again before the final response\n"
    )
    assert len(aborted) == 1


# --- --cancel N -----------------------------------------------------------------------------


def test_find_cancel_n_sends_the_cancel_after_n_matches(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer, [])
        for number in (1, 2):
            answer(peer, event, 0xFF00, identifier=study(number))
        await peer.expect(dk.CancelReceived)
        answer(peer, event, 0xFE00)
        await released(peer)

    with scripted_peer(script) as port:
        assert main(["find", "--cancel", "2", "127.0.0.1", str(port)]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 2
    assert err == "2 matches, status 0xFE00 (cancel): Matching terminated due to Cancel request\n"


def test_get_cancel_with_no_final_response_aborts_after_the_grace(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    aborted: list[object] = []

    async def script(peer: ScriptedConnection) -> None:
        event = await requested(peer, [])
        answer(peer, event, 0xFF00, **counters(3, 1))
        await peer.expect(dk.CancelReceived)
        aborted.append(await peer.expect(dk.Aborted, TIMEOUT))

    monkeypatch.setattr("dimsekit.cli._retrieve.CANCEL_GRACE", 0.2)
    with scripted_peer(script) as port:
        assert main(["get", "--cancel", "1", "127.0.0.1", str(port)]) == 2
    assert capsys.readouterr().err == (
        "dimsekit get: aborted: no final response within 0.2 s of the C-CANCEL\n"
    )
    assert len(aborted) == 1


# --- against dimsekit's own serve ---------------------------------------------------------


def test_find_from_serve_prints_its_handlers_matches(
    server: ThreadServer, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[Dataset] = []

    async def find(event: aio.Requested[dk.CFindRequest]) -> AsyncIterator[Dataset]:
        assert event.data_set is not None
        asked.append(event.data_set)
        for number in (1, 2, 3):
            yield study(number)

    port = server.start(handlers=aio.Handlers(find=find))
    assert main(["find", "-k", "PatientName=Doe*", "127.0.0.1", str(port)]) == 0
    out, err = capsys.readouterr()
    assert [shlex.split(line)[-1] for line in out.splitlines()] == [
        f"StudyInstanceUID={INSTANCE}.{n}" for n in (1, 2, 3)
    ]
    assert err.startswith("3 matches, status 0x0000 (success)")
    (identifier,) = asked
    assert (identifier.QueryRetrieveLevel, identifier.PatientName) == ("STUDY", "Doe*")


def test_get_from_serve_keeps_its_handlers_instances(
    server: ThreadServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def get(event: aio.Requested[dk.CGetRequest]) -> list[aio.Instance]:
        return [instance(1), instance(2, SOPClassUID=MR)]

    port = server.start(handlers=aio.Handlers(get=get))
    out_dir = tmp_path / "got"
    assert main(["get", "-od", str(out_dir), "127.0.0.1", str(port)]) == 0
    assert capsys.readouterr().out.startswith("2 completed, 0 failed, 0 with a warning; ")
    kept = {dcmread(path).SOPInstanceUID: dcmread(path) for path in out_dir.iterdir()}
    assert set(kept) == {f"{INSTANCE}.1", f"{INSTANCE}.2"}
    assert kept[f"{INSTANCE}.2"].SOPClassUID == MR


def test_move_from_serve_to_another_serve(
    server: ThreadServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    viewer = ThreadServer()
    try:
        viewer_port = viewer.start(handlers=aio.Handlers(store=aio.StoreToDirectory(tmp_path)))

        async def move(event: aio.Requested[dk.CMoveRequest]) -> list[aio.Instance]:
            return [instance(number) for number in (1, 2, 3)]

        port = server.start(
            handlers=aio.Handlers(move=move),
            move_destinations={"VIEWER": ("127.0.0.1", viewer_port)},
        )
        assert main(["move", "-aem", "VIEWER", "127.0.0.1", str(port)]) == 0
        assert main(["move", "-aem", "NOWHERE", "127.0.0.1", str(port)]) == 1
    finally:
        viewer.stop()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("3 completed, 0 failed, 0 with a warning; status 0x0000")
    assert "status 0xA801 (failure)" in out[1]
    kept = sorted(dcmread(path).SOPInstanceUID for path in tmp_path.iterdir())
    assert kept == [f"{INSTANCE}.{n}" for n in (1, 2, 3)]


def test_ctrl_c_during_a_find_from_serve_without_end() -> None:
    closed: list[bool] = []

    async def endless(event: aio.Requested[dk.CFindRequest]) -> AsyncIterator[Dataset]:
        number = 0
        try:
            while True:
                number += 1
                yield study(number)
                await asyncio.sleep(0.01)
        finally:
            closed.append(True)

    async def body() -> tuple[int, str, str]:
        async with await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(find=endless)) as server:
            return await interrupting(server.address, None, "find")

    status, out, err = run_bounded(body(), TIMEOUT * 2)
    assert status == 1
    assert out.splitlines()[0].endswith(f"StudyInstanceUID={INSTANCE}.1")
    assert err.startswith("dimsekit: interrupted: C-CANCEL sent\n")
    assert err.endswith("status 0xFE00 (cancel): Matching terminated due to Cancel request\n")
    assert closed == [True]  # the handler's matches closed at the cancel
