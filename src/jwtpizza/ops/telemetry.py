"""The ops component's own metrics, on the same registry as its HTTP metrics.

Other ops parts register their metrics on `obs.metrics.registry` the same way.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from jwtpizza.ops.monitor.store import SampleStore

EVAL_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class MonitorMetrics:
    """Rule evaluation time and failures, samples and series held."""

    def __init__(self, registry: CollectorRegistry, store: SampleStore) -> None:
        self._eval = Histogram(
            "ops_rule_group_evaluation_seconds",
            "Time to evaluate one rule group",
            ("group",),
            registry=registry,
            buckets=EVAL_BUCKETS,
        )
        self._eval_failures = Counter(
            "ops_rule_evaluation_failures",
            "Rules whose evaluation failed",
            ("rule",),
            registry=registry,
        )
        samples = Gauge("ops_samples_held", "Samples held in memory", registry=registry)
        samples.set_function(store.sample_count)
        series = Gauge("ops_series_held", "Series held in memory", registry=registry)
        series.set_function(store.series_count)

    def group_evaluated(self, group: str, seconds: float) -> None:
        self._eval.labels(group).observe(seconds)

    def rule_failed(self, rule: str) -> None:
        self._eval_failures.labels(rule).inc()
