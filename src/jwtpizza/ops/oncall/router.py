"""On-call over HTTP: who is on call, pages, acknowledgements (admin, or an ack link)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Depends, Query

from jwtpizza.errors import NotFound
from jwtpizza.ops.deps import AdminUser, ContextDep, ReaderDep, RowId
from jwtpizza.ops.limits import anonymous_attempt
from jwtpizza.ops.oncall import service
from jwtpizza.ops.oncall.config import OncallConfig
from jwtpizza.ops.oncall.models import Page
from jwtpizza.ops.oncall.notify_oncall import PagingDep
from jwtpizza.ops.oncall.schemas import (
    Acknowledged,
    LinkedPage,
    OncallPublic,
    PageDetail,
    PageNotificationPublic,
    PagePublic,
    PolicyPublic,
    SchedulePublic,
    Shift,
    StepPublic,
)

router = APIRouter(prefix="/api/ops", tags=["on-call"])


def describe_oncall(config: OncallConfig, at: datetime, days: float) -> OncallPublic:
    end = at + timedelta(days=days)
    schedules = [
        SchedulePublic(
            name=s.name,
            on_call=s.on_call(at),
            shifts=[Shift(starts_at=t, user=u) for t, u in s.shifts(at, end)],
        )
        for s in config.schedules.values()
    ]
    policies = [
        PolicyPublic(
            name=p.name,
            steps=[
                StepPublic(notify={s.target.kind: s.target.name}, wait_seconds=s.wait)
                for s in p.steps
            ],
        )
        for p in config.policies.values()
    ]
    return OncallPublic(at=at, schedules=schedules, policies=policies)


@router.get("/oncall")
async def oncall(
    paging: PagingDep,
    context: ContextDep,
    _admin: AdminUser,
    at: datetime | None = None,
    days: float = Query(default=7.0, gt=0, le=90),
) -> OncallPublic:
    """Who is on call now (or at `at`), the coming handoffs, and the escalation policies."""
    return describe_oncall(paging.escalator.config, at or context.clock.now(), days)


@router.get("/pages")
async def list_pages(
    session: ReaderDep,
    _admin: AdminUser,
    status: Literal["triggered", "acknowledged", "resolved"] | None = None,
    limit: int = Query(default=50, ge=1, le=500),
) -> list[PagePublic]:
    """Pages, newest first."""
    pages = await service.list_pages(session=session, status=status, limit=limit)
    return [PagePublic.of(p) for p in pages]


@router.get("/pages/{page_id}")
async def get_page(page_id: RowId, session: ReaderDep, _admin: AdminUser) -> PageDetail:
    """One page with the alerts it carries and every notification it sent."""
    page = await session.get(Page, page_id)
    if page is None:
        raise NotFound(f"no page {page_id}")
    sent = await service.notifications_of(session=session, page_id=page_id)
    return PageDetail.model_validate(
        {
            **PagePublic.of(page).model_dump(),
            "message": page.message,
            "notifications": [PageNotificationPublic.model_validate(n) for n in sent],
        }
    )


@router.post("/pages/{page_id}/ack")
async def acknowledge(page_id: RowId, paging: PagingDep, admin: AdminUser) -> Acknowledged:
    """Acknowledge a page: its escalation stops."""
    page = await paging.escalator.acknowledge(page_id, by=admin.email)
    return Acknowledged(message=f"page {page.id} acknowledged", page=PagePublic.of(page))


@router.get("/ack/{token}", dependencies=[Depends(anonymous_attempt)])
async def describe_link(token: str, paging: PagingDep) -> LinkedPage:
    """What the link in a page would acknowledge; opening it changes nothing (a link
    previewer or mail scanner must not stop an escalation). A browser gets the console's
    page with the button that acknowledges by POST."""
    page, target = await paging.escalator.page_of_link(token)
    return LinkedPage(page=PagePublic.of(page), paged=target)


@router.post("/ack/{token}", dependencies=[Depends(anonymous_attempt)])
async def acknowledge_by_link(token: str, paging: PagingDep) -> Acknowledged:
    """Acknowledge through the link in a page: once; a reused, forged or expired link is
    refused."""
    page = await paging.escalator.acknowledge_by_token(token)
    return Acknowledged(message=f"page {page.id} acknowledged", page=PagePublic.of(page))


@router.post("/paging/reload")
async def reload(paging: PagingDep, _admin: AdminUser) -> dict[str, str]:
    """Re-read notify.yml and oncall.yml; a bad file is refused and the running ones stay."""
    paging.reload()
    return {"message": "paging configuration reloaded"}
