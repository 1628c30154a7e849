"""Suite-wide settings. Hypothesis is derandomized so `make test` is the same run every time;
`HYPOTHESIS_PROFILE=explore make test` searches with fresh random examples (how a team name
with a line-separator character was found)."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _servers_unidentified():
    """What a base URL's answers said it is lasts a process; each test starts from nothing known."""
    from xconsole.core.client import ManagementClient

    ManagementClient._seen_real.clear()
    yield
    ManagementClient._seen_real.clear()


@pytest.fixture(autouse=True)
def _private_state_dir(tmp_path_factory, monkeypatch):
    """Writes are journalled and "last seen" is kept in the user state dir: never the developer's."""
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.delenv("XCONSOLE_JOURNAL_FILE", raising=False)
    yield
