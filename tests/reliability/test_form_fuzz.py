"""Every form field of the console fed hostile text: each answer is a message next to the field
or a confirmation that is then declined. No crash, no traceback on screen, nothing sent unasked."""

from __future__ import annotations

import random

from textual.widgets import Input, Label

from xconsole.tui.screens.confirm import ConfirmActionScreen
from tests.tui.harness import delayed_sandbox_app, embedded, settle

FIXED = ["", " ", "\n", "1e309", "-5", "NaN", "$1,00.0", "٣٠", "１００", "25\x00", "9" * 60, "‮25", "0.001",
         "<b>bold</b>", "[red]markup[/red]", "'; DROP TABLE teams;--", "25 25", "ap@@x", "🙂"]
ALPHABET = "0123456789.,$- abcXYZé\n\t\x00\u200b\u202e🙂٣[]/@"


def samples(n: int = 4, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    made = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 30))) for _ in range(n)]
    return FIXED + made


#: (screen keys, input id, error label ids, how to submit)
FIELDS = [
    (["1", "p"], "amount", ["amount-error", "buy-status"], "enter"),
    (["1", "l"], "limit-amount", ["limit-error"], "enter"),
    (["2"], "auto-threshold", ["auto-threshold-error"], "enter"),
    (["2"], "auto-amount", ["auto-amount-error"], "enter"),
    (["2"], "auto-monthlyLimit", ["auto-monthlyLimit-error"], "enter"),
    (["3", "a"], "card-number", ["card-number-error", "card-expiry-error", "card-cvc-error", "card-status"], "enter"),
    (["3", "a"], "card-expiry", ["card-number-error", "card-expiry-error", "card-cvc-error", "card-status"], "enter"),
    (["5"], "bill-email", ["bill-email-error"], "enter"),
    (["5"], "bill-country", ["bill-country-error"], "enter"),
    (["5"], "bill-name", ["bill-name-error"], "enter"),
    (["5"], "bill-line1", ["bill-line1-error", "bill-country-error"], "enter"),
]


async def quick_settle(pilot) -> None:
    """Enough for a form's own validation or a dialog to open (no network involved)."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def label_text(app, ids) -> str:
    found = []
    for ident in ids:
        for label in app.screen.query(f"#{ident}").results(Label):
            if not label.has_class("hidden"):
                found.append(str(label.render()))
    return " ".join(found).strip()


async def test_every_field_answers_hostile_text_with_a_message_or_a_confirmation():
    app = delayed_sandbox_app(embedded(), team="helix")
    tried = confirmations = messages = 0
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        for keys, input_id, error_ids, submit in FIELDS:
            app.screen.set_focus(None)  # digits typed into a focused field are text, not screen keys
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            dialog = app.screen
            for text in samples():
                box = dialog.query_one(f"#{input_id}", Input)
                box.value = text
                box.focus()
                last_notice = app.notices[-1] if app.notices else None
                await pilot.press(submit)
                await quick_settle(pilot)
                tried += 1
                if isinstance(app.screen, ConfirmActionScreen):
                    confirmations += 1
                    await pilot.press("escape")  # declined: nothing is sent
                    await settle(pilot)
                else:
                    assert app.screen is dialog, f"{input_id}={text!r} left the form"
                    # Next to the field, or a notification (an empty form that is off: nothing to save).
                    said = label_text(app, error_ids) or (app.notices and app.notices[-1] is not last_notice
                                                          and "nothing to save" in app.notices[-1][0])
                    assert said, f"{input_id}={text!r}: neither a message nor a confirmation"
                    messages += 1
            assert "Traceback" not in app.export_screenshot()
            if keys[-1] in ("p", "l", "a"):
                await pilot.press("escape")
                await settle(pilot)
            else:  # a form screen: back to what the server holds before the next field
                for reset in app.screen.query("#bill-reset, #auto-reset"):
                    reset.press()
                await settle(pilot)
        assert app.return_code is None
    writes = [c for c in app.transport.calls if c[0] in ("POST", "DELETE") and not c[1].endswith("/usage")]
    # Only the add-card form sends on Enter (its own one-step form); everything else waits for a confirmation.
    assert all(path.endswith("/payment-method") for _m, path in writes), writes
    assert tried == len(FIELDS) * len(samples()) == messages + confirmations
    print(f"form fuzz: {tried} inputs, {messages} refused with a message, {confirmations} reached a confirmation")
