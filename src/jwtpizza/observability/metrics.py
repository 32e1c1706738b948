"""Per-app metrics on their own registry, with typed helpers so callers never touch
prometheus objects. Labels stay low-cardinality: route templates, never raw paths or ids.

Several worker processes of one server share their metrics through prometheus_client's
multi-process mode: the server command sets `PROMETHEUS_MULTIPROC_DIR` to a fresh folder
before the workers start, each worker writes its values there, and a scrape of any worker
sums the counters and histograms of all of them. Each gauge says how workers combine
(`livemax` for states every worker sees alike, `livesum` for per-worker counts); host
gauges are read by the worker that answers the scrape.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterator, Mapping
from enum import StrEnum
from typing import Literal

import psutil
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from jwtpizza.clock import Clock
from jwtpizza.observability.active_users import ActiveUsers

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class FactoryReason(StrEnum):
    """Why a factory call ended as it did: the `reason` label of `factory_calls_total`."""

    OK = "ok"
    CHAOS = "chaos"
    OUTAGE = "outage"
    TIMEOUT = "timeout"
    BAD_JWT = "bad_jwt"
    AUTH_REJECTED = "auth_rejected"
    RATE_LIMITED = "rate_limited"
    OVEN_FULL = "oven_full"
    INVALID_ORDER = "invalid_order"
    ERROR = "error"


def factory_reason(value: str) -> FactoryReason:
    """The reason for a string from a factory client; unknown strings become `error`."""
    try:
        return FactoryReason(value)
    except ValueError:
        return FactoryReason.ERROR


# The `reason` label of `orders_failed_total` and `orders_queued_total`: what the diner's order
# met. The factory's reasons, the breaker refusing the call, or the wait budget spent.
ORDER_REASONS = (
    *(reason.value for reason in FactoryReason if reason is not FactoryReason.OK),
    "breaker_open",
    "wait_budget",
)


def order_reason(value: str) -> str:
    """The reason label for an order outcome's reason; unknown strings become `error`."""
    return value if value in ORDER_REASONS else FactoryReason.ERROR.value


# The circuit breaker's states (`jwtpizza.service.resilience.BreakerState`) as gauge values.
BREAKER_VALUES = {"closed": 0, "half_open": 1, "open": 2}

# prometheus_client reads this variable when it is imported: set it before the workers start.
SHARED_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

GaugeMode = Literal["livemax", "livesum"]


def shared_dir() -> str | None:
    """The folder where this process shares its metrics with its sibling workers, if any."""
    return os.environ.get(SHARED_DIR_VARIABLE) or None


class HostGauges(Collector):
    """CPU and memory use of the host, read when scraped (one value whichever worker reads)."""

    def collect(self) -> Iterator[Metric]:
        cpu = psutil.cpu_percent(interval=None)
        yield GaugeMetricFamily("cpu_percent", "CPU use of the host, percent", value=cpu)
        memory = psutil.virtual_memory().percent
        yield GaugeMetricFamily("memory_percent", "Memory use of the host, percent", value=memory)


class Metrics:
    """Every metric of one component. Each instance owns a fresh `CollectorRegistry`.

    HTTP, host and telemetry-pipeline families are everyone's; the order and resilience
    families are the service's and the signing families the factory's, so a scrape of one
    component never lists the other's at zero. `component=None` registers every family.
    """

    def __init__(
        self,
        *,
        component: str | None = None,
        window_seconds: float = 300.0,
        clock: Clock | None = None,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.shared_dir = shared_dir()
        self.active_users = ActiveUsers(window_seconds, clock)
        self._http()
        self._pipeline()
        if component in (None, "service"):
            self._pizzas()
            self._factory_calls()
            self._resilience()
        if component in (None, "factory"):
            self._factory_side()

    def _counter(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Counter:
        return Counter(name, doc, labels, registry=self.registry)

    def _gauge(
        self, name: str, doc: str, labels: tuple[str, ...] = (), *, workers: GaugeMode = "livemax"
    ) -> Gauge:
        """A gauge; `workers` says how the values of several workers combine."""
        return Gauge(name, doc, labels, registry=self.registry, multiprocess_mode=workers)

    def _histogram(self, name: str, doc: str, labels: tuple[str, ...] = ()) -> Histogram:
        return Histogram(name, doc, labels, registry=self.registry, buckets=LATENCY_BUCKETS)

    def _http(self) -> None:
        self._http_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._requests = self._counter(
            "http_requests", "HTTP requests", ("method", "route", "status")
        )
        self._latency = self._histogram(
            "http_request_duration_seconds", "HTTP request latency", ("method", "route")
        )
        self._auth = self._counter("auth_attempts", "Authentication attempts", ("result",))
        for result in ("success", "failure"):
            self._auth.labels(result)
        # Summed over workers: a client keeps its connection, so mostly one worker sees it.
        self._active = self._gauge(
            "active_users", "Distinct users seen in the sliding window", workers="livesum"
        )
        if self.shared_dir is None:
            self._active.set_function(self.active_users.count)
        self.registry.register(HostGauges())

    def _pizzas(self) -> None:
        self._sold = self._counter("pizzas_sold", "Pizzas sold")
        self._failed = self._counter("pizza_failures", "Pizza orders that failed")
        self._revenue = self._counter("revenue", "Revenue in bitcoin")
        self._creation = self._histogram(
            "pizza_creation_duration_seconds", "Order creation latency, factory round trip"
        )
        # Diner outcomes, one per order (not per pizza, not per factory call): they keep
        # counting while an open breaker stops the calls.
        self._orders_failed = self._counter(
            "orders_failed", "Orders that failed for the diner, by reason", ("reason",)
        )
        self._orders_queued = self._counter(
            "orders_queued", "Orders queued to be made later, by reason", ("reason",)
        )
        for reason in ORDER_REASONS:
            self._orders_failed.labels(reason)
            self._orders_queued.labels(reason)

    def _factory_calls(self) -> None:
        self._factory_total = self._counter(
            "factory_calls", "Calls to the pizza factory by outcome", ("reason",)
        )
        # A call a synchronous client keeps waiting on past the attempt timeout (the
        # original's throttle contract) is counted here once it passes it: a hung factory
        # shows at once, not when the client's wait budget runs out.
        self._factory_overdue = self._counter(
            "factory_calls_overdue", "Factory calls still waiting past the attempt timeout"
        )
        self._factory_latency = self._histogram(
            "factory_call_duration_seconds", "Pizza factory call latency", ("reason",)
        )
        for reason in FactoryReason:
            self._factory_total.labels(reason.value)

    def _resilience(self) -> None:
        self._breaker = self._gauge(
            "breaker_state", "Circuit breaker: 0 closed, 1 half-open, 2 open", ("dependency",)
        )
        self._queue_depth = self._gauge("queue_depth", "Items waiting in a queue", ("queue",))
        self._queue_age = self._gauge(
            "queue_oldest_age_seconds", "Age of the oldest queued item", ("queue",)
        )
        self._retries = self._counter("retries", "Retries by operation", ("operation",))
        self._relay_lag = self._gauge("relay_lag_seconds", "Outbox relay lag")
        self._integrity = self._gauge(
            "integrity_problems", "Problems the last ledger/integrity check found", ("kind",)
        )

    def _factory_side(self) -> None:
        self._signed = self._counter("orders_signed", "Orders the factory signed")
        self._rejections = self._counter(
            "order_rejections", "Orders the factory rejected", ("reason",)
        )
        self._chaos = self._gauge(
            "chaos_active", "1 while a chaos fault of this type is active", ("vendor", "type")
        )

    def _pipeline(self) -> None:
        self._logs_dropped = self._counter("log_lines_dropped", "Log lines dropped", ("sink",))
        self._pushes_failed = self._counter(
            "telemetry_push_failures", "Failed pushes to Loki or OTLP", ("sink",)
        )
        # Known label values start at 0, so rates and dashboards work before the first event.
        for sink in ("loki", "otlp"):
            self._logs_dropped.labels(sink)
            self._pushes_failed.labels(sink)

    # HTTP and users ------------------------------------------------------------------------

    def http_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One finished request; `route` must be a template such as `/api/order/{id}`."""
        children = self._http_children.get((method, route, status))
        if children is None:
            # Each label set's children are looked up once: `labels()` validates and locks.
            children = (
                self._requests.labels(method, route, str(status)),
                self._latency.labels(method, route),
            )
            self._http_children[(method, route, status)] = children
        children[0].inc()
        children[1].observe(seconds)

    def user_seen(self, user: Hashable) -> None:
        self.active_users.seen(user)

    def auth_attempt(self, *, success: bool) -> None:
        self._auth.labels("success" if success else "failure").inc()

    # pizzas and the factory --------------------------------------------------------------

    def pizza_sold(self, revenue: float, *, count: int = 1) -> None:
        self._sold.inc(count)
        self._revenue.inc(revenue)

    def pizza_failed(self, *, count: int = 1) -> None:
        """One failed order of `count` pizzas."""
        self._failed.inc(count)

    def order_failed(self, reason: str) -> None:
        """An order rejected: the diner got no pizza (`reason`: see `ORDER_REASONS`)."""
        self._orders_failed.labels(order_reason(reason)).inc()

    def order_queued(self, reason: str) -> None:
        """An order moved to the queue, to be made later."""
        self._orders_queued.labels(order_reason(reason)).inc()

    def pizza_creation(self, seconds: float) -> None:
        self._creation.observe(seconds)

    def factory_call(self, reason: FactoryReason | str, seconds: float) -> None:
        """One factory call; an unknown reason string raises (it would be a new label)."""
        label = FactoryReason(reason).value
        self._factory_total.labels(label).inc()
        self._factory_latency.labels(label).observe(seconds)

    def factory_call_overdue(self) -> None:
        """A factory call still waiting past the attempt timeout."""
        self._factory_overdue.inc()

    # resilience ---------------------------------------------------------------------------

    def breaker_state(self, dependency: str, state: str) -> None:
        self._breaker.labels(dependency).set(BREAKER_VALUES[state])

    def queue(self, name: str, *, depth: int, oldest_age_seconds: float) -> None:
        self._queue_depth.labels(name).set(depth)
        self._queue_age.labels(name).set(oldest_age_seconds)

    def retry(self, operation: str) -> None:
        self._retries.labels(operation).inc()

    def relay_lag(self, seconds: float) -> None:
        self._relay_lag.set(seconds)

    def integrity(self, problems: Mapping[str, int]) -> None:
        """The problem counts of one integrity check, by kind (kinds are a fixed few)."""
        for kind, count in problems.items():
            self._integrity.labels(kind).set(count)

    # factory side -------------------------------------------------------------------------

    def order_signed(self, *, count: int = 1) -> None:
        self._signed.inc(count)

    def order_rejected(self, reason: str) -> None:
        self._rejections.labels(reason).inc()

    def chaos(self, vendor: str, chaos_type: str, *, active: bool) -> None:
        """Mark a chaos type on or off for a vendor (vendor ids are few; users never are)."""
        self._chaos.labels(vendor, chaos_type).set(1 if active else 0)

    # the telemetry pipeline itself -----------------------------------------------------------

    def log_dropped(self, sink: str, count: int = 1) -> None:
        self._logs_dropped.labels(sink).inc(count)

    def push_failed(self, sink: str) -> None:
        self._pushes_failed.labels(sink).inc()

    def exposition(self) -> bytes:
        """The registry in Prometheus text format (every worker's, in multi-process mode)."""
        return generate_latest(self.collecting_registry())

    def collecting_registry(self) -> CollectorRegistry:
        """The registry to read for export: this one, or in multi-process mode one that
        combines every worker's values with the host gauges."""
        if self.shared_dir is None:
            return self.registry
        self.refresh_shared()
        combined = CollectorRegistry()
        MultiProcessCollector(combined, path=self.shared_dir)  # type: ignore[no-untyped-call]
        combined.register(HostGauges())
        return combined

    def refresh_shared(self) -> None:
        """Write this worker's time-dependent gauges to the shared folder (the active-user
        count falls as the window passes, with no request to update it)."""
        if self.shared_dir is not None:
            self._active.set(self.active_users.count())

    def leave_shared(self) -> None:
        """A worker stopping drops its live gauges, so they no longer count."""
        if self.shared_dir is not None:
            mark_process_dead(os.getpid(), self.shared_dir)  # type: ignore[no-untyped-call]

    def value(self, name: str, **labels: str) -> float | None:
        """One sample's value (tests and the ops console), or None if it was never set."""
        return self.registry.get_sample_value(name, labels)
