"""Invoices (screen 4) on the sandbox and on the real API's shapes: list, filters, detail, export."""

from __future__ import annotations

import csv
import json

import httpx
from textual.widgets import Button, RadioButton, Select

from xconsole.core.session import TeamHandle
from xconsole.sandbox.embedded import open_embedded
from xconsole.sandbox.clock import FROZEN_NOW
from xconsole.tui.screens.export_dialog import ExportScreen
from xconsole.tui.screens.invoice_detail import InvoiceDetailScreen
from xconsole.tui.widgets.console_table import FilterableTable
from tests.contract.backends import _reference_router
from tests.fixtures import reference as ref
from tests.tui.harness import delayed_sandbox_app, failing_sandbox, palette, plain, real_api_app, sandbox_app, settle


async def open_invoices(pilot) -> FilterableTable:
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    return pilot.app.screen.query_one("#invoices", FilterableTable)


def status_line(app) -> str:
    return str(app.screen.query_one("#invoice-status").render())


async def test_lists_newest_first_filters_and_opens_the_detail():
    app = sandbox_app(team="helix")
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_invoices(pilot)
        listing = app.screen.listing()
        assert table.visible_count == len(listing) == 14
        times = [i.create_time for i in listing.invoices]
        assert times == sorted(times, reverse=True)
        assert "14 of 14 invoices" in status_line(app)
        assert "so far" in str(app.screen.query_one("#invoice-preview").render())

        app.screen.query_one("#filter-status", Select).value = "FAILED"
        await settle(pilot)
        assert table.visible_count == 1
        failed = app.screen.selected()
        assert failed.status == "FAILED"
        app.screen.query_one("#filter-status", Select).value = ""
        app.screen.query_one("#filter-kind", Select).value = "prepaid"
        await settle(pilot)
        assert table.visible_count == 1

        app.screen.query_one("#filter-kind", Select).value = ""
        await pilot.press("slash", *failed.invoice_number[:7])
        await settle(pilot)
        assert table.visible_count == 1 and app.screen.selected().invoice_id == failed.invoice_id
        await pilot.press("enter", "enter")  # leave the filter box, then open
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, InvoiceDetailScreen)
        assert detail.bundle is not None and detail.bundle.invoice_id == failed.invoice_id
        lines = plain(detail.query_one("#detail-lines"))
        assert "Chat grok" in lines
        attempts = str(detail.query_one("#detail-attempts").render())
        assert "failed" in attempts and "Issued to" in attempts and "Helix" in attempts
        # What it asks of the admin: which card failed, why, and where to settle it.
        assert " ".join(plain(detail.query_one("#detail-attempts")).split()).startswith(
            "Unpaid: the charge to Visa ··1881 failed (the card had expired, 10/26). Settle it on the xAI console's "
            "Billing page (https://")
        await pilot.press("c")
        assert app.clipboard == failed.invoice_number
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, InvoiceDetailScreen)


async def test_export_csv_then_json_never_overwriting_without_asking(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = sandbox_app(team="lumen")
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_invoices(pilot)
        app.screen.query_one("#filter-kind", Select).value = "monthly"
        await settle(pilot)
        shown = table.visible_count
        assert shown == 13
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("enter")
        await settle(pilot)
        (written,) = tmp_path.glob("*.csv")
        rows = list(csv.DictReader(written.open()))
        assert len(rows) == shown and {r["kind"] for r in rows} == {"monthly"}
        assert all(int(r["total_cents"]) >= 0 and r["total"].startswith("$") for r in rows)

        # The same name again: refused until Overwrite is pressed.
        written.write_text("keep me")
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen) and written.read_text() == "keep me"
        assert "exists" in str(app.screen.query_one("#export-error").render())
        assert str(app.screen.query_one("#export-save", Button).label) == "Overwrite"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen) and written.read_text().startswith("invoice_number,")

        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#fmt-json", RadioButton).value = True
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        (as_json,) = tmp_path.glob("*.json")
        document = json.loads(as_json.read_text())
        assert len(document["invoices"]) == shown
        assert isinstance(document["invoices"][0]["total_cents"], int)


async def test_detail_exports_the_invoice_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = sandbox_app(team="lumen")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_invoices(pilot)
        app.screen.query_one("#filter-kind", Select).value = "monthly"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        bundle = app.screen.bundle
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        (written,) = tmp_path.glob("*.csv")
        rows = list(csv.DictReader(written.open()))
        assert len(rows) == len(bundle.lines) > 0
        assert sum(int(r["amount_cents"]) for r in rows) == sum(line.amount for line in bundle.lines)
        assert {r["invoice_number"] for r in rows} == {bundle.invoice_number}


async def test_preview_shows_this_months_lines():
    app = sandbox_app(team="lumen")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_invoices(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceDetailScreen)
        assert "preview" in str(app.screen.query_one(".dialog-title").render())
        assert "Prepaid credit covers" in str(app.screen.query_one("#detail-totals").render())
        assert "copy number" not in str(app.screen.query_one(".dialog-hint").render())  # none until month end
        await pilot.press("c")
        await pilot.pause()
        assert any("preview has no invoice number yet" in message for message, _ in app.notices)


async def test_long_history_is_read_by_period_and_older_years_on_request():
    sandbox = open_embedded(":memory:", frozen_at=FROZEN_NOW, large=True)
    app = delayed_sandbox_app(sandbox, team="megacorp")
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_invoices(pilot)
        # (Each team's own snapshot reads the invoices since last month too: unpaid ones need attention.)
        snapshot_reads = "since.year=2026&since.month=10"
        calls = [q for r in app.transport.requests if r.url.path.endswith("/invoices")
                 if (q := str(r.url.query, "ascii")) != snapshot_reads]
        assert calls == ["since.year=2026&since.month=11", "since.year=2025&since.month=1"]
        listing = app.screen.listing()
        assert listing.since == (2025, 1) and table.visible_count == len(listing) > 9000
        assert table.drawn_count <= FilterableTable.PAGE  # only a page is drawn
        await pilot.press("G")  # scrolling down draws more
        await settle(pilot)
        assert table.drawn_count > FilterableTable.PAGE
        app.screen.query_one("#filter-year", Select).value = "all"
        await settle(pilot)
        calls = [str(r.url.query, "ascii") for r in app.transport.requests if r.url.path.endswith("/invoices")]
        assert calls[-1] == "" and app.screen.listing().since is None
        assert len(app.screen.listing()) == 10_000


async def test_real_api_shapes_list_detail_by_invoice_id():
    router = _reference_router()
    app = real_api_app(httpx.MockTransport(router.async_handler), TeamHandle("Lumen", ref.TEAM, "keyring"), ref.KEY)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_invoices(pilot)
        assert table.visible_count == 1
        invoice = app.screen.selected()
        assert invoice.invoice_number == "318-905-442-017" and invoice.total == 619
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert detail.bundle.lines[0].amount == 619
        assert "does not return the address" in str(detail.query_one("#detail-attempts").render())
    by_id = [c.request.url for c in router.calls if "invoiceIds.invoiceIds" in str(c.request.url)]
    assert len(by_id) == 1 and by_id[0].params.get_list("invoiceIds.invoiceIds") == [invoice.invoice_id]


async def test_the_palette_reaches_this_screens_actions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = sandbox_app(team="lumen")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_invoices(pilot)
        await palette(pilot, "invoices: export")
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("escape")
        await settle(pilot)
        await palette(pilot, "buy credits")
        from xconsole.tui.screens.buy_credits import BuyCreditsScreen

        assert isinstance(app.screen, BuyCreditsScreen)


async def test_this_month_says_why_it_could_not_be_read_not_loading(monkeypatch):
    app = sandbox_app(failing_sandbox(monkeypatch))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        preview = str(app.screen.query_one("#invoice-preview").render())
        assert "r retries" in preview and "loading" not in preview.lower()
