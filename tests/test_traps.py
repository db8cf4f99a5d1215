import pandas as pd
from test_match import CPROFILE, GO, PYSPY, table

from polyprof import match, overhead, schema, traps


def profile(functions, **meta):
    base = {"file": "x", "language": "go", "profiler": "pprof", "kind": "sampling", "clock": "cpu"}
    return schema.Profile(
        meta=schema.ProfileMeta(**{**base, **meta}),
        functions=functions,
        edges=schema.empty(schema.EDGE_COLUMNS),
    )


def test_few_samples_states_the_interval_and_what_would_be_enough():
    f = traps.few_samples(profile(GO, samples=180))
    assert f.code == "few_samples" and "180 samples" in f.message
    assert "between 53% and 67%" in f.message  # Wilson interval of 60% of 180
    assert "2,401 samples" in f.message
    assert traps.few_samples(profile(GO, samples=1500)) is None
    assert "no samples" in traps.few_samples(profile(GO, samples=0)).message
    assert traps.few_samples(profile(CPROFILE, kind="tracing", samples=None)) is None


def test_low_cpu_utilization_ignores_a_busy_machine_and_flags_waiting():
    p = profile(GO, samples=300, duration_ns=10_000_000_000, total_ns=3_000_000_000)
    f = traps.low_cpu_utilization(p, utilization=0.31)
    assert f and "31%" in f.message and "30%" in f.message
    assert traps.low_cpu_utilization(p, utilization=0.98) is None


def test_clock_mismatch_needs_both_clocks_and_a_program_that_waits():
    wall = profile(CPROFILE, language="python", profiler="cprofile", kind="tracing", clock="wall")
    cpu = profile(GO)
    assert traps.clock_mismatch({"cprofile": wall, "pprof": cpu}, 0.5).code == "clock_mismatch"
    assert traps.clock_mismatch({"cprofile": wall, "pprof": cpu}, 0.99) is None
    assert traps.clock_mismatch({"pprof": cpu}, 0.5) is None


def test_profiler_distortion_fires_on_a_large_shift_but_not_on_noise():
    m = match.match(
        {"pprof": GO, "py-spy": PYSPY, "cprofile": CPROFILE}, {"pprof": 1000, "py-spy": 1000}
    )
    f = traps.profiler_distortion(m, 3.2)
    assert f and "fib_calls" in f.message and "3.2x" in f.message
    # top differs but py-spy's own intervals overlap: that is noise, not distortion
    close_spy = table(
        "python",
        "py-spy",
        [("count_primes", "user", 45.0, 45, 9, None), ("fib_calls", "user", 50.0, 50, 10, None)],
    )
    close_cp = table(
        "python",
        "cprofile",
        [("count_primes", "user", 52.0, 52, None, 1), ("fib_calls", "user", 44.0, 44, None, 9)],
        samples=False,
    )
    m2 = match.match({"pprof": GO, "py-spy": close_spy, "cprofile": close_cp}, {"py-spy": 20})
    assert traps.profiler_distortion(m2, 2.0) is None


def test_truncated_stacks_reports_the_share():
    f = traps.truncated_stacks(profile(GO, samples=200, truncated_samples=50))
    assert f.code == "truncated_stacks" and "25%" in f.message
    assert traps.truncated_stacks(profile(GO, samples=200)) is None


def test_overhead_ratio_excludes_startup_runs():
    rows = []
    for r in range(7):
        for profiler, work, start in (("none", 1.0, 0.2), ("cprofile", 3.2, 0.6)):
            rows.append(
                dict(
                    language="python",
                    profiler=profiler,
                    phase="work",
                    round=r,
                    wall_ns=int((work + 0.01 * r) * 1e9),
                    cpu_ns=int(work * 1e9),
                    returncode=0,
                )
            )
            rows.append(
                dict(
                    language="python",
                    profiler=profiler,
                    phase="startup",
                    round=r,
                    wall_ns=int(start * 1e9),
                    cpu_ns=int(start * 1e9),
                    returncode=0,
                )
            )
    table_ = overhead.overhead(pd.DataFrame(rows))
    row = table_.iloc[0]
    assert row["profiler"] == "cprofile" and row["runs"] == 7
    assert abs(row["ratio"] - (3.23 - 0.6) / (1.03 - 0.2)) < 0.01
    assert row["ci95_lo"] <= row["ratio"] <= row["ci95_hi"]


def test_distortion_compares_shares_over_matched_functions_only():
    # py-spy also saw 30% of interpreter start-up: raw shares differ by 21 points,
    # but over the matched functions both profilers agree
    spy = table(
        "python",
        "py-spy",
        [("count_primes", "user", 49.0, 49, 490, None), ("fib", "user", 21.0, 21, 210, None)],
    )
    cp = table(
        "python",
        "cprofile",
        [("count_primes", "user", 70.0, 70, None, 1), ("fib", "user", 30.0, 30, None, 9)],
        samples=False,
    )
    go = table(
        "go",
        "pprof",
        [
            ("main.countPrimes", "user", 70.0, 70, 700, None),
            ("main.fib", "user", 30.0, 30, 300, None),
        ],
    )
    m = match.match({"pprof": go, "py-spy": spy, "cprofile": cp}, {"py-spy": 1000})
    assert traps.profiler_distortion(m, 2.0) is None


def test_distortion_can_judge_the_cpu_clock_tracer():
    cpu = CPROFILE.assign(profiler="cprofile-cpu")
    m = match.match({"pprof": GO, "py-spy": PYSPY, "cprofile-cpu": cpu}, {"py-spy": 1000})
    assert traps.profiler_distortion(m, 3.0) is None  # no wall-clock cProfile column
    f = traps.profiler_distortion(m, 3.0, "cprofile-cpu")
    assert f.profiler == "cprofile-cpu" and "cProfile (CPU clock)" in f.message


def test_clock_mismatch_names_each_cpu_clock_profiler():
    wall = profile(CPROFILE, language="python", profiler="cprofile", kind="tracing", clock="wall")
    cpu_tracer = profile(CPROFILE, language="python", profiler="cprofile", kind="tracing")
    f = traps.clock_mismatch(
        {"cprofile": wall, "cprofile-cpu": cpu_tracer, "pprof": profile(GO)}, 0.4
    )
    assert "cProfile (CPU clock), pprof count CPU time" in f.message
