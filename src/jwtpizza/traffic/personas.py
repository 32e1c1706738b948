"""What each persona does on one visit, over the public API.

Waits go through `Visitor.pause`, which ends early when the run is stopping, so a visit still
logs out and a stopped run finishes quickly.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from jwtpizza.traffic.shop import Account, Shop

BIG_ORDER_PIZZAS = 22  # more than the factory's oven holds: fails by design
NAMES = ("Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Juno", "Kai", "Lea")


# The original's demo logins, and the unknown account of its bad-login loop.
DEMO_DINER = Account("d@jwt.com", "diner")
DEMO_FRANCHISEE = Account("f@jwt.com", "franchisee")
DEMO_ADMIN = Account("a@jwt.com", "admin")
UNKNOWN = Account("unknown@jwt.com", "bad")


@dataclass(frozen=True)
class Accounts:
    diner: Account = DEMO_DINER
    franchisee: Account = DEMO_FRANCHISEE
    admin: Account = DEMO_ADMIN
    bad: Account = UNKNOWN


@dataclass
class Visitor:
    """What a persona's visit works with: the shop, its own random choices, its waits."""

    shop: Shop
    rng: random.Random
    accounts: Accounts
    pause: Callable[[float], Awaitable[None]]
    new_email: Callable[[], str]


async def menu(v: Visitor) -> None:
    await v.shop.menu()


async def bad_login(v: Visitor) -> None:
    body = {"email": v.accounts.bad.email, "password": v.accounts.bad.password}
    # 429 is the service's failed-login limit doing its job against this very pattern.
    await v.shop.call("PUT", "/api/auth", body=body, expect=frozenset({404, 429}))


async def franchisee(v: Visitor) -> None:
    """Log in, look at the franchise dashboard, stay 110 s, log out (the original's loop)."""
    session = await v.shop.login(v.accounts.franchisee)
    if session is None:
        return
    token, user_id = session
    await v.shop.call(
        "GET", f"/api/franchise/{user_id}", token=token, endpoint="GET /api/franchise/{userId}"
    )
    await v.pause(110)
    await v.shop.logout(token)


async def diner(v: Visitor) -> None:
    """Log in, order a pizza, verify it, read the history, stay 20 s, log out."""
    session = await v.shop.login(v.accounts.diner)
    if session is None:
        return
    token = session[0]
    await _buy(v, token)
    await v.pause(20)
    await v.shop.logout(token)


async def big_order(v: Visitor) -> None:
    """Order 22 pizzas, which the factory refuses by design; wait 5 s; log out."""
    session = await v.shop.login(v.accounts.diner)
    if session is None:
        return
    await v.shop.order(session[0], v.rng, pizzas=BIG_ORDER_PIZZAS, by_design=True)
    await v.pause(5)
    await v.shop.logout(session[0])


async def register(v: Visitor) -> None:
    """A new diner signs up, orders, and leaves."""
    name = f"{v.rng.choice(NAMES)} {v.rng.choice(NAMES)}son"
    password = f"pw-{v.rng.randrange(10**8):08d}"
    session = await v.shop.register(name, Account(v.new_email(), password))
    if session is None:
        return
    await _buy(v, session[0])
    await v.shop.logout(session[0])


async def history(v: Visitor) -> None:
    """A returning diner reads the order history and opens one order."""
    session = await v.shop.login(v.accounts.diner)
    if session is None:
        return
    token = session[0]
    answer = await v.shop.call("GET", "/api/order", token=token)
    orders = answer.body.get("orders") if answer and isinstance(answer.body, dict) else None
    if orders:
        order_id = v.rng.choice(orders)["id"]
        await v.shop.call(
            "GET", f"/api/order/{order_id}", token=token, endpoint="GET /api/order/{orderId}"
        )
    await v.shop.logout(token)


async def browse(v: Visitor) -> None:
    """A visitor looks through the franchises to choose a store."""
    await v.shop.stores()


async def admin(v: Visitor) -> None:
    """An admin looks at franchises and users, stays 30 s, logs out."""
    session = await v.shop.login(v.accounts.admin)
    if session is None:
        return
    token = session[0]
    await v.shop.stores(token)
    await v.shop.call(
        "GET", "/api/user?page=1&limit=10&name=*", token=token, endpoint="GET /api/user"
    )
    await v.pause(30)
    await v.shop.logout(token)


async def _buy(v: Visitor, token: str) -> None:
    pizza = await v.shop.order(token, v.rng, pizzas=v.rng.choice((1, 1, 1, 2, 3)))
    if pizza is not None:
        await v.shop.verify(pizza)
    await v.shop.call("GET", "/api/order", token=token)


PERSONAS: dict[str, Callable[[Visitor], Awaitable[None]]] = {
    "menu": menu,
    "bad-login": bad_login,
    "franchisee": franchisee,
    "diner": diner,
    "big-order": big_order,
    "register": register,
    "history": history,
    "browse": browse,
    "admin": admin,
}


async def load_iteration(
    v: Visitor, account: Account, think: Callable[[], Awaitable[object]]
) -> None:
    """One virtual user's iteration in a load test: log in, menu, order, verify, log out."""
    session = await v.shop.login(account)
    v.shop.stats.check("logged in", session is not None)
    if session is None:
        return
    await think()
    pizza = await v.shop.order(session[0], v.rng, pizzas=1)
    v.shop.stats.check("pizza bought", pizza is not None)
    if pizza is not None:
        await think()
        await v.shop.verify(pizza)
    await think()
    await v.shop.logout(session[0])
