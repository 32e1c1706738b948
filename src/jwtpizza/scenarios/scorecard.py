"""The scorecard of one run: times from the true fault start (scenario time), the order
ledger, each expected alert hit, late or missed, unexpected pages, pages per fault and per
incident, the responder's response, the real report's facts beside the replay's, and the
verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from jwtpizza.scenarios.spec import Scenario

AlertOutcome = Literal["hit", "late", "missed"]
SCRAPE = 15.0  # the scrape and evaluation interval, scenario seconds (timing.SCRAPE)


@dataclass
class Response:
    """What the responder did and what paged (scenario seconds; see measure.py)."""

    paged_after: float | None = None  # the fault's start to its first page
    ack_after_page: float | None = None  # that page to its acknowledgement
    link_followed_after: float | None = None  # the fault's start to the report link followed
    fault_ended_after: float | None = None
    ended_by: str | None = None  # link, itself, the scenario (time up)
    resolved_after: float | None = None  # the fault's start to the first incident resolved
    pending_to_firing: float | None = None  # the first expected alert
    paged_by: list[str] = field(default_factory=list)  # the acknowledger's contacts, in order
    pages_for_fault: int = 0  # pages carrying the fault's expected alerts
    pages_per_incident: dict[int, int] = field(default_factory=dict)
    extra_incidents: list[str] = field(default_factory=list)  # after the first one
    failed_share: float | None = None  # of the orders placed while the fault was on


@dataclass
class PostmortemReview:
    """Ops' own draft postmortem, put through the postmortem review (POST /api/ops/reviews):
    its claims confirmed, contradicted (`claim: stated, measured`) and not checkable."""

    confirmed: int = 0
    contradicted: list[str] = field(default_factory=list)
    not_checkable: int = 0
    score: int | None = None


@dataclass(frozen=True)
class Fact:
    """One fact of the real report beside the replay's; `ok` None: printed, not checked."""

    name: str
    report: str
    replay: str
    ok: bool | None


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
class BurnResult:
    """An error-budget burn page alert (deploy/slo/) that fired during the run: when, beside
    the threshold rules' `alerts`, and how many pages carried it (it joins the fault's one)."""

    name: str
    fired_after: float  # scenario seconds after the fault start (the run's start without one)
    pages: int


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
    burn: list[BurnResult] = field(default_factory=list)
    fault: str | None = None  # `chaos fail`, `store-integrity`; None: no fault (noise only)
    fired: dict[str, float] = field(default_factory=dict)  # each rule's first firing after
    paged: dict[str, int] = field(default_factory=dict)  # pages carrying each alert
    false_pages: dict[str, int] = field(default_factory=dict)  # of those, matching no fault
    noise: list[str] = field(default_factory=list)  # titles of unexpected pages
    still_firing: list[str] = field(default_factory=list)  # when the run ended
    incident: int | None = None
    incident_resolved: bool = False
    postmortem: str | None = None  # the file written
    review: PostmortemReview | None = None  # of that postmortem, against ops' record
    responder: Literal["sim", "me"] = "sim"  # the simulated responder, or a person
    response: Response = field(default_factory=Response)
    facts: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def judge(self, scenario: Scenario) -> None:
        """Fill `problems` from the scenario's pass criteria."""
        c = scenario.criteria
        self.problems = [
            f"{a.name} {a.outcome}"
            + (f" ({a.fired_after:.0f}s > {a.within:.0f}s)" if a.outcome == "late" else "")
            for a in self.alerts
            if a.outcome != "hit"
        ]
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
        if self.postmortem is not None and self.review is None:
            self.problems.append("ops' own postmortem was not reviewed")
        if self.review is not None and self.review.contradicted:
            self.problems.append(
                "the review contradicts ops' own postmortem: " + "; ".join(self.review.contradicted)
            )
        self.problems += self._paging_problems(scenario)
        self.facts = facts(scenario, self)
        self.problems += [
            f"report vs replay: {f.name} {f.replay} (report: {f.report})"
            for f in self.facts
            if f.ok is False
        ]

    def _paging_problems(self, scenario: Scenario) -> list[str]:
        """One page per fault for its alert, and one incident per fault."""
        found = []
        pages = self.response.pages_for_fault
        if scenario.criteria.incident and scenario.expect and pages != 1:
            found.append(f"the fault's alert paged {pages} times (once expected)")
        found += [f"{extra}: one fault, one incident" for extra in self.response.extra_incidents]
        return found

    @property
    def passed(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["alerts"] = [dict(asdict(a), outcome=a.outcome) for a in self.alerts]
        body["response"]["pages_per_incident"] = {
            str(k): v for k, v in self.response.pages_per_incident.items()
        }
        body["verdict"] = "pass" if self.passed else "fail"
        return body


def facts(scenario: Scenario, card: Scorecard) -> list[Fact]:
    """The report's facts beside the replay's; checked where the replay can reproduce them
    (the person's own acknowledgement is theirs, printed but not judged)."""
    report, got = scenario.report, card.response
    if report is None:
        return []
    found = []
    slack = 2 * max(SCRAPE, card.speed * 0.5)  # two evaluations, in scenario seconds
    if report.pending_for is not None:
        gap = got.pending_to_firing
        found.append(
            Fact(
                "pending, then firing after",
                clock(report.pending_for),
                clock(gap),
                gap is not None and abs(gap - report.pending_for) <= slack,
            )
        )
    if report.paged_by is not None:
        same = got.paged_by == report.paged_by
        found.append(
            Fact(
                "paged by", " then ".join(report.paged_by), " then ".join(got.paged_by) or "-", same
            )
        )
    if report.ack_after is not None:
        ack, want = got.ack_after_page, report.ack_after
        near = ack is not None and abs(ack - want) <= max(slack, 0.25 * want)
        found.append(
            Fact(
                "acknowledged after the first page",
                clock(want),
                clock(ack),
                None if card.responder == "me" else near,
            )
        )
    if report.ended_by is not None:
        found.append(
            Fact(
                "fault ended by",
                report.ended_by,
                got.ended_by or "-",
                got.ended_by == report.ended_by,
            )
        )
    if report.fault_lasted is not None:
        found.append(
            Fact("fault lasted", clock(report.fault_lasted), clock(got.fault_ended_after), None)
        )
    if report.failed_share_off is not None and card.resilience == "off":
        share, want = got.failed_share, report.failed_share_off
        found.append(
            Fact(
                "orders failed during the fault",
                percent(want),
                percent(share),
                share is not None and share >= want,
            )
        )
    return found


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def clock(value: float | None) -> str:
    """Scenario seconds as `1m 05s`, or `-`."""
    if value is None:
        return "-"
    minutes, secs = divmod(round(value), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"
