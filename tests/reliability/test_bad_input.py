"""Bad input, driven by hypothesis: every validator behind a form field either refuses with a
message or accepts something the API accepts too. Nothing crashes, nothing is half-accepted."""

from __future__ import annotations

import asyncio
import string
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xconsole.core import billing_info, cards, errors
from xconsole.core.credentials import clean_key
from xconsole.core.export import default_name
from xconsole.core.money import MAX_INPUT_CENTS, MoneyError, parse_amount
from xconsole.core.teams import TeamError, check_name, check_team_id
from tests.sandbox_helpers import SandboxHarness

#: Text a person (or a paste) can produce: letters of any script, digits of any script, symbols,
#: spaces of every kind, control characters, emoji.
NASTY = st.text(st.characters(codec="utf-8"), max_size=60) | st.sampled_from([
    "", " ", "\n", "\t42", "1e309", "-0", "NaN", "inf", "$1,00.0", "٣٠", "１００", "25\x00", "0x19", "25.999",
    "9" * 400, "‮25", "<script>", "'; DROP TABLE teams;--", "xai-abc\ndef", " xai-" + "a" * 40 + " ",
])
TODAY = date(2026, 11, 18)


@given(NASTY)
def test_amounts(text):
    try:
        cents = parse_amount(text)
    except MoneyError as exc:
        assert str(exc)
    else:
        assert isinstance(cents, int) and 0 <= cents <= MAX_INPUT_CENTS


@given(NASTY, st.integers(-5, 20), st.integers(-1, 3000), NASTY)
def test_cards(number, month, year, cvc):
    problems = cards.card_problems(number, month, year, cvc, TODAY)
    assert all(isinstance(m, str) and m for m in problems.values())
    if not problems:  # whatever passes is plain ASCII digits the API can take
        digits = cards.digits_only(number)
        assert digits.isascii() and digits.isdigit() and 12 <= len(digits) <= 19
        assert cvc.isascii() and cvc.isdigit()


@given(NASTY)
def test_team_names(text):
    try:
        name = check_name(text)
    except TeamError as exc:
        assert str(exc)
    else:
        assert name == name.strip() and 0 < len(name) <= 40
        assert not any(unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp") for ch in name)


@given(NASTY)
def test_team_ids(text):
    try:
        check_team_id(text)
    except TeamError as exc:
        assert "UUID" in str(exc)


@given(NASTY)
def test_keys_with_whitespace_and_newlines(text):
    try:
        key = clean_key(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert key == key.strip() and not any(ch.isspace() for ch in key) and key.isprintable()


@given(NASTY)
def test_export_file_names_stay_in_the_directory(team_name):
    name = default_name(team_name, "invoices", "csv", "2026-11-18")
    assert "/" not in name and "\\" not in name and not name.startswith(".") and name.endswith(".csv")
    assert all(ch in string.ascii_letters + string.digits + "-." or ch.isalnum() for ch in name)


ADDRESS = st.fixed_dictionaries({f: NASTY for f, _w, _l in billing_info.FIELDS if f != "country"} | {
    "country": st.sampled_from(["US", "DE", "de", "XX", "", "U", "USA", "gb"]) | NASTY,
    "email": st.sampled_from(["ap@lumen.example", "a@b", "", "a b@c.de"]) | NASTY,
    "name": st.sampled_from(["Lumen Labs LLC"]) | NASTY,
})


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(ADDRESS)
def test_billing_details_the_form_and_the_sandbox_agree(values):
    """What the form accepts, the sandbox stores; what it refuses, the sandbox refuses too."""
    info = billing_info.build(values)
    found = billing_info.problems(info)
    assert all(isinstance(m, str) and m for m in found.values())

    async def send() -> Exception | None:
        harness = await SandboxHarness().start()
        client = harness.client("lumen")
        try:
            await client.set_billing_info(harness.teams["lumen"].team_id, info)
        except errors.Validation as exc:
            return exc
        finally:
            await harness.close()
        return None

    refused = asyncio.run(send())
    assert (refused is None) == (not found), (found, refused)
    if refused is not None:
        assert billing_info.form_field(refused.field) in found
