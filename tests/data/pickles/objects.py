"""The objects the pickle fixture holds, built with dimsekit's public API only, so that
the same function builds them on the commit that wrote the fixture and on today's code."""

from __future__ import annotations

import dimsekit as dk
from tests.message_examples import CLASSES, VARIANTS, build


def objects() -> list[tuple[str, object]]:
    """``(label, object)`` pairs: public types and functions by reference, then one
    instance of each picklable public type (messages in every variant)."""
    pairs: list[tuple[str, object]] = [
        (f"dimsekit.{name}", getattr(dk, name))
        for name in dk.__all__
        if isinstance(getattr(dk, name), type) or type(getattr(dk, name)).__name__ == "function"
    ]
    for cls in CLASSES:
        pairs += [
            (f"{cls.__name__}[{variant}]", build(cls, variant))
            for variant in range(len(VARIANTS[cls]))
        ]
    echo = dk.CEchoRequest(message_id=7)
    diagnostic = dk.Diagnostic(what="odd", rule="PS3.7 9.3", offset=4, tag=0x0100, repeats=2)
    pairs += [
        ("Status(0xFF00)", dk.Status(0xFF00)),
        ("Status(0xA702)", dk.Status(0xA702)),
        ("AttributeTags", dk.AttributeTags([0x00100010, (0x0008, 0x0018)])),
        ("DataSetPayload", dk.DataSetPayload(b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY ")),
        ("Diagnostic", diagnostic),
        (
            "WireDetails",
            dk.WireDetails(
                command_data_set_type=0x0101, extra_elements=[(0x0000_0700, b"\x01\x00")]
            ),
        ),
        ("MessageReceived", dk.MessageReceived(1, echo, (diagnostic,), dk.encode_command(echo))),
        (
            "UndecodableMessage",
            dk.UndecodableMessage(3, dk.DecodeError("bad", offset=2, tag=0x0100), b"\x00"),
        ),
        (
            "PDUReceived",
            dk.PDUReceived(dk.PDUType.A_RELEASE_RQ, b"\x05\x00\x00\x00\x00\x04\x00\x00\x00\x00"),
        ),
        ("DecodedCommand", dk.DecodedCommand(echo, (diagnostic,))),
        (
            "ResponseMismatch",
            dk.ResponseMismatch("message_id_being_responded_to", 1, 2, "must echo"),
        ),
        ("ElementSpec", dk.ElementSpec(0x0000_0100, "CommandField", "US", "1")),
        ("CommandField", dk.CommandField.C_STORE_RQ),
        ("Priority", dk.Priority.HIGH),
        ("Severity", dk.Severity.ERROR),
        ("PDUType", dk.PDUType.P_DATA_TF),
        ("ServiceClass", dk.ServiceClass.STORAGE),
        ("StatusCategory", dk.StatusCategory.PENDING),
        (
            "DecodeError",
            dk.DecodeError("bad length", offset=8, tag=0x0800, suggested_status=0xA900),
        ),
        ("FramingError", dk.FramingError("PDV item length 0 (PS3.8 9.3.5.1)", offset=12)),
    ]
    try:
        dk.CEchoRequest(message_id=70000)
    except dk.InvalidMessageError as error:
        pairs.append(("InvalidMessageError", error))
    return pairs
