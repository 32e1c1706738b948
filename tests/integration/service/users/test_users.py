"""The user endpoints: me, update, and the admin list and delete."""

from __future__ import annotations

from tests.integration.service.conftest import Shop


async def test_update_self_changes_fields_and_returns_a_token(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    me = (await shop.client.get("/api/user/me", headers=shop.bearer(token))).json()
    response = await shop.client.put(
        f"/api/user/{me['id']}",
        json={"name": "new name", "password": "better", "currentPassword": "diner"},
        headers=shop.bearer(token),
    )
    assert response.status_code == 200
    assert response.json()["user"]["name"] == "new name"
    assert response.json()["token"]
    assert await shop.login("d@jwt.com", "better")


async def test_update_someone_else_is_forbidden(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    response = await shop.client.put("/api/user/1", json={"name": "x"}, headers=shop.bearer(token))
    assert response.status_code == 403
    assert response.json() == {"message": "unauthorized"}


async def test_admin_update_of_another_user_returns_no_token_for_them(shop: Shop) -> None:
    admin = await shop.login("a@jwt.com", "admin")
    response = await shop.client.put("/api/user/2", json={"name": "x"}, headers=shop.bearer(admin))
    assert response.status_code == 200
    assert "token" not in response.json()


async def test_update_without_email_keeps_it(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    response = await shop.client.put("/api/user/2", json={"name": "n"}, headers=shop.bearer(token))
    assert response.json()["user"]["email"] == "d@jwt.com"


async def test_sql_injection_in_update_is_stored_as_plain_text(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    payload = "x', email='a@jwt.com' WHERE id=1; --"
    response = await shop.client.put(
        "/api/user/2", json={"name": payload}, headers=shop.bearer(token)
    )
    assert response.json()["user"]["name"] == payload
    assert await shop.login("a@jwt.com", "admin")


async def test_update_to_a_taken_email_is_refused(shop: Shop) -> None:
    token = await shop.login("d@jwt.com", "diner")
    response = await shop.client.put(
        "/api/user/2",
        json={"email": "A@jwt.com", "currentPassword": "diner"},
        headers=shop.bearer(token),
    )
    assert response.status_code == 409


async def test_list_users_pages_and_filters_for_admins_only(shop: Shop) -> None:
    admin = await shop.login("a@jwt.com", "admin")
    page = await shop.client.get("/api/user?page=1&limit=2&name=*", headers=shop.bearer(admin))
    assert page.status_code == 200
    assert len(page.json()["users"]) == 2 and page.json()["more"] is True
    second = await shop.client.get("/api/user?page=2&limit=2", headers=shop.bearer(admin))
    assert len(second.json()["users"]) == 1 and second.json()["more"] is False
    named = await shop.client.get("/api/user?name=*diner*", headers=shop.bearer(admin))
    assert [u["email"] for u in named.json()["users"]] == ["d@jwt.com"]
    literal = await shop.client.get("/api/user?name=%25", headers=shop.bearer(admin))
    assert literal.json()["users"] == []  # '%' is a literal, not a LIKE wildcard
    diner = await shop.login("d@jwt.com", "diner")
    assert (await shop.client.get("/api/user", headers=shop.bearer(diner))).status_code == 403


async def test_bad_paging_names_the_parameter(shop: Shop) -> None:
    admin = await shop.login("a@jwt.com", "admin")
    response = await shop.client.get("/api/user?limit=abc", headers=shop.bearer(admin))
    assert response.status_code == 400
    assert response.json()["message"].startswith("limit")


async def test_admin_deletes_a_user_and_their_sessions(shop: Shop) -> None:
    admin = await shop.login("a@jwt.com", "admin")
    diner = await shop.login("d@jwt.com", "diner")
    assert (await shop.client.delete("/api/user/2", headers=shop.bearer(diner))).status_code == 403
    response = await shop.client.delete("/api/user/2", headers=shop.bearer(admin))
    assert response.json() == {"message": "user deleted"}
    assert (await shop.client.get("/api/user/me", headers=shop.bearer(diner))).status_code == 401
    again = await shop.client.delete("/api/user/2", headers=shop.bearer(admin))
    assert again.status_code == 404
