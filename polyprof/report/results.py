"""The results folder `invoke compare` leaves behind, read back for rendering.

The report and the exports are derived data: they read only this folder
(summary.json plus the raw profiles it names), so `invoke report` can redo
them at any time without rerunning a program.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import PolyprofError
from ..export.stacks import Sampled, from_profile, from_pyspy
from ..load import load_profile
from ..schema import Profile

SUMMARY = "summary.json"
DEFAULT_FILES = {
    ("go", "pprof"): "go.pprof",
    ("python", "cprofile"): "python.pstats",
    ("python", "py-spy"): "python.pyspy.txt",
}


@dataclasses.dataclass
class Results:
    folder: Path
    summary: dict[str, Any]
    _loaded: dict[Path, Profile] = dataclasses.field(default_factory=dict, repr=False)

    @property
    def slug(self) -> str:
        return str(self.summary.get("exercise") or self.folder.name)

    def entry(self, language: str, profiler: str) -> dict[str, Any]:
        for p in self.summary.get("profiles", []):
            if p.get("language") == language and p.get("profiler") == profiler:
                return p
        return {}

    def path(self, language: str, profiler: str) -> Path | None:
        """The raw profile file, as summary.json names it or by its default name.

        Only the name counts when the recorded path is gone: compare writes in a
        temporary folder and renames it, and people move results folders.
        """
        named = self.entry(language, profiler).get("file") or DEFAULT_FILES.get(
            (language, profiler)
        )
        if not named:
            return None
        p = Path(named)
        for candidate in (p if p.is_absolute() else self.folder / p, self.folder / p.name):
            if candidate.is_file():
                return candidate
        return None

    def profile(self, language: str, profiler: str) -> Profile | None:
        path = self.path(language, profiler)
        if path is None:
            return None
        if path not in self._loaded:
            self._loaded[path] = load_profile(path, rate=self.pyspy_rate)
        return self._loaded[path]

    @property
    def pyspy_rate(self) -> int:
        return int(self.entry("python", "py-spy").get("rate") or 100)

    @cached_property
    def go_stacks(self) -> Sampled | None:
        profile = self.profile("go", "pprof")
        return None if profile is None else from_profile(profile)

    @cached_property
    def pyspy_stacks(self) -> Sampled | None:
        path = self.path("python", "py-spy")
        if path is None:
            return None
        idle = self.entry("python", "py-spy").get("clock") == "wall"
        return from_pyspy(path, rate=self.pyspy_rate, idle=idle)


def load_results(folder: str | Path) -> Results:
    folder = Path(folder)
    summary_path = folder / SUMMARY
    if not summary_path.is_file():
        raise PolyprofError(
            "no results here (no summary.json)",
            folder,
            hint=f"run `invoke compare -e {folder.name}` first",
        )
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PolyprofError(
            f"unreadable summary.json ({exc.__class__.__name__})",
            summary_path,
            hint="rerun `invoke compare`",
        ) from None
    if not isinstance(summary, dict):
        raise PolyprofError(
            "summary.json is not an object", summary_path, hint="rerun `invoke compare`"
        )
    return Results(folder=folder, summary=summary)
