"""What the UI remembers about each team between switches: the last good data and how fresh it is."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xconsole.core.spend import SpendSnapshot


@dataclass
class TeamData:
    snapshot: SpendSnapshot | None = None
    fetched_at: float | None = None  # time.monotonic() of the last good answer
    loading: bool = False
    error: str | None = None  # the last failure, shown until the next success
    error_kind: str | None = None  # "auth" | "keyring" | "network" | "api"
    retry_delay: float = 0.0  # seconds before the next automatic retry (0: none planned)
    generation: int = field(default=0)  # bumps with every answer, to order them
    resources: dict[str, Resource] = field(default_factory=dict)

    @property
    def stale(self) -> bool:
        """Showing older data because the last refresh failed."""
        return self.snapshot is not None and self.error is not None

    def mark_loaded(self, snapshot: SpendSnapshot) -> None:
        self.snapshot = snapshot
        self.fetched_at = time.monotonic()
        self.error = self.error_kind = None
        self.retry_delay = 0.0
        self.generation += 1


@dataclass
class Resource:
    """Data a single screen needs beyond the team's snapshot (invoices, billing details)."""

    value: Any = None
    error: str | None = None
    loading: bool = False
    wanted: bool = True  # fetch (again) when the screen next looks
    retry_delay: float = 0.0
