"""`GET /`, liveness and readiness of the ops component (which targets are up, and whether
this process leads or stands by: a standby is ready, it serves reads)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from jwtpizza.db import Database
from jwtpizza.http.health import health_router
from jwtpizza.ops.context import OpsContext
from jwtpizza.ops.deps import ContextDep


def _database(request: Request) -> Database:
    context: OpsContext = request.app.state.ops.context
    return context.db


def _details(request: Request) -> dict[str, Any]:
    context: OpsContext = request.app.state.ops.context
    return {
        "targets": {h.target.job: h.up for h in context.monitor.targets()},
        "role": "leader" if context.leadership.is_leader() else "standby",
    }


router = health_router(_database, _details, version_table="alembic_version_ops")


@router.get("/")
async def welcome(context: ContextDep) -> dict[str, str]:
    """Welcome message and version."""
    return {"message": "welcome to JWT Pizza Ops", "version": context.settings.version}
