"""`invoke diff` equals `go tool pprof -top -diff_base`, and pstats.Stats for tracing profiles."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import oracle
import pytest
from front_door import invoke, one_line_error

from polyprof import load_profile
from polyprof.diff import diff_profiles, run_diff
from polyprof.export.pprof_writer import pprof_bytes
from polyprof.export.stacks import from_pyspy
from polyprof.pstats import display_name

CORPUS = oracle.CORPUS / "google-pprof"
PYSHAPES = oracle.PROGRAMS / "pyshapes" / "main.py"
PYSPY = Path(sys.executable).with_name("py-spy")


def _diff(base: Path, new: Path, **options) -> str:
    out = io.StringIO()
    run_diff(str(base), str(new), out=out, **options)
    return out.getvalue()


def _rows(base: Path, new: Path, *flags: str, **options) -> list[tuple[str, int, int]]:
    """Our (name, flat, cum) rows, in the unit pprof prints with -unit=ns (or counts)."""
    profile, _ = diff_profiles(load_profile(base), load_profile(new), **options)
    counts = options.get("sample_index") == "samples"
    flat, cum = ("flat_samples", "cum_samples") if counts else ("flat_ns", "cum_ns")
    fn = profile.functions
    return sorted(zip(fn["function"], fn[flat].astype(int), fn[cum].astype(int), strict=True))


def _pprof_rows(base: Path, new: Path, *flags: str) -> list[tuple[str, int, int]]:
    rows = oracle.pprof_top("-unit=ns", *flags, "-diff_base", base, new)
    return sorted((name, flat, cum) for name, flat, cum, _, _ in rows)


PAIRS = [("a", "b"), ("b", "a")]


@pytest.mark.parametrize("normalize", [False, True], ids=["plain", "normalize"])
@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p[0]}-vs-{p[1]}")
def test_go_text_is_pprofs_diff_base_byte_for_byte(go_shapes, pair, normalize):
    base, new = go_shapes[pair[0]], go_shapes[pair[1]]
    flags = ["-normalize"] if normalize else []
    ours = oracle.body(_diff(base, new, normalize=normalize))
    assert ours == oracle.body(oracle.pprof_text(*flags, "-diff_base", base, new))
    counted = _diff(base, new, normalize=normalize, sample_index="samples")
    theirs = oracle.pprof_text(*flags, "-sample_index=samples", "-diff_base", base, new)
    assert oracle.body(counted) == oracle.body(theirs)


@pytest.mark.parametrize("normalize", [False, True], ids=["plain", "normalize"])
@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p[0]}-vs-{p[1]}")
def test_go_nanoseconds_and_counts_equal_pprofs(go_shapes, pair, normalize):
    base, new = go_shapes[pair[0]], go_shapes[pair[1]]
    flags = ("-normalize",) if normalize else ()
    assert _rows(base, new, normalize=normalize) == _pprof_rows(base, new, *flags)
    counts = _rows(base, new, normalize=normalize, sample_index="samples")
    assert counts == _pprof_rows(base, new, *flags, "-sample_index=samples")


def test_percentages_are_of_the_base_total_and_pass_100(go_shapes):
    base, new = load_profile(go_shapes["b"]), load_profile(go_shapes["a"])
    profile, _ = diff_profiles(base, new)
    assert profile.meta.total_value == base.meta.total_value
    fn = profile.functions
    assert (fn["cum_pct"] > 100).any()  # a's 1.5 s of work against b's 0.3 s
    main = fn[fn["function"] == "main.main"].iloc[0]
    assert main["cum_pct"] == pytest.approx(main["cum_ns"] / base.meta.total_ns * 100)


def test_a_profile_against_itself_is_all_zero():
    path = CORPUS / "large.cpu"
    profile, _ = diff_profiles(load_profile(path), load_profile(path))
    assert profile.functions.empty
    assert oracle.body(_diff(path, path)) == oracle.body(
        oracle.pprof_text("-diff_base", path, path)
    )


def test_two_different_programs_read_like_pprof():
    """Third-party profiles of different programs: 23k nodes, most on one side only."""
    base, new = CORPUS / "sample.cpu", CORPUS / "large.cpu"
    assert oracle.body(_diff(base, new)) == oracle.body(oracle.pprof_text("-diff_base", base, new))
    ours = oracle.body(_diff(new, base, normalize=True))
    assert ours == oracle.body(oracle.pprof_text("-normalize", "-diff_base", new, base))


def test_lines_and_filters_follow_pprof(go_shapes):
    from polyprof.filter import Filters

    base, new = go_shapes["a"], go_shapes["b"]
    lines = _diff(base, new, granularity="lines")
    assert oracle.body(lines) == oracle.body(oracle.pprof_text("-lines", "-diff_base", base, new))
    filtered = _diff(base, new, filters=Filters(focus="main", hide="runtime"))
    theirs = oracle.pprof_text("-focus=main", "-hide=runtime", "-diff_base", base, new)
    assert oracle.body(filtered) == oracle.body(theirs)


@pytest.fixture(scope="module")
def hotspot_go(tmp_path_factory) -> dict[str, Path]:
    """The hotspot_fix Go program and its hidden solution, each profiled once: a real
    before/after pair whose functions changed."""
    from polyprof import exercise
    from polyprof.compare import stage_go
    from polyprof.runner import build_go

    ex = exercise.load("hotspot_fix")
    out = tmp_path_factory.mktemp("hotspot")
    files = {}
    fix = stage_go(ex.after().program("go"), ex.root / "go" / "go.mod", out / "src")
    sources = {"before": None, "after": fix}
    for name, source in sources.items():
        binary, _ = build_go(ex, source)
        files[name] = out / f"{name}.pprof"
        argv = [binary, "--scale", "9000", "--repeat", "20", "--cpuprofile", files[name]]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)
    return files


@pytest.mark.parametrize("normalize", [False, True], ids=["plain", "normalize"])
def test_a_real_fix_reads_like_pprof(hotspot_go, normalize):
    base, new = hotspot_go["before"], hotspot_go["after"]
    flags = ["-normalize"] if normalize else []
    ours = oracle.body(_diff(base, new, normalize=normalize))
    assert ours == oracle.body(oracle.pprof_text(*flags, "-diff_base", base, new))
    profile, _ = diff_profiles(load_profile(base), load_profile(new), normalize=normalize)
    fn = profile.functions.set_index("function")
    assert fn.loc["main.countDuplicatePairs", "flat_ns"] < 0


# --- Python -------------------------------------------------------------------------------


def _cprofile(tmp_path: Path, scale: int) -> Path:
    out = tmp_path / f"shapes-{scale}.pstats"
    argv = [sys.executable, "-m", "cProfile", "-o", out, PYSHAPES, "--scale", str(scale)]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)
    return out


def _stats_totals(path: Path, by_name: bool) -> dict[tuple, list[int]]:
    """pstats.Stats's numbers summed per identity: (name, file), or name alone."""
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in oracle.pstats_rows(sys.executable, path):
        file, line, raw = row["key"]
        name = display_name(file, line, raw)
        acc = totals[(name,) if by_name else (name, file)]
        for i, v in enumerate(
            (round(row["tt"] * 1e9), round(row["ct"] * 1e9), row["nc"], row["cc"])
        ):
            acc[i] += v
    return totals


@pytest.mark.parametrize("by_name", [False, True], ids=["name-and-file", "by-name"])
def test_pstats_diff_equals_pstats_stats(tmp_path, by_name):
    base, new = _cprofile(tmp_path, 200), _cprofile(tmp_path, 600)
    a, b = _stats_totals(base, by_name), _stats_totals(new, by_name)
    expected = {}
    for key in set(a) | set(b):
        delta = [y - x for x, y in zip(a.get(key, [0] * 4), b.get(key, [0] * 4), strict=True)]
        if any(delta):
            expected[key] = delta
    profile, _ = diff_profiles(load_profile(base), load_profile(new), by_name=by_name)
    fn = profile.functions
    ours = {}
    for r in fn.itertuples():
        key = (r.function,) if by_name else (r.function, r.file)
        ours[key] = [int(r.flat_ns), int(r.cum_ns), int(r.calls), int(r.primitive_calls)]
    assert ours == expected
    total = load_profile(base).meta.total_value
    assert fn["flat_pct"].tolist() == pytest.approx((fn["flat_ns"] / total * 100).tolist())
    fib = fn[fn["function"] == "fib"].iloc[0]
    assert fib["calls"] > fib["primitive_calls"] > 0  # recursion: more calls, more primitive ones


def test_pstats_normalize_scales_the_new_total_to_the_base(tmp_path):
    base, new = _cprofile(tmp_path, 200), _cprofile(tmp_path, 600)
    profile, _ = diff_profiles(load_profile(base), load_profile(new), normalize=True)
    # after scaling, B's flat times sum to A's, so the deltas cancel (to rounding)
    assert abs(int(profile.functions["flat_ns"].sum())) <= len(profile.functions)
    text = _diff(base, new, normalize=True)
    assert text.splitlines()[1] == f"Diff base: {base}"
    assert "calls" in next(ln for ln in text.splitlines() if ln.lstrip().startswith("flat"))


@pytest.fixture(scope="module")
def pyspy_pair(tmp_path_factory) -> dict[str, Path]:
    if not PYSPY.exists():
        pytest.skip("py-spy is not installed beside this Python")
    out = tmp_path_factory.mktemp("pyspy-diff")
    files = {}
    for name, scale in (("small", 4000), ("large", 12000)):
        files[name] = out / f"{name}.txt"
        argv = [PYSPY, "record", "--format", "raw", "--rate", "100", "--function"]
        argv += ["-o", files[name], "--", sys.executable, PYSHAPES, "--scale", str(scale)]
        subprocess.run(argv, check=True, capture_output=True, timeout=300)
        files[f"{name}.pprof"] = out / f"{name}.pprof"
        files[f"{name}.pprof"].write_bytes(pprof_bytes(from_pyspy(files[name])))
    return files


def test_pyspy_normalize_makes_the_two_totals_equal(pyspy_pair):
    base, new = load_profile(pyspy_pair["small"]), load_profile(pyspy_pair["large"])
    plain, _ = diff_profiles(base, new)
    scaled, _ = diff_profiles(base, new, normalize=True)
    flat = [int(p.functions["flat_samples"].sum()) for p in (base, new, plain)]
    assert flat[2] == flat[1] - flat[0]
    # each sample is rounded on its own, so the scaled sums meet to within one per sample
    assert abs(int(scaled.functions["flat_samples"].sum())) <= new.meta.samples


def test_pyspy_diff_is_new_minus_base_per_function(pyspy_pair):
    base, new = load_profile(pyspy_pair["small"]), load_profile(pyspy_pair["large"])
    profile, _ = diff_profiles(base, new)

    def per_function(fn):
        return {(r.function, r.file): (r.flat_ns, r.cum_ns) for r in fn.itertuples()}

    a, b = per_function(base.functions), per_function(new.functions)
    expected = {
        k: (b.get(k, (0, 0))[0] - a.get(k, (0, 0))[0], b.get(k, (0, 0))[1] - a.get(k, (0, 0))[1])
        for k in set(a) | set(b)
    }
    expected = {k: v for k, v in expected.items() if v != (0, 0)}
    assert per_function(profile.functions) == expected


# --- errors -------------------------------------------------------------------------------


def test_incompatible_sample_types_name_both_files(go_shapes, pyspy_pair, tmp_path):
    wall = tmp_path / "wall.pprof"
    wall.write_bytes(pprof_bytes(from_pyspy(pyspy_pair["small"], idle=True)))
    run = invoke("diff", "--base", go_shapes["a"], "--profile", wall)
    one_line_error(run, str(go_shapes["a"]), str(wall), "incompatible sample types")


def test_mixed_kinds_and_missing_files_are_one_line(go_shapes, tmp_path):
    stats = _cprofile(tmp_path, 50)
    one_line_error(invoke("diff", "--base", stats, "--profile", go_shapes["a"]), "pstats", "pprof")
    missing = tmp_path / "nope.pprof"
    one_line_error(invoke("diff", "--base", go_shapes["a"], "--profile", missing), str(missing))
    one_line_error(invoke("diff", "--base", stats, "--profile", stats, "--granularity", "lines"))


def test_front_door_prints_the_diff(go_shapes):
    run = invoke("diff", "--base", go_shapes["a"], "--profile", go_shapes["b"], "--nodecount", "3")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[1] == f"Diff base: {go_shapes['a']}"
    assert "Showing top 3 nodes out of" in run.stdout
    csv_run = invoke(
        "diff", "--base", go_shapes["a"], "--profile", go_shapes["b"], "--format", "csv"
    )
    assert csv_run.stdout.startswith("language,profiler,kind,clock,function")
