"""Raster inputs of the prepared county: the land-cover raster and its class table.

The read phase opens and checks a land-cover raster once (:func:`open_landcover`, on
:func:`landuse.io.raster.open_raster`) and reads its class table; the computations take the
result, a :class:`LandCover`, whose ``source`` is any :class:`PixelSource`: an object that
tabulates the raster by zone, reading its pixels window by window (bounded memory). The
land-cover indicators (:mod:`landuse.indicators.landcover`) therefore import no reader; a
path given to them in a notebook is opened here, as the run's read phase does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import pandas as pd

from landuse.io.raster import EdgeRule, open_raster, read_landcover_classes

__all__ = ["EdgeRule", "LandCover", "PixelSource", "class_table", "open_landcover"]


class PixelSource(Protocol):
    """What the land-cover computations need of a raster (e.g. ``io.raster.RasterSource``).

    ``value_areas`` tabulates the raster's values by zone (columns ``zone``, ``value``,
    ``pixels``, ``area_m2``; ``attrs`` ``edge``, ``crs``, ``raster`` and the findings),
    reading the pixels window by window.
    """

    @property
    def name(self) -> str:
        """The raster's name, for messages."""
        ...

    def value_areas(self, zones: gpd.GeoDataFrame, *, by: str = ..., edge: EdgeRule = ...,
                    window_rows: int | None = ...) -> pd.DataFrame:
        """Tabulate the raster's values by zone."""
        ...


@dataclass(frozen=True)
class LandCover:
    """A land-cover raster, opened and checked, and its class table (``None``: no table)."""

    source: PixelSource
    classes: pd.DataFrame | None = None


def open_landcover(raster: str | Path | PixelSource,
                   classes: str | Path | pd.DataFrame | None = None) -> LandCover:
    """Open a land-cover raster and read its class table (the read phase, done once).

    The run's read phase calls it for ``[rasters.landcover]``; the land-cover functions call
    it for a path given in a notebook. A :class:`PixelSource` or a table already read is
    taken as it is (no file is touched).

    Raises
    ------
    InputFileError, CRSError, SchemaError
        From :func:`landuse.io.raster.open_raster` and
        :func:`landuse.io.raster.read_landcover_classes`, naming the file and the fix.
    """
    source = open_raster(raster) if isinstance(raster, str | Path) else raster
    return LandCover(source, class_table(classes))


def class_table(classes: str | Path | pd.DataFrame | None) -> pd.DataFrame | None:
    """Return the class table, read from its CSV when given a path, else as given.

    The CSV is read by :func:`landuse.io.raster.read_landcover_classes`.
    """
    return read_landcover_classes(classes) if isinstance(classes, str | Path) else classes
