"""``tabulate`` against peers' own intersections: QGIS (NYC boroughs) and GeoPandas' cases.

The data sit outside the repository (``tests/external.py`` says where and what they are);
each test skips, naming the folder, only when that folder is absent. For every (A key,
B key) pair the planar area of ``tabulate`` must equal the summed area of the peer's pieces
for that pair, and both sides must list the same pairs.

Tolerance, from the peer's precision: if every vertex of a piece may lie up to ``δ`` from
where the exact intersection puts it, the piece's area is known to within its perimeter
× ``δ`` (first order), so each pair is checked to ``peer_perimeter × δ`` with ``δ``:

* QGIS wrote its pieces as doubles (shapefile, no rounding) computed by GEOS in double
  precision: its boundary crossings, like ours, are within one unit in the last place (ulp)
  of the exact point, so ``δ`` = 2 ulp of the largest coordinate (1.05e6 US ft: 2.3e-10 ft,
  7.1e-11 m).
* The GeoPandas files give coordinates with 15 decimals: each is within 0.5e-15 of the value
  GeoPandas computed, a vertex within 0.71e-15 (our own crossings are within ½ ulp, 2.2e-16
  at |x| < 2.5), so ``δ`` = 1e-15 units.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from tests.external import (
    EXTERNAL,
    US_SURVEY_FOOT_M,
    beside_peer,
    geopandas_case,
    qgis_nybb,
)


def _folder(name: str) -> Path:
    folder = EXTERNAL / name
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the peer cases are read from ../shared/external/ "
                    "beside the repository (or the folder named by LANDUSE_EXTERNAL_DIR)")
    return folder


def _assert_pairs_agree(table, delta_m: float, n_pairs: int) -> None:
    one_side = table[table[["area_m2", "peer_m2"]].isna().any(axis=1)]
    assert one_side.empty, f"pairs in only one result:\n{one_side}"
    assert len(table) == n_pairs
    diff = (table["area_m2"] - table["peer_m2"]).abs()
    bound = table["peer_perimeter_m"] * delta_m
    worst = table.assign(diff=diff, bound=bound)[diff > bound]
    assert worst.empty, f"areas differ by more than perimeter × {delta_m:g} m:\n{worst}"


def test_nyc_boroughs_equal_qgis_intersection() -> None:
    boroughs, polygons, peer = qgis_nybb(_folder("qgis_overlay_nybb"))
    table = beside_peer(boroughs, polygons, peer, ["BoroCode"], ["value1", "value2"],
                        unit_m=US_SURVEY_FOOT_M)
    largest = np.abs(shapely.get_coordinates(peer.geometry.to_numpy())).max()
    assert 1.0e6 < largest < 1.1e6  # the δ of the module docstring
    delta_ft = 2 * np.spacing(largest)
    # QGIS's 15 features are 15 distinct pairs; each borough meets 2 to 4 polygons
    assert len(peer) == 15
    _assert_pairs_agree(table, delta_ft * US_SURVEY_FOOT_M, n_pairs=15)


@pytest.mark.parametrize(("case", "files", "pairs"), [
    # squares of side 1 overlapping by quarters, touching at corners: three unit squares
    ("polys", ("df1.geojson", "df2.geojson", "df1_df2-intersection.geojson"),
     {(1, 1): 1.0, (2, 1): 1.0, (2, 2): 1.0}),
    # overlapping circle-like rings inside each layer: two pieces, neither a square
    ("overlap", ("df1_overlap.geojson", "df2_overlap.geojson",
                 "df1_df2_overlap-intersection.geojson"), {(1, 1): None, (2, 1): None}),
])
def test_geopandas_cases_equal_their_expected_intersection(case, files, pairs) -> None:
    a, b, peer = geopandas_case(_folder(f"geopandas_overlay/{case}"), *files)
    table = beside_peer(a, b, peer, ["col1"], ["col2"], unit_m=1.0)
    _assert_pairs_agree(table, 1e-15, n_pairs=len(pairs))
    assert sorted(table.index) == sorted(pairs)
    for pair, area in pairs.items():
        if area is not None:  # worked by hand: the pieces are unit squares
            assert table.loc[pair, "area_m2"] == area
