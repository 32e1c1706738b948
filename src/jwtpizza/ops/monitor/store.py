"""A bounded in-memory window of samples, with Prometheus's staleness semantics.

Times are integer milliseconds since the epoch, as in Prometheus, so range boundaries
compare exactly. A series that disappears from a scrape, or whose target fails, gets a
stale marker (a special NaN): an instant lookup at or after it finds nothing, and range
lookups skip it. Samples older than the retention, and series left empty, are dropped.

With `Downsampling`, samples leaving the raw retention of the series that rules read over
longer ranges (`keep_history_of`, set from the loaded rules) are not dropped but thinned to
the last sample of each `resolution` span and kept `retention` long (30-day SLO windows), in
typed arrays of 16 bytes a sample: at the default 5-minute resolution 288 samples, about
4.6 KB, per series per day (about 140 KB per series for 31 days; `bench/alerting.py`
measures it). The last sample per span keeps counters' increases exact across the span
boundaries, so `rate`, `increase` and `*_over_time` over long ranges stay close to
Prometheus's on full data; a range that reaches into thinned history sees fewer samples.
"""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

# Prometheus's staleness marker: a NaN with this exact bit pattern (value.StaleNaN).
STALE_NAN: float = struct.unpack(">d", bytes.fromhex("7ff0000000000002"))[0]
_STALE_BITS = struct.pack(">d", STALE_NAN)
LOOKBACK_MS = 5 * 60 * 1000

Labels = tuple[tuple[str, str], ...]


def is_stale(value: float) -> bool:
    return value != value and struct.pack(">d", value) == _STALE_BITS


def labels_of(mapping: Mapping[str, str]) -> Labels:
    """The canonical, hashable form of a label set: sorted pairs, empty values dropped."""
    return tuple(sorted((k, v) for k, v in mapping.items() if v != ""))


@dataclass(frozen=True)
class Downsampling:
    """Keep one sample per `resolution_ms` for `retention_ms` past the raw retention."""

    resolution_ms: int = 5 * 60 * 1000
    retention_ms: int = 31 * 24 * 3600 * 1000


@dataclass
class Series:
    """One time series: parallel lists of timestamps (ms) and values, oldest first, and
    older thinned samples (`old_*`, all before the first raw one)."""

    labels: Labels
    times: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    old_times: array[int] = field(default_factory=lambda: array("q"))
    old_values: array[float] = field(default_factory=lambda: array("d"))

    def append(self, t: int, value: float) -> None:
        if self.times and t <= self.times[-1]:
            if t == self.times[-1]:
                self.values[-1] = value
            return  # out of order: Prometheus refuses it too
        self.times.append(t)
        self.values.append(value)

    def latest(self, t: int, lookback_ms: int = LOOKBACK_MS) -> tuple[int, float] | None:
        """The newest sample at or before `t` within the lookback, unless it is stale."""
        times, values = self.times, self.values
        i = bisect_right(times, t) - 1
        if i < 0:
            times, values = self.old_times, self.old_values  # type: ignore[assignment]
            i = bisect_right(times, t) - 1
        if i < 0 or times[i] < t - lookback_ms:
            return None
        value = values[i]
        return None if is_stale(value) else (times[i], value)

    def window(self, start: int, end: int) -> tuple[list[int], list[float]]:
        """Samples with `start <= time <= end`, stale markers skipped."""
        lo = bisect_left(self.times, start)
        hi = bisect_right(self.times, end)
        times, values = self.times[lo:hi], self.values[lo:hi]
        if self.old_times and start <= self.old_times[-1]:
            old_lo = bisect_left(self.old_times, start)
            old_hi = bisect_right(self.old_times, end)
            times = self.old_times[old_lo:old_hi].tolist() + times
            values = self.old_values[old_lo:old_hi].tolist() + values
        if any(v != v for v in values):
            kept = [(t, v) for t, v in zip(times, values, strict=True) if not is_stale(v)]
            return [t for t, _ in kept], [v for _, v in kept]
        return times, values

    def trim(self, before: int, keep_at_most: int, downsampling: Downsampling | None) -> None:
        cut = max(bisect_left(self.times, before), len(self.times) - keep_at_most)
        if cut > 0:
            if downsampling is not None:
                self._thin(cut, downsampling.resolution_ms)
            del self.times[:cut]
            del self.values[:cut]
        if downsampling is not None and self.old_times:
            drop = bisect_left(self.old_times, before - downsampling.retention_ms)
            del self.old_times[:drop]
            del self.old_values[:drop]

    def _thin(self, cut: int, resolution_ms: int) -> None:
        """Move the first `cut` raw samples to the old ones, the last of each span kept."""
        old_times, old_values = self.old_times, self.old_values
        for t, value in zip(self.times[:cut], self.values[:cut], strict=True):
            if old_times and old_times[-1] // resolution_ms == t // resolution_ms:
                old_times[-1], old_values[-1] = t, value
            else:
                old_times.append(t)
                old_values.append(value)

    def __len__(self) -> int:
        return len(self.times) + len(self.old_times)


class SampleStore:
    """Every series the monitor holds, indexed by metric name."""

    def __init__(
        self,
        *,
        retention_ms: int,
        max_samples_per_series: int,
        downsampling: Downsampling | None = None,
    ) -> None:
        self.retention_ms = retention_ms
        self.max_samples_per_series = max_samples_per_series
        self.downsampling = downsampling
        self._keeps_history: Callable[[Labels], bool] = lambda _labels: False
        self._history: dict[Labels, bool] = {}
        self._series: dict[Labels, Series] = {}
        self._by_name: dict[str, dict[Labels, Series]] = {}

    def add(self, labels: Labels, t: int, value: float) -> None:
        series = self._series.get(labels)
        if series is None:
            series = self._series[labels] = Series(labels)
            name = dict(labels).get("__name__", "")
            self._by_name.setdefault(name, {})[labels] = series
        series.append(t, value)

    def mark_stale(self, labels: Iterable[Labels], t: int) -> None:
        """Write a stale marker into each series that is not already stale."""
        for key in labels:
            series = self._series.get(key)
            if series is not None and series.values and not is_stale(series.values[-1]):
                series.append(t, STALE_NAN)

    def select(self, name: str | None) -> Iterator[Series]:
        """Every series with this metric name (all series when `name` is None)."""
        if name is None:
            return iter(list(self._series.values()))
        return iter(list(self._by_name.get(name, {}).values()))

    def keep_history_of(self, wanted: Callable[[Labels], bool]) -> None:
        """Which series get the thinned history (the others drop samples past retention)."""
        self._keeps_history = wanted
        self._history.clear()

    def keeps_history(self, labels: Labels) -> bool:
        if self.downsampling is None:
            return False
        keep = self._history.get(labels)
        if keep is None:
            keep = self._history[labels] = self._keeps_history(labels)
        return keep

    def trim(self, now: int) -> None:
        """Drop samples past the retention and series left with none."""
        before = now - self.retention_ms
        for key, series in list(self._series.items()):
            thinning = self.downsampling if self.keeps_history(key) else None
            series.trim(before, self.max_samples_per_series, thinning)
            if not len(series):
                self._history.pop(key, None)
                del self._series[key]
                name = dict(key).get("__name__", "")
                self._by_name[name].pop(key, None)
                if not self._by_name[name]:
                    del self._by_name[name]

    def series_count(self) -> int:
        return len(self._series)

    def sample_count(self) -> int:
        return sum(len(series) for series in self._series.values())
