"""Farmland balance (耕地进出平衡, 占补平衡, 质量等别) on a hand-made pair of vintages.

Five patches, the same outlines in both years (so every patch is one piece, whole), 1 ha each
except P3 (2 ha); township A = 370321100, B = 370321101:

======  ====  ==========  ==========  ===========================================
patch   zone  previous    current     meaning
======  ====  ==========  ==========  ===========================================
P1      A     0101 水田    0601 工业    farmland out, to construction (paddy), 1 ha
P2      A     0102        0102        unchanged farmland, 1 ha
P3      B     0301 林地    0103 旱地    farmland in, from non-construction, 2 ha
P4      B     0702 宅基地  0101 水田    farmland in, from construction (复垦), 1 ha
P5      B     0103        0201 果园    farmland out, to non-construction, 1 ha
======  ====  ==========  ==========  ===========================================
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from landuse.indicators import balance
from landuse.indicators.change import transition_flows
from landuse.io.bureau import read_farmland_supplement
from tests.helpers import assert_not_mutated

A, B, C = "370321100", "370321101", "370321"
# patch, zone, previous code, current code, width (m) of a 100 m-high box
PATCHES = [("P1", A, "0101", "0601", 100), ("P2", A, "0102", "0102", 100),
           ("P3", B, "0301", "0103", 200), ("P4", B, "0702", "0101", 100),
           ("P5", B, "0103", "0201", 100)]


def _vintage(which: int, grades: dict[str, float] | None = None,
             patches: list | None = None) -> gpd.GeoDataFrame:
    patches = PATCHES if patches is None else patches
    x = 0.0
    geoms, rows = [], []
    for bsm, zone, prev, cur, w in patches:
        geoms.append(box(x, 0, x + w, 100))
        x += w
        area = w * 100.0
        code = prev if which == 0 else cur
        rows.append({"BSM": bsm, "DLBM": code, "TBMJ": area, "TBDLMJ": area, "KCDLBM": "",
                     "KCMJ": 0.0, "CZCSXM": "203" if code == "0702" else "",
                     "ZLDWDM": zone + "0010000000"})
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4527")
    if grades is not None:
        frame["GDDB"] = [grades.get(b, np.nan) for b, *_ in patches]
    return frame


@pytest.fixture(scope="module")
def flows() -> pd.DataFrame:
    return transition_flows(_vintage(0), _vintage(1))


def test_balance_table_lists_every_flow(flows):
    t = assert_not_mutated(balance.farmland_balance, flows)
    county = t[t["zone"] == C]
    got = {(r.direction, r.from_code, r.to_code): r.area_ha for r in county.itertuples()}
    assert got == pytest.approx({("out", "0101", "0601"): 1.0, ("out", "0103", "0201"): 1.0,
                                 ("in", "0301", "0103"): 2.0, ("in", "0702", "0101"): 1.0})
    # 1 ha = 15 亩
    assert county["area_mu"].tolist() == pytest.approx([15.0, 15.0, 30.0, 15.0])
    assert list(t.columns) == balance.BALANCE_COLUMNS
    assert t["zone"].tolist()[:4] == [C] * 4  # county first, out before in
    assert county["direction"].tolist() == ["out", "out", "in", "in"]
    a = t[t["zone"] == A]
    assert a[["direction", "from_code", "to_code"]].values.tolist() == [["out", "0101", "0601"]]


def test_flow_indicators_by_hand(flows):
    ind = balance.farmland_flow_indicators(flows)
    expected = {
        # out: P1 + P5 = 2; in: P3 + P4 = 3; net = 3 - 2 = 1
        "farmland_outflow_area": {C: 2.0, A: 1.0, B: 1.0},
        "farmland_inflow_area": {C: 3.0, A: 0.0, B: 3.0},
        "farmland_net_change": {C: 1.0, A: -1.0, B: 2.0},
        # only P1 went to construction land
        "farmland_to_construction_area": {C: 1.0, A: 1.0, B: 0.0},
        # 进出平衡: in from non-construction (P3 = 2) - out to non-construction (P5 = 1)
        "farmland_in_out_balance": {C: 1.0, A: 0.0, B: 1.0},
    }
    for iid, exp in expected.items():
        assert ind[iid].to_dict() == pytest.approx(exp), iid
        assert ind[iid].name == iid
    comps = ind["farmland_in_out_balance"].attrs["components"]
    assert comps.loc[C, "inflow_from_construction_ha"] == pytest.approx(1.0)  # P4
    assert comps["rule_not_decrease"].to_dict() == {C: "met", A: "met", B: "met"}


def _supplement(tmp_path) -> pd.DataFrame:
    # Chinese headers, areas in 亩 (converted to ha: ÷ 15)
    text = ("项目编号,年度,乡镇代码,新增耕地面积(亩),其中水田面积(亩),质量等别,验收日期\n"
            f"S1,2022,{A},18,6,7,2022-05-01\n"      # 1.2 ha, paddy 0.4 ha, grade 7
            f"S2,2022,{B},12,0,9,2022-08-01\n"      # 0.8 ha, grade 9
            f"S3,2021,{A},30,30,3,2021-09-01\n")    # verified 2021: not in 2022's balance
    path = tmp_path / "supplement.csv"
    path.write_text(text, encoding="utf-8")
    return read_farmland_supplement(path)


def test_supplement_balance_by_hand(tmp_path, flows):
    sup = _supplement(tmp_path)
    assert sup["area_ha"].tolist() == pytest.approx([1.2, 0.8, 2.0])
    prev = _vintage(0, grades={"P1": 6.0, "P5": 10.0})
    b = assert_not_mutated(balance.supplement_balance, flows, sup, year=2022, previous=prev,
                           county=C)
    c, a, bb = b.loc[C], b.loc[A], b.loc[B]
    # county: taken P1 = 1 ha (all 水田, grade 6); supplemented 1.2 + 0.8 = 2.0 ha
    assert c["taken_ha"] == pytest.approx(1.0)
    assert c["taken_paddy_ha"] == pytest.approx(1.0)
    assert c["taken_grade"] == pytest.approx(6.0)
    assert c["supplemented_ha"] == pytest.approx(2.0)
    assert c["supplemented_paddy_ha"] == pytest.approx(0.4)
    # (1.2 × 7 + 0.8 × 9) / 2.0 = (8.4 + 7.2) / 2 = 7.8
    assert c["supplemented_grade"] == pytest.approx(7.8)
    assert c["quantity_balance_ha"] == pytest.approx(1.0)   # 2.0 - 1.0
    assert c["paddy_balance_ha"] == pytest.approx(-0.6)     # 0.4 - 1.0
    assert c["grade_difference"] == pytest.approx(-1.8)     # 6 - 7.8: worse land supplied
    assert (c["quantity_status"], c["paddy_status"], c["quality_status"]) == (
        "met", "not_met", "not_met")
    # A: 1.2 - 1.0 = +0.2; grade 6 - 7 = -1
    assert a["quantity_balance_ha"] == pytest.approx(0.2)
    assert a["grade_difference"] == pytest.approx(-1.0)
    # B: nothing taken: quality cannot get worse (0, met); +0.8 ha
    assert bb["quantity_balance_ha"] == pytest.approx(0.8)
    assert (bb["grade_difference"], bb["quality_status"]) == (0.0, "met")
    ind = balance.supplement_indicators(b)
    assert ind["farmland_supplement_balance"].to_dict() == pytest.approx({C: 1.0, A: 0.2,
                                                                           B: 0.8})


def test_supplement_without_ledger_or_grades_is_not_computable(flows):
    b = balance.supplement_balance(flows, None, year=2022, county=C)
    assert b["quantity_status"].eq("not_computable").all()
    assert b["supplemented_ha"].isna().all()  # never zero
    assert "no 补充耕地 ledger" in b.loc[C, "reason"]
    assert "no GDDB" in b.loc[C, "reason"]


def test_quality_grade_area_weighted():
    # farmland now: P2 0102 1 ha grade 5 (A), P3 0103 2 ha grade 8, P4 0101 1 ha grade 11 (B);
    # P1 (0601) and P5 (0201) carry grade 3 that must not count
    cur = _vintage(1, grades={"P1": 3.0, "P2": 5.0, "P3": 8.0, "P4": 11.0, "P5": 3.0})
    g = assert_not_mutated(balance.farmland_quality_grade, cur)
    # county (1×5 + 2×8 + 1×11) / 4 = 32 / 4 = 8; A 5; B (16 + 11) / 3 = 9
    assert g.to_dict() == pytest.approx({C: 8.0, A: 5.0, B: 9.0})
    t = balance.farmland_area_by_grade(cur)
    county = t[t["zone"] == C].set_index("grade")["area_ha"].to_dict()
    assert county == pytest.approx({5.0: 1.0, 8.0: 2.0, 11.0: 1.0})


def test_quality_grade_on_part_of_the_farmland_shows_both_areas():
    # P3 (2 ha, B) without a grade: B's mean is P4's 11 alone, county (5 + 11) / 2 = 8; the
    # row carries the graded area beside all farmland: B 1 of 3 ha, county 2 of 4 ha
    cur = _vintage(1, grades={"P2": 5.0, "P4": 11.0})
    g = balance.farmland_quality_grade(cur)
    assert g.to_dict() == pytest.approx({C: 8.0, A: 5.0, B: 11.0})
    comps = g.attrs["components"]
    np.testing.assert_allclose(comps.loc[[C, A, B], ["graded_farmland_ha", "farmland_ha"]],
                               [[2.0, 4.0], [1.0, 1.0], [1.0, 3.0]], rtol=1e-12)


def test_quality_grade_without_gddb_says_why():
    g = balance.farmland_quality_grade(_vintage(1))
    assert g.isna().all()
    assert "GDDB" in g.attrs["reasons"][C]
    assert balance.farmland_area_by_grade(_vintage(1)).empty


def test_fast_sums_agree_with_change_module_on_the_sample_county():
    import warnings
    from pathlib import Path

    from landuse.indicators.change import _member, _zone_sum, farmland_change
    from landuse.indicators.flowsums import FlowSums
    from landuse.io.vector import read_landuse
    from landuse.rules import load_rules

    data = Path(__file__).resolve().parents[2] / "sample_data"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cur = read_landuse(data / "huantai.gpkg", layer="DLTB")
        prev = read_landuse(data / "huantai_2021.gpkg", layer="DLTB")
    flows = transition_flows(prev, cur)
    rs = load_rules()
    fs = FlowSums(flows, rs)
    for side in ("from", "to"):
        for agg in ("farmland", "construction_land", "urban_rural_construction_land"):
            m = fs.member(side, agg)
            assert (m == _member(flows, side, agg, rs)).all(), (side, agg)
            pd.testing.assert_series_equal(fs.sum_m2(m), _zone_sum(flows, m),
                                           check_names=False, rtol=1e-12)
    ch = farmland_change(flows).set_index("zone")
    ind = balance.farmland_flow_indicators(flows)
    assert ind["farmland_outflow_area"].to_numpy() == pytest.approx(ch["lost_ha"].to_numpy())
    assert ind["farmland_inflow_area"].to_numpy() == pytest.approx(ch["gained_ha"].to_numpy())


def test_a_grade_known_for_part_of_the_land_says_so(tmp_path):
    # township A: P1 (1 ha, 水田 graded 6) and P6 (2 ha, 旱地 without GDDB) both become
    # construction land; supplemented: S1 1.2 ha graded 7 and S4 1.0 ha (15 亩) without 等别.
    # By hand: taken 3 ha, taken_grade 6 (P1 only); supplemented 2.2 ha, grade 7 (S1 only);
    # each mean says on which part it rests, in the row's reason
    patches = [("P1", A, "0101", "0601", 100), ("P6", A, "0103", "0602", 200)]
    flows = transition_flows(_vintage(0, patches=patches), _vintage(1, patches=patches))
    prev = _vintage(0, grades={"P1": 6.0}, patches=patches)
    path = tmp_path / "supplement.csv"
    path.write_text("项目编号,年度,乡镇代码,新增耕地面积(亩),其中水田面积(亩),质量等别,验收日期\n"
                    f"S1,2022,{A},18,6,7,2022-05-01\nS4,2022,{A},15,0,,2022-06-01\n",
                    encoding="utf-8")
    b = balance.supplement_balance(flows, read_farmland_supplement(path), year=2022,
                                   previous=prev, county=C)
    a = b.loc[A]
    assert (a["taken_ha"], a["taken_grade"]) == (pytest.approx(3.0), pytest.approx(6.0))
    assert (a["supplemented_ha"], a["supplemented_grade"]) == (pytest.approx(2.2),
                                                               pytest.approx(7.0))
    assert "2.0000 ha of the 3.0000 ha of farmland taken have no GDDB" in a["reason"]
    assert "1.0000 ha of the 2.2000 ha supplemented come from projects without 等别" in a[
        "reason"]
    # the verdict is still given on the graded parts: 6 - 7 = -1, worse land supplied
    assert (a["grade_difference"], a["quality_status"]) == (pytest.approx(-1.0), "not_met")


def test_a_value_that_is_not_a_grade_counts_as_none_in_a_frame_from_elsewhere():
    # the reader reads GDDB 0 as no grade; a frame built another way gets the same mean:
    # P2 (A) 0 and P4 (B) 11: B = 11, A none, county 11 (not (0 + 2 × 0 + 11) / ...)
    cur = _vintage(1, grades={"P2": 0.0, "P3": 16.0, "P4": 11.0})
    g = balance.farmland_quality_grade(cur)
    assert g[C] == pytest.approx(11.0) and g[B] == pytest.approx(11.0) and np.isnan(g[A])
    assert g.attrs["components"].loc[C, "graded_farmland_ha"] == pytest.approx(1.0)
