"""Register, log in, log out, and resolve a token to its principal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from jwtpizza.db import Database, PlainWrite, is_integrity_error
from jwtpizza.db import statements as sql
from jwtpizza.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from jwtpizza.service.auth import tokens
from jwtpizza.service.auth.models import Session
from jwtpizza.service.auth.principal import Principal
from jwtpizza.service.auth.ratelimit import LoginLimiter, RegistrationLimiter
from jwtpizza.service.users import service as users
from jwtpizza.service.users.models import Role, User, UserRole
from jwtpizza.service.users.passwords import check_password, hash_password
from jwtpizza.service.users.schemas import UserPublic
from jwtpizza.service.users.service import EMAIL_TAKEN

# Compared against when the email is unknown, so both failures cost one bcrypt check.
_DUMMY_HASH = "$2b$10$zdbrv3/Hezbu39bSzOLjn.XTFj9lL6Gu5gsNA5KbsGu8L4nY7DUZ2"


@dataclass(frozen=True)
class TokenSettings:
    secret: str
    ttl_seconds: int
    bcrypt_rounds: int
    password_min_length: int


async def start_session(
    *, write: PlainWrite, user: UserPublic, settings: TokenSettings, now: datetime
) -> str:
    """Issue a token for `user` and record its session row, in `write`'s transaction (every
    login runs it)."""
    issued = tokens.issue(
        user_id=user.id,
        name=user.name,
        email=user.email,
        roles=[role.model_dump(exclude_none=True) for role in user.roles],
        secret=settings.secret,
        now=now,
        ttl_seconds=settings.ttl_seconds,
    )
    await write.execute(
        sql.NEW_SESSION, issued.token_id, user.id, issued.issued_at, issued.expires_at
    )
    return issued.token


async def register(
    *,
    db: Database,
    name: str | None,
    email: str | None,
    password: str | None,
    address: str,
    limiter: RegistrationLimiter,
    settings: TokenSettings,
    now: datetime,
) -> tuple[UserPublic, str]:
    """A new diner and their first token. Everything cheap comes first (the limit per address,
    which counts every attempt, the fields, a taken email), so only a registration that will
    succeed pays for bcrypt, which runs before the write transaction."""
    await limiter.hit(address=address)
    if not name or not email or not password or not name.strip():
        raise InvalidInput("name, email, and password are required")
    email = users.normalize_email(email)
    users.check_password_policy(password, min_length=settings.password_min_length)
    async with db.reader() as session:
        if await users.get_by_email(session=session, email=email) is not None:
            raise Conflict(EMAIL_TAKEN)
    password_hash = await hash_password(password, rounds=settings.bcrypt_rounds)
    async with db.writer() as session:
        user = await users.create(
            session=session,
            name=name,
            email=email,
            password_hash=password_hash,
            roles=[Role.DINER],
        )
        public = users.to_public(user)
        write = await db.plain_within(session)
        token = await start_session(write=write, user=public, settings=settings, now=now)
        return public, token


async def login(
    *,
    db: Database,
    email: str | None,
    password: str | None,
    address: str,
    limiter: LoginLimiter,
    settings: TokenSettings,
    now: datetime,
) -> tuple[UserPublic, str]:
    """A token for the right email and password; 404 "unknown user" for any mismatch.

    The bcrypt check (tens of milliseconds) runs between two short transactions, so it holds
    no pooled connection and, on SQLite, not the one write lock every other write waits for.
    """
    if not email or not password:  # never a login, and the original's answer for `{}`
        raise NotFound("unknown user")
    email = users.canonical_email(email)
    async with limiter.attempt(email=email, address=address) as attempt:
        account = await users.account_by_email(db=db, email=email)
        known = account.password_hash if account else _DUMMY_HASH
        if not await check_password(password, known) or account is None:
            raise NotFound("unknown user")  # a failed attempt
        try:
            async with db.plain_writer() as write:
                await attempt.succeed_in(write)
                token = await start_session(
                    write=write, user=account.public, settings=settings, now=now
                )
        except Exception as exc:
            if is_integrity_error(exc):  # the account was deleted since it was read
                raise NotFound("unknown user") from exc
            raise
    return account.public, token


async def verify_current_password(
    *, db: Database, principal: Principal, password: str | None, address: str, limiter: LoginLimiter
) -> None:
    """The caller proves they know their password before changing their email or password;
    wrong guesses count against the login limit like failed logins."""
    if not password:
        raise InvalidInput("currentPassword is required to change your email or password")
    async with limiter.attempt(email=principal.email, address=address) as attempt:
        async with db.reader() as session:
            user = await users.get(session=session, user_id=principal.id)
        if not await check_password(password, user.password_hash):
            raise Forbidden("current password is incorrect")
        attempt.succeeded()


async def end_sessions(*, session: AsyncSession, user_id: int, keep: str | None = None) -> None:
    """Revoke every session of a user (but `keep`, the token making the change)."""
    query = delete(Session).where(Session.user_id == user_id)
    if keep is not None:
        query = query.where(Session.token_id != keep)
    await session.execute(query)


async def delete_account(*, session: AsyncSession, user_id: int) -> None:
    """Delete a user, its sessions first."""
    user = await users.get(session=session, user_id=user_id)
    await end_sessions(session=session, user_id=user.id)
    await session.delete(user)


async def logout(*, session: AsyncSession, principal: Principal) -> None:
    """Revoke this token: its session row goes, so every copy of it stops working."""
    await session.execute(delete(Session).where(Session.token_id == principal.token_id))


# Built once (it runs on every request that is not answered from the principal cache).
_LOOKUP = (
    select(User.id, User.name, User.email, UserRole.role, UserRole.object_id, Session.expires_at)
    .join(Session, Session.user_id == User.id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(Session.token_id == bindparam("token_id"), Session.expires_at > bindparam("now"))
    .order_by(UserRole.id)
)


async def lookup(
    *, session: AsyncSession | AsyncConnection, claims: tokens.TokenClaims, now: datetime
) -> tuple[Principal, datetime]:
    """The principal of verified `claims` whose session is live, and when that session ends;
    `Unauthorized` otherwise. One statement reads the session's user and their role grants
    (a row per grant)."""
    rows = (await session.execute(_LOOKUP, {"token_id": claims.token_id, "now": now})).all()
    if not rows or rows[0].id != claims.user_id:
        raise Unauthorized("unauthorized")
    user = rows[0]
    principal = Principal(
        id=user.id,
        name=user.name,
        email=user.email,
        issued_at=claims.issued_at,
        token_id=claims.token_id,
        roles=tuple((row.role, row.object_id) for row in rows if row.role is not None),
    )
    return principal, user.expires_at
