"""Ops' admin API: no door to the factory's other admin routes through the chaos proxy, and
odd input is a clean 4xx with a message, never a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import httpx

from tests.security.kit import ADMIN, bearer, login, raw_request
from tests.security.ops_stack import ACK_SECRET, LiveOps
from tests.support.live import LivePair


def test_1_a_dot_dot_in_the_chaos_proxy_does_not_reach_another_factory_route(
    pair: LivePair, ops: LiveOps
) -> None:
    _, admin = login(pair.shop, ADMIN)
    body = json.dumps({"id": "demo", "roles": ["admin"]}).encode()
    for path in ("/api/ops/chaos/../role", "/api/ops/chaos/%2e%2e/role",
                 "/api/ops/chaos/..%2frole/x", "/api/ops/chaos/.%2e/role"):  # fmt: skip
        answer = raw_request(
            ops.url,
            f"PUT {path} HTTP/1.1\nHost: x\nConnection: close\nAuthorization: Bearer {admin}\n"
            f"Content-Type: application/json\nContent-Length: {len(body)}\n",
            body,
        )
        status = int(answer.split(b" ", 2)[1])
        assert status in (400, 403, 404), (path, answer[:300])
        assert b"apiKey" not in answer
    vendors = httpx.get(f"{pair.factory_url}/api/admin/vendors", headers=pair.admin()).json()
    demo = next(v for v in vendors if v["id"] == "demo")
    assert "admin" not in json.dumps(demo.get("roles", [])), demo


def test_1_the_chaos_proxy_still_starts_and_stops_chaos(pair: LivePair, ops: LiveOps) -> None:
    _, admin = login(pair.shop, ADMIN)
    started = ops.client.put("/api/ops/chaos/demo/fail", json={"start": "now"},
                             headers=bearer(admin))  # fmt: skip
    assert started.status_code == 200, started.text
    assert ops.client.get("/api/ops/chaos", headers=bearer(admin)).status_code == 200
    assert ops.client.delete("/api/ops/chaos/demo", headers=bearer(admin)).status_code == 200


def forged_ack(claims: dict[str, object]) -> str:
    """An ack token with these claims, signed with ops' real secret."""
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    digest = hmac.new(ACK_SECRET.encode(), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def acknowledge(ops: LiveOps, token: str) -> httpx.Response:
    """Acknowledge through a link's token (by POST where the API takes it so, else GET)."""
    answer = ops.client.post(f"/api/ops/ack/{token}")
    return ops.client.get(f"/api/ops/ack/{token}") if answer.status_code == 405 else answer


def assert_clean_4xx(response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, (response.request.url, response.text)
    assert isinstance(response.json().get("message"), str)


def test_5_odd_input_is_a_4xx_with_a_message(pair: LivePair, ops: LiveOps) -> None:
    _, admin = login(pair.shop, ADMIN)
    huge = "999999999999999999999"
    for claims in ({"p": 1, "t": "x", "n": "n", "e": 1e20},
                   {"p": 10**30, "t": "x", "n": "n", "e": 4102444800}):  # fmt: skip
        assert_clean_4xx(acknowledge(ops, forged_ack(claims)))
    for path in (f"/api/ops/incidents/{huge}", f"/api/ops/pages/{huge}",
                 f"/api/ops/incidents/{huge}/report.md", "/api/ops/chaos/%1A",
                 "/api/ops/query_range?query=up&start=nan", "/api/ops/query_range?query=up&end=inf",
                 "/api/ops/query_range?query=up&start=-inf&end=nan"):  # fmt: skip
        method = "DELETE" if "chaos" in path else "GET"
        assert_clean_4xx(ops.client.request(method, path, headers=bearer(admin)))
    for path in (f"/api/ops/incidents/{huge}/ack", f"/api/ops/pages/{huge}/ack"):
        assert_clean_4xx(ops.client.post(path, headers=bearer(admin)))
