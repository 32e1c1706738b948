"""`GET /`, liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from jwtpizza.readiness import write_probe
from jwtpizza.service import integrity
from jwtpizza.service.context import ServiceContext
from jwtpizza.service.deps import AdminUser, ContextDep, Scraper

router = APIRouter(tags=["health"])


@router.get("/")
async def welcome(context: ContextDep) -> dict[str, str]:
    """Welcome message and version."""
    return {"message": "welcome to JWT Pizza", "version": context.settings.version}


@router.get("/healthz")
async def liveness() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


def breaker_state(context: ServiceContext) -> str:
    """The factory breaker's state, or `disabled`. An open breaker does not make the service
    unready: orders are still accepted and queued, which is the point of the queue."""
    breaker = context.kitchen.fulfiller.caller.breaker
    return "disabled" if breaker is None else breaker.state.value


@router.get("/readyz", response_model=None)
async def readiness(context: ContextDep) -> JSONResponse | dict[str, Any]:
    """The database takes a write (503 while it refuses; see `jwtpizza.readiness`), and the
    factory breaker's state."""
    breaker = breaker_state(context)
    if await write_probe(context.db, version_table="alembic_version").refusal():
        return JSONResponse(
            {"status": "unavailable", "database": "refusing writes", "factoryBreaker": breaker},
            status_code=503,
        )
    return {"status": "ready", "database": "ok", "factoryBreaker": breaker}


@router.get("/api/health/integrity")
async def integrity_check(context: ContextDep, _scraper: Scraper) -> dict[str, Any]:
    """The order ledger and referential-integrity check: problem counts, and `ok`."""
    async with context.db.snapshot() as session:
        report = await integrity.check(session=session)
    problems = {k: len(v) for k, v in report.as_dict().items() if isinstance(v, list)}
    return {"ok": report.ok, "ordersByStatus": report.orders_by_status, "problems": problems}


@router.post("/api/health/integrity/repair")
async def integrity_repair(_admin: AdminUser, context: ContextDep) -> dict[str, Any]:
    """Run the safe repairs (requeue lost open orders, close finished jobs, drop orphans),
    then check again (admin)."""
    async with context.db.writer() as session:
        actions = await integrity.repair(session=session, now=context.clock.now())
    async with context.db.reader() as session:
        report = await integrity.check(session=session)
    return {"actions": actions, "ok": report.ok}
