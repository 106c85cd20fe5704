"""Where the project's shared data (the labelled benchmark, the case folder) lives.

It sits beside the repository (``../shared``) on the development machines; a clone made
elsewhere finds it through ``CROSSFOOT_SHARED`` or the machine's standard place.
"""

import os
from pathlib import Path

_CANDIDATES = [
    os.environ.get("CROSSFOOT_SHARED", ""),
    str(Path(__file__).resolve().parents[1].parent / "shared"),
    "/work/shared",
]

SHARED = next((Path(p) for p in _CANDIDATES if p and Path(p).is_dir()), Path(_CANDIDATES[1]))
EUSES = SHARED / "benchmarks" / "euses-dev" / "files"
