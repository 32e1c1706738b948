"""Admin API: the loaded runbooks, and running one on an incident by hand."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from jwtpizza.ops.deps import AdminUser, RowId
from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.router import actor
from jwtpizza.ops.runbooks.runner import Runbooks

router = APIRouter(tags=["runbooks"])


async def get_runbooks(request: Request) -> Runbooks:
    runbooks = request.app.state.ops.runbooks
    assert isinstance(runbooks, Runbooks)
    return runbooks


RunbooksDep = Annotated[Runbooks, Depends(get_runbooks)]


@router.get("/api/ops/runbooks")
async def list_runbooks(_admin: AdminUser, runbooks: RunbooksDep) -> list[dict[str, Any]]:
    """The runbooks loaded from their files, with their triggers and steps."""
    return [
        {
            "name": b.name,
            "summary": b.summary,
            "alerts": sorted(b.alerts),
            "chaos": sorted(b.chaos),
            "deadlineSeconds": b.deadline_seconds,
            "autopilot": b.autopilot,
            "steps": [s.name for s in b.steps],
        }
        for b in runbooks.books.values()
    ]


@router.post("/api/ops/incidents/{incident_id}/runbooks/{name}", status_code=202)
async def run_runbook(
    incident_id: RowId, name: str, admin: AdminUser, runbooks: RunbooksDep
) -> JSONResponse:
    """Start a runbook on an incident now (without autopilot): 202, and the run to follow at
    `Location` (a run waits for its alerts to clear, up to its deadline)."""
    async with runbooks.desk.db.reader() as session:
        await incidents.get(session=session, incident_id=incident_id)
    run = runbooks.start(incident_id, name, by=actor(admin))
    location = f"/api/ops/runbook-runs/{run.id}"
    return JSONResponse(
        run.view() | {"location": location}, status_code=202, headers={"Location": location}
    )


@router.get("/api/ops/runbook-runs/{run_id}")
async def runbook_run(run_id: RowId, _admin: AdminUser, runbooks: RunbooksDep) -> dict[str, Any]:
    """A run started by hand: `running`, then `finished` with each step's outcome, whether
    its alerts cleared and whether a person was paged."""
    return runbooks.run_by_hand(run_id).view()
