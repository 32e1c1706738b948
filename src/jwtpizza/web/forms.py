"""Session and CSRF cookies, the CSRF check every POST passes, and API messages as field errors.

CSRF uses the double-submit pattern: a random token in a SameSite=Strict cookie that a page
copies into each form (and into htmx's `X-CSRF-Token` header); a POST whose token does not
match the cookie is refused before any handler runs. Another site can make a browser send
the cookie, but cannot read it to put it in the form.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from jwtpizza.web.problems import PageRefused

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class SiteCookies:
    """A site's cookie names. The three sites often share a host (ports differ, and a
    browser sends a host's cookies to every port), so each reads and writes only its own."""

    session: str
    csrf: str


SHOP_COOKIES = SiteCookies(session="jwtpizza_session", csrf="jwtpizza_shop_csrf")
PORTAL_COOKIES = SiteCookies(session="jwtpizza_vendor", csrf="jwtpizza_portal_csrf")
CONSOLE_COOKIES = SiteCookies(session="jwtpizza_ops", csrf="jwtpizza_ops_csrf")


def cookies_of(request: Request) -> SiteCookies:
    """The cookie names of the site serving this request (set by `install_pages`)."""
    names: SiteCookies = request.app.state.site_cookies
    return names


def over_tls(request: Request) -> bool:
    """Served over HTTPS (directly, or by a trusted proxy that says so): cookies are Secure."""
    return request.url.scheme == "https"


def csrf_token(request: Request) -> str:
    """This browser's CSRF token: the cookie's, or a new one that `remember_csrf` will set."""
    token = request.cookies.get(cookies_of(request).csrf) or getattr(
        request.state, "new_csrf", None
    )
    if token is None:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def remember_csrf(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_csrf", None)
    if token is not None:
        response.set_cookie(
            cookies_of(request).csrf,
            token,
            httponly=True,
            samesite="strict",
            path="/",
            secure=over_tls(request),
        )


async def check_csrf(request: Request) -> None:
    """Refuse a POST whose form field (or htmx header) does not match the CSRF cookie."""
    if request.method != "POST":
        return
    expected = request.cookies.get(cookies_of(request).csrf, "")
    form = await request.form()
    sent = request.headers.get(CSRF_HEADER) or str(form.get(CSRF_FIELD, ""))
    if not expected or not secrets.compare_digest(expected.encode(), sent.encode()):
        raise PageRefused(
            403,
            "Refused",
            "This form did not come from this site, or it expired. Reload the page and try again.",
        )


CsrfChecked = Annotated[None, Depends(check_csrf)]


def set_session(request: Request, response: Response, token: str) -> None:
    """The API's own token, out of reach of scripts and not sent by other sites' posts."""
    response.set_cookie(
        cookies_of(request).session,
        token,
        httponly=True,
        samesite="lax",
        path="/",
        secure=over_tls(request),
    )


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        cookies_of(request).session,
        path="/",
        httponly=True,
        samesite="lax",
        secure=over_tls(request),
    )


def field_for(message: str, fields: tuple[str, ...], default: str) -> str:
    """The form field an API message is about: the first field it names, else `default`."""
    lowered = message.lower()
    named = [(lowered.find(f), f) for f in fields if f in lowered]
    return min(named)[1] if named else default


def field_errors(message: str, fields: tuple[str, ...], default: str) -> dict[str, str]:
    return {field_for(message, fields, default): message}
