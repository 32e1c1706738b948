"""The ops component's own declarative base: its tables never mix with another component's."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from jwtpizza.db.naming import NAMING


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
