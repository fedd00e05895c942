"""Uploaded layer sets: a ZIP archive of a county folder, checked and unpacked safely.

The ``indicators`` process accepts, instead of a config under ``--data-root``, the county
folder itself as a base64 ZIP archive (``archive_base64``): a run config (``config.toml``
by default) and the files it names, by paths relative to the config. Before anything is
written, every member is checked: no absolute path, drive letter, backslash or ``..``, no
symbolic link, no member that is both a file and a folder (``a`` and ``a/b``) or named
twice, at most :data:`MAX_MEMBERS` members, and at most ``EXPANSION`` times the upload
limit once unpacked (counted on the bytes really written, not on the sizes the archive
declares, so a forged header cannot unpack a "zip bomb"). The bytes written also count
against a :class:`DiskBudget` shared by the uploads of every queued and running job.
"""

from __future__ import annotations

import base64
import binascii
import io
import shutil
import stat
import tempfile
import threading
import zipfile
from http import HTTPStatus
from pathlib import Path, PurePosixPath
from typing import Any, Final

from landuse.serve._errors import RequestRejected, busy

__all__ = ["EXPANSION", "MAX_MEMBERS", "DiskBudget", "unpack_archive"]

#: Most members an uploaded archive may hold.
MAX_MEMBERS: Final = 10_000
#: Unpacked size limit, as a multiple of the upload limit (--max-upload-bytes).
EXPANSION: Final = 10
_CHUNK: Final = 1 << 20


class DiskBudget:
    """Bytes the unpacked uploads of queued and running jobs may take together.

    Thread-safe: uploads unpacked at the same time take their bytes chunk by chunk, so
    together they never exceed ``total``.
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self._used: dict[Path, int] = {}
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        """Bytes taken now."""
        with self._lock:
            return sum(self._used.values())

    def take(self, folder: Path, size: int) -> bool:
        """Take ``size`` more bytes for ``folder``; False (nothing taken) when full."""
        with self._lock:
            if sum(self._used.values()) + size > self.total:
                return False
            self._used[folder] = self._used.get(folder, 0) + size
            return True

    def release(self, folder: Path) -> None:
        """Give back every byte taken for ``folder``."""
        with self._lock:
            self._used.pop(folder, None)


def unpack_archive(value: Any, parent: Path, *, limit: int,
                   budget: DiskBudget | None = None) -> Path:
    """Decode and unpack a base64 ZIP upload into a new folder under ``parent``.

    Parameters
    ----------
    value : object
        The ``archive_base64`` input (a base64 string of a ZIP archive).
    parent : Path
        Folder under which the new folder is made (the service's uploads folder).
    limit : int
        The upload limit in bytes: the archive may be at most this large, and unpack to at
        most ``EXPANSION * limit`` bytes.
    budget : DiskBudget, optional
        The disk budget of all uploads; the caller releases the folder's bytes
        (``budget.release(folder)``) when it removes the folder.

    Returns
    -------
    Path
        The new folder holding the archive's files (the caller removes it).

    Raises
    ------
    RequestRejected
        400 for invalid base64, a file that is not a ZIP archive, an unsafe member name, a
        symbolic link, an encrypted member, a name used twice or as both file and folder,
        or too many members; 413 above the size limits; 503 (retry later) while the
        uploads of other jobs fill the disk budget.
    """
    raw = _decode(value, limit)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError):
        raise RequestRejected("input 'archive_base64' is not a ZIP archive: send the county "
                              "folder (the config and the files it names) zipped") from None
    with archive:
        members = archive.infolist()
        _check_members(members)
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=parent, prefix="upload-"))
        try:
            _extract(archive, members, folder, EXPANSION * limit, budget)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            if budget is not None:
                budget.release(folder)
            raise
    return folder


def _decode(value: Any, limit: int) -> bytes:
    if not isinstance(value, str) or not value.strip():
        raise RequestRejected("input 'archive_base64' must be a base64 string of a ZIP archive",
                              code="MissingParameterValue")
    if len(value) > limit * 4 // 3 + 4:
        raise _too_large("the archive", len(value) * 3 // 4, limit)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise RequestRejected("input 'archive_base64' is not valid base64") from None


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise RequestRejected(f"the archive holds {len(members)} members; at most "
                              f"{MAX_MEMBERS} are accepted")
    if not any(not m.is_dir() for m in members):
        raise RequestRejected("the archive is empty: zip the county folder (the config and "
                              "the files it names)")
    for m in members:
        name = m.filename
        path = PurePosixPath(name)
        if ("\\" in name or "\x00" in name or path.is_absolute() or ".." in path.parts
                or (path.parts and ":" in path.parts[0])):
            raise RequestRejected(f"archive member {name!r} is refused: members must have "
                                  "relative paths inside the archive (no absolute path, "
                                  "drive, backslash or '..')")
        if stat.S_ISLNK(m.external_attr >> 16):
            raise RequestRejected(f"archive member {name!r} is a symbolic link; links are "
                                  "refused: zip the files themselves")
        if m.flag_bits & 0x1:
            raise RequestRejected(f"archive member {name!r} is encrypted; send an archive "
                                  "without a password")
    _check_collisions(members)


def _check_collisions(members: list[zipfile.ZipInfo]) -> None:
    """Refuse a name used twice, or used for a file and as a folder of another member."""
    files: set[tuple[str, ...]] = set()
    folders: set[tuple[str, ...]] = set()
    for m in members:
        parts = PurePosixPath(m.filename).parts
        folders.update(parts[:i] for i in range(1, len(parts)))
        if m.is_dir():
            folders.add(parts)
        elif parts in files:
            raise RequestRejected(f"archive member {m.filename!r} appears twice; send an "
                                  "archive where every name is used once")
        else:
            files.add(parts)
    clash = sorted(files & folders)
    if clash:
        name = "/".join(clash[0])
        raise RequestRejected(f"archive member {name!r} is a file, and other members are "
                              f"inside a folder {name + '/'!r}; a name cannot be both: "
                              "rename one of them")


def _extract(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], folder: Path,
             cap: int, budget: DiskBudget | None) -> None:
    written = 0
    for m in members:
        target = folder.joinpath(*PurePosixPath(m.filename).parts)
        if m.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(m) as src, target.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    written += len(chunk)
                    if written > cap:
                        raise _too_large("the unpacked archive", written, cap)
                    if budget is not None and not budget.take(folder, len(chunk)):
                        raise _no_room(written, budget.total)
                    dst.write(chunk)
        except (zipfile.BadZipFile, NotImplementedError, EOFError, zipfile.LargeZipFile,
                OSError) as exc:
            raise RequestRejected(f"archive member {m.filename!r} cannot be unpacked "
                                  f"({type(exc).__name__}: {exc})") from None


def _no_room(size: int, total: int) -> RequestRejected:
    if size > total:  # this upload alone is larger than the whole budget: never fits
        return RequestRejected(
            f"the unpacked archive is too large: more than {total} bytes, the disk budget "
            "of this server for uploads (--max-upload-disk)",
            status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    return busy(f"the uploads of queued and running jobs fill this server's disk budget "
                f"for uploads ({total} bytes, --max-upload-disk)")


def _too_large(what: str, size: int, limit: int) -> RequestRejected:
    return RequestRejected(f"{what} is too large: more than {limit} bytes ({size} seen); the "
                           "upload limit of this server is set by --max-upload-bytes (an "
                           f"archive may unpack to {EXPANSION} times it)",
                           status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
