"""`GET /`, liveness and readiness (the factory breaker's state with it), the integrity check."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from jwtpizza.db import Database
from jwtpizza.http.health import health_router
from jwtpizza.service import integrity
from jwtpizza.service.context import ServiceContext
from jwtpizza.service.routes.deps import AdminUser, ContextDep, Scraper


def breaker_state(context: ServiceContext) -> str:
    """The factory breaker's state, or `disabled`. An open breaker does not make the service
    unready: orders are still accepted and queued, which is the point of the queue."""
    breaker = context.kitchen.fulfiller.caller.breaker
    return "disabled" if breaker is None else breaker.state.value


def _database(request: Request) -> Database:
    context: ServiceContext = request.app.state.context
    return context.db


def _details(request: Request) -> dict[str, Any]:
    return {"factoryBreaker": breaker_state(request.app.state.context)}


router = health_router(_database, _details, version_table="alembic_version")


@router.get("/")
async def welcome(context: ContextDep) -> dict[str, str]:
    """Welcome message and version."""
    return {"message": "welcome to JWT Pizza", "version": context.settings.version}


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
