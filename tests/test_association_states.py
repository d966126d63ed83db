"""PS3.8 9.2: the states, events and actions, and Table 9-10 as ``_association.transitions``
holds it, against a transcription of the standard's grid kept here (written apart from
the module's, as tuples, one per event row, the states Sta1 to Sta13 across)."""

from __future__ import annotations

import pickle

import pytest

import dimsekit as dk
from dimsekit._association.states import Action, EventKind, State, ULEvent
from dimsekit._association.transitions import (
    OUTCOMES,
    TRANSITIONS,
    Branch,
    branches,
    transition,
)

N = None  # no transition defined
R8 = "AA-8"
# PS3.8 Table 9-10, row by row (Evt1 ... Evt19), column by column (Sta1 ... Sta13).
STANDARD: dict[int, tuple[str | None, ...]] = {
    1: ("AE-1", N, N, N, N, N, N, N, N, N, N, N, N),
    2: (N, N, N, "AE-2", N, N, N, N, N, N, N, N, N),
    3: (N, "AA-1", "AA-8", N, "AE-3", *["AA-8"] * 7, "AA-6"),
    4: (N, "AA-1", "AA-8", N, "AE-4", *["AA-8"] * 7, "AA-6"),
    5: ("AE-5", N, N, N, N, N, N, N, N, N, N, N, N),
    6: (N, "AE-6", "AA-8", N, *["AA-8"] * 8, "AA-7"),
    7: (N, N, "AE-7", N, N, N, N, N, N, N, N, N, N),
    8: (N, N, "AE-8", N, N, N, N, N, N, N, N, N, N),
    9: (N, N, N, N, N, "DT-1", N, "AR-7", N, N, N, N, N),
    10: (N, "AA-1", "AA-8", N, "AA-8", "DT-2", "AR-6", *["AA-8"] * 5, "AA-6"),
    11: (N, N, N, N, N, "AR-1", N, N, N, N, N, N, N),
    12: (N, "AA-1", "AA-8", N, "AA-8", "AR-2", "AR-8", *["AA-8"] * 5, "AA-6"),
    13: (N, "AA-1", R8, N, R8, R8, "AR-3", R8, R8, "AR-10", "AR-3", R8, "AA-6"),
    14: (N, N, N, N, N, N, N, "AR-4", "AR-9", N, N, "AR-4", N),
    15: (N, N, "AA-1", "AA-2", *["AA-1"] * 8, N),
    16: (N, "AA-2", "AA-3", N, *["AA-3"] * 8, "AA-2"),
    17: (N, "AA-5", *["AA-4"] * 10, "AR-5"),
    18: (N, "AA-2", N, N, N, N, N, N, N, N, N, N, "AA-2"),
    19: (N, "AA-1", "AA-8", N, *["AA-8"] * 8, "AA-7"),
}

# PS3.8 Tables 9-6 to 9-9: where each action leads ({branch: state} where it branches).
NEXT_STATE: dict[str, int | dict[str, int]] = {
    "AE-1": 4, "AE-2": 5, "AE-3": 6, "AE-4": 1, "AE-5": 2,
    "AE-6": {"acceptable": 3, "not acceptable": 13},
    "AE-7": 6, "AE-8": 13, "DT-1": 6, "DT-2": 6,
    "AR-1": 7, "AR-2": 8, "AR-3": 1, "AR-4": 13, "AR-5": 1, "AR-6": 7, "AR-7": 8,
    "AR-8": {"requestor": 9, "acceptor": 10},
    "AR-9": 11, "AR-10": 12,
    "AA-1": 13, "AA-2": 1,
    "AA-3": {"service-user": 1, "service-provider": 1},
    "AA-4": 1, "AA-5": 1, "AA-6": 13, "AA-7": 13, "AA-8": 13,
}  # fmt: skip

LOCAL = {1, 7, 8, 9, 11, 14, 15}
TRANSPORT = {2, 5, 17}
REMOTE = {3, 4, 6, 10, 12, 13, 16, 19}


def test_thirteen_states_nineteen_events_twenty_eight_actions() -> None:
    assert [int(s) for s in State] == list(range(1, 14))
    assert [int(e) for e in ULEvent] == list(range(1, 20))
    assert sorted(a.label for a in Action) == sorted(NEXT_STATE)
    assert str(State.STA6) == State.STA6.label == "Sta6"
    assert str(ULEvent.EVT6) == ULEvent.EVT6.label == "Evt6"
    assert Action.AE_1.value == Action.AE_1.label == str(Action.AE_1) == "AE-1"
    assert Action("AR-10") is Action.AR_10
    assert "A-ASSOCIATE-RQ" in ULEvent.EVT6.meaning
    assert "ARTIM" in Action.AE_5.meaning
    assert "data transfer" in State.STA6.meaning
    assert all(member.meaning for member in (*State, *ULEvent, *Action))


def test_event_kinds() -> None:
    for event in ULEvent:
        expected = (
            EventKind.LOCAL
            if event in LOCAL
            else EventKind.TRANSPORT
            if event in TRANSPORT
            else EventKind.REMOTE
            if event in REMOTE
            else EventKind.TIMER
        )
        assert event.kind is expected, event
    assert ULEvent.EVT18.kind is EventKind.TIMER


def test_the_table_has_exactly_the_standards_123_cells() -> None:
    standard = {
        (State(column), ULEvent(row)): Action(action)
        for row, cells in STANDARD.items()
        for column, action in enumerate(cells, start=1)
        if action is not None
    }
    assert len(standard) == 123
    assert dict(TRANSITIONS) == standard


def test_dcmtk_extra_artim_cells_are_not_in_the_table() -> None:
    for state in (State.STA5, State.STA7):
        assert (state, ULEvent.EVT18) not in TRANSITIONS


def test_every_action_leads_where_the_standard_says() -> None:
    for label, where in NEXT_STATE.items():
        action = Action(label)
        if isinstance(where, int):
            assert branches(action) == frozenset()
            assert OUTCOMES[action, None] == State(where)
        else:
            assert {b.value for b in branches(action)} == set(where)
            for branch, state in where.items():
                assert OUTCOMES[action, Branch(branch)] == State(state)
    assert len(OUTCOMES) == len(Action) + 3  # three actions branch two ways


def test_transition_gives_action_and_next_state_for_every_defined_cell() -> None:
    for (state, event), action in TRANSITIONS.items():
        taken = branches(action)
        for branch in taken or {None}:
            assert transition(state, event, branch) == (action, OUTCOMES[action, branch])


def test_a_branching_action_needs_its_branch() -> None:
    with pytest.raises(ValueError, match="AE-6 branches"):
        transition(State.STA2, ULEvent.EVT6)
    with pytest.raises(ValueError, match="no branch"):
        transition(State.STA7, ULEvent.EVT12, Branch.ACCEPTABLE)
    with pytest.raises(ValueError, match="no branch"):
        transition(State.STA6, ULEvent.EVT11, Branch.REQUESTOR)
    with pytest.raises(TypeError, match="State and a ULEvent"):
        transition(6, 11)  # type: ignore[arg-type]


@pytest.mark.parametrize("event", sorted(LOCAL))
def test_undefined_local_cells_raise(event: int) -> None:
    for column, action in enumerate(STANDARD[event], start=1):
        if action is not None:
            continue
        with pytest.raises(dk.LocalProtocolError) as raised:
            transition(State(column), ULEvent(event))
        assert raised.value.state == f"Sta{column}"
        assert raised.value.event == f"Evt{event}"
        assert "Table 9-10" in str(raised.value)
        assert type(raised.value).__module__ == "dimsekit"  # as it is imported, like its kin
        again = pickle.loads(pickle.dumps(raised.value))
        assert (again.state, again.event, str(again)) == (
            raised.value.state,
            raised.value.event,
            str(raised.value),
        )


def test_remote_rows_are_defined_wherever_there_is_a_connection() -> None:
    for event in REMOTE:
        defined = {state for state in State if (state, ULEvent(event)) in TRANSITIONS}
        assert defined == set(State) - {State.STA1, State.STA4}
