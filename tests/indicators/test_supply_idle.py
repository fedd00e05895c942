"""Idle-land classes and supply indicators on a hand-worked ledger.

Every expected class below follows from the parcel's dates on paper, with the rules of
国土资源部令第53号: not started >= 1 full year after the agreed start -> idle_1y, >= 2 years ->
idle_2y; started, developed < 1/3 or invested < 25 %, suspended >= 1 year -> suspended_idle.
A full year ends on the same month and day (Feb 29 -> Feb 28 in a common year).
"""

from __future__ import annotations

import datetime as _dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from landuse.errors import SchemaError
from landuse.indicators.supply_idle import (
    classify_idle,
    idle_land_area,
    idle_land_ratio,
    idle_parcels,
    idle_rules,
    land_supply_rate,
    land_supply_rate_by_batch,
    stock_land_supply_share,
)
from tests.helpers import assert_not_mutated

T1, T2 = "370321100", "370321101"
E = "2022-12-31"

# id, zone, approved, approved ha, supplied, supplied ha, source, agreed start, actual start,
# developed, invested, suspended since, government delay -> expected class at 2022-12-31
ROWS = [
    ("exact1y", T1, "2021-01-10", 2.0, "2021-06-01", 2.0, "存量", "2021-12-31", None,
     None, None, None, False, "idle_1y"),
    ("short1d", T1, "2021-01-10", 3.0, "2021-06-01", 3.0, "新增", "2022-01-01", None,
     None, None, None, False, "not_idle"),
    ("exact2y", T1, "2019-05-05", 4.0, "2020-01-01", 4.0, "新增", "2020-12-31", None,
     None, None, None, False, "idle_2y"),
    ("short2y", T2, "2019-05-05", 1.0, "2020-01-01", 1.0, "存量", "2021-01-01", None,
     None, None, None, False, "idle_1y"),
    ("susp1y", T2, "2018-03-01", 5.0, "2019-01-01", 5.0, "新增", "2019-06-01", "2019-06-01",
     0.2, 0.5, "2021-12-31", False, "suspended_idle"),
    ("susp2y", T2, "2018-03-01", 6.0, "2019-01-01", 6.0, "存量", "2019-06-01", "2019-06-01",
     0.4, 0.24, "2020-12-31", False, "suspended_idle_2y"),
    ("susp_ok", T2, "2018-03-01", 7.0, "2019-01-01", 7.0, "新增", "2019-06-01", "2019-06-01",
     0.5, 0.25, "2019-12-31", False, "not_idle"),  # 25 % invested is not "under 25 %"
    ("susp_third", T1, "2018-03-01", 1.5, "2019-01-01", 1.5, "新增", "2019-06-01",
     "2019-06-01", 1 / 3, 0.30, "2019-12-31", False, "not_idle"),  # exactly 1/3 developed
    ("susp_short", T1, "2018-03-01", 2.5, "2019-01-01", 2.5, "新增", "2019-06-01",
     "2019-06-01", 0.1, 0.1, "2022-01-01", False, "not_idle"),  # suspended 1 day short
    ("gov", T1, "2017-01-01", 8.0, "2017-06-01", 8.0, "新增", "2018-01-01", None,
     None, None, None, True, "government_delay"),
    ("started", T2, "2020-01-01", 9.0, "2020-06-01", 9.0, "存量", "2020-12-01", "2020-11-15",
     None, None, None, True, "not_idle"),  # government flag but not idle
    ("late_start", T2, "2020-01-01", 2.0, "2020-06-01", 2.0, "新增", "2020-12-01",
     "2022-06-01", None, None, None, False, "not_idle"),  # started late, now started
    ("future", T2, "2022-01-01", 3.0, "2022-06-01", 3.0, "新增", "2023-03-01", None,
     None, None, None, False, "not_idle"),
    ("unsupplied", T1, "2019-01-01", 10.0, None, None, "", None, None,
     None, None, None, False, "not_supplied"),
    ("after_eval", T2, "2021-01-01", 4.0, "2023-01-05", 4.0, "存量", "2023-06-01", None,
     None, None, None, False, "not_supplied"),  # supplied after the evaluation date
    ("old_batch", T1, "2017-12-31", 5.0, "2018-06-01", 5.0, "存量", "2018-12-01",
     "2018-11-01", None, None, None, False, "not_idle"),  # approval outside the 5-year window
]


def ledger() -> pd.DataFrame:
    cols = ["parcel_id", "zone", "approved_date", "approved_area_ha", "supplied_date",
            "supplied_area_ha", "land_source", "agreed_start_date", "actual_start_date",
            "developed_share", "invested_share", "suspended_since", "government_delay"]
    df = pd.DataFrame([r[:-1] for r in ROWS], columns=cols)
    for c in ("approved_date", "supplied_date", "agreed_start_date", "actual_start_date",
              "suspended_since"):
        df[c] = pd.to_datetime(df[c])
    for c in ("approved_area_ha", "supplied_area_ha", "developed_share", "invested_share"):
        df[c] = df[c].astype(float)
    df["government_delay"] = df["government_delay"].astype(bool)
    df["batch_id"] = df["approved_date"].dt.year.astype(str)
    df["supply_type"] = np.where(df["supplied_date"].notna(), "出让", "")
    return df


EXPECTED = {r[0]: r[-1] for r in ROWS}


def test_classes_follow_the_dates():
    c = assert_not_mutated(classify_idle, ledger(), evaluation_date=E)
    assert dict(zip(c["parcel_id"], c["idle_class"], strict=True)) == EXPECTED


def test_idle_years_anniversary_rule():
    c = classify_idle(ledger(), evaluation_date=E).set_index("parcel_id")
    assert c.at["exact1y", "idle_years"] == 1.0
    assert c.at["exact2y", "idle_years"] == 2.0
    # 2022-01-01 -> 2022-12-31 is 364 of the 365 days of the anniversary year
    assert c.at["short1d", "idle_years"] == pytest.approx(364 / 365)
    assert c.at["future", "idle_years"] == 0.0
    assert np.isnan(c.at["unsupplied", "idle_years"]) and np.isnan(c.at["started", "idle_years"])
    assert c.at["susp1y", "idle_since"] == pd.Timestamp("2021-12-31")
    assert c.at["susp1y", "idle_rule"] == "suspended"
    assert c.at["exact1y", "idle_rule"] == "not_started"


@pytest.mark.parametrize(
    ("evaluation", "expected", "years"),
    [
        ("2021-02-27", "not_idle", 0.0 + 364 / 365),  # 2020-02-29 -> 2021-02-27: 364 of 365
        ("2021-02-28", "idle_1y", 1.0),  # Feb 29 anniversary falls on Feb 28 (month end)
        ("2021-03-01", "idle_1y", 1.0 + 1 / 365),
        ("2022-02-27", "idle_1y", 1.0 + 364 / 365),
        ("2022-02-28", "idle_2y", 2.0),
        ("2024-02-29", "idle_2y", 4.0),  # back on a leap day: 4 full years
    ],
)
def test_leap_day_agreed_start(evaluation, expected, years):
    df = ledger().iloc[[0]].assign(agreed_start_date=pd.Timestamp("2020-02-29"),
                                   supplied_date=pd.Timestamp("2019-06-01"))
    c = classify_idle(df, evaluation_date=evaluation)
    assert c["idle_class"].iat[0] == expected
    assert c["idle_years"].iat[0] == pytest.approx(years)


def test_leap_year_span_counts_366_days():
    # agreed 2023-03-01 -> anniversary year 2023-03-01..2024-03-01 has 366 days
    df = ledger().iloc[[0]].assign(agreed_start_date=pd.Timestamp("2023-03-01"))
    c = classify_idle(df, evaluation_date="2024-02-29")
    assert c["idle_class"].iat[0] == "not_idle"
    assert c["idle_years"].iat[0] == pytest.approx(365 / 366)


def test_reasons_and_consequences_in_words():
    c = classify_idle(ledger(), evaluation_date=E).set_index("parcel_id")
    assert "满一年未动工" in c.at["exact1y", "reason"] and "2021-12-31" in c.at["exact1y", "reason"]
    assert "not started ≥ 1 year" in c.at["exact1y", "reason"]
    assert "20 %" in c.at["exact1y", "consequence"] and "闲置费" in c.at["exact1y", "consequence"]
    assert "无偿收回" in c.at["exact2y", "consequence"]
    assert "政府原因" in c.at["gov", "reason"] and "no fee" in c.at["gov", "consequence"]
    assert c.at["gov", "is_idle"] and c.at["gov", "idle_rule"] == "not_started"
    assert "中止开发建设满一年" in c.at["susp1y", "reason"]
    assert "批而未供" in c.at["unsupplied", "reason"]
    assert c.at["started", "consequence"] == "" and not c.at["started", "is_idle"]


def test_thresholds_come_from_the_rule_file():
    r = idle_rules()
    assert r["developed_share_below"] == [1, 3] and r["invested_share_below"] == 0.25
    assert r["idle_fee_share_of_land_price"] == 0.20 and r["takeback_years"] == 2


# Hand sums at 2022-12-31 (ha). Idle: exact1y 2, exact2y 4, short2y 1, susp1y 5, susp2y 6,
# gov 8. T1 idle = 2 + 4 + 8 = 14; T2 idle = 1 + 5 + 6 = 12; county 26.
# Supplied by E (not unsupplied, not after_eval): T1 = 2+3+4+1.5+2.5+8+5 = 26;
# T2 = 1+5+6+7+9+2+3 = 33; county 59.
def test_idle_land_area_and_ratio():
    area = idle_land_area(ledger(), evaluation_date=E)
    assert area.name == "idle_land_area" and list(area.index) == ["370321", T1, T2]
    np.testing.assert_allclose(area.to_numpy(), [26.0, 14.0, 12.0])
    ratio = idle_land_ratio(ledger(), evaluation_date=E)
    np.testing.assert_allclose(ratio.to_numpy(), [26 / 59 * 100, 14 / 26 * 100, 12 / 33 * 100])
    assert ratio.attrs["unit"] == "%" and ratio.attrs["not_computable"] == {}
    assert ratio.attrs["components"][T1] == {"numerator_ha": 14.0, "denominator_ha": 26.0}


# Approvals 2018-2022 (5 years to E): all rows but gov (2017-01-01) and old_batch (2017-12-31).
# T1 approved: exact1y 2, short1d 3, exact2y 4, susp_third 1.5, susp_short 2.5, unsupplied 10
#   = 23; supplied by E: 2 + 3 + 4 + 1.5 + 2.5 = 13.
# T2 approved: short2y 1, susp1y 5, susp2y 6, susp_ok 7, started 9, late_start 2, future 3,
#   after_eval 4 = 37; supplied by E: 37 - 4 = 33.
def test_land_supply_rate_last_five_years():
    s = land_supply_rate(ledger(), evaluation_date=E)
    assert s.name == "land_supply_rate"
    np.testing.assert_allclose(s.to_numpy(), [46 / 60 * 100, 13 / 23 * 100, 33 / 37 * 100])
    # one year (2022): T2's future (3 ha, supplied) only; T1 approved nothing -> NaN + reason
    one = land_supply_rate(ledger(), evaluation_date=E, years=1)
    assert one[T2] == pytest.approx(100.0) and np.isnan(one[T1])
    assert "no approval in 2022-2022" in one.attrs["not_computable"][T1]


def test_land_supply_rate_by_batch():
    b = land_supply_rate_by_batch(ledger(), evaluation_date=E)
    # batch 2021 = exact1y 2 + short1d 3 + after_eval 4 (supplied 2023) -> 5 of 9
    assert b.at["2021", "approved_ha"] == 9.0 and b.at["2021", "supplied_ha"] == 5.0
    assert b.at["2021", "unsupplied_ha"] == 4.0
    assert b.at["2021", "land_supply_rate"] == pytest.approx(500 / 9)


# Supplies in 2018-2022: all supplied rows except gov (2017-06-01) and after_eval (2023).
# 存量: exact1y 2 (T1), old_batch 5 (T1), short2y 1 (T2), susp2y 6 (T2), started 9 (T2).
# T1 supplied: 2+3+4+1.5+2.5+5 = 18, stock 7; T2 supplied 33, stock 16.
def test_stock_land_supply_share():
    s = stock_land_supply_share(ledger(), evaluation_date=E)
    np.testing.assert_allclose(s.to_numpy(), [23 / 51 * 100, 7 / 18 * 100, 16 / 33 * 100])


def test_zone_codes_of_another_county_are_an_error():
    df = ledger()
    df.loc[0, "zone"] = "370322100"
    with pytest.raises(SchemaError, match="county"):
        idle_land_area(df, evaluation_date=E)
    assert idle_land_area(df.iloc[1:], evaluation_date=E, county="370321").index[0] == "370321"


def test_bad_inputs_are_schema_errors():
    with pytest.raises(SchemaError, match="evaluation_date"):
        classify_idle(ledger(), evaluation_date="end of year")
    with pytest.raises(SchemaError, match="agreed_start_date"):
        classify_idle(ledger().assign(agreed_start_date=pd.NaT), evaluation_date=E)
    with pytest.raises(SchemaError, match="developed_share"):
        classify_idle(ledger().assign(developed_share=np.nan, invested_share=np.nan),
                      evaluation_date=E)
    with pytest.raises(SchemaError, match="lacks"):
        classify_idle(ledger().drop(columns="suspended_since"), evaluation_date=E)


def test_idle_parcels_layer():
    parcels = gpd.GeoDataFrame({"parcel_id": ["exact1y", "gov"]},
                               geometry=[box(0, 0, 10, 10), box(20, 0, 30, 10)], crs=4527)
    out = assert_not_mutated(idle_parcels, ledger(), parcels, evaluation_date=E)
    assert isinstance(out, gpd.GeoDataFrame) and len(out) == len(ROWS)
    assert out.crs.to_epsg() == 4527
    got = out.set_index("parcel_id")
    assert got.at["gov", "geometry"].area == 100.0
    assert got.at["gov", "idle_class"] == "government_delay"
    assert got.at["short1d", "geometry"] is None


def test_sample_ledger_cases():
    """The hand-picked rows of sample_data/supply.csv (README_supply.md), at 2022-12-31."""
    from pathlib import Path

    from landuse.io.ledger import read_land_supply

    path = Path(__file__).parents[2] / "sample_data" / "supply.csv"
    c = classify_idle(read_land_supply(path), evaluation_date=E).set_index("parcel_id")
    expected = {"S01": "idle_1y", "S02": "not_idle", "S03": "idle_2y", "S04": "idle_2y",
                "S05": "suspended_idle", "S06": "not_idle", "S07": "not_idle",
                "S08": "not_idle", "S09": "suspended_idle_2y", "S10": "government_delay",
                "S11": "not_idle", "S12": "not_idle", "S13": "not_supplied",
                "S14": "not_supplied", "S15": "not_supplied"}
    assert {k: c.at[k, "idle_class"] for k in expected} == expected
    # the leap-day row S04 (agreed 2020-02-29) one day before / on its first anniversary
    early = classify_idle(read_land_supply(path), evaluation_date="2021-02-27")
    on = classify_idle(read_land_supply(path), evaluation_date="2021-02-28")
    assert early.set_index("parcel_id").at["S04", "idle_class"] == "not_idle"
    assert on.set_index("parcel_id").at["S04", "idle_class"] == "idle_1y"


# ---------------------------------------------------------------- property test
# An independent reference written with the standard library: the n-th anniversary of d is
# d.replace(year=d.year + n), or the 28th when d is Feb 29 and the target year is common.


def _anniv(d: _dt.date, n: int) -> _dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # Feb 29 in a common year: the month's last day
        return _dt.date(d.year + n, 2, 28)


def _reference(row: dict, e: _dt.date) -> str:
    if row["supplied"] is None or row["supplied"] > e:
        return "not_supplied"
    started = row["actual"] is not None and row["actual"] <= e
    if not started:
        cls = ("idle_2y" if e >= _anniv(row["agreed"], 2) else
               "idle_1y" if e >= _anniv(row["agreed"], 1) else "not_idle")
    elif (row["susp"] is not None and row["susp"] <= e
          and (row["dev"] < 1 / 3 or row["inv"] < 0.25)):
        cls = ("suspended_idle_2y" if e >= _anniv(row["susp"], 2) else
               "suspended_idle" if e >= _anniv(row["susp"], 1) else "not_idle")
    else:
        cls = "not_idle"
    return "government_delay" if row["gov"] and cls not in ("not_idle",) else cls


day = st.dates(_dt.date(2015, 1, 1), _dt.date(2024, 12, 31))
leapish = st.sampled_from([_dt.date(2016, 2, 29), _dt.date(2020, 2, 29), _dt.date(2024, 2, 29),
                           _dt.date(2019, 2, 28), _dt.date(2021, 3, 1)])
row_strategy = st.fixed_dictionaries({
    "supplied": st.one_of(st.none(), day), "agreed": st.one_of(day, leapish),
    "actual": st.one_of(st.none(), day), "susp": st.one_of(st.none(), day, leapish),
    "dev": st.sampled_from([0.0, 0.2, 1 / 3, 0.5, 1.0]),
    "inv": st.sampled_from([0.0, 0.24, 0.25, 0.6, 1.0]), "gov": st.booleans(),
})


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(row_strategy, min_size=1, max_size=40),
       e=st.one_of(day, leapish, st.sampled_from([_dt.date(2021, 2, 28),
                                                  _dt.date(2022, 2, 28)])))
def test_classes_match_a_standard_library_reference(rows, e):
    df = pd.DataFrame({
        "parcel_id": [f"P{i}" for i in range(len(rows))],
        "supplied_date": pd.to_datetime([r["supplied"] for r in rows]),
        "supplied_area_ha": [1.0] * len(rows),
        "agreed_start_date": pd.to_datetime([r["agreed"] for r in rows]),
        "actual_start_date": pd.to_datetime([r["actual"] for r in rows]),
        "developed_share": [r["dev"] for r in rows],
        "invested_share": [r["inv"] for r in rows],
        "suspended_since": pd.to_datetime([r["susp"] for r in rows]),
        "government_delay": [r["gov"] for r in rows],
    })
    got = classify_idle(df, evaluation_date=e)["idle_class"].tolist()
    assert got == [_reference(r, e) for r in rows]
