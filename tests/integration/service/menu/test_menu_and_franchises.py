"""Menu and franchise endpoints, with the original's role rules and messages."""

from __future__ import annotations

import pytest

from tests.integration.service.conftest import MakeShop, Shop


async def test_menu_is_public_and_priced(shop: Shop) -> None:
    menu = (await shop.client.get("/api/order/menu")).json()
    assert [item["title"] for item in menu][:2] == ["Veggie", "Pepperoni"]
    assert menu[0] == {
        "id": 1, "title": "Veggie", "image": "pizza1.png", "price": 0.0038,
        "description": "A garden of delight",
    }  # fmt: skip


async def test_only_admins_add_menu_items(shop: Shop) -> None:
    item = {"title": "Student", "description": "carbs", "image": "pizza9.png", "price": 0.0001}
    diner = await shop.login("d@jwt.com", "diner")
    refused = await shop.client.put("/api/order/menu", json=item, headers=shop.bearer(diner))
    assert refused.status_code == 403
    assert refused.json() == {"message": "unable to add menu item"}
    admin = await shop.login("a@jwt.com", "admin")
    added = await shop.client.put("/api/order/menu", json=item, headers=shop.bearer(admin))
    assert added.status_code == 200 and added.json()[-1]["title"] == "Student"
    negative = await shop.client.put(
        "/api/order/menu", json={**item, "price": -1}, headers=shop.bearer(admin)
    )
    assert negative.status_code == 400 and negative.json()["message"].startswith("price")


async def test_franchise_list_shows_revenue_to_admins_only(shop: Shop) -> None:
    public = (await shop.client.get("/api/franchise?page=0&limit=10&name=*")).json()
    assert public == {
        "franchises": [{"id": 1, "name": "pizzaPocket", "stores": [{"id": 1, "name": "SLC"}]}],
        "more": False,
    }
    admin = await shop.login("a@jwt.com", "admin")
    seen = (await shop.client.get("/api/franchise", headers=shop.bearer(admin))).json()
    franchise = seen["franchises"][0]
    assert franchise["admins"][0]["email"] == "f@jwt.com"
    assert franchise["stores"][0]["totalRevenue"] == 0


async def test_franchise_paging_and_injection_in_limit(shop: Shop) -> None:
    bad = await shop.client.get("/api/franchise?limit=1;DROP TABLE users")
    assert bad.status_code == 400 and bad.json()["message"].startswith("limit")
    admin = await shop.login("a@jwt.com", "admin")
    for name in ("b1", "b2", "b3"):
        await shop.client.post("/api/franchise", json={"name": name}, headers=shop.bearer(admin))
    page = (await shop.client.get("/api/franchise?page=1&limit=2&name=b*")).json()
    assert [f["name"] for f in page["franchises"]] == ["b3"] and page["more"] is False


async def test_user_franchises_for_self_or_admin_else_empty(shop: Shop) -> None:
    franchisee = await shop.login("f@jwt.com", "franchisee")
    mine = (await shop.client.get("/api/franchise/3", headers=shop.bearer(franchisee))).json()
    assert mine[0]["name"] == "pizzaPocket" and mine[0]["stores"][0]["totalRevenue"] == 0
    diner = await shop.login("d@jwt.com", "diner")
    assert (await shop.client.get("/api/franchise/3", headers=shop.bearer(diner))).json() == []


async def test_create_franchise_rules(shop: Shop) -> None:
    body = {"name": "newPocket", "admins": [{"email": "d@jwt.com"}]}
    diner = await shop.login("d@jwt.com", "diner")
    refused = await shop.client.post("/api/franchise", json=body, headers=shop.bearer(diner))
    assert refused.json() == {"message": "unable to create a franchise"}
    admin = await shop.login("a@jwt.com", "admin")
    created = await shop.client.post("/api/franchise", json=body, headers=shop.bearer(admin))
    assert created.json()["admins"] == [{"id": 2, "name": "pizza diner", "email": "d@jwt.com"}]
    dup = await shop.client.post("/api/franchise", json=body, headers=shop.bearer(admin))
    assert dup.status_code == 409
    unknown = await shop.client.post(
        "/api/franchise",
        json={"name": "ghost", "admins": [{"email": "ghost@jwt.com"}]},
        headers=shop.bearer(admin),
    )
    assert unknown.status_code == 404
    assert unknown.json() == {"message": "unknown user for franchise admin ghost@jwt.com provided"}
    listed = (await shop.client.get("/api/franchise?name=ghost")).json()
    assert listed["franchises"] == []


async def test_deleting_a_franchise_needs_an_admin(shop: Shop) -> None:
    anonymous = await shop.client.delete("/api/franchise/1")
    assert anonymous.status_code == 401
    franchisee = await shop.login("f@jwt.com", "franchisee")
    assert (
        await shop.client.delete("/api/franchise/1", headers=shop.bearer(franchisee))
    ).status_code == 403
    admin = await shop.login("a@jwt.com", "admin")
    deleted = await shop.client.delete("/api/franchise/1", headers=shop.bearer(admin))
    assert deleted.json() == {"message": "franchise deleted"}
    assert (await shop.client.get("/api/franchise")).json()["franchises"] == []
    me = await shop.client.get("/api/user/me", headers=shop.bearer(franchisee))
    assert me.json()["roles"] == [{"role": "diner"}]


async def test_stores_are_managed_by_admins_and_their_franchisees(shop: Shop) -> None:
    diner = await shop.login("d@jwt.com", "diner")
    refused = await shop.client.post(
        "/api/franchise/1/store", json={"name": "PROVO"}, headers=shop.bearer(diner)
    )
    assert refused.json() == {"message": "unable to create a store"}
    franchisee = await shop.login("f@jwt.com", "franchisee")
    store = await shop.client.post(
        "/api/franchise/1/store", json={"name": "PROVO"}, headers=shop.bearer(franchisee)
    )
    assert store.json() == {"id": 2, "franchiseId": 1, "name": "PROVO"}
    refused_delete = await shop.client.delete(
        "/api/franchise/1/store/2", headers=shop.bearer(diner)
    )
    assert refused_delete.json() == {"message": "unable to delete a store"}
    gone = await shop.client.delete("/api/franchise/1/store/2", headers=shop.bearer(franchisee))
    assert gone.json() == {"message": "store deleted"}
    admin = await shop.login("a@jwt.com", "admin")
    missing = await shop.client.post(
        "/api/franchise/99/store", json={"name": "X"}, headers=shop.bearer(admin)
    )
    assert missing.status_code == 404


@pytest.mark.usefixtures("long_lease")
async def test_menu_write_on_one_replica_is_seen_by_the_next_read_on_another(
    make_shop: MakeShop,
) -> None:
    first, second = await make_shop(), await make_shop()  # two replicas, one database
    before = await second.client.get("/api/order/menu")  # fills the second's cache
    etag = before.headers["etag"]
    unchanged = await second.client.get("/api/order/menu", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    admin = await first.login("a@jwt.com", "admin")
    item = {"title": "Student", "description": "carbs", "image": "pizza9.png", "price": 0.0001}
    added = await first.client.put("/api/order/menu", json=item, headers=first.bearer(admin))
    assert added.status_code == 200
    after = await second.client.get("/api/order/menu", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    assert after.json()[-1]["title"] == "Student"
    assert after.json()[:-1] == before.json()


@pytest.mark.usefixtures("long_lease")
async def test_franchise_writes_on_one_replica_are_seen_by_the_next_read_on_another(
    make_shop: MakeShop,
) -> None:
    first, second = await make_shop(), await make_shop()  # two replicas, one database
    before = await second.client.get("/api/franchise")  # fills the second's cache
    etag = before.headers["etag"]
    unchanged = await second.client.get("/api/franchise", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    admin = first.bearer(await first.login("a@jwt.com", "admin"))
    created = await first.client.post("/api/franchise", json={"name": "Nord"}, headers=admin)
    franchise_id = created.json()["id"]
    seen = await second.client.get("/api/franchise", headers={"If-None-Match": etag})
    assert seen.status_code == 200 and seen.headers["etag"] != etag
    assert seen.json()["franchises"][-1] == {"id": franchise_id, "name": "Nord", "stores": []}
    store = await first.client.post(
        f"/api/franchise/{franchise_id}/store", json={"name": "Oslo"}, headers=admin
    )
    listed = (await second.client.get("/api/franchise")).json()["franchises"][-1]
    assert listed["stores"] == [{"id": store.json()["id"], "name": "Oslo"}]
    await first.client.delete(
        f"/api/franchise/{franchise_id}/store/{store.json()['id']}", headers=admin
    )
    assert (await second.client.get("/api/franchise")).json()["franchises"][-1]["stores"] == []
    await first.client.delete(f"/api/franchise/{franchise_id}", headers=admin)
    assert (await second.client.get("/api/franchise")).json() == before.json()


async def test_franchise_pages_and_filters_are_cached_apart(shop: Shop) -> None:
    everything = await shop.client.get("/api/franchise", params={"limit": 100})
    none = await shop.client.get("/api/franchise", params={"name": "no such*"})
    assert none.json() == {"franchises": [], "more": False}
    assert everything.json()["franchises"] and everything.headers["etag"] != none.headers["etag"]


async def test_a_franchisees_list_has_an_etag_and_moves_with_revenue(shop: Shop) -> None:
    franchisee = shop.bearer(await shop.login("f@jwt.com", "franchisee"))
    me = (await shop.client.get("/api/user/me", headers=franchisee)).json()
    first = await shop.client.get(f"/api/franchise/{me['id']}", headers=franchisee)
    etag = first.headers["etag"]
    again = await shop.client.get(
        f"/api/franchise/{me['id']}", headers={**franchisee, "If-None-Match": etag}
    )
    assert again.status_code == 304
    diner = shop.bearer(await shop.login("d@jwt.com", "diner"))
    order = {
        "franchiseId": 1,
        "storeId": 1,
        "items": [{"menuId": 1, "description": "Veggie", "price": 0.05}],
    }
    assert (await shop.client.post("/api/order", json=order, headers=diner)).status_code == 200
    moved = await shop.client.get(
        f"/api/franchise/{me['id']}", headers={**franchisee, "If-None-Match": etag}
    )
    assert moved.status_code == 200
    assert (
        moved.json()[0]["stores"][0]["totalRevenue"] > first.json()[0]["stores"][0]["totalRevenue"]
    )
