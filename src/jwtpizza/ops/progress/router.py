"""Admin API: /api/ops/stats, response times per incident over time and their averages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from jwtpizza.ops.actions.router import CsvResponse
from jwtpizza.ops.deps import AdminUser
from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.desk import IncidentDesk
from jwtpizza.ops.incidents.router import DeskDep
from jwtpizza.ops.progress.figures import Row, as_csv, grouped, row

router = APIRouter(prefix="/api/ops/stats", tags=["stats"])


async def rows(desk: IncidentDesk) -> list[Row]:
    """Every incident's row, oldest first."""
    async with desk.db.reader() as session:
        found = await incidents.listing(session=session, limit=10_000)
        return [
            row(i, await incidents.timeline(session=session, incident_id=i.id))
            for i in reversed(found)
        ]


@router.get("")
async def stats(_admin: AdminUser, desk: DeskDep) -> dict[str, Any]:
    """MTTD, MTTA, MTTM and MTTR in seconds per incident, and by fault type and responder."""
    found = await rows(desk)
    return {
        "incidents": [r.as_json() for r in found],
        "byFaultType": grouped(found, "faultType"),
        "byResponder": grouped(found, "responder"),
    }


@router.get(".csv", response_class=CsvResponse)
async def stats_csv(_admin: AdminUser, desk: DeskDep) -> CsvResponse:
    return CsvResponse(as_csv(await rows(desk)))
