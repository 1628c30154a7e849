"""Where the Management API is and how its billing paths are written, importable without httpx:
the client and the early-read process (core/plain_read.py) build the same URLs from here."""

from __future__ import annotations

from xconsole import __version__

DEFAULT_API_URL = "https://management-api.x.ai"
#: Header the sandbox sets on every answer, so a 404 there is a real "not found" and not a
#: console-only path the public API lacks. Our own convention [C].
SANDBOX_HEADER = "x-xconsole-sandbox"
USER_AGENT = f"xconsole/{__version__}"
INVOICE_PREVIEW = "postpaid/invoice/preview"
SPENDING_LIMITS = "postpaid/spending-limits"


def billing_path(team_id: str, tail: str) -> str:
    return f"/v1/billing/teams/{team_id}/{tail}"
