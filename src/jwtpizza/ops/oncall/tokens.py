"""Acknowledge-link tokens: `<payload>.<signature>`, both base64url.

The payload names the page, who was paged, a random nonce and an expiry; the signature is
HMAC-SHA256 with the ops secret. The nonce is recorded when the token is used, so a link
works once (`service.acknowledge_by_token`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from jwtpizza.errors import InvalidInput

# A signed page id past the database's integer range is refused, not passed to the driver.
MAX_PAGE_ID = 2**63 - 1


class BadAckToken(InvalidInput):
    code = "bad_ack_token"


@dataclass(frozen=True)
class AckClaim:
    page_id: int
    target: str
    nonce: str
    expires: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())


def issue(secret: bytes, *, page_id: int, target: str, now: datetime, ttl: float) -> str:
    expires = int((now + timedelta(seconds=ttl)).timestamp())
    body = {"p": page_id, "t": target, "n": secrets.token_urlsafe(16), "e": expires}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def verify(secret: bytes, token: str, *, now: datetime) -> AckClaim:
    """The claim of a genuine, unexpired token; `BadAckToken` otherwise (not yet checked
    for reuse: that needs the database)."""
    payload, _, signature = token.partition(".")
    if not signature or not hmac.compare_digest(_sign(secret, payload), signature):
        raise BadAckToken("this acknowledge link is not valid")
    try:
        body = json.loads(_unb64(payload))
        claim = AckClaim(
            int(body["p"]), str(body["t"]), str(body["n"]), datetime.fromtimestamp(body["e"], UTC)
        )
    except (ValueError, KeyError, TypeError, OverflowError, OSError) as exc:
        raise BadAckToken("this acknowledge link is not valid") from exc
    if not 0 < claim.page_id <= MAX_PAGE_ID:
        raise BadAckToken("this acknowledge link is not valid")
    if claim.expires <= now:
        raise BadAckToken("this acknowledge link has expired")
    return claim
