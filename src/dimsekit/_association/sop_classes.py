"""The SOP classes of the services beyond Verification and Storage, as the association
layer and those above it name them (PS3.4 C.6, K.6, J.3).

Owns nothing: it re-exports :mod:`dimsekit._model.sop_classes`, where they are stated
(in the model layer, so that the messages below this layer derive from them too).

Must not know: anything beyond that module.
"""

from __future__ import annotations

from .._model import sop_classes as _stated
from .._model.sop_classes import *  # noqa: F403 (re-exports its __all__)

__all__ = _stated.__all__
