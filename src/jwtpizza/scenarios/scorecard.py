"""The scorecard of one run: times from the true fault start (scenario time), the order
ledger, each expected alert hit, late or missed, unexpected pages, and the verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from jwtpizza.scenarios.spec import Scenario

AlertOutcome = Literal["hit", "late", "missed"]


@dataclass
class AlertResult:
    name: str
    within: float  # the deadline, scenario seconds after the fault start
    fired_after: float | None  # scenario seconds after the fault start; None: never

    @property
    def outcome(self) -> AlertOutcome:
        if self.fired_after is None:
            return "missed"
        return "hit" if self.fired_after <= self.within else "late"


@dataclass
class Scorecard:
    scenario: str
    speed: float
    resilience: Literal["on", "off"]
    wall_seconds: float = 0.0
    mttd: float | None = None  # scenario seconds
    mtta: float | None = None
    mttm: float | None = None
    mttr: float | None = None
    # From the order ledger: the incident's window when one opened (as its postmortem), else
    # the whole run.
    failed: int = 0
    failed_by_design: int = 0  # the traffic's deliberate 22-pizza orders, of the whole run
    queued: int = 0  # queued, then fulfilled
    lost: int = 0
    duplicated: int = 0
    alerts: list[AlertResult] = field(default_factory=list)
    noise: list[str] = field(default_factory=list)  # titles of unexpected pages
    still_firing: list[str] = field(default_factory=list)  # when the run ended
    incident: int | None = None
    incident_resolved: bool = False
    postmortem: str | None = None  # the file written
    problems: list[str] = field(default_factory=list)

    def judge(self, scenario: Scenario) -> None:
        """Fill `problems` from the scenario's pass criteria."""
        c = scenario.criteria
        self.problems = [
            f"{a.name} {a.outcome}" + (f" ({a.fired_after:.0f}s > {a.within:.0f}s)"
                                       if a.outcome == "late" else "")
            for a in self.alerts if a.outcome != "hit"
        ]  # fmt: skip
        if self.lost > c.max_lost:
            self.problems.append(f"{self.lost} orders lost (at most {c.max_lost})")
        if self.duplicated > c.max_duplicated:
            self.problems.append(f"{self.duplicated} orders duplicated")
        limit = c.max_failed_resilient
        if self.resilience == "on" and limit is not None and self.failed > limit:
            self.problems.append(f"{self.failed} orders failed with resilience on")
        if self.noise:
            self.problems.append(f"{len(self.noise)} unexpected pages: {', '.join(self.noise)}")
        if c.incident and not self.incident_resolved:
            firing = f" (still firing: {', '.join(self.still_firing)})" if self.still_firing else ""
            self.problems.append(f"no incident opened and resolved{firing}")
        if c.incident and self.postmortem is None:
            self.problems.append("no postmortem written")

    @property
    def passed(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["alerts"] = [dict(asdict(a), outcome=a.outcome) for a in self.alerts]
        body["verdict"] = "pass" if self.passed else "fail"
        return body


def clock(value: float | None) -> str:
    """Scenario seconds as `1m 05s`, or `-`."""
    if value is None:
        return "-"
    minutes, secs = divmod(round(value), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"
