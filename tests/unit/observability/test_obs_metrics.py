import pytest

from jwtpizza.clock import FakeClock
from jwtpizza.observability.active_users import ActiveUsers
from jwtpizza.observability.metrics import Metrics
from jwtpizza.observability.otlp_metrics import otlp_body


def test_active_users_slide_out_of_the_window() -> None:
    clock = FakeClock()
    users = ActiveUsers(60, clock)
    users.seen(1)
    clock.advance(30)
    users.seen(2)
    assert users.count() == 2
    clock.advance(45)
    assert users.count() == 1
    clock.advance(30)
    assert users.count() == 0


def test_each_app_has_its_own_registry() -> None:
    a, b = Metrics(), Metrics()
    a.pizza_sold(0.05)
    assert a.value("pizzas_sold_total") == 1
    assert b.value("pizzas_sold_total") == 0


def test_typed_helpers_set_the_right_series() -> None:
    m = Metrics()
    m.pizza_sold(0.05, count=2)
    m.pizza_failed()
    m.factory_call("chaos", 0.2)
    m.factory_call("oven_full", 0.1)
    m.auth_attempt(success=False)
    m.breaker_state("factory", "open")
    m.queue("orders", depth=3, oldest_age_seconds=12.5)
    m.chaos("vendor-1", "fail", active=True)
    m.order_rejected("bad_api_key")
    assert m.value("pizzas_sold_total") == 2
    assert m.value("revenue_total") == pytest.approx(0.05)
    assert m.value("pizza_failures_total") == 1
    assert m.value("factory_calls_total", reason="chaos") == 1
    assert m.value("factory_call_duration_seconds_count", reason="oven_full") == 1
    assert m.value("auth_attempts_total", result="failure") == 1
    assert m.value("breaker_state", dependency="factory") == 2
    assert m.value("queue_oldest_age_seconds", queue="orders") == 12.5
    assert m.value("chaos_active", vendor="vendor-1", type="fail") == 1
    assert m.value("order_rejections_total", reason="bad_api_key") == 1
    assert 0 <= (m.value("cpu_percent") or 0) <= 100
    assert 0 < (m.value("memory_percent") or 0) <= 100


def test_unknown_factory_reason_is_refused() -> None:
    with pytest.raises(ValueError):
        Metrics().factory_call("user-42", 0.1)


def test_otlp_body_carries_sums_gauges_histograms_and_source() -> None:
    m = Metrics()
    m.http_request("GET", "/api/order", 200, 0.03)
    m.http_request("GET", "/api/order", 200, 0.3)
    body = otlp_body(m.registry, component="service", source="jwt-pizza-service-dev", now_ns=7)
    metrics = {x["name"]: x for x in body["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]}
    requests = metrics["http_requests"]["sum"]
    assert requests["isMonotonic"] is True
    point = requests["dataPoints"][0]
    assert point["asDouble"] == 2
    attrs = {a["key"]: a["value"]["stringValue"] for a in point["attributes"]}
    assert attrs == {
        "method": "GET",
        "route": "/api/order",
        "status": "200",
        "source": "jwt-pizza-service-dev",
    }
    hist = metrics["http_request_duration_seconds"]["histogram"]["dataPoints"][0]
    assert hist["count"] == "2"
    assert sum(int(c) for c in hist["bucketCounts"]) == 2
    assert len(hist["bucketCounts"]) == len(hist["explicitBounds"]) + 1
    assert "gauge" in metrics["cpu_percent"]
