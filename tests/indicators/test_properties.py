"""Property tests (hypothesis): additivity, ratios = components, order and split invariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landuse.indicators import classes, economy, intensity, vacant
from landuse.indicators._common import registry
from landuse.indicators.rows import compute_indicators
from landuse.rules import code_table

CODES = [*sorted(code_table().index), "9999"]
CZ = ["", "201", "201A", "202", "202A", "203", "203A", "204", "205"]
TOWNS = ["370321001", "370321100", "370321101"]
SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def land_use(draw, min_size=1, max_size=30):
    n = draw(st.integers(min_size, max_size))
    rows = []
    for i in range(n):
        code = draw(st.sampled_from(CODES))
        tbmj = draw(st.floats(0.5, 1e5, allow_nan=False))
        share = draw(st.sampled_from([0.0, 0.0, 0.05, 0.12, 0.3]))
        kcmj = round(tbmj * share, 2)
        town = draw(st.sampled_from(TOWNS))
        rows.append({"BSM": f"p{i}", "DLBM": code, "TBMJ": tbmj,
                     "KCDLBM": "1203" if kcmj > 0 else "", "KCMJ": kcmj,
                     "TBDLMJ": tbmj - kcmj, "CZCSXM": draw(st.sampled_from(CZ)),
                     "ZLDWDM": town + draw(st.sampled_from(["001", "002"])) + "0000000"})
    return pd.DataFrame(rows)


ADDITIVE = [intensity.total_area, intensity.construction_land_area,
            intensity.urban_rural_construction_land_area, intensity.urban_industrial_land_area,
            intensity.rural_settlement_area, classes.wetland_area]


def _townships_sum_to_county(s: pd.Series) -> None:
    county = s[[len(z) == 6 for z in s.index]]
    towns = s[[len(z) == 9 for z in s.index]]
    assert towns.sum() == pytest.approx(county.sum(), rel=1e-9, abs=1e-9)


@SETTINGS
@given(land_use())
def test_additive_indicators_sum_to_county(lu):
    for func in ADDITIVE:
        _townships_sum_to_county(func(lu))
    villages = intensity.total_area(lu, by="village")
    assert villages[[len(z) == 12 for z in villages.index]].sum() == pytest.approx(
        lu["TBMJ"].sum() / 1e4, rel=1e-9)


@SETTINGS
@given(land_use())
def test_class_table_sums_to_tbmj(lu):
    t = classes.class_areas(lu)
    by_zone = t.groupby("zone")["area_m2"].sum()
    total = intensity.total_area(lu) * 1e4
    for zone in total.index:
        assert by_zone[zone] == pytest.approx(total[zone], rel=1e-9)
    s = classes.sandalei_areas(lu).groupby("zone")["area_m2"].sum()
    assert s.reindex(total.index).to_numpy() == pytest.approx(total.to_numpy(), rel=1e-9)
    # the three groups of the rule set equal the per-code table grouped by 三大类
    t3 = t[t["sandalei"] != classes.UNCLASSIFIED].groupby(["zone", "sandalei"])["area_m2"].sum()
    s3 = classes.sandalei_areas(lu).set_index(["zone", "sandalei"])["area_m2"]
    assert s3.reindex(t3.index).to_numpy() == pytest.approx(t3.to_numpy(), rel=1e-9)


@SETTINGS
@given(land_use())
def test_ratios_equal_their_components(lu):
    di = intensity.development_intensity(lu)
    c = intensity.construction_land_area(lu)
    t = intensity.total_area(lu)
    assert di.to_numpy() == pytest.approx((100 * c / t).to_numpy(), rel=1e-9)
    v = vacant.vacant_land_share(lu)
    comps = v.attrs["components"]
    ur = intensity.urban_rural_construction_land_area(lu)
    assert comps["urban_rural_construction_land_ha"].to_numpy() == pytest.approx(
        ur.to_numpy(), rel=1e-9, abs=1e-12)
    ok = ur > 0
    assert v[ok].to_numpy() == pytest.approx(
        (100 * comps["vacant_land_ha"] / comps["urban_rural_construction_land_ha"])[ok]
        .to_numpy(), rel=1e-9)
    assert v[~ok].isna().all() and set(v.attrs["reasons"]) == set(v.index[~ok])
    assert ((v[ok] >= 0) & (v[ok] <= 100 + 1e-9)).all()


@SETTINGS
@given(land_use(), st.floats(1.0, 1e6), st.floats(1.0, 1e6))
def test_economy_ratios(lu, gdp, pop):
    zones = intensity.total_area(lu).index
    socio = pd.DataFrame({"year": 2022, "zone": list(zones), "population_total": pop,
                          "population_urban": pop / 2, "gdp_10k_yuan": gdp,
                          "gdp_comparable_10k_yuan": np.nan, "value_added_23_10k_yuan": gdp})
    g = economy.gdp_per_construction_land(lu, socio, year=2022)
    c_mu = intensity.construction_land_area(lu) * 15
    ok = c_mu > 0
    assert g[ok].to_numpy() == pytest.approx((gdp / c_mu[ok]).to_numpy(), rel=1e-9)
    assert g[~ok].isna().all()
    pc = intensity.urban_rural_construction_land_per_capita(lu, socio, year=2022)
    ur_m2 = intensity.urban_rural_construction_land_area(lu) * 1e4
    assert pc.to_numpy() == pytest.approx((ur_m2 / pop).to_numpy(), rel=1e-9)


def _same(a: pd.Series, b: pd.Series) -> None:
    assert list(a.index) == list(b.index)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9, atol=1e-12)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(land_use(min_size=2), st.randoms(use_true_random=False), st.data())
def test_shuffle_split_and_concat_invariance(lu, rnd, data):
    funcs = [intensity.urban_rural_construction_land_area, intensity.development_intensity,
             vacant.vacant_land_share]
    base = [f(lu) for f in funcs]
    order = list(range(len(lu)))
    rnd.shuffle(order)
    shuffled = lu.iloc[order]
    k = data.draw(st.integers(1, len(lu) - 1))
    chunks = pd.concat([lu.iloc[k:], lu.iloc[:k]], ignore_index=True)
    # split one patch into two patches with the same codes (areas in proportion)
    i = data.draw(st.integers(0, len(lu) - 1))
    f = data.draw(st.floats(0.1, 0.9))
    part1, part2 = lu.iloc[[i]].copy(), lu.iloc[[i]].copy()
    for col in ("TBMJ", "KCMJ", "TBDLMJ"):
        part1[col] = part1[col] * f
        part2[col] = part2[col] * (1 - f)
    split = pd.concat([lu.drop(index=lu.index[i]), part1, part2], ignore_index=True)
    for frame in (shuffled, chunks, split):
        for func, expected in zip(funcs, base, strict=True):
            _same(func(frame), expected)
    ca = classes.class_areas(lu)
    cs = classes.class_areas(split)
    pd.testing.assert_frame_equal(ca[["zone", "code"]], cs[["zone", "code"]])
    np.testing.assert_allclose(ca["area_m2"], cs["area_m2"], rtol=1e-9)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(land_use())
def test_compute_indicators_rows(lu):
    rows = compute_indicators(lu, year=2022)
    reg = registry()
    # finite, or NaN exactly where the row is not computable (never inf)
    assert not np.isinf(rows["value"]).any()
    assert (rows["value"].isna() == (rows["status"] == "not_computable")).all()
    for iid in reg.index[reg["additive"] == "1"]:
        sub = rows[(rows["id"] == iid) & rows["value"].notna()]
        if sub.empty:
            continue
        county = sub.loc[sub["scope"] == "county", "value"].sum()
        towns = sub.loc[sub["scope"] == "township", "value"].sum()
        assert towns == pytest.approx(county, rel=1e-9, abs=1e-9), iid
