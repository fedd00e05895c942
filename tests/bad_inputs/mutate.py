"""Small editing tools the catalogue of bad inputs uses on a copy of the county cut."""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tests.bad_inputs.county import GPKG, config_text

__all__ = ["config", "csv_edit", "layer", "replace_text", "shapefile", "shifted", "truncate"]


def layer(folder: Path, name: str, edit: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame], *,
          file: str = GPKG) -> None:
    """Rewrite one layer of a GeoPackage through ``edit`` (the other layers stay)."""
    path = folder / file
    gdf = gpd.read_file(path, layer=name)
    edit(gdf).to_file(path, layer=name)


def shifted(dx: float = 0.0, dy: float = 0.0, *, declare: str | None = None,
            swap: bool = False) -> Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]:
    """An edit moving every coordinate (and/or declaring another CRS, or swapping x/y)."""

    def edit(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        def move(xy: np.ndarray) -> np.ndarray:
            out = xy[:, ::-1].copy() if swap else xy.copy()
            out[:, 0] += dx
            out[:, 1] += dy
            return out

        geoms = shapely.transform(gdf.geometry.to_numpy(), move)
        crs = declare if declare is not None else gdf.crs
        return gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=None)).set_crs(
            crs, allow_override=True)

    return edit


def rows(n: int, column: str, value: object | Callable[[pd.Series], pd.Series]
         ) -> Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]:
    """An edit setting ``column`` of the first ``n`` rows (a value or a function of them)."""

    def edit(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        gdf = gdf.copy()
        idx = gdf.index[:n]
        gdf.loc[idx, column] = value(gdf.loc[idx, column]) if callable(value) else value
        return gdf

    return edit


def config(folder: Path, **kwargs: object) -> None:
    """Rewrite the case's config with :func:`config_text` arguments."""
    (folder / "config.toml").write_text(config_text(**kwargs), encoding="utf-8")


def replace_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def csv_edit(path: Path, edit: Callable[[pd.DataFrame], pd.DataFrame], *,
             encoding: str = "utf-8") -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame).to_csv(path, index=False, encoding=encoding)


def shapefile(folder: Path, *, encoding: str = "GBK", cpg: str | None = "GBK",
              edit: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None) -> Path:
    """Write the cut's DLTB as ``shp/DLTB.shp`` (text in ``encoding``) and point the config at it.

    ``cpg``: the .cpg content to leave (``None``: no .cpg file).
    """
    gdf = gpd.read_file(folder / GPKG, layer="DLTB")
    if edit is not None:
        gdf = edit(gdf)
    out = folder / "shp"
    out.mkdir(exist_ok=True)
    shp = out / "DLTB.shp"
    gdf.to_file(shp, encoding=encoding)
    cpg_path = shp.with_suffix(".cpg")
    if cpg is None:
        cpg_path.unlink(missing_ok=True)
    else:
        cpg_path.write_text(cpg, encoding="ascii")
    config(folder, landuse_path="shp/DLTB.shp", landuse_layer=None)
    return shp


def truncate(path: Path, *, keep: float | int) -> None:
    """Cut a file to ``keep`` bytes (an int) or to that share of its size (a float)."""
    size = path.stat().st_size
    n = keep if isinstance(keep, int) else int(size * keep)
    with path.open("r+b") as fh:
        fh.truncate(n)


def dbf_record_count(path: Path, n: int) -> None:
    """Write another record count into a .dbf header (bytes 4-7)."""
    with path.open("r+b") as fh:
        fh.seek(4)
        fh.write(struct.pack("<I", n))


def symlink_loop(path: Path) -> None:
    """Replace ``path`` by a symbolic link that points at itself through a second link."""
    other = path.with_name(path.name + ".loop")
    path.unlink(missing_ok=True)
    os.symlink(other.name, path)
    os.symlink(path.name, other)
