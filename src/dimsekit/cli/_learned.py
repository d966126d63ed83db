"""What a reader of one connection's PDUs learns from its A-ASSOCIATE PDUs.

Owns: :class:`LearnedAssociation`, the memory that ``decode`` and ``tap`` keep of an
association they watch: each presentation context's transfer syntax (to decode the
messages that follow on it) and the A-ASSOCIATE-RQ that an A-ASSOCIATE-AC is checked
against (PS3.8 7.1.1.14, ``answer_diagnostics``).

Must not know: how records are printed, where the bytes come from.
"""

from __future__ import annotations

import attrs

from .._diagnostics import Diagnostic
from .._framing.pdus import PDU, AAssociateAC, AAssociateRQ, answer_diagnostics

__all__ = ["LearnedAssociation"]


@attrs.define
class LearnedAssociation:
    """The transfer syntax of each presentation context and the last A-ASSOCIATE-RQ."""

    syntaxes: dict[int, str] = attrs.Factory(dict)
    """Context ID -> transfer syntax: the one an AC accepted it with, or the only one an
    RQ proposed for it (it can be accepted with no other, PS3.8 9.3.3.2), so a stream
    recorded without its AC can still be read."""
    request: AAssociateRQ | None = None

    def learn(self, pdu: PDU) -> tuple[Diagnostic, ...]:
        """Take what ``pdu`` says; for an AC, what it leaves unanswered of the RQ seen
        before it (PS3.8 7.1.1.14), as diagnostics."""
        if isinstance(pdu, AAssociateRQ):
            self.request = pdu
            for proposed in pdu.presentation_contexts:
                if len(proposed.transfer_syntaxes) == 1:
                    self.syntaxes[proposed.context_id] = str(proposed.transfer_syntaxes[0])
            return ()
        if not isinstance(pdu, AAssociateAC):
            return ()
        for answered in pdu.presentation_contexts:
            # a rejected context's transfer syntax is not significant (PS3.8 9.3.3.2)
            if answered.accepted and answered.transfer_syntax is not None:
                self.syntaxes[answered.context_id] = str(answered.transfer_syntax)
        return () if self.request is None else answer_diagnostics(self.request, pdu)
