import pandas as pd
import pytest

from polyprof import match, schema


def table(language, profiler, rows, samples=True):
    """A functions table from (function, category, flat_pct, cum_pct, flat_samples, calls)."""
    return schema.frame(
        {
            "language": [language] * len(rows),
            "profiler": [profiler] * len(rows),
            "kind": ["sampling" if samples else "tracing"] * len(rows),
            "clock": ["cpu"] * len(rows),
            "function": [r[0] for r in rows],
            "file": [""] * len(rows),
            "line": [pd.NA] * len(rows),
            "key": [schema.match_key(r[0], language) for r in rows],
            "category": [r[1] for r in rows],
            "flat_ns": [0] * len(rows),
            "cum_ns": [0] * len(rows),
            "flat_pct": [r[2] for r in rows],
            "cum_pct": [r[3] for r in rows],
            "flat_samples": [r[4] if samples else pd.NA for r in rows],
            "cum_samples": [r[4] if samples else pd.NA for r in rows],
            "calls": [pd.NA if samples else r[5] for r in rows],
            "primitive_calls": [pd.NA] * len(rows),
        },
        schema.FUNCTION_COLUMNS,
    )


GO = table(
    "go",
    "pprof",
    [
        ("main.countPrimes", "user", 60.0, 60.0, 600, None),
        ("main.(*Solver).FibCalls", "user", 30.0, 30.0, 300, None),
        ("main.runWorkload", "user", 0.0, 95.0, 0, None),
        ("runtime.mallocgc", "runtime", 10.0, 10.0, 100, None),
    ],
)
PYSPY = table(
    "python",
    "py-spy",
    [
        ("count_primes", "user", 55.0, 55.0, 550, None),
        ("Solver.fib_calls", "user", 35.0, 35.0, 350, None),
        ("run_workload", "user", 0.0, 90.0, 0, None),
        ("helper_only_python", "user", 10.0, 10.0, 100, None),
    ],
)
CPROFILE = table(
    "python",
    "cprofile",
    [
        ("count_primes", "user", 40.0, 40.0, None, 1),
        ("fib_calls", "user", 55.0, 55.0, None, 90000),
        ("run_workload", "user", 1.0, 99.0, None, 1),
        ("{built-in method builtins.len}", "builtin", 4.0, 4.0, None, 5),
    ],
    samples=False,
)


def test_pairs_camel_and_snake_case_across_receivers_and_classes():
    m = match.match(
        {"pprof": GO, "py-spy": PYSPY, "cprofile": CPROFILE}, {"pprof": 1000, "py-spy": 1000}
    )
    assert list(m["key"]) == ["count_primes", "fib_calls", "run_workload"]
    row = m.set_index("key").loc["fib_calls"]
    assert row["go_function"] == "main.(*Solver).FibCalls"
    assert row["python_function"] == "Solver.fib_calls"
    assert row["python_profiler"] == "py-spy"  # the sampler is the like-for-like partner
    assert row["python_flat_pct"] == 35.0 and row["cprofile_flat_pct"] == 55.0
    assert row["cprofile_calls"] == 90000


def test_sampling_shares_carry_a_95_percent_interval():
    m = match.match({"pprof": GO, "py-spy": PYSPY}, {"pprof": 1000, "py-spy": 1000}).set_index(
        "key"
    )
    lo, hi = m.loc["count_primes", "go_flat_ci95"]
    assert lo < 60.0 < hi and hi - lo < 7
    assert "cprofile_flat_ci95" not in m


def test_overrides_pair_names_the_rules_cannot():
    py = table("python", "py-spy", [("collatz_length", "user", 50.0, 50.0, 500, None)])
    go = table("go", "pprof", [("main.collatzLen", "user", 50.0, 50.0, 500, None)])
    assert match.match({"pprof": go, "py-spy": py}, {}).empty
    m = match.match({"pprof": go, "py-spy": py}, {}, {"main.collatzLen": "collatz_length"})
    assert list(m["key"]) == ["collatz_length"]


def test_ranking_agreement_and_spearman():
    m = match.match({"pprof": GO, "py-spy": PYSPY}, {})
    r = match.ranking(m)
    assert r["same_top"] and r["go_top"] == "count_primes"
    assert r["spearman"] == pytest.approx(1.0)
    m2 = match.match({"pprof": GO, "cprofile": CPROFILE}, {})
    r2 = match.ranking(m2)
    assert not r2["same_top"] and r2["python_top"] == "fib_calls"


def test_unmatched_functions_are_grouped_by_category():
    tables = {"pprof": GO, "py-spy": PYSPY, "cprofile": CPROFILE}
    m = match.match(tables, {})
    left = match.unmatched(tables, set(m["key"]))
    assert left["pprof"]["runtime"]["top"][0]["function"] == "runtime.mallocgc"
    assert left["py-spy"]["user"]["top"][0]["function"] == "helper_only_python"
    assert left["cprofile"]["builtin"]["functions"] == 1
    assert "user" not in left["pprof"]
