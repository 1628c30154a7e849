"""The team registry's rules for names."""

from xconsole.core.config import Config, TeamEntry
from xconsole.core.teams import TeamRegistry

TEAM_ID = "271a26ca-fac5-5dd0-83d5-77e3b01e8ce2"


def test_a_new_key_for_a_registered_team_keeps_a_name_todays_rules_would_refuse(tmp_path):
    # Registered before names holding something key-shaped were refused: its key can still change.
    old_name = "xai-sbx-91ca852ad3f5276537fc84bb"
    registry = TeamRegistry(Config(teams=[TeamEntry(name=old_name, team_id=TEAM_ID, key_hint="xai-…0000")]),
                            tmp_path / "config.toml")
    entry, created = registry.add(old_name, TEAM_ID, "xai-…1111")
    assert not created and entry.name == old_name and entry.key_hint == "xai-…1111"
