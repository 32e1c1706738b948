"""A stand-in pizza service as a bare ASGI app: each endpoint the traffic simulator uses,
answered at once with the service's JSON shapes (no framework, no database). The traffic
benchmark drives it to measure the simulator alone; tests drive it in process.

`record` (optional) receives each request as (method, path, JSON body).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]
MENU = [
    {"id": 1, "title": "Veggie", "image": "pizza1.png", "price": 0.0038, "description": "A garden"},
    {"id": 2, "title": "Pepperoni", "image": "pizza2.png", "price": 0.0042, "description": "Spicy"},
]
FRANCHISES = {
    "franchises": [{"id": 1, "name": "pizzaPocket", "stores": [{"id": 1}]}],
    "more": False,
}
SESSION = {"user": {"id": 1, "name": "pizza diner", "email": "d@jwt.com"}, "token": "stub-token"}


def answer(method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    """What the pizza service would answer, minus the work."""
    if path == "/api/auth":
        if method == "PUT" and body.get("email") == "unknown@jwt.com":
            return 404, {"message": "unknown user"}
        return (200, {"message": "logout successful"}) if method == "DELETE" else (200, SESSION)
    if method == "POST" and path == "/api/order":
        if len(body.get("items", [])) > 20:
            return 500, {"message": "Failed to fulfill order at factory"}
        return 200, {"order": {"id": 1, "status": "fulfilled"}, "jwt": "a.b.c"}
    routes: dict[str, Any] = {
        "/api/order/menu": MENU,
        "/api/franchise": FRANCHISES,
        "/api/order": {"dinerId": 1, "orders": [{"id": 1}], "page": 1},
        "/api/user": {"users": [], "more": False},
        "/api/order/verify": {"message": "valid"},
    }
    return 200, routes.get(path, [])


def create_stub_shop(
    record: Callable[[str, str, dict[str, Any]], None] | None = None,
) -> ASGIApp:
    async def stub_shop(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        body = json.loads(raw) if raw else {}
        if record is not None:
            record(scope["method"], scope["path"], body)
        status, payload = answer(scope["method"], scope["path"], body)
        data = json.dumps(payload).encode()
        length = str(len(data)).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", length)]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    return stub_shop
