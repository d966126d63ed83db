"""dimsekit.aio (issue 18): what serve's find, get, move and DIMSE-N handlers are given and
give back.

Type-checked, never executed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import assert_type

from pydicom.dataset import Dataset

from dimsekit import (
    AcceptedContext,
    AcceptorPolicy,
    CFindRequest,
    CGetRequest,
    CMoveRequest,
    NActionRequest,
    NActionResponse,
    NEventReportRequest,
    NEventReportResponse,
    NGetRequest,
    NGetResponse,
    aio,
)


async def find(event: aio.Requested[CFindRequest]) -> AsyncIterator[Dataset]:
    assert_type(event.request, CFindRequest)
    assert_type(event.data_set, Dataset | None)
    assert_type(event.context, AcceptedContext)
    assert_type(event.peer, aio.Peer)
    yield Dataset()


async def get(event: aio.Requested[CGetRequest]) -> Sequence[aio.Instance]:
    return [Path("a.dcm"), Dataset()]


async def move(event: aio.Requested[CMoveRequest]) -> list[Path]:
    assert_type(event.request.move_destination, str)
    return [Path("a.dcm")]


async def commit(event: aio.Requested[NActionRequest]) -> NActionResponse:
    association = event.association
    assert association is not None

    async def report() -> None:
        response = await association.invoke(
            event.context.context_id,
            lambda message_id: NEventReportRequest(
                message_id=message_id,
                affected_sop_class_uid="1.2.840.10008.1.20.1",
                affected_sop_instance_uid="1.2.840.10008.1.20.1.1",
                event_type_id=1,
            ),
            check=True,
        )
        assert_type(response, NEventReportResponse)

    event.after_response(report)
    return event.request.response(status=0)


async def partial(event: aio.Requested[CFindRequest]) -> AsyncIterator[aio.Match]:
    yield Dataset(), 0xFF01
    yield Dataset()


def invoking(client: aio.ClientAssociation, server: aio.ServerAssociation) -> None:
    both: list[aio.Invoking] = [client, server]
    assert both


async def report(event: aio.Requested[NEventReportRequest]) -> NEventReportResponse:
    return event.request.response(status=0)


async def n_get(event: aio.Requested[NGetRequest]) -> NGetResponse:
    return event.request.response(status=0, attribute_list=Dataset())


async def listing(event: aio.Requested[CFindRequest]) -> list[Dataset]:
    return [Dataset()]


async def serving() -> None:
    handlers = aio.Handlers(
        find=find, get=get, move=move, n_action=commit, event_report=report, n_get=n_get
    )
    aio.Handlers(find=partial)
    policy = aio.policy_for(handlers, sop_classes=["1.2.840.10008.5.1.1.16"])
    assert_type(policy, AcceptorPolicy)
    server = await aio.serve(
        "127.0.0.1", 0, handlers=handlers, move_destinations={"STORE": ("127.0.0.1", 104)}
    )
    assert_type(server, aio.Server)
    raise aio.Refused(0xA900, "the identifier does not match")


def mistakes() -> None:
    aio.Handlers(find=listing)  # type: ignore[arg-type]
    aio.Handlers(get=move)  # type: ignore[arg-type]
    aio.Handlers(n_get=report)  # type: ignore[arg-type]
    aio.Handlers(event_report=commit)  # type: ignore[arg-type]
    aio.Refused("A900")  # type: ignore[arg-type]


async def n_mistakes(event: aio.Requested[NActionRequest]) -> None:
    event.after_response(lambda: None)  # type: ignore[arg-type,return-value]
    association = event.association
    assert association is not None
    association.invoker  # type: ignore[attr-defined]  # a handler invokes, no more
