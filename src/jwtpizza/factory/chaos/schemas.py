"""API models for chaos: the start request, a fault's public view, events, scoreboard."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from jwtpizza.clock import JsonTime
from jwtpizza.factory.chaos.domain import Schedule

ANNOUNCED = "announced"  # the fault's parameter that says it was announced


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Window(CamelModel):
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("window.end must not be before window.start")
        return self


class ChaosRequest(CamelModel):
    """How and when to start a fault. With no body, the original's next-day window is used."""

    start: Literal["now", "next-day"] | None = None
    at: AwareDatetime | None = None
    within_seconds: float | None = Field(default=None, gt=0)
    window: Window | None = None
    duration_seconds: float | None = Field(default=None, gt=0)
    percent: int | None = Field(default=None, ge=1, le=100)
    delay_seconds: float | None = Field(default=None, ge=0)
    retry_after_seconds: float | None = Field(default=None, gt=0)
    mode: Literal["hang", "reset"] | None = None
    # Announced in advance: the chaos feed marks the fault's events `announced`, and ops
    # holds back the pages of the alerts it causes while it is in effect.
    announce: bool = False

    @model_validator(mode="after")
    def _one_schedule(self) -> ChaosRequest:
        given = [self.start, self.at, self.within_seconds, self.window]
        if sum(value is not None for value in given) > 1:
            raise ValueError("give at most one of start, at, withinSeconds, window")
        return self

    def schedule(self) -> Schedule:
        if self.at is not None:
            return Schedule("at", at=self.at)
        if self.within_seconds is not None:
            return Schedule("within", within_seconds=self.within_seconds)
        if self.window is not None:
            return Schedule("window", window=(self.window.start, self.window.end))
        return Schedule(self.start or "next-day")

    def params(self) -> dict[str, Any]:
        fields = ("percent", "delay_seconds", "retry_after_seconds", "mode")
        params = {name: getattr(self, name) for name in fields if getattr(self, name) is not None}
        return params | ({ANNOUNCED: True} if self.announce else {})


class ChaosEvent(CamelModel):
    id: str
    fault_id: int
    vendor_id: str
    type: str
    event: Literal["initiated", "started", "reported", "ended"]
    time: JsonTime
    reason: str | None = None
    announced: bool = False  # the fault was announced in advance (`announce`)


class ChaosEvents(CamelModel):
    now: JsonTime
    events: list[ChaosEvent]


class ScoreboardRow(CamelModel):
    vendor_id: str
    name: str | None
    faults: int
    resolved: int
    open: int
    best_seconds_to_resolve: float | None
    mean_seconds_to_resolve: float | None
    last_seconds_to_resolve: float | None
