"""A scenario file: the fault and its schedule, the alerts it must cause and by when, the
orders that may fail, the resilience settings and the pass criteria (times in scenario time).

Files are YAML, one per scenario, in this package's `files/` (and any folder given); a file
that does not fit is refused with one line naming the file and the field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from jwtpizza.ops.incidents.settings import DEFAULT_RUNBOOK_DIR

FILES = Path(__file__).resolve().parent / "files"
COMPARE = FILES / "compare"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d)$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class ScenarioError(Exception):
    """A scenario that does not exist or does not load; the message is one line."""


def seconds(value: object) -> float:
    """`90s`, `1.5m`, `12m`, `1h` (or a number of seconds) as seconds."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(str(value).strip())
    if not match:
        raise ValueError(f"not a duration: {value!r} (use 90s, 1.5m, 12m, 1h)")
    return float(match.group(1)) * _UNIT[match.group(2)]


Duration = Annotated[float, BeforeValidator(seconds), Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fault(_Strict):
    """What breaks: a chaos type on the factory, a service-side data fault, or nothing."""

    kind: Literal["chaos", "store-integrity", "none"]
    type: str | None = None  # the chaos type (fail, outage, auth, ...)
    mode: Literal["hang", "reset"] | None = None
    start: Duration = 60.0  # after the run starts (the healthy baseline)
    # None: it lasts until a responder ends it (the report link, the repair) or the run gives up.
    duration: Duration | None = None


Contact = Literal["phone", "sms", "push"]


class Responder(_Strict):
    """The simulated person: who acknowledges the page, and how long after it opened."""

    ack_by: Literal["primary", "secondary", "nobody"] = "primary"
    ack_after: Duration = 30.0
    escalation_wait: Duration = 5 * 60.0  # between the steps: primary -> secondary -> team
    # How the primary is reached, one escalation step each (an SMS, then a push to the same
    # person, as in the unannounced-chaos report), before the secondary.
    contacts: list[Contact] = Field(default=["phone"], min_length=1, max_length=2)
    # The runbook this person runs by hand once they have acknowledged the incident. A story
    # whose fix comes from a person, after the acknowledgement, runs with autopilot off:
    # automation would fix it at the first alert, before anyone could acknowledge anything.
    runbook: str | None = None


class ExpectedAlert(_Strict):
    name: str
    within: Duration  # from the true fault start


class Criteria(_Strict):
    """What a passing run shows, with resilience on (lost and duplicated hold for both)."""

    max_lost: int = 0
    max_duplicated: int = 0
    max_failed_resilient: int | None = None  # orders that may fail with resilience on
    pages: bool = True  # False: nothing may page (noise)
    incident: bool = True  # an incident opens and resolves


class Report(_Strict):
    """The real incident report's own facts, printed beside the replay's; each
    given is checked where the model reproduces it."""

    source: str  # which report: its date or file
    # The alert's pending period before it fired (the report's Grafana rule): the replay's
    # copy of the expected alert waits as long, so it is pending, then firing, as apart.
    pending_for: Duration | None = None
    paged_by: list[Contact] | None = None  # the acknowledger's notifications, in order
    ack_after: Duration | None = None  # the first page to its acknowledgement
    ended_by: Literal["link", "itself"] | None = None  # the report link, or its own end
    fault_lasted: Duration | None = None  # printed only: a person's pace sets it
    # The share of orders placed during the fault that failed with resilience off.
    failed_share_off: float | None = Field(default=None, ge=0, le=1)


class Scenario(_Strict):
    name: str
    title: str
    story: str
    traffic_rate: float = Field(default=2.0, gt=0)
    run_for: Duration  # the whole run, after which the fault is ended and recovery awaited
    recovery: Duration = 20 * 60.0  # how long recovery may take after the fault ends
    fault: Fault
    responder: Responder = Responder()
    resilience: Literal["on", "off"] = "on"
    expect: list[ExpectedAlert] = Field(default_factory=list)
    allowed_alerts: list[str] = Field(default_factory=list)  # may fire without being noise
    criteria: Criteria = Criteria()
    report: Report | None = None
    ci_speed: float = Field(default=20.0, gt=0)
    # A rule file of files/compare/ evaluated beside the shipped rules on the same traffic:
    # its pages are counted per alert (`jwtpizza alerts quality`), not judged as noise.
    side_by_side: str | None = None


def _where(error: ValidationError) -> str:
    first = error.errors()[0]
    place = ".".join(str(p) for p in first["loc"]) or "(top)"
    return f"{place}: {first['msg']}"


def load_file(path: Path) -> Scenario:
    """Parse and check one scenario file."""
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{path}:{line} is not valid YAML") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a scenario file is a mapping of fields")
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(f"{path}: {_where(exc)}") from None
    if scenario.fault.kind == "chaos" and not scenario.fault.type:
        raise ScenarioError(f"{path}: fault.type: a chaos fault names its chaos type")
    if scenario.fault.start >= scenario.run_for:
        raise ScenarioError(f"{path}: fault.start: the fault must start before run_for ends")
    report = scenario.report
    if report is not None and report.pending_for is not None and not scenario.expect:
        raise ScenarioError(f"{path}: report.pending_for: no expected alert to wait on")
    compare = scenario.side_by_side
    if compare is not None and not (COMPARE / f"{compare}.yml").is_file():
        raise ScenarioError(f"{path}: side_by_side: no rule file {compare}.yml in {COMPARE}")
    runbook = scenario.responder.runbook
    if runbook is not None and scenario.responder.ack_by == "nobody":
        raise ScenarioError(f"{path}: responder.runbook: nobody acknowledges, so nobody runs it")
    if runbook is not None and not (DEFAULT_RUNBOOK_DIR / f"{runbook}.yml").is_file():
        raise ScenarioError(f"{path}: responder.runbook: no runbook named {runbook!r}")
    return scenario


def available(folder: Path = FILES) -> dict[str, Path]:
    """Scenario name -> file, from the file names."""
    return {p.stem: p for p in sorted(folder.glob("*.yml"))}


def load(name: str, folder: Path = FILES) -> Scenario:
    """The named scenario (or a path to a scenario file)."""
    if name.endswith((".yml", ".yaml")) or "/" in name:
        return load_file(Path(name))
    files = available(folder)
    if name not in files:
        raise ScenarioError(f"unknown scenario {name!r}; known: {', '.join(files)}")
    scenario = load_file(files[name])
    if scenario.name != name:
        raise ScenarioError(f"{files[name]}: name: {scenario.name!r} differs from the file name")
    return scenario


def compared_alerts(scenario: Scenario) -> set[str]:
    """The alert names of the scenario's side-by-side rule file (none without one)."""
    if scenario.side_by_side is None:
        return set()
    groups = yaml.safe_load((COMPARE / f"{scenario.side_by_side}.yml").read_text())["groups"]
    return {r["alert"] for g in groups for r in g["rules"] if "alert" in r}
