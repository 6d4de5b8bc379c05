"""Files only their owner may read: the database, its backups and the PIN key (docs/security.md)."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

PRIVATE = 0o600  # files: the owner reads and writes, nobody else
PRIVATE_DIR = 0o700  # folders made for them


def create_private(path: Path) -> None:
    """An empty new file at ``path``, the owner's alone (SQLite then gives its ``-wal`` and
    ``-shm`` files the same mode). A file that appeared meanwhile is left as it is."""
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 0600) atomically and durably: a crash leaves either
    the old file or the whole new one, never half of one."""
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, PRIVATE)  # whatever the umask did
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # a platform without directory handles
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
