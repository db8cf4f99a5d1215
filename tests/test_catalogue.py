"""invoke exercises: every spec listed, in both formats, and a broken spec named in one line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from polyprof import catalogue, exercise
from polyprof.errors import PolyprofError

REPO = Path(__file__).resolve().parent.parent


def test_every_exercise_folder_is_listed_with_its_fields():
    rows = catalogue.catalogue()
    assert rows[0]["slug"] == exercise.DEFAULT_SLUG
    assert sorted(r["slug"] for r in rows) == exercise.slugs()
    for r in rows:
        assert r["title"] and r["teaches"], r["slug"]
        assert set(r["languages"]) <= {"go", "python"} and r["languages"]


def test_text_names_each_exercise_with_its_title_and_warnings():
    out = io.StringIO()
    catalogue.run_catalogue("text", out)
    text = out.getvalue()
    for r in catalogue.catalogue():
        line = next(ln for ln in text.splitlines() if ln.startswith(r["slug"] + " "))
        assert r["title"] in line
    assert "shows: low_cpu_utilization, clock_mismatch" in text
    assert max(len(ln) for ln in text.splitlines()) <= 110


def test_json_round_trips_the_catalogue():
    out = io.StringIO()
    catalogue.run_catalogue("json", out)
    assert json.loads(out.getvalue()) == catalogue.catalogue()


def test_a_broken_spec_is_named(tmp_path):
    (tmp_path / "exercises" / "good").mkdir(parents=True)
    (tmp_path / "exercises" / "good" / "exercise.yaml").write_text("slug: good\ntitle: Good\n")
    (tmp_path / "exercises" / "bad").mkdir()
    (tmp_path / "exercises" / "bad" / "exercise.yaml").write_text("slug: [unclosed\n")
    with pytest.raises(PolyprofError) as err:
        catalogue.catalogue(tmp_path)
    assert err.value.path.endswith("bad/exercise.yaml")


def test_an_empty_folder_says_where_exercises_live(tmp_path):
    (tmp_path / "exercises").mkdir()
    rows = catalogue.catalogue(tmp_path)
    assert rows == []
    assert "exercises/<slug>/exercise.yaml" in catalogue.render_text(rows)


def test_invoke_exercises_rejects_an_unknown_format_in_one_line():
    proc = subprocess.run(
        [sys.executable, "-m", "invoke", "exercises", "--format", "xml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "xml" in proc.stderr
