"""The public franchise list (what diners pick a store from), serialized once per version.

Franchises and stores change rarely, and the list is read whenever a diner orders, so each
process keeps the JSON body and `ETag` of the pages asked for, made under the `franchises`
stamp. Every write to a franchise or a store bumps that stamp in its own transaction (a
listener on the write sessions enforces it, whatever the call site), so a write on any replica
is seen by the next read on every replica. The admin view and a franchisee's own list carry
store revenue, which moves with every order: those are read fresh, with an `ETag` all the same.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from jwtpizza.db import Database
from jwtpizza.service import versions
from jwtpizza.service.etags import etag_of
from jwtpizza.service.franchises import service
from jwtpizza.service.franchises.models import Franchise, Store
from jwtpizza.service.franchises.schemas import FranchiseList

_TABLES = frozenset({Franchise.__tablename__, Store.__tablename__})

Page = tuple[int, int, str]


def _touches_franchises(session: Session) -> bool:
    changed = [*session.new, *session.dirty, *session.deleted]
    return any(isinstance(obj, Franchise | Store) for obj in changed)


def watch_franchise_writes(db: Database) -> None:
    """Bump the `franchises` stamp in every write transaction that changes a franchise or a
    store."""
    versions.bump_on_writes(
        db, name=versions.FRANCHISES, changed=_touches_franchises, tables=_TABLES
    )


class FranchiseCache:
    """Per process: public pages by (page, limit, name filter), valid under one stamp."""

    def __init__(self, stamps: versions.Stamps, max_pages: int = 1024) -> None:
        self._stamps = stamps
        self._version: int | None = None
        self._pages: dict[Page, tuple[bytes, str]] = {}
        self._max = max_pages

    async def public_page(
        self, db: Database, *, page: int, limit: int, name: str
    ) -> tuple[bytes, str]:
        """One page of the public list as a JSON body, and its ETag, current as of this call."""
        version = await self._stamps.current(versions.FRANCHISES)
        if version is None or version != self._version:
            self._pages.clear()
            self._version = version
        key = (page, limit, name)
        found = self._pages.get(key)
        if found is not None:
            return found
        # The stamp was read before the rows: a write landing in between leaves the body newer
        # than its stamp, so the next read rebuilds it, never the reverse.
        async with db.reader() as session:
            rows, more = await service.list_franchises(
                session=session, page=page, limit=limit, name_filter=name
            )
            franchises = await service.describe(
                session=session, franchises=rows, with_admin_view=False
            )
        body = FranchiseList(franchises=franchises, more=more).model_dump_json().encode()
        found = (body, etag_of(body))
        # Kept only if no newer stamp was seen meanwhile (else a slow reader could file an
        # older body under the newer stamp).
        if version is not None and version == self._version:
            if len(self._pages) >= self._max:
                self._pages.clear()
            self._pages[key] = found
        return found
