"""Hostile: prints files from outside the sandbox (paths in targets.txt)."""

from pathlib import Path

for path in Path("targets.txt").read_text().split():
    try:
        print(Path(path).read_text())
    except OSError as exc:
        print("blocked", path, exc.__class__.__name__)
