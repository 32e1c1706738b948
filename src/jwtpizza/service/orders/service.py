"""The order ledger: placing orders with their fulfilment job, moving them through their
lifecycle, and reading them back. Every accepted order ends fulfilled or rejected."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from jwtpizza.db import Database, PlainWrite, utc_time
from jwtpizza.db import statements as sql
from jwtpizza.errors import InvalidInput, JwtPizzaError, NotFound
from jwtpizza.service.orders.models import (
    FulfilmentJob,
    Order,
    OrderItem,
    OrderStatus,
    can_move,
    sources_of,
)
from jwtpizza.service.orders.schemas import OrderHistory, OrderIn, OrderItemOut, OrderOut
from jwtpizza.service.users.models import User


class IllegalTransition(JwtPizzaError):
    """An order was asked to move along an edge its lifecycle does not have."""


@dataclass(frozen=True)
class Lease:
    """Who works an order's fulfilment job, and until when."""

    owner: str
    until: datetime


@dataclass(frozen=True)
class Ticket:
    """What a worker needs to make an order: the factory's request and the ledger's figures."""

    order_id: int
    diner: dict[str, Any]
    order: dict[str, Any]
    total: Decimal
    created_at: datetime
    attempts: int = 0

    @property
    def item_count(self) -> int:
        return len(self.order["items"])


async def price(*, db: Database, request: OrderIn) -> dict[int, tuple[str, Decimal]]:
    """Title and price from the menu for each item of an order whose store is checked, in one
    plain read. It runs before the write transaction, so the write lock (SQLite's one writer)
    is held only for the writes: the order is priced as the menu stood a moment before, as if
    placed a moment earlier (menu items are added, never changed or removed)."""
    menu_ids = sorted({i.menuId for i in request.items})
    rows = await db.read_plain(sql.order_prices(len(menu_ids)), *menu_ids, request.storeId)
    if not rows or rows[0][0] != request.franchiseId:
        raise InvalidInput(
            f"storeId: unknown store {request.storeId} in franchise {request.franchiseId}"
        )
    # SQLite keeps prices as floats; the servers return decimals.
    prices = {
        item: (title, Decimal(str(cost))) for _, item, title, cost in rows if item is not None
    }
    missing = sorted(set(menu_ids) - prices.keys())
    if missing:
        raise InvalidInput(f"items: unknown menu item {', '.join(map(str, missing))}")
    return prices


async def place(
    *,
    write: PlainWrite,
    diner_id: int,
    request: OrderIn,
    prices: dict[int, tuple[str, Decimal]],
    now: datetime,
    lease: Lease | None = None,
) -> Order:
    """Store the order, with the menu's `prices`, and its fulfilment job, in one transaction:
    three fixed INSERTs sent straight to the driver (the busiest write of the service). The
    order is returned as a transient object, enough for the answer and the factory's ticket.

    With a `lease`, the job is stored already leased (for the inline attempt), which saves
    the separate write transaction a claim would cost."""
    order_id = await write.insert(
        sql.NEW_ORDER, diner_id, request.franchiseId, request.storeId, now, now, OrderStatus.PENDING
    )
    items = [
        OrderItem(menu_id=i.menuId, description=prices[i.menuId][0], price=prices[i.menuId][1])
        for i in request.items
    ]
    await write.insert_many(  # never empty (`OrderIn`)
        sql.NEW_ORDER_ITEM, [(order_id, i.menu_id, i.description, i.price) for i in items]
    )
    await write.execute(
        sql.NEW_FULFILMENT_JOB,
        order_id,
        now,
        lease.owner if lease else None,
        lease.until if lease else None,
    )
    return Order(
        id=order_id,
        diner_id=diner_id,
        franchise_id=request.franchiseId,
        store_id=request.storeId,
        created_at=now,
        updated_at=now,
        status=OrderStatus.PENDING,
        items=items,
    )


@dataclass(frozen=True)
class Entry:
    """An order's line in the ledger, as a failed attempt or a spent wait budget finds it."""

    order_id: int
    status: OrderStatus
    jwt: str | None
    report_url: str | None
    reason: str | None
    created_at: datetime
    item_count: int
    attempts: int


async def entry(*, write: PlainWrite, order_id: int) -> Entry:
    """The order's line, read inside the write transaction that settles it."""
    rows = await write.fetch(sql.LEDGER_ENTRY, order_id)
    if not rows:
        raise NotFound(f"unknown order {order_id}")
    status, jwt, report_url, reason, created, items, attempts = rows[0]
    return Entry(
        order_id,
        OrderStatus(status),
        jwt,
        report_url,
        reason,
        utc_time(created),
        int(items),
        int(attempts),
    )


async def settle(
    *,
    write: PlainWrite,
    line: Entry,
    now: datetime,
    status: OrderStatus | None = None,
    report_url: str | None = None,
    reason: str | None = None,
) -> Entry:
    """Move the order to `status` (refusing edges its lifecycle does not have) and keep the
    report link and reason given; one fixed UPDATE, none if nothing changes. The line as it
    now stands."""
    target = status or line.status
    if target != line.status and not can_move(line.status, target):
        raise IllegalTransition(f"order {line.order_id} cannot go from {line.status} to {target}")
    new = replace(
        line, status=target, report_url=report_url or line.report_url, reason=reason or line.reason
    )
    if new != line:
        moved = now if target != line.status else None
        await write.execute(
            sql.SETTLE_ORDER, target, new.report_url, new.reason, moved, line.order_id
        )
    return new


async def finish_job(*, write: PlainWrite, order_id: int) -> None:
    """End the order's job: no worker makes it again."""
    await write.execute(sql.FINISH_FULFILMENT_JOB, order_id)


async def requeue_job(
    *, write: PlainWrite, order_id: int, owner: str, error: str, available_at: datetime
) -> None:
    """Count a failed attempt and make the job due again at `available_at`, letting go of
    its lease if `owner` holds it."""
    await write.execute(
        sql.REQUEUE_FULFILMENT_JOB, error[:512], available_at, owner, owner, order_id
    )


# The states a pizza may be recorded in: a statement with another count of them fails loudly.
_FULFILLED_FROM = tuple(sorted(sources_of(OrderStatus.FULFILLED)))


async def fulfil(
    *, write: PlainWrite, order_id: int, jwt: str, report_url: str | None, now: datetime
) -> bool:
    """Record the pizza if the lifecycle still allows it, and end the order's job; whether
    the order moved.

    Fixed SQL sent straight to the driver: the order's UPDATE is conditional, so an order
    already fulfilled or rejected is left alone, even by a concurrent worker on another
    replica. On MariaDB and PostgreSQL both UPDATEs go as one statement (one round trip);
    SQLite, in process, sends them one by one."""
    pizza = (OrderStatus.FULFILLED, now, jwt, report_url)
    if write.dialect == "mysql":
        matched = await write.execute(
            sql.FULFIL_AND_FINISH_MYSQL, *_FULFILLED_FROM, *pizza, order_id
        )
        return matched > 1  # the job's row and the order's
    if write.dialect == "postgresql":
        rows = await write.fetch(
            sql.FULFIL_AND_FINISH_POSTGRESQL, *pizza, order_id, *_FULFILLED_FROM, order_id
        )
        return bool(rows and rows[0][0])
    moved = await write.execute(sql.FULFIL_ORDER, *pizza, order_id, *_FULFILLED_FROM)
    await write.execute(sql.FINISH_FULFILMENT_JOB, order_id)
    return bool(moved)


async def get_for(*, session: AsyncSession, order_id: int, diner_id: int | None) -> Order:
    """An order; when `diner_id` is given it must be theirs (404 otherwise)."""
    order = await session.get(Order, order_id, options=[joinedload(Order.items)])
    if order is None or (diner_id is not None and order.diner_id != diner_id):
        raise NotFound(f"unknown order {order_id}")
    return order


async def history(*, db: Database, diner_id: int, page: int, per_page: int) -> list[OrderOut]:
    """One page (1-based) of a diner's orders, oldest first as the original: one statement,
    the page's orders joined with their items, straight into the API shape."""
    rows = await db.read_plain(sql.ORDER_HISTORY, diner_id, per_page, (page - 1) * per_page)
    orders: dict[int, OrderOut] = {}
    for order_id, franchise, store, created, status, item_id, menu_id, title, price in rows:
        out = orders.get(order_id)
        if out is None:
            out = orders[order_id] = OrderOut(
                id=order_id,
                franchiseId=franchise,
                storeId=store,
                date=utc_time(created),
                status=status,
                items=[],
            )
        if item_id is not None:
            out.items.append(
                OrderItemOut(id=item_id, menuId=menu_id, description=title, price=float(price))
            )
    return list(orders.values())


async def history_json(*, db: Database, diner_id: int, page: int, per_page: int) -> bytes:
    """The body of `GET /api/order` for one page of a diner's orders: its one serializer,
    shared by the route and the fast path below the framework (`service.fast_reads`)."""
    orders = await history(db=db, diner_id=diner_id, page=page, per_page=per_page)
    return OrderHistory(dinerId=diner_id, orders=orders, page=page).model_dump_json().encode()


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


def ticket(order: Order, *, name: str | None, email: str | None, attempts: int = 0) -> Ticket:
    """The ticket for an order whose items are loaded; `name` and `email` are the diner's."""
    diner: dict[str, Any] = {"id": order.diner_id}
    if name is not None:
        diner.update(name=name, email=email)
    body = {
        "id": order.id,
        "franchiseId": order.franchise_id,
        "storeId": order.store_id,
        "items": [
            {"menuId": i.menu_id, "description": i.description, "price": float(i.price)}
            for i in order.items
        ],
    }
    return Ticket(order.id, diner, body, order.total, order.created_at, attempts)


async def load_ticket(*, session: AsyncSession, order_id: int) -> Ticket:
    """The ticket of a stored order, with its diner as they are now."""
    order = await get_for(session=session, order_id=order_id, diner_id=None)
    diner = (
        await session.execute(select(User.name, User.email).where(User.id == order.diner_id))
    ).one_or_none()
    attempts = await session.scalar(
        select(FulfilmentJob.attempts).where(FulfilmentJob.order_id == order_id)
    )
    name, email = (diner.name, diner.email) if diner is not None else (None, None)
    return ticket(order, name=name, email=email, attempts=attempts or 0)
