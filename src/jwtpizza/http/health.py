"""Liveness and readiness, the same two routes on every component."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from jwtpizza.db import Database
from jwtpizza.readiness import write_probe


def health_router(
    database: Callable[[Request], Database],
    details: Callable[[Request], dict[str, Any]] = lambda _request: {},
    *,
    version_table: str,
) -> APIRouter:
    """`GET /healthz` (the process is up) and `GET /readyz`: ready while the component's
    `database` takes a write (its Alembic `version_table`, see `jwtpizza.readiness`), 503 while
    it refuses, either way with the component's `details`."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def liveness() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @router.get("/readyz", response_model=None)
    async def readiness(request: Request) -> JSONResponse | dict[str, Any]:
        """The database takes a write (503 while it refuses)."""
        shown = details(request)
        if await write_probe(database(request), version_table=version_table).refusal():
            unready = {"status": "unavailable", "database": "refusing writes", **shown}
            return JSONResponse(unready, status_code=503)
        return {"status": "ready", "database": "ok", **shown}

    return router
