"""The one exception tree shared by every component.

    JwtPizzaError                 500  internal
    ├── InvalidInput              400  invalid_input
    ├── Unauthorized              401  unauthorized
    ├── Forbidden                 403  forbidden
    ├── NotFound                  404  not_found
    ├── Conflict                  409  conflict
    ├── TooManyRequests           429  too_many_requests  (carries retry_after)
    ├── UpstreamFailed            500  upstream_failed    (carries extra response fields)
    └── Unavailable               503  unavailable

Domain code raises these; the HTTP edge (`jwtpizza.http.errors`) maps them to a status and a
`{"message": ...}` body in one table. Domain code never raises `HTTPException`.
"""

from __future__ import annotations

from typing import Any


class JwtPizzaError(Exception):
    """Base of every expected error. `message` is safe to show a client."""

    code = "internal"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = dict(extra or {})


class InvalidInput(JwtPizzaError):
    code = "invalid_input"


class Unauthorized(JwtPizzaError):
    code = "unauthorized"


class Forbidden(JwtPizzaError):
    code = "forbidden"


class NotFound(JwtPizzaError):
    code = "not_found"


class Conflict(JwtPizzaError):
    code = "conflict"


class TooManyRequests(JwtPizzaError):
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamFailed(JwtPizzaError):
    code = "upstream_failed"


class Unavailable(JwtPizzaError):
    code = "unavailable"


STATUS_BY_ERROR: dict[type[JwtPizzaError], int] = {
    InvalidInput: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooManyRequests: 429,
    UpstreamFailed: 500,
    Unavailable: 503,
    JwtPizzaError: 500,
}


def status_for(error: JwtPizzaError) -> int:
    """The HTTP status for an error: the entry of its nearest class in the table."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500
