"""The log explorer: the service's and the factory's log search, with clickable report links."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import Query
from starlette.responses import Response

from jwtpizza.web.console.page import AdminPage, console_router

router = console_router()
REPORT_LINK = re.compile(r"https?://[^\s\"'<>]+/api/support/[^\s\"'<>]+/report/[^\s\"'<>]+")
LEVELS = ("", "info", "warning", "error")
KINDS = ("", "http", "resilience", "db", "factory", "event")


def report_links(record: dict[str, Any]) -> list[str]:
    """Every report link (`.../api/support/<token>/report/<fix code>`) in a record."""
    return sorted(set(REPORT_LINK.findall(json.dumps(record))))


def log_rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """A log search's records newest first, each with its report links and its JSON to
    unfold."""
    return [
        {"record": r, "links": report_links(r), "details": json.dumps(r, indent=1, default=str)}
        for r in reversed(answer["logs"])
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
        "logs.html", title="Log explorer", records=records, component=component,
        filters=filters, levels=LEVELS, kinds=KINDS,
    )  # fmt: skip
