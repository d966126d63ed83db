"""dimsekit: a typed, validated model of the DICOM DIMSE messages of PS3.7.

This module is the public facade: it imports and re-exports, and keeps the module names
that pickles made before the layer packages use (``_pickle_names``); nothing else.  The
message classes and the converter functions are re-exported by their modules' own
``__all__``, so each public name is listed once (``to_dict``, ``from_dict``, ``to_json``
and ``from_json`` take PDUs too, through the forms ``_framing.pdu_forms`` registers).

The layers, each importing only those above it in this list:

- root: ``_errors`` (the error hierarchy; imports nothing of ours), ``_codegen`` (the one
  code generator), ``_diagnostics`` (what a decoder reports), ``_pickle_names`` (the
  module names of earlier releases, for pickles);
- ``_model``: the values (VRs, statuses, the command element dictionary, payloads, the
  SOP classes of the services beyond storage);
- ``messages``: the 23 DIMSE messages of PS3.7 (public);
- ``_codec``: command sets as bytes, and the dict, JSON and Dataset forms;
- ``_framing``: PS3.8 PDUs and P-DATA framing; the typed Upper Layer PDUs join it;
- ``_association``: the association engine (the PS3.8 9.2 state machine as data,
  negotiation as a policy, sans-IO);
- ``aio``: asyncio clients and servers on the engine (public, with a facade of its own:
  ``import dimsekit.aio``), the only network I/O of the library;
- tools: ``cli``, ``interop`` (pynetdicom), ``testing`` (public).

No module imports another layer's underscore names nor reaches another module's
underscore attributes, and there is no import cycle (tests/test_imports.py checks all
three).
"""

from . import _pickle_names, messages
from ._association import engine as _engine
from ._association import negotiation as _negotiation
from ._association import operations as _operations
from ._association import states as _states
from ._association import transitions as _transitions
from ._association.engine import *  # noqa: F403 (re-exports its __all__)
from ._association.negotiation import *  # noqa: F403 (re-exports its __all__)
from ._association.operations import *  # noqa: F403 (re-exports its __all__)
from ._association.states import *  # noqa: F403 (re-exports its __all__)
from ._association.transitions import *  # noqa: F403 (re-exports its __all__)
from ._codec import converter as _converter
from ._codec.converter import *  # noqa: F403 (re-exports its __all__)
from ._codec.decode import DecodedCommand, decode_command
from ._codec.encode import encode_command
from ._diagnostics import Diagnostic, Severity
from ._errors import (
    ContextNotAgreedError,
    DecodeError,
    DimseError,
    InvalidMessageError,
    InvalidPDUError,
    LocalProtocolError,
)
from ._framing import extended_negotiation as _extended_negotiation
from ._framing import items as _items
from ._framing import pdus as _pdus
from ._framing.events import FramingError
from ._framing.extended_negotiation import *  # noqa: F403 (re-exports its __all__)
from ._framing.items import *  # noqa: F403 (re-exports its __all__)
from ._framing.pdata_receive import (
    Event,
    MessageAssembler,
    MessageReceived,
    PDUReceived,
    SpillFactory,
    UndecodableMessage,
)
from ._framing.pdata_send import PDUBuffers, fragment_message
from ._framing.pdu import PDUType
from ._framing.pdu_decode import DecodedPDU, decode_pdu
from ._framing.pdu_encode import encode_pdu
from ._framing.pdu_forms import PDUConverter, make_pdu_converter  # registers the PDU forms
from ._framing.pdus import *  # noqa: F403 (re-exports its __all__)
from ._model import sop_classes as _sop_classes
from ._model.fields import COMMAND_ELEMENTS, ElementSpec, attribute_name
from ._model.payload import DataSetPayload, PayloadInput
from ._model.sop_classes import *  # noqa: F403 (re-exports its __all__)
from ._model.status import ServiceClass, Status, StatusCategory
from ._model.vr import AttributeTags, CommandField, Priority, TagLike, truncate_error_comment
from ._model.wire_details import WireDetails
from .messages import *  # noqa: F403 (re-exports its __all__)

__version__ = "0.1.0"

__all__ = [
    "COMMAND_ELEMENTS",
    "AttributeTags",
    "CommandField",
    "DataSetPayload",
    "DecodeError",
    "DecodedCommand",
    "Diagnostic",
    "DimseError",
    "ElementSpec",
    "Event",
    "FramingError",
    "InvalidMessageError",
    "InvalidPDUError",
    "LocalProtocolError",
    "ContextNotAgreedError",
    "DecodedPDU",
    "decode_pdu",
    "encode_pdu",
    "MessageAssembler",
    "MessageReceived",
    "PDUBuffers",
    "PDUConverter",
    "PDUReceived",
    "PDUType",
    "PayloadInput",
    "Priority",
    "ServiceClass",
    "Severity",
    "SpillFactory",
    "Status",
    "StatusCategory",
    "TagLike",
    "UndecodableMessage",
    "WireDetails",
    "attribute_name",
    "decode_command",
    "encode_command",
    "fragment_message",
    "make_pdu_converter",
    "truncate_error_comment",
]
__all__ += messages.__all__
__all__ += _items.__all__
__all__ += _pdus.__all__
__all__ += _extended_negotiation.__all__
__all__ += _converter.__all__
__all__ += _states.__all__
__all__ += _transitions.__all__
__all__ += _engine.__all__
__all__ += _negotiation.__all__
__all__ += _operations.__all__
__all__ += _sop_classes.__all__

_pickle_names.keep()
