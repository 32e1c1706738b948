"""Cached reads answered below the framework: the menu and the public franchise list.

Both are JSON bodies kept per version stamp (`MenuCache`, `FranchiseCache`). Through the
framework such a read crossed about ten layers (the edge guard, CORS, Starlette's error and
exception middleware, routing, dependencies) to send bytes that were ready before it began.
`CachedReads` sits in front of them all and answers those reads itself, still through the
observability middleware, so each is logged, counted under its route and traced as before,
and with the same headers the framework path gives (ETag, 304, the security headers).

It takes only what it can answer exactly as the framework would: a GET with no body and no
`Origin` (a cross-origin browser's request needs CORS headers: the framework path adds
them), and for the franchise list, no credentials (an admin sees more) and paging it can
read without doubt. Everything else, and any read whose stamp cannot be checked (the
database is down), goes the framework's way, which answers it, or its error, as ever.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from jwtpizza.http.headers import API_CSP, SECURITY_HEADERS
from jwtpizza.observability import Observability
from jwtpizza.service.context import ServiceContext

Read = Callable[[Scope, dict[bytes, bytes]], Awaitable[tuple[bytes, str] | None]]
_CACHED = "jwtpizza.cached"  # scope key: the (body, ETag) this request is answered with
# As the framework's CORS layer marks every answer to a request without `Origin`.
VARY_ORIGIN = (b"vary", b"Origin")
_FIXED_HEADERS = [
    (b"cache-control", b"no-cache"),
    VARY_ORIGIN,
    *SECURITY_HEADERS,
    (b"content-security-policy", API_CSP.encode()),
]
_JSON = (b"content-type", b"application/json")
MAX_NAME = 255  # `Paging`'s bounds, so a page taken here is one the framework would take
MAX_LIMIT = 100
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Route:
    """What the observability middleware reads from a matched route: its template."""

    path: str


def _paging(query: bytes) -> tuple[int, int, str] | None:
    """`(page, limit, name)` of a franchise-list query, or None if the framework should judge
    it (a bad or unusual value: it answers 400 or reads it its own way)."""
    try:
        fields = dict(parse_qsl(query.decode("ascii"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return None
    page, limit, name = fields.get("page", "0"), fields.get("limit", "10"), fields.get("name", "*")
    if not (page.isdigit() and limit.isdigit() and page.isascii() and limit.isascii()):
        return None
    if int(page) > MAX_PAGE or not 1 <= int(limit) <= MAX_LIMIT or len(name) > MAX_NAME:
        return None
    return int(page), int(limit), name


def reads_of(context: ServiceContext) -> dict[str, Read]:
    """The service's cached reads by path."""

    async def menu(_scope: Scope, _headers: dict[bytes, bytes]) -> tuple[bytes, str] | None:
        return await context.menu.get(context.db)

    async def franchises(scope: Scope, headers: dict[bytes, bytes]) -> tuple[bytes, str] | None:
        paging = None if b"authorization" in headers else _paging(scope["query_string"])
        if paging is None:
            return None
        page, limit, name = paging
        return await context.franchises.public_page(context.db, page=page, limit=limit, name=name)

    return {"/api/order/menu": menu, "/api/franchise": franchises}


class CachedReads:
    """ASGI middleware in front of the app: answers the `reads` it can (see the module)."""

    def __init__(self, app: ASGIApp, *, reads: dict[str, Read], obs: Observability) -> None:
        self.app = app
        self.reads = reads
        self.routes = {path: Route(path) for path in reads}
        self.observed = obs.observed(self._answer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        read = self.reads.get(scope["path"]) if scope["type"] == "http" else None
        if read is None or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if b"origin" in headers or b"transfer-encoding" in headers:
            await self.app(scope, receive, send)
            return
        if headers.get(b"content-length", b"0") != b"0":
            await self.app(scope, receive, send)
            return
        try:
            cached = await read(scope, headers)
        except Exception:
            cached = None  # the framework's path meets the same error and answers it
        if cached is None:
            await self.app(scope, receive, send)
            return
        scope[_CACHED] = cached
        scope["route"] = self.routes[scope["path"]]
        await self.observed(scope, receive, send)

    @staticmethod
    async def _answer(scope: Scope, _receive: Receive, send: Send) -> None:
        body, etag = scope[_CACHED]
        headers = [(b"etag", etag.encode("latin-1")), *_FIXED_HEADERS]
        asked = dict(scope["headers"]).get(b"if-none-match")
        if asked is not None and etag in (t.strip() for t in asked.decode("latin-1").split(",")):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [_JSON, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
