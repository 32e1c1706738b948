"""`GET /`, liveness and readiness of the ops component."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from jwtpizza.ops.deps import ContextDep
from jwtpizza.readiness import write_probe

router = APIRouter(tags=["health"])


@router.get("/")
async def welcome(context: ContextDep) -> dict[str, str]:
    """Welcome message and version."""
    return {"message": "welcome to JWT Pizza Ops", "version": context.settings.version}


@router.get("/healthz")
async def liveness() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readiness(context: ContextDep) -> JSONResponse | dict[str, Any]:
    """The database takes a write (503 while it refuses; see `jwtpizza.readiness`), and which
    targets are up."""
    targets = {h.target.job: h.up for h in context.monitor.targets()}
    if await write_probe(context.db, version_table="alembic_version_ops").refusal():
        return JSONResponse(
            {"status": "unavailable", "database": "refusing writes", "targets": targets},
            status_code=503,
        )
    return {"status": "ready", "database": "ok", "targets": targets}
