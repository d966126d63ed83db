"""``serve``'s DIMSE-N handlers (PS3.7 10.1) against dimsekit's own client: each service's
request handed with its data set decoded, the handler's response sent (its data set in
the context's transfer syntax), a failing or mismatched handler answered 0110H; Storage
Commitment (PS3.4 J.3.3): the N-EVENT-REPORT after an N-ACTION on the same association
(the handler's :meth:`~dimsekit.aio.Requested.after_response`, once the N-ACTION-RSP is
sent, awaited by the release, cancelled by an abort, logged when it raises; the client's
event_report handler takes it) and on a new one the SCP requests with the SCP role (the
server's event_report handler takes it).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import ImplicitVRLittleEndian

import dimsekit as dk
from dimsekit import aio

from .helpers import INSTANCE
from .test_aio import run

PRINTER = "1.2.840.10008.5.1.1.16"  # the Printer SOP Class (PS3.4 H.4.11)
PRINTER_INSTANCE = "1.2.840.10008.5.1.1.17"  # its well-known instance (PS3.4 H.4.11.1)
COMMITMENT = dk.STORAGE_COMMITMENT_PUSH_MODEL
COMMITMENT_INSTANCE = dk.STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE


def data_set(**values: object) -> Dataset:
    made = Dataset()
    for keyword, value in values.items():
        setattr(made, keyword, value)
    return made


class Recorder:
    """Every N-service handler, each recording its event and answering success (with a
    data set where the response carries one)."""

    def __init__(self) -> None:
        self.events: list[aio.Requested[Any]] = []

    async def n_get(self, event: aio.Requested[dk.NGetRequest]) -> dk.NGetResponse:
        self.events.append(event)
        return event.request.response(status=0, attribute_list=data_set(PrinterStatus="NORMAL"))

    async def n_set(self, event: aio.Requested[dk.NSetRequest]) -> dk.NSetResponse:
        self.events.append(event)
        return event.request.response(status=0)

    async def n_action(self, event: aio.Requested[dk.NActionRequest]) -> dk.NActionResponse:
        self.events.append(event)
        return event.request.response(status=0, action_reply=data_set(PrinterName="DONE"))

    async def n_create(self, event: aio.Requested[dk.NCreateRequest]) -> dk.NCreateResponse:
        self.events.append(event)
        return event.request.response(status=0, affected_sop_instance_uid=f"{INSTANCE}.9")

    async def n_delete(self, event: aio.Requested[dk.NDeleteRequest]) -> dk.NDeleteResponse:
        self.events.append(event)
        return event.request.response(status=0)

    def handlers(self) -> aio.Handlers:
        return aio.Handlers(
            n_get=self.n_get,
            n_set=self.n_set,
            n_action=self.n_action,
            n_create=self.n_create,
            n_delete=self.n_delete,
        )


def printer_policy(handlers: aio.Handlers) -> dk.AcceptorPolicy:
    return aio.policy_for(
        handlers, transfer_syntaxes=(ImplicitVRLittleEndian,), sop_classes=[PRINTER]
    )


def test_each_n_service_is_handed_its_data_set_and_answered_with_the_handlers_response() -> None:
    recorder = Recorder()
    handlers = recorder.handlers()

    async def body() -> list[int]:
        async with (
            await aio.serve(
                "127.0.0.1", 0, handlers=handlers, policy=printer_policy(handlers)
            ) as server,
            aio.connect(*server.address, contexts=[PRINTER]) as association,
        ):
            got = await association.n_get(PRINTER, PRINTER_INSTANCE, [0x21100010])
            assert got.attribute_list is not None and got.attribute_list.dataset is not None
            assert got.attribute_list.dataset.PrinterStatus == "NORMAL"
            created = await association.n_create(PRINTER, attributes=data_set(PrinterName="NEW"))
            assert created.affected_sop_instance_uid == f"{INSTANCE}.9"
            acted = await association.n_action(
                PRINTER, f"{INSTANCE}.9", 7, data_set(PrinterName="GO")
            )
            assert acted.action_reply is not None and acted.action_reply.dataset is not None
            assert acted.action_reply.dataset.PrinterName == "DONE"
            return [
                int(
                    (
                        await association.n_set(PRINTER, f"{INSTANCE}.9", data_set(PrinterName="B"))
                    ).status
                ),
                int((await association.n_delete(PRINTER, f"{INSTANCE}.9")).status),
            ]

    assert run(body()) == [0, 0]
    kinds = [type(event.request).__name__ for event in recorder.events]
    assert kinds == [
        "NGetRequest",
        "NCreateRequest",
        "NActionRequest",
        "NSetRequest",
        "NDeleteRequest",
    ]
    get, create, action, modify, delete = recorder.events
    assert get.data_set is None and get.request.attribute_identifier_list == (0x21100010,)
    assert create.data_set is not None and create.data_set.PrinterName == "NEW"
    assert action.data_set is not None and action.data_set.PrinterName == "GO"
    assert action.request.action_type_id == 7
    assert modify.data_set is not None and modify.data_set.PrinterName == "B"
    assert delete.data_set is None
    assert {event.context.transfer_syntax for event in recorder.events} == {ImplicitVRLittleEndian}


def test_an_n_handler_that_raises_or_answers_another_request_answers_processing_failure() -> None:
    async def raising(event: aio.Requested[dk.NGetRequest]) -> dk.NGetResponse:
        raise RuntimeError("the printer caught fire")

    async def astray(event: aio.Requested[dk.NSetRequest]) -> dk.NSetResponse:
        other = dk.NSetRequest(
            message_id=event.request.message_id + 1,
            requested_sop_class_uid=PRINTER,
            requested_sop_instance_uid=PRINTER_INSTANCE,
            modification_list=data_set(PrinterName="X"),
        )
        return other.response(status=0)

    async def refusing(event: aio.Requested[dk.NDeleteRequest]) -> dk.NDeleteResponse:
        raise aio.Refused(0x0112, "no such printer")

    handlers = aio.Handlers(n_get=raising, n_set=astray, n_delete=refusing)

    async def body() -> list[tuple[int, str | None]]:
        async with (
            await aio.serve(
                "127.0.0.1", 0, handlers=handlers, policy=printer_policy(handlers)
            ) as server,
            aio.connect(*server.address, contexts=[PRINTER]) as association,
        ):
            got = await association.n_get(PRINTER, PRINTER_INSTANCE)
            modified = await association.n_set(PRINTER, PRINTER_INSTANCE, data_set(PrinterName="Y"))
            deleted = await association.n_delete(PRINTER, PRINTER_INSTANCE)
            return [(int(r.status), r.error_comment) for r in (got, modified, deleted)]

    # 0112H relates the Affected SOP Instance UID, no Error Comment (PS3.7 C.5): left out
    assert run(body()) == [(0x0110, None), (0x0110, None), (0x0112, None)]


def test_without_a_handler_an_n_service_is_unrecognized_where_a_policy_accepts_it() -> None:
    handlers = aio.Handlers(n_get=Recorder().n_get)

    async def body() -> int:
        async with (
            await aio.serve(
                "127.0.0.1", 0, handlers=handlers, policy=printer_policy(handlers)
            ) as server,
            aio.connect(*server.address, contexts=[PRINTER]) as association,
        ):
            return int((await association.n_delete(PRINTER, PRINTER_INSTANCE)).status)

    assert run(body()) == 0x0211


def test_storage_commitment_is_offered_with_the_roles_its_handlers_need() -> None:
    assert COMMITMENT not in aio.policy_for(aio.Handlers()).abstract_syntaxes
    acting = aio.policy_for(aio.Handlers(n_action=Recorder().n_action))
    assert COMMITMENT in acting.abstract_syntaxes
    assert acting.roles_for(COMMITMENT) == (True, False)

    async def report(event: aio.Requested[dk.NEventReportRequest]) -> dk.NEventReportResponse:
        return event.request.response(status=0)

    reporting = aio.policy_for(aio.Handlers(event_report=report))
    assert reporting.roles_for(COMMITMENT) == (False, True)


def committed(transaction: str) -> Dataset:
    return data_set(
        TransactionUID=transaction,
        ReferencedSOPSequence=[
            data_set(
                ReferencedSOPClassUID=dk.STORAGE_SOP_CLASSES[0],
                ReferencedSOPInstanceUID=f"{INSTANCE}.1",
            )
        ],
    )


def report_request(
    event: aio.Requested[dk.NActionRequest],
) -> Any:
    """A builder of the N-EVENT-REPORT-RQ of the Storage Commitment result of ``event``."""
    assert event.data_set is not None
    result = committed(event.data_set.TransactionUID)
    return lambda message_id: dk.NEventReportRequest(
        message_id=message_id,
        affected_sop_class_uid=COMMITMENT,
        affected_sop_instance_uid=COMMITMENT_INSTANCE,
        event_type_id=1,
        event_information=result,
    )


def test_storage_commitment_reports_after_the_n_action_on_the_same_association() -> None:
    """The report goes once the N-ACTION-RSP is sent (PS3.4 J.3.3), and the release the
    client asks for as soon as that response came waits for it (its response too)."""
    reports: list[aio.Requested[dk.NEventReportRequest]] = []
    sent: list[dk.NEventReportResponse] = []
    order: list[str] = []

    async def commit(event: aio.Requested[dk.NActionRequest]) -> dk.NActionResponse:
        association = event.association
        assert association is not None

        async def report() -> None:
            order.append("report")
            sent.append(await association.invoke(event.context.context_id, report_request(event)))

        event.after_response(report)
        order.append("answered")
        return event.request.response(status=0)

    async def received(event: aio.Requested[dk.NEventReportRequest]) -> dk.NEventReportResponse:
        reports.append(event)
        return event.request.response(status=0)

    async def body() -> int:
        async with (
            await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(n_action=commit)) as server,
            aio.connect(
                *server.address, contexts=[COMMITMENT], handlers=aio.Handlers(event_report=received)
            ) as association,
        ):
            response = await association.n_action(
                COMMITMENT, COMMITMENT_INSTANCE, 1, committed(f"{INSTANCE}.77")
            )
        await server.wait_served()
        return int(response.status)

    assert run(body()) == 0
    assert order == ["answered", "report"]
    (report,) = reports
    assert report.request.event_type_id == 1
    assert report.data_set is not None and report.data_set.TransactionUID == f"{INSTANCE}.77"
    assert [int(response.status) for response in sent] == [0]


def test_what_a_handler_has_done_after_its_response_ends_with_the_association() -> None:
    started = asyncio.Event()
    stopped: list[str] = []

    async def commit(event: aio.Requested[dk.NActionRequest]) -> dk.NActionResponse:
        async def wait_for_ever() -> None:
            started.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                stopped.append("cancelled")
                raise

        event.after_response(wait_for_ever)
        return event.request.response(status=0)

    async def body() -> None:
        async with await aio.serve(
            "127.0.0.1", 0, handlers=aio.Handlers(n_action=commit)
        ) as server:
            async with aio.connect(*server.address, contexts=[COMMITMENT]) as association:
                await association.n_action(
                    COMMITMENT, COMMITMENT_INSTANCE, 1, committed(f"{INSTANCE}.79")
                )
                await started.wait()
                await association.abort()
            await server.wait_served()

    run(body())
    assert stopped == ["cancelled"]


def test_what_a_handler_has_done_after_its_response_is_not_done_when_it_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    done: list[str] = []

    async def note() -> None:
        done.append("note")

    async def broken() -> None:
        raise RuntimeError("the archive is gone")

    async def refusing(event: aio.Requested[dk.NActionRequest]) -> dk.NActionResponse:
        event.after_response(note)
        raise aio.Refused(0x0110)

    async def raising_after(event: aio.Requested[dk.NDeleteRequest]) -> dk.NDeleteResponse:
        event.after_response(broken)
        event.after_response(note)  # one after the other: the first raised, logged
        return event.request.response(status=0)

    handlers = aio.Handlers(n_action=refusing, n_delete=raising_after)

    async def body() -> list[int]:
        async with (
            await aio.serve(
                "127.0.0.1", 0, handlers=handlers, policy=printer_policy(handlers)
            ) as server,
            aio.connect(*server.address, contexts=[PRINTER]) as association,
        ):
            acted = await association.n_action(PRINTER, PRINTER_INSTANCE, 1)
            deleted = await association.n_delete(PRINTER, PRINTER_INSTANCE)
        await server.wait_served()
        return [int(acted.status), int(deleted.status)]

    caplog.set_level(logging.ERROR, logger="dimsekit.aio")
    assert run(body()) == [0x0110, 0x0000]
    assert done == ["note"]  # the N-DELETE's, after its broken first
    assert "the archive is gone" in caplog.text


def test_storage_commitment_reports_on_a_new_association_with_the_scp_role() -> None:
    reports: list[aio.Requested[dk.NEventReportRequest]] = []

    async def received(event: aio.Requested[dk.NEventReportRequest]) -> dk.NEventReportResponse:
        reports.append(event)
        return event.request.response(status=0)

    async def body() -> int:
        async with (
            await aio.serve("127.0.0.1", 0, handlers=aio.Handlers(event_report=received)) as server,
            aio.connect(
                *server.address,
                contexts=[
                    dk.ProposedContext(abstract_syntax=COMMITMENT, scu_role=False, scp_role=True)
                ],
            ) as association,
        ):
            response = await association.n_event_report(
                COMMITMENT, COMMITMENT_INSTANCE, 2, committed(f"{INSTANCE}.78")
            )
            return int(response.status)

    assert run(body()) == 0
    (report,) = reports
    assert report.request.event_type_id == 2
    assert report.context.requestor_is_scp
    assert report.data_set is not None and report.data_set.TransactionUID == f"{INSTANCE}.78"
