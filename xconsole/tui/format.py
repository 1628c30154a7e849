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
