"""Scoring a scenario run: what ops measured (alerts, pages, incidents, the ledger), ops' own
postmortem saved and put through the postmortem review, and the burn-rate pages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from jwtpizza.scenarios.measure import measure, when
from jwtpizza.scenarios.scorecard import AlertResult, BurnResult, PostmortemReview, Scorecard
from jwtpizza.scenarios.spec import Scenario, compared_alerts
from jwtpizza.scenarios.stack import Stack
from jwtpizza.scenarios.timing import Timing

Say = Callable[[str], None]


def now() -> datetime:
    return datetime.now(UTC)


async def fetch_incidents(stack: Stack) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await stack.get(f"{stack.ops_url}/api/ops/incidents")
    return found


async def score(
    stack: Stack,
    scenario: Scenario,
    timing: Timing,
    card: Scorecard,
    fault_start: datetime | None,
    started: float,
    reports: Path,
    say: Say,
) -> None:
    run_start = now() - timedelta(seconds=time.monotonic() - started)
    since = fault_start or run_start
    alerts = await stack.get(f"{stack.ops_url}/api/ops/alerts", limit=1000)
    history = alerts["history"]
    card.still_firing = sorted(
        {a["labels"].get("alertname", "?") for a in alerts["alerts"] if a["state"] == "firing"}
    )
    firing: dict[str, datetime] = {}
    for event in sorted(history, key=lambda e: e["at"]):
        if event["state"] == "firing" and when(event["at"]) >= since:
            firing.setdefault(event["rule"], when(event["at"]))
    card.fired = {
        rule: timing.scenario((at - since).total_seconds()) for rule, at in firing.items()
    }
    card.alerts = [AlertResult(a.name, a.within, card.fired.get(a.name)) for a in scenario.expect]
    await _score_pages(stack, scenario, card, history, since, fault_start)
    if fault_start is not None:
        card.response = await measure(stack, scenario, timing, fault_start)
    ledger = await stack.get(
        f"{stack.service_url}/api/order/stats", **{"from": run_start.isoformat()}
    )
    integrity = await stack.get(f"{stack.service_url}/api/health/integrity")
    card.failed, card.queued = ledger["failed"], ledger["queuedThenFulfilled"]
    card.lost = ledger["lost"]
    card.duplicated = len(integrity.get("duplicatedOrders", integrity.get("duplicated_orders", [])))
    incidents = await fetch_incidents(stack)
    if not incidents:
        return
    first = min(incidents, key=lambda i: i["id"])
    card.incident = first["id"]
    card.incident_resolved = first["status"] == "resolved"
    if not card.incident_resolved:
        detail = await stack.get(f"{stack.ops_url}/api/ops/incidents/{first['id']}")
        for entry in (detail.get("timeline") or [])[-6:]:
            say(f"incident {first['id']} ({first['status']}): {entry['kind']}: {entry['text']}")
    draft = await stack.ops.state.ops.incidents.draft(first["id"], finish=False)
    figures = draft.figures
    if figures.ledger is not None:  # the incident's window, as its postmortem states it
        card.failed, card.lost = figures.ledger.failed, figures.ledger.lost
        card.queued = figures.ledger.queued_then_fulfilled
    for name in ("mttd", "mtta", "mttm", "mttr"):
        value = getattr(figures, name)
        setattr(card, name, None if value is None else timing.scenario(value.total_seconds()))
    response = await stack.http.post(
        f"{stack.ops_url}/api/ops/incidents/{first['id']}/report", headers=stack.admin()
    )
    response.raise_for_status()
    report = response.json()
    path = reports / f"{scenario.name}-resilience-{card.resilience}-{report['fileName']}"
    await asyncio.to_thread(_save, path, report["markdown"])
    card.postmortem = str(path)
    try:
        card.review = await _review(stack, first["id"], report["markdown"])
    except httpx.HTTPError as error:  # the scorecard says it was not reviewed
        say(f"the review of incident {first['id']}'s postmortem failed: {error!r}")


async def _review(stack: Stack, incident_id: int, markdown: str) -> PostmortemReview:
    """Ops' own postmortem checked by the postmortem review against ops' record."""
    body = {"markdown": markdown, "incident": incident_id}
    response = await stack.http.post(
        f"{stack.ops_url}/api/ops/reviews", json=body, headers=stack.admin()
    )
    response.raise_for_status()
    found = response.json()
    verdicts = found["verdicts"]
    return PostmortemReview(
        confirmed=sum(v["status"] == "confirmed" for v in verdicts),
        contradicted=[
            f"{v['claim']}: {v['stated']}, measured {v['measured']} ({v['source']}; "
            f"the report: {v['quote']!r})"
            for v in verdicts
            if v["status"] == "contradicted"
        ],
        not_checkable=sum(v["status"] == "not checkable" for v in verdicts),
        score=found["score"],
    )


async def _score_pages(
    stack: Stack,
    scenario: Scenario,
    card: Scorecard,
    history: list[dict[str, Any]],
    since: datetime,
    fault_start: datetime | None,
) -> None:
    """Unexpected pages (a side-by-side rule's are counted, not judged), pages per alert,
    and the burn-rate pages that fired with their detection time."""
    burning = _burn_rules(history) & set(card.fired)
    known = {a.name for a in scenario.expect} | set(scenario.allowed_alerts)
    if fault_start is not None:  # a burn page during a fault is the fault's
        known |= burning
    card.fault = (
        None
        if fault_start is None
        else " ".join(filter(None, [scenario.fault.kind, scenario.fault.type]))
    )
    pages = await stack.get(f"{stack.ops_url}/api/ops/pages")
    compared = compared_alerts(scenario)
    card.noise = [
        p["title"]
        for p in pages
        if not any(name in p["groupKey"] for name in compared)
        and (not scenario.criteria.pages or not any(name in p["groupKey"] for name in known))
    ]
    await _count_pages(stack, pages, card, known if fault_start is not None else set(), since)
    card.burn = [
        BurnResult(name, card.fired[name], card.paged.get(name, 0)) for name in sorted(burning)
    ]


async def _count_pages(
    stack: Stack, pages: list[dict[str, Any]], card: Scorecard, known: set[str], since: datetime
) -> None:
    """Pages per alert they carry; a page is false when it carries none of the fault's known
    alerts or opened before the fault (with no fault, every page is)."""
    for page in pages:
        detail = await stack.get(f"{stack.ops_url}/api/ops/pages/{page['id']}")
        names = {a.get("labels", {}).get("alertname", "?") for a in detail["message"]["alerts"]}
        false = not names & known or when(page["createdAt"]) < since
        for name in names:
            card.paged[name] = card.paged.get(name, 0) + 1
            card.false_pages[name] = card.false_pages.get(name, 0) + false


def _burn_rules(history: list[dict[str, Any]]) -> set[str]:
    """The error-budget burn page alerts (`scope: slo`, `sloth_severity: page`) in the history."""
    return {
        e["rule"]
        for e in history
        if (e.get("labels") or {}).get("scope") == "slo"
        and (e.get("labels") or {}).get("sloth_severity") == "page"
    }


def _save(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
