"""The scriptable commands — balance, invoices, usage — on a served sandbox and on the real
API's shapes: one JSON document, integer cents, exit 3 under a threshold, one failing team."""

from __future__ import annotations

import csv
import io
import json

import respx

from tests.contract.backends import _reference_router
from tests.fixtures import reference as ref


def register(run, served, *names):
    for name in names:
        team = served.teams[name]
        result = run("team", "add", name.title(), "--key-stdin", "--api-url", served.url, input=team["managementKey"])
        assert result.exit_code == 0, result.output


def test_balance_all_json_reports_a_401_team_in_its_row_and_prints_the_others(home, served, memory_keyring, run):
    register(run, served, "lumen", "orbit", "helix")
    # Orbit's stored key stops working (revoked in the console, say).
    memory_keyring.store[("xconsole", f"team:{served.teams['orbit']['teamId']}")] = "xai-revokedrevokedrevoked0000"
    result = run("--api-url", served.url, "balance", "--all", "--json")
    # Exit 1: a balance not read may be below anything a script checks; the others are still printed.
    assert result.exit_code == 1 and "xconsole: Orbit: Key rejected" in result.stderr, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)["teams"]}
    assert set(rows) == {"Lumen", "Orbit", "Helix"}
    assert "401" in rows["Orbit"]["error"]
    assert "balance" not in rows["Orbit"]
    for name in ("Lumen", "Helix"):
        assert rows[name]["error"] is None
        assert isinstance(rows[name]["balance"]["cents"], int) and rows[name]["balance"]["formatted"].startswith("$")
    assert "xai-revoked" not in result.output  # the key never shows, not even in the error

    table = run("--api-url", served.url, "balance", "--all")
    lines = table.stdout.splitlines()
    assert table.exit_code == 1 and len(lines) == 4 and all(len(line) <= 80 for line in lines)
    below = run("--api-url", served.url, "balance", "--all", "--runway-below", "0")  # no team crosses it; Orbit unread
    assert below.exit_code == 1 and "Orbit" in below.stderr
    assert "error" in next(line for line in lines if line.startswith("Orbit"))


def test_below_and_runway_below_exit_3_naming_the_teams(home, served, memory_keyring, run):
    register(run, served, "lumen", "orbit")
    low = run("--api-url", served.url, "balance", "--all", "--below", "10")
    assert low.exit_code == 3
    assert "Orbit" in low.stderr and "Lumen" not in low.stderr
    assert run("--api-url", served.url, "balance", "--all", "--below", "1").exit_code == 0
    assert run("--api-url", served.url, "balance", "--all", "--runway-below", "2").exit_code == 3
    assert run("--api-url", served.url, "balance", "--all", "--runway-below", "0.5").exit_code == 0
    assert run("--api-url", served.url, "balance", "--below", "ten").exit_code == 2


def test_one_teams_balance_names_an_invoice_that_could_not_be_charged(home, served, memory_keyring, run):
    register(run, served, "helix")  # October's monthly invoice: its charge failed
    (row,) = json.loads(run("--api-url", served.url, "balance", "--json").stdout)["teams"]
    assert any(w.startswith("Invoice ") and w.endswith("could not be charged") for w in row["warnings"])
    register(run, served, "lumen")
    rows = json.loads(run("--api-url", served.url, "balance", "--all", "--json").stdout)["teams"]
    assert not any("could not be charged" in w for r in rows for w in r["warnings"])  # --all reads no invoices


def test_invoices_csv_json_and_table(home, served, memory_keyring, run):
    register(run, served, "helix")
    as_csv = run("--api-url", served.url, "invoices", "--since", "2026-01", "--csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows and all(r["period"] >= "2026-01" for r in rows)
    assert all(int(r["total_cents"]) >= 0 for r in rows)
    doc = json.loads(run("--api-url", served.url, "invoices", "--json").stdout)
    assert doc["team"]["name"] == "Helix" and any(i["status"] == "FAILED" for i in doc["invoices"])
    lines = json.loads(run("--api-url", served.url, "invoices", "--since", "2026-10", "--lines", "--json").stdout)
    assert lines["lines"] and all(isinstance(line["amount_cents"], int) for line in lines["lines"])
    table = run("--api-url", served.url, "invoices")
    assert table.exit_code == 0 and all(len(line) <= 80 for line in table.stdout.splitlines())
    assert run("--api-url", served.url, "invoices", "--since", "26-1").exit_code == 2
    both = run("--api-url", served.url, "invoices", "--json", "--csv")
    assert both.exit_code == 2 and "Use --json or --csv, not both" in both.output
    assert run("--api-url", served.url, "usage", "--csv", "--json").exit_code == 2


def test_usage_per_day_and_per_model(home, served, memory_keyring, run):
    register(run, served, "lumen")
    doc = json.loads(run("--api-url", served.url, "usage", "--days", "7", "--json").stdout)
    assert len(doc["rows"]) == 7 and doc["to"] == "2026-11-18"
    assert doc["total"]["cents"] == sum(r["cents"] for r in doc["rows"]) > 0
    by_model = run("--api-url", served.url, "usage", "--by", "model", "--csv")
    rows = list(csv.DictReader(io.StringIO(by_model.stdout)))
    assert rows and all(r["model"] for r in rows)
    assert [int(r["cents"]) for r in rows] == sorted((int(r["cents"]) for r in rows), reverse=True)
    human = run("--api-url", served.url, "usage", "--days", "3")
    assert human.exit_code == 0 and "total" in human.stdout
    assert run("--api-url", served.url, "usage", "--days", "0").exit_code == 2


def test_commands_on_the_real_api_shapes(home, run):
    router = _reference_router(respx.mock(base_url=ref.BASE, assert_all_called=False))
    env = {"XAI_MANAGEMENT_KEY": ref.KEY, "NO_COLOR": "1"}
    with router:
        balance = run("--api-url", ref.BASE, "balance", "--json", env=env)
        invoices = run("--api-url", ref.BASE, "invoices", "--json", env=env)
        usage = run("--api-url", ref.BASE, "usage", "--days", "2", "--json", env=env)
    assert balance.exit_code == 0, balance.output
    (row,) = json.loads(balance.stdout)["teams"]
    assert row["teamId"] == ref.TEAM and row["autoTopUp"] is None  # console-only on the real API
    (invoice,) = json.loads(invoices.stdout)["invoices"]
    assert invoice["total_cents"] == 619 and invoice["invoice_number"] == "318-905-442-017"
    assert usage.exit_code == 0 and json.loads(usage.stdout)["rows"]


def test_api_errors_are_one_line_on_stderr(home, run):
    router = _reference_router(respx.mock(base_url=ref.BASE, assert_all_called=False))
    with router:
        result = run("--api-url", ref.BASE, "invoices", env={"XAI_MANAGEMENT_KEY": "xai-wrongwrongwrongwrong0000"})
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("xconsole: ")
