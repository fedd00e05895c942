"""Farmland indicators: 耕地, 永久基本农田 (and the non-farm land inside it), 高标准农田.

Areas follow the official rule (docs/domain.md §2). Where a control layer cuts the DLTB
patches, the engine :func:`landuse.overlay.tabulate` allocates each patch's TBDLMJ and
KCMJ to the piece inside the layer in proportion to the planar area of the piece
(``area="official"``, ``sum_columns=("KCMJ",)``); the pieces are then turned into class
rows exactly like whole patches (:func:`landuse.indicators._common.class_rows`), so the
deduction rule lives in one place.

The layers need a projected CRS (metres) shared with the land-use layer: the readers
(``read_landuse``, ``read_control_line``) bring every layer to one working CRS.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from landuse import units
from landuse.errors import SchemaError
from landuse.geom.geodesic import ellipsoidal_area
from landuse.indicators._common import (
    By,
    Prepared,
    class_rows,
    levels_for,
    make_indicator,
    prepare,
    zone_columns,
    zone_index,
    zone_sums,
)
from landuse.indicators.intensity import aggregate_area_function
from landuse.overlay import tabulate
from landuse.rules import RuleSet, code_table, load_rules

__all__ = [
    "farmland_area",
    "high_standard_farmland_area",
    "permanent_farmland_area",
    "permanent_farmland_nonfarm_area",
    "permanent_farmland_nonfarm_by_class",
]

Rules = str | Path | RuleSet | None

farmland_area = aggregate_area_function(
    "farmland_area", "耕地面积 farmland (cultivated land)", "farmland",
    "DLBM in {0101 水田, 0102 水浇地, 0103 旱地}; the 田坎 deducted from them (KCMJ) is class "
    "1203, not farmland, so farmland = Σ TBDLMJ of the 耕地 patches")
farmland_area.__module__ = __name__


def overlay_class_rows(
    p: Prepared, lu: pd.DataFrame, layers: Mapping[str, pd.DataFrame], *, what: str
) -> dict[str, pd.DataFrame]:
    """Class rows of the parts of the DLTB patches inside each layer (union of its features).

    One call of :func:`landuse.overlay.tabulate` for all the layers (``area="official"``,
    zones keyed by layer name, each layer dissolved): each piece's TBDLMJ and KCMJ are the
    patch's values × planar share of the piece. Overlapping features of a layer are
    counted once. Returns layer name -> class rows.
    """
    import geopandas as gpd


    zones = zone_columns(lu, p.levels, what=what)
    a = lu[["DLBM", "KCDLBM", "CZCSXM", "TBDLMJ", "KCMJ", lu.geometry.name]].copy()
    for level in p.levels:
        a[level] = zones[level].to_numpy()
    keys = [*p.levels, "DLBM", "KCDLBM", "CZCSXM"]
    crs = lu.crs
    parts = [gpd.GeoDataFrame({"overlay_layer": [name] * len(layer)},
                              geometry=layer.geometry.to_numpy(), crs=layer.crs)
             for name, layer in layers.items()]
    b = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    b = gpd.GeoDataFrame(b, geometry="geometry", crs=parts[0].crs if parts else crs)
    table = tabulate(a, b, by_a=keys, by_b="overlay_layer", area="official",
                     area_column="TBDLMJ", sum_columns=("KCMJ",))
    out = {}
    for name in layers:
        sub = table[table["overlay_layer"] == name]
        pieces = sub[keys].reset_index(drop=True)
        pieces["TBDLMJ"] = sub["area_m2"].to_numpy(float)
        pieces["KCMJ"] = sub["KCMJ"].to_numpy(float)
        out[name] = class_rows(pieces, levels=p.levels, what=what)
    return out


def _inside_sums(p: Prepared, rows: pd.DataFrame) -> pd.DataFrame:
    """Per zone (m²): all of the layer, farmland patches, their 田坎, non-farm patches."""
    farm_patch = p.rules.mask("farmland", rows["patch_code"], rows["czcsxm"])
    area = rows["area_m2"].to_numpy(float)
    ded = rows["deduction"].to_numpy(bool)
    return pd.DataFrame({
        "inside_m2": zone_sums(rows, area, levels=p.levels, zones=p.zones),
        "farmland_m2": zone_sums(rows, np.where(farm_patch & ~ded, area, 0.0),
                                 levels=p.levels, zones=p.zones),
        "farmland_deduction_m2": zone_sums(rows, np.where(farm_patch & ded, area, 0.0),
                                           levels=p.levels, zones=p.zones),
        "nonfarm_m2": zone_sums(rows, np.where(~farm_patch, area, 0.0),
                                levels=p.levels, zones=p.zones),
    })


def _layer_figure(p: Prepared, pf: pd.DataFrame, rows: pd.DataFrame | None) -> pd.Series:
    """Σ YJJBNTMJ of the permanent farmland layer per zone (m²).

    By the layer's own ZLDWDM when every feature has one; otherwise the county total is
    spread over the zones in proportion to the official area of DLTB inside the layer.
    """
    if "YJJBNTMJ" not in pf.columns:
        raise SchemaError("permanent farmland layer: no YJJBNTMJ (永久基本农田面积) field; "
                          "map it with fields = { YJJBNTMJ = '...' }")
    mj = pd.to_numeric(pf["YJJBNTMJ"], errors="coerce")
    if mj.isna().any():
        raise SchemaError(
            f"permanent farmland layer: {int(mj.isna().sum())} feature(s) have no numeric "
            "YJJBNTMJ (永久基本农田面积); fill the field from the 划定 register")
    codes = pf["ZLDWDM"].astype(str).str.strip() if "ZLDWDM" in pf.columns else None
    need = {"county": 6, "township": 9, "village": 12}[p.levels[-1]]
    if codes is not None and (codes.str.len() >= need).all():
        zc = zone_columns(pf.assign(ZLDWDM=codes), p.levels, what="permanent farmland")
        return zone_sums(zc, mj.to_numpy(float), levels=p.levels, zones=p.zones)
    if rows is None:
        raise SchemaError(
            "permanent farmland layer: features without ZLDWDM (坐落单位代码); give the "
            "land-use layer too so that the area can be assigned to townships")
    inside = zone_sums(rows, "area_m2", levels=p.levels, zones=p.zones)
    county = inside[[len(z) == 6 for z in inside.index]].sum()
    share = inside / county if county > 0 else inside * 0.0
    return share * float(mj.sum())


def _pf_area(p: Prepared, pf: pd.DataFrame, rows: pd.DataFrame | None) -> pd.Series:
    layer_m2 = _layer_figure(p, pf, rows)
    comps = pd.DataFrame({"layer_ha": units.convert_area(layer_m2, "m2", "ha")})
    if rows is not None:
        s = _inside_sums(p, rows)
        comps["overlay_ha"] = units.convert_area(s["inside_m2"], "m2", "ha")
        comps["farmland_within_ha"] = units.convert_area(s["farmland_m2"], "m2", "ha")
    return make_indicator(comps["layer_ha"], indicator_id="permanent_farmland_area",
                          components=comps, rules=p.rules, area="official")


def _pf_nonfarm(p: Prepared, rows: pd.DataFrame) -> pd.Series:
    s = _inside_sums(p, rows)
    comps = pd.DataFrame({
        "nonfarm_ha": units.convert_area(s["nonfarm_m2"], "m2", "ha"),
        "overlay_ha": units.convert_area(s["inside_m2"], "m2", "ha"),
        "farmland_ha": units.convert_area(s["farmland_m2"], "m2", "ha"),
        "farmland_tiankan_ha": units.convert_area(s["farmland_deduction_m2"], "m2", "ha"),
    })
    return make_indicator(comps["nonfarm_ha"], indicator_id="permanent_farmland_nonfarm_area",
                          components=comps, rules=p.rules)


def _pf_nonfarm_by_class(p: Prepared, rows: pd.DataFrame) -> pd.DataFrame:
    farm_patch = p.rules.mask("farmland", rows["patch_code"], rows["czcsxm"])
    sub = rows[~farm_patch]
    parts = [sub.groupby([level, "code"], sort=True)["area_m2"].sum().reset_index()
             .rename(columns={level: "zone"}) for level in p.levels]
    out = pd.concat(parts, ignore_index=True) if len(sub) else pd.DataFrame(
        {"zone": pd.Series(dtype=object), "code": pd.Series(dtype=object),
         "area_m2": pd.Series(dtype=float)})
    order = {z: i for i, z in enumerate(p.zones)}
    out = out.assign(_o=out["zone"].map(order)).sort_values(["_o", "code"], kind="stable")
    table = code_table()
    out["name_zh"] = out["code"].map(table["name_zh"]).fillna("")
    out["sandalei"] = out["code"].map(table["sandalei"]).fillna("未分类 (unclassified)")
    out["area_ha"] = units.convert_area(out["area_m2"], "m2", "ha")
    out["area_mu"] = units.convert_area(out["area_m2"], "m2", "mu")
    out = out[["zone", "code", "name_zh", "sandalei", "area_m2", "area_ha", "area_mu"]]
    out = out.reset_index(drop=True)
    out.attrs = {"rules": p.rules.label, "area": "official"}
    return out


def _hsf(p: Prepared, rows: pd.DataFrame, hsf: pd.DataFrame) -> pd.Series:
    s = _inside_sums(p, rows)
    comps = pd.DataFrame({
        "overlay_ha": units.convert_area(s["inside_m2"], "m2", "ha"),
        "farmland_within_ha": units.convert_area(s["farmland_m2"], "m2", "ha"),
        "layer_ellipsoidal_ha": np.nan,
    })

    dissolved = hsf.geometry.union_all()
    geo = hsf.geometry.__class__([dissolved], crs=hsf.crs)
    layer_m2 = float(ellipsoidal_area(geo).sum())
    county = [z for z in comps.index if len(z) == 6]
    if len(county) == 1:
        comps.loc[county, "layer_ellipsoidal_ha"] = units.convert_area(layer_m2, "m2", "ha")
    return make_indicator(comps["overlay_ha"], indicator_id="high_standard_farmland_area",
                          components=comps, rules=p.rules)


def _land_use_first(lu: pd.DataFrame | None, layer: pd.DataFrame, func: str) -> None:
    """Raise a clear error when the arguments look swapped (land use comes first)."""
    if lu is not None and "TBMJ" not in lu.columns and "TBMJ" in layer.columns:
        raise SchemaError(
            f"{func}(lu, layer): the first argument is the land-use layer (DLTB, with TBMJ) "
            "and the second the control layer; they look swapped. Every farmland function "
            "takes (lu, layer, ...) since landuse 0.2.0")


def permanent_farmland_area(
    lu: pd.DataFrame | None,
    pf: pd.DataFrame,
    *,
    by: By = "township",
    rules: Rules = None,
) -> pd.Series:
    """永久基本农田面积, ha: the registered area of the permanent basic farmland layer.

    Value: Σ YJJBNTMJ (永久基本农田面积, m²) of the layer's features / 10 000 — the area
    recorded when the farmland was designated (划定), which is what the plan's target
    (≥ 38.70 万亩) counts. Zones: by the layer's ZLDWDM when every feature has one;
    otherwise the layer total is spread over the zones in proportion to the official
    area of DLTB inside the layer (needs ``lu``).

    With ``lu``, the components also give the overlay figure: ``overlay_ha`` = official
    area (allocated TBDLMJ + KCMJ, i.e. the TBMJ share) of the DLTB patches inside the
    layer (union of its features, counted once), and ``farmland_within_ha`` = the 耕地
    part of it. The layer and overlay figures differ where the designation and the
    current survey disagree.

    Parameters
    ----------
    lu : GeoDataFrame or None
        Normalised land-use layer, for the overlay figure and the zone assignment
        (``None``: the layer's own figures only).
    pf : GeoDataFrame
        Permanent farmland layer (``read_control_line(kind="permanent_farmland")``):
        ``YJJBNTMJ`` and ideally ``ZLDWDM``; same projected CRS as ``lu``.
    by : {"county", "township", "village"}
        Lowest zone level.
    rules : str, Path or RuleSet, optional
        Rule set (``farmland`` aggregate; default ``sandiao-default@1``).

    Returns
    -------
    Series
        ha indexed by ``zone``; components ``layer_ha`` [, ``overlay_ha``,
        ``farmland_within_ha``].
    """
    _land_use_first(lu, pf, "permanent_farmland_area")
    if lu is None:
        levels = levels_for(by)
        zc = zone_columns(pf, levels, what="permanent farmland")
        frame = zc.assign(TBMJ=0.0)
        p = Prepared(rows=frame, total_m2=pd.Series(dtype=float), zones=zone_index(zc, levels),
                     levels=levels, rules=load_rules(rules))
        return _pf_area(p, pf, None)
    p = prepare(lu, by=by, rules=rules, what="permanent_farmland_area")
    rows = overlay_class_rows(p, lu, {"pf": pf}, what="permanent farmland overlay")["pf"]
    return _pf_area(p, pf, rows)


def permanent_farmland_nonfarm_area(
    lu: pd.DataFrame,
    pf: pd.DataFrame,
    *,
    by: By = "township",
    rules: Rules = None,
) -> pd.Series:
    """永久基本农田内非耕地面积, ha: patches inside permanent farmland not in farmland use.

    Formula: Σ over the parts of DLTB patches inside the permanent farmland layer whose
    current class (DLBM) is not in the ``farmland`` aggregate (default 0101/0102/0103) of
    their official area share: allocated TBDLMJ + allocated KCMJ (the whole part,
    including its own deduction), / 10 000.

    田坎 (1203): the 田坎 deducted from a *farmland* patch (its KCMJ) is **not** counted as
    non-farm: it is part of the field system of that 耕地 patch, recorded as a deduction
    of it, not a change of use (reported as the component ``farmland_tiankan_ha``). A
    patch mapped as 1203 on its own is not farmland and counts. The area by class
    (:func:`permanent_farmland_nonfarm_by_class`) sums to this value.

    Parameters
    ----------
    lu : GeoDataFrame
        Normalised land-use layer (projected CRS).
    pf : GeoDataFrame
        Permanent farmland layer, same CRS; overlapping features are counted once.
    by : {"county", "township", "village"}
        Lowest zone level.
    rules : str, Path or RuleSet, optional
        Rule set (``farmland`` aggregate; default ``sandiao-default@1``).

    Returns
    -------
    Series
        ha indexed by ``zone``; components ``nonfarm_ha``, ``overlay_ha``,
        ``farmland_ha``, ``farmland_tiankan_ha``.
    """
    p = prepare(lu, by=by, rules=rules, what="permanent_farmland_nonfarm_area")
    rows = overlay_class_rows(p, lu, {"pf": pf}, what="permanent farmland overlay")["pf"]
    return _pf_nonfarm(p, rows)


def permanent_farmland_nonfarm_by_class(
    lu: pd.DataFrame,
    pf: pd.DataFrame,
    *,
    by: By = "township",
    rules: Rules = None,
) -> pd.DataFrame:
    """Non-farm land inside permanent farmland by current class, by zone (official rule).

    The parts of non-farmland patches inside the layer (see
    :func:`permanent_farmland_nonfarm_area`) as class rows: the allocated TBDLMJ under
    the patch's DLBM and the allocated KCMJ under its KCDLBM (normally 1203).

    Returns
    -------
    DataFrame
        ``zone``, ``code``, ``name_zh``, ``sandalei``, ``area_m2``, ``area_ha``,
        ``area_mu``; each zone's rows sum to its ``permanent_farmland_nonfarm_area``.
    """
    p = prepare(lu, by=by, rules=rules, what="permanent_farmland_nonfarm_by_class")
    rows = overlay_class_rows(p, lu, {"pf": pf}, what="permanent farmland overlay")["pf"]
    return _pf_nonfarm_by_class(p, rows)


def high_standard_farmland_area(
    lu: pd.DataFrame,
    hsf: pd.DataFrame,
    *,
    by: By = "township",
    rules: Rules = None,
) -> pd.Series:
    """高标准农田面积, ha: official area of the land inside the high-standard farmland layer.

    Value: Σ official area share (allocated TBDLMJ + KCMJ) of the DLTB patches inside
    the union of the layer's features, / 10 000 — an overlay, so that township figures
    add up to the county and overlapping project polygons are counted once. Components:
    ``farmland_within_ha`` (the 耕地 part) and, on the county row,
    ``layer_ellipsoidal_ha`` = ellipsoidal area (CGCS2000 ellipsoid) of the dissolved
    layer (``landuse.geom.geodesic.ellipsoidal_area``), which also counts parts outside the
    DLTB coverage.

    Parameters
    ----------
    lu : GeoDataFrame
        Normalised land-use layer.
    hsf : GeoDataFrame
        High-standard farmland project polygons, same projected CRS as ``lu``.
    by : {"county", "township", "village"}
        Lowest zone level.
    rules : str, Path or RuleSet, optional
        Rule set (``farmland`` aggregate; default ``sandiao-default@1``).

    Returns
    -------
    Series
        ha indexed by ``zone``.
    """
    _land_use_first(lu, hsf, "high_standard_farmland_area")
    p = prepare(lu, by=by, rules=rules, what="high_standard_farmland_area")
    rows = overlay_class_rows(p, lu, {"hsf": hsf}, what="high-standard farmland overlay")["hsf"]
    return _hsf(p, rows, hsf)
