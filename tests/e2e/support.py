"""Moved to `tests.support.live`; kept only while tests/integration/ops still imports it from
here (another branch moves those tests). Delete once they import `tests.support.live`."""

from tests.support.live import free_port, serving

__all__ = ["free_port", "serving"]
