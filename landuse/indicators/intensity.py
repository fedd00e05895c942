"""Development intensity and the construction-land aggregates (国土开发强度 and 城乡建设用地).

Areas follow the official rule (docs/domain.md §2): an aggregate's area is the Σ of the class
rows (TBDLMJ of a patch under its DLBM, KCMJ under its KCDLBM, both with the patch's
CZCSXM) that belong to the aggregate of the rule set (default ``sandiao-default@1``,
docs/domain.md §2.2). The total area is Σ TBMJ. Every function returns a Series named after
its indicator id, indexed by zone code (county first, then townships / villages), with
``attrs`` ``unit``, ``rules``, ``area``, ``components`` and ``reasons`` (see
:func:`landuse.indicators.rows.indicator_rows`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
    "AREA_INDICATORS",
    "aggregate_area_function",
    "construction_land_area",
    "development_intensity",
    "rural_settlement_area",
    "total_area",
    "urban_industrial_land_area",
    "urban_industrial_land_per_capita",
    "urban_rural_construction_land_area",
    "urban_rural_construction_land_per_capita",
]

Rules = str | Path | RuleSet | None

#: indicator id -> rule-set aggregate whose area (ha) it reports
AREA_INDICATORS: dict[str, str] = {
    "construction_land_area": "construction_land",
    "urban_rural_construction_land_area": "urban_rural_construction_land",
    "urban_industrial_land_area": "urban_industrial_land",
    "rural_settlement_area": "rural_settlement",
    "farmland_area": "farmland",
    "agricultural_land_area": "agricultural_land",
    "unused_land_area": "unused_land",
}

#: per-capita indicator id -> (aggregate, socio-economic population column, label)
PER_CAPITA: dict[str, tuple[str, str, str]] = {
    "urban_industrial_land_per_capita": (
        "urban_industrial_land", "population_urban", "urban resident population 城镇常住人口"),
    "urban_rural_construction_land_per_capita": (
        "urban_rural_construction_land", "population_total", "resident population 常住人口"),
}


def _total(p: Prepared) -> pd.Series:
    ha = units.convert_area(p.total_m2, "m2", "ha")
    return make_indicator(ha, indicator_id="total_area",
                          components=pd.DataFrame({"total_area_m2": p.total_m2}), rules=p.rules)


def _aggregate(p: Prepared, indicator_id: str) -> pd.Series:
    m2 = p.area_m2(AREA_INDICATORS[indicator_id])
    return make_indicator(units.convert_area(m2, "m2", "ha"), indicator_id=indicator_id,
                          components=pd.DataFrame({"area_m2": m2}), rules=p.rules)


def _intensity(p: Prepared) -> pd.Series:
    c = units.convert_area(p.area_m2("construction_land"), "m2", "ha")
    t = units.convert_area(p.total_m2, "m2", "ha")
    value, reasons = safe_ratio(c, t, factor=100.0,
                                reason="the total area (Σ TBMJ) of zone {zone} is zero")
    comps = pd.DataFrame({"construction_land_ha": c, "total_area_ha": t})
    return make_indicator(value, indicator_id="development_intensity", components=comps,
                          reasons=reasons, rules=p.rules)


def _per_capita(p: Prepared, indicator_id: str, socio: pd.DataFrame | None,
                year: int | None) -> pd.Series:
    aggregate, column, label = PER_CAPITA[indicator_id]
    land_m2 = p.area_m2(aggregate)
    pop, missing = socio_series(socio, column, year=year, zones=p.zones, label=label)
    value, reasons = safe_ratio(land_m2, pop, reason=f"the {label} ({column}) of zone "
                                "{zone} is {denominator}, not a positive number")
    reasons.update(missing)
    comps = pd.DataFrame({f"{aggregate}_ha": units.convert_area(land_m2, "m2", "ha"),
                          column: pop})
    return make_indicator(value, indicator_id=indicator_id, components=comps,
                          reasons=reasons, rules=p.rules)


def total_area(lu: pd.DataFrame, *, by: By = "township") -> pd.Series:
    """Total land area of each zone, ha: Σ TBMJ (行政区面积).

    Formula: total_area = Σ TBMJ / 10 000 over the zone's patches. TBMJ is the
    ellipsoidal patch area of the 三调 (TDT 1055-2019), so no CRS is needed. It equals
    Σ TBDLMJ + Σ KCMJ (the sum of the class table). Additive over townships.

    Parameters
    ----------
    lu : DataFrame
        Normalised land-use frame (``TBMJ`` and the class fields, ``ZLDWDM``).
    by : {"county", "township", "village"}
        Lowest zone level (the county row always comes first).

    Returns
    -------
    Series
        ``total_area`` in ha indexed by ``zone``.
    """
    return _total(prepare(lu, by=by, what="total_area"))


def aggregate_area_function(
    indicator_id: str, name_zh: str, aggregate: str, rule: str
) -> Callable[..., pd.Series]:
    """Build the public function of an area indicator (one body, documented per id)."""

    def func(lu: pd.DataFrame, *, by: By = "township", rules: Rules = None) -> pd.Series:
        return _aggregate(prepare(lu, by=by, rules=rules, what=indicator_id), indicator_id)

    func.__name__ = func.__qualname__ = indicator_id
    func.__doc__ = f"""{name_zh}: area of the rule-set aggregate ``{aggregate}``, ha.

    Formula: Σ TBDLMJ of the patches in ``{aggregate}`` + Σ KCMJ of the deductions whose
    KCDLBM (with the patch's CZCSXM) is in it, / 10 000 (official area, docs/domain.md §2).
    Default rule (``sandiao-default@1``, docs/domain.md §2.2): {rule}. Additive over townships.

    Parameters
    ----------
    lu : DataFrame
        Normalised land-use frame (:func:`landuse.io.vector.read_landuse`); no CRS needed.
    by : {{"county", "township", "village"}}
        Lowest zone level (the county row always comes first).
    rules : str, Path or RuleSet, optional
        Rule set for the aggregate (default ``sandiao-default@1``).

    Returns
    -------
    Series
        ``{indicator_id}`` in ha indexed by ``zone``; ``attrs['components']['area_m2']``.
    """
    return func


construction_land_area = aggregate_area_function(
    "construction_land_area", "建设用地面积 construction land", "construction_land",
    "DLBM in the 建设用地 set of the 三大类 (incl. 0603 盐田 and 1201 空闲地)")
urban_rural_construction_land_area = aggregate_area_function(
    "urban_rural_construction_land_area", "城乡建设用地面积 urban-rural construction land",
    "urban_rural_construction_land",
    "construction-land DLBM and CZCSXM in {201, 201A, 202, 202A, 203, 203A, 204}")
urban_industrial_land_area = aggregate_area_function(
    "urban_industrial_land_area", "城镇工矿用地面积 urban-industrial land",
    "urban_industrial_land",
    "construction-land DLBM and CZCSXM in {201, 201A, 202, 202A, 204}")
rural_settlement_area = aggregate_area_function(
    "rural_settlement_area", "村庄用地面积 rural settlement land", "rural_settlement",
    "construction-land DLBM and CZCSXM in {203, 203A}")


def development_intensity(
    lu: pd.DataFrame, *, by: By = "township", rules: Rules = None
) -> pd.Series:
    """国土开发强度 development intensity, %: construction land / total area × 100.

    Formula: 100 × Σ area(``construction_land`` aggregate) / Σ TBMJ, both official
    areas of the 三调 (docs/domain.md §1: "construction land / total land area"). Range
    0–100. Components: ``construction_land_ha``, ``total_area_ha``. A zone with zero total
    area is not computable (NaN with a reason in ``attrs['reasons']``). Not additive: the
    county value is the ratio of the county sums, not a sum of township values.

    Parameters
    ----------
    lu : DataFrame
        Normalised land-use frame; no CRS needed (areas are attributes).
    by : {"county", "township", "village"}
        Lowest zone level.
    rules : str, Path or RuleSet, optional
        Rule set for ``construction_land`` (default ``sandiao-default@1``).

    Returns
    -------
    Series
        ``development_intensity`` in % indexed by ``zone``.
    """
    return _intensity(prepare(lu, by=by, rules=rules, what="development_intensity"))


def urban_industrial_land_per_capita(
    lu: pd.DataFrame,
    socio: pd.DataFrame | None,
    *,
    year: int,
    by: By = "township",
    rules: Rules = None,
) -> pd.Series:
    """人均城镇工矿用地, m²/person: urban-industrial land / urban resident population.

    Formula: Σ area(``urban_industrial_land``) m² / ``population_urban`` (城镇常住人口,
    persons) of ``year`` from the socio-economic table. The urban population is used
    because urban-industrial land serves the urban residents (the plan's 155 m²/person
    target). A zone without a positive urban population for ``year`` is not computable
    (NaN with a reason), never a division by zero.

    Parameters
    ----------
    lu : DataFrame
        Normalised land-use frame.
    socio : DataFrame or None
        :func:`landuse.io.tables.read_socioeconomic` frame (population in persons).
    year : int
        Year of the population figures (the survey's report year).
    by : {"county", "township", "village"}
        Lowest zone level.
    rules : str, Path or RuleSet, optional
        Rule set (default ``sandiao-default@1``).

    Returns
    -------
    Series
        m²/person indexed by ``zone``; components ``urban_industrial_land_ha``,
        ``population_urban``.
    """
    p = prepare(lu, by=by, rules=rules, what="urban_industrial_land_per_capita")
    return _per_capita(p, "urban_industrial_land_per_capita", socio, year)


def urban_rural_construction_land_per_capita(
    lu: pd.DataFrame,
    socio: pd.DataFrame | None,
    *,
    year: int,
    by: By = "township",
    rules: Rules = None,
) -> pd.Series:
    """人均城乡建设用地, m²/person: urban-rural construction land / resident population.

    Formula: Σ area(``urban_rural_construction_land``) m² / ``population_total``
    (常住人口, persons, urban and rural) of ``year``. The total resident population is used
    because urban-rural construction land covers towns *and* villages. A zone without a
    positive population is not computable (NaN with a reason).

    Parameters
    ----------
    lu : DataFrame
        Normalised land-use frame.
    socio : DataFrame or None
        :func:`landuse.io.tables.read_socioeconomic` frame (population in persons).
    year : int
        Year of the population figures.
    by : {"county", "township", "village"}
        Lowest zone level.
    rules : str, Path or RuleSet, optional
        Rule set (default ``sandiao-default@1``).

    Returns
    -------
    Series
        m²/person indexed by ``zone``; components ``urban_rural_construction_land_ha``,
        ``population_total``.
    """
    p = prepare(lu, by=by, rules=rules, what="urban_rural_construction_land_per_capita")
    return _per_capita(p, "urban_rural_construction_land_per_capita", socio, year)
