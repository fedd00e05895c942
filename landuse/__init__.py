"""landuse: county land-resource supervision for China.

Readers for the 三调 land-use survey and the 三区三线 layers, indicators by county and
township against the plan's targets, redline checks, and the annual run.

The public modules are imported explicitly; importing ``landuse`` does no work.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("landuse")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from landuse import (
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

__all__ = [
    "__version__",
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
