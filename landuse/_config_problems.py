"""The collector of one config file's problems, and how a config names a file.

Shared by the config parser and its parts; kept apart from :mod:`landuse.config` so that
the parts of the parser (:mod:`landuse._config_region`) can take them without importing
the parser back.
"""

from __future__ import annotations

from pathlib import Path

from landuse.errors import ConfigError

__all__ = ["Problems", "config_relative", "resolve_path"]


class Problems:
    """Collects the problems of one config file; raises them all at once."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(f"{key}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            head = (
                f"配置文件有误 invalid config {self.source}: {n} problem{'s' * (n != 1)}"
            )
            raise ConfigError(head + "\n  - " + "\n  - ".join(self.items))


def config_relative(base: Path, text: str) -> Path:
    """Return the path that ``text``, written in a config in the folder ``base``, names.

    ``~`` is expanded and links are followed; it may raise (see :func:`resolve_path`).
    """
    return (base / Path(text).expanduser()).resolve()


def resolve_path(text: str, base: Path, key: str, problems: Problems) -> Path | None:
    """Return the file or folder ``text`` names, relative to the config's folder ``base``.

    ``~`` is expanded and symbolic links are followed. A path that cannot be followed (a
    loop of links, a NUL character, an unknown ``~user``) or does not exist is added to
    ``problems`` under ``key`` with the fix, and None is returned.
    """
    try:
        path = config_relative(base, text)
        exists = path.exists()
    except (RuntimeError, OSError, ValueError) as exc:
        reason = str(exc).lower()
        fix = ("a loop of symbolic links; point it at the real file" if "loop" in reason
               else "no such home folder; write the full path" if "home" in reason
               else "not a usable file name; write the path again")
        problems.add(key, f"cannot follow {text!r} ({exc}): {fix}")
        return None
    if not exists:
        problems.add(key, f"文件不存在 file not found: {text!r} (looked for {path}); paths are "
                     "relative to the config file - fix the path or move the file there")
        return None
    return path
