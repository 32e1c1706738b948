"""Every service table, imported in one place so the metadata is complete for migrations."""

from jwtpizza.service.auth.models import LimitEvent, Session
from jwtpizza.service.database import Base
from jwtpizza.service.franchises.models import Franchise, Store
from jwtpizza.service.identity import DatabaseIdentity
from jwtpizza.service.menu.models import MenuItem
from jwtpizza.service.orders.models import FulfilmentJob, Order, OrderItem
from jwtpizza.service.users.models import User, UserRole
from jwtpizza.service.versions import DataVersion

metadata = Base.metadata

__all__ = [
    "DataVersion",
    "DatabaseIdentity",
    "Franchise",
    "FulfilmentJob",
    "LimitEvent",
    "MenuItem",
    "Order",
    "OrderItem",
    "Session",
    "Store",
    "User",
    "UserRole",
    "metadata",
]
