"""The action journal (core/journal.py) and its hook in TeamActions: every write sent appends one
private line saying who, where, what, before → after and how it ended; concurrent processes never
tear a line; a journal that cannot be written never fails the write; no key, card number or CVC."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from xconsole.cli.options import Options
from xconsole.cli.wiring import sandbox_session
from xconsole.core import errors, models, purchase
from xconsole.core.actions import TeamActions
from xconsole.core.client import ManagementClient
from xconsole.core.journal import DONE, FAILED, UNKNOWN, Journal, JournalEntry, Where, default_path
from xconsole.core.session import Session
from xconsole.sandbox.embedded import BASE_URL
from tests.tui.harness import DelayTransport, embedded

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def quick_follow(monkeypatch):
    monkeypatch.setattr(purchase, "FOLLOW_DELAYS_S", (0.0, 0.0, 0.0))


@dataclass
class Team:
    session: Session
    transport: DelayTransport
    journal: Journal

    async def actions(self, slug: str) -> TeamActions:
        team = next(t for t in self.session.teams if t.name.lower().startswith(slug))
        return await self.session.actions_for(team)

    def lines(self) -> list[dict]:
        path = self.journal.path
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
async def sandbox(tmp_path) -> AsyncIterator[Team]:
    sb = embedded()
    session = sandbox_session(Options(sandbox=True), sb)
    transport = DelayTransport(sb.transport)
    session.make_client = lambda key, _url: ManagementClient(key, BASE_URL, transport=transport, sandbox=True)
    yield Team(session, transport, Journal())  # the user's journal: XDG_STATE_HOME is a tmp dir
    await session.aclose()


def entry(team_id: str = "t1", **kw: object) -> JournalEntry:
    base = dict(time=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), team_id=team_id, team_name="Prod",
                action="LIMIT", what="change the invoiced billing limit", outcome=DONE,
                where=Where("ana", "build-01", True, "10.0.0.7"))
    return JournalEntry(**{**base, **kw})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the file


def test_the_journal_lives_in_the_user_state_dir_private_and_append_only(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = default_path()
    assert path == tmp_path / "state" / "xconsole" / "journal.jsonl"
    journal = Journal()
    journal.append(entry(before="$0.00", after="$100.00", amount_cents=10_000))
    journal.append(entry(team_id="t2"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert rows[0] == {
        "v": 1, "time": "2026-01-02T03:04:05Z", "serverTime": None, "user": "ana", "host": "build-01", "ssh": True,
        "sshFrom": "10.0.0.7", "teamId": "t1", "teamName": "Prod", "action": "LIMIT",
        "what": "change the invoiced billing limit", "before": "$0.00", "after": "$100.00", "amountCents": 10_000,
        "idempotencyKey": None, "outcome": "done", "reason": None, "apiUrl": None,
    }
    assert [e.team_id for e in journal.entries("t2")] == ["t2"]
    assert journal.entries("t1")[0].where.label() == "ana@build-01 (ssh)"


def test_a_file_opened_up_by_hand_is_made_private_again_and_bad_lines_are_skipped(tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_text("{not json\n\n")
    path.chmod(0o644)
    journal = Journal(path)
    journal.append(entry())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("{not json\n")  # appended, never rewritten
    assert len(journal.entries()) == 1


def test_off_disables_it(monkeypatch, tmp_path):
    monkeypatch.setenv("XCONSOLE_JOURNAL_FILE", "off")
    Journal().append(entry())
    assert default_path() is None and Journal().entries() == []


def test_where_reads_the_ssh_session(monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.9 51234 192.0.2.1 22")
    here = Where.here()
    assert here.ssh and here.ssh_from == "192.0.2.9" and here.label().endswith(" (ssh)")
    monkeypatch.delenv("SSH_CONNECTION")
    assert not Where.here().ssh


def test_keys_and_card_numbers_in_free_text_are_masked(tmp_path):
    journal = Journal(tmp_path / "j.jsonl")
    key = "xai-" + "Q" * 40 + "9QfZ"
    journal.append(entry(reason=f"server said: bad key {key} for card 4242 4242 4242 4242",
                         idempotency_key="3bfca3a9-4b04-459b-98ba-78d0f4e4a579"))
    text = journal.path.read_text()
    assert key not in text and "4242 4242 4242 4242" not in text
    assert "xai-…9QfZ" in text and "··4242" in text
    assert "3bfca3a9-4b04-459b-98ba-78d0f4e4a579" in text  # ids are not free text: kept as they are


def test_two_processes_appending_at_once_never_tear_a_line(tmp_path):
    """Lines far longer than PIPE_BUF, from four processes released together: every line whole."""
    path = tmp_path / "journal.jsonl"
    script = textwrap.dedent(f"""
        import sys
        from datetime import datetime, timezone
        from xconsole.core.journal import Journal, JournalEntry, Where
        sys.stdin.read()  # the go signal: all writers start together
        journal = Journal({str(path)!r})
        me = sys.argv[1]
        for i in range(150):
            journal.append(JournalEntry(time=datetime.now(timezone.utc), team_id=me, team_name="T", action="BUY",
                                        what="buy credits", outcome="done", where=Where("u", "h", False),
                                        reason=me * 20_000, amount_cents=i))
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, name], stdin=subprocess.PIPE, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}) for name in "abcd"]
    for proc in procs:
        proc.stdin.close()  # go
    assert all(proc.wait(timeout=120) == 0 for proc in procs)
    lines = path.read_text().splitlines()
    assert len(lines) == 600
    rows = [json.loads(line) for line in lines]  # each line is one whole entry
    for name in "abcd":
        mine = [r for r in rows if r["teamId"] == name]
        assert [r["amountCents"] for r in mine] == list(range(150))
        assert all(r["reason"] == name * 20_000 for r in mine)


# --------------------------------------------------------------------------- the hook in TeamActions


async def test_a_done_write_is_journalled_with_before_after_and_server_time(sandbox):
    actions = await sandbox.actions("helix")
    await actions.set_limit(250_000, before=200_000)
    [row] = sandbox.lines()
    assert row["teamId"] == actions.team_id and row["teamName"] == "Helix Health"
    assert (row["action"], row["outcome"], row["before"], row["after"], row["amountCents"]) == (
        "LIMIT", "done", "$2,000.00", "$2,500.00", 250_000)
    assert row["serverTime"].startswith("2026-") and row["user"] and row["host"]  # the sandbox's frozen clock
    assert isinstance(row["ssh"], bool)


async def test_a_purchase_journals_its_amount_and_the_idempotency_key_it_sent(sandbox):
    actions = await sandbox.actions("lumen")
    await actions.buy(2_500)
    [row] = sandbox.lines()
    sent = [r for r in sandbox.transport.requests if r.method == "POST"]
    assert row["idempotencyKey"] == sent[0].headers["idempotency-key"]
    assert (row["action"], row["outcome"], row["amountCents"]) == ("BUY", "done", 2_500)
    assert row["reason"] == "$25.00 of credits bought."
    assert row["after"] == "$25.00 of credits by the default payment method"


async def test_a_purchase_on_a_chosen_method_names_it_as_the_person_saw_it(sandbox):
    actions = await sandbox.actions("lumen")
    methods = await actions.payment_choices()
    card = next(m for m in methods if m.card_details is not None)
    await actions.buy(2_500, payment_method_id=card.payment_method_id, method_label=card.label())
    [row] = sandbox.lines()
    assert row["after"] == f"$25.00 of credits by {card.label()}" and card.payment_method_id not in row["after"]


async def test_a_refused_write_is_failed_with_the_reason_and_no_answer_is_unknown(sandbox):
    actions = await sandbox.actions("orbit")
    with pytest.raises(errors.Validation):
        await actions.set_limit(100)  # invoiced billing not enabled: only $0
    sandbox.transport.fail = "timeout"
    with pytest.raises(errors.Unavailable):
        await actions.set_limit(0)
    failed, unknown = sandbox.lines()
    assert failed["outcome"] == FAILED and "invoiced billing" in failed["reason"].lower()
    assert unknown["outcome"] == UNKNOWN and "may have been applied" in unknown["reason"]


async def test_a_purchase_stopped_before_it_was_sent_is_failed_not_unknown(sandbox):
    actions = await sandbox.actions("orbit")
    sandbox.transport.fail = "timeout"  # the ledger read before the top-up gets no answer
    with pytest.raises(errors.NotSent) as stopped:
        await actions.buy(2_500)
    assert "was not sent" in stopped.value.message
    assert not [r for r in sandbox.transport.requests if r.method == "POST"]
    (line,) = sandbox.lines()
    assert line["outcome"] == FAILED and "was not sent" in line["reason"]


async def test_a_write_refused_before_sending_is_not_journalled(tmp_path):
    sb = embedded()
    session = sandbox_session(Options(sandbox=True, read_only=True), sb)
    team = session.teams[0]
    actions = await session.actions_for(team)
    with pytest.raises(errors.PermissionDenied):
        await actions.set_limit(0)
    actions.read_only = False
    with pytest.raises(errors.Validation):
        await actions.buy(100)  # under the $25 minimum
    await session.aclose()
    assert Journal().entries() == []


async def test_a_journal_that_cannot_be_written_never_fails_a_done_write(sandbox, tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    actions = await sandbox.actions("helix")
    actions.journal = Journal(blocker / "journal.jsonl")  # its directory is a file: OSError
    caplog.set_level(logging.ERROR)
    outcome = await actions.set_limit(210_000)
    assert outcome.applied == 210_000
    assert any("could not record" in r.getMessage() for r in caplog.records)


async def test_a_new_card_is_journalled_by_its_label_never_its_number_or_cvc(sandbox):
    actions = await sandbox.actions("lumen")
    await actions.add_card(models.CardInput(number="4242 4242 4242 4242", exp_month=12, exp_year=2031, cvc="987",
                                            name="A Person"))
    text = sandbox.journal.path.read_text()
    assert "4242424242424242" not in text and "4242 4242 4242 4242" not in text and "987" not in text
    assert json.loads(text)["after"] == "Visa ··4242"


async def test_every_kind_of_write_is_journalled_once(sandbox):
    lumen = await sandbox.actions("lumen")
    client = await sandbox.session.client_for(next(t for t in sandbox.session.teams if t.name.startswith("Lumen")))
    methods = (await client.list_payment_methods(lumen.team_id)).payment_methods
    default = next(m for m in methods if m.is_default)
    other = next(m for m in methods if not m.is_default)
    info = await client.get_billing_info(lumen.team_id)
    await lumen.redeem_promo("GROK100")
    await lumen.save_auto_top_up(models.AutoTopUpSettings(enabled=False))
    await lumen.make_default(other, before=default)
    await lumen.remove_method(default, methods)
    await lumen.save_billing_details(info, before=info)
    await (await sandbox.actions("orbit")).request_invoiced()
    rows = sandbox.lines()
    assert [r["action"] for r in rows] == ["PROMO", "AUTO_TOP_UP", "MAKE_DEFAULT", "REMOVE_METHOD", "BILLING_DETAILS",
                                          "REQUEST_INVOICED"]
    assert all(r["outcome"] == "done" for r in rows)
    assert rows[0]["amountCents"] == 10_000 and rows[1]["after"] == "off"
    assert (rows[2]["before"], rows[2]["after"]) == ("Visa ··4242", other.label())
    assert rows[5]["after"] == "REQUESTED"


async def test_a_promo_code_is_journalled_by_its_end_only(sandbox):
    """A code that failed may still be valid: the journal never holds it whole."""
    await (await sandbox.actions("lumen")).redeem_promo("WELCOME25")
    with pytest.raises(errors.ApiError):
        await (await sandbox.actions("lumen")).redeem_promo("NOSUCHCODE77")
    text = sandbox.journal.path.read_text()
    assert "WELCOME25" not in text and "NOSUCHCODE77" not in text
    assert [line["after"] for line in sandbox.lines()][-2:] == ["promo code …ME25", "promo code …DE77"]
    assert sandbox.lines()[-1]["reason"] == "Not found: Promo code …DE77 does not exist"  # the server's words, masked
