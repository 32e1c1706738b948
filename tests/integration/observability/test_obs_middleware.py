import json

import httpx
import pytest

from jwtpizza.observability.dashboard import scraped_metric_names

from .support import ADMIN_TOKEN, make_app


def _client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_requests_are_counted_by_method_route_template_and_status() -> None:
    app, obs = make_app()
    async with _client(app) as client:
        for franchise_id in (1, 2, 3, 404):
            await client.get(f"/api/franchise/{franchise_id}")
        await client.put("/api/auth", json={"email": "a@jwt.com", "password": "a"})
        await client.get("/no/such/path")
        scrape = (await client.get("/metrics")).text
    route = "/api/franchise/{franchise_id}"
    m = obs.metrics
    assert m.value("http_requests_total", method="GET", route=route, status="200") == 3
    assert m.value("http_requests_total", method="GET", route=route, status="404") == 1
    assert m.value("http_requests_total", method="PUT", route="/api/auth", status="200") == 1
    assert m.value("http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert m.value("http_request_duration_seconds_count", method="GET", route=route) == 4
    assert "/api/franchise/1" not in scrape
    assert "http_requests_total" in scraped_metric_names(scrape)


async def test_each_request_logs_one_sanitized_http_event() -> None:
    app, obs = make_app()
    async with _client(app) as client:
        response = await client.put(
            "/api/auth?token=qs-secret",
            json={"email": "a@jwt.com", "password": "hunter2"},
            headers={"Authorization": "Bearer caller-token-123", "X-Request-Id": "req-1"},
        )
        await client.get("/api/franchise/404")
    assert response.headers["x-request-id"] == "req-1"
    login, missing = [r.fields for r in obs.store if r.fields["type"] == "http"]
    assert login["method"] == "PUT"
    assert login["status"] == 200
    assert login["authorized"] is True
    assert login["requestId"] == "req-1"
    assert json.loads(login["reqBody"]) == {"email": "a@jwt.com", "password": "*****"}
    assert json.loads(login["resBody"])["token"] == "*****"
    assert len(login["traceId"]) == 32
    assert missing["level"] == "warn"
    assert missing["route"] == "/api/franchise/{franchise_id}"
    for record in obs.store:
        for secret in ("hunter2", "caller-token-123", "qs-secret", "eyJa.eyJb.sig"):
            assert secret not in record.line


async def test_unhandled_exceptions_are_logged_with_traceback_and_counted() -> None:
    app, obs = make_app()
    async with _client(app) as client:
        with pytest.raises(RuntimeError):
            await client.get("/boom")
    (exception,) = [r.fields for r in obs.store if r.fields["type"] == "exception"]
    assert "kaboom" in exception["stack"]
    assert "Traceback" in exception["stack"]
    assert obs.metrics.value("http_requests_total", method="GET", route="/boom", status="500") == 1


async def test_large_bodies_are_capped() -> None:
    app, obs = make_app(body_cap_bytes=32)
    async with _client(app) as client:
        await client.put("/api/auth", json={"email": "x" * 500})
    (event,) = [r.fields for r in obs.store if r.fields["type"] == "http"]
    assert "truncated" in event["reqBody"]
    assert len(event["reqBody"]) < 100


async def test_ops_logs_endpoint_is_admin_only_and_filters() -> None:
    app, _obs = make_app()
    async with _client(app) as client:
        await client.get("/api/franchise/1")
        await client.get("/api/franchise/404")
        assert (await client.get("/api/ops/logs")).status_code == 403
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        found = await client.get(
            "/api/ops/logs", params={"level": "warn", "type": "http"}, headers=admin
        )
        bad = await client.get("/api/ops/logs", params={"since": "yesterday"}, headers=admin)
    assert found.status_code == 200
    assert [log["status"] for log in found.json()["logs"]] == [404]
    assert bad.status_code == 400


async def test_logging_off_still_counts_metrics() -> None:
    app, obs = make_app(logging_enabled=False)
    async with _client(app) as client:
        await client.get("/api/franchise/1")
    assert len(obs.store) == 0
    route = "/api/franchise/{franchise_id}"
    assert obs.metrics.value("http_requests_total", method="GET", route=route, status="200") == 1


async def test_authorized_requests_count_active_users_without_labels() -> None:
    app, obs = make_app()
    async with _client(app) as client:
        for token in ("a-token", "b-token", "a-token"):
            await client.get("/api/franchise/1", headers={"Authorization": f"Bearer {token}"})
        scrape = (await client.get("/metrics")).text
    assert obs.metrics.value("active_users") == 2
    assert "a-token" not in scrape
