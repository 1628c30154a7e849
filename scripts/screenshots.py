"""Regenerate screenshots/ from the frozen, seeded sandbox: SVG from Textual, PNG via rsvg-convert.

Run with `make screenshots`. Every picture is drawn by the app itself; nothing is edited by hand.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
        subprocess.run(["rsvg-convert", "--zoom", "1.5", str(svg), "-o", str(png)], check=True)
    else:
        print("rsvg-convert not found (apt install librsvg2-bin): SVG only", file=sys.stderr)
    return svg


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp())

    async def switcher(pilot):  # noqa: ANN001
        await pilot.press("t")

    async def next_team(pilot):  # noqa: ANN001
        await pilot.press("right_square_bracket")

    async def help_screen(pilot):  # noqa: ANN001
        await pilot.press("question_mark")

    async def payments(pilot):  # noqa: ANN001
        await pilot.press("3")

    async def auto_top_up(pilot):  # noqa: ANN001
        await pilot.press("2")

    async def buy_confirm(pilot):  # noqa: ANN001
        await pilot.press("p")
        await settle(pilot)
        for key in "100":
            await pilot.press(key)
        await pilot.press("enter")

    async def invoices(pilot):  # noqa: ANN001
        await pilot.press("4")

    async def invoice_detail(pilot):  # noqa: ANN001
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("j", "j", "j", "enter")

    async def billing(pilot):  # noqa: ANN001
        await pilot.press("5")

    async def overview(pilot):  # noqa: ANN001
        await pilot.press("0")

    scenes = [
        ("shell", sandbox_app, None, (100, 30)),
        ("shell-80x24", sandbox_app, next_team, (80, 24)),
        ("team-switcher", sandbox_app, switcher, (100, 30)),
        ("help", sandbox_app, help_screen, (100, 30)),
        ("buy-confirm", sandbox_app, buy_confirm, (100, 30)),
        ("spend-orbit", lambda: sandbox_app(team="orbit"), None, (100, 30)),
        ("auto-top-up", sandbox_app, auto_top_up, (100, 30)),
        ("payment-methods", sandbox_app, payments, (100, 30)),
        ("add-team", lambda: registry_app(embedded(), tmp / "config.toml"), None, (100, 30)),
        ("invoices", sandbox_app, invoices, (100, 30)),
        ("invoice-detail", sandbox_app, invoice_detail, (100, 30)),
        ("billing-details", sandbox_app, billing, (100, 30)),
        ("overview", sandbox_app, overview, (100, 30)),
    ]
    for name, make, steps, size in scenes:
        path = await shoot(name, make, steps, size)
        print(f"wrote {path.relative_to(ROOT)} (+ .png)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
