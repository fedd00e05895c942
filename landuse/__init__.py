"""landuse: county land-resource supervision for China.

Readers for the 三调 land-use survey and the 三区三线 layers, indicators by county and
township against the plan's targets, redline checks, and the annual run.

The public modules are listed explicitly and loaded on first use (PEP 562): ``import
landuse`` does no work and loads no heavy dependency (``landuse --version`` answers at
once); ``landuse.io``, ``landuse.run`` ... load their module when first named.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from landuse.version import __version__

if TYPE_CHECKING:
    from landuse import (
        county,
        errors,
        findings,
        indicators,
        io,
        overlay,
        redlines,
        rules,
        run,
        units,
    )

_PUBLIC = ("county", "errors", "findings", "indicators", "io", "overlay", "redlines",
           "rules", "run", "units")

__all__ = [
    "__version__",
    "county",
    "errors",
    "findings",
    "indicators",
    "io",
    "overlay",
    "redlines",
    "rules",
    "run",
    "units",
]


def __getattr__(name: str) -> Any:
    """Load a public module on first use (``landuse.io``, ``landuse.run`` ...)."""
    if name in _PUBLIC:
        return importlib.import_module(f"landuse.{name}")
    raise AttributeError(f"module 'landuse' has no attribute {name!r}")
