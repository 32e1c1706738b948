"""The cart lives in a cookie, so it survives the login detour from payment.

It holds only ids (store and menu items); names and prices are read from the menu each time,
and the API prices an order from its own menu anyway, so an edited cookie gains nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

CART_COOKIE = "jwtpizza_cart"
MAX_ITEMS = 20


@dataclass
class Cart:
    franchise_id: int | None = None
    store_id: int | None = None
    items: list[int] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.store_id is not None and bool(self.items)

    def choose_store(self, value: str) -> None:
        """`"<franchiseId>:<storeId>"` from the store picker; anything else clears it."""
        franchise, _, store = value.partition(":")
        if franchise.isdigit() and store.isdigit():
            self.franchise_id, self.store_id = int(franchise), int(store)
        else:
            self.franchise_id = self.store_id = None

    @property
    def store_key(self) -> str:
        return f"{self.franchise_id}:{self.store_id}" if self.store_id is not None else ""

    def add(self, menu_id: str) -> None:
        if menu_id.isdigit() and len(self.items) < MAX_ITEMS:
            self.items.append(int(menu_id))

    def lines(self, menu: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The chosen pizzas as menu entries, in the order they were added."""
        by_id = {item["id"]: item for item in menu}
        return [by_id[i] for i in self.items if i in by_id]


def read_cart(request: Request) -> Cart:
    try:
        raw = json.loads(request.cookies.get(CART_COOKIE, "{}"))
        return Cart(
            franchise_id=_int_or_none(raw.get("f")),
            store_id=_int_or_none(raw.get("s")),
            items=[int(i) for i in raw.get("i", [])][:MAX_ITEMS],
        )
    except (ValueError, TypeError, AttributeError):
        return Cart()


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def save_cart(response: Response, cart: Cart) -> None:
    value = json.dumps({"f": cart.franchise_id, "s": cart.store_id, "i": cart.items})
    response.set_cookie(CART_COOKIE, value, httponly=True, samesite="lax", path="/")


def drop_cart(response: Response) -> None:
    response.delete_cookie(CART_COOKIE, path="/", httponly=True, samesite="lax")
