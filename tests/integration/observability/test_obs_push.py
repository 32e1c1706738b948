"""Loki and OTLP pushes against a real HTTP receiver on a loopback port."""

import httpx

from jwtpizza.observability.loki import LokiShipper
from jwtpizza.observability.metrics import Metrics

from .support import Receiver, make_app


def _client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_logs_are_pushed_to_loki_in_its_push_format(receiver: Receiver) -> None:
    app, obs = make_app(
        loki_url=f"{receiver.url}/loki/api/v1/push",
        loki_account="12345",
        loki_api_key="loki-key-abcdef",
        source="jwt-pizza-service-dev",
    )
    async with obs.running(), _client(app) as client:
        await client.put("/api/auth", json={"email": "a@jwt.com", "password": "hunter2"})
        await client.get("/api/franchise/404")
    (push,) = receiver.requests
    assert push["path"] == "/loki/api/v1/push"
    assert push["headers"]["Authorization"] == "Bearer 12345:loki-key-abcdef"
    streams = {(s["stream"]["level"], s["stream"]["type"]): s for s in push["body"]["streams"]}
    assert set(streams) == {("info", "http"), ("warn", "http")}
    stream = streams[("warn", "http")]
    assert stream["stream"]["component"] == "service"
    assert stream["stream"]["source"] == "jwt-pizza-service-dev"
    ns, line, metadata = stream["values"][0]
    assert ns.isdigit() and len(ns) >= 19
    assert '"status":404' in line
    assert len(metadata["traceID"]) == 32
    assert "hunter2" not in str(push["body"])


async def test_a_full_loki_queue_drops_and_counts_instead_of_blocking(
    receiver: Receiver,
) -> None:
    metrics = Metrics()
    shipper = LokiShipper(
        url=receiver.url, authorization=None, source="dev", metrics=metrics, queue_size=3
    )
    for n in range(5):
        shipper.offer({"component": "service", "level": "info", "type": "app", "n": n})
    await shipper.flush()
    await shipper.stop()
    assert shipper.dropped == 2
    assert metrics.value("log_lines_dropped_total", sink="loki") == 2
    assert sum(len(s["values"]) for s in receiver.requests[0]["body"]["streams"]) == 3


async def test_a_failing_loki_costs_a_count_not_a_request(receiver: Receiver) -> None:
    receiver.status = 500
    app, obs = make_app(loki_url=receiver.url)
    async with obs.running(), _client(app) as client:
        response = await client.get("/api/franchise/1")
    assert response.status_code == 200
    assert obs.metrics.value("telemetry_push_failures_total", sink="loki") == 1


async def test_metrics_are_pushed_as_otlp_json(receiver: Receiver) -> None:
    app, obs = make_app(
        otlp_metrics_url=f"{receiver.url}/otlp/v1/metrics",
        otlp_account="999",
        otlp_api_key="otlp-key-abcdef",
        source="jwt-pizza-service",
    )
    async with _client(app) as client:
        await client.get("/api/franchise/1")
    obs.metrics.pizza_sold(0.05)
    assert obs.otlp is not None
    await obs.otlp.push()
    await obs.stop()
    push = receiver.requests[0]
    assert push["path"] == "/otlp/v1/metrics"
    assert push["headers"]["Authorization"] == "Bearer 999:otlp-key-abcdef"
    resource = push["body"]["resourceMetrics"][0]
    attrs = {a["key"]: a["value"]["stringValue"] for a in resource["resource"]["attributes"]}
    assert attrs == {"service.name": "service", "source": "jwt-pizza-service"}
    metrics = {m["name"]: m for m in resource["scopeMetrics"][0]["metrics"]}
    sold = metrics["pizzas_sold"]["sum"]
    assert sold["aggregationTemporality"] == "AGGREGATION_TEMPORALITY_CUMULATIVE"
    assert sold["dataPoints"][0]["asDouble"] == 1
    requests = metrics["http_requests"]["sum"]["dataPoints"]
    point_attrs = [{a["key"]: a["value"]["stringValue"] for a in p["attributes"]} for p in requests]
    assert {
        "method": "GET",
        "route": "/api/franchise/{franchise_id}",
        "status": "200",
        "source": "jwt-pizza-service",
    } in point_attrs
