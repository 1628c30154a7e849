"""The real `xconsole` process against the strict real-shape server over HTTP: a second purchase
while the first is still charging says that no new charge was made, and one POST is sent per
confirmation."""

import json
import re

import pytest

from tests.fixtures import reference as ref
from tests.fixtures.strict_api import Served, StrictApi
from tests.tmux_driver import TmuxSession, isolated_env, tmux_available

pytestmark = pytest.mark.skipif(not tmux_available(), reason="tmux not installed (make test installs it)")


def flat(screen: str) -> str:
    """The screen's words with toast borders and line breaks folded away, to find a sentence."""
    return re.sub(r"\s+", " ", re.sub(r"[▊▌▎▏│┃]", " ", screen))


def toasts(screen: str) -> str:
    """The notifications' words alone: a toast line is what follows its left border (▌), and
    its sentences wrap beside other text, so only those parts are joined (without the screen's
    scrollbar, drawn at the right edge beside them)."""
    return re.sub(r"\s+", " ", " ".join(line.split("▌", 1)[1].rstrip(" ▁▂▃▄▅▆▇█") for line in screen.splitlines()
                                          if "▌" in line))


def test_a_second_purchase_while_one_is_pending_says_no_new_charge(tmp_path):
    api = StrictApi(settle_after_reads=None)  # the first card charge never finishes
    with Served(api) as served:
        env = isolated_env(tmp_path, XAI_MANAGEMENT_KEY=ref.KEY, XCONSOLE_API_URL=served.url)
        with TmuxSession([], width=120, height=36, env=env) as tui:
            tui.wait_for("Prepaid credits", timeout=60)
            tui.send("p")
            tui.wait_for("Charged to: the team's default payment method")
            _type_amount(tui, "25")
            tui.wait_for("Confirm purchase")
            tui.send("Enter")
            _wait_toast(tui, "Purchase of $25.00 is charging")
            tui.send("p")
            tui.wait_for("Charged to: the team's default payment method")
            _type_amount(tui, "50")
            tui.wait_for("Confirm purchase")
            tui.send("Enter")
            said = _wait_toast(tui, "no new charge was made")
            assert "A top-up of $25.00 from" in said
            tui.send("q")
            tui.wait_for("XCONSOLE_EXIT=0")
    top_ups = api.sent("POST", "/prepaid/top-up")
    assert [json.loads(r.body) for r in top_ups] == [{"amount": {"val": "2500"}}, {"amount": {"val": "5000"}}]
    assert len(api.charged) == 1 and api.extension_requests == []


def _type_amount(tui, amount):
    """One key per terminal read, then Enter once the field shows what was typed."""
    for ch in amount:
        tui.send(ch)
    _wait_flat(tui, f"$500 {amount} ", absent="or type, e.g. 250")
    tui.send("Enter")


def _wait_toast(tui, text, timeout=60.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        said = toasts(tui.screen())
        if text in said:
            return said
        time.sleep(0.05)
    raise AssertionError(f"{text!r} was not notified; screen:\n{tui.screen()}")


def _wait_flat(tui, text, timeout=60.0, absent=None):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = tui.screen()
        screen = flat(raw)
        if (text in screen or text in raw) and (absent is None or absent not in screen):
            return screen
        time.sleep(0.05)
    raise AssertionError(f"{text!r} did not appear; screen:\n{tui.screen()}")
