"""Indicator rows of ``indicators.json`` (docs/contract.md §3.1) and the all-indicator computation.

:func:`indicator_rows` turns any indicator result (a Series indexed by zone, as returned
by the indicator functions, or a frame) into the contract's rows; :func:`compute_indicators`
computes every indicator of the classes / intensity / farmland / economy / vacant
families for a county and its townships and returns their rows, with targets applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landuse.county import County, TownshipPolicy, assign_townships
from landuse.findings import Finding, get_findings
from landuse.indicators import economy, farmland, intensity, vacant
from landuse.indicators._common import (
    By,
    Prepared,
    make_indicator,
    prepare,
    registry_entry,
    scope_of,
)
from landuse.indicators.classes import _wetland
from landuse.indicators.registry import ROW_COLUMNS, clean_value, sort_rows, target_frame
from landuse.indicators.targets import apply_targets
from landuse.rules import RuleSet

__all__ = ["ROW_COLUMNS", "assemble_rows", "compute_indicators", "county_indicators",
           "indicator_rows", "indicator_series", "zone_names_of"]



def indicator_rows(
    series_or_frame: pd.Series | pd.DataFrame,
    *,
    indicator_id: str,
    components: pd.DataFrame | Mapping[str, Mapping[str, Any]] | None = None,
    zone_names: Mapping[str, str] | None = None,
    reason: str | Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Turn an indicator result indexed by zone into docs/contract.md §3.1 rows.

    Parameters
    ----------
    series_or_frame : Series or DataFrame
        Values indexed by zone code (6, 9 or 12 digits). A Series from the indicator
        functions carries ``attrs['components']`` and ``attrs['reasons']``, used when
        ``components`` / ``reason`` are not given. A DataFrame gives the value in the
        column ``indicator_id`` (or ``value``), an optional ``reason`` column, and every
        other column as a component.
    indicator_id : str
        Id in the registry ``landuse/rules/indicators.csv`` (gives ``name_zh`` and ``unit``).
    components : DataFrame or mapping, optional
        Components per zone (a frame indexed by zone, or zone -> dict).
    zone_names : mapping, optional
        Zone code -> name (``""`` when unknown).
    reason : str or mapping, optional
        Why a value is not computable: one sentence for every such zone, or per zone.

    Returns
    -------
    DataFrame
        Columns ``id, name_zh, scope, zone, zone_name, value, unit, components, target,
        status, reason`` in the one row order (:func:`sort_rows`). ``value`` is float64,
        NaN where not computable (never inf); such a row has status ``not_computable`` and
        a reason, every other row ``no_target`` (see
        :func:`landuse.indicators.targets.apply_targets`). ``components`` is a dict of
        JSON-safe scalars.
    """
    entry = registry_entry(indicator_id)
    attrs = dict(getattr(series_or_frame, "attrs", {}) or {})
    reasons: dict[str, str] = dict(attrs.get("reasons", {}) or {})
    if isinstance(series_or_frame, pd.DataFrame):
        frame = series_or_frame
        col = indicator_id if indicator_id in frame.columns else "value"
        if col not in frame.columns:
            raise ValueError(f"indicator_rows: the frame has no column {indicator_id!r} or "
                             f"'value' (columns: {list(frame.columns)})")
        values = frame[col]
        if "reason" in frame.columns:
            reasons.update({str(z): str(r) for z, r in frame["reason"].items()
                            if isinstance(r, str) and r})
        comp_frame: Any = frame.drop(columns=[c for c in (col, "reason") if c in frame.columns])
    else:
        values = series_or_frame
        comp_frame = attrs.get("components")
    if components is not None:
        comp_frame = components
    if isinstance(reason, str):
        default_reason = reason
    else:
        default_reason = "the value is not a finite number"
        reasons.update({str(k): str(v) for k, v in (reason or {}).items()})
    names = {str(k): str(v) for k, v in (zone_names or {}).items()}

    comp_map: Any = comp_frame
    if isinstance(comp_frame, pd.DataFrame):
        frame_c = comp_frame[~comp_frame.index.duplicated()]
        comp_map = {str(z): row for z, row in zip(frame_c.index,
                                                  frame_c.to_dict(orient="records"),
                                                  strict=True)}
    records = []
    for zone, raw in values.items():
        z = str(zone)
        missing = raw is None or isinstance(raw, str) or bool(pd.isna(raw))
        value = None if missing else clean_value(float(raw), digits=None)
        comp: dict[str, Any] = {}
        if isinstance(comp_map, Mapping) and z in comp_map:
            comp = {str(k): clean_value(v, digits=None) for k, v in comp_map[z].items()}
        computable = value is not None
        records.append({
            "id": indicator_id,
            "name_zh": entry["name_zh"],
            "scope": scope_of(z),
            "zone": z,
            "zone_name": names.get(z, ""),
            "value": value,
            "unit": entry["unit"],
            "components": comp,
            "status": "no_target" if computable else "not_computable",
            "reason": None if computable else reasons.get(z, default_reason),
        })
    flat = target_frame([None] * len(records))
    out = pd.DataFrame({c: flat[c] if c in flat.columns
                        else pd.Series([r[c] for r in records], dtype=object)
                        for c in ROW_COLUMNS})
    # the value is a number column: NaN where not computable (the row says why in reason)
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    return sort_rows(out)


def _missing(p: Prepared, indicator_id: str, reason: str) -> pd.Series:
    return make_indicator(pd.Series(np.nan, index=p.zones), indicator_id=indicator_id,
                          reasons={z: reason for z in p.zones}, rules=p.rules)


def indicator_series(
    p: Prepared,
    inside: Mapping[str, pd.DataFrame],
    *,
    socio: pd.DataFrame | None,
    year: int,
    base_year: int | None = None,
    base: Prepared | None = None,
    base_construction_land_ha: float | Mapping[str, float] | None = None,
    permanent_farmland: pd.DataFrame | None = None,
    high_standard_farmland: pd.DataFrame | None = None,
) -> dict[str, pd.Series]:
    """Every indicator Series of :func:`compute_indicators` from prepared sums.

    ``p`` is a :class:`Prepared` (of one frame, or reduced over partitions by
    ``landuse.dask``); ``base`` the base year's; ``inside`` maps ``"pf"`` / ``"hsf"`` to the
    class rows of the land use inside the permanent / high-standard farmland layers
    (:func:`landuse.indicators.farmland.overlay_class_rows`). A layer missing from
    ``inside`` gives its indicators ``not_computable`` with the reason.
    """
    out: dict[str, pd.Series] = {"total_area": intensity._total(p)}
    for iid in intensity.AREA_INDICATORS:
        out[iid] = intensity._aggregate(p, iid)
    out["wetland_area"] = _wetland(p)
    out["development_intensity"] = intensity._intensity(p)
    for iid in intensity.PER_CAPITA:
        out[iid] = intensity._per_capita(p, iid, socio, year)
    out["gdp_per_construction_land"] = economy._gdp_per_land(p, socio, year)
    out["land_per_value_added"] = economy._land_per_value_added(p, socio, year)
    out["construction_land_per_gdp_decline"] = economy._decline(
        p, socio, year, base_year, base, base_construction_land_ha)
    out["vacant_land_share"] = vacant._vacant_share(p)
    if "pf" in inside and permanent_farmland is not None:
        out["permanent_farmland_area"] = farmland._pf_area(p, permanent_farmland, inside["pf"])
        out["permanent_farmland_nonfarm_area"] = farmland._pf_nonfarm(p, inside["pf"])
    else:
        for iid in ("permanent_farmland_area", "permanent_farmland_nonfarm_area"):
            out[iid] = _missing(p, iid, "no permanent farmland layer (永久基本农田) was given")
    if "hsf" in inside and high_standard_farmland is not None:
        out["high_standard_farmland_area"] = farmland._hsf(p, inside["hsf"],
                                                           high_standard_farmland)
    else:
        out["high_standard_farmland_area"] = _missing(
            p, "high_standard_farmland_area",
            "no high-standard farmland layer (高标准农田) was given")
    return out


def zone_names_of(townships: pd.DataFrame | None,
                  extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Zone code -> name: the townships' ``zone_name``, then ``extra`` (e.g. the county)."""
    names: dict[str, str] = {}
    if townships is not None and "zone_name" in townships.columns:
        names.update({str(z): str(n) for z, n in zip(townships["zone"], townships["zone_name"],
                                                     strict=True)})
    names.update({str(k): str(v) for k, v in (extra or {}).items()})
    return names


def assemble_rows(results: Mapping[str, pd.Series], *, zone_names: Mapping[str, str],
                  targets: Sequence[Any] | None, year: int) -> pd.DataFrame:
    """Contract §3.1 rows of indicator Series in the one row order (:func:`sort_rows`).

    Targets (if any) are applied to the rows; ``attrs`` are left to the caller.
    """
    out = sort_rows(pd.concat([indicator_rows(s, indicator_id=iid, zone_names=zone_names)
                               for iid, s in results.items()], ignore_index=True))
    if targets:

        out = apply_targets(out, targets, year=year)
    return out


def compute_indicators(
    lu: pd.DataFrame,
    *,
    townships: pd.DataFrame | None = None,
    permanent_farmland: pd.DataFrame | None = None,
    high_standard_farmland: pd.DataFrame | None = None,
    socio: pd.DataFrame | None = None,
    year: int,
    base_year: int | None = None,
    base: pd.DataFrame | None = None,
    base_construction_land_ha: float | Mapping[str, float] | None = None,
    rules: str | Path | RuleSet | None = None,
    targets: Sequence[Any] | None = None,
    by: By = "township",
    zone_names: Mapping[str, str] | None = None,
    township: TownshipPolicy | None = None,
) -> pd.DataFrame:
    """Compute every indicator of the area, farmland, economy and vacant-land families.

    Parameters
    ----------
    lu : GeoDataFrame
        Normalised land-use layer of the report year.
    townships : GeoDataFrame, optional
        XZQ layer (``zone``, ``zone_name``): names of the townships, and every township
        is reported (with zero areas where no patch lies).
    permanent_farmland, high_standard_farmland : GeoDataFrame, optional
        Control layers (same CRS as ``lu``); their indicators are ``not_computable``
        with a reason when absent.
    socio : DataFrame, optional
        :func:`landuse.io.tables.read_socioeconomic` frame.
    year : int
        Report year (socio-economic figures of that year).
    base_year : int, optional
        Base year of ``construction_land_per_gdp_decline``.
    base : DataFrame, optional
        Land-use frame of the base year (construction land of the base year).
    base_construction_land_ha : float or mapping, optional
        Base-year construction land when ``base`` is not given.
    rules : str, Path or RuleSet, optional
        Aggregate rules (default ``sandiao-default@1``).
    targets : list of Target, optional
        From :func:`landuse.indicators.targets.load_targets`; applied to the rows.
    by : {"county", "township", "village"}
        Lowest zone level.
    zone_names : mapping, optional
        Extra zone names (e.g. the county's name from the config).
    township : {"zldwdm", "xzq"}, optional
        The township policy (:func:`landuse.county.assign_townships`). ``None`` (default)
        keeps the frame's own ``township`` column when it was already assigned (a frame of
        a run's :class:`~landuse.county.County`), else applies ``"zldwdm"``.

    Returns
    -------
    DataFrame
        Contract §3.1 rows (:data:`ROW_COLUMNS`) in :func:`sort_rows` order.
        ``attrs['rules']`` is the rule-set label; ``attrs['findings']`` the findings.
    """
    findings: list[Finding] = []
    if township is not None or "township_policy" not in lu.attrs:
        before = len(get_findings(lu))
        lu = assign_townships(lu, townships, policy=township or "zldwdm")
        findings.extend(get_findings(lu)[before:])
    extra = townships["zone"] if townships is not None else ()
    p = prepare(lu, by=by, rules=rules, what="compute_indicators", extra_zones=extra)
    b = None
    if base is not None:
        if township is not None or "township_policy" not in base.attrs:
            base = assign_townships(base, townships, policy=township or "zldwdm")
        b = prepare(base, by=by, rules=p.rules, what="base-year land use", extra_zones=extra)
    out = _indicators(
        p, lu, b, permanent_farmland=permanent_farmland,
        high_standard_farmland=high_standard_farmland, socio=socio, year=year,
        base_year=base_year, base_construction_land_ha=base_construction_land_ha,
        zone_names=zone_names_of(townships, zone_names), targets=targets)
    out.attrs["findings"] = findings + out.attrs["findings"]
    return out


def county_indicators(county: County, *, year: int, base_year: int | None = None,
                      targets: Sequence[Any] | None = None) -> pd.DataFrame:
    """Every indicator row of :func:`compute_indicators` for a prepared county.

    Uses the county's class rows of both vintages as prepared in the read phase (no
    re-assignment of townships, no re-normalisation).
    """
    assert county.prepared is not None, "prepare the county first (landuse.county)"
    lay = county.layers
    return _indicators(
        county.prepared, county.landuse,
        county.previous.prepared if county.previous is not None else None,
        permanent_farmland=lay.get("permanent_farmland"),
        high_standard_farmland=lay.get("high_standard_farmland"),
        socio=county.tables.get("socioeconomic"), year=year, base_year=base_year,
        base_construction_land_ha=None, zone_names=county.zone_names, targets=targets)


def _indicators(p: Prepared, lu: pd.DataFrame, b: Prepared | None, *,
                permanent_farmland: pd.DataFrame | None,
                high_standard_farmland: pd.DataFrame | None, socio: pd.DataFrame | None,
                year: int, base_year: int | None,
                base_construction_land_ha: float | Mapping[str, float] | None,
                zone_names: Mapping[str, str], targets: Sequence[Any] | None) -> pd.DataFrame:
    """Compute the rows of :func:`compute_indicators` and :func:`county_indicators`."""
    layers = {name: layer for name, layer in (("pf", permanent_farmland),
                                                ("hsf", high_standard_farmland))
              if layer is not None}
    # one overlay per layer (one call with both layers as keyed zones measured no faster)
    inside = {name: farmland.overlay_class_rows(p, lu, {name: layer},
                                                what=f"{name} overlay")[name]
              for name, layer in layers.items()}
    results = indicator_series(
        p, inside, socio=socio, year=year, base_year=base_year, base=b,
        base_construction_land_ha=base_construction_land_ha,
        permanent_farmland=permanent_farmland, high_standard_farmland=high_standard_farmland)
    out = assemble_rows(results, zone_names=zone_names, targets=targets, year=year)
    out.attrs = {"rules": p.rules.label, "area": "official", "findings": []}
    return out
