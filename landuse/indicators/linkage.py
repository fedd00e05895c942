"""城乡建设用地增减挂钩 (linking rural settlement reduction to urban growth; issue 19).

A project reclaims rural construction land (拆旧复垦区) and uses the quota gained in a new
construction area (建新区). From the bureau's table (``[tables.linkage]``,
:func:`landuse.io.bureau.read_linkage`), per project and zone:

* 节余指标 (surplus quota) = verified reclaimed area − used area (ha); negative means the
  project's 建新 use exceeds its verified reclamation (``over_used``), which the rules forbid
  (先拆后建: the quota is the verified reclamation);
* the survey check: reclamation verified in the change period (after the previous vintage's
  year, up to the report year) should appear in the survey as reduced rural settlement
  (``rural_settlement_reduction_area``). Where the verified reclamation exceeds the survey's
  reduction, the excess is reported (``unconfirmed_ha``) and counted in a finding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landuse.findings import Finding, attach_findings
from landuse.indicators._common import make_indicator

__all__ = ["linkage_indicators", "linkage_projects", "linkage_survey_check", "linkage_zones"]

_SUMS = ("approved_area_ha", "reclaimed_area_ha", "used_area_ha")


def linkage_projects(linkage: pd.DataFrame) -> pd.DataFrame:
    """Per project: ``surplus_ha`` (verified reclaimed − used) and ``over_used`` (bool).

    Returns a copy of the table with ``surplus_ha``, ``over_used`` and ``status``
    (``over_used`` / ``surplus`` / ``balanced``), in the table's order.
    """
    out = linkage.copy()
    out["surplus_ha"] = out["reclaimed_area_ha"] - out["used_area_ha"]
    over = (out["surplus_ha"] < -1e-9).to_numpy()
    out["over_used"] = over
    out["status"] = np.where(over, "over_used", np.where(out["surplus_ha"] > 1e-9, "surplus",
                                                         "balanced"))
    n = int(over.sum())
    if n:
        attach_findings(out, [Finding(
            "linkage_over_used", f"{n} 增减挂钩 project(s) use more 建新 area than their verified "
            f"reclamation ({-out.loc[over, 'surplus_ha'].sum():.4f} ha in all; 建新超过验收复垦, "
            "new construction exceeds verified reclamation): check the projects",
            n, "warning", "linkage", out.loc[over, "project_id"].tolist()[:5])])
    return out


def linkage_zones(linkage: pd.DataFrame, *, county: str) -> pd.DataFrame:
    """Sum the projects by zone (county, then 拆旧区 townships): approved, reclaimed, used.

    Returns
    -------
    DataFrame
        Indexed by zone: ``projects``, ``approved_area_ha``, ``reclaimed_area_ha``,
        ``used_area_ha``, ``surplus_ha`` (reclaimed − used), ``over_used_projects``.
    """
    p = linkage_projects(linkage)
    p["projects"] = 1
    p["over_used_projects"] = p["over_used"].astype(int)
    cols = ["projects", *_SUMS, "over_used_projects"]
    county_row = p[cols].sum().to_frame(county).T
    town = p[p["zone"].str.len() >= 9].assign(z=lambda d: d["zone"].str[:9])
    towns = town.groupby("z")[cols].sum()
    out = pd.concat([county_row, towns])
    out.index = pd.Index(out.index.astype(str), name="zone", dtype=object)
    out["surplus_ha"] = out["reclaimed_area_ha"] - out["used_area_ha"]
    out = out.astype({"projects": int, "over_used_projects": int})
    return out[["projects", *_SUMS, "surplus_ha", "over_used_projects"]]


def linkage_indicators(linkage: pd.DataFrame, *, county: str) -> dict[str, pd.Series]:
    """``linkage_reclaimed_area``, ``linkage_used_area``, ``linkage_surplus_quota`` (ha)."""
    z = linkage_zones(linkage, county=county)
    return {iid: make_indicator(z[col].astype(float), indicator_id=iid, components=z)
            for iid, col in (("linkage_reclaimed_area", "reclaimed_area_ha"),
                             ("linkage_used_area", "used_area_ha"),
                             ("linkage_surplus_quota", "surplus_ha"))}


def linkage_survey_check(linkage: pd.DataFrame, settlement_reduction: pd.Series, *,
                         previous_year: int, year: int, county: str,
                         tolerance_ha: float = 0.01) -> pd.DataFrame:
    """Compare the change period's verified reclamation with the survey's settlement reduction.

    Parameters
    ----------
    linkage : DataFrame
        The 增减挂钩 table; a project counts when its ``verified_date`` falls after
        ``previous_year`` and in or before ``year`` (without a date, when its ``year`` does).
    settlement_reduction : Series
        ``rural_settlement_reduction_area`` by zone (ha, positive = reduction), e.g. from
        :func:`landuse.indicators.change.rural_settlement_reduction_area`.
    previous_year, year : int
        The two vintages' years.
    county : str
        County code.
    tolerance_ha : float, default 0.01
        Excess below this is not reported.

    Returns
    -------
    DataFrame
        Indexed by zone: ``reclaimed_in_period_ha``, ``survey_reduction_ha``,
        ``unconfirmed_ha`` (max(0, reclaimed − reduction)), ``confirmed`` (bool). A finding
        ``linkage_not_in_survey`` names the zones with unconfirmed reclamation.
    """
    vy = linkage["verified_date"].dt.year.fillna(linkage["year"]).astype(int)
    sel = linkage[(vy > previous_year) & (vy <= year)]
    zones = linkage_zones(sel, county=county) if len(sel) else pd.DataFrame(
        {"reclaimed_area_ha": [0.0]}, index=pd.Index([county], name="zone", dtype=object))
    rec = zones["reclaimed_area_ha"].astype(float)
    red = settlement_reduction.reindex(rec.index).astype(float)
    out = pd.DataFrame({"reclaimed_in_period_ha": rec, "survey_reduction_ha": red})
    excess = (rec - red.fillna(0.0)).clip(lower=0.0)
    out["unconfirmed_ha"] = excess.where(excess >= tolerance_ha, 0.0)
    out["confirmed"] = out["unconfirmed_ha"] <= 0
    bad = out.index[~out["confirmed"].to_numpy()]
    if len(bad):
        attach_findings(out, [Finding(
            "linkage_not_in_survey", f"增减挂钩 reclamation verified in {previous_year + 1}–{year} "
            f"exceeds the survey's reduction of rural settlement in {len(bad)} zone(s) "
            f"({out.loc[bad, 'unconfirmed_ha'].max():.4f} ha at most; 复垦未在变更调查中体现, "
            "reclamation not shown by the survey): check the projects against the survey",
            len(bad), "warning", "linkage", [str(z) for z in bad[:5]])])
    return out
