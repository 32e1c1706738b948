"""Admin API: POST a written postmortem to /api/ops/reviews, get each claim's verdict."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from jwtpizza.ops.deps import AdminUser
from jwtpizza.ops.incidents.router import DeskDep
from jwtpizza.ops.incidents.schemas import CamelModel
from jwtpizza.ops.reviews.service import review_report

router = APIRouter(prefix="/api/ops/reviews", tags=["reviews"])
MAX_REPORT = 200_000


class ReviewIn(CamelModel):
    markdown: str = Field(min_length=1, max_length=MAX_REPORT)
    incident: int | None = Field(default=None, ge=1)
    tolerance_seconds: float = Field(default=60.0, ge=0, le=3600)


@router.post("")
async def review(body: ReviewIn, _admin: AdminUser, desk: DeskDep) -> dict[str, Any]:
    """Each claim of the report (confirmed, contradicted, or not checkable, with the measured
    value and its source), the sections' state, a score out of 100 and what to fix."""
    found = await review_report(
        desk, body.markdown, incident_id=body.incident, tolerance=body.tolerance_seconds
    )
    return asdict(found)
