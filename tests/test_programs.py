"""The exercises' reference programs keep the program contract in both languages.

Same stdout for the same --scale, a real profile only when --cpuprofile is given,
--repeat never changes the answer, and the specs name functions that exist.
Scales are small so the whole module runs in seconds on a shared machine.
"""

from __future__ import annotations

import gzip
import pstats
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from polyprof import exercise
from polyprof.toolchain import go_binary, go_env

ROOT = Path(__file__).resolve().parent.parent

# slug -> (small --scale, user functions the Python profile must contain)
PROGRAMS = {
    "cpu_profiling_pprof_intro": (1, {"run_workload", "count_primes", "fib", "longest_collatz"}),
    "wall_vs_cpu": (1, {"run_workload", "hash_block", "wait_for_io"}),
    "not_enough_samples": (3, {"run_workload", "decimal_digits", "base_seven_digits"}),
    "forgot_stop_profiler": (2, {"run_workload", "classify_below", "sum_proper_divisors"}),
    "flat_vs_cum": (1, {"process_batch", "checksum_block", "solve_hanoi", "record_move"}),
    "production_overhead": (2, {"score_batch", "mix", "keep", "clamp"}),
    "hotspot_fix": (600, {"run_workload", "decode_records", "count_duplicate_pairs"}),
}
SOLUTIONS = ["forgot_stop_profiler", "hotspot_fix"]
BROKEN = {"forgot_stop_profiler"}
SLUGS = sorted(PROGRAMS)


def _go_build(package_dir: Path, target: Path) -> Path:
    subprocess.run(
        [go_binary(), "build", "-o", str(target), "."],
        cwd=package_dir,
        env=go_env(),
        check=True,
        capture_output=True,
    )
    return target


@pytest.fixture(scope="session")
def go_bins(tmp_path_factory) -> dict[str, Path]:
    """Every reference Go program, built once with the pinned toolchain."""
    out = tmp_path_factory.mktemp("gobin")
    subprocess.run(
        [go_binary(), "build", "-o", f"{out}/", *(f"./{s}" for s in SLUGS)],
        cwd=ROOT / "go",
        env=go_env(),
        check=True,
        capture_output=True,
    )
    return {slug: out / slug for slug in SLUGS}


@pytest.fixture(scope="session")
def solution_bins(tmp_path_factory) -> dict[str, Path]:
    """The hidden Go solutions, each built as its own module as a submission would be."""
    bins = {}
    for slug in SOLUTIONS:
        work = tmp_path_factory.mktemp(f"sol_{slug}")
        shutil.copy(ROOT / "exercises" / slug / "hidden" / "solution" / "main.go", work)
        shutil.copy(ROOT / "go" / "go.mod", work)
        bins[slug] = _go_build(work, work / "bin")
    return bins


def _run(cmd: list[str | Path], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in cmd] + list(args), capture_output=True, text=True, check=check
    )


def _go(go_bins, slug):
    return [go_bins[slug]]


def _py(slug, script: Path | None = None):
    return [sys.executable, script or ROOT / "python" / slug / "main.py"]


def _scale(slug: str) -> str:
    return str(PROGRAMS[slug][0])


def _user_functions(path: Path) -> set[str]:
    stats = pstats.Stats(str(path))
    return {name for (file, _line, name) in stats.stats if file.endswith("main.py")}


@pytest.mark.parametrize("slug", SLUGS)
def test_both_languages_print_the_same(go_bins, slug):
    go = _run(_go(go_bins, slug), "--scale", _scale(slug)).stdout
    py = _run(_py(slug), "--scale", _scale(slug)).stdout
    assert go == py
    assert go.strip(), "the workload must print its result"


@pytest.mark.parametrize("language", ["go", "python"])
@pytest.mark.parametrize("slug", SLUGS)
def test_repeat_prints_the_result_once(go_bins, slug, language):
    cmd = _go(go_bins, slug) if language == "go" else _py(slug)
    once = _run(cmd, "--scale", _scale(slug)).stdout
    thrice = _run(cmd, "--scale", _scale(slug), "--repeat", "3").stdout
    assert thrice == once


@pytest.mark.parametrize("slug", sorted(set(SLUGS) - BROKEN))
def test_go_profile_is_gzipped_pprof(go_bins, slug, tmp_path):
    prof = tmp_path / "cpu.pprof"
    _run(_go(go_bins, slug), "--scale", _scale(slug), "--cpuprofile", str(prof))
    data = prof.read_bytes()
    assert data[:2] == b"\x1f\x8b"
    assert len(gzip.decompress(data)) > 0


@pytest.mark.parametrize("slug", sorted(set(SLUGS) - BROKEN))
def test_python_profile_holds_the_user_functions(slug, tmp_path):
    prof = tmp_path / "cpu.pstats"
    _run(_py(slug), "--scale", _scale(slug), "--cpuprofile", str(prof))
    assert PROGRAMS[slug][1] <= _user_functions(prof)


@pytest.mark.parametrize("language", ["go", "python"])
@pytest.mark.parametrize("slug", SLUGS)
def test_no_profile_without_the_flag(go_bins, slug, language, tmp_path):
    cmd = _go(go_bins, slug) if language == "go" else _py(slug)
    subprocess.run(
        [str(c) for c in cmd] + ["--scale", _scale(slug)],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("language", ["go", "python"])
@pytest.mark.parametrize("slug", SLUGS)
def test_bad_scale_is_refused(go_bins, slug, language):
    cmd = _go(go_bins, slug) if language == "go" else _py(slug)
    done = _run(cmd, "--scale", "0", check=False)
    assert done.returncode == 2
    assert "--scale" in done.stderr
    assert done.stdout == ""


def test_forgotten_stop_leaves_an_empty_go_profile(go_bins, tmp_path):
    prof = tmp_path / "cpu.pprof"
    _run(_go(go_bins, "forgot_stop_profiler"), "--scale", "1", "--cpuprofile", str(prof))
    assert prof.exists()
    assert prof.stat().st_size == 0


def test_forgotten_dump_leaves_no_python_profile(tmp_path):
    prof = tmp_path / "cpu.pstats"
    _run(_py("forgot_stop_profiler"), "--scale", "1", "--cpuprofile", str(prof))
    assert not prof.exists()


def test_fixed_stop_writes_both_profiles(solution_bins, tmp_path):
    slug = "forgot_stop_profiler"
    solution = ROOT / "exercises" / slug / "hidden" / "solution" / "main.py"
    go_prof, py_prof = tmp_path / "cpu.pprof", tmp_path / "cpu.pstats"
    _run([solution_bins[slug]], "--scale", "1", "--cpuprofile", str(go_prof))
    _run(_py(slug, solution), "--scale", "1", "--cpuprofile", str(py_prof))
    assert go_prof.read_bytes()[:2] == b"\x1f\x8b"
    assert PROGRAMS[slug][1] <= _user_functions(py_prof)


@pytest.mark.parametrize("slug", SOLUTIONS)
def test_hidden_solutions_print_what_the_reference_prints(go_bins, solution_bins, slug):
    solution = ROOT / "exercises" / slug / "hidden" / "solution" / "main.py"
    reference = _run(_go(go_bins, slug), "--scale", _scale(slug)).stdout
    assert _run([solution_bins[slug]], "--scale", _scale(slug)).stdout == reference
    assert _run(_py(slug, solution), "--scale", _scale(slug)).stdout == reference


def test_hotspot_solution_drops_the_pairwise_loop(tmp_path):
    """The fix keeps the function's name but no longer calls or loops per pair."""
    slug = "hotspot_fix"
    solution = ROOT / "exercises" / slug / "hidden" / "solution" / "main.py"
    prof = tmp_path / "cpu.pstats"
    _run(_py(slug, solution), "--scale", "600", "--cpuprofile", str(prof))
    assert "count_duplicate_pairs" in _user_functions(prof)
    text = solution.read_text()
    assert "range(i + 1, n)" not in text


@pytest.mark.parametrize("clock", ["wall", "cpu"])
def test_wall_vs_cpu_takes_a_clock_in_both_languages(go_bins, clock, tmp_path):
    prof = tmp_path / "cpu.pstats"
    py = _run(_py("wall_vs_cpu"), "--scale", "1", "--clock", clock, "--cpuprofile", str(prof))
    go = _run(_go(go_bins, "wall_vs_cpu"), "--scale", "1", "--clock", clock)
    assert py.stdout == go.stdout
    assert "wait_for_io" in _user_functions(prof)


@pytest.mark.parametrize("language", ["go", "python"])
def test_wall_vs_cpu_refuses_an_unknown_clock(go_bins, language):
    cmd = _go(go_bins, "wall_vs_cpu") if language == "go" else _py("wall_vs_cpu")
    done = _run(cmd, "--scale", "1", "--clock", "sundial", check=False)
    assert done.returncode == 2
    assert "--clock" in done.stderr


@pytest.mark.parametrize("slug", SLUGS)
def test_spec_names_functions_the_program_has(slug, tmp_path):
    spec = exercise.load(slug)
    keys = set(spec.expect.get("hottest", {}).values())
    if "must_not_dominate" in spec.expect:
        keys.add(spec.expect["must_not_dominate"])
    assert keys <= PROGRAMS[slug][1]
    assert spec.workload().scale >= spec.workload(quick=True).scale


@pytest.mark.parametrize("slug", SLUGS)
def test_starters_build_and_print_the_reference_answer(go_bins, slug, tmp_path):
    """A learner starts from code that works and only lacks profiling (or the fix)."""
    starter = ROOT / "exercises" / slug / "starter"
    shutil.copy(starter / "main.go", tmp_path)
    shutil.copy(ROOT / "go" / "go.mod", tmp_path)
    built = _go_build(tmp_path, tmp_path / "bin")
    reference = _run(_go(go_bins, slug), "--scale", _scale(slug)).stdout
    assert _run([built], "--scale", _scale(slug)).stdout == reference
    assert _run(_py(slug, starter / "main.py"), "--scale", _scale(slug)).stdout == reference
    assert "TODO" in (starter / "main.go").read_text()
    assert "TODO" in (starter / "main.py").read_text()
