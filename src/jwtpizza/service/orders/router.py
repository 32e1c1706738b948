"""Routes under /api/order: history, placing an order, and an order's status."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query, Response

from jwtpizza.errors import UpstreamFailed
from jwtpizza.service.compact import json_response
from jwtpizza.service.deps import ContextDep, CurrentUser
from jwtpizza.service.ids import PathId
from jwtpizza.service.orders import service
from jwtpizza.service.orders.models import OrderStatus
from jwtpizza.service.orders.schemas import OrderHistory, OrderIn, OrderPlaced, OrderStatusOut

router = APIRouter(prefix="/api/order", tags=["orders"])

QUEUED_MESSAGE = "The kitchen is busy; your pizza will be ready soon"


@router.get("", response_model=OrderHistory)
async def order_history(
    diner: CurrentUser, context: ContextDep, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1
) -> Response:
    """Get the orders for the authenticated user."""
    async with context.db.reader() as session:
        orders = await service.history(
            session=session, diner_id=diner.id, page=page, per_page=context.settings.list_per_page
        )
    return json_response(OrderHistory(dinerId=diner.id, orders=orders, page=page))


@router.post("", response_model=OrderPlaced)
async def create_order(body: OrderIn, diner: CurrentUser, context: ContextDep) -> Response:
    """Create an order for the authenticated user."""
    kitchen = context.kitchen
    async with context.db.writer() as session:
        order = await service.place(
            session=session,
            diner_id=diner.id,
            request=body,
            now=context.clock.now(),
            lease=kitchen.inline_lease(),
        )
        placed = service.to_out(order, with_item_ids=False)
    ticket = service.ticket(order, name=diner.name, email=diner.email)
    started = time.perf_counter()
    outcome = await kitchen.submit(ticket)
    context.metrics.pizza_creation(time.perf_counter() - started)
    placed.status = outcome.status
    if outcome.status == OrderStatus.REJECTED:
        extra = {"followLinkToEndChaos": outcome.report_url} if outcome.report_url else {}
        raise UpstreamFailed("Failed to fulfill order at factory", extra=extra)
    if outcome.status == OrderStatus.FULFILLED:
        return json_response(
            OrderPlaced(order=placed, jwt=outcome.jwt, followLinkToEndChaos=outcome.report_url)
        )
    queued = OrderPlaced(
        order=placed, message=QUEUED_MESSAGE, followLinkToEndChaos=outcome.report_url
    )
    return json_response(queued, status_code=202)


@router.get("/{order_id}")
async def get_order(order_id: PathId, diner: CurrentUser, context: ContextDep) -> OrderStatusOut:
    """Get one of your orders: its status and, once made, its pizza."""
    async with context.db.reader() as session:
        order = await service.get_for(
            session=session, order_id=order_id, diner_id=None if diner.is_admin else diner.id
        )
        return OrderStatusOut(order=service.to_out(order), jwt=order.jwt, reason=order.reason)
