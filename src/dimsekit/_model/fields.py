"""The command dictionary: tag, keyword, VR and VM of every group 0000 element.

Owns: the one table from which message attribute names, the codec and the docs take the
tag, keyword and VR of a command element (PS3.7 Annex E, E.1 in use and E.2 retired), and
the one rule that turns a DICOM keyword into a dimsekit attribute name.

Must not know: which message carries which element, or how values are encoded.
"""

from __future__ import annotations

import re
from typing import Final

import attrs

__all__ = ["COMMAND_ELEMENTS", "ElementSpec", "attribute_name"]

SOP_CLASS_UID_FIELDS: Final = frozenset({"affected_sop_class_uid", "requested_sop_class_uid"})
"""The elements that hold a SOP Class UID (PS3.7 E.1): an association uses a handful of
values, so the fast paths (building a message, decoding one) remember the valid ones
(``_model.vr.KNOWN_UIDS``)."""

_WORD_BOUNDARY: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def attribute_name(keyword: str) -> str:
    """A DICOM keyword in snake_case: ``AffectedSOPClassUID`` -> ``affected_sop_class_uid``.

    The rule is mechanical (a word starts at a capital that follows a lower-case letter
    or digit, or at the last capital of an acronym followed by lower case), so users can
    go from pydicom or pynetdicom keywords to dimsekit names without a table.
    """
    return _WORD_BOUNDARY.sub("_", keyword).lower()


@attrs.frozen
class ElementSpec:
    """One command element: its tag, keyword, VR, VM, and whether it is retired."""

    tag: int
    keyword: str
    vr: str
    vm: str
    retired: bool = False

    @property
    def name(self) -> str:
        """The dimsekit attribute name derived from the keyword."""
        return attribute_name(self.keyword)

    @property
    def tag_text(self) -> str:
        """The tag as written in the standard, e.g. ``(0000,0110)``."""
        return f"({self.tag >> 16:04X},{self.tag & 0xFFFF:04X})"


def _e(element: int, keyword: str, vr: str, vm: str = "1", retired: bool = False) -> ElementSpec:
    return ElementSpec(element, keyword, vr, vm, retired)


COMMAND_ELEMENTS: Final[tuple[ElementSpec, ...]] = (
    _e(0x0000, "CommandGroupLength", "UL"),
    _e(0x0001, "CommandLengthToEnd", "UL", retired=True),
    _e(0x0002, "AffectedSOPClassUID", "UI"),
    _e(0x0003, "RequestedSOPClassUID", "UI"),
    _e(0x0010, "CommandRecognitionCode", "SH", retired=True),
    _e(0x0100, "CommandField", "US"),
    _e(0x0110, "MessageID", "US"),
    _e(0x0120, "MessageIDBeingRespondedTo", "US"),
    _e(0x0200, "Initiator", "AE", retired=True),
    _e(0x0300, "Receiver", "AE", retired=True),
    _e(0x0400, "FindLocation", "AE", retired=True),
    _e(0x0600, "MoveDestination", "AE"),
    _e(0x0700, "Priority", "US"),
    _e(0x0800, "CommandDataSetType", "US"),
    _e(0x0850, "NumberOfMatches", "US", retired=True),
    _e(0x0860, "ResponseSequenceNumber", "US", retired=True),
    _e(0x0900, "Status", "US"),
    _e(0x0901, "OffendingElement", "AT", "1-n"),
    _e(0x0902, "ErrorComment", "LO"),
    _e(0x0903, "ErrorID", "US"),
    _e(0x1000, "AffectedSOPInstanceUID", "UI"),
    _e(0x1001, "RequestedSOPInstanceUID", "UI"),
    _e(0x1002, "EventTypeID", "US"),
    _e(0x1005, "AttributeIdentifierList", "AT", "1-n"),
    _e(0x1008, "ActionTypeID", "US"),
    _e(0x1020, "NumberOfRemainingSuboperations", "US"),
    _e(0x1021, "NumberOfCompletedSuboperations", "US"),
    _e(0x1022, "NumberOfFailedSuboperations", "US"),
    _e(0x1023, "NumberOfWarningSuboperations", "US"),
    _e(0x1030, "MoveOriginatorApplicationEntityTitle", "AE"),
    _e(0x1031, "MoveOriginatorMessageID", "US"),
    _e(0x4000, "DialogReceiver", "LT", retired=True),
    _e(0x4010, "TerminalType", "LT", retired=True),
    _e(0x5010, "MessageSetID", "SH", retired=True),
    _e(0x5020, "EndMessageID", "SH", retired=True),
    _e(0x5110, "DisplayFormat", "LT", retired=True),
    _e(0x5120, "PagePositionID", "LT", retired=True),
    _e(0x5130, "TextFormatID", "CS", retired=True),
    _e(0x5140, "NormalReverse", "CS", retired=True),
    _e(0x5150, "AddGrayScale", "CS", retired=True),
    _e(0x5160, "Borders", "CS", retired=True),
    _e(0x5170, "Copies", "IS", retired=True),
    _e(0x5180, "CommandMagnificationType", "CS", retired=True),
    _e(0x5190, "Erase", "CS", retired=True),
    _e(0x51A0, "Print", "CS", retired=True),
    _e(0x51B0, "Overlays", "US", "1-n", retired=True),
)

BY_TAG: Final[dict[int, ElementSpec]] = {spec.tag: spec for spec in COMMAND_ELEMENTS}
BY_NAME: Final[dict[str, ElementSpec]] = {spec.name: spec for spec in COMMAND_ELEMENTS}

# The data-set parameters of PS3.7 carry no tag: they are the message's data set.
DATA_SET_PARAMETERS: Final[dict[str, str]] = {
    "data_set": "Data Set",
    "identifier": "Identifier",
    "event_information": "Event Information",
    "event_reply": "Event Reply",
    "attribute_list": "Attribute List",
    "modification_list": "Modification List",
    "action_information": "Action Information",
    "action_reply": "Action Reply",
}
