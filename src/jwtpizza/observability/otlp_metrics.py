"""OTLP/HTTP JSON push of a component's registry, Grafana Cloud style.

The same families `/metrics` exposes are converted to OTLP: counters become monotonic
cumulative sums (named without `_total`, which the receiver adds back), gauges stay gauges,
histograms become explicit-bucket histograms. Every data point and the resource carry the
`source` attribute that separates dev from prod.
"""

from __future__ import annotations

from typing import Any

import httpx
from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import Metric

from jwtpizza.clock import Clock, SystemClock
from jwtpizza.observability.background import Periodic
from jwtpizza.observability.metrics import Metrics

CUMULATIVE = "AGGREGATION_TEMPORALITY_CUMULATIVE"


def _attributes(labels: dict[str, str], source: str) -> list[dict[str, Any]]:
    pairs = {**labels, "source": source}
    return [{"key": k, "value": {"stringValue": v}} for k, v in sorted(pairs.items())]


def _simple_points(family: Metric, source: str, now: str) -> list[dict[str, Any]]:
    wanted = family.name + ("_total" if family.type == "counter" else "")
    return [
        {"asDouble": s.value, "timeUnixNano": now, "attributes": _attributes(s.labels, source)}
        for s in family.samples
        if s.name == wanted
    ]


def _histogram_points(family: Metric, source: str, now: str) -> list[dict[str, Any]]:
    series: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
    for sample in family.samples:
        labels = {k: v for k, v in sample.labels.items() if k != "le"}
        point = series.setdefault(tuple(sorted(labels.items())), {"buckets": [], "labels": labels})
        if sample.name.endswith("_bucket"):
            point["buckets"].append((float(sample.labels["le"]), sample.value))
        elif sample.name.endswith("_count"):
            point["count"] = sample.value
        elif sample.name.endswith("_sum"):
            point["sum"] = sample.value
    return [_histogram_point(p, source, now) for p in series.values()]


def _histogram_point(point: dict[str, Any], source: str, now: str) -> dict[str, Any]:
    buckets = sorted(point["buckets"])
    bounds = [le for le, _ in buckets if le != float("inf")]
    cumulative = [count for _, count in buckets]
    counts = [int(c - p) for c, p in zip(cumulative, [0.0, *cumulative[:-1]], strict=True)]
    return {
        "timeUnixNano": now,
        "count": str(int(point.get("count", 0))),
        "sum": point.get("sum", 0.0),
        "bucketCounts": [str(c) for c in counts],
        "explicitBounds": bounds,
        "attributes": _attributes(point["labels"], source),
    }


def _otlp_metric(family: Metric, source: str, now: str) -> dict[str, Any] | None:
    base: dict[str, Any] = {"name": family.name, "description": family.documentation}
    if family.type == "counter":
        points = _simple_points(family, source, now)
        base["sum"] = {
            "dataPoints": points,
            "aggregationTemporality": CUMULATIVE,
            "isMonotonic": True,
        }
    elif family.type == "gauge":
        base["gauge"] = {"dataPoints": _simple_points(family, source, now)}
    elif family.type == "histogram":
        points = _histogram_points(family, source, now)
        base["histogram"] = {"dataPoints": points, "aggregationTemporality": CUMULATIVE}
    else:
        return None
    return base


def otlp_body(
    registry: CollectorRegistry, *, component: str, source: str, now_ns: int
) -> dict[str, Any]:
    """The registry's current values as an OTLP `ExportMetricsServiceRequest` (JSON)."""
    now = str(now_ns)
    metrics = [m for f in registry.collect() if (m := _otlp_metric(f, source, now)) is not None]
    resource = _attributes({"service.name": component}, source)
    return {
        "resourceMetrics": [
            {
                "resource": {"attributes": resource},
                "scopeMetrics": [{"scope": {"name": "jwtpizza"}, "metrics": metrics}],
            }
        ]
    }


class OtlpMetricsPusher:
    """Pushes the registry every `interval` seconds in the background; failures are counted."""

    def __init__(
        self,
        *,
        url: str,
        authorization: str | None,
        component: str,
        source: str,
        metrics: Metrics,
        interval: float = 10.0,
        clock: Clock | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.component = component
        self.source = source
        self.metrics = metrics
        self.pushes = 0
        self._clock = clock or SystemClock()
        self._headers = {"Authorization": authorization} if authorization else {}
        self._client = client or httpx.AsyncClient(timeout=5.0)
        self._periodic = Periodic(self.push, interval, self._clock)

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()
        await self._client.aclose()

    async def push(self) -> None:
        now_ns = int(self._clock.now().timestamp() * 1_000_000_000)
        body = otlp_body(
            self.metrics.collecting_registry(),
            component=self.component,
            source=self.source,
            now_ns=now_ns,
        )
        try:
            response = await self._client.post(self.url, json=body, headers=self._headers)
            response.raise_for_status()
        except httpx.HTTPError:
            self.metrics.push_failed("otlp")
            return
        self.pushes += 1
