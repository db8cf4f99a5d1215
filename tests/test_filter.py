"""--focus/--ignore/--hide/--show/--relative give what pprof gives with the same flags."""

from __future__ import annotations

import io
from pathlib import Path

import oracle
import pytest
from front_door import invoke, one_line_error

from polyprof import load_profile
from polyprof.filter import Filters
from polyprof.top import run_top
from polyprof.view import view

CORPUS_PPROF = sorted(
    p for p in (oracle.CORPUS / "google-pprof").glob("*.cpu") if "legacy" not in p.name
)

# (pprof flags, our options): every filter alone, combined, and with --relative
CASES = [
    (["-focus=mapassign|growWork"], {"focus": "mapassign|growWork"}),
    (["-ignore=runtime\\.main"], {"ignore": "runtime\\.main"}),
    (["-hide=^runtime\\."], {"hide": "^runtime\\."}),
    (["-show=^main\\."], {"show": "^main\\."}),
    (["-focus=main", "-ignore=Abs|evacuate"], {"focus": "main", "ignore": "Abs|evacuate"}),
    (
        ["-focus=busy|square", "-hide=runtime", "-relative_percentages"],
        {"focus": "busy|square", "hide": "runtime", "relative": True},
    ),
    (["-show=main|runtime", "-hide=add", "-lines"], {"show": "main|runtime", "hide": "add"}),
    (["-focus=hashmap\\.go"], {"focus": "hashmap\\.go"}),  # a file name matches too
    (["-ignore=" + "x" * 90], {"ignore": "x" * 90}),  # pprof cuts the legend at 80 characters
]


def _ours(path: Path, options: dict, granularity: str = "functions") -> list[str]:
    options = dict(options)
    relative = options.pop("relative", False)
    out = io.StringIO()
    run_top(
        str(path), out=out, filters=Filters(**options), relative=relative, granularity=granularity
    )
    return oracle.body(out.getvalue())


def _theirs(path: Path, flags: list[str]) -> list[str]:
    return oracle.body(oracle.pprof_text(*flags, path))


@pytest.mark.parametrize("path", CORPUS_PPROF, ids=lambda p: p.name)
@pytest.mark.parametrize(("flags", "options"), CASES, ids=str)
def test_filters_read_exactly_like_pprof(path, flags, options):
    granularity = "lines" if "-lines" in flags else "functions"
    assert _ours(path, options, granularity) == _theirs(path, flags)


@pytest.mark.slow
@pytest.mark.parametrize(("flags", "options"), CASES, ids=str)
def test_filters_on_a_real_go_program(go_shapes, flags, options):
    """goshapes has inlining and recursion: hide must move flat to the out-of-line caller."""
    granularity = "lines" if "-lines" in flags else "functions"
    path = go_shapes["merged"]
    assert _ours(path, options, granularity) == _theirs(path, flags)


def test_the_binary_name_matches_like_pprof(go_shapes):
    """pprof matches a location's binary too: the goshapes binary is named goshapes."""
    flags, options = ["-focus=goshapes"], {"focus": "goshapes"}
    assert _ours(go_shapes["a"], options) == _theirs(go_shapes["a"], flags)
    shown, _ = view(load_profile(go_shapes["a"]), filters=Filters(focus="goshapes"))
    assert shown.functions["flat_pct"].sum() == pytest.approx(100.0)


def test_percentages_stay_relative_to_the_whole_profile():
    path = CORPUS_PPROF[-1]
    whole = load_profile(path)
    kept, _ = view(whole, filters=Filters(focus="mapassign"))
    relative, _ = view(whole, filters=Filters(focus="mapassign"), relative=True)
    assert kept.meta.total_value == whole.meta.total_value
    assert relative.meta.total_value == kept.functions["value"].sum()
    assert relative.functions["flat_pct"].sum() == pytest.approx(100.0)
    assert kept.functions["flat_pct"].sum() < 100.0


@pytest.mark.slow
def test_pyspy_hide_moves_flat_to_the_caller(pyspy_lines):
    prof = load_profile(pyspy_lines)
    leafmost = prof.functions.sort_values("flat_samples").iloc[-1]["function"]
    shown, _ = view(prof, filters=Filters(hide=f"^{leafmost}$"))
    fn = shown.functions
    assert leafmost not in set(fn["function"])
    assert fn["flat_samples"].sum() == prof.functions["flat_samples"].sum()


def test_a_bad_regex_is_one_line():
    run = invoke("top", "--profile", CORPUS_PPROF[0], "--focus", "(unclosed", timeout=60)
    one_line_error(run, "--focus '(unclosed' is not a valid")


def test_a_focus_that_matches_nothing_warns():
    run = invoke("top", "--profile", CORPUS_PPROF[0], "--focus", "no-such-function", timeout=60)
    assert run.returncode == 0
    assert "--focus 'no-such-function' matched no samples" in run.stderr
    assert "Showing nodes accounting for 0, 0% of" in run.stdout
