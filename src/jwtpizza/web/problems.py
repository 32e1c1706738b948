"""Why a page is not shown: answered as an HTML page, never as a stack trace."""

from __future__ import annotations

NOT_FOUND_TEXT = "It looks like we have dropped a pizza on the floor. Please try another page."


class PageRefused(Exception):
    """A page cannot be shown: rendered as an HTML page with this status and text."""

    def __init__(self, status: int, title: str, text: str) -> None:
        super().__init__(text)
        self.status, self.title, self.text = status, title, text
