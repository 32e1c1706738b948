"""The log explorer: the service's and the factory's log search, with clickable report links
(those ops found on the configured factory's host)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Query
from starlette.responses import Response

from jwtpizza.web.console.page import AdminPage, console_router

router = console_router()
LEVELS = ("", "info", "warning", "error")
KINDS = ("", "http", "resilience", "db", "factory", "event")


def log_rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """A log search's records newest first, each with the report links ops found in it (only
    to the configured factory) and its JSON to unfold."""
    return [
        {"record": r, "links": links, "details": json.dumps(r, indent=1, default=str)}
        for r, links in reversed(list(zip(answer["logs"], answer["reportLinks"], strict=True)))
    ]


@router.get("/logs")
async def explore(
    page: AdminPage,
    component: Annotated[str, Query(pattern="^(service|factory)$")] = "service",
    q: Annotated[str, Query(max_length=200)] = "",
    level: Annotated[str, Query(max_length=20)] = "",
    kind: Annotated[str, Query(alias="type", max_length=20)] = "",
    status: Annotated[str, Query(max_length=5)] = "",
    since: Annotated[str, Query(max_length=40)] = "15m",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> Response:
    """Filter by component, level, type, status class and time; `q` searches messages and
    bodies. Newest first."""
    filters = {"q": q, "level": level, "type": kind, "status": status, "since": since}
    answer = await page.api.get(f"/api/ops/components/{component}/logs", **filters, limit=limit)
    records = log_rows(answer)
    return page.render(
        "logs.html",
        title="Log explorer",
        records=records,
        component=component,
        filters=filters,
        levels=LEVELS,
        kinds=KINDS,
    )
