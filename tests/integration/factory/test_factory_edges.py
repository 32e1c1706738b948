"""The factory's edges a browser and a platform meet: the CORS allow-list the original site
needs for Verify and the docs page, `/healthz` and `/readyz`, Swagger UI served from the
package, and a `/metrics` that lists only the factory's own families."""

from __future__ import annotations

from tests.integration.factory.factory_kit import Factory, MakeFactory

SITE = "http://localhost:5173"
PREFLIGHT = {
    "Origin": SITE,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type",
}


async def test_the_verify_preflight_is_allowed_for_a_local_site_origin_only(
    factory: Factory,
) -> None:
    allowed = await factory.client.options("/api/order/verify", headers=PREFLIGHT)
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == SITE
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    evil = await factory.client.options(
        "/api/order/verify", headers={**PREFLIGHT, "Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in evil.headers
    docs = await factory.client.get("/api/docs", headers={"Origin": SITE})
    assert docs.headers["Access-Control-Allow-Origin"] == SITE


async def test_the_allow_list_is_a_setting(make_factory: MakeFactory) -> None:
    factory = await make_factory(cors_origins=["https://pizza.example"])
    headers = {**PREFLIGHT, "Origin": "https://pizza.example"}
    got = await factory.client.options("/api/order/verify", headers=headers)
    assert got.headers["Access-Control-Allow-Origin"] == "https://pizza.example"
    local = await factory.client.options("/api/order/verify", headers=PREFLIGHT)
    assert "Access-Control-Allow-Origin" not in local.headers


async def test_health_and_readiness(factory: Factory) -> None:
    assert (await factory.client.get("/healthz")).json() == {"status": "ok"}
    assert (await factory.client.get("/readyz")).json() == {"status": "ready", "database": "ok"}


async def test_swagger_ui_comes_from_the_package_not_a_cdn(factory: Factory) -> None:
    page = (await factory.client.get("/docs")).text
    assert "/docs/assets/swagger-ui-bundle.js" in page and "/docs/assets/swagger-ui.css" in page
    assert "cdn" not in page and "https://" not in page
    script = await factory.client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    assert len(script.content) > 100_000
    missing = await factory.client.get("/docs/assets/../app.py")
    assert missing.status_code == 404


async def test_metrics_list_only_the_factory_families_and_name_the_docs_routes(
    factory: Factory,
) -> None:
    await factory.client.get("/docs")
    await factory.client.get("/openapi.json")
    text = (await factory.client.get("/metrics")).text
    assert "orders_signed_total" in text and "http_requests_total" in text
    for service_family in (
        "pizzas_sold",
        "revenue",
        "factory_calls",
        "breaker_state",
        "queue_depth",
    ):
        assert service_family not in text, service_family
    assert 'route="/docs"' in text and 'route="/openapi.json"' in text
    assert 'route="unmatched"' not in text
