"""Reference Python program of the flat_vs_cum exercise.

A dispatcher that does almost nothing itself (flat near zero, cum near 100%)
and a recursive function whose cumtime pstats counts once per outermost call,
however deep the recursion goes.
"""

import argparse
import cProfile  # noqa: F401  (you will need it)

# Per batch: a checksum over BLOCK_SIZE numbers and a Tower of Hanoi of
# HANOI_DISKS disks (2**HANOI_DISKS - 1 moves).
BLOCK_SIZE = 230000
HANOI_DISKS = 15
MODULUS = 1000003


def checksum_block(seed, n):
    """Plain loop work: its flat time equals its cum time."""
    h = seed
    for i in range(n):
        h = (h * 31 + i) % MODULUS
    return h


def record_move(state, src, dst):
    """Folds one move into a running checksum: the leaf of the recursion."""
    return (state * 31 + src * 3 + dst) % MODULUS


def solve_hanoi(n, src, dst, via, state):
    """Moves n disks from src to dst; recursion shows as ncalls like 65535/1."""
    if n == 0:
        return state
    state = solve_hanoi(n - 1, src, via, dst, state)
    state = record_move(state, src, dst)
    return solve_hanoi(n - 1, via, dst, src, state)


def process_batch(i):
    """The dispatcher: no work of its own, only calls."""
    return checksum_block(i, BLOCK_SIZE) ^ solve_hanoi(HANOI_DISKS, 0, 2, 1, i)


def run_workload(scale):
    digest = 0
    for i in range(scale):
        digest = (digest * 7 + process_batch(i)) % MODULUS
    return digest


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cpuprofile", help="write a cProfile (pstats) file here")
    parser.add_argument("--scale", type=int, default=32, help="number of batches")
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
        digest = run_workload(args.scale)
    print(f"batches: {args.scale}\ndigest: {digest}")


if __name__ == "__main__":
    main()
