"""Masking of management keys: the one place that knows what a key looks like in public."""

from __future__ import annotations

import re

#: A management key inside other text: the `xai-` prefix, then a token with a run of 16 or more
#: letters and digits, both (a key, or one cut short by a field's length). Not a format xAI
#: documents. Words after the prefix ("xai-research-lab", "xai-prod-2024") are not keys.
_PREFIXED = re.compile(r"xai-([A-Za-z0-9_-]+)")
_RUN = re.compile(r"[A-Za-z0-9]{16,}")


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
    return any(any(c.isdigit() for c in run) and any(c.isalpha() for c in run)
               for token in _PREFIXED.findall(text) for run in _RUN.findall(token))


def scrub(text: str, *secrets: str | None) -> str:
    """Replace every occurrence of each secret in `text` by its mask."""
    for secret in secrets:
        if secret and len(secret) >= 8 and secret in text:
            text = text.replace(secret, mask_key(secret))
    return text
