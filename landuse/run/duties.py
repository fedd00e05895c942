"""The plan's remaining duties in the annual run (issue 19; part of :mod:`landuse.run`).

One function per part, each taking plain data (the land-use frames with their
``township`` column, the change flows, the bureau's tables, indicator rows) and returning
indicator rows (contract §3.1) and named tables for the outputs; :func:`duty_outputs` is
the run's single hook. A part whose inputs are not configured returns nothing.

The parts, what each needs and what it writes:

- farmland balance: a previous vintage (the change flows); ``[tables.farmland_supplement]``
  for 占补平衡; a GDDB field for the quality grade. ``farmland_balance.csv``,
  ``farmland_supplement_balance.csv``, ``farmland_grades.csv``.
- 增减挂钩: ``[tables.linkage]`` (and a previous vintage for the survey check).
  ``linkage_projects.csv``, ``linkage_survey_check.csv``.
- 亩均效益: ``[tables.enterprises]`` (ledger parcels give the geometry).
  ``enterprise_performance.csv``, ``low_efficiency_land.csv`` / ``.gpkg``.
- 批而未供 by batch age: ``[tables.land_supply]``. ``unsupplied_by_age.csv``.
- TD/T 1018: the run's indicator rows. ``evaluation.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from landuse.findings import Finding, get_findings
from landuse.indicators import balance
from landuse.indicators import evaluation as ev
from landuse.indicators import linkage as lk
from landuse.indicators import performance as pf
from landuse.indicators.flowsums import FlowSums, as_sums
from landuse.indicators.rows import indicator_rows
from landuse.indicators.supply_idle import (
    idle_disposal,
    unsupplied_by_age,
    unsupplied_land_area,
)

__all__ = ["balance_part", "duty_outputs", "evaluation_part", "linkage_part",
           "performance_part", "unsupplied_part"]

Parts = tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, gpd.GeoDataFrame]]


def _rows(series: Mapping[str, pd.Series], names: Mapping[str, str]) -> pd.DataFrame:
    parts = [indicator_rows(s, indicator_id=iid, zone_names=names) for iid, s in series.items()]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _series_of(rows: pd.DataFrame, iid: str) -> pd.Series:
    sub = rows[rows["id"] == iid]
    return pd.Series(pd.to_numeric(sub["value"], errors="coerce").to_numpy(float),
                     index=pd.Index(sub["zone"].astype(str), name="zone", dtype=object))


def balance_part(current: pd.DataFrame, previous: pd.DataFrame | None,
                 flows: pd.DataFrame | FlowSums | None, supplement: pd.DataFrame | None, *,
                 year: int, county: str, rules: Any, names: Mapping[str, str]) -> Parts:
    """耕地进出平衡 / 占补平衡 / 质量等别: rows and tables (:mod:`landuse.indicators.balance`)."""
    series: dict[str, pd.Series] = {"farmland_quality_grade": balance.farmland_quality_grade(
        current, rules=rules)}
    tables: dict[str, pd.DataFrame] = {}
    grades = balance.farmland_area_by_grade(current, rules=rules)
    if len(grades):
        tables["farmland_grades"] = grades
    if flows is not None:
        sums = as_sums(flows, rules)  # factorised once for the three functions
        series.update(balance.farmland_flow_indicators(sums))
        tables["farmland_balance"] = balance.farmland_balance(sums)
        sb = balance.supplement_balance(sums, supplement, year=year, previous=previous,
                                        county=county)
        if supplement is not None:
            series.update(balance.supplement_indicators(sb, rules=rules))
        tables["farmland_supplement_balance"] = sb.reset_index()
    return _rows(series, names), tables, {}


def linkage_part(linkage: pd.DataFrame, change_rows: pd.DataFrame | None, *, year: int,
                 previous_year: int | None, county: str, names: Mapping[str, str],
                 findings: list[Finding]) -> Parts:
    """增减挂钩: project table, indicators and (with a previous vintage) the survey check."""
    projects = lk.linkage_projects(linkage)
    findings.extend(get_findings(projects))
    tables = {"linkage_projects": projects}
    if change_rows is not None and previous_year is not None and len(change_rows):
        red = _series_of(change_rows, "rural_settlement_reduction_area")
        check = lk.linkage_survey_check(linkage, red, previous_year=previous_year, year=year,
                                        county=county)
        findings.extend(get_findings(check))
        tables["linkage_survey_check"] = check.reset_index()
    return _rows(lk.linkage_indicators(linkage, county=county), names), tables, {}


def performance_part(enterprises: pd.DataFrame, *, county: str,
                     parcels: gpd.GeoDataFrame | None, crs: Any,
                     names: Mapping[str, str]) -> Parts:
    """亩均效益: per-enterprise figures and classes, the low-efficiency layer, indicators."""
    perf = pf.parcel_performance(enterprises)
    low = pf.low_efficiency_land(perf, parcels=parcels, crs=crs)
    layers = {"low_efficiency_land": low} if len(low) else {}
    return (_rows(pf.muyield_indicators(enterprises, county=county), names),
            {"enterprise_performance": perf}, layers)


def unsupplied_part(ledger: pd.DataFrame, *, evaluation_date: Any, county: str,
                    names: Mapping[str, str]) -> Parts:
    """批而未供 by batch age (``unsupplied_land_area``) and 闲置土地处置 per year."""
    ages = unsupplied_by_age(ledger, evaluation_date=evaluation_date, county=county)
    s = unsupplied_land_area(ages)
    disposal = idle_disposal(ledger, evaluation_date=evaluation_date, county=county)
    return (_rows({"unsupplied_land_area": s}, names),
            {"unsupplied_by_age": ages, "idle_disposal": disposal}, {})


def evaluation_part(rows: pd.DataFrame, flows: pd.DataFrame | FlowSums | None,
                    socio: pd.DataFrame | None, *, year: int, previous_year: int | None,
                    rules: Any, names: Mapping[str, str]) -> Parts:
    """TD/T 1018: the two measures computed here, then the sub-indices and composite."""
    land = _series_of(rows, "construction_land_area")
    series = {"fixed_asset_investment_per_construction_land":
              ev.fixed_asset_investment_per_construction_land(land, socio, year=year)}
    if flows is not None and previous_year is not None:
        series["new_urban_rural_land_per_population_growth"] = \
            ev.new_urban_rural_land_per_population_growth(
                flows, socio, year=year, previous_year=previous_year, rules=rules)
    measure_rows = _rows(series, names)
    table = ev.evaluation_table(pd.concat([rows, measure_rows], ignore_index=True))
    index_rows = _rows(ev.evaluation_indicators(table), names)
    return pd.concat([measure_rows, index_rows], ignore_index=True), {"evaluation": table}, {}


def duty_outputs(*, current: pd.DataFrame, previous: pd.DataFrame | None,
                 flows: pd.DataFrame | None, tables: Mapping[str, pd.DataFrame],
                 rows: pd.DataFrame, parcels: gpd.GeoDataFrame | None, year: int,
                 previous_year: int | None, county: str, evaluation_date: Any, rules: Any,
                 names: Mapping[str, str], findings: list[Finding]) -> Parts:
    """Every duty part the inputs allow: their indicator rows, tables and layers.

    ``rows`` are the run's other indicator rows (read by the linkage check and the
    evaluation). Returns (rows, tables by output name, layers by output name).
    """
    out_rows: list[pd.DataFrame] = []
    out_tables: dict[str, pd.DataFrame] = {}
    out_layers: dict[str, gpd.GeoDataFrame] = {}

    def add(part: Parts) -> None:
        out_rows.append(part[0])
        out_tables.update(part[1])
        out_layers.update(part[2])

    # the flows factorised once for every flow-based part
    sums = as_sums(flows, rules) if flows is not None else None
    add(balance_part(current, previous, sums, tables.get("farmland_supplement"), year=year,
                     county=county, rules=rules, names=names))
    if "linkage" in tables:
        add(linkage_part(tables["linkage"], rows, year=year, previous_year=previous_year,
                         county=county, names=names, findings=findings))
    if "enterprises" in tables:
        add(performance_part(tables["enterprises"], county=county, parcels=parcels,
                             crs=current.crs, names=names))
    if "land_supply" in tables:
        add(unsupplied_part(tables["land_supply"], evaluation_date=evaluation_date,
                            county=county, names=names))
    before = pd.concat([rows, *[r for r in out_rows if len(r)]], ignore_index=True)
    add(evaluation_part(before, sums, tables.get("socioeconomic"), year=year,
                        previous_year=previous_year, rules=rules, names=names))
    new_rows = [r for r in out_rows if len(r)]
    result = pd.concat(new_rows, ignore_index=True) if new_rows else pd.DataFrame()
    return result, out_tables, {k: v for k, v in out_layers.items() if v is not None}
