"""Alertmanager's routing tree: the first matching child wins unless it says `continue`;
children inherit the receiver, grouping and timers they do not set."""

from __future__ import annotations

from dataclasses import dataclass

from jwtpizza.ops.notify.matchers import Matcher, matches_all

ALL_LABELS = "..."


@dataclass(frozen=True)
class Timers:
    group_wait: float = 30.0
    group_interval: float = 300.0
    repeat_interval: float = 4 * 3600.0


@dataclass(frozen=True)
class Route:
    receiver: str
    matchers: tuple[Matcher, ...] = ()
    group_by: tuple[str, ...] | None = None  # None: one group; ("...",): every label
    timers: Timers = Timers()
    continue_: bool = False
    routes: tuple[Route, ...] = ()
    key: str = "{}"  # the path of matchers from the root, as in Alertmanager's group keys
    # Named time intervals (not inherited by child routes, as in Alertmanager): no
    # notification while a mute interval contains the time, or while no active one does.
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()

    def match(self, labels: dict[str, str]) -> list[Route]:
        """The routes an alert with `labels` is delivered through (this one if no child)."""
        if not matches_all(self.matchers, labels):
            return []
        found: list[Route] = []
        for child in self.routes:
            matched = child.match(labels)
            found.extend(matched)
            if matched and not child.continue_:
                break
        return found or [self]

    def group_labels(self, labels: dict[str, str]) -> dict[str, str]:
        if self.group_by is None:
            return {}
        if ALL_LABELS in self.group_by:
            return dict(labels)
        return {name: labels[name] for name in self.group_by if name in labels}

    def walk(self) -> list[Route]:
        return [self, *(r for child in self.routes for r in child.walk())]


def label_set(labels: dict[str, str]) -> str:
    """`{a="1", b="2"}`, sorted, as Alertmanager prints label sets in group keys."""
    inner = ", ".join(f'{k}="{labels[k]}"' for k in sorted(labels))
    return "{" + inner + "}"


def group_key(route: Route, labels: dict[str, str]) -> str:
    return f"{route.key}:{label_set(labels)}"
