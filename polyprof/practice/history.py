"""Practice progress: one CSV row per answered question, written as it is answered.

Appending (and flushing) each answer at once is what makes Ctrl-C safe: there
is never a batch of unsaved progress to lose. `--review` reads the same file
to ask first what the learner got wrong the last time they saw it.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from ..errors import PolyprofError
from ..paths import results_root

COLUMNS = ("time", "exercise", "question", "correct")


def history_path(root: Path | None = None) -> Path:
    return (root or results_root()) / "practice" / "history.csv"


def record(path: Path, exercise: str, question: str, correct: bool) -> None:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists() or path.stat().st_size == 0
        with path.open("a", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            if new:
                writer.writerow(COLUMNS)
            writer.writerow([now, exercise, question, "true" if correct else "false"])
    except OSError as exc:
        raise PolyprofError(f"cannot write practice history ({exc.strerror})", path) from None


def read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PolyprofError(f"cannot read practice history ({exc})", path) from None
    if rows and not set(COLUMNS) <= set(rows[0]):
        raise PolyprofError(
            "practice history lacks its columns", path, hint=f"expected {', '.join(COLUMNS)}"
        )
    return rows


def last_missed(rows: Iterable[dict[str, str]], exercise: str) -> set[str]:
    """Question ids whose most recent answer in this exercise was wrong."""
    latest: dict[str, bool] = {}
    for row in rows:
        if row["exercise"] == exercise:
            latest[row["question"]] = row["correct"].strip().lower() == "true"
    return {qid for qid, ok in latest.items() if not ok}


def review_order(ids: list[str], missed: set[str]) -> list[str]:
    """Missed questions first, each group in the exercise's own order."""
    return [i for i in ids if i in missed] + [i for i in ids if i not in missed]
