"""Live questions, graded against a hand-made profile whose answers are known."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from polyprof import compare, paths
from polyprof.errors import PolyprofError
from polyprof.practice import live

GO_ROWS = [  # function, key, flat_pct, cum_pct, flat_samples
    ("main.countPrimes", "count_primes", 60.0, 60.0, 120),
    ("main.fib", "fib", 25.0, 25.0, 50),
    ("main.longestCollatz", "longest_collatz", 14.0, 14.0, 28),
    ("main.runWorkload", "run_workload", 1.0, 100.0, 2),
    ("main.main", "main", 0.0, 100.0, 0),
    ("runtime.main", "runtime.main", 0.0, 100.0, 0),
]
PY_ROWS = [("fib", "fib", 70.0, 70.0, None), ("count_primes", "count_primes", 30.0, 30.0, None)]
SUMMARY = {
    "exercise": "known",
    "profiles": [
        {"language": "go", "profiler": "pprof", "samples": 200},
        {"language": "python", "profiler": "cprofile", "samples": None},
    ],
    "overhead": [
        {"language": "python", "profiler": "cprofile", "ratio": 2.4, "ci95": [2.2, 2.6]},
        {"language": "go", "profiler": "pprof", "ratio": 1.02, "ci95": [1.0, 1.04]},
    ],
}


def _functions(go_rows=GO_ROWS):
    rows = [("go", "pprof", *r) for r in go_rows] + [("python", "cprofile", *r) for r in PY_ROWS]
    cols = ["language", "profiler", "function", "key", "flat_pct", "cum_pct", "flat_samples"]
    return pd.DataFrame(rows, columns=cols)


@pytest.fixture
def asked():
    return {q.id: q for q in live.questions(SUMMARY, _functions())}


def test_required_samples_matches_the_reference_table():
    assert live.required_samples(0.5) == 2401
    assert live.required_samples(0.10) == 865  # the table rounds 864.4 down
    assert live.required_samples(0.6) == 2305


def test_all_four_questions_are_asked(asked):
    assert list(asked) == [
        "live-top-flat",
        "live-top-cum",
        "live-cprofile-overhead",
        "live-go-samples",
    ]


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        ("main.countPrimes", True),
        ("countPrimes", True),
        ("count_primes, called from runWorkload", True),
        ("main.fib", False),
        ("runWorkload calls countPrimes", False),
        ("the prime counter", False),
    ],
)
def test_top_flat(asked, answer, correct):
    assert asked["live-top-flat"].grade(answer).correct is correct


def test_top_flat_accepts_a_tie_within_one_point():
    rows = [
        ("main.a", "a", 40.0, 40.0, 80),
        ("main.b", "b", 39.5, 39.5, 79),
        ("main.c", "c", 20.5, 20.5, 41),
    ]
    q = live.questions({}, _functions(rows))[0]
    assert q.grade("b").correct
    assert not q.grade("c").correct


def test_top_cum_leaves_out_main_and_runtime(asked):
    q = asked["live-top-cum"]
    assert q.grade("runWorkload").correct
    assert not q.grade("main.main").correct
    assert "not counted" in q.grade("main.main").feedback
    assert not q.grade("runtime.main").correct
    assert "100.0%" in q.model_answer


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        ("2.4x", True),
        ("+140%", True),
        ("about 2.6 times", True),
        ("2.2", True),
        ("3x", False),
        ("+20%", False),
        ("a lot", False),
    ],
)
def test_cprofile_overhead_within_tolerance(asked, answer, correct):
    assert asked["live-cprofile-overhead"].grade(answer).correct is correct


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        ("200 samples, not enough: for ±2 points I'd need about 2305", True),
        ("about 205; too few", True),
        ("200, that is enough", False),
        ("500, not enough", False),
        ("200", False),
    ],
)
def test_go_samples_count_and_verdict(asked, answer, correct):
    assert asked["live-go-samples"].grade(answer).correct is correct


def test_samples_fall_back_to_flat_samples_and_overhead_question_needs_a_ratio():
    qs = {q.id: q for q in live.questions({"profiles": [], "overhead": []}, _functions())}
    assert "live-cprofile-overhead" not in qs
    assert qs["live-go-samples"].answer == "200, not enough"


def test_no_go_profile_is_an_error():
    with pytest.raises(PolyprofError, match="no Go pprof"):
        live.questions(SUMMARY, _functions()[lambda d: d["language"] == "python"])


def test_missing_results_are_an_error(tmp_path):
    with pytest.raises(PolyprofError, match="invoke compare"):
        live.load_results(tmp_path)


@pytest.mark.slow
def test_against_a_real_quick_compare(tmp_path, monkeypatch):
    monkeypatch.setenv("POLYPROF_RESULTS", str(tmp_path))
    compare.run_compare("cpu_profiling_pprof_intro", quick=True, out=io.StringIO())
    summary, functions = live.load_results(paths.results_dir("cpu_profiling_pprof_intro"))
    for q in live.questions(summary, functions):
        assert q.grade(q.answer).correct, q.id
        assert not q.grade("I don't know").correct
