"""Scraping one target's `/metrics` into the sample store, as Prometheus does.

Each sample gets the target's `job` and `instance` labels (and its extra labels); a label the
target already exported under one of those names is kept as `exported_<name>`. Every scrape
also writes `up` (1 or 0) and `scrape_duration_seconds`. A series that vanishes from one
scrape to the next, or every series of a target whose scrape fails, gets a stale marker.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import httpx

from jwtpizza.ops.monitor.store import Labels, SampleStore, labels_of
from jwtpizza.ops.settings import ScrapeTarget

ACCEPT = "text/plain;version=0.0.4;q=0.9,*/*;q=0.1"


class ScrapeFailed(Exception):
    """The target did not answer with a parsable exposition."""


# A series line of the text format: `name{label="value",...} value [timestamp]`.
SERIES = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?[ \t]+(\S+)(?:[ \t]+-?\d+)?[ \t]*$")
LABEL = re.compile(r'[ \t]*([a-zA-Z_][a-zA-Z0-9_]*)[ \t]*=[ \t]*"((?:[^"\\]|\\.)*)"[ \t]*,?')
ESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return re.sub(r'\\[\\"n]', lambda m: ESCAPES[m.group(0)], value)


def parse_series(name: str, labels_text: str | None) -> dict[str, str]:
    """The labels of one series line (with `__name__`), or ScrapeFailed."""
    labels = {"__name__": name}
    if labels_text:
        position = 0
        for match in LABEL.finditer(labels_text):
            if match.start() != position:
                break
            labels[match.group(1)] = _unescape(match.group(2))
            position = match.end()
        if labels_text[position:].strip():
            raise ScrapeFailed(f"unparsable labels {{{labels_text}}}")
    return labels


class ExpositionReader:
    """Reads one target's text expositions into (series key, value) pairs.

    prometheus_client's parser (a character-by-character state machine) costs most of a
    scrape; a scrape repeats the same series lines every time, so this reader parses a
    series' labels once, remembers its key by the line's text, and afterwards only splits
    off and converts the value.
    """

    MAX_CACHED = 50_000

    def __init__(self, target: ScrapeTarget) -> None:
        self.target = target
        self._keys: dict[str, Labels] = {}

    def samples(self, text: str) -> list[tuple[Labels, float]]:
        out = []
        for line in text.splitlines():
            if not line or line[0] == "#":
                continue
            series, value = _split(line)
            key = self._keys.get(series)
            if key is None:
                key = self._key(line, series)
            try:
                out.append((key, float(value)))
            except ValueError as error:
                raise ScrapeFailed(f"unparsable value in {line[:200]!r}") from error
        return out

    def _key(self, line: str, series: str) -> Labels:
        match = SERIES.match(line)
        if match is None:
            raise ScrapeFailed(f"unparsable line {line[:200]!r}")
        key = with_target_labels(parse_series(match.group(1), match.group(2)), self.target)
        if len(self._keys) >= self.MAX_CACHED:
            self._keys.clear()
        self._keys[series] = key
        return key


def _split(line: str) -> tuple[str, str]:
    """(series text, value text) of a sample line; the label set ends at the last `}`."""
    brace = line.rfind("}")
    head_end = brace + 1 if brace >= 0 else len(line.split(None, 1)[0])
    rest = line[head_end:].split()
    return line[:head_end], rest[0] if rest else ""


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
        self._reader = ExpositionReader(target)
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
        for key, value in samples:
            self._store.add(key, t_ms, value)
            seen.add(key)
        self._record(t_ms, seen, up=True, started=started)
        self.health.last_error = None

    async def _fetch(self, target: ScrapeTarget) -> list[tuple[Labels, float]]:
        try:
            response = await self._http.get(
                target.url, headers={"Accept": ACCEPT, **target.headers()}, timeout=self._timeout
            )
        except httpx.HTTPError as error:
            raise ScrapeFailed(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise ScrapeFailed(f"HTTP {response.status_code}")
        return self._reader.samples(response.text)

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
