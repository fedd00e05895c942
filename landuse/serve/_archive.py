"""Uploaded layer sets: a ZIP archive of a county folder, checked and unpacked safely.

The ``indicators`` process accepts, instead of a config under ``--data-root``, the county
folder itself as a base64 ZIP archive (``archive_base64``): a run config (``config.toml``
by default) and the files it names, by paths relative to the config. Before anything is
written, every member is checked: no absolute path, drive letter, backslash or ``..``, no
symbolic link, at most :data:`MAX_MEMBERS` members, and at most ``EXPANSION`` times the
upload limit once unpacked (counted on the bytes really written, not on the sizes the
archive declares, so a forged header cannot unpack a "zip bomb").
"""

from __future__ import annotations

import base64
import binascii
import io
import shutil
import stat
import tempfile
import zipfile
from http import HTTPStatus
from pathlib import Path, PurePosixPath
from typing import Any, Final

from landuse.serve._errors import RequestRejected

__all__ = ["EXPANSION", "MAX_MEMBERS", "unpack_archive"]

#: Most members an uploaded archive may hold.
MAX_MEMBERS: Final = 10_000
#: Unpacked size limit, as a multiple of the upload limit (--max-upload-bytes).
EXPANSION: Final = 10
_CHUNK: Final = 1 << 20


def unpack_archive(value: Any, parent: Path, *, limit: int) -> Path:
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

    Returns
    -------
    Path
        The new folder holding the archive's files (the caller removes it).

    Raises
    ------
    RequestRejected
        400 for invalid base64, a file that is not a ZIP archive, an unsafe member name, a
        symbolic link, an encrypted member or too many members; 413 above the size limits.
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
            _extract(archive, members, folder, EXPANSION * limit)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
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


def _extract(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], folder: Path,
             budget: int) -> None:
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
                    if written > budget:
                        raise _too_large("the unpacked archive", written, budget)
                    dst.write(chunk)
        except (zipfile.BadZipFile, NotImplementedError, EOFError, zipfile.LargeZipFile,
                OSError) as exc:
            raise RequestRejected(f"archive member {m.filename!r} cannot be unpacked "
                                  f"({type(exc).__name__}: {exc})") from None


def _too_large(what: str, size: int, limit: int) -> RequestRejected:
    return RequestRejected(f"{what} is too large: more than {limit} bytes ({size} seen); the "
                           "upload limit of this server is set by --max-upload-bytes (an "
                           f"archive may unpack to {EXPANSION} times it)",
                           status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
