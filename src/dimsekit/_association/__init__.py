"""The association engine: PS3.8's Upper Layer protocol machine, sans-IO.

Layer 5 of dimsekit (see the package docstring for the map).  Owns the states, events and
actions of PS3.8 9.2 and their transition table (Table 9-10), written once as data
(``states``, ``transitions``); negotiation as a policy apart from the machine: building an
A-ASSOCIATE-RQ from what a user proposes, checking the answer to it, and answering one as
a pure function of a policy value (``negotiation``, PS3.8 9.3, Annex D, PS3.7 D.3.3);
and the engine, one object per transport connection for either role, that the caller
hands the events it sends and the bytes it reads, and asks for the events that follow,
the bytes to write, what the transport must do, and its next deadline (``engine``);
the DIMSE operations of an association in both directions, as messages: Message IDs,
responses paired with their requests, C-CANCEL routed, the asynchronous operations
window kept (``operations``, PS3.7 9.1, 10.1, D.3.3.3); ``sop_classes`` re-exports the
SOP classes of the services beyond storage, which the model layer states.

Must not know: sockets, threads, clocks (time comes in from the caller), and how a PDU or
a command set is laid out (it asks the framing layer and the codec).  Imports the framing
layer and those below it.  This file imports nothing: import the module you need.
"""
