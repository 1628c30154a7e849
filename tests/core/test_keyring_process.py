"""The console's key store: the keyring in a short-lived child process per call."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest

from xconsole.core import keyring_process
from xconsole.core.credentials import KeyringKeyStore, KeyringUnavailable
from xconsole.core.keyring_process import ProcessKeyStore

ROOT = Path(__file__).resolve().parents[2]
KEY = "xai-" + "s3cr3t" * 8


@pytest.fixture
def children(monkeypatch):
    """The command lines of the children started, and their pids."""
    started: list[tuple[list[str], int]] = []
    real = asyncio.create_subprocess_exec

    async def spawn(*command, **kwargs):
        process = await real(*command, **kwargs)
        started.append((list(command), process.pid))
        return process

    monkeypatch.setattr(asyncio, "create_subprocess_exec", spawn)
    return started


def backend(monkeypatch, name: str) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", name)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))


@pytest.mark.keyring
@pytest.mark.skipif(not os.environ.get("XCONSOLE_IN_SECRET_SERVICE"),
                    reason="needs the private Secret Service that `make test` starts (scripts/with-secret-service.sh)")
async def test_a_key_goes_through_the_real_secret_service_and_only_through_pipes(monkeypatch, children):
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    store, team = ProcessKeyStore(timeout=20), str(uuid.uuid4())
    assert await store.get(team) is None
    await store.set(team, KEY)
    assert await store.get(team) == KEY
    assert await store.delete(team) is True
    assert await store.get(team) is None and await store.delete(team) is False
    assert len(children) == 6 and not any(KEY in " ".join(command) for command, _ in children)


async def test_an_unusable_backend_is_said_as_in_the_cli(monkeypatch):
    backend(monkeypatch, "keyring.backends.fail.Keyring")
    with pytest.raises(KeyringUnavailable) as refused:
        await ProcessKeyStore(timeout=20).get("t1")
    assert "No usable keyring backend" in refused.value.message and "XAI_MANAGEMENT_KEY" in refused.value.fix


async def test_a_hanging_keyring_is_cut_off_by_the_childs_own_timeout(monkeypatch, children):
    backend(monkeypatch, "tests.fixtures.keyrings.HangingKeyring")
    with pytest.raises(KeyringUnavailable, match="The keyring did not answer within 0.5 s while reading a key"):
        await ProcessKeyStore(timeout=0.5).get("t1")
    assert _gone(children[0][1])


async def test_a_child_that_does_not_answer_is_killed(monkeypatch, children):
    backend(monkeypatch, "tests.fixtures.keyrings.HangingKeyring")
    monkeypatch.setattr(keyring_process, "START_ALLOWANCE_S", 0)  # no time for the child's own timeout
    with pytest.raises(KeyringUnavailable, match="The keyring's process did not answer within 0.2 s while storing a key"):
        await ProcessKeyStore(timeout=0.2).set("t1", KEY)
    assert _gone(children[0][1])


async def test_a_cancelled_call_leaves_no_child(monkeypatch, children):
    backend(monkeypatch, "tests.fixtures.keyrings.HangingKeyring")
    call = asyncio.ensure_future(ProcessKeyStore(timeout=60).get("t1"))
    while not children:  # started: the child exists now
        await asyncio.sleep(0)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert _gone(children[0][1])


async def test_a_backend_message_that_quotes_the_key_is_masked(monkeypatch):
    backend(monkeypatch, "tests.fixtures.keyrings.QuotingKeyring")
    with pytest.raises(KeyringUnavailable) as refused:
        await ProcessKeyStore(timeout=20).set("t1", KEY)
    assert "cannot store" in str(refused.value) and "xai-…" in str(refused.value)
    assert not any(KEY[:i] in str(refused.value) for i in range(8, len(KEY)))  # no part of it either


def test_the_cli_masks_a_key_a_backend_quotes_too(monkeypatch):
    import keyring

    from tests.fixtures.keyrings import QuotingKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(QuotingKeyring())
    try:
        with pytest.raises(KeyringUnavailable) as refused:
            KeyringKeyStore(timeout=20).set_sync("t1", KEY)
    finally:
        keyring.set_keyring(previous)
    assert "cannot store" in str(refused.value) and KEY not in str(refused.value)


async def test_a_child_that_cannot_start_says_why(monkeypatch):
    monkeypatch.setattr(keyring_process, "CHILD_MODULE", "xconsole.core.no_such_module")
    with pytest.raises(KeyringUnavailable, match=r"process failed \(exit status 1: .*No module named xconsole.core.no_such_module") as failed:
        await ProcessKeyStore(timeout=20).get("t1")
    assert "xconsole doctor" in failed.value.fix


def test_no_answer_is_a_failure_of_the_keyrings_process():
    with pytest.raises(KeyringUnavailable, match=r"The keyring's process failed \(exit status 1\)"):
        keyring_process._answer(b"Traceback (most recent call last):", 1)


async def test_a_store_that_may_not_prompt_refuses_a_keyring_that_could(monkeypatch):
    backend(monkeypatch, "tests.fixtures.keyrings.MemoryKeyring")  # not a Secret Service: it might ask
    with pytest.raises(KeyringUnavailable, match="would ask for a password"):
        await ProcessKeyStore(timeout=20, may_prompt=False).get("t1")
    assert await ProcessKeyStore(timeout=20).get("t1") is None


def _gone(pid: int) -> bool:
    """Ended and reaped: no process has this pid any more (pids are not reused this fast)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False
