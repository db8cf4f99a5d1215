"""pprof's -focus, -ignore, -hide and -show, applied to samples (profile/filter.go).

The regexes are unanchored and match a function's name or its file, and
also the binary a location belongs to (pprof's mapping file: a Go binary
built by `go run` lives under /tmp/go-build..., so `-focus=go` keeps
everything). focus and ignore keep or drop whole samples: a sample stays if
some location matches focus and none matches ignore. hide removes matching
frames, so their callers become leaves; show keeps only matching frames.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from .errors import PolyprofError
from .samples import Samples


@dataclasses.dataclass(frozen=True)
class Filters:
    focus: str | None = None
    ignore: str | None = None
    hide: str | None = None
    show: str | None = None

    def active(self) -> list[str]:
        """pprof's "Active filters" lines, in its order."""
        return [f"{k}={v}" for k, v in dataclasses.asdict(self).items() if v]


def compile_regex(option: str, pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise PolyprofError(
            f"--{option} {pattern!r} is not a valid regular expression ({exc})"
        ) from None


def _matches(s: Samples, pattern: re.Pattern) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: does its function (name or file) match; does its location's binary match."""
    by_func = np.array(
        [
            bool(pattern.search(name) or pattern.search(file)) and i < s.symbolized
            for i, (name, file) in enumerate(zip(s.names, s.files, strict=True))
        ],
        dtype=bool,
    )
    mappings = s.loc_mapping
    by_map = np.array([bool(m and pattern.search(m)) for m in mappings], dtype=bool)
    frame_map = by_map[s.frame_loc] if len(by_map) else np.zeros(len(s.frame_loc), bool)
    return by_func[s.frame_func] if len(by_func) else by_func, frame_map


def _occurrence_any(s: Samples, frame_flags: np.ndarray) -> np.ndarray:
    """Per location occurrence: does any of its frames carry the flag."""
    n_occ = int(s.frame_occ.max()) + 1 if len(s.frame_occ) else 0
    return np.bincount(s.frame_occ, weights=frame_flags, minlength=n_occ) > 0


def apply(s: Samples, filters: Filters) -> tuple[Samples, list[str]]:
    """The filtered samples, and a warning for each regex that matched nothing."""
    if not filters.active():
        return s, []
    warnings = []
    n_frames = len(s.frame_func)
    sample_ok = np.zeros(s.n_samples, bool)
    if n_frames:
        occ_sample = np.zeros(int(s.frame_occ.max()) + 1, np.int64)
        occ_sample[s.frame_occ] = s.frame_sample
        ignored = np.zeros(len(occ_sample), bool)
        if filters.ignore:
            fn, mp = _matches(s, compile_regex("ignore", filters.ignore))
            ignored = _occurrence_any(s, fn | mp)
            if not ignored.any():
                warnings.append(f"--ignore {filters.ignore!r} matched no samples")
        focused = ~ignored
        if filters.focus:
            fn, mp = _matches(s, compile_regex("focus", filters.focus))
            focused &= _occurrence_any(s, fn | mp)
            if not focused.any():
                warnings.append(f"--focus {filters.focus!r} matched no samples")
        has_focus = np.bincount(occ_sample[focused], minlength=s.n_samples) > 0
        has_ignored = np.bincount(occ_sample[ignored], minlength=s.n_samples) > 0
        sample_ok = has_focus & ~has_ignored
    keep = sample_ok[s.frame_sample] if n_frames else np.zeros(0, bool)
    if filters.hide:
        fn, mp = _matches(s, compile_regex("hide", filters.hide))
        if not (fn | mp).any():
            warnings.append(f"--hide {filters.hide!r} matched nothing")
        keep &= ~(fn | mp)
    if filters.show:
        fn, mp = _matches(s, compile_regex("show", filters.show))
        shown = (fn | mp) & (s.frame_func < s.symbolized)  # an address-only frame never shows
        if not shown.any():
            warnings.append(f"--show {filters.show!r} matched nothing")
        keep &= shown
    # a sample whose every frame was hidden is removed
    if filters.hide or filters.show:
        left = np.bincount(s.frame_sample[keep], minlength=s.n_samples) > 0
        sample_ok &= left
    return s.subset(sample_ok, keep & sample_ok[s.frame_sample]), warnings
