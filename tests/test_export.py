"""Exports checked against the tools that read them: go tool pprof, our own loader, the formats' rules."""

from __future__ import annotations

import gzip
import json
import re
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st
from results_fixture import session_results

from polyprof import load_profile
from polyprof.export.folded import clean, folded_lines
from polyprof.export.pprof_writer import pprof_bytes
from polyprof.export.stacks import Frame, Sampled
from polyprof.proto import messages
from polyprof.toolchain import go_binary, go_env

FOLDED_LINE = re.compile(r"^(?P<stack>\S.*) (?P<count>\d+)$")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return session_results(tmp_path_factory)


def _tiny() -> Sampled:
    main = Frame("<module>", "/app/main.py", 1)
    work = Frame("work", "/app/main.py", 10)
    helper = Frame("helper", "/app/lib.py", 3)
    return Sampled(
        language="python",
        profiler="py-spy",
        clock="cpu",
        period_ns=10_000_000,
        stacks=[((main, work), 5), ((main, work, helper), 2), ((), 1)],
    )


# --- folded -------------------------------------------------------------------------------


@given(st.text(max_size=40))
def test_clean_names_cannot_split_a_folded_line(name):
    cleaned = clean(name)
    assert ";" not in cleaned and "\n" not in cleaned and "\r" not in cleaned
    assert not re.search(r"\s\d+$", cleaned)
    assert cleaned


def test_folded_lines_are_root_first_and_heaviest_first():
    lines = folded_lines(_tiny())
    assert lines == ["<module>;work 5", "<module>;work;helper 2", "[unknown] 1"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("export", "raw", "root"),
    [("go.folded", "go.pprof", "runtime.main"), ("python-pyspy.folded", "python.pyspy.txt", None)],
)
def test_folded_exports_count_every_sample(results, export, raw, root):
    lines = (results / "export" / export).read_text().splitlines()
    parsed = [FOLDED_LINE.match(line) for line in lines]
    assert all(parsed), [line for line, m in zip(lines, parsed, strict=True) if not m][:3]
    total = sum(int(m["count"]) for m in parsed)
    assert total == load_profile(results / raw).meta.samples
    if root:
        heaviest = parsed[0]["stack"].split(";")
        assert heaviest[0] == root


# --- speedscope ---------------------------------------------------------------------------


@pytest.mark.slow
def test_speedscope_holds_both_profiles_over_shared_frames(results):
    doc = json.loads((results / "export" / "profiles.speedscope.json").read_text())
    assert doc["$schema"] == "https://www.speedscope.app/file-format-schema.json"
    frames = doc["shared"]["frames"]
    assert all(f["name"] for f in frames)
    go_prof, py_prof = doc["profiles"]
    for prof, raw in ((go_prof, "go.pprof"), (py_prof, "python.pyspy.txt")):
        assert prof["type"] == "sampled" and prof["unit"] == "nanoseconds"
        assert len(prof["samples"]) == len(prof["weights"]) > 0
        assert all(isinstance(w, int) and w > 0 for w in prof["weights"])
        assert all(0 <= i < len(frames) for s in prof["samples"] for i in s)
        assert prof["endValue"] == sum(prof["weights"]) == load_profile(results / raw).meta.total_ns
    go_roots = {frames[s[0]]["name"] for s in go_prof["samples"]}
    # the program's goroutine starts at runtime.main; a sample of scheduler or GC work on a
    # system stack starts at one of the runtime's thread roots
    assert "runtime.main" in go_roots
    assert go_roots <= {"runtime.main", "runtime.mcall", "runtime.mstart", "runtime.goexit"}
    py_names = {frames[i]["name"] for s in py_prof["samples"] for i in s}
    assert {"count_primes", "fib", "longest_collatz"} <= py_names
    leaves = {frames[s[-1]]["name"] for s in go_prof["samples"]}
    assert "main.countPrimes" in leaves


# --- pprof --------------------------------------------------------------------------------


def test_pprof_bytes_follow_profile_proto_rules():
    profile = messages()["Profile"]()
    profile.ParseFromString(gzip.decompress(pprof_bytes(_tiny(), comments=["a note"])))
    strings = list(profile.string_table)
    assert strings[0] == ""
    assert [(strings[t.type], strings[t.unit]) for t in profile.sample_type] == [
        ("samples", "count"),
        ("cpu", "nanoseconds"),
    ]
    assert (strings[profile.period_type.type], profile.period) == ("cpu", 10_000_000)
    assert sorted(f.id for f in profile.function) == list(range(1, len(profile.function) + 1))
    assert sorted(loc.id for loc in profile.location) == list(range(1, len(profile.location) + 1))
    names = {
        loc.id: strings[profile.function[loc.line[0].function_id - 1].name]
        for loc in profile.location
    }
    leaf_first = [[names[i] for i in s.location_id] for s in profile.sample]
    assert leaf_first[1] == ["helper", "work", "<module>"]
    assert [list(s.value) for s in profile.sample] == [
        [5, 50_000_000],
        [2, 20_000_000],
        [1, 10_000_000],
    ]
    assert strings[profile.comment[0]] == "a note"


def _pprof_top(path) -> dict[str, int]:
    out = subprocess.run(
        [
            go_binary(),
            "tool",
            "pprof",
            "-top",
            "-nodecount=1000",
            "-sample_index=samples",
            str(path),
        ],
        env=go_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    row = re.compile(r"^\s*(\d+)\s+[\d.]+%\s+[\d.]+%\s+\d+\s+[\d.]+%\s+(.+)$")
    return {m[2]: int(m[1]) for m in map(row.match, out.splitlines()) if m}


@pytest.mark.slow
def test_go_tool_pprof_reads_the_pyspy_export_with_py_spy_counts(results):
    pyspy = load_profile(results / "python.pyspy.txt").functions
    expected = pyspy.groupby("function")["flat_samples"].sum().astype(int)
    top = _pprof_top(results / "export" / "python-pyspy.pprof")
    assert top["count_primes"] == expected["count_primes"] > 0
    assert {"fib", "longest_collatz"} <= set(top)
    # pprof shortens some names for display (`<module>` shows as the mapping, [python]);
    # every name it prints unchanged must agree, and no sample may go missing
    for name, flat in top.items():
        if name in expected.index:
            assert flat == expected[name], name
    assert sum(top.values()) == load_profile(results / "python.pyspy.txt").meta.samples


@pytest.mark.slow
def test_pyspy_export_round_trips_through_load_profile(results):
    source = load_profile(results / "python.pyspy.txt")
    back = load_profile(results / "export" / "python-pyspy.pprof")
    assert back.meta.language == "python"
    assert back.meta.samples == source.meta.samples
    assert back.meta.total_ns == source.meta.total_ns
    assert back.meta.sample_types == [("samples", "count"), ("cpu", "nanoseconds")]
    flat = back.functions.groupby("function")["flat_samples"].sum()
    expected = source.functions.groupby("function")["flat_samples"].sum()
    for name in ("count_primes", "fib", "longest_collatz"):
        assert flat[name] == expected[name]
