"""The interactive drill: one question at a time, feedback at once, a score at the end.

Input and output are parameters so the loop stays independent of the terminal;
the real terminal behaviour (Ctrl-C, EOF) is tested through a pty with pexpect.
Each answer is written to the history before the next question is asked, so
stopping at any point loses nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from . import history
from .questions import LETTERS, Question, choice_index, is_non_answer

EXIT_OK = 0
EXIT_INTERRUPTED = 130


def _ask(q: Question, read: Callable[[str], str], out: TextIO) -> str:
    """Read one answer; for a choice question, insist on a valid letter unless skipped."""
    while True:
        text = read("> ")
        if not q.choices or is_non_answer(text) or choice_index(text, q.choices) is not None:
            return text
        print(f"  (answer with a letter a-{LETTERS[len(q.choices) - 1]})", file=out)


def run(
    questions: list[Question],
    exercise: str,
    history_file: Path,
    read: Callable[[str], str] = input,
    out: TextIO | None = None,
) -> int:
    """Drill the questions; returns the exit code (0 when done or at EOF, 130 on Ctrl-C)."""
    out = out or sys.stdout
    total, score, answered = len(questions), 0, 0
    print(
        f"Practice: {exercise}, {total} questions. Answer in your own words and press Enter "
        "(an empty line skips; Ctrl-D or Ctrl-C stops).",
        file=out,
    )
    code = EXIT_OK
    try:
        for i, q in enumerate(questions, 1):
            print(f"\n[{i}/{total}] {q.prompt}", file=out)
            for n, choice in enumerate(q.choices):
                print(f"  {LETTERS[n]}) {choice}", file=out)
            verdict = q.grade(_ask(q, read, out))
            history.record(history_file, exercise, q.id, verdict.correct)
            answered += 1
            score += verdict.correct
            print("right." if verdict.correct else f"not quite: {verdict.feedback}", file=out)
            print(f"model answer: {q.model_answer.strip()}", file=out)
    except (EOFError, KeyboardInterrupt) as stop:
        code = EXIT_INTERRUPTED if isinstance(stop, KeyboardInterrupt) else EXIT_OK
        print(f"\nstopped after {answered} of {total} questions.", file=out)
    print(f"score: {score}/{answered}" + (f" (of {total})" if answered < total else ""), file=out)
    print(f"progress saved in {history_file}", file=out)
    return code
