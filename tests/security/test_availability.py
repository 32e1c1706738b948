"""Findings 8-10: bodies, list sizes and bad input must not cost memory or answer 500."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt

from tests.security.kit import ADMIN, bearer, login, raw_request
from tests.support.live import LivePair, live_pair


def test_8_an_announced_huge_body_is_refused_before_it_is_sent(pair: LivePair) -> None:
    for base in (pair.service_url, pair.factory_url):
        started = time.monotonic()
        answer = raw_request(
            base,
            "PUT /api/auth HTTP/1.1\nHost: x\nContent-Type: application/json\n"
            f"Content-Length: {100 * 1024 * 1024}\n",
            b'{"email": "',
        )
        assert answer.startswith(b"HTTP/1.1 413"), (base, answer[:200])
        assert b"request body too large" in answer
        assert time.monotonic() - started < 4


def test_8_a_chunked_body_is_cut_off_at_the_limit(pair: LivePair) -> None:
    def chunks() -> object:
        for _ in range(200):
            yield b"x" * 1024

    for url in (f"{pair.service_url}/api/auth", f"{pair.factory_url}/api/vendor"):
        response = httpx.post(url, content=chunks(), timeout=10)
        assert response.status_code == 413, (url, response.text)


def test_8_a_body_under_the_limit_still_works(pair: LivePair) -> None:
    response = pair.shop.put("/api/auth", json={**ADMIN, "padding": "x" * 60_000})
    assert response.status_code == 200


def test_9_stores_per_franchise_are_bounded(tmp_path: Path) -> None:
    with live_pair(tmp_path, max_stores_per_franchise=3) as pair:
        _, admin = login(pair.shop, ADMIN)
        franchise = pair.shop.post(
            "/api/franchise", json={"name": "Sprawl", "admins": []}, headers=bearer(admin)
        ).json()
        path = f"/api/franchise/{franchise['id']}/store"
        for i in range(3):
            made = pair.shop.post(path, json={"name": f"s{i}"}, headers=bearer(admin))
            assert made.status_code == 200, made.text
        refused = pair.shop.post(path, json={"name": "one too many"}, headers=bearer(admin))
        assert refused.status_code == 409
        assert refused.json() == {"message": "a franchise has at most 3 stores"}
        # The stores of a franchise also come a page at a time, for anyone.
        first = pair.shop.get(path, params={"limit": 2}).json()
        assert [s["name"] for s in first["stores"]] == ["s0", "s1"] and first["more"] is True
        second = pair.shop.get(path, params={"limit": 2, "page": 1}).json()
        assert [s["name"] for s in second["stores"]] == ["s2"] and second["more"] is False


def test_9_store_and_franchise_names_are_short(pair: LivePair) -> None:
    _, admin = login(pair.shop, ADMIN)
    long_name = pair.shop.post(
        "/api/franchise", json={"name": "n" * 101, "admins": []}, headers=bearer(admin)
    )
    assert long_name.status_code == 400
    franchise = pair.shop.post(
        "/api/franchise", json={"name": "Shortname", "admins": []}, headers=bearer(admin)
    ).json()
    store = pair.shop.post(
        f"/api/franchise/{franchise['id']}/store", json={"name": "s" * 101}, headers=bearer(admin)
    )
    assert store.status_code == 400


def test_10_an_absurd_since_is_a_400(pair: LivePair) -> None:
    _, admin = login(pair.shop, ADMIN)
    response = pair.shop.get("/api/ops/logs?since=99999999d", headers=bearer(admin))
    assert response.status_code == 400
    assert response.json()["message"].startswith("since:")


def test_10_a_non_ascii_fix_code_is_problem_unresolved(pair: LivePair) -> None:
    fault = pair.start_chaos("fail")
    token = fault.get("token") or fault["reportUrl"].split("/api/support/")[1].split("/")[0]
    response = httpx.get(f"{pair.factory_url}/api/support/{token}/report/\u00e9t\u00e9")
    assert response.status_code == 400
    assert response.json() == {"message": "Problem unresolved"}


def test_10_forged_claims_signed_with_the_secret_are_401(pair: LivePair) -> None:
    now = datetime.now(UTC)
    good = {"iat": int(now.timestamp()), "exp": int((now + timedelta(hours=1)).timestamp())}
    for claims in (
        {**good, "id": "1 OR 1=1", "jti": "x"},
        {**good, "id": 1, "exp": "abc", "jti": "x"},
        {**good, "id": 1, "iat": "yesterday", "jti": "x"},
        {**good, "id": [1], "jti": {"a": 1}},
        {**good, "id": 10**30, "jti": "x"},
    ):
        token = jwt.encode(claims, pair.jwt_secret, algorithm="HS256")
        response = pair.shop.get("/api/user/me", headers=bearer(token))
        assert response.status_code == 401, (claims, response.text)
        assert response.json() == {"message": "unauthorized"}
