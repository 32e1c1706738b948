"""Admin operations: list vendors, grant or revoke admin, delete connections, chaos or vendors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.errors import InvalidInput
from jwtpizza.factory.accounts import Connection, Vendor
from jwtpizza.factory.chaos import service as chaos
from jwtpizza.factory.vendors import service as vendors


async def list_vendors(*, session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """Every vendor, joined, with fix codes (admins run the game day)."""
    rows = (await session.scalars(select(Vendor).order_by(Vendor.id))).all()
    return [await vendors.view(session=session, vendor=v, now=now, admin=True) for v in rows]


async def set_role(
    *, session: AsyncSession, vendor_id: str | None, roles: list[str] | None
) -> Vendor:
    if not vendor_id or roles is None:
        raise InvalidInput("Missing required parameter")
    vendor = await vendors.get(session=session, vendor_id=vendor_id)
    vendor.is_admin = "admin" in roles
    await session.flush()
    return vendor


async def delete_connection(*, session: AsyncSession, vendor_id: str, purpose: str | None) -> None:
    """Remove the vendor's connection for a purpose, and free its partner's side."""
    query = select(Connection).where(
        or_(Connection.vendor_id == vendor_id, Connection.partner_id == vendor_id)
    )
    if purpose:
        query = query.where(Connection.purpose == purpose)
    for row in (await session.scalars(query)).all():
        if row.vendor_id == vendor_id:
            await session.delete(row)
        else:
            row.partner_id = None


async def remove(
    *,
    session: AsyncSession,
    vendor_id: str | None,
    delete_type: str | None,
    purpose: str | None,
    now: datetime,
) -> None:
    """`connection`, `chaos` (the fault is cancelled, its history kept) or `all`."""
    if not vendor_id or not delete_type:
        raise InvalidInput("Missing required parameter")
    await vendors.get(session=session, vendor_id=vendor_id)
    if delete_type == "connection":
        await delete_connection(session=session, vendor_id=vendor_id, purpose=purpose)
    elif delete_type == "chaos":
        await chaos.stop_faults(session=session, vendor_id=vendor_id, now=now)
    else:
        await delete_connection(session=session, vendor_id=vendor_id, purpose=None)
        await session.execute(
            update(Connection).where(Connection.partner_id == vendor_id).values(partner_id=None)
        )
        await session.execute(delete(Vendor).where(Vendor.id == vendor_id))
