"""How much of each SLO's 30-day error budget a window spent, from the series the SLO rules
record: the mean 5-minute error ratio over the window, as a multiple of the budget (the
burn rate), times the window's share of 30 days. Sloth's and the SRE workbook's arithmetic;
it assumes traffic steady over the window, as the recorded ratios do."""

from __future__ import annotations

import math
from datetime import datetime

from jwtpizza.ops.monitor.store import SampleStore
from jwtpizza.ops.slo.generate import PERIOD_DAYS

RATIO = "slo:sli_error:ratio_rate5m"
BUDGET = "slo:error_budget:ratio"
PERIOD_SECONDS = PERIOD_DAYS * 86400


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def budgets(store: SampleStore) -> dict[str, float]:
    """Each SLO's error budget (a ratio), by its `sloth_slo` name, as last recorded."""
    found = {}
    for series in store.select(BUDGET):
        slo = dict(series.labels).get("sloth_slo")
        if slo and series.values and math.isfinite(series.values[-1]):
            found[slo] = series.values[-1]
    return found


def budget_spent(
    store: SampleStore, start: datetime, end: datetime, *, speed: float = 1.0
) -> dict[str, float]:
    """Per SLO with data in [start, end], the share of its 30-day budget spent (0.02 is 2%).
    `speed`: a compressed run's windows stand for `speed` times their wall-clock length."""
    allowed = budgets(store)
    seconds = (end - start).total_seconds() * speed
    spent: dict[str, float] = {}
    for series in store.select(RATIO):
        slo = dict(series.labels).get("sloth_slo")
        _, values = series.window(_ms(start), _ms(end))
        finite = [v for v in values if math.isfinite(v)]
        if not slo or not finite or not allowed.get(slo):
            continue
        burn = sum(finite) / len(finite) / allowed[slo]
        spent[slo] = burn * seconds / PERIOD_SECONDS
    return dict(sorted(spent.items()))
