"""Everything a request of the factory needs, built once by `create_app`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from jwtpizza.clock import Clock
from jwtpizza.db import Database
from jwtpizza.factory.chaos.domain import WorkingHours
from jwtpizza.factory.chaos.gauge import ChaosGauge
from jwtpizza.factory.keys import KeyRing
from jwtpizza.factory.mail import Mailer
from jwtpizza.factory.settings import FactorySettings
from jwtpizza.factory.vendors.cache import VendorCache
from jwtpizza.factory.vendors.ratelimit import CodeLimiter
from jwtpizza.observability.metrics import Metrics


@dataclass
class FactoryContext:
    settings: FactorySettings
    db: Database
    clock: Clock
    rng: random.Random
    mailer: Mailer
    keys: KeyRing
    hours: WorkingHours
    log_message: str = field(default="Log received")
    metrics: Metrics = field(default_factory=lambda: Metrics(component="factory"))
    chaos_gauge: ChaosGauge = field(init=False)
    vendor_cache: VendorCache = field(init=False)
    code_limiter: CodeLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.chaos_gauge = ChaosGauge(self.metrics)
        settings = self.settings
        self.vendor_cache = VendorCache(
            self.db, self.clock, refresh_seconds=settings.vendor_cache_seconds
        )
        self.code_limiter = CodeLimiter(
            db=self.db,
            per_vendor=settings.code_requests_per_vendor,
            per_address=settings.code_requests_per_address,
            window_seconds=settings.code_requests_window_seconds,
            clock=self.clock,
        )
