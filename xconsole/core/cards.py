"""Card number checks shared by the add-card form and the sandbox. Never logs or stores a number."""

from __future__ import annotations

from datetime import date

#: Test cards the sandbox knows (Stripe's conventions): this one always declines.
DECLINE_CARD = "4000000000000002"

_BRANDS = (
    ("amex", ("34", "37"), (15,)),
    ("visa", ("4",), (13, 16, 19)),
    ("mastercard", tuple(str(p) for p in range(51, 56)) + tuple(str(p) for p in range(2221, 2721)), (16,)),
    ("discover", ("6011", "65") + tuple(str(p) for p in range(644, 650)), (16, 19)),
)


def digits_only(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit() and ch.isascii())


def luhn_valid(number: str) -> bool:
    digits = digits_only(number)
    if len(digits) < 12 or len(digits) > 19 or len(digits) != len(number.replace(" ", "").replace("-", "")):
        return False
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def brand(number: str) -> str:
    """"visa", "mastercard", "amex", "discover" or "" while unknown."""
    digits = digits_only(number)
    for name, prefixes, _lengths in _BRANDS:
        if digits.startswith(prefixes):
            return name
    return ""


def group(number: str) -> str:
    """Digits grouped as people read them: 4-6-5 for Amex, else groups of 4."""
    digits = digits_only(number)
    if brand(digits) == "amex":
        parts = [digits[:4], digits[4:10], digits[10:15]]
    else:
        parts = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return " ".join(p for p in parts if p)


def card_problems(number: str, exp_month: int, exp_year: int, cvc: str, today: date) -> dict[str, str]:
    """Field -> reason for a card that cannot be submitted; empty when it may be sent."""
    problems: dict[str, str] = {}
    digits = digits_only(number)
    if not digits:
        problems["number"] = "Enter the card number"
    elif not luhn_valid(number):
        problems["number"] = "Card number is not valid (check the digits)"
    if not 1 <= exp_month <= 12:
        problems["expMonth"] = "Month must be 1-12"
    elif exp_year < 100:
        problems["expYear"] = "Use a four-digit year"
    elif (exp_year, exp_month) < (today.year, today.month):
        problems["expYear"] = "Card has expired"
    elif exp_year > today.year + 20:
        problems["expYear"] = "Expiry year too far in the future"
    wanted = 4 if brand(digits) == "amex" else 3
    if not (cvc.isascii() and cvc.isdigit() and len(cvc) in (3, 4)) or (digits and len(cvc) != wanted):
        problems["cvc"] = f"Security code is {wanted} digits"
    return problems
