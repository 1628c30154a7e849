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
    """Why `url` cannot be a Management API base URL, or None. The words never repeat the value:
    it may hold a password, or be a key pasted in the wrong place.

    A user or password is refused (it would travel with every request, beside the key), and so
    are spaces and control characters, which urlsplit drops silently (a CRLF env file)."""
    if not url.isprintable() or any(ch.isspace() for ch in url):
        return "the API URL contains spaces or control characters"
    if "@" in url:  # anywhere: an unencoded '/' in a password moves it out of the host part
        return "a user or password in the API URL is not used: the key is the credential"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return f"the API URL is not a URL with a valid host and port (e.g. {DEFAULT_API_URL})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"the API URL must be an http:// or https:// URL with a host (e.g. {DEFAULT_API_URL})"
    if port == 0:
        return "the API URL's port cannot be 0"
    if parts.query or parts.fragment:
        return f"the API URL has a query or fragment: give only the base URL (e.g. {DEFAULT_API_URL})"
    return None


def billing_path(team_id: str, tail: str) -> str:
    return f"/v1/billing/teams/{team_id}/{tail}"
