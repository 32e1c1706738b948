"""What a running service holds: settings, database, clock, and its ports."""

from __future__ import annotations

from dataclasses import dataclass, field

from jwtpizza.clock import Clock
from jwtpizza.db import Database
from jwtpizza.observability.metrics import Metrics
from jwtpizza.service.auth.cache import PrincipalCache
from jwtpizza.service.auth.ratelimit import LoginLimiter, RegistrationLimiter
from jwtpizza.service.auth.service import TokenSettings
from jwtpizza.service.factory_client import FactoryClient
from jwtpizza.service.franchises.cache import FranchiseCache
from jwtpizza.service.menu.cache import MenuCache
from jwtpizza.service.orders.kitchen import Kitchen
from jwtpizza.service.orders.stats_allowance import StatsAllowance
from jwtpizza.service.resilience import BreakerProbe
from jwtpizza.service.settings import ServiceSettings


@dataclass
class ServiceContext:
    settings: ServiceSettings
    db: Database
    clock: Clock
    limiter: LoginLimiter
    registrations: RegistrationLimiter
    tokens: TokenSettings
    factory: FactoryClient
    kitchen: Kitchen
    menu: MenuCache
    franchises: FranchiseCache
    principals: PrincipalCache
    order_stats: StatsAllowance
    metrics: Metrics = field(default_factory=Metrics)
    probe: BreakerProbe | None = None
