"""STUB, to be replaced at merge by helper NEGOTIATION's module of the same name.

Only what the engine calls, with the signatures the issue 15 API note gives them:
:func:`agreement`, :func:`check_received_answer`, :func:`provider_refusal`,
:func:`check_local_answer`, and the :class:`Agreement` fields the engine reads
(``contexts``, ``requestor_max_pdu_length``, ``acceptor_max_pdu_length``).  The checks
here are the least that keeps the engine honest (the AC against the RQ as
``answer_diagnostics`` sees it; the application context name, PS3.7 A.2.1); the real
module does all of PS3.8 9.3 and PS3.7 D.3.3.

Must not know: the state machine, bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs
from pydicom.uid import UID

from .._diagnostics import Diagnostic
from .._errors import LocalProtocolError
from .._framing.items import ContextResult
from .._framing.pdus import (
    AAssociateAC,
    AAssociateRJ,
    AAssociateRQ,
    RejectReason,
    RejectResult,
    RejectSource,
    answer_diagnostics,
)

__all__: list[str] = []  # a stub: nothing public until the real module lands

_DICOM_APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1"  # PS3.7 A.2.1


@attrs.frozen
class AcceptedContext:
    """A presentation context the AC accepted (stub)."""

    context_id: int
    abstract_syntax: UID
    transfer_syntax: UID
    requestor_is_scu: bool = True
    requestor_is_scp: bool = False


@attrs.frozen
class Agreement:
    """What an RQ and its AC agreed (stub: the fields the engine reads)."""

    rq: AAssociateRQ
    ac: AAssociateAC
    contexts: Mapping[int, AcceptedContext]
    rejected: Mapping[int, ContextResult]
    requestor_max_pdu_length: int
    acceptor_max_pdu_length: int
    max_operations_invoked: int = 1
    max_operations_performed: int = 1


def agreement(rq: AAssociateRQ, ac: AAssociateAC) -> Agreement:
    """The agreement of ``rq`` and ``ac`` (stub)."""
    proposed = {context.context_id: context for context in rq.presentation_contexts}
    accepted = {}
    rejected = {}
    for context in ac.presentation_contexts:
        request = proposed.get(context.context_id)
        if request is None:
            continue
        if context.accepted and context.transfer_syntax is not None:
            accepted[context.context_id] = AcceptedContext(
                context.context_id, request.abstract_syntax, context.transfer_syntax
            )
        else:
            rejected[context.context_id] = context.result
    return Agreement(
        rq,
        ac,
        MappingProxyType(accepted),
        MappingProxyType(rejected),
        rq.user_information.maximum_length or 0,
        ac.user_information.maximum_length or 0,
    )


def check_received_answer(rq: AAssociateRQ, ac: AAssociateAC) -> tuple[Diagnostic, ...]:
    """What in ``ac`` does not answer ``rq`` (stub: ``answer_diagnostics``)."""
    return answer_diagnostics(rq, ac)


def provider_refusal(rq: AAssociateRQ) -> AAssociateRJ | None:
    """AE-6's "acceptable to the service provider" (stub: the application context)."""
    if rq.application_context.name != _DICOM_APPLICATION_CONTEXT:
        return AAssociateRJ(
            result=RejectResult.REJECTED_PERMANENT,
            source=RejectSource.SERVICE_USER,
            reason=RejectReason.APPLICATION_CONTEXT_NAME_NOT_SUPPORTED,
        )
    return None


def check_local_answer(rq: AAssociateRQ, answer: AAssociateAC | AAssociateRJ) -> None:
    """Raise LocalProtocolError if a user's own AC does not fit ``rq`` (stub)."""
    if isinstance(answer, AAssociateAC):
        problems = answer_diagnostics(rq, answer)
        if problems:
            raise LocalProtocolError(
                f"the A-ASSOCIATE-AC does not answer the A-ASSOCIATE-RQ: {problems[0].what}"
            )
