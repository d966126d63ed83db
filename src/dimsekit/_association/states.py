"""The vocabulary of PS3.8 9.2: the states, the events and the actions of the Upper Layer.

Owns: :class:`State` (Sta1-Sta13, PS3.8 Tables 9-1 to 9-5), :class:`ULEvent` (Evt1-Evt19,
the rows of PS3.8 Table 9-10) with the kind of each (:class:`EventKind`: a local primitive,
the transport, a PDU from the peer, the ARTIM timer), and :class:`Action` (AE-1 to AA-8,
PS3.8 Tables 9-6 to 9-9), each with its meaning in words as the standard gives it.

Must not know: which action a state and an event lead to, nor where an action leads
(``transitions`` holds Table 9-10 and the outcome of each action, once); bytes, PDUs,
the engine.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Final

__all__ = ["Action", "EventKind", "State", "ULEvent"]


class _Numbered(enum.IntEnum):
    """A numbered member with its ``meaning`` in words; ``str()`` gives its ``label``, the
    name PS3.8 writes (``Sta6``, ``Evt6``), which each class says."""

    meaning: str

    def __new__(cls, value: int, meaning: str = "") -> _Numbered:
        member = int.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member

    @property
    def label(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.label


class State(_Numbered):
    """The 13 states of the Upper Layer protocol machine (PS3.8 9.2, Tables 9-1 to 9-5),
    each with its ``meaning`` as the standard gives it."""

    STA1 = 1, "Idle: no association, no transport connection."
    STA2 = 2, "Transport connection open, awaiting an A-ASSOCIATE-RQ PDU (acceptor)."
    STA3 = 3, "Awaiting the local A-ASSOCIATE response primitive (acceptor: its user decides)."
    STA4 = 4, "Awaiting the transport connection to open (requestor)."
    STA5 = 5, "Awaiting an A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU (requestor)."
    STA6 = 6, "Association established, ready for data transfer."
    STA7 = 7, "Awaiting an A-RELEASE-RP PDU (we asked to release)."
    STA8 = 8, "Awaiting the local A-RELEASE response primitive (the peer asked to release)."
    STA9 = 9, "Release collision, requestor side: awaiting the local A-RELEASE response primitive."
    STA10 = 10, "Release collision, acceptor side: awaiting an A-RELEASE-RP PDU."
    STA11 = 11, "Release collision, requestor side: awaiting an A-RELEASE-RP PDU."
    STA12 = 12, "Release collision, acceptor side: awaiting the local A-RELEASE response primitive."
    STA13 = 13, "Awaiting the transport connection to close: the association no longer exists."

    @property
    def label(self) -> str:
        """The state as PS3.8 names it: ``"Sta6"``."""
        return f"Sta{self.value}"


class EventKind(enum.Enum):
    """Where an event of Table 9-10 comes from."""

    LOCAL = "local"
    """A primitive from the local user (the caller of the engine)."""
    TRANSPORT = "transport"
    """The transport connection: opened, indicated or closed."""
    REMOTE = "remote"
    """A PDU received from the peer (valid or not)."""
    TIMER = "timer"
    """The ARTIM timer."""


class ULEvent(_Numbered):
    """The 19 events of the Upper Layer protocol machine (the rows of PS3.8 Table 9-10),
    each with its ``meaning`` and its :attr:`kind`."""

    EVT1 = 1, "A-ASSOCIATE request primitive (local user)."
    EVT2 = 2, "Transport connection confirmation (the connection we asked for is open)."
    EVT3 = 3, "A-ASSOCIATE-AC PDU received."
    EVT4 = 4, "A-ASSOCIATE-RJ PDU received."
    EVT5 = 5, "Transport connection indication (a peer has connected to us)."
    EVT6 = 6, "A-ASSOCIATE-RQ PDU received."
    EVT7 = 7, "A-ASSOCIATE response primitive, accept (local user)."
    EVT8 = 8, "A-ASSOCIATE response primitive, reject (local user)."
    EVT9 = 9, "P-DATA request primitive (local user)."
    EVT10 = 10, "P-DATA-TF PDU received."
    EVT11 = 11, "A-RELEASE request primitive (local user)."
    EVT12 = 12, "A-RELEASE-RQ PDU received."
    EVT13 = 13, "A-RELEASE-RP PDU received."
    EVT14 = 14, "A-RELEASE response primitive (local user)."
    EVT15 = 15, "A-ABORT request primitive (local user)."
    EVT16 = 16, "A-ABORT PDU received."
    EVT17 = 17, "Transport connection closed indication."
    EVT18 = 18, "ARTIM timer expired."
    EVT19 = 19, "Unrecognized or invalid PDU received."

    @property
    def label(self) -> str:
        """The event as PS3.8 names it: ``"Evt6"``."""
        return f"Evt{self.value}"

    @property
    def kind(self) -> EventKind:
        """Where the event comes from (PS3.8 9.2, Table 9-10)."""
        return _KINDS[self]

    def __str__(self) -> str:
        return self.label


_KINDS: Final[dict[ULEvent, EventKind]] = {
    **{ULEvent(n): EventKind.LOCAL for n in (1, 7, 8, 9, 11, 14, 15)},
    **{ULEvent(n): EventKind.TRANSPORT for n in (2, 5, 17)},
    **{ULEvent(n): EventKind.REMOTE for n in (3, 4, 6, 10, 12, 13, 16, 19)},
    ULEvent.EVT18: EventKind.TIMER,
}


class Action(enum.Enum):
    """The actions of the Upper Layer protocol machine (PS3.8 Tables 9-6 to 9-9): the
    value is the name PS3.8 gives it, ``meaning`` what it does."""

    meaning: str

    # A member is equal only to itself, so it hashes by identity, in C: Enum's own hash
    # (of the name, in Python) was paid by every event fired (the engine's dict of action
    # methods), once a P-DATA-TF sent.  No set of actions is iterated in order.  Hidden
    # from type checkers, for whom it is Enum's hash still (an int either way): pyright
    # takes the assignment for an ambiguous override of Enum's method.
    if not TYPE_CHECKING:
        __hash__ = object.__hash__

    def __new__(cls, label: str, meaning: str = "") -> Action:
        member = object.__new__(cls)
        member._value_ = label
        member.meaning = meaning
        return member

    AE_1 = "AE-1", "Issue a transport connect request to the local transport service."
    AE_2 = "AE-2", "Send the A-ASSOCIATE-RQ PDU."
    AE_3 = "AE-3", "Issue the A-ASSOCIATE confirmation (accept) primitive."
    AE_4 = "AE-4", "Issue the A-ASSOCIATE confirmation (reject) primitive and close the transport."
    AE_5 = "AE-5", "Issue the transport connection response primitive; start the ARTIM timer."
    AE_6 = (
        "AE-6",
        "Stop ARTIM; if the A-ASSOCIATE-RQ is acceptable to the service provider, issue the "
        "A-ASSOCIATE indication primitive, otherwise send an A-ASSOCIATE-RJ PDU and start "
        "ARTIM.",
    )
    AE_7 = "AE-7", "Send the A-ASSOCIATE-AC PDU."
    AE_8 = "AE-8", "Send the A-ASSOCIATE-RJ PDU and start ARTIM."
    DT_1 = "DT-1", "Send the P-DATA-TF PDU."
    DT_2 = "DT-2", "Send the P-DATA indication primitive."
    AR_1 = "AR-1", "Send the A-RELEASE-RQ PDU."
    AR_2 = "AR-2", "Issue the A-RELEASE indication primitive."
    AR_3 = "AR-3", "Issue the A-RELEASE confirmation primitive and close the transport."
    AR_4 = "AR-4", "Send the A-RELEASE-RP PDU and start ARTIM."
    AR_5 = "AR-5", "Stop ARTIM."
    AR_6 = "AR-6", "Issue the P-DATA indication (while awaiting the A-RELEASE-RP)."
    AR_7 = "AR-7", "Send the P-DATA-TF PDU (while the peer awaits our A-RELEASE-RP)."
    AR_8 = (
        "AR-8",
        "Issue the A-RELEASE indication (release collision): the association requestor goes "
        "to Sta9, the acceptor to Sta10.",
    )
    AR_9 = "AR-9", "Send the A-RELEASE-RP PDU (release collision, requestor side)."
    AR_10 = (
        "AR-10",
        "Issue the A-RELEASE confirmation primitive (release collision, acceptor side).",
    )
    AA_1 = "AA-1", "Send an A-ABORT PDU (service-user source); start or restart ARTIM."
    AA_2 = "AA-2", "Stop ARTIM if running; close the transport."
    AA_3 = (
        "AA-3",
        "If the A-ABORT PDU's source is the service user, issue the A-ABORT indication, "
        "otherwise the A-P-ABORT indication; close the transport.",
    )
    AA_4 = "AA-4", "Issue the A-P-ABORT indication primitive."
    AA_5 = "AA-5", "Stop ARTIM."
    AA_6 = "AA-6", "Ignore the PDU."
    AA_7 = "AA-7", "Send an A-ABORT PDU."
    AA_8 = (
        "AA-8",
        "Send an A-ABORT PDU (service-provider source), issue the A-P-ABORT indication and "
        "start ARTIM.",
    )

    @property
    def label(self) -> str:
        """The action as PS3.8 names it: ``"AE-1"``."""
        label: str = self.value
        return label

    def __str__(self) -> str:
        return self.label
