"""Liveness and readiness, the same two routes on every component."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from jwtpizza.db import Database


def health_router(
    database: Callable[[Request], Database],
    details: Callable[[Request], dict[str, Any]] = lambda _request: {},
) -> APIRouter:
    """`GET /healthz` (the process is up) and `GET /readyz`: ready while the component's
    `database` answers, 503 when it does not, either way with the component's `details`."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def liveness() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @router.get("/readyz", response_model=None)
    async def readiness(request: Request) -> JSONResponse | dict[str, Any]:
        """The database answers (503 when it does not)."""
        shown = details(request)
        try:
            await database(request).ping()
        except Exception:
            unready = {"status": "unavailable", "database": "unreachable", **shown}
            return JSONResponse(unready, status_code=503)
        return {"status": "ready", "database": "ok", **shown}

    return router
