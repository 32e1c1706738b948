"""Making and checking pizzas: RS256 JWTs with a `kid`, and the chaos variants of them."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from jwtpizza.factory.keys import KeyRing, LoadedKey


def claims(
    *, vendor: dict[str, Any], diner: Any, order: Any, now: datetime, ttl: int, issuer: str
) -> dict[str, Any]:
    issued = int(now.timestamp())
    return {
        "vendor": vendor,
        "diner": diner,
        "order": order,
        "iat": issued,
        "exp": issued + ttl,
        "iss": issuer,
    }


def sign(payload: dict[str, Any], key: LoadedKey) -> str:
    return jwt.encode(payload, key.private, algorithm="RS256", headers={"kid": key.kid})


def sign_with(payload: dict[str, Any], private: rsa.RSAPrivateKey, kid: str) -> str:
    return jwt.encode(payload, private, algorithm="RS256", headers={"kid": kid})


def corrupt(token: str) -> str:
    """The same header and payload with a signature that cannot verify (`badjwt`)."""
    head, body, signature = token.split(".")
    junk = jwt.utils.base64url_encode(secrets.token_bytes(len(signature) * 3 // 4)).decode()
    return f"{head}.{body}.{junk}"


def expired(payload: dict[str, Any], now: datetime, ttl: int) -> dict[str, Any]:
    """The payload as if issued a day and an hour ago: well signed, already expired."""
    issued = int((now - timedelta(seconds=ttl + 3600)).timestamp())
    return {**payload, "iat": issued, "exp": issued + ttl}


def wrong_order(payload: dict[str, Any]) -> dict[str, Any]:
    """A correctly signed pizza for a different order than the one asked for."""
    order = dict(payload["order"]) if isinstance(payload["order"], dict) else {}
    order_id = order.get("id")
    order["id"] = order_id + 1 if isinstance(order_id, int) else f"{order_id}-other"
    return {**payload, "order": order}


def verify(token: str, keys: KeyRing, *, issuer: str, now: datetime) -> dict[str, Any]:
    """The claims of an unexpired pizza signed by a published key.

    Raises `jwt.InvalidTokenError`. Expiry is checked against the injected clock, not
    PyJWT's own `time.time()`, so tests can move through a pizza's lifetime.
    """
    kid = jwt.get_unverified_header(token).get("kid")
    key = keys.by_kid(kid) if isinstance(kid, str) else None
    if key is None:
        raise jwt.InvalidTokenError("unknown kid")
    payload: dict[str, Any] = jwt.decode(
        token,
        key.public,
        algorithms=["RS256"],
        issuer=issuer,
        options={"require": ["exp", "iat", "iss"], "verify_exp": False, "verify_iat": False},
    )
    if not isinstance(payload["exp"], int) or payload["exp"] <= now.timestamp():
        raise jwt.ExpiredSignatureError("Signature has expired")
    return payload
