"""Suite-wide settings. Hypothesis is derandomized so `make test` is the same run every time;
`HYPOTHESIS_PROFILE=explore make test` searches with fresh random examples (how a team name
with a line-separator character was found)."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
