"""Register, login, logout and the token rules, including the original's holes, closed."""

from __future__ import annotations

import asyncio

import bcrypt
import jwt
from sqlalchemy import func, select, update

from jwtpizza.service.auth.models import LimitEvent
from jwtpizza.service.auth.models import Session as TokenSession
from jwtpizza.service.users.models import User
from tests.integration.service.conftest import TEST_SECRET, MakeShop, Shop


async def test_register_returns_a_diner_and_a_working_token(shop: Shop) -> None:
    response = await shop.client.post(
        "/api/auth", json={"name": "pizza tester", "email": "T@jwt.com", "password": "test"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == "t@jwt.com"
    assert body["user"]["roles"] == [{"role": "diner"}]
    me = await shop.client.get("/api/user/me", headers=shop.bearer(body["token"]))
    assert me.json()["email"] == "t@jwt.com"
    assert isinstance(me.json()["iat"], int)


async def test_register_without_a_field_names_them(shop: Shop) -> None:
    response = await shop.client.post("/api/auth", json={"name": "x", "email": "x@jwt.com"})
    assert response.status_code == 400
    assert response.json() == {"message": "name, email, and password are required"}


async def test_duplicate_email_is_refused_and_nothing_is_written(shop: Shop) -> None:
    response = await shop.client.post(
        "/api/auth", json={"name": "again", "email": "d@jwt.com", "password": "diner2"}
    )
    assert response.status_code == 409
    assert "already registered" in response.json()["message"]
    token = await shop.login("a@jwt.com", "admin")
    users = await shop.client.get("/api/user?name=again", headers=shop.bearer(token))
    assert users.json()["users"] == []


async def test_invalid_email_is_refused_with_a_message_naming_the_field(shop: Shop) -> None:
    response = await shop.client.post(
        "/api/auth", json={"name": "x", "email": "not-an-email", "password": "secret"}
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("email:")


async def test_login_returns_roles_with_franchise_ids(shop: Shop) -> None:
    response = await shop.client.put(
        "/api/auth", json={"email": "f@jwt.com", "password": "franchisee"}
    )
    assert response.status_code == 200
    roles = response.json()["user"]["roles"]
    assert {"role": "franchisee", "objectId": 1} in roles


async def test_passwordless_login_is_refused(shop: Shop) -> None:
    for body in ({"email": "a@jwt.com"}, {"email": "a@jwt.com", "password": ""}):
        response = await shop.client.put("/api/auth", json=body)
        assert response.status_code == 404  # the original's answer for a failed login
        assert response.json() == {"message": "unknown user"}


async def test_wrong_password_and_unknown_user_look_the_same(shop: Shop) -> None:
    wrong = await shop.client.put("/api/auth", json={"email": "a@jwt.com", "password": "nope"})
    unknown = await shop.client.put(
        "/api/auth", json={"email": "unknown@jwt.com", "password": "bad"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() == {"message": "unknown user"}


async def test_brute_force_is_rate_limited_per_account(shop: Shop) -> None:
    for _ in range(5):
        response = await shop.client.put("/api/auth", json={"email": "a@jwt.com", "password": "x"})
        assert response.status_code == 404
    blocked = await shop.client.put("/api/auth", json={"email": "a@jwt.com", "password": "admin"})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    shop.clock.advance(61)
    assert (await shop.client.put(
        "/api/auth", json={"email": "a@jwt.com", "password": "admin"}
    )).status_code == 200  # fmt: skip


async def test_concurrent_right_logins_are_not_refused_as_failures(make_shop: MakeShop) -> None:
    # One account on several devices (or a load test's shared diner) logs in at once: the
    # attempts in flight hold places, but none is a failure, so every one gets in.
    shop = await make_shop(login_max_failures=2)
    body = {"email": "d@jwt.com", "password": "diner"}
    answers = await asyncio.gather(*(shop.client.put("/api/auth", json=body) for _ in range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    wrong = {"email": "d@jwt.com", "password": "wrong"}
    guesses = await asyncio.gather(*(shop.client.put("/api/auth", json=wrong) for _ in range(8)))
    assert sorted(g.status_code for g in guesses) == [404] * 2 + [429] * 6


async def test_an_account_deleted_during_its_login_is_an_unknown_user(shop: Shop) -> None:
    """The account is deleted while its password is checked: the session row would point at
    no user, so the login is refused as any unknown user is, and leaves no session."""
    db = shop.context.db
    slow_hash = bcrypt.hashpw(b"diner", bcrypt.gensalt(13)).decode()  # about half a second
    async with db.writer() as session:
        diner = (await session.execute(select(User).where(User.email == "d@jwt.com"))).scalar_one()
        await session.execute(
            update(User).where(User.id == diner.id).values(password_hash=slow_hash)
        )
    admin = shop.bearer(await shop.login("a@jwt.com", "admin"))
    login = asyncio.create_task(
        shop.client.put("/api/auth", json={"email": "d@jwt.com", "password": "diner"})
    )
    in_flight = select(func.count()).where(LimitEvent.attempt.is_not(None))
    while True:  # its place is held: the account is read next, then its password checked
        async with db.reader() as session:
            if (await session.execute(in_flight)).scalar_one():
                break
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)
    deleted = await shop.client.delete(f"/api/user/{diner.id}", headers=admin)
    assert deleted.status_code == 200, deleted.text
    refused = await login
    assert (refused.status_code, refused.json()) == (404, {"message": "unknown user"})
    async with db.reader() as session:
        sessions = select(func.count()).where(TokenSession.user_id == diner.id)
        assert (await session.execute(sessions)).scalar_one() == 0


async def test_tokens_carry_an_expiry_and_stop_working_after_it(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    claims = jwt.decode(token, TEST_SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["exp"] - claims["iat"] == shop.context.settings.token_ttl_seconds
    assert (await shop.client.get("/api/user/me", headers=shop.bearer(token))).status_code == 200
    shop.clock.advance(shop.context.settings.token_ttl_seconds + 1)
    expired = await shop.client.get("/api/user/me", headers=shop.bearer(token))
    assert expired.status_code == 401
    assert expired.json() == {"message": "unauthorized"}


async def test_logout_revokes_every_copy_and_a_new_login_gets_a_new_token(shop: Shop) -> None:
    first = await shop.login("d@jwt.com", "diner")
    second = await shop.login("d@jwt.com", "diner")
    assert first != second  # same second, yet distinct tokens (the original reused them)
    out = await shop.client.delete("/api/auth", headers=shop.bearer(first))
    assert out.json() == {"message": "logout successful"}
    assert (await shop.client.get("/api/user/me", headers=shop.bearer(first))).status_code == 401
    assert (await shop.client.get("/api/user/me", headers=shop.bearer(second))).status_code == 200
    await shop.login("d@jwt.com", "diner")
    assert (await shop.client.get("/api/user/me", headers=shop.bearer(first))).status_code == 401


async def test_forged_and_foreign_tokens_are_refused(shop: Shop) -> None:
    forged = jwt.encode(
        {"id": 1, "roles": [{"role": "admin"}], "iat": 0, "exp": 2**40, "jti": "x"},
        "a-guessed-secret-that-is-long-enough-for-hs256!",
        algorithm="HS256",
    )
    unsigned = jwt.encode({"id": 1, "jti": "x", "iat": 0, "exp": 2**40}, None, algorithm="none")
    for token in (forged, unsigned, "garbage"):
        response = await shop.client.get("/api/user/me", headers=shop.bearer(token))
        assert response.status_code == 401


async def test_role_changes_apply_without_logging_in_again(shop: Shop) -> None:
    diner = await shop.login("d@jwt.com", "diner")
    admin = await shop.login("a@jwt.com", "admin")
    created = await shop.client.post(
        "/api/franchise",
        json={"name": "dinerFranchise", "admins": [{"email": "d@jwt.com"}]},
        headers=shop.bearer(admin),
    )
    assert created.status_code == 200
    me = await shop.client.get("/api/user/me", headers=shop.bearer(diner))
    franchise_id = created.json()["id"]
    assert {"role": "franchisee", "objectId": franchise_id} in me.json()["roles"]
