"""The boundary between polyprof and a person at a terminal.

Tasks run their body through `guarded`, so a PolyprofError becomes one line on
stderr and exit code 2, Ctrl-C becomes exit 130, and neither prints a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

from .errors import PolyprofError

T = TypeVar("T")

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def guarded(body: Callable[[], T]) -> T:
    try:
        return body()
    except PolyprofError as exc:
        print(exc.line(), file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None
    except KeyboardInterrupt:
        print("polyprof: interrupted; earlier results were left as they were", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        raise SystemExit(0) from None
