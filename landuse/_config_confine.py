"""Confinement of a config's files to one folder, checked before any file is opened.

Used by :func:`landuse.config.parse_config` with ``confine_to=ROOT`` (the HTTP service's
data root, or the folder of an uploaded archive). The raw TOML data is walked for every
value that names a file or folder - the keys ``path``, ``parcels``, ``classes`` at any
depth (``[layers.*]``, ``[tables.*]``, ``[rasters.*]``, ``[targets]``, ``[rules]``) and
``[region] counties`` - and each is resolved as the config would resolve it (relative to
the config's folder, ``~`` expanded) first lexically, then with symbolic links followed
(:func:`os.path.realpath`). A path that leaves the root either way is reported by its
config key only: nothing is opened, listed, hashed or stat-ed outside the root, and the
answer says nothing about the target (whether it exists, what it holds).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

__all__ = ["OUTSIDE", "outside_counties", "outside_keys"]

#: Keys whose string values are paths, at any depth of the config.
PATH_KEYS: Final = frozenset({"path", "parcels", "classes", "counties"})
#: The problem text of a path that leaves the root (the key is added by the caller).
OUTSIDE: Final = ("path outside the data root; this server reads only files under its data "
                  "root: put the file there and name it by a path relative to the config")


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def inside(base: Path, text: str, root: Path) -> bool:
    """Whether ``text`` (a path as written in a config in ``base``) stays under ``root``.

    The lexical form is checked first, so a path that names a place outside the root
    touches nothing there; only then are symbolic links followed (``realpath``), which
    reads links under the root and where they point, never the target's content.
    """
    try:
        joined = os.path.join(base, os.path.expanduser(text))
        real_root = os.path.realpath(root)
        if not _under(os.path.normpath(joined), real_root):
            return False
        return _under(os.path.realpath(joined), real_root)
    except (ValueError, OSError):  # NUL byte, unusable path: not a path under the root
        return False


def _paths(data: Any, key: str) -> Iterator[tuple[str, str]]:
    """Every ``(config key, path text)`` in the raw TOML data."""
    if isinstance(data, Mapping):
        for name, value in data.items():
            where = f"{key}.{name}" if key else str(name)
            if name in PATH_KEYS and isinstance(value, str):
                yield where, value
            elif name in PATH_KEYS and isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        yield f"{where}[{i}]", item
            else:
                yield from _paths(value, where)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _paths(item, f"{key}[{i}]")


def outside_keys(data: Mapping[str, Any], base: Path, root: Path) -> list[str]:
    """Return the keys of raw config ``data`` (a config in ``base``) naming paths outside.

    Empty when every path stays under ``root``.
    """
    return [key for key, text in _paths(data, "") if not inside(base, text, root)]


def outside_counties(counties: Sequence[Path], root: Path) -> list[str]:
    """Problems of the county files of a region config (listed from a folder under the root).

    A county file that is a link out of the root is reported; a county config (``.toml``)
    is read (it lies under the root) and its own paths are checked the same way, so the
    region run started from it cannot reach outside either.
    """
    out = []
    for i, path in enumerate(counties):
        key = f"region.counties[{i}]"
        if not inside(path.parent, path.name, root):
            out.append(key)
            continue
        if path.suffix.lower() != ".toml":
            continue
        try:
            with open(os.path.realpath(path), "rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue  # reported by the region run as that county's own error
        out += [f"{key} ({path.name}) {inner}" for inner in outside_keys(data, path.parent,
                                                                         root)]
    return out
