"""Hostile: floods stdout and stderr."""

import sys

while True:
    sys.stdout.write("spam " * 20000)
    sys.stderr.write("noise " * 2000)
