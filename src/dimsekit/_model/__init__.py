"""The model's values: what a DIMSE message is made of, before any byte exists.

Layer 1 of dimsekit (see the package docstring for the map). Owns how a rule of a value
is declared and what is derived from it (``value_rules``: the clauses, the validator,
the inline form generated code takes), the value rules of PS3.5 as PS3.7's command
elements use them (``vr``: UID, AE, LO, US, UL, AT and their checks), the status codes
of PS3.7 Annex C and the services of PS3.4 (``status``), the command element dictionary
of PS3.7 E.1 (``fields``), data-set payloads (``payload``), what a received message
looked like on the wire (``wire_details``) and the SOP classes of the services beyond
storage (``sop_classes``: the Query/Retrieve and worklist information models, Storage
Commitment, PS3.4 C.6, K.6, J.3). The value rules know nothing of the command
set, so the Upper Layer PDUs use them as they are (an AE title in an A-ASSOCIATE-RQ
follows the rule of Move Destination, PS3.8 9.3.2).

Must not know: messages, byte layouts, PDUs.  Imports only the root modules (``_errors``,
``_codegen``, ``_diagnostics``).  This file imports nothing: import the module you need.
"""
