"""Everything a grading run decides once per exercise, before the first submission.

The references are built and run here: the Go reference warms the shared build cache,
and each reference's stdout at the grading scale becomes the expected output. If a
reference cannot run, polyprof cannot grade, and that is polyprof's error, not a learner's.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from ..errors import PolyprofError
from ..exercise import Exercise
from . import gotools
from .sandbox import BUILD_LIMITS, Limits, require_bwrap
from .speedup import MARGIN
from .workspace import open_workspace

PYTHON = "/usr/bin/python3"  # world-readable, unlike a pyenv build under /root
CHECKS = ("builds", "runs", "output", "profile", "hot_function", "speedup", "answers")
DEFAULT_POINTS = {"builds": 1, "runs": 1, "output": 2, "profile": 2, "hot_function": 2}


@dataclasses.dataclass
class Plan:
    exercise: Exercise
    scale: int
    repeat: dict[str, int]
    run_limits: Limits
    build_limits: Limits = BUILD_LIMITS
    sandbox: bool = True
    speedup_rounds: int = 7
    margin: float = MARGIN
    min_samples: int = 10
    reference_files: dict[str, Path] = dataclasses.field(default_factory=dict)
    expected: dict[str, bytes] = dataclasses.field(default_factory=dict)

    @property
    def points(self) -> dict[str, float]:
        spec = self.exercise.points or DEFAULT_POINTS
        return {name: float(spec.get(name, 0)) for name in CHECKS}

    @property
    def min_speedup(self) -> float | None:
        value = self.exercise.expect.get("min_speedup")
        return float(value) if value else None

    def argv(self, language: str, program: str, profile: str | None = None) -> list[str]:
        """The program contract's command line; `program` is the binary or main.py as seen inside."""
        head = [program] if language == "go" else [PYTHON, program]
        flags = ["--scale", str(self.scale), "--repeat", str(self.repeat.get(language, 1))]
        return head + flags + (["--cpuprofile", profile] if profile else [])


def plan(
    exercise: Exercise,
    *,
    scale: int | None = None,
    repeat: int | None = None,
    quick: bool = False,
    timeout_s: float | None = None,
    sandbox: bool = True,
    rounds: int | None = None,
) -> Plan:
    if sandbox:
        require_bwrap()
    workload = exercise.workload(quick=quick)
    wall = float(timeout_s or workload.timeout_s)
    grading = exercise.spec.get("grading", {}) or {}
    result = Plan(
        exercise=exercise,
        scale=int(scale or workload.scale),
        repeat={lang: int(repeat or n) for lang, n in workload.repeat.items()},
        run_limits=Limits(wall_s=wall, cpu_s=max(1, math.ceil(wall))),
        sandbox=sandbox,
        speedup_rounds=int(rounds or grading.get("speedup_rounds", 7)),
        min_samples=int(grading.get("min_samples", 10)),
    )
    prepare_references(result)
    return result


def prepare_references(p: Plan) -> None:
    """Build the references (warming the Go cache) and record their output at the grading scale."""
    for language in p.exercise.languages:
        source = p.exercise.program(language)
        if not source.is_file():
            raise PolyprofError(f"the exercise has no {language} reference program", source)
        p.reference_files[language] = gotools.warm(source) if language == "go" else source
    with open_workspace(None, p.reference_files, p.sandbox) as ws:
        for language in p.reference_files:
            program = ws.ref_box.inside(p.reference_files[language])
            run = ws.ref_box.run(p.argv(language, program), p.run_limits)
            if not run.ok:
                raise PolyprofError(
                    f"the {language} reference did not run in the sandbox: {run.message()}: "
                    f"{run.text()[-300:]}",
                    p.exercise.program(language),
                )
            p.expected[language] = run.stdout
