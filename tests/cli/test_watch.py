"""`xconsole watch`: a plain-text table of every team, printed once or redrawn in place."""

from __future__ import annotations

import pytest

from tests.tmux_driver import TmuxSession, isolated_env, tmux_available


def test_once_prints_every_team_in_120_columns_without_colour_when_piped(home, run):
    result = run("--sandbox", "watch", "--once")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("xconsole watch · ") and lines[1].split() == ["TEAM", "CREDITS", "RUNWAY", "MONTH", "LIMIT", "STATE"]
    rows = {line[:20].strip(): line for line in lines[2:] if line.strip()}
    assert set(rows) == {"Lumen Labs", "Orbit Robotics", "Helix Health"}
    assert rows["Lumen Labs"].rstrip().endswith("OK") and "WARNING: requests rejected in" in rows["Orbit Robotics"]
    assert "\x1b[" not in result.stdout  # no colour, no cursor movement into a pipe
    assert all(len(line) <= 120 for line in lines)
    assert all(line.endswith("…") for line in rows.values() if len(line) == 120)  # a cut reason says it was cut


def test_one_team_only(home, run):
    result = run("--sandbox", "watch", "--once", "--team", "orbit")
    assert [line[:20].strip() for line in result.stdout.splitlines()[2:] if line.strip()] == ["Orbit Robotics"]


@pytest.mark.skipif(not tmux_available(), reason="tmux not installed (make test installs it)")
def test_on_a_terminal_the_table_is_redrawn_in_place(tmp_path):
    with TmuxSession(["--sandbox", "--fresh", "watch", "--interval", "5"], width=100, height=12,
                     env=isolated_env(tmp_path)) as tui:
        first = tui.wait_for("Orbit Robotics", timeout=60)
        stamp = first.splitlines()[0]
        again = tui.wait_for_change(lambda screen: screen.splitlines()[0] != stamp, timeout=30)
        assert again.count("TEAM") == 1 and again.splitlines()[0].startswith("xconsole watch · ")
