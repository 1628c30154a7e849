"""`xconsole export --month`: a month's finance export across teams, reconciled, deterministic."""

from __future__ import annotations

import csv
import json

MONTH = "2026-10"  # a whole month before the sandbox's frozen "now": every team has its monthly invoice


def read_csv(path):
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_export_agrees_with_invoices_flags_the_failed_charge_and_is_byte_identical_on_rerun(home, run, tmp_path):
    out = tmp_path / "out"
    first = run("--sandbox", "export", "--month", MONTH, "--all", "--csv", str(out))
    assert first.exit_code == 0, first.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"xconsole-{kind}-{MONTH}.csv" for kind in ("invoices", "ledger", "lines", "summary", "usage")]
    invoices = read_csv(out / f"xconsole-invoices-{MONTH}.csv")
    summary = {row["team_name"]: row for row in read_csv(out / f"xconsole-summary-{MONTH}.csv")}
    assert set(summary) == {"Lumen Labs", "Orbit Robotics", "Helix Health"}
    for team in summary:
        listed = json.loads(run("--sandbox", "invoices", "--team", team, "--since", MONTH, "--json").stdout)["invoices"]
        expected = sum(i["total_cents"] for i in listed if i["period"] == MONTH)
        assert int(summary[team]["invoices_total_cents"]) == expected
        assert sum(int(r["total_cents"]) for r in invoices if r["team_name"] == team) == expected
    # Every row names its team; money is integer cents beside its text.
    for kind in ("invoices", "lines", "ledger", "usage"):
        for row in read_csv(out / f"xconsole-{kind}-{MONTH}.csv"):
            assert row["team_id"] and row["team_name"]
    usage = read_csv(out / f"xconsole-usage-{MONTH}.csv")
    assert all(r["amount_cents"].isdigit() and r["amount"].startswith("$") for r in usage)
    # Purchases and usage reconcile on the sandbox; Helix's failed charge is flagged, on stderr too.
    assert summary["Lumen Labs"]["state"] == "OK" and summary["Orbit Robotics"]["state"] == "OK"
    assert summary["Helix Health"]["state"] == "FAILED_CHARGE" and "failed charge attempt" in summary["Helix Health"]["problems"]
    assert "Helix Health 2026-10: invoice" in first.stderr
    # Never overwritten without --force (nothing written at all); with it, byte-identical.
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    refused = run("--sandbox", "export", "--month", MONTH, "--all", "--csv", str(out))
    assert refused.exit_code == 1 and "already exists: nothing was written" in refused.stderr
    again = run("--sandbox", "export", "--month", MONTH, "--all", "--csv", str(out), "--force")
    assert again.exit_code == 0 and {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_the_json_export_and_its_refusals(home, run, tmp_path):
    target = tmp_path / "october.json"
    done = run("--sandbox", "export", "--month", MONTH, "--team", "orbit", "--team", "helix", "--json", str(target))
    assert done.exit_code == 0, done.output
    document = json.loads(target.read_text())
    assert document["schemaVersion"] == 1 and document["month"] == MONTH
    assert [t["name"] for t in document["teams"]] == ["Helix Health", "Orbit Robotics"]
    orbit = document["teams"][1]
    assert orbit["summary"]["state"] == "OK" and orbit["invoices"] and orbit["usage"]
    assert all(row["credit_cents"] is None or isinstance(row["credit_cents"], int) for row in orbit["ledger"])
    to_stdout = run("--sandbox", "export", "--month", MONTH, "--team", "orbit", "--team", "helix", "--json", "-")
    assert to_stdout.exit_code == 0 and json.loads(to_stdout.stdout) == document  # "-": stdout, never a file named "-"
    assert run("--sandbox", "export", "--month", "2099-01", "--all", "--json", str(tmp_path / "x.json")).exit_code == 1
    assert run("--sandbox", "export", "--month", MONTH, "--all").exit_code == 2  # no destination
    assert run("--sandbox", "export", "--month", "October", "--all", "--json", str(tmp_path / "y.json")).exit_code == 2
