"""dimsekit.aio (issue 18): what find, get, move and the DIMSE-N calls give and take.

Type-checked, never executed.
"""

from __future__ import annotations

from typing import assert_type

from pydicom.dataset import Dataset

from dimsekit import (
    PATIENT_ROOT,
    STORAGE_COMMITMENT_PUSH_MODEL,
    STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE,
    CFindResponse,
    CGetResponse,
    CMoveResponse,
    NActionResponse,
    NCreateResponse,
    NDeleteResponse,
    NEventReportResponse,
    NGetResponse,
    NSetResponse,
    ProposedContext,
    QueryModel,
    aio,
)


async def retrieve(query: Dataset) -> None:
    contexts = aio.retrieve_contexts(PATIENT_ROOT, ["1.2.840.10008.5.1.4.1.1.2"])
    assert_type(contexts, list[ProposedContext])
    async with aio.connect("127.0.0.1", 11112, contexts=contexts) as association:
        async with association.find(query, model=PATIENT_ROOT) as matches:
            assert_type(matches, aio.Matches)
            async for found in matches:
                assert_type(found, Dataset)
        assert_type(matches.response, CFindResponse | None)
        progress: list[int | None] = []
        got = await association.get(
            query, progress=lambda r: progress.append(r.number_of_completed_suboperations)
        )
        assert_type(got, CGetResponse)
        assert_type(await association.move(query, "ELSEWHERE"), CMoveResponse)
        await association.move(query)  # type: ignore[call-arg]
        association.find(query, model="study")  # type: ignore[arg-type]
        await association.get(query, progress=lambda r: r.move_destination)  # type: ignore[attr-defined]
        assert_type(PATIENT_ROOT, QueryModel)


async def n_services(changes: Dataset) -> None:
    async with aio.connect("127.0.0.1", 11112) as association:
        printer = "1.2.840.10008.5.1.1.16"
        assert_type(await association.n_get(printer, "1.2.3", [0x21100010]), NGetResponse)
        assert_type(await association.n_set(printer, "1.2.3", changes), NSetResponse)
        assert_type(await association.n_action(printer, "1.2.3", 1), NActionResponse)
        assert_type(await association.n_create(printer), NCreateResponse)
        assert_type(await association.n_delete(printer, "1.2.3"), NDeleteResponse)
        report = await association.n_event_report(
            STORAGE_COMMITMENT_PUSH_MODEL, STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE, 1, changes
        )
        assert_type(report, NEventReportResponse)
        await association.n_action(printer, "1.2.3")  # type: ignore[call-arg]
        await association.n_set(printer, "1.2.3", b"")  # type: ignore[arg-type]
