"""Pages and their escalation: notify the on-call, wait, notify the next step, until
someone acknowledges or the alert resolves. Steps run on `escalate_due()`, called by a
ticker (or a test with a fake clock); every delivery's outcome is stored on the page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from jwtpizza.clock import Clock
from jwtpizza.db import Database
from jwtpizza.errors import Conflict, NotFound, Unavailable
from jwtpizza.ops.errors import refusal
from jwtpizza.ops.notify.delivery import Delivered, OnDelivered, Outcome
from jwtpizza.ops.notify.domain import Status
from jwtpizza.ops.notify.payload import WebhookMessage, merged
from jwtpizza.ops.notify.receivers import Notice
from jwtpizza.ops.oncall import tokens
from jwtpizza.ops.oncall.config import OncallConfig, Step
from jwtpizza.ops.oncall.models import Page, PageNotification, UsedAckToken

log = logging.getLogger("jwtpizza.ops.oncall")

NOBODY = "nobody_on_call"
# A notification recorded before it is sent; the delivery replaces it by its outcome.
DUE = "due"
RECORD_RETRY_MAX_SECONDS = 30.0


class PageStatus(StrEnum):
    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


OPEN = (PageStatus.TRIGGERED.value, PageStatus.ACKNOWLEDGED.value)

# How a step reaches a receiver: `notify.outbound.Receivers.send` (receiver, notice, callback).
Deliver = Callable[[str, Notice, OnDelivered], None]


@dataclass(frozen=True)
class IncidentRef:
    """The open incident an alert group's alerts joined, and the rules that joined it."""

    id: int
    rules: frozenset[str]


# Which open incident a firing group's alerts joined, if any (wired to the incident desk).
IncidentOf = Callable[[WebhookMessage], Awaitable[IncidentRef | None]]


def alert_names(message: dict[str, Any]) -> set[str]:
    """The alert names in a stored page message."""
    return {a.get("labels", {}).get("alertname") for a in message.get("alerts", [])}


@dataclass(frozen=True)
class AckLinks:
    secret: bytes
    base_url: str
    ttl: float

    def link(self, page_id: int, target: str, now: datetime) -> str:
        token = tokens.issue(self.secret, page_id=page_id, target=target, now=now, ttl=self.ttl)
        return f"{self.base_url.rstrip('/')}/api/ops/ack/{token}"


class Escalator:
    """Creates pages from alert groups, runs their escalation steps, takes acknowledgements.

    Alert groups whose alerts joined one open incident share one page: the first group's
    page escalates, later groups join it (no page of their own, no second escalation), and
    the page resolves when every group it carries has resolved."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        deliver: Deliver,
        config: OncallConfig,
        links: AckLinks | None,
        incident_of: IncidentOf | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._deliver = deliver
        self.config = config
        self._links = links
        self._lock = asyncio.Lock()
        self._sending: set[int] = set()
        self._sweep = True
        self.incident_of = incident_of

    async def page(
        self, message: WebhookMessage, *, policy: str, source: str = "rules"
    ) -> Page | None:
        """Open a page for a firing group, or add the group to its open page (its own, or
        its incident's); mark the group resolved, and the page once all its groups are."""
        if message.status is Status.FIRING and policy not in self.config.policies:
            log.error(
                "alert group %s names unknown escalation policy %r", message.group_key, policy
            )
            policy = next(iter(self.config.policies), policy)
        incident = None
        if message.status is Status.FIRING and self.incident_of is not None:
            incident = await self.incident_of(message)
        key = message.group_key[:500]
        async with self._lock, self._db.writer() as session:
            page = await self._page_for(session, key, incident)
            if page is not None:
                self._carry(page, key, message)
                return page
            if message.status is Status.RESOLVED:
                return None
            now = self._clock.now()
            page = Page(
                dedup_key=key,
                policy=policy,
                title=Notice(message).title()[:500],
                source=source,
                status=PageStatus.TRIGGERED.value,
                message=message.model_dump(mode="json", by_alias=True),
                next_step=0,
                next_step_at=now,
                created_at=now,
                groups={key: message.status.value},
                incident_id=incident.id if incident else None,
            )
            session.add(page)
        await self.escalate_due()
        return page

    async def _page_for(
        self, session: AsyncSession, key: str, incident: IncidentRef | None
    ) -> Page | None:
        """The open page carrying group `key`; else the incident's open page (a page opened
        for one of its alerts before it was declared is adopted by it)."""
        query = select(Page).where(Page.status.in_(OPEN)).order_by(Page.id)
        pages = list(await session.scalars(query))
        for page in reversed(pages):
            if page.dedup_key == key or key in (page.groups or {}):
                return page
        if incident is None:
            return None
        for page in pages:
            if page.incident_id == incident.id:
                return page
        for page in pages:
            if page.incident_id is None and alert_names(page.message) & incident.rules:
                page.incident_id = incident.id
                return page
        return None

    def _carry(self, page: Page, key: str, message: WebhookMessage) -> None:
        """Record the group's new state on its page and its alerts in the page's message
        (what the next steps say: every alert the page escalates, firing while any is);
        resolve the page when every group has resolved."""
        groups = {**(page.groups or {page.dedup_key: page.message.get("status", "firing")})}
        groups[key] = message.status.value
        page.groups = groups
        carried = merged(WebhookMessage.model_validate(page.message), message)
        page.message = carried.model_dump(mode="json", by_alias=True)
        if all(state == Status.RESOLVED.value for state in groups.values()):
            page.status, page.resolved_at = PageStatus.RESOLVED.value, self._clock.now()
            page.next_step_at = None

    async def escalate_due(self) -> int:
        """Run every escalation step whose time has come, then send what is due; returns
        how many steps ran. A step is recorded (its notifications as `due`, the page's next
        step advanced) in one transaction before anything is sent: if the database refuses
        it, nothing is sent and the step runs again at the next tick."""
        now = self._clock.now()
        try:
            async with self._lock, self._db.writer() as session:
                query = select(Page).where(
                    Page.status == PageStatus.TRIGGERED.value, Page.next_step_at <= now
                )
                pages = list(await session.scalars(query.order_by(Page.id)))
                for page in pages:
                    self._run_step(session, page, now)
                self._sweep = self._sweep or bool(pages)
        finally:
            if self._sweep:
                self._sweep = False
                try:
                    await self.send_due()
                except Exception:
                    self._sweep = True  # the next tick tries again
                    raise
        return len(pages)

    def sweep_due(self) -> None:
        """Send what is recorded as due at the next `escalate_due` (a process that becomes
        leader takes up what its predecessor recorded and did not send)."""
        self._sweep = True

    def _run_step(self, session: AsyncSession, page: Page, now: datetime) -> None:
        policy = self.config.policies.get(page.policy)
        if policy is None or page.next_step >= len(policy.steps):
            page.next_step_at = None
            return
        step = policy.steps[page.next_step]
        self._record_due(session, page, page.next_step, step, now)
        page.next_step += 1
        more = page.next_step < len(policy.steps)
        page.next_step_at = now + timedelta(seconds=step.wait) if more else None

    def _record_due(
        self, session: AsyncSession, page: Page, index: int, step: Step, now: datetime
    ) -> None:
        """One `due` notification per person the step reaches (or a gap if nobody is on
        call); `send_due` sends them and records how each delivery ended."""
        targets = self.config.receivers_for(step.target, now)
        if not targets:
            log.error("page %d step %d: nobody on call in %s", page.id, index, step.target.name)
        rows = [(who, receiver, DUE) for who, receiver in targets] or [
            (step.target.name, "", NOBODY)
        ]
        for who, receiver, outcome in rows:
            row = PageNotification(
                page_id=page.id,
                step=index,
                target=who[:200],
                receiver=receiver[:200],
                outcome=outcome,
                attempts=0,
                at=now,
            )
            session.add(row)

    async def send_due(self) -> int:
        """Send every notification recorded as due and not already being sent here: a new
        leader sends what its predecessor recorded as due but never sent, and never what it
        recorded as sent. Returns how many were started."""
        async with self._db.reader() as session:
            query = (
                select(PageNotification, Page)
                .join(Page, Page.id == PageNotification.page_id)
                .where(PageNotification.outcome == DUE)
                .order_by(PageNotification.id)
            )
            due = [(n, p) for n, p in await session.execute(query)]
        started = 0
        for row, page in due:
            if row.id in self._sending:
                continue
            self._sending.add(row.id)
            message = WebhookMessage.model_validate(page.message)
            now = self._clock.now()
            link = self._links.link(page.id, row.target, now) if self._links else None
            try:
                self._deliver(row.receiver, Notice(message, link), self._recorder(row.id))
            except KeyError:  # the receiver left the configuration since the step ran
                gone = Delivered(row.receiver, "", Outcome.FAILURE, 0, "no such receiver now")
                await self._recorder(row.id)(gone)
                continue
            started += 1
        return started

    def _recorder(self, notification_id: int) -> OnDelivered:
        async def record(result: Delivered) -> None:
            delay = 1.0
            while not await self._record_outcome(notification_id, result):
                await self._clock.sleep(delay)  # kept, not dropped: a resend would page twice
                delay = min(delay * 2, RECORD_RETRY_MAX_SECONDS)
            self._sending.discard(notification_id)

        return record

    async def _record_outcome(self, notification_id: int, result: Delivered) -> bool:
        """Store a delivery's outcome on its due row (a receiver with several integrations
        adds a row per further integration); False if the database refused it."""
        values = {
            "integration": result.kind,
            "outcome": result.outcome.value,
            "attempts": result.attempts,
            "at": self._clock.now(),
            "error": result.error[:500] if result.error else None,
        }
        try:
            async with self._db.writer() as session:
                row = await session.get(PageNotification, notification_id)
                if row is None:
                    return True  # its page was deleted
                if row.outcome == DUE:
                    for name, value in values.items():
                        setattr(row, name, value)
                else:
                    more = PageNotification(
                        page_id=row.page_id,
                        step=row.step,
                        target=row.target,
                        receiver=row.receiver,
                        **values,
                    )
                    session.add(more)
        except SQLAlchemyError as error:
            log.error("notification %d not recorded, retrying: %s", notification_id, refusal(error))
            return False
        return True

    async def acknowledge(self, page_id: int, *, by: str) -> Page:
        """Stop the page's escalation; acknowledging twice is harmless."""
        async with self._lock, self._db.writer() as session:
            page = await session.get(Page, page_id)
            if page is None:
                raise NotFound(f"no page {page_id}")
            if page.status == PageStatus.RESOLVED.value:
                raise Conflict(f"page {page_id} is already resolved")
            if page.status == PageStatus.TRIGGERED.value:
                page.status = PageStatus.ACKNOWLEDGED.value
                page.acknowledged_at, page.acknowledged_by = self._clock.now(), by[:200]
                page.next_step_at = None
            return page

    def _claim(self, token: str) -> tokens.AckClaim:
        if self._links is None:
            raise Unavailable("acknowledge links are off: set JWTPIZZA_OPS_ACK_SECRET")
        return tokens.verify(self._links.secret, token, now=self._clock.now())

    async def page_of_link(self, token: str) -> tuple[Page, str]:
        """The page a genuine, unexpired and unused link is for, and who was paged; nothing
        changes (opening a link only shows what it would acknowledge)."""
        claim = self._claim(token)
        async with self._db.reader() as session:
            if await session.get(UsedAckToken, claim.nonce) is not None:
                raise tokens.BadAckToken("this acknowledge link has already been used")
            page = await session.get(Page, claim.page_id)
        if page is None:
            raise NotFound(f"no page {claim.page_id}")
        return page, claim.target

    async def acknowledge_by_token(self, token: str) -> Page:
        """Acknowledge through a page's link: genuine, unexpired and never used before."""
        claim = self._claim(token)
        now = self._clock.now()
        try:
            async with self._db.writer() as session:
                session.add(UsedAckToken(nonce=claim.nonce, page_id=claim.page_id, used_at=now))
        except IntegrityError:
            raise tokens.BadAckToken("this acknowledge link has already been used") from None
        return await self.acknowledge(claim.page_id, by=claim.target)


async def list_pages(*, session: AsyncSession, status: str | None, limit: int) -> list[Page]:
    query = select(Page).order_by(Page.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Page.status == status)
    return list(await session.scalars(query))


async def notifications_of(*, session: AsyncSession, page_id: int) -> list[PageNotification]:
    query = select(PageNotification).where(PageNotification.page_id == page_id)
    return list(await session.scalars(query.order_by(PageNotification.id)))
