"""The order ledger's settling writes (a failed attempt, a spent wait budget), fixed SQL like
placing an order and recording its pizza: on each database backend they move an order only
along its lifecycle, keep the newest report link, and requeue or end its job."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jwtpizza.db import Database
from jwtpizza.service.orders import service as orders
from jwtpizza.service.orders.models import FulfilmentJob, Order, OrderStatus
from tests.integration.db.test_plain_write import NOW, place_plain

LINK = "http://factory.test/api/support/t0k/report/c0de"


async def stored(db: Database, order_id: int) -> tuple[Order, FulfilmentJob]:
    async with db.reader() as session:
        order = await orders.get_for(session=session, order_id=order_id, diner_id=None)
        job = await session.get(FulfilmentJob, order_id)
    assert job is not None
    return order, job


async def test_an_entry_reads_the_order_its_items_and_its_job(db: Database) -> None:
    order_id = await place_plain(db)
    async with db.plain_writer() as write:
        line = await orders.entry(write=write, order_id=order_id)
    assert line == orders.Entry(order_id, OrderStatus.PENDING, None, None, None, NOW, 2, 0)


async def test_settling_moves_along_the_lifecycle_only(db: Database) -> None:
    order_id = await place_plain(db)
    later = NOW + timedelta(seconds=5)
    async with db.plain_writer() as write:
        line = await orders.entry(write=write, order_id=order_id)
        line = await orders.settle(write=write, line=line, now=later,
                                   status=OrderStatus.QUEUED, report_url=LINK)  # fmt: skip
    order, _ = await stored(db, order_id)
    assert (order.status, order.report_url, order.updated_at) == (OrderStatus.QUEUED, LINK, later)
    async with db.plain_writer() as write:  # a link kept, no move: updated_at stays
        line = await orders.entry(write=write, order_id=order_id)
        await orders.settle(write=write, line=line, now=later + timedelta(seconds=5))
        with pytest.raises(orders.IllegalTransition):
            await orders.settle(write=write, line=line, now=later, status=OrderStatus.PENDING)
    order, _ = await stored(db, order_id)
    assert (order.status, order.report_url, order.updated_at) == (OrderStatus.QUEUED, LINK, later)


async def test_a_requeued_job_lets_go_of_its_lease_only_if_the_caller_holds_it(
    db: Database,
) -> None:
    mine = await place_plain(db, lease=orders.Lease("me", NOW + timedelta(seconds=30)))
    theirs = await place_plain(db, lease=orders.Lease("them", NOW + timedelta(seconds=30)))
    due = NOW + timedelta(seconds=2)
    async with db.plain_writer() as write:
        for order_id in (mine, theirs):
            await orders.requeue_job(write=write, order_id=order_id, owner="me",
                                     error="timeout: " + "x" * 600, available_at=due)  # fmt: skip
    _, job = await stored(db, mine)
    assert (job.attempts, job.available_at, job.lease_owner, job.lease_until) == (
        1,
        due,
        None,
        None,
    )
    assert job.last_error is not None and len(job.last_error) == 512
    _, job = await stored(db, theirs)
    assert (job.attempts, job.lease_owner) == (1, "them") and job.lease_until is not None


async def test_an_ended_job_is_never_made_again(db: Database) -> None:
    order_id = await place_plain(db, lease=orders.Lease("me", NOW + timedelta(seconds=30)))
    async with db.plain_writer() as write:
        await orders.finish_job(write=write, order_id=order_id)
    _, job = await stored(db, order_id)
    assert (job.done, job.lease_owner, job.lease_until) == (True, None, None)
