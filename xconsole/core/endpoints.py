"""Where the Management API is and how its billing paths are written, importable without httpx:
the client and the early-read process (core/plain_read.py) build the same URLs from here."""

from __future__ import annotations

from urllib.parse import urlsplit

from xconsole import __version__

DEFAULT_API_URL = "https://management-api.x.ai"
#: Header the sandbox sets on every answer, so a 404 there is a real "not found" and not a
#: console-only path the public API lacks. Our own convention [C].
SANDBOX_HEADER = "x-xconsole-sandbox"
USER_AGENT = f"xconsole/{__version__}"
INVOICE_PREVIEW = "postpaid/invoice/preview"
SPENDING_LIMITS = "postpaid/spending-limits"


def api_url_problem(url: str) -> str | None:
    """Why `url` cannot be a Management API base URL (said to the person who gave it), or None.
    A user or password in it is refused: it would travel with every request, beside the key."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"{url!r} is not a URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http:// or https:// URL with a host (e.g. {DEFAULT_API_URL})"
    if parts.username is not None or parts.password is not None:
        return "a user or password in the API URL is not used: the key is the credential"
    if parts.query or parts.fragment:
        return f"{url!r} has a query or fragment: give only the base URL (e.g. {DEFAULT_API_URL})"
    return None


def billing_path(team_id: str, tail: str) -> str:
    return f"/v1/billing/teams/{team_id}/{tail}"
