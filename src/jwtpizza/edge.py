"""The HTTP edge shared by every component: one error map, plain JSON messages.

Expected errors become `{"message": ...}` with the status from `errors.STATUS_BY_ERROR`.
Validation errors become a 400 that names the field. Anything else is logged with its
traceback and answered with a plain 500: no stack, no configuration, no secrets.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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


async def on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return message_response(404, "unknown endpoint")
    if exc.status_code == 405:
        return message_response(405, "method not allowed")
    return message_response(exc.status_code, str(exc.detail))


async def on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error(
        "unhandled exception on %s %s",
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return message_response(500, "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    """Map every error this app can raise to a JSON message, in one place."""
    app.add_exception_handler(JwtPizzaError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)


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
