"""A one-line live status for long runs, silent unless both stdout and stderr are terminals.

Redirected output (a log file, CI, a pipe) must stay clean, so the status
shows only to a person watching the run.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Status:
    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() and sys.stdout.isatty()
        self.total = max(total, 1)
        self.done = 0
        self.start = time.monotonic()

    def step(self, what: str) -> None:
        if not self.live:
            return
        width = 24
        filled = width * self.done // self.total
        bar = "#" * filled + "." * (width - filled)
        elapsed = time.monotonic() - self.start
        line = f"[{bar}] {self.done}/{self.total} {what}  {elapsed:.0f}s"
        self.stream.write("\r" + line[:100].ljust(100))
        self.stream.flush()

    def advance(self) -> None:
        self.done += 1

    def close(self) -> None:
        if self.live:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
