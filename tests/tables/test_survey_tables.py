"""Survey tables of the hand-made county (tests/tables/county.py), worked out on paper."""

from __future__ import annotations

import pandas as pd
import pytest

from landuse.tables import survey_tables
from tests.helpers import assert_not_mutated
from tests.tables.county import A1, A2, B1, COUNTY, A, B, landuse, townships


@pytest.fixture(scope="module")
def st():
    return survey_tables(landuse(), townships(), county=COUNTY, county_name="测试县",
                         villages=True)


def _get(t: pd.DataFrame, zone: str, **keys) -> tuple[float, float]:
    sel = t["zone"] == zone
    for k, v in keys.items():
        sel &= t[k] == v
    row = t[sel]
    assert len(row) == 1, (zone, keys, row)
    return float(row["area_ha"].iloc[0]), float(row["area_mu"].iloc[0])


def test_level1_county_by_hand(st):
    t = st.tables["level1"]
    # 湿地 0402 3000 + 1106 1500; 耕地 19000 + 9400 + 4500; 草地 0404 only (0402 is wetland);
    # 林地 3 × 33.33 = 99.99 m² = 0.009999 ha -> 0.01; 其他土地 = 田坎 1000 + 600 + 500
    expected = {"00": 0.45, "01": 3.29, "02": 0.40, "03": 0.01, "04": 0.20, "05": 0.0,
                "06": 0.25, "07": 0.60, "08": 0.0, "09": 0.0, "10": 0.10, "11": 0.0,
                "12": 0.21, "合计": 5.51}
    for code, ha in expected.items():
        assert _get(t, COUNTY, level1_code=code) == (ha, round(ha * 15, 2)), code
    assert _get(t, COUNTY, level1_code="00")[0] == 0.45
    assert list(t.loc[t["zone"] == COUNTY, "level1_name"])[:5] == [
        "湿地", "耕地", "种植园用地", "林地", "草地"]


def test_level1_townships_controlled_rounding(st):
    t = st.tables["level1"]
    # 林地: 甲镇 66.66 m² (0.006666 ha) rounds to 0.01, 乙镇 33.33 m² to 0.00: the county's
    # 0.01 goes to the township nearest to it, and both rows still add up
    assert _get(t, A, level1_code="03")[0] == 0.01
    assert _get(t, B, level1_code="03")[0] == 0.0
    assert _get(t, A, level1_code="合计")[0] == 4.41   # 44066.66 m²
    assert _get(t, B, level1_code="合计")[0] == 1.10   # 11033.33 m²
    assert _get(t, A, level1_code="01")[0] == 2.84
    assert _get(t, B, level1_code="00")[0] == 0.30
    for zone in (COUNTY, A, B, A1, A2, B1):
        rows = t[(t["zone"] == zone) & (t["level1_code"] != "合计")]
        assert round(rows["area_ha"].sum(), 2) == _get(t, zone, level1_code="合计")[0]


def test_villages_add_up_to_townships(st):
    t = st.tables["level1"]
    for code in t["level1_code"].unique():
        a = sum(_get(t, v, level1_code=code)[0] for v in (A1, A2))
        assert round(a, 2) == _get(t, A, level1_code=code)[0], code
        assert _get(t, B1, level1_code=code)[0] == _get(t, B, level1_code=code)[0], code
    # 林地 in the villages: 33.33 m² each; 甲镇's 0.01 goes to one of its two villages
    assert sorted([_get(t, A1, level1_code="03")[0], _get(t, A2, level1_code="03")[0]]) == [
        0.0, 0.01]
    assert _get(t, A1, level1_code="07")[0] == 0.60


def test_level2_ownership_split(st):
    t = st.tables["level2"]
    # 0103: 乙 patch 3 state (QSXZ 20) 4500; 甲 patch 2 collective 9400
    assert _get(t, COUNTY, code="0103", ownership="国有") == (0.45, 6.75)
    assert _get(t, COUNTY, code="0103", ownership="集体") == (0.94, 14.10)
    assert _get(t, COUNTY, code="0103", ownership="合计") == (1.39, 20.85)
    # 田坎 of the state patch is state land: 500 state, 1000 + 600 collective
    assert _get(t, COUNTY, code="1203", ownership="国有")[0] == 0.05
    assert _get(t, COUNTY, code="1203", ownership="集体")[0] == 0.16
    # 0201K is reported in 0201 果园 in the level-2 table; 0601 (QSXZ 40) is collective
    assert _get(t, COUNTY, code="0201", ownership="合计")[0] == 0.40
    assert _get(t, COUNTY, code="0601", ownership="集体")[0] == 0.25
    # state: patches 3 (5000 incl. 田坎), 4, 6, 10 = 10500 m²; collective the rest
    assert _get(t, COUNTY, code="合计", ownership="国有")[0] == 1.05
    assert _get(t, COUNTY, code="合计", ownership="集体")[0] == 4.46
    assert _get(t, COUNTY, code="合计", ownership="合计")[0] == 5.51
    assert not (t["ownership"] == "未填").any()


def test_settlement(st):
    t = st.tables["settlement"]
    assert _get(t, COUNTY, czcsxm="203") == (0.60, 9.0)
    assert _get(t, COUNTY, czcsxm="203A") == (0.25, 3.75)
    assert _get(t, COUNTY, czcsxm="201")[0] == 0.0
    assert _get(t, COUNTY, czcsxm="小计") == (0.85, 12.75)
    assert _get(t, B, czcsxm="小计")[0] == 0.0


def test_farmland_slope(st):
    t = st.tables["farmland_slope"]
    assert _get(t, COUNTY, slope_grade="1", farmland_type="合计")[0] == 1.90
    assert _get(t, COUNTY, slope_grade="2", farmland_type="坡地")[0] == 0.45
    assert _get(t, COUNTY, slope_grade="2", farmland_type="梯田")[0] == 0.0
    assert _get(t, COUNTY, slope_grade="3", farmland_type="梯田")[0] == 0.94
    assert _get(t, COUNTY, slope_grade="5", farmland_type="合计")[0] == 0.0
    assert _get(t, COUNTY, slope_grade="合计", farmland_type="梯田")[0] == 0.94
    assert _get(t, COUNTY, slope_grade="合计", farmland_type="坡地")[0] == 0.45
    assert _get(t, COUNTY, slope_grade="合计", farmland_type="合计")[0] == 3.29
    assert not ((t["slope_grade"] == "1") & (t["farmland_type"] == "梯田")).any()


def test_farmland_attributes(st):
    t = st.tables["farmland_attributes"]
    assert _get(t, COUNTY, attribute="ZZSXDM", code="LS")[0] == 1.90
    fls = t[(t["zone"] == COUNTY) & (t["code"] == "FLS")]
    assert fls["area_ha"].tolist() == [0.94] and "非粮化" in fls["name"].iloc[0]
    assert _get(t, COUNTY, attribute="ZZSXDM", code="合计")[0] == 2.84
    assert _get(t, COUNTY, attribute="TBXHDM", code="HDGD") == (0.94, 14.10)


def test_adjustable_and_flying(st):
    adj = st.tables["adjustable"]
    assert _get(adj, COUNTY, code="0201K") == (0.40, 6.0)
    assert _get(adj, A, code="0201K")[0] == 0.40
    assert _get(adj, B, code="合计")[0] == 0.0
    fly = st.tables["flying"]
    row = fly[(fly["zone"] == A) & (fly["owner_unit"] == B1)]
    assert row["patches"].tolist() == [1] and row["area_ha"].tolist() == [0.40]
    assert fly["patches"].dtype == "int64"
    assert fly[(fly["zone"] == B) & (fly["owner_unit"] == "合计")]["patches"].tolist() == [0]


def test_control_area_difference(st):
    t = st.tables["control_area"].set_index("zone")
    assert t.loc[A, "difference_m2"] == 0.0 and bool(t.loc[A, "within_tolerance"])
    assert t.loc[B, "difference_m2"] == -50.0 and not bool(t.loc[B, "within_tolerance"])
    assert t.loc[COUNTY, "tbmj_m2"] == 55099.99
    assert t.loc[COUNTY, "kzmj_m2"] == 55149.99
    codes = {f.code: f for f in st.findings}
    assert codes["control_area_difference"].severity == "warning"
    assert "370399101" in codes["control_area_difference"].message
    assert "survey_table_skipped" not in codes


def test_missing_fields_skip_tables_with_findings():
    lu = landuse().drop(columns=["GDPDJB", "FRDBS", "ZZSXDM", "TBXHDM"])
    lu["QSXZ"] = ""
    st = survey_tables(lu, None, county=COUNTY)
    assert set(st.tables) == {"level1", "settlement", "adjustable"}
    skipped = " ".join(f.message for f in st.findings if f.code == "survey_table_skipped")
    for name in ("level2.csv", "farmland_slope.csv", "flying.csv", "control_area.csv",
                 "farmland_attributes.csv", "QSXZ", "GDPDJB", "FRDBS", "KZMJ"):
        assert name in skipped
    # level 1 is unchanged by the missing ownership
    t = st.tables["level1"]
    assert _get(t, COUNTY, level1_code="合计")[0] == 5.51
    assert _get(t, COUNTY, level1_code="00")[0] == 0.45


def test_inputs_not_modified():
    lu, towns = landuse(), townships()
    assert_not_mutated(survey_tables, lu, towns, county=COUNTY, villages=True)
