"""The named checks, each turning sandboxed runs into one Outcome a learner can read.

Order matters and is the order of results.json: builds, runs, output, profile, hot
function, speedup. A check that cannot run because an earlier one failed says so
instead of failing with a puzzling message of its own.
"""

from __future__ import annotations

import dataclasses
import statistics
from pathlib import Path
from typing import Any

from .. import schema
from ..errors import PolyprofError
from . import gotools, profiles
from .plan import PYTHON, Plan
from .sandbox import RunResult
from .speedup import ratio_of_medians, verdict
from .workspace import Workspace

PROFILE_FILE = {"go": "cpu.pprof", "python": "cpu.pstats"}
SOURCE_FILE = {"go": "main.go", "python": "main.py"}
RUN_ENV = {"go": {}, "python": {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}}
COMPILE_PY = "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')"


@dataclasses.dataclass
class Outcome:
    check: str
    language: str | None
    status: str  # pass, fail, error
    message: str
    output: str = ""
    fraction: float | None = None  # partial credit; None means 1 on pass, 0 otherwise
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def credit(self) -> float:
        if self.fraction is not None:
            return self.fraction
        return 1.0 if self.status == "pass" else 0.0


def passed(check: str, language: str | None, message: str, **kw: Any) -> Outcome:
    return Outcome(check, language, "pass", message, **kw)


def failed(check: str, language: str | None, message: str, **kw: Any) -> Outcome:
    return Outcome(check, language, "fail", message, **kw)


def learner_text(run: RunResult, work: str) -> str:
    """What the program printed to stderr, with sandbox paths made relative."""
    return run.text("stderr").replace(f"{work}/", "").strip()


def grade_language(plan: Plan, ws: Workspace, language: str) -> list[Outcome]:
    later = ["runs", "output", "profile", "hot_function"] + (
        ["speedup"] if plan.min_speedup else []
    )
    build = builds(plan, ws, language)
    if build.status != "pass":
        return [build] + [failed(c, language, "not run: the program did not build") for c in later]
    program = f"{ws.box.work}/prog" if language == "go" else "main.py"
    run = ws.box.run(
        plan.argv(language, program, PROFILE_FILE[language]), plan.run_limits, RUN_ENV[language]
    )
    results = [build, runs(run, ws, language), output(run, plan.expected[language], language)]
    profile_outcome, profile = read_profile(plan, ws, language, run)
    results += [profile_outcome, hot_function(plan, language, profile)]
    if plan.min_speedup:
        results.append(speedup(plan, ws, language, program, results[2].status == "pass"))
    return results


def builds(plan: Plan, ws: Workspace, language: str) -> Outcome:
    if language == "python":
        steps = [[PYTHON, "-I", "-c", COMPILE_PY, "main.py"]]
        env: dict[str, str] = {}
    else:
        goroot = gotools.sandbox_goroot()
        go = str(goroot / "bin" / "go")
        steps = [[go, "vet", "."], [go, "build", "-o", "prog", "."]]
        env = gotools.build_env(goroot, ws.box.inside(ws.gocache or ws.root / "gocache"))
    for argv in steps:
        run = ws.box.run(argv, plan.build_limits, env)
        if not run.ok:
            what = {"vet": "go vet", "build": "go build"}.get(argv[1], "compiling main.py")
            text = learner_text(run, ws.box.work)
            why = "\n".join(text.splitlines()[-12:]) if run.status == "exit" else run.message(what)
            return failed("builds", language, f"{what} failed: {why}", output=text)
    return passed(
        "builds", language, "go vet and go build passed" if language == "go" else "main.py compiles"
    )


def runs(run: RunResult, ws: Workspace, language: str) -> Outcome:
    if run.ok:
        return passed("runs", language, f"ran in {run.wall_s:.2f} s within the limits")
    return failed("runs", language, run.message(), output=learner_text(run, ws.box.work))


def output(run: RunResult, expected: bytes, language: str) -> Outcome:
    if not run.ok:
        return failed("output", language, "not checked: the program did not run to completion")
    if run.stdout == expected:
        return passed("output", language, "stdout matches the reference")
    got = run.stdout.decode("utf-8", "replace").splitlines()
    want = expected.decode("utf-8", "replace").splitlines()
    width = max(len(got), len(want))
    got, want = got + [""] * (width - len(got)), want + [""] * (width - len(want))
    for number, (g, w) in enumerate(zip(got, want, strict=True), 1):
        if g != w:
            return failed(
                "output",
                language,
                f"stdout differs from the reference at line {number}: expected {w!r}, got {g!r}",
                output=run.stdout.decode("utf-8", "replace"),
            )
    return failed("output", language, "stdout differs from the reference in its line endings")


def read_profile(
    plan: Plan, ws: Workspace, language: str, run: RunResult
) -> tuple[Outcome, schema.Profile | None]:
    if not run.ok:
        return failed(
            "profile", language, "not checked: the program did not run to completion"
        ), None
    name = PROFILE_FILE[language]
    try:
        if language == "go":
            profile = profiles.go_profile(ws.work / name)
        else:
            profiles.read_learner_file(ws.work / name)  # exists, regular, bounded
            profile = profiles.pstats_profile(ws.box, name)
    except PolyprofError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        return failed("profile", language, f"{name}: {exc.problem}{hint}"), None
    if language == "go":
        samples = profile.meta.samples or 0
        needed = required_samples(plan.min_samples, run.wall_s)
        if samples < needed:
            return failed(
                "profile",
                language,
                f"{name} has only {samples} samples (needs {needed}): profile the whole "
                "workload, from start to finish",
            ), profile
        return passed("profile", language, f"{name} is complete with {samples} samples"), profile
    calls = profile.meta.total_calls or 0
    if profile.functions["category"].eq("user").sum() == 0 or calls == 0:
        return failed(
            "profile",
            language,
            f"{name} holds none of your functions: enable the profiler before the workload runs",
        ), profile
    return passed("profile", language, f"{name} is complete with {calls} calls"), profile


def required_samples(minimum: int, wall_s: float, hz: int = 100) -> int:
    """A fixed floor, eased for runs too short to earn it (a good optimisation is fast).

    A run of `wall_s` can give about `wall_s * hz` samples; asking for a fifth of that
    still catches a profiler started late or stopped early, on a busy machine too.
    """
    return max(1, min(minimum, int(0.2 * wall_s * hz)))


def _key(row: Any, plan: Plan) -> str:
    return plan.exercise.overrides.get(str(row["function"]), str(row["key"]))


def hot_function(plan: Plan, language: str, profile: schema.Profile | None) -> Outcome:
    if profile is None:
        return failed("hot_function", language, "not checked: no usable profile")
    top = profiles.hottest(profile)
    expect = plan.exercise.expect
    slow = expect.get("must_not_dominate")
    if top is None:
        return failed("hot_function", language, "the profile has no time in your own functions")
    where = f"{top['function']} ({top['flat_pct']:.0f}% flat)"
    if slow:
        if _key(top, plan) == slow:
            return failed(
                "hot_function",
                language,
                f"{where} still dominates the profile: the fix should take {slow} off the top",
            )
        return passed(
            "hot_function", language, f"{slow} no longer dominates; the hottest is {where}"
        )
    want = (expect.get("hottest") or {}).get(language)
    if not want or _key(top, plan) == want:
        return passed("hot_function", language, f"the hottest function is {where}")
    return failed("hot_function", language, f"the hottest function is {where}, expected {want}")


def speedup(plan: Plan, ws: Workspace, language: str, program: str, correct: bool) -> Outcome:
    """Time the reference and the submission in ABBA order, then judge the ratio of medians."""
    if not correct:
        return failed(
            "speedup", language, "not measured: the output must match the reference first"
        )
    sub_argv = plan.argv(language, program)
    ref_argv = plan.argv(language, ws.ref_box.inside(plan.reference_files[language]))
    times: dict[str, list[float]] = {"ref": [], "sub": []}
    for round_ in range(plan.speedup_rounds):
        order = ("ref", "sub") if round_ % 2 == 0 else ("sub", "ref")
        for who in order:
            box, argv = (ws.ref_box, ref_argv) if who == "ref" else (ws.box, sub_argv)
            run = box.run(argv, plan.run_limits, RUN_ENV[language])
            if not run.ok:
                side = "the reference" if who == "ref" else "your program"
                return failed("speedup", language, f"not measured: {run.message(side)}")
            times[who].append(run.wall_s)
    result = ratio_of_medians(times["ref"], times["sub"])
    ok, message = verdict(result, plan.min_speedup or 1.0, plan.margin)
    extra = {**result.as_dict(), "spread_s": statistics.pstdev(times["sub"])}
    return Outcome("speedup", language, "pass" if ok else "fail", message, extra=extra)


def answers(plan: Plan, submission: Path) -> Outcome | str:
    """Grade answers.yaml; a string return is why the check was skipped."""
    if not plan.exercise.questions:
        return "the exercise asks no written questions"
    try:
        from ..practice import grade_answers, read_answers
    except ImportError:
        return "written answers cannot be graded yet (polyprof.practice is not installed)"
    path = submission / "answers.yaml"
    if not path.is_file() or path.is_symlink():
        return failed("answers", None, "no answers.yaml in the submission", fraction=0.0)
    if path.stat().st_size > 256 << 10:
        return failed("answers", None, "answers.yaml is larger than 256 KiB")
    try:
        graded = grade_answers(plan.exercise, read_answers(path))
    except PolyprofError as exc:
        return failed("answers", None, exc.problem + (f" ({exc.hint})" if exc.hint else ""))
    score, total = graded["score"], graded["max_score"] or 1
    wrong = [f"{q['id']}: {q['feedback']}" for q in graded["questions"] if not q["correct"]]
    message = f"{score}/{graded['max_score']} answers correct" + (
        "; " + "; ".join(wrong) if wrong else ""
    )
    status = "pass" if score == graded["max_score"] else "fail"
    return Outcome("answers", None, status, message, fraction=score / total, extra=graded)
