"""The one sanitizer: every log line, span attribute and SQL parameter goes through it.

It masks passwords, tokens, JWTs, API keys, Authorization headers and secrets wherever they
appear: dict keys, nested JSON, JSON inside strings, query strings and free text, plus any
exact secret value a component registers. It never touches the factory's report link
(`/api/support/<token>/report/<code>`): that token is opaque and carries no secret by design,
and a responder must find the link in the logs to end a fault.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

MASK = "*****"

_SECRET_KEY = re.compile(
    r"^pass$|password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie|jwt|credential"
    r"|private[_-]?key|signing[_-]?key",
    re.IGNORECASE,
)
_KEY_WORDS = (
    r"password|passwd|pwd|secret|[a-z_]*token|api[_-]?key|apikey|authorization|cookie|jwt"
    r"|client_secret|private_key"
)
_KEY_VALUE = re.compile(
    rf"""(?P<key>\b(?:{_KEY_WORDS})\b["']?\s*[:=]\s*["']?)(?P<value>[^\s&"',;}}\]]+)""",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(?P<scheme>Bearer|Basic)\s+[A-Za-z0-9._~+/=:-]+", re.IGNORECASE)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
# Every masking pattern needs one of these; text without any is left as it is, unscanned.
_SUSPECT = re.compile(r"eyJ|bearer|basic|\$2|[:=]", re.IGNORECASE)
_CACHED_TEXT_LIMIT = 4096
MAX_DEPTH = 32
MAX_ITEMS = 1000
_BCRYPT = re.compile(r"\$2[aby]?\$\d\d\$[./A-Za-z0-9]{53}")
_REPORT_LINK = re.compile(r"/api/support/[^/\s\"'?#]+/report/[^\s\"'?#&,;}]+")
_PLACEHOLDER = re.compile(r"\?|%s|\$\d+")
_COMPARED = re.compile(
    r"([A-Za-z_][A-Za-z0-9_]*)[\"`\]]?\s*(?:=|!=|<>|\bLIKE|\bIN\s*\((?:\s*(?:\?|%s|\$\d+)\s*,)*)\s*$",
    re.IGNORECASE,
)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+\S+\s*\(([^)]*)\)\s*VALUES", re.IGNORECASE)


@lru_cache(maxsize=4096)
def is_secret_key(name: str) -> bool:
    """Whether a field or column of this name holds a secret (password, token, api_key...)."""
    return _SECRET_KEY.search(name) is not None


@lru_cache(maxsize=2048)
def secret_positions(statement: str) -> frozenset[int]:
    """Which positional parameters (`?`, `%s`, `$n`) of a SQL statement bind secret columns:
    `api_key = ?`, `token IN (?, ?)`, or a secret column of `INSERT INTO t (...) VALUES`."""
    insert = _INSERT.match(statement)
    if insert:
        columns = [c.strip().strip('"`[]') for c in insert.group(1).split(",")]
        width = len(columns)
        count = len(_PLACEHOLDER.findall(statement[insert.end() :]))
        return frozenset(i for i in range(count) if is_secret_key(columns[i % width]))
    found = set()
    for index, placeholder in enumerate(_PLACEHOLDER.finditer(statement)):
        compared = _COMPARED.search(
            statement[max(0, placeholder.start() - 120) : placeholder.start()]
        )
        if compared and is_secret_key(compared.group(1)):
            found.add(index)
    return frozenset(found)


class Sanitizer:
    """Masks secrets in any JSON-like value; `add_secret` registers exact values to hide."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        # SQL statements, menu texts and routes repeat on every request: clean each once.
        self._text_cache = lru_cache(maxsize=8192)(self._clean_text)
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, value: str | None) -> None:
        """Mask this exact value wherever it appears (short values would mask too much)."""
        if value and len(value) >= 6:
            self._secrets.add(value)
            self._text_cache.cache_clear()

    def __call__(self, value: Any) -> Any:
        return self.clean(value)

    def clean(self, value: Any, depth: int = 0) -> Any:
        """A cleaned copy. It never fails on hostile shapes: containers nested deeper than
        `MAX_DEPTH` or longer than `MAX_ITEMS` are cut, and the cut is said in their place."""
        if isinstance(value, str):
            return self.clean_text(value)
        if isinstance(value, Mapping | list | tuple | set | frozenset) and depth >= MAX_DEPTH:
            return f"[cut: nested deeper than {MAX_DEPTH} levels]"
        if isinstance(value, Mapping):
            if len(value) <= MAX_ITEMS:  # the usual case: no copy of the items to cut
                return self._clean_mapping(value, depth)
            items = list(value.items())
            cleaned = {str(k): self._clean_item(str(k), v, depth) for k, v in items[:MAX_ITEMS]}
            if len(items) > MAX_ITEMS:
                cleaned["[cut]"] = f"{len(items) - MAX_ITEMS} more fields"
            return cleaned
        if isinstance(value, list | tuple | set | frozenset):
            listed = list(value)
            cut = [self.clean(item, depth + 1) for item in listed[:MAX_ITEMS]]
            if len(listed) > MAX_ITEMS:
                cut.append(f"[cut: {len(listed) - MAX_ITEMS} more items]")
            return cut
        if isinstance(value, bytes | bytearray):
            return self.clean_text(bytes(value).decode("utf-8", "replace"))
        return value

    def _clean_mapping(self, value: Mapping[Any, Any], depth: int) -> dict[str, Any]:
        cleaned = {}
        for k, v in value.items():
            key = k if type(k) is str else str(k)
            cleaned[key] = self._clean_item(key, v, depth)
        return cleaned

    def _clean_item(self, key: str, value: Any, depth: int) -> Any:
        kind = type(value)
        if value is None or kind is bool:
            return value
        if is_secret_key(key):
            if isinstance(value, str) and _REPORT_LINK.search(value):
                return self.clean_text(value)
            return MASK
        if kind is str:  # exact types first: an event's fields are mostly these
            return self.clean_text(value)
        if kind is int or kind is float or isinstance(value, int | float):
            return value
        return self.clean(value, depth + 1)

    def clean_sql_params(self, statement: str, params: Any) -> Any:
        """SQL parameters: positional ones bound to secret columns are masked (named ones
        are masked by their keys), then everything is cleaned as usual."""
        if isinstance(params, list | tuple) and params:
            positions = secret_positions(statement)
            if isinstance(params[0], list | tuple):  # executemany
                return [self._mask_positions(row, positions) for row in params]
            return self._mask_positions(params, positions)
        return self.clean(params)

    def _mask_positions(self, row: Any, positions: frozenset[int]) -> Any:
        if not isinstance(row, list | tuple):
            return self.clean(row)
        return [MASK if i in positions else self.clean(v) for i, v in enumerate(row)]

    def clean_text(self, text: str) -> str:
        """Free text, query strings and JSON-in-strings; report links stay as they are."""
        if text.isalnum():
            # One word (a request id, a status name): no pattern can match it without a
            # separator, only a registered secret. Ids differ on every request: kept out of
            # the cache, they no longer push out the texts that repeat.
            return self._mask_secrets(text)
        if len(text) <= _CACHED_TEXT_LIMIT:
            return self._text_cache(text)
        return self._clean_text(text)

    def _clean_text(self, text: str) -> str:
        stripped = text.lstrip()
        if stripped[:1] in ("{", "[") and len(stripped) > 1:
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                pass
            else:
                return json.dumps(self.clean(parsed), separators=(",", ":"))
        pieces: list[str] = []
        last = 0
        for link in _REPORT_LINK.finditer(text):
            pieces.append(self._mask_text(text[last : link.start()]))
            pieces.append(link.group(0))
            last = link.end()
        pieces.append(self._mask_text(text[last:]))
        return "".join(pieces)

    def _mask_secrets(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def _mask_text(self, text: str) -> str:
        if not text:
            return text
        text = self._mask_secrets(text)
        if _SUSPECT.search(text) is None:
            return text
        text = _JWT.sub(MASK, text)
        text = _BEARER.sub(lambda m: f"{m.group('scheme')} {MASK}", text)
        text = _BCRYPT.sub(MASK, text)
        return _KEY_VALUE.sub(lambda m: m.group("key") + MASK, text)
