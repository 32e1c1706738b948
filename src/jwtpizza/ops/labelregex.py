"""Label regular expressions as Prometheus and Alertmanager read them: RE2 syntax, anchored at
both ends, with `.` matching a newline too (as Prometheus 3 does).

RE2 matches in time linear in the label's length, so a pattern such as `(a+)+X` in a query,
a silence or a route cannot freeze ops with backtracking; Python's `re` would.
"""

from __future__ import annotations

import re2


class BadRegex(ValueError):
    """The pattern is not valid RE2 syntax."""


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a bad pattern is the caller's 400, not a line on stderr
    options.dot_nl = True
    options.never_capture = True
    return options


_OPTIONS = _options()


class LabelRegex:
    """A compiled, fully anchored label pattern."""

    def __init__(self, pattern: str) -> None:
        try:
            self._compiled = re2.compile(pattern, _OPTIONS)
        except re2.error as error:
            message = error.args[0] if error.args else error
            text = message.decode() if isinstance(message, bytes) else str(message)
            raise BadRegex(text) from error
        self.pattern = pattern

    def matches(self, value: str) -> bool:
        """Whether the whole of `value` matches."""
        return self._compiled.fullmatch(value) is not None
