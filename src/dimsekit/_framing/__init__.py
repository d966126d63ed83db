"""Framing: the PS3.8 Upper Layer bytes a DIMSE message travels in.

Layer 4 of dimsekit (see the package docstring for the map).  Owns the PDU header and the
PDU types (``pdu``, PS3.8 9.3.1), the framing rules a received P-DATA-TF keeps (``rules``,
PS3.8 9.3.5, 9.3.5.1, D.1, E.1), splitting a message into P-DATA-TF PDUs (``pdata_send``),
reassembling messages from a byte stream (``pdata_receive``, on the PDU walk of
``pdata_walk``, with the one-pass scan of ``pdata_one_pass`` and the data-set store of
``pdata_spill``), the events it returns and FramingError (``events``); and the typed
Upper Layer PDUs (PS3.8 9.3): their byte layouts declared once (``pdu_layout``), the items
and sub-items (``items``), the seven PDUs (``pdus``), the codec generated from the
layouts (``pdu_decode``, ``pdu_encode``), their dict and JSON forms (``pdu_forms``) and
the typed views of a SOP Class Extended Negotiation sub-item's bytes
(``extended_negotiation``, PS3.4 B.3.1, C.5).

Must not know: how a command set is laid out (it asks the codec), sockets, clocks.  Imports
the codec, the messages, the model and the root modules.  This file imports nothing:
import the module you need.
"""
