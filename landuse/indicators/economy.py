"""Land-use efficiency against the economy (节约集约用地): GDP and value added per land.

Construction land is the rule-set aggregate ``construction_land`` (official area,
docs/domain.md §2); GDP and value added come from the socio-economic table
(:func:`landuse.io.tables.read_socioeconomic`, 万元 = 10 000 yuan). Every function returns a
Series named after its indicator id, indexed by zone code, NaN with a reason in
``attrs['reasons']`` where the economy figures are missing or not positive.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from landuse import units
from landuse.indicators._common import (
    By,
    Prepared,
    make_indicator,
    prepare,
    safe_ratio,
    socio_series,
)
from landuse.rules import RuleSet

__all__ = [
    "comparable_gdp",
    "construction_land_per_gdp_decline",
    "gdp_per_construction_land",
    "land_per_value_added",
]

Rules = str | Path | RuleSet | None
BaseLand = float | Mapping[str, float] | None


def _gdp_per_land(p: Prepared, socio: pd.DataFrame | None, year: int | None) -> pd.Series:
    land_mu = units.convert_area(p.area_m2("construction_land"), "m2", "mu")
    gdp, missing = socio_series(socio, "gdp_10k_yuan", year=year, zones=p.zones,
                                label="GDP 地区生产总值")
    value, reasons = safe_ratio(gdp, land_mu,
                                reason="zone {zone} has no construction land (0 亩)")
    reasons.update(missing)
    comps = pd.DataFrame({"gdp_10k_yuan": gdp, "construction_land_mu": land_mu})
    return make_indicator(value, indicator_id="gdp_per_construction_land", components=comps,
                          reasons=reasons, rules=p.rules)


def _land_per_value_added(p: Prepared, socio: pd.DataFrame | None,
                          year: int | None) -> pd.Series:
    land_m2 = p.area_m2("construction_land")
    va, missing = socio_series(socio, "value_added_23_10k_yuan", year=year, zones=p.zones,
                               label="secondary and tertiary value added 二三产业增加值")
    value, reasons = safe_ratio(land_m2, va, reason="the value added 二三产业增加值 of zone "
                                "{zone} is {denominator}, not a positive number")
    reasons.update(missing)
    comps = pd.DataFrame({"construction_land_m2": land_m2, "value_added_23_10k_yuan": va})
    return make_indicator(value, indicator_id="land_per_value_added", components=comps,
                          reasons=reasons, rules=p.rules)


def _base_land_ha(p: Prepared, base: Prepared | None, base_ha: BaseLand) -> pd.Series:
    if base is not None:
        m2 = base.area_m2("construction_land")
        return units.convert_area(m2.reindex(p.zones), "m2", "ha")
    out = pd.Series(np.nan, index=p.zones, dtype=float)
    if isinstance(base_ha, Mapping):
        for zone, v in base_ha.items():
            if str(zone) in out.index:
                out[str(zone)] = float(v)
    elif base_ha is not None:
        out[[z for z in p.zones if len(z) == 6]] = float(base_ha)
    return out


def comparable_gdp(
    socio: pd.DataFrame | None, *, year: int | None, base_year: int | None, zones: pd.Index
) -> tuple[pd.Series, pd.Series, pd.Series, dict[str, str]]:
    """GDP of a report year and a base year at comparable prices (docs/domain.md §4, §7).

    Rule: every change of GDP is measured at comparable prices (可比价). The comparable
    value of a year is ``gdp_comparable_10k_yuan``; where it is blank for the **price base
    year** it equals that year's current value (``gdp_10k_yuan``: in base-year prices the
    two coincide). The price base year is the table's ``price_base_year`` of the zone's
    report-year row (else its base-year row), default ``base_year``. A year without a
    comparable value (and not the price base year) leaves the zone not computable with the
    reason: a decline or an elasticity is never measured at current prices.

    Returns
    -------
    tuple
        ``(gdp, gdp_base, price_basis, reasons)``: two Series (万元) indexed by ``zones``
        (NaN where unknown), the Series ``price_basis`` (e.g. ``"comparable (2015
        prices)"``, with ``"; base year from current prices"`` where the base-year value
        was the current one) and a dict zone -> reason for the zones not computable.
    """
    cur1, miss1 = socio_series(socio, "gdp_10k_yuan", year=year, zones=zones,
                               label="GDP 地区生产总值")
    cur0, miss0 = socio_series(socio, "gdp_10k_yuan", year=base_year, zones=zones,
                               label="base-year GDP 基期地区生产总值")
    cmp1, _ = socio_series(socio, "gdp_comparable_10k_yuan", year=year, zones=zones,
                           label="comparable-price GDP 可比价地区生产总值")
    cmp0, _ = socio_series(socio, "gdp_comparable_10k_yuan", year=base_year, zones=zones,
                           label="comparable-price GDP 可比价地区生产总值")
    pby = pd.Series(np.nan, index=zones, dtype=float)
    if socio is not None and "price_base_year" in socio.columns:
        p1, _ = socio_series(socio, "price_base_year", year=year, zones=zones, label="")
        p0, _ = socio_series(socio, "price_base_year", year=base_year, zones=zones, label="")
        pby = p1.fillna(p0)
    if base_year is not None:
        pby = pby.fillna(float(base_year))
    gdp = cmp1.where(cmp1.notna() | (pby != year), cur1)
    gdp0 = cmp0.where(cmp0.notna() | (pby != base_year), cur0)
    basis = [("comparable" if np.isnan(p) else f"comparable ({int(p)} prices)")
             + ("; base year from current prices" if np.isnan(c0) and not np.isnan(g0) else "")
             for p, c0, g0 in zip(pby, cmp0, gdp0, strict=True)]
    reasons: dict[str, str] = {}
    for z, p, g1, g0 in zip(zones, pby, gdp, gdp0, strict=True):
        prices = "" if np.isnan(p) else f" (in {int(p)} prices)"
        if np.isnan(g1):
            reasons[str(z)] = miss1.get(str(z)) or (
                f"the report-year ({year}) comparable-price GDP 可比价地区生产总值{prices} of "
                f"zone {z} is missing: the change is judged at comparable prices only, never "
                "at current prices; fill gdp_comparable_10k_yuan for that year")
        elif np.isnan(g0):
            reasons[str(z)] = miss0.get(str(z)) or (
                f"the base-year ({base_year}) comparable-price GDP 可比价地区生产总值{prices} "
                f"of zone {z} is missing (a blank counts as the current value only in the "
                "price base year); fill gdp_comparable_10k_yuan or price_base_year")
    return gdp, gdp0, pd.Series(basis, index=zones, dtype=object), reasons


def _decline(p: Prepared, socio: pd.DataFrame | None, year: int | None,
             base_year: int | None, base: Prepared | None, base_ha: BaseLand) -> pd.Series:
    land_ha = units.convert_area(p.area_m2("construction_land"), "m2", "ha")
    land0_ha = _base_land_ha(p, base, base_ha)
    gdp, gdp0, basis, missing = comparable_gdp(socio, year=year, base_year=base_year,
                                               zones=p.zones)
    # m² of construction land per 万元 of GDP, in the report and the base year
    x, r1 = safe_ratio(units.convert_area(land_ha, "ha", "m2"), gdp,
                       reason="the report-year GDP of zone {zone} is {denominator}")
    x0, r0 = safe_ratio(units.convert_area(land0_ha, "ha", "m2"), gdp0,
                        reason="the base-year GDP of zone {zone} is {denominator}")
    value, reasons = safe_ratio(x0 - x, x0, factor=100.0,
                                reason="the base-year land per GDP of zone {zone} is not "
                                "a positive number")
    reasons.update(r0)
    reasons.update(r1)
    no_base = land0_ha.isna()
    for z in p.zones[no_base.to_numpy()]:
        reasons[z] = (f"no base-year construction land for zone {z}: give the previous "
                      "survey vintage (base=) or base_construction_land_ha")
    reasons.update(missing)
    if base_year is None:
        reasons = {z: "no base year was given (base_year=)" for z in p.zones}
    value[list(reasons)] = np.nan
    comps = pd.DataFrame({
        "construction_land_ha": land_ha,
        "construction_land_base_ha": land0_ha,
        "gdp_10k_yuan": gdp,
        "gdp_base_10k_yuan": gdp0,
        "land_per_gdp_m2_per_10k_yuan": x,
        "land_per_gdp_base_m2_per_10k_yuan": x0,
        "price_basis": basis,
        "base_year": base_year,
    }, index=p.zones)
    return make_indicator(value, indicator_id="construction_land_per_gdp_decline",
                          components=comps, reasons=reasons, rules=p.rules)


def gdp_per_construction_land(
    lu: pd.DataFrame,
    socio: pd.DataFrame | None,
    *,
    year: int,
    by: By = "township",
    rules: Rules = None,
) -> pd.Series:
    """建设用地地均GDP, 万元/亩: GDP / construction land.

    Formula: ``gdp_10k_yuan`` (地区生产总值, current prices, 万元) of ``year`` / Σ area of the
    ``construction_land`` aggregate in 亩 (official area; 1 亩 = 10000/15 m², via
    :mod:`landuse.units`). docs/domain.md §4. A zone without GDP or without construction land
    is not computable (NaN with a reason).

    Parameters
    ----------
    lu : DataFrame
        Normalised land-use frame of the report year.
    socio : DataFrame or None
        :func:`landuse.io.tables.read_socioeconomic` frame.
    year : int
        Report year (GDP of that year).
    by : {"county", "township", "village"}
        Lowest zone level.
    rules : str, Path or RuleSet, optional
        Rule set (default ``sandiao-default@1``).

    Returns
    -------
    Series
        万元/亩 indexed by ``zone``; components ``gdp_10k_yuan``, ``construction_land_mu``.
    """
    return _gdp_per_land(prepare(lu, by=by, rules=rules, what="gdp_per_construction_land"),
                         socio, year)


def land_per_value_added(
    lu: pd.DataFrame,
    socio: pd.DataFrame | None,
    *,
    year: int,
    by: By = "township",
    rules: Rules = None,
) -> pd.Series:
    """万元二三产业增加值用地量, m²/万元: construction land / secondary+tertiary value added.

    Formula: Σ area of the ``construction_land`` aggregate (m², official) /
    ``value_added_23_10k_yuan`` (二三产业增加值, 万元) of ``year``. Not computable (NaN with
    a reason) when the value added is missing or not positive.

    Parameters
    ----------
    lu : DataFrame
        Normalised land-use frame.
    socio : DataFrame or None
        :func:`landuse.io.tables.read_socioeconomic` frame.
    year : int
        Report year.
    by : {"county", "township", "village"}
        Lowest zone level.
    rules : str, Path or RuleSet, optional
        Rule set (default ``sandiao-default@1``).

    Returns
    -------
    Series
        m²/万元 indexed by ``zone``; components ``construction_land_m2``,
        ``value_added_23_10k_yuan``.
    """
    return _land_per_value_added(prepare(lu, by=by, rules=rules, what="land_per_value_added"),
                                 socio, year)


def construction_land_per_gdp_decline(
    lu: pd.DataFrame,
    socio: pd.DataFrame | None,
    *,
    year: int,
    base_year: int | None,
    base: pd.DataFrame | None = None,
    base_construction_land_ha: BaseLand = None,
    by: By = "township",
    rules: Rules = None,
) -> pd.Series:
    """单位GDP建设用地下降率, %: fall of construction land per GDP since the base year.

    Formula: with X = construction land (m²) / GDP (万元),
    decline = 100 × (X_base − X_report) / X_base (docs/domain.md §4). Positive = less land
    per GDP than in the base year.

    Prices: always comparable prices (:func:`comparable_gdp`). A blank comparable value
    of the price base year (column ``price_base_year``, default ``base_year``) is its
    current value; a zone whose report-year (or, outside the price base year, base-year)
    comparable GDP is missing is not computable, with the reason: it is never judged at
    current prices. The component ``price_basis`` records the prices used, e.g.
    ``"comparable (2015 prices); base year from current prices"``.

    Examples
    --------
    Base year 2015 GDP 100 (comparable blank), report year 150 current / 125 comparable,
    construction land unchanged (1 ha): decline = 100 × (1 − 100 / 125) = 20 %.

    >>> lu = pd.DataFrame({"DLBM": ["0701"], "TBMJ": [1e4], "TBDLMJ": [1e4], "KCDLBM": [""],
    ...                    "KCMJ": [0.0], "CZCSXM": ["202"], "ZLDWDM": ["3703211000010000000"]})
    >>> socio = pd.DataFrame({"year": [2015, 2020], "zone": ["370321", "370321"],
    ...                       "gdp_10k_yuan": [100.0, 150.0],
    ...                       "gdp_comparable_10k_yuan": [np.nan, 125.0]})
    >>> s = construction_land_per_gdp_decline(lu, socio, year=2020, base_year=2015,
    ...                                       base=lu, by="county")
    >>> round(float(s["370321"]), 6), s.attrs["components"].loc["370321", "price_basis"]
    (20.0, 'comparable (2015 prices); base year from current prices')

    Base-year construction land: from ``base`` (a land-use frame of the base-year
    vintage, same rule set and official area) when given, else
    ``base_construction_land_ha`` (a number for the county row, or a mapping zone ->
    ha). Zones without either are not computable (NaN with a reason).

    Parameters
    ----------
    lu : DataFrame
        Normalised land-use frame of the report year.
    socio : DataFrame or None
        :func:`landuse.io.tables.read_socioeconomic` frame with both years.
    year, base_year : int
        Report and base years.
    base : DataFrame, optional
        Land-use frame of the base year.
    base_construction_land_ha : float or mapping, optional
        Base-year construction land when no base frame is available.
    by : {"county", "township", "village"}
        Lowest zone level.
    rules : str, Path or RuleSet, optional
        Rule set (default ``sandiao-default@1``).

    Returns
    -------
    Series
        % indexed by ``zone``; components ``construction_land_ha``,
        ``construction_land_base_ha``, ``gdp_10k_yuan``, ``gdp_base_10k_yuan``, the two
        land-per-GDP figures (m²/万元) and ``price_basis``.
    """
    p = prepare(lu, by=by, rules=rules, what="construction_land_per_gdp_decline")
    b = None
    if base is not None:
        b = prepare(base, by=by, rules=p.rules, what="construction_land_per_gdp_decline (base)")
    return _decline(p, socio, year, base_year, b, base_construction_land_ha)
