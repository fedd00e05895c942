"""增减挂钩 and 亩均效益 on hand-made tables (figures worked out in the comments)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from landuse.indicators import linkage as lk
from landuse.indicators import performance as pf
from landuse.io.bureau import read_enterprises, read_linkage
from tests.helpers import assert_not_mutated

A, B, C = "370321100", "370321101", "370321"


@pytest.fixture()
def projects(tmp_path) -> pd.DataFrame:
    path = tmp_path / "linkage.csv"
    path.write_text(
        "project_id,year,zone,approved_area_ha,reclaimed_area_ha,used_area_ha,verified_date\n"
        f"L1,2021,{A},10,8,5,2022-05-01\n"     # surplus 8 - 5 = 3
        f"L2,2021,{B},6,6,7,2022-03-01\n"      # surplus 6 - 7 = -1: over-used
        f"L3,2020,{A},4,4,4,2021-06-01\n",     # balanced; verified before the period
        encoding="utf-8")
    return read_linkage(path)


def test_linkage_projects_and_zones(projects):
    p = assert_not_mutated(lk.linkage_projects, projects)
    assert p["surplus_ha"].tolist() == pytest.approx([3.0, -1.0, 0.0])
    assert p["status"].tolist() == ["surplus", "over_used", "balanced"]
    assert [f.code for f in p.attrs["findings"]] == ["linkage_over_used"]
    z = lk.linkage_zones(projects, county=C)
    # county: approved 10+6+4 = 20, reclaimed 8+6+4 = 18, used 5+7+4 = 16, surplus 2
    assert z.loc[C, ["approved_area_ha", "reclaimed_area_ha", "used_area_ha",
                     "surplus_ha"]].tolist() == pytest.approx([20, 18, 16, 2])
    # A: reclaimed 12, used 9 -> 3; B: 6, 7 -> -1
    assert z["surplus_ha"].to_dict() == pytest.approx({C: 2.0, A: 3.0, B: -1.0})
    assert z.loc[C, "over_used_projects"] == 1
    ind = lk.linkage_indicators(projects, county=C)
    assert ind["linkage_surplus_quota"].to_dict() == pytest.approx({C: 2.0, A: 3.0, B: -1.0})


def test_linkage_survey_check(projects):
    # period 2021 -> 2022: L1 (A, 8 ha) and L2 (B, 6 ha) count, L3 (2021) does not
    reduction = pd.Series({C: 10.0, A: 8.5, B: 1.5})
    chk = lk.linkage_survey_check(projects, reduction, previous_year=2021, year=2022, county=C)
    assert chk["reclaimed_in_period_ha"].to_dict() == pytest.approx({C: 14.0, A: 8.0, B: 6.0})
    # unconfirmed = max(0, reclaimed - reduction): county 14 - 10 = 4; A 0; B 6 - 1.5 = 4.5
    assert chk["unconfirmed_ha"].to_dict() == pytest.approx({C: 4.0, A: 0.0, B: 4.5})
    assert chk["confirmed"].to_dict() == {C: False, A: True, B: False}
    f = chk.attrs["findings"][0]
    assert (f.code, f.count, f.examples) == ("linkage_not_in_survey", 2, [C, B])


MUYIELD = {"id": "test", "cap": 1.5,
           "indicators": {"tax_per_mu": {"weight": 0.6, "benchmark": 15.0},
                          "output_per_mu": {"weight": 0.4, "benchmark": 300.0}},
           "classes": {"A": 100.0, "B": 70.0, "C": 40.0},
           "low_efficiency": {"floor_area_ratio_min": 0.6, "building_density_pct_min": 30.0}}


@pytest.fixture()
def firms(tmp_path) -> pd.DataFrame:
    path = tmp_path / "firms.csv"
    # land area in 亩 (÷ 15 -> ha); floor and footprint in m²
    path.write_text(
        "企业编号,年度,乡镇代码,用地面积(亩),实缴税金(万元),工业总产值(万元),总建筑面积(平方米),"
        "建筑基底面积,固定资产投资,地块编号\n"
        f"E1,2022,{A},30,600,9000,20000,8000,6000,P-1\n"
        f"E2,2022,{B},15,45,900,5000,4000,,\n"
        f"E3,2022,{B},45,450,4500,40000,6000,,P-3\n"
        f"E0,2021,{B},15,1,1,,,,\n", encoding="utf-8")
    return read_enterprises(path)


def test_parcel_performance_by_hand(firms):
    p = assert_not_mutated(pf.parcel_performance, firms, rules=MUYIELD).set_index(
        "enterprise_id")
    assert list(p.index) == ["E1", "E2", "E3"]  # the latest year only
    # E1: 30 亩 = 2 ha = 20 000 m²; tax 600 / 30 = 20, output 9000 / 30 = 300 万元/亩;
    # FAR 20000 / 20000 = 1.0; density 8000 / 20000 = 40 %; investment 6000 / 2 ha = 3000
    assert p.loc["E1", ["tax_per_mu", "output_per_mu", "floor_area_ratio",
                        "building_density_pct", "investment_intensity"]].tolist() == \
        pytest.approx([20.0, 300.0, 1.0, 40.0, 3000.0])
    # scores: E1 100 × (0.6 × min(20/15, 1.5) + 0.4 × 1) = 100 × (0.8 + 0.4) = 120 -> A
    #         E2 100 × (0.6 × 3/15 + 0.4 × 60/300) = 100 × (0.12 + 0.08) = 20 -> D
    #         E3 100 × (0.6 × 10/15 + 0.4 × 100/300) = 100 × (0.4 + 0.1333) = 53.33 -> C
    assert p["score"].tolist() == pytest.approx([120.0, 20.0, 53.3333333])
    assert p["muyield_class"].tolist() == ["A", "D", "C"]
    # E2: class D and FAR 5000 / 10000 = 0.5 < 0.6; E3: density 6000 / 30000 = 20 % < 30 %
    assert p["low_efficiency"].tolist() == [False, True, True]
    assert "D类" in p.loc["E2", "low_efficiency_reason"]
    assert "0.50 < 0.6" in p.loc["E2", "low_efficiency_reason"]
    assert "20.00 < 30" in p.loc["E3", "low_efficiency_reason"]
    assert pd.isna(p.loc["E2", "investment_intensity"])  # not given: NaN, never 0


def test_muyield_indicators_are_ratios_of_sums(firms):
    ind = pf.muyield_indicators(firms, county=C, rules=MUYIELD)
    # county: (600 + 45 + 450) / (30 + 15 + 45) = 1095 / 90; A 600 / 30; B 495 / 60
    assert ind["industrial_tax_per_mu"].to_dict() == pytest.approx(
        {C: 1095 / 90, A: 20.0, B: 8.25})
    # (9000 + 900 + 4500) / 90 = 160; A 300; B 5400 / 60 = 90
    assert ind["industrial_output_per_mu"].to_dict() == pytest.approx(
        {C: 160.0, A: 300.0, B: 90.0})
    # low-efficiency land: E2 1 ha + E3 3 ha
    assert ind["low_efficiency_industrial_land_area"].to_dict() == pytest.approx(
        {C: 4.0, A: 0.0, B: 4.0})


def test_low_efficiency_layer_takes_parcel_geometry(firms):
    perf = pf.parcel_performance(firms, rules=MUYIELD)
    parcels = gpd.GeoDataFrame({"parcel_id": ["P-3", "P-9"]},
                               geometry=[box(0, 0, 10, 10), box(5, 5, 6, 6)], crs="EPSG:4527")
    layer = pf.low_efficiency_land(perf, parcels=parcels)
    assert layer["enterprise_id"].tolist() == ["E2", "E3"]
    assert layer.geometry.isna().tolist() == [True, False]
    assert layer.geometry.iloc[1].area == 100.0
    assert layer.crs == parcels.crs


def test_muyield_rules_are_checked():
    bad = {**MUYIELD, "indicators": {"tax_per_mu": {"weight": 0.5, "benchmark": 15.0}}}
    with pytest.raises(ValueError, match="weights must add up to 1"):
        pf.load_muyield_rules(bad)
    assert pf.load_muyield_rules()["classes"] == {"A": 100.0, "B": 70.0, "C": 40.0}
