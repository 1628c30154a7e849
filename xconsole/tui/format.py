"""How the UI words and formats billing values (kept apart from widgets so tests can use it)."""

from __future__ import annotations

from datetime import datetime

ORIGIN = {
    "PURCHASE": "Purchase",
    "AUTO_PURCHASE": "Auto top-up",
    "SPEND": "Usage (posted)",
    "MANUAL": "Credit (promo)",
    "REFUND": "Refund",
}
STATUS = {
    "SUCCEEDED": "succeeded",
    "TO_CHARGE": "pending",
    "TO_GENERATE_INVOICE": "pending",
    "FAILED_TO_CHARGE": "failed",
    "FAILED_TO_GENERATE_INVOICE": "failed",
}


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def origin(value: str) -> str:
    return ORIGIN.get(value, value.replace("_", " ").title())


def status(value: str | None) -> str:
    if value is None:
        return "—"
    return STATUS.get(value, value.lower())


SPARK_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """One bar per value, scaled to the largest; all zero (no spend) is a flat lowest bar."""
    top = max(values, default=0)
    if top <= 0:
        return SPARK_BARS[0] * len(values)
    return "".join(SPARK_BARS[min(len(SPARK_BARS) - 1, v * len(SPARK_BARS) // (top + 1))] if v > 0 else " "
                   for v in values)
