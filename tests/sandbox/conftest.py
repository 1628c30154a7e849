import pytest

from tests.sandbox_helpers import SandboxHarness


@pytest.fixture
async def sb():
    harness = await SandboxHarness().start()
    yield harness
    await harness.close()


@pytest.fixture
def lumen(sb):
    return sb.client("lumen")


@pytest.fixture
def orbit(sb):
    return sb.client("orbit")


@pytest.fixture
def helix(sb):
    return sb.client("helix")
