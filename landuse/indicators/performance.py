"""Industrial land performance (亩均效益) and low-efficiency industrial land (issue 19).

From the bureau's enterprise table (``[tables.enterprises]``,
:func:`landuse.io.bureau.read_enterprises`), one row per enterprise (or parcel) and year:

=====================  ===========================================  ============
figure                 formula                                      unit
=====================  ===========================================  ============
亩均税收 tax_per_mu     tax / (land area in 亩)                     万元/亩
亩均产值 output_per_mu  output value / (land area in 亩)            万元/亩
容积率                 floor area (m²) / land area (m²)             1
投资强度               investment / land area (ha)                  万元/公顷
建筑密度               building footprint / land area × 100         %
=====================  ===========================================  ============

Classes A/B/C/D come from a replaceable rule file (default
``landuse/rules/muyield_classes.toml``, modelled on the Shandong 亩产效益 evaluation, every
threshold a placeholder to verify): score = 100 × Σ wᵢ × min(valueᵢ / benchmarkᵢ, cap);
the first class whose minimum score is reached, else D. Low-efficiency industrial land
(低效工业用地) = class D, or a 容积率 / 建筑密度 below the file's floors (where given).

The zone indicators are ratios of sums (Σ tax / Σ 亩), never means of ratios, so township
figures combine into the county's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse import units
from landuse.errors import SchemaError
from landuse.indicators._common import make_indicator
from landuse.rules import read_rule_file

__all__ = ["load_muyield_rules", "low_efficiency_land", "muyield_indicators",
           "parcel_performance"]

_FIGURES = {"tax_per_mu": "tax_10k_yuan", "output_per_mu": "output_10k_yuan"}


def load_muyield_rules(path: str | Path | dict[str, Any] | None = None) -> dict[str, Any]:
    """Load and check the 亩均效益 class rules (default: the shipped Shandong-style file)."""
    data, where = read_rule_file(path, "muyield_classes.toml")
    problems = []
    inds = data.get("indicators", {})
    for name, spec in inds.items():
        if name not in _FIGURES:
            problems.append(f"indicators.{name}: unknown (use {sorted(_FIGURES)})")
        elif not (float(spec.get("benchmark", 0)) > 0 and float(spec.get("weight", -1)) >= 0):
            problems.append(f"indicators.{name}: needs benchmark > 0 and weight >= 0")
    if not inds or abs(sum(float(s.get("weight", 0)) for s in inds.values()) - 1.0) > 1e-9:
        problems.append("the indicator weights must add up to 1")
    classes = data.get("classes", {})
    if list(classes) != ["A", "B", "C"] or not (
            classes["A"] >= classes["B"] >= classes["C"]):
        problems.append("[classes] must give A >= B >= C minimum scores (below C is D)")
    if float(data.get("cap", 0)) < 1:
        problems.append("cap must be >= 1")
    if problems:
        raise SchemaError(f"亩均效益 rules {where}: " + "; ".join(problems))
    return data


def _latest(enterprises: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int | None]:
    if year is None:
        year = int(enterprises["year"].max()) if len(enterprises) else None
    return enterprises[enterprises["year"] == year], year


def parcel_performance(enterprises: pd.DataFrame, *, year: int | None = None,
                       rules: str | Path | dict[str, Any] | None = None) -> pd.DataFrame:
    """亩均效益 figures, score, class and the low-efficiency flag per enterprise.

    Parameters
    ----------
    enterprises : DataFrame
        :func:`landuse.io.bureau.read_enterprises`.
    year : int, optional
        Evaluation year (default: the latest in the table).
    rules : path or dict, optional
        Class rules (see :func:`load_muyield_rules`).

    Returns
    -------
    DataFrame
        ``enterprise_id, name, zone, parcel_id, year, land_area_ha, land_area_mu,
        tax_per_mu, output_per_mu, floor_area_ratio, investment_intensity, building_density_pct,
        score, muyield_class, low_efficiency, low_efficiency_reason``; figures NaN where the
        table lacks the input. ``attrs['rules']`` = the rule file's id.
    """
    rs = load_muyield_rules(rules)
    sub, _ = _latest(enterprises, year)
    area_ha = sub["land_area_ha"].to_numpy(np.float64)
    mu = units.ha_to_mu(area_ha)
    m2 = units.ha_to_m2(area_ha)
    with np.errstate(divide="ignore", invalid="ignore"):
        fig = {name: np.where(mu > 0, sub[col].to_numpy(np.float64) / mu, np.nan)
               for name, col in _FIGURES.items()}
        far = np.where(m2 > 0, sub["floor_area_m2"].to_numpy(np.float64) / m2, np.nan)
        inv = np.where(area_ha > 0, sub["investment_10k_yuan"].to_numpy(np.float64) / area_ha,
                       np.nan)
        dens = np.where(m2 > 0, 100.0 * sub["footprint_m2"].to_numpy(np.float64) / m2, np.nan)
    cap = float(rs["cap"])
    score = np.zeros(len(sub))
    for name, spec in rs["indicators"].items():
        score += float(spec["weight"]) * np.minimum(fig[name] / float(spec["benchmark"]), cap)
    score *= 100.0
    cls = np.full(len(sub), "D", dtype=object)
    for name in ("C", "B", "A"):
        cls = np.where(score >= float(rs["classes"][name]), name, cls)
    cls = np.where(np.isfinite(score), cls, "")
    low = rs.get("low_efficiency", {})
    reasons: list[list[str]] = [[] for _ in range(len(sub))]
    for k in np.flatnonzero(cls == "D"):
        reasons[k].append(f"D类 (score {score[k]:.1f} < {rs['classes']['C']:g})")
    for key, vals, label in (("floor_area_ratio_min", far, "容积率 floor area ratio"),
                             ("building_density_pct_min", dens, "建筑密度 building density %")):
        if key in low:
            for k in np.flatnonzero(np.isfinite(vals) & (vals < float(low[key]))):
                reasons[k].append(f"{label} {vals[k]:.2f} < {float(low[key]):g}")
    out = pd.DataFrame({
        "enterprise_id": sub["enterprise_id"].to_numpy(object),
        "name": sub["name"].to_numpy(object), "zone": sub["zone"].to_numpy(object),
        "parcel_id": sub["parcel_id"].to_numpy(object), "year": sub["year"].to_numpy(),
        "land_area_ha": area_ha, "land_area_mu": mu, "tax_per_mu": fig["tax_per_mu"],
        "output_per_mu": fig["output_per_mu"], "floor_area_ratio": far,
        "investment_intensity": inv, "building_density_pct": dens, "score": score,
        "muyield_class": cls, "low_efficiency": [bool(r) for r in reasons],
        "low_efficiency_reason": ["; ".join(r) for r in reasons]})
    out.attrs["rules"] = f"{rs.get('id', 'custom')}@{rs.get('version', 1)}"
    return out


def muyield_indicators(enterprises: pd.DataFrame, *, county: str, year: int | None = None,
                       rules: str | Path | dict[str, Any] | None = None
                       ) -> dict[str, pd.Series]:
    """Return the 亩均 indicators of the county and its townships.

    ``industrial_tax_per_mu``, ``industrial_output_per_mu`` (万元/亩) and
    ``low_efficiency_industrial_land_area`` (ha): ratios of sums over the enterprises of
    ``year`` (default: the latest). A zone without enterprise land is not computable with the
    reason.
    """
    perf = parcel_performance(enterprises, year=year, rules=rules)
    sub, yr = _latest(enterprises, year)
    frame = pd.DataFrame({"tax": sub["tax_10k_yuan"].to_numpy(np.float64),
                          "output": sub["output_10k_yuan"].to_numpy(np.float64),
                          "mu": perf["land_area_mu"].to_numpy(np.float64),
                          "low_ha": np.where(perf["low_efficiency"], perf["land_area_ha"], 0.0),
                          "n": 1})
    zone = perf["zone"].astype(str)
    parts = [frame.sum().to_frame(county).T]
    town = zone.str.len() >= 9
    if town.any():
        parts.append(frame[town.to_numpy()].groupby(zone[town].str[:9].to_numpy()).sum())
    sums = pd.concat(parts)
    sums.index = pd.Index(sums.index.astype(str), name="zone", dtype=object)
    ok = sums["mu"] > 0
    reason = {str(z): f"no enterprise land in zone {z} in {yr}" for z in sums.index[~ok]}
    comps = pd.DataFrame({"tax_10k_yuan": sums["tax"], "output_10k_yuan": sums["output"],
                          "land_area_mu": sums["mu"], "enterprises": sums["n"].astype(int),
                          "year": yr}, index=sums.index)
    return {
        "industrial_tax_per_mu": make_indicator(
            sums["tax"] / sums["mu"].where(ok), indicator_id="industrial_tax_per_mu",
            components=comps, reasons=reason),
        "industrial_output_per_mu": make_indicator(
            sums["output"] / sums["mu"].where(ok), indicator_id="industrial_output_per_mu",
            components=comps, reasons=reason),
        "low_efficiency_industrial_land_area": make_indicator(
            sums["low_ha"], indicator_id="low_efficiency_industrial_land_area",
            components=comps.assign(rules=perf.attrs["rules"])),
    }


def low_efficiency_land(performance: pd.DataFrame, *, parcels: gpd.GeoDataFrame | None = None,
                        crs: Any = None) -> gpd.GeoDataFrame:
    """List the low-efficiency land (低效工业用地) by township, a layer when geometry is known.

    Parameters
    ----------
    performance : DataFrame
        :func:`parcel_performance`.
    parcels : GeoDataFrame, optional
        Parcel geometries with ``parcel_id`` (e.g. the land-supply parcels); enterprises
        whose ``parcel_id`` matches get that geometry (the first of a repeated id).
    crs : CRS-like, optional
        CRS of the layer when no parcels are given.

    Returns
    -------
    GeoDataFrame
        The low-efficiency rows of ``performance`` sorted by zone and id; geometry None where
        unknown.
    """
    low = performance[performance["low_efficiency"]].sort_values(
        ["zone", "enterprise_id"], kind="stable").reset_index(drop=True)
    if parcels is None:
        return gpd.GeoDataFrame(low, geometry=[None] * len(low), crs=crs)
    first = parcels.drop_duplicates("parcel_id").set_index(
        parcels.drop_duplicates("parcel_id")["parcel_id"].astype(str)).geometry
    geom = low["parcel_id"].astype(str).map(first)
    return gpd.GeoDataFrame(low, geometry=gpd.GeoSeries(geom.to_numpy(), crs=parcels.crs),
                            crs=parcels.crs)
