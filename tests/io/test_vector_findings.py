"""read_landuse: geometry repair, null geometries, overlaps and data-quality findings."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from landuse.errors import LanduseWarning
from landuse.io.vector import read_landuse
from landuse.rules import code_table
from tests.io._vector_data import X0, Y0, geod_area, make_dltb, square, write


def _read_quiet(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LanduseWarning)
        return read_landuse(path, **kw)


def _finding(lu, code):
    found = [f for f in lu.attrs["findings"] if f.code == code]
    assert len(found) == 1, [f.code for f in lu.attrs["findings"]]
    return found[0]


def test_clean_fixture_has_only_info_findings(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lu = read_landuse(write(make_dltb(), "gpkg", tmp_path))
    assert [f.code for f in lu.attrs["findings"]] == []


def test_bowtie_is_repaired_and_counted(tmp_path):
    gdf = make_dltb()
    # a self-intersecting bow-tie over square 0: two triangles of 100 x 50 / 2 = 2500 m² each
    bow = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    assert not bow.is_valid
    gdf.loc[0, "geometry"] = bow
    with pytest.warns(LanduseWarning, match="repaired"):
        lu = read_landuse(write(gdf, "gpkg", tmp_path))
    f = _finding(lu, "geometry_repaired")
    assert f.count == 1 and f.examples == ["101"] and f.severity == "warning"
    repaired = lu.geometry.iloc[0]
    assert repaired.is_valid and repaired.geom_type in ("Polygon", "MultiPolygon")
    assert repaired.area == pytest.approx(5000.0)
    # TBMJ (ellipsoidal area of the square) is now far from the repaired geometry: reported
    assert "tbmj_area_mismatch" in {x.code for x in lu.attrs["findings"]}


def test_polygon_with_dangling_spike_keeps_only_the_polygonal_part(tmp_path):
    gdf = make_dltb()
    # square 1 with a zero-width spike going out 50 m: make_valid gives polygon + line
    x, y = X0 + 100, Y0
    spiky = Polygon([(x, y), (x + 100, y), (x + 100, y + 50), (x + 150, y + 50),
                     (x + 100, y + 50), (x + 100, y + 100), (x, y + 100)])
    gdf.loc[1, "geometry"] = spiky
    with pytest.warns(LanduseWarning):
        lu = read_landuse(write(gdf, "gpkg", tmp_path))
    g = lu.geometry.iloc[1]
    assert g.geom_type == "Polygon" and g.area == pytest.approx(10_000.0)
    assert _finding(lu, "geometry_repaired").examples == ["102"]


def test_null_and_empty_geometries_are_dropped_and_counted(tmp_path):
    gdf = make_dltb()
    gdf.loc[2, "geometry"] = None
    gdf.loc[3, "geometry"] = Polygon()
    path = write(gdf, "gpkg", tmp_path)
    with pytest.warns(LanduseWarning, match="null or empty"):
        lu = read_landuse(path)
    f = _finding(lu, "geometry_null_dropped")
    assert f.count == 2 and f.examples == ["103", "104"]
    dropped = gdf["TBMJ"].iloc[2] + gdf["TBMJ"].iloc[3]
    assert f"{dropped:.2f} m²" in f.message
    assert lu["BSM"].tolist() == ["101", "102", "105", "106"]
    assert lu.attrs["source"]["features"] == 6


def test_overlaps_and_duplicates_report_the_double_counted_area(tmp_path):
    gdf = make_dltb()
    # patch 106 moved 10 m west: overlaps patch 105 by 10 m x 100 m = 1000 m²
    gdf.loc[5, "geometry"] = box(X0 + 490, Y0, X0 + 590, Y0 + 100)
    # an exact copy of patch 101 with another BSM: overlaps by its whole 10 000 m²
    extra = gdf.iloc[[0]].copy()
    extra["BSM"] = np.int32(107)
    gdf = pd.concat([gdf, extra], ignore_index=True)
    with pytest.warns(LanduseWarning, match="overlap"):
        lu = read_landuse(write(gpd.GeoDataFrame(gdf, crs=4527), "gpkg", tmp_path))
    f = _finding(lu, "overlapping_patches")
    assert f.count == 2
    assert "11000.00 m²" in f.message
    assert sorted(f.examples) == ["101×107", "105×106"]


def test_touching_patches_are_not_overlaps(tmp_path):
    gdf = make_dltb()
    gdf.loc[1, "geometry"] = box(X0 + 100 + 1e-3, Y0, X0 + 200, Y0 + 100)  # a 1 mm gap
    lu = _read_quiet(write(gdf, "gpkg", tmp_path))
    assert "overlapping_patches" not in {f.code for f in lu.attrs["findings"]}


def test_tiny_overlap_below_one_hundredth_m2_is_ignored(tmp_path):
    gdf = make_dltb()
    gdf.loc[1, "geometry"] = box(X0 + 100 - 1e-5, Y0, X0 + 200, Y0 + 100)  # 0.001 m²
    lu = _read_quiet(write(gdf, "gpkg", tmp_path))
    assert "overlapping_patches" not in {f.code for f in lu.attrs["findings"]}


def test_area_findings(tmp_path):
    gdf = make_dltb()
    gdf.loc[0, "TBDLMJ"] = gdf.loc[0, "TBDLMJ"] + 0.02     # beyond 0.01 m²
    gdf.loc[1, "TBDLMJ"] = gdf.loc[1, "TBDLMJ"] + 0.005    # within tolerance
    gdf.loc[2, "TBMJ"] = 10_000.0 * 1.006                   # 0.6 % above the geometry
    gdf.loc[2, "TBDLMJ"] = gdf.loc[2, "TBMJ"]
    gdf.loc[3, "TBMJ"] = 10_000.0 * 1.004                   # 0.4 %: fine
    gdf.loc[3, "TBDLMJ"] = gdf.loc[3, "TBMJ"]
    gdf.loc[5, "BSM"] = np.int32(105)                       # duplicate BSM
    with pytest.warns(LanduseWarning):
        lu = read_landuse(write(gdf, "gpkg", tmp_path))
    assert _finding(lu, "tbdlmj_mismatch").examples == ["101"]
    assert _finding(lu, "tbmj_area_mismatch").examples == ["103"]
    dup = _finding(lu, "duplicate_bsm")
    assert dup.count == 2 and dup.examples == ["105"]
    # values are kept as found, never silently corrected
    assert lu["TBDLMJ"].iloc[0] == pytest.approx(gdf["TBDLMJ"].iloc[0])


def test_missing_areas_are_computed(tmp_path):
    gdf = make_dltb()
    gdf["TBMJ"] = gdf["TBMJ"].astype(object)
    gdf.loc[4, "TBMJ"] = None
    gdf.loc[0, "TBDLMJ"] = np.nan
    gdf.loc[0, "KCMJ"] = np.nan  # KCXS = 0.05 stays
    lu = read_landuse(write(gdf, "gpkg", tmp_path))
    assert lu["TBMJ"].iloc[4] == pytest.approx(geod_area(square(4)), rel=1e-6)
    expected_kcmj = round(gdf["TBMJ"].iloc[0] * 0.05, 2)
    assert lu["KCMJ"].iloc[0] == pytest.approx(expected_kcmj, abs=1e-9)
    assert lu["TBDLMJ"].iloc[0] == pytest.approx(gdf["TBMJ"].iloc[0] - expected_kcmj)
    codes = {f.code: f for f in lu.attrs["findings"]}
    assert codes["tbmj_computed"].examples == ["105"]
    assert codes["kcmj_computed"].examples == ["101"]
    assert codes["tbdlmj_computed"].examples == ["101"]
    assert all(f.severity == "info" for f in lu.attrs["findings"])


def test_deduction_without_class_and_odd_czcsxm(tmp_path):
    gdf = make_dltb()
    gdf.loc[0, "KCDLBM"] = None
    gdf.loc[1, "CZCSXM"] = "209"
    gdf.loc[2, "CZCSXM"] = "203a"  # normalised to 203A, a valid code
    with pytest.warns(LanduseWarning):
        lu = read_landuse(write(gdf, "gpkg", tmp_path))
    assert _finding(lu, "kcmj_without_kcdlbm").examples == ["101"]
    assert "'209'" in _finding(lu, "czcsxm_unknown").message
    assert lu["CZCSXM"].iloc[2] == "203A"


# ------------------------------------------------------------------ hypothesis properties

_CODES = sorted(code_table().index)


@st.composite
def _county(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    codes = draw(st.lists(st.sampled_from(_CODES), min_size=n, max_size=n))
    kc = draw(st.lists(st.sampled_from([0.0, 0.02, 0.05, 0.137]), min_size=n, max_size=n))
    order = draw(st.permutations(list(range(n))))
    return codes, kc, order


def _consistent(codes, kcxs) -> gpd.GeoDataFrame:
    n = len(codes)
    geoms = [square(i % 4, i // 4) for i in range(n)]
    tbmj = np.round([geod_area(g) for g in geoms], 2)
    kcmj = np.round(tbmj * np.asarray(kcxs), 2)
    return gpd.GeoDataFrame(
        {"BSM": np.arange(1, n + 1, dtype=np.int32), "DLBM": codes, "TBMJ": tbmj,
         "KCDLBM": ["1203" if k > 0 else "" for k in kcxs], "KCXS": kcxs, "KCMJ": kcmj,
         "TBDLMJ": np.round(tbmj - kcmj, 2), "ZLDWDM": ["3703211001010000000"] * n},
        geometry=geoms, crs=4527)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_county())
def test_properties_order_independence_and_areas_add_up(tmp_path_factory, data):
    codes, kcxs, order = data
    gdf = _consistent(codes, kcxs)
    folder = tmp_path_factory.mktemp("prop")
    a = read_landuse(write(gdf, "gpkg", folder / "a"))
    b = read_landuse(write(gdf.iloc[list(order)], "gpkg", folder / "b"))
    key = lambda lu: lu.sort_values("BSM").reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(key(a).drop(columns="geometry"),
                                  key(b).drop(columns="geometry"))
    assert [f.code for f in a.attrs["findings"]] == [f.code for f in b.attrs["findings"]]
    # official class areas: Σ TBDLMJ by DLBM + Σ KCMJ by KCDLBM add up to Σ TBMJ
    by_class = a.groupby("DLBM")["TBDLMJ"].sum().add(
        a[a["KCDLBM"] != ""].groupby("KCDLBM")["KCMJ"].sum(), fill_value=0.0)
    assert by_class.sum() == pytest.approx(gdf["TBMJ"].sum(), abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(1, 3),
                          st.integers(1, 3)), min_size=1, max_size=10),
       st.integers(0, 3))
def test_overlap_detection_matches_brute_force(boxes, n_tiles):
    from landuse.io._geometry import overlap_finding

    # a clean tiling of unit-10 m squares plus random boxes on the same grid (which may
    # duplicate, contain or partly overlap tiles and each other)
    geoms = [box(X0 + 10 * i, Y0, X0 + 10 * (i + 1), Y0 + 10) for i in range(n_tiles)]
    geoms += [box(X0 + 10 * x, Y0 + 10 * y, X0 + 10 * (x + w), Y0 + 10 * (y + h))
              for x, y, w, h in boxes]
    s = gpd.GeoSeries(geoms, crs=4527)
    ids = pd.Series([f"p{i:02d}" for i in range(len(geoms))])
    expected = sorted(
        f"{ids[i]}×{ids[j]}" for i in range(len(geoms)) for j in range(i + 1, len(geoms))
        if geoms[i].intersection(geoms[j]).area > 0.01)
    found = overlap_finding(s, ids, source="x")
    if not expected:
        assert found is None
    else:
        assert found is not None and found.count == len(expected)
        assert found.examples == expected[:5]


def test_overlap_detection_with_holes_islands_multipolygons_and_orientation():
    from shapely import MultiPolygon, orient_polygons

    from landuse.io._geometry import overlap_finding

    outer = Polygon(
        [(X0, Y0), (X0 + 30, Y0), (X0 + 30, Y0 + 30), (X0, Y0 + 30)],
        [[(X0 + 10, Y0 + 10), (X0 + 20, Y0 + 10), (X0 + 20, Y0 + 20), (X0 + 10, Y0 + 20)]])
    island = box(X0 + 10, Y0 + 10, X0 + 20, Y0 + 20)
    right = MultiPolygon([box(X0 + 30, Y0, X0 + 40, Y0 + 10),
                          box(X0 + 30, Y0 + 20, X0 + 40, Y0 + 30)])
    clean = [orient_polygons(outer, exterior_cw=True), island, right]  # mixed orientation
    ids = pd.Series(["ring", "island", "right"])
    assert overlap_finding(gpd.GeoSeries(clean, crs=4527), ids, source="x") is None
    # a second island exactly on the first: 100 m² counted twice
    dup = gpd.GeoSeries([*clean, orient_polygons(island, exterior_cw=True)], crs=4527)
    found = overlap_finding(dup, pd.Series(["ring", "island", "right", "copy"]), source="x")
    assert found is not None and found.count == 1 and found.examples == ["copy×island"]
    assert "100.00 m²" in found.message


def test_tbmj_of_a_tiny_sliver_is_judged_with_the_survey_precision(tmp_path):
    gdf = make_dltb()
    # a 0.034 m² sliver (34 cm x 10 cm) with TBMJ rounded to 0.03 m²: 12 % off, far above
    # 0.5 %, but only 0.004 m², within the 0.01 m² precision: not a mismatch
    gdf.loc[5, "geometry"] = box(X0 + 500, Y0, X0 + 500.34, Y0 + 0.1)
    gdf.loc[5, ["TBMJ", "TBDLMJ"]] = [0.03, 0.03]
    lu = _read_quiet(write(gdf, "gpkg", tmp_path / "a"))
    assert "tbmj_area_mismatch" not in {f.code for f in lu.attrs["findings"]}
    gdf.loc[5, ["TBMJ", "TBDLMJ"]] = [0.05, 0.05]  # 0.016 m² off: reported
    lu = _read_quiet(write(gdf, "gpkg", tmp_path / "b"))
    assert _finding(lu, "tbmj_area_mismatch").examples == ["106"]


def test_single_part_multipolygons_become_polygons(tmp_path):
    from shapely import MultiPolygon

    gdf = make_dltb()
    gdf["geometry"] = [MultiPolygon([g]) for g in gdf.geometry]
    lu = read_landuse(write(gdf, "gpkg", tmp_path))
    assert set(lu.geom_type) == {"Polygon"}
