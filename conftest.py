"""Settings shared by both test folders.

Hypothesis explores new examples on every local run, which is how it finds bugs; in CI (`CI` set,
as `.ci/run` is run) it is derandomized, so a landing is judged on the same examples every time and
a rare example cannot fail one run out of many. Run `CI=1 make test` to reproduce CI exactly.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
