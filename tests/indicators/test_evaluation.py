"""TD/T 1018 evaluation on hand-made indicator rows; 批而未供 by batch age on the idle ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from landuse.indicators import evaluation as ev
from landuse.indicators.supply_idle import UNSUPPLIED_AGE_CLASSES, unsupplied_by_age
from tests.helpers import assert_not_mutated
from tests.indicators.test_supply_idle import ledger

C, A = "370321", "370321100"
RULES = {
    "id": "test", "version": 1,
    "indices": {"intensity": {"name_zh": "利用强度指数", "weight": 0.6},
                "management": {"name_zh": "管理绩效指数", "weight": 0.4}},
    "measures": {
        "gdp": {"name_zh": "地均GDP", "index": "intensity",
                "indicator": "gdp_per_construction_land", "direction": "higher",
                "ideal": 40.0, "weight": 0.5},
        "pc": {"name_zh": "人口密度", "index": "intensity",
               "indicator": "urban_rural_construction_land_per_capita", "direction": "lower",
               "ideal": 150.0, "weight": 0.5},
        "inv": {"name_zh": "地均投资", "index": "intensity",
                "indicator": "fixed_asset_investment_per_construction_land",
                "direction": "higher", "ideal": 10.0, "weight": 0.5, "optional": True},
        "rate": {"name_zh": "供地率", "index": "management", "indicator": "land_supply_rate",
                 "direction": "higher", "ideal": 100.0, "weight": 1.0},
    },
}


def _rows(values: dict[tuple[str, str], float | None]) -> pd.DataFrame:
    recs = [{"id": i, "zone": z, "scope": "county" if len(z) == 6 else "township",
             "value": v, "reason": None if v is not None else f"{i} unknown in {z}"}
            for (i, z), v in values.items()]
    return pd.DataFrame(recs)


def test_composite_by_hand():
    rows = _rows({("gdp_per_construction_land", C): 32.0,
                  ("urban_rural_construction_land_per_capita", C): 200.0,
                  ("land_supply_rate", C): 90.0})
    t = assert_not_mutated(ev.evaluation_table, rows, rules=RULES).set_index("part")
    # gdp: 100 × 32/40 = 80; per capita (lower): 100 × 150/200 = 75; investment missing
    # (optional): weight dropped; intensity = (0.5 × 80 + 0.5 × 75) / 1.0 = 77.5
    assert t.loc["gdp", "score"] == pytest.approx(80.0)
    assert t.loc["pc", "score"] == pytest.approx(75.0)
    assert t.loc["inv", "status"] == "not_computable"
    assert t.loc["intensity", "score"] == pytest.approx(77.5)
    assert "weights rescaled" in t.loc["intensity", "reason"]
    # management = 90; composite = 0.6 × 77.5 + 0.4 × 90 = 46.5 + 36 = 82.5
    assert t.loc["management", "score"] == pytest.approx(90.0)
    assert t.loc["composite", "value"] == pytest.approx(82.5)
    ind = ev.evaluation_indicators(t.reset_index())
    assert ind["tdt1018_index"].to_dict() == pytest.approx({C: 82.5})
    assert ind["tdt1018_intensity_index"].attrs["components"].loc[C, "gdp_score"] == 80.0


def test_optional_measure_counts_when_given_and_scores_cap_at_100():
    rows = _rows({("gdp_per_construction_land", C): 50.0,  # above ideal: 100, not 125
                  ("urban_rural_construction_land_per_capita", C): 200.0,
                  ("fixed_asset_investment_per_construction_land", C): 5.0,
                  ("land_supply_rate", C): 90.0})
    t = ev.evaluation_table(rows, rules=RULES).set_index("part")
    # (0.5 × 100 + 0.5 × 75 + 0.5 × 50) / 1.5 = (50 + 37.5 + 25) / 1.5 = 112.5 / 1.5 = 75
    assert t.loc["gdp", "score"] == 100.0
    assert t.loc["inv", "score"] == pytest.approx(50.0)  # 100 × 5 / 10
    assert t.loc["intensity", "score"] == pytest.approx(75.0)
    assert t.loc["intensity", "reason"] == ""


def test_missing_measure_is_not_computable_never_zero():
    rows = _rows({("gdp_per_construction_land", A): 32.0,
                  ("urban_rural_construction_land_per_capita", A): 200.0,
                  ("land_supply_rate", A): None})
    t = ev.evaluation_table(rows, zones=[A], rules=RULES).set_index("part")
    assert t.loc["management", "status"] == "not_computable"
    assert pd.isna(t.loc["management", "value"])
    assert "land_supply_rate unknown in 370321100" in t.loc["management", "reason"]
    assert pd.isna(t.loc["composite", "value"])
    assert t.loc["composite", "reason"].startswith("management:")


def test_rules_are_checked():
    with pytest.raises(ValueError, match="weights must add up to 1"):
        ev.load_evaluation_rules({**RULES, "indices": {
            "intensity": {"name_zh": "x", "weight": 0.6},
            "management": {"name_zh": "y", "weight": 0.6}}})
    shipped = ev.load_evaluation_rules()
    assert set(shipped["indices"]) == {"intensity", "growth", "elasticity", "management"}


def test_investment_per_land_and_land_per_population_growth():
    socio = pd.DataFrame({"year": [2021, 2022], "zone": [C, C],
                          "population_total": [1000.0, 1020.0],
                          "fixed_asset_investment_10k_yuan": [np.nan, 30000.0]})
    # 100 ha = 1500 亩; 30000 / 1500 = 20 万元/亩
    inv = ev.fixed_asset_investment_per_construction_land(pd.Series({C: 100.0}), socio,
                                                          year=2022)
    assert inv.to_dict() == {C: 20.0}
    # flows: farmland -> village land (203) 3000 m² is new urban-rural land; village land that
    # stays (5000 m²) and a road outside settlements (1000 m²) are not; 3000 / (1020 - 1000)
    flows = pd.DataFrame({"from_code": ["0101", "0702", "0101"],
                          "to_code": ["0702", "0702", "1003"],
                          "from_czcsxm": ["", "203", ""], "to_czcsxm": ["203", "203", ""],
                          "county": [C] * 3, "area_m2": [3000.0, 5000.0, 1000.0]})
    flows.attrs["levels"] = ["county"]
    s = ev.new_urban_rural_land_per_population_growth(flows, socio, year=2022,
                                                      previous_year=2021)
    assert s.to_dict() == {C: 150.0}
    socio2 = socio.assign(population_total=[1000.0, 990.0])
    s2 = ev.new_urban_rural_land_per_population_growth(flows, socio2, year=2022,
                                                       previous_year=2021)
    assert s2.isna().all() and "did not grow" in s2.attrs["reasons"][C]


def test_unsupplied_by_batch_age():
    led = ledger()
    extra = led.iloc[[0]].assign(parcel_id="partial", batch_id="2016", zone="370321100",
                                 approved_date=pd.Timestamp("2016-06-30"), approved_area_ha=6.0,
                                 supplied_date=pd.Timestamp("2017-01-01"), supplied_area_ha=4.5)
    led = pd.concat([led, extra], ignore_index=True)
    t = assert_not_mutated(unsupplied_by_age, led, evaluation_date="2022-12-31")
    got = t.set_index(["zone", "age_class"])["unsupplied_ha"]
    # batch 2021 (earliest approval 2021-01-01, 1.99 years): 'after_eval' supplied after the
    # evaluation date, 4 ha left (T2); batch 2019 (2019-01-01, 3.99 years): 'unsupplied'
    # 10 ha (T1); batch 2016 (6.5 years): 'partial' 6 - 4.5 = 1.5 ha (T1); all else supplied
    assert got[C].to_dict() == pytest.approx({"0-1": 0, "1-2": 4.0, "2-3": 0, "3-4": 10.0,
                                              "4-5": 0, ">5": 1.5})
    assert got["370321100"].to_dict() == pytest.approx(
        {"0-1": 0, "1-2": 0, "2-3": 0, "3-4": 10.0, "4-5": 0, ">5": 1.5})
    assert got["370321101", "1-2"] == pytest.approx(4.0)
    assert t["age_class"].tolist()[:6] == list(UNSUPPLIED_AGE_CLASSES)


def test_idle_disposal_by_year():
    from landuse.indicators.supply_idle import idle_disposal

    led = ledger()
    led["disposal_method"] = ""
    led["disposal_date"] = pd.NaT
    led["idle_fee_10k_yuan"] = np.nan
    for pid, method, when, fee in (("exact2y", "无偿收回", "2022-05-01", np.nan),
                                   ("exact1y", "征缴土地闲置费", "2022-12-31", 10.0),
                                   ("susp2y", "协议有偿收回", "2023-02-01", np.nan)):  # after E
        row = led["parcel_id"] == pid
        led.loc[row, "disposal_method"] = method
        led.loc[row, "disposal_date"] = pd.Timestamp(when)
        led.loc[row, "idle_fee_10k_yuan"] = fee
    t = assert_not_mutated(idle_disposal, led, evaluation_date="2022-12-31")
    c = t[t["zone"] == C].set_index(["year", "item", "method"])
    # identified = first anniversary of the idle clock: gov 2018-01-01 -> 2019 (8 ha);
    # exact2y 2020-12-31 -> 2021 (4) and susp2y 2020-12-31 -> 2021 (6); exact1y 2021-12-31,
    # short2y 2021-01-01 and susp1y 2021-12-31 -> 2022 (2 + 1 + 5 = 8)
    assert c.loc[(2019, "identified", ""), "area_ha"] == pytest.approx(8.0)
    assert c.loc[(2021, "identified", ""), ["area_ha", "parcels"]].tolist() == [10.0, 2]
    assert c.loc[(2022, "identified", ""), ["area_ha", "parcels"]].tolist() == [8.0, 3]
    assert c.loc[(2022, "disposed", "无偿收回"), "area_ha"] == pytest.approx(4.0)
    fee = c.loc[(2022, "disposed", "征缴土地闲置费")]
    assert (fee["area_ha"], fee["fee_10k_yuan"]) == (2.0, 10.0)
    # pending at E: short2y 1 + susp1y 5 + susp2y 6 (disposed only in 2023) + gov 8 = 20
    assert c.loc[(2022, "pending", ""), ["area_ha", "parcels"]].tolist() == [20.0, 4]
    t1 = t[(t["zone"] == "370321100") & (t["item"] == "pending")]
    assert t1["area_ha"].tolist() == [8.0]  # gov only
