"""Live-service profiling: real services on loopback, real py-spy, bounded load.

Each robustness case runs a copy of the exercise with small windows, and
checks the message, that no service or profiler is left running, and that
the previous results are untouched.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from polyprof import compare
from polyprof.errors import PolyprofError
from polyprof.exercise import load as load_exercise
from polyprof.service import load, process, windows
from polyprof.service.driver import Plan

REPO = Path(__file__).resolve().parent.parent
SLUG = "live_service_pprof"
PY_SERVICE = REPO / "python" / SLUG / "main.py"
QUERY = "/work?n=300&repeat=1"


def copy_exercise(root: Path, **service) -> Path:
    """The exercise in a tree of its own, with small windows and any spec overrides."""
    for part in (f"go/{SLUG}", f"python/{SLUG}", f"exercises/{SLUG}"):
        shutil.copytree(REPO / part, root / part)
    shutil.copy(REPO / "go" / "go.mod", root / "go" / "go.mod")
    path = root / "exercises" / SLUG / "exercise.yaml"
    spec = yaml.safe_load(path.read_text())
    spec["service"].update({"window_s": 1, "rounds": 2, "quick": {}, **service})
    spec["service"]["requests"] = {"go": {"n": 300, "repeat": 1}, "python": {"n": 300, "repeat": 1}}
    path.write_text(yaml.safe_dump(spec))
    return root


def running(marker: str, exclude: int = 0) -> list[str]:
    """Command lines of live (not zombie) processes mentioning marker, other than us and exclude."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) in (os.getpid(), exclude):
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(") ", 1)[1][0]
        except (OSError, IndexError):
            continue
        if marker in cmd and state != "Z":
            found.append(cmd)
    return found


@pytest.fixture(scope="session")
def results_root(tmp_path_factory) -> Path:
    """One results root for the module, so the Go service is built once."""
    return tmp_path_factory.mktemp("results")


@pytest.fixture
def results(results_root, monkeypatch) -> Path:
    monkeypatch.setenv("POLYPROF_RESULTS", str(results_root))
    folder = results_root / SLUG
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "summary.json").write_text('{"previous": true}')
    return results_root


def previous_results_whole(results: Path) -> bool:
    return json.loads((results / SLUG / "summary.json").read_text()) == {"previous": True}


@pytest.fixture
def py_service(tmp_path):
    svc = process.start(
        "python", [sys.executable, str(PY_SERVICE)], PY_SERVICE, tmp_path / "svc", 20
    )
    yield svc
    svc.stop()


@pytest.fixture(scope="session")
def go_service_bin(results_root) -> Path:
    from polyprof import runner

    with pytest.MonkeyPatch.context() as env:
        env.setenv("POLYPROF_RESULTS", str(results_root))
        return runner.build_go(load_exercise(SLUG))[0]


# --- the statistics, on synthetic windows ----------------------------------------------------


def _window(throughput: float, latency_ms: float, wall_s: float = 1.0) -> load.Window:
    n = round(throughput * wall_s)
    return load.Window([round(latency_ms * 1e6)] * n, 0, "", wall_s, 0.05 * wall_s)


def _table(off: list[tuple[float, float]], on: list[tuple[float, float]]) -> pd.DataFrame:
    rows = [windows.row("go", "none", i, _window(*w), 0.5) for i, w in enumerate(off)]
    rows += [windows.row("go", "pprof", i, _window(*w), 0.5) for i, w in enumerate(on)]
    return pd.DataFrame(rows, columns=windows.COLUMNS)


def test_ratios_compare_median_windows_with_intervals_around_them():
    off = [(1000, 2.0), (1010, 2.1), (990, 1.9), (1005, 2.0), (995, 2.05)]
    on = [(500, 4.0), (505, 4.2), (495, 3.8), (502, 4.0), (498, 4.1)]
    (r,) = windows.ratios(_table(off, on))
    assert r["throughput_ratio"] == pytest.approx(0.5, abs=0.01)
    assert r["ci95"][0] <= r["throughput_ratio"] <= r["ci95"][1]
    assert r["ci95"][0] > 0.45 and r["ci95"][1] < 0.55
    assert r["p50_ratio"] == pytest.approx(2.0, abs=0.05)
    assert r["p50_ci95"][0] <= 2.0 <= r["p50_ci95"][1]
    assert r["cpu_per_request_ratio"] == pytest.approx(2.0, abs=0.05)  # same CPU, half the requests
    assert (r["windows"], r["throughput_off"], r["throughput_on"]) == (5, 1000, 500)


def test_no_cost_gives_ratios_of_one_with_intervals_that_include_it():
    same = [(1000, 2.0), (1020, 2.1), (980, 1.9), (1010, 2.0)]
    (r,) = windows.ratios(_table(same, list(reversed(same))))
    assert r["throughput_ratio"] == pytest.approx(1.0)
    assert r["ci95"][0] < 1.0 < r["ci95"][1]


def test_overhead_rows_are_the_reciprocal_time_per_request():
    (r,) = windows.ratios(_table([(1000, 2.0)] * 3, [(800, 2.5)] * 3))
    (o,) = windows.as_overhead([r])
    assert o["ratio"] == pytest.approx(1.25)
    assert o["ci95"] == [pytest.approx(1.25), pytest.approx(1.25)]
    assert o["plain_median_s"] == pytest.approx(0.001) and o["runs"] == 3


def test_a_window_with_no_requests_has_no_percentiles():
    row = windows.row("python", "none", 0, load.Window([], 0, "", 1.0, 0.0), None)
    assert row["throughput"] == 0 and math.isnan(row["p99_ms"])
    assert math.isnan(row["service_cpu_ms_per_request"])


def test_load_cost_reports_the_generator_share_of_a_core():
    table = _table([(100, 2.0)] * 2, [(100, 2.0)] * 2)
    cost = windows.load_cost(table)
    assert cost["generator_cpu_share_median"] == pytest.approx(0.05)
    assert cost["requests"] == 400 and cost["errors"] == 0


def test_plan_reads_quick_values_and_per_language_clients():
    ex = load_exercise(SLUG)
    full, quick = Plan.of(ex, False), Plan.of(ex, True)
    assert quick.window_s <= full.window_s and quick.rounds <= full.rounds
    assert full.clients == {"go": 2, "python": 1}
    assert full.load_s < full.window_s  # the load fits inside the profiler's window
    assert "repeat=40" in full.query("go") and "repeat=1" in full.query("python")


# --- the services and the load generator ------------------------------------------------------


def test_load_generator_stops_at_its_request_budget(py_service):
    expect = process.get(f"http://127.0.0.1:{py_service.port}{QUERY}", 10)[1]
    win = load.drive(
        "127.0.0.1", py_service.port, QUERY, expect, clients=2, duration_s=30, max_requests=7
    )
    assert win.requests == 7 and win.errors == 0
    assert win.wall_s < 30
    assert 0 <= win.generator_core_share <= 1


def test_load_generator_stops_at_its_deadline_and_counts_wrong_answers(py_service):
    win = load.drive(
        "127.0.0.1", py_service.port, QUERY, b"wrong", clients=1, duration_s=0.3, max_requests=10**6
    )
    assert win.requests == 0 and win.errors > 0
    assert "HTTP 200" in win.first_error


def test_go_serves_pprof_only_on_its_own_loopback_listener(go_service_bin, tmp_path):
    svc = process.start("go", [str(go_service_bin)], REPO / "go" / SLUG / "main.go", tmp_path, 20)
    try:
        assert svc.host == "127.0.0.1" and svc.pprof.startswith("127.0.0.1:")
        app = f"http://127.0.0.1:{svc.port}"
        assert process.get(f"{app}/debug/pprof/", 10)[0] == 404
        assert process.get(f"{app}/debug/pprof/cmdline", 10)[0] == 404
        status, body = process.get(f"http://{svc.pprof}/debug/pprof/", 10)
        assert status == 200 and b"profile" in body
        assert process.get(f"http://{svc.pprof}{QUERY}", 10)[0] == 404
    finally:
        assert svc.stop() == 0  # SIGTERM is a clean shutdown


def test_go_and_python_answer_the_same_request_alike(go_service_bin, py_service, tmp_path):
    go = process.start("go", [str(go_service_bin)], REPO / "go" / SLUG / "main.go", tmp_path, 20)
    try:
        for query in (QUERY, "/work?n=5000&repeat=2", "/work?n=0", "/work?n=x"):
            a = process.get(f"http://127.0.0.1:{go.port}{query}", 10)
            b = process.get(f"http://127.0.0.1:{py_service.port}{query}", 10)
            assert a == b, query
    finally:
        go.stop()


@pytest.mark.parametrize("language", ["go", "python"])
def test_services_refuse_a_non_loopback_address(go_service_bin, language):
    argv = [str(go_service_bin)] if language == "go" else [sys.executable, str(PY_SERVICE)]
    done = subprocess.run(
        [*argv, "--app-addr", "0.0.0.0:0"], capture_output=True, text=True, timeout=20, check=False
    )
    assert done.returncode != 0 and "loopback" in done.stderr


def test_python_service_dumps_cprofile_on_sigterm(tmp_path):
    out = tmp_path / "cp.pstats"
    svc = process.start("python/cprofile", [sys.executable, str(PY_SERVICE), "--cpuprofile", str(out)],
                        PY_SERVICE, tmp_path, 20)  # fmt: skip
    expect = process.get(f"http://127.0.0.1:{svc.port}{QUERY}", 10)[1]
    load.drive("127.0.0.1", svc.port, QUERY, expect, clients=1, duration_s=5, max_requests=20)
    assert svc.stop() == 0
    import pstats

    names = {name for (_f, _l, name) in pstats.Stats(str(out)).stats}
    assert {"is_prime", "count_primes", "checksum"} <= names


# --- robustness, through run_compare ----------------------------------------------------------


def test_a_taken_port_is_one_clear_error_and_nothing_is_left(tmp_path, results):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        root = copy_exercise(tmp_path / "repo", ports={"python": {"app": port}})
        with pytest.raises(PolyprofError) as err:
            compare.run_compare(SLUG, root=root, out=io.StringIO())
    assert "could not start" in err.value.problem and "in use" in err.value.problem
    assert "service.ports" in err.value.hint
    assert running(str(tmp_path)) == []  # the Go service, started first, was stopped too
    assert previous_results_whole(results)


@pytest.mark.slow
def test_pyspy_without_ptrace_rights_is_one_warning_and_the_rest_runs(
    tmp_path, results, monkeypatch
):
    fake = tmp_path / "py-spy"
    fake.write_text(
        "#!/bin/sh\necho 'Error: Failed to attach to process: Permission denied (os error 13)' >&2\n"
        "exit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("POLYPROF_PYSPY", str(fake))
    root = copy_exercise(tmp_path / "repo")
    summary = compare.run_compare(SLUG, root=root, out=io.StringIO())
    warn = [w for w in summary["warnings"] if w["code"] == "pyspy_unavailable"]
    assert len(warn) == 1 and "Permission denied" in warn[0]["message"]
    assert "ptrace" in warn[0]["message"]
    assert {s["profiler"] for s in summary["service"]} == {"pprof", "cprofile"}
    assert {p["profiler"] for p in summary["profiles"]} == {"pprof", "cprofile"}
    assert running(str(tmp_path)) == []


def _start_compare(root: Path, results: Path) -> subprocess.Popen:
    code = (
        "import pathlib; from polyprof.compare import run_compare; from polyprof.cli import guarded; "
        f"guarded(lambda: run_compare({SLUG!r}, root=pathlib.Path({str(root)!r})))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, "POLYPROF_RESULTS": str(results)},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_windows(proc: subprocess.Popen, root: Path) -> None:
    """Until the three services run and the first window is under way."""
    deadline = time.monotonic() + 60
    marker = str(root / "python")
    while len(running(marker, proc.pid)) < 2 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    assert len(running(marker, proc.pid)) == 2, "the run never started its services"
    time.sleep(2)


def test_a_service_dying_mid_run_is_one_clear_error(tmp_path, results):
    root = copy_exercise(tmp_path / "repo", rounds=6)
    proc = _start_compare(root, results)
    _wait_for_windows(proc, root)
    victim = next(c for c in running(str(root / "python"), proc.pid) if "--cpuprofile" not in c)
    pid = next(
        int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline(p) == victim
    )
    os.kill(pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "died" in lines[0] and "python" in lines[0], err
    assert running(str(tmp_path)) == []
    assert previous_results_whole(results)
    assert not list(results.glob(f".{SLUG}.*"))


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_sigint_during_the_load_exits_130_and_leaves_nothing(tmp_path, results):
    root = copy_exercise(tmp_path / "repo", rounds=6)
    proc = _start_compare(root, results)
    _wait_for_windows(proc, root)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err and "interrupted" in err
    time.sleep(0.2)
    assert running(str(tmp_path)) == []
    assert previous_results_whole(results)
    assert not list(results.glob(f".{SLUG}.*"))


@pytest.mark.slow
def test_quick_run_end_to_end_through_invoke(tmp_path):
    env = {**os.environ, "POLYPROF_RESULTS": str(tmp_path)}
    proc = subprocess.run(
        ["invoke", "compare", "-e", SLUG, "--quick"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Live service: profiling on vs off" in proc.stdout
    summary = json.loads((tmp_path / SLUG / "summary.json").read_text())
    assert {"exercise", "profiles", "matches", "overhead", "warnings", "service"} <= set(summary)
    assert {(s["language"], s["profiler"]) for s in summary["service"]} == {
        ("go", "pprof"),
        ("python", "py-spy"),
        ("python", "cprofile"),
    }
    for s in summary["service"]:
        assert s["ci95"][0] <= s["throughput_ratio"] <= s["ci95"][1]
        assert s["p50_ratio"] > 0 and s["p99_ratio"] > 0
    assert {p["profiler"] for p in summary["profiles"]} == {"pprof", "py-spy", "cprofile"}
    assert "is_prime" in {m["key"] for m in summary["matches"]}
    assert summary["ranking"]["go_top"] == "is_prime"
    assert 0 < summary["load"]["generator_cpu_share_max"] <= 1
    for name in ("go.pprof", "python.pyspy.txt", "python.pstats", "windows.csv", "report.md"):
        assert (tmp_path / SLUG / name).is_file(), name
    assert running(str(tmp_path)) == []
