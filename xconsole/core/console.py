"""The xAI web console: where a person does what the public Management API cannot."""

from __future__ import annotations

CONSOLE_BILLING_URL = "https://console.x.ai/team/{team_id}/billing"

#: What the console does that the public API cannot (design.md 5); the sandbox implements them.
CONSOLE_ONLY_FEATURES = ("auto top-up", "promo codes", "adding or removing payment methods",
                         "requesting invoiced billing", "choosing a card or bank transfer")


def console_billing_url(team_id: str) -> str:
    return CONSOLE_BILLING_URL.format(team_id=team_id)
