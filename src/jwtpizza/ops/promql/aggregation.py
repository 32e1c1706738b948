"""Aggregations (`sum`, `avg`, `min`, `max`, `count` with `by`/`without`) over an
already compiled inner vector."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import promql_parser as pp

from jwtpizza.ops.monitor.store import SampleStore
from jwtpizza.ops.promql.plan import Evaluate
from jwtpizza.ops.promql.values import NAME, Labels, Sample, Vector, keep_only, without

AGGREGATIONS = ("sum", "avg", "min", "max", "count")


def aggregate(op: str, inner: Evaluate, modifier: Any) -> Evaluate:
    """`op` over the samples of `inner`, grouped by `modifier` (`by`/`without`, or none)."""
    group_labels = _grouping(modifier)

    def run(store: SampleStore, t: int) -> Vector:
        groups: dict[Labels, list[float]] = {}
        for sample in inner(store, t):
            groups.setdefault(group_labels(sample.labels), []).append(sample.value)
        return [Sample(labels, _reduce(op, values)) for labels, values in groups.items()]

    return run


def _grouping(modifier: Any) -> Callable[[Labels], Labels]:
    if modifier is None:
        return lambda _labels: ()
    names = frozenset(modifier.labels)
    if modifier.type == pp.AggModifierType.By:
        return lambda labels: keep_only(labels, names)
    dropped = names | {NAME}
    return lambda labels: without(labels, dropped)


def _reduce(op: str, values: list[float]) -> float:
    if op == "count":
        return float(len(values))
    if op == "sum":
        total = values[0]
        for value in values[1:]:
            total += value
        return total
    if op == "avg":
        return _incremental_mean(values)
    best = values[0]
    for value in values[1:]:
        if math.isnan(best) or (value > best if op == "max" else value < best):
            best = value
    return best


def _incremental_mean(values: list[float]) -> float:
    """Prometheus's `avg`: a running mean that cannot overflow where a sum would."""
    mean, count = values[0], 1.0
    for value in values[1:]:
        count += 1
        if math.isinf(mean):
            if math.isinf(value) and (mean > 0) == (value > 0):
                continue
            if not math.isinf(value) and not math.isnan(value):
                continue
        mean += value / count - mean / count
    return mean
