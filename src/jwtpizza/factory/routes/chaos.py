"""The chaos events feed and the instructors' scoreboard."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import AwareDatetime

from jwtpizza.factory.chaos import service as chaos
from jwtpizza.factory.chaos.schemas import ChaosEvents, ScoreboardRow
from jwtpizza.factory.routes.deps import AdminVendorDep, ContextDep, ReaderDep, VendorDep

router = APIRouter(prefix="/api/chaos", tags=["chaos"])


@router.get("/events", response_model_by_alias=True)
async def chaos_events(
    vendor: VendorDep, session: ReaderDep, context: ContextDep, since: AwareDatetime | None = None
) -> ChaosEvents:
    """Initiated/started/reported/ended events of faults in time order (admins see all)."""
    now = context.clock.now()
    events = await chaos.events(
        session=session, now=now, vendor_id=None if vendor.is_admin else vendor.id, since=since
    )
    return ChaosEvents(now=now, events=events)


@router.get("/scoreboard", response_model_by_alias=True)
async def scoreboard(
    _admin: AdminVendorDep, session: ReaderDep, context: ContextDep
) -> list[ScoreboardRow]:
    """Each vendor's time to resolve its faults, fastest mean first."""
    return await chaos.scoreboard(session=session, now=context.clock.now())
