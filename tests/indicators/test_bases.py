"""Rule-set bases, target bases, the stock-land proxy and collective land (docs/domain.md §7).

Four 1 ha patches of one village (areas written out):

| DLBM | CZCSXM | QSXZ | default (sandiao-default@1) | tugui-basis@1 (TD/T 1024) |
|------|--------|------|------------------------------|---------------------------|
| 1103 | ''     | 20   | 农用地                        | 建设用地 (水库水面)          |
| 0601 | 203A   | 30   | 建设用地, 农村居民点            | 建设用地, 城镇工矿 (独立工矿) |
| 0701 | 201    | 10   | 建设用地, 城镇工矿              | 建设用地, 城镇工矿           |
| 0101 | ''     | 30   | 耕地                          | 耕地                       |
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from landuse.indicators import change, classes, intensity
from landuse.indicators.rows import indicator_rows
from landuse.indicators.targets import Target, apply_targets, load_targets
from landuse.io.tables import read_socioeconomic

C = "370321"


def village(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame({
        "DLBM": [r[0] for r in rows], "CZCSXM": [r[1] for r in rows],
        "QSXZ": [r[2] for r in rows], "TBMJ": 10_000.0, "TBDLMJ": 10_000.0, "KCDLBM": "",
        "KCMJ": 0.0, "ZLDWDM": "3703211000010000000",
    })


LU = village([("1103", "", "20"), ("0601", "203A", "30"), ("0701", "201", "10"),
              ("0101", "", "30")])


def test_tugui_basis_rule_set() -> None:
    def area(iid: str):
        return getattr(intensity, iid)

    for rules, construction, urban_industrial, rural, intensity_pct in (
            ("sandiao-default@1", 2.0, 1.0, 1.0, 50.0),
            ("tugui-basis@1", 3.0, 2.0, 0.0, 75.0)):
        assert area("construction_land_area")(LU, by="county", rules=rules)[C] == pytest.approx(
            construction)
        assert area("urban_industrial_land_area")(LU, by="county", rules=rules)[C] == (
            pytest.approx(urban_industrial))
        assert area("rural_settlement_area")(LU, by="county", rules=rules)[C] == pytest.approx(
            rural)
        assert intensity.development_intensity(LU, by="county", rules=rules)[C] == (
            pytest.approx(intensity_pct))
    # the 三大类 still add up to the total on the 土规 basis: 农用地 1 ha (0101), 建设 3 ha
    sd = classes.sandalei_areas(LU, by="county", rules="tugui-basis@1")
    assert sd.set_index("sandalei")["area_ha"].to_dict() == pytest.approx(
        {"农用地": 1.0, "建设用地": 3.0, "未利用地": 0.0})


def _rows(value: float, iid: str = "development_intensity") -> pd.DataFrame:
    return indicator_rows(pd.Series({C: value}), indicator_id=iid)


def test_target_on_another_basis_is_shown_not_judged() -> None:
    t = Target(id="development_intensity", op="<=", value=30, unit="%", year=2020,
               source="plan", basis="tugui-basis@1")
    other = apply_targets(_rows(27.0), [t], year=2020, rules_label="sandiao-default@1")
    row = other.iloc[0]
    assert row["status"] == "no_target" and row["target_basis"] == "tugui-basis@1"
    assert (row["target_op"], row["target_value"], row["target_year"]) == ("<=", 30.0, 2020)
    assert "tugui-basis@1" in row["reason"] and row["value"] == 27.0
    same = apply_targets(_rows(27.0), [t], year=2020, rules_label="tugui-basis@1")
    assert same.iloc[0]["status"] == "met"


def test_stock_land_proxy_carries_a_target_only_when_named() -> None:
    plain = Target(id="stock_land_revitalised_area", op=">=", value=168.67, unit="ha",
                   year=2022, source="plan")
    named = Target(id="stock_land_revitalised_area", op=">=", value=168.67, unit="ha",
                   year=2022, source="plan", basis="survey_proxy")
    rows = _rows(200.0, "stock_land_revitalised_area")
    assert apply_targets(rows, [plain], year=2022).iloc[0]["status"] == "no_target"
    assert apply_targets(rows, [plain], year=2022).iloc[0]["target_op"] is None
    assert np.isnan(apply_targets(rows, [plain], year=2022).iloc[0]["target_value"])
    assert apply_targets(rows, [named], year=2022).iloc[0]["status"] == "met"
    loaded = load_targets({"target": [{"id": "development_intensity", "op": "<=",
                                       "value": 30, "unit": "%", "source": "p",
                                       "basis": "tugui-basis@1"}]})
    assert loaded[0].basis == "tugui-basis@1"


def test_collective_construction_land_uses_qsxz() -> None:
    # previous: the village's 0601/203A (collective) and a collective 0601 outside the
    # village extent (CZCSXM '', QSXZ 31) and a state-owned one (QSXZ 10): 2 ha collective
    before = village([("0601", "203A", "30"), ("0601", "", "31"), ("0601", "", "10")])
    # current: the outside collective factory reclaimed to farmland: 1 ha collective left
    after = village([("0601", "203A", "30"), ("0101", "", "31"), ("0601", "", "10")])
    red = change.rural_settlement_reduction_area(before, after, by="county")
    assert red[C] == pytest.approx(1.0)
    comps = red.attrs["components"].loc[C]
    assert comps["previous_ha"] == pytest.approx(2.0) and comps["current_ha"] == 1.0


def test_price_base_year_column(tmp_path) -> None:
    p = tmp_path / "stats.csv"
    p.write_text("年份,行政区代码,地区生产总值,可比价地区生产总值,可比价基期\n"
                 "2015,370321,100,,\n2020,370321,150,125,2015\n", encoding="utf-8")
    t = read_socioeconomic(p)
    assert t["price_base_year"].tolist()[1] == 2015 and pd.isna(t["price_base_year"][0])
    bad = tmp_path / "bad.csv"
    bad.write_text("year,zone,price_base_year\n2020,370321,15\n", encoding="utf-8")
    from landuse.errors import SchemaError
    with pytest.raises(SchemaError, match=r"line 2.*not a 4-digit year"):
        read_socioeconomic(bad)
    assert np.isnan(t["gdp_comparable_10k_yuan"][0])
