"""Every exercise shows what its exercise.yaml claims, in a real `invoke compare --quick` run.

Claims are checked with intervals, never exact numbers: a declared hottest function
must lead or have a sampling interval that overlaps the leader's; overheads are
compared interval against interval. One quick run per exercise, shared by every
test of that exercise; the run's results go to a temporary POLYPROF_RESULTS.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from polyprof import compare, exercise, runner
from polyprof.errors import PolyprofError
from polyprof.grade.speedup import ratio_of_medians

REPO = Path(__file__).resolve().parent.parent
SLUGS = [s for s in exercise.slugs() if exercise.load(s).spec.get("kind") != "service"]
BROKEN_ON_PURPOSE = "forgot_stop_profiler"  # compare exits 2 after writing summary.json
SAMPLER_COLUMNS = {"go": "go", "python": "pyspy"}  # matches.csv prefix of each sampler


@pytest.fixture(scope="session")
def results_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("exercise-results")
    before = os.environ.get("POLYPROF_RESULTS")
    os.environ["POLYPROF_RESULTS"] = str(root)
    yield root
    if before is None:
        os.environ.pop("POLYPROF_RESULTS", None)
    else:
        os.environ["POLYPROF_RESULTS"] = before


@pytest.fixture(scope="session")
def quick_runs(results_root):
    """summary.json of each exercise's quick run, made the first time a test asks."""
    done: dict[str, dict] = {}

    def run(slug: str) -> dict:
        try:
            compare.run_compare(slug, quick=True, out=io.StringIO())
        except PolyprofError:
            if slug != BROKEN_ON_PURPOSE:
                raise
        return json.loads((results_root / slug / "summary.json").read_text(encoding="utf-8"))

    def get(slug: str) -> dict:
        if slug not in done:
            done[slug] = run(slug)
            if "pyspy_unavailable" in codes(done[slug]):  # py-spy panics now and then
                done[slug] = run(slug)
        return done[slug]

    return get


def codes(summary: dict) -> set[str]:
    return {w["code"] for w in summary["warnings"]}


def functions(results_root: Path, slug: str) -> pd.DataFrame:
    return pd.read_csv(results_root / slug / "functions.csv")


def row(summary: dict, key: str) -> dict:
    found = [m for m in summary["matches"] if m["key"] == key]
    assert found, f"{key} is not among the matched functions"
    return found[0]


def top_by_sampler(summary: dict, language: str) -> dict:
    col = f"{SAMPLER_COLUMNS[language]}_flat_pct"
    rows = [m for m in summary["matches"] if m.get(col) is not None]
    return max(rows, key=lambda m: m[col])


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_declared_warnings_fire(quick_runs, slug):
    want = set(exercise.load(slug).expect.get("warnings") or [])
    assert want <= codes(quick_runs(slug)), quick_runs(slug)["warnings"]


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_warnings_declared_absent_stay_quiet(quick_runs, slug):
    expect = exercise.load(slug).expect
    absent = set(expect.get("quick_absent_warnings", expect.get("absent_warnings")) or [])
    assert not absent & codes(quick_runs(slug)), quick_runs(slug)["warnings"]


@pytest.mark.slow
@pytest.mark.parametrize("slug", [s for s in SLUGS if exercise.load(s).expect.get("hottest")])
def test_declared_hottest_leads_within_sampling_error(quick_runs, slug):
    """The declared key leads each sampler, or its interval overlaps the leader's."""
    summary = quick_runs(slug)
    for language, key in exercise.load(slug).expect["hottest"].items():
        prefix = SAMPLER_COLUMNS[language]
        top, declared = top_by_sampler(summary, language), row(summary, key)
        if top["key"] == key:
            continue
        hi = declared[f"{prefix}_flat_ci95"][1]
        top_lo = top[f"{prefix}_flat_ci95"][0]
        assert hi >= top_lo, (language, key, declared[f"{prefix}_flat_pct"], top["key"])


def test_trap_warnings_are_promised_absent_from_the_intro():
    intro = exercise.load(exercise.DEFAULT_SLUG).expect
    traps = {w for s in SLUGS for w in exercise.load(s).expect.get("warnings") or []}
    assert traps <= set(intro["absent_warnings"])
    assert traps - {"few_samples"} <= set(intro["quick_absent_warnings"])


@pytest.mark.slow
def test_wall_vs_cpu_only_the_wall_clock_sees_the_wait(quick_runs, results_root):
    quick_runs("wall_vs_cpu")
    fn = functions(results_root, "wall_vs_cpu")

    def cum(profiler: str, clock: str, name: str) -> float:
        sel = fn[(fn["profiler"] == profiler) & (fn["clock"] == clock) & (fn["function"] == name)]
        return float(sel["cum_pct"].sum())

    assert cum("cprofile", "wall", "wait_for_io") > 30
    assert cum("cprofile", "wall", "{built-in method time.sleep}") > 30
    assert cum("cprofile", "cpu", "wait_for_io") < 5
    assert cum("py-spy", "cpu", "wait_for_io") < 15
    assert cum("pprof", "cpu", "main.waitForIO") < 5


@pytest.mark.slow
def test_not_enough_samples_keeps_each_round_apart(quick_runs):
    summary = quick_runs("not_enough_samples")
    rounds = summary["workload"]["rounds"]
    rows = summary["stability"]
    for sampler in ("pprof", "py-spy"):
        mine = [r for r in rows if r["profiler"] == sampler]
        assert len(mine) == rounds
        assert all(r["samples"] < 100 for r in mine)
    go_tops = {r["top"] for r in rows if r["profiler"] == "pprof"}
    assert go_tops <= {"main.decimalDigits", "main.baseSevenDigits"}


@pytest.mark.slow
def test_forgot_stop_profiler_exits_2_in_one_line_yet_writes_the_warning(results_root):
    proc = subprocess.run(
        [sys.executable, "-m", "invoke", "compare", "-e", BROKEN_ON_PURPOSE, "--quick"],
        cwd=REPO,
        env={**os.environ, "POLYPROF_RESULTS": str(results_root / "cli")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "summary.json" in proc.stderr
    folder = results_root / "cli" / BROKEN_ON_PURPOSE
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    found = {
        w["language"]: w["message"]
        for w in summary["warnings"]
        if w["code"] == "incomplete_profile"
    }
    assert "StopCPUProfile" in found["go"] and "dump_stats" in found["python"]
    go_files = list((folder / "rounds" / "work").glob("go-pprof-*.pprof"))
    assert go_files and all(f.stat().st_size == 0 for f in go_files)
    assert not list((folder / "rounds" / "work").glob("python-cprofile-*"))


@pytest.mark.slow
def test_flat_vs_cum_dispatcher_and_recursion_in_both_tools(quick_runs):
    summary = quick_runs("flat_vs_cum")
    dispatcher = row(summary, "process_batch")
    for prefix in ("go", "pyspy"):
        # its own work is call overhead: a stray sample or two may land there (a quick run
        # has a few hundred), but its flat is consistent with ~0 and tiny beside its cum
        assert dispatcher[f"{prefix}_flat_ci95"][0] < 2, (prefix, dispatcher)
        assert dispatcher[f"{prefix}_flat_pct"] < 5, (prefix, dispatcher)
        assert dispatcher[f"{prefix}_cum_pct"] > 75
    assert dispatcher["cprofile_flat_pct"] < 1 and dispatcher["cprofile_cum_pct"] > 99
    for m in summary["matches"]:
        for prefix in ("go", "pyspy", "cprofile"):
            cum = m.get(f"{prefix}_cum_pct")
            assert cum is None or cum <= 100.0 + 1e-6, (m["key"], prefix, cum)
    hanoi = row(summary, "solve_hanoi")
    assert hanoi["cprofile_calls"] > 1000  # recursive: many calls, yet cum counted once


@pytest.mark.slow
def test_production_overhead_tracing_costs_far_more_than_sampling(quick_runs):
    cost = {r["profiler"]: r for r in quick_runs("production_overhead")["overhead"]}
    tracer_low = cost["cprofile"]["ci95"][0]
    assert tracer_low > cost["pprof"]["ci95"][1]
    assert tracer_low > cost["py-spy"]["ci95"][1]
    assert cost["cprofile"]["ratio"] >= 2


def solution_root(tmp_path: Path) -> Path:
    """A repo-shaped folder whose hotspot_fix reference programs are the hidden solution."""
    solution = REPO / "exercises" / "hotspot_fix" / "hidden" / "solution"
    (tmp_path / "exercises" / "hotspot_fix").mkdir(parents=True)
    spec = yaml.safe_load((REPO / "exercises" / "hotspot_fix" / "exercise.yaml").read_text())
    del spec["compare"]  # the solution is the reference here: there is no fix to diff against
    (tmp_path / "exercises" / "hotspot_fix" / "exercise.yaml").write_text(yaml.safe_dump(spec))
    (tmp_path / "go" / "hotspot_fix").mkdir(parents=True)
    shutil.copy(REPO / "go" / "go.mod", tmp_path / "go")
    shutil.copy(solution / "main.go", tmp_path / "go" / "hotspot_fix")
    (tmp_path / "python" / "hotspot_fix").mkdir(parents=True)
    shutil.copy(solution / "main.py", tmp_path / "python" / "hotspot_fix")
    return tmp_path


@pytest.fixture(scope="session")
def hotspot_solution(results_root, tmp_path_factory):
    root = solution_root(tmp_path_factory.mktemp("solution"))
    os.environ["POLYPROF_RESULTS"] = str(results_root / "solution")
    try:
        summary = compare.run_compare("hotspot_fix", quick=True, out=io.StringIO(), root=root)
    finally:
        os.environ["POLYPROF_RESULTS"] = str(results_root)
    return exercise.load("hotspot_fix", root), summary


@pytest.mark.slow
def test_hotspot_fix_solution_no_longer_dominates(hotspot_solution):
    ex, summary = hotspot_solution
    slow = ex.expect["must_not_dominate"]
    for language in ex.languages:
        assert top_by_sampler(summary, language)["key"] != slow, language


@pytest.mark.slow
def test_hotspot_fix_solution_prints_the_same_and_clears_min_speedup(hotspot_solution, tmp_path):
    """Interleaved plain runs at the default workload, the size the claim is about."""
    solved, _ = hotspot_solution
    base = exercise.load("hotspot_fix")
    work = base.workload()
    for language in base.languages:
        variant = runner.Variant(language, "none")
        bins = {
            ex.root: runner.build_go(ex)[0] if language == "go" else None for ex in (base, solved)
        }
        times: dict[Path, list[float]] = {base.root: [], solved.root: []}
        outputs: dict[Path, set[str]] = {base.root: set(), solved.root: set()}
        for r in range(5):
            for ex in (base, solved) if r % 2 else (solved, base):
                res = runner.run_once(
                    ex,
                    variant,
                    work.scale,
                    work.repeat[language],
                    r,
                    tmp_path,
                    bins[ex.root],
                    work.timeout_s,
                )
                assert res.returncode == 0, res.stderr
                times[ex.root].append(res.wall_ns / 1e9)
                outputs[ex.root].add(res.stdout)
        assert outputs[base.root] == outputs[solved.root] and len(outputs[base.root]) == 1
        speedup = ratio_of_medians(times[base.root], times[solved.root])
        assert speedup.low >= base.expect["min_speedup"], (language, speedup)
