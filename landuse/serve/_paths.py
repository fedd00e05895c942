"""Confinement of every file a request names to ``--data-root``.

A request may name a file only by a relative path under the data root: no absolute path,
no ``..``, no backslash or drive letter, and no symlink that resolves outside the root
(checked with ``Path.resolve().is_relative_to``). A config read from the root is checked
the same way for every file it refers to, so a config cannot reach outside either.
"""

from __future__ import annotations

import os
from http import HTTPStatus
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from landuse.config import Config
from landuse.serve._errors import RequestRejected

__all__ = ["check_config_confined", "config_paths", "resolve_under"]


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


def config_paths(cfg: Config) -> list[tuple[str, Path]]:
    """Every file a loaded config refers to, as ``(config key, absolute path)`` pairs."""
    out: list[tuple[str, Path]] = []
    for role, src in cfg.layers.items():
        out.append((f"layers.{role}.path", src.path))
    for role, tsrc in cfg.tables.items():
        out.append((f"tables.{role}.path", tsrc.path))
        if tsrc.parcels is not None:
            out.append((f"tables.{role}.parcels", tsrc.parcels))
    for role, rsrc in cfg.rasters.items():
        out.append((f"rasters.{role}.path", rsrc.path))
        if rsrc.classes is not None:
            out.append((f"rasters.{role}.classes", rsrc.classes))
    if cfg.targets is not None:
        out.append(("targets.path", cfg.targets))
    rules = getattr(cfg, "rules", None)
    if isinstance(rules, str | Path) and Path(rules).is_absolute():
        out.append(("rules", Path(rules)))
    return out


def check_config_confined(cfg: Config, root: Path, *, name: str,
                          where: str = "the data root") -> None:
    """Refuse a config that refers to a file outside ``root`` (directly or by a symlink).

    ``where`` names ``root`` in the message (the data root, or an uploaded archive).

    Raises
    ------
    RequestRejected
        400 naming the config key and the offending path relative to the config's folder.
    """
    outside = []
    for key, path in config_paths(cfg):
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(root):
            # relative to the config, as written: no server folders in the answer
            shown = os.path.relpath(path, cfg.base_dir) if cfg.base_dir else Path(path).name
            outside.append(f"{key} = {Path(shown).as_posix()}")
    if outside:
        raise RequestRejected(
            f"config {name!r} refers to files outside {where}, which this service may "
            f"not read: {'; '.join(outside)}. Put the inputs in {where} and use "
            "relative paths.")
