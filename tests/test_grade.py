"""`invoke grade` end to end: a class of good, wrong and hostile submissions in one batch."""

from __future__ import annotations

import json
import shutil
import socket
import uuid
from pathlib import Path

import pytest

from polyprof import exercise
from polyprof.exercise import ROOT
from polyprof.grade import grade_class, grade_submission, plan, run_grade
from polyprof.grade.gotools import grade_cache
from polyprof.grade.sandbox import SLOTS, UID_BASE, processes_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap is not installed"),
]

FIXTURES = Path(__file__).parent / "submissions"
SLUG = "cpu_profiling_pprof_intro"
HOSTILE = [
    "loops_forever",
    "fork_bomb",
    "allocates",
    "huge_file",
    "floods",
    "network",
    "read_outside",
    "write_outside",
    "no_stop_profiler",
    "no_compile",
    "wrong_output",
]


@pytest.fixture(scope="session")
def results_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("results")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLYPROF_RESULTS", str(path))
        yield path


@pytest.fixture(scope="session")
def small_plan(results_dir):
    """The intro exercise at a tiny scale and a 4 s clock, so hostile runs end fast."""
    p = plan(exercise.load(SLUG), scale=2, quick=True, timeout_s=4)
    p.min_samples = 3
    p.run_limits = type(p.run_limits)(wall_s=4, cpu_s=4, data_mb=256, fsize_mb=8, nproc=32)
    return p


@pytest.fixture(scope="session")
def outside():
    folder = grade_cache() / f"outside-{uuid.uuid4().hex}"
    folder.mkdir()
    folder.chmod(0o777)
    (folder / "marker").write_text("SECRET-MARKER")
    (folder / "marker").chmod(0o666)
    yield folder
    shutil.rmtree(folder)


def good_submission(dest: Path) -> Path:
    dest.mkdir(parents=True)
    shutil.copy(ROOT / "go" / SLUG / "main.go", dest / "main.go")
    shutil.copy(ROOT / "python" / SLUG / "main.py", dest / "main.py")
    return dest


@pytest.fixture(scope="session")
def graded_class(small_plan, tmp_path_factory, outside):
    """Grade every fixture plus two good learners in one batch with two workers."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    klass = tmp_path_factory.mktemp("class")
    for name in HOSTILE:
        shutil.copytree(FIXTURES / name, klass / name)
    (klass / "network" / "port.txt").write_text(str(server.getsockname()[1]))
    hidden = ROOT / "exercises" / SLUG / "exercise.yaml"
    (klass / "read_outside" / "targets.txt").write_text(f"{outside / 'marker'} {hidden}")
    (klass / "write_outside" / "target.txt").write_text(str(outside / "written"))
    good_submission(klass / "good_one")
    good_submission(klass / "good_two")
    out = tmp_path_factory.mktemp("grades")
    graded = grade_class(small_plan, klass, workers=2, out_dir=out, echo=lambda s: None)
    try:
        server.accept()
        connected = True
    except TimeoutError:
        connected = False
    server.close()
    return {r["learner"]: r for r in graded}, out, connected


def checks_of(result):
    return {t["name"]: t for t in result["tests"]}


def test_good_submissions_pass_every_program_check_despite_hostile_neighbours(graded_class):
    graded, _, _ = graded_class
    for name in ("good_one", "good_two"):
        tests = checks_of(graded[name])
        program_checks = {k: v for k, v in tests.items() if k != "answers"}
        assert all(t["status"] == "pass" for t in program_checks.values()), program_checks
        assert tests["hot function (go)"]["message"].startswith(
            "the hottest function is main.countPrimes"
        )


@pytest.mark.parametrize(
    ("learner", "test", "words"),
    [
        ("loops_forever", "runs (python)", ("CPU time", "did not finish")),
        ("fork_bomb", "runs (python)", ("processes",)),
        ("allocates", "runs (go)", ("ran out of memory",)),
        ("huge_file", "runs (python)", ("larger than 8 MiB",)),
        ("floods", "runs (python)", ("printed more than",)),
        ("network", "runs (python)", ("exited with status 1",)),
        ("no_stop_profiler", "profile (go)", ("StopCPUProfile",)),
        ("no_compile", "builds (go)", ("undefined: undefinedThing",)),
        ("wrong_output", "output (python)", ("differs from the reference at line",)),
    ],
)
def test_each_bad_submission_fails_the_right_check_with_a_readable_message(
    graded_class, learner, test, words
):
    graded, _, _ = graded_class
    result = checks_of(graded[learner])[test]
    assert result["status"] == "fail"
    assert any(w in result["message"] for w in words), result["message"]
    assert len(result["output"]) <= 500


def test_a_compile_error_makes_the_whole_result_an_error(graded_class):
    graded, _, _ = graded_class
    assert graded["no_compile"]["status"] == "error"
    assert "undefinedThing" in graded["no_compile"]["message"]


def test_nothing_escapes_the_sandbox(graded_class, outside):
    graded, _, connected = graded_class
    assert not connected, "the sandboxed program reached the host's loopback"
    assert not (outside / "written").exists()
    assert (outside / "marker").read_text() == "SECRET-MARKER"
    read = json.dumps(graded["read_outside"])
    assert "SECRET-MARKER" not in read
    assert "blocked" in checks_of(graded["read_outside"])["output (python)"]["output"]
    assert not Path("/usr/escaped").exists()


def test_no_process_is_left_behind(graded_class):
    for uid in range(UID_BASE, UID_BASE + SLOTS):
        assert processes_of(uid) == []


def test_the_class_writes_one_json_per_learner_and_a_summary(graded_class):
    graded, out, _ = graded_class
    for name in graded:
        data = json.loads((out / f"{name}.json").read_text())
        assert data["version"] == 3
        assert (out / f"{name}.json").stat().st_size <= 1_000_000
    lines = (out / "summary.csv").read_text().splitlines()
    assert lines[0].startswith("learner,status,score,max_score")
    assert len(lines) == len(graded) + 1


def test_grade_command_writes_results_json_and_exits_zero_whatever_the_verdict(
    small_plan, tmp_path, capsys
):
    sub = FIXTURES / "wrong_output"
    target = tmp_path / "results.json"
    code = run_grade(
        SLUG, submission=str(sub), json_path=str(target), scale=2, quick=True, timeout_s=10
    )
    assert code == 0
    data = json.loads(target.read_text())
    assert data["status"] == "fail"
    assert "FAIL" in capsys.readouterr().out


def test_no_sandbox_warns_and_still_grades(small_plan, tmp_path, capsys):
    sub = good_submission(tmp_path / "trusted")
    target = tmp_path / "results.json"
    code = run_grade(
        SLUG, submission=str(sub), json_path=str(target), sandbox=False, scale=2, quick=True
    )
    assert code == 0
    assert "WARNING: --no-sandbox" in capsys.readouterr().err
    assert checks_of(json.loads(target.read_text()))["output (go)"]["status"] == "pass"


def test_a_single_submission_reads_its_answers(small_plan, tmp_path):
    sub = good_submission(tmp_path / "with_answers")
    ids = [q["id"] for q in small_plan.exercise.questions]
    assert ids, "the intro exercise must have interview questions"
    (sub / "answers.yaml").write_text("".join(f"{i}: I don't know\n" for i in ids))
    result = grade_submission(small_plan, sub)
    answers = checks_of(result)["answers"]
    assert answers["status"] == "fail"
    assert answers["score"] == 0
    assert answers["max_score"] == small_plan.points["answers"]


@pytest.fixture(scope="session")
def hotspot_graded(results_dir, tmp_path_factory):
    """The optimisation exercise: its hidden solution and its unchanged starter."""
    folder = ROOT / "exercises" / "hotspot_fix"
    p = plan(exercise.load("hotspot_fix"), quick=True, rounds=5)
    klass = tmp_path_factory.mktemp("hotspot")
    shutil.copytree(folder / "hidden" / "solution", klass / "solved")
    shutil.copytree(folder / "starter", klass / "unchanged")
    graded = grade_class(p, klass, workers=1, out_dir=klass / "out", echo=lambda s: None)
    return {r["learner"]: checks_of(r) for r in graded}


def test_the_hidden_solution_earns_the_speedup_and_moves_the_hot_spot(hotspot_graded):
    for language in ("go", "python"):
        assert hotspot_graded["solved"][f"speedup ({language})"]["status"] == "pass"
        assert hotspot_graded["solved"][f"hot function ({language})"]["status"] == "pass"
        assert (
            "no longer dominates"
            in hotspot_graded["solved"][f"hot function ({language})"]["message"]
        )


def test_an_unchanged_starter_gets_no_speedup_credit(hotspot_graded):
    for language in ("go", "python"):
        speed = hotspot_graded["unchanged"][f"speedup ({language})"]
        assert speed["status"] == "fail"
        assert "needs at least 2x" in speed["message"]
        assert (
            "still dominates"
            in hotspot_graded["unchanged"][f"hot function ({language})"]["message"]
        )
