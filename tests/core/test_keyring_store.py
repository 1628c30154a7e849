"""The keyring store: every call, finding the backend included, off the event loop and bounded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from xconsole.core import credentials


@pytest.fixture
def backend(monkeypatch):
    """A usable backend whose detection records the thread it ran on (~0.1 s of imports and
    D-Bus probing with a real one)."""
    threads: list[threading.Thread] = []

    def describe() -> credentials.BackendInfo:
        threads.append(threading.current_thread())
        return credentials.BackendInfo("tests.Backend", True)

    monkeypatch.setattr(credentials, "describe_backend", describe)
    monkeypatch.setattr(credentials, "_get", lambda team_id: f"key-of-{team_id}")
    return threads


async def test_finding_the_backend_never_runs_on_the_event_loop(backend):
    assert await credentials.KeyringKeyStore(timeout=10).get("t1") == "key-of-t1"
    assert backend and all(thread is not threading.main_thread() for thread in backend)


def test_the_cli_twins_do_it_in_the_keyrings_thread_too(backend):
    assert credentials.KeyringKeyStore(timeout=10).get_sync("t1") == "key-of-t1"
    assert backend and backend[0] is not threading.main_thread()


async def test_an_unusable_backend_is_said_plainly(monkeypatch):
    monkeypatch.setattr(credentials, "describe_backend",
                        lambda: credentials.BackendInfo("keyring.backends.fail.Keyring", False, "No usable keyring backend"))
    with pytest.raises(credentials.KeyringUnavailable, match="No usable keyring backend"):
        await credentials.KeyringKeyStore(timeout=10).get("t1")


async def test_a_backend_that_hangs_while_being_found_is_bounded_by_the_timeout(monkeypatch):
    never = threading.Event()
    monkeypatch.setattr(credentials, "describe_backend", lambda: never.wait())  # a D-Bus probe that never answers
    try:
        with pytest.raises(credentials.KeyringUnavailable, match="did not answer within 0.1 s"):
            await credentials.KeyringKeyStore(timeout=0.1).get("t1")
    finally:
        never.set()


async def test_a_store_that_may_not_prompt_reads_only_an_unlocked_keyring(backend, monkeypatch):
    monkeypatch.setattr(credentials, "readable_without_prompt", lambda: False)  # locked, or a per-app prompt
    with pytest.raises(credentials.KeyringUnavailable, match="would ask for a password"):
        await credentials.KeyringKeyStore(timeout=10, may_prompt=False).get("t1")
    assert await credentials.KeyringKeyStore(timeout=10).get("t1") == "key-of-t1"  # the console itself may ask
    monkeypatch.setattr(credentials, "readable_without_prompt", lambda: True)
    assert await credentials.KeyringKeyStore(timeout=10, may_prompt=False).get("t1") == "key-of-t1"


def test_only_an_unlocked_secret_service_counts_as_readable_without_a_prompt(monkeypatch):
    import keyring
    from keyring.backends import null

    monkeypatch.setattr(keyring, "get_keyring", lambda: null.Keyring())
    assert credentials.readable_without_prompt() is False


@pytest.mark.skipif(sys.platform == "darwin", reason="the macOS backend is the one in use there")
def test_finding_the_backend_off_macos_never_probes_for_apples_frameworks():
    """keyring's macOS backend calls ctypes.util.find_library at import (ldconfig and gcc off
    macOS, ~40 ms a process); xconsole keeps that module from loading where it can only fail,
    and keyring still finds its backends."""
    probe = textwrap.dedent("""
        import ctypes.util, json, os, sys
        calls = []
        real = ctypes.util.find_library
        ctypes.util.find_library = lambda name: calls.append(name) or real(name)
        os.environ.pop("PYTHON_KEYRING_BACKEND", None)
        from xconsole.core import credentials
        import keyring.backend
        keyring.backend.get_all_keyring()
        names = sorted(m for m, mod in sys.modules.items() if m.startswith("keyring.backends.") and mod)
        print(json.dumps({"calls": calls, "backends": names}))
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, "XDG_CONFIG_HOME": "/nonexistent"})
    result = json.loads(out.stdout)
    assert result["calls"] == []
    assert "keyring.backends.SecretService" in result["backends"]
    assert "keyring.backends.macOS.api" not in result["backends"]
