"""Live counters of a traffic run and its end-of-run summary (latency percentiles, checks)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from statistics import quantiles
from typing import Any

LATE_SECONDS = 0.1
MAX_SAMPLES = 100_000


class OrderOutcome(StrEnum):
    MADE = "made"  # 200 with a pizza
    QUEUED = "queued"  # 202: accepted, the kitchen will make it
    FAILED = "failed"  # a diner's ordinary order that did not go through
    FAILED_BY_DESIGN = "failed by design"  # the 22-pizza order, refused as it should be


@dataclass(frozen=True)
class EndpointSummary:
    endpoint: str
    requests: int
    errors: int
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


@dataclass
class Endpoint:
    requests: int = 0
    errors: int = 0
    answered: int = 0
    slowest: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    # Latencies of answered requests; past MAX_SAMPLES a uniform sample of them (reservoir
    # sampling), so a day-long run keeps its memory flat and its percentiles unbiased.
    latencies: list[float] = field(default_factory=list)

    def answer(self, seconds: float, rng: random.Random) -> None:
        self.answered += 1
        self.slowest = max(self.slowest, seconds)
        if len(self.latencies) < MAX_SAMPLES:
            self.latencies.append(seconds)
        elif (slot := rng.randrange(self.answered)) < MAX_SAMPLES:
            self.latencies[slot] = seconds

    def summary(self, name: str) -> EndpointSummary:
        ms = sorted(seconds * 1000 for seconds in self.latencies)
        if len(ms) == 1:
            cuts = ms * 99
        else:
            cuts = quantiles(ms, n=100, method="inclusive") if ms else [0.0] * 99
        return EndpointSummary(
            name,
            self.requests,
            self.errors,
            cuts[49],
            cuts[89],
            cuts[94],
            cuts[98],
            self.slowest * 1000,
        )


@dataclass
class Check:
    passed: int = 0
    failed: int = 0


@dataclass
class TrafficStats:
    """What a run did so far. Updated in place by the run; read it any time."""

    requests: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    orders: Counter[OrderOutcome] = field(default_factory=Counter)
    visits: Counter[str] = field(default_factory=Counter)
    checks: dict[str, Check] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    virtual_users: int = 0
    elapsed_seconds: float = 0.0
    # Visits launched more than LATE_SECONDS after their planned time: the simulator (or its
    # machine) could not keep the schedule.
    late_visits: int = 0
    max_lag_seconds: float = 0.0
    _sampling: random.Random = field(default_factory=lambda: random.Random(0), repr=False)

    def launched(self, persona: str, lag_seconds: float) -> None:
        self.visits[persona] += 1
        self.max_lag_seconds = max(self.max_lag_seconds, lag_seconds)
        self.late_visits += lag_seconds > LATE_SECONDS

    def record(
        self, endpoint: str, seconds: float | None, error: str | None, status: int | None = None
    ) -> None:
        """One request: its latency and status (None if no answer came) and its error kind."""
        self.requests += 1
        stats = self.endpoints.setdefault(endpoint, Endpoint())
        stats.requests += 1
        if seconds is not None:
            stats.answer(seconds, self._sampling)
        if status is not None:
            stats.statuses[status] += 1
        if error is not None:
            stats.errors += 1
            self.errors[error] += 1

    def check(self, name: str, ok: bool) -> None:
        result = self.checks.setdefault(name, Check())
        if ok:
            result.passed += 1
        else:
            result.failed += 1

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def summary(self) -> list[EndpointSummary]:
        """Latency percentiles and errors per endpoint, busiest first."""
        rows = [stats.summary(name) for name, stats in self.endpoints.items()]
        return sorted(rows, key=lambda row: (-row.requests, row.endpoint))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot, for status panels and scenario scorecards."""
        return {
            "elapsedSeconds": round(self.elapsed_seconds, 3),
            "requests": self.requests,
            "errors": dict(self.errors),
            "orders": {outcome.value: self.orders[outcome] for outcome in OrderOutcome},
            "visits": dict(self.visits),
            "virtualUsers": self.virtual_users,
            "lateVisits": self.late_visits,
            "checks": {k: {"passed": c.passed, "failed": c.failed} for k, c in self.checks.items()},
        }
