"""Sampled stacks with full frame identity: the one input every exporter reads.

The normalized `stacks` table keys frames by name only, which is enough for a
flame graph but not for pprof or speedscope, whose frames carry a file and a
first line (py-spy has a `<module>` per imported file). So Go stacks take file
and line from the functions table (pprof names are unique per function) and
py-spy stacks are read from the raw folded text, where every frame is whole.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pandas as pd

from .. import pyspy
from ..errors import ProfileError
from ..schema import Profile

UNKNOWN = "[unknown]"  # flame graph convention for a sample with no frames


@dataclasses.dataclass(frozen=True, order=True)
class Frame:
    name: str
    file: str = ""
    line: int = 0


@dataclasses.dataclass
class Sampled:
    """One sampling profile as root-first stacks with sample counts and nanoseconds."""

    language: str
    profiler: str
    clock: str
    period_ns: int
    stacks: list[tuple[tuple[Frame, ...], int]]  # (frames root first, samples)

    @property
    def samples(self) -> int:
        return sum(count for _, count in self.stacks)

    @property
    def title(self) -> str:
        return f"{self.language} ({self.profiler})"


def from_profile(profile: Profile) -> Sampled:
    """A parsed pprof profile's stacks, each frame resolved to its function's file and line."""
    meta = profile.meta
    if meta.kind != "sampling":
        raise ProfileError(
            f"{meta.profiler} is not a sampling profile: it has no stacks", meta.file
        )
    fn = profile.functions
    where: dict[str, Frame] = {}
    for name, file, line in zip(fn["function"], fn["file"], fn["line"], strict=True):
        path = "" if pd.isna(file) else str(file)
        where.setdefault(name, Frame(name, path, 0 if pd.isna(line) else int(line)))
    counts: Counter[tuple[Frame, ...]] = Counter()
    for stack, samples in zip(profile.stacks["stack"], profile.stacks["samples"], strict=True):
        counts[tuple(where.get(n, Frame(n)) for n in stack)] += int(samples)
    return Sampled(
        language=meta.language,
        profiler=meta.profiler,
        clock=meta.clock,
        period_ns=int(meta.period_ns or 0),
        stacks=[(s, c) for s, c in counts.items() if c > 0],
    )


def from_pyspy(path: str | Path, rate: int = 100, idle: bool = False) -> Sampled:
    """py-spy raw output, frames kept whole (`name (file:line)` split into its parts)."""
    text = Path(path).read_text(encoding="utf-8")
    counts: Counter[tuple[Frame, ...]] = Counter()
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        m = pyspy._LINE.match(raw)
        if not m:
            raise ProfileError(f"line {number} is not `frame;...;frame count`", path)
        frames = []
        for part in m["stack"].split(";"):
            if part:
                name, file, line = pyspy._frame(part)
                frames.append(Frame(name, file, line or 0))
        counts[tuple(frames)] += int(m["count"])
    if not counts:
        raise ProfileError("no samples in py-spy output", path)
    return Sampled(
        language="python",
        profiler="py-spy",
        clock="wall" if idle else "cpu",
        period_ns=round(1e9 / rate),
        stacks=[(s, c) for s, c in counts.items() if c > 0],
    )
