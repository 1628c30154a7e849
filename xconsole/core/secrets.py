"""Masking of management keys: the one place that knows what a key looks like in public."""

from __future__ import annotations

import re

#: Something shaped like a management key inside other text: the `xai-` prefix and a token. Not a
#: format xAI documents; wide enough to catch a key pasted (or cut short) in the wrong field.
_KEY_LIKE = re.compile(r"xai-[A-Za-z0-9_-]{12,}")


def mask_key(key: str | None) -> str:
    """`xai-…9QfZ` for a key; never more than the prefix and the last four characters."""
    if not key:
        return "(none)"
    key = key.strip()
    prefix = "xai-" if key.startswith("xai-") else ""
    if len(key) < 12:
        return f"{prefix}…" if prefix else "…"
    return f"{prefix}…{key[-4:]}"


def looks_like_key(text: str) -> bool:
    return _KEY_LIKE.search(text) is not None


def scrub(text: str, *secrets: str | None) -> str:
    """Replace every occurrence of each secret in `text` by its mask."""
    for secret in secrets:
        if secret and len(secret) >= 8 and secret in text:
            text = text.replace(secret, mask_key(secret))
    return text
