"""Admin API: `GET /api/ops/slo`, each SLO's error budget and burn rate now."""

from __future__ import annotations

from fastapi import APIRouter

from jwtpizza.ops.deps import AdminUser
from jwtpizza.ops.rules.deps import RulesDep
from jwtpizza.ops.slo.status import SloStatus, slo_status

router = APIRouter(prefix="/api/ops", tags=["slo"])


@router.get("/slo", response_model_by_alias=True)
async def list_slos(_admin: AdminUser, rules: RulesDep) -> list[SloStatus]:
    """As of the last rule evaluation (empty before the first)."""
    times = [g.last_evaluation_ms for g in rules.groups if g.last_evaluation_ms]
    return slo_status(rules.store, max(times)) if times else []
