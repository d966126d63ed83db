"""Framing: the PS3.8 Upper Layer bytes a DIMSE message travels in.

Layer 4 of dimsekit (see the package docstring for the map).  Owns the PDU header and the
PDU types (``pdu``, PS3.8 9.3.1), splitting a message into P-DATA-TF PDUs (``pdata_send``,
PS3.8 9.3.5, Annex E), reassembling messages from a byte stream (``pdata_receive``), and
reading the fixed part of an A-ASSOCIATE PDU (``association``).  The typed Upper Layer
PDUs and their items (PS3.8 9.3) are to join this layer.

Must not know: how a command set is laid out (it asks the codec), sockets, clocks.  Imports
the codec, the messages, the model and the root modules.  This file imports nothing:
import the module you need.
"""
