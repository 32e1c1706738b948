"""The responder's first screen: live charts with shaded windows, and the game-day view."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import Query
from starlette.responses import JSONResponse, Response

from jwtpizza.web.api import ApiClient, ApiError
from jwtpizza.web.console.live import open_pages
from jwtpizza.web.console.page import AdminPage, console_router, epoch

router = console_router()

# Each chart: a title, a unit, and its series as (legend, PromQL over the monitor's window).
Chart = tuple[str, str, tuple[tuple[str, str], ...]]
BY_COMPONENT = "sum by (component) "
CHARTS: tuple[Chart, ...] = (
    ("Request rate", "req/s", (("{component}", BY_COMPONENT + "(rate(http_requests_total[1m]))"),)),
    (
        "Errors (5xx)",
        "req/s",
        (("{component}", BY_COMPONENT + '(rate(http_requests_total{status=~"5.."}[1m]))'),),
    ),
    (
        "Latency p99",
        "s",
        (
            (
                "{component}",
                "histogram_quantile(0.99, sum by (component, le) "
                "(rate(http_request_duration_seconds_bucket[1m])))",
            ),
        ),
    ),
    (
        "Pizzas sold and failed",
        "per min",
        (
            ("sold", "sum(increase(pizzas_sold_total[1m]))"),
            ("failed", "sum(increase(pizza_failures_total[1m]))"),
        ),
    ),
    ("Revenue", "bitcoin per min", (("revenue", "sum(increase(revenue_total[1m]))"),)),
    (
        "Factory outcome by reason",
        "calls per min",
        (("{reason}", "sum by (reason) (increase(factory_calls_total[1m]))"),),
    ),
    (
        "Breaker (0 closed, 1 half-open, 2 open)",
        "state",
        (("{dependency}", "max by (dependency) (breaker_state)"),),
    ),
    ("Queue", "orders", (("{queue}", "max by (queue) (queue_depth)"),)),
)
PHASES = (
    ("declared", "declaredAt"),
    ("acknowledged", "ackedAt"),
    ("mitigated", "mitigatedAt"),
    ("resolved", "resolvedAt"),
)
RANGES = {"5m": 300, "15m": 900}  # the first is the default
# Series whose colour carries a meaning: good outcomes green, bad ones red.
GREEN, RED = "#1f6f3a", "#b3261e"
MEANT = {"sold": GREEN, "failed": RED}


ALL_LABELS = "*"  # a legend template naming each series by all its labels


def legend(template: str, labels: dict[str, str]) -> str:
    if template == ALL_LABELS:
        return ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) or "value"
    return (
        template.format_map(
            {k: labels.get(k, "") for k in ("component", "reason", "dependency", "queue")}
        )
        or "value"
    )


async def chart(
    api: ApiClient, title: str, unit: str, queries: Any, start: float, end: float, step: float
) -> dict[str, Any]:
    """One chart's series on a shared time axis (uPlot's columns: times, then each series)."""
    times = [start + i * step for i in range(int((end - start) // step) + 1)]
    index = {round(t, 3): i for i, t in enumerate(times)}
    columns: list[dict[str, Any]] = []
    for template, query in queries:
        try:
            answer = await api.get(
                "/api/ops/query_range", query=query, start=start, end=end, step=step
            )
        except ApiError as error:
            columns.append({"label": f"{template}: {error.message}", "values": [None] * len(times)})
            continue
        for series in answer["series"]:
            values: list[float | None] = [None] * len(times)
            for t, v in series["points"]:
                slot = index.get(round(t, 3))
                if slot is not None:
                    values[slot] = v
            label = legend(template, series["labels"])
            columns.append({"label": label, "values": values, "color": MEANT.get(label)})
    return {"title": title, "unit": unit, "times": times, "series": columns}


def windows(
    chaos: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
    incidents: list[dict[str, Any]],
    now: float,
) -> list[dict[str, Any]]:
    """The shaded spans: chaos windows, alert states (pending, firing) and incident phases."""
    spans: list[dict[str, Any]] = []
    for fault in chaos:
        start = epoch(fault.get("startDate"))
        if start is not None and fault.get("state") != "scheduled":
            spans.append(
                {
                    "kind": "chaos",
                    "label": f"chaos {fault.get('type')}",
                    "from": start,
                    "to": epoch(fault.get("fixDate")) or now,
                }
            )
    for alert in alerts:
        active, fired = epoch(alert.get("activeAt")), epoch(alert.get("firedAt"))
        end = epoch(alert.get("resolvedAt")) or now
        if active is not None:
            spans.append(
                {
                    "kind": "pending",
                    "label": f"{alert['rule']} pending",
                    "from": active,
                    "to": fired or end,
                }
            )
        if fired is not None:
            spans.append(
                {"kind": "firing", "label": f"{alert['rule']} firing", "from": fired, "to": end}
            )
    for incident in incidents:
        marks = [(phase, epoch(incident.get(field))) for phase, field in PHASES]
        reached = [(name, t) for name, t in marks if t is not None]
        for (name, t), following in zip(reached, [*reached[1:], None], strict=True):
            if name != "resolved":
                end = following[1] if following else now
                spans.append(
                    {
                        "kind": f"incident-{name}",
                        "label": f"incident #{incident['id']} {name}",
                        "from": t,
                        "to": end,
                    }
                )
    return spans


async def shading(api: ApiClient, now: float) -> list[dict[str, Any]]:
    chaos = await optional(api, "/api/ops/chaos", [])
    alerts = (await api.get("/api/ops/alerts", limit=1))["alerts"]
    incidents = await api.get("/api/ops/incidents")
    return windows(chaos, alerts, incidents, now)


async def optional(api: ApiClient, path: str, default: Any) -> Any:
    """An answer that a page can do without (the factory may be down or unconfigured)."""
    try:
        return await api.get(path)
    except ApiError:
        return default


@router.get("/")
async def overview(page: AdminPage) -> Response:
    """Charts, the pages and alerts of now, and the game-day view (the page refreshes its
    live part every 5 s)."""
    alerts = (await page.api.get("/api/ops/alerts", limit=1))["alerts"]
    incidents = await page.api.get("/api/ops/incidents")
    chaos = await optional(page.api, "/api/ops/chaos", [])
    game = game_day(incidents, chaos, time.time())
    if game is not None:
        game["figures"] = await figures(page.api, game["since"], time.time())
    return page.render(
        "overview.html",
        title="Ops console",
        charts=CHARTS,
        ranges=RANGES,
        alerts=[a for a in alerts if a["state"] in ("pending", "firing")],
        game=game,
        pages=await open_pages(page),
    )


def game_day(
    incidents: list[dict[str, Any]], chaos: list[dict[str, Any]], now: float
) -> dict[str, Any] | None:
    """The current incident's clock, the active fault, and its live figures."""
    current = next((i for i in incidents if i["status"] != "resolved"), None)
    if current is None:
        return None
    declared = epoch(current["declaredAt"]) or now
    acked = epoch(current.get("ackedAt"))
    active = [f for f in chaos if f.get("state") == "active"]
    started = min((epoch(f.get("startDate")) or now for f in active), default=None)
    return {
        "incident": current,
        "clock": fmt_seconds(now - declared),
        "faults": active,
        "mttd": fmt_seconds(declared - started)
        if started is not None and started <= declared
        else "—",
        "mtta": fmt_seconds(acked - declared) if acked is not None else "not yet",
        "since": min(declared, started or declared),
    }


async def figures(api: ApiClient, since: float, now: float) -> list[tuple[str, str]]:
    """Orders (not pizzas) failed since the fault (or the incident) began, and orders queued
    now, from the monitor's window."""
    window = max(5, int(now - since))
    queries = (
        ("Failed orders", f"sum(increase(orders_failed_total[{window}s]))"),
        ("Queued orders", 'sum(queue_depth{queue="orders"})'),
    )
    shown = []
    for name, query in queries:
        answer = await api.get("/api/ops/query_range", query=query, start=now, end=now, step=5)
        points = [v for s in answer["series"] for _t, v in s["points"] if v is not None]
        shown.append((name, f"{points[-1]:.0f}" if points else "none"))
    return shown


def fmt_seconds(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


@router.get("/charts.json")
async def charts(page: AdminPage, range_: Annotated[str, Query(alias="range")] = "5m") -> Response:
    """The charts' data for the page's script, with the shaded windows."""
    span = RANGES.get(range_, RANGES["5m"])
    end = time.time()
    step = max(5.0, span / 180)
    end = end - end % step
    start = end - span
    data = [
        await chart(page.api, title, unit, queries, start, end, step)
        for title, unit, queries in CHARTS
    ]
    return JSONResponse({"charts": data, "windows": await shading(page.api, end)})
