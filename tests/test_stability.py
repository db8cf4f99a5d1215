from test_match import GO, PYSPY
from test_traps import profile

from polyprof import stability
from polyprof.report import tables


def test_top_functions_prefers_user_code():
    top = stability.top_functions(profile(GO, samples=1000), 2)
    assert [name for name, _ in top] == ["main.countPrimes", "main.(*Solver).FibCalls"]
    assert top[0][1] == 0.6


def test_ordering_says_how_many_samples_keep_the_top_two_apart():
    rows = stability.ordering({"pprof": profile(GO, samples=150)})
    assert rows[0]["first"] == "main.countPrimes" and rows[0]["second"] == "main.(*Solver).FibCalls"
    assert rows[0]["samples_needed"] == 35  # 1.96²·(0.6 + 0.3 − 0.3²)/0.3², rounded up
    text = tables.stability_lines({"ordering": rows})
    assert "enough" in text[0] and "NOT" not in text[0]


def test_per_round_rows_and_flip_report():
    go_rounds = [profile(GO, samples=120), profile(GO, samples=118)]
    spy_a = profile(PYSPY, language="python", profiler="py-spy", samples=40)
    spy_b = profile(
        PYSPY.assign(flat_pct=PYSPY["flat_pct"][::-1].to_numpy()),
        language="python",
        profiler="py-spy",
        samples=41,
    )
    rows = stability.per_round({("go", "pprof"): go_rounds, ("python", "py-spy"): [spy_a, spy_b]})
    assert [r["top"] for r in rows] == [
        "main.countPrimes",
        "main.countPrimes",
        "count_primes",
        "helper_only_python",
    ]
    lines = tables.stability_lines({"stability": rows})
    assert "same top every round" in lines[0]
    assert "flips between rounds" in lines[1] and "~41 samples" in lines[1]
