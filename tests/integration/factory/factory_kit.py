"""Helpers for factory tests: a real factory app on a fresh SQLite file per test, driven in process.

Only the clock, the mail sender and the random source are fakes, injected through
`create_app`; everything else (routing, database, signing) is the real thing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from jwtpizza.clock import FakeClock
from jwtpizza.factory.settings import FactorySettings

BASE = "http://factory.test"


@dataclass
class Sent:
    to: str
    subject: str
    body: str


@dataclass
class FakeMailer:
    sent: list[Sent] = field(default_factory=list)
    fail: bool = False

    async def send(self, *, to: str, subject: str, body: str) -> None:
        if self.fail:
            raise OSError("smtp down")
        self.sent.append(Sent(to, subject, body))

    def last_code(self) -> str:
        match = re.search(r"code is ([0-9a-z]{8})", self.sent[-1].body)
        assert match, self.sent[-1].body
        return match.group(1)


@dataclass
class Factory:
    app: FastAPI
    client: httpx.AsyncClient
    clock: FakeClock
    mailer: FakeMailer
    settings: FactorySettings

    async def login(self, vendor_id: str) -> str:
        """The vendor's API key, through the real email-code flow."""
        sent = await self.client.post("/api/vendor/code", json={"id": vendor_id})
        assert sent.status_code == 200, sent.text
        got = await self.client.post(
            "/api/vendor/auth", json={"id": vendor_id, "code": self.mailer.last_code()}
        )
        assert got.status_code == 200, got.text
        key = got.json()["apiKey"]
        assert isinstance(key, str)
        return key

    async def vendor(self, vendor_id: str = "pizzeria", **fields: Any) -> str:
        body = {"id": vendor_id, "name": f"{vendor_id} pizza", **fields}
        created = await self.client.post("/api/vendor", json=body)
        assert created.status_code == 200, created.text
        return await self.login(vendor_id)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def order_body(order_id: int = 1, items: int = 1) -> dict[str, Any]:
    return {
        "diner": {"id": 7, "name": "pizza diner", "email": "d@jwt.com"},
        "order": {
            "id": order_id,
            "franchiseId": 1,
            "storeId": 1,
            "items": [{"menuId": 1, "description": "Veggie", "price": 0.05}] * items,
        },
    }


def make_settings(tmp_path: Path, **overrides: Any) -> FactorySettings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'factory.db'}",
        "public_base_url": BASE,
        "demo": True,
        **overrides,
    }
    return FactorySettings(**values)


MakeFactory = Callable[..., Awaitable[Factory]]
