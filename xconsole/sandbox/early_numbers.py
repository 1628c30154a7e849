"""`xconsole --sandbox`: the first demo team's balance, month spend and limit, for the early-read
process (cli/early_read.py `--sandbox`), without FastAPI, the sandbox app or httpx (~0.25 s of
imports the console itself spends meanwhile).

They come from the sandbox's own service on its database, as its routes would answer them, and
go through `billing.summarize` like any answer: the same code, not a second reading of the data.
"""

from __future__ import annotations

from pathlib import Path

from xconsole.core import billing
from xconsole.sandbox.clock import Clock
from xconsole.sandbox.service import BillingService
from xconsole.sandbox.store import Store


def read(db_path: Path, team_id: str) -> billing.SpendSummary | None:
    """The team's numbers now; None without a database (the console creates and seeds it)."""
    if not db_path.exists():
        return None
    store = Store(str(db_path))
    try:
        service = BillingService(store, Clock())
        return billing.summarize(service.invoice_preview(team_id), service.spending_limits(team_id), None,
                                 usage_known=False)
    finally:
        store.close()
