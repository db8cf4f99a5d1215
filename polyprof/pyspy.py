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

import pandas as pd

from . import schema
from .errors import ProfileError

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
    flat: Counter[str] = Counter()
    cum: Counter[str] = Counter()
    for frames, count in stacks.items():
        if frames:
            flat[frames[-1]] += count
        for f in set(frames):
            cum[f] += count
    order = sorted(cum, key=lambda f: (-flat[f], f))
    parsed = [_frame(f) for f in order]
    clock = "wall" if idle else "cpu"
    functions = schema.frame(
        {
            "language": ["python"] * len(order),
            "profiler": ["py-spy"] * len(order),
            "kind": ["sampling"] * len(order),
            "clock": [clock] * len(order),
            "function": [p[0] for p in parsed],
            "file": [p[1] for p in parsed],
            "line": [p[2] if p[2] else pd.NA for p in parsed],
            "key": [schema.python_key(p[0]) for p in parsed],
            "category": [schema.python_category(p[0], p[1]) for p in parsed],
            "flat_ns": [flat[f] * period_ns for f in order],
            "cum_ns": [cum[f] * period_ns for f in order],
            "flat_pct": [flat[f] / total * 100 for f in order],
            "cum_pct": [cum[f] / total * 100 for f in order],
            "flat_samples": [flat[f] for f in order],
            "cum_samples": [cum[f] for f in order],
            "calls": [pd.NA] * len(order),
            "primitive_calls": [pd.NA] * len(order),
        },
        schema.FUNCTION_COLUMNS,
    )
    functions["frame"] = order
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
        _stacks_builder=build_stacks,
    )
