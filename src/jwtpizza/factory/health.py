"""Liveness and readiness of the factory, as the service has them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from jwtpizza.factory.deps import RuntimeDep
from jwtpizza.readiness import write_probe

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def liveness() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readiness(runtime: RuntimeDep) -> JSONResponse | dict[str, Any]:
    """The database takes a write (503 while it refuses; see `jwtpizza.readiness`)."""
    if await write_probe(runtime.db, version_table="alembic_version_factory").refusal():
        refusing = {"status": "unavailable", "database": "refusing writes"}
        return JSONResponse(refusing, status_code=503)
    return {"status": "ready", "database": "ok"}
