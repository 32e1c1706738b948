"""The public status page on the ops port: `GET /status` (HTML) and `GET /api/status` (JSON),
no login needed."""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from jwtpizza.ops.limits import public_read
from jwtpizza.ops.slo.status import SloStatus
from jwtpizza.ops.statuspage import service as status

router = APIRouter(tags=["status"], dependencies=[Depends(public_read)])


async def get_board(request: Request) -> status.StatusBoard:
    board = request.app.state.ops.status_board
    assert isinstance(board, status.StatusBoard)
    return board


BoardDep = Annotated[status.StatusBoard, Depends(get_board)]


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _budget_rows(budgets: list[SloStatus]) -> str:
    return "".join(
        f"<li>{escape(b.slo)} (objective {_percent(b.objective)}): "
        f"<strong>{_percent(b.budget_remaining)}</strong> of the 30-day error budget left, "
        f"burning {'-' if b.current_burn_rate is None else f'{b.current_burn_rate:.2f}x'}</li>"
        for b in budgets
    )


@router.get("/api/status")
async def status_json(board: BoardDep) -> dict[str, Any]:
    """Current incidents with their public updates, and component health (public; rebuilt
    at most every few seconds)."""
    snapshot = await board.snapshot()
    found, health = snapshot.incidents, snapshot.components
    return {
        "status": "degraded" if any(i.status != "resolved" for i in found) else "operational",
        "components": health,
        "errorBudgets": [b.model_dump(by_alias=True) for b in snapshot.budgets],
        "incidents": [
            {
                "id": i.id,
                "severity": i.severity,
                "status": i.status,
                "startedAt": i.started_at,
                "resolvedAt": i.resolved_at,
                "updates": [{"at": u.at, "text": u.text} for u in i.updates],
            }
            for i in found
        ],
    }


@router.get("/status", response_class=HTMLResponse)
async def status_page(board: BoardDep) -> str:
    """The status page for diners (public)."""
    snapshot = await board.snapshot()
    found, health = snapshot.incidents, snapshot.components
    rows = "".join(
        f"<li>{escape(name)}: <strong>{escape(state)}</strong></li>"
        for name, state in sorted(health.items())
    )
    items = "".join(
        f"<section><h2>Incident {i.id} ({escape(i.severity)}): {escape(i.status)}</h2><ul>"
        + "".join(f"<li>{u.at:%Y-%m-%d %H:%M:%S} UTC: {escape(u.text)}</li>" for u in i.updates)
        + "</ul></section>"
        for i in found
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/static/status.css">'
        "<title>JWT Pizza status</title></head><body><main><h1>JWT Pizza status</h1>"
        f'<ul class="components">{rows}</ul>'
        f"{items or '<p class=operational>All systems operational.</p>'}"
        + (
            f'<h2>Error budgets</h2><ul class="budgets">{_budget_rows(snapshot.budgets)}</ul>'
            if snapshot.budgets
            else ""
        )
        + "</main></body></html>"
    )
