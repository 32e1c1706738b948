"""The menu as every reader gets it: serialized once per version, not once per request.

The menu changes a few times a day and is read on every page, so each process keeps the
JSON body and its `ETag` with the version stamp they were made from. A read checks the
stamp (shared with the other requests of the moment, see `versions.Stamps`) and rebuilds
only when another write, on any replica, moved it.
"""

from __future__ import annotations

import orjson
from sqlalchemy import select

from jwtpizza.db import Database
from jwtpizza.service import versions
from jwtpizza.service.etags import etag_of
from jwtpizza.service.menu.models import MenuItem


class MenuCache:
    def __init__(self, stamps: versions.Stamps) -> None:
        self._stamps = stamps
        self._version: int | None = None
        self._body = b""
        self._etag = ""

    async def get(self, db: Database) -> tuple[bytes, str]:
        """The menu's JSON body and its ETag, current as of this call."""
        # The stamp is read before the items: a write landing between the two leaves the body
        # newer than its stamp, so the next read rebuilds it, never the reverse.
        version = await self._stamps.current(versions.MENU)
        if version is None or version != self._version:
            async with db.read_connection() as connection:
                items = (await connection.execute(select(MenuItem).order_by(MenuItem.id))).all()
                body = orjson.dumps(
                    [
                        {
                            "id": i.id,
                            "title": i.title,
                            "image": i.image,
                            "price": float(i.price),
                            "description": i.description,
                        }
                        for i in items
                    ]
                )
                self._version, self._body, self._etag = version, body, etag_of(body)
        return self._body, self._etag
