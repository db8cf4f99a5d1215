"""Reference Python program of the hotspot_fix exercise: the slow baseline.

One quadratic function takes most of the CPU. Profile it, find it, fix it.
"""

import argparse
import cProfile

# Each record is DECODE_ROUNDS steps of a linear congruential generator, then
# reduced to one of VALUE_RANGE values so that duplicates are common.
DECODE_ROUNDS = 100
VALUE_RANGE = 4096


def decode_records(n):
    """Stands in for parsing input: linear in n, a small share of CPU."""
    values = []
    x = 12345
    for _ in range(n):
        for _ in range(DECODE_ROUNDS):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        values.append(x % VALUE_RANGE)
    return values


def count_duplicate_pairs(values):
    """Counts pairs i < j with equal values by comparing every pair: quadratic,
    and the hot spot of this program."""
    pairs = 0
    n = len(values)
    for i in range(n):
        vi = values[i]
        for j in range(i + 1, n):
            if values[j] == vi:
                pairs += 1
    return pairs


def run_workload(scale):
    values = decode_records(scale)
    return len(values), count_duplicate_pairs(values)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cpuprofile", help="write a cProfile (pstats) file here")
    parser.add_argument("--scale", type=int, default=9000, help="number of records")
    parser.add_argument("--repeat", type=int, default=1, help="run the workload N times")
    args = parser.parse_args(argv)
    if args.scale < 1 or args.repeat < 1:
        parser.error("--scale and --repeat must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    # TODO: profile this program (--cpuprofile), find the function that dominates
    # flat time and make the program at least 2x faster without changing its output.
    profiler = cProfile.Profile() if args.cpuprofile else None
    if profiler:
        profiler.enable()
    try:
        for _ in range(args.repeat):
            records, pairs = run_workload(args.scale)
    finally:
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.cpuprofile)
    print(f"records: {records}\nduplicate pairs: {pairs}")


if __name__ == "__main__":
    main()
