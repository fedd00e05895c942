"""The one area-tabulation engine: how much of layer A lies in each zone of layer B.

Every indicator and redline check of ``landuse`` reduces to :func:`tabulate`. The engine

1. dissolves the zones of ``b`` per key, but only where features of one key overlap (a
   partition or non-overlapping zones are kept as they are: their pieces simply add up);
2. cuts polygons with more than ``max_vertices`` coordinates into exact tiles
   (:func:`landuse.geom.tiles.split_large`), so intersections stay local;
3. finds candidate pairs with one bulk :class:`shapely.STRtree` query;
4. proves with exact arithmetic, pair by pair, that a zone's boundary stays out of a
   patch's interior (shared edges matched bit for bit, contacts in a vertex only;
   :mod:`landuse.geom.classify`), and takes the whole area of a proven patch that one of its
   points, not on the boundary, places inside the prepared zone;
5. intersects only the pairs it could not prove, with the tiles of the zone (rectangles
   with GEOS's rectangle clipper when only areas are asked), in chunks of about
   ``chunk_size`` pairs on ``n_jobs`` threads (GEOS releases the GIL);
6. sums the pieces per (A key, B key) in a fixed order, so the result does not depend on
   the input order, the chunk size or the number of threads.

See ``docs/overlay.md`` for the exactness argument and measured speed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from landuse._validate import (
    check_columns,
    check_numeric,
    check_polygonal,
    crs_label,
    raise_problems,
)
from landuse.errors import CRSError, GeometryError, SchemaError
from landuse.geom.pieces import cpus, run_map, spans
from landuse.geom.pieces import pieces as piece_areas
from landuse.geom.tiles import polygonal, split_large
from landuse.geom.validity import known_valid, remember_valid
from landuse.geom.zones import group_codes, prepare_zones, take_rows
from landuse.units import M2_PER_HA

__all__ = ["CHUNK_SIZE", "overlay_pieces", "pairs", "resolve_area", "tabulate"]

AreaKind = Literal["planar", "ellipsoidal", "official"]
_AREAS = ("planar", "ellipsoidal", "official")
#: Default ``chunk_size``: about this many candidate pairs per task of the engine.
CHUNK_SIZE = 20_000
_MAX_VERTICES = 256  # A features with more coordinates are cut into tiles
_ZONE_VERTICES = 128  # coordinates per zone tile (measured: 64 and 192 slower, see docs/overlay.md)


def tabulate(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    *,
    by_a: str | Sequence[str] | None,
    by_b: str | Sequence[str] | None,
    area: AreaKind | None = None,
    area_column: str = "TBDLMJ",
    sum_columns: Sequence[str] = (),
    union: bool = False,
    chunk_size: int = CHUNK_SIZE,
    n_jobs: int | None = None,
    keep_geometry: None = None,
) -> pd.DataFrame:
    """Tabulate the area of ``a`` inside each zone of ``b``, by the keys of both.

    Parameters
    ----------
    a : geopandas.GeoDataFrame
        The layer being measured (e.g. DLTB patches); Polygon/MultiPolygon, valid.
        Missing or empty geometries contribute nothing.
    b : geopandas.GeoDataFrame
        The zones (townships, control lines, protected areas ...), same CRS as ``a``.
    by_a : str, sequence of str or None
        Key column(s) of ``a``; ``None`` tabulates all of ``a`` as one group. Features
        with the same key are not merged: each is allocated on its own, then summed.
    by_b : str, sequence of str or None
        Key column(s) of ``b``. Features with the same key form one zone and are
        dissolved where they overlap, so no area is counted twice inside a zone.
        ``None`` makes all of ``b`` one zone. A key column whose name is also a key of
        ``a`` or an output column is returned with the suffix ``_b``.
    area : {"planar", "ellipsoidal", "official"} or None, default None
        ``None`` (the default): ``"official"`` when ``a`` has the column ``area_column``
        (a DLTB layer carries its official areas, docs/domain.md §2), else ``"planar"``;
        the kind used is recorded in ``attrs["overlay"]["area"]``.
        ``"planar"``: shoelace area in the CRS, converted from the CRS's linear unit to m²
        (unit factor², e.g. US survey feet give m²); needs a projected CRS.
        ``"ellipsoidal"``: area of each piece on the CRS's ellipsoid with
        :class:`pyproj.Geod` (geodesic edges), after transforming the piece to the
        geographic CRS of its datum; works for projected and geographic CRSs.
        ``"official"`` (docs/domain.md §2): ``a[area_column]`` (m²) × planar area of the piece /
        planar area of its A-feature; needs a projected CRS.
    area_column : str, default "TBDLMJ"
        The official area field of ``a`` (m²), used when the area is official.
    sum_columns : sequence of str
        Numeric columns of ``a`` (e.g. ``"KCMJ"``) allocated like the official area, in
        proportion to the planar share of each piece; returned under their own names.
    union : bool, default False
        Tabulate the area inside any feature of ``b``, counted once (all of ``b`` is one
        zone). Requires ``by_b=None``; the table then has no B key columns.
    chunk_size : int, default 20000
        Number of candidate (A-tile, zone-tile) pairs handled per task; bounds memory.
    n_jobs : int or None
        Number of threads; ``None`` uses ``os.cpu_count()``.
    keep_geometry : None
        Removed (0.x): ``tabulate`` returns only the table; any value raises a
        ``TypeError`` that names :func:`overlay_pieces`, which returns the pieces.

    Returns
    -------
    pandas.DataFrame
        One row per (A key, B key) with a positive area: the ``by_a`` keys, the ``by_b``
        keys, ``area_m2``, ``area_ha`` (= area_m2 / 10 000) and one column per
        ``sum_columns``; sorted by the keys, index 0..n-1. Pieces whose area is exactly 0
        (zones that only touch) are dropped. ``attrs["overlay"]`` records the area kind
        used (``area``), whether it was chosen by default (``area_default``), the CRS and
        the options.

    Raises
    ------
    CRSError
        A layer has no CRS, the two CRSs differ, or ``area`` is planar/official on a
        geographic CRS.
    SchemaError
        A key, area or sum column is missing, not numeric, or holds missing values.
    GeometryError
        Non-polygonal geometries; invalid geometries in ``b``, or in the features of ``a``
        that have to be cut (more than 256 vertices, or crossing a zone boundary). Features
        of ``a`` that lie wholly inside or outside every zone are taken whole and not
        validated (``landuse.io`` readers repair geometries on read).
    TypeError
        ``keep_geometry`` was given (use :func:`overlay_pieces`).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> a = gpd.GeoDataFrame({"DLBM": ["0101", "0201"]},
    ...                      geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=4527)
    >>> b = gpd.GeoDataFrame({"zone": ["T1"]}, geometry=[box(5, 0, 15, 10)], crs=4527)
    >>> tabulate(a, b, by_a="DLBM", by_b="zone")[["DLBM", "zone", "area_m2"]]
       DLBM zone  area_m2
    0  0101   T1     50.0
    1  0201   T1     50.0
    """
    if keep_geometry is not None:
        raise TypeError(
            "tabulate(keep_geometry=...) was removed: tabulate always returns the table; "
            "call landuse.overlay.overlay_pieces(a, b, by_a=..., by_b=..., ...) for the "
            "pieces (a GeoDataFrame)"
        )
    return _overlay(a, b, by_a=by_a, by_b=by_b, area=area, area_column=area_column,
                    sum_columns=sum_columns, pieces_wanted=False, union=union,
                    chunk_size=chunk_size, n_jobs=n_jobs)


def overlay_pieces(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    *,
    by_a: str | Sequence[str] | None,
    by_b: str | Sequence[str] | None,
    area: AreaKind | None = None,
    area_column: str = "TBDLMJ",
    sum_columns: Sequence[str] = (),
    union: bool = False,
    chunk_size: int = CHUNK_SIZE,
    n_jobs: int | None = None,
) -> gpd.GeoDataFrame:
    """Cut ``a`` by the zones of ``b``: one polygon per (A-feature, B-zone) piece.

    The same engine, options and area rule as :func:`tabulate` (see there for every
    parameter, the default ``area`` and the errors); the pieces of one A-feature in one zone
    are merged into one geometry, and summing ``area_m2`` of the pieces per (A key, B key)
    gives the table of :func:`tabulate`.

    Returns
    -------
    geopandas.GeoDataFrame
        Same CRS as ``a``; one row per (A-feature, B-zone) piece: ``a_index`` (the index
        label of the A-feature), the ``by_a`` keys of that feature, the ``by_b`` keys,
        ``area_m2``, ``area_ha``, the ``sum_columns`` and ``geometry`` (the overlap,
        Polygon/MultiPolygon); sorted by the keys, then by the position of the A-feature.
        ``attrs["overlay"]`` as in :func:`tabulate`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> a = gpd.GeoDataFrame({"DLBM": ["0101", "0201"]},
    ...                      geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=4527)
    >>> b = gpd.GeoDataFrame({"zone": ["T1"]}, geometry=[box(5, 0, 15, 10)], crs=4527)
    >>> p = overlay_pieces(a, b, by_a="DLBM", by_b="zone")
    >>> p[["a_index", "DLBM", "zone", "area_m2"]]
       a_index  DLBM zone  area_m2
    0        0  0101   T1     50.0
    1        1  0201   T1     50.0
    >>> p.geometry.bounds.to_numpy().tolist()
    [[5.0, 0.0, 10.0, 10.0], [10.0, 0.0, 15.0, 10.0]]
    """
    out = _overlay(a, b, by_a=by_a, by_b=by_b, area=area, area_column=area_column,
                   sum_columns=sum_columns, pieces_wanted=True, union=union,
                   chunk_size=chunk_size, n_jobs=n_jobs)
    assert isinstance(out, gpd.GeoDataFrame)
    return out


def resolve_area(a: pd.DataFrame, area: AreaKind | None, area_column: str = "TBDLMJ"
                 ) -> AreaKind:
    """Return the area kind :func:`tabulate` uses for ``a``.

    ``area`` when given; by default (``None``) official when ``a`` has ``area_column`` (its
    official areas, docs/domain.md §2), planar otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> resolve_area(pd.DataFrame({"TBDLMJ": [1.0]}), None), resolve_area(pd.DataFrame(), None)
    ('official', 'planar')
    """
    if area is not None:
        return area
    return "official" if area_column in a.columns else "planar"


def _overlay(
    a: gpd.GeoDataFrame,
    b: gpd.GeoDataFrame,
    *,
    by_a: str | Sequence[str] | None,
    by_b: str | Sequence[str] | None,
    area: AreaKind | None,
    area_column: str,
    sum_columns: Sequence[str],
    pieces_wanted: bool,
    union: bool,
    chunk_size: int,
    n_jobs: int | None,
) -> pd.DataFrame:
    """Run the engine behind :func:`tabulate` (the table) and :func:`overlay_pieces`."""
    area_default = area is None
    area = resolve_area(a, area, area_column) if isinstance(a, pd.DataFrame) else "planar"
    keep_geometry = pieces_wanted
    keys_a, keys_b = _keys(by_a), _keys(by_b)
    _validate(a, b, keys_a, keys_b, area, area_column, sum_columns, union, chunk_size, n_jobs)
    crs = pyproj.CRS.from_user_input(a.crs)
    factor2 = _unit_factor(crs) ** 2 if area != "ellipsoidal" else 1.0
    value_cols = [area_column] if area == "official" else []
    value_cols += [c for c in sum_columns]

    ag = np.asarray(a.geometry.array, dtype=object)
    count = shapely.get_num_coordinates(ag)  # 0: missing or empty (polygonal, checked)
    a_pos = np.flatnonzero(count > 0)
    big = np.flatnonzero(count > _MAX_VERTICES)
    _require_valid(a, big, n_jobs, "layer a")  # these are cut into tiles
    if len(big):
        a_tiles, a_tile_parent = split_large(ag[a_pos], max_vertices=_MAX_VERTICES)
    else:
        a_tiles, a_tile_parent = ag[a_pos], np.arange(len(a_pos))
    is_multi = shapely.get_type_id(a_tiles) == 6
    multi, single = np.flatnonzero(is_multi), np.flatnonzero(~is_multi)
    parts, part_of = shapely.get_parts(a_tiles[multi], return_index=True)
    units = np.concatenate([a_tiles[single], parts])
    unit_feat = a_pos[a_tile_parent[np.concatenate([single, multi[part_of]])]]
    zones, zone_key, b_key_table = prepare_zones(b, keys_b)

    pieces = piece_areas(
        units, zones, crs=crs if area == "ellipsoidal" else None,
        keep_geometry=keep_geometry, chunk_size=chunk_size, n_jobs=n_jobs,
        check=lambda u: _require_valid(a, np.unique(unit_feat[u]), n_jobs, "layer a"),
        zone_vertices=_ZONE_VERTICES,
    )
    feat = unit_feat[pieces["iu"]]
    zkey = zone_key[pieces["iz"]]
    planar = pieces["planar"]
    values: dict[str, np.ndarray] = {}
    share = planar / shapely.area(ag[feat]) if value_cols else None
    if area == "planar":
        values["area_m2"] = planar * factor2
    elif area == "ellipsoidal":
        values["area_m2"] = pieces["ellipsoidal"]
    for col in value_cols:
        values[col] = a[col].to_numpy(dtype=np.float64)[feat] * share
    if area == "official":
        values["area_m2"] = values[area_column].copy()
        if area_column not in sum_columns:
            del values[area_column]

    if keep_geometry:
        out: pd.DataFrame = _piece_frame(
            a, keys_a, b_key_table, feat, zkey, values, pieces["geometry"], sum_columns
        )
    else:
        out = _key_table(a, keys_a, b_key_table, feat, zkey, values, sum_columns)
    out.attrs["overlay"] = {
        "area": area,
        "crs": crs_label(crs),
        "area_column": area_column if area == "official" else None,
        "union": bool(union or not keys_b),
        "area_default": area_default,
    }
    return out


def pairs(
    a: gpd.GeoDataFrame | gpd.GeoSeries,
    b: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    predicate: str | None = "intersects",
) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the (A-feature, B-feature) pairs that satisfy ``predicate``.

    One bulk :class:`shapely.STRtree` query; the predicate is evaluated as
    ``predicate(a[i], b[j])`` (e.g. ``"within"`` means A within B). Useful for redline
    checks that need the relation, not the area.

    Parameters
    ----------
    a, b : GeoDataFrame or GeoSeries, same CRS
    predicate : str or None, default "intersects"
        Any predicate of :attr:`shapely.STRtree` (``intersects``, ``within``,
        ``contains``, ``contains_properly``, ``overlaps``, ``touches``, ``covers``,
        ``covered_by``, ``crosses``), or ``None`` for bounding-box overlap only.

    Returns
    -------
    ia, ib : numpy.ndarray of int64
        Positions (not index labels) in ``a`` and ``b``, sorted by ``ia`` then ``ib``.
    """
    _check_crs_pair(a, b)
    tree = shapely.STRtree(np.asarray(b.geometry.array, dtype=object))
    ia, ib = tree.query(np.asarray(a.geometry.array, dtype=object), predicate=predicate)
    order = np.lexsort((ib, ia))
    return ia[order].astype(np.int64), ib[order].astype(np.int64)


# ----------------------------------------------------------------------------- validation


def _keys(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _layer_name(gdf: Any, default: str) -> str:
    src = gdf.attrs.get("source") if hasattr(gdf, "attrs") else None
    if isinstance(src, dict) and (src.get("layer") or src.get("path")):
        return f"{default} ({src.get('path') or ''} layer {src.get('layer') or ''})".strip()
    return default


def _check_crs_pair(a: Any, b: Any) -> None:
    name_a, name_b = _layer_name(a, "layer a"), _layer_name(b, "layer b")
    problems = [
        f"{name} has no coordinate reference system (CRS); set it with gdf.set_crs(...) or "
        "read it with a landuse.io reader and working_crs=..."
        for gdf, name in ((a, name_a), (b, name_b))
        if gdf.crs is None
    ]
    raise_problems(problems, CRSError)
    if not pyproj.CRS.from_user_input(a.crs).equals(b.crs):
        raise CRSError(
            f"tabulate needs both layers in one CRS but {name_a} is {crs_label(a.crs)} and "
            f"{name_b} is {crs_label(b.crs)}; reproject one (e.g. b.to_crs(a.crs)) or read "
            "both with the same working_crs="
        )


def _unit_factor(crs: pyproj.CRS) -> float:
    """Metres per CRS unit of a projected CRS (both horizontal axes must agree)."""
    factors = {ax.unit_conversion_factor for ax in crs.axis_info[:2]}
    if len(factors) != 1:
        raise CRSError(
            f"cannot convert planar areas of {crs_label(crs)} to m²: its axes have "
            f"different units {[ax.unit_name for ax in crs.axis_info]}; reproject to EPSG:4527"
        )
    return float(factors.pop())


def _validate(
    a: Any, b: Any, keys_a: list[str], keys_b: list[str], area: str, area_column: str,
    sum_columns: Sequence[str], union: bool, chunk_size: int, n_jobs: int | None,
) -> None:
    if not isinstance(a, gpd.GeoDataFrame) or not isinstance(b, gpd.GeoDataFrame):
        raise TypeError(
            f"tabulate takes two GeoDataFrames, got {type(a).__name__} and {type(b).__name__}"
        )
    if area not in _AREAS:
        raise ValueError(f"area must be one of {list(_AREAS)}, got {area!r}")
    if union and keys_b:
        raise ValueError(
            f"union=True tabulates the area inside any zone of b counted once, so it has no "
            f"B keys; got by_b={keys_b!r}. Pass by_b=None (or union=False to tabulate per zone)"
        )
    if isinstance(sum_columns, str):
        raise TypeError(f"sum_columns must be a sequence of names, got the string {sum_columns!r}")
    if chunk_size < 1 or (n_jobs is not None and n_jobs < 1):
        raise ValueError(f"chunk_size and n_jobs must be >= 1, got {chunk_size} and {n_jobs}")
    _check_crs_pair(a, b)
    crs = pyproj.CRS.from_user_input(a.crs)
    name_a, name_b = _layer_name(a, "layer a"), _layer_name(b, "layer b")
    if area != "ellipsoidal" and not crs.is_projected:
        raise CRSError(
            f"area={area!r} needs a projected CRS to measure planar area; {name_a} and "
            f"{name_b} are {crs_label(crs)} (geographic). Reproject both, e.g. to EPSG:4527 "
            "(CGCS2000 3-degree Gauss-Kruger zone 39), or use area='ellipsoidal'"
        )
    values = ([area_column] if area == "official" else []) + list(sum_columns)
    problems = check_columns(a, keys_a + values, source=name_a)
    problems += check_columns(b, keys_b, source=name_b)
    problems += check_numeric(a, values, source=name_a)
    for col in values:
        if col in a.columns and pd.api.types.is_numeric_dtype(a[col]) and a[col].isna().any():
            missing = a.index[a[col].isna().to_numpy()][:5].tolist()
            problems.append(
                f"{name_a}: field {col!r} has {int(a[col].isna().sum())} missing value(s) "
                f"(rows {missing}...); fill them (e.g. TBDLMJ = TBMJ - KCMJ) before tabulating"
            )
    reserved = {"area_m2", "area_ha", "a_index", "geometry", *sum_columns}
    clash = sorted(set(keys_a) & reserved)
    if clash:
        problems.append(f"{name_a}: key field(s) {clash} clash with output columns; rename them")
    raise_problems(problems, SchemaError)
    geo_problems = check_polygonal(a.geometry, source=name_a)
    geo_problems += check_polygonal(b.geometry, source=name_b)
    raise_problems(geo_problems, GeometryError)
    _require_valid(b, np.arange(len(b)), n_jobs, "layer b", remember=True)


def _require_valid(
    gdf: gpd.GeoDataFrame, rows: np.ndarray, n_jobs: int | None, default: str,
    remember: bool = False,
) -> None:
    """Raise GeometryError if a geometry at ``rows`` is invalid (``remember``: see validity)."""
    g = np.asarray(gdf.geometry.array, dtype=object)[rows]
    if remember and known_valid(g):
        return
    parts = spans(np.arange(len(g)), 50_000)
    valid = run_map(lambda sp: shapely.is_valid(g[sp[0] : sp[1]]), parts, n_jobs or cpus())
    bad = ~np.concatenate([*valid, np.zeros(0, bool)]) & ~shapely.is_missing(g)
    if bad.any():
        labels = gdf.index[rows[bad]][:5].tolist()
        reason = shapely.is_valid_reason(g[np.flatnonzero(bad)[0]])
        raise GeometryError(
            f"{_layer_name(gdf, default)} has {int(bad.sum())} invalid geometries (rows "
            f"{labels}...; first: {reason}); repair them (landuse.io readers do, or "
            "shapely.make_valid)"
        )
    if remember:
        remember_valid(g)


# ----------------------------------------------------------------------------- output


def _sorted_sum(group: np.ndarray, values: dict[str, np.ndarray]) -> tuple[np.ndarray, dict]:
    """Sum values per group in an order fixed by the values (input-order independent)."""
    cols = list(values.values())
    order = np.lexsort((*cols[::-1], group))
    g = group[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.zeros(0, int)
    sums = {k: np.add.reduceat(v[order], starts) if len(g) else v[:0] for k, v in values.items()}
    return g[starts], sums


def _b_columns(keys_a: list[str], b_key_table: pd.DataFrame, sum_columns: Sequence[str]) -> dict:
    reserved = {*keys_a, "area_m2", "area_ha", "a_index", "geometry", *sum_columns}
    return {c: (f"{c}_b" if c in reserved else c) for c in b_key_table.columns}


def _assemble(
    a: pd.DataFrame, keys_a: list[str], a_pos: np.ndarray, b_key_table: pd.DataFrame,
    b_pos: np.ndarray, values: dict[str, np.ndarray], sum_columns: Sequence[str],
    rename_b: dict,
) -> pd.DataFrame:
    """One frame: A's keys at ``a_pos``, B's (renamed) at ``b_pos``, area_m2, area_ha, sums."""
    a_rows = take_rows(a, keys_a, a_pos)
    b_rows = take_rows(b_key_table, list(b_key_table.columns), b_pos)
    columns = {k: a_rows[k] for k in a_rows.columns}
    columns.update({rename_b[c]: b_rows[c] for c in b_rows.columns})
    columns["area_m2"] = values["area_m2"]
    columns["area_ha"] = values["area_m2"] / M2_PER_HA
    for col in sum_columns:
        columns[col] = values[col]
    return pd.DataFrame(columns, index=pd.RangeIndex(len(values["area_m2"])))


def _key_table(
    a: gpd.GeoDataFrame, keys_a: list[str], b_key_table: pd.DataFrame, feat: np.ndarray,
    zkey: np.ndarray, values: dict[str, np.ndarray], sum_columns: Sequence[str],
) -> pd.DataFrame:
    if keys_a:
        a_codes = group_codes(a, keys_a, sort=False)
    else:
        a_codes = np.zeros(len(a), dtype=np.int64)
    n_b = max(len(b_key_table), 1)
    group, sums = _sorted_sum(a_codes[feat] * n_b + zkey, values)
    # one representative A-row per A code
    a_first = np.full(a_codes.max() + 1 if len(a_codes) else 0, -1, dtype=np.int64)
    a_first[a_codes[::-1]] = np.arange(len(a_codes))[::-1]
    rename_b = _b_columns(keys_a, b_key_table, sum_columns)
    out = _assemble(a, keys_a, a_first[group // n_b], b_key_table, group % n_b, sums,
                    sum_columns, rename_b)
    keys = keys_a + [rename_b[c] for c in b_key_table]
    if keys:
        out = out.sort_values(keys, kind="stable", na_position="last")
    return pd.DataFrame(out).reset_index(drop=True)


def _piece_frame(
    a: gpd.GeoDataFrame, keys_a: list[str], b_key_table: pd.DataFrame, feat: np.ndarray,
    zkey: np.ndarray, values: dict[str, np.ndarray], geoms: np.ndarray,
    sum_columns: Sequence[str],
) -> gpd.GeoDataFrame:
    n_b = max(len(b_key_table), 1)
    group = feat * n_b + zkey
    order = np.lexsort((*[v for v in values.values()][::-1], group))
    group_s, sums = _sorted_sum(group, values)
    g_sorted = group[order]
    starts = np.searchsorted(g_sorted, group_s, side="left")
    ends = np.searchsorted(g_sorted, group_s, side="right")
    parts = geoms[order]
    merged = np.array(
        [parts[s] if e - s == 1 else polygonal(np.array([shapely.union_all(parts[s:e])],
                                                        dtype=object))[0]
         for s, e in zip(starts, ends, strict=True)],
        dtype=object,
    )
    f = group_s // n_b
    rename_b = _b_columns(keys_a, b_key_table, sum_columns)
    frame = _assemble(a, keys_a, f, b_key_table, group_s % n_b, sums, sum_columns, rename_b)
    frame.insert(0, "a_index", a.index[f])
    frame["_pos"] = f
    keys = keys_a + [rename_b[c] for c in b_key_table] + ["_pos"]
    frame["geometry"] = merged
    order2 = frame.sort_values(keys, kind="stable", na_position="last").index
    frame = frame.loc[order2].drop(columns="_pos").reset_index(drop=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=a.crs)
