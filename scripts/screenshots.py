"""Regenerate screenshots/ from the frozen, seeded sandbox: SVG from Textual, PNG via rsvg-convert.

Run with `make screenshots`. Every picture is drawn by the app itself; nothing is edited by hand.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Writes made while shooting (the action journal, last looks) go to a throwaway state dir, never
# to the person's own.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="xconsole-screenshots-")

from tests.fixtures.strict_api import StrictApi, console_app  # noqa: E402
from tests.tui.harness import embedded, registry_app, sandbox_app, settle  # noqa: E402

OUT = ROOT / "screenshots"


async def shoot(name: str, make_app: Callable[[], object], steps: Callable[[object], Awaitable[None]] | None, size: tuple[int, int]) -> Path:
    app = make_app()
    async with app.run_test(size=size) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        if steps is not None:
            await steps(pilot)
            await settle(pilot)
        svg = OUT / f"{name}.svg"
        app.save_screenshot(filename=svg.name, path=str(OUT))  # type: ignore[attr-defined]
    png = svg.with_suffix(".png")
    if shutil.which("rsvg-convert"):
        # librsvg drops each <text>'s leading spaces (U+00A0 too) unless told to keep them: without
        # this, "limit $0.00" + "  (max" reads "$0.00(max" in the picture though not on screen.
        text = svg.read_text(encoding="utf-8").replace("<svg ", '<svg xml:space="preserve" ', 1)
        subprocess.run(["rsvg-convert", "--zoom", "1.5", "-o", str(png)], input=text.encode(), check=True)
    else:
        print("rsvg-convert not found (apt install librsvg2-bin): SVG only", file=sys.stderr)
    return svg


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp())

    def keys(*pressed: str, settle_between: bool = False):  # noqa: ANN202
        """Steps that press `pressed` in order (settling after each when asked)."""

        async def steps(pilot):  # noqa: ANN001
            for key in pressed:
                await pilot.press(key)
                if settle_between:
                    await settle(pilot)

        return steps

    switcher, next_team, help_screen = keys("t"), keys("right_square_bracket"), keys("question_mark")
    auto_top_up, payments, invoices, billing, overview = keys("2"), keys("3"), keys("4"), keys("5"), keys("0")
    history = keys("6", settle_between=True)
    # The what-if below the form: a draft amount and maximum, then down to its figures.
    what_if = keys("2", "tab", "tab", "tab", "ctrl+a", "ctrl+k", "2", "5", "tab", "ctrl+a", "ctrl+k", "1", "0", "0",
                   "escape", "pagedown", settle_between=True)
    buy_confirm = keys("p", "1", "0", "0", "enter", settle_between=True)
    invoice_detail = keys("4", "j", "j", "j", "enter", settle_between=True)

    scenes = [
        ("shell", sandbox_app, None, (100, 30)),
        ("shell-80x24", sandbox_app, next_team, (80, 24)),
        ("team-switcher", sandbox_app, switcher, (100, 30)),
        ("help", sandbox_app, help_screen, (100, 30)),
        ("buy-confirm", sandbox_app, buy_confirm, (100, 30)),
        ("spend-orbit", lambda: sandbox_app(team="orbit"), None, (100, 30)),
        ("auto-top-up", sandbox_app, auto_top_up, (100, 30)),
        ("auto-top-up-what-if", sandbox_app, what_if, (100, 30)),
        ("history", lambda: sandbox_app(team="helix"), history, (100, 30)),
        ("payment-methods", sandbox_app, payments, (100, 30)),
        ("add-team", lambda: registry_app(embedded(), tmp / "config.toml"), None, (100, 30)),
        ("invoices", sandbox_app, invoices, (100, 30)),
        ("invoice-detail", sandbox_app, invoice_detail, (100, 30)),
        ("billing-details", sandbox_app, billing, (100, 30)),
        ("overview", sandbox_app, overview, (100, 30)),
        # On a server that speaks the real API (never said to be the sandbox): what is console-only.
        ("real-api-buy", lambda: console_app(StrictApi()), keys("p", "2", "5", settle_between=True), (100, 30)),
        ("real-api-payments", lambda: console_app(StrictApi()), payments, (100, 30)),
    ]
    for name, make, steps, size in scenes:
        path = await shoot(name, make, steps, size)
        print(f"wrote {path.relative_to(ROOT)} (+ .png)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
