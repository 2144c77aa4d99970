"""TinyDB storages that hold when several processes share files: atomic, durable, private.
Kept as small as TinyDB's own `storages.py`; locking and revisions live beside them.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import orjson
from tinydb import Storage
from tinydb.middlewares import Middleware

from store.errors import CorruptCaseFile, UnreadableFile, WriteFailed

TEMP_SUFFIX = ".tmp"
_OTHER_BITS = 0o007

Signature = tuple[int, int, int, int]  # (st_dev, st_ino, st_size, st_mtime_ns)

# Beyond any real case (years of events and their audit trail are a few MB); a bigger case file is
# damage or an attack, and is not read into memory. The settings and the caches are not capped: the
# export records in the settings only grow.
MAX_CASE_FILE_BYTES = 64 << 20

_umask_lock = threading.Lock()
_umask: int | None = None


def process_umask() -> int:
    """The process umask, read once.

    Reading it with os.umask() means setting it, which races with any thread creating a file at that
    moment; Linux shows it in /proc/self/status, so that is tried first, under a lock in any case.
    """
    global _umask
    with _umask_lock:
        if _umask is None:
            _umask = _umask_from_proc()
            if _umask is None:
                # 0o077 for that instant: a file another thread creates meanwhile comes out stricter.
                _umask = os.umask(0o077)
                os.umask(_umask)
        return _umask


def _umask_from_proc() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def private_file_mode() -> int:
    """Mode for new files: what the umask allows, never anything for "other" (a group may share)."""
    return 0o666 & ~process_umask() & ~_OTHER_BITS


def private_dir_mode() -> int:
    return 0o777 & ~process_umask() & ~_OTHER_BITS


def is_group_shared(directory: Path) -> bool:
    """A setgid folder (`rounds init --shared-group`): what is made in it belongs to the team."""
    try:
        return bool(os.stat(directory).st_mode & stat.S_ISGID)
    except OSError:
        return False


def new_file_mode(directory: Path) -> int:
    """Mode for a new file in `directory`: private, plus group read/write in a team's setgid folder
    whatever the umask, so one clinician's umask cannot lock colleagues out of a case or its lock."""
    mode = private_file_mode()
    return mode | 0o060 if is_group_shared(directory) else mode


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new entry in `directory` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_private_dirs(directory: Path) -> None:
    """Create `directory` and any missing parents, each with the private directory mode."""
    missing = []
    probe = Path(directory)
    while not probe.is_dir():
        missing.append(probe)
        probe = probe.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, private_dir_mode())
        except FileExistsError:
            continue  # another process made it first; theirs is private too
        if is_group_shared(path.parent):
            # The kernel passes the group and the setgid bit on; the umask may have taken group access.
            with suppress(PermissionError):
                os.chmod(path, private_dir_mode() | 0o2070)
        fsync_dir(path.parent)


def temp_path_for(path: Path) -> Path:
    """A fresh temp file name beside `path`: hidden, and recognisable as ours by its suffix."""
    # os.urandom(4).hex() is what secrets.token_hex(4) returns, without importing secrets (and random,
    # base64, hashlib) into every command that saves something.
    return path.with_name(f".{path.name}.{os.urandom(4).hex()}{TEMP_SUFFIX}")


def is_temp_for(name: str, target_name: str) -> bool:
    return name.startswith(f".{target_name}.") and name.endswith(TEMP_SUFFIX)


def _mode_for(path: Path) -> tuple[int, int | None]:
    """Mode (and group) for the file that will replace `path`.

    A replaced file keeps its mode and group minus "other", so one clinician with a strict umask
    does not lock the rest of a group-sharing team out of a case they update.
    """
    try:
        old = os.stat(path)
    except FileNotFoundError:
        return new_file_mode(path.parent), None
    return (stat.S_IMODE(old.st_mode) | stat.S_IRUSR | stat.S_IWUSR) & 0o770, old.st_gid


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` so that a crash at any instant leaves the old or the new file, whole.

    `durable=False` skips the fsyncs: only for caches, which are rebuilt when lost.
    """
    try:
        _write_replacing(path, data, durable)
    except WriteFailed:
        raise
    except OSError as error:
        # The OS says what (disk full, read-only, permission) but, for a failed write, not where.
        raise WriteFailed(path, error) from None


def _write_replacing(path: Path, data: bytes, durable: bool) -> None:
    mode, group = _mode_for(path)
    temp = temp_path_for(path)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    except OSError as error:
        raise WriteFailed(path, error) from None
    try:
        try:
            os.fchmod(fd, mode)  # the umask may have removed group bits we keep
            if group is not None and group != os.getegid():
                with suppress(PermissionError):
                    os.fchown(fd, -1, group)
            _write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException as error:
        with suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError) and not isinstance(error, WriteFailed):
            raise WriteFailed(path, error) from None
        raise
    if durable:
        fsync_dir(path.parent)


def _write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is out (a write may take fewer bytes than it was given)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def read_file(path: Path, kind: str = "file", limit: int | None = None) -> tuple[bytes, os.stat_result] | None:
    """The bytes of `path` and the stat of the very inode they came from; None if it does not exist.

    Only a regular file is read, never through a link (Rounds never makes one), never blocking (a named
    pipe put in a case file's place would hang every listing), and at most `limit` bytes. Anything
    else is a CorruptCaseFile naming it; a file the caller may not read (a colleague's umask 077) is
    an UnreadableFile. Every listing skips either with a warning.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except PermissionError as error:
        raise UnreadableFile(path, kind, error) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise CorruptCaseFile(path, kind, reason="it is a symbolic link, which Rounds never makes") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CorruptCaseFile(path, kind, reason="it is not a regular file")
        too_large = limit is not None and info.st_size > limit
        data = b"" if too_large else _read_all(fd, info.st_size, limit)
    finally:
        os.close(fd)
    if limit is not None and (too_large or len(data) > limit):
        raise CorruptCaseFile(path, kind, reason=f"it is larger than {limit >> 20} MiB, more than any real case")
    return data, info


def _read_all(fd: int, size: int, limit: int | None) -> bytes:
    """Every byte of the open file (more than `limit` only by one, to tell it was longer). Plain
    os.read calls: a buffered file object per case file was a third of the time of reading one."""
    parts = [b""]
    total = 0
    while limit is None or total <= limit:
        want = max(size + 1 - total, 1 << 16)
        chunk = os.read(fd, want if limit is None else min(want, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return parts[-1] if len(parts) <= 2 else b"".join(parts)  # b"" for an empty file


def parse_tables(raw: bytes, path: Path, kind: str = "case file") -> dict[str, Any] | None:
    """Parse a TinyDB file's bytes; None for an empty file, CorruptCaseFile for anything unreadable."""
    if not raw:
        return None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise CorruptCaseFile(path, kind) from None
    if not _is_tinydb_shape(data):
        raise CorruptCaseFile(path, kind)
    return data


def _is_tinydb_shape(data: Any) -> bool:
    """{table name: {document id (digits): document (object)}}, as TinyDB reads and writes it."""
    # Builtins mapped over the keys and values rather than a generator per table: this runs on every
    # case file of every list and export. (orjson gives plain dicts, never subclasses.)
    if type(data) is not dict:
        return False
    for table in data.values():
        if type(table) is not dict or not all(map(str.isdigit, table)) or \
                not all(type(doc) is dict for doc in table.values()):
            return False
    return True


class AtomicJSONStorage(Storage):
    """A TinyDB JSON file written by atomic replace (never in place), parsed and dumped with orjson."""

    def __init__(self, path: str | Path, *, kind: str = "case file", durable: bool = True):
        super().__init__()
        self.path, self.kind, self.durable = Path(path), kind, durable
        self.signature: Signature | None = None

    def read(self) -> dict[str, Any] | None:
        limit = MAX_CASE_FILE_BYTES if self.kind == "case file" else None
        found = read_file(self.path, self.kind, limit)
        if found is None:
            self.signature = None
            return None
        raw, info = found
        self.signature = signature_of(info)
        return parse_tables(raw, self.path, self.kind)

    def write(self, data: dict[str, Any]) -> None:
        atomic_write_bytes(self.path, orjson.dumps(data), durable=self.durable)


class BufferedStorage(Middleware):
    """Read the file once and write it once, on `commit()`, however many tables an action changed.

    Unlike TinyDB's CachingMiddleware, closing never writes: an action that fails half-way leaves
    the file exactly as it was.
    """

    def __init__(self, storage_cls: Callable[..., AtomicJSONStorage] = AtomicJSONStorage):
        super().__init__(storage_cls)
        self._data: dict[str, Any] | None = None
        self._loaded = False
        self.dirty = False

    @property
    def atomic(self) -> AtomicJSONStorage:
        """The file storage underneath (made by TinyDB when it opens the file)."""
        storage = self.storage
        assert isinstance(storage, AtomicJSONStorage)
        return storage

    def read(self) -> dict[str, Any] | None:
        if not self._loaded:
            self._data = self.storage.read()
            self._loaded = True
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        self._loaded = True
        self.dirty = True

    def commit(self) -> None:
        if self.dirty and self._data is not None:
            self.storage.write(self._data)
            self.dirty = False

    def close(self) -> None:
        self.storage.close()


def signature_of(info: os.stat_result) -> Signature:
    """What tells us cheaply that a file changed: an atomic replace always gives a new inode."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
