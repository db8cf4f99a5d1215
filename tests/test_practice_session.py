"""`invoke practice` in a real terminal (pexpect) and from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pexpect
import pytest
from test_practice_live import SUMMARY, _functions

from polyprof import exercise
from polyprof.practice import history, questions

SLUG = "cpu_profiling_pprof_intro"
INVOKE = [sys.executable, "-m", "invoke", "practice"]
QS = questions.load(exercise.load(SLUG))


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "POLYPROF_RESULTS": str(tmp_path / "results"), "TERM": "dumb"}


def _spawn(env, *args):
    child = pexpect.spawn(
        INVOKE[0],
        [*INVOKE[1:], "-e", SLUG, *args],
        cwd=exercise.ROOT,
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    child.expect(r"\[1/\d+\]")
    return child


def _history(env):
    return history.read(history.history_path(history.Path(env["POLYPROF_RESULTS"])))


def test_full_session_grades_each_answer_and_scores(env):
    child = _spawn(env)
    child.expect("> ")
    child.sendline("flat is the function's own time; cum adds everything it calls")
    child.expect("right.")
    child.expect("model answer: ")
    child.expect("> ")
    child.sendline("sampling records every call and is expensive; tracing takes snapshots")
    child.expect("not quite: .*wrong: says the sampling profiler is the costly one")
    for _ in QS[2:]:
        child.expect("> ")
        child.sendline("")
    child.expect(rf"score: 1/{len(QS)}\r\n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in child.before
    assert [(r["question"], r["correct"]) for r in _history(env)][:2] == [
        ("flat-vs-cum", "true"),
        ("sampling-vs-tracing", "false"),
    ]
    assert len(_history(env)) == len(QS)


def test_choice_question_insists_on_a_letter(env):
    index = next(i for i, q in enumerate(QS) if q.choices)
    child = _spawn(env)
    for _ in range(index):
        child.expect("> ")
        child.sendline("")
    child.expect("a\\) ")
    child.expect("> ")
    child.sendline("zebra")
    child.expect("answer with a letter")
    child.sendline(QS[index].answer)
    child.expect("right.")
    child.sendeof()
    child.expect(pexpect.EOF)


@pytest.mark.parametrize(("stop", "code"), [("intr", 130), ("eof", 0)])
def test_ctrl_c_and_eof_stop_cleanly_and_keep_progress(env, stop, code):
    child = _spawn(env)
    child.expect("> ")
    child.sendline("flat is own time, cum includes callees")
    child.expect("right.")
    child.expect("> ")
    child.sendintr() if stop == "intr" else child.sendeof()
    child.expect(f"stopped after 1 of {len(QS)} questions")
    child.expect("score: 1/1")
    child.expect(pexpect.EOF)
    child.close()
    assert "Traceback" not in child.before
    assert child.exitstatus == code
    assert [r["question"] for r in _history(env)] == ["flat-vs-cum"]


def test_review_asks_last_missed_first(env):
    path = history.history_path(history.Path(env["POLYPROF_RESULTS"]))
    history.record(path, SLUG, "cpu-vs-wall", False)
    history.record(path, SLUG, "flat-vs-cum", False)
    history.record(path, SLUG, "flat-vs-cum", True)
    child = _spawn(env, "--review")
    prompt = next(q.prompt for q in QS if q.id == "cpu-vs-wall")
    child.expect("> ")
    assert prompt.split()[0] in child.before
    child.sendeof()
    child.expect(pexpect.EOF)


def _run(env, *args):
    return subprocess.run(
        [*INVOKE, *args],
        cwd=exercise.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_answers_file_to_json(env, tmp_path):
    answers, out = tmp_path / "answers.yaml", tmp_path / "out.json"
    answers.write_text("flat-vs-cum: flat is own time, cum includes callees\nforgot-stop: idk\n")
    proc = _run(env, "-e", SLUG, "--answers", str(answers), "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert (result["score"], result["max_score"]) == (1, len(QS))
    assert [r["id"] for r in result["questions"]] == [q.id for q in QS]
    assert f"score: 1/{len(QS)}" in proc.stdout


def test_export_then_grade_with_answers_scores_full(env, tmp_path):
    template = tmp_path / "t.yaml"
    assert _run(env, "-e", SLUG, "--export", str(template), "--with-answers").returncode == 0
    proc = _run(env, "-e", SLUG, "--answers", str(template))
    assert f"score: {len(QS)}/{len(QS)}" in proc.stdout


@pytest.mark.parametrize(
    ("args", "content", "message"),
    [
        (["-e", "no_such_exercise"], None, "no exercise 'no_such_exercise'"),
        (["--answers", "ANSWERS"], "- not\n- a mapping\n", "must be a mapping"),
        (["--answers", "ANSWERS"], "flat-vs-cum: [unclosed\n", "not YAML"),
        (["--answers", "ANSWERS"], "no-such-question: x\n", "unknown question id no-such-question"),
        (["--answers", "MISSING"], None, "cannot read answers file"),
        (["--with-answers"], None, "--with-answers only applies"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(env, tmp_path, args, content, message):
    answers = tmp_path / "answers.yaml"
    if content is not None:
        answers.write_text(content)
    args = [
        str(answers) if a == "ANSWERS" else str(tmp_path / "nope.yaml") if a == "MISSING" else a
        for a in args
    ]
    proc = _run(env, *args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_live_session_asks_about_the_results(env, tmp_path):
    folder = tmp_path / "results" / SLUG
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps(SUMMARY))
    _functions().to_csv(folder / "functions.csv", index=False)
    proc = subprocess.run(
        [*INVOKE, "-e", SLUG, "--live"],
        input="I don't know\n" * 4,
        cwd=exercise.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "score: 0/4" in proc.stdout
    assert "highest flat time in your Go profile" in proc.stdout
    assert len(_history(env)) == 4
