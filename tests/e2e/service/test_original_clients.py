"""Clients written for the original work unchanged: the course's data script and traffic
loops, replayed with real `curl` over a real socket, get the documented shapes, statuses and
messages. Only the first admin is made by us (`jwtpizza admin create`); everything else is
the original script's requests."""

from __future__ import annotations

import asyncio
import json
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jwtpizza.db import Database
from jwtpizza.factory.app import create_app as create_factory
from jwtpizza.factory.demo import ensure_demo_vendor
from jwtpizza.service.app import create_app as create_service
from jwtpizza.service.resilience import ResilienceSettings
from jwtpizza.service.seed import migrate
from jwtpizza.service.settings import ServiceSettings
from jwtpizza.service.users import service as users
from jwtpizza.service.users.models import Role
from jwtpizza.service.users.passwords import hash_password
from tests.support.live import factory_settings, free_port, serving

MENU = [
    ("Veggie", "A garden of delight", "pizza1.png", 0.0038),
    ("Pepperoni", "Spicy treat", "pizza2.png", 0.0042),
    ("Margarita", "Essential classic", "pizza3.png", 0.0042),
    ("Crusty", "A dry mouthed favorite", "pizza4.png", 0.0028),
    ("Charred Leopard", "For those with a darker side", "pizza5.png", 0.0099),
]


async def _first_admin(url: str) -> None:
    db = Database(url)
    await migrate(db)
    async with db.writer() as session:
        await users.create(
            session=session,
            name="常用名字",
            email="a@jwt.com",
            password_hash=await hash_password("admin", rounds=4),
            roles=[Role.ADMIN],
        )
    await db.dispose()


@pytest.fixture
def host(tmp_path: Path) -> Iterator[str]:
    factory_port, service_port = free_port(), free_port()
    fsettings = factory_settings(tmp_path, factory_port).model_copy(
        update={"order_delay_seconds": 0.5}
    )
    vendor_key = asyncio.run(ensure_demo_vendor(fsettings))
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    asyncio.run(_first_admin(database_url))
    settings = ServiceSettings(
        database_url=database_url,
        jwt_secret="original-clients-secret-0123456789abcdef",
        bcrypt_rounds=4,
        factory_url=f"http://127.0.0.1:{factory_port}",
        factory_api_key=vendor_key,
        # The original answered only when the factory had; so does a patient wait budget
        # (a loaded test machine must not turn a 200 into a 202).
        resilience=ResilienceSettings(queue_wait_budget_seconds=30),
    )
    with (
        serving(create_factory(fsettings), factory_port),
        serving(create_service(settings), service_port) as url,
    ):
        yield url


def curl(*args: str) -> tuple[int, Any]:
    """Run curl as the original scripts do; the status and the parsed JSON body."""
    out = subprocess.run(
        ["curl", "-s", "-w", "\n%{http_code}", *args], capture_output=True, text=True, check=True
    ).stdout
    body, _, status = out.rpartition("\n")
    return int(status), json.loads(body) if body else None


def keys_of(value: Any) -> Any:
    """The shape of a JSON value: its keys, recursively, with lists by their first item."""
    if isinstance(value, dict):
        return {key: keys_of(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys_of(value[0])] if value else []
    return type(value).__name__ if isinstance(value, (bool, str)) else "number"


def test_the_course_data_script_and_traffic_loops(host: str) -> None:
    json_header = "Content-Type: application/json"
    status, admin = curl(
        "-X",
        "PUT",
        f"{host}/api/auth",
        "-d",
        '{"email":"a@jwt.com", "password":"admin"}',
        "-H",
        json_header,
    )
    assert status == 200 and admin["user"]["roles"] == [{"role": "admin"}]
    auth = f"Authorization: Bearer {admin['token']}"
    for name, email, password in (
        ("pizza diner", "d@jwt.com", "diner"),
        ("pizza franchisee", "f@jwt.com", "franchisee"),
    ):
        body = json.dumps({"name": name, "email": email, "password": password})
        status, registered = curl("-X", "POST", f"{host}/api/auth", "-d", body, "-H", json_header)
        assert status == 200 and set(registered) == {"user", "token"}
    for title, description, image, price in MENU:
        item = json.dumps(
            {"title": title, "description": description, "image": image, "price": price}
        )
        status, menu = curl(
            "-X", "PUT", f"{host}/api/order/menu", "-H", json_header, "-d", item, "-H", auth
        )
        assert status == 200
    assert [m["title"] for m in menu] == [m[0] for m in MENU]
    franchise = '{"name": "pizzaPocket", "admins": [{"email": "f@jwt.com"}]}'
    status, created = curl(
        "-X", "POST", f"{host}/api/franchise", "-H", json_header, "-H", auth, "-d", franchise
    )
    assert status == 200 and created["admins"][0]["email"] == "f@jwt.com"
    status, store = curl(
        "-X",
        "POST",
        f"{host}/api/franchise/1/store",
        "-H",
        json_header,
        "-d",
        '{"franchiseId": 1, "name":"SLC"}',
        "-H",
        auth,
    )
    assert status == 200 and store == {"id": 1, "franchiseId": 1, "name": "SLC"}

    # The traffic script's loops, once each.
    assert curl(f"{host}/api/order/menu")[0] == 200
    bad = curl(
        "-X",
        "PUT",
        f"{host}/api/auth",
        "-d",
        '{"email":"unknown@jwt.com", "password":"bad"}',
        "-H",
        json_header,
    )
    assert bad == (404, {"message": "unknown user"})
    status, diner = curl(
        "-X",
        "PUT",
        f"{host}/api/auth",
        "-d",
        '{"email":"d@jwt.com", "password":"diner"}',
        "-H",
        json_header,
    )
    diner_auth = f"Authorization: Bearer {diner['token']}"
    one = (
        '{"franchiseId": 1, "storeId":1, "items":[{ "menuId": 1, "description": "Veggie",'
        ' "price": 0.05 }]}'
    )
    status, bought = curl(
        "-X", "POST", f"{host}/api/order", "-H", json_header, "-H", diner_auth, "-d", one
    )
    assert status == 200 and bought["jwt"] and bought["order"]["items"][0]["price"] == 0.0038
    many = json.dumps(
        {
            "franchiseId": 1,
            "storeId": 1,
            "items": [{"menuId": 1, "description": "Veggie", "price": 0.05}] * 22,
        }
    )
    status, failed = curl(
        "-X", "POST", f"{host}/api/order", "-H", json_header, "-H", diner_auth, "-d", many
    )
    assert (status, failed["message"]) == (500, "Failed to fulfill order at factory")
    assert curl("-X", "DELETE", f"{host}/api/auth", "-H", diner_auth) == (
        200,
        {"message": "logout successful"},
    )


def test_docs_examples_give_the_documented_shapes(host: str) -> None:
    """Every read-only example of /api/docs, run as written, answers in the documented shape."""
    docs = curl(f"{host}/api/docs")[1]
    status, login = curl(
        "-X",
        "PUT",
        f"{host}/api/auth",
        "-d",
        '{"email":"a@jwt.com", "password":"admin"}',
        "-H",
        "Content-Type: application/json",
    )
    assert keys_of(login) == keys_of(
        next(
            e["response"]
            for e in docs["endpoints"]
            if (e["method"], e["path"]) == ("PUT", "/api/auth")
        )
    )
    token = login["token"]
    checked = 0
    for endpoint in docs["endpoints"]:
        if endpoint["method"] != "GET" or ":" in endpoint["path"]:
            continue
        command = endpoint["example"].replace("$host", host).replace("tttttt", token)
        args = shlex.split(command)[1:]
        status, body = curl(*args)
        assert status == 200, (endpoint["path"], body)
        documented = keys_of(endpoint["response"])
        actual = keys_of(body)
        if isinstance(documented, dict):
            assert set(actual) >= set(documented), endpoint["path"]
        checked += 1
    assert checked >= 4
