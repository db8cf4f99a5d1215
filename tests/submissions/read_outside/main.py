"""Hostile: prints files from outside the sandbox (paths in targets.txt)."""
for path in open("targets.txt").read().split():
    try:
        print(open(path).read())
    except OSError as exc:
        print("blocked", path, exc.__class__.__name__)
