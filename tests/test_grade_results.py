"""results.json shape and caps, the speedup statistics, shards and merging: pure functions."""

from __future__ import annotations

import json

import pytest

from polyprof.errors import PolyprofError
from polyprof.grade import results
from polyprof.grade.batch import in_shard, merge, parse_shard, summary_csv
from polyprof.grade.checks import Outcome, required_samples
from polyprof.grade.speedup import ratio_of_medians, verdict

POINTS = {"builds": 1.0, "runs": 1.0, "output": 2.0, "profile": 2.0, "hot_function": 2.0}


def outcome(check, language="go", status="pass", **kw):
    return Outcome(check, language, status, kw.pop("message", "m"), **kw)


def test_scores_split_a_checks_points_between_languages():
    r = results.build(
        "s", "ann", [outcome("output", "go"), outcome("output", "python", "fail")], POINTS
    )
    assert [t["max_score"] for t in r["tests"]] == [1.0, 1.0]
    assert (r["score"], r["max_score"], r["status"]) == (1.0, 2.0, "fail")
    assert r["version"] == 3
    assert r["tests"][0]["name"] == "output (go)"
    assert r["tests"][0]["task_id"] == 3


def test_all_builds_failing_is_an_error_with_the_build_message():
    r = results.build(
        "s", "ann", [outcome("builds", status="fail", message="undefined: x")], POINTS
    )
    assert r["status"] == "error"
    assert "undefined: x" in r["message"]


def test_output_is_capped_at_500_characters():
    r = results.build("s", "ann", [outcome("runs", status="fail", output="x" * 5000)], POINTS)
    assert len(r["tests"][0]["output"]) == 500
    assert r["tests"][0]["output"].endswith("[output truncated to 500 characters]")


def test_the_file_stays_under_one_megabyte():
    many = [outcome("runs", f"l{i}", "fail", message="m" * 60_000) for i in range(40)]
    text = results.to_json(results.build("s", "ann", many, POINTS))
    assert len(text.encode()) <= results.MAX_FILE
    assert json.loads(text)["status"] == "fail"


def test_the_summary_names_every_test_and_skip():
    r = results.build("s", "ann", [outcome("runs")], POINTS, skipped=[("answers", "no questions")])
    text = results.summary(r)
    assert "PASS  runs (go)" in text
    assert "SKIP  answers" in text


def test_a_clear_speedup_passes_and_no_speedup_fails():
    fast = ratio_of_medians([1.0, 1.1, 0.9, 1.05, 0.95], [0.2, 0.21, 0.19, 0.2, 0.22])
    assert fast.ratio == pytest.approx(5.0, rel=0.05)
    assert fast.low <= fast.ratio <= fast.high
    assert verdict(fast, 2.0)[0]
    same = ratio_of_medians([1.0, 1.1, 0.9, 1.05, 0.95], [1.0, 0.9, 1.1, 1.0, 0.97])
    ok, message = verdict(same, 2.0)
    assert not ok
    assert "needs at least 2x" in message


def test_a_borderline_speedup_fails_when_noise_could_explain_it():
    noisy = ratio_of_medians([1.0, 2.6, 0.9, 2.4, 1.0], [0.5, 1.2, 0.45, 0.5, 1.3])
    assert noisy.ratio >= 1.8
    assert noisy.low < 1.8
    assert not verdict(noisy, 2.0)[0]


def test_the_sample_floor_eases_for_short_runs():
    assert required_samples(10, 2.0) == 10
    assert required_samples(10, 0.12) == 2
    assert required_samples(10, 0.0) == 1


def test_shards_partition_a_class_stably():
    names = [f"learner{i}" for i in range(50)]
    owners = [[k for k in (1, 2, 3) if in_shard(n, (k, 3))] for n in names]
    assert all(len(o) == 1 for o in owners)
    assert {o[0] for o in owners} == {1, 2, 3}
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "x"):
        with pytest.raises(PolyprofError):
            parse_shard(bad)


def test_merge_combines_shards_and_warns_about_missing_ones(tmp_path):
    for k, learner in ((1, "ann"), (2, "bob")):
        folder = tmp_path / f"shard{k}"
        r = results.build("ex", learner, [outcome("runs")], POINTS)
        results.write(r, folder / f"{learner}.json")
        (folder / f"shard-{k}-of-3.json").write_text(json.dumps({"shard": [k, 3]}))
    out = tmp_path / "merged"
    summary, warnings = merge("ex", [tmp_path / "shard1", tmp_path / "shard2"], out)
    rows = summary.read_text().splitlines()
    assert [r.split(",")[0] for r in rows] == ["learner", "ann", "bob"]
    assert (out / "ann.json").exists()
    assert warnings == ["shards [3] of 3 are missing; the summary is incomplete"]


def test_summary_csv_has_a_column_per_test():
    r = results.build("ex", "ann", [outcome("runs"), outcome("output", status="fail")], POINTS)
    header, row = summary_csv([r]).splitlines()
    assert header == "learner,status,score,max_score,runs (go),output (go)"
    assert row == "ann,fail,1.0,3.0,1.0,0.0"
