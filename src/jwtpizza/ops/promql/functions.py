"""The PromQL functions of the evaluated subset, computed as Prometheus 2.x computes them.

Range functions take one series' samples in the range (times in ms, oldest first) and
return a value or None (no output for that series). Counter resets are handled the
Prometheus way: a drop in a counter adds the value before the drop.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Sequence

from jwtpizza.ops.promql.values import kahan_inc

RangeFunction = Callable[[Sequence[int], Sequence[float], int, int, int], float | None]


def extrapolated_rate(
    times: Sequence[int],
    values: Sequence[float],
    range_start: int,
    range_end: int,
    range_ms: int,
    *,
    counter: bool,
    per_second: bool,
) -> float | None:
    """`rate`, `increase` and `delta`: the change over the range, extrapolated to its edges
    unless the first or last sample is far from them (Prometheus's `extrapolatedRate`)."""
    if len(values) < 2:
        return None
    result = values[-1] - values[0]
    if counter:
        previous = values[0]
        for value in values[1:]:
            if value < previous:
                result += previous
            previous = value
    to_start = (times[0] - range_start) / 1000
    to_end = (range_end - times[-1]) / 1000
    sampled = (times[-1] - times[0]) / 1000
    average_gap = sampled / (len(values) - 1)
    if counter and result > 0 and values[0] >= 0:
        to_zero = sampled * (values[0] / result)
        to_start = min(to_start, to_zero)
    threshold = average_gap * 1.1
    interval = sampled
    interval += to_start if to_start < threshold else average_gap / 2
    interval += to_end if to_end < threshold else average_gap / 2
    factor = interval / sampled
    if per_second:
        factor /= range_ms / 1000
    return result * factor


def rate(
    times: Sequence[int], values: Sequence[float], start: int, end: int, rng: int
) -> float | None:
    return extrapolated_rate(times, values, start, end, rng, counter=True, per_second=True)


def increase(
    times: Sequence[int], values: Sequence[float], start: int, end: int, rng: int
) -> float | None:
    return extrapolated_rate(times, values, start, end, rng, counter=True, per_second=False)


def delta(
    times: Sequence[int], values: Sequence[float], start: int, end: int, rng: int
) -> float | None:
    return extrapolated_rate(times, values, start, end, rng, counter=False, per_second=False)


def irate(times: Sequence[int], values: Sequence[float], *_: int) -> float | None:
    """The per-second rate between the last two samples (a drop counts as a reset)."""
    if len(values) < 2:
        return None
    last, previous = values[-1], values[-2]
    result = last if last < previous else last - previous
    interval = times[-1] - times[-2]
    if interval == 0:
        return None
    return result / (interval / 1000)


def _over_time(reduce: Callable[[Sequence[float]], float]) -> RangeFunction:
    def function(_times: Sequence[int], values: Sequence[float], *_: int) -> float | None:
        return reduce(values) if values else None

    return function


def _mean(values: Sequence[float]) -> float:
    mean, c, count = 0.0, 0.0, 0.0
    for value in values:
        count += 1
        if math.isinf(mean):
            if math.isinf(value) and (mean > 0) == (value > 0):
                continue
            if not math.isinf(value) and not math.isnan(value):
                continue
        mean, c = kahan_inc(value / count - mean / count, mean, c)
    return mean if math.isinf(mean) else mean + c


def _sum(values: Sequence[float]) -> float:
    total, c = 0.0, 0.0
    for value in values:
        total, c = kahan_inc(value, total, c)
    return total if math.isinf(total) else total + c


def _extreme(values: Sequence[float], better: Callable[[float, float], bool]) -> float:
    best = values[0]
    for value in values:
        if better(value, best) or math.isnan(best):
            best = value
    return best


def _variance(values: Sequence[float]) -> float:
    count, mean, c_mean, aux, c_aux = 0.0, 0.0, 0.0, 0.0, 0.0
    for value in values:
        count += 1
        step = value - (mean + c_mean)
        mean, c_mean = kahan_inc(step / count, mean, c_mean)
        aux, c_aux = kahan_inc(step * (value - (mean + c_mean)), aux, c_aux)
    return (aux + c_aux) / count


def quantile(q: float, values: Sequence[float]) -> float:
    """The q-quantile of values, interpolating between neighbours (Prometheus's `quantile`)."""
    if not values or math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    lower = max(0, math.floor(rank))
    upper = min(len(ordered) - 1, lower + 1)
    weight = rank - math.floor(rank)
    return ordered[lower] * (1 - weight) + ordered[upper] * weight


RANGE_FUNCTIONS: dict[str, RangeFunction] = {
    "rate": rate,
    "increase": increase,
    "delta": delta,
    "irate": irate,
    "avg_over_time": _over_time(_mean),
    "sum_over_time": _over_time(_sum),
    "count_over_time": _over_time(lambda values: float(len(values))),
    "min_over_time": _over_time(lambda values: _extreme(values, lambda a, b: a < b)),
    "max_over_time": _over_time(lambda values: _extreme(values, lambda a, b: a > b)),
    "last_over_time": _over_time(lambda values: values[-1]),
    "present_over_time": _over_time(lambda _values: 1.0),
    "stdvar_over_time": _over_time(_variance),
    "stddev_over_time": _over_time(lambda values: math.sqrt(_variance(values))),
}
# Every range function drops the metric name but this one (its value is a sample's own).
KEEPS_NAME = frozenset({"last_over_time"})


def bucket_quantile(q: float, buckets: list[tuple[float, float]]) -> float:
    """The q-quantile from cumulative (upper bound, count) buckets, as Prometheus's
    `bucketQuantile`: linear interpolation inside the bucket holding the rank."""
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    buckets = sorted(buckets, key=lambda bucket: bucket[0])
    if not math.isinf(buckets[-1][0]) or buckets[-1][0] < 0:
        return math.nan
    buckets = _monotonic(_coalesce(buckets))
    if len(buckets) < 2:
        return math.nan
    observations = buckets[-1][1]
    if observations == 0:
        return math.nan
    rank = q * observations
    counts = [count for _, count in buckets[:-1]]
    b = _search(counts, rank)
    if b == len(buckets) - 1:
        return buckets[-2][0]
    if b == 0 and buckets[0][0] <= 0:
        return buckets[0][0]
    start, end, count = 0.0, buckets[b][0], buckets[b][1]
    if b > 0:
        start = buckets[b - 1][0]
        count -= buckets[b - 1][1]
        rank -= buckets[b - 1][1]
    return start + (end - start) * (rank / count)


def _search(counts: list[float], rank: float) -> int:
    """The first index whose count is >= rank (Go's sort.Search on a monotonic list)."""
    return bisect_left(counts, rank)


def _coalesce(buckets: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for bound, count in buckets:
        if merged and merged[-1][0] == bound:
            merged[-1] = (bound, merged[-1][1] + count)
        else:
            merged.append((bound, count))
    return merged


def _monotonic(buckets: list[tuple[float, float]]) -> list[tuple[float, float]]:
    highest = -math.inf
    fixed = []
    for bound, count in buckets:
        if count > highest:
            highest = count
        fixed.append((bound, max(count, highest)))
    return fixed
