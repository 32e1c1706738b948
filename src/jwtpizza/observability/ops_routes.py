"""`GET /metrics` and `GET /api/ops/logs`, added to a component by `instrument`."""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from jwtpizza.clock import Clock
from jwtpizza.errors import InvalidInput, Unauthorized
from jwtpizza.observability.log_store import LogQuery, LogStore
from jwtpizza.observability.metrics import Metrics

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Anything further back than this reaches before every record the window can hold.
_MAX_SINCE_SECONDS = 3650 * 86400

ScrapeGuard = Callable[[Request], Awaitable[None]]


def scrape_guard(token: str | None, *, required: bool, setting: str) -> ScrapeGuard:
    """A dependency for the figures a scraper reads (`/metrics`, integrity): with a token,
    only `Authorization: Bearer <token>` passes; without one, everyone, unless `required`
    (outside demo mode), when nobody does."""

    async def check(request: Request) -> None:
        if token is None:
            if required:
                raise Unauthorized(f"set {setting} and send it as a bearer token")
            return
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            presented.strip().encode(), token.encode()
        ):
            raise Unauthorized("unauthorized")

    return check


async def open_to_all(_request: Request) -> None:
    """The scrape guard of a component that configured none."""


def parse_since(value: str | None, clock: Clock) -> datetime | None:
    """`10m`, `30s`, `2h`, `1d` (ago) or an ISO-8601 time; None means no bound."""
    if not value:
        return None
    match = _DURATION.match(value.strip())
    if match:
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        if seconds > _MAX_SINCE_SECONDS:
            raise InvalidInput("since: at most 3650d back")
        return clock.now() - timedelta(seconds=seconds)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidInput("since: use 10m, 2h, 1d or an ISO time") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.now().tzinfo)


def ops_router(
    *,
    component: str,
    metrics: Metrics,
    store: LogStore,
    clock: Clock,
    scrape_guard: ScrapeGuard,
    authorize_admin: Callable[..., Any],
) -> APIRouter:
    """`GET /metrics` behind `scrape_guard`, and `GET /api/ops/logs` for admins."""
    router = APIRouter(tags=["ops"])

    @router.get("/metrics", include_in_schema=False, dependencies=[Depends(scrape_guard)])
    async def exposition() -> Response:
        """Prometheus metrics of this component."""
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @router.get("/api/ops/logs", dependencies=[Depends(authorize_admin)])
    async def recent_logs(
        since: str | None = None,
        level: str | None = None,
        type_: str | None = Query(None, alias="type"),
        status: str | None = None,
        route: str | None = None,
        q: str | None = None,
        sql: bool = False,
        limit: int = Query(100, ge=1, le=1000),
    ) -> dict[str, Any]:
        """Recent structured logs of this component, newest last (admin only). `q` searches
        messages and bodies; SQL statements too with `sql=true` or `type=db`."""
        query = LogQuery(
            since=parse_since(since, clock),
            level=level,
            type=type_,
            status=status,
            route=route,
            text=q,
            text_in_sql=sql,
            limit=limit,
        )
        return {"component": component, "logs": store.query(query)}

    return router
