"""The zones of a tabulation: layer B grouped by its keys, dissolved only where needed.

Step 1 of ``docs/overlay.md``: features of one key that overlap (interiors intersect) are
dissolved into one geometry; the others are kept as they are, since the pieces of
non-overlapping features of one key add up exactly.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse.geom.tiles import polygonal

__all__ = ["group_codes", "overlap_components", "prepare_zones", "take_rows"]


def prepare_zones(b: gpd.GeoDataFrame, keys: list[str]
                  ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Zone geometries, their key code and the key table (one row per code) of ``b``."""
    g = np.asarray(b.geometry.array, dtype=object)
    ok = ~(shapely.is_missing(g) | shapely.is_empty(g))
    pos = np.flatnonzero(ok)
    if keys:
        codes_all = group_codes(b, keys, sort=True)
        uniq, first = np.unique(codes_all, return_index=True)
        table = take_rows(b, keys, first)
        remap = np.full(codes_all.max() + 1 if len(codes_all) else 0, -1, dtype=np.int64)
        remap[uniq] = np.arange(len(uniq))
        codes = remap[codes_all[pos]] if len(pos) else np.zeros(0, dtype=np.int64)
    else:
        codes = np.zeros(len(pos), dtype=np.int64)
        table = pd.DataFrame(index=pd.RangeIndex(1))
    geoms = g[pos]
    label = overlap_components(geoms, codes)
    single = np.bincount(label, minlength=len(geoms))[label] == 1
    out_geoms = list(geoms[single])
    out_codes = list(codes[single])
    multi = np.unique(label[~single])
    for lab in multi:
        members = np.flatnonzero(label == lab)
        out_geoms.append(shapely.union_all(geoms[members]))
        out_codes.append(codes[members[0]])
    zones = polygonal(np.array(out_geoms, dtype=object)) if out_geoms else np.zeros(0, object)
    return zones, np.asarray(out_codes, dtype=np.int64), table


def take_rows(df: pd.DataFrame, keys: list[str], rows: np.ndarray) -> pd.DataFrame:
    """Return the columns ``keys`` of ``df`` at the positions ``rows``, a fresh RangeIndex.

    Column by column: selecting ``df[keys]`` first would copy every row of a large layer.
    """
    index = pd.RangeIndex(len(rows))
    if not df.columns.is_unique:
        return df[keys].iloc[rows].set_axis(index)
    return pd.DataFrame({k: df[k].iloc[rows].set_axis(index) for k in keys}, index=index)


def group_codes(df: pd.DataFrame, keys: list[str], *, sort: bool) -> np.ndarray:
    """Group number of each row by ``keys``; missing values form their own group."""
    if len(keys) == 1:  # the groups of the groupby below, ten times faster
        return pd.factorize(df[keys[0]], sort=sort, use_na_sentinel=False)[0].astype(np.int64)
    return df[keys].groupby(keys, sort=sort, dropna=False).ngroup().to_numpy()


def overlap_components(geoms: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Label features so that same-code features whose interiors overlap share a label."""
    n = len(geoms)
    label = np.arange(n)
    if n < 2:
        return label
    i, j = shapely.STRtree(geoms).query(geoms)  # boxes meet; the relate below decides
    keep = (i < j) & (codes[i] == codes[j])
    i, j = i[keep], j[keep]
    over = shapely.relate_pattern(geoms[i], geoms[j], "T********")
    i, j = i[over], j[over]
    while i.size:
        low = np.minimum(label[i], label[j])
        new = label.copy()
        np.minimum.at(new, i, low)
        np.minimum.at(new, j, low)
        new = new[new]
        if np.array_equal(new, label):
            break
        label = new
    return label
