"""Property tests of ``tabulate`` on zones built from unions of patches (hypothesis).

Real permanent farmland and many urban boundaries are drawn on DLTB patch edges: the zone
is a union of patches, so its boundary runs along patch edges (shared edges), it has holes
where a patch inside it is not chosen, and its parts touch at single vertices. The engine
takes such patches whole without intersecting them (``landuse.geom.classify``); these
tests check the result against areas computed independently: ``geopandas.overlay`` of the
patches with the dissolved zones, and ``shapely.intersection`` of every (patch, zone) pair.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

import landuse.overlay as overlay
from landuse.overlay import tabulate

CRS = "EPSG:4527"
X0, Y0 = 39_560_000.0, 4_090_000.0  # projected coordinates of a real county (zone 39)
CELL = 8.0  # cells of 8 m; densified every 2 m: every vertex is an exact integer


@st.composite
def coverage_and_zones(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A patch coverage on a grid and zones that are unions of some of its patches."""
    nx, ny = draw(st.integers(2, 5)), draw(st.integers(2, 5))
    patches = []
    for i in range(nx):
        for j in range(ny):
            x, y = X0 + i * CELL, Y0 + j * CELL
            kind = draw(st.sampled_from(["square", "slash", "backslash"]))
            if kind == "square":
                patches.append(box(x, y, x + CELL, y + CELL))
            elif kind == "slash":  # two triangles along the diagonal (x, y)-(x+c, y+c)
                patches += [Polygon([(x, y), (x + CELL, y), (x + CELL, y + CELL)]),
                            Polygon([(x, y), (x + CELL, y + CELL), (x, y + CELL)])]
            else:
                patches += [Polygon([(x, y), (x + CELL, y), (x, y + CELL)]),
                            Polygon([(x + CELL, y), (x + CELL, y + CELL), (x, y + CELL)])]
    geoms = np.array(patches, dtype=object)
    if draw(st.booleans()):  # densified edges: collinear vertices, as in survey data
        geoms = shapely.segmentize(geoms, 2.0)
    codes = draw(st.lists(st.sampled_from(["0101", "0201", "1001"]), min_size=len(geoms),
                          max_size=len(geoms)))
    a = gpd.GeoDataFrame({"DLBM": codes}, geometry=list(geoms), crs=CRS)
    # each patch goes to zone Z1, Z2 or none: unions have shared edges, holes (an unchosen
    # patch inside), parts touching at one vertex (a checkerboard choice)
    choice = draw(st.lists(st.sampled_from(["Z1", "Z2", None]), min_size=len(geoms),
                           max_size=len(geoms)))
    rows = []
    explode = draw(st.booleans())
    for key in ("Z1", "Z2"):
        chosen = geoms[[c == key for c in choice]]
        if not len(chosen):
            continue
        union = (shapely.coverage_union_all(chosen) if draw(st.booleans())
                 else shapely.union_all(chosen))
        parts = shapely.get_parts(union) if explode else [union]
        rows += [(key, g) for g in parts]
    if draw(st.booleans()):  # and a zone drawn independently, crossing patches
        x0 = X0 + draw(st.integers(0, 4 * nx)) * 1.5
        y0 = Y0 + draw(st.integers(0, 4 * ny)) * 1.5
        rows.append(("Z3", box(x0, y0, x0 + 13.0, y0 + 9.5)))
    if not rows:
        rows.append(("Z1", geoms[0]))
    b = gpd.GeoDataFrame({"zone": [k for k, _ in rows]}, geometry=[g for _, g in rows],
                         crs=CRS)
    return a, b


def overlay_reference(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> pd.Series:
    zones = b.dissolve(by="zone").reset_index()
    pieces = gpd.overlay(a, zones, how="intersection", keep_geom_type=True)
    ref = pieces.assign(area=pieces.area).groupby(["DLBM", "zone"])["area"].sum()
    return ref[ref > 0]


def intersection_reference(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> pd.Series:
    """Σ area(patch ∩ zone) over every (patch, dissolved zone) pair, with shapely alone."""
    zones = {k: shapely.union_all(g.geometry.array) for k, g in b.groupby("zone")}
    rows = [(code, k, shapely.intersection(p, z).area)
            for code, p in zip(a["DLBM"], a.geometry.array, strict=True)
            for k, z in zones.items()]
    ref = pd.DataFrame(rows, columns=["DLBM", "zone", "area"]).groupby(["DLBM", "zone"])["area"]
    out = ref.sum()
    return out[out > 0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(coverage_and_zones(), st.sampled_from([1, 2]), st.sampled_from([64, 16]))
def test_zones_from_patches_equal_independent_areas(ab, n_jobs, zone_vertices):
    a, b = ab
    with pytest.MonkeyPatch.context() as mp:  # 16: zones with crossing pairs are tiled
        mp.setattr(overlay, "_ZONE_VERTICES", zone_vertices)
        out = tabulate(a, b, by_a="DLBM", by_b="zone", n_jobs=n_jobs, chunk_size=7)
    got = out.set_index(["DLBM", "zone"])["area_m2"]
    for ref in (overlay_reference(a, b), intersection_reference(a, b)):
        assert sorted(got.index) == sorted(ref.index)
        np.testing.assert_allclose(got.loc[ref.index].to_numpy(), ref.to_numpy(), rtol=1e-9)


def test_dissolved_patches_are_not_intersected():
    # 4 x 4 squares (i, j), i, j in 0..3, of 8 x 8 m; the zone is the union of the squares
    # with i in 1..2 or j in 1..2 except the centre ones (1, 1) and (2, 2): a cross with two
    # holes, each touching the outside or the other hole at a single vertex
    cells = {(i, j): box(X0 + i * CELL, Y0 + j * CELL, X0 + (i + 1) * CELL, Y0 + (j + 1) * CELL)
             for i in range(4) for j in range(4)}
    chosen = [c for c in cells if (c[0] in (1, 2) or c[1] in (1, 2)) and c not in
              [(1, 1), (2, 2)]]
    a = gpd.GeoDataFrame({"DLBM": [f"{i}{j}" for i, j in cells]},
                         geometry=list(cells.values()), crs=CRS)
    zone = shapely.coverage_union_all([cells[c] for c in chosen])
    b = gpd.GeoDataFrame({"zone": ["Z"]}, geometry=[zone], crs=CRS)
    from landuse.geom.classify import boundary, crossing_pairs

    iu, _, _ = crossing_pairs(np.asarray(a.geometry.array), boundary(np.array([zone])), block=5,
                           map_fn=lambda f, items: [f(x) for x in items])
    assert len(iu) == 0  # every boundary edge of the zone is a patch edge: nothing to cut
    out = tabulate(a, b, by_a="DLBM", by_b="zone")
    assert sorted(out["DLBM"]) == sorted(f"{i}{j}" for i, j in chosen)
    np.testing.assert_allclose(out["area_m2"], CELL * CELL, rtol=0)  # whole squares, exact
