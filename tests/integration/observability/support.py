"""A tiny instrumented app and a real loopback HTTP receiver for push tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi import FastAPI, Header

from jwtpizza.errors import Forbidden, NotFound
from jwtpizza.http.errors import install_error_handlers
from jwtpizza.observability import Observability, ObservabilitySettings, instrument

ADMIN_TOKEN = "admin-token-abcdef"


def require_admin(authorization: str | None = Header(None)) -> None:
    if authorization != f"Bearer {ADMIN_TOKEN}":
        raise Forbidden("admin only")


def make_app(component: str = "service", **settings: Any) -> tuple[FastAPI, Observability]:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/api/franchise/{franchise_id}")
    async def get_franchise(franchise_id: int) -> dict[str, Any]:
        if franchise_id == 404:
            raise NotFound("unknown franchise")
        return {"id": franchise_id, "name": "pizzaPocket"}

    @app.put("/api/auth")
    async def login(body: dict[str, Any]) -> dict[str, Any]:
        return {"user": {"email": body.get("email")}, "token": "eyJa.eyJb.sig"}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("kaboom")

    obs = instrument(
        app,
        component=component,
        settings=ObservabilitySettings(**settings),
        authorize_admin=require_admin,
    )
    return app, obs


class Receiver:
    """Records every POST: path, headers and JSON body."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"null")
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
