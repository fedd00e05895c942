"""``report.html``: a self-contained report (jinja2 template, inline CSS and PNG images).

The page needs no network: maps and charts are inline ``data:`` PNGs drawn by
:mod:`landuse.report.maps`, there are no scripts and no remote tiles or fonts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import geopandas as gpd
import jinja2
import pandas as pd

from landuse.redlines.output import is_violation
from landuse.redlines.summary import status_summary
from landuse.report import maps
from landuse.report.document import indicator_name_en
from landuse.report.duties import duty_views
from landuse.report.labels import finding_title, label
from landuse.report.xlsx import STATUS_LABELS
from landuse.rules import code_table
from landuse.units import ha_to_mu

__all__ = ["KEY_MAP_INDICATORS", "render_html"]

#: Indicators mapped by township, in this order, when they have township values.
KEY_MAP_INDICATORS: Final = (
    ("development_intensity", "OrRd"),
    ("urban_industrial_land_per_capita", "PuRd"),
    ("urban_rural_construction_land_per_capita", "RdPu"),
    ("farmland_area", "YlGn"),
    ("permanent_farmland_nonfarm_area", "Oranges"),
    ("gdp_per_construction_land", "Blues"),
    ("vacant_land_share", "Purples"),
    ("idle_land_area", "Reds"),
)
#: Columns of the township table.
TOWNSHIP_COLUMNS: Final = (
    "total_area", "construction_land_area", "development_intensity",
    "urban_industrial_land_area", "urban_industrial_land_per_capita", "rural_settlement_area",
    "farmland_area", "permanent_farmland_area", "permanent_farmland_nonfarm_area",
    "gdp_per_construction_land", "vacant_land_share", "idle_land_area", "land_supply_rate",
    "mining_rights_in_protected_areas",
)
CHECK_NAMES: Final = {
    "mining_protected": "保护区内矿业权", "eco_redline_construction": "生态保护红线内建设用地",
    "farmland_nonfarm": "永久基本农田内非耕地", "outside_urban_boundary": "城镇开发边界外建设用地",
    "line_conflict": "三线冲突",
}
REDLINE_STATUS_NAMES: Final = {"violation": "违规", "review": "待核查", "allowed": "允许"}
_OPS: Final = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "="}


def _fmt(value: Any, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if unit == "count" or isinstance(value, int):
        return f"{int(value):,}"
    v = float(value)
    return f"{v:,.2f}" if abs(v) < 1e6 else f"{v:,.0f}"


def _target_text(target: Mapping[str, Any] | None) -> str:
    if not target:
        return ""
    return f"{_OPS.get(target['op'], target['op'])} {target['value']:g}"


def _view(rec: Mapping[str, Any]) -> dict[str, Any]:
    return {**rec, "name_en": indicator_name_en(rec["id"]),
            "value_text": _fmt(rec["value"], rec["unit"]), "target_text": _target_text(
                rec.get("target"))}


def _township_table(records: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    towns = [r for r in records if r["scope"] == "township"]
    if not towns:
        return None
    present = {r["id"] for r in towns}
    ids = [i for i in TOWNSHIP_COLUMNS if i in present]
    by_key = {(r["zone"], r["id"]): r for r in towns}
    names = {r["zone"]: r.get("zone_name") or r["zone"] for r in towns}
    first = {r["id"]: r for r in towns}
    rows = []
    for zone in sorted(names):
        cells = []
        for i in ids:
            rec = by_key.get((zone, i))
            cells.append({"text": _fmt(rec["value"], rec["unit"]) if rec else "",
                          "status": rec["status"] if rec else "",
                          "reason": rec.get("reason") if rec else ""})
        rows.append({"zone": zone, "zone_name": names[zone], "cells": cells})
    columns = [{"id": i, "name_zh": first[i]["name_zh"], "unit": first[i]["unit"]} for i in ids]
    return {"columns": columns, "rows": rows}


def _maps(records: Sequence[Mapping[str, Any]], zones: gpd.GeoDataFrame | None) -> list[dict]:
    if zones is None or zones.empty:
        return []
    labels = dict(zip(zones["zone"], zones.get("zone_name", zones["zone"]), strict=True))
    xmin, ymin, xmax, ymax = zones.total_bounds
    # a map 500 px wide shows nothing finer than 1/1000 of the extent: draw less
    zones = zones.assign(geometry=zones.geometry.simplify(max(xmax - xmin, ymax - ymin) / 1000))
    out = []
    for ident, cmap in KEY_MAP_INDICATORS:
        rows = [r for r in records if r["scope"] == "township" and r["id"] == ident]
        values = pd.Series({r["zone"]: r["value"] for r in rows}, dtype="float64")
        if values.notna().sum() == 0:
            continue
        name_zh, unit = rows[0]["name_zh"], rows[0]["unit"]
        src = maps.choropleth(zones, values, title=(name_zh, indicator_name_en(ident)),
                              unit=unit, labels=labels, cmap=cmap)
        out.append({"src": src, "alt": f"{ident} by township"})
    return out


def _redline_summary(redlines: pd.DataFrame | None) -> list[dict[str, Any]]:
    if redlines is None or redlines.empty or "status" not in redlines:
        return []
    return [{"check": r["check"], "check_zh": CHECK_NAMES.get(r["check"], r["check"]),
             "relation": label("relation", r["relation"]), "status": r["status"],
             "status_zh": REDLINE_STATUS_NAMES.get(r["status"], r["status"]),
             "count": int(r["rows"]), "area_ha": _fmt(r["overlap_ha"])}
            for r in status_summary(redlines).to_dict("records")]


def _mining_rows(redlines: pd.DataFrame | None) -> list[dict[str, Any]]:
    if redlines is None or redlines.empty or "check" not in redlines:
        return []
    sub = redlines[redlines["check"] == "mining_protected"]
    out = []
    for rec in sub.drop(columns="geometry", errors="ignore").to_dict(orient="records"):
        share = rec.get("share")
        out.append({**{k: ("" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
                       for k, v in rec.items()},
                    "relation_text": label("relation", rec.get("relation")),
                    "stage_text": label("stage", rec.get("stage")),
                    "disposition_text": label("disposition", rec.get("disposition")),
                    "overlap_text": _fmt(rec.get("overlap_m2")),
                    "share_text": "" if share is None or pd.isna(share) else f"{share:.1%}"})
    return out


def _class_views(class_areas: pd.DataFrame | None, county: str) -> tuple[str | None, list]:
    if class_areas is None or class_areas.empty or "level1" not in class_areas:
        return None, []

    ca = class_areas[class_areas["zone"] == county]
    if "level1_code" in ca:  # the 三调 公报 layout: 湿地 (00) is a first-level class
        ca = ca.assign(level1=ca["level1_code"])
        names = (code_table().drop_duplicates("bulletin_level1")
                 .set_index("bulletin_level1")["bulletin_level1_name_zh"])
    else:
        names = code_table().drop_duplicates("level1").set_index("level1")["level1_name_zh"]
    g = ca.groupby(["level1", "sandalei"], sort=True)["area_ha"].sum().reset_index()
    g["name_zh"] = g["level1"].map(names).fillna("")
    dup = g["level1"].duplicated(keep=False)
    g.loc[dup, "name_zh"] = g.loc[dup, "name_zh"] + "·" + g.loc[dup, "sandalei"].str[:2]
    g.loc[dup, "level1"] = g.loc[dup, "level1"] + g.loc[dup, "sandalei"].map(
        {"农用地": "a", "建设用地": "c", "未利用地": "u"}).fillna("?")
    chart = maps.class_area_chart(g, title=("地类面积（一级类）", "area by first-level class"))
    total = float(ca["area_ha"].sum())
    sd = ca.groupby("sandalei", sort=True)["area_ha"].sum()
    rows = [{"name": k, "ha": _fmt(v), "mu": _fmt(ha_to_mu(v)),
             "share": f"{v / total:.2%}" if total else ""} for k, v in sd.items()]
    rows.append({"name": "合计 total", "ha": _fmt(total), "mu": _fmt(ha_to_mu(total)),
                 "share": "100.00%" if total else ""})
    return chart, rows


def render_html(doc: Mapping[str, Any], *, zones: gpd.GeoDataFrame | None = None,
                class_areas: pd.DataFrame | None = None,
                redlines: gpd.GeoDataFrame | None = None,
                protected: gpd.GeoDataFrame | None = None,
                rights: gpd.GeoDataFrame | None = None,
                idle_parcels: pd.DataFrame | None = None,
                findings: Sequence[Mapping[str, Any]] | None = None,
                duties: Mapping[str, pd.DataFrame] | None = None) -> str:
    """Render the report page.

    Parameters
    ----------
    doc : mapping
        The ``indicators.json`` document (docs/contract.md §3.1).
    zones : GeoDataFrame, optional
        Township polygons (``zone``, ``zone_name``) in the working CRS, for the maps.
    class_areas : DataFrame, optional
        Class areas by zone (``zone``, ``code``, ``level1``, ``sandalei``, ``area_ha``).
    redlines : GeoDataFrame, optional
        The redline findings (docs/contract.md §3.2), with the overlap geometry.
    protected, rights : GeoDataFrame, optional
        Protected areas and mining rights, drawn under the conflicts.
    idle_parcels : DataFrame, optional
        Parcels with an ``idle_class`` column.
    findings : sequence of mapping, optional
        Data-quality findings (``Finding.to_dict()``); default: ``provenance.findings``.
    duties : mapping of str to DataFrame, optional
        The duty tables of the run (:data:`landuse.report.duties.DUTY_TITLES`).

    Returns
    -------
    str
        The HTML text.
    """
    records = list(doc["indicators"])
    prov = doc["provenance"]
    county = [r for r in records if r["scope"] == "county"]
    counts: dict[str, int] = {}
    for r in county:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    red_map = None
    if zones is not None and not zones.empty and (
            (redlines is not None and not redlines.empty) or rights is not None):
        mining = lines = None
        if redlines is not None and not redlines.empty:
            bad = is_violation(redlines)  # the one definition: status == "violation"
            mining = redlines[(redlines["check"] == "mining_protected") & bad]
            lines = redlines[(redlines["check"] != "mining_protected") & bad]
        red_map = maps.redline_map(zones, protected=protected, rights=rights, conflicts=mining,
                                   violations=lines,
                                   title=("红线冲突", "redline conflicts"))
    chart, sandalei_rows = _class_views(class_areas, doc["region"]["code"])
    idle_summary = []
    if idle_parcels is not None and "idle_class" in idle_parcels:
        idle_summary = [{"name": label("idle", k), "count": int(v)} for k, v in
                        idle_parcels["idle_class"].value_counts().sort_index().items()]
    env = jinja2.Environment(loader=jinja2.PackageLoader("landuse.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined)
    template = env.get_template("report.html.j2")
    return template.render(
        region={**doc["region"], "name_en": None}, year=doc["year"], prov=prov,
        schema=doc["schema"], chinese_font=maps.cjk_font() is not None,
        status_labels={k: v[:2] for k, v in STATUS_LABELS.items()}, counts=counts,
        county_targeted=[_view(r) for r in county if r["status"] in ("met", "not_met")],
        county_rows=[_view(r) for r in county], township_table=_township_table(records),
        maps=_maps(records, zones), redline_map=red_map,
        redline_summary=_redline_summary(redlines), mining_rows=_mining_rows(redlines),
        class_chart=chart, sandalei_rows=sandalei_rows, idle_summary=idle_summary,
        findings=[{**f, "severity_text": label("severity", f.get("severity")),
                   "title": finding_title(str(f.get("code", "")))}
                  for f in (findings if findings is not None else prov.get("findings", []))],
        options=[(k, "未设置 not set" if v is None else v)
                 for k, v in (prov.get("options") or {}).items()],
        duty_views=duty_views(duties or {}),
    )

