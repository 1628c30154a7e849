import keyring
import pytest
from click.testing import CliRunner

from tests.fixtures.keyrings import MemoryKeyring
from tests.served import ServedSandbox


@pytest.fixture(scope="session")
def served():
    with ServedSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def own_served():
    """A sandbox of this test's own, for a test that changes it (`served` is shared by the session)."""
    with ServedSandbox() as sandbox:
        yield sandbox


def credentials_dir(directory, served, *names):
    """A credentials directory (team-<id> key files, mode 0400) for the served sandbox's teams."""
    directory.mkdir(mode=0o700)
    for name in names:
        team = served.teams[name]
        path = directory / f"team-{team['teamId']}"
        path.write_text(team["managementKey"] + "\n")
        path.chmod(0o400)
    return directory


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private config and data dir, and no inherited key or API URL."""
    config = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("XCONSOLE_CONFIG_FILE", str(config))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("XAI_MANAGEMENT_KEY", raising=False)
    monkeypatch.delenv("XCONSOLE_API_URL", raising=False)
    monkeypatch.delenv("XCONSOLE_CREDENTIALS_DIRECTORY", raising=False)  # not the developer's, nor a unit's
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    return tmp_path


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def run():
    from xconsole.cli import main

    runner = CliRunner()

    def invoke(*args, input=None, env=None):
        return runner.invoke(main, list(args), input=input, env=env, catch_exceptions=False)

    return invoke
