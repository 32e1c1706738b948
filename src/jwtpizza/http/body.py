"""The body limit: a request declaring more than the limit is refused with a 413 before its
body is read, and one that sends more than it declared stops at the limit."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive, Send

BODY_TOO_LARGE = "request body too large"


def declared_too_large(declared: bytes, max_body_bytes: int) -> int | None:
    """The status refusing a `Content-Length` of `declared` (400 if not a number), or None."""
    if not declared.isdigit():
        return 400
    return 413 if int(declared) > max_body_bytes else None


def limited(receive: Receive, max_body_bytes: int) -> Receive:
    """`receive`, raising a 413 once the body passes `max_body_bytes`."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > max_body_bytes:
                raise StarletteHTTPException(413, BODY_TOO_LARGE)
        return message

    return wrapped


async def refuse_body(send: Send, status: int) -> None:
    message = BODY_TOO_LARGE if status == 413 else "invalid Content-Length"
    body = json.dumps({"message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
