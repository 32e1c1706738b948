"""A server that picks the order path's transaction as a deadlock's victim gets it again.

MariaDB and PostgreSQL break a deadlock by aborting one transaction and expect the client to
run it again; under 50 concurrent orders on MariaDB, rejecting an order whose wait budget was
spent met one and answered 500. Here a second connection makes the deadlock on purpose: it
holds the order row, lets the rejection take the job row and wait for the order, then asks
for the job row itself. The rejection is the victim (the lighter transaction on
MariaDB; on PostgreSQL the first to wait detects it) and must still reject the order.
A transaction run again must not tell twice what it did: an order queued is logged once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from jwtpizza.observability.log_store import LogQuery
from jwtpizza.service.orders.models import OrderStatus
from jwtpizza.service.resilience import ResilienceSettings
from tests.integration.service.conftest import MakeShop

FAILING = (500, {"message": "chaos monkey"})


@pytest.fixture
async def database_url(server_database_url: str) -> AsyncIterator[str]:
    """The shop on a database server only: SQLite has one writer and no deadlocks."""
    yield server_database_url


async def test_rejecting_an_order_survives_being_a_deadlock_victim(
    make_shop: MakeShop, database_url: str
) -> None:
    shop = await make_shop(resilience=ResilienceSettings(retries_enabled=False))
    diner = await shop.login("d@jwt.com", "diner")
    shop.factory.failure = FAILING
    response = await shop.order(diner, respond_async=True)
    assert response.status_code == 202, response.text
    order_id = response.json()["order"]["id"]

    other = create_async_engine(database_url)
    async with other.connect() as connection:
        await connection.execute(text("CREATE TABLE ballast (n INTEGER)"))
        await connection.commit()
        # Rows written make this transaction the heavier one, so MariaDB picks the other.
        await connection.execute(text("INSERT INTO ballast (n) VALUES (:n)"),
                                 [{"n": n} for n in range(200)])  # fmt: skip
        await connection.execute(
            text("SELECT id FROM orders WHERE id = :id FOR UPDATE"),
            {"id": order_id},
        )
        give_up = asyncio.create_task(shop.context.kitchen.fulfiller.give_up(order_id=order_id))
        await asyncio.sleep(0.5)  # it has taken the job row and waits for the order row
        assert not give_up.done()
        await connection.execute(
            text("UPDATE fulfilment_jobs SET attempts = 7 WHERE order_id = :id"), {"id": order_id}
        )
        await connection.rollback()
    await other.dispose()

    outcome = await asyncio.wait_for(give_up, timeout=30)
    assert outcome.status is OrderStatus.REJECTED
    ledger = await shop.client.get(
        f"/api/order/{order_id}", headers={"Authorization": f"Bearer {diner}"}
    )
    assert ledger.json()["order"]["status"] == "rejected", ledger.text


# The server refuses the first UPDATE that queues an order, as it refuses a deadlock's victim;
# a sequence counts the tries, since it is not rolled back with the transaction.
_REFUSE_FIRST_QUEUEING = {
    "postgresql": [
        "CREATE SEQUENCE queueing_tries",
        """CREATE FUNCTION refuse_first_queueing() RETURNS trigger AS $$
           BEGIN
             IF nextval('queueing_tries') = 1 THEN
               RAISE EXCEPTION 'injected victim' USING ERRCODE = '40P01';
             END IF;
             RETURN NEW;
           END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER refuse_first_queueing BEFORE UPDATE ON orders FOR EACH ROW
           WHEN (NEW.status = 'queued') EXECUTE FUNCTION refuse_first_queueing()""",
    ],
    "mysql": [
        "CREATE SEQUENCE queueing_tries",
        """CREATE TRIGGER refuse_first_queueing BEFORE UPDATE ON orders FOR EACH ROW
           BEGIN
             IF NEW.status = 'queued' AND NEXTVAL(queueing_tries) = 1 THEN
               SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'injected victim';
             END IF;
           END""",
    ],
}


async def test_an_order_queued_by_a_transaction_run_twice_is_told_once(
    make_shop: MakeShop, database_url: str
) -> None:
    shop = await make_shop(resilience=ResilienceSettings(retries_enabled=False))
    diner = await shop.login("d@jwt.com", "diner")
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        for statement in _REFUSE_FIRST_QUEUEING[engine.dialect.name.replace("mariadb", "mysql")]:
            await connection.execute(text(statement))
    try:
        shop.factory.failure = FAILING
        response = await shop.order(diner, respond_async=True)
        assert response.status_code == 202, response.text
        order_id = response.json()["order"]["id"]
        async with engine.connect() as connection:
            tries = "SELECT nextval('queueing_tries')" if engine.dialect.name == "postgresql" \
                else "SELECT NEXTVAL(queueing_tries)"  # fmt: skip
            assert (await connection.execute(text(tries))).scalar() == 3  # refused, then done
    finally:
        await engine.dispose()
    told = shop.app.state.observability.store.query(
        LogQuery(type="resilience", text="order queued", limit=1000)
    )
    assert [record.get("order_id") for record in told] == [order_id]
