"""The sample-level model every report is built from: frames, subsets and pprof's scaling."""

from __future__ import annotations

import numpy as np
import oracle

from polyprof import load_profile
from polyprof.samples import Samples, expand

SAMPLE = oracle.CORPUS / "google-pprof" / "sample.cpu"


def _tiny() -> Samples:
    """Two samples: main->f->g (g inlined into f: one location, two frames) and main->f."""
    return Samples(
        language="go",
        sample_types=[("samples", "count"), ("cpu", "nanoseconds")],
        index=1,
        ns_index=1,
        ns_scale=1,
        count_index=0,
        values=np.array([[3, 30], [5, 50]]),
        names=["main", "f", "g"],
        files=["m.go"] * 3,
        start_lines=np.array([1, 10, 20]),
        frame_sample=np.array([0, 0, 0, 1, 1]),
        frame_func=np.array([2, 1, 0, 1, 0]),
        frame_occ=np.array([0, 0, 1, 2, 3]),
        frame_loc=np.array([0, 0, 1, 2, 1]),
    )


def test_inlined_frames_are_all_but_a_locations_last():
    assert _tiny().frame_inlined.tolist() == [True, False, False, False, False]
    assert _tiny().leaf_frames.tolist() == [0, 3]


def test_scaling_rounds_half_away_from_zero_like_go():
    s = _tiny()
    s.values = np.array([[1, 5], [-1, -15]])
    out = s.scaled(np.array([2.5, 0.5]))
    # Go's math.Round: 2.5 -> 3, -2.5 -> -3, 7.5 -> 8 (Python's round would give 2, -2, 8)
    assert out.values.tolist() == [[3, 3], [-3, -8]]


def test_samples_scaled_to_zero_are_dropped_with_their_frames():
    s = _tiny()
    out = s.scaled(np.array([0.1, 0.01]))  # sample 0: 0.3, 0.3 -> 0, 0; sample 1: 0.5, 0.5 -> 1, 1
    assert out.values.tolist() == [[1, 1]]
    assert out.frame_sample.tolist() == [0, 0] and out.frame_func.tolist() == [1, 0]


def test_subset_renumbers_samples_and_keeps_decoded_lines():
    s = _tiny()
    s.line_reader = lambda: np.array([21, 11, 2, 12, 3])
    out = s.subset(np.array([False, True]), np.array([False, False, False, True, True]))
    assert out.frame_sample.tolist() == [0, 0]
    assert out.frame_line.tolist() == [12, 3]
    assert out.total() == 50


def test_expand_walks_locations_leaf_first():
    # sample 0 holds locations [1, 0]; location 1 has two lines (functions 2 then 1)
    frame_sample, frame_func, frame_occ, frame_loc, line_pos = expand(
        np.array([0, 2]), np.array([1, 0]), np.array([0, 1, 3]), np.array([0, 2, 1])
    )
    assert frame_func.tolist() == [2, 1, 0]
    assert frame_occ.tolist() == [0, 0, 1]
    assert frame_loc.tolist() == [1, 1, 0]
    assert line_pos.tolist() == [1, 2, 0]
    assert frame_sample.tolist() == [0, 0, 0]


def test_a_real_profile_decodes_its_lines_and_binary_on_demand():
    s = load_profile(SAMPLE).samples
    assert "frame_line" not in vars(s)  # not decoded by load_profile
    assert (s.frame_line > 0).all()
    assert set(s.loc_mapping) == {"sample.bin"} or all(
        m.endswith("sample.bin") for m in s.loc_mapping
    )
