"""Sending: a DIMSE message as P-DATA-TF PDUs (PS3.8 9.3.5 and Annex E).

Owns: fragmenting a message into PDVs and PDUs: command fragments first (the last
flagged 0x03), then data-set fragments (the last flagged 0x02), every fragment of even
length, every PDU within the peer's maximum length with the PDV item headers counted
(PS3.8 D.1), each length field what ``_framing.pdu`` says it counts.  Output is a
sequence of buffers per PDU, ready for ``socket.sendmsg`` or
``writer.writelines``: headers as small ``bytes``, the data set as ``memoryview`` slices
of the caller's buffer or of chunks read from a file, never copied.

Choices where PS3.8 is silent: with a peer maximum of 0 (no maximum) the command goes in
one PDV and the data set in PDVs of ``chunk_size`` bytes (1 MiB by default), so a
file-backed data set is never held whole; packing the last command PDV and the first
data PDV into one PDU is an option, off by default, because some servers reject it.

The common case (a command set that fits one fragment, a data set that is absent or
bytes in memory) is cut directly, every PDU's two headers packed in one call, and so is a
file region after such a command (one loop over its chunks, one header object for every
full fragment); any other goes through the general path.  All give the same PDUs, buffer
types and errors.

A data set that is not at hand whole (a proxy forwarding one as it arrives) is cut by
:class:`MessageFragmenter` piece by piece: its command first, then each full fragment
as soon as its bytes have come, the last one held back until the end says it is the
last, so that the PDUs are those :func:`fragment_message` gives for the whole message.

Must not know: sockets, associations, or how the command set is encoded (``_codec.encode``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final, TypeAlias

from .._codec.encode import encode_command_and_payload
from .._errors import DimseError
from .._model.payload import CHUNK_SIZE, DataSetPayload
from ..messages import Message
from .pdu import (
    COMMAND_BIT,
    ITEM_FIXED,
    ITEM_LENGTH_FIELD,
    LAST_BIT,
    PDU_AND_PDV_HEADERS,
    PDU_HEADER,
    PDV_HEADER,
    PDUType,
    check_context_id,
    check_max_pdu_length,
)

__all__ = ["Buffer", "MessageFragmenter", "PDUBuffers", "fragment_message"]

Buffer: TypeAlias = bytes | memoryview
PDUBuffers: TypeAlias = tuple[Buffer, ...]
"""One P-DATA-TF PDU as buffers to write one after the other."""

# A PDV item adds its header to the PDU-length (item length, context ID, message control
# header) and counts all of it but the item-length field (PS3.8 9.3.5.1).
_PDV_OVERHEAD: Final = PDV_HEADER.size
assert _PDV_OVERHEAD == ITEM_LENGTH_FIELD + ITEM_FIXED
_P_DATA: Final = int(PDUType.P_DATA_TF)
_pack: Final = PDU_AND_PDV_HEADERS.pack
_LAST_COMMAND: Final = COMMAND_BIT | LAST_BIT
_MORE_DATA: Final = 0  # a data set fragment, not the last: neither bit (PS3.8 E.2)


def _headers(context_id: int, control: int, fragment_length: int) -> bytes:
    """PDU header and PDV item header for a PDU of one PDV."""
    item_length = ITEM_FIXED + fragment_length
    return _pack(_P_DATA, 0, ITEM_LENGTH_FIELD + item_length, item_length, context_id, control)


def _fragments(chunks: Iterator[Buffer], size: int) -> Iterator[tuple[Buffer, bool]]:
    """Cut chunks into fragments of ``size`` bytes (the last may be shorter), and say
    which fragment is the last one by looking one ahead."""
    pending: Buffer | None = None
    for chunk in chunks:
        view = memoryview(chunk)
        for start in range(0, len(view), size):
            if pending is not None:
                yield pending, False
            pending = view[start : start + size]
    yield (b"" if pending is None else pending), True


def _sizes(context_id: int, max_pdu_length: int, chunk_size: int) -> tuple[int, int]:
    """The size of a full data set fragment and of a read from a file, for these
    arguments of :func:`fragment_message` (refused where they are unusable)."""
    check_context_id(context_id)
    check_max_pdu_length(max_pdu_length)
    if chunk_size < 2:
        raise DimseError("chunk_size must be at least 2 bytes")
    if max_pdu_length:
        fragment_size = (max_pdu_length - _PDV_OVERHEAD) & ~1
        return fragment_size, max(1, chunk_size // fragment_size) * fragment_size
    fragment_size = chunk_size & ~1
    return fragment_size, fragment_size


def fragment_message(
    message: Message,
    context_id: int,
    max_pdu_length: int,
    *,
    transfer_syntax: str | None = None,
    data_set_type: int | None = None,
    pack_command_with_data: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[PDUBuffers]:
    """The P-DATA-TF PDUs that carry ``message`` on presentation context ``context_id``.

    ``max_pdu_length`` is the peer's Maximum Length Received (0: no maximum; 1-7 are
    refused).  ``transfer_syntax`` is the context's, needed when the data set is a
    pydicom ``Dataset``.  ``data_set_type`` is passed to :func:`encode_command`.
    Each item yielded is one PDU: join it, or hand it to ``socket.sendmsg``.
    """
    # The common case (the command in one fragment, the data set absent or in memory)
    # is cut here directly; everything else goes through _fragment_any.  Both yield the
    # same PDUs, as the same buffer types, and raise the same errors at the same point.
    fragment_size, read_size = _sizes(context_id, max_pdu_length, chunk_size)
    command, payload = encode_command_and_payload(message, data_set_type)
    command_length = len(command)
    encoded = None if payload is None else payload.value_slot
    if (
        payload is not None
        and payload.is_file
        and not (max_pdu_length and command_length > fragment_size)
        and type(read_size) is int
    ):
        yield from _fragment_file(
            command,
            payload,
            context_id,
            max_pdu_length,
            pack_command_with_data,
            fragment_size,
            read_size,
        )
        return
    if (max_pdu_length and command_length > fragment_size) or (
        encoded is not None
        and (
            (type(encoded) is not bytes and type(encoded) is not memoryview)
            or type(read_size) is not int  # a float chunk_size: fails where it always did
        )
    ):
        yield from _fragment_any(
            command,
            payload,
            context_id,
            max_pdu_length,
            transfer_syntax,
            pack_command_with_data,
            fragment_size,
            read_size,
        )
        return
    # The command is one fragment: the whole of it, as the general path would cut it.
    if encoded is None:
        yield _headers(context_id, _LAST_COMMAND, command_length), memoryview(command)
        return
    size = len(encoded)
    if size & 1:
        raise _odd_length(size)
    data = memoryview(encoded)
    if size > fragment_size:
        first: Buffer = data[:fragment_size]
        first_length = fragment_size
        first_control = _MORE_DATA
    else:
        first = data if size else b""  # the whole data set is the one fragment
        first_length = size
        first_control = LAST_BIT
    packed_size = 2 * _PDV_OVERHEAD + command_length + first_length
    if pack_command_with_data and (not max_pdu_length or packed_size <= max_pdu_length):
        yield (
            _pack(_P_DATA, 0, packed_size, ITEM_FIXED + command_length, context_id, _LAST_COMMAND),
            memoryview(command),
            PDV_HEADER.pack(ITEM_FIXED + first_length, context_id, first_control),
            first,
        )
    else:
        yield _headers(context_id, _LAST_COMMAND, command_length), memoryview(command)
        yield _headers(context_id, first_control, first_length), first
    if first_control:
        return
    last_start = (size - 1) // fragment_size * fragment_size
    if last_start > fragment_size:
        middle = _headers(context_id, _MORE_DATA, fragment_size)
        for start in range(fragment_size, last_start, fragment_size):
            yield middle, data[start : start + fragment_size]
    yield _headers(context_id, LAST_BIT, size - last_start), data[last_start:]


def _fragment_file(
    command: bytes,
    payload: DataSetPayload,
    context_id: int,
    max_pdu_length: int,
    pack_command_with_data: bool,
    fragment_size: int,
    read_size: int,
) -> Iterator[PDUBuffers]:
    """:func:`_fragment_any` for a file-backed data set after a command of one fragment,
    in one loop: the same PDUs, buffers and errors, each read at the same point (one
    fragment ahead, to know the last); every full fragment before the last shares one
    header object."""
    size = len(payload)
    if size & 1:
        raise _odd_length(size)
    middle = _headers(context_id, _MORE_DATA, fragment_size)
    pending: Buffer | None = None
    started = False
    for chunk in payload.chunks(None, read_size):
        view = memoryview(chunk)
        for start in range(0, len(view), fragment_size):
            if pending is not None:
                if started:
                    length = len(pending)
                    header = (
                        middle
                        if length == fragment_size
                        else _headers(context_id, _MORE_DATA, length)
                    )
                    yield header, pending
                else:
                    yield from _opening(
                        command,
                        pending,
                        _MORE_DATA,
                        context_id,
                        max_pdu_length,
                        pack_command_with_data,
                    )
                    started = True
            pending = view[start : start + fragment_size]
    last: Buffer = b"" if pending is None else pending
    if started:
        yield _headers(context_id, LAST_BIT, len(last)), last
    else:
        yield from _opening(
            command, last, LAST_BIT, context_id, max_pdu_length, pack_command_with_data
        )


def _opening(
    command: bytes,
    first: Buffer,
    first_control: int,
    context_id: int,
    max_pdu_length: int,
    pack_command_with_data: bool,
) -> tuple[PDUBuffers, ...]:
    """The PDUs of a command of one fragment and the first data-set fragment, as
    :func:`_fragment_any` gives them."""
    packed_size = 2 * _PDV_OVERHEAD + len(command) + len(first)
    if pack_command_with_data and (not max_pdu_length or packed_size <= max_pdu_length):
        return (
            (
                PDU_HEADER.pack(_P_DATA, 0, packed_size)
                + PDV_HEADER.pack(ITEM_FIXED + len(command), context_id, _LAST_COMMAND),
                memoryview(command),
                PDV_HEADER.pack(ITEM_FIXED + len(first), context_id, first_control),
                first,
            ),
        )
    return (
        (_headers(context_id, _LAST_COMMAND, len(command)), memoryview(command)),
        (_headers(context_id, first_control, len(first)), first),
    )


def _odd_length(size: int) -> DimseError:
    return DimseError(
        f"the data set has an odd length ({size} bytes): encoded data sets and "
        "their fragments are even (PS3.5 7.1, PS3.8 E.1)"
    )


def _fragment_any(
    command: bytes,
    payload: DataSetPayload | None,
    context_id: int,
    max_pdu_length: int,
    transfer_syntax: str | None,
    pack_command_with_data: bool,
    fragment_size: int,
    read_size: int,
) -> Iterator[PDUBuffers]:
    """The general path of :func:`fragment_message`: any command length, any payload."""
    command_size = fragment_size if max_pdu_length else len(command)
    command_fragments = list(_fragments(iter((command,)), command_size))
    last_command = command_fragments.pop()[0]
    for fragment, _ in command_fragments:
        yield _headers(context_id, COMMAND_BIT, len(fragment)), fragment
    last_command_pdu = (
        _headers(context_id, _LAST_COMMAND, len(last_command)),
        last_command,
    )
    if payload is None:
        yield last_command_pdu
        return
    if not payload.is_encoded and transfer_syntax is None:
        raise DimseError(
            "the data set is a pydicom Dataset: give the presentation context's "
            "transfer_syntax to encode it (PS3.7 6.3.1)"
        )
    if payload.is_encoded and len(payload) & 1:
        raise _odd_length(len(payload))
    data = _fragments(payload.chunks(transfer_syntax, read_size), fragment_size)
    first, is_last = next(data)
    first_control = LAST_BIT if is_last else _MORE_DATA
    packed_size = 2 * _PDV_OVERHEAD + len(last_command) + len(first)
    if pack_command_with_data and (not max_pdu_length or packed_size <= max_pdu_length):
        yield (
            PDU_HEADER.pack(_P_DATA, 0, packed_size)
            + PDV_HEADER.pack(ITEM_FIXED + len(last_command), context_id, _LAST_COMMAND),
            last_command,
            PDV_HEADER.pack(ITEM_FIXED + len(first), context_id, first_control),
            first,
        )
    else:
        yield last_command_pdu
        yield _headers(context_id, first_control, len(first)), first
    for fragment, is_last in data:
        yield _headers(context_id, LAST_BIT if is_last else _MORE_DATA, len(fragment)), fragment


class MessageFragmenter:
    """The P-DATA-TF PDUs of one message on ``context_id`` for a peer of
    ``max_pdu_length``, cut as its parts come: :meth:`command` with the encoded command
    set, :meth:`data` with each piece of the data set in order, :meth:`end` when it is
    all there.  Joined, they are the PDUs :func:`fragment_message` gives for the whole
    message (``chunk_size`` as there; never packed): every full fragment goes out as
    soon as its bytes have come, as views of the pieces where a piece holds it whole;
    at most one fragment's bytes are held, the last one's, until :meth:`end`."""

    __slots__ = ("_context_id", "_full", "_held", "_length", "_max_pdu_length", "_size")

    def __init__(self, context_id: int, max_pdu_length: int, chunk_size: int = CHUNK_SIZE) -> None:
        self._size, _ = _sizes(context_id, max_pdu_length, chunk_size)
        self._context_id = context_id
        self._max_pdu_length = max_pdu_length
        self._full = _headers(context_id, _MORE_DATA, self._size)
        self._held = bytearray()
        self._length = 0

    def command(self, command: bytes) -> Iterator[PDUBuffers]:
        """The PDUs of the command set (its last fragment flagged 0x03), as
        :func:`fragment_message` cuts it."""
        size = self._size
        return _fragment_any(
            command, None, self._context_id, self._max_pdu_length, None, False, size, size
        )

    def data(self, piece: Buffer) -> list[PDUBuffers]:
        """The PDUs of the data set's full fragments that ``piece`` completes, but the
        last fragment's (held until :meth:`end`: the end alone says it is the last)."""
        view = memoryview(piece)
        self._length += len(view)
        held, size, full = self._held, self._size, self._full
        out: list[PDUBuffers] = []
        if held:
            need = size - len(held)
            if len(view) <= need:
                held += view
                return out
            held += view[:need]
            out.append((full, bytes(held)))
            held.clear()
            view = view[need:]
        if not view:
            return out
        whole = (len(view) - 1) // size  # at least a byte is held: it may end the data set
        for start in range(0, whole * size, size):
            out.append((full, view[start : start + size]))
        held += view[whole * size :]
        return out

    def end(self) -> PDUBuffers:
        """The PDU of the data set's last fragment (flagged 0x02; empty for an empty data
        set).  An odd data set is refused, as :func:`fragment_message` refuses it."""
        if self._length & 1:
            raise _odd_length(self._length)
        last, self._held = bytes(self._held), bytearray()
        return _headers(self._context_id, LAST_BIT, len(last)), last
