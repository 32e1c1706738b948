"""Findings 1-7 and 16: accounts, logins, sessions and vendor keys, attacked over HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.security.kit import ADMIN, DINER, at_once, bearer, login, register
from tests.support.live import LivePair, live_pair


def test_1_a_burst_of_guesses_cannot_race_past_the_login_limit(tmp_path: Path) -> None:
    # Real bcrypt cost: 49 wrong guesses at once keep bcrypt busy for well over a second, and
    # the right password follows half a second later, while (before the fix) none had yet
    # been counted as a failure.
    with live_pair(tmp_path, bcrypt_rounds=11, login_max_failures=5) as pair:
        register(pair.shop, "victim", "victim@jwt.com", "right-password")
        wrong = {"json": {"email": "victim@jwt.com", "password": "wrong"}}
        right = {"json": {"email": "victim@jwt.com", "password": "right-password"}}
        statuses = at_once(
            pair.service_url,
            [("PUT", "/api/auth", wrong)] * 49 + [("PUT", "/api/auth", right)],
            delays=[0.0] * 49 + [0.5],
        )
    assert statuses[-1] == 429
    assert statuses[:49].count(404) == 5
    assert set(statuses[:49]) == {404, 429}


def test_1_a_successful_login_gives_its_reserved_attempt_back(pair: LivePair) -> None:
    for _ in range(10):
        login(pair.shop, DINER)


def test_2_look_alike_emails_share_the_account_quota(pair: LivePair) -> None:
    for _ in range(5):
        response = pair.shop.put("/api/auth", json={"email": "d@jwt.com", "password": "nope"})
        assert response.status_code == 404
    for variant in (" d@jwt.com", "d@jwt.com\t", "\xa0d@jwt.com", "d@jwt.com\u3000",
                    "D@JWT.COM", "\uff44@jwt.com"):  # fmt: skip
        response = pair.shop.put("/api/auth", json={"email": variant, "password": "diner"})
        assert response.status_code == 429, (repr(variant), response.text)


def test_2_a_fullwidth_email_is_the_same_account(pair: LivePair) -> None:
    response = pair.shop.post(
        "/api/auth", json={"name": "twin", "email": "\uff44@jwt.com", "password": "pw-twin"}
    )
    assert response.status_code == 409
    assert response.json() == {"message": "email address already registered"}
    # ...and a variant of a known email logs in as that account.
    user_id, _ = login(pair.shop, {"email": " D@jwt.com\u3000", "password": "diner"})
    assert user_id == login(pair.shop, DINER)[0]


def test_3_forwarded_for_from_an_untrusted_peer_does_not_choose_the_address(
    pair: LivePair,
) -> None:
    # 5 failures per account x 6 = 30 per address, whatever X-Forwarded-For says.
    statuses = [
        pair.shop.put(
            "/api/auth",
            json={"email": f"nobody{i}@jwt.com", "password": "x"},
            headers={"X-Forwarded-For": f"10.0.{i // 250}.{i % 250}"},
        ).status_code
        for i in range(40)
    ]
    assert statuses[:30] == [404] * 30
    assert set(statuses[30:]) == {429}


def test_3_factory_code_requests_are_limited_whatever_forwarded_for_says(
    pair: LivePair,
) -> None:
    with httpx.Client(base_url=pair.factory_url) as factory:
        statuses = [
            factory.post(
                "/api/vendor/code",
                json={"id": f"ghost{i}"},
                headers={"X-Forwarded-For": f"10.1.{i // 250}.{i % 250}"},
            ).status_code
            for i in range(70)
        ]
    assert 429 in statuses
    assert statuses.index(429) == 60


def test_3_a_configured_proxy_may_name_the_client(tmp_path: Path) -> None:
    with live_pair(tmp_path, trusted_proxies=["127.0.0.1"]) as pair:
        for i in range(40):
            response = pair.shop.put(
                "/api/auth",
                json={"email": f"nobody{i}@jwt.com", "password": "x"},
                headers={"X-Forwarded-For": f"203.0.113.7, 10.0.0.{i}"},
            )
            assert response.status_code == 404, i


def test_4_invalid_registrations_never_reach_bcrypt(tmp_path: Path) -> None:
    # At cost 16 one hash takes seconds: only answers that skip bcrypt come back quickly.
    with live_pair(tmp_path, bcrypt_rounds=16) as pair:
        started = time.monotonic()
        bad = [
            {"name": "x", "email": "not-an-email", "password": "secret"},
            {"name": "x", "email": "d@jwt.com", "password": "secret"},
            {"name": "x", "email": "new@jwt.com", "password": "p" * 73},
            {"name": "", "email": "new@jwt.com", "password": "secret"},
        ]
        statuses = at_once(pair.service_url, [("POST", "/api/auth", {"json": b}) for b in bad])
        assert statuses == [400, 409, 400, 400]
        assert time.monotonic() - started < 2.0


def test_4_and_16_registration_is_limited_per_address(pair: LivePair) -> None:
    statuses = [
        pair.shop.post(
            "/api/auth",
            json={"name": "probe", "email": "d@jwt.com", "password": "secret"},
            headers={"X-Forwarded-For": f"10.2.0.{i}"},
        ).status_code
        for i in range(60)
    ]
    assert statuses[0] == 409
    assert 429 in statuses
    assert set(statuses[statuses.index(429) :]) == {429}


def test_5_an_overlong_password_is_a_counted_failure_not_a_500(pair: LivePair) -> None:
    for _ in range(5):
        response = pair.shop.put("/api/auth", json={"email": "d@jwt.com", "password": "x" * 73})
        assert response.status_code == 404, response.text
    response = pair.shop.put("/api/auth", json=DINER)
    assert response.status_code == 429


def test_6_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    pair: LivePair,
) -> None:
    user_id, stolen = login(pair.shop, DINER)
    _, mine = login(pair.shop, DINER)
    path = f"/api/user/{user_id}"
    taken_over = pair.shop.put(path, json={"password": "attacker"}, headers=bearer(stolen))
    assert taken_over.status_code == 400
    assert "currentPassword" in taken_over.json()["message"]
    wrong = pair.shop.put(
        path, json={"password": "new", "currentPassword": "guess"}, headers=bearer(stolen)
    )
    assert wrong.status_code == 403
    moved = pair.shop.put(path, json={"email": "mine@evil.com"}, headers=bearer(stolen))
    assert moved.status_code == 400
    changed = pair.shop.put(
        path, json={"password": "new-pw", "currentPassword": "diner"}, headers=bearer(mine)
    )
    assert changed.status_code == 200, changed.text
    assert pair.shop.get("/api/user/me", headers=bearer(stolen)).status_code == 401
    assert pair.shop.get("/api/user/me", headers=bearer(changed.json()["token"])).status_code == 200
    # A name alone needs no password.
    renamed = pair.shop.put(path, json={"name": "Dee"}, headers=bearer(changed.json()["token"]))
    assert renamed.status_code == 200


def test_6_an_admin_reset_ends_every_session_of_the_user(pair: LivePair) -> None:
    user_id, stolen = login(pair.shop, DINER)
    _, admin = login(pair.shop, ADMIN)
    reset = pair.shop.put(
        f"/api/user/{user_id}", json={"password": "reset-pw"}, headers=bearer(admin)
    )
    assert reset.status_code == 200, reset.text
    assert pair.shop.get("/api/user/me", headers=bearer(stolen)).status_code == 401
    assert pair.shop.get("/api/user/me", headers=bearer(admin)).status_code == 200


def test_7_nobody_self_registers_a_vendor_with_a_chosen_email(pair: LivePair) -> None:
    with httpx.Client(base_url=pair.factory_url) as factory:
        chosen = factory.post("/api/vendor", json={"id": "mallory", "email": "m@evil.com"})
        assert chosen.status_code == 400, chosen.text
        smuggled = factory.post("/api/vendor", json={"id": "m@evil.com,x"})
        assert smuggled.status_code == 400, smuggled.text
        derived = factory.post("/api/vendor", json={"id": "alice"})
        assert derived.status_code == 200, derived.text
        assert derived.json()["email"] == "alice@byu.edu"
        assert "apiKey" not in derived.json()
        code = factory.post("/api/vendor/code", json={"id": "alice"})
        assert code.json() == {"email": "alice@byu.edu"}
        # An admin may create a vendor with any address.
        by_admin = factory.post(
            "/api/vendor", json={"id": "guest", "email": "guest@example.org"}, headers=pair.admin()
        )
        assert by_admin.status_code == 200, by_admin.text
        assert by_admin.json()["email"] == "guest@example.org"


def test_7_without_a_domain_only_an_admin_creates_vendors(tmp_path: Path) -> None:
    with (
        live_pair(tmp_path, factory_overrides={"vendor_email_domain": ""}) as pair,
        httpx.Client(base_url=pair.factory_url) as factory,
    ):
        refused = factory.post("/api/vendor", json={"id": "bob"})
        assert refused.status_code == 403, refused.text
        made = factory.post("/api/vendor", json={"id": "bob"}, headers=pair.admin())
        assert made.status_code == 200, made.text


def test_4_a_refused_attempt_is_answered_late(tmp_path: Path) -> None:
    # A client hammering in a loop gets one refusal per connection per delay, not thousands.
    with live_pair(tmp_path, refused_answer_delay_seconds=0.5) as pair:
        for _ in range(5):
            pair.shop.put("/api/auth", json={"email": "d@jwt.com", "password": "nope"})
        started = time.monotonic()
        refused = pair.shop.put("/api/auth", json={"email": "d@jwt.com", "password": "nope"})
        assert refused.status_code == 429
        assert time.monotonic() - started >= 0.5
