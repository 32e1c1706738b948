"""The factory admin routes ops passes on for the console, and the check every proxied path
passes first. Ops calls them with its factory admin key, so a path an admin of the service
shapes (`/api/ops/chaos/../role`) must never reach another route of the factory's admin API."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, unquote

from jwtpizza.errors import Forbidden, InvalidInput

# A path segment from the caller: printable, no separator or escape, not a dot segment.
_SEGMENT = re.compile(r"[^\x00-\x20\x7f/\\%?#]{1,64}")
# The factory admin routes ops may call, per method, matched against the whole path.
_ALLOWED: dict[str, tuple[re.Pattern[str], ...]] = {
    "GET": (re.compile(r"/api/admin/chaos"),),
    "PUT": (re.compile(r"/api/admin/chaos/[^/]+/[a-z][a-z-]{0,31}"),),
    "DELETE": (re.compile(r"/api/admin/chaos/[^/]+"),),
}


def segment(name: str, value: str) -> str:
    """`value` as one escaped path segment; 400 for a dot segment or a character that could
    end, escape or split it."""
    if value in (".", "..") or not _SEGMENT.fullmatch(value):
        raise InvalidInput(f"{name}: 1 to 64 printable characters, no '/', '%', '?' or '#'")
    return quote(value, safe="")


def allowed_path(method: str, path: str) -> str:
    """`path` if, once normalised, it is itself one of the allowed factory routes; else 403."""
    decoded = unquote(path)
    normal = posixpath.normpath(decoded)
    routes = _ALLOWED.get(method, ())
    if normal != decoded or not any(route.fullmatch(normal) for route in routes):
        raise Forbidden("ops does not pass this call on to the factory")
    return path
