"""PS3.8 Table 9-10, the Upper Layer state transition table, written once, as data.

Owns: :data:`TRANSITIONS`, which action each (state, event) pair of PS3.8 Table 9-10
leads to, parsed at import from the grid below, laid out as the standard prints it (one
row per event, one column per state; ``.`` where the standard defines no transition);
:data:`OUTCOMES`, the state each action leads to (PS3.8 Tables 9-6 to 9-9), with the
three actions that branch keyed by a :class:`Branch` (AE-6: whether the A-ASSOCIATE-RQ is
acceptable to the service provider; AR-8: whether we are the association requestor or
acceptor; AA-3: the source of the A-ABORT PDU received), so that every outcome is in the
data; and :func:`transition`, the one way to read them.

The table has 123 defined cells.  DCMTK's state table has two more, Evt18 (ARTIM expired)
in Sta5 and Sta7; PS3.8 defines no transition there (ARTIM does not oversee association
establishment nor release, PS3.8 9.1.4 Note 2), so they are not here.

Must not know: what an action does (the engine's functions, named after the actions, do
it), bytes, PDUs, timers.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from .._errors import LocalProtocolError
from .states import Action, EventKind, State, ULEvent

__all__ = ["OUTCOMES", "TRANSITIONS", "Branch", "branches", "transition"]

# PS3.8 Table 9-10.  Rows: the events; columns: the states.  L: a local primitive,
# T: the transport, R: a PDU received, t: the ARTIM timer.
_TABLE_9_10: Final = """
        Sta1  Sta2  Sta3  Sta4  Sta5  Sta6  Sta7  Sta8  Sta9  Sta10 Sta11 Sta12 Sta13
Evt1  L AE-1  .     .     .     .     .     .     .     .     .     .     .     .
Evt2  T .     .     .     AE-2  .     .     .     .     .     .     .     .     .
Evt3  R .     AA-1  AA-8  .     AE-3  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt4  R .     AA-1  AA-8  .     AE-4  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt5  T AE-5  .     .     .     .     .     .     .     .     .     .     .     .
Evt6  R .     AE-6  AA-8  .     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
Evt7  L .     .     AE-7  .     .     .     .     .     .     .     .     .     .
Evt8  L .     .     AE-8  .     .     .     .     .     .     .     .     .     .
Evt9  L .     .     .     .     .     DT-1  .     AR-7  .     .     .     .     .
Evt10 R .     AA-1  AA-8  .     AA-8  DT-2  AR-6  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt11 L .     .     .     .     .     AR-1  .     .     .     .     .     .     .
Evt12 R .     AA-1  AA-8  .     AA-8  AR-2  AR-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-6
Evt13 R .     AA-1  AA-8  .     AA-8  AA-8  AR-3  AA-8  AA-8  AR-10 AR-3  AA-8  AA-6
Evt14 L .     .     .     .     .     .     .     AR-4  AR-9  .     .     AR-4  .
Evt15 L .     .     AA-1  AA-2  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  AA-1  .
Evt16 R .     AA-2  AA-3  .     AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-3  AA-2
Evt17 T .     AA-5  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AA-4  AR-5
Evt18 t .     AA-2  .     .     .     .     .     .     .     .     .     .     AA-2
Evt19 R .     AA-1  AA-8  .     AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-8  AA-7
"""


class Branch(enum.Enum):
    """Which way a branching action goes (PS3.8 Tables 9-6, 9-8, 9-9)."""

    ACCEPTABLE = "acceptable"
    """AE-6: the A-ASSOCIATE-RQ is acceptable to the service provider."""
    NOT_ACCEPTABLE = "not acceptable"
    """AE-6: it is not (the provider sends the A-ASSOCIATE-RJ itself)."""
    REQUESTOR = "requestor"
    """AR-8: we are the association requestor."""
    ACCEPTOR = "acceptor"
    """AR-8: we are the association acceptor."""
    SERVICE_USER = "service-user"
    """AA-3: the A-ABORT PDU's source is the service user (an A-ABORT indication)."""
    SERVICE_PROVIDER = "service-provider"
    """AA-3: its source is the service provider (an A-P-ABORT indication)."""


_S = State
OUTCOMES: Final[Mapping[tuple[Action, Branch | None], State]] = MappingProxyType(
    {
        (Action.AE_1, None): _S.STA4,
        (Action.AE_2, None): _S.STA5,
        (Action.AE_3, None): _S.STA6,
        (Action.AE_4, None): _S.STA1,
        (Action.AE_5, None): _S.STA2,
        (Action.AE_6, Branch.ACCEPTABLE): _S.STA3,
        (Action.AE_6, Branch.NOT_ACCEPTABLE): _S.STA13,
        (Action.AE_7, None): _S.STA6,
        (Action.AE_8, None): _S.STA13,
        (Action.DT_1, None): _S.STA6,
        (Action.DT_2, None): _S.STA6,
        (Action.AR_1, None): _S.STA7,
        (Action.AR_2, None): _S.STA8,
        (Action.AR_3, None): _S.STA1,
        (Action.AR_4, None): _S.STA13,
        (Action.AR_5, None): _S.STA1,
        (Action.AR_6, None): _S.STA7,
        (Action.AR_7, None): _S.STA8,
        (Action.AR_8, Branch.REQUESTOR): _S.STA9,
        (Action.AR_8, Branch.ACCEPTOR): _S.STA10,
        (Action.AR_9, None): _S.STA11,
        (Action.AR_10, None): _S.STA12,
        (Action.AA_1, None): _S.STA13,
        (Action.AA_2, None): _S.STA1,
        (Action.AA_3, Branch.SERVICE_USER): _S.STA1,
        (Action.AA_3, Branch.SERVICE_PROVIDER): _S.STA1,
        (Action.AA_4, None): _S.STA1,
        (Action.AA_5, None): _S.STA1,
        (Action.AA_6, None): _S.STA13,
        (Action.AA_7, None): _S.STA13,
        (Action.AA_8, None): _S.STA13,
    }
)
"""The state each action leads to (PS3.8 Tables 9-6 to 9-9), keyed by the action and,
for the three that branch, the branch taken (None for the others)."""

_BRANCHES: Final[Mapping[Action, frozenset[Branch]]] = MappingProxyType(
    {
        action: frozenset(b for (a, b) in OUTCOMES if a is action and b is not None)
        for action in Action
    }
)
_KIND_LETTERS: Final = {
    "L": EventKind.LOCAL,
    "T": EventKind.TRANSPORT,
    "R": EventKind.REMOTE,
    "t": EventKind.TIMER,
}


def _parse(grid: str) -> dict[tuple[State, ULEvent], Action]:
    """The grid's defined cells; the layout checked as it is read (every row an event of
    the kind its letter says, every column a state, every cell an action or ``.``)."""
    header, *rows = grid.strip().splitlines()
    states = [State(int(name.removeprefix("Sta"))) for name in header.split()]
    if states != list(State):
        raise AssertionError("Table 9-10's columns are Sta1 to Sta13, in order")
    cells: dict[tuple[State, ULEvent], Action] = {}
    events = []
    for row in rows:
        name, letter, *actions = row.split()
        event = ULEvent(int(name.removeprefix("Evt")))
        events.append(event)
        if _KIND_LETTERS[letter] is not event.kind:
            raise AssertionError(f"{event.label} is a {event.kind.value} event")
        if len(actions) != len(states):
            raise AssertionError(f"{event.label}: one cell per state")
        for state, action in zip(states, actions, strict=True):
            if action != ".":
                cells[state, event] = Action(action)
    if events != list(ULEvent):
        raise AssertionError("Table 9-10's rows are Evt1 to Evt19, in order")
    return cells


TRANSITIONS: Final[Mapping[tuple[State, ULEvent], Action]] = MappingProxyType(_parse(_TABLE_9_10))
"""PS3.8 Table 9-10: the action each defined (state, event) leads to (123 cells)."""


def branches(action: Action) -> frozenset[Branch]:
    """The branches of ``action`` (AE-6, AR-8, AA-3), or the empty set."""
    return _BRANCHES[action]


def transition(state: State, event: ULEvent, branch: Branch | None = None) -> tuple[Action, State]:
    """The action PS3.8 Table 9-10 gives ``event`` in ``state``, and the state it leads
    to; for the three actions that branch (AE-6, AR-8, AA-3) ``branch`` says which way
    (:func:`branches` names them), and is None for the others.

    Raises :class:`~dimsekit.LocalProtocolError` where the table defines no transition
    (for a local primitive, the caller asked for what the state does not allow: nothing
    changes), and ValueError for a branch the action does not take.
    """
    if not isinstance(state, State) or not isinstance(event, ULEvent):
        raise TypeError(
            f"transition takes a State and a ULEvent, not {type(state).__name__} and "
            f"{type(event).__name__}"
        )
    action = TRANSITIONS.get((state, event))
    if action is None:
        raise LocalProtocolError(
            f"{event.meaning.rstrip('.')} ({event.label}) is not allowed in {state.label} "
            f"({state.meaning.rstrip('.')}): PS3.8 Table 9-10 defines no transition there",
            state=state.label,
            event=event.label,
        )
    taken = _BRANCHES[action]
    if branch is None and taken:
        raise ValueError(
            f"{action.label} branches ({', '.join(sorted(b.value for b in taken))}): "
            "give the branch taken"
        )
    if branch is not None and branch not in taken:
        raise ValueError(f"{action.label} has no branch {branch.value!r}")
    return action, OUTCOMES[action, branch]
