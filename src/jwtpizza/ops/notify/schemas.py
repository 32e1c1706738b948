"""API models of silences, in Alertmanager's v2 shape (`matchers[].isRegex/isEqual`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from jwtpizza.ops.notify.matchers import Matcher, parse_matcher


class _Camel(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class MatcherIn(_Camel):
    name: str = Field(min_length=1, max_length=200)
    value: str = Field(max_length=1000)
    is_regex: bool = Field(default=False, alias="isRegex")
    is_equal: bool = Field(default=True, alias="isEqual")

    def to_matcher(self) -> Matcher:
        return Matcher.of(self.name, self.value, is_regex=self.is_regex, is_equal=self.is_equal)

    @classmethod
    def of(cls, matcher: Matcher) -> MatcherIn:
        return cls(
            name=matcher.name,
            value=matcher.value,
            is_regex=matcher.is_regex,
            is_equal=matcher.is_equal,
        )


class SilenceCreate(_Camel):
    """Matchers as objects or as text (`severity="warning"`); an end time or a duration."""

    matchers: list[MatcherIn | str] = Field(max_length=50)
    starts_at: datetime | None = Field(default=None, alias="startsAt")
    ends_at: datetime | None = Field(default=None, alias="endsAt")
    duration_seconds: float | None = Field(default=None, gt=0, alias="durationSeconds")
    created_by: str = Field(default="", max_length=200, alias="createdBy")
    comment: str = Field(default="", max_length=1000)

    def parsed_matchers(self) -> tuple[Matcher, ...]:
        return tuple(
            parse_matcher(m) if isinstance(m, str) else m.to_matcher() for m in self.matchers
        )


class SilencePublic(_Camel):
    id: int
    matchers: list[MatcherIn]
    starts_at: datetime = Field(alias="startsAt")
    ends_at: datetime = Field(alias="endsAt")
    created_by: str = Field(alias="createdBy")
    comment: str
    state: str  # pending, active or expired
