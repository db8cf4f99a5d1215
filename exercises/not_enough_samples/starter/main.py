"""Reference Python program of the not_enough_samples exercise.

A short workload made of two functions of nearly equal cost: with only a dozen
samples, which one "wins" the profile changes from run to run.
"""

import argparse
import cProfile  # noqa: F401  (you will need it)

# Inputs per batch, tuned so decimal_digits takes ~60% and base_seven_digits ~40%:
# a dozen samples (one short run) often rank them the wrong way round, ~100
# (ten merged runs) rank them right. Both divide by a constant in the inner
# loop, so the split is about the same in Go and Python.
DECIMAL_LIMIT = 3800
SEPTEN_LIMIT = 2350


def decimal_digits(limit):
    """Adds up the base-10 digits of every number below limit."""
    total = 0
    for n in range(1, limit):
        m = n
        while m > 0:
            total += m % 10
            m //= 10
    return total


def base_seven_digits(limit):
    """Adds up the base-7 digits of every number below limit."""
    total = 0
    for n in range(1, limit):
        m = n
        while m > 0:
            total += m % 7
            m //= 7
    return total


def run_workload(scale):
    decimal = septenary = 0
    for i in range(scale):
        decimal += decimal_digits(DECIMAL_LIMIT + i)
        septenary += base_seven_digits(SEPTEN_LIMIT + i)
    return decimal, septenary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cpuprofile", help="write a cProfile (pstats) file here")
    parser.add_argument("--scale", type=int, default=50, help="number of batches")
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
        result = run_workload(args.scale)
    decimal, septenary = result
    print(f"base-10 digit total: {decimal}\nbase-7 digit total: {septenary}")


if __name__ == "__main__":
    main()
