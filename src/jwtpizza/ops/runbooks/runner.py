"""Running a runbook on an incident: each step's outcome goes on the timeline, and a runbook
that has not cleared its alerts by its deadline pages a person.

`Autopilot` starts matching runbooks on its own when an alert joins an incident, only with
autopilot on (the setting, or `jwtpizza ops --autopilot`) and only runbooks that opt in.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from jwtpizza.errors import JwtPizzaError, NotFound
from jwtpizza.ops.alerts.events import AlertState, AlertTransition
from jwtpizza.ops.incidents.desk import IncidentDesk
from jwtpizza.ops.incidents.timeline import Entry, Source
from jwtpizza.ops.runbooks.spec import Runbook, Step, expected_alerts, load_dir
from jwtpizza.ops.runbooks.steps import STEPS, Outcome, Run, alerts_resolved

log = logging.getLogger("jwtpizza.ops.runbooks")
KEPT_RUNS = 100


@dataclass(frozen=True)
class RunResult:
    runbook: str
    cleared: bool
    escalated: bool
    outcomes: list[Outcome]


def _entry(run: Run, kind: str, text: str, index: int, evidence: str | None = None) -> Entry:
    key = f"runbook:{run.runbook.name}:{run.started.isoformat()}:{index}"
    data = {"runbook": run.runbook.name, "by": run.by}
    return Entry(run.desk.clock.now(), Source.RUNBOOK, kind, text, key, evidence, data=data)


async def run_runbook(desk: IncidentDesk, incident_id: int, book: Runbook, *, by: str) -> RunResult:
    """Run the steps in order (stopping at the first that fails), then hold the deadline.
    While it runs, the incident does not resolve itself."""
    desk.working[incident_id] = desk.working.get(incident_id, 0) + 1
    try:
        return await _run(desk, incident_id, book, by=by)
    finally:
        desk.working[incident_id] -= 1


async def _step(run: Run, step: Step) -> Outcome:
    try:
        return await STEPS[step.name](run, step)
    except JwtPizzaError as error:  # e.g. the incident was closed by hand meanwhile
        return Outcome(False, error.message)


async def _run(desk: IncidentDesk, incident_id: int, book: Runbook, *, by: str) -> RunResult:
    run = Run(desk=desk, incident_id=incident_id, runbook=book, by=by, started=desk.clock.now())
    await desk.record(
        incident_id, [_entry(run, "runbook-started", f"runbook {book.name} started by {by}", 0)]
    )
    outcomes: list[Outcome] = []
    for index, step in enumerate(book.steps, 1):
        outcome = await _step(run, step)
        outcomes.append(outcome)
        verdict = "done" if outcome.ok else "failed"
        text = f"runbook {book.name} step {index} {step.name} {verdict}: {outcome.text}"
        await desk.record(incident_id, [_entry(run, "runbook-step", text, index, outcome.evidence)])
        if not outcome.ok:
            break
    cleared = await run.until(lambda: alerts_resolved(run))
    if not cleared:
        await _escalate(run)
    return RunResult(book.name, cleared, not cleared, outcomes)


async def _escalate(run: Run) -> None:
    book = run.runbook
    text = (
        f"runbook {book.name} did not clear its alerts within its "
        f"{book.deadline_seconds:g} s deadline: a person is paged"
    )
    await run.desk.record(run.incident_id, [_entry(run, "runbook-escalated", text, 999)])
    if run.desk.pager is not None:
        await run.desk.pager.page(run.incident_id, text)
    else:
        log.warning("incident %s: %s (no pager wired)", run.incident_id, text)


@dataclass(frozen=True)
class RunByHand:
    """A runbook started by hand: it runs in the background, and its caller looks it up."""

    id: int
    incident_id: int
    runbook: str
    by: str
    task: asyncio.Task[RunResult]

    def view(self) -> dict[str, Any]:
        """`running`, `finished` (with the result) or `failed` (with the reason)."""
        shown: dict[str, Any] = {
            "run": self.id,
            "incident": self.incident_id,
            "runbook": self.runbook,
            "by": self.by,
        }
        if not self.task.done():
            return {**shown, "status": "running"}
        error = None if self.task.cancelled() else self.task.exception()
        if self.task.cancelled() or error is not None:
            return {**shown, "status": "failed", "message": "the run stopped with an error"}
        result = self.task.result()
        return {
            **shown,
            "status": "finished",
            "cleared": result.cleared,
            "escalated": result.escalated,
            "steps": [
                {"ok": o.ok, "text": o.text, "evidence": o.evidence} for o in result.outcomes
            ],
        }


class Runbooks:
    """The loaded runbooks, by name, the runs started by hand, and the autopilot."""

    def __init__(self, desk: IncidentDesk, books: list[Runbook]) -> None:
        self.desk = desk
        self.books = {b.name: b for b in books}
        self._started: set[tuple[int, str]] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.by_hand: dict[int, RunByHand] = {}

    def get(self, name: str) -> Runbook:
        if name not in self.books:
            known = ", ".join(sorted(self.books)) or "none loaded"
            raise NotFound(f"unknown runbook {name!r} (known: {known})")
        return self.books[name]

    async def run(self, incident_id: int, name: str, *, by: str) -> RunResult:
        book = self.get(name)
        self._started.add((incident_id, name))
        return await run_runbook(self.desk, incident_id, book, by=by)

    def start(self, incident_id: int, name: str, *, by: str) -> RunByHand:
        """Start a run in the background; the last `KEPT_RUNS` runs can be looked up."""
        self.get(name)
        task = asyncio.create_task(self.run(incident_id, name, by=by))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_log_failure)
        run = RunByHand(max(self.by_hand, default=0) + 1, incident_id, name, by, task)
        self.by_hand[run.id] = run
        for old in sorted(self.by_hand)[:-KEPT_RUNS]:
            del self.by_hand[old]
        return run

    def run_by_hand(self, run_id: int) -> RunByHand:
        if run_id not in self.by_hand:
            raise NotFound(f"no runbook run {run_id}")
        return self.by_hand[run_id]

    async def on_joined(self, incident_id: int, transition: AlertTransition) -> None:
        """Desk hook: with autopilot on, start each opted-in runbook of a firing alert once."""
        if not self.desk.settings.autopilot or transition.state is not AlertState.FIRING:
            return
        for book in self.books.values():
            key = (incident_id, book.name)
            if book.autopilot and book.handles(transition.rule) and key not in self._started:
                self._started.add(key)
                task = asyncio.create_task(self._autopilot(incident_id, book))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _autopilot(self, incident_id: int, book: Runbook) -> RunResult | None:
        try:
            return await run_runbook(self.desk, incident_id, book, by=f"autopilot ({book.name})")
        except Exception:  # a background run has no caller to tell: log it
            log.exception("runbook %s on incident %s failed", book.name, incident_id)
            return None

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _log_failure(task: asyncio.Task[RunResult]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("a runbook run by hand failed", exc_info=error)


def attach(desk: IncidentDesk) -> Runbooks:
    """Load the runbook files (a bad file stops the start, naming the problem), hook the
    autopilot to the desk, and tell the desk which alerts each chaos type should raise."""
    books = load_dir(desk.settings.runbook_dir)
    runbooks = Runbooks(desk, books)
    desk.on_joined.append(runbooks.on_joined)
    desk.expected_alerts = expected_alerts(books)
    return runbooks
