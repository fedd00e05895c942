"""Change between two survey vintages (年度变更): transition matrix and two-year indicators.

The previous vintage is overlaid on the current one with the one engine,
:func:`landuse.overlay.overlay_pieces`; every intersection piece of a current patch and a
previous patch is one unit of change. All areas are **official areas of the current
vintage** (docs/domain.md §2), so the matrix adds up to the current total Σ TBMJ:

* the piece's share of the current patch is its planar area / the patch's planar area;
  the piece carries that share of the current TBDLMJ (under the current DLBM) and of the
  current KCMJ (under the current KCDLBM, normally 1203 田坎);
* the piece's previous land is split the same way with the previous patch's deduction
  ratio ``kp = KCMJ / TBMJ``: ``1 − kp`` under the previous DLBM, ``kp`` under the
  previous KCDLBM;
* the two splits are coupled **deduction-first on the diagonal**: the part that has the
  same code in both vintages (e.g. 田坎 that stayed 田坎) stays on the diagonal as far as
  both shares allow, and the remainders are spread in proportion (see ``docs/change.md``
  for the four formulas). Row sums are the previous classes measured in the current
  vintage's areas; column sums are exactly the current official class areas.

Boundary jitter: a changed piece (previous DLBM ≠ current DLBM) whose planar area is below
``min_area_m2`` or that is thinner than ``min_width_m`` everywhere (its inward buffer by
``min_width_m / 2`` is empty) is boundary jitter, not change: it is put on the diagonal
(its previous codes are taken to be the current ones); the area moved is recorded in the
flows (``jitter``) and in ``attrs['jitter_area_m2']`` of the matrix.

A current patch whose outline matches a previous patch's within ``min_width_m / 2``
(equal vertices, or a discrete Hausdorff distance within it) is taken whole from that patch
without an overlay (every difference is jitter by the width rule).

Current land not covered by any previous patch appears with ``from_code == ""`` (never
dropped), with a warning, unless the uncovered part is below ``min_area_m2`` or thinner
than ``min_width_m`` (jitter at the edge of the surveyed area: diagonal). Where previous
patches overlap, a current patch's area is shared over its pieces in proportion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse import units
from landuse.errors import SchemaError
from landuse.findings import attach_findings, get_findings
from landuse.indicators import _transitions as _tr
from landuse.indicators._common import (
    By,
    Prepared,
    levels_for,
    make_indicator,
    prepare,
    safe_ratio,
    socio_series,
    zone_columns,
    zone_sums,
)
from landuse.indicators.economy import comparable_gdp
from landuse.rules import RuleSet, code_table, load_rules, normalised_codes

__all__ = [
    "changed_patches",
    "construction_land_gdp_elasticity",
    "construction_land_population_elasticity",
    "farmland_change",
    "new_construction_land",
    "new_construction_land_area",
    "new_construction_land_per_gdp_growth",
    "rural_settlement_reduction_area",
    "stock_land_revitalised_area",
    "transition_flows",
    "transition_matrix",
    "transitions",
]

Level = Literal["code", "level2", "level1", "sandalei"]
Rules = str | Path | RuleSet | None
DEFAULT_MIN_AREA_M2 = 1.0
DEFAULT_MIN_WIDTH_M = 0.2


def transition_flows(
    previous: gpd.GeoDataFrame,
    current: gpd.GeoDataFrame,
    *,
    by: By = "township",
    min_area_m2: float = DEFAULT_MIN_AREA_M2,
    min_width_m: float = DEFAULT_MIN_WIDTH_M,
) -> pd.DataFrame:
    """Every flow of land from a previous class to a current class, one row per piece part.

    Parameters
    ----------
    previous, current : GeoDataFrame
        Two vintages of the normalised 三调 DLTB frame (:func:`landuse.io.vector.read_landuse`)
        in the same projected CRS.
    by : {"county", "township", "village"}, default "township"
        Lowest zone level carried (zones come from the **current** patch's ZLDWDM).
    min_area_m2 : float, default 1.0
        Changed pieces with a planar area below this are boundary jitter (put on the diagonal).
    min_width_m : float, default 0.2
        Changed pieces thinner than this everywhere are boundary jitter; 0 disables the test.

    Returns
    -------
    DataFrame
        Columns ``from_code``, ``to_code`` (normalised 三调 codes; ``from_code`` is ``""`` for
        current land outside every previous patch), the zone columns (``county`` ...
        ``by``), ``BSM``, ``BSM_previous``, ``to_czcsxm``, ``from_czcsxm``, ``jitter``
        (bool), ``deduction`` (bool: the to-side is the current deduction KCDLBM) and
        ``area_m2`` (official area of the current vintage, m²). Σ area_m2 = Σ TBMJ of the
        current vintage when the previous vintage covers it. ``attrs['findings']``.
    """
    pieces, findings = _tr.pieces(previous, current, by=by, min_area_m2=min_area_m2,
                               min_width_m=min_width_m)
    flows = _tr.couple(pieces)
    flows.attrs["levels"] = list(levels_for(by))
    flows.attrs["min_area_m2"] = float(min_area_m2)
    flows.attrs["min_width_m"] = float(min_width_m)
    attach_findings(flows, findings)
    return flows


def _map_level(codes: pd.Series, level: Level) -> pd.Series:
    if level == "code":
        return codes.astype(object)
    if level not in ("level2", "level1", "sandalei"):
        raise ValueError(f"level must be 'code', 'level2', 'level1' or 'sandalei', got {level!r}")
    table = code_table()[level]
    mapped = codes.map(table)
    return mapped.where(mapped.notna(), codes).astype(object)


def transition_matrix(flows: pd.DataFrame, *, level: Level = "code") -> pd.DataFrame:
    """Sum flows into the long transition matrix ``zone, from_code, to_code, area_ha``.

    Parameters
    ----------
    flows : DataFrame
        The result of :func:`transition_flows`.
    level : {"code", "level2", "level1", "sandalei"}, default "code"
        Classes reported: the 三调 code as found, its second-level code (``0201K`` ->
        ``0201``), first-level code (``02``), or 三大类 (农用地 / 建设用地 / 未利用地). Codes
        outside the code table are kept as found, never dropped.

    Returns
    -------
    DataFrame
        ``zone`` (county code first, then the lower levels, sorted), ``from_code``,
        ``to_code``, ``area_ha``; the diagonal (from == to) included, so the county rows
        sum to the current vintage's total. ``attrs``: ``level``, ``jitter_area_m2``,
        ``area`` ("official"), findings.
    """
    levels = [lv for lv in flows.attrs.get("levels", ["county", "township", "village"])
              if lv in flows.columns]
    if not levels:
        raise SchemaError("the flows have no zone column (county/township/village); build "
                          "them with transition_flows")
    f = pd.DataFrame({"from_code": _map_level(flows["from_code"], level),
                      "to_code": _map_level(flows["to_code"], level),
                      "area_m2": flows["area_m2"].to_numpy(np.float64)})
    parts = []
    for lv in levels:
        f["zone"] = flows[lv].astype(str).to_numpy(dtype=object)
        g = f.groupby(["zone", "from_code", "to_code"], sort=True)["area_m2"].sum()
        parts.append(g.reset_index())
    out = pd.concat(parts, ignore_index=True)
    out["area_ha"] = units.m2_to_ha(out.pop("area_m2"))
    for col in ("zone", "from_code", "to_code"):
        out[col] = pd.array(out[col].to_numpy(dtype=object), dtype=object)
    out.attrs["level"] = level
    out.attrs["area"] = "official"
    out.attrs["jitter_area_m2"] = float(flows.loc[flows["jitter"], "area_m2"].sum())
    attach_findings(out, get_findings(flows))
    return out


def transitions(
    previous: gpd.GeoDataFrame,
    current: gpd.GeoDataFrame,
    *,
    by: By = "township",
    level: Level = "code",
    min_area_m2: float = DEFAULT_MIN_AREA_M2,
    min_width_m: float = DEFAULT_MIN_WIDTH_M,
) -> pd.DataFrame:
    """Transition matrix between two vintages (the ``transitions.csv`` of the annual run).

    Shorthand for ``transition_matrix(transition_flows(previous, current, ...), level=...)``;
    see those for the area rule (official areas of the current vintage, deduction coupled
    deduction-first on the diagonal) and the jitter rule.

    Parameters
    ----------
    previous, current : GeoDataFrame
        Normalised DLTB frames of the two vintages, same projected CRS.
    by : {"county", "township", "village"}, default "township"
        County rows, plus rows for each level down to ``by`` (zones of the current patches).
    level : {"code", "level2", "level1", "sandalei"}, default "code"
        Class level of ``from_code`` / ``to_code``.
    min_area_m2, min_width_m : float
        Boundary-jitter thresholds (defaults 1 m² and 0.2 m).

    Returns
    -------
    DataFrame
        ``zone``, ``from_code``, ``to_code``, ``area_ha``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> def dltb(code):
    ...     return gpd.GeoDataFrame({"BSM": ["1"], "DLBM": [code], "TBMJ": [100.0],
    ...         "TBDLMJ": [100.0], "KCDLBM": [""], "KCMJ": [0.0], "CZCSXM": [""],
    ...         "ZLDWDM": ["3703211001010000000"]}, geometry=[box(0, 0, 10, 10)], crs=4527)
    >>> transitions(dltb("0101"), dltb("0601"), by="county")
         zone from_code to_code  area_ha
    0  370321      0101    0601     0.01
    """
    flows = transition_flows(previous, current, by=by, min_area_m2=min_area_m2,
                             min_width_m=min_width_m)
    return transition_matrix(flows, level=level)


def changed_patches(
    previous: gpd.GeoDataFrame,
    current: gpd.GeoDataFrame,
    *,
    by: By = "township",
    min_area_m2: float = DEFAULT_MIN_AREA_M2,
    min_width_m: float = DEFAULT_MIN_WIDTH_M,
) -> gpd.GeoDataFrame:
    """Return the pieces whose land class changed (jitter excluded), as a layer.

    Returns
    -------
    GeoDataFrame
        One row per changed piece (current CRS): zone columns, ``BSM``, ``BSM_previous``,
        ``from_code``, ``to_code``, ``from_czcsxm``, ``to_czcsxm``, ``area_m2`` (official:
        the piece's share of the current TBMJ), ``planar_area_m2`` and the geometry.
    """
    pieces, findings = _tr.pieces(previous, current, by=by, min_area_m2=min_area_m2,
                               min_width_m=min_width_m)
    m = (pieces["from_code"] != pieces["to_code"]).to_numpy() & (pieces["from_code"] != "") \
        .to_numpy() & ~pieces["jitter"].to_numpy()
    sub = pieces.loc[m].reset_index(drop=True)
    sub["area_m2"] = sub["main_m2"] + sub["deduction_m2"]
    sub["planar_area_m2"] = shapely.area(np.asarray(sub.geometry.array))
    cols = [*levels_for(by), "BSM", "BSM_previous", "from_code", "to_code", "from_czcsxm",
            "to_czcsxm", "area_m2", "planar_area_m2", "geometry"]
    out = gpd.GeoDataFrame(sub[cols], geometry="geometry", crs=current.crs)
    attach_findings(out, findings)
    return out


# ----------------------------------------------------------------------------- derived figures


def _member(flows: pd.DataFrame, side: str, aggregate: str, rules: RuleSet) -> np.ndarray:
    codes = flows[f"{side}_code"].astype(object)
    cz = flows[f"{side}_czcsxm"].astype(object) if f"{side}_czcsxm" in flows else None
    return rules.mask(aggregate, codes, cz) & (codes != "").to_numpy()


def _zone_sum(flows: pd.DataFrame, mask: np.ndarray) -> pd.Series:
    levels = [lv for lv in flows.attrs.get("levels", ["county"]) if lv in flows.columns]
    vals = np.where(mask, flows["area_m2"].to_numpy(np.float64), 0.0)
    parts = [pd.Series(vals).groupby(flows[lv].astype(str).to_numpy(), sort=True).sum()
             for lv in levels]
    out = pd.concat(parts)
    out.index = pd.Index(out.index.astype(str), name="zone", dtype=object)
    return out.astype(float)


def new_construction_land(flows: pd.DataFrame, *, rules: Rules = None) -> pd.DataFrame:
    """Newly added construction land (新增建设用地) by zone and by what the land was before.

    New construction land = flows whose current class is construction land (rule-set
    aggregate ``construction_land``) and whose previous class is not. Sources:
    ``farmland`` (耕地 0101–0103), ``other_agricultural`` (other 农用地), ``unused``
    (未利用地), ``unknown`` (no previous patch, or a code outside the code table).

    Returns
    -------
    DataFrame
        ``zone``, ``source``, ``area_ha`` (official areas of the current vintage), every
        zone × source, zeros included.
    """
    rs = load_rules(rules)
    new = _member(flows, "to", "construction_land", rs) & ~_member(
        flows, "from", "construction_land", rs)
    farm = _member(flows, "from", "farmland", rs)
    agri = _member(flows, "from", "agricultural_land", rs) & ~farm
    unused = _member(flows, "from", "unused_land", rs)
    sources = {"farmland": farm, "other_agricultural": agri, "unused": unused,
               "unknown": ~(farm | agri | unused)}
    parts = []
    for name, m in sources.items():
        s = _zone_sum(flows, new & m)
        parts.append(pd.DataFrame({"zone": s.index.to_numpy(dtype=object), "source": name,
                                   "area_ha": units.m2_to_ha(s.to_numpy())}))
    out = pd.concat(parts, ignore_index=True)
    out["source"] = pd.Categorical(out["source"], categories=list(sources), ordered=True)
    out = out.sort_values(["zone", "source"], ignore_index=True)
    out["source"] = pd.array(out["source"].astype(str).to_numpy(dtype=object), dtype=object)
    out["zone"] = pd.array(out["zone"].to_numpy(dtype=object), dtype=object)
    return out


def new_construction_land_area(flows: pd.DataFrame, *, rules: Rules = None) -> pd.Series:
    """新增建设用地面积, ha: Σ flows from non-construction to construction land, by zone."""
    rs = load_rules(rules)
    m = _member(flows, "to", "construction_land", rs) & ~_member(
        flows, "from", "construction_land", rs)
    m2 = _zone_sum(flows, m)
    return make_indicator(units.m2_to_ha(m2), indicator_id="new_construction_land_area",
                          components=pd.DataFrame({"area_m2": m2}), rules=rs)


def farmland_change(flows: pd.DataFrame, *, rules: Rules = None) -> pd.DataFrame:
    """Farmland lost and gained between the vintages (耕地减少 / 耕地增加), ha by zone.

    Lost = flows from farmland (aggregate ``farmland``) to any other class (including the
    deduction 1203 when the 田坎 share grew); gained = flows into farmland from other
    classes. Changes inside farmland (0102 -> 0101) are neither.

    Returns
    -------
    DataFrame
        ``zone``, ``lost_ha``, ``gained_ha``, ``net_ha`` (gained − lost).
    """
    rs = load_rules(rules)
    f, t = _member(flows, "from", "farmland", rs), _member(flows, "to", "farmland", rs)
    lost = units.m2_to_ha(_zone_sum(flows, f & ~t))
    gained = units.m2_to_ha(_zone_sum(flows, t & ~f))
    out = pd.DataFrame({"zone": lost.index.to_numpy(dtype=object),
                        "lost_ha": lost.to_numpy(), "gained_ha": gained.to_numpy()})
    out["net_ha"] = out["gained_ha"] - out["lost_ha"]
    out["zone"] = pd.array(out["zone"].to_numpy(dtype=object), dtype=object)
    return out


def stock_land_revitalised_area(flows: pd.DataFrame, *, rules: Rules = None) -> pd.Series:
    """盘活存量建设用地面积 (proxy), ha: construction land put to another construction use.

    Definition (a survey-side proxy, see docs/change.md): flows whose previous and current
    classes are both construction land (aggregate ``construction_land``) and whose
    second-level codes differ — including 空闲地 1201 put to use — by zone. The official
    figure comes from the land-supply ledger (存量供地); the survey can only show changes of
    use.
    """
    rs = load_rules(rules)
    both = _member(flows, "from", "construction_land", rs) & _member(
        flows, "to", "construction_land", rs)
    diff = (_map_level(flows["from_code"], "level2") != _map_level(flows["to_code"], "level2"))
    m2 = _zone_sum(flows, both & diff.to_numpy())
    return make_indicator(units.m2_to_ha(m2), indicator_id="stock_land_revitalised_area",
                          components=pd.DataFrame({"area_m2": m2}), rules=rs)


#: 权属性质 codes of collective ownership or use (docs/domain.md §2: 30–34 集体所有, 40 集体使用)
COLLECTIVE_QSXZ = ("30", "31", "32", "33", "34", "40")


def collective_construction_m2(lu: pd.DataFrame, prepared: Prepared) -> pd.Series:
    """农村居民点等集体建设用地 per zone, m²: rural settlement or collectively owned.

    A patch counts when its class is construction land (aggregate ``construction_land``)
    and it is rural settlement (aggregate ``rural_settlement``: CZCSXM 203/203A in the
    default rules) **or** its 权属性质 QSXZ is collective (:data:`COLLECTIVE_QSXZ`): so
    collective industrial, road or public land outside the village extent counts as well.
    Area: TBDLMJ (a deduction is 田坎, never construction land).
    """
    rs = prepared.rules
    codes = normalised_codes(lu, "DLBM")  # the reader's codes, or normalised once
    cz = normalised_codes(lu, "CZCSXM")
    qsxz = (lu["QSXZ"].fillna("").astype(str).str.strip() if "QSXZ" in lu
            else pd.Series("", index=lu.index))
    member = rs.mask("construction_land", codes, cz) & (
        rs.mask("rural_settlement", codes, cz) | qsxz.isin(COLLECTIVE_QSXZ).to_numpy())
    area = np.where(member, pd.to_numeric(lu["TBDLMJ"], errors="coerce").fillna(0.0), 0.0)
    zcols = zone_columns(lu, prepared.levels, what="collective construction land")
    return zone_sums(zcols, area, levels=prepared.levels, zones=prepared.zones)


def rural_settlement_reduction_area(
    previous: pd.DataFrame | Prepared, current: pd.DataFrame | Prepared, *,
    by: By = "township", rules: Rules = None,
    patches: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> pd.Series:
    """减少农村居民点等集体建设用地面积, ha: net decline of rural collective construction land.

    Formula: area(previous) − area(current) of :func:`collective_construction_m2`
    (construction land that is rural settlement, CZCSXM 203/203A, or on collective land,
    QSXZ 30–34/40), each vintage in its own official areas and its own zones; positive =
    reduction. Zones missing from the previous vintage are not computable.

    ``previous`` / ``current`` are land-use frames or their :class:`Prepared` forms; the
    QSXZ test needs the patches: the frames themselves, or ``patches = (previous frame,
    current frame)`` beside prepared forms (the run passes both). Without patches, or a
    layer without QSXZ, only the rural settlement is counted; the component
    ``qsxz_given`` says which.
    """
    rs = load_rules(rules)
    cur = prepare(current, by=by, rules=rs, what="rural_settlement_reduction_area (current)")
    prv = prepare(previous, by=by, rules=rs, what="rural_settlement_reduction_area (previous)")
    if patches is None and not isinstance(previous, Prepared) and not isinstance(
            current, Prepared):
        patches = (previous, current)
    given = patches is not None and all(
        "QSXZ" in f and (f["QSXZ"].fillna("").astype(str) != "").any() for f in patches)
    if patches is not None:
        c_m2 = collective_construction_m2(patches[1], cur)
        p_m2 = collective_construction_m2(patches[0], prv)
    else:
        c_m2, p_m2 = cur.area_m2("rural_settlement"), prv.area_m2("rural_settlement")
    c_ha = units.m2_to_ha(c_m2)
    p_ha = units.m2_to_ha(p_m2).reindex(cur.zones)
    reasons = {str(z): f"zone {z} is not in the previous vintage (its ZLDWDM codes differ)"
               for z in cur.zones[p_ha.isna().to_numpy()]}
    comps = pd.DataFrame({"previous_ha": p_ha, "current_ha": c_ha, "qsxz_given": given})
    return make_indicator(p_ha - c_ha, indicator_id="rural_settlement_reduction_area",
                          components=comps, reasons=reasons, rules=rs)


# ----------------------------------------------------------------------------- with the economy


def _gdp_pair(socio: pd.DataFrame | None, zones: pd.Index, year: int,
              previous_year: int) -> tuple[pd.Series, pd.Series, np.ndarray, dict[str, str]]:
    """GDP of both years at comparable prices (``economy.comparable_gdp``, docs/domain.md §4)."""
    g1, g0, basis, reasons = comparable_gdp(socio, year=year, base_year=previous_year,
                                            zones=zones)
    return g1, g0, basis.to_numpy(dtype=object), reasons


def new_construction_land_per_gdp_growth(
    flows: pd.DataFrame, socio: pd.DataFrame | None, *, year: int, previous_year: int,
    rules: Rules = None,
) -> pd.Series:
    """单位GDP增长消耗新增建设用地量, m²/万元: new construction land per GDP growth.

    Formula: new construction land (m², :func:`new_construction_land_area`) /
    (GDP(year) − GDP(previous_year)) (万元), at comparable prices (component
    ``price_basis``; not computable without them, docs/domain.md §4). Not computable where GDP
    did not grow.
    """
    rs = load_rules(rules)
    new = new_construction_land_area(flows, rules=rs)
    m2 = new.attrs["components"]["area_m2"]
    g1, g0, basis, missing = _gdp_pair(socio, m2.index, year, previous_year)
    value, reasons = safe_ratio(m2, g1 - g0, reason="the GDP of zone {zone} did not grow "
                                "(growth {denominator} 万元)")
    reasons.update(missing)
    comps = pd.DataFrame({"new_construction_land_m2": m2, "gdp_10k_yuan": g1,
                          "gdp_previous_10k_yuan": g0, "price_basis": basis}, index=m2.index)
    return make_indicator(value, indicator_id="new_construction_land_per_gdp_growth",
                          components=comps, reasons=reasons, rules=rs)


def _elasticity(previous: pd.DataFrame, current: pd.DataFrame, socio: pd.DataFrame | None, *,
                indicator_id: str, driver: str, year: int, previous_year: int, by: By,
                rules: Rules, aggregate: str, land_per_driver: bool) -> pd.Series:
    """Growth-rate ratio of land and a driver; ``land_per_driver`` picks the direction."""
    rs = load_rules(rules)
    cur = prepare(current, by=by, rules=rs, what=indicator_id)
    prv = prepare(previous, by=by, rules=rs, what=f"{indicator_id} (previous)")
    l1 = cur.area_m2(aggregate)
    l0 = prv.area_m2(aggregate).reindex(cur.zones)
    if driver == "population":
        x1, r1 = socio_series(socio, "population_total", year=year, zones=cur.zones,
                              label="resident population 常住人口")
        x0, r0 = socio_series(socio, "population_total", year=previous_year, zones=cur.zones,
                              label="previous-year resident population 上年常住人口")
        missing, basis = {**r0, **r1}, np.full(len(cur.zones), "")
    else:
        x1, x0, basis, missing = _gdp_pair(socio, cur.zones, year, previous_year)
    land_growth, r_land = safe_ratio(l1 - l0, l0, reason="zone {zone} had no "
                                     f"{aggregate} in the previous vintage")
    driver_growth, r_drv = safe_ratio(x1 - x0, x0, reason=f"the previous-year {driver} of "
                                      "zone {zone} is {denominator}")
    num, den = (land_growth, driver_growth) if land_per_driver else (driver_growth,
                                                                      land_growth)
    what = driver if land_per_driver else aggregate
    value, reasons = safe_ratio(num, den.where(den != 0),
                                reason=f"the {what} of zone {{zone}} did not change")
    # a negative growth is a legitimate elasticity: safe_ratio refuses den <= 0
    neg = den < 0
    value[neg] = num[neg] / den[neg]
    for z in den.index[neg.to_numpy()]:
        reasons.pop(str(z), None)
    reasons.update(r_drv)
    reasons.update(r_land)
    reasons.update(missing)
    value[[z for z in reasons if z in value.index]] = np.nan
    comps = pd.DataFrame({"land_previous_ha": units.m2_to_ha(l0),
                          "land_current_ha": units.m2_to_ha(l1),
                          f"{driver}_previous": x0, f"{driver}_current": x1,
                          "land_growth_rate": land_growth, f"{driver}_growth_rate": driver_growth,
                          "price_basis": basis, "land_aggregate": aggregate}, index=cur.zones)
    return make_indicator(value, indicator_id=indicator_id, components=comps, reasons=reasons,
                          rules=rs)


def construction_land_population_elasticity(
    previous: pd.DataFrame, current: pd.DataFrame, socio: pd.DataFrame | None, *, year: int,
    previous_year: int, by: By = "township", rules: Rules = None,
    aggregate: str = "urban_rural_construction_land",
) -> pd.Series:
    """人口与城乡建设用地增长弹性系数 (PEI, TD/T 1018), dimensionless.

    Formula (TD/T 1018, verify): PEI = 城乡建设用地增长幅度 / 人口增长幅度 =
    (L₁/L₀ − 1) / (P₁/P₀ − 1), with L the official area of the rule-set aggregate
    ``aggregate`` (default ``urban_rural_construction_land``, 城乡建设用地, as TD/T 1018
    defines it) in each vintage and P the resident population (``population_total``).
    Direction: above 1, land grows faster than population (less economical); smaller is
    better. Not computable when the population did not change. The component
    ``land_aggregate`` names the land used.
    """
    return _elasticity(previous, current, socio, indicator_id=
                       "construction_land_population_elasticity", driver="population",
                       year=year, previous_year=previous_year, by=by, rules=rules,
                       aggregate=aggregate, land_per_driver=True)


def construction_land_gdp_elasticity(
    previous: pd.DataFrame, current: pd.DataFrame, socio: pd.DataFrame | None, *, year: int,
    previous_year: int, by: By = "township", rules: Rules = None,
    aggregate: str = "construction_land",
) -> pd.Series:
    """地区生产总值与建设用地增长弹性系数 (EEI, TD/T 1018), dimensionless.

    Formula (TD/T 1018, verify): EEI = 地区生产总值增长幅度 / 建设用地增长幅度 =
    (G₁/G₀ − 1) / (L₁/L₀ − 1), G the GDP at comparable prices (docs/domain.md §4; not
    computable without them), L construction land (official area). Direction: GDP growth
    per land growth, so **larger** is more economical. Not computable when the
    construction land did not change.
    """
    return _elasticity(previous, current, socio, indicator_id="construction_land_gdp_elasticity",
                       driver="gdp", year=year, previous_year=previous_year, by=by,
                       rules=rules, aggregate=aggregate, land_per_driver=False)
