"""Geometry checks of the readers: type, null/empty, repair, overlaps.

Decisions (documented in docs/io.md):

- Points or lines in a polygon layer: :class:`~landuse.errors.GeometryError`.
- Null or empty geometries: the features are **dropped**, counted in a ``warning`` finding
  ``geometry_null_dropped`` with their ids (and, for DLTB, the TBMJ they carried), so that
  every returned row has a polygon.
- Invalid geometries: repaired with :func:`shapely.make_valid`, keeping the polygonal
  parts only (the lines and points of a GeometryCollection are dropped); counted in a
  ``warning`` finding ``geometry_repaired`` with example ids. A feature whose repair leaves
  no polygonal part is dropped and counted in ``geometry_null_dropped``.
- Single-part MultiPolygons become Polygons (FileGDB stores every polygon as a
  MultiPolygon), so every format reads to the same geometry types.
- Overlapping patches (interiors intersect, intersection area > ``min_area_m2``) are
  reported, not changed: finding ``overlapping_patches`` with the double-counted area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse._validate import require_polygonal
from landuse.findings import Finding
from landuse.geom.vertices import vertex_table

__all__ = ["clean_geometry", "overlap_finding"]

_EXAMPLES = 5


def _polygonal_part(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygonal parts of each geometry (None when nothing polygonal is left)."""
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        tid = shapely.get_type_id(g)
        if tid in (3, 6):  # Polygon, MultiPolygon
            out[i] = g
            continue
        parts = shapely.get_parts(g) if tid == 7 else np.array([g])
        polys = [p for p in parts if shapely.get_type_id(p) in (3, 6) and not p.is_empty]
        if not polys:
            out[i] = None
            continue
        flat = shapely.get_parts(np.array(polys, dtype=object))
        out[i] = flat[0] if len(flat) == 1 else shapely.MultiPolygon(list(flat))
    return out


def clean_geometry(
    gdf: gpd.GeoDataFrame, ids: pd.Series, *, source: str, area_column: str | None = None
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Check, repair and filter the polygons of a layer (rules in the module docstring).

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer with a polygon geometry column; not modified.
    ids : Series
        Feature ids (same index) used as examples in findings.
    source : str
        File and layer for messages.
    area_column : str, optional
        Area attribute (m²) summed over dropped features in the message.

    Returns
    -------
    (GeoDataFrame, list of Finding)
        The kept rows with repaired geometry, and the findings.

    Raises
    ------
    GeometryError
        When the layer holds points or lines.
    """
    geom = gdf.geometry
    require_polygonal(geom, source=source)
    arr = geom.to_numpy()
    findings: list[Finding] = []
    # Geometry collections that hold polygons are treated as invalid input and reduced.
    is_coll = shapely.get_type_id(arr) == 7
    invalid = ~shapely.is_valid(arr) & ~shapely.is_missing(arr) & ~shapely.is_empty(arr)
    fix = invalid | is_coll
    new = arr.copy()
    if fix.any():
        repaired = shapely.make_valid(arr[fix])
        new[fix] = _polygonal_part(repaired)
        area_before = shapely.area(arr[fix])
        area_after = shapely.area(np.asarray(new[fix]))
        findings.append(Finding(
            code="geometry_repaired",
            message=(
                f"{source}: {int(fix.sum())} invalid geometries (无效几何) were repaired with "
                "shapely.make_valid, keeping the polygonal parts; planar area before "
                f"{np.nansum(area_before):.2f} m², after {np.nansum(area_after):.2f} m². "
                "Check and fix them in the source data"
            ),
            count=int(fix.sum()),
            severity="warning",
            source=source,
            examples=sorted(ids[fix].astype(str).tolist())[:_EXAMPLES],
        ))
    drop = shapely.is_missing(new) | shapely.is_empty(new)
    if drop.any():
        carried = ""
        if area_column is not None and area_column in gdf.columns:
            total = pd.to_numeric(gdf.loc[drop, area_column], errors="coerce").sum()
            carried = f" carrying {area_column} = {total:.2f} m²"
        findings.append(Finding(
            code="geometry_null_dropped",
            message=(
                f"{source}: {int(drop.sum())} features with a null or empty geometry "
                f"(空几何){carried} were dropped; they are missing from every area figure. "
                "Restore their polygons in the source data"
            ),
            count=int(drop.sum()),
            severity="warning",
            source=source,
            examples=sorted(ids[drop].astype(str).tolist())[:_EXAMPLES],
        ))
    # single-part MultiPolygons (FileGDB stores every polygon so) become Polygons, so that
    # every format reads to the same geometry types
    single = (shapely.get_type_id(new) == 6) & (shapely.get_num_geometries(new) == 1)
    if single.any():
        new[single] = shapely.get_geometry(new[single], 0)
    out = gdf.copy()
    out.attrs = dict(gdf.attrs)
    if fix.any() or single.any():
        out = out.set_geometry(gpd.GeoSeries(new, index=gdf.index, crs=gdf.crs))
    if drop.any():
        out = out.loc[~drop]
    return out, findings


def _suspect_polygons(geoms: np.ndarray, *, grid_m: float = 0.001) -> np.ndarray:
    """Return the polygons with an edge not matched by a reverse twin (fast pre-filter).

    In a clean coverage (shared edges with identical vertices) every directed edge of a
    polygon, with exteriors counter-clockwise and holes clockwise, has exactly one reverse
    twin in its neighbour; only the outer boundary of the whole layer is unmatched. The
    coverage depth changes only across unmatched edges, so every overlap is bounded by
    unmatched (or same-direction duplicated) edges, whose polygons are returned here.
    Vertices are compared on a ``grid_m`` grid; rounding differences only add suspects.
    Works on the layer's vertex table (no per-geometry Python loop); the full-size
    temporaries are released as soon as they are used (a county's DLTB has millions of
    vertices, and this runs while the whole layer is in memory).
    """
    geoms = np.asarray(geoms, dtype=object)
    multi = np.flatnonzero(shapely.get_type_id(geoms) == shapely.GeometryType.MULTIPOLYGON)
    owner_of = np.arange(len(geoms))
    polys = geoms
    if len(multi):  # one row per part of the MultiPolygons, each part owned by its feature
        parts, part_of = shapely.get_parts(geoms[multi], return_index=True)
        single = np.ones(len(geoms), dtype=bool)
        single[multi] = False
        polys = np.concatenate([geoms[single], parts])
        owner_of = np.concatenate([np.flatnonzero(single), multi[part_of]])
    vt = vertex_table(polys)
    if len(vt.x) == 0:
        return np.arange(0)
    ring_of, ring_first, exterior = vt.rings()
    n_rings = len(ring_first)
    ring_owner = owner_of[np.searchsorted(vt.first, ring_first, side="right") - 1]
    del ring_first
    # segment i joins coordinate i and i + 1 of the same ring
    seg = vt.edge[:-1].copy()
    ring_of = ring_of[:-1]
    # ring orientation from the shoelace sum (local origin for precision)
    x = vt.x - vt.x.min()
    y = vt.y - vt.y.min()
    del vt
    cross = x[:-1] * y[1:]
    cross -= x[1:] * y[:-1]
    signed = np.bincount(ring_of[seg], weights=cross[seg], minlength=n_rings)
    del cross
    flipped = np.where(exterior, signed < 0, signed > 0)
    x *= 1.0 / grid_m
    code = np.rint(x, out=x).astype(np.int64)
    del x
    y *= 1.0 / grid_m
    qy = np.rint(y, out=y).astype(np.int64)
    del y
    ybits = int(qy.max()).bit_length()
    if int(code.max()).bit_length() + ybits > 62:
        return np.arange(len(geoms))  # extent too large to pack: check every polygon
    code <<= ybits
    code |= qy  # one int64 per vertex, exact on the grid
    del qy
    seg &= code[:-1] != code[1:]  # repeated vertices make no segment
    idx = np.flatnonzero(seg)
    del seg
    seg_ring = ring_of[idx]
    del ring_of
    a, b = code[idx], code[idx + 1]
    del code, idx
    forward = (a < b) ^ flipped[seg_ring]
    lo = np.minimum(a, b)
    hi = np.maximum(a, b, out=b)
    del a, b
    # sort segments by a hash of their endpoints; a group is a run of segments with equal
    # endpoints (compared exactly), so a hash collision can only split a group, i.e. add
    # suspects, never hide one. The segment's index fills the low bits of the sort key:
    # sorting plain integers is several times faster than an argsort
    idx_bits = max(len(lo).bit_length(), 1)
    key = lo.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # multiplicative hash,
    key ^= hi.view(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)  # its high bits kept
    key >>= np.uint64(idx_bits)
    key <<= np.uint64(idx_bits)
    key |= np.arange(len(lo), dtype=np.uint64)
    key.sort()
    order = (key & np.uint64((1 << idx_bits) - 1)).astype(np.int64)
    del key
    lo, hi = lo[order], hi[order]
    start = np.ones(len(lo), dtype=bool)
    start[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    del lo, hi
    group = np.cumsum(start) - 1
    del start
    count = np.bincount(group)
    net = np.bincount(group, weights=np.where(forward[order], 1.0, -1.0))
    bad = ((net != 0) | (count > 2))[group]
    del group
    return np.unique(ring_owner[seg_ring[order[bad]]])


def overlap_finding(
    geometry: gpd.GeoSeries, ids: pd.Series, *, source: str, min_area_m2: float = 0.01
) -> Finding | None:
    """Find pairs of patches whose interiors overlap by more than ``min_area_m2`` (m²).

    A fast edge-matching pass (:func:`_suspect_polygons`) selects the polygons that can be
    part of an overlap; each is checked exactly against its STR-tree neighbours: a pair
    counts when its DE-9IM relation has intersecting interiors (``T********``, which also
    catches duplicates and patches lying inside others) and the planar intersection area
    exceeds ``min_area_m2``. The sum of intersection areas is the area counted twice by
    Σ TBMJ. On clean data only the patches on the layer's outer boundary are checked.

    Returns
    -------
    Finding or None
        ``overlapping_patches`` (warning) with pair count, double-counted planar area and
        example id pairs; ``None`` when there are none.
    """
    arr = geometry.to_numpy()
    suspects = _suspect_polygons(arr)
    if len(suspects) == 0:
        return None
    tree = shapely.STRtree(arr)
    qi, right = tree.query(arr[suspects])
    left = suspects[qi]
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    pairs = np.unique(np.stack([lo, hi], axis=1)[lo != hi], axis=0)
    if len(pairs) == 0:
        return None
    left, right = pairs[:, 0], pairs[:, 1]
    inner = shapely.relate_pattern(arr[left], arr[right], "T********")
    left, right = left[inner], right[inner]
    if len(left) == 0:
        return None
    area = shapely.area(shapely.intersection(arr[left], arr[right]))
    big = area > min_area_m2
    if not big.any():
        return None
    left, right, area = left[big], right[big], area[big]
    id_arr = ids.astype(str).to_numpy()
    labels = sorted(f"{a}×{b}" if a <= b else f"{b}×{a}"
                    for a, b in zip(id_arr[left], id_arr[right], strict=True))
    return Finding(
        code="overlapping_patches",
        message=(
            f"{source}: {len(left)} pairs of patches overlap (图斑重叠) by more than "
            f"{min_area_m2} m²; {area.sum():.2f} m² (planar) is counted twice in Σ TBMJ. "
            "Remove the overlaps in the source data (topology check: must not overlap)"
        ),
        count=len(left),
        severity="warning",
        source=source,
        examples=labels[:_EXAMPLES],
    )
