"""Shared FastAPI dependencies: the sandbox's services and the authenticated caller."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Header, Request

from xconsole.sandbox.clock import Clock
from xconsole.sandbox.faults import FaultDice, Faults
from xconsole.sandbox.keys import Caller, KeyService
from xconsole.sandbox.service import BillingService
from xconsole.sandbox.store import Store


@dataclass
class Sandbox:
    store: Store
    clock: Clock
    faults: Faults = field(default_factory=Faults)
    dice: FaultDice = field(default_factory=FaultDice)

    def __post_init__(self) -> None:
        self.billing = BillingService(self.store, self.clock)
        self.keys = KeyService(self.store, self.clock)


def sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


def caller(request: Request, authorization: str | None = Header(default=None)) -> Caller:
    return sandbox(request).keys.authenticate(authorization)
