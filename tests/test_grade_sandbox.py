"""The sandbox against hostile programs: real bubblewrap, real limits, real escapes tried."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from pathlib import Path

import pytest

from polyprof.errors import PolyprofError
from polyprof.grade import sandbox
from polyprof.grade.gotools import grade_cache
from polyprof.grade.sandbox import UID_BASE, Limits, Sandbox, classify, processes_of, uid_slot

pytestmark = pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap is not installed")

TIGHT = Limits(wall_s=3, cpu_s=1, data_mb=200, fsize_mb=4, nproc=16, stdout_bytes=64 << 10)


@pytest.fixture
def box():
    """A sandbox on a fresh work dir, holding a uid slot for the test's duration."""
    cache = grade_cache()
    work = cache / "runs" / f"test-{uuid.uuid4().hex}"
    work.mkdir(parents=True)
    with uid_slot(cache / "slots") as uid:
        if uid is not None:
            os.chown(work, uid, uid)
        yield Sandbox(work, uid)
        if uid is not None:
            assert processes_of(uid) == [], "a process outlived its run"
    shutil.rmtree(work)


@pytest.fixture
def outside():
    """A world-readable, world-writable host folder: only the sandbox can keep a learner out."""
    folder = grade_cache() / f"outside-{uuid.uuid4().hex}"
    folder.mkdir()
    folder.chmod(0o777)
    (folder / "marker").write_text("SECRET-MARKER")
    (folder / "marker").chmod(0o666)
    yield folder
    shutil.rmtree(folder)


def python(box: Sandbox, source: str, limits: Limits = TIGHT) -> sandbox.RunResult:
    (box.workdir / "p.py").write_text(source)
    return box.run(["/usr/bin/python3", "p.py"], limits)


def test_an_ordinary_program_runs_as_an_unprivileged_uid_without_the_environment(box, monkeypatch):
    monkeypatch.setenv("POLYPROF_SECRET_TOKEN", "hunter2")
    run = python(box, "import os; print(os.getuid(), sorted(os.environ))")
    assert run.ok, run.stderr
    uid, env = run.stdout.decode().split(" ", 1)
    assert int(uid) != 0
    assert "POLYPROF_SECRET_TOKEN" not in env


def test_a_busy_loop_is_stopped_by_the_cpu_limit(box):
    run = python(box, "while True: pass")
    assert run.status == "cpu_limit"
    assert run.returncode == 152
    assert "CPU time" in run.message()


def test_a_sleeper_is_killed_at_the_wall_clock(box):
    run = python(box, "import time; time.sleep(60)")
    assert run.status == "timeout"
    assert 2.9 < run.wall_s < 10
    assert "did not finish within 3 s" in run.message()


def test_a_fork_bomb_hits_the_process_limit_and_leaves_nothing_behind(box):
    run = python(box, "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass")
    assert run.status == "process_limit"
    assert "processes" in run.message()
    assert box.uid is None or processes_of(box.uid) == []


def test_unbounded_allocation_runs_out_of_memory(box):
    run = python(box, "x = []\nwhile True: x.append(bytearray(10**7))")
    assert run.status == "memory_limit"
    assert "200 MiB" in run.message()


def test_a_huge_file_stops_at_the_file_size_limit(box):
    run = python(box, "f = open('big', 'wb')\nwhile True: f.write(b'x' * 10**6)")
    assert run.status == "file_limit"
    assert (box.workdir / "big").stat().st_size <= TIGHT.fsize_mb << 20


def test_flooding_stdout_and_stderr_is_capped(box):
    run = python(
        box, "import sys\nwhile True: sys.stdout.write('x' * 99999); sys.stderr.write('y' * 999)"
    )
    assert run.status == "output_limit"
    assert len(run.stdout) <= TIGHT.stdout_bytes
    assert len(run.stderr) <= TIGHT.stderr_bytes


def test_the_hosts_loopback_is_unreachable():
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.5)
    port = server.getsockname()[1]
    cache = grade_cache()
    work = cache / "runs" / f"test-{uuid.uuid4().hex}"
    work.mkdir(parents=True)
    try:
        with uid_slot(cache / "slots") as uid:
            code = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2)"
            run = python(Sandbox(work, uid), code)
        assert run.status == "exit"
        assert b"ConnectionRefusedError" in run.stderr or b"unreachable" in run.stderr
        with pytest.raises(TimeoutError):
            server.accept()
    finally:
        server.close()
        shutil.rmtree(work)


def test_files_outside_cannot_be_read_or_written(box, outside):
    marker = outside / "marker"
    repo_file = Path(__file__).resolve()
    code = (
        "import os\n"
        f"for p in [{str(marker)!r}, {str(repo_file)!r}, '/etc/shadow', '/root']:\n"
        "    print(p, os.path.exists(p))\n"
        f"for p in [{str(outside / 'new')!r}, '/usr/escaped', '/tmp/x']:\n"
        "    try: open(p, 'w').write('escaped'); print('wrote', p)\n"
        "    except OSError as e: print('blocked', p, type(e).__name__)\n"
    )
    run = python(box, code)
    assert run.ok, run.stderr
    text = run.stdout.decode()
    assert f"{marker} False" in text
    assert f"{repo_file} False" in text
    assert "/etc/shadow False" in text
    assert "blocked /usr/escaped" in text
    assert not (outside / "new").exists()
    assert marker.read_text() == "SECRET-MARKER"
    assert not Path("/usr/escaped").exists()


def test_slots_give_concurrent_runs_distinct_uids():
    lock_dir = grade_cache() / "slots"
    with uid_slot(lock_dir) as first, uid_slot(lock_dir) as second:
        if first is None:
            pytest.skip("uid slots need root")
        assert first != second
        assert first >= UID_BASE and second >= UID_BASE


def test_missing_bubblewrap_is_refused_with_an_install_hint(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_binary", lambda: None)
    with pytest.raises(PolyprofError) as err:
        sandbox.require_bwrap()
    assert "apt-get install -y bubblewrap" in err.value.line()
    assert "--no-sandbox" in err.value.line()


@pytest.mark.parametrize(
    ("code", "stderr", "status"),
    [
        (0, b"", "ok"),
        (3, b"", "exit"),
        (152, b"", "cpu_limit"),
        (153, b"", "file_limit"),
        (1, b"Traceback...\nMemoryError\n", "memory_limit"),
        (2, b"fatal error: runtime: out of memory\n", "memory_limit"),
        (1, b"OSError: [Errno 27] File too large\n", "file_limit"),
        (1, b"BlockingIOError: [Errno 11] Resource temporarily unavailable\n", "process_limit"),
        (-9, b"", "signal"),
    ],
)
def test_classify_names_why_a_run_ended(code, stderr, status):
    assert classify(code, stderr, None) == status
