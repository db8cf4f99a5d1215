"""Every exercise's questions: their own examples, blank answers, files and templates."""

from __future__ import annotations

import pytest
import yaml

from polyprof import exercise
from polyprof.errors import PolyprofError
from polyprof.practice import grade_answers, questions

INTRO_IDS = {
    "flat-vs-cum",
    "sampling-vs-tracing",
    "forgot-stop",
    "not-enough-samples",
    "cpu-vs-wall",
    "production-safety",
    "pprof-workflow",
    "read-top-output",
}
NON_ANSWERS = ["", "   ", "I don't know", "idk", "no idea, sorry", "?", "Not sure"]


def _cases():
    for slug in exercise.slugs():
        ex = exercise.load(slug)
        by_id = {q.id: q for q in questions.load(ex)}
        for spec in ex.questions:
            yield slug, by_id[spec["id"]], spec


CASES = list(_cases())
IDS = [f"{slug}:{q.id}" for slug, q, _ in CASES]


@pytest.mark.parametrize(("slug", "q", "spec"), CASES, ids=IDS)
def test_model_answer_and_pass_examples_pass(slug, q, spec):
    for text in [q.answer, *spec.get("examples", {}).get("pass", [])]:
        verdict = q.grade(text)
        assert verdict.correct, f"{text!r}: {verdict.feedback}"


@pytest.mark.parametrize(("slug", "q", "spec"), CASES, ids=IDS)
def test_fail_examples_fail(slug, q, spec):
    for text in spec.get("examples", {}).get("fail", []):
        assert not q.grade(text).correct, text


@pytest.mark.parametrize(("slug", "q", "spec"), CASES, ids=IDS)
def test_free_text_questions_have_both_kinds_of_example(slug, q, spec):
    if q.choices:
        return
    examples = spec.get("examples", {})
    assert len(examples.get("pass", [])) >= 2
    assert len(examples.get("fail", [])) >= 2


@pytest.mark.parametrize(("slug", "q", "spec"), CASES, ids=IDS)
def test_blank_and_dont_know_score_zero(slug, q, spec):
    for text in NON_ANSWERS:
        verdict = q.grade(text)
        assert not verdict.correct
        assert verdict.feedback == "no answer given"


def test_intro_has_the_core_questions():
    ids = {q.id for q in questions.load(exercise.load("cpu_profiling_pprof_intro"))}
    assert ids >= INTRO_IDS
    assert len(ids) >= 8


@pytest.mark.parametrize("slug", [s for s in exercise.slugs() if s != exercise.DEFAULT_SLUG])
def test_trap_exercises_add_two_to_four_questions(slug):
    assert 2 <= len(questions.load(exercise.load(slug))) <= 4


def test_choice_answers_by_letter_or_text():
    q = questions.from_spec(
        {"id": "c", "prompt": "p?", "model_answer": "b", "choices": ["one", "two"], "answer": 1},
        "test",
    )
    assert q.grade("b").correct
    assert q.grade("B)").correct
    assert q.grade("Two").correct
    assert not q.grade("a").correct
    assert "letter" in q.grade("three").feedback


def test_duplicate_ids_are_an_error(tmp_path):
    spec = {"id": "x", "prompt": "p", "model_answer": "m", "choices": ["a", "b"], "answer": 0}
    ex = exercise.Exercise("dup", {"questions": [spec, spec]}, root=tmp_path)
    with pytest.raises(PolyprofError, match="duplicate"):
        questions.load(ex)


def test_grade_answers_shape_and_scores():
    ex = exercise.load("cpu_profiling_pprof_intro")
    result = grade_answers(
        ex,
        {
            "flat-vs-cum": "flat is own time; cum adds its callees",
            "read-top-output": "c",
            "forgot-stop": "I don't know",
        },
    )
    assert set(result) >= {"score", "max_score", "questions"}
    assert result["max_score"] == len(ex.questions)
    assert result["score"] == 2
    rows = {r["id"]: r for r in result["questions"]}
    assert set(rows["flat-vs-cum"]) == {"id", "correct", "feedback"}
    assert rows["flat-vs-cum"]["correct"] is True
    assert rows["forgot-stop"] == {
        "id": "forgot-stop",
        "correct": False,
        "feedback": "no answer given",
    }
    assert rows["cpu-vs-wall"]["feedback"] == "no answer given"


def test_unknown_question_id_is_an_error():
    with pytest.raises(PolyprofError, match="unknown question id nope"):
        grade_answers(exercise.load("cpu_profiling_pprof_intro"), {"nope": "x"})


@pytest.mark.parametrize("content", ["- a list\n", "just text\n", "a: [unclosed\n"])
def test_bad_answers_files_are_errors(tmp_path, content):
    path = tmp_path / "answers.yaml"
    path.write_text(content)
    with pytest.raises(PolyprofError):
        questions.read_answers(path)


@pytest.mark.parametrize("slug", exercise.slugs())
def test_export_template_round_trip(slug):
    qs = questions.load(exercise.load(slug))
    blank = yaml.safe_load(questions.template(qs, slug))
    assert blank == {q.id: "" for q in qs}
    assert questions.grade(qs, blank)["score"] == 0
    filled = yaml.safe_load(questions.template(qs, slug, with_answers=True))
    assert list(filled) == [q.id for q in qs]
    assert questions.grade(qs, filled)["score"] == len(qs)


def test_template_shows_each_question_as_a_comment():
    qs = questions.load(exercise.load("cpu_profiling_pprof_intro"))
    text = questions.template(qs, "cpu_profiling_pprof_intro")
    first = qs[0].prompt.splitlines()[0]
    assert f"# {first}\n{qs[0].id}: ''" in text
