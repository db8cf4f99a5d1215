"""Practice history: rows as answered, and --review asking the last misses first."""

from __future__ import annotations

import pytest

from polyprof.errors import PolyprofError
from polyprof.practice import history


def test_record_appends_rows_with_a_header(tmp_path):
    path = tmp_path / "practice" / "history.csv"
    history.record(path, "ex", "a", True)
    history.record(path, "ex", "b", False)
    lines = path.read_text().splitlines()
    assert lines[0] == "time,exercise,question,correct"
    rows = history.read(path)
    assert [(r["exercise"], r["question"], r["correct"]) for r in rows] == [
        ("ex", "a", "true"),
        ("ex", "b", "false"),
    ]
    assert rows[0]["time"].endswith("+00:00")


def test_last_missed_uses_the_latest_answer_per_exercise(tmp_path):
    path = tmp_path / "h.csv"
    for ex, qid, ok in [
        ("ex", "a", False),
        ("ex", "a", True),
        ("ex", "b", False),
        ("other", "c", False),
    ]:
        history.record(path, ex, qid, ok)
    assert history.last_missed(history.read(path), "ex") == {"b"}


def test_review_order_puts_misses_first_in_exercise_order():
    assert history.review_order(["a", "b", "c", "d"], {"d", "b"}) == ["b", "d", "a", "c"]


def test_history_without_its_columns_is_an_error(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("x,y\n1,2\n")
    with pytest.raises(PolyprofError, match="columns"):
        history.read(path)


def test_results_location_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("POLYPROF_RESULTS", str(tmp_path))
    assert history.history_path() == tmp_path / "practice" / "history.csv"
