"""The menu: listing and adding pizzas."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.service.menu.models import MenuItem
from jwtpizza.service.menu.schemas import MenuItemCreate


async def list_items(*, session: AsyncSession) -> list[MenuItem]:
    return list(await session.scalars(select(MenuItem).order_by(MenuItem.id)))


async def add_item(*, session: AsyncSession, item: MenuItemCreate) -> MenuItem:
    row = MenuItem(
        title=item.title, description=item.description, image=item.image, price=item.price
    )
    session.add(row)
    await session.flush()
    return row
