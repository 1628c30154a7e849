"""Fault injection, so the UI and tests meet slow, failing and rate-limited APIs on purpose.

Spec syntax (CLI `--faults`): "latency=200ms,error=0.05,429=0.02,timeout=0.01".
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import asdict, dataclass


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    timeout_rate: float = 0.0
    #: How long a "timeout" fault holds the request before answering 504.
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if not 0 <= self.latency_ms <= 120_000:
            raise ValueError("latencyMs must be between 0 and 120000")
        for name in ("error_rate", "rate_limit_rate", "timeout_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if not 0 <= self.timeout_s <= 600:
            raise ValueError("timeout_s must be between 0 and 600")

    def wire(self) -> dict:
        return {"latencyMs": self.latency_ms, "errorRate": self.error_rate, "rateLimitRate": self.rate_limit_rate,
                "timeoutRate": self.timeout_rate}

    @property
    def active(self) -> bool:
        return any(asdict(self)[k] for k in ("latency_ms", "error_rate", "rate_limit_rate", "timeout_rate"))


_DURATION = re.compile(r"^(?P<n>\d+(?:\.\d+)?)(?P<unit>ms|s)?$")


def parse_faults(spec: str | None) -> Faults:
    faults = Faults()
    if not spec:
        return faults
    for part in spec.split(","):
        name, _, value = part.strip().partition("=")
        name = name.strip().lower()
        value = value.strip()
        try:
            if name == "latency":
                match = _DURATION.match(value)
                if not match:
                    raise ValueError
                n = float(match["n"])
                faults.latency_ms = int(n * 1000 if match["unit"] == "s" else n)
            elif name in ("error", "5xx"):
                faults.error_rate = float(value)
            elif name in ("429", "ratelimit"):
                faults.rate_limit_rate = float(value)
            elif name == "timeout":
                faults.timeout_rate = float(value)
            else:
                raise KeyError(name)
        except KeyError:
            raise ValueError(f"Unknown fault {name!r} (use latency, error, 429, timeout)") from None
        except ValueError:
            raise ValueError(f"Bad value for {name}: {value!r}") from None
    faults.validate()
    return faults


class FaultDice:
    """Seeded draws, so a test with a fixed seed meets the same faults every run."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self, faults: Faults) -> str | None:
        """"timeout", "429", "error" or None for this request."""
        with self._lock:
            roll = self._rng.random()
        for kind, rate in (("timeout", faults.timeout_rate), ("429", faults.rate_limit_rate), ("error", faults.error_rate)):
            if roll < rate:
                return kind
            roll -= rate
        return None
