"""Vendor accounts: create, read, update, email-code login, and pen-test partner pairing."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.clock import json_time
from jwtpizza.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from jwtpizza.factory.accounts import AuthCode, Connection, Vendor
from jwtpizza.factory.chaos import service as chaos
from jwtpizza.factory.chaos.domain import FaultState, state_of
from jwtpizza.factory.vendors.schemas import VendorCreate

EDITABLE = {"name": "name", "email": "email", "phone": "phone", "website": "website"}
EDITABLE_API = {**EDITABLE, "gitHubUrl": "github_url"}
PURPOSES = frozenset({"penetrationTest", "penetrationTesting"})


def new_api_key() -> str:
    """A UUID v4 without dashes (32 hex characters), as the original."""
    return uuid.uuid4().hex


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


async def get_by_api_key(*, session: AsyncSession, api_key: str) -> Vendor | None:
    return (await session.scalars(select(Vendor).where(Vendor.api_key == api_key))).first()


async def get(*, session: AsyncSession, vendor_id: str) -> Vendor:
    vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound("Vendor not found")
    return vendor


SELF_REGISTERED_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def self_registered_email(vendor_in: VendorCreate, domain: str) -> str:
    """The only email a vendor may sign itself up with: `<id>@<domain>`, derived, never
    chosen, so the login code (and with it the API key) reaches only that mailbox. Without a
    domain, vendors are created by an admin."""
    if not domain:
        raise Forbidden("vendors are created by an admin")
    if not vendor_in.id:
        raise InvalidInput("Missing param. Must have ID")
    if not SELF_REGISTERED_ID.match(vendor_in.id):
        raise InvalidInput("id: letters, digits, '.', '_' and '-' only")
    derived = f"{vendor_in.id}@{domain}".lower()
    if vendor_in.email and vendor_in.email.strip().lower() != derived:
        raise InvalidInput(f"email: a vendor signing itself up is {derived}")
    return derived


async def create(
    *, session: AsyncSession, vendor_in: VendorCreate, now: datetime, admin: bool = False
) -> Vendor:
    """Create a vendor from the allowed fields; email defaults to `<id>@byu.edu`."""
    if not vendor_in.id:
        raise InvalidInput("Missing param. Must have ID")
    if await session.get(Vendor, vendor_in.id) is not None:
        raise Conflict("Vendor already exists")
    vendor = Vendor(
        id=vendor_in.id,
        api_key=new_api_key(),
        created=now,
        is_admin=admin,
        email=vendor_in.email or f"{vendor_in.id}@byu.edu",
        **{
            column: getattr(vendor_in, field)
            for field, column in EDITABLE_API.items()
            if field != "email"
        },
    )
    session.add(vendor)
    await session.flush()
    return vendor


async def update(*, session: AsyncSession, caller: Vendor, vendor_in: VendorCreate) -> Vendor:
    """Update the allowed fields; an explicit null clears one. Non-admins update only themselves."""
    if not vendor_in.id:
        raise InvalidInput("Missing required parameter: id")
    if vendor_in.id != caller.id and not caller.is_admin:
        raise Unauthorized("Unauthorized")
    vendor = await get(session=session, vendor_id=vendor_in.id)
    for field in vendor_in.model_fields_set & EDITABLE_API.keys():
        setattr(vendor, EDITABLE_API[field], getattr(vendor_in, field))
    await session.flush()
    return vendor


def roles(vendor: Vendor) -> list[str]:
    return ["admin", "vendor"] if vendor.is_admin else ["vendor"]


async def chaos_view(
    *, session: AsyncSession, vendor: Vendor, now: datetime, admin: bool
) -> dict[str, Any]:
    """The original's `chaos` object: `{type, initiatedDate, startDate, fixDate?}`."""
    fault = await chaos.latest_fault(session=session, vendor_id=vendor.id)
    if fault is None:
        return {"type": "none"}
    view = chaos.describe(fault, now, secrets_visible=admin)
    if state_of(fault, now) is FaultState.ENDED:
        view["type"] = "none"
    return view


async def connections_view(*, session: AsyncSession, vendor: Vendor) -> dict[str, Any]:
    rows = (
        await session.scalars(select(Connection).where(Connection.vendor_id == vendor.id))
    ).all()
    view: dict[str, Any] = {}
    for row in rows:
        partner = await session.get(Vendor, row.partner_id) if row.partner_id else None
        view[row.purpose] = {
            "id": row.partner_id,
            "purpose": row.purpose,
            "created": json_time(row.created),
            "rating": row.rating,
            **(
                {k: getattr(partner, k) for k in ("name", "phone", "email", "website")}
                if partner
                else {}
            ),
        }
    return view


async def view(
    *,
    session: AsyncSession,
    vendor: Vendor,
    now: datetime,
    with_key: bool = False,
    admin: bool = False,
) -> dict[str, Any]:
    """The joined vendor object. The API key only for its owner; fix codes only for admins."""
    body: dict[str, Any] = {
        "id": vendor.id,
        "name": vendor.name,
        "email": vendor.email,
        "phone": vendor.phone,
        "website": vendor.website,
        "gitHubUrl": vendor.github_url,
        "created": json_time(vendor.created),
        "roles": roles(vendor),
        "chaos": await chaos_view(session=session, vendor=vendor, now=now, admin=admin),
        "connections": await connections_view(session=session, vendor=vendor),
    }
    if with_key or admin:
        body["apiKey"] = vendor.api_key
    return body


async def issue_code(
    *, session: AsyncSession, vendor_id: str | None, now: datetime, ttl_seconds: float
) -> tuple[Vendor, str]:
    """A fresh 8-character base-36 login code for the vendor (replacing any earlier one)."""
    if not vendor_id:
        raise NotFound("Vendor not found")
    vendor = await get(session=session, vendor_id=vendor_id)
    code = chaos.new_fix_code()
    row = await session.get(AuthCode, vendor.id)
    if row is None:
        row = AuthCode(vendor_id=vendor.id)
        session.add(row)
    row.code_hash, row.created, row.attempts = hash_code(code), now, 0
    row.expires = now + timedelta(seconds=ttl_seconds)
    await session.flush()
    return vendor, code


async def redeem_code(
    *,
    session: AsyncSession,
    vendor_id: str | None,
    code: str | None,
    now: datetime,
    max_attempts: int,
) -> Vendor | None:
    """The vendor for a right login code, else None. A miss is counted, so the caller must
    commit before refusing. Codes are single-use, expire, and allow `max_attempts` tries."""
    row = await session.get(AuthCode, vendor_id) if vendor_id else None
    if row is None or not code or row.expires <= now or row.attempts >= max_attempts:
        return None
    if not secrets.compare_digest(row.code_hash.encode(), hash_code(code).encode()):
        row.attempts += 1
        return None
    await session.delete(row)
    return await get(session=session, vendor_id=row.vendor_id)


async def connect(
    *, session: AsyncSession, vendor: Vendor, purpose: str | None, now: datetime
) -> None:
    """Ask for a partner; pair with the first other vendor waiting for the same purpose."""
    if purpose not in PURPOSES:
        raise InvalidInput("Invalid purpose")
    mine = await session.get(Connection, (vendor.id, purpose))
    if mine is None:
        mine = Connection(vendor_id=vendor.id, purpose=purpose, created=now, rating=0)
        session.add(mine)
        await session.flush()
    if mine.partner_id is not None:
        return
    waiting = select(Connection).where(
        Connection.purpose == purpose,
        Connection.partner_id.is_(None),
        Connection.vendor_id != vendor.id,
    )
    other = (await session.scalars(waiting.order_by(Connection.created).limit(1))).first()
    if other is not None:
        mine.partner_id, other.partner_id = other.vendor_id, vendor.id
    await session.flush()


async def rate(
    *,
    session: AsyncSession,
    vendor: Vendor,
    partner_id: str | None,
    purpose: str | None,
    rating: int,
) -> None:
    """Rate my partner for a purpose (1-5 stars)."""
    mine = await session.get(Connection, (vendor.id, purpose or ""))
    if mine is None or mine.partner_id is None or (partner_id and mine.partner_id != partner_id):
        raise NotFound("Connection not found")
    mine.rating = rating
