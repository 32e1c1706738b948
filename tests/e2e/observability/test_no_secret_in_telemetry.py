"""No secret in any log line, metric or span after traffic that touches every endpoint.

Both apps run on loopback ports. The traffic registers, logs in (right and wrong passwords),
uses tokens, changes a password, lists and deletes users, reads and adds menu items, orders
pizzas (the service's factory calls carry the vendor API key), reads order status, creates
and deletes franchises and stores, reads docs and health, and makes `fail` chaos turn an
order into a failure with a report link. Then every log line (both log stores and stdout),
every metric (both `/metrics`) and every span (both in-memory span stores) is searched for
each secret used, and the report link must still be there for a responder to find.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from jwtpizza.observability import Observability, ObservabilitySettings
from tests.support.live import LivePair, live_pair

pytestmark = pytest.mark.slow

ORDER = {
    "franchiseId": 1,
    "storeId": 1,
    "items": [{"menuId": 1, "description": "Veggie", "price": 0.0038}],
}


class Traffic:
    """Drives the service, remembering every secret it used."""

    def __init__(self, pair: LivePair) -> None:
        self.pair = pair
        self.shop = pair.shop
        self.secrets: dict[str, str] = {
            "jwt secret": pair.jwt_secret,
            "vendor api key": pair.vendor_key,
            "factory admin key": pair.admin_key,
        }

    def password(self, name: str) -> str:
        value = f"pw-{name}-{secrets.token_urlsafe(12)}"
        self.secrets[f"password {name}"] = value
        return value

    def keep(self, name: str, value: str) -> str:
        self.secrets[name] = value
        return value

    def login(self, email: str, password: str, name: str) -> dict[str, str]:
        got = self.shop.put("/api/auth", json={"email": email, "password": password})
        assert got.status_code == 200, got.text
        token = self.keep(f"token {name}", got.json()["token"])
        return {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, status: int = 200, **kwargs: Any) -> httpx.Response:
        got = self.shop.request(method, path, **kwargs)
        assert got.status_code == status, (method, path, got.status_code, got.text)
        return got


def drive_every_endpoint(t: Traffic) -> str:
    """Traffic over every service endpoint; returns the report link of the failed order."""
    for path in ("/", "/healthz", "/readyz", "/api/docs", "/docs", "/openapi.json"):
        t.call("GET", path)

    admin = t.login("a@jwt.com", "admin", "seeded admin")
    admin_id = t.call("GET", "/api/user/me", headers=admin).json()["id"]
    admin_pw = t.password("admin")
    change = {"password": admin_pw, "currentPassword": "admin"}
    t.call("PUT", f"/api/user/{admin_id}", json=change, headers=admin)
    admin = t.login("a@jwt.com", admin_pw, "admin")
    t.call("GET", "/api/health/integrity", headers=admin)

    diner_pw = t.password("diner")
    created = t.call(
        "POST", "/api/auth", json={"name": "Pat", "email": "pat@jwt.com", "password": diner_pw}
    )
    t.keep("token registered", created.json()["token"])
    wrong = t.password("wrong")
    t.call("PUT", "/api/auth", 404, json={"email": "pat@jwt.com", "password": wrong})
    diner = t.login("pat@jwt.com", diner_pw, "diner")
    me = t.call("GET", "/api/user/me", headers=diner).json()
    new_pw = t.password("changed")
    change = {"name": "Pat", "password": new_pw, "currentPassword": diner_pw}
    updated = t.call("PUT", f"/api/user/{me['id']}", json=change, headers=diner)
    t.keep("token after update", updated.json()["token"])
    diner = t.login("pat@jwt.com", new_pw, "diner after update")

    t.call("GET", "/api/order/menu")
    item = {"title": "Secretless", "description": "no secrets", "image": "p.png", "price": 0.01}
    t.call("PUT", "/api/order/menu", json=item, headers=admin)

    pizza = t.call("POST", "/api/order", json=ORDER, headers=diner).json()
    t.keep("pizza jwt", pizza["jwt"])
    t.call("GET", "/api/order", headers=diner)
    t.call("GET", f"/api/order/{pizza['order']['id']}", headers=diner)
    verified = httpx.post(f"{t.pair.factory_url}/api/order/verify", json={"jwt": pizza["jwt"]})
    assert verified.status_code == 200

    franchise = t.call(
        "POST", "/api/franchise", json={"name": "Vault", "admins": [{"email": "pat@jwt.com"}]},
        headers=admin,
    ).json()  # fmt: skip
    store = t.call(
        "POST", f"/api/franchise/{franchise['id']}/store", json={"name": "Lobby"}, headers=diner
    ).json()
    t.call("GET", "/api/franchise")
    t.call("GET", f"/api/franchise/{me['id']}", headers=diner)
    t.call("DELETE", f"/api/franchise/{franchise['id']}/store/{store['id']}", headers=diner)
    t.call("DELETE", f"/api/franchise/{franchise['id']}", headers=admin)

    t.call("GET", "/api/user", headers=admin)
    doomed_pw = t.password("doomed")
    doomed = t.call(
        "POST", "/api/auth", json={"name": "Gone", "email": "gone@jwt.com", "password": doomed_pw}
    ).json()
    t.keep("token doomed", doomed["token"])
    t.call("DELETE", f"/api/user/{doomed['user']['id']}", headers=admin)

    vendor = {"Authorization": f"Bearer {t.pair.vendor_key}"}
    assert httpx.get(f"{t.pair.factory_url}/api/chaos/events", headers=vendor).status_code == 200
    t.pair.start_chaos("fail")
    failed = t.call("POST", "/api/order", 500, json=ORDER, headers=diner).json()
    link: str = failed["followLinkToEndChaos"]
    assert httpx.get(link).status_code == 200
    t.call("GET", "/api/ops/logs", params={"q": "report"}, headers=admin)
    t.call("DELETE", "/api/auth", headers=diner)
    return link


def log_lines(obs: Observability) -> list[str]:
    return [record.line for record in obs.store]


def span_texts(obs: Observability) -> list[str]:
    return [span.to_json(indent=None) for span in obs.tracing.recent.spans()]


def leaks(texts: dict[str, list[str]], found_secrets: dict[str, str]) -> list[str]:
    found = []
    for where, lines in texts.items():
        for line in lines:
            for name, value in found_secrets.items():
                if value in line:
                    found.append(f"{name} in {where}: {line[:300]}")
    return found


def test_no_secret_in_logs_metrics_or_spans(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    settings = ObservabilitySettings(log_stdout=True, log_store_size=100_000)
    with live_pair(tmp_path, observability=settings, resilience={"queue_enabled": False}) as pair:
        traffic = Traffic(pair)
        link = drive_every_endpoint(traffic)
        texts = {
            "service logs": log_lines(pair.service_obs),
            "factory logs": log_lines(pair.factory_obs),
            "service metrics": pair.shop.get("/metrics").text.splitlines(),
            "factory metrics": httpx.get(f"{pair.factory_url}/metrics").text.splitlines(),
            "service spans": span_texts(pair.service_obs),
            "factory spans": span_texts(pair.factory_obs),
        }
    printed = capfd.readouterr()
    texts["stdout"] = printed.out.splitlines()
    texts["stderr"] = printed.err.splitlines()

    assert len(traffic.secrets) >= 12
    assert all(texts[k] for k in texts if k != "stderr"), "a telemetry source was empty"
    assert leaks(texts, traffic.secrets) == []
    # the scan would have found them: the apps really saw these secrets
    assert any("*****" in line for line in texts["service logs"])

    routes = {json.loads(line).get("route") for line in texts["service logs"]}
    assert {"/api/auth", "/api/user/{user_id}", "/api/order", "/api/franchise"} <= routes
    service_hits = [line for line in texts["service logs"] if link in line]
    assert service_hits, "a responder must find the report link in the service's logs"
    assert any('"type":"factory"' in line for line in service_hits)
    assert any(link in line for line in texts["stdout"])
