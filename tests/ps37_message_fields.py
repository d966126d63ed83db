"""Test data: the requirement code of every field of the 23 DIMSE messages, from PS3.7.

The project's own copy of the standard's facts that the tests check the model against
(``dimsekit describe`` in test_cli.py, ``requirements()`` in test_messages.py).  Each
message has its message table (PS3.7 9.3 for DIMSE-C, 10.3 for DIMSE-N); the table's
preamble says that a field is required as the service definition says (the parameter
tables 9.1-1 .. 9.1-5 and 10.1-1 .. 10.1-6: the Req/Ind column for a request, Rsp/Conf
for a response, the Cancel Req/Ind column for C-CANCEL) unless the message table notes
otherwise, and that a field of the message table the service definition does not have
(Command Group Length, Command Field, Command Data Set Type) is required by the DIMSE
protocol: M.

Codes:
- ``M`` mandatory, ``U`` the sender's option, ``C`` conditional (the condition is in the
  parameter's description in PS3.7 9.1.x.1 / 10.1.x.1 and in PS3.4);
- ``(=)`` after U or C: when present, the value equals the request's (PS3.7 9.1, 10.1);
- ``A`` a status-related field: the message table does not list it, the response may
  carry it only with a status whose PS3.7 Annex C entry names it (Offending Element and
  Error Comment with the generic Warning, C.4.1, and Failure, C.5; Error ID with
  Processing Failure, C.5.21; Attribute Identifier List with Attribute List warning,
  C.4.2, No Such Attribute and Missing Attribute Value, which only N-GET, N-SET and
  N-CREATE may return, PS3.7 10.1.2.1.9, 10.1.3.1, 10.1.5.1).
A field a message does not have is left out (``describe`` prints ``-``).

Command elements are named by their keyword (PS3.7 Annex E), the data set by the name of
its parameter in the service definition ("Identifier", "Attribute List", ...).
"""

from __future__ import annotations

from typing import Final

MESSAGE_FIELDS: Final[dict[str, dict[str, str]]] = {
    # --- DIMSE-C (PS3.7 9.3) ------------------------------------------------------------
    # C-STORE-RQ: Table 9.3-1; codes Table 9.1-1, Req/Ind.
    "C-STORE-RQ": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "M", "CommandField": "M",
        "MessageID": "M", "Priority": "M", "CommandDataSetType": "M",
        "AffectedSOPInstanceUID": "M", "MoveOriginatorApplicationEntityTitle": "U",
        "MoveOriginatorMessageID": "U", "Data Set": "M",
    },
    # C-STORE-RSP: Table 9.3-2; codes Table 9.1-1, Rsp/Conf; Annex C C.4.1, C.5.
    "C-STORE-RSP": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "U(=)", "CommandField": "M",
        "MessageIDBeingRespondedTo": "M", "CommandDataSetType": "M", "Status": "M",
        "OffendingElement": "A", "ErrorComment": "A", "AffectedSOPInstanceUID": "U(=)",
    },
    # C-FIND-RQ: Table 9.3-3; codes Table 9.1-2, Req/Ind.
    "C-FIND-RQ": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "M", "CommandField": "M",
        "MessageID": "M", "Priority": "M", "CommandDataSetType": "M", "Identifier": "M",
    },
    # C-FIND-RSP: Table 9.3-4; codes Table 9.1-2, Rsp/Conf; Annex C C.4.1, C.5.
    "C-FIND-RSP": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "U(=)", "CommandField": "M",
        "MessageIDBeingRespondedTo": "M", "CommandDataSetType": "M", "Status": "M",
        "OffendingElement": "A", "ErrorComment": "A", "Identifier": "C",
    },
    # C-GET-RQ: Table 9.3-6; codes Table 9.1-3, Req/Ind.
    "C-GET-RQ": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "M", "CommandField": "M",
        "MessageID": "M", "Priority": "M", "CommandDataSetType": "M", "Identifier": "M",
    },
    # C-GET-RSP: Table 9.3-7; codes Table 9.1-3, Rsp/Conf (the Identifier is U there;
    # PS3.4 C.4.3.1.3.2 narrows it); Annex C C.4.1, C.5.
    "C-GET-RSP": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "U(=)", "CommandField": "M",
        "MessageIDBeingRespondedTo": "M", "CommandDataSetType": "M", "Status": "M",
        "OffendingElement": "A", "ErrorComment": "A",
        "NumberOfRemainingSuboperations": "C", "NumberOfCompletedSuboperations": "C",
        "NumberOfFailedSuboperations": "C", "NumberOfWarningSuboperations": "C",
        "Identifier": "U",
    },
    # C-MOVE-RQ: Table 9.3-9; codes Table 9.1-4, Req/Ind.
    "C-MOVE-RQ": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "M", "CommandField": "M",
        "MessageID": "M", "MoveDestination": "M", "Priority": "M",
        "CommandDataSetType": "M", "Identifier": "M",
    },
    # C-MOVE-RSP: Table 9.3-10; codes Table 9.1-4, Rsp/Conf (Identifier as for C-GET,
    # PS3.4 C.4.2.1.4.2); Annex C C.4.1, C.5.
    "C-MOVE-RSP": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "U(=)", "CommandField": "M",
        "MessageIDBeingRespondedTo": "M", "CommandDataSetType": "M", "Status": "M",
        "OffendingElement": "A", "ErrorComment": "A",
        "NumberOfRemainingSuboperations": "C", "NumberOfCompletedSuboperations": "C",
        "NumberOfFailedSuboperations": "C", "NumberOfWarningSuboperations": "C",
        "Identifier": "U",
    },
    # C-ECHO-RQ: Table 9.3-12; codes Table 9.1-5, Req/Ind.
    "C-ECHO-RQ": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "M", "CommandField": "M",
        "MessageID": "M", "CommandDataSetType": "M",
    },
    # C-ECHO-RSP: Table 9.3-13; codes Table 9.1-5, Rsp/Conf; Annex C C.4.1, C.5.
    "C-ECHO-RSP": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "U(=)", "CommandField": "M",
        "MessageIDBeingRespondedTo": "M", "CommandDataSetType": "M", "Status": "M",
        "OffendingElement": "A", "ErrorComment": "A",
    },
    # C-CANCEL-FIND-RQ, C-CANCEL-GET-RQ, C-CANCEL-MOVE-RQ: Tables 9.3-5, 9.3-8, 9.3-11,
    # field for field the same (one Command Field, 0FFFH); codes: the Cancel Req/Ind
    # column of Tables 9.1-2, 9.1-3, 9.1-4.
    "C-CANCEL-RQ": {
        "CommandGroupLength": "M", "CommandField": "M", "MessageIDBeingRespondedTo": "M",
        "CommandDataSetType": "M",
    },
    # --- DIMSE-N (PS3.7 10.3) -----------------------------------------------------------
    # N-EVENT-REPORT-RQ: Table 10.3-1; codes Table 10.1-1, Req/Ind.
    "N-EVENT-REPORT-RQ": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "M", "CommandField": "M",
        "MessageID": "M", "CommandDataSetType": "M", "AffectedSOPInstanceUID": "M",
        "EventTypeID": "M", "Event Information": "U",
    },
    # N-EVENT-REPORT-RSP: Table 10.3-2; codes Table 10.1-1, Rsp/Conf; Annex C C.4.1,
    # C.5, C.5.21.
    "N-EVENT-REPORT-RSP": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "U(=)", "CommandField": "M",
        "MessageIDBeingRespondedTo": "M", "CommandDataSetType": "M", "Status": "M",
        "OffendingElement": "A", "ErrorComment": "A", "ErrorID": "A",
        "AffectedSOPInstanceUID": "U(=)", "EventTypeID": "C(=)", "Event Reply": "C",
    },
    # N-GET-RQ: Table 10.3-3; codes Table 10.1-2, Req/Ind.
    "N-GET-RQ": {
        "CommandGroupLength": "M", "RequestedSOPClassUID": "M", "CommandField": "M",
        "MessageID": "M", "CommandDataSetType": "M", "RequestedSOPInstanceUID": "M",
        "AttributeIdentifierList": "U",
    },
    # N-GET-RSP: Table 10.3-4; codes Table 10.1-2, Rsp/Conf; Annex C C.4.1, C.4.2, C.5,
    # C.5.21.
    "N-GET-RSP": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "U", "CommandField": "M",
        "MessageIDBeingRespondedTo": "M", "CommandDataSetType": "M", "Status": "M",
        "OffendingElement": "A", "ErrorComment": "A", "ErrorID": "A",
        "AffectedSOPInstanceUID": "U", "AttributeIdentifierList": "A",
        "Attribute List": "C",
    },
    # N-SET-RQ: Table 10.3-5; codes Table 10.1-3, Req/Ind.
    "N-SET-RQ": {
        "CommandGroupLength": "M", "RequestedSOPClassUID": "M", "CommandField": "M",
        "MessageID": "M", "CommandDataSetType": "M", "RequestedSOPInstanceUID": "M",
        "Modification List": "M",
    },
    # N-SET-RSP: Table 10.3-6; codes Table 10.1-3, Rsp/Conf; Annex C C.4.1, C.4.2, C.5,
    # C.5.21.
    "N-SET-RSP": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "U", "CommandField": "M",
        "MessageIDBeingRespondedTo": "M", "CommandDataSetType": "M", "Status": "M",
        "OffendingElement": "A", "ErrorComment": "A", "ErrorID": "A",
        "AffectedSOPInstanceUID": "U", "AttributeIdentifierList": "A",
        "Attribute List": "U",
    },
    # N-ACTION-RQ: Table 10.3-7; codes Table 10.1-4, Req/Ind.
    "N-ACTION-RQ": {
        "CommandGroupLength": "M", "RequestedSOPClassUID": "M", "CommandField": "M",
        "MessageID": "M", "CommandDataSetType": "M", "RequestedSOPInstanceUID": "M",
        "ActionTypeID": "M", "Action Information": "U",
    },
    # N-ACTION-RSP: Table 10.3-8; codes Table 10.1-4, Rsp/Conf; Annex C C.4.1, C.5,
    # C.5.21.
    "N-ACTION-RSP": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "U", "CommandField": "M",
        "MessageIDBeingRespondedTo": "M", "CommandDataSetType": "M", "Status": "M",
        "OffendingElement": "A", "ErrorComment": "A", "ErrorID": "A",
        "AffectedSOPInstanceUID": "U", "ActionTypeID": "C(=)", "Action Reply": "C",
    },
    # N-CREATE-RQ: Table 10.3-9; codes Table 10.1-5, Req/Ind.
    "N-CREATE-RQ": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "M", "CommandField": "M",
        "MessageID": "M", "CommandDataSetType": "M", "AffectedSOPInstanceUID": "U",
        "Attribute List": "U",
    },
    # N-CREATE-RSP: Table 10.3-10; codes Table 10.1-5, Rsp/Conf; Annex C C.4.1, C.4.2,
    # C.5, C.5.21.
    "N-CREATE-RSP": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "U(=)", "CommandField": "M",
        "MessageIDBeingRespondedTo": "M", "CommandDataSetType": "M", "Status": "M",
        "OffendingElement": "A", "ErrorComment": "A", "ErrorID": "A",
        "AffectedSOPInstanceUID": "C", "AttributeIdentifierList": "A",
        "Attribute List": "U",
    },
    # N-DELETE-RQ: Table 10.3-11; codes Table 10.1-6, Req/Ind.
    "N-DELETE-RQ": {
        "CommandGroupLength": "M", "RequestedSOPClassUID": "M", "CommandField": "M",
        "MessageID": "M", "CommandDataSetType": "M", "RequestedSOPInstanceUID": "M",
    },
    # N-DELETE-RSP: Table 10.3-12; codes Table 10.1-6, Rsp/Conf; Annex C C.4.1, C.5,
    # C.5.21.
    "N-DELETE-RSP": {
        "CommandGroupLength": "M", "AffectedSOPClassUID": "U", "CommandField": "M",
        "MessageIDBeingRespondedTo": "M", "CommandDataSetType": "M", "Status": "M",
        "OffendingElement": "A", "ErrorComment": "A", "ErrorID": "A",
        "AffectedSOPInstanceUID": "U",
    },
}  # fmt: skip

PROTOCOL_FIELDS: Final = frozenset({"CommandGroupLength", "CommandField", "CommandDataSetType"})
"""The fields the DIMSE protocol adds to every message table (no service parameter)."""

DATA_SET_NAMES: Final = frozenset(
    {
        "Data Set", "Identifier", "Event Information", "Event Reply", "Attribute List",
        "Modification List", "Action Information", "Action Reply",
    }
)  # fmt: skip
"""The names of the data-set parameters (no tag; encoded as the message's data set)."""
