"""The per-process principal cache never outlives a revocation: logout, role grants and
removals, and account changes on one replica apply to the next request on another, with
both replicas' caches warm."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from jwtpizza.service.auth.models import Session as TokenSession
from tests.integration.service.conftest import MakeShop, Shop


async def me(shop: Shop, token: str) -> tuple[int, dict[str, object]]:
    response = await shop.client.get("/api/user/me", headers=shop.bearer(token))
    return response.status_code, response.json()


@pytest.mark.usefixtures("long_lease")
async def test_logout_on_one_replica_revokes_on_the_other_at_once(make_shop: MakeShop) -> None:
    first, second = await make_shop(), await make_shop()
    token = await first.login("d@jwt.com", "diner")
    other = await first.login("a@jwt.com", "admin")
    for _ in range(2):  # the second read is served from the cache
        assert (await me(second, token))[0] == 200
        assert (await me(second, other))[0] == 200
    assert (await first.client.delete("/api/auth", headers=first.bearer(token))).status_code == 200
    assert (await me(second, token))[0] == 401
    assert (await me(first, token))[0] == 401
    assert (await me(second, other))[0] == 200  # another session is untouched


@pytest.mark.usefixtures("long_lease")
async def test_role_grant_and_removal_apply_on_the_other_replica_at_once(
    make_shop: MakeShop,
) -> None:
    first, second = await make_shop(), await make_shop()
    diner = await first.login("d@jwt.com", "diner")
    admin = await first.login("a@jwt.com", "admin")
    assert (await me(second, diner))[1]["roles"] == [{"role": "diner"}]
    created = await first.client.post(
        "/api/franchise",
        json={"name": "dinerFranchise", "admins": [{"email": "d@jwt.com"}]},
        headers=first.bearer(admin),
    )
    franchise_id = created.json()["id"]
    store = {"name": "Provo"}
    path = f"/api/franchise/{franchise_id}/store"
    assert (await me(second, diner))[1]["roles"] == [
        {"role": "diner"}, {"role": "franchisee", "objectId": franchise_id}
    ]  # fmt: skip
    opened = await second.client.post(path, json=store, headers=second.bearer(diner))
    assert opened.status_code == 200
    gone = await first.client.delete(f"/api/franchise/{franchise_id}", headers=first.bearer(admin))
    assert gone.status_code == 200
    assert (await me(second, diner))[1]["roles"] == [{"role": "diner"}]
    refused = await second.client.post(path, json=store, headers=second.bearer(diner))
    assert refused.status_code == 403


@pytest.mark.usefixtures("long_lease")
async def test_account_changes_apply_on_the_other_replica_at_once(make_shop: MakeShop) -> None:
    first, second = await make_shop(), await make_shop()
    diner = await first.login("d@jwt.com", "diner")
    admin = await first.login("a@jwt.com", "admin")
    status, body = await me(second, diner)
    assert status == 200 and body["name"] == "pizza diner"
    renamed = await first.client.put(
        f"/api/user/{body['id']}", json={"name": "renamed"}, headers=first.bearer(diner)
    )
    assert renamed.status_code == 200
    assert (await me(second, diner))[1]["name"] == "renamed"
    deleted = await first.client.delete(f"/api/user/{body['id']}", headers=first.bearer(admin))
    assert deleted.status_code in (200, 204)
    assert (await me(second, diner))[0] == 401


async def test_a_remembered_token_altered_by_one_character_is_refused(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    assert (await me(shop, token))[0] == 200  # remembered now
    head, payload, signature = token.split(".")
    flipped = "A" if signature[0] != "A" else "B"
    for altered in (f"{head}.{payload}.{flipped}{signature[1:]}", token + "x"):
        assert (await me(shop, altered))[0] == 401
    assert (await me(shop, token))[0] == 200


async def test_a_remembered_token_ends_at_its_own_expiry_even_if_its_session_lasts(
    shop: Shop,
) -> None:
    token = await shop.login("d@jwt.com", "diner")
    assert (await me(shop, token))[0] == 200  # remembered now
    later = shop.clock.now() + timedelta(days=30)
    # Edited by hand, outside the service's sessions: the `auth` stamp does not move.
    async with shop.context.db.write_engine.begin() as connection:
        await connection.execute(update(TokenSession).values(expires_at=later))
    shop.clock.advance(shop.context.settings.token_ttl_seconds + 1)
    assert (await me(shop, token))[0] == 401
