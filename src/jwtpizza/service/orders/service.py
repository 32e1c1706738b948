"""The order ledger: placing orders with their fulfilment job, moving them through their
lifecycle, and reading them back. Every accepted order ends fulfilled or rejected."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.errors import InvalidInput, JwtPizzaError, NotFound
from jwtpizza.service.franchises.models import Store
from jwtpizza.service.menu import service as menu
from jwtpizza.service.orders.models import (
    FulfilmentJob,
    Order,
    OrderItem,
    OrderStatus,
    can_move,
)
from jwtpizza.service.orders.schemas import OrderIn, OrderItemOut, OrderOut
from jwtpizza.service.users.models import User


class IllegalTransition(JwtPizzaError):
    """An order was asked to move along an edge its lifecycle does not have."""


async def _check_store(*, session: AsyncSession, franchise_id: int, store_id: int) -> None:
    store = await session.get(Store, store_id)
    if store is None or store.franchise_id != franchise_id:
        raise InvalidInput(f"storeId: unknown store {store_id} in franchise {franchise_id}")


async def place(*, session: AsyncSession, diner_id: int, request: OrderIn, now: datetime) -> Order:
    """Store the order, priced from the menu, with its fulfilment job, in one transaction."""
    await _check_store(session=session, franchise_id=request.franchiseId, store_id=request.storeId)
    menu_items = await menu.get_many(session=session, ids=[i.menuId for i in request.items])
    missing = sorted({i.menuId for i in request.items} - menu_items.keys())
    if missing:
        raise InvalidInput(f"items: unknown menu item {', '.join(map(str, missing))}")
    order = Order(
        diner_id=diner_id,
        franchise_id=request.franchiseId,
        store_id=request.storeId,
        created_at=now,
        updated_at=now,
        status=OrderStatus.PENDING,
        items=[
            OrderItem(
                menu_id=i.menuId,
                description=menu_items[i.menuId].title,
                price=menu_items[i.menuId].price,
            )
            for i in request.items
        ],
    )
    session.add(order)
    await session.flush()
    session.add(FulfilmentJob(order_id=order.id, available_at=now, attempts=0, done=False))
    await session.flush()
    return order


def move(order: Order, target: OrderStatus, *, now: datetime) -> None:
    """Advance the order's lifecycle, refusing edges it does not have."""
    current = OrderStatus(order.status)
    if not can_move(current, target):
        raise IllegalTransition(f"order {order.id} cannot go from {current} to {target}")
    order.status = target
    order.updated_at = now


async def get_for(*, session: AsyncSession, order_id: int, diner_id: int | None) -> Order:
    """An order; when `diner_id` is given it must be theirs (404 otherwise)."""
    order = await session.get(Order, order_id)
    if order is None or (diner_id is not None and order.diner_id != diner_id):
        raise NotFound(f"unknown order {order_id}")
    return order


async def history(*, session: AsyncSession, diner_id: int, page: int, per_page: int) -> list[Order]:
    """One page (1-based) of a diner's orders, oldest first as the original."""
    query = (
        select(Order)
        .where(Order.diner_id == diner_id)
        .order_by(Order.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(await session.scalars(query))


def to_out(order: Order, *, with_item_ids: bool = True) -> OrderOut:
    return OrderOut(
        id=order.id,
        franchiseId=order.franchise_id,
        storeId=order.store_id,
        date=order.created_at,
        status=order.status,
        items=[
            OrderItemOut(
                id=item.id if with_item_ids else None,
                menuId=item.menu_id,
                description=item.description,
                price=float(item.price),
            )
            for item in order.items
        ],
    )


async def factory_request(
    *, session: AsyncSession, order: Order
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `diner` and `order` bodies the factory signs into the pizza."""
    diner = await session.get(User, order.diner_id)
    diner_body: dict[str, Any] = {"id": order.diner_id}
    if diner is not None:
        diner_body.update(name=diner.name, email=diner.email)
    order_body = {
        "id": order.id,
        "franchiseId": order.franchise_id,
        "storeId": order.store_id,
        "items": [
            {"menuId": i.menu_id, "description": i.description, "price": float(i.price)}
            for i in order.items
        ],
    }
    return diner_body, order_body
