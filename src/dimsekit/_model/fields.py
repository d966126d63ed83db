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


_TABLE: Final = """
    tag   keyword                               VR  VM
    0000  CommandGroupLength                    UL  1
    0001  CommandLengthToEnd                    UL  1    retired
    0002  AffectedSOPClassUID                   UI  1
    0003  RequestedSOPClassUID                  UI  1
    0010  CommandRecognitionCode                SH  1    retired
    0100  CommandField                          US  1
    0110  MessageID                             US  1
    0120  MessageIDBeingRespondedTo             US  1
    0200  Initiator                             AE  1    retired
    0300  Receiver                              AE  1    retired
    0400  FindLocation                          AE  1    retired
    0600  MoveDestination                       AE  1
    0700  Priority                              US  1
    0800  CommandDataSetType                    US  1
    0850  NumberOfMatches                       US  1    retired
    0860  ResponseSequenceNumber                US  1    retired
    0900  Status                                US  1
    0901  OffendingElement                      AT  1-n
    0902  ErrorComment                          LO  1
    0903  ErrorID                               US  1
    1000  AffectedSOPInstanceUID                UI  1
    1001  RequestedSOPInstanceUID               UI  1
    1002  EventTypeID                           US  1
    1005  AttributeIdentifierList               AT  1-n
    1008  ActionTypeID                          US  1
    1020  NumberOfRemainingSuboperations        US  1
    1021  NumberOfCompletedSuboperations        US  1
    1022  NumberOfFailedSuboperations           US  1
    1023  NumberOfWarningSuboperations          US  1
    1030  MoveOriginatorApplicationEntityTitle  AE  1
    1031  MoveOriginatorMessageID               US  1
    4000  DialogReceiver                        LT  1    retired
    4010  TerminalType                          LT  1    retired
    5010  MessageSetID                          SH  1    retired
    5020  EndMessageID                          SH  1    retired
    5110  DisplayFormat                         LT  1    retired
    5120  PagePositionID                        LT  1    retired
    5130  TextFormatID                          CS  1    retired
    5140  NormalReverse                         CS  1    retired
    5150  AddGrayScale                          CS  1    retired
    5160  Borders                               CS  1    retired
    5170  Copies                                IS  1    retired
    5180  CommandMagnificationType              CS  1    retired
    5190  Erase                                 CS  1    retired
    51A0  Print                                 CS  1    retired
    51B0  Overlays                              US  1-n  retired
"""
"""PS3.7 Table E.1-1, row by row: element number (group 0000), keyword, VR, VM, and
whether PS3.7 retired the element (E.2)."""


def _elements(table: str) -> tuple[ElementSpec, ...]:
    rows = [line.split() for line in table.strip().splitlines()[1:]]
    return tuple(
        ElementSpec(int(element, 16), keyword, vr, vm, retired == ["retired"])
        for element, keyword, vr, vm, *retired in rows
    )


COMMAND_ELEMENTS: Final[tuple[ElementSpec, ...]] = _elements(_TABLE)


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
