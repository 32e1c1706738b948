"""Findings 14-15: headers on every answer, and no business figures for anonymous callers."""

from __future__ import annotations

from pathlib import Path

import httpx

from jwtpizza.factory.app import create_app as create_factory
from tests.support.live import LivePair, factory_settings, free_port, live_pair, serving


def test_14_security_headers_on_every_answer(pair: LivePair) -> None:
    for url in (
        f"{pair.service_url}/api/order/menu",
        f"{pair.service_url}/no/such/route",
        f"{pair.service_url}/docs",
        f"{pair.factory_url}/api/docs",
        f"{pair.factory_url}/.well-known/jwks.json",
    ):
        response = httpx.get(url)
        assert response.headers["x-content-type-options"] == "nosniff", url
        assert response.headers["referrer-policy"] == "no-referrer", url
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], url
        assert response.headers["x-frame-options"] == "DENY", url
        assert "server" not in response.headers, url


def test_14_a_wrong_method_says_which_are_allowed(pair: LivePair) -> None:
    response = pair.shop.patch("/api/order/menu")
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "PUT"}
    assert response.json() == {"message": "method not allowed"}


def test_15_business_figures_need_the_metrics_token_outside_demo(tmp_path: Path) -> None:
    with live_pair(tmp_path, demo=False, metrics_token="scrape-secret-123") as pair:
        for path in ("/metrics", "/api/health/integrity"):
            assert pair.shop.get(path).status_code == 401, path
            wrong = pair.shop.get(path, headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            right = pair.shop.get(path, headers={"Authorization": "Bearer scrape-secret-123"})
            assert right.status_code == 200, path


def test_15_without_a_token_outside_demo_they_are_closed(tmp_path: Path) -> None:
    with live_pair(tmp_path, demo=False) as pair:
        response = pair.shop.get("/metrics")
        assert response.status_code == 401
        assert "JWTPIZZA_METRICS_TOKEN" in response.json()["message"]


def test_15_factory_metrics_need_the_token_outside_demo(tmp_path: Path) -> None:
    port = free_port()
    settings = factory_settings(tmp_path, port, demo=False, metrics_token="factory-scrape-9")
    with serving(create_factory(settings), port) as base:
        assert httpx.get(f"{base}/metrics").status_code == 401
        headers = {"Authorization": "Bearer factory-scrape-9"}
        assert httpx.get(f"{base}/metrics", headers=headers).status_code == 200
