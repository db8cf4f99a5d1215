"""`invoke report`: redo report.html and the exports from results already on disk."""

from __future__ import annotations

import sys
import webbrowser
from typing import TextIO

from .. import exercise
from ..errors import PolyprofError
from ..paths import results_dir
from .html import write_report
from .results import SUMMARY


def run_report(slug: str, open_browser: bool = False, out: TextIO = sys.stdout) -> None:
    exercise.load(slug)  # an unknown slug gets its own clear error
    folder = results_dir(slug)
    if not (folder / SUMMARY).is_file():
        raise PolyprofError(
            f"no results for {slug}", folder, hint=f"run `invoke compare -e {slug}` first"
        )
    path = write_report(folder)
    exports = sorted(p.name for p in (folder / "export").glob("[!.]*"))
    print(f"wrote {path}", file=out)
    if exports:
        print(f"exports in {folder / 'export'}: {', '.join(exports)}", file=out)
    if open_browser:
        webbrowser.open(path.resolve().as_uri())
