"""Trace context flows from the service's factory call into the factory's spans."""

import contextlib
import json
from typing import Any

import httpx
from opentelemetry.trace import SpanKind

from jwtpizza.observability.metrics import FactoryReason

from .support import make_app

REPORT = "http://factory/api/support/opaque-fault-7/report/CHAOS-1"


def _client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_factory_spans_join_the_service_trace_and_calls_are_logged() -> None:
    factory_app, factory_obs = make_app("factory")

    @factory_app.post("/api/order")
    async def sign(body: dict[str, Any]) -> dict[str, Any]:
        return {"jwt": "eyJhbGciOi.eyJvcmRlciI6MX0.c2ln", "reportUrl": REPORT}

    service_app, service_obs = make_app("service")
    outgoing = service_obs.http_transport(httpx.ASGITransport(app=factory_app))
    factory = httpx.AsyncClient(transport=outgoing, base_url="http://factory")

    @service_app.post("/api/order")
    async def order() -> dict[str, Any]:
        response = await factory.post(
            "/api/order",
            json={"diner": {"id": 1}, "order": {"items": []}},
            headers={"Authorization": "Bearer factory-api-key-xyz"},
        )
        service_obs.metrics.factory_call(FactoryReason.OK, 0.01)
        return dict(response.json())

    async with _client(service_app) as client:
        response = await client.post("/api/order", headers={"X-Request-Id": "order-1"})
    await factory.aclose()
    assert response.json()["reportUrl"] == REPORT

    service_spans = service_obs.tracing.recent.spans()
    server = next(s for s in service_spans if s.kind == SpanKind.SERVER)
    outgoing_span = next(s for s in service_spans if s.kind == SpanKind.CLIENT)
    factory_server = next(
        s for s in factory_obs.tracing.recent.spans() if s.kind == SpanKind.SERVER
    )
    assert server.name == "POST /api/order"
    assert outgoing_span.context.trace_id == server.context.trace_id
    assert factory_server.context.trace_id == server.context.trace_id
    assert factory_server.parent is not None
    assert factory_server.parent.span_id == outgoing_span.context.span_id

    (call,) = [r.fields for r in service_obs.store if r.fields["type"] == "factory"]
    assert call["status"] == 200
    assert call["requestId"] == "order-1"
    body = json.loads(call["resBody"])  # bodies are logged as JSON text, as the original did
    assert body["reportUrl"] == REPORT
    assert body["jwt"] == "*****"
    factory_http = [r.fields for r in factory_obs.store if r.fields["type"] == "http"]
    assert factory_http[0]["requestId"] == "order-1"
    assert factory_http[0]["traceId"] == format(server.context.trace_id, "032x")
    for record in [*service_obs.store, *factory_obs.store]:
        assert "factory-api-key-xyz" not in record.line
        assert "eyJvcmRlciI6MX0" not in record.line


async def test_failed_outgoing_calls_are_logged_with_a_reason() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    _app, obs = make_app()
    client = httpx.AsyncClient(transport=obs.http_transport(httpx.MockTransport(refuse)))
    with contextlib.suppress(httpx.ConnectError):
        await client.get("http://factory/api/order")
    await client.aclose()
    (call,) = [r.fields for r in obs.store if r.fields["type"] == "factory"]
    assert call["level"] == "error"
    assert call["reason"] == "outage"
