"""An instance to be sent in a C-STORE, whoever sends it: the client's
:meth:`~dimsekit.aio.ClientAssociation.store`, a C-GET's sub-operations on the same
association, a C-MOVE's on an association of their own.

Owns: :data:`Instance` (a pydicom ``Dataset``, a :class:`~dimsekit.aio.Part10Instance`,
or the path of a DICOM file); :class:`Outgoing`, one made ready (its SOP class and
instance, the transfer syntax it is already in, if any, its payload); the presentation
context it goes on (:func:`context_for`: its own transfer syntax, else for a data set a
native one of the same byte order) and the contexts to propose for a set of them
(:func:`proposed_for`); the C-STORE-RQ that carries it (:meth:`Outgoing.request`).

Must not know: sockets, the engine, who sends the request and why.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TypeAlias

import attrs
from pydicom.dataset import Dataset
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from .._association.negotiation import AcceptedContext, Agreement, ProposedContext, Side
from .._model.payload import DataSetPayload
from .._model.vr import Priority
from ..messages import CStoreRequest
from ._part10 import Part10Instance, read_part10

__all__ = ["Instance"]

Instance: TypeAlias = Dataset | Part10Instance | str | os.PathLike[str]
"""What a C-STORE sends: a data set, a DICOM file read with
:func:`~dimsekit.aio.read_part10`, or the path of one."""

_NATIVE_PROPOSED = (ExplicitVRLittleEndian, ImplicitVRLittleEndian)
"""The transfer syntaxes proposed for a data set made in memory (any native one will do)."""


def is_native_syntax(syntax: UID) -> bool:
    """Whether ``syntax`` is a native (uncompressed, not deflated) transfer syntax that
    pydicom knows (PS3.5 A.1-A.3)."""
    try:
        return not syntax.is_compressed and not syntax.is_deflated
    except ValueError:  # a transfer syntax pydicom does not know
        return False


@attrs.frozen(kw_only=True)
class Outgoing:
    """An instance made ready to send: ``transfer_syntax`` is the one its bytes are in
    (a file's), or the one a data set was read in (its File Meta Information's), or
    None for a data set made in memory; ``in_file``: its bytes go as they are, on a
    context of exactly that syntax (PS3.8 7.1.1.13)."""

    sop_class: UID
    sop_instance: UID
    transfer_syntax: UID | None
    in_file: bool
    payload: DataSetPayload = attrs.field(eq=False)

    @classmethod
    def of(cls, instance: Instance) -> Outgoing:
        """``instance`` made ready (a path's File Meta Information read: :class:`OSError`
        or :class:`~dimsekit.aio.Part10Error` where it cannot be)."""
        if isinstance(instance, str | os.PathLike):
            instance = read_part10(instance)
        if isinstance(instance, Part10Instance):
            return cls(
                sop_class=instance.sop_class_uid,
                sop_instance=instance.sop_instance_uid,
                transfer_syntax=instance.transfer_syntax,
                in_file=True,
                payload=instance.payload(),
            )
        meta = getattr(instance, "file_meta", None)
        syntax = getattr(meta, "TransferSyntaxUID", None)
        return cls(
            sop_class=UID(instance.SOPClassUID),
            sop_instance=UID(instance.SOPInstanceUID),
            transfer_syntax=None if syntax is None else UID(syntax),
            in_file=False,
            payload=DataSetPayload(instance),
        )

    def request(
        self,
        message_id: int,
        *,
        priority: Priority = Priority.MEDIUM,
        move_originator: tuple[str, int] | None = None,
    ) -> CStoreRequest:
        """Its C-STORE-RQ (PS3.7 9.3.1.1); a sub-operation of a C-MOVE names the
        ``move_originator``'s AE title and the C-MOVE-RQ's Message ID."""
        title, originator_id = move_originator if move_originator is not None else (None, None)
        return CStoreRequest(
            message_id=message_id,
            affected_sop_class_uid=self.sop_class,
            affected_sop_instance_uid=self.sop_instance,
            priority=priority,
            data_set=self.payload,
            move_originator_application_entity_title=title,
            move_originator_message_id=originator_id,
        )

    def builder(
        self,
        *,
        priority: Priority = Priority.MEDIUM,
        move_originator: tuple[str, int] | None = None,
    ) -> Callable[[int], CStoreRequest]:
        """:meth:`request` for the Message ID an invoker gives."""
        return lambda message_id: self.request(
            message_id, priority=priority, move_originator=move_originator
        )


def context_for(agreement: Agreement, outgoing: Outgoing, scu: Side) -> AcceptedContext:
    """The context ``outgoing`` goes on, ``scu`` its sender: a file's, one accepted in its
    own transfer syntax; a data set's, one in the syntax it was read in, else, for a
    native one, one accepted in a native syntax of the same byte order (for one made in
    memory, any native one, little endian first), the data set written in it (pydicom
    writes values' bytes as they are: a little-endian OW in a big-endian syntax would be
    corrupt, PS3.5 A.1-A.3; an encapsulated or deflated syntax needs its own encoder).
    :class:`~dimsekit.ContextNotAgreedError` where there is none."""
    sop_class, syntax = outgoing.sop_class, outgoing.transfer_syntax
    if outgoing.in_file:
        assert syntax is not None  # a file names its transfer syntax (PS3.10 7.1)
        return agreement.context_for(sop_class, syntax, scu=scu)
    if syntax is not None:
        own = agreement.for_abstract_syntax(sop_class, syntax, scu=scu)
        if own is not None or not is_native_syntax(syntax):
            return own or agreement.context_for(sop_class, syntax, scu=scu)
    native = [
        context
        for context in agreement.contexts_for(sop_class, scu=scu)
        if is_native_syntax(context.transfer_syntax)
        and (syntax is None or context.transfer_syntax.is_little_endian == syntax.is_little_endian)
    ]
    if native:  # one made in memory: little endian first
        return min(native, key=lambda context: not context.transfer_syntax.is_little_endian)
    return agreement.context_for(sop_class, syntax or ExplicitVRLittleEndian, scu=scu)


def proposed_for(outgoing: Iterable[Outgoing]) -> list[ProposedContext]:
    """The presentation contexts to propose for sending ``outgoing`` (PS3.8 7.1.1.13),
    each of which the acceptor accepts in one transfer syntax: per SOP class, one for
    its data sets in a native syntax (their own first, then the ones :func:`context_for`
    may write them in), and one for each other syntax an instance must go in (a file's
    own, a data set's encapsulated or deflated one)."""
    native: dict[UID, dict[UID, None]] = {}
    exact: dict[tuple[UID, UID], None] = {}
    for item in outgoing:
        syntax = item.transfer_syntax
        if item.in_file or (syntax is not None and not is_native_syntax(syntax)):
            assert syntax is not None  # a file names its transfer syntax (PS3.10 7.1)
            exact[item.sop_class, syntax] = None
        else:
            wanted = native.setdefault(item.sop_class, {})
            if syntax is not None:
                wanted[syntax] = None
            wanted.update(dict.fromkeys(_NATIVE_PROPOSED))
    return [
        *(
            ProposedContext(abstract_syntax=sop_class, transfer_syntaxes=tuple(wanted))
            for sop_class, wanted in native.items()
        ),
        *(
            ProposedContext(abstract_syntax=sop_class, transfer_syntaxes=(syntax,))
            for sop_class, syntax in exact
        ),
    ]
