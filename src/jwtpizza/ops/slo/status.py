"""Each SLO's error budget and burn rate now, read from the series the SLO rules record
(`slo:objective:ratio`, `slo:current_burn_rate:ratio`, `slo:period_burn_rate:ratio`,
`slo:period_error_budget_remaining:ratio`), so the numbers are Prometheus's too."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from jwtpizza.ops.monitor.store import SampleStore
from jwtpizza.ops.promql.engine import compile_expr

SERIES = {
    "objective": "slo:objective:ratio",
    "current_burn_rate": "slo:current_burn_rate:ratio",
    "period_burn_rate": "slo:period_burn_rate:ratio",
    "budget_remaining": "slo:period_error_budget_remaining:ratio",
}


class SloStatus(BaseModel):
    """Ratios (0.995 is 99.5%); None until the rules have data (no traffic is no ratio)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    service: str
    slo: str
    objective: float | None = None
    current_burn_rate: float | None = None
    period_burn_rate: float | None = None
    budget_remaining: float | None = None


def slo_status(store: SampleStore, t_ms: int) -> list[SloStatus]:
    """One entry per SLO the rules have recorded at or before `t_ms`, sorted by name."""
    found: dict[str, SloStatus] = {}
    for field, name in SERIES.items():
        for sample in compile_expr(name).vector(store, t_ms):
            labels = dict(sample.labels)
            key = labels.get("sloth_id", "")
            entry = found.setdefault(
                key,
                SloStatus(service=labels.get("sloth_service", ""), slo=labels.get("sloth_slo", "")),
            )
            setattr(entry, field, sample.value if math.isfinite(sample.value) else None)
    return [found[key] for key in sorted(found)]
