"""Capped capture of HTTP bodies for logs: streamed chunks are kept up to a byte cap."""

from __future__ import annotations

from typing import Any

_TEXTUAL = ("json", "text", "x-www-form-urlencoded", "xml", "javascript")


class CappedBody:
    """Collects body chunks, keeping at most `cap` bytes but counting them all."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.size = 0
        self._parts: list[bytes] = []

    def add(self, chunk: bytes) -> None:
        room = self.cap - min(self.size, self.cap)
        if room > 0 and chunk:
            self._parts.append(chunk[:room])
        self.size += len(chunk)

    def for_log(self, content_type: str) -> Any:
        """The text (marked if truncated), a size note for binary, or None."""
        return body_for_log(b"".join(self._parts), content_type, size=self.size)


def body_for_log(raw: bytes, content_type: str, *, size: int | None = None) -> Any:
    size = len(raw) if size is None else size
    if size == 0:
        return None
    if not any(kind in content_type for kind in _TEXTUAL) and content_type:
        return f"<{size} bytes {content_type}>"
    text = raw.decode("utf-8", "replace")
    if size > len(raw):
        return f"{text}...<truncated, {size} bytes>"
    # JSON bodies stay JSON text, as the original's logger kept them: the sanitizer cleans a
    # text it has seen before from its cache, where walking a parsed body costs every time.
    return text
