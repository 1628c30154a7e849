"""How the wire writes an int64 (reference 1.2), readable without pydantic: the models validate
with it, and the early-read process (core/plain_read.py) reads its three numbers with it."""

from __future__ import annotations

from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def read_int64(value: Any) -> Any:
    """int64 arrives as a string ("1413") per protobuf JSON, sometimes as a number; null is 0.
    Anything else is handed on unchanged for the caller to refuse."""
    if value is None or value == "":
        return 0
    if isinstance(value, str):
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
        raise ValueError("integer out of int64 range")
    return value
