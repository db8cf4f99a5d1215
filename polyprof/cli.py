"""The boundary between polyprof and a person at a terminal.

Tasks run their body through `guarded`, so a PolyprofError becomes one line on
stderr and exit code 2, Ctrl-C becomes exit 130, and neither prints a traceback.
A one-shot task that is the whole of its `invoke` run can use `guarded_exit`,
which also skips the interpreter's teardown once the output is flushed.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
from collections.abc import Callable
from typing import TypeVar

from .errors import PolyprofError

T = TypeVar("T")

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def warn(path: object, *messages: str) -> None:
    """A warning about one file: the run goes on, and stdout stays the report's."""
    for message in messages:
        print(f"polyprof: {path}: warning: {message}", file=sys.stderr)


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


def sole_task(name: str) -> bool:
    """True when this process is `invoke <name> ...` and no other task runs after it.

    invoke's command-line program (invoke.main.program) keeps the task
    contexts it parsed. Called any other way (a test, in-process, or with a
    second task on the command line) this is False.
    """
    main = sys.modules.get("invoke.main")
    parsed = getattr(getattr(main, "program", None), "tasks", None)
    return parsed is not None and [context.name for context in parsed] == [name]


def guarded_exit(name: str, body: Callable[[], object]) -> None:
    """guarded(body) for task `name`; when that task is the whole run, end the process after it.

    Why: a one-shot `invoke top` on a 23k-function profile spent ~60-100 ms
    after its last byte tearing the interpreter down (freeing pandas, numpy
    and the profile object by object), and tens of ms more in cyclic garbage
    collections while importing and parsing, which allocate millions of
    objects and make no garbage cycles worth collecting in a process this
    short. So, only when `name` is the sole task (sole_task), the collector
    is off for the run and, once body has returned, we run the atexit
    handlers, flush stdout and stderr and os._exit(0): nothing is left to
    write, and the OS frees the memory. Errors leave through guarded's
    SystemExit and the ordinary teardown; any other caller gets plain guarded.
    """
    if not sole_task(name):
        guarded(body)
        return
    gc.disable()
    guarded(body)
    atexit._run_exitfuncs()  # what Py_Finalize would run first (logging.shutdown, finalizers)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError):  # the reader left early: fine, as in guarded
            stream.flush()
    os._exit(0)
