"""Reference Python program of the production_overhead exercise.

It makes millions of tiny function calls. A sampling profiler barely notices;
cProfile pays on every call and return, so it slows this program down several times.
"""

import argparse
import cProfile  # noqa: F401  (you will need it)

# Per batch: BATCH_SIZE items, each passing through three tiny functions.
BATCH_SIZE = 40000
MODULUS = 1000003


def mix(i, seed):
    """Scrambles an item id with the batch seed."""
    return (i * 2654435761 + seed) % MODULUS


def keep(v):
    """Accepts about two items in three."""
    return v % 3 != 0


def clamp(v, lo, hi):
    """Bounds a value to [lo, hi]."""
    return min(max(v, lo), hi)


def score_batch(seed, n):
    """The loop that makes the tiny calls."""
    total = 0
    for i in range(n):
        v = mix(i, seed)
        if keep(v):
            total += clamp(v, 1000, 900000)
    return total


def run_workload(scale):
    total = 0
    for i in range(scale):
        total += score_batch(i, BATCH_SIZE)
    return total


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cpuprofile", help="write a cProfile (pstats) file here")
    parser.add_argument("--scale", type=int, default=60, help="number of batches")
    parser.add_argument("--repeat", type=int, default=1, help="run the workload N times")
    args = parser.parse_args(argv)
    if args.scale < 1 or args.repeat < 1:
        parser.error("--scale and --repeat must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    # TODO: when args.cpuprofile is set, profile the loop below with cProfile
    # (enable before, disable after) and dump_stats to args.cpuprofile.
    for _ in range(args.repeat):
        total = run_workload(args.scale)
    print(f"batches: {args.scale}\nscore: {total}")


if __name__ == "__main__":
    main()
