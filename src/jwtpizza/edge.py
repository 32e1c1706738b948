"""The HTTP edge shared by every component: one error map, plain JSON messages, and the
guard in front of every request.

Expected errors become `{"message": ...}` with the status from `errors.STATUS_BY_ERROR`.
Validation errors become a 400 that names the field. Anything else is logged with its
traceback and answered with a plain 500: no stack, no configuration, no secrets.

`EdgeGuard` (installed by `install_edge`) decides who the client is (`X-Forwarded-For` only
from configured proxies), refuses bodies over the limit with a 413 before reading them, and
adds the security headers to every answer. Servers run with `SERVER_OPTIONS`, so uvicorn
neither trusts forwarded headers itself nor announces its name.
"""

from __future__ import annotations

import gc
import ipaddress
import json
import logging
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jwtpizza import db_outage
from jwtpizza.errors import JwtPizzaError, TooManyRequests, status_for

log = logging.getLogger("jwtpizza.edge")


def message_response(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"message": message, **extra}, status_code=status)


def describe_validation_error(exc: RequestValidationError) -> str:
    """One readable sentence naming the first bad field, e.g. `email: not a valid email`."""
    errors = exc.errors()
    if not errors:
        return "invalid request"
    first = errors[0]
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(location) or "body"
    reason = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    if first.get("type") == "missing":
        return f"{field} is required"
    if first.get("type") == "json_invalid":
        return "request body is not valid JSON"
    return f"{field}: {reason}"


async def _on_domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JwtPizzaError)
    response = message_response(status_for(exc), exc.message, **exc.extra)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    return response


async def on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return message_response(400, describe_validation_error(exc))


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    return ", ".join(
        method
        for method in ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.routes
        )
    )


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return message_response(404, "unknown endpoint")
    response = message_response(
        exc.status_code, "method not allowed" if exc.status_code == 405 else str(exc.detail)
    )
    response.headers.update(exc.headers or {})
    if exc.status_code == 405:
        response.headers["Allow"] = allowed_methods(request)
    return response


def database_outage_answer(exc: Exception) -> JSONResponse:
    db_outage.outages.record(exc)
    response = message_response(503, db_outage.MESSAGE)
    response.headers["Retry-After"] = str(db_outage.RETRY_AFTER_SECONDS)
    return response


async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
    """A database outage is a 503 (see `db_outage`); any other error of these classes is left
    to `on_unexpected_error`."""
    if not db_outage.is_outage(exc):
        raise exc
    return database_outage_answer(exc)


async def on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    if db_outage.is_outage(exc):
        return database_outage_answer(exc)
    log.error(
        "unhandled exception on %s %s",
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return message_response(500, "internal server error")


ERROR_ANSWERS = {
    "400": "invalid input: the message names the field",
    "401": "no valid credentials",
    "403": "not allowed for this caller",
    "404": "no such thing",
    "409": "conflicts with what exists",
    "413": "request body too large",
    "429": "too many attempts; see Retry-After",
}
MESSAGE_SCHEMA = {
    "type": "object",
    "properties": {"message": {"type": "string"}},
    "required": ["message"],
}


def document_errors(app: FastAPI) -> None:
    """Every operation in the OpenAPI lists the `{"message": ...}` errors any route can answer
    (validation is a 400 here, never FastAPI's 422), so clients and fuzzers can rely on it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {})["Message"] = MESSAGE_SCHEMA
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                for status, description in ERROR_ANSWERS.items():
                    responses.setdefault(status, {
                        "description": description,
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Message"}
                        }},
                    })  # fmt: skip
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """Map every error this app can raise to a JSON message, in one place."""
    app.add_exception_handler(JwtPizzaError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    for outage in db_outage.outage_types():
        app.add_exception_handler(outage, on_database_error)
    app.add_exception_handler(Exception, on_unexpected_error)
    document_errors(app)


def install_cors(app: FastAPI, origins: list[str]) -> None:
    """CORS for an allow-list of origins, with the methods and headers the original site
    sends (it fetches with credentials and a bearer token)."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Content-Type", "Authorization"],
    )


# uvicorn's own defaults would trust `X-Forwarded-For` from loopback and send `server: uvicorn`.
SERVER_OPTIONS: dict[str, Any] = {"proxy_headers": False, "server_header": False}


def freeze_startup_heap() -> None:
    """Put every object alive now (the imported modules, the app just built) out of the
    garbage collector's reach, so that its collections scan only what requests create. Call
    it once the app is built, before serving. Without it a full collection walked the few
    hundred thousand startup objects: a ~100 ms stall that set the service's p99 under load."""
    gc.collect()
    gc.freeze()


BODY_TOO_LARGE = "request body too large"
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# The pages (Swagger UI at /docs, the websites) run scripts from their own files only (no
# inline script, no eval) and talk to their own origin only. Styles may be set inline (the
# chart and API-doc libraries set them); plugins and <base> are off.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)
# A page that this site's own pages show in a frame (the console's postmortem): framing by
# the same origin only, and no script at all.
SAME_ORIGIN_FRAME_HEADERS = {
    "Content-Security-Policy": PAGE_CSP.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    ).replace("script-src 'self'", "script-src 'none'"),
    "X-Frame-Options": "SAMEORIGIN",
}
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(addresses: Iterable[str]) -> tuple[Network, ...]:
    """Proxy addresses or CIDR ranges (`10.0.0.0/8`); a bad entry raises `ValueError`."""
    return tuple(ipaddress.ip_network(a.strip(), strict=False) for a in addresses if a.strip())


def _trusted(host: str, proxies: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in proxies)


def client_host(peer: str, forwarded_for: str | None, proxies: tuple[Network, ...]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the right-most
    `X-Forwarded-For` entry that is not itself a trusted proxy (entries to its left are the
    client's to write, so they are never believed)."""
    if not forwarded_for or not _trusted(peer, proxies):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if hop and not _trusted(hop, proxies):
            return hop
    return peer


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
            if headers.get(b"x-forwarded-proto") == b"https" and _trusted(peer, self.proxies):
                scope["scheme"] = "https"  # TLS ended at a proxy we trust: cookies are Secure
            host = client_host(
                peer, forwarded.decode("latin-1") if forwarded else None, self.proxies
            )
            scope["client"] = (host, port)
        send = self._with_headers(send)
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_body_bytes:
            await _refuse_body(send, 400 if not declared.isdigit() else 413)
            return
        await self.app(scope, self._limited(receive), send)

    def _limited(self, receive: Receive) -> Receive:
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise StarletteHTTPException(413, BODY_TOO_LARGE)
            return message

        return wrapped

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {key.lower() for key, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if b"content-security-policy" not in present:
                    page = any(k.lower() == b"content-type" and v.startswith(b"text/html")
                               for k, v in headers)  # fmt: skip
                    headers.append(
                        (b"content-security-policy", (PAGE_CSP if page else API_CSP).encode())
                    )
                message["headers"] = headers
            await send(message)

        return wrapped


async def _refuse_body(send: Send, status: int) -> None:
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


def install_edge(app: FastAPI, *, trusted_proxies: Iterable[str], max_body_bytes: int) -> None:
    """Put `EdgeGuard` in front of everything else the app has (call it last)."""
    app.add_middleware(
        EdgeGuard, trusted_proxies=list(trusted_proxies), max_body_bytes=max_body_bytes
    )
