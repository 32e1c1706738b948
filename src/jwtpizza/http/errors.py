"""One error map for every component: expected errors become `{"message": ...}` with the
status from `errors.STATUS_BY_ERROR`, validation errors a 400 that names the field, and
anything else is logged with its traceback and answered with a plain 500: no stack, no
configuration, no secrets. The OpenAPI of every app lists these answers.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

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


async def on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    if db_outage.is_outage(exc):
        db_outage.outages.record(exc)
        response = message_response(503, db_outage.MESSAGE)
        response.headers["Retry-After"] = str(db_outage.RETRY_AFTER_SECONDS)
        return response
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
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Message"}
                                }
                            },
                        },
                    )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """Map every error this app can raise to a JSON message, in one place."""
    app.add_exception_handler(JwtPizzaError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)
    document_errors(app)
