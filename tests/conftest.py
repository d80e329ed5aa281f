"""Test-session settings: hypothesis runs derandomized (the same examples on every run and on every
machine), with no example database, so a test's outcome never depends on luck or on what an earlier
run happened to find. Every example a search ever found is pinned with ``@example`` in its test.

``HYPOTHESIS_PROFILE=explore`` searches randomly with more examples, for a developer hunting bugs.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", max_examples=2_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
