"""Fault injection, so the UI and tests meet slow, failing and rate-limited APIs on purpose.

Spec syntax (CLI `--faults`): "latency=200ms,error=0.05,429=0.02,timeout=0.01,malformed=0.1,
enum=0.1,missing=0.1". The last three answer 200 with a damaged body: cut-off JSON, enum values
this client has never seen, or a top-level field left out (what a newer or broken server sends).
"""

from __future__ import annotations

import json
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
    malformed_rate: float = 0.0
    unknown_enum_rate: float = 0.0
    missing_field_rate: float = 0.0
    #: How long a "timeout" fault holds the request before answering 504.
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if not 0 <= self.latency_ms <= 120_000:
            raise ValueError("latencyMs must be between 0 and 120000")
        for name in RATES:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if sum(getattr(self, name) for name in RATES) > 1.0:
            raise ValueError("the fault rates add up to more than 1")
        if not 0 <= self.timeout_s <= 600:
            raise ValueError("timeout_s must be between 0 and 600")

    def wire(self) -> dict:
        return {"latencyMs": self.latency_ms, "errorRate": self.error_rate, "rateLimitRate": self.rate_limit_rate,
                "timeoutRate": self.timeout_rate, "malformedRate": self.malformed_rate,
                "unknownEnumRate": self.unknown_enum_rate, "missingFieldRate": self.missing_field_rate}

    @property
    def active(self) -> bool:
        return any(asdict(self)[k] for k in ("latency_ms", *RATES))


#: Fault kinds drawn per request, in draw order, with the rate field that sets each.
KINDS = (("timeout", "timeout_rate"), ("429", "rate_limit_rate"), ("error", "error_rate"),
         ("malformed", "malformed_rate"), ("enum", "unknown_enum_rate"), ("missing", "missing_field_rate"))
RATES = tuple(rate for _kind, rate in KINDS)
#: Body faults: the request is served, then its answer damaged.
BODY_FAULTS = ("malformed", "enum", "missing")
#: Keys whose values are enum names in the API's JSON.
ENUM_KEYS = frozenset({"invoiceStatus", "changeOrigin", "topupStatus", "kind", "status", "paymentType", "scope",
                       "timeUnit", "aggregation"})


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
            elif name == "malformed":
                faults.malformed_rate = float(value)
            elif name == "enum":
                faults.unknown_enum_rate = float(value)
            elif name == "missing":
                faults.missing_field_rate = float(value)
            else:
                raise KeyError(name)
        except KeyError:
            raise ValueError(f"Unknown fault {name!r} (use latency, error, 429, timeout, malformed, enum, missing)") from None
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
        """One of KINDS' names, or None for this request."""
        with self._lock:
            roll = self._rng.random()
        for kind, field in KINDS:
            rate = getattr(faults, field)
            if roll < rate:
                return kind
            roll -= rate
        return None


def damage(kind: str, body: bytes) -> bytes:
    """The answer a broken or newer server would send instead of `body`."""
    if kind == "malformed":
        return body[: max(1, len(body) // 2)]
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if kind == "enum":
        document = _rename_enums(document)
    elif kind == "missing" and isinstance(document, dict) and document:
        document.pop(next(iter(document)))
    return json.dumps(document).encode()


def _rename_enums(node: object) -> object:
    if isinstance(node, dict):
        return {k: (f"FUTURE_{v}" if k in ENUM_KEYS and isinstance(v, str) else _rename_enums(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename_enums(v) for v in node]
    return node
