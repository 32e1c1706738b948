"""Menu with store choice and cart, payment, and delivery with Verify."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from fastapi import Form
from starlette.responses import Response

from jwtpizza.web.api import ApiError
from jwtpizza.web.shop.cart import Cart, drop_cart, read_cart, save_cart
from jwtpizza.web.shop.page import Page, PageDep, ShopConfig, shop_router

router = shop_router()
WAITING = ("pending", "queued")


async def stores(page: Page) -> list[dict[str, Any]]:
    """Every store of the first 20 franchises, as the original's picker shows."""
    listing = await page.api.get("/api/franchise", page=0, limit=20, name="*")
    return [
        {"key": f"{f['id']}:{s['id']}", "label": f"{f['name']} - {s['name']}"}
        for f in listing["franchises"]
        for s in f["stores"]
    ]


def cart_total(lines: list[dict[str, Any]]) -> float:
    return round(sum(float(line["price"]) for line in lines), 8)


@router.get("/menu")
async def menu(page: PageDep) -> Response:
    """Awesome is a click away."""
    cart = read_cart(page.request)
    menu_items = await page.api.get("/api/order/menu")
    return page.render(
        "menu.html",
        menu=menu_items,
        stores=await stores(page),
        cart=cart,
        lines=cart.lines(menu_items),
    )


@router.post("/menu/cart")
async def update_cart(
    page: PageDep,
    store: Annotated[str | None, Form()] = None,
    add: Annotated[str | None, Form()] = None,
    clear: Annotated[str | None, Form()] = None,
) -> Response:
    """Choose the store, add a pizza, or empty the cart; htmx gets the cart panel back."""
    cart = Cart() if clear else read_cart(page.request)
    if store is not None:
        cart.choose_store(store)
    if add is not None:
        cart.add(add)
    if page.request.headers.get("hx-request"):
        menu_items = await page.api.get("/api/order/menu")
        response: Response = page.render("cart.html", cart=cart, lines=cart.lines(menu_items))
    else:
        response = page.redirect("/menu")
    save_cart(response, cart)
    return response


@router.get("/payment")
async def payment(page: PageDep) -> Response:
    """So worth it (logged-out visitors log in first and come back with their cart)."""
    if page.user is None:
        return page.to_login()
    cart = read_cart(page.request)
    if not cart.ready:
        return page.redirect("/menu")
    lines = cart.lines(await page.api.get("/api/order/menu"))
    return page.render("payment.html", lines=lines, total=cart_total(lines))


@router.post("/payment")
async def pay(page: PageDep) -> Response:
    """Pay now: place the order and go to its delivery page (queued or made)."""
    if page.user is None:
        return page.to_login()
    cart = read_cart(page.request)
    menu_items = await page.api.get("/api/order/menu")
    lines = cart.lines(menu_items)
    order = {
        "franchiseId": cart.franchise_id,
        "storeId": cart.store_id,
        "items": [
            {"menuId": m["id"], "description": m["title"], "price": m["price"]} for m in lines
        ],
    }
    try:
        # RFC 7240: a busy kitchen answers 202 and queues the order instead of failing it.
        placed = await page.api.call(
            "POST", "/api/order", json=order, headers={"Prefer": "respond-async"}
        )
    except ApiError as error:
        return page.render(
            "payment.html",
            status=error.status if error.status < 500 else 502,
            lines=lines,
            total=cart_total(lines),
            problem=error.message,
        )
    response = page.redirect(f"/delivery/{placed.body['order']['id']}")
    drop_cart(response)
    return response


async def load_order(page: Page, order_id: int) -> dict[str, Any]:
    status: dict[str, Any] = await page.api.get(f"/api/order/{order_id}")
    order = status["order"]
    order["total"] = cart_total(order["items"])
    return status


@router.get("/delivery/{order_id}")
async def delivery(order_id: int, page: PageDep) -> Response:
    """Here is your JWT Pizza! (or the kitchen is busy, and this page waits for it)."""
    if page.user is None:
        return page.to_login()
    status = await load_order(page, order_id)
    return page.render("delivery.html", result=status, waiting=WAITING)


@router.get("/delivery/{order_id}/pizza")
async def delivery_pizza(order_id: int, page: PageDep) -> Response:
    """The pizza panel alone, polled by htmx while the order waits."""
    if page.user is None:
        return page.to_login()
    status = await load_order(page, order_id)
    return page.render("pizza_panel.html", result=status, waiting=WAITING)


async def verify_at_factory(config: ShopConfig, token: str) -> tuple[bool, Any]:
    """The factory's verdict on a pizza (the original site asked the factory directly too)."""
    try:
        async with config.factory() as client:
            response = await client.post("/api/order/verify", json={"jwt": token})
    except httpx.HTTPError:
        return False, {"error": "the pizza factory did not answer; try again soon"}
    body = response.json() if response.content else {}
    if response.status_code == 200:
        return True, body.get("payload", body)
    return False, {"error": "invalid JWT. Looks like you have a bad pizza!"}


@router.post("/delivery/{order_id}/verify")
async def verify(order_id: int, page: PageDep) -> Response:
    """Verify: the factory checks the pizza's signature; the dialog shows valid or invalid."""
    if page.user is None:
        return page.to_login()
    status = await load_order(page, order_id)
    valid, payload = await verify_at_factory(page.config, status.get("jwt") or "")
    template = "pizza_panel.html" if page.request.headers.get("hx-request") else "delivery.html"
    return page.render(template, result=status, waiting=WAITING, verdict=valid, payload=payload)
