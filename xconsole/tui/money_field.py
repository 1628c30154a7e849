"""Reading a dollar amount typed into a form, with the reason shown next to the field."""

from __future__ import annotations

from textual.widgets import Label


def read_amount(
    text: str,
    error: Label,
    *,
    minimum: tuple[int, str] | None = None,
    maximum: tuple[int, str] | None = None,
    quiet_when_empty: bool = False,
) -> int | None:
    """Cents, or None with the reason written into `error` (nothing while the field is empty
    and `quiet_when_empty`, so typing does not start with a complaint)."""
    from xconsole.core.money import MoneyError, parse_amount

    if quiet_when_empty and not text.strip():
        error.update("")
        return None
    try:
        cents = parse_amount(text)
    except MoneyError as exc:
        error.update(str(exc))
        return None
    for bound, too_far in ((minimum, lambda c, b: c < b), (maximum, lambda c, b: c > b)):
        if bound is not None and too_far(cents, bound[0]):
            error.update(bound[1])
            return None
    error.update("")
    return cents
