"""The security headers every answer carries: the content security policies of API answers
and of pages."""

from __future__ import annotations

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# The pages (Swagger UI at /docs, the websites) run scripts from their own files only (no
# inline script, no eval) and talk to their own origin only. Styles may be set inline (the
# chart and API-doc libraries set them); plugins and <base> are off.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)
# A page that this site's own pages show in a frame (the console's postmortem): framing by
# the same origin only, and no script at all.
SAME_ORIGIN_FRAME_HEADERS = {
    "Content-Security-Policy": PAGE_CSP.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    ).replace("script-src 'self'", "script-src 'none'"),
    "X-Frame-Options": "SAMEORIGIN",
}
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
