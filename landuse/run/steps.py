"""The computing steps of an annual run, from the prepared county (part of :mod:`landuse.run`).

Each step calls the library functions (indicators, redline checks, supply and idle land,
change, land cover) on the one :class:`~landuse.county.County` of the run (its township
policy, class rows and township polygons) and collects their findings; :func:`provenance`
and :func:`dedupe` shape what ``indicators.json`` records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from landuse.config import Config
from landuse.findings import Finding
from landuse.indicators import change, supply_idle
from landuse.indicators import landcover as lc
from landuse.indicators import rows as indicator_table
from landuse.indicators import targets as plan_targets
from landuse.redlines import control_lines, mining
from landuse.redlines.summary import mining_rights_in_protected_areas
from landuse.rules import load_rules
from landuse.run.duties import duty_outputs
from landuse.run.inputs import Inputs, capture
from landuse.tables import SurveyTables, survey_tables
from landuse.version import __version__

__all__ = ["apply_targets", "change_outputs", "dedupe", "duty_parts", "indicator_rows",
           "mining_rows", "provenance", "redline_frames", "supply_rows", "survey_step",
           "township_zones"]


def _zone_names(cfg: Config, inputs: Inputs) -> dict[str, str]:
    return inputs.zone_names


def _township_codes(inputs: Inputs) -> pd.DataFrame:
    """Every township the run reports (the prepared county's township zones)."""
    assert inputs.prepared is not None
    return pd.DataFrame({"zone": [z for z in inputs.prepared.zones if len(z) == 9]})


def indicator_rows(cfg: Config, inputs: Inputs, rules: Any,
                    findings: list[Finding]) -> pd.DataFrame:
    """Compute the rows of docs/contract.md §3.1 (no targets yet), county and townships."""
    prev_src = cfg.layers.get("landuse_previous")
    return capture(findings, lambda: indicator_table.county_indicators(
        inputs, year=cfg.region.year,
        base_year=prev_src.year if prev_src is not None else None))


def redline_frames(cfg: Config, inputs: Inputs, rules: Any,
                    findings: list[Finding]) -> list[gpd.GeoDataFrame]:
    """Run every redline check the configured layers allow."""
    lay = inputs.layers
    lu = inputs.landuse
    # every check measures in the run's working CRS (the land-use layer's), whatever CRS
    # each layer arrived in: rights in EPSG:4548 and protected areas in EPSG:4490 meet there
    sliver, crs = cfg.options.sliver_m2, inputs.working_crs
    # rights and control-line pieces get the township of the policy's polygons (the
    # patches under them), the patches their own township column: one policy
    towns = inputs.zones if ("mining_rights" in lay or "permanent_farmland" in lay) else None
    red, pf, ub = (lay.get(k) for k in ("ecological_redline", "permanent_farmland",
                                         "urban_boundary"))
    frames = []
    if "mining_rights" in lay and ("protected_areas" in lay or red is not None):
        frames.append(capture(findings, lambda: mining.mining_conflicts(
            lay["mining_rights"], lay.get("protected_areas"), ecological_redline=red,
            evaluation_date=cfg.evaluation_date, townships=towns, sliver_m2=sliver,
            working_crs=crs)))
    if red is not None:
        frames.append(capture(findings, lambda: control_lines.eco_redline_construction(
            lu, red, rules=rules, sliver_m2=sliver, working_crs=crs)))
    if pf is not None:
        frames.append(capture(findings, lambda: control_lines.farmland_nonfarm(
            lu, pf, rules=rules, sliver_m2=sliver, working_crs=crs)))
    if ub is not None:
        frames.append(capture(findings, lambda: control_lines.outside_urban_boundary(
            lu, ub, rules=rules, sliver_m2=sliver, working_crs=crs)))
    if pf is not None and (red is not None or ub is not None):
        frames.append(capture(findings, lambda: control_lines.line_conflicts(
            pf, red, ub, townships=towns, sliver_m2=sliver, working_crs=crs)))
    return frames


def mining_rows(cfg: Config, inputs: Inputs, frames: list[gpd.GeoDataFrame]) -> pd.DataFrame:
    """Rows of ``mining_rights_in_protected_areas`` from the mining-conflict frame, if any."""
    conflicts = next((f for f in frames if "licence_no" in f.columns), None)
    if conflicts is None:
        return pd.DataFrame()
    series = mining_rights_in_protected_areas(conflicts, townships=_township_codes(inputs),
                                              county=cfg.region.code)
    return indicator_table.indicator_rows(series, indicator_id="mining_rights_in_protected_areas",
                          zone_names=_zone_names(cfg, inputs))


def supply_rows(cfg: Config, inputs: Inputs, findings: list[Finding]
                 ) -> tuple[pd.DataFrame, gpd.GeoDataFrame | None]:
    """Supply and idle-land indicator rows and the idle-parcel layer (with a ledger)."""
    ledger = inputs.tables.get("land_supply")
    if ledger is None:
        return pd.DataFrame(), None
    when = cfg.evaluation_date
    names = _zone_names(cfg, inputs)
    parts = []
    for ident in ("idle_land_area", "idle_land_ratio", "land_supply_rate",
                  "stock_land_supply_share"):
        series = capture(findings, partial(getattr(supply_idle, ident), ledger,
                                            evaluation_date=when, county=cfg.region.code))
        parts.append(indicator_table.indicator_rows(
            series, indicator_id=ident, zone_names=names,
            components=series.attrs.get("components"),
            reason=series.attrs.get("not_computable") or None))
    parcels = inputs.layers.get("land_supply_parcels")
    if parcels is not None:
        idle = supply_idle.idle_parcels(ledger, parcels, evaluation_date=when)
    else:  # no parcel geometries configured: the layer still lists every parcel
        table = supply_idle.classify_idle(ledger, evaluation_date=when)
        idle = gpd.GeoDataFrame(table, geometry=[None] * len(table), crs=inputs.landuse.crs)
    return pd.concat(parts, ignore_index=True), idle


def change_outputs(cfg: Config, inputs: Inputs, rules: Any, findings: list[Finding]
                    ) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None,
                               pd.DataFrame | None]:
    """Transitions and the two-vintage indicators; land-cover areas (when configured).

    The change flows are returned too (``None`` without a previous vintage): the duty
    parts (:mod:`landuse.run.duties`) read them instead of overlaying the vintages again.
    """
    rows, transitions, landcover, flows = pd.DataFrame(), None, None, None
    previous = inputs.layers.get("landuse_previous")
    if previous is not None:
        flows = capture(findings, lambda: change.transition_flows(previous, inputs.landuse))
        transitions = change.transition_matrix(flows)
        names = _zone_names(cfg, inputs)
        socio = inputs.tables.get("socioeconomic")
        year, before = cfg.region.year, cfg.layers["landuse_previous"].year
        assert before is not None  # the config requires it for a previous vintage
        # both vintages as prepared once in the read phase (same township policy)
        assert inputs.previous is not None and inputs.prepared is not None
        cur, prv = inputs.prepared, inputs.previous.prepared
        series = [
            change.new_construction_land_area(flows, rules=rules),
            change.stock_land_revitalised_area(flows, rules=rules),
            change.rural_settlement_reduction_area(prv, cur, rules=rules,
                                                   patches=(previous, inputs.landuse)),
            change.new_construction_land_per_gdp_growth(flows, socio, rules=rules, year=year,
                                                        previous_year=before),
            change.construction_land_population_elasticity(
                prv, cur, socio, rules=rules, year=year, previous_year=before),
            change.construction_land_gdp_elasticity(
                prv, cur, socio, rules=rules, year=year, previous_year=before),
        ]
        rows = pd.concat([indicator_table.indicator_rows(s, indicator_id=str(s.name),
                                                         zone_names=names)
                          for s in series], ignore_index=True)
        # every change figure is measured from the previous vintage's year: recorded so that
        # targets with a base_year only judge changes over the same period
        rows["components"] = [{**(c or {}), "base_year": before} for c in rows["components"]]
    if inputs.landcover is not None:
        cover = inputs.landcover  # opened and checked in the read phase
        landcover = capture(findings, lambda: lc.landcover_areas(
            cover.source, inputs.zones, classes=cover.classes, county=cfg.region.code))
    return rows, transitions, landcover, flows


def duty_parts(cfg: Config, inputs: Inputs, rules: Any, findings: list[Finding],
               flows: pd.DataFrame | None, rows: list[pd.DataFrame]
               ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, Any]]:
    """Issue 19's duties (farmland balance, 增减挂钩, 亩均效益, 批而未供, TD/T 1018).

    Unpacks the config and inputs into the plain data :func:`landuse.run.duties.
    duty_outputs` takes; ``rows`` are the indicator rows computed so far.
    """
    prev_src = cfg.layers.get("landuse_previous")
    done = pd.concat([r for r in rows if len(r)], ignore_index=True)
    return capture(findings, lambda: duty_outputs(
        current=inputs.landuse, previous=inputs.layers.get("landuse_previous"), flows=flows,
        tables=inputs.tables, rows=done, parcels=inputs.layers.get("land_supply_parcels"),
        year=cfg.region.year, previous_year=prev_src.year if prev_src is not None else None,
        county=cfg.region.code, evaluation_date=cfg.evaluation_date, rules=rules,
        names=_zone_names(cfg, inputs), findings=findings))


def apply_targets(cfg: Config, rows: pd.DataFrame, targets: Any = None) -> pd.DataFrame:
    """Attach the targets (parsed once in the read phase) and a status to the rows."""
    if not targets:
        return rows

    return plan_targets.apply_targets(rows, targets, year=cfg.region.year,
                                      rules_label=load_rules(cfg.rules).label)


def provenance(cfg: Config, inputs: Inputs, findings: list[Finding], rules_label: str) -> dict:
    """Return the ``provenance`` object of ``indicators.json`` (docs/contract.md §3.1)."""
    return {
        "landuse_version": __version__,
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "rules": rules_label,
        "rule_set": _rule_set_record(cfg),
        "area": cfg.options.area,
        "working_crs": inputs.working_crs,
        "evaluation_date": cfg.evaluation_date.isoformat(),
        "options": cfg.options.to_dict(),
        "inputs": sorted(inputs.sources, key=lambda s: (s["role"], s["path"])),
        "warnings": [_finding_text(f) for f in findings if f.severity != "info"],
        "findings": [f.to_dict() for f in findings],
    }


def _rule_set_record(cfg: Config) -> dict[str, Any]:
    """Return the rule set's label and basis and the redline rule tables (docs/domain.md §7)."""
    return {**load_rules(cfg.rules).record(),
            "redline_tables": ["landuse/rules/control_line_rules.csv",
                               "landuse/rules/mining_prohibited.csv",
                               "landuse/rules/mining_exceptions_142.csv"]}


def _finding_text(f: Finding) -> str:
    where = f" [{f.source}]" if f.source else ""
    return f"{f.code}: {f.message} ({f.count}){where}"


def dedupe(findings: list[Finding], base: Path | None = None) -> list[Finding]:
    """Sort the run's findings; paths under ``base`` become relative.

    Every finding comes once, from the result that carries it (one channel, see
    :func:`landuse.run.inputs.capture`): nothing is matched or dropped by its text.
    Relative paths make the same inputs give the same ``indicators.json`` on every machine.
    """
    out = []
    prefix = f"{base.as_posix().rstrip('/')}/" if base is not None else None
    for f in findings:
        if prefix is not None:
            f = replace(f, message=f.message.replace(prefix, ""),
                        source=f.source.replace(prefix, ""))
        out.append(f)
    return sorted(out, key=lambda f: (f.source, f.code, f.message))


def township_zones(inputs: Inputs) -> gpd.GeoDataFrame:
    """Township polygons of the run's township policy (for the maps and land cover)."""
    return inputs.zones


def survey_step(cfg: Config, inputs: Inputs, findings: list[Finding]) -> SurveyTables:
    """Compute the survey tables (issue #18) from the land use and the townships layer.

    The township of each patch is the land-use frame's ``township`` column as the run's
    township policy assigned it; the findings (skipped tables, control-area differences)
    join the run's.
    """
    st = survey_tables(inputs.landuse, inputs.layers.get("townships"), county=cfg.region.code,
                       county_name=cfg.region.name)
    findings.extend(st.findings)
    return st
