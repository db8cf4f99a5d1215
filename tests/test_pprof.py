"""Go pprof parsing checked against `go tool pprof -top` on real and crafted profiles."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import oracle
import pytest

from polyprof import ProfileError, load_profile, pprof
from polyprof.proto import messages
from polyprof.top import ordered, percent, run_top
from polyprof.view import view

CORPUS_PPROF = sorted(
    p for p in (oracle.CORPUS / "google-pprof").glob("*.cpu") if "legacy" not in p.name
)


def assert_matches_pprof(path: Path, profile=None) -> None:
    """flat/cum per function equal pprof's, in samples and in ns, with pprof's row order."""
    prof = profile or load_profile(path)
    fn = prof.functions
    counts = oracle.pprof_top("-sample_index=samples", path)
    assert len(counts) == len(fn)
    ours = dict(
        zip(fn["function"], zip(fn["flat_samples"], fn["cum_samples"], strict=True), strict=True)
    )
    assert {r[0]: (r[1], r[2]) for r in counts} == ours
    timed = next(t for t, unit in reversed(prof.meta.sample_types) if unit.endswith("seconds"))
    in_ns = oracle.pprof_top(f"-sample_index={timed}", "-unit=ns", path)
    ours_ns = dict(zip(fn["function"], zip(fn["flat_ns"], fn["cum_ns"], strict=True), strict=True))
    assert {r[0]: (r[1], r[2]) for r in in_ns} == ours_ns
    rows = ordered(prof)
    assert [
        (n, percent(f).strip(), percent(c).strip())
        for n, f, c in zip(rows["function"], rows["flat_pct"], rows["cum_pct"], strict=True)
    ] == [(r[0], r[3], r[4]) for r in oracle.pprof_top("-unit=ns", path)]


@pytest.mark.parametrize("path", CORPUS_PPROF, ids=lambda p: p.name)
def test_corpus_matches_pprof(path):
    assert_matches_pprof(path)


def test_legacy_format_is_refused_by_name():
    with pytest.raises(ProfileError, match="legacy Go CPU profile format"):
        load_profile(oracle.CORPUS / "google-pprof" / "legacy-go.crc32.cpu")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["a", "b", "merged"])
def test_go_shapes_match_pprof(go_shapes, name):
    assert_matches_pprof(go_shapes[name])


@pytest.mark.slow
def test_merged_profile_equals_pprof_merging_two_files(go_shapes):
    merged = oracle.pprof_top("-sample_index=samples", go_shapes["a"], go_shapes["b"])
    fn = load_profile(go_shapes["merged"]).functions
    ours = dict(
        zip(fn["function"], zip(fn["flat_samples"], fn["cum_samples"], strict=True), strict=True)
    )
    assert {r[0]: (r[1], r[2]) for r in merged} == ours


@pytest.mark.slow
def test_go_shapes_cover_every_code_shape(go_shapes):
    names = set(load_profile(go_shapes["a"]).functions["function"])
    for expected in [
        "main.(*counter).bump",  # pointer receiver
        "main.pair.mix",  # value receiver
        "main.sumOf[go.shape.int]",  # generic instantiations
        "main.sumOf[go.shape.float64]",
        "main.main.func1",  # closure
        "main.square",  # inlined into sumSquares
        "main.isEven",
        "main.isOdd",
    ]:
        assert expected in names


@pytest.mark.slow
def test_inlined_frames_sit_under_their_caller(go_shapes):
    stacks = load_profile(go_shapes["a"]).stacks
    with_square = [s for s in stacks["stack"] if "main.square" in s]
    assert with_square
    for stack in with_square:
        assert stack[stack.index("main.square") - 1] == "main.sumSquares"


@pytest.mark.slow
def test_stacks_cut_at_64_frames_are_flagged(go_shapes):
    prof = load_profile(go_shapes["a"])
    stacks = prof.stacks
    cut = stacks[stacks["truncated"]]
    assert prof.meta.truncated_samples == int(cut["samples"].sum()) > 0
    assert (cut["depth"] >= pprof.MAX_GO_STACK).all()
    assert not any("runtime.main" in s for s in cut["stack"])
    # goroutine stacks start at their go statement's function, so only depth can tell
    whole = stacks[~stacks["truncated"]]
    assert all(len(s) < pprof.MAX_GO_STACK or s[0] == "runtime.main" for s in whole["stack"])


@pytest.mark.slow
def test_labels_reach_the_stacks_table_like_pprof_tagfocus(go_shapes):
    path = go_shapes["a"]
    stacks = load_profile(path).stacks
    assert {"phase=shapes;worker=main", "worker=g0", "worker=g1"} <= set(stacks["labels"])
    for worker in ("main", "g0", "g1"):
        ours = stacks[stacks["labels"].str.contains(f"worker={worker}", regex=False)]
        theirs = oracle.pprof_shown("-sample_index=samples", f"-tagfocus=worker={worker}", path)
        assert int(ours["samples"].sum()) == theirs


@pytest.mark.slow
def test_stacks_weights_add_up_to_the_functions_table(go_shapes):
    prof = load_profile(go_shapes["a"])
    stacks = prof.stacks
    assert int(stacks["samples"].sum()) == prof.meta.samples
    assert int(stacks["value_ns"].sum()) == prof.meta.total_ns


# --- pprof files written by other tools -----------------------------------------------------


def _python_wall_profile(
    drop_frames: str = "", default_type: str = "", labels: bool = False
) -> bytes:
    """A Python profile in pprof format, wall time in microseconds, as a third-party tool writes."""
    m = messages()
    prof = m["Profile"]()
    strings = [""]

    def s(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    prof.sample_type.add(type=s("samples"), unit=s("count"))
    prof.sample_type.add(type=s("wall"), unit=s("microseconds"))
    prof.period_type.type, prof.period_type.unit = s("wall"), s("microseconds")
    prof.period = 10_000
    prof.duration_nanos = 3_000_000_000
    funcs = ["<module>", "main", "fib", "Square.run", "helper_frame", "<genexpr>"]
    for i, name in enumerate(funcs, 1):
        prof.function.add(id=i, name=s(name), filename=s("/srv/app/main.py"), start_line=10 * i)
        prof.location.add(id=i, line=[m["Line"](function_id=i, line=10 * i + 1)])
    stacks = [([3, 3, 3, 2, 1], 40), ([3, 2, 1], 25), ([4, 2, 1], 30), ([6, 4, 2, 1], 7)]
    stacks += [([5, 3, 2, 1], 11), ([2, 1], 3), ([3, 5, 2, 1], 1), ([2, 1], 0)]
    for k, (locs, count) in enumerate(stacks):
        sample = prof.sample.add(location_id=locs, value=[count, count * 10_000])
        if labels:
            sample.label.add(key=s("thread"), str=s(f"t{k % 2}"))
    if drop_frames:
        prof.drop_frames = s(drop_frames)
    if default_type:
        prof.default_sample_type = s(default_type)
    prof.string_table.extend(strings)
    return prof.SerializeToString()


@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"default_type": "samples"},
        {"drop_frames": "helper_.*"},
        {"labels": True},
    ],
    ids=["plain", "default-type", "drop-frames", "labels"],
)
@pytest.mark.parametrize("wrap", ["raw", "gzip"])
def test_third_party_python_wall_profile_matches_pprof(tmp_path, variant, wrap):
    data = _python_wall_profile(**variant)
    path = tmp_path / "py.pprof"
    path.write_bytes(gzip.compress(data) if wrap == "gzip" else data)
    prof = load_profile(path)
    assert (prof.meta.language, prof.meta.clock) == ("python", "wall")
    assert_matches_pprof(path, prof)
    lines = view(prof, "lines")[0].functions  # drop_frames must keep frames and lines aligned
    expected = oracle.pprof_top("-lines", "-sample_index=samples", path)
    assert {r[0]: (r[1], r[2]) for r in expected} == {
        lab: (f, c)
        for lab, f, c in zip(
            lines["label"], lines["flat_samples"], lines["cum_samples"], strict=True
        )
    }
    if variant.get("drop_frames"):
        assert "helper_frame" not in set(prof.functions["function"])
    if variant.get("labels"):
        assert set(prof.stacks["labels"]) == {"thread=t0", "thread=t1"}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["a", "merged"])
def test_go_shapes_text_reads_exactly_like_pprof_top(go_shapes, name):
    """Units, percentages and the (inline) suffixes, from the Duration line down."""
    ours = io.StringIO()
    run_top(str(go_shapes[name]), out=ours)
    theirs = oracle.pprof_text(go_shapes[name]).splitlines()
    assert "main.square (inline)" in ours.getvalue()
    ours_lines = ours.getvalue().splitlines()
    start = next(i for i, ln in enumerate(theirs) if ln.startswith("Duration:"))
    assert ours_lines[-(len(theirs) - start) :] == theirs[start:]


def test_lost_samples_are_counted_from_pprofs_pseudo_function(tmp_path):
    """The runtime charges samples it dropped to runtime/pprof.lostProfileEvent."""
    m = messages()
    strings = ["", "samples", "count", "cpu", "nanoseconds", "main.work", "m.go"]
    strings.append("runtime/pprof.lostProfileEvent")
    prof = m["Profile"](string_table=strings, period=10_000_000)
    prof.sample_type.add(type=1, unit=2)
    prof.sample_type.add(type=3, unit=4)
    prof.function.add(id=1, name=5, filename=6)
    prof.function.add(id=2, name=7)
    prof.location.add(id=1, line=[m["Line"](function_id=1, line=3)])
    prof.location.add(id=2, line=[m["Line"](function_id=2)])
    prof.sample.add(location_id=[1], value=[5, 50_000_000])
    prof.sample.add(location_id=[2], value=[3, 30_000_000])
    path = tmp_path / "lost.pprof"
    path.write_bytes(prof.SerializeToString())
    meta = load_profile(path).meta
    assert (meta.lost_samples, meta.samples) == (3, 8)
