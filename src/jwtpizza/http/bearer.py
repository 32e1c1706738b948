"""The one reader of `Authorization` headers."""

from __future__ import annotations


def bearer_token(authorization: str | None, *, bare: bool = False) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (the scheme in any case), or
    None. With `bare`, a header without the scheme is the token itself: the factory takes
    vendor API keys either way, as the original does."""
    value = (authorization or "").strip()
    if value[:7].lower() == "bearer ":
        return value[7:].strip() or None
    return (value or None) if bare else None
