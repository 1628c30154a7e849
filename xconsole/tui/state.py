"""What the UI remembers about each team between switches: the last good data and how fresh it is."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xconsole.core.spend import SpendSnapshot


@dataclass
class Resource:
    """One piece of a team's data, read by the store's one loader: the last good value, the
    last failure (shown until the next success) and whether a read is in flight or wanted."""

    value: Any = None
    error: str | None = None
    error_kind: str | None = None  # "auth" | "keyring" | "network" | "config" | "bug"
    loading: bool = False
    wanted: bool = True  # read (again) when a screen next looks
    retry_delay: float = 0.0  # seconds before the next automatic retry (0: none planned)
    generation: int = 0  # bumps with every good answer, to order them
    fetched_at: float | None = None  # time.monotonic() of the last good answer
    attempt: int = 0  # the read in flight; an older, cancelled one leaves the flags alone
    retry_timer: Any = None  # the planned automatic retry (a Textual Timer), at most one

    @property
    def stale(self) -> bool:
        """Showing older data because the last read failed."""
        return self.value is not None and self.error is not None

    def stop_retry(self) -> None:
        if self.retry_timer is not None:
            self.retry_timer.stop()
            self.retry_timer = None

    def loaded(self, value: Any) -> None:
        self.stop_retry()
        self.value = value
        self.fetched_at = time.monotonic()
        self.error = self.error_kind = None
        self.retry_delay = 0.0
        self.generation += 1


@dataclass
class TeamData(Resource):
    """A team's spend snapshot (every screen's header numbers) and the data of single screens."""

    resources: dict[str, Resource] = field(default_factory=dict)

    @property
    def snapshot(self) -> SpendSnapshot | None:
        return self.value
