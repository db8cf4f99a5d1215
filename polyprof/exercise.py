"""Exercise specs (`exercises/<slug>/exercise.yaml`) and where their files live.

The spec is the single source of truth for how an exercise is run, what a run
must show, how it is graded and which interview questions it adds. The format:

    slug: cpu_profiling_pprof_intro
    title: CPU profiling with pprof and cProfile
    teaches: one line for `invoke exercises`
    languages: [go, python]
    workload:
      scale: 22                      # --scale, the same for both languages
      repeat: {go: 40, python: 1}    # --repeat: run the workload N times, print once
      quick: {scale: 18, repeat: {go: 20, python: 1}}
      timeout_s: 120                 # per run
    runs:
      rounds: 10                     # interleaved rounds (plain + each profiler per round)
      quick_rounds: 3
    profilers:                       # which profiled variants run
      go: [pprof]
      python: [cprofile, py-spy]     # also: cprofile-cpu (passes --clock cpu)
      pyspy: {rate: 100, idle: false}
    match:
      overrides: {main.collatzLen: collatz_length}   # native name -> key
    expect:                          # claims a test checks against real runs
      hottest: {go: count_primes, python: count_primes}
      warnings: []                   # must fire in a default run
      absent_warnings: [few_samples] # must not fire
      quick_absent_warnings: []      # must not fire in a --quick run (default: absent_warnings);
                                     # quick runs hold fewer samples, so few_samples may fire
      min_speedup: 2.0               # optimisation exercises
      must_not_dominate: slow_key
    grading:
      points: {builds: 1, runs: 1, output: 2, profile: 2, hot_function: 2, speedup: 0, answers: 2}
    compare:                         # optional: compare also runs a fixed version
      after: hidden/solution         # folder (in the exercise) with main.go / main.py; compare
                                     # profiles it on the same workload, checks it prints the
                                     # same, and writes a before/after diff (diff-go.txt, ...)
    questions: [...]                 # see polyprof.practice
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import PolyprofError

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
DEFAULT_SLUG = "cpu_profiling_pprof_intro"
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class Workload:
    scale: int
    repeat: dict[str, int]
    timeout_s: float


PROGRAM_FILES = {"go": "main.go", "python": "main.py"}


@dataclasses.dataclass
class Exercise:
    slug: str
    spec: dict[str, Any]
    root: Path = ROOT
    sources: dict[str, Path] | None = None  # programs other than the references (see after())

    @property
    def title(self) -> str:
        return str(self.spec.get("title", self.slug))

    @property
    def teaches(self) -> str:
        return str(self.spec.get("teaches", ""))

    @property
    def languages(self) -> list[str]:
        return list(self.spec.get("languages", ["go", "python"]))

    @property
    def folder(self) -> Path:
        return self.root / "exercises" / self.slug

    def program(self, language: str) -> Path:
        if self.sources is not None:
            return self.sources[language]
        if language == "go":
            return self.root / "go" / self.slug / "main.go"
        return self.root / "python" / self.slug / "main.py"

    def workload(self, quick: bool = False) -> Workload:
        w = dict(self.spec.get("workload", {}))
        if quick:
            w.update(w.get("quick", {}))
        repeat = w.get("repeat", 1)
        if isinstance(repeat, int):
            repeat = dict.fromkeys(self.languages, repeat)
        return Workload(
            scale=int(w.get("scale", 1)),
            repeat={lang: int(repeat.get(lang, 1)) for lang in self.languages},
            timeout_s=float(w.get("timeout_s", 120)),
        )

    def rounds(self, quick: bool = False) -> int:
        runs = self.spec.get("runs", {})
        return int(runs.get("quick_rounds" if quick else "rounds", 3 if quick else 8))

    def profilers(self, language: str) -> list[str]:
        default = {"go": ["pprof"], "python": ["cprofile", "py-spy"]}[language]
        return list(self.spec.get("profilers", {}).get(language, default))

    @property
    def pyspy(self) -> dict[str, Any]:
        return {"rate": 100, "idle": False, **self.spec.get("profilers", {}).get("pyspy", {})}

    @property
    def overrides(self) -> dict[str, str]:
        return dict(self.spec.get("match", {}).get("overrides", {}) or {})

    @property
    def expect(self) -> dict[str, Any]:
        return dict(self.spec.get("expect", {}) or {})

    @property
    def points(self) -> dict[str, int]:
        return dict(self.spec.get("grading", {}).get("points", {}) or {})

    @property
    def questions(self) -> list[dict[str, Any]]:
        return list(self.spec.get("questions", []) or [])

    def after(self) -> Exercise | None:
        """The same exercise running its fixed programs (spec `compare.after`), or None.

        compare runs both on one workload, so a before/after diff shows what the fix
        changed in the profile, not what a different input changed.
        """
        folder = (self.spec.get("compare") or {}).get("after")
        if folder is None:
            return None
        base = self.folder / folder
        return dataclasses.replace(
            self, sources={lang: base / PROGRAM_FILES[lang] for lang in self.languages}
        )


def slugs(root: Path = ROOT) -> list[str]:
    base = root / "exercises"
    return sorted(p.parent.name for p in base.glob("*/exercise.yaml"))


def load(slug: str = DEFAULT_SLUG, root: Path = ROOT) -> Exercise:
    if not _SLUG.match(slug or ""):
        raise PolyprofError(f"'{slug}' is not an exercise slug", hint="see `invoke exercises`")
    path = root / "exercises" / slug / "exercise.yaml"
    if not path.is_file():
        known = ", ".join(slugs(root)) or "none"
        raise PolyprofError(f"no exercise '{slug}'", path, hint=f"known: {known}")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolyprofError(f"invalid YAML ({exc.__class__.__name__})", path) from None
    if not isinstance(spec, dict):
        raise PolyprofError("exercise.yaml must be a mapping", path)
    if spec.get("slug", slug) != slug:
        raise PolyprofError(f"slug '{spec.get('slug')}' does not match its folder", path)
    ex = Exercise(slug=slug, spec=spec, root=root)
    _check_compare(ex, path)
    return ex


def _check_compare(ex: Exercise, path: Path) -> None:
    """`compare: {after: FOLDER}` must name a folder inside the exercise with every program."""
    section = ex.spec.get("compare")
    if section is None:
        return
    if not isinstance(section, dict) or set(section) != {"after"}:
        raise PolyprofError("compare must be a mapping with the one key `after`", path)
    folder = section["after"]
    inside = ex.folder.resolve()
    where = (ex.folder / str(folder)).resolve()
    if not isinstance(folder, str) or not where.is_relative_to(inside) or where == inside:
        raise PolyprofError(
            f"compare.after must be a folder inside exercises/{ex.slug}/, not {folder!r}", path
        )
    after = ex.after()
    assert after is not None
    for language in ex.languages:
        program = after.program(language)
        if not program.is_file():
            raise PolyprofError(f"compare.after has no {program.name}", program)
