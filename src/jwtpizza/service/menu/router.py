"""Routes under /api/order/menu."""

from __future__ import annotations

from fastapi import APIRouter

from jwtpizza.service.deps import ContextDep, MenuAdmin
from jwtpizza.service.menu import service
from jwtpizza.service.menu.models import MenuItem
from jwtpizza.service.menu.schemas import MenuItemCreate, MenuItemOut

router = APIRouter(prefix="/api/order/menu", tags=["menu"])


def _out(items: list[MenuItem]) -> list[MenuItemOut]:
    return [
        MenuItemOut(
            id=i.id, title=i.title, image=i.image, price=float(i.price), description=i.description
        )
        for i in items
    ]


@router.get("")
async def get_menu(context: ContextDep) -> list[MenuItemOut]:
    """Get the pizza menu."""
    async with context.db.reader() as session:
        return _out(await service.list_items(session=session))


@router.put("")
async def add_menu_item(
    body: MenuItemCreate, context: ContextDep, _admin: MenuAdmin
) -> list[MenuItemOut]:
    """Add an item to the menu (admin)."""
    async with context.db.writer() as session:
        await service.add_item(session=session, item=body)
        return _out(await service.list_items(session=session))
