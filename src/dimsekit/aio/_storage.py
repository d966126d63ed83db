"""The ready storage handler: each instance received, a Part 10 file in a directory.

Owns: :class:`StoreToDirectory`, a :class:`~dimsekit.aio.StreamingStoreHandler` that
writes each C-STORE's data set, exactly the bytes received, after a File Meta Information
(PS3.10 7.1) into a file named by its SOP Instance UID; :func:`safe_file_name`, that name,
which no UID a peer sends can make escape the directory; :class:`DuplicatePolicy`, what is
done when an instance is received again; and the statuses it answers with (PS3.4 B.2.3).

A file is written under a temporary name (``.partial-`` and random letters, which no
final name has) and renamed once complete, so the directory never holds an instance
half written under its final name.  Nothing is fsynced: a crash of the machine just after
a success may lose the instance; a peer that needs to know an instance is kept safe asks
for it by Storage Commitment (PS3.4 J), not by C-STORE's status.

Must not know: sockets, the engine, how the server feeds a data set into the file (it
names the file, the server writes it), what the data set holds (it is never parsed: the
File Meta Information is made from the C-STORE-RQ's command set alone).
"""

from __future__ import annotations

import contextlib
import enum
import errno
import hashlib
import os
import tempfile
from typing import IO, Final

from .._association.negotiation import AcceptedContext
from .._errors import show
from .._model import vr
from ..messages import CStoreRequest
from ._answering import STORE_OUT_OF_RESOURCES
from ._handlers import Peer, StoreRequested, StoreTarget
from ._link import LOGGER, AssociationLog
from ._part10 import Part10Error, file_meta_information

__all__ = ["DuplicatePolicy", "StoreToDirectory", "safe_file_name"]


SUCCESS: Final = 0x0000
DUPLICATE_SOP_INSTANCE: Final = 0x0111
"""Failure: Duplicate SOP Instance, a general failure code of PS3.7 Annex C (C.5), which
PS3.7 lists for N-CREATE and PS3.4 B.2.3 does not list for C-STORE: a peer takes it for a
failure by its class (01xx, PS3.7 C), as any Storage SCU must take a failure it does not
know, and its meaning says why."""
OUT_OF_RESOURCES: Final = STORE_OUT_OF_RESOURCES
"""Failure: Refused: Out of Resources (PS3.4 B.2.3)."""
CANNOT_UNDERSTAND: Final = 0xC000
"""Failure: Error: Cannot understand (PS3.4 B.2.3): a command no file can name."""

SUFFIX: Final = ".dcm"
PARTIAL_PREFIX: Final = ".partial-"
"""How a file being written is named: no final name begins with a dot."""
INVALID_PREFIX: Final = "invalid-"
"""How the name of an instance whose UID is not well-formed begins: no UID has a letter."""


class DuplicatePolicy(enum.Enum):
    """What :class:`StoreToDirectory` does with an instance whose file is already there."""

    OVERWRITE = "overwrite"
    """The new file replaces the old one (atomically)."""
    KEEP_BOTH = "keep-both"
    """The new file is kept beside the old one, its name followed by ``.1``, ``.2``...
    (after ".dcm": "1.2.3.1.dcm" would be the name of instance 1.2.3.1)."""
    REFUSE = "refuse"
    """The new one is not kept: the answer is 0111H, Duplicate SOP Instance (PS3.7 C.5; a
    general failure, not one of PS3.4 B.2.3's own)."""


def safe_file_name(sop_instance_uid: str) -> str:
    """The file name of an instance: its UID and ".dcm" when the UID is well formed
    (PS3.5 9.1: 1 to 64 characters of digits and dots, no empty component, no leading
    zero); else "invalid-", 32 hex digits of the SHA-256 of the UID as UTF-8, and
    ".dcm", a name that holds no separator, is the same for the same UID, and is never
    the name of a well-formed one (which begins with a digit)."""
    if len(sop_instance_uid) <= vr.UI_MAX and vr.UID_SYNTAX.fullmatch(sop_instance_uid):
        return sop_instance_uid + SUFFIX
    digest = hashlib.sha256(sop_instance_uid.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{INVALID_PREFIX}{digest[:32]}{SUFFIX}"


class _PartialFile:
    """A Part 10 file being written under a temporary name in the directory: the
    :class:`~dimsekit.aio.StoreTarget` :meth:`StoreToDirectory.begin` gives."""

    __slots__ = ("_file", "kept", "owner", "path")

    def __init__(self, owner: StoreToDirectory, path: str, file: IO[bytes]) -> None:
        self.owner = owner
        self.path = path
        self._file = file
        self.kept = False
        """Whether the file has its final name (abandoning it then does nothing: its
        temporary name may be another's by now)."""

    @property
    def file(self) -> IO[bytes]:
        return self._file

    def close(self) -> None:
        self._file.close()

    def abandon(self) -> None:
        """Close the file and remove it (called again, or once it is kept, it does
        nothing); a full disk that fails the close's flush does not keep it."""
        with contextlib.suppress(OSError):
            self._file.close()
        if self.kept:
            return
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path)


class StoreToDirectory:
    """A streaming store handler (:class:`~dimsekit.aio.StreamingStoreHandler`) that keeps
    each instance received as a Part 10 file (PS3.10 7.1) in ``directory`` (made if it is
    not there), named by :func:`safe_file_name`, an instance already there handled as
    ``duplicates`` says.

    The File Meta Information names the SOP class and instance of the C-STORE-RQ
    (PS3.10 7.1: they are the data set's, PS3.4 B.2), the transfer syntax of its
    presentation context, and the peer's calling AE title as Source AE Title; the data set
    follows, exactly the bytes received.  Answers 0000 (stored), 0111H (a duplicate
    refused), A700H (the file could not be written: a full disk, ...; the file removed)
    or C000H (a UID longer than a File Meta Information element holds, which only a
    lenient decode admits), each failure logged on the "dimsekit.aio" logger.  An error
    writing the file of a streamed data set before it is complete (an :class:`OSError`
    or that :class:`~dimsekit.aio.Part10Error`, in :meth:`begin` or while the server
    writes the file) is raised to the server (:func:`~dimsekit.aio.serve` answers A700H
    for one in :meth:`begin`, and abandons the target of a data set never finished).

    Files are written from the event loop, as the server writes a streamed data set: a
    data set held in memory (at most the server's memory budget) is written at once.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        duplicates: DuplicatePolicy = DuplicatePolicy.OVERWRITE,
    ) -> None:
        self.directory: str = os.path.abspath(os.fspath(directory))
        self.duplicates: DuplicatePolicy = DuplicatePolicy(duplicates)
        os.makedirs(self.directory, exist_ok=True)

    def __repr__(self) -> str:
        return f"StoreToDirectory({self.directory!r}, duplicates={self.duplicates})"

    def begin(self, request: CStoreRequest, context: AcceptedContext, peer: Peer) -> StoreTarget:
        """A temporary file in the directory holding the File Meta Information of
        ``request``'s instance, positioned where its data set goes."""
        return self._begin(request, context, peer)

    def _begin(self, request: CStoreRequest, context: AcceptedContext, peer: Peer) -> _PartialFile:
        descriptor, path = tempfile.mkstemp(prefix=PARTIAL_PREFIX, dir=self.directory)
        file = os.fdopen(descriptor, "w+b")
        partial = _PartialFile(self, path, file)
        try:
            file.write(
                file_meta_information(
                    request.affected_sop_class_uid,
                    request.affected_sop_instance_uid,
                    context.transfer_syntax,
                    source_ae_title=peer.calling_ae_title or None,
                )
            )
        except BaseException:
            partial.abandon()
            raise
        return partial

    async def __call__(self, event: StoreRequested, /) -> int:
        """Keep the instance of ``event``: its streamed file renamed, or a data set in
        memory written to one first; the status to answer."""
        request = event.request
        target = event.target
        partial: _PartialFile | None = None
        try:
            if isinstance(target, _PartialFile) and target.owner is self:
                partial = target
                partial.file.flush()
            else:
                partial = self._begin(request, event.context, event.peer)
                for chunk in request.data_set.chunks(event.context.transfer_syntax):
                    partial.file.write(chunk)
            partial.close()
            return self._publish(partial, request, event.peer)
        except Part10Error as error:  # a UID too long for its element: a lenient decode's
            _log(event.peer).error("instance not stored: %s", error)
            return CANNOT_UNDERSTAND
        except OSError as error:
            _log(event.peer).error(
                "instance %s could not be stored in %s: %s",
                show(str(request.affected_sop_instance_uid)),
                self.directory,
                error,
            )
            if partial is not None:
                partial.abandon()
            return OUT_OF_RESOURCES

    def _publish(self, partial: _PartialFile, request: CStoreRequest, peer: Peer) -> int:
        """Give the complete file its final name, as the duplicate policy says."""
        name = safe_file_name(request.affected_sop_instance_uid)
        final = os.path.join(self.directory, name)
        if self.duplicates is DuplicatePolicy.OVERWRITE:
            os.replace(partial.path, final)
            partial.kept = True
            return SUCCESS
        if self.duplicates is DuplicatePolicy.REFUSE:
            if not _link_new(partial.path, final):
                partial.abandon()
                _log(peer).info(
                    "instance %s refused: %s is already there (0111H)",
                    show(str(request.affected_sop_instance_uid)),
                    name,
                )
                return DUPLICATE_SOP_INSTANCE
        else:
            candidate, number = final, 0
            while not _link_new(partial.path, candidate):
                number += 1
                candidate = f"{final}.{number}"
        partial.kept = True
        try:
            os.remove(partial.path)  # the temporary name, linked to the final one
        except FileNotFoundError:
            pass  # renamed, where the file system has no hard links
        except OSError as error:  # the instance is kept: say so, and what was left
            _log(peer).warning(
                "%s left beside %s: %s",
                os.path.basename(partial.path),
                name,
                error,
            )
        return SUCCESS


def _log(peer: Peer) -> AssociationLog:
    """The asyncio layer's logger, its lines named by association as the server's are."""
    host, port = peer.address[:2]
    return AssociationLog(LOGGER, {"association": peer.association_id, "peer": f"{host}:{port}"})


_NO_LINKS: Final = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK})
"""What ``link`` fails with on a file system without hard links (FAT, some shares)."""


def _link_new(path: str, final: str) -> bool:
    """Give the file at ``path`` the name ``final`` unless ``final`` is there (False then):
    a hard link, which never replaces a file (the caller removes ``path``); where the
    file system has no hard links, a test then a rename, which another process could
    race."""
    try:
        os.link(path, final)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in _NO_LINKS:
            raise
        if os.path.lexists(final):
            return False
        os.replace(path, final)
    return True
