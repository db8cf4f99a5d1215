"""The forgot_stop_profiler exercise, fixed.

cProfile is disabled and dumped in a `finally`, so the stats reach the file
even if the workload raises.
"""

import argparse
import cProfile

# The size of one batch: every number below LIMIT + i is classified.
LIMIT = 3000


def sum_proper_divisors(n):
    """Adds the divisors of n below n, pairing d with n // d."""
    if n < 2:
        return 0
    total = 1
    d = 2
    while d * d <= n:
        if n % d == 0:
            total += d
            if d * d != n:
                total += n // d
        d += 1
    return total


def classify_below(limit):
    """Counts deficient, perfect and abundant numbers in [1, limit)."""
    counts = [0, 0, 0]
    for n in range(1, limit):
        s = sum_proper_divisors(n)
        if s < n:
            counts[0] += 1
        elif s == n:
            counts[1] += 1
        else:
            counts[2] += 1
    return counts


def run_workload(scale):
    total = [0, 0, 0]
    for i in range(scale):
        for k, c in enumerate(classify_below(LIMIT + i)):
            total[k] += c
    return total


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cpuprofile", help="write a cProfile (pstats) file here")
    parser.add_argument("--scale", type=int, default=100, help="number of batches")
    parser.add_argument("--repeat", type=int, default=1, help="run the workload N times")
    args = parser.parse_args(argv)
    if args.scale < 1 or args.repeat < 1:
        parser.error("--scale and --repeat must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    profiler = cProfile.Profile() if args.cpuprofile else None
    if profiler:
        profiler.enable()
    try:
        for _ in range(args.repeat):
            counts = run_workload(args.scale)
    finally:
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.cpuprofile)
    print(f"deficient: {counts[0]}\nperfect: {counts[1]}\nabundant: {counts[2]}")


if __name__ == "__main__":
    main()
