"""A sampling profile before aggregation: every sample's frames, leaf first.

pprof builds every report (top at any granularity, peek, list, focus and hide
filters, diffs) from this level, and so do we. Per-function totals are not
enough: cum counts a node once per sample, which no sum of totals can recover.

Frames are flat arrays ordered sample by sample, leaf first. A location (one
program counter) can expand into several frames when calls were inlined; the
frames one location contributed to one sample share an `occurrence`, and all
but its last (outermost) frame are inlined calls.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import cached_property

import numpy as np


@dataclasses.dataclass
class Samples:
    language: str
    sample_types: list[tuple[str, str]]
    index: int  # the report's sample type: order and percentages use it
    ns_index: int | None  # the time-valued type, if any
    ns_scale: int  # ns per unit of that type
    count_index: int | None  # the sample-count type, if any
    values: np.ndarray  # (samples, types) int64
    names: list[str]  # per function
    files: list[str]
    start_lines: np.ndarray  # per function; 0 when unknown
    frame_sample: np.ndarray  # per frame, non-decreasing
    frame_func: np.ndarray
    frame_occ: np.ndarray  # the location occurrence a frame comes from, non-decreasing
    frame_loc: np.ndarray  # the location (position) behind that occurrence
    # pprof merges same-named functions from different files into one node;
    # Python names are too short for that (every module has its `main`)
    merge_same_names: bool = True
    symbolized: int = 1 << 62  # functions from this position on stand for bare addresses
    line_reader: Callable[[], np.ndarray] | None = dataclasses.field(default=None, repr=False)
    mapping_reader: Callable[[], list[str]] | None = dataclasses.field(default=None, repr=False)

    @property
    def n_samples(self) -> int:
        return len(self.values)

    @cached_property
    def frame_line(self) -> np.ndarray:
        """The source line each frame was executing (0 when unknown), decoded on first use."""
        if self.line_reader is None:
            return np.zeros(len(self.frame_func), np.int64)
        return self.line_reader()

    @cached_property
    def loc_mapping(self) -> list[str]:
        """Each location's binary (pprof's mapping file), which filters also match."""
        return [] if self.mapping_reader is None else self.mapping_reader()

    @cached_property
    def frame_inlined(self) -> np.ndarray:
        """True for a frame that is not its location's last line: an inlined call."""
        occ = self.frame_occ
        return np.append(occ[:-1] == occ[1:], False) if len(occ) else np.zeros(0, bool)

    @cached_property
    def depth(self) -> np.ndarray:
        """Frames per sample (0 for a sample with no stack)."""
        return np.bincount(self.frame_sample, minlength=self.n_samples).astype(np.int64)

    @cached_property
    def first_frame(self) -> np.ndarray:
        """Where each sample's frames start (its leaf, when it has any)."""
        return np.cumsum(self.depth) - self.depth

    @cached_property
    def leaf_frames(self) -> np.ndarray:
        """The first frame of every sample that has frames."""
        return self.first_frame[self.depth > 0]

    def total(self, column: int | None = None) -> int:
        """pprof's percent denominator: the sum of |value| over every sample."""
        col = self.index if column is None else column
        return int(np.abs(self.values[:, col]).sum()) if self.n_samples else 0

    def subset(self, keep_samples: np.ndarray, keep_frames: np.ndarray) -> Samples:
        """The same profile with some samples and frames removed (filters do this).

        Frames of removed samples must be removed too. Line numbers, when
        already decoded, are carried over rather than decoded again.
        """
        new_index = np.cumsum(keep_samples) - 1
        lines = self.frame_line[keep_frames] if self.line_reader is not None else None
        return dataclasses.replace(
            self,
            values=self.values[keep_samples],
            frame_sample=new_index[self.frame_sample[keep_frames]],
            frame_func=self.frame_func[keep_frames],
            frame_occ=self.frame_occ[keep_frames],
            frame_loc=self.frame_loc[keep_frames],
            line_reader=None if lines is None else (lambda: lines),
            mapping_reader=(lambda: self.loc_mapping) if self.mapping_reader else None,
        )

    def scaled(self, factors: np.ndarray) -> Samples:
        """Values times one factor per sample type, rounded half away from zero (Go's
        math.Round, as pprof's ScaleN); samples left with only zeros are dropped."""
        values = np.where(factors == 1, self.values, round_half_away(self.values * factors))
        out = dataclasses.replace(self, values=values)
        keep = (values != 0).any(axis=1)
        if keep.all():
            return out
        return out.subset(keep, keep[self.frame_sample])


def round_half_away(values: np.ndarray) -> np.ndarray:
    """Go's math.Round (halves away from zero), which pprof's ScaleN uses; Python's round
    and numpy's rint round halves to even."""
    return (np.sign(values) * np.floor(np.abs(values) + 0.5)).astype(np.int64)


def expand(
    smp_start: np.ndarray, smp_locs: np.ndarray, loc_start: np.ndarray, loc_funcs: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Samples' location lists into frames: (sample, function, occurrence, location, within).

    `within` is a frame's position inside its location's lines, which the
    line-number decoder needs to find the frame's Line.
    """
    n_samples = len(smp_start) - 1
    locs = smp_locs
    per_occ = np.diff(loc_start)[locs]
    frame_occ = np.repeat(np.arange(len(locs)), per_occ)
    occ_sample = np.repeat(np.arange(n_samples), np.diff(smp_start))
    # a frame's line is its location's first line plus its rank within the occurrence
    offset = loc_start[locs] - (np.cumsum(per_occ) - per_occ)
    line_pos = offset[frame_occ] + np.arange(len(frame_occ))
    return occ_sample[frame_occ], loc_funcs[line_pos], frame_occ, locs[frame_occ], line_pos
