"""The rubric engine: normalization, clause cutting and binding words to subjects."""

from __future__ import annotations

import pytest

from polyprof.practice import rubric

SUBJECTS = {"flat": r"\bflat\b", "cum": r"\bcum(ulative)?\b"}


def _rubric(**points):
    return rubric.parse(points, SUBJECTS)


def test_normalize_expands_contractions_and_quotes():
    assert rubric.normalize("It DOESN’T `show`; can't, wall-clock") == (
        "it does not show; can not, wall clock"
    )


def test_clauses_cut_at_punctuation_and_contrast_words_but_not_dotted_names():
    assert rubric.clauses("main.go runs; flat is own, cum is not whereas x. y") == [
        "main.go runs",
        "flat is own",
        "cum is not",
        "x",
        "y",
    ]


def test_attribute_binds_text_to_the_subject_it_follows():
    pieces = rubric.attribute(
        rubric.normalize("cum is the function's own time and flat includes its callees"),
        rubric.parse({"require": [{"point": "p", "any": ["x"]}]}, SUBJECTS).subjects,
    )
    assert pieces["cum"] == ["cum is the function's own time and "]
    assert pieces["flat"] == ["flat includes its callees"]


def test_clause_without_subject_continues_the_previous_one():
    r = _rubric(require=[{"point": "flat excludes callees", "about": "flat", "any": ["excludes"]}])
    assert r.grade("Flat is self time. It excludes callees.").correct
    assert not r.grade("Cum is total time. It excludes callees.").correct


def test_comparison_object_is_not_a_new_subject_but_which_refers_to_it():
    subjects = {"s": r"\bpprof\b", "t": r"\bcprofile\b"}
    r = rubric.parse(
        {
            "require": [
                {"point": "t costs more", "about": "t", "any": ["higher overhead"]},
                {"point": "s samples", "about": "s", "any": ["samples"]},
            ]
        },
        subjects,
    )
    assert r.grade("cProfile has higher overhead than pprof, which samples").correct
    assert not r.grade("cProfile has higher overhead than pprof, and it samples").correct


def test_in_order_requires_the_concepts_in_sequence():
    r = rubric.parse({"require": [{"point": "a then b", "in_order": ["collect", "analy"]}]})
    assert r.grade("collect it, then analyze").correct
    assert not r.grade("analyze, then collect").correct


def test_forbid_fails_an_answer_that_meets_every_requirement():
    r = _rubric(
        require=[{"point": "mentions own", "any": ["own"]}],
        forbid=[{"point": "cum own", "about": "cum", "any": ["own"]}],
    )
    result = r.grade("cum is own time")
    assert not result.correct
    assert result.wrong == ("cum own",)
    assert result.feedback() == "wrong: cum own"
    assert r.grade("flat is own time").feedback() == "correct"


@pytest.mark.parametrize(
    "spec",
    [
        None,
        {"require": []},
        {"require": [{"any": ["x"]}]},
        {"require": [{"point": "p"}]},
        {"require": [{"point": "p", "any": ["("]}]},
        {"require": [{"point": "p", "any": ["x"], "about": "nobody"}]},
        {"require": [{"point": "p", "any": ["x"], "typo": 1}]},
    ],
)
def test_malformed_rubrics_are_rejected(spec):
    with pytest.raises(rubric.RubricError):
        rubric.parse(spec, SUBJECTS)
