"""Match keys and categories: the rules the README states, and the bulk path equal to them."""

from __future__ import annotations

import oracle
import pytest

from polyprof import load_profile, schema


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("main.isPrime", "is_prime"),
        ("main.countPrimes", "count_primes"),
        ("main.(*Sieve).Run", "run"),
        ("main.pair.mix", "mix"),
        ("main.sumOf[go.shape.int]", "sum_of"),
        ("main.main.func1", "main.func1"),
        ("main.main.func3.1.1", "main.func3.1.1"),
        ("main.setFunctions.func16934", "set_functions.func16934"),
        ("main.(*T).M-fm", "m"),
        ("github.com/x/y.ParseHTTPHeader", "parse_http_header"),
        ("runtime.mallocgc", "mallocgc"),
    ],
)
def test_go_keys(name, key):
    assert schema.go_key(name) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("is_prime", "is_prime"),
        ("Square.run", "run"),
        ("{built-in method builtins.len}", "len"),
        ("<built-in method time.sleep>", "sleep"),
        ("{method 'append' of 'list' objects}", "list.append"),
        ("<genexpr>", "<genexpr>"),
        ("countPrimes", "count_primes"),
    ],
)
def test_python_keys(name, key):
    assert schema.python_key(name) == key


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("main.isPrime", "user"),
        ("github.com/x/y.F", "user"),
        ("runtime.mallocgc", "runtime"),
        ("internal/runtime/maps.(*Map).Get", "runtime"),
        ("runtime/pprof.lostProfileEvent", "runtime"),
        ("math.Abs", "stdlib"),
        ("sync.(*Mutex).Unlock", "stdlib"),
        ("[vdso]", "runtime"),
    ],
)
def test_go_categories(name, category):
    assert schema.go_category(name) == category


def test_python_categories():
    assert schema.python_category("{built-in method builtins.len}", "~") == "builtin"
    assert schema.python_category("fib", "/srv/app/main.py") == "user"
    assert schema.python_category("load", "/usr/lib/python3.11/json/__init__.py") == "stdlib"
    assert schema.python_category("get", "/x/lib/python3.11/site-packages/requests/api.py") == (
        "user"
    )


def test_bulk_keys_and_categories_equal_the_per_name_rules():
    names = load_profile(oracle.CORPUS / "google-pprof" / "large.cpu").functions["function"]
    names = [*names.tolist(), "main.f12", "runtime.x9", "0x1234", "12", "main.F[int]7"]
    keys, cats = schema.keys_and_categories(names, [""] * len(names), "go")
    assert keys == [schema.go_key(n) for n in names]
    assert cats == [schema.go_category(n) for n in names]
