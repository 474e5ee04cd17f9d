"""A per-user cache of plain data worked out from packaged files, so that a start skips it.

Indexing the gazetteer (folding some 400,000 names) costs every ``kg`` process more than a
second; the index depends on nothing but the table, so it is kept here between runs. What
is cached is plain data (strings, numbers, lists, tuples, dicts) in :mod:`marshal`'s format,
which builds values and never runs code, unlike pickle. Each entry is named by a key that
the caller derives from the source's bytes (so a changed source is never answered from an
old entry) and by the format of this module and of ``marshal`` (so a new Python never reads
an old one's file). A file holds a header, the key again and a SHA-256 of its payload: a
torn or damaged file is noticed, ignored with a warning, and written anew.

The cache lives in ``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/conflict-kg``, else
``~/.cache/conflict-kg``; ``KG_CACHE_DIR=""`` turns it off. It is read only from a
directory and files owned by the user and writable by nobody else, so another account cannot
plant an entry. Nothing here is needed: a cache that cannot be read or written (a read-only
home, a full disk) only means the work is done again.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import marshal
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "CACHE_ENV", "cache_dir", "collector_paused", "digest", "read", "read_tuple", "write",
]

log = logging.getLogger(__name__)

CACHE_ENV = "KG_CACHE_DIR"
FORMAT = 1  # of the files written here; raise it when the layout below changes
_MAGIC = b"conflict-kg cache\n"
_SUFFIX = ".marshal"
_TAG = f"f{FORMAT}-m{marshal.version}-{sys.implementation.cache_tag}"


def cache_dir() -> Path | None:
    """Where cached entries go, or None when the cache is turned off."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit is not None:
        return Path(explicit).expanduser() if explicit.strip() else None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "conflict-kg"


def digest(data: bytes) -> str:
    """A key for an entry made from ``data``: the start of its SHA-256, in hex."""
    return hashlib.sha256(data).hexdigest()[:32]


def _path(folder: Path, name: str, key: str) -> Path:
    return folder / f"{name}-{key}-{_TAG}{_SUFFIX}"


def _private(mode: int) -> bool:
    """Owned by this user and writable by no one else (always so where there are no uids)."""
    return not hasattr(os, "getuid") or not mode & (stat.S_IWGRP | stat.S_IWOTH)


def _owned(info: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def _safe_folder(folder: Path) -> bool:
    try:
        info = folder.stat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if not (_owned(info) and _private(info.st_mode)):
        log.warning(
            "not using the cache in %s: the folder must be yours and writable by you alone",
            folder,
        )
        return False
    return True


def read(name: str, key: str) -> object | None:
    """The value cached under ``name`` and ``key``, or None if there is none to trust."""
    folder = cache_dir()
    if folder is None:
        return None
    path = _path(folder, name, key)
    if not path.exists() or not _safe_folder(folder):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        log.debug("cannot open %s: %s", path, error)
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or not (_owned(info) and _private(info.st_mode)):
            log.warning("ignoring the cache file %s: not yours alone", path)
            return None
        try:
            data = handle.read()
        except OSError as error:
            log.warning("ignoring the cache file %s: %s", path, error)
            return None
    header = _MAGIC + key.encode("ascii") + b"\n"
    body = data[len(header) + 32 :]
    if not data.startswith(header) or data[len(header) : len(header) + 32] != _sha(body):
        log.warning("ignoring the damaged cache file %s (it will be written again)", path)
        return None
    try:
        return marshal.loads(body)
    except (EOFError, ValueError, TypeError) as error:  # cannot happen for a file we wrote
        log.warning("ignoring the cache file %s: %s", path, error)
        return None


def read_tuple(name: str, key: str, shape: tuple[type, ...], what: str) -> tuple[Any, ...] | None:
    """The value cached under ``name`` and ``key`` when it is a tuple of the types ``shape``
    (an entry of another version's layout is ignored with a warning naming ``what``)."""
    value = read(name, key)
    if value is None:
        return None
    if (
        isinstance(value, tuple)
        and len(value) == len(shape)
        and all(isinstance(v, t) for v, t in zip(value, shape, strict=True))
    ):
        return value
    log.warning("ignoring the cached %s: not what this version writes", what)
    return None


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while many objects are made at once (an index read
    or built): its passes over them would find nothing to free."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write(name: str, key: str, value: Any) -> None:
    """Keep ``value`` (plain data) under ``name`` and ``key``, replacing the entries of other
    keys of that name written by this Python (a source that changed); quietly nothing if the
    cache is not writable."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        log.debug("cannot make the cache folder %s: %s", folder, error)
        return
    if not _safe_folder(folder):
        return
    path = _path(folder, name, key)
    body = marshal.dumps(value)
    temporary = None
    try:
        # mkstemp makes the file readable and writable by its owner only
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC + key.encode("ascii") + b"\n" + _sha(body))
            handle.write(body)
        os.replace(temporary, path)
    except OSError as error:
        log.debug("cannot write the cache file %s: %s", path, error)
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return
    for old in folder.glob(f"{name}-*-{_TAG}{_SUFFIX}"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
