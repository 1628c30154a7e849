"""The last numbers of each team: kept privately, read back whole or not at all, dated."""

import stat
from datetime import datetime, timedelta, timezone

from xconsole.core import numbers_cache
from xconsole.core.numbers_cache import CachedNumbers

TEAM = "3f1c9e2a-7b44-4d0e-9a61-0c2b5d8e4f17"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def test_round_trip_private_and_without_secrets(tmp_path):
    numbers = CachedNumbers(TEAM, 10647, None, 0, 6.4, NOW)
    numbers_cache.save(numbers, tmp_path)
    path = tmp_path / f"{TEAM}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "xai-" not in path.read_text()
    assert numbers_cache.load(TEAM, tmp_path) == numbers  # an unknown figure stays unknown
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left


def test_unreadable_or_foreign_files_are_ignored(tmp_path):
    assert numbers_cache.load(TEAM, tmp_path) is None
    (tmp_path / f"{TEAM}.json").write_text("{not json")
    assert numbers_cache.load(TEAM, tmp_path) is None
    (tmp_path / f"{TEAM}.json").write_text('{"version": 1, "team_id": "someone-else"}')
    assert numbers_cache.load(TEAM, tmp_path) is None


def test_age_in_words():
    numbers = CachedNumbers(TEAM, 1, 1, 1, None, NOW)
    assert numbers.age(NOW + timedelta(seconds=20)) == "just now"
    assert numbers.age(NOW + timedelta(minutes=5)) == "5 min ago"
    assert numbers.age(NOW + timedelta(hours=3)) == "3 h ago"
    assert numbers.age(NOW + timedelta(days=1)) == "1 day ago"


def test_a_hand_edited_file_is_ignored_not_drawn(tmp_path):
    for body in ('{"version": 1, "team_id": "%s", "live_balance": 1.5, "month_spend": null, "soft_limit": null, '
                 '"runway_days": null, "saved_at": "2026-11-28T12:00:00+00:00"}',
                 '{"version": 1, "team_id": "%s", "live_balance": 1, "month_spend": null, "soft_limit": null, '
                 '"runway_days": null, "saved_at": "2026-11-28T12:00:00"}',
                 '{"version": 1, "team_id": "%s", "live_balance": "1", "month_spend": null, "soft_limit": null, '
                 '"runway_days": null, "saved_at": 5}'):
        (tmp_path / f"{TEAM}.json").write_text(body % TEAM)
        assert numbers_cache.load(TEAM, tmp_path) is None


def test_a_config_of_the_wrong_shape_names_no_team(tmp_path):
    from xconsole.core import first_team

    config = tmp_path / "config.toml"
    for text in ('settings = "x"\nteams = 3\n', "[[settings]]\n", "not toml ["):
        config.write_text(text)
        assert first_team.from_config(config, None) is None
