"""`GET /`, liveness and readiness of the ops component."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from jwtpizza.ops.deps import ContextDep

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
    """The database answers (503 when it does not), which targets are up, and whether this
    process leads or stands by (a standby is ready: it serves reads)."""
    targets = {h.target.job: h.up for h in context.monitor.targets()}
    role = "leader" if context.leadership.is_leader() else "standby"
    try:
        await context.db.ping()
    except Exception:
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable", "targets": targets,
             "role": role},
            status_code=503,
        )  # fmt: skip
    return {"status": "ready", "database": "ok", "targets": targets, "role": role}
