"""The `reset` outage: abort the HTTP exchange so the client sees a dropped connection.

An ASGI app cannot refuse a TCP connection on a port that stays open for other routes, so the
closest reachable behaviour is this: the status line goes out, then the server closes the
socket without a body. Uvicorn closes the transport when an app returns with an incomplete
response, and clients such as httpx raise a transport error (`RemoteProtocolError`), exactly
what a caller sees when a peer resets mid-response. The `hang` outage needs no help: the
request simply waits until the outage ends.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class DropConnection(Exception):
    """Raised by a route to have the connection dropped instead of answered."""


class DropConnectionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except DropConnection:
            # Headers without a body, then return: the server closes the transport.
            await send({"type": "http.response.start", "status": 503, "headers": []})
