"""The reviews' fixture: an ops app whose clock starts at a given moment."""

from __future__ import annotations

from ..reviews.conftest import ops_at

__all__ = ["ops_at"]
