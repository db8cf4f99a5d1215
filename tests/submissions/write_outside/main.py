"""Hostile: writes to a host path (in target.txt) and to system directories."""
target = open("target.txt").read().strip()
for path in (target, "/usr/escaped", "/etc/escaped"):
    try:
        with open(path, "w") as out:
            out.write("escaped")
    except OSError as exc:
        print("blocked", path, exc.__class__.__name__)
