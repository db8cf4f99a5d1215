"""polyprof: Go pprof and Python cProfile/py-spy profiles, side by side, exactly.

The public names load on first use (PEP 562), so `invoke --list` and tasks that
never touch a profile do not pay for importing pandas and numpy.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "IncompleteProfileError": "errors",
    "PolyprofError": "errors",
    "ProfileError": "errors",
    "Profile": "schema",
    "ProfileMeta": "schema",
    "load_profile": "load",
}

__all__ = [
    "IncompleteProfileError",
    "PolyprofError",
    "Profile",
    "ProfileError",
    "ProfileMeta",
    "load_profile",
]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'polyprof' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
