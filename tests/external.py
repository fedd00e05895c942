"""Peer overlay cases kept outside the repository, and ``tabulate`` set beside them.

The cases live in ``../shared/external/`` relative to the repository root (read in place,
never copied here; see that folder's README), or in the folder named by the environment
variable ``LANDUSE_EXTERNAL_DIR``. They hold two layers and a peer's own intersection of
them, each piece carrying the keys of both parents:

* ``qgis_overlay_nybb/``: the five NYC boroughs (``BoroCode``) × 11 test polygons
  (``value1``, ``value2``), intersected by QGIS; EPSG:2263-like, in US survey feet.
* ``geopandas_overlay/polys`` and ``geopandas_overlay/overlap``: small cases of the
  GeoPandas overlay test suite (``col1`` × ``col2``) with the intersections it expects;
  unitless planar coordinates.

``tests/test_overlay_peers.py`` tests ``tabulate`` against them and
``benchmarks/bench_overlay.py`` prints the QGIS comparison; both use :func:`beside_peer`.
No pytest here: the benchmark imports this module too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from landuse.overlay import tabulate

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = Path(os.environ.get("LANDUSE_EXTERNAL_DIR", ROOT.parent / "shared" / "external"))

#: The US survey foot in metres, by its definition (1 m = 39.37 in); the unit the NYC .prj
#: files declare (``UNIT["Foot_US",0.30480060960121924]``).
US_SURVEY_FOOT_M = 1200 / 3937

#: A planar metric CRS given to the unitless GeoPandas test coordinates, so that ``tabulate``
#: measures them as they are (1 unit = 1 m): GeoJSON declares them CRS84, which they are not.
PLANAR_CRS = "EPSG:4527"


def qgis_nybb(folder: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The NYC boroughs, the test polygons and QGIS's intersection of them.

    Raises
    ------
    ValueError
        A ``.prj`` does not declare the US survey foot (the unit :data:`US_SURVEY_FOOT_M`
        converts).
    """
    for name in ("polydf", "polydf2", "qgis-intersection"):
        prj = (folder / f"{name}.prj").read_text(encoding="ascii")
        if 'UNIT["Foot_US",0.3048006096012' not in prj:
            raise ValueError(f"{folder / name}.prj: expected the US survey foot, found {prj}")
    boroughs = gpd.read_file(folder / "polydf.shp")
    polygons = gpd.read_file(folder / "polydf2.shp")
    peer = gpd.read_file(folder / "qgis-intersection.shp")
    return boroughs, polygons, peer


def geopandas_case(folder: Path, df1: str, df2: str,
                   expected: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two layers of a GeoPandas case folder and the intersection that suite expects.

    The coordinates are kept as they are and labelled :data:`PLANAR_CRS`.
    """
    a, b, peer = (gpd.read_file(folder / name).set_crs(PLANAR_CRS, allow_override=True)
                  for name in (df1, df2, expected))
    return a, b, peer


def beside_peer(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, peer: gpd.GeoDataFrame,
                by_a: Sequence[str], by_b: Sequence[str], *, unit_m: float) -> pd.DataFrame:
    """``tabulate(a, b)`` beside the peer's intersection pieces, per (A key, B key) pair.

    Parameters
    ----------
    a, b : geopandas.GeoDataFrame
        The two layers the peer intersected (one CRS, in the linear unit ``unit_m``).
    peer : geopandas.GeoDataFrame
        The peer's pieces, each with the ``by_a`` and ``by_b`` columns of its parents.
    by_a, by_b : sequence of str
        The key columns.
    unit_m : float
        Length of the coordinates' unit in metres (the peer's areas are converted with it).

    Returns
    -------
    pandas.DataFrame
        Indexed by the keys (the pairs of either side): ``area_m2`` (``tabulate``, planar),
        ``peer_m2`` (Σ shoelace area of the peer's pieces, m², computed by shapely) and
        ``peer_perimeter_m`` (Σ their perimeters, m); NaN where a pair is on one side only.
    """
    keys = [*by_a, *by_b]
    ours = tabulate(a, b, by_a=list(by_a), by_b=list(by_b), area="planar")
    ours = ours.set_index(keys)["area_m2"]
    geoms = peer.geometry.to_numpy()
    theirs = pd.DataFrame({
        "peer_m2": shapely.area(geoms) * unit_m**2,
        "peer_perimeter_m": shapely.length(geoms) * unit_m,
    }, index=pd.MultiIndex.from_frame(peer[keys])).groupby(level=keys).sum()
    return pd.concat([ours, theirs], axis=1).sort_index()
