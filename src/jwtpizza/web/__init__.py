"""Server-rendered pages: the shop (on the service) and the vendor portal (on the factory).

Each area is a router of browser-only routes plus `templates/<area>/` extending one
`base.html`; an ops console area can be added the same way. This package imports no
component: every page reaches its component through that component's HTTP API (see `api.py`).
"""
