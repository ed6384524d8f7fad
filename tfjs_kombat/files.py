"""Atomic writes: a stage either leaves its previous output or a complete new one, never half."""

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


def umask_mode(mode):
    """mkstemp/mkdtemp make private files; give the result the modes a plain open() would."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def write_bytes(path, data):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, umask_mode(0o666))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_json(path, obj):
    write_bytes(path, (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode())


@contextmanager
def replacing_dir(path):
    """Yield a fresh temporary folder that replaces `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    os.chmod(tmp, umask_mode(0o777))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = path.with_name(f".{path.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def move_all(paths, folder):
    """Move files into a folder on their disk (renames) -> their new paths; if one move fails, take
    back the others."""
    moved = []
    try:
        for path in paths:
            os.replace(path, folder / path.name)
            moved.append(folder / path.name)
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        raise
    return moved


def save_model(model, path):
    """Save a Keras model beside its target and rename it over: never a half-written model."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".partial-{path.name}")
    model.save(partial)
    os.replace(partial, path)
