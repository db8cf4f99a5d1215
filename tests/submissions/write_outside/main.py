"""Hostile: writes to a host path (in target.txt) and to system directories."""

from pathlib import Path

target = Path("target.txt").read_text().strip()
for path in (target, "/usr/escaped", "/etc/escaped"):
    try:
        Path(path).write_text("escaped")
    except OSError as exc:
        print("blocked", path, exc.__class__.__name__)
