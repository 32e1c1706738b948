"""Login tokens: HS256 JWTs with an expiry and a unique id that names their session row."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from jwtpizza.errors import Unauthorized

ALGORITHM = "HS256"
MAX_ID = 2**63  # a database BIGINT


@dataclass(frozen=True)
class IssuedToken:
    token: str
    token_id: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    token_id: str
    issued_at: int
    expires: int  # seconds since the epoch, as in the token


def issue(
    *,
    user_id: int,
    name: str,
    email: str,
    roles: list[dict[str, Any]],
    secret: str,
    now: datetime,
    ttl_seconds: int,
) -> IssuedToken:
    """A fresh token; every call gets a new id, so two logins never share a token."""
    token_id = secrets.token_urlsafe(24)
    expires_at = now + timedelta(seconds=ttl_seconds)
    claims = {
        "id": user_id,
        "name": name,
        "email": email,
        "roles": roles,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": token_id,
    }
    return IssuedToken(jwt.encode(claims, secret, algorithm=ALGORITHM), token_id, now, expires_at)


def decode(token: str, *, secret: str, now: datetime) -> TokenClaims:
    """The claims of a valid, unexpired token; `Unauthorized` otherwise."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "jti", "id"], "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized("unauthorized") from exc
    # Signed by us, but shapes are still checked: a leaked secret must not become a 500.
    user_id, token_id, issued_at, expires = (claims[k] for k in ("id", "jti", "iat", "exp"))
    if not all(type(v) is int for v in (user_id, issued_at, expires)) or not isinstance(
        token_id, str
    ):
        raise Unauthorized("unauthorized")
    if expires <= now.timestamp() or not 0 < user_id < MAX_ID:
        raise Unauthorized("unauthorized")
    return TokenClaims(user_id, token_id, issued_at, expires)
