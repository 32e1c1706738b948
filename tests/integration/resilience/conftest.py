"""The service fixtures (a seeded service on a stub factory), shared with the service tests."""

from tests.integration.service.conftest import make_shop

__all__ = ["make_shop"]
