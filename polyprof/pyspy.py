"""py-spy's raw (folded) output into the normalized tables.

Each line is `root;...;leaf count`, each frame `name (file:line)`. With
`--function` the line is the function's first line, so frames line up with
cProfile's keys. We count like pprof does: flat to the leaf, cum once per
sample per function, and each sample is worth one period of 1/rate seconds.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from . import schema
from .errors import ProfileError
from .graph import Graph
from .samples import Samples

_LINE = re.compile(r"^(?P<stack>.*?)\s*(?P<count>\d+)$")
_FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def looks_like_folded(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return bool(lines) and all(_LINE.match(ln) for ln in lines[:50])


def _frame(text: str) -> tuple[str, str, int | None]:
    m = _FRAME.match(text)
    if not m:
        return text, "", None
    return m["name"], m["file"], int(m["line"]) if m["line"] else None


def parse(text: str, path: str | Path, rate: int = 100, idle: bool = False) -> schema.Profile:
    stacks: Counter[tuple[str, ...]] = Counter()
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        m = _LINE.match(raw)
        if not m:
            raise ProfileError(f"line {number} is not `frame;...;frame count`", path)
        frames = tuple(f for f in m["stack"].split(";") if f)
        stacks[frames] += int(m["count"])
    if not stacks:
        raise ProfileError("no samples in py-spy output", path)
    period_ns = round(1e9 / rate)
    total = sum(stacks.values())
    clock = "wall" if idle else "cpu"
    samples = _samples(stacks, period_ns, clock)
    graph = Graph(samples)
    functions = graph.table("py-spy", "sampling", clock, samples.total())
    meta = schema.ProfileMeta(
        file=str(path),
        language="python",
        profiler="py-spy",
        kind="sampling",
        clock=clock,
        sample_types=[("samples", "count"), (clock, "nanoseconds")],
        sample_type=f"{clock}/nanoseconds",
        period=period_ns,
        period_type=(clock, "nanoseconds"),
        period_ns=period_ns,
        total_ns=total * period_ns,
        total_value=total * period_ns,
        samples=total,
    )
    if not idle:
        meta.notes.append("py-spy without --idle drops idle stacks: roughly CPU time")

    def build_stacks() -> pd.DataFrame:
        items = list(stacks.items())
        return schema.frame(
            {
                "stack": [tuple(_frame(f)[0] for f in s) for s, _ in items],
                "depth": [len(s) for s, _ in items],
                "samples": [c for _, c in items],
                "value_ns": [c * period_ns for _, c in items],
                "labels": [""] * len(items),
                "truncated": [False] * len(items),
            },
            schema.STACK_COLUMNS,
        )

    return schema.Profile(
        meta=meta,
        functions=functions,
        edges=schema.empty(schema.EDGE_COLUMNS),
        samples=samples,
        _stacks_builder=build_stacks,
    )


def _samples(stacks: Counter[tuple[str, ...]], period_ns: int, clock: str) -> Samples:
    """One sample per distinct stack, worth its count; frames leaf first.

    A function is (name, file): py-spy names carry no class, and without
    --function the line moves within the function. Its start line is the
    smallest line seen, which with --function is exactly the first line.
    Python has no inlining, so each frame is its own location.
    """
    frame_ids: dict[str, int] = {}
    func_ids: dict[tuple[str, str], int] = {}
    frame_func: list[int] = []
    frame_line: list[int] = []
    start: list[int] = []
    sample_of: list[int] = []
    occ: list[int] = []
    for j, frames in enumerate(stacks):
        for text in reversed(frames):
            if text not in frame_ids:
                name, file, line = _frame(text)
                f = func_ids.setdefault((name, file), len(func_ids))
                if f == len(start):
                    start.append(line or 0)
                elif line and (not start[f] or line < start[f]):
                    start[f] = line
                frame_ids[text] = len(frame_ids)
                frame_func.append(f)
                frame_line.append(line or 0)
            occ.append(frame_ids[text])
            sample_of.append(j)
    loc = np.asarray(occ, dtype=np.int64)
    counts = np.fromiter(stacks.values(), dtype=np.int64, count=len(stacks))
    lines = np.asarray(frame_line, dtype=np.int64)[loc] if len(loc) else np.zeros(0, np.int64)
    return Samples(
        language="python",
        sample_types=[("samples", "count"), (clock, "nanoseconds")],
        index=1,
        ns_index=1,
        ns_scale=1,
        count_index=0,
        values=np.stack([counts, counts * period_ns], axis=1),
        names=[n for n, _ in func_ids],
        files=[f for _, f in func_ids],
        start_lines=np.asarray(start, dtype=np.int64),
        frame_sample=np.asarray(sample_of, dtype=np.int64),
        frame_func=np.asarray(frame_func, dtype=np.int64)[loc] if len(loc) else loc,
        frame_occ=np.arange(len(loc), dtype=np.int64),
        frame_loc=loc,
        merge_same_names=False,
        line_reader=lambda: lines,
    )
