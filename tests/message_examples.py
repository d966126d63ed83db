"""Example values of the 23 message classes, shared by the test_messages*.py modules.

MINIMAL builds each class with its required fields only; VARIANTS adds optional fields
to it, with statuses that allow them; ``build`` makes a message of both and ``refusal``
checks what building refuses.  The fields are PS3.7's (Tables 9.1-1 .. 10.1-6), the
statuses those of PS3.7 Annex C and PS3.4 C.4.  The requests of the DIMSE-C services by
their Message ID (``echo`` ... ``get``) and a Pending C-MOVE/C-GET response
(``progress``) are the operations tests' (test_operations.py,
test_association_operations.py).
"""

from __future__ import annotations

from typing import Any

import dimsekit as dk

from .helpers import CT, refused

STUDY_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
STUDY_MOVE = "1.2.840.10008.5.1.4.1.2.2.2"
STUDY_GET = "1.2.840.10008.5.1.4.1.2.2.3"
COMMITMENT = "1.2.840.10008.1.20.1"
COMMITMENT_INSTANCE = "1.2.840.10008.1.20.1.1"
FILM_SESSION = "1.2.840.10008.5.1.1.1"
PRINTER = "1.2.840.10008.5.1.1.16"
PRINTER_INSTANCE = "1.2.840.10008.5.1.1.17"
ID = b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY "  # QueryRetrieveLevel, Implicit VR LE

# the fewest fields each class is built with
MINIMAL: dict[type[dk.Message], dict[str, Any]] = {
    dk.CStoreRequest: {"message_id": 1, "affected_sop_class_uid": CT,
                       "affected_sop_instance_uid": "1.2.3", "data_set": ID},
    dk.CStoreResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CFindRequest: {"message_id": 1, "affected_sop_class_uid": STUDY_FIND, "identifier": ID},
    dk.CFindResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CGetRequest: {"message_id": 1, "affected_sop_class_uid": STUDY_GET, "identifier": ID},
    dk.CGetResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CMoveRequest: {"message_id": 1, "affected_sop_class_uid": STUDY_MOVE,
                      "move_destination": "STORESCP", "identifier": ID},
    dk.CMoveResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CEchoRequest: {"message_id": 1},
    dk.CEchoResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.CCancelRequest: {"message_id_being_responded_to": 1},
    dk.NEventReportRequest: {"message_id": 1, "affected_sop_class_uid": COMMITMENT,
                             "affected_sop_instance_uid": COMMITMENT_INSTANCE,
                             "event_type_id": 1},
    dk.NEventReportResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.NGetRequest: {"message_id": 1, "requested_sop_class_uid": PRINTER,
                     "requested_sop_instance_uid": PRINTER_INSTANCE},
    dk.NGetResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.NSetRequest: {"message_id": 1, "requested_sop_class_uid": FILM_SESSION,
                     "requested_sop_instance_uid": "1.2.3", "modification_list": ID},
    dk.NSetResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.NActionRequest: {"message_id": 1, "requested_sop_class_uid": FILM_SESSION,
                        "requested_sop_instance_uid": "1.2.3", "action_type_id": 1},
    dk.NActionResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.NCreateRequest: {"message_id": 1, "affected_sop_class_uid": FILM_SESSION},
    dk.NCreateResponse: {"message_id_being_responded_to": 1, "status": 0},
    dk.NDeleteRequest: {"message_id": 1, "requested_sop_class_uid": FILM_SESSION,
                        "requested_sop_instance_uid": "1.2.3"},
    dk.NDeleteResponse: {"message_id_being_responded_to": 1, "status": 0},
}  # fmt: skip

# additions to MINIMAL: together a class's variants use every optional field it has, each
# with a status that allows it (one status cannot allow them all); the last ones of some
# classes try fields with statuses that matter to them (a counter alone with Cancel or
# Success, an Identifier with a Failure, the UIDs with a Failure)
COUNTS = {"number_of_completed_suboperations": 3, "number_of_failed_suboperations": 1,
          "number_of_warning_suboperations": 0}  # fmt: skip
VARIANTS: dict[type[dk.Message], list[dict[str, Any]]] = {
    dk.CStoreRequest: [{"priority": 1, "move_originator_application_entity_title": "MOVESCU",
                        "move_originator_message_id": 7}],
    dk.CStoreResponse: [{"status": 0xB000, "affected_sop_class_uid": CT,
                         "affected_sop_instance_uid": "1.2.3",
                         "offending_element": ["PatientID"], "error_comment": "coerced"}],
    dk.CFindRequest: [{"priority": 2}],
    dk.CFindResponse: [{"status": 0xFF01, "affected_sop_class_uid": STUDY_FIND,
                        "identifier": ID},
                       {"status": 0xC001, "offending_element": [0x00080052],
                        "error_comment": "bad key"}],
    dk.CGetRequest: [{"priority": 1}],
    dk.CGetResponse: [{"status": 0xFE00, "affected_sop_class_uid": STUDY_GET,
                       "number_of_remaining_suboperations": 2, **COUNTS, "identifier": ID},
                      {"status": 0xA900, **COUNTS, "offending_element": [0x00080052],
                       "error_comment": "bad level"},
                      {"status": 0xA702, "number_of_failed_suboperations": 3, "identifier": ID}],
    dk.CMoveRequest: [{"priority": 2}],
    dk.CMoveResponse: [{"status": 0xFE00, "affected_sop_class_uid": STUDY_MOVE,
                        "number_of_remaining_suboperations": 2, **COUNTS, "identifier": ID},
                       {"status": 0xC000, **COUNTS, "offending_element": [0x00080052],
                        "error_comment": "bad level", "identifier": ID},
                       {"status": 0xA900, "affected_sop_class_uid": STUDY_MOVE, **COUNTS,
                        "offending_element": [0x00080052], "error_comment": "bad level",
                        "identifier": ID},
                       {"status": 0xFE00, "number_of_remaining_suboperations": 1},
                       {"status": 0x0000, "number_of_completed_suboperations": 3}],
    dk.CEchoRequest: [{"affected_sop_class_uid": "1.2.840.10008.1.1"}],
    dk.CEchoResponse: [{"status": 0xC000, "affected_sop_class_uid": "1.2.840.10008.1.1",
                        "offending_element": [0x00000002], "error_comment": "cannot"}],
    dk.CCancelRequest: [{}],
    dk.NEventReportRequest: [{"event_information": ID}],
    dk.NEventReportResponse: [{"affected_sop_class_uid": COMMITMENT,
                               "affected_sop_instance_uid": COMMITMENT_INSTANCE,
                               "event_type_id": 1, "event_reply": ID},
                              {"status": 0x0110, "error_comment": "failed", "error_id": 9},
                              {"status": 0xC000, "offending_element": [0x00081195]}],
    dk.NGetRequest: [{"attribute_identifier_list": [0x21100010]}],
    dk.NGetResponse: [{"affected_sop_class_uid": PRINTER,
                       "affected_sop_instance_uid": PRINTER_INSTANCE, "attribute_list": ID},
                      {"status": 0x0107, "attribute_identifier_list": [0x21100099],
                       "attribute_list": ID},
                      {"status": 0x0110, "error_comment": "failed", "error_id": 9},
                      {"status": 0xC000, "offending_element": [0x21100010]},
                      {"status": 0x0107, "affected_sop_class_uid": PRINTER,
                       "affected_sop_instance_uid": PRINTER_INSTANCE,
                       "attribute_identifier_list": [0x21100099]}],
    dk.NSetRequest: [{}],
    dk.NSetResponse: [{"affected_sop_class_uid": FILM_SESSION,
                       "affected_sop_instance_uid": "1.2.3", "attribute_list": ID},
                      {"status": 0x0105, "attribute_identifier_list": [0x20000010]},
                      {"status": 0x0110, "error_comment": "failed", "error_id": 0xA710},
                      {"status": 0xB600, "offending_element": [0x20000010]},
                      {"status": 0x0110, "affected_sop_class_uid": FILM_SESSION,
                       "affected_sop_instance_uid": "1.2.3", "error_comment": "failed",
                       "error_id": 0xA710, "attribute_list": ID}],
    dk.NActionRequest: [{"action_information": ID}],
    dk.NActionResponse: [{"affected_sop_class_uid": FILM_SESSION,
                          "affected_sop_instance_uid": "1.2.3", "action_type_id": 1,
                          "action_reply": ID},
                         {"status": 0x0110, "error_comment": "failed", "error_id": 9},
                         {"status": 0xC600, "offending_element": [0x20000010]}],
    dk.NCreateRequest: [{"affected_sop_instance_uid": "1.2.3", "attribute_list": ID}],
    dk.NCreateResponse: [{"affected_sop_class_uid": FILM_SESSION,
                          "affected_sop_instance_uid": "1.2.3", "attribute_list": ID},
                         {"status": 0x0121, "attribute_identifier_list": [0x20000010]},
                         {"status": 0x0110, "error_comment": "failed", "error_id": 9},
                         {"status": 0xC000, "offending_element": [0x20000010]}],
    dk.NDeleteRequest: [{}],
    dk.NDeleteResponse: [{"affected_sop_class_uid": FILM_SESSION,
                          "affected_sop_instance_uid": "1.2.3"},
                         {"status": 0x0110, "error_comment": "failed", "error_id": 9},
                         {"status": 0xC000, "offending_element": [0x20000010]},
                         {"status": 0x0112, "affected_sop_instance_uid": "1.2.3"}],
}  # fmt: skip

CLASSES = list(MINIMAL)
REQUESTS = [cls for cls in CLASSES if issubclass(cls, dk.Request)]
RESPONSES = [cls for cls in CLASSES if issubclass(cls, dk.Response)]
DATA_SET_NAMES = {
    "data_set", "identifier", "event_information", "event_reply", "attribute_list",
    "modification_list", "action_information", "action_reply",
}  # fmt: skip


def build(cls: type[dk.Message], variant: int = 0, **changes: Any) -> Any:
    """A message of ``cls`` with MINIMAL, one of its VARIANTS and ``changes``."""
    return cls(**{**MINIMAL[cls], **VARIANTS[cls][variant], **changes})


def refusal(cls: type[dk.Message], values: dict[str, Any]) -> dk.InvalidMessageError:
    """The error building ``cls`` from ``values`` raises, checked for what every error says
    (``refused``) and for naming ``cls``."""
    error = refused(lambda: cls(**values))
    assert error.message_class == cls.__name__
    return error


# --- the DIMSE-C requests of the operations tests, by Message ID ---------------------------


def echo(message_id: int) -> dk.CEchoRequest:
    return dk.CEchoRequest(message_id=message_id)


def store(message_id: int, sop_class: str = CT) -> dk.CStoreRequest:
    return dk.CStoreRequest(
        message_id=message_id,
        affected_sop_class_uid=sop_class,
        affected_sop_instance_uid=f"1.2.3.{message_id}",
        data_set=ID,
    )


def find(message_id: int) -> dk.CFindRequest:
    return dk.CFindRequest(message_id=message_id, affected_sop_class_uid=STUDY_FIND, identifier=ID)


def move(message_id: int) -> dk.CMoveRequest:
    return dk.CMoveRequest(
        message_id=message_id,
        affected_sop_class_uid=STUDY_MOVE,
        move_destination="X",
        identifier=ID,
    )


def get(message_id: int) -> dk.CGetRequest:
    return dk.CGetRequest(message_id=message_id, affected_sop_class_uid=STUDY_GET, identifier=ID)


def progress(request: dk.CMoveRequest | dk.CGetRequest, remaining: int) -> dk.Response:
    """A Pending C-MOVE/C-GET response: sub-operations continuing (PS3.7 9.1.4.1)."""
    return request.response(
        status=0xFF00,
        number_of_remaining_suboperations=remaining,
        number_of_completed_suboperations=0,
        number_of_failed_suboperations=0,
        number_of_warning_suboperations=0,
    )
