"""The public status page on the ops port: `GET /status` (HTML) and `GET /api/status` (JSON),
no login needed."""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from jwtpizza.ops.deps import ContextDep
from jwtpizza.ops.statuspage import service as status

router = APIRouter(tags=["status"])


async def _snapshot(context: ContextDep) -> tuple[list[status.PublicIncident], dict[str, str]]:
    async with context.db.reader() as session:
        found = await status.current(session=session, now=context.clock.now())
    return found, status.components(context.monitor.targets())


@router.get("/api/status")
async def status_json(context: ContextDep) -> dict[str, Any]:
    """Current incidents with their public updates, and component health (public)."""
    found, health = await _snapshot(context)
    return {
        "status": "degraded" if any(i.status != "resolved" for i in found) else "operational",
        "components": health,
        "incidents": [
            {"id": i.id, "severity": i.severity, "status": i.status,
             "startedAt": i.started_at, "resolvedAt": i.resolved_at,
             "updates": [{"at": u.at, "text": u.text} for u in i.updates]}
            for i in found
        ],
    }  # fmt: skip


@router.get("/status", response_class=HTMLResponse)
async def status_page(context: ContextDep) -> str:
    """The status page for diners (public)."""
    found, health = await _snapshot(context)
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
        f"{items or '<p class=operational>All systems operational.</p>'}</main></body></html>"
    )
