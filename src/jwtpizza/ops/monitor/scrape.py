"""Scraping one target's `/metrics` into the sample store, as Prometheus does.

Each sample gets the target's `job` and `instance` labels (and its extra labels); a label the
target already exported under one of those names is kept as `exported_<name>`. Every scrape
also writes `up` (1 or 0) and `scrape_duration_seconds`. A series that vanishes from one
scrape to the next, or every series of a target whose scrape fails, gets a stale marker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

from jwtpizza.ops.monitor.store import Labels, SampleStore, labels_of
from jwtpizza.ops.settings import ScrapeTarget

ACCEPT = "text/plain;version=0.0.4;q=0.9,*/*;q=0.1"


class ScrapeFailed(Exception):
    """The target did not answer with a parsable exposition."""


def parse_exposition(text: str) -> list[tuple[dict[str, str], float]]:
    """Every sample of a Prometheus text exposition: (labels with `__name__`, value)."""
    try:
        return [
            ({"__name__": sample.name, **sample.labels}, float(sample.value))
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        ]
    except (ValueError, TypeError, IndexError) as error:
        raise ScrapeFailed(f"unparsable exposition: {error}") from error


def with_target_labels(sample: dict[str, str], target: ScrapeTarget) -> Labels:
    merged = dict(sample)
    own = {"job": target.job, "instance": target.instance(), **target.labels}
    for name, value in own.items():
        if name in merged and merged[name] != value:
            merged[f"exported_{name}"] = merged[name]
        merged[name] = value
    return labels_of(merged)


@dataclass
class TargetHealth:
    """What the API shows about a target: its last scrape and error."""

    target: ScrapeTarget
    up: bool = False
    last_scrape_ms: int | None = None
    last_error: str | None = None
    last_duration_seconds: float = 0.0
    series: set[Labels] = field(default_factory=set)


class Scraper:
    """Scrapes a target into the store and keeps its staleness bookkeeping."""

    def __init__(
        self, target: ScrapeTarget, *, http: httpx.AsyncClient, store: SampleStore, timeout: float
    ) -> None:
        self.health = TargetHealth(target)
        self._http = http
        self._store = store
        self._timeout = timeout

    async def scrape(self, t_ms: int) -> None:
        """One scrape at time `t_ms` (all its samples get that timestamp)."""
        target = self.health.target
        started = time.perf_counter()
        try:
            samples = await self._fetch(target)
        except ScrapeFailed as error:
            self._record(t_ms, set(), up=False, started=started)
            self.health.last_error = str(error)
            return
        seen: set[Labels] = set()
        for labels, value in samples:
            key = with_target_labels(labels, target)
            self._store.add(key, t_ms, value)
            seen.add(key)
        self._record(t_ms, seen, up=True, started=started)
        self.health.last_error = None

    async def _fetch(self, target: ScrapeTarget) -> list[tuple[dict[str, str], float]]:
        try:
            response = await self._http.get(
                target.url, headers={"Accept": ACCEPT}, timeout=self._timeout
            )
        except httpx.HTTPError as error:
            raise ScrapeFailed(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise ScrapeFailed(f"HTTP {response.status_code}")
        return parse_exposition(response.text)

    def _record(self, t_ms: int, seen: set[Labels], *, up: bool, started: float) -> None:
        target = self.health.target
        self._store.mark_stale(self.health.series - seen, t_ms)
        duration = time.perf_counter() - started
        for name, value in (("up", 1.0 if up else 0.0), ("scrape_duration_seconds", duration)):
            self._store.add(with_target_labels({"__name__": name}, target), t_ms, value)
        self.health.series = seen
        self.health.up = up
        self.health.last_scrape_ms = t_ms
        self.health.last_duration_seconds = duration
