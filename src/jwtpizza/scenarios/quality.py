"""Alert quality over scenario runs, per rule: precision (of its pages, those that matched a
real fault), recall (of the runs with a fault, those in which it paged) and detection time
(its first firing after the fault started, mean over the runs in which it paged).

Read from scorecards (`jwtpizza scenario run --json` output, or fresh runs): a page matched
a fault when the run had one, the page opened after it started and carried one of the fault's
expected, allowed or burn-rate alerts (`Scorecard.false_pages` counts the others). A run
without a fault (noisy-alert) makes every page false: that is where the side-by-side
threshold rule's pages land.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RuleQuality:
    rule: str
    pages: int = 0
    false_pages: int = 0
    fault_runs: int = 0
    fault_runs_paged: int = 0
    detections: list[float] = field(default_factory=list)  # scenario seconds

    @property
    def precision(self) -> float | None:
        return None if not self.pages else (self.pages - self.false_pages) / self.pages

    @property
    def recall(self) -> float | None:
        return None if not self.fault_runs else self.fault_runs_paged / self.fault_runs

    @property
    def detection(self) -> float | None:
        return sum(self.detections) / len(self.detections) if self.detections else None


def quality(cards: list[dict[str, Any]]) -> list[RuleQuality]:
    """Per rule that paged or was expected in any run, sorted by name. `cards` are
    scorecards as JSON (`Scorecard.as_json()`)."""
    rules: dict[str, RuleQuality] = {}
    faults = [c for c in cards if c.get("fault")]
    for card in cards:
        for name, count in card.get("paged", {}).items():
            found = rules.setdefault(name, RuleQuality(name))
            found.pages += count
            found.false_pages += card.get("false_pages", {}).get(name, 0)
        for alert in card.get("alerts", []):
            rules.setdefault(alert["name"], RuleQuality(alert["name"]))
    for found in rules.values():
        found.fault_runs = len(faults)
        for card in faults:
            if card.get("paged", {}).get(found.rule, 0) > card.get("false_pages", {}).get(
                found.rule, 0
            ):
                found.fault_runs_paged += 1
                fired = card.get("fired", {}).get(found.rule)
                if fired is not None:
                    found.detections.append(fired)
    return [rules[name] for name in sorted(rules)]


def side_by_side(cards: list[dict[str, Any]], burn_rules: set[str]) -> dict[str, int]:
    """In runs without a fault (noise only), pages of each side-by-side (`comparison`) rule
    and of the burn-rate alerts, on the same traffic."""
    counts: dict[str, int] = {name: 0 for name in sorted(burn_rules)}
    for card in cards:
        if card.get("fault"):
            continue
        for name, count in card.get("paged", {}).items():
            counts[name] = counts.get(name, 0) + count
    return counts
