"""Admin JSON endpoints the console (or any script) reads: who am I, a range query over the
monitor's window, a component's log search, and the factory's chaos control."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from jwtpizza.http.bearer import bearer_token
from jwtpizza.ops.deps import AdminUser, ContextDep
from jwtpizza.ops.explore.logsearch import LogSearches
from jwtpizza.ops.explore.proxy import allowed_path, segment
from jwtpizza.ops.explore.service import query_range
from jwtpizza.ops.incidents.desk import IncidentDesk
from jwtpizza.ops.incidents.router import DeskDep

router = APIRouter(prefix="/api/ops", tags=["ops console"])
Component = Literal["service", "factory"]
EPOCH_MAX = 253402300799.0  # 9999-12-31T23:59:59Z: no NaN, no infinity


@router.get("/me")
async def me(admin: AdminUser) -> dict[str, Any]:
    """The admin this token belongs to (as the service says)."""
    return {"id": admin.id, "name": admin.name, "email": admin.email}


@router.delete("/session")
async def logout(admin: AdminUser, context: ContextDep, request: Request) -> dict[str, str]:
    """Log out: revoke this token at the service, and here at once."""
    token = bearer_token(request.headers.get("authorization"))
    assert token is not None  # AdminUser passed
    await context.admins.logout(token)
    return {"message": f"{admin.email} logged out"}


@router.get("/query_range")
async def range_query(
    _admin: AdminUser,
    context: ContextDep,
    query: Annotated[str, Query(min_length=1, max_length=2000)],
    start: Annotated[float | None, Query(description="epoch seconds", ge=0, le=EPOCH_MAX)] = None,
    end: Annotated[float | None, Query(description="epoch seconds", ge=0, le=EPOCH_MAX)] = None,
    step: Annotated[float, Query(gt=0, le=3600)] = 5.0,
) -> dict[str, Any]:
    """`query` at every `step` seconds from `start` to `end` (default: the last 15 minutes),
    over the samples the monitor keeps in memory."""
    end = context.clock.now().timestamp() if end is None else end
    start = end - 900 if start is None else start
    series = query_range(
        context.monitor.store,
        query,
        start_ms=int(start * 1000),
        end_ms=int(end * 1000),
        step_ms=int(step * 1000),
    )
    return {"query": query, "start": start, "end": end, "step": step, "series": series}


@router.get("/components/{component}/logs")
async def component_logs(
    component: Component,
    admin: AdminUser,
    desk: DeskDep,
    request: Request,
) -> dict[str, Any]:
    """The component's own log search (`GET /api/ops/logs` there), with the same filters,
    and each record's report links to the configured factory (`reportLinks`, in order). A
    filter the component refuses is a 400 with its message; the same search within a few
    seconds is answered from the last one."""
    params = {k: v for k, v in request.query_params.items() if v}
    searches = request.app.state.ops.log_searches
    assert isinstance(searches, LogSearches)
    return await searches.search(desk.feeds, admin_id=admin.id, component=component, params=params)


async def factory(desk: IncidentDesk, method: str, path: str, body: Any = None) -> JSONResponse:
    status, answer = await desk.feeds.factory_admin(method, allowed_path(method, path), body)
    return JSONResponse(answer, status_code=status)


@router.get("/chaos")
async def chaos_status(_admin: AdminUser, desk: DeskDep) -> JSONResponse:
    """Every vendor's chaos, from the factory's admin API."""
    return await factory(desk, "GET", "/api/admin/chaos")


@router.put("/chaos/{vendor_id}/{chaos_type}")
async def chaos_start(
    vendor_id: str,
    chaos_type: str,
    _admin: AdminUser,
    desk: DeskDep,
    body: Annotated[dict[str, Any] | None, Body()] = None,
) -> JSONResponse:
    """Start or schedule chaos for a vendor (the factory's `PUT /api/admin/chaos/...`)."""
    path = f"/api/admin/chaos/{segment('vendor', vendor_id)}/{segment('type', chaos_type)}"
    return await factory(desk, "PUT", path, body)


@router.delete("/chaos/{vendor_id}")
async def chaos_stop(vendor_id: str, _admin: AdminUser, desk: DeskDep) -> JSONResponse:
    """Stop a vendor's chaos."""
    return await factory(desk, "DELETE", f"/api/admin/chaos/{segment('vendor', vendor_id)}")
