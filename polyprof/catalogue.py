"""`invoke exercises`: what there is to practise, read from the exercise specs alone.

The specs are the only source, so a new exercise folder appears here without
any registration step, and a broken spec fails the listing with its file named.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import TextIO

from . import exercise
from .errors import PolyprofError
from .report.terminal import grid

FORMATS = ("text", "json")
TEACHES_WIDTH = 64


def catalogue(root: Path = exercise.ROOT) -> list[dict]:
    """One row per exercise, intro first (it is where a newcomer starts), then by slug."""
    rows = []
    for slug in sorted(exercise.slugs(root), key=lambda s: (s != exercise.DEFAULT_SLUG, s)):
        ex = exercise.load(slug, root)
        rows.append(
            {
                "slug": ex.slug,
                "title": ex.title,
                "teaches": ex.teaches,
                "languages": ex.languages,
                "warnings": list(ex.expect.get("warnings") or []),
            }
        )
    return rows


def render_text(rows: list[dict]) -> str:
    """Slug, languages and title on one line; what it teaches and the warnings it shows below."""
    if not rows:
        return "No exercises found (each lives in exercises/<slug>/exercise.yaml).\n"
    body = []
    for r in rows:
        body.append([r["slug"], ", ".join(r["languages"]), r["title"]])
        lines = textwrap.wrap(f"teaches: {r['teaches']}", TEACHES_WIDTH, subsequent_indent="  ")
        if r["warnings"]:
            lines.append(f"shows: {', '.join(r['warnings'])}")
        body += [["", "", line] for line in lines]
    table = grid(["slug", "languages", "title"], body)
    hint = "Run one with `invoke compare -e SLUG` (add --quick for a fast look)."
    return f"{table}\n\n{hint}\n"


def run_catalogue(fmt: str = "text", out: TextIO | None = None) -> None:
    if fmt not in FORMATS:
        raise PolyprofError(f"unknown format '{fmt}'", hint=f"use one of: {', '.join(FORMATS)}")
    rows = catalogue()
    text = json.dumps(rows, indent=1) + "\n" if fmt == "json" else render_text(rows)
    (out or sys.stdout).write(text)
