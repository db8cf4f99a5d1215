"""Python code shapes the pstats and py-spy parsers must get right.

Recursion (nc != cc), builtins, two classes with a same-named method (their
pstats keys differ only by line), and a generator (every resume is a call).
Usage: main.py [--scale N]; N sets the work, roughly linear.
"""

import sys


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Square:
    def run(self, xs):
        return sum(x * x for x in xs)


class Cube:
    def run(self, xs):
        return sum([x * x * x for x in xs])


def countdown(n):
    while n:
        yield n
        n -= 1


def ping(n):
    return pong(n - 1) if n else 0


def pong(n):
    return ping(n - 1) + 1 if n else 1


def main(scale):
    total = 0
    xs = list(range(200))
    for _ in range(scale):
        total += fib(12)
        total += Square().run(xs) + Cube().run(xs)
        total += len(sorted(countdown(50)))
        total += ping(30)
        total += len(str(total))
    print(total)


if __name__ == "__main__":
    main(int(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 20)
