"""Principals remembered per session, valid only while the `auth` stamp has not moved.

Every write that could change what a token may do — a session deleted (logout), a user or a
role granted, changed or removed — bumps the `auth` stamp in the same transaction. That is
enforced here, not at each call site: `watch_revocations` listens to every write session of
the service, so a new path that deletes a session or edits a role bumps it too. A request
reads the stamp (one primary-key read) and uses its remembered principal only if it was
looked up under the same stamp, so logout and role changes take effect at once on every
replica; otherwise it runs the full lookup and remembers the answer. The stamp read is
shared with the other requests of the moment (`versions.Stamps`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from jwtpizza.db import Database
from jwtpizza.service import versions
from jwtpizza.service.auth import tokens
from jwtpizza.service.auth.models import Session as TokenSession
from jwtpizza.service.auth.principal import Principal
from jwtpizza.service.auth.service import lookup
from jwtpizza.service.users.models import User, UserRole

_WATCHED = frozenset({User.__tablename__, UserRole.__tablename__, TokenSession.__tablename__})


def _touches_who_may(session: Session) -> bool:
    changed = [*session.new, *session.dirty, *session.deleted]
    if any(isinstance(obj, User | UserRole) for obj in changed):
        return True
    return any(isinstance(obj, TokenSession) for obj in session.deleted)


def watch_revocations(db: Database) -> None:
    """Bump the `auth` stamp in every write transaction that changes users, roles or
    deletes sessions (a new session needs no bump: nobody has it cached)."""
    versions.bump_on_writes(db, name=versions.AUTH, changed=_touches_who_may, tables=_WATCHED)


class PrincipalCache:
    """Per process: session token id -> (stamp, session expiry, principal)."""

    def __init__(self, stamps: versions.Stamps, max_entries: int = 50_000) -> None:
        self._stamps = stamps
        self._entries: dict[str, tuple[int, datetime, Principal]] = {}
        self._max = max_entries

    async def authenticate(
        self, *, db: Database, token: str, secret: str, now: datetime
    ) -> Principal:
        """The principal behind a valid token with a live session; `Unauthorized` otherwise."""
        claims = tokens.decode(token, secret=secret, now=now)
        stamp = await self._stamps.current(versions.AUTH)
        known = self._entries.get(claims.token_id)
        if known is not None and known[0] == stamp and known[1] > now:
            principal = known[2]
            if principal.id == claims.user_id:
                return principal
        # The stamp was read first: a revocation landing after it moves the stamp again, so
        # what is remembered below is looked up again by the next request.
        async with db.read_connection() as session:
            principal, expires_at = await lookup(session=session, claims=claims, now=now)
        if stamp is not None:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[claims.token_id] = (stamp, expires_at, principal)
        return principal
