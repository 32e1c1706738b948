"""What each runbook step does, and the outcome it reports for the timeline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from jwtpizza.ops.incidents import service as incidents
from jwtpizza.ops.incidents.desk import IncidentDesk
from jwtpizza.ops.incidents.feed_parsing import log_evidence, report_link_in
from jwtpizza.ops.incidents.lifecycle import IncidentStatus
from jwtpizza.ops.incidents.timeline import Entry, Source
from jwtpizza.ops.monitor.service import now_ms
from jwtpizza.ops.runbooks.spec import FindReportLink, IntegrityCheck, Runbook, StatusUpdate, Step


@dataclass(frozen=True)
class Outcome:
    ok: bool
    text: str
    evidence: str | None = None


@dataclass
class Run:
    """One run of a runbook on an incident, and what its steps found along the way."""

    desk: IncidentDesk
    incident_id: int
    runbook: Runbook
    by: str
    started: datetime
    found: dict[str, str] = field(default_factory=dict)

    @property
    def deadline(self) -> datetime:
        return self.started + timedelta(seconds=self.runbook.deadline_seconds)

    async def until(self, done: Callable[[], Awaitable[bool]]) -> bool:
        """Check `done` until it holds or the deadline passes."""
        while True:
            if await done():
                return True
            if self.desk.clock.now() >= self.deadline:
                return False
            await self.desk.clock.sleep(self.desk.settings.runbook_poll_seconds)


async def find_report_link(run: Run, step: Step) -> Outcome:
    assert isinstance(step.params, FindReportLink)
    component = step.params.component
    feeds = run.desk.feeds
    since = run.started - timedelta(seconds=run.desk.settings.lookback_seconds)
    for log in await feeds.logs(component, since=since):
        link = report_link_in(log)
        if link is None or not feeds.is_factory_link(link):
            continue
        if log.get("level") == "error" or log.get("status", 0) >= 500:
            run.found["report_link"] = link
            evidence = log_evidence(feeds.base_url(component), log)
            return Outcome(True, f"found the report link in the {component} logs: {link}", evidence)
    return Outcome(False, f"no error in the {component} logs carries a report link")


async def follow_report_link(run: Run, _step: Step) -> Outcome:
    link = run.found.get("report_link")
    if link is None:
        return Outcome(False, "no report link was found to follow")
    status, message = await run.desk.feeds.follow(link)
    return Outcome(status == 200, f"followed the report link: HTTP {status} {message}", link)


async def post_status_update(run: Run, step: Step) -> Outcome:
    assert isinstance(step.params, StatusUpdate)
    text = step.params.text
    if step.params.without_queue is not None and not queue_exported(run):
        text = step.params.without_queue
    async with run.desk.db.writer() as session:
        incident = await incidents.get(session=session, incident_id=run.incident_id)
        await incidents.note(
            session=session,
            incident=incident,
            text=text,
            by=run.by,
            now=run.desk.clock.now(),
            public=True,
        )
    return Outcome(True, f"posted a status update: {text}")


async def alerts_resolved(run: Run) -> bool:
    async with run.desk.db.reader() as session:
        alerts = await incidents.alerts_of(session=session, incident_id=run.incident_id)
    mine = [a for a in alerts if run.runbook.handles(a.rule)] or alerts
    return bool(mine) and all(a.state in ("resolved", "inactive") for a in mine)


async def wait_alerts_resolved(run: Run, _step: Step) -> Outcome:
    if await run.until(lambda: alerts_resolved(run)):
        return Outcome(True, "the incident's alerts resolved")
    return Outcome(False, "the incident's alerts did not resolve by the deadline")


def queue_exported(run: Run) -> bool:
    """Whether any scraped component exports `queue_depth` samples. A service with its queue
    turned off (the original's fragile mode) exports none: nothing can wait in it."""
    return next(run.desk.samples.select("queue_depth"), None) is not None


def queue_depth(run: Run) -> float | None:
    """The summed latest `queue_depth` of the scraped components, if any was scraped."""
    t = now_ms(run.desk.clock)
    latest = [s.latest(t) for s in run.desk.samples.select("queue_depth")]
    values = [v for _, v in (x for x in latest if x is not None)]
    return sum(values) if values else None


async def wait_queue_drained(run: Run, _step: Step) -> Outcome:
    if not queue_exported(run):
        return Outcome(True, "no order queue is exported (resilience off): nothing waits in it")

    async def drained() -> bool:
        return queue_depth(run) == 0

    if await run.until(drained):
        return Outcome(True, "the order queue drained (queue_depth is 0)")
    return Outcome(False, f"the order queue had not drained by the deadline ({queue_depth(run)})")


async def integrity_check(run: Run, step: Step) -> Outcome:
    assert isinstance(step.params, IntegrityCheck)
    found = await run.desk.feeds.integrity()
    if found is None:
        return Outcome(False, "the integrity check could not be read")
    evidence = f"{run.desk.feeds.service_url}/api/health/integrity"
    if found.get("ok"):
        return Outcome(True, "the integrity check passes", evidence)
    problems = sorted(k for k, n in found.get("problems", {}).items() if n)
    text = f"the integrity check found: {', '.join(problems)}"
    finding = Entry(
        run.desk.clock.now(),
        Source.RUNBOOK,
        "integrity-finding",
        text,
        f"integrity-finding:{','.join(problems)}",
        evidence,
        data={"problems": problems},
    )
    await run.desk.record(run.incident_id, [finding])
    return Outcome(not step.params.must_pass, text, evidence)


async def integrity_repair(run: Run, _step: Step) -> Outcome:
    repaired = await run.desk.feeds.repair()
    if repaired is None:
        return Outcome(False, "the integrity repair could not be run")
    actions = "; ".join(repaired.get("actions", [])) or "nothing to repair"
    return Outcome(bool(repaired.get("ok")), f"integrity repair: {actions}")


async def mark_mitigated(run: Run, _step: Step) -> Outcome:
    async with run.desk.db.writer() as session:
        incident = await incidents.get(session=session, incident_id=run.incident_id)
        if incident.status != IncidentStatus.ACTIVE:
            return Outcome(True, f"the incident is already {incident.status}")
        await incidents.move(
            session=session,
            incident=incident,
            target=IncidentStatus.MITIGATED,
            by=run.by,
            now=run.desk.clock.now(),
        )
    return Outcome(True, "marked the incident mitigated")


STEPS: dict[str, Callable[[Run, Step], Awaitable[Outcome]]] = {
    "find_report_link": find_report_link,
    "follow_report_link": follow_report_link,
    "post_status_update": post_status_update,
    "wait_queue_drained": wait_queue_drained,
    "wait_alerts_resolved": wait_alerts_resolved,
    "integrity_check": integrity_check,
    "integrity_repair": integrity_repair,
    "mark_mitigated": mark_mitigated,
}
