"""The errors the asyncio layer raises, each a :class:`~dimsekit.DimseError`, each saying in
words what happened (the source and reason of an abort or a rejection, the status and its
meaning).

Owns: :class:`AssociationError` and its kinds (the association could not be made, was
rejected, was aborted, or ended with an operation unanswered), :class:`StatusError` (a
peer's failure status, raised only where the caller asked for it), and the words for an
A-ASSOCIATE-RJ's fields (:func:`reject_words`; an abort's are the engine's own, in its
:class:`~dimsekit.Aborted`'s ``why``).

Must not know: sockets, the engine's states.
"""

from __future__ import annotations

from .._errors import DimseError
from .._framing.pdus import AAssociateRJ, AbortReason, AbortSource
from ..messages import Response

__all__ = [
    "AssociationAbortedError",
    "AssociationError",
    "AssociationRejectedError",
    "OperationEndedError",
    "StatusError",
    "reject_words",
]


def _words(name: str) -> str:
    return name.lower().replace("_", " ")


def reject_words(rj: AAssociateRJ) -> str:
    """An A-ASSOCIATE-RJ's result, source and reason in words (PS3.8 9.3.4)."""
    reason = rj.reason
    told = _words(reason.name) if hasattr(reason, "name") else f"reason {int(reason)}"
    return f"{_words(rj.result.name)}, source {_words(rj.source.name)}, {told}"


class AssociationError(DimseError):
    """The association could not be made or did not end as asked: the message says why."""


class AssociationRejectedError(AssociationError):
    """The peer rejected the association (PS3.8 7.1.1.7, 9.3.4): ``rj`` is its answer."""

    def __init__(self, message: str, rj: AAssociateRJ) -> None:
        super().__init__(message)
        self.rj = rj


class AssociationAbortedError(AssociationError):
    """The association was aborted (PS3.8 7.3, 7.4): ``source``, ``reason`` and
    ``by_peer`` as the A-ABORT said, or the transport closed under it."""

    def __init__(
        self, message: str, *, source: AbortSource | int, reason: AbortReason | int, by_peer: bool
    ) -> None:
        super().__init__(message)
        self.source = source
        self.reason = reason
        self.by_peer = by_peer


class OperationEndedError(AssociationError):
    """An operation of ours ended without its final response: the association ended under
    it, or its response did not come within the response timeout."""


class StatusError(DimseError):
    """A peer answered with a failure status (PS3.7 Annex C), raised where the caller asked
    for it (``check=True``): ``response`` is the whole response."""

    def __init__(self, response: Response) -> None:
        status = response.status
        super().__init__(
            f"{type(response).__name__}: status 0x{int(status):04X} "
            f"({status.category.value}): {response.status_meaning}"
        )
        self.response = response
