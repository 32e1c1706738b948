"""Routes under /api/order/menu."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from jwtpizza.service import versions
from jwtpizza.service.etags import tagged_json
from jwtpizza.service.menu import service
from jwtpizza.service.menu.models import MenuItem
from jwtpizza.service.menu.schemas import MenuItemCreate, MenuItemOut
from jwtpizza.service.routes.deps import ContextDep, MenuAdmin

router = APIRouter(prefix="/api/order/menu", tags=["menu"])


def _out(items: list[MenuItem]) -> list[MenuItemOut]:
    return [
        MenuItemOut(
            id=i.id, title=i.title, image=i.image, price=float(i.price), description=i.description
        )
        for i in items
    ]


@router.get("", response_model=list[MenuItemOut])
async def get_menu(
    context: ContextDep, if_none_match: Annotated[str | None, Header()] = None
) -> Response:
    """Get the pizza menu (with an `ETag`; a matching `If-None-Match` gets 304)."""
    body, etag = await context.menu.get(context.db)
    return tagged_json(body, etag, if_none_match)


@router.put("")
async def add_menu_item(
    body: MenuItemCreate, context: ContextDep, _admin: MenuAdmin
) -> list[MenuItemOut]:
    """Add an item to the menu (admin)."""
    async with context.db.writer() as session:
        await service.add_item(session=session, item=body)
        await versions.bump(session=session, name=versions.MENU)
        return _out(await service.list_items(session=session))
