"""The real `xconsole --sandbox` process in tmux: start, switch team, quit."""

import pytest

from tests.tmux_driver import TmuxSession, isolated_env, tmux_available

pytestmark = pytest.mark.skipif(not tmux_available(), reason="tmux not installed (make test installs it)")


def test_start_switch_team_and_quit(tmp_path):
    with TmuxSession(["--sandbox", "--fresh"], env=isolated_env(tmp_path)) as tui:
        screen = tui.wait_for("Credits", timeout=60)
        assert "Lumen Labs" in screen.splitlines()[0] and "SANDBOX" in screen.splitlines()[0]
        tui.send("]")
        tui.wait_for("Orbit Robotics", line=0)
        tui.send("t")
        tui.wait_for("Switch team")
        tui.send("h", "e", "l", "Enter")
        tui.wait_for("Helix Health", line=0)
        tui.send("q")
        tui.wait_for("XCONSOLE_EXIT=0")
