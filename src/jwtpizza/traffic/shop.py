"""The public HTTP API as a visitor uses it; every call is counted, timed and checked.

A call never raises for what the target does: a refused connection, a timeout, a dropped
connection or an unexpected status becomes an error of that kind in the stats.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

import httpx

from jwtpizza.traffic.stats import OrderOutcome, TrafficStats

OK = frozenset({200})


@dataclass(frozen=True)
class Account:
    email: str
    password: str


@dataclass
class Answer:
    status: int
    body: Any


def error_kind(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "connection dropped"
    return "network error"


class Shop:
    """Calls on the pizza service (and pizza checks at the factory) for one run."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        stats: TrafficStats,
        *,
        target: str,
        factory: str | None,
        slow_ms: float,
        respond_async: bool = False,
    ) -> None:
        self._client = client
        self._respond_async = respond_async
        self.stats = stats
        self._target = target.rstrip("/")
        self._factory = factory.rstrip("/") if factory else None
        self._slow_ms = slow_ms

    async def call(
        self,
        method: str,
        path: str,
        *,
        endpoint: str | None = None,
        expect: frozenset[int] = OK,
        token: str | None = None,
        body: Any = None,
        base: str | None = None,
        timed: bool = True,
        prefer: str | None = None,
    ) -> Answer | None:
        """One request; its answer, or None if none came (the error is counted)."""
        name = endpoint or f"{method} {path}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if prefer:
            headers["Prefer"] = prefer
        started = time.perf_counter()
        try:
            response = await self._client.request(
                method, (base or self._target) + path, json=body, headers=headers
            )
        except httpx.HTTPError as exc:
            self.stats.record(name, None, error_kind(exc))
            self.stats.check("status as expected", False)
            return None
        seconds = time.perf_counter() - started
        expected = response.status_code in expect
        status = response.status_code
        self.stats.record(name, seconds, None if expected else f"HTTP {status}", status)
        self.stats.check("status as expected", expected)
        if timed:
            self.stats.check(
                f"answered within {self._slow_ms:g} ms", seconds * 1000 < self._slow_ms
            )
        return Answer(response.status_code, _json(response))

    async def login(self, account: Account) -> tuple[str, int] | None:
        """The token and user id of a good login."""
        answer = await self.call(
            "PUT", "/api/auth", body={"email": account.email, "password": account.password}
        )
        return _session(answer)

    async def register(self, name: str, account: Account) -> tuple[str, int] | None:
        body = {"name": name, "email": account.email, "password": account.password}
        return _session(await self.call("POST", "/api/auth", body=body))

    async def logout(self, token: str) -> None:
        await self.call("DELETE", "/api/auth", token=token)

    async def menu(self) -> list[dict[str, Any]]:
        answer = await self.call("GET", "/api/order/menu")
        return answer.body if answer and isinstance(answer.body, list) else []

    async def stores(self, token: str | None = None) -> list[tuple[int, int]]:
        """(franchise id, store id) of every store on the first page of franchises."""
        answer = await self.call(
            "GET",
            "/api/franchise?page=0&limit=10&name=*",
            endpoint="GET /api/franchise",
            token=token,
        )
        franchises = answer.body.get("franchises", []) if answer and _is_dict(answer) else []
        return [(f["id"], s["id"]) for f in franchises for s in f.get("stores", [])]

    async def order(
        self, token: str, rng: random.Random, *, pizzas: int, by_design: bool = False
    ) -> str | None:
        """Choose a store and pizzas as a diner would and order them; the pizza JWT if made."""
        menu, stores = await self.menu(), await self.stores(token)
        self.stats.check("menu and stores to order from", bool(menu and stores))
        if not (menu and stores):
            return None
        franchise_id, store_id = rng.choice(stores)
        items = [_item(rng.choice(menu)) for _ in range(pizzas)]
        body = {"franchiseId": franchise_id, "storeId": store_id, "items": items}
        expect = frozenset({500}) if by_design else frozenset({200, 202})
        # The website asks for a queued order (202) when the kitchen is down; the original
        # script's deliberate 22-pizza order keeps the original's synchronous contract.
        prefer = "respond-async" if self._respond_async and not by_design else None
        # The oversized order takes the factory about 32 s to refuse, by design: not timed.
        answer = await self.call(
            "POST",
            "/api/order",
            token=token,
            body=body,
            expect=expect,
            timed=not by_design,
            prefer=prefer,
        )
        self.stats.orders[_outcome(answer, by_design)] += 1
        if by_design:
            self.stats.check(
                "the 22-pizza order fails", answer is not None and answer.status == 500
            )
        jwt = answer.body.get("jwt") if answer and _is_dict(answer) else None
        return jwt if isinstance(jwt, str) else None

    async def verify(self, pizza: str) -> None:
        """Check the pizza at the factory, as the website's Verify button does."""
        if self._factory is None:
            return
        answer = await self.call(
            "POST",
            "/api/order/verify",
            body={"jwt": pizza},
            base=self._factory,
            endpoint="POST factory /api/order/verify",
        )
        self.stats.check("pizza is valid", answer is not None and answer.status == 200)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _is_dict(answer: Answer) -> bool:
    return isinstance(answer.body, dict)


def _session(answer: Answer | None) -> tuple[str, int] | None:
    if answer is None or answer.status != 200 or not _is_dict(answer):
        return None
    token, user = answer.body.get("token"), answer.body.get("user")
    user_id = user.get("id", 0) if isinstance(user, dict) else 0
    return (token, user_id) if isinstance(token, str) else None


def _item(entry: dict[str, Any]) -> dict[str, Any]:
    return {"menuId": entry["id"], "description": entry["title"], "price": entry["price"]}


def _outcome(answer: Answer | None, by_design: bool) -> OrderOutcome:
    if answer is not None and answer.status == 200:
        return OrderOutcome.MADE
    if answer is not None and answer.status == 202:
        return OrderOutcome.QUEUED
    return OrderOutcome.FAILED_BY_DESIGN if by_design else OrderOutcome.FAILED
