"""Reference Python program of the intro exercise.

Three user functions with clearly different CPU shares, so the cProfile and
py-spy profiles have an obvious answer to "where does the time go?".
"""

import argparse
import cProfile  # noqa: F401  (you will need it)

# Per-batch inputs, tuned so count_primes takes about half the CPU or more,
# longest_collatz a quarter to a third and fib the rest. fib is kept small
# because cProfile inflates call-heavy code about 4x.
PRIME_LIMIT = 34000
FIB_N = 24
COLLATZ_LIMIT = 4000


def count_primes(limit):
    """The loop-heavy hot spot: trial division with no calls."""
    count = 0
    for n in range(2, limit):
        prime = True
        d = 2
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 1
        if prime:
            count += 1
    return count


def fib(n):
    """The call-heavy function: 150,000 tiny calls per batch."""
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def longest_collatz(limit):
    """The most steps any start below limit needs to reach 1."""
    best = 0
    for start in range(1, limit):
        n, steps = start, 0
        while n != 1:
            if n % 2 == 0:
                n //= 2
            else:
                n = 3 * n + 1
            steps += 1
        best = max(best, steps)
    return best


def run_workload(scale):
    """The dispatcher: little flat time, nearly all of the cum time."""
    primes = fib_sum = longest = 0
    for i in range(scale):
        primes += count_primes(PRIME_LIMIT + i)
        fib_sum += fib(FIB_N)
        longest = max(longest, longest_collatz(COLLATZ_LIMIT + i))
    return scale, primes, fib_sum, longest


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cpuprofile", help="write a cProfile (pstats) file here")
    parser.add_argument("--scale", type=int, default=22, help="number of batches")
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
    batches, primes, fib_sum, longest = result
    print(f"batches: {batches}\nprimes counted: {primes}\nfib sum: {fib_sum}")
    print(f"longest collatz chain: {longest}")


if __name__ == "__main__":
    main()
