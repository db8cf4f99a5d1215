"""One submission's private corner of the grading cache, from copy-in to cleanup.

The learner's files are copied (regular files only: a symlink to /etc/shadow must not be
followed by root) into a fresh directory owned by the run's uid. Reference runs get their
own scratch directory, so a submission can never plant files a reference run would see.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

from ..errors import PolyprofError
from . import gotools
from .sandbox import Sandbox, require_bwrap, uid_slot

MAX_FILES = 200
MAX_BYTES = 16 << 20
REF_BIN = "/ref/prog"
REF_PY = "/ref/main.py"


@dataclasses.dataclass
class Workspace:
    root: Path
    uid: int | None
    box: Sandbox  # the submission's sandbox
    ref_box: Sandbox  # where reference runs happen
    gocache: Path | None  # the submission's private GOCACHE (host path)

    @property
    def work(self) -> Path:
        return self.box.workdir


@contextlib.contextmanager
def open_workspace(
    submission: Path | None, references: dict[str, Path], sandbox: bool = True
) -> Iterator[Workspace]:
    """Hold a uid, lay out the directories, and remove them whatever happens."""
    if sandbox:
        require_bwrap()
    cache = gotools.grade_cache()
    with uid_slot(cache / "slots") as uid:
        runs = cache / "runs"
        runs.mkdir(exist_ok=True)
        runs.chmod(0o755)
        root = runs / uuid.uuid4().hex
        root.mkdir(mode=0o755)
        try:
            work, ref_work = root / "work", root / "ref"
            for path in (work, ref_work):
                path.mkdir()
                _own(path, uid)
            if submission is not None:
                copy_submission(submission, work, uid)
            (work / "go.mod").write_text(gotools.go_mod_text(), encoding="utf-8")
            _own(work / "go.mod", uid)
            readonly = [gotools.sandbox_goroot()] if "go" in references or submission else []
            gocache = gotools.private_cache(root / "gocache", uid) if readonly else None
            binds = [(gocache, "/gocache", True)] if gocache else []
            ref_binds = [
                (path, REF_BIN if language == "go" else REF_PY, False)
                for language, path in references.items()
            ]
            yield Workspace(
                root=root,
                uid=uid,
                box=Sandbox(work, uid, sandbox, readonly=readonly, binds=binds),
                ref_box=Sandbox(ref_work, uid, sandbox, binds=ref_binds),
                gocache=gocache,
            )
        finally:
            shutil.rmtree(root, ignore_errors=True)


def _own(path: Path, uid: int | None) -> None:
    if uid is not None:
        os.chown(path, uid, uid, follow_symlinks=False)


def copy_submission(src: Path, dest: Path, uid: int | None) -> None:
    """Copy regular files and directories only, within a size budget; skip everything else."""
    count = total = 0
    for folder, dirs, files in os.walk(src):
        rel = Path(folder).relative_to(src)
        dirs[:] = sorted(d for d in dirs if not (Path(folder) / d).is_symlink())
        for name in sorted(files):
            path = Path(folder) / name
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue
            count += 1
            total += info.st_size
            if count > MAX_FILES or total > MAX_BYTES:
                raise PolyprofError(
                    f"submission is larger than {MAX_FILES} files or {MAX_BYTES >> 20} MiB", src
                )
            target = dest / rel / name
            target.parent.mkdir(parents=True, exist_ok=True)
            _own(target.parent, uid)
            shutil.copyfile(path, target, follow_symlinks=False)
            _own(target, uid)
