"""The sample store's thinned history: samples past the raw retention are kept one per
resolution span for the history's retention, so 30-day SLO windows have data, and long
ranges give what full data gives for a steady counter."""

from __future__ import annotations

import pytest

from jwtpizza.ops.alerts.events import AlertBus
from jwtpizza.ops.monitor.store import Downsampling, SampleStore
from jwtpizza.ops.promql.engine import compile_expr
from jwtpizza.ops.rules.loader import load_files
from jwtpizza.ops.rules.service import RuleManager
from jwtpizza.ops.settings import default_rule_files

MINUTE, DAY = 60_000, 24 * 3600_000
COUNTER = (("__name__", "c_total"), ("job", "x"))


def _scraped(store: SampleStore, until_ms: int, every_ms: int = 15_000) -> None:
    """A counter growing 1 a second, scraped and trimmed as the monitor does."""
    store.keep_history_of(lambda labels: True)
    for t in range(0, until_ms + 1, every_ms):
        store.add(COUNTER, t, t / 1000)
        store.trim(t)


def _value(store: SampleStore, expr: str, t: int) -> float | None:
    result = compile_expr(expr).vector(store, t)
    return result[0].value if result else None


def test_long_ranges_read_the_thinned_history_as_they_read_full_data() -> None:
    thinned = SampleStore(
        retention_ms=15 * MINUTE, max_samples_per_series=400, downsampling=Downsampling()
    )
    full = SampleStore(retention_ms=10**12, max_samples_per_series=10**9)
    end = 2 * DAY
    _scraped(thinned, end)
    _scraped(full, end)
    # Within resolution / range: the first thinned sample in a range can be up to one
    # resolution (5 minutes) past its start, and rate extrapolates less far than on full data.
    for expr, hours in (("increase(c_total[1d])", 24), ("rate(c_total[6h])", 6),
                        ("rate(c_total[30d])", 30 * 24)):  # fmt: skip
        expected = _value(full, expr, end)
        assert _value(thinned, expr, end) == pytest.approx(expected, rel=5 / 60 / hours)
    assert _value(thinned, "max_over_time(c_total[1d])", end) == end / 1000
    # 15 minutes of raw samples (60) plus one a 5 minutes for the rest of the 2 days
    assert thinned.sample_count() == 60 + (2 * DAY - 15 * MINUTE) // (5 * MINUTE) + 1


def test_the_history_is_bounded_by_its_retention() -> None:
    store = SampleStore(
        retention_ms=15 * MINUTE,
        max_samples_per_series=400,
        downsampling=Downsampling(resolution_ms=5 * MINUTE, retention_ms=DAY),
    )
    _scraped(store, 3 * DAY, every_ms=60_000)
    [series] = store.select("c_total")
    assert series.old_times[0] >= 3 * DAY - 15 * MINUTE - DAY
    assert len(series.old_times) <= DAY // (5 * MINUTE) + 1
    assert series.old_times.itemsize + series.old_values.itemsize == 16  # bytes per sample


def test_without_history_old_samples_are_dropped_as_before() -> None:
    store = SampleStore(retention_ms=15 * MINUTE, max_samples_per_series=400)
    _scraped(store, DAY)
    assert store.sample_count() == 61
    assert _value(store, "count_over_time(c_total[1d])", DAY) == 61


def test_an_instant_lookup_in_the_thinned_past_finds_the_last_sample_of_a_span() -> None:
    store = SampleStore(
        retention_ms=15 * MINUTE, max_samples_per_series=400, downsampling=Downsampling()
    )
    _scraped(store, DAY)
    hour_ago = DAY - 60 * MINUTE  # a span boundary: the span before ended 15 s earlier
    assert _value(store, "c_total", hour_ago) == (hour_ago - 15_000) / 1000
    assert _value(store, "c_total", DAY) == DAY / 1000


def test_only_series_the_rules_read_over_long_ranges_keep_history() -> None:
    """With the shipped rules loaded: the SLIs' counters and the recorded 5-minute error
    ratio keep history (1d, 3d and 30d ranges); other series drop after 15 minutes."""
    store = SampleStore(
        retention_ms=15 * MINUTE, max_samples_per_series=400, downsampling=Downsampling()
    )
    rules = RuleManager(store=store, bus=AlertBus(), default_interval_seconds=15)
    rules.install(load_files(default_rule_files()))

    def series(name: str, **labels: str) -> tuple[tuple[str, str], ...]:
        return tuple(sorted({"__name__": name, **labels}.items()))

    kept = [
        series("http_requests_total", method="POST", route="/api/order", status="201"),
        series("http_requests_total", method="PUT", route="/api/auth", status="401"),
        series("orders_failed_total", reason="oven_full"),
        series("http_request_duration_seconds_bucket", method="POST", route="/api/order", le="2.5"),
        series("slo:sli_error:ratio_rate5m", sloth_id="jwt-pizza-service-order-success",
               sloth_service="jwt-pizza-service", sloth_slo="order-success", sloth_window="5m"),
    ]  # fmt: skip
    dropped = [
        series("http_requests_total", method="GET", route="/api/franchise", status="200"),
        series("http_request_duration_seconds_bucket", method="GET", route="/api/order", le="1"),
        series("slo:sli_error:ratio_rate1h", sloth_id="jwt-pizza-service-order-success"),
        series("cpu_percent"),
    ]
    assert [store.keeps_history(s) for s in kept] == [True] * len(kept)
    assert [store.keeps_history(s) for s in dropped] == [False] * len(dropped)
