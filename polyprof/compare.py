"""`invoke compare`: one exercise, both languages, every profiler, side by side.

The driver only sequences the stages: run (interleaved rounds), merge the
rounds' profiles, parse, match, measure overhead, detect traps, render. Each
stage lives in its own module and sees data, not the stage before it.
"""

from __future__ import annotations

import json
import math
import platform
import pstats as std_pstats
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

import pandas as pd

from . import exercise as exercises
from . import match, overhead, runner, schema, stability, traps
from .diff import changes, diff_profiles, render_diff
from .errors import PolyprofError, ProfileError
from .grade.speedup import ratio_of_medians
from .load import load_profile
from .machine import describe_machine
from .paths import build_cache, results_dir
from .progress import Status
from .publish import publish, staging, write_atomic
from .report import html, markdown, terminal
from .toolchain import go_binary, go_env, go_version

RAW_NAMES = {
    ("go", "pprof"): "go.pprof",
    ("python", "cprofile"): "python.pstats",
    ("python", "cprofile-cpu"): "python-cpu.pstats",
    ("python", "py-spy"): "python.pyspy.txt",
}
STARTUP = {"scale": 1, "repeat": 1}
SAMPLERS = ("pprof", "py-spy")


def variants(ex: exercises.Exercise) -> list[runner.Variant]:
    out = []
    for language in ex.languages:
        out.append(runner.Variant(language, "none"))
        out.extend(runner.Variant(language, p) for p in ex.profilers(language))
    return out


def first_difference(a: str, b: str) -> tuple[int, str, str]:
    la, lb = a.splitlines(), b.splitlines()
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<no line>"
        y = lb[i] if i < len(lb) else "<no line>"
        if x != y:
            return i + 1, x, y
    return 0, "", ""


def check_same_output(reference: runner.RunResult, run: runner.RunResult, program: Path) -> None:
    """A full-size run must print what the first plain run printed, whatever its language."""
    if run.stdout != reference.stdout:
        line, x, y = first_difference(reference.stdout, run.stdout)
        raise PolyprofError(
            f"stdout differs between {reference.variant.label} and {run.variant.label} at "
            f"--scale {run.scale}, line {line}: {x!r} vs {y!r}",
            program,
            hint="both programs must print the same result for the same scale",
        )


def diff_profiler(ex: exercises.Exercise, language: str, disabled: set) -> str | None:
    """The profiler a before/after diff uses: a sampler when one runs (cheap, and it reads
    like pprof's -diff_base), else the language's first profiler."""
    usable = [p for p in ex.profilers(language) if runner.Variant(language, p) not in disabled]
    return next((p for p in usable if p in SAMPLERS), usable[0] if usable else None)


def stage_go(source: Path, go_mod: Path, into: Path) -> Path:
    """A copy of a main.go that lives outside the Go module (an exercise's fix), beside a
    copy of the references' go.mod, so it builds the same way they do."""
    folder = into / "go" / source.parent.name
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(go_mod, into / "go" / "go.mod")
    shutil.copy(source, folder / "main.go")
    return folder / "main.go"


class Session:
    """One compare run: the runs it made, the profiles they wrote, and their timings."""

    def __init__(self, ex: exercises.Exercise, quick: bool, workdir: Path) -> None:
        self.ex = ex
        self.quick = quick
        self.workdir = workdir
        self.work = ex.workload(quick)
        self.rounds = ex.rounds(quick)
        self.results: list[runner.RunResult] = []
        self.findings: list[traps.Finding] = []
        self.disabled: set[runner.Variant] = set()
        self.program_ns = 0
        self.build_s = 0.0
        self.go_bin: Path | None = None
        self.round_profiles: dict[runner.Variant, dict[Path, schema.Profile]] = {}
        self.after = ex.after()  # the fixed programs, when the exercise has them
        self.after_bin: Path | None = None
        self.after_plan: list[runner.Variant] = []

    def run_all(self, status: Status) -> None:
        if runner.pyspy_binary() is None:
            self.disabled.update(v for v in variants(self.ex) if v.profiler == "py-spy")
            if self.disabled:
                self.findings.append(traps.pyspy_unavailable("py-spy is not installed"))
        if "go" in self.ex.languages:
            start = time.monotonic()
            self.go_bin, _ = runner.build_go(self.ex)
            if self.after is not None:
                go_mod = self.ex.root / "go" / "go.mod"
                staged = stage_go(self.after.program("go"), go_mod, build_cache() / "fixes")
                self.after_bin, _ = runner.build_go(self.ex, staged)
            self.build_s = time.monotonic() - start
        plan = [v for v in variants(self.ex) if v not in self.disabled]
        if self.after is not None:
            for language in self.ex.languages:
                profiler = diff_profiler(self.ex, language, self.disabled)
                self.after_plan += [runner.Variant(language, "none")]
                self.after_plan += [runner.Variant(language, profiler)] if profiler else []
        for r in range(self.rounds):
            order = plan[r % len(plan) :] + plan[: r % len(plan)]
            if r == 0:  # plain runs first, so a mismatch fails fast
                order = sorted(order, key=lambda v: v.profiler != "none")
            for phase, sizes in (("work", None), ("startup", STARTUP)):
                for v in order:
                    if v in self.disabled:
                        continue
                    status.step(f"round {r + 1}/{self.rounds} {phase} {v.label}")
                    self._run(v, r, phase, sizes)
                    status.advance()
            for v in self.after_plan:  # the fix, on the same workload, in the same round
                status.step(f"round {r + 1}/{self.rounds} after {v.label}")
                self._run(v, r, "after", None)
                status.advance()

    def _run(
        self, v: runner.Variant, r: int, phase: str, sizes: dict | None, retry: bool = True
    ) -> None:
        scale = sizes["scale"] if sizes else self.work.scale
        repeat = sizes["repeat"] if sizes else self.work.repeat[v.language]
        folder = self.workdir / "rounds" / phase
        folder.mkdir(parents=True, exist_ok=True)
        ex, go_bin = (self.after, self.after_bin) if phase == "after" else (self.ex, self.go_bin)
        assert ex is not None
        res = runner.run_once(ex, v, scale, repeat, r, folder, go_bin, self.work.timeout_s, phase)
        self.program_ns += res.wall_ns
        if res.timed_out:
            raise PolyprofError(
                f"{v.label} run timed out after {self.work.timeout_s:.0f} s",
                ex.program(v.language),
                hint="lower the workload scale or raise workload.timeout_s",
            )
        if res.returncode != 0:
            if v.profiler == "py-spy":
                reason = pyspy_reason(res.stderr, res.returncode)
                if retry and "ermission" not in reason:  # py-spy panics now and then: once more
                    self._run(v, r, phase, sizes, retry=False)
                    return
                if phase != "after":  # a fix's round without a profile only thins its diff
                    self.disabled.add(v)
                    self.findings.append(traps.pyspy_unavailable(reason))
                return
            last = next((ln for ln in reversed(res.stderr.splitlines()) if ln.strip()), "")
            raise PolyprofError(
                f"{v.label} run exited with code {res.returncode}: {last}",
                ex.program(v.language),
            )
        if phase != "startup" and v.profiler != "py-spy":  # py-spy mixes chatter into stdout
            reference = next((x for x in self.results if x.phase == "work"), res)
            check_same_output(reference, res, ex.program(v.language))
        self.results.append(res)

    def runs_table(self) -> pd.DataFrame:
        return pd.DataFrame([r.as_row() for r in self.results])

    def profile_files(self, v: runner.Variant, phase: str = "work") -> list[Path]:
        return [
            r.profile
            for r in self.results
            if r.variant == v and r.phase == phase and r.profile is not None
        ]

    def walls_s(self, language: str, phase: str) -> list[float]:
        """Plain runs' wall times: what a speedup compares."""
        return [
            r.wall_ns / 1e9
            for r in self.results
            if r.phase == phase and r.variant == runner.Variant(language, "none")
        ]


def pyspy_reason(stderr: str, returncode: int) -> str:
    """The line that says why py-spy failed: its error or panic, not a backtrace frame."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    telling = [
        ln for ln in lines if "panicked at" in ln or ln.startswith("Error") or "ermission" in ln
    ]
    pick = telling[0] if telling else (lines[-1] if lines else f"exit code {returncode}")
    return pick[:160]


def merge_go(files: list[Path], out: Path) -> None:
    """Merge rounds with pprof itself, so the merged file is exactly what pprof would make."""
    proc = subprocess.run(
        [go_binary(), "tool", "pprof", "-proto", "-symbolize=none", *map(str, files)],
        env=go_env(),
        capture_output=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout:
        raise ProfileError("go tool pprof could not merge the rounds' profiles", files[0])
    out.write_bytes(proc.stdout)


def merge_folded(files: list[Path], out: Path) -> None:
    counts: Counter[str] = Counter()
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            stack, _, n = line.rpartition(" ")
            if n.isdigit():
                counts[stack] += int(n)
    out.write_text("".join(f"{s} {n}\n" for s, n in counts.items()), encoding="utf-8")


def merge_pstats(files: list[Path], out: Path) -> None:
    std_pstats.Stats(*map(str, files)).dump_stats(str(out))


MERGERS: dict[str, Callable[[list[Path], Path], None]] = {
    "pprof": merge_go,
    "py-spy": merge_folded,
    "cprofile": merge_pstats,
    "cprofile-cpu": merge_pstats,
}


def _usable(
    files: list[Path], rate: int, sampler_from_outside: bool
) -> tuple[dict[Path, schema.Profile], list[str]]:
    """The rounds' profiles that parse, and a sentence for each file that does not.

    py-spy writes nothing when it caught no sample: that is a short run, not a
    broken program, so its missing files are not problems.
    """
    good, problems = {}, []
    for f in files:
        if not f.exists():
            if not sampler_from_outside:
                problems.append(f"{f.name} was never written")
            continue
        try:
            good[f] = load_profile(f, rate=rate)
        except ProfileError as exc:
            problems.append(f"{f.name}: {exc.problem}")
    return good, problems


CPROFILE_CLOCKS = {"cprofile": "wall", "cprofile-cpu": "cpu"}  # a pstats file does not say


def merged_profile(
    session: Session, profiler: str, files: Iterable[Path], raw: Path
) -> schema.Profile:
    """One profiler's round profiles merged into one raw file, and that file parsed."""
    MERGERS[profiler](list(files), raw)
    return load_profile(
        raw,
        clock=CPROFILE_CLOCKS.get(profiler),
        rate=session.ex.pyspy["rate"],
        idle=session.ex.pyspy.get("idle", False),
    )


def collect_profiles(session: Session, staging_dir: Path) -> dict[str, schema.Profile]:
    """Merge each profiler's rounds into one raw file and parse it."""
    profiles: dict[str, schema.Profile] = {}
    for v in variants(session.ex):
        if v.profiler == "none" or v in session.disabled:
            continue
        good, problems = _usable(
            session.profile_files(v), session.ex.pyspy["rate"], v.profiler == "py-spy"
        )
        session.round_profiles[v] = good
        if problems:
            what = (
                "never stopped its CPU profile" if v.language == "go" else "never dumped its stats"
            )
            summary = (
                f"{len(problems)} of {len(problems) + len(good)} {v.label} profiles are incomplete"
            )
            detail = problems[0]
            session.findings.append(
                traps.incomplete_profile(
                    v.language, v.profiler, f"{summary} ({detail}); the program {what}"
                )
            )
        if not good:
            if v.profiler == "py-spy":
                session.findings.append(traps.no_samples(v.language, v.profiler))
            continue
        raw = staging_dir / RAW_NAMES[(v.language, v.profiler)]
        prof = merged_profile(session, v.profiler, good, raw)
        prof.meta.merged_from = len(good)
        runs = [r for r in session.results if r.variant == v and r.phase == "work"]
        if prof.meta.duration_ns is None:
            prof.meta.duration_ns = sum(r.wall_ns for r in runs)
        prof.meta.runtime_version = (
            go_version() if v.language == "go" else platform.python_version()
        )
        profiles[v.profiler] = prof
    return profiles


def before_after(
    session: Session, profiles: dict[str, schema.Profile], staging_dir: Path
) -> dict[str, dict]:
    """Per language: the fix's merged profile minus the baseline's (diff-<language>.txt),
    the functions that moved most, and the plain wall-time speedup with its 95% interval."""
    out: dict[str, dict] = {}
    for language in session.ex.languages if session.after is not None else []:
        profiler = diff_profiler(session.ex, language, session.disabled)
        before = profiles.get(profiler or "")
        v = runner.Variant(language, profiler or "")
        rate = session.ex.pyspy["rate"]
        good, _ = _usable(session.profile_files(v, "after"), rate, profiler == "py-spy")
        walls = session.walls_s(language, "work"), session.walls_s(language, "after")
        section: dict = {"profiler": profiler, "after": str(session.ex.spec["compare"]["after"])}
        if walls[0] and walls[1]:
            section["speedup"] = ratio_of_medians(*walls).as_dict()
        if before is None or not good or profiler is None:
            out[language] = section | {"diff_file": None}
            continue
        raw = staging_dir / f"after-{RAW_NAMES[(language, profiler)]}"
        after = merged_profile(session, profiler, good, raw)
        diff, _ = diff_profiles(before, after, by_name=True)
        diff.meta.file = raw.name  # not the staging folder's path, which is gone once published
        name = f"diff-{language}.txt"
        write_atomic(staging_dir / name, render_diff(diff, Path(before.meta.file).name))
        out[language] = section | {
            "diff_file": name,
            "merged_runs": [before.meta.merged_from, len(good)],
            "total_before_ns": before.meta.total_ns,
            "total_after_ns": after.meta.total_ns,
            "functions": changes(before, after),
        }
    return out


def round_profiles(session: Session) -> dict[tuple[str, str], list[schema.Profile]]:
    return {
        (v.language, v.profiler): list(session.round_profiles.get(v, {}).values())
        for v in variants(session.ex)
        if v.profiler in ("pprof", "py-spy") and v not in session.disabled
    }


def cpu_per_wall(runs: pd.DataFrame, language: str) -> float | None:
    """How much of its own time a plain run spent on a CPU, machine contention excluded."""
    sel = runs[
        (runs["language"] == language) & (runs["profiler"] == "none") & (runs["phase"] == "work")
    ]
    if sel.empty:
        return None
    own = (sel["wall_ns"] - sel["runqueue_ns"]).clip(lower=1)
    return float((sel["cpu_ns"] / own).median())


def analyse(session: Session, profiles: dict[str, schema.Profile]) -> dict:
    ex = session.ex
    runs = session.runs_table()
    tables = {name: p.functions for name, p in profiles.items()}
    samples = {name: p.meta.samples for name, p in profiles.items() if p.meta.kind == "sampling"}
    matches = match.match(tables, samples, ex.overrides)
    cost = overhead.overhead(runs)
    findings = list(session.findings)
    for prof in profiles.values():
        findings += [f for f in (traps.few_samples(prof), traps.truncated_stacks(prof)) if f]
    if "pprof" in profiles:
        low = traps.low_cpu_utilization(profiles["pprof"], cpu_per_wall(runs, "go"))
        findings += [low] if low else []
    mismatch = traps.clock_mismatch(profiles, cpu_per_wall(runs, "python"))
    # a program that waits makes wall-clock cProfile disagree with py-spy for clock reasons,
    # so judge the tracing cost on cProfile's CPU clock then, or not at all
    tracer = "cprofile-cpu" if mismatch else "cprofile"
    distortion = None
    if tracer in profiles:
        cp = cost[(cost["language"] == "python") & (cost["profiler"] == tracer)]
        ratio = float(cp["ratio"].iloc[0]) if len(cp) else None
        distortion = traps.profiler_distortion(matches, ratio, tracer)
    findings += [f for f in (mismatch, distortion) if f]
    matched = set(matches["key"]) if not matches.empty else set()
    return {
        "runs": runs,
        "matches": matches,
        "overhead": cost,
        "findings": findings,
        "ranking": match.ranking(matches),
        "unmatched": match.unmatched(tables, matched),
        "stability": stability.per_round(round_profiles(session)),
        "ordering": stability.ordering(profiles),
    }


def _jsonable(value):
    if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return value


def tool_versions() -> dict:
    spy = runner.pyspy_binary()
    version = ""
    if spy:
        out = subprocess.run([spy, "--version"], capture_output=True, text=True, check=False)
        version = out.stdout.strip().removeprefix("py-spy ")
    return {"go": go_version(), "python": platform.python_version(), "py-spy": version}


def profile_rows(profiles: dict[str, schema.Profile], versions: dict) -> list[dict]:
    """summary.json's `profiles`: what each profile is and how much data it holds."""
    rows = []
    for name, p in profiles.items():
        m = p.meta
        rows.append(
            {
                "language": m.language,
                "profiler": m.profiler,
                "kind": m.kind,
                "clock": m.clock,
                "samples": m.samples,
                "duration_s": (m.duration_ns or 0) / 1e9,
                "total_ns": m.total_ns,
                "file": Path(m.file).name,
                "merged_runs": m.merged_from,
                "calls": m.total_calls,
                "truncated_samples": m.truncated_samples,
                "runtime_version": m.runtime_version,
                "tool_version": versions["go"]
                if name == "pprof"
                else versions.get(name, versions["python"]),
            }
        )
    return rows


def build_summary(
    session: Session,
    profiles: dict[str, schema.Profile],
    found: dict,
    timing: dict,
    fixed: dict | None = None,
) -> dict:
    ex = session.ex
    versions = tool_versions()
    cost = found["overhead"]
    return _jsonable(
        {
            "exercise": ex.slug,
            "title": ex.title,
            "quick": session.quick,
            "workload": {
                "scale": session.work.scale,
                "repeat": session.work.repeat,
                "rounds": session.rounds,
                "startup_runs": STARTUP,
            },
            "profiles": profile_rows(profiles, versions),
            "matches": found["matches"].to_dict(orient="records"),
            "ranking": found["ranking"],
            "unmatched": found["unmatched"],
            "overhead": [
                {
                    "language": r.language,
                    "profiler": r.profiler,
                    "ratio": r.ratio,
                    "ci95": [r.ci95_lo, r.ci95_hi],
                    "cpu_ratio": r.cpu_ratio,
                    "runs": r.runs,
                    "plain_median_s": r.plain_median_s,
                    "profiled_median_s": r.profiled_median_s,
                    "method": "median over interleaved rounds of (profiled − its start-up) / "
                    "(plain − its start-up) wall time; start-up = median of scale-1 runs of "
                    "the same variant; 95% CI by bootstrap over rounds",
                }
                for r in cost.itertuples()
            ],
            "warnings": [f.as_dict() for f in found["findings"]],
            **({"before_after": fixed} if fixed else {}),
            "stability": found["stability"],
            "ordering": found["ordering"],
            "machine": describe_machine(),
            "versions": versions,
            "timing": timing,
        }
    )


def write_outputs(
    folder: Path, profiles: dict[str, schema.Profile], found: dict, summary: dict
) -> None:
    functions = (
        pd.concat(
            [p.functions[list(schema.FUNCTION_COLUMNS)] for p in profiles.values()],
            ignore_index=True,
        )
        if profiles
        else schema.empty(schema.FUNCTION_COLUMNS)
    )
    functions.to_csv(folder / "functions.csv", index=False)
    found["matches"].to_csv(folder / "matches.csv", index=False)
    found["overhead"].to_csv(folder / "overhead.csv", index=False)
    found["runs"].to_csv(folder / "runs.csv", index=False)
    write_atomic(folder / "summary.json", json.dumps(summary, indent=1) + "\n")
    write_atomic(folder / "report.md", markdown.render(summary))
    html.write_report(folder)


def timings(started: float, build_s: float, programs_s: float, analysis_started: float) -> dict:
    """Where a run's time went; `polyprof_s` is everything but building and the programs."""
    now = time.monotonic()
    total = now - started
    return {
        "total_s": round(total, 3),
        "build_s": round(build_s, 3),
        "programs_s": round(programs_s, 3),
        "polyprof_s": round(total - build_s - programs_s, 3),
        "analysis_s": round(now - analysis_started, 3),
    }


def run_compare(
    slug: str = exercises.DEFAULT_SLUG,
    quick: bool = False,
    out: TextIO | None = None,
    root: Path = exercises.ROOT,
) -> dict:
    """Run the whole comparison and publish results/<slug>/ atomically; returns summary.json."""
    started = time.monotonic()
    out = out or sys.stdout
    ex = exercises.load(slug, root)
    if ex.spec.get("kind") == "service":  # live services under load: a driver of their own
        from .service import run_service_compare

        return run_service_compare(ex, quick=quick, out=out)
    final = results_dir(slug)
    with staging(final) as tmp:
        session = Session(ex, quick, tmp)
        after = ex.after()
        per_round = len(variants(ex)) * 2 + (2 * len(ex.languages) if after else 0)
        status = Status(per_round * session.rounds)
        try:
            session.run_all(status)
        finally:
            status.close()
        before_analysis = time.monotonic()
        profiles = collect_profiles(session, tmp)
        found = analyse(session, profiles)
        fixed = before_after(session, profiles, tmp)
        timing = timings(started, session.build_s, session.program_ns / 1e9, before_analysis)
        summary = build_summary(session, profiles, found, timing, fixed)
        write_outputs(tmp, profiles, found, summary)
        publish(tmp, final)
    out.write(terminal.render(summary, final))
    incomplete = [w for w in summary["warnings"] if w["code"] == "incomplete_profile"]
    if incomplete:
        raise PolyprofError(
            f"{len(incomplete)} incomplete profile(s); summary.json was written with the warning",
            final / "summary.json",
            hint="see the incomplete_profile warning above for the fix",
        )
    return summary
