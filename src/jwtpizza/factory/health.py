"""Liveness and readiness of the factory, as the service has them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from jwtpizza.factory.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def liveness() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readiness(runtime: RuntimeDep) -> JSONResponse | dict[str, Any]:
    """The database answers (503 when it does not)."""
    try:
        await runtime.db.ping()
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return {"status": "ready", "database": "ok"}
