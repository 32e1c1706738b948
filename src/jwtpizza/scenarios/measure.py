"""What a run's responder did and what paged, read from ops, the factory and the service
over their APIs as they stand: times to acknowledge, follow the report link, end the fault
and resolve; pages per fault and per incident; incidents a fault should not have opened;
the share of orders that failed during the fault. Times are scenario seconds."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from jwtpizza.scenarios.scorecard import Response
from jwtpizza.scenarios.spec import Scenario
from jwtpizza.scenarios.stack import Stack
from jwtpizza.scenarios.timing import Timing

# The factory's end reasons, as the scorecard says them.
ENDED_BY = {"reported": "link", "expired": "itself", "cancelled": "the scenario (time up)"}
_PAGE = re.compile(r"^page (\d+) ")


def when(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Span:
    """Scenario seconds from the fault's start."""

    def __init__(self, start: datetime, timing: Timing) -> None:
        self.start, self.timing = start, timing

    def since(self, moment: str | None) -> float | None:
        if moment is None:
            return None
        return self.timing.scenario((when(moment) - self.start).total_seconds())


async def measure(
    stack: Stack, scenario: Scenario, timing: Timing, fault_start: datetime
) -> Response:
    span = _Span(fault_start, timing)
    found = Response()
    fault = await _fault(stack, scenario)
    if fault is not None:
        found.fault_ended_after = span.since(fault.get("fixDate"))
        found.link_followed_after = span.since(fault.get("reportedDate"))
        found.ended_by = ENDED_BY.get(str(fault.get("endReason")), fault.get("endReason"))
        found.failed_share = await _failed_share(stack, fault)
    found.pending_to_firing = await _pending_to_firing(stack, scenario, timing, fault_start)
    await _pages(stack, scenario, span, found)
    await _incidents(stack, span, fault, found)
    return found


async def _fault(stack: Stack, scenario: Scenario) -> dict[str, Any] | None:
    """The scenario's chaos fault as the factory describes it (the vendor's latest; once
    ended, the original's contract calls its type `none`)."""
    if scenario.fault.kind != "chaos":
        return None
    response = await stack.http.get(
        f"{stack.factory_url}/api/admin/chaos", headers=stack.factory_admin()
    )
    response.raise_for_status()
    mine = [f for f in response.json() if f.get("vendorId") == stack.vendor_id]
    return mine[0] if mine else None


async def _failed_share(stack: Stack, fault: dict[str, Any]) -> float | None:
    """Of the orders placed while the fault was on, the share that failed."""
    if fault.get("fixDate") is None:
        return None
    ledger = await stack.get(
        f"{stack.service_url}/api/order/stats",
        **{"from": fault["startDate"], "to": fault["fixDate"]},
    )
    placed = sum(ledger["ordersByStatus"].values())
    return ledger["failed"] / placed if placed else None


async def _pending_to_firing(
    stack: Stack, scenario: Scenario, timing: Timing, since: datetime
) -> float | None:
    """The first expected alert's first pending to its first firing after it."""
    if not scenario.expect:
        return None
    name = scenario.expect[0].name
    alerts = await stack.get(f"{stack.ops_url}/api/ops/alerts", limit=1000)
    events = sorted((e for e in alerts["history"] if e["rule"] == name), key=lambda e: e["at"])
    pending = next(
        (when(e["at"]) for e in events if e["state"] == "pending" and when(e["at"]) >= since), None
    )
    if pending is None:
        return None
    firing = next(
        (when(e["at"]) for e in events if e["state"] == "firing" and when(e["at"]) >= pending), None
    )
    return None if firing is None else timing.scenario((firing - pending).total_seconds())


async def _pages(stack: Stack, scenario: Scenario, span: _Span, found: Response) -> None:
    """Pages of the fault's alerts: the first one's time, the first acknowledgement (of any
    of them, or of an incident: that acknowledges its pages), and how the first page reached
    the person who acknowledges."""
    names = {a.name for a in scenario.expect}
    pages = []
    for page in sorted(await stack.get(f"{stack.ops_url}/api/ops/pages"), key=lambda p: p["id"]):
        detail = await stack.get(f"{stack.ops_url}/api/ops/pages/{page['id']}")
        alerts = {a.get("labels", {}).get("alertname") for a in detail["message"].get("alerts", [])}
        if alerts & names:
            pages.append(detail)
    found.pages_for_fault = len(pages)
    if not pages:
        return
    first = pages[0]
    found.paged_after = span.since(first["createdAt"])
    incidents = await stack.get(f"{stack.ops_url}/api/ops/incidents")
    acks = [p["acknowledgedAt"] for p in pages] + [i["ackedAt"] for i in incidents]
    acked = min((when(a) for a in acks if a is not None), default=None)
    if acked is not None:
        found.ack_after_page = span.timing.scenario(
            (acked - when(first["createdAt"])).total_seconds()
        )
    who = scenario.responder.ack_by
    found.paged_by = [
        n["receiver"].removeprefix(f"{who}-")
        for n in sorted(first["notifications"], key=lambda n: n["step"])
        if n["target"] == who and (acked is None or when(n["at"]) <= acked)
    ]


async def _incidents(
    stack: Stack, span: _Span, fault: dict[str, Any] | None, found: Response
) -> None:
    """Pages per incident (the page entries of its timeline), when the first resolved, and
    the incidents after the first, those opened after the fault ended said so."""
    listed = sorted(await stack.get(f"{stack.ops_url}/api/ops/incidents"), key=lambda i: i["id"])
    ended = None if fault is None or fault.get("fixDate") is None else when(fault["fixDate"])
    for incident in listed:
        detail = await stack.get(f"{stack.ops_url}/api/ops/incidents/{incident['id']}")
        pages = {
            match.group(1)
            for entry in detail.get("timeline") or []
            if entry["source"] == "page" and (match := _PAGE.match(entry["text"]))
        }
        found.pages_per_incident[incident["id"]] = len(pages)
    if not listed:
        return
    found.resolved_after = span.since(listed[0]["resolvedAt"])
    for extra in listed[1:]:
        late = ended is not None and when(extra["declaredAt"]) > ended
        found.extra_incidents.append(
            f"incident {extra['id']} ({extra['title']})"
            + (" after the fault ended" if late else "")
        )
