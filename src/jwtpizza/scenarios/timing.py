"""Compressing time: at `--speed N` every interval, `for`, range, delay and duration is
divided by N, and rates over a range are rewritten so their thresholds stay in scenario time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from jwtpizza.scenarios.spec import seconds

MIN_INTERVAL = 0.5  # the shortest scrape and evaluation interval, in wall seconds
SCRAPE = 15.0  # the default scrape and evaluation interval, in scenario seconds

# `rate(selector[range])` or a bare `selector[range]`.
_RANGE = re.compile(r"\b(rate\()?([a-zA-Z_:][\w:]*(?:\{[^}]*\})?)\[(\d+(?:ms|s|m|h|d))\](\))?")


@dataclass(frozen=True)
class Timing:
    speed: float

    def __post_init__(self) -> None:
        if not self.speed > 0:
            raise ValueError(f"--speed must be more than 0 (got {self.speed:g})")

    def wall(self, scenario_seconds: float) -> float:
        return scenario_seconds / self.speed

    def scenario(self, wall_seconds: float) -> float:
        return wall_seconds * self.speed

    @property
    def interval(self) -> float:
        """Scrape and evaluation interval, in wall seconds."""
        return max(MIN_INTERVAL, self.wall(SCRAPE))

    def range_ms(self, scenario_seconds: float) -> int:
        """A range selector's window: compressed, but never fewer than four scrapes."""
        return round(1000 * max(4 * self.interval, self.wall(scenario_seconds)))

    def expr(self, text: str) -> str:
        """An expression with its ranges compressed; `rate(x[r])` becomes
        `(increase(x[r']) / r)`, the same per-scenario-second rate."""

        def swap(match: re.Match[str]) -> str:
            rate, selector, span, close = match.groups()
            original = seconds(span)
            window = f"{selector}[{self.range_ms(original)}ms]"
            if rate and close:
                return f"(increase({window}) / {original:g})"
            return f"{rate or ''}{window}{close or ''}"

        return _RANGE.sub(swap, text)

    def duration(self, value: str | None) -> str | None:
        if value is None:
            return None
        return f"{round(1000 * self.wall(seconds(value)))}ms"

    def rules(self, text: str, *, drop: frozenset[str] = frozenset()) -> str:
        """A Prometheus rule file with every rule's time compressed, and the groups and
        alerts named in `drop` left out."""
        data: dict[str, Any] = yaml.safe_load(text)
        data["groups"] = [g for g in data.get("groups", []) if g.get("name") not in drop]
        for group in data["groups"]:
            if "interval" in group:
                group["interval"] = f"{round(1000 * self.interval)}ms"
            group["rules"] = [r for r in group.get("rules", []) if r.get("alert") not in drop]
            for rule in group["rules"]:
                rule["expr"] = self.expr(str(rule["expr"]))
                for key in ("for", "keep_firing_for"):
                    if key in rule:
                        rule[key] = self.duration(str(rule[key]))
        return yaml.safe_dump(data, sort_keys=False)
