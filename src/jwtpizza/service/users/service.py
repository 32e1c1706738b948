"""User accounts: lookups, profile updates, the admin list, deletion."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.db import Database
from jwtpizza.db import statements as sql
from jwtpizza.errors import Conflict, InvalidInput, NotFound
from jwtpizza.service.users.models import Role, User, UserRole
from jwtpizza.service.users.passwords import MAX_PASSWORD_BYTES, hash_password, too_long
from jwtpizza.service.users.schemas import RoleOut, UserPublic

EMAIL_TAKEN = "email address already registered"


def canonical_email(email: str) -> str:
    """The one form of an email every lookup, limit and stored address uses: NFKC (a fullwidth
    letter is the plain letter, an ideographic space a space), trimmed, lower-cased."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def normalize_email(email: str) -> str:
    """The canonical form of a valid address; `InvalidInput` naming the field if it is not one."""
    try:
        # Deliverability (DNS) is not checked: the demo domain jwt.com has no mail server here.
        valid = validate_email(canonical_email(email), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"email: {exc}") from exc
    return valid.normalized.lower()


def check_password_policy(password: str, *, min_length: int) -> None:
    if len(password) < min_length:
        raise InvalidInput(f"password: must be at least {min_length} characters")
    if too_long(password):
        raise InvalidInput(f"password: must be at most {MAX_PASSWORD_BYTES} bytes")


def roles_out(grants: list[tuple[str, int]]) -> list[RoleOut]:
    """Role grants as the original shows them: `objectId` only on franchisee grants."""
    return [
        RoleOut(role=role, objectId=object_id if role == Role.FRANCHISEE else None)
        for role, object_id in grants
    ]


def to_public(user: User) -> UserPublic:
    grants = [(grant.role, grant.object_id) for grant in user.roles]
    return UserPublic(id=user.id, name=user.name, email=user.email, roles=roles_out(grants))


async def get_by_email(*, session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == canonical_email(email)))


@dataclass(frozen=True)
class Account:
    """A user as a login needs it: what the answer shows, and the hash to check."""

    public: UserPublic
    password_hash: str


async def account_by_email(*, db: Database, email: str) -> Account | None:
    """One fixed read, roles joined in (every login runs it)."""
    rows = await db.read_plain(sql.ACCOUNT_BY_EMAIL, canonical_email(email))
    if not rows:
        return None
    user_id, name, user_email, password_hash = rows[0][:4]
    grants = [(role, object_id) for *_, role, object_id in rows if role is not None]
    public = UserPublic(id=user_id, name=name, email=user_email, roles=roles_out(grants))
    return Account(public=public, password_hash=password_hash)


async def get(*, session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("unknown user")
    return user


async def create(
    *,
    session: AsyncSession,
    name: str,
    email: str,
    password_hash: str,
    roles: list[Role],
) -> User:
    """A new user with the given roles; `Conflict` if the email is taken. The caller hashes
    the password before its transaction, so bcrypt never holds the write lock."""
    email = normalize_email(email)
    if await get_by_email(session=session, email=email) is not None:
        raise Conflict(EMAIL_TAKEN)
    user = User(
        name=name.strip(),
        email=email,
        password_hash=password_hash,
        roles=[UserRole(role=role, object_id=0) for role in roles],
    )
    session.add(user)
    await session.flush()
    return user


async def update(
    *,
    session: AsyncSession,
    user: User,
    name: str | None,
    email: str | None,
    password: str | None,
    bcrypt_rounds: int,
    password_min_length: int,
) -> User:
    """Change the fields given; the email stays unique. The caller checks who may change the
    email or password, and ends sessions after a password change."""
    if name is not None:
        user.name = name.strip()
    if email is not None:
        email = normalize_email(email)
        other = await get_by_email(session=session, email=email)
        if other is not None and other.id != user.id:
            raise Conflict(EMAIL_TAKEN)
        user.email = email
    if password is not None:
        check_password_policy(password, min_length=password_min_length)
        user.password_hash = await hash_password(password, rounds=bcrypt_rounds)
    await session.flush()
    return user


def name_pattern(name_filter: str) -> str:
    """A LIKE pattern from the original's `*` wildcard, with LIKE's own wildcards escaped."""
    escaped = name_filter.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


async def list_users(
    *, session: AsyncSession, page: int, limit: int, name_filter: str
) -> tuple[list[User], bool]:
    """One page (1-based) of users whose name matches, and whether more follow."""
    query = (
        select(User)
        .where(User.name.like(name_pattern(name_filter), escape="\\"))
        .order_by(User.id)
        .offset((page - 1) * limit)
        .limit(limit + 1)
    )
    users = list(await session.scalars(query))
    return users[:limit], len(users) > limit


async def count(*, session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User)) or 0)
