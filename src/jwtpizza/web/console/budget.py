"""Error budgets: per SLO, the 30-day budget left and the burn rate now, as an SVG bar chart
drawn on the server (no script, no inline style: the console's CSP allows neither)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from jwtpizza.web.console.page import AdminPage, console_router

router = console_router()
WIDTH, ROW, LABEL = 640, 56, 160
BAR = WIDTH - LABEL - 110  # the values' words on the right
PAGE_BURN = 14.4  # the fast page's burn rate (deploy/slo/, docs/slo.md): the burn bar's end


@dataclass(frozen=True)
class Row:
    slo: str
    y: int
    budget_width: float  # the budget left, 0..BAR
    burn_width: float  # the burn rate now, 0..BAR at PAGE_BURN
    budget: str  # as words: `87.2% left`, or `no data`
    burn: str  # `0.31x now`, or `no data`
    state: str  # ok, burning (above 1x), exhausted (no budget left), no data


def _percent(value: float | None) -> str:
    return "no data" if value is None else f"{100 * value:.1f}% left"


def _burn(value: float | None) -> str:
    return "no data" if value is None else f"{value:.2f}x now"


def rows(slos: list[dict[str, Any]]) -> list[Row]:
    found = []
    for index, slo in enumerate(slos):
        left, burn = slo.get("budgetRemaining"), slo.get("currentBurnRate")
        state = "no data" if left is None else "exhausted" if left <= 0 else "ok"
        if state == "ok" and burn is not None and burn > 1:
            state = "burning"
        found.append(
            Row(
                slo=slo["slo"],
                y=index * ROW,
                budget_width=round(BAR * min(1.0, max(0.0, left or 0.0)), 1),
                burn_width=round(BAR * min(1.0, max(0.0, (burn or 0.0) / PAGE_BURN)), 1),
                budget=_percent(left),
                burn=_burn(burn),
                state=state,
            )
        )
    return found


@router.get("/slo")
async def budget(page: AdminPage) -> Response:
    found = rows(await page.api.get("/api/ops/slo"))
    return page.render(
        "slo.html",
        title="Error budgets",
        rows=found,
        width=WIDTH,
        row=ROW,
        label=LABEL,
        bar=BAR,
        page_burn=PAGE_BURN,
        one_x=round(BAR / PAGE_BURN, 1),
    )
