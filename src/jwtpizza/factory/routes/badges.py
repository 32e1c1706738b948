"""Badges: SVG images for READMEs, written by CI with the vendor's API key."""

from __future__ import annotations

from fastapi import APIRouter, Response

from jwtpizza.factory.badges import service as badges
from jwtpizza.factory.routes.deps import ContextDep, ReaderDep, SessionDep, VendorDep

router = APIRouter(prefix="/api/badge", tags=["badge"])


@router.post("/{account}/{badge}")
async def write_badge(
    account: str,
    badge: str,
    vendor: VendorDep,
    session: SessionDep,
    context: ContextDep,
    label: str = "Coverage",
    value: str = "0.00%",
    color: str = "#ee0000",
) -> dict[str, str]:
    """Create or replace one of your own badges."""
    account, name = await badges.put(
        session=session,
        caller=vendor,
        account=account,
        name=badge,
        label=label,
        value=value,
        color=color,
        now=context.clock.now(),
    )
    return {"url": f"{context.settings.base_url()}/api/badge/{account}/{name}"}


@router.get(
    "/{account}/{badge}",
    responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
)
async def read_badge(account: str, badge: str, session: ReaderDep) -> Response:
    """A badge as SVG, or a grey "Not Found" badge."""
    svg = await badges.get(session=session, account=account, name=badge)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-cache"})
