"""What the sandbox's demo teams spend money on: invoice lines by model, with believable prices."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LineItem:
    description: str
    unit_type: str
    # Price per unit in 1/100,000,000 USD cent: the unit the reference's own example implies
    # (reference 1.3, Open question 3) — our choice [C].
    unit_price: int
    weight: int  # share of a team's spend, before the team's own mix


CATALOGUE: tuple[LineItem, ...] = (
    LineItem("Chat grok-4-0709", "Prompt text tokens", 30_000, 18),
    LineItem("Chat grok-4-0709", "Completion text tokens", 150_000, 26),
    LineItem("Chat grok-4-fast-non-reasoning", "Prompt text tokens", 2_000, 10),
    LineItem("Chat grok-4-fast-non-reasoning", "Completion text tokens", 5_000, 9),
    LineItem("Chat grok-code-fast-1", "Prompt text tokens", 2_000, 11),
    LineItem("Chat grok-code-fast-1", "Completion text tokens", 15_000, 14),
    LineItem("Image grok-2-image-1212", "Images", 700_000_000, 7),
    LineItem("Embed v1", "Prompt text tokens", 1_000, 5),
)

PREPAID_LINE = LineItem("API credits purchase", "Prepaid credits", 100_000_000, 0)

MICROS_PER_CENT = 10_000


def units_for(item: LineItem, cents: int) -> int:
    """How many units cost `cents` at this line's price (for the invoice's numUnits)."""
    return cents * 100_000_000 // item.unit_price if item.unit_price else 0


def split(micros: int, weights: list[int]) -> list[int]:
    """Split `micros` by integer weights without losing any (remainder to the largest weight)."""
    total = sum(weights)
    if total <= 0 or micros <= 0:
        return [0] * len(weights)
    parts = [micros * w // total for w in weights]
    parts[max(range(len(weights)), key=lambda i: weights[i])] += micros - sum(parts)
    return parts
