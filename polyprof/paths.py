"""Where polyprof writes. POLYPROF_RESULTS moves everything (tests use a temp dir)."""

from __future__ import annotations

import os
from pathlib import Path

from .exercise import ROOT


def results_root() -> Path:
    return Path(os.environ.get("POLYPROF_RESULTS") or ROOT / "results")


def results_dir(slug: str) -> Path:
    return results_root() / slug


def build_cache() -> Path:
    return results_root() / ".build"
