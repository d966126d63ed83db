"""The codec: command sets as bytes (PS3.7 6.3, 9.3, 10.3, E.1) and the other forms of a
message (dict, JSON, pydicom Dataset).

Layer 3 of dimsekit (see the package docstring for the map).  Owns where each message's
fields go on the wire (``layout``), the element form both halves share (``wire``), the
encoder (``encode``), the decoders (``decode``: lenient, diagnosed, with the element
walk in ``element_walk`` and each VR's received value in ``received_values``;
``fast_decode``: the canonical fast path generated from the same layouts), what a message
may hold and still be encoded (``representable``), and the cattrs converter
(``converter``).

Must not know: PDUs and P-DATA framing, sockets.  Imports the model, the messages and the
root modules.  This file imports nothing: import the module you need.
"""
