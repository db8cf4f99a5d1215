"""invoke compare end to end: a tiny real exercise for the error paths, the intro for the real run."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from polyprof import compare
from polyprof.errors import PolyprofError

REPO = Path(__file__).resolve().parent.parent

GO = """\
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"
)

func spin(n int) int {
	s := 0
	for i := 0; i < n*30000000; i++ {
		s += i %% 7
	}
	return s
}

func main() {
	cpuprofile := flag.String("cpuprofile", "", "")
	scale := flag.Int("scale", 3, "")
	repeat := flag.Int("repeat", 1, "")
	flag.Parse()
	if *cpuprofile != "" {
		f, _ := os.Create(*cpuprofile)
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	s := 0
	for r := 0; r < *repeat; r++ {
		s = spin(*scale)
	}
	time.Sleep(time.Duration(%(sleep_ms)d) * time.Millisecond)
	fmt.Println("result", s*0+*scale)
}
"""

PY = """\
import argparse, cProfile, time

def spin(n):
    return sum(i %% 7 for i in range(n * 1500000))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cpuprofile")
    p.add_argument("--scale", type=int, default=3)
    p.add_argument("--repeat", type=int, default=1)
    a = p.parse_args()
    prof = cProfile.Profile() if a.cpuprofile else None
    if prof:
        prof.enable()
    for _ in range(a.repeat):
        s = spin(a.scale)
    time.sleep(%(sleep_ms)d / 1000)
    if prof:
        prof.disable()
        prof.dump_stats(a.cpuprofile)
    print("result", %(py_result)s)

main()
"""


def make_exercise(
    root: Path,
    slug: str = "tiny",
    *,
    py_result: str = "s * 0 + a.scale",
    sleep_ms: int = 0,
    rounds: int = 2,
    profilers: str = "[cprofile, py-spy]",
) -> Path:
    """A small but real exercise tree: Go module, Python program, spec."""
    (root / "go" / slug).mkdir(parents=True)
    (root / "go" / "go.mod").write_text("module tiny\n\ngo 1.22\n")
    (root / "go" / slug / "main.go").write_text(GO % {"sleep_ms": sleep_ms})
    (root / "python" / slug).mkdir(parents=True)
    (root / "python" / slug / "main.py").write_text(
        PY % {"py_result": py_result, "sleep_ms": sleep_ms}
    )
    (root / "exercises" / slug).mkdir(parents=True)
    (root / "exercises" / slug / "exercise.yaml").write_text(
        textwrap.dedent(
            f"""\
            slug: {slug}
            title: Tiny
            languages: [go, python]
            workload: {{scale: 3, repeat: {{go: 1, python: 1}}, timeout_s: 30}}
            runs: {{rounds: {rounds}, quick_rounds: 1}}
            profilers: {{go: [pprof], python: {profilers}}}
            """
        )
    )
    return root


@pytest.fixture
def results(tmp_path, monkeypatch):
    out = tmp_path / "results"
    monkeypatch.setenv("POLYPROF_RESULTS", str(out))
    return out


def test_tiny_exercise_writes_every_contracted_file(tmp_path, results, capsys):
    root = make_exercise(tmp_path / "repo")
    summary = compare.run_compare("tiny", root=root)
    folder = results / "tiny"
    seen = f"warnings: {summary['warnings']}"  # on failure, say what the run reported
    for name in (
        "go.pprof",
        "python.pstats",
        "python.pyspy.txt",
        "functions.csv",
        "matches.csv",
        "overhead.csv",
        "summary.json",
        "report.md",
    ):
        assert (folder / name).is_file(), f"{name} missing; {seen}"
    on_disk = json.loads((folder / "summary.json").read_text())
    assert on_disk == summary
    assert {p["profiler"] for p in summary["profiles"]} == {"pprof", "cprofile", "py-spy"}, seen
    assert [m["key"] for m in summary["matches"]][:1] == ["spin"], summary["matches"]
    assert {(o["language"], o["profiler"]) for o in summary["overhead"]} == {
        ("go", "pprof"),
        ("python", "cprofile"),
        ("python", "py-spy"),
    }
    assert all(len(o["ci95"]) == 2 for o in summary["overhead"])
    assert "Profiler overhead" in capsys.readouterr().out
    assert not list(results.glob(".tiny.*")), "staging folders must not be left behind"


def test_second_compare_does_not_rebuild_go(tmp_path, results):
    root = make_exercise(tmp_path / "repo", rounds=1)
    first = compare.run_compare("tiny", root=root, out=io.StringIO())
    second = compare.run_compare("tiny", root=root, out=io.StringIO())
    assert first["timing"]["build_s"] > 0.05  # built now: the cache folder is per test
    assert second["timing"]["build_s"] < first["timing"]["build_s"] / 5


def test_stdout_mismatch_names_the_first_differing_line(tmp_path, results):
    root = make_exercise(tmp_path / "repo", py_result="a.scale + 1")
    (results / "tiny").mkdir(parents=True)
    (results / "tiny" / "summary.json").write_text('{"previous": true}')
    with pytest.raises(PolyprofError) as err:
        compare.run_compare("tiny", root=root)
    assert "stdout differs" in err.value.problem and "line 1" in err.value.problem
    assert json.loads((results / "tiny" / "summary.json").read_text()) == {"previous": True}


def test_missing_pyspy_is_one_warning_and_the_rest_still_runs(tmp_path, results, monkeypatch):
    monkeypatch.setenv("POLYPROF_PYSPY", "no-such-py-spy-binary")
    root = make_exercise(tmp_path / "repo", rounds=1)
    summary = compare.run_compare("tiny", root=root, out=io.StringIO())
    codes = [w["code"] for w in summary["warnings"]]
    assert codes.count("pyspy_unavailable") == 1
    assert {p["profiler"] for p in summary["profiles"]} == {"pprof", "cprofile"}


def test_pyspy_that_cannot_attach_degrades_to_a_warning(tmp_path, results, monkeypatch):
    fake = tmp_path / "py-spy"
    fake.write_text(
        "#!/bin/sh\necho 'Error: Permission Denied: Try running again with elevated permissions' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("POLYPROF_PYSPY", str(fake))
    root = make_exercise(tmp_path / "repo", rounds=2)
    summary = compare.run_compare("tiny", root=root, out=io.StringIO())
    warn = [w for w in summary["warnings"] if w["code"] == "pyspy_unavailable"]
    assert len(warn) == 1 and "Permission Denied" in warn[0]["message"]


def _programs_running(marker: str, exclude: int) -> list[str]:
    """Command lines of live processes that mention marker, other than `exclude` and us."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) not in (exclude, os.getpid()):
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (proc / "stat").read_text().split(") ", 1)[1][0]
            except (OSError, IndexError):
                continue
            if marker in cmd and state != "Z":
                found.append(cmd)
    return found


def test_sigint_leaves_previous_results_whole_and_no_child_running(tmp_path, results):
    root = make_exercise(tmp_path / "repo", sleep_ms=3000, rounds=3)
    (results / "tiny").mkdir(parents=True)
    (results / "tiny" / "summary.json").write_text('{"previous": true}')
    env = {**os.environ, "POLYPROF_RESULTS": str(results)}
    code = f"from polyprof.compare import run_compare; from polyprof.cli import guarded; guarded(lambda: run_compare('tiny', root=__import__('pathlib').Path({str(root)!r})))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    marker = str(root / "python")
    while not _programs_running(marker, proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _programs_running(marker, proc.pid), "the run never started a program"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "Traceback" not in err and "interrupted" in err
    time.sleep(0.2)
    assert _programs_running(marker, proc.pid) == []
    assert json.loads((results / "tiny" / "summary.json").read_text()) == {"previous": True}
    assert not list(results.glob(".tiny.*"))


@pytest.mark.slow
def test_intro_quick_end_to_end_through_invoke(tmp_path):
    env = {**os.environ, "POLYPROF_RESULTS": str(tmp_path)}
    proc = subprocess.run(
        ["invoke", "compare", "--quick"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "QUICK RUN" in proc.stdout
    summary = json.loads((tmp_path / "cpu_profiling_pprof_intro" / "summary.json").read_text())
    assert summary["quick"] is True
    keys = {m["key"] for m in summary["matches"]}
    assert {"count_primes", "fib", "longest_collatz"} <= keys
    go = next(p for p in summary["profiles"] if p["profiler"] == "pprof")
    assert go["samples"] > 100 and go["merged_runs"] == 3
    assert summary["ranking"]["go_top"] == "count_primes"


def test_pyspy_reason_picks_the_panic_not_the_backtrace():
    stderr = (
        "thread 'main' panicked at src/python_spy.rs:77:5:\nfailed to read\n"
        "stack backtrace:\n   6: std::sys::thread::unix::Thread::new::thread_start\n"
    )
    assert compare.pyspy_reason(stderr, 101).startswith("thread 'main' panicked at")
    assert compare.pyspy_reason("", 1) == "exit code 1"


def test_a_pyspy_crash_is_retried_once(tmp_path, results, monkeypatch):
    flag = tmp_path / "crashed-once"
    fake = tmp_path / "py-spy"
    real = compare.runner.pyspy_binary()
    fake.write_text(
        f"#!/bin/sh\nif [ ! -e {flag} ]; then touch {flag}; "
        "echo \"thread 'main' panicked at src/x.rs:1:1\" >&2; exit 101; fi\n"
        f'exec {real} "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("POLYPROF_PYSPY", str(fake))
    root = make_exercise(tmp_path / "repo", rounds=1)
    summary = compare.run_compare("tiny", root=root, out=io.StringIO())
    assert flag.exists()
    assert "pyspy_unavailable" not in [w["code"] for w in summary["warnings"]]
    assert "py-spy" in {p["profiler"] for p in summary["profiles"]}


def test_compare_after_must_name_a_folder_with_every_program(tmp_path):
    from polyprof import exercise

    root = make_exercise(tmp_path / "repo")
    spec = root / "exercises" / "tiny" / "exercise.yaml"
    text = spec.read_text()
    for section, problem in (
        ("compare: {after: ../../go}", "inside exercises/tiny/"),
        ("compare: {before: fix}", "the one key `after`"),
        ("compare: {after: fix}", "has no main.go"),
    ):
        spec.write_text(text + section + "\n")
        with pytest.raises(PolyprofError) as err:
            exercise.load("tiny", root)
        assert problem in err.value.line()
    (root / "exercises" / "tiny" / "fix").mkdir()
    for name in ("main.go", "main.py"):
        (root / "exercises" / "tiny" / "fix" / name).write_text("")
    assert exercise.load("tiny", root).after().program("python").parent.name == "fix"


@pytest.mark.slow
def test_hotspot_fix_compare_diffs_the_fix_against_the_baseline(results):
    out = io.StringIO()
    summary = compare.run_compare("hotspot_fix", quick=True, out=out)
    folder = results / "hotspot_fix"
    fixed = summary["before_after"]
    for language, name in (("go", "main.countDuplicatePairs"), ("python", "count_duplicate_pairs")):
        section = fixed[language]
        text = (folder / section["diff_file"]).read_text()
        assert text.splitlines()[1].startswith("Diff base: ")
        row = next(f for f in section["functions"] if f["function"] == name)
        assert row["delta_flat_ns"] < 0 and row["after_flat_ns"] < row["before_flat_ns"]
        assert section["total_after_ns"] < section["total_before_ns"]
        assert section["speedup"]["ratio"] > 1
    assert "Before/after the fix" in out.getvalue()
    assert "## Before/after the fix" in (folder / "report.md").read_text()
