"""Pages, their deliveries, silences and single-use ack tokens on every database backend
(SQLite, MariaDB, PostgreSQL): the migration, the JSON columns and the unique nonce."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from jwtpizza.clock import FakeClock
from jwtpizza.db import Database
from jwtpizza.ops.migrations import upgrade
from jwtpizza.ops.notify import silence_store
from jwtpizza.ops.notify.delivery import Delivered, OnDelivered, Outcome
from jwtpizza.ops.notify.domain import Alert
from jwtpizza.ops.notify.payload import build_message
from jwtpizza.ops.notify.receivers import Notice
from jwtpizza.ops.notify.schemas import SilenceCreate
from jwtpizza.ops.oncall import service
from jwtpizza.ops.oncall.config import parse_oncall
from jwtpizza.ops.oncall.service import AckLinks, Escalator
from jwtpizza.ops.oncall.tokens import BadAckToken

from .conftest import ONCALL

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def test_pages_and_silences_on_every_backend(database_url: str) -> None:
    db = Database(database_url)
    await upgrade(db)
    clock = FakeClock(NOW)
    sent: list[tuple[str, Notice, OnDelivered]] = []

    def deliver(receiver: str, notice: Notice, on_delivered: OnDelivered) -> None:
        sent.append((receiver, notice, on_delivered))

    config = parse_oncall(yaml.safe_load(ONCALL), {"alice-hook", "bob-hook", "team-hook"})
    escalator = Escalator(
        db=db, clock=clock, deliver=deliver, config=config,
        links=AckLinks(b"secret", "http://ops.test", 3600),
    )  # fmt: skip
    alert = Alert(labels={"alertname": "X", "severity": "critical"}, starts_at=NOW)
    message = build_message(
        receiver="pager", group_key='{}:{alertname="X"}', group_labels={"alertname": "X"},
        alerts=[alert], now=NOW, external_url="",
    )  # fmt: skip
    try:
        page = await escalator.page(message, policy="default")
        assert page is not None and [r for r, _, _ in sent] == ["alice-hook"]
        [(receiver, notice, record)] = sent
        await record(Delivered(receiver, "webhook", Outcome.SUCCESS, 1))
        token = str(notice.ack_url).rsplit("/", 1)[1]
        assert (await escalator.acknowledge_by_token(token)).acknowledged_by == "alice"
        with pytest.raises(BadAckToken, match="already been used"):
            await escalator.acknowledge_by_token(token)
        async with db.reader() as session:
            [stored] = await service.list_pages(session=session, status="acknowledged", limit=5)
            [delivery] = await service.notifications_of(session=session, page_id=stored.id)
        assert stored.message["alerts"][0]["labels"] == {"alertname": "X", "severity": "critical"}
        assert (delivery.target, delivery.outcome) == ("alice", "success")

        async with db.writer() as session:
            spec = SilenceCreate(matchers=['alertname=~"X|Y"'], duration_seconds=60)
            await silence_store.create(session=session, spec=spec, by="a@jwt.com", now=NOW)
        [window] = await silence_store.active_windows(db, NOW)
        assert window.mutes({"alertname": "Y"}, NOW)
        assert await silence_store.active_windows(db, clock.now().replace(hour=13)) == []
    finally:
        await db.dispose()


async def test_a_new_leader_sends_what_was_due_and_nothing_that_was_sent(
    database_url: str,
) -> None:
    """Escalators of three successive leaders over one database: the first records a step
    and dies before its delivery ends; the second sends that step (recorded as due, never as
    sent) and records it; the third sends nothing again."""
    db = Database(database_url)
    await upgrade(db)
    clock = FakeClock(NOW)
    config = parse_oncall(yaml.safe_load(ONCALL), {"alice-hook", "bob-hook", "team-hook"})
    sent: list[list[tuple[str, OnDelivered]]] = [[], [], []]

    def leader(n: int) -> Escalator:
        def deliver(receiver: str, _notice: Notice, on_delivered: OnDelivered) -> None:
            sent[n].append((receiver, on_delivered))

        return Escalator(db=db, clock=clock, deliver=deliver, config=config, links=None)

    alert = Alert(labels={"alertname": "X", "severity": "critical"}, starts_at=NOW)
    message = build_message(
        receiver="pager", group_key='{}:{alertname="X"}', group_labels={"alertname": "X"},
        alerts=[alert], now=NOW, external_url="",
    )  # fmt: skip
    try:
        first, second, third = leader(0), leader(1), leader(2)
        assert await first.page(message, policy="default") is not None
        assert [r for r, _ in sent[0]] == ["alice-hook"]  # sent; the outcome never recorded
        assert await second.escalate_due() == 0 and [r for r, _ in sent[1]] == ["alice-hook"]
        [(receiver, record)] = sent[1]
        await record(Delivered(receiver, "webhook", Outcome.SUCCESS, 1))
        assert await third.escalate_due() == 0 and await third.send_due() == 0
        assert sent[2] == []
        assert await third.page(message, policy="default") is not None  # the same open page
        assert sent[2] == []
        async with db.reader() as session:
            [page] = await service.list_pages(session=session, status="triggered", limit=5)
            rows = await service.notifications_of(session=session, page_id=page.id)
        assert [(r.step, r.target, r.outcome) for r in rows] == [(0, "alice", "success")]
    finally:
        await db.dispose()
