"""The collector of one config file's problems, shared by the config parser and its parts.

Kept apart from :mod:`landuse.config` so that the parts of the parser
(:mod:`landuse._config_region`) can take it without importing the parser back.
"""

from __future__ import annotations

from pathlib import Path

from landuse.errors import ConfigError

__all__ = ["Problems"]


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
