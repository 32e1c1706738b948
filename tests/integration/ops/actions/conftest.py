"""The reviews' fixtures: an ops app whose clock starts at a given moment, a served one."""

from __future__ import annotations

from ..reviews.conftest import ops_at, ops_url

__all__ = ["ops_at", "ops_url"]
