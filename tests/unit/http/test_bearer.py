"""The one `Authorization` header reader (`jwtpizza.http.bearer`)."""

from __future__ import annotations

import pytest

from jwtpizza.http.bearer import bearer_token


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer   abc ", "abc"),
        ("BEARER abc", "abc"),
        ("Bearer ", None),
        ("Basic abc", None),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_the_scheme_is_required(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("header", "key"),
    [("Bearer key-1", "key-1"), ("key-1", "key-1"), (" key-1 ", "key-1"), ("", None), (None, None)],
)
def test_bare_keys_are_taken_when_allowed(header: str | None, key: str | None) -> None:
    assert bearer_token(header, bare=True) == key
