"""Admin endpoints, admin chaos control, key rotation, and the (compatible) log endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Response

from jwtpizza.factory.admin import service as admin
from jwtpizza.factory.admin.schemas import DeleteRequest, LogText, RoleRequest
from jwtpizza.factory.chaos import service as chaos
from jwtpizza.factory.chaos.domain import natural_end
from jwtpizza.factory.chaos.schemas import ChaosRequest
from jwtpizza.factory.routes.deps import (
    AdminVendorDep,
    ContextDep,
    ReaderDep,
    SessionDep,
    VendorDep,
)
from jwtpizza.factory.vendors import service as vendors

router = APIRouter(tags=["admin"])


@router.get("/api/admin/vendors")
async def list_vendors(
    _admin: AdminVendorDep, session: ReaderDep, context: ContextDep
) -> list[dict[str, Any]]:
    """Every vendor with its chaos (fix codes included) and connections."""
    return await admin.list_vendors(session=session, now=context.clock.now())


@router.put("/api/admin/role")
async def set_role(
    body: RoleRequest, _admin: AdminVendorDep, session: SessionDep, context: ContextDep
) -> dict[str, Any]:
    """Grant or revoke admin: the vendor is admin when `roles` contains `admin`."""
    vendor = await admin.set_role(session=session, vendor_id=body.id, roles=body.roles)
    return await vendors.view(session=session, vendor=vendor, now=context.clock.now(), admin=True)


@router.delete("/api/admin/vendor", status_code=204)
async def delete_vendor(
    body: DeleteRequest, _admin: AdminVendorDep, session: SessionDep, context: ContextDep
) -> Response:
    """Delete a vendor's connection, its chaos, or the whole vendor."""
    await admin.remove(
        session=session,
        vendor_id=body.id,
        delete_type=body.deleteType,
        purpose=body.purpose,
        now=context.clock.now(),
    )
    context.vendor_cache.forget_on_commit(session, body.id)
    return Response(status_code=204)


@router.get("/api/admin/chaos")
async def chaos_status(
    _admin: AdminVendorDep, session: ReaderDep, context: ContextDep
) -> list[dict[str, Any]]:
    """Each vendor's latest fault (scheduled, active or ended), with its report token."""
    now = context.clock.now()
    rows = await admin.list_vendors(session=session, now=now)
    return [{"vendorId": row["id"], **row["chaos"]} for row in rows if "id" in row["chaos"]]


@router.put("/api/admin/chaos/{vendor_id}/{chaos_type}")
async def start_chaos(
    vendor_id: str,
    chaos_type: str,
    _admin: AdminVendorDep,
    session: SessionDep,
    context: ContextDep,
    body: ChaosRequest | None = Body(default=None),
) -> dict[str, Any]:
    """Schedule chaos for any vendor; answers with the fault, its fix code and token."""
    request = body or ChaosRequest()
    spec = chaos.FaultSpec(
        chaos.parse_type(chaos_type), request.schedule(), request.duration_seconds, request.params()
    )
    now = context.clock.now()
    fault = await chaos.start_fault(
        session=session,
        vendor_id=vendor_id,
        spec=spec,
        now=now,
        rng=context.rng,
        hours=context.hours,
        outage_seconds=context.settings.outage_default_seconds,
    )
    context.vendor_cache.forget_on_commit(session, vendor_id)
    described = chaos.describe(fault, now, secrets_visible=True)
    active = described["state"] == "active"
    context.chaos_gauge.show(
        vendor_id, fault.type if active else None, ends_at=natural_end(fault), now=now
    )
    return described


@router.delete("/api/admin/chaos/{vendor_id}")
async def stop_chaos(
    vendor_id: str, _admin: AdminVendorDep, session: SessionDep, context: ContextDep
) -> dict[str, Any]:
    """Cancel a vendor's scheduled or active fault."""
    await vendors.get(session=session, vendor_id=vendor_id)
    stopped = await chaos.stop_faults(session=session, vendor_id=vendor_id, now=context.clock.now())
    context.vendor_cache.forget_on_commit(session, vendor_id)
    context.chaos_gauge.show(vendor_id, None)
    return {
        "message": "Chaos stopped" if stopped else "No chaos currently executing",
        "stopped": stopped,
    }


@router.post("/api/admin/keys/rotate")
async def rotate_key(_admin: AdminVendorDep, context: ContextDep) -> dict[str, str]:
    """Start signing with a fresh key; the old one stays in the JWKS until its pizzas expire."""
    return {"kid": await context.keys.rotate()}


PLAIN_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}}}}
}


@router.post("/api/log", responses=PLAIN_TEXT)
async def post_log(
    _vendor: VendorDep, context: ContextDep, _body: Any = Body(default=None)
) -> Response:
    """Accept a log entry (nothing is stored, as the original) and return the log response text."""
    return Response(context.log_message, media_type="text/plain")


@router.put("/api/log", responses=PLAIN_TEXT)
async def set_log_text(body: LogText, _admin: AdminVendorDep, context: ContextDep) -> Response:
    """Set the text `POST /api/log` returns."""
    context.log_message = body.message
    return Response(context.log_message, media_type="text/plain")
