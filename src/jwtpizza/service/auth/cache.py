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

from datetime import UTC, datetime

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
    """Per process: token -> (stamp, when it stops being valid, principal).

    Keyed by the whole token, so a remembered token is not decoded again: its signature was
    checked when it was remembered, and any other string, however it decodes, is a miss."""

    def __init__(self, stamps: versions.Stamps, max_entries: int = 20_000) -> None:
        self._stamps = stamps
        self._entries: dict[str, tuple[int, datetime, Principal]] = {}
        self._max = max_entries

    async def remembered(self, token: str, now: datetime) -> Principal | None:
        """The principal `authenticate` would answer from memory for `token` (remembered under
        the current stamp, not yet expired); None when it would decode or look anything up."""
        known = self._entries.get(token)
        if known is None:
            return None
        stamp = await self._stamps.current(versions.AUTH)
        return known[2] if known[0] == stamp and known[1] > now else None

    async def authenticate(
        self, *, db: Database, token: str, secret: str, now: datetime
    ) -> Principal:
        """The principal behind a valid token with a live session; `Unauthorized` otherwise."""
        known = self._entries.get(token)
        # A token never seen is checked before anything is read for it.
        claims = tokens.decode(token, secret=secret, now=now) if known is None else None
        stamp = await self._stamps.current(versions.AUTH)
        if known is not None and known[0] == stamp and known[1] > now:
            return known[2]
        if claims is None:
            claims = tokens.decode(token, secret=secret, now=now)
        # The stamp was read first: a revocation landing after it moves the stamp again, so
        # what is remembered below is looked up again by the next request.
        async with db.read_connection() as session:
            principal, session_ends = await lookup(session=session, claims=claims, now=now)
        if stamp is not None:
            if len(self._entries) >= self._max:
                self._entries.clear()
            ends = min(session_ends, datetime.fromtimestamp(claims.expires, UTC))
            self._entries[token] = (stamp, ends, principal)
        return principal
