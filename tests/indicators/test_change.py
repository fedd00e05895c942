"""Change between two vintages: matrices written out by hand on tiny squares."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from landuse.errors import CRSError, LanduseWarning
from landuse.indicators import change
from tests.helpers import assert_not_mutated

T1 = "370321100"  # 索镇
T2 = "370321101"  # 唐山镇


def dltb(rows: list[dict]) -> gpd.GeoDataFrame:
    """A normalised DLTB frame from dicts with geom, DLBM, TBMJ and optional fields."""
    recs = []
    for i, r in enumerate(rows):
        kcmj = float(r.get("KCMJ", 0.0))
        tbmj = float(r["TBMJ"]) if "TBMJ" in r else float(r["geom"].area)
        zl = r.get("township", T1) + "0010000000"
        recs.append({
            "BSM": r.get("BSM", str(i + 1)), "DLBM": r["DLBM"], "DLMC": "",
            "TBMJ": tbmj, "KCDLBM": r.get("KCDLBM", "1203" if kcmj else ""),
            "KCXS": kcmj / tbmj, "KCMJ": kcmj, "TBDLMJ": tbmj - kcmj, "ZLDWDM": zl,
            "ZLDWMC": "", "QSDWDM": "", "QSXZ": "", "CZCSXM": r.get("CZCSXM", ""),
            "county": zl[:6], "township": zl[:9], "village": zl[:12], "geometry": r["geom"],
        })
    return gpd.GeoDataFrame(recs, geometry="geometry", crs="EPSG:4527")


def as_dict(m: pd.DataFrame, zone: str) -> dict[tuple[str, str], float]:
    sub = m[m["zone"] == zone]
    return {(f, t): round(a * 10_000, 6) for f, t, a in
            zip(sub["from_code"], sub["to_code"], sub["area_ha"], strict=True)}


def test_half_of_a_farmland_square_becomes_industry():
    # 2021: A (T1) 10 m × 10 m farmland 0101, B (T2) 10 m × 10 m forest 0301.
    prev = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0101"},
                 {"geom": box(10, 0, 20, 10), "DLBM": "0301", "township": T2}])
    # 2022: the east half of A is a factory 0601; B unchanged.
    cur = dltb([{"geom": box(0, 0, 5, 10), "DLBM": "0101"},
                {"geom": box(5, 0, 10, 10), "DLBM": "0601"},
                {"geom": box(10, 0, 20, 10), "DLBM": "0301", "township": T2}])
    m = assert_not_mutated(change.transitions, prev, cur)
    assert list(m.columns) == ["zone", "from_code", "to_code", "area_ha"]
    # county: 50 m² stays 0101, 50 m² 0101 -> 0601, 100 m² 0301 stays (in m²)
    assert as_dict(m, "370321") == {("0101", "0101"): 50.0, ("0101", "0601"): 50.0,
                                    ("0301", "0301"): 100.0}
    assert as_dict(m, T1) == {("0101", "0101"): 50.0, ("0101", "0601"): 50.0}
    assert as_dict(m, T2) == {("0301", "0301"): 100.0}
    assert m["zone"].tolist()[0] == "370321"
    # the matrix sums to the current total Σ TBMJ = 200 m²
    assert m.loc[m["zone"] == "370321", "area_ha"].sum() == pytest.approx(0.02)


def test_official_area_is_the_current_tbmj_allocated_by_planar_share():
    # current patch: planar 100 m² but TBMJ 102 m² (ellipsoidal); previous split 40/60.
    prev = dltb([{"geom": box(0, 0, 4, 10), "DLBM": "0101"},
                 {"geom": box(4, 0, 10, 10), "DLBM": "0702", "CZCSXM": "203"}])
    cur = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0102", "TBMJ": 102.0}])
    m = change.transitions(prev, cur, by="county")
    # 102 × 40/100 = 40.8 ; 102 × 60/100 = 61.2
    assert as_dict(m, "370321") == {("0101", "0102"): 40.8, ("0702", "0102"): 61.2}


def test_deduction_is_coupled_deduction_first_on_the_diagonal():
    # same square; 田坎 share falls from 10 % (KCMJ 10) to 4 % (KCMJ 4).
    prev = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0102", "KCMJ": 10.0}])
    cur = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0102", "KCMJ": 4.0}])
    m = change.transitions(prev, cur, by="county")
    # diagonal: 0102 min(90, 96) = 90, 1203 min(10, 4) = 4; the other 6 m² of 田坎 -> 0102
    assert as_dict(m, "370321") == {("0102", "0102"): 90.0, ("1203", "1203"): 4.0,
                                    ("1203", "0102"): 6.0}
    # column sums are the current official class areas: 0102 = TBDLMJ 96, 1203 = KCMJ 4
    to = m.groupby("to_code")["area_ha"].sum() * 10_000
    assert to["0102"] == pytest.approx(96.0) and to["1203"] == pytest.approx(4.0)


def test_deducted_farmland_becoming_construction_brings_its_tiankan_along():
    prev = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0102", "KCMJ": 10.0}])
    cur = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0601", "CZCSXM": "202A"}])
    flows = change.transition_flows(prev, cur, by="county")
    m = change.transition_matrix(flows)
    assert as_dict(m, "370321") == {("0102", "0601"): 90.0, ("1203", "0601"): 10.0}
    new = change.new_construction_land(flows)
    got = dict(zip(new["source"], new["area_ha"] * 10_000, strict=True))
    # 0102 is farmland; 1203 田坎 is other agricultural land
    assert got == pytest.approx({"farmland": 90.0, "other_agricultural": 10.0, "unused": 0.0,
                                 "unknown": 0.0})
    fc = change.farmland_change(flows)
    assert fc["lost_ha"].iloc[0] * 10_000 == pytest.approx(90.0)
    assert fc["gained_ha"].iloc[0] == 0.0


def _shifted_boundary(shift: float):
    # 100 m × 100 m squares; in 2022 the shared boundary moved `shift` m east
    prev = dltb([{"geom": box(0, 0, 100, 100), "DLBM": "0101"},
                 {"geom": box(100, 0, 200, 100), "DLBM": "0301"}])
    cur = dltb([{"geom": box(0, 0, 100 + shift, 100), "DLBM": "0101"},
                {"geom": box(100 + shift, 0, 200, 100), "DLBM": "0301"}])
    return prev, cur


def test_boundary_jitter_below_the_width_threshold_is_not_change():
    prev, cur = _shifted_boundary(0.15)
    m = change.transitions(prev, cur, by="county")
    # the 15 m² sliver is larger than 1 m² but only 0.15 m thin (< 0.2 m): jitter, on the
    # diagonal; TBMJ of the current patches are 10015 and 9985 m²
    assert as_dict(m, "370321") == {("0101", "0101"): 10015.0, ("0301", "0301"): 9985.0}
    assert m.attrs["jitter_area_m2"] == pytest.approx(15.0)
    # with both thresholds off the sliver is a 0301 -> 0101 change of 15 m²
    raw = change.transitions(prev, cur, by="county", min_area_m2=0.0, min_width_m=0.0)
    assert as_dict(raw, "370321") == {("0101", "0101"): 10000.0, ("0301", "0101"): 15.0,
                                      ("0301", "0301"): 9985.0}
    # an area threshold alone (default 1 m²) does not catch a 15 m² sliver
    area_only = change.transitions(prev, cur, by="county", min_width_m=0.0)
    assert as_dict(area_only, "370321")[("0301", "0101")] == 15.0


def test_same_outline_within_half_the_width_is_taken_whole():
    # vertices moved by 0.05 m <= min_width_m / 2: each current patch is matched whole to
    # its previous patch (fast path), the same result as the jitter rule
    prev, cur = _shifted_boundary(0.05)
    m = change.transitions(prev, cur, by="county")
    assert as_dict(m, "370321") == {("0101", "0101"): 10005.0, ("0301", "0301"): 9995.0}
    # a reclassified patch with the same outline changes whole
    cur2 = cur.assign(DLBM=["0601", "0301"])
    m2 = change.transitions(prev, cur2, by="county")
    assert as_dict(m2, "370321") == {("0101", "0601"): 10005.0, ("0301", "0301"): 9995.0}


def test_redigitised_outline_with_an_extra_vertex_is_matched_whole():
    from shapely.geometry import Polygon
    # 2022 re-digitised the shared edge with a vertex 5 cm east of it at mid-height
    prev = dltb([{"geom": box(0, 0, 100, 100), "DLBM": "0101"},
                 {"geom": box(100, 0, 200, 100), "DLBM": "0301"}])
    west = Polygon([(0, 0), (100, 0), (100.05, 50), (100, 100), (0, 100)])
    east = Polygon([(100, 0), (200, 0), (200, 100), (100, 100), (100.05, 50)])
    cur = dltb([{"geom": west, "DLBM": "0101"}, {"geom": east, "DLBM": "0301"}])
    # the triangle between the edges: 0.5 × 100 m × 0.05 m = 2.5 m²
    m = change.transitions(prev, cur, by="county")
    assert as_dict(m, "370321") == {("0101", "0101"): 10002.5, ("0301", "0301"): 9997.5}
    raw = change.transitions(prev, cur, by="county", min_area_m2=0.0, min_width_m=0.0)
    assert as_dict(raw, "370321") == {("0101", "0101"): 10000.0, ("0301", "0101"): 2.5,
                                      ("0301", "0301"): 9997.5}


def test_changed_patches_excludes_jitter_and_unchanged_land():
    prev = dltb([{"geom": box(0, 0, 100, 100), "DLBM": "0101"},
                 {"geom": box(100, 0, 200, 100), "DLBM": "0301"}])
    cur = dltb([{"geom": box(0, 0, 50, 100), "DLBM": "0101", "BSM": "c1"},
                {"geom": box(50, 0, 100.1, 100), "DLBM": "1003", "BSM": "c2"},
                {"geom": box(100.1, 0, 200, 100), "DLBM": "0301", "BSM": "c3"}])
    layer = change.changed_patches(prev, cur)
    assert isinstance(layer, gpd.GeoDataFrame)
    # the road: 50 m × 100 m from 0101 (the 0.1 m strip over the forest is jitter)
    assert layer["BSM"].tolist() == ["c2"]
    assert (layer["from_code"].iloc[0], layer["to_code"].iloc[0]) == ("0101", "1003")
    assert layer["planar_area_m2"].iloc[0] == pytest.approx(5000.0)
    assert layer.crs == cur.crs


def test_levels_second_level_and_sandalei():
    prev = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0201K"},
                 {"geom": box(10, 0, 20, 10), "DLBM": "0101"}])
    cur = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0201"},
                {"geom": box(10, 0, 20, 10), "DLBM": "1201"}])
    l2 = change.transitions(prev, cur, by="county", level="level2")
    assert as_dict(l2, "370321") == {("0201", "0201"): 100.0, ("0101", "1201"): 100.0}
    sd = change.transitions(prev, cur, by="county", level="sandalei")
    # 0201K -> 0201 stays 农用地; 0101 -> 1201 空闲地 is 农用地 -> 建设用地 (domain.md trap)
    assert as_dict(sd, "370321") == {("农用地", "农用地"): 100.0, ("农用地", "建设用地"): 100.0}
    l1 = change.transitions(prev, cur, by="county", level="level1")
    assert as_dict(l1, "370321") == {("02", "02"): 100.0, ("01", "12"): 100.0}


def test_current_land_outside_the_previous_vintage_is_kept_with_empty_from_code():
    prev = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0101"}])
    cur = dltb([{"geom": box(0, 0, 20, 10), "DLBM": "0101"}])
    with pytest.warns(LanduseWarning, match="outside every previous patch"):
        m = change.transitions(prev, cur, by="county")
    assert as_dict(m, "370321") == {("0101", "0101"): 100.0, ("", "0101"): 100.0}


def test_overlapping_previous_patches_share_the_current_area_with_a_warning():
    # previous patches overlap on x 5..10 (50 m²); current 12 m × 10 m factory, TBMJ 120
    prev = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0101"},
                 {"geom": box(5, 0, 15, 10), "DLBM": "0301"}])
    cur = dltb([{"geom": box(0, 0, 12, 10), "DLBM": "0601"}])
    with pytest.warns(LanduseWarning, match="more than once"):
        m = change.transitions(prev, cur, by="county")
    # pieces of 100 m² (with 0101) and 70 m² (with 0301) share the 120 m²: × 120 / 170
    got = as_dict(m, "370321")
    assert got[("0101", "0601")] == pytest.approx(120 * 100 / 170, abs=1e-6)
    assert got[("0301", "0601")] == pytest.approx(120 * 70 / 170, abs=1e-6)


def test_vintages_in_different_crs_are_refused():
    prev = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0101"}]).set_crs(4548, allow_override=True)
    cur = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0101"}])
    with pytest.raises(CRSError, match="working_crs"):
        change.transitions(prev, cur)


def test_result_does_not_depend_on_feature_order():
    prev = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0101", "KCMJ": 5.0},
                 {"geom": box(10, 0, 20, 10), "DLBM": "0702", "CZCSXM": "203"},
                 {"geom": box(0, 10, 20, 20), "DLBM": "1201", "CZCSXM": "202"}])
    cur = dltb([{"geom": box(0, 0, 15, 10), "DLBM": "0601", "CZCSXM": "202A"},
                {"geom": box(15, 0, 20, 20), "DLBM": "0102", "KCMJ": 2.0},
                {"geom": box(0, 10, 15, 20), "DLBM": "05H1", "CZCSXM": "202"}])
    a = change.transitions(prev, cur)
    b = change.transitions(prev.iloc[::-1], cur.iloc[[2, 0, 1]])
    pd.testing.assert_frame_equal(a, b)


def test_stock_land_and_rural_settlement_reduction():
    prev = dltb([
        {"geom": box(0, 0, 10, 10), "DLBM": "1201", "CZCSXM": "202"},     # vacant
        {"geom": box(10, 0, 20, 10), "DLBM": "0702", "CZCSXM": "203"},    # homesteads
        {"geom": box(20, 0, 30, 10), "DLBM": "0702", "CZCSXM": "203"},
        {"geom": box(30, 0, 40, 10), "DLBM": "0601", "CZCSXM": "202A"},
    ])
    cur = dltb([
        {"geom": box(0, 0, 10, 10), "DLBM": "05H1", "CZCSXM": "202"},     # vacant put to use
        {"geom": box(10, 0, 20, 10), "DLBM": "0102", "KCMJ": 3.0},        # reclaimed farmland
        {"geom": box(20, 0, 30, 10), "DLBM": "0702", "CZCSXM": "203"},    # unchanged
        {"geom": box(30, 0, 40, 10), "DLBM": "0601", "CZCSXM": "202A"},   # unchanged
    ])
    flows = change.transition_flows(prev, cur, by="county")
    stock = change.stock_land_revitalised_area(flows)
    assert stock.name == "stock_land_revitalised_area"
    assert stock["370321"] == pytest.approx(0.01)  # the 100 m² of 1201 -> 05H1 only
    red = assert_not_mutated(change.rural_settlement_reduction_area, prev, cur, by="county")
    # rural settlement (construction land with CZCSXM 203): 200 m² -> 100 m²
    assert red["370321"] == pytest.approx(0.01)
    fc = change.farmland_change(flows)
    # 97 m² of 0102 (TBDLMJ) gained; the 3 m² 田坎 is not farmland
    assert fc["gained_ha"].iloc[0] * 10_000 == pytest.approx(97.0)
    new = change.new_construction_land_area(flows)
    assert new["370321"] == 0.0


def _socio(values: dict[tuple[int, str], tuple[float, float]],
           comparable: dict[tuple[int, str], float] | None = None) -> pd.DataFrame:
    comparable = comparable or {}
    return pd.DataFrame([{"year": y, "zone": z, "population_total": p, "gdp_10k_yuan": g,
                          "gdp_comparable_10k_yuan": comparable.get((y, z), float("nan"))}
                         for (y, z), (p, g) in values.items()])


def test_two_year_indicators_against_hand_figures():
    # 2021: 100 m² construction (a village's 0601, CZCSXM 203: also 城乡建设用地) and a
    # 20 m² road (1003, no CZCSXM: construction land, not 城乡建设用地); 2022: the 0601
    # grows to 150 m², the road stays.
    prev = dltb([{"geom": box(0, 0, 10, 10), "DLBM": "0601", "CZCSXM": "203"},
                 {"geom": box(10, 0, 40, 10), "DLBM": "0101"},
                 {"geom": box(40, 0, 42, 10), "DLBM": "1003"}])
    cur = dltb([{"geom": box(0, 0, 15, 10), "DLBM": "0601", "CZCSXM": "203"},
                {"geom": box(15, 0, 40, 10), "DLBM": "0101"},
                {"geom": box(40, 0, 42, 10), "DLBM": "1003"}])
    # GDP 200 -> 300 at current prices, 250 at 2021 (comparable) prices; 2021 is the price
    # base year, so its blank comparable value is its current 200
    socio = _socio({(2021, "370321"): (1000.0, 200.0), (2022, "370321"): (1100.0, 300.0)},
                   {(2022, "370321"): 250.0})
    flows = change.transition_flows(prev, cur, by="county")
    per_gdp = change.new_construction_land_per_gdp_growth(flows, socio, year=2022,
                                                          previous_year=2021)
    # 50 m² new construction land / (250 − 200) 万元 = 1 m²/万元 (comparable, not 0.5)
    assert per_gdp["370321"] == pytest.approx(1.0)
    pop = change.construction_land_population_elasticity(prev, cur, socio, year=2022,
                                                         previous_year=2021, by="county")
    # PEI: 城乡建设用地 100 -> 150 m² (+50 %), population +10 % -> 5 (the road is left out)
    assert pop["370321"] == pytest.approx(5.0)
    gdp = change.construction_land_gdp_elasticity(prev, cur, socio, year=2022,
                                                  previous_year=2021, by="county")
    # EEI: GDP +25 % (comparable) / construction land 120 -> 170 m² (+41.67 %) = 0.6
    assert gdp["370321"] == pytest.approx(0.25 / (50 / 120))
    flat = _socio({(2021, "370321"): (1000.0, 200.0), (2022, "370321"): (1000.0, 200.0)})
    none = change.construction_land_population_elasticity(prev, cur, flat, year=2022,
                                                          previous_year=2021, by="county")
    assert np.isnan(none["370321"]) and "370321" in none.attrs["reasons"]
    # without a report-year comparable GDP the GDP figures are not computable
    current_only = _socio({(2021, "370321"): (1000.0, 200.0), (2022, "370321"): (1100.0, 300.0)})
    g = change.construction_land_gdp_elasticity(prev, cur, current_only, year=2022,
                                                previous_year=2021, by="county")
    assert np.isnan(g["370321"]) and "comparable" in g.attrs["reasons"]["370321"]


# ----------------------------------------------------------------------------- sample county

@pytest.fixture
def vintages(sample):
    """The 2021 and 2022 DLTB of the session's sample (tests/conftest.py)."""
    return sample["DLTB_2021"], sample["DLTB"]


def test_sample_matrix_columns_are_the_current_official_class_areas(vintages):
    prev, cur = vintages
    m = change.transitions(prev, cur)
    county = m[m["zone"] == "370321"]
    # independent: Σ TBMJ, and Σ TBDLMJ by DLBM + Σ KCMJ by KCDLBM of the 2022 layer
    assert county["area_ha"].sum() == pytest.approx(cur["TBMJ"].sum() / 1e4, rel=1e-9)
    official = (cur.groupby("DLBM")["TBDLMJ"].sum()
                .add(cur[cur["KCMJ"] > 0].groupby("KCDLBM")["KCMJ"].sum(), fill_value=0))
    to = county.groupby("to_code")["area_ha"].sum() * 1e4
    pd.testing.assert_series_equal(to.sort_index(), official[official > 0].sort_index(),
                                   check_names=False, rtol=1e-9)
    # township rows add up to the county rows
    towns = m[m["zone"].str.len() == 9].groupby(["from_code", "to_code"])["area_ha"].sum()
    pd.testing.assert_series_equal(towns, county.set_index(["from_code", "to_code"])["area_ha"],
                                   check_names=False, rtol=1e-9)


def test_sample_new_construction_on_farmland_matches_the_patches(vintages):
    prev, cur = vintages
    flows = change.transition_flows(prev, cur, by="county")
    sd = change.transition_matrix(flows, level="sandalei")
    got = sd.set_index(["from_code", "to_code"])["area_ha"].get(("农用地", "建设用地"), 0.0)
    # independent: each 2022 construction patch's 2021 class, from the 2021 patch under its
    # representative point (jitter moves outlines by 2.5 cm at most)
    from landuse.rules import code_table
    sandalei = code_table()["sandalei"]
    pts = gpd.GeoDataFrame(geometry=cur.geometry.representative_point(), crs=cur.crs)
    hit = gpd.sjoin(pts, prev[["DLBM", "geometry"]], predicate="within", how="left")
    hit = hit[~hit.index.duplicated()]
    was = hit["DLBM"].map(sandalei)
    now = cur["DLBM"].map(sandalei)
    new = cur.loc[(now == "建设用地") & (was == "农用地"), "TBMJ"].sum() / 1e4
    assert new > 10  # the vintage has tens of hectares of new construction land
    assert got == pytest.approx(new, rel=2e-3)
    # rural settlement reduction: independent sums over CZCSXM 203/203A construction land
    def rural(df):
        m = df["DLBM"].map(sandalei).eq("建设用地") & df["CZCSXM"].isin(["203", "203A"])
        return df.loc[m, "TBDLMJ"].sum() / 1e4
    red = change.rural_settlement_reduction_area(prev, cur)
    assert red["370321"] == pytest.approx(rural(prev) - rural(cur), rel=1e-9)
    assert red["370321"] > 0


# ----------------------------------------------------------------------------- properties


def _grid(xcuts: list[float], ycuts: list[float], codes: list[str], kc: list[float]):
    xs, ys = [0.0, *sorted(xcuts), 60.0], [0.0, *sorted(ycuts), 40.0]
    rows, k = [], 0
    for i in range(len(xs) - 1):
        for j in range(len(ys) - 1):
            g = box(xs[i], ys[j], xs[i + 1], ys[j + 1])
            code = codes[k % len(codes)]
            ded = kc[k % len(kc)] * g.area if code in ("0101", "0102") else 0.0
            rows.append({"geom": g, "DLBM": code, "KCMJ": ded,
                         "township": T1 if xs[i] < 30 else T2})
            k += 1
    return dltb(rows)


def _official(frame: gpd.GeoDataFrame) -> pd.Series:
    a = frame.groupby("DLBM")["TBDLMJ"].sum()
    b = frame[frame["KCMJ"] > 0].groupby("KCDLBM")["KCMJ"].sum()
    out = a.add(b, fill_value=0.0)
    return out[out > 0]


cuts = st.lists(st.floats(1.0, 39.0).map(lambda v: round(v, 1)), min_size=0, max_size=3,
                unique=True)
codes = st.lists(st.sampled_from(["0101", "0102", "0301", "0601", "0702", "1201"]),
                 min_size=1, max_size=6)
ratios = st.lists(st.sampled_from([0.0, 0.02, 0.05, 0.1]), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(cuts, cuts, codes, ratios, cuts, cuts, codes, ratios)
def test_marginals_are_the_two_vintages_official_areas(px, py, pc, pk, cx, cy, cc, ck):
    # both vintages partition the same 60 m × 40 m rectangle (TBMJ = planar area), so with
    # the jitter rule off the row sums are the previous official class areas and the column
    # sums the current ones; townships add up to the county
    prev, cur = _grid(px, py, pc, pk), _grid(cx, cy, cc, ck)
    m = change.transitions(prev, cur, min_area_m2=0.0, min_width_m=0.0)
    county = m[m["zone"] == "370321"]
    frm = county.groupby("from_code")["area_ha"].sum() * 1e4
    to = county.groupby("to_code")["area_ha"].sum() * 1e4
    # (row sums may move by the 0.01 m² rounding rule of equal deductions: ≤ 49 pieces)
    pd.testing.assert_series_equal(frm.sort_index(), _official(prev).sort_index(),
                                   check_names=False, check_index_type=False, rtol=1e-9,
                                   atol=0.5)
    pd.testing.assert_series_equal(to.sort_index(), _official(cur).sort_index(),
                                   check_names=False, check_index_type=False, rtol=1e-9)
    towns = m[m["zone"] != "370321"].groupby(["from_code", "to_code"])["area_ha"].sum()
    pd.testing.assert_series_equal(towns, county.set_index(["from_code", "to_code"])["area_ha"],
                                   check_names=False, rtol=1e-9)


def test_uncovered_remainders_thin_and_wide_with_zero_one_and_two_neighbours():
    # 2021 covers x in [0, 200] (two 100 m squares, 0101 and 0301).
    prev = dltb([{"geom": box(0, 0, 100, 100), "DLBM": "0101"},
                 {"geom": box(100, 0, 200, 100), "DLBM": "0301"}])
    # 2022: patch 1 spans both previous squares and reaches 0.15 m beyond the top of both
    # (a thin strip: two neighbours, jitter); patch 2 lies 5 m beyond the right edge with
    # 5 m of it uncovered (one neighbour, a wide strip); patch 3 lies far away (no
    # neighbour: all of it uncovered). Areas written by hand from the boxes.
    cur = dltb([{"geom": box(0, 50, 195, 100.15), "DLBM": "0101"},
                {"geom": box(195, 0, 205, 100), "DLBM": "0602"},
                {"geom": box(1000, 0, 1010, 10), "DLBM": "1001"}])
    with pytest.warns(LanduseWarning, match="current_not_in_previous|lie outside"):
        m = change.transitions(prev, cur, by="county")
    got = as_dict(m, "370321")
    # patch 1: 195 × 50.15 = 9779.25 m², of which 100 × 50 = 5000 was 0101 and 95 × 50 =
    # 4750 was 0301; the 195 × 0.15 = 29.25 m² strip is thin (< 0.2 m): jitter, kept on the
    # diagonal 0101 -> 0101
    assert got[("0101", "0101")] == pytest.approx(5000.0 + 29.25)
    assert got[("0301", "0101")] == pytest.approx(4750.0)
    # patch 2: 5 × 100 = 500 m² from 0301, 500 m² uncovered and 5 m wide: no previous class
    assert got[("0301", "0602")] == pytest.approx(500.0)
    assert got[("", "0602")] == pytest.approx(500.0)
    # patch 3: all 100 m² uncovered
    assert got[("", "1001")] == pytest.approx(100.0)
    assert sum(got.values()) == pytest.approx(9779.25 + 1000.0 + 100.0)
