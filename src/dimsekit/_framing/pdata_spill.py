"""Where a received data set is kept: in memory up to a budget, then in a file.

Owns: :class:`DataSetSink`, the bytes of one data set as its fragments come: in memory
while they fit ``memory_budget``, then (or from the first byte, with a budget of 0) in
the file a :data:`SpillFactory` returns (or, streamed, only counted); the default
factory, a temporary file; who closes that file (ours: the payload, once the data set is
complete, or the sink's finalizer if the message is never finished; the caller's own:
the caller); and the :class:`~dimsekit.DataSetPayload` it becomes.

Must not know: PDUs and their framing, what a DIMSE message holds (it names the type
only: a factory is handed the command decoded so far, as the caller's business), how a
command set is decoded.
"""

from __future__ import annotations

import tempfile
import weakref
from collections.abc import Callable
from typing import IO, TypeAlias

from .._model.payload import DataSetPayload
from ..messages import Message

__all__ = ["DataSetSink", "SpillFactory", "temporary_file"]

SpillFactory: TypeAlias = Callable[[int, Message | None], IO[bytes]]
"""Called with (context ID, the command decoded so far, None if it cannot be decoded)
when a data set leaves memory; returns a binary file open for writing and reading."""


def temporary_file(context_id: int, command: Message | None) -> IO[bytes]:
    """The default :data:`SpillFactory`: an anonymous temporary file."""
    return tempfile.TemporaryFile()


class DataSetSink:
    """The bytes of one data set received so far, and where they are kept."""

    __slots__ = ("_budget", "_data", "_file", "_file_start", "length", "unfinished")

    def __init__(self, budget: int | None) -> None:
        self._budget = budget
        self._data = bytearray()
        self._file: IO[bytes] | None = None
        self._file_start = 0
        self.length = 0
        """The bytes written so far."""
        self.unfinished: weakref.finalize[[], object] | None = None
        """What closes a spill file of ours if the data set is never finished."""

    def fits(self, size: int) -> bool:
        """Whether ``size`` more bytes can be written without a spill file first."""
        budget = self._budget
        return self._file is not None or budget is None or len(self._data) + size <= budget

    def write(self, chunk: memoryview) -> None:
        self.length += len(chunk)
        if self._file is not None:
            self._file.write(chunk)
        else:
            self._data += chunk

    def count(self, size: int) -> None:
        """Count ``size`` bytes of the data set that are not kept (a streamed data set:
        the caller has them)."""
        self.length += size

    def spill_to(self, file: IO[bytes], owner: object | None) -> None:
        """From now on, keep the data set in ``file`` (what is in memory first).  With an
        ``owner`` the file is ours until the data set is complete: closed if the owner
        goes away with it unfinished, or when :meth:`drop` is called."""
        if owner is not None:
            self.unfinished = weakref.finalize(owner, file.close)
        self._file_start = file.tell()
        file.write(self._data)
        self._data = bytearray()
        self._file = file

    def drop(self) -> None:
        """Close the spill file of ours, if any: the data set will not be finished."""
        if self.unfinished is not None:
            self.unfinished()

    def payload(self) -> DataSetPayload:
        """The complete data set: a read-only view of the memory, or the file (which the
        payload closes if it is ours)."""
        if self._file is None:
            return DataSetPayload(memoryview(self._data).toreadonly())
        self._file.flush()
        unfinished, self.unfinished = self.unfinished, None
        ours = unfinished is not None
        if unfinished is not None:
            unfinished.detach()  # the payload closes it from now on
        return DataSetPayload.from_file(
            self._file, offset=self._file_start, length=self.length, close_with_payload=ours
        )
