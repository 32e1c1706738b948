"""Session and CSRF cookies, the CSRF check every POST passes, and API messages as field errors.

CSRF uses the double-submit pattern: a random token in a SameSite=Strict cookie that a page
copies into each form (and into htmx's `X-CSRF-Token` header); a POST whose token does not
match the cookie is refused before any handler runs. Another site can make a browser send
the cookie, but cannot read it to put it in the form.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from jwtpizza.web.problems import PageRefused

SESSION_COOKIE = "jwtpizza_session"
CSRF_COOKIE = "jwtpizza_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_token(request: Request) -> str:
    """This browser's CSRF token: the cookie's, or a new one that `remember_csrf` will set."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if token is None:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def remember_csrf(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_csrf", None)
    if token is not None:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")


async def check_csrf(request: Request) -> None:
    """Refuse a POST whose form field (or htmx header) does not match the CSRF cookie."""
    if request.method != "POST":
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    form = await request.form()
    sent = request.headers.get(CSRF_HEADER) or str(form.get(CSRF_FIELD, ""))
    if not expected or not secrets.compare_digest(expected.encode(), sent.encode()):
        raise PageRefused(
            403,
            "Refused",
            "This form did not come from this site, or it expired. Reload the page and try again.",
        )


CsrfChecked = Annotated[None, Depends(check_csrf)]


def set_session(response: Response, token: str, *, cookie: str = SESSION_COOKIE) -> None:
    """The API's own token, out of reach of scripts and not sent by other sites' posts."""
    response.set_cookie(cookie, token, httponly=True, samesite="lax", path="/")


def clear_session(response: Response, *, cookie: str = SESSION_COOKIE) -> None:
    response.delete_cookie(cookie, path="/", httponly=True, samesite="lax")


def field_for(message: str, fields: tuple[str, ...], default: str) -> str:
    """The form field an API message is about: the first field it names, else `default`."""
    lowered = message.lower()
    named = [(lowered.find(f), f) for f in fields if f in lowered]
    return min(named)[1] if named else default


def field_errors(message: str, fields: tuple[str, ...], default: str) -> dict[str, str]:
    return {field_for(message, fields, default): message}
