"""The guard in front of every request: `EdgeGuard` (installed by `install_edge`) decides who
the client is (`X-Forwarded-For` only from configured proxies), refuses bodies over the limit
with a 413 before reading them, and adds the security headers to every answer. It is one
ASGI layer, not three, because every request passes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jwtpizza.http.body import declared_too_large, limited, refuse_body
from jwtpizza.http.headers import API_CSP, PAGE_CSP, SECURITY_HEADERS
from jwtpizza.http.proxies import client_host, parse_networks, trusted


class EdgeGuard:
    """Client address, body limit and security headers for every HTTP request."""

    def __init__(
        self, app: ASGIApp, *, trusted_proxies: Iterable[str] = (), max_body_bytes: int
    ) -> None:
        self.app = app
        self.proxies = parse_networks(trusted_proxies)
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope["headers"]}
        if self.proxies and scope.get("client"):
            forwarded = headers.get(b"x-forwarded-for")
            peer, port = scope["client"]
            if headers.get(b"x-forwarded-proto") == b"https" and trusted(peer, self.proxies):
                scope["scheme"] = "https"  # TLS ended at a proxy we trust: cookies are Secure
            host = client_host(
                peer, forwarded.decode("latin-1") if forwarded else None, self.proxies
            )
            scope["client"] = (host, port)
        send = with_security_headers(send)
        refused = declared_too_large(headers.get(b"content-length", b"0"), self.max_body_bytes)
        if refused is not None:
            await refuse_body(send, refused)
            return
        await self.app(scope, limited(receive, self.max_body_bytes), send)


def with_security_headers(send: Send) -> Send:
    """`send` with the security headers added to the answer's start (the content security
    policy of a page or of an API answer, by its content type), unless it sets them itself."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {key.lower() for key, _ in headers}
            headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
            if b"content-security-policy" not in present:
                page = any(
                    k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers
                )
                headers.append(
                    (b"content-security-policy", (PAGE_CSP if page else API_CSP).encode())
                )
            message["headers"] = headers
        await send(message)

    return wrapped


def install_edge(app: FastAPI, *, trusted_proxies: Iterable[str], max_body_bytes: int) -> None:
    """Put `EdgeGuard` in front of everything else the app has (call it last)."""
    app.add_middleware(
        EdgeGuard, trusted_proxies=list(trusted_proxies), max_body_bytes=max_body_bytes
    )
