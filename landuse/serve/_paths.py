"""Confinement of every file a request names to ``--data-root``.

A request may name a file only by a relative path under the data root: no absolute path,
no ``..``, no backslash or drive letter, and no symlink that resolves outside the root
(checked with ``Path.resolve().is_relative_to``). The files a config names are confined
by :func:`landuse.config.load_config` with ``confine_to=`` (checked on the raw TOML before
any of them is opened).
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from landuse.serve._errors import RequestRejected

__all__ = ["resolve_under"]


def resolve_under(root: Path, name: Any, *, what: str) -> Path:
    """Resolve a client-given relative path under ``root``, refusing any escape.

    Parameters
    ----------
    root : Path
        The data root, already resolved (absolute, no symlinks).
    name : object
        The value of the request input; must be a non-empty relative POSIX path string.
    what : str
        The input's name, for messages (``"config"``).

    Returns
    -------
    Path
        The resolved absolute path of an existing file under ``root``.

    Raises
    ------
    RequestRejected
        400 for an absolute path, ``..``, a backslash, a NUL or a symlink out of the root;
        404 when the file does not exist.
    """
    if not isinstance(name, str) or not name.strip():
        raise RequestRejected(
            f"input '{what}' must be a path relative to the data root, e.g. "
            f"'huantai/config.toml'; got {name!r}", code="MissingParameterValue")
    bad = ("\\" in name or "\x00" in name or PurePosixPath(name).is_absolute()
           or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive
           or ".." in PurePosixPath(name).parts)
    if bad:
        raise RequestRejected(
            f"input '{what}' = {name!r} is refused: only relative paths under the data "
            "root are allowed (no absolute path, no '..', no backslash)")
    candidate = root / name
    try:
        resolved = candidate.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise RequestRejected(
            f"input '{what}': {name!r} does not exist under the data root",
            status=HTTPStatus.NOT_FOUND, code="NotFound") from None
    except (OSError, RuntimeError):  # symlink loop, permission
        raise RequestRejected(f"input '{what}': {name!r} cannot be resolved") from None
    if not resolved.is_relative_to(root):
        raise RequestRejected(
            f"input '{what}' = {name!r} is refused: it resolves outside the data root "
            "(a symbolic link pointing out)")
    if not resolved.is_file():
        raise RequestRejected(f"input '{what}': {name!r} is not a file")
    return resolved
