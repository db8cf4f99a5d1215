"""Hostile: writes a file with no end."""

with open("huge.bin", "wb") as out:
    while True:
        out.write(b"x" * (1 << 20))
