"""CORS for the components' APIs, which the original's website calls from its own origin."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware


def install_cors(app: FastAPI, origins: list[str]) -> None:
    """CORS for an allow-list of origins, with the methods and headers the original site
    sends (it fetches with credentials and a bearer token)."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Content-Type", "Authorization"],
    )
