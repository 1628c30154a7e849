"""The sandbox clock: wall time for the live demo, frozen time for tests, both advanceable."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

#: The instant tests, snapshots and screenshots run at (a Wednesday afternoon, mid-cycle).
FROZEN_NOW = datetime(2026, 11, 18, 15, 0, 0, tzinfo=timezone.utc)


def _wall() -> datetime:
    return datetime.now(timezone.utc)


class Clock:
    def __init__(self, *, frozen_at: datetime | None = None) -> None:
        self._frozen_at = frozen_at
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    @classmethod
    def frozen(cls, at: datetime = FROZEN_NOW) -> Clock:
        return cls(frozen_at=at)

    def now(self) -> datetime:
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else _wall()
            return base + self._offset

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("The sandbox clock only moves forward")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
