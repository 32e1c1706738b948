"""A diner's order history (`GET /api/order`) answered below the framework.

Through the framework this read crossed the same ten layers as the menu did, then FastAPI's
dependencies (the context, the bearer token, the principal, the page), to run one statement.
`FastHistory` sits in front of them and answers the plain case itself: a GET with no body and
no `Origin`, one `Authorization: Bearer` header whose token the principal cache remembers
under the current `auth` stamp, and no query or a `page` the route would take. It runs inside
the observability middleware (logged, counted under `/api/order` and traced, its statement
too) and gives the route's body (`orders.service.history_json`, the route's own serializer),
headers and database-outage answer.

Everything else, including a token the cache does not hold (never seen, expired, logged out,
roles changed), goes the framework's way, which answers it as ever.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from jwtpizza import db_outage
from jwtpizza.http.bearer import bearer_token
from jwtpizza.http.errors import database_outage_answer
from jwtpizza.http.guard import with_security_headers
from jwtpizza.observability import Observability
from jwtpizza.service.auth.principal import Principal
from jwtpizza.service.context import ServiceContext
from jwtpizza.service.fast_reads import VARY_ORIGIN, Route
from jwtpizza.service.orders import service

PATH = "/api/order"
_ROUTE = Route(PATH)
_ASKED = "jwtpizza.history"  # scope key: the (principal, page) this request is answered for
# The pages the route's `page` query takes (1 to 1,000,000), written as it writes them.
_PAGE = re.compile(rb"page=([1-9][0-9]{0,5}|1000000)")
# Headers that send a request the framework's way (`authorization`: a second one).
_DECLINED = frozenset({b"authorization", b"origin", b"transfer-encoding"})
_JSON_HEADERS = [(b"content-type", b"application/json"), VARY_ORIGIN]


def page_of(query: bytes) -> int | None:
    """The page a query asks for, or None if the framework should judge it."""
    if not query:
        return 1
    found = _PAGE.fullmatch(query)
    return int(found[1]) if found else None


def bearer_of(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The token of a request the fast path may answer: one `Authorization` header, no
    `Origin` (the framework adds CORS headers) and no body; None otherwise."""
    token = None
    for name, value in headers:
        if name == b"authorization" and token is None:
            token = bearer_token(value.decode("latin-1")) or ""
        elif name in _DECLINED or (name == b"content-length" and value != b"0"):
            return None
    return token or None


class FastHistory:
    """ASGI middleware: answers the plain `GET /api/order` (see the module)."""

    def __init__(self, app: ASGIApp, *, context: ServiceContext, obs: Observability) -> None:
        self.app = app
        self.context = context
        self.outages = db_outage.outage_types()
        self.observed = obs.observed(self._answer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        asked = None
        if scope["type"] == "http" and scope["path"] == PATH and scope["method"] == "GET":
            asked = await self._asked(scope)
        if asked is None:
            await self.app(scope, receive, send)
            return
        scope[_ASKED] = asked
        scope["route"] = _ROUTE
        await self.observed(scope, receive, with_security_headers(send))

    async def _asked(self, scope: Scope) -> tuple[Principal, int] | None:
        token = bearer_of(scope["headers"])
        page = page_of(scope["query_string"])
        if token is None or page is None:
            return None
        try:
            principal = await self.context.principals.remembered(token, self.context.clock.now())
        except Exception:
            return None  # the framework's path meets the same error and answers it
        return None if principal is None else (principal, page)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal, page = scope[_ASKED]
        context = self.context
        try:
            body = await service.history_json(
                db=context.db,
                diner_id=principal.id,
                page=page,
                per_page=context.settings.list_per_page,
            )
        except self.outages as error:
            # As the framework's handler for these: an outage is a 503, anything else is
            # raised on to the server's error answer.
            if not db_outage.is_outage(error):
                raise
            answer = database_outage_answer(error)
            answer.raw_headers.append(VARY_ORIGIN)
            await answer(scope, receive, send)
            return
        headers = [(b"content-length", str(len(body)).encode()), *_JSON_HEADERS]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
