"""Contract rows (§3.1), compute_indicators and the targets format."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from landuse.errors import ConfigError, SchemaError
from landuse.indicators import intensity
from landuse.indicators._common import registry
from landuse.indicators.rows import ROW_COLUMNS, compute_indicators, indicator_rows
from landuse.indicators.targets import Target, apply_targets, load_targets
from landuse.report.document import records_from_rows
from tests.helpers import assert_not_mutated
from tests.indicators import handmade as hm

A, B, C = hm.A, hm.B, hm.COUNTY

CONTRACT_IDS = {
    "total_area": "ha", "construction_land_area": "ha", "development_intensity": "%",
    "urban_rural_construction_land_area": "ha", "urban_industrial_land_area": "ha",
    "urban_industrial_land_per_capita": "m²/person",
    "urban_rural_construction_land_per_capita": "m²/person", "rural_settlement_area": "ha",
    "farmland_area": "ha", "permanent_farmland_area": "ha",
    "permanent_farmland_nonfarm_area": "ha", "high_standard_farmland_area": "ha",
    "gdp_per_construction_land": "万元/亩", "construction_land_per_gdp_decline": "%",
    "land_per_value_added": "m²/万元", "vacant_land_share": "%", "idle_land_area": "ha",
    "idle_land_ratio": "%", "land_supply_rate": "%", "stock_land_supply_share": "%",
    "mining_rights_in_protected_areas": "count",
}


def test_registry_has_every_contract_id_with_its_unit():
    reg = registry()
    for iid, unit in CONTRACT_IDS.items():
        assert reg.loc[iid, "unit"] == unit, iid
    assert reg.index.is_unique


def test_indicator_rows_from_series():
    s = pd.Series([12.5, np.nan, np.inf], index=[C, A, B], name="vacant_land_share")
    rows = indicator_rows(s, indicator_id="vacant_land_share", zone_names={C: "桓台县"},
                          reason={A: "no urban-rural construction land"})
    assert list(rows.columns) == list(ROW_COLUMNS)
    assert rows["scope"].tolist() == ["county", "township", "township"]
    assert rows.loc[0, "zone_name"] == "桓台县" and rows.loc[1, "zone_name"] == ""
    assert rows.loc[0, "value"] == 12.5 and rows.loc[0, "status"] == "no_target"
    assert rows["value"].dtype == "float64"  # NaN where not computable, with a reason
    assert np.isnan(rows.loc[1, "value"]) and rows.loc[1, "status"] == "not_computable"
    assert rows.loc[1, "reason"] == "no urban-rural construction land"
    assert np.isnan(rows.loc[2, "value"]) and rows.loc[2, "reason"]  # inf -> NaN, a reason
    assert (rows["unit"] == "%").all() and (rows["name_zh"] == "空闲地占城镇村建设用地比例").all()


def test_indicator_rows_nullable_float():
    s = pd.Series([1.0, pd.NA], index=[C, A], dtype="Float64")
    rows = indicator_rows(s, indicator_id="total_area", reason="no data")
    assert rows.loc[0, "value"] == 1.0 and np.isnan(rows.loc[1, "value"])
    assert rows["status"].tolist() == ["no_target", "not_computable"]
    assert rows.loc[1, "reason"] == "no data"


def test_indicator_rows_from_frame_and_json_safe():
    df = pd.DataFrame({"idle_land_area": [1.5, None], "supplied_ha": [10.0, np.nan],
                       "reason": [None, "no ledger rows"]}, index=[C, A])
    rows = indicator_rows(df, indicator_id="idle_land_area")
    assert rows.loc[0, "components"] == {"supplied_ha": 10.0}
    assert rows.loc[1, "components"] == {"supplied_ha": None}
    assert rows.loc[1, "reason"] == "no ledger rows"
    # the rows become JSON without NaN through the document's cleaning
    json.dumps(records_from_rows(rows), allow_nan=False)


def test_indicator_rows_unknown_id():
    with pytest.raises(SchemaError, match="unknown indicator id 'nope'"):
        indicator_rows(pd.Series([1.0], index=[C]), indicator_id="nope")


def test_indicator_rows_bad_zone_code():
    with pytest.raises(SchemaError, match="zone code"):
        indicator_rows(pd.Series([1.0], index=["3703"]), indicator_id="total_area")


def test_indicator_rows_keeps_components_of_series():
    s = intensity.development_intensity(hm.county())
    rows = indicator_rows(s, indicator_id="development_intensity")
    assert rows.loc[0, "components"] == pytest.approx({"construction_land_ha": 0.1,
                                                       "total_area_ha": 0.34})


def test_compute_indicators_all_rows():
    lu, pf, hsf = hm.county(), hm.permanent_farmland(), hm.high_standard_farmland()
    socio = hm.socio()
    rows = assert_not_mutated(
        compute_indicators, lu, permanent_farmland=pf, high_standard_farmland=hsf, socio=socio,
        year=2022, base_year=2020, base_construction_land_ha=0.12, zone_names={C: "桓台县"})
    reg = registry()
    # county rows first, in registry order, then townships by id then zone
    assert rows["scope"].tolist() == sorted(rows["scope"], key={"county": 0,
                                                                "township": 1}.get)
    county = rows[rows["scope"] == "county"]
    assert county["id"].tolist() == sorted(county["id"], key=reg["order"].get)
    assert county.set_index("id").loc["development_intensity", "value"] == pytest.approx(
        100 * 1000 / 3400)
    assert county.set_index("id").loc["permanent_farmland_nonfarm_area", "value"] == \
        pytest.approx(0.04)
    assert county.set_index("id").loc["high_standard_farmland_area", "value"] == \
        pytest.approx(0.1)
    assert county["zone_name"].eq("桓台县").all()
    # values are finite or NaN exactly where not computable; the file has no NaN
    assert rows["value"].dtype == "float64" and not np.isinf(rows["value"]).any()
    assert (rows["value"].isna() == (rows["status"] == "not_computable")).all()
    json.dumps(records_from_rows(rows), allow_nan=False, ensure_ascii=False)
    nc = rows[rows["status"] == "not_computable"]
    assert nc["reason"].map(lambda r: isinstance(r, str) and len(r) > 10).all()
    # no targets were given: every computed row is "no_target"
    assert (rows.loc[rows["value"].notna(), "status"] == "no_target").all()
    # same inputs, same rows
    again = compute_indicators(lu, permanent_farmland=pf, high_standard_farmland=hsf,
                               socio=socio, year=2022, base_year=2020,
                               base_construction_land_ha=0.12, zone_names={C: "桓台县"})
    assert json.dumps(rows.to_dict(orient="records"), ensure_ascii=False) == json.dumps(
        again.to_dict(orient="records"), ensure_ascii=False)


def test_compute_indicators_missing_layers_are_not_computable():
    rows = compute_indicators(hm.county(), year=2022)
    pf = rows[rows["id"] == "permanent_farmland_area"]
    assert (pf["status"] == "not_computable").all()
    assert pf["reason"].str.contains("永久基本农田").all()
    assert (rows[rows["id"] == "gdp_per_construction_land"]["status"] == "not_computable").all()


def test_compute_indicators_with_township_layer():
    import geopandas as gpd

    # XZQ polygons: A covers y 0..10 and B y 20..30; names come from the layer
    # a third township (far away) holds no patch: reported with area 0, ratios not computable
    towns = gpd.GeoDataFrame({"zone": [A, B, "370321102"],
                              "zone_name": ["索镇", "唐山镇", "田庄镇"]},
                             geometry=[hm.strip(-10, 300, -5, 15), hm.strip(-10, 300, 15, 35),
                                       hm.strip(1000, 1100, 0, 100)],
                             crs="EPSG:4527")
    lu = hm.county().drop(columns=["county", "township", "village"])
    lu["ZLDWDM"] = ""  # no location codes: the XZQ layer decides, under either policy
    rows = compute_indicators(lu, townships=towns, year=2022)
    found = {f.code: f for f in rows.attrs["findings"]}
    assert found["township_from_xzq"].count == len(lu)  # every patch, said in the output
    xzq = compute_indicators(lu, townships=towns, year=2022, township="xzq")
    pd.testing.assert_series_equal(rows["value"], xzq["value"])
    ta = rows[rows["id"] == "total_area"].set_index("zone")
    assert ta.loc[A, "value"] == pytest.approx(0.2) and ta.loc[A, "zone_name"] == "索镇"
    assert ta.loc[C, "value"] == pytest.approx(0.34)
    assert ta.loc["370321102", "value"] == 0.0
    di = rows[rows["id"] == "development_intensity"].set_index("zone")
    assert di.loc["370321102", "status"] == "not_computable"
    assert "total area" in di.loc["370321102", "reason"]


# --- targets ------------------------------------------------------------------------------

TOML = """
[[target]]
id = "development_intensity"
op = "<="
value = 30
unit = "%"
year = 2020
source = "到2020年，国土开发强度不超过30%"

[[target]]
id = "farmland_area"
op = ">="
value = 28106.67
unit = "ha"
year = 2020
source = "耕地保有量不低于42.16万亩"
value_original = 42.16
unit_original = "万亩"

[[target]]
id = "vacant_land_share"
op = "<"
value = 10
unit = "%"
scope = "370321100"
source = "test: township target"
"""


def test_load_targets(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(TOML, encoding="utf-8")
    ts = load_targets(path)
    assert [t.id for t in ts] == ["development_intensity", "farmland_area", "vacant_land_share"]
    assert ts[1].value_original == 42.16 and ts[1].unit_original == "万亩"
    assert ts[2].scope == A and ts[0].scope == "county"


@pytest.mark.parametrize("bad, error, match", [
    ({"colour": "red"}, ConfigError, "unknown key"),
    ({"unit": "ha"}, SchemaError, "unit 'ha' differs"),
    ({"op": "=<"}, ConfigError, "op '=<'"),
    ({"id": "nope"}, ConfigError, "unknown indicator id"),
    ({"value": "30"}, ConfigError, "not a number"),
    ({"scope": "37"}, ConfigError, "scope"),
])
def test_load_targets_errors(bad, error, match):
    t = {"id": "development_intensity", "op": "<=", "value": 30, "unit": "%",
         "source": "s", "year": 2020}
    t.update(bad)
    with pytest.raises(error, match=match):
        load_targets({"target": [t]})


def test_load_targets_checks_the_original_conversion():
    # 2530 亩 = 168.67 ha, not 186.67
    t = {"id": "farmland_area", "op": ">=", "value": 186.67, "unit": "ha", "source": "s",
         "value_original": 2530, "unit_original": "亩"}
    with pytest.raises(ConfigError, match=r"2530 亩 is 168\.667 ha"):
        load_targets({"target": [t]})
    t["value"] = 168.67
    assert load_targets({"target": [t]})[0].value == 168.67


def test_load_targets_missing_key_and_unknown_top_level():
    with pytest.raises(ConfigError, match=r"missing key\(s\) \['source'\]"):
        load_targets({"target": [{"id": "total_area", "op": ">=", "value": 1, "unit": "ha"}]})
    with pytest.raises(ConfigError, match="unknown key 'targets'"):
        load_targets({"targets": []})


def _rows(values: dict) -> pd.DataFrame:
    return indicator_rows(pd.Series(values), indicator_id="development_intensity")


def test_apply_targets_status():
    rows = _rows({C: 30.000000000000004, A: 35.0, B: np.nan})
    t = Target(id="development_intensity", op="<=", value=30, unit="%", source="plan",
               year=2020)
    out = assert_not_mutated(apply_targets, rows, [t])
    assert out["status"].tolist() == ["met", "no_target", "not_computable"]
    assert out.loc[0, ["target_op", "target_value", "target_year", "target_source"]].tolist() \
        == ["<=", 30.0, 2020, "plan"]
    assert pd.isna(out.loc[0, "target_base_year"]) and out.loc[0, "target_basis"] is None
    assert out.loc[1, "target_op"] is None and np.isnan(out.loc[1, "target_value"])
    assert pd.isna(out.loc[1, "target_year"]) and out.loc[1, "target_source"] is None
    # a township-wide target applies to every township row
    tw = Target(id="development_intensity", op="<", value=36, unit="%", source="s",
                scope="township")
    out = apply_targets(rows, [t, tw])
    assert out["status"].tolist() == ["met", "met", "not_computable"]
    assert out.loc[2, "target_value"] == 36.0


@pytest.mark.parametrize("op, target, expected", [
    ("<=", 30, "not_met"), (">=", 30, "met"), ("<", 31, "not_met"), (">", 30.9, "met"),
    ("==", 31, "met"), ("==", 31.0001, "not_met"),
])
def test_apply_targets_operators(op, target, expected):
    rows = _rows({C: 31.0})
    t = Target(id="development_intensity", op=op, value=target, unit="%", source="s")
    assert apply_targets(rows, [t])["status"].tolist() == [expected]


def test_apply_targets_year_choice():
    rows = _rows({C: 25.0})
    ts = [Target(id="development_intensity", op="<=", value=v, unit="%", source=str(y), year=y)
          for y, v in ((2020, 30), (2022, 20), (2035, 40))]
    assert apply_targets(rows, ts, year=2022).loc[0, "target_year"] == 2022
    assert apply_targets(rows, ts, year=2021).loc[0, "target_year"] == 2020
    assert apply_targets(rows, ts, year=2019).loc[0, "target_year"] == 2020  # earliest later
    assert apply_targets(rows, ts[1:], year=2023).loc[0, "target_year"] == 2022
    assert apply_targets(rows, ts, year=2022)["status"].tolist() == ["not_met"]


def test_target_with_base_year_judges_only_changes_from_that_year():
    # a decline of 4.19 % measured from 2021 must not be judged against "≥ 21 % since 2015"
    rows = indicator_rows(pd.Series({C: 4.19}), indicator_id="construction_land_per_gdp_decline")
    t = Target(id="construction_land_per_gdp_decline", op=">=", value=21, unit="%",
               source="plan", year=2020, base_year=2015)
    rows["components"] = [{"base_year": 2021}]
    out = apply_targets(rows, [t])
    assert out["status"].tolist() == ["no_target"] and out.loc[0, "target_op"] is None
    # the same figure measured from 2015 is judged, and the row shows the base year
    rows["components"] = [{"base_year": 2015}]
    out = apply_targets(rows, [t])
    assert out["status"].tolist() == ["not_met"]
    assert out.loc[0, ["target_op", "target_value", "target_year", "target_base_year",
                       "target_source"]].tolist() == [">=", 21.0, 2020, 2015, "plan"]
    # indicators.json gets the contract's target object, base_year included
    assert records_from_rows(out)[0]["target"] == {"op": ">=", "value": 21.0, "year": 2020,
                                                   "source": "plan", "base_year": 2015}
    # rows that do not say their base year never match a base-year target
    rows["components"] = [{}]
    assert apply_targets(rows, [t])["status"].tolist() == ["no_target"]


def test_load_targets_base_year():
    t = {"id": "construction_land_per_gdp_decline", "op": ">=", "value": 21, "unit": "%",
         "source": "s", "year": 2020, "base_year": 2015}
    assert load_targets({"target": [t]})[0].base_year == 2015
    t["base_year"] = "2015"
    with pytest.raises(ConfigError, match="base_year = '2015' is not an integer year"):
        load_targets({"target": [t]})
