"""Every indicator of the hand-made county (tests/indicators/handmade.py), worked by hand.

Areas in m² from the patch table in handmade.py; 1 ha = 10 000 m², 1 亩 = 10000/15 m².
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from landuse.indicators import classes, economy, farmland, intensity, vacant
from tests.helpers import assert_not_mutated
from tests.indicators import handmade as hm

A, B, C = hm.A, hm.B, hm.COUNTY


@pytest.fixture()
def lu():
    return hm.county()


def values(s: pd.Series) -> dict:
    return {k: float(v) for k, v in s.items()}


def approx(d: dict, rel=1e-12):
    return pytest.approx(d, rel=rel, abs=1e-12)


# --- total area and the construction-land aggregates -------------------------------------

def test_total_area_is_sum_of_tbmj(lu):
    # A: 1000 + 300 + 400 + 100 + 200 = 2000 m²; B: 200 + 400 + 150 + 500 + 50 + 100 = 1400 m²
    s = intensity.total_area(lu)
    assert s.name == "total_area" and s.index.name == "zone"
    assert list(s.index) == [C, A, B]
    assert values(s) == approx({C: 0.34, A: 0.20, B: 0.14})


def test_construction_land(lu):
    # 建设用地 codes present: 0601 (A2 300), 1201 (A4 100), 0603 (A5 200) -> A = 600 m²;
    # 0702 (B1 200), 1003 (B3 150), 1201 (B5 50) -> B = 400 m²; county 1000 m².
    assert values(intensity.construction_land_area(lu)) == approx({C: 0.1, A: 0.06, B: 0.04})


def test_development_intensity(lu):
    s = intensity.development_intensity(lu)
    assert values(s) == approx({C: 100 * 1000 / 3400, A: 30.0, B: 100 * 400 / 1400})
    comps = s.attrs["components"]
    assert comps.loc[A, "construction_land_ha"] == pytest.approx(0.06)
    assert comps.loc[A, "total_area_ha"] == pytest.approx(0.2)
    assert s.attrs["unit"] == "%" and s.attrs["rules"] == "sandiao-default@1"


def test_settlement_aggregates(lu):
    # 城乡: construction with CZCSXM 201..204: A2 300 (201) + A4 100 (202) + A5 200 (204) = 600;
    # B1 200 (203) = 200 (B3 1003 and B5 1201 have no CZCSXM: not counted).
    assert values(intensity.urban_rural_construction_land_area(lu)) == approx(
        {C: 0.08, A: 0.06, B: 0.02})
    # 城镇工矿: 201/202/204 only -> A 600, B 0
    assert values(intensity.urban_industrial_land_area(lu)) == approx(
        {C: 0.06, A: 0.06, B: 0.0})
    # 村庄: 203 -> B1 200
    assert values(intensity.rural_settlement_area(lu)) == approx({C: 0.02, A: 0.0, B: 0.02})


def test_per_capita(lu):
    socio = hm.socio()
    s = intensity.urban_industrial_land_per_capita(lu, socio, year=2022)
    # county 600 m² / 4 urban residents = 150; A 600 / 4 = 150; B: urban population 0
    assert s[C] == pytest.approx(150.0) and s[A] == pytest.approx(150.0)
    assert math.isnan(s[B])
    assert "urban resident population" in s.attrs["reasons"][B]
    t = intensity.urban_rural_construction_land_per_capita(lu, socio, year=2022)
    # 800 / 10 = 80; A 600 / 6 = 100; B 200 / 4 = 50
    assert values(t) == approx({C: 80.0, A: 100.0, B: 50.0})


def test_per_capita_without_table_is_not_computable(lu):
    s = intensity.urban_industrial_land_per_capita(lu, None, year=2022)
    assert s.isna().all()
    assert set(s.attrs["reasons"]) == {C, A, B}


# --- class areas -----------------------------------------------------------------------------

def test_class_areas_official_rule(lu):
    t = assert_not_mutated(classes.class_areas, lu)
    county = t[t["zone"] == C].set_index("code")
    # 田坎 1203 = deductions of A1 (100) + A3 (40) + B4 (50) = 190 m²
    assert county.loc["1203", "area_m2"] == pytest.approx(190.0)
    # 0101 = TBDLMJ of A1 = 1000 - 100; 0201K kept as found = 400 - 40
    assert county.loc["0101", "area_m2"] == pytest.approx(900.0)
    assert county.loc["0201K", "area_m2"] == pytest.approx(360.0)
    assert county.loc["0201K", "level2"] == "0201"
    # 0603 盐田: construction land, under 06 工矿 in the 公报 layout, not 湿地
    assert county.loc["0603", "sandalei"] == "建设用地" and not county.loc["0603", "wetland"]
    assert county.loc["0603", ["level1_code", "level1_name"]].tolist() == ["06", "工矿用地"]
    assert county.loc["1106", ["level1_code", "level1_name"]].tolist() == ["00", "湿地"]
    assert county.loc["0101", "area_mu"] == pytest.approx(900.0 * 15 / 10_000)
    for zone, total in ((C, 3400.0), (A, 2000.0), (B, 1400.0)):
        assert t.loc[t["zone"] == zone, "area_m2"].sum() == pytest.approx(total)
    assert t.loc[t["zone"] == A, "code"].tolist() == ["0101", "0201K", "0601", "0603", "1201",
                                                      "1203"]


def test_sandalei_roll_up(lu):
    t = classes.sandalei_areas(lu).set_index(["zone", "sandalei"])["area_m2"]
    # 农用地 A: 0101 900 + 1203 140 + 0201K 360 = 1400; B: 0102 450 + 1203 50 = 500
    # 建设用地 A 600, B 400; 未利用地 A 0, B: 0404 400 + 1106 100 = 500
    expected = {(A, "农用地"): 1400, (A, "建设用地"): 600, (A, "未利用地"): 0,
                (B, "农用地"): 500, (B, "建设用地"): 400, (B, "未利用地"): 500,
                (C, "农用地"): 1900, (C, "建设用地"): 1000, (C, "未利用地"): 500}
    assert {k: float(v) for k, v in t.items()} == approx({k: float(v) for k, v in
                                                          expected.items()})


def test_wetland_view(lu):
    w = classes.wetland_areas(lu)
    tot = w[w["code"] == "湿地"].set_index("zone")["area_m2"]
    # wetland (the 公报's seven classes): 1106 (B6 100); 0603 盐田 (A5) is not wetland
    assert {k: float(v) for k, v in tot.items()} == approx({C: 100.0, A: 0.0, B: 100.0})
    assert values(classes.wetland_area(lu)) == approx({C: 0.01, A: 0.0, B: 0.01})


def test_ten_one_hectare_patches_wetland_is_a_first_level_class():
    # one 1 ha patch of each code; 三调 公报 layout: 林地 = 0301 only (1 ha, not 4),
    # 草地 = 0401 only, 水域 = 1101 only, 湿地 (00) = the seven wetland classes (7 ha)
    codes = ["0301", "0303", "0304", "0306", "0401", "0402", "1101", "1105", "1106", "1108"]
    ten = pd.DataFrame({"DLBM": codes, "TBMJ": 10_000.0, "TBDLMJ": 10_000.0, "KCDLBM": "",
                        "KCMJ": 0.0, "CZCSXM": "",
                        "ZLDWDM": [f"370321100{i:03d}0000000" for i in range(10)]})
    t = classes.class_areas(ten, by="county")
    level1 = t.groupby(["level1_code", "level1_name"])["area_ha"].sum().to_dict()
    assert level1 == approx({("00", "湿地"): 7.0, ("03", "林地"): 1.0, ("04", "草地"): 1.0,
                             ("11", "水域及水利设施用地"): 1.0})
    # the 三大类 roll-up is unchanged: 农用地 0301 0303 0304 0306 0401 0402 = 6 ha;
    # 未利用地 1101 1105 1106 1108 = 4 ha
    sd = classes.sandalei_areas(ten, by="county").set_index("sandalei")["area_ha"].to_dict()
    assert sd == approx({"农用地": 6.0, "建设用地": 0.0, "未利用地": 4.0})
    assert values(classes.wetland_area(ten, by="county")) == approx({C: 7.0})


def test_unknown_code_and_deduction_without_class_are_kept(lu):
    lu2 = lu.copy()
    lu2.loc[lu2["BSM"] == "B2", "DLBM"] = "9999"
    lu2.loc[lu2["BSM"] == "B4", "KCDLBM"] = ""
    t = classes.class_areas(lu2)
    b = t[t["zone"] == B].set_index("code")
    assert b.loc["9999", "sandalei"] == classes.UNCLASSIFIED
    assert b.loc["", "area_m2"] == pytest.approx(50.0)
    assert b["area_m2"].sum() == pytest.approx(1400.0)
    s = classes.sandalei_areas(lu2)
    assert s.loc[s["zone"] == B, "area_m2"].sum() == pytest.approx(1400.0)


def test_village_level(lu):
    s = intensity.total_area(lu, by="village")
    assert list(s.index) == [C, A, B, A + "001", B + "002"]
    assert s[A + "001"] == pytest.approx(0.2)


# --- farmland -------------------------------------------------------------------------------

def test_farmland_area(lu):
    # 耕地 = TBDLMJ of 0101 (A1 900) + 0102 (B4 450); their 田坎 is class 1203
    assert values(farmland.farmland_area(lu)) == approx({C: 0.135, A: 0.09, B: 0.045})


def test_permanent_farmland_area(lu):
    pf = hm.permanent_farmland()
    s = assert_not_mutated(farmland.permanent_farmland_area, lu, pf)
    # layer figure Σ YJJBNTMJ: A 950 + 210 = 1160 m²; B 190 + 480 = 670 m²
    assert values(s) == approx({C: 0.183, A: 0.116, B: 0.067})
    comps = s.attrs["components"]
    # overlay (TBMJ share inside): A1 whole 1000 + half of A3 200 = 1200; B2 half 200 + B4 500
    assert comps.loc[A, "overlay_ha"] == pytest.approx(0.12)
    assert comps.loc[B, "overlay_ha"] == pytest.approx(0.07)
    # 耕地 inside: A1 900, B4 450
    assert comps.loc[C, "farmland_within_ha"] == pytest.approx(0.135)
    # without the land-use layer the layer's ZLDWDM gives the zones
    s2 = farmland.permanent_farmland_area(None, pf)
    assert values(s2) == approx({C: 0.183, A: 0.116, B: 0.067})


def test_permanent_farmland_nonfarm(lu):
    pf = hm.permanent_farmland()
    s = farmland.permanent_farmland_nonfarm_area(lu, pf)
    # A: half of A3 (0201K): TBDLMJ 360/2 = 180 + KCMJ 40/2 = 20 -> 200 m²;
    # the 田坎 of A1 (100, a farmland patch) is not counted. B: half of B2 (0404) = 200 m².
    assert values(s) == approx({C: 0.04, A: 0.02, B: 0.02})
    comps = s.attrs["components"]
    assert comps.loc[C, "farmland_tiankan_ha"] == pytest.approx(0.015)  # 100 + 50 m²
    t = farmland.permanent_farmland_nonfarm_by_class(lu, pf)
    a = t[t["zone"] == A].set_index("code")["area_m2"]
    assert {k: float(v) for k, v in a.items()} == approx({"0201K": 180.0, "1203": 20.0})
    for zone in (C, A, B):
        assert t.loc[t["zone"] == zone, "area_ha"].sum() == pytest.approx(s[zone])


def test_high_standard_farmland(lu):
    s = farmland.high_standard_farmland_area(lu, hm.high_standard_farmland())
    # union over A1 = x 0..75 -> 3/4 of TBMJ 1000 = 750 m²; half of B4 -> 250 m²
    assert values(s) == approx({C: 0.1, A: 0.075, B: 0.025}, rel=1e-9)
    comps = s.attrs["components"]
    assert comps.loc[A, "farmland_within_ha"] == pytest.approx(0.0675)  # 900 × 3/4
    # ellipsoidal area of the dissolved layer (1000 m² planar on the central meridian)
    assert comps.loc[C, "layer_ellipsoidal_ha"] == pytest.approx(0.1, rel=1e-5)


# --- economy and vacant land ---------------------------------------------------------------

def test_gdp_per_construction_land(lu):
    s = economy.gdp_per_construction_land(lu, hm.socio(), year=2022)
    # 1000 m² = 1.5 亩; 30 万元 / 1.5 亩 = 20 万元/亩; townships have no GDP
    assert s[C] == pytest.approx(20.0)
    assert s[[A, B]].isna().all() and "GDP" in s.attrs["reasons"][A]


def test_land_per_value_added(lu):
    s = economy.land_per_value_added(lu, hm.socio(), year=2022)
    assert s[C] == pytest.approx(1000.0 / 25.0)


def test_decline_comparable_prices(lu):
    s = economy.construction_land_per_gdp_decline(
        lu, hm.socio(), year=2022, base_year=2020, base_construction_land_ha=0.12)
    # comparable both years: X_base = 1200 m² / 20 = 60; X = 1000 / 27; (60 - X) / 60
    assert s[C] == pytest.approx(100 * (60 - 1000 / 27) / 60)
    assert s.attrs["components"].loc[C, "price_basis"] == "comparable (2020 prices)"
    # the townships have GDP in neither year: not computable, the reason names the zone's GDP
    assert s[[A, B]].isna().all()
    assert all("GDP" in s.attrs["reasons"][z] and z in s.attrs["reasons"][z] for z in (A, B))


def test_decline_blank_base_year_comparable_is_its_current_value(lu):
    s = economy.construction_land_per_gdp_decline(
        lu, hm.socio(comparable_base=False), year=2022, base_year=2020,
        base_construction_land_ha=0.12)
    # base 2020 is the price base year: its blank comparable GDP = current 20; report 27
    # comparable (never the current 30): X_base = 60, X = 1000 / 27
    assert s[C] == pytest.approx(100 * (60 - 1000 / 27) / 60)
    assert s.attrs["components"].loc[C, "price_basis"] == (
        "comparable (2020 prices); base year from current prices")


def _issue_socio(**extra) -> pd.DataFrame:
    nan = float("nan")
    return pd.DataFrame({"year": [2015, 2020], "zone": [C, C],
                         "gdp_10k_yuan": [100.0, 150.0],
                         "gdp_comparable_10k_yuan": [nan, 125.0], **extra})


def test_decline_at_comparable_prices_misses_the_target(lu):
    # the issue's case: base GDP 100, report 150 current / 125 comparable, land unchanged:
    # at current prices 1 - 100/150 = 33.3 % (would meet >= 21 %); at comparable prices
    # 1 - 100/125 = 20 % (not met)
    from landuse.indicators.rows import indicator_rows
    from landuse.indicators.targets import Target, apply_targets

    s = economy.construction_land_per_gdp_decline(lu, _issue_socio(), year=2020,
                                                  base_year=2015, base=lu, by="county")
    assert s[C] == pytest.approx(20.0)
    comps = s.attrs["components"].loc[C]
    assert comps["gdp_10k_yuan"] == 125.0 and comps["gdp_base_10k_yuan"] == 100.0
    rows = indicator_rows(s, indicator_id="construction_land_per_gdp_decline")
    t = Target(id="construction_land_per_gdp_decline", op=">=", value=21, unit="%",
               year=2020, source="plan")
    judged = apply_targets(rows, [t], year=2020)
    assert judged.loc[judged["zone"] == C, "status"].item() == "not_met"


def test_decline_without_report_year_comparable_gdp_is_not_computable(lu):
    socio = _issue_socio()
    socio.loc[1, "gdp_comparable_10k_yuan"] = float("nan")
    s = economy.construction_land_per_gdp_decline(lu, socio, year=2020, base_year=2015,
                                                  base=lu, by="county")
    assert np.isnan(s[C])
    assert "comparable-price GDP" in s.attrs["reasons"][C]
    assert "never at current prices" in s.attrs["reasons"][C]


def test_decline_price_base_year_column(lu):
    # comparable values in 2010 prices: the base year 2015 needs its own comparable value
    socio = _issue_socio(price_base_year=pd.array([pd.NA, 2010], dtype="Int64"))
    s = economy.construction_land_per_gdp_decline(lu, socio, year=2020, base_year=2015,
                                                  base=lu, by="county")
    assert np.isnan(s[C]) and "price base year" in s.attrs["reasons"][C]
    socio.loc[0, "gdp_comparable_10k_yuan"] = 80.0  # 2015 in 2010 prices
    s = economy.construction_land_per_gdp_decline(lu, socio, year=2020, base_year=2015,
                                                  base=lu, by="county")
    assert s[C] == pytest.approx(100 * (1 - 80 / 125))
    assert s.attrs["components"].loc[C, "price_basis"] == "comparable (2010 prices)"


def test_decline_from_base_vintage(lu):
    base = lu[lu["BSM"] != "B3"]  # the base year had no road B3: 850 m² construction land
    s = economy.construction_land_per_gdp_decline(lu, hm.socio(), year=2022, base_year=2020,
                                                  base=base)
    assert s[C] == pytest.approx(100 * (850 / 20 - 1000 / 27) / (850 / 20))


def test_decline_without_base_is_not_computable(lu):
    s = economy.construction_land_per_gdp_decline(lu, hm.socio(), year=2022, base_year=2020)
    assert s.isna().all()
    assert "base-year construction land" in s.attrs["reasons"][C]
    s = economy.construction_land_per_gdp_decline(lu, hm.socio(), year=2022, base_year=None,
                                                  base_construction_land_ha=0.12)
    assert s.isna().all() and "base year" in s.attrs["reasons"][C]


def test_vacant_land_share(lu):
    s = vacant.vacant_land_share(lu)
    # 1201 inside settlements: A4 100 (202); B5 (no CZCSXM) is not counted
    # A 100 / 600 = 16.67 %; B 0 / 200 = 0 %; county 100 / 800 = 12.5 %
    assert values(s) == approx({C: 12.5, A: 100 / 6, B: 0.0})


def test_zero_denominators_are_not_computable():
    lu = hm.county()
    lu = lu[lu["township"] == B].copy()
    lu.loc[:, "CZCSXM"] = ""
    s = vacant.vacant_land_share(lu)
    assert s.isna().all() and "no urban-rural construction land" in s.attrs["reasons"][B]


def test_rules_are_used(lu, tmp_path):
    # a rule set where urban-industrial land excludes 204: A drops the 0603 patch (200 m²)
    text = """
id = "test-rules"
version = 2
[aggregates.urban_industrial_land]
sandalei = ["建设用地"]
czcsxm = ["201", "201A", "202", "202A"]
"""
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    s = intensity.urban_industrial_land_area(lu, rules=path)
    assert values(s) == approx({C: 0.04, A: 0.04, B: 0.0})
    assert s.attrs["rules"] == "test-rules@2"
