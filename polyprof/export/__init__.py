"""Exports in the formats standard viewers read, written to `results/<slug>/export/`.

- `go.folded`, `python-pyspy.folded`: folded stacks (flamegraph.pl, inferno, speedscope)
- `profiles.speedscope.json`: both sampled profiles in one speedscope file
- `python-pyspy.pprof`: the py-spy profile as gzip pprof (`go tool pprof`)

cProfile has no stacks (only caller/callee pairs), so it has no export here.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from ..publish import write_atomic
from .folded import folded_text
from .pprof_writer import pprof_bytes
from .speedscope import speedscope

if TYPE_CHECKING:
    from ..report.results import Results

PYSPY_NOTE = (
    "py-spy without --idle records only running threads: close to CPU time, "
    "but a thread waiting for the GIL counts as running"
)


def _exporter() -> str:
    try:
        return f"polyprof@{metadata.version('polyprof')}"
    except metadata.PackageNotFoundError:
        return "polyprof"


def write_exports(results: Results) -> list[Path]:
    """Write every export the results allow; returns the files written."""
    folder = results.folder / "export"
    files: dict[str, str | bytes] = {}
    go, py = results.go_stacks, results.pyspy_stacks
    if go is not None:
        files["go.folded"] = folded_text(go)
    if py is not None:
        files["python-pyspy.folded"] = folded_text(py)
        notes = [PYSPY_NOTE] if py.clock == "cpu" else []
        files["python-pyspy.pprof"] = pprof_bytes(py, comments=notes)
    sampled = [p for p in (go, py) if p is not None]
    if sampled:
        doc = speedscope(sampled, name=results.slug, exporter=_exporter())
        files["profiles.speedscope.json"] = json.dumps(doc, separators=(",", ":"))
    for name, data in files.items():
        write_atomic(folder / name, data)
    return [folder / name for name in files]
