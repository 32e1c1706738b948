"""Runbook files: a small declarative format, parsed and checked before anything runs.

    name: factory-fail
    summary: The factory fails orders with a report link; follow it.
    trigger:
      alerts: [PizzaFactoryFailures]   # alert names that start this runbook
      chaos: [fail]                    # chaos types it handles (their expected alerts)
    deadline: 2m                       # not cleared by then: a person is paged
    autopilot: true                    # may run on its own when ops runs with autopilot
    steps:
      - find_report_link
      - follow_report_link
      - wait_alerts_resolved

A step is a name, or a one-key mapping from the name to its parameters. An unknown step,
an unknown parameter or a bad value is a load error naming the file and the step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jwtpizza.errors import InvalidInput


class RunbookLoadError(InvalidInput):
    code = "runbook_invalid"


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoParams(_Params):
    pass


class FindReportLink(_Params):
    component: Literal["service", "factory"] = "service"


class IntegrityCheck(_Params):
    # False for the first look, which records what is wrong and goes on to repair it.
    must_pass: bool = True


class StatusUpdate(_Params):
    text: str = Field(min_length=1, max_length=2000)
    # Posted instead when the service runs without its order queue (the original's fragile
    # mode), where orders fail rather than wait: the update must not promise a queue.
    without_queue: str | None = Field(default=None, min_length=1, max_length=2000)


# Every step a runbook may name, with the parameters it takes.
STEP_PARAMS: dict[str, type[_Params]] = {
    "find_report_link": FindReportLink,
    "follow_report_link": NoParams,
    "post_status_update": StatusUpdate,
    "wait_queue_drained": NoParams,
    "wait_alerts_resolved": NoParams,
    "integrity_check": IntegrityCheck,
    "integrity_repair": NoParams,
    "mark_mitigated": NoParams,
}


@dataclass(frozen=True)
class Step:
    name: str
    params: _Params


@dataclass(frozen=True)
class Runbook:
    name: str
    summary: str
    path: Path
    alerts: frozenset[str]
    chaos: frozenset[str]
    deadline_seconds: float
    autopilot: bool
    steps: tuple[Step, ...]

    def handles(self, rule: str) -> bool:
        return rule in self.alerts


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smh]?)$")


def parse_duration(value: Any, where: str) -> float:
    match = _DURATION.match(str(value).strip())
    if not match:
        raise RunbookLoadError(f"{where}: deadline {value!r} is not a duration like 90s or 2m")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def _step(item: Any, where: str) -> Step:
    params: Any
    if isinstance(item, str):
        name, params = item, {}
    elif isinstance(item, Mapping) and len(item) == 1:
        name, params = next(iter(item.items()))
        params = params or {}
    else:
        raise RunbookLoadError(f"{where}: a step is a name or a one-key mapping")
    if name not in STEP_PARAMS:
        known = ", ".join(sorted(STEP_PARAMS))
        raise RunbookLoadError(f"{where}: unknown step {name!r} (known steps: {known})")
    if not isinstance(params, Mapping):
        raise RunbookLoadError(f"{where}: the parameters of {name} must be a mapping")
    try:
        return Step(name, STEP_PARAMS[name].model_validate(dict(params)))
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or name
        raise RunbookLoadError(f"{where}: {name}.{field}: {first['msg']}") from None


def _names(value: Any, where: str, field: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RunbookLoadError(f"{where}: trigger.{field} must be a list of names")
    return frozenset(value)


def parse(text: str, path: Path) -> Runbook:
    """One runbook from its file's text; raises `RunbookLoadError` naming what is wrong."""
    where = str(path)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RunbookLoadError(f"{where}: not valid YAML ({error.__class__.__name__})") from None
    if not isinstance(doc, Mapping):
        raise RunbookLoadError(f"{where}: a runbook is a mapping")
    unknown = set(doc) - {"name", "summary", "trigger", "deadline", "autopilot", "steps"}
    if unknown:
        raise RunbookLoadError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    trigger = doc.get("trigger") or {}
    if not isinstance(trigger, Mapping) or not trigger.get("alerts"):
        raise RunbookLoadError(f"{where}: trigger.alerts must name at least one alert")
    steps = doc.get("steps")
    if not isinstance(steps, list) or not steps:
        raise RunbookLoadError(f"{where}: steps must be a non-empty list")
    return Runbook(
        name=str(doc.get("name") or path.stem),
        summary=str(doc.get("summary", "")),
        path=path,
        alerts=_names(trigger.get("alerts"), where, "alerts"),
        chaos=_names(trigger.get("chaos"), where, "chaos"),
        deadline_seconds=parse_duration(doc.get("deadline", "5m"), where),
        autopilot=bool(doc.get("autopilot", False)),
        steps=tuple(_step(item, f"{where}: step {i}") for i, item in enumerate(steps, 1)),
    )


def load_dir(folder: Path) -> list[Runbook]:
    """Every `*.yml` runbook in `folder` (none if it does not exist), by name."""
    if not folder.is_dir():
        return []
    books = [parse(p.read_text(encoding="utf-8"), p) for p in sorted(folder.glob("*.yml"))]
    names = [b.name for b in books]
    for name in names:
        if names.count(name) > 1:
            raise RunbookLoadError(f"{folder}: two runbooks are named {name!r}")
    return books


def expected_alerts(runbooks: list[Runbook]) -> dict[str, list[str]]:
    """For each chaos type, the alerts its runbooks expect to fire."""
    expected: dict[str, list[str]] = {}
    for book in runbooks:
        for chaos in book.chaos:
            names = expected.setdefault(chaos, [])
            names += [a for a in sorted(book.alerts) if a not in names]
    return expected
