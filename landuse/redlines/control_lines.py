"""The three control lines (三区三线): what the 三调 land use does inside or outside them.

- :func:`eco_redline_construction`: construction land (建设用地) inside the ecological
  redline (生态保护红线).
- :func:`farmland_nonfarm`: non-farmland (not 0101/0102/0103), by class, inside permanent
  basic farmland (永久基本农田).
- :func:`outside_urban_boundary`: construction land outside the urban development boundary
  (城镇开发边界), by type; rows the status table allows there are left out unless asked for.
- :func:`line_conflicts`: the lines against each other (permanent farmland overlapping the
  ecological redline or the urban boundary).

Every finding carries its legal status (docs/domain.md §7): ``status`` (``violation``,
``allowed`` or ``review``), ``rule`` (the id of the row of
``landuse/rules/control_line_rules.csv`` that decided it, most specific row first, see
:func:`landuse.redlines.tables.match_status`), ``basis`` (the document) and ``category``
(e.g. 建设占用, 可调整地类, 设施农用地 for permanent farmland). Only ``status ==
"violation"`` counts as a violation anywhere (CLI exit code, report, map).

Every overlay goes through :func:`landuse.overlay.overlay_pieces` (the pieces): one
finding per (patch, line feature) piece. For DLTB patches ``overlap_m2`` is the official
area (docs/domain.md §2: TBDLMJ × planar area of the piece / planar area of the patch,
``area_basis = "official"``) and ``share = overlap_m2 / TBDLMJ``; between two control lines
it is the planar or ellipsoidal area of the piece (``area_basis``). A piece whose planar area
is below ``sliver_m2`` is a ``touching`` row, kept only with ``include_touching=True``
(otherwise counted in a Finding).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from landuse.findings import Finding, attach_findings
from landuse.geom.geodesic import geodesic_area
from landuse.overlay import overlay_pieces
from landuse.redlines._common import (
    SLIVER_M2,
    align_to,
    assign_township,
    describe,
    require_columns,
    resolve_working_crs,
)
from landuse.redlines.tables import load_status_rules, match_status
from landuse.rules import RuleSet, codes_are_normalised, load_rules, normalised_codes
from landuse.units import m2_to_ha

__all__ = [
    "CONTROL_COLUMNS",
    "eco_redline_construction",
    "farmland_nonfarm",
    "line_conflicts",
    "outside_urban_boundary",
    "summarise_by_township",
]

CONTROL_COLUMNS = (
    "check", "feature_id", "against_id", "against_layer", "relation", "overlap_m2", "share",
    "area_basis", "township", "DLBM", "DLMC", "CZCSXM", "construction_type", "category",
    "status", "rule", "basis", "reason", "geometry",
)
_LABELS = ("construction_type", "category", "status", "rule", "basis", "reason")
_LU_FIELDS = ("BSM", "DLBM", "TBDLMJ", "township")
StatusRules: TypeAlias = str | Path | pd.DataFrame | None
_LU_FIX = "Read the layer with landuse.io.vector.read_landuse (docs/architecture.md)."
_LINE_FIX = "Read the layer with landuse.io.vector.read_control_line (docs/architecture.md)."


def _prepare(
    lu: gpd.GeoDataFrame, line: gpd.GeoDataFrame, role: str, working_crs: Any | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, CRS, list[Finding]]:
    require_columns(lu, _LU_FIELDS, "land use (DLTB)", _LU_FIX)
    require_columns(line, ("line_id",), role, _LINE_FIX)
    crs = resolve_working_crs(lu, "land use (DLTB)", working_crs)
    lu2, f1 = align_to(lu, crs, "land use (DLTB)")
    line2, f2 = align_to(line, crs, role)
    # codes already normalised (as the reader leaves them) are kept; others are normalised
    raw = {c: normalised_codes(lu2, c) for c in ("DLBM", "CZCSXM")
           if c not in lu2.columns or not codes_are_normalised(lu2[c])}
    if raw:
        lu2 = lu2.assign(**raw)  # a copy
    return lu2, line2, crs, f1 + f2


def _patch_pieces(
    patches: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    *,
    check: str,
    against_layer: str,
    sliver_m2: float,
    include_touching: bool,
    findings: list[Finding],
    prefilter: bool = False,
) -> gpd.GeoDataFrame:
    """Cut the selected patches by the zones (``against_id`` key); official areas.

    ``prefilter`` drops edge-sharing pairs first (:func:`_interior_pairs`): worth it for many
    small zones digitised from the patches (permanent farmland), not for a few huge zones
    (the redline, the complement of the boundary), where ``touches`` itself is costly.
    """
    crs = patches.crs
    if len(patches) == 0 or len(zones) == 0:
        return _empty(crs)
    if prefilter:
        keep_a, keep_z = _interior_pairs(np.asarray(patches.geometry.array, dtype=object),
                                         np.asarray(zones.geometry.array, dtype=object))
    else:
        keep_a, keep_z = np.arange(len(patches)), np.arange(len(zones))
    if len(keep_a) == 0:
        return _empty(crs)
    sel = pd.DataFrame(patches.drop(columns="geometry")).iloc[keep_a].reset_index(drop=True)
    sel.attrs = {}  # pandas would deep-copy the reader's findings on every operation
    a = gpd.GeoDataFrame({"TBDLMJ": sel["TBDLMJ"].to_numpy(dtype=float)},
                         geometry=np.asarray(patches.geometry.array)[keep_a], crs=crs)
    z = gpd.GeoDataFrame({"against_id": zones["against_id"].to_numpy()[keep_z]},
                         geometry=np.asarray(zones.geometry.array)[keep_z], crs=crs)
    pieces = overlay_pieces(a, z, by_a=None, by_b="against_id", area="official",
                            area_column="TBDLMJ")
    if len(pieces) == 0:
        return _empty(crs)
    pos = pieces["a_index"].to_numpy(dtype=int)
    planar = shapely.area(pieces.geometry.array)
    tbdlmj = sel["TBDLMJ"].to_numpy(dtype=float)[pos]
    patch_planar = shapely.area(a.geometry.array)[pos]
    share = np.where(tbdlmj > 0, pieces["area_m2"].to_numpy() / np.where(tbdlmj > 0, tbdlmj, 1),
                     planar / np.where(patch_planar > 0, patch_planar, 1))
    out = pd.DataFrame({
        "check": check, "feature_id": sel["BSM"].astype(str).to_numpy()[pos],
        "against_id": pieces["against_id"].astype(str).to_numpy(),
        "against_layer": against_layer,
        "relation": np.where(planar >= sliver_m2, "inside", "touching"),
        "overlap_m2": pieces["area_m2"].to_numpy(dtype=float), "share": share,
        "area_basis": "official",
        "township": sel["township"].astype(str).to_numpy()[pos],
        "DLBM": sel["DLBM"].to_numpy()[pos],
        "DLMC": (sel["DLMC"].astype(str).to_numpy()[pos] if "DLMC" in sel else ""),
        "CZCSXM": sel["CZCSXM"].to_numpy()[pos],
        **{c: sel[f"_{c}"].to_numpy()[pos] for c in _LABELS},
    })
    gdf = gpd.GeoDataFrame(out, geometry=list(pieces.geometry.array), crs=crs)
    return _drop_touching(gdf, sliver_m2, include_touching, findings)


def _interior_pairs(a: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the features of ``a`` and ``z`` in some pair whose interiors meet.

    A candidate filter only (areas stay the engine's): pairs that merely touch give
    zero-area pieces, and layers digitised from one another (DLTB and permanent farmland)
    share edges with thousands of neighbours. Interiors meet = intersects and not touches.
    """
    ok_a = ~(shapely.is_missing(a) | shapely.is_empty(a))
    tree = shapely.STRtree(z)
    ia, iz = tree.query(np.where(ok_a, a, np.array(None, dtype=object)), predicate="intersects")
    shapely.prepare(z)  # caches an index on the geometries; their values do not change
    inner = ~shapely.touches(z[iz], a[ia])
    return np.unique(ia[inner]), np.unique(iz[inner])


def _drop_touching(
    gdf: gpd.GeoDataFrame, sliver_m2: float, include_touching: bool, findings: list[Finding]
) -> gpd.GeoDataFrame:
    small = gdf["relation"] == "touching"
    if small.any() and not include_touching:
        findings.append(Finding(
            code="slivers_dropped",
            message=(f"{gdf['check'].iloc[0]}: {int(small.sum())} piece(s) below sliver_m2 = "
                     f"{sliver_m2:g} m² (together {gdf.loc[small, 'overlap_m2'].sum():.3f} m²) "
                     "are boundary slivers (碎片), not reported; include_touching=True lists "
                     "them."),
            count=int(small.sum()), severity="info", source=gdf["check"].iloc[0],
            examples=gdf.loc[small, "feature_id"].head(5).tolist(),
        ))
        gdf = gdf[~small]
    return gdf


def _empty(crs: Any) -> gpd.GeoDataFrame:
    cols = {c: pd.Series(dtype=float if c in ("overlap_m2", "share") else object)
            for c in CONTROL_COLUMNS if c != "geometry"}
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _finish(gdf: gpd.GeoDataFrame, findings: list[Finding], **meta: Any) -> gpd.GeoDataFrame:
    touching = (gdf["relation"] == "touching").to_numpy()
    if touching.any():  # a sliver is no finding: nothing to judge (kept on request only)
        gdf = gdf.copy()
        gdf.loc[touching, ["status", "rule", "basis"]] = ["allowed", "sliver_m2", ""]
    out = gdf.sort_values(["township", "feature_id", "against_id"], kind="stable")
    out = out.reset_index(drop=True)[list(CONTROL_COLUMNS)]
    out = out.astype({c: (float if c in ("overlap_m2", "share") else str)
                      for c in CONTROL_COLUMNS if c != "geometry"})
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=gdf.crs)
    attach_findings(out, findings)
    out.attrs.update(meta)
    return out


def _labelled(
    lu: gpd.GeoDataFrame, mask: np.ndarray, check: str, status_rules: StatusRules, what: str
) -> gpd.GeoDataFrame:
    """Select the patches and attach their status row (``_status``, ``_rule`` ...) and reason."""
    sel = lu.loc[mask]
    name = sel["DLMC"].astype(str) if "DLMC" in sel else pd.Series("", index=sel.index)
    # status and reason text once per distinct (name, code, CZCSXM): a county has few
    # over 10^5 patches
    key = np.zeros(len(sel), dtype=np.int64)
    for values in (name, sel["DLBM"], sel["CZCSXM"]):
        index, distinct = pd.factorize(values, use_na_sentinel=False)
        key = key * max(len(distinct), 1) + index
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    one = sel.iloc[first]
    labels = match_status(check, one["DLBM"], one["CZCSXM"], load_status_rules(status_rules),
                          normalised=True)
    zh, en = what.split(" / ")
    texts = [f"{zh} {a}（{b}）: {x} / {en} ({b}): {y}" for a, b, x, y in
             zip(name.iloc[first], one["DLBM"].astype(str), labels["reason_zh"],
                 labels["reason_en"], strict=True)]
    columns = {"_reason": texts,
               **{f"_{c}": labels[c].tolist() for c in _LABELS if c != "reason"}}
    # object columns: pandas would convert every row to its string dtype and back
    return sel.assign(**{c: pd.Series(np.asarray(v, dtype=object)[inverse], index=sel.index,
                                      dtype=object) for c, v in columns.items()})


def _line_zones(line: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"against_id": line["line_id"].astype(str).to_numpy()},
                            geometry=line.geometry.array, crs=line.crs)


def eco_redline_construction(
    lu: gpd.GeoDataFrame,
    redline: gpd.GeoDataFrame,
    *,
    rules: str | Path | RuleSet | None = None,
    status_rules: StatusRules = None,
    sliver_m2: float = SLIVER_M2,
    include_touching: bool = False,
    working_crs: Any | None = None,
) -> gpd.GeoDataFrame:
    """Find construction land (建设用地) inside the ecological redline (生态保护红线).

    Parameters
    ----------
    lu : GeoDataFrame
        Normalised DLTB (``read_landuse``): ``BSM``, ``DLBM``, ``TBDLMJ``, ``township``,
        ``CZCSXM`` (used by rule sets with CZCSXM conditions), projected CRS.
    redline : GeoDataFrame
        ``read_control_line(kind="ecological_redline")``: ``line_id``; any CRS (reprojected to
        the land use's, with a Finding).
    rules : rule set, optional
        Construction land = aggregate ``construction_land`` of the rule set (default
        ``sandiao-default@1``).
    status_rules : path or DataFrame, optional
        Another status table (columns of ``landuse/rules/control_line_rules.csv``); its
        ``eco_redline_construction`` rows decide each piece's status (自然资发〔2022〕142号:
        industrial, commercial and mining construction is a violation; existing linear
        infrastructure, water works and village homesteads are allowed or review).
    sliver_m2, include_touching, working_crs
        See the module docstring.

    Returns
    -------
    GeoDataFrame
        :data:`CONTROL_COLUMNS`, ``check = "eco_redline_construction"``, one row per
        (patch, redline feature) piece, geometry = the piece; official m².
    """
    lu2, line2, crs, findings = _prepare(lu, redline, "ecological redline (生态保护红线)",
                                         working_crs)
    rs = load_rules(rules)
    mask = rs.mask("construction_land", lu2["DLBM"], lu2["CZCSXM"])
    sel = _labelled(lu2, mask, "eco_redline_construction", status_rules,
                    "生态保护红线内建设用地 / construction land inside the ecological redline")
    gdf = _patch_pieces(sel, _line_zones(line2), check="eco_redline_construction",
                        against_layer="ecological_redline", sliver_m2=sliver_m2,
                        include_touching=include_touching, findings=findings)
    return _finish(gdf, findings, rules=rs.label, working_crs=crs.to_string(),
                   sliver_m2=sliver_m2)


def farmland_nonfarm(
    lu: gpd.GeoDataFrame,
    permanent_farmland: gpd.GeoDataFrame,
    *,
    rules: str | Path | RuleSet | None = None,
    status_rules: StatusRules = None,
    sliver_m2: float = SLIVER_M2,
    include_touching: bool = False,
    working_crs: Any | None = None,
) -> gpd.GeoDataFrame:
    """Non-farmland, by class, inside permanent basic farmland.

    Non-farmland = not in the rule set's ``farmland`` aggregate (default 0101/0102/0103),
    the definition of the indicator ``permanent_farmland_nonfarm_area``, so the check and
    the indicator count the same patches. The class is the patch's ``DLBM``; deducted 田坎
    (KCMJ) inside farmland patches is part of those patches and not reported (it is not a
    separate patch). Each piece gets the
    ``category`` and ``status`` of the ``farmland_nonfarm`` rows of the status table
    (自然资规〔2019〕1号 and 〔2019〕4号): 建设占用 (construction land) ``violation``; 可调整地类
    (K codes) ``allowed``, counted apart; 设施农用地 (1202) ``review``; 农田基础设施 (1006,
    1107, 1107A, 1203) ``allowed``; 其他农用地 (非粮化) and 未利用地 ``review``.

    Returns
    -------
    GeoDataFrame
        :data:`CONTROL_COLUMNS`, ``check = "farmland_nonfarm"``; one row per (patch,
        permanent-farmland feature) piece; official m² (TBDLMJ share).
    """
    lu2, line2, crs, findings = _prepare(lu, permanent_farmland,
                                         "permanent basic farmland (永久基本农田)", working_crs)
    rs = load_rules(rules)
    mask = ~rs.mask("farmland", lu2["DLBM"], lu2["CZCSXM"])
    sel = _labelled(lu2, mask, "farmland_nonfarm", status_rules,
                    "永久基本农田内非耕地 / non-farmland inside permanent basic farmland")
    gdf = _patch_pieces(sel, _line_zones(line2), check="farmland_nonfarm",
                        against_layer="permanent_farmland", sliver_m2=sliver_m2,
                        include_touching=include_touching, findings=findings, prefilter=True)
    return _finish(gdf, findings, rules=rs.label, working_crs=crs.to_string(),
                   sliver_m2=sliver_m2)


def outside_urban_boundary(
    lu: gpd.GeoDataFrame,
    urban_boundary: gpd.GeoDataFrame,
    *,
    status_rules: StatusRules = None,
    rules: str | Path | RuleSet | None = None,
    include_allowed: bool = False,
    ghfqdm: Sequence[str] | None = None,
    sliver_m2: float = SLIVER_M2,
    include_touching: bool = False,
    working_crs: Any | None = None,
) -> gpd.GeoDataFrame:
    """Find construction land outside the urban development boundary (城镇开发边界), by type.

    The part of each construction-land patch outside the union of the boundary features is
    found by cutting the patches with the complement of that union (the patches' extent
    minus the boundary) through :func:`landuse.overlay.overlay_pieces`. Each patch gets the
    ``outside_urban_boundary`` row of the status table that matches it most specifically
    (:func:`landuse.redlines.tables.match_status`): village construction (CZCSXM 203/203A,
    with its industrial patches) and scattered homesteads (0702 with empty CZCSXM),
    mining and salt works, special and linear uses are ``allowed``; urban construction
    (201/202 and their A codes) is a ``violation``; the rest is ``review``. Allowed patches
    are left out (counted in a Finding) unless ``include_allowed=True``.

    ``ghfqdm`` restricts which boundary zones count as "inside" (e.g. ``("01", "02")`` to
    treat 03 特别用途区 as outside); default every feature of the layer.

    Returns
    -------
    GeoDataFrame
        :data:`CONTROL_COLUMNS`, ``check = "outside_urban_boundary"``, ``relation =
        "outside"``, ``against_id = ""``, ``construction_type`` from the table; official m².
    """
    lu2, line2, crs, findings = _prepare(lu, urban_boundary,
                                         "urban development boundary (城镇开发边界)", working_crs)
    if ghfqdm is not None:
        require_columns(line2, ("GHFQDM",), "urban development boundary (城镇开发边界)",
                        _LINE_FIX)
        line2 = line2[line2["GHFQDM"].astype(str).isin([str(c) for c in ghfqdm])]
    rs = load_rules(rules)
    mask = rs.mask("construction_land", lu2["DLBM"], lu2["CZCSXM"])
    sel = _labelled(lu2, mask, "outside_urban_boundary", status_rules,
                    "城镇开发边界外建设用地 / construction land outside the urban development "
                    "boundary")
    if len(sel):
        x0, y0, x1, y1 = sel.total_bounds
        frame = shapely.box(x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0)
        outside = shapely.difference(frame, shapely.union_all(line2.geometry.array))
        zones = gpd.GeoDataFrame({"against_id": [""]}, geometry=[outside], crs=crs)
    else:
        zones = gpd.GeoDataFrame({"against_id": []}, geometry=[], crs=crs)
    gdf = _patch_pieces(sel, zones, check="outside_urban_boundary",
                        against_layer="urban_boundary", sliver_m2=sliver_m2,
                        include_touching=include_touching, findings=findings)
    gdf = gdf.assign(relation=np.where(gdf["relation"] == "inside", "outside", "touching"))
    allowed = (gdf["status"] == "allowed") & (gdf["relation"] == "outside")
    if allowed.any() and not include_allowed:
        area_m2 = float(gdf.loc[allowed, "overlap_m2"].sum())
        findings.append(Finding(
            code="outside_boundary_allowed",
            message=(f"outside_urban_boundary: {int(allowed.sum())} piece(s) of construction "
                     f"land outside the boundary (together {area_m2:.2f} m²) are allowed there "
                     "by their status rule (村庄建设, 采矿, 线性基础设施 ...) and not listed; "
                     "include_allowed=True lists them."),
            count=int(allowed.sum()), severity="info", source="outside_urban_boundary",
            examples=sorted(set(gdf.loc[allowed, "rule"]))[:5],
        ))
        gdf = gdf[~allowed]
    return _finish(gdf, findings, rules=rs.label, working_crs=crs.to_string(),
                   sliver_m2=sliver_m2)


def line_conflicts(
    permanent_farmland: gpd.GeoDataFrame,
    redline: gpd.GeoDataFrame | None,
    urban_boundary: gpd.GeoDataFrame | None,
    *,
    area: Literal["planar", "ellipsoidal"] = "planar",
    sliver_m2: float = SLIVER_M2,
    include_touching: bool = False,
    townships: gpd.GeoDataFrame | None = None,
    status_rules: StatusRules = None,
    working_crs: Any | None = None,
) -> gpd.GeoDataFrame:
    """Permanent basic farmland overlapping the ecological redline or the urban boundary.

    Parameters
    ----------
    permanent_farmland : GeoDataFrame
        ``line_id`` (and ``DLBM``, ``ZLDWDM`` when present: the township is ``ZLDWDM[:9]``,
        else the township it overlaps most in ``townships``).
    redline, urban_boundary : GeoDataFrame or None
        The other two lines (``line_id``); either may be None.
    area : {"planar", "ellipsoidal"}
        How the overlap is measured (``area_basis``); ``share`` = overlap / farmland
        feature area on the same basis.

    Returns
    -------
    GeoDataFrame
        :data:`CONTROL_COLUMNS`, ``check = "line_conflict"``, ``against_layer`` =
        ``ecological_redline`` or ``urban_boundary``.
    """
    if area not in ("planar", "ellipsoidal"):
        raise ValueError(f"area must be 'planar' or 'ellipsoidal', got {area!r}")
    role = "permanent basic farmland (永久基本农田)"
    require_columns(permanent_farmland, ("line_id",), role, _LINE_FIX)
    crs = resolve_working_crs(permanent_farmland, role, working_crs)
    pf, findings = align_to(permanent_farmland, crs, role)
    pf = pf.reset_index(drop=True)
    a = gpd.GeoDataFrame({"feature_id": pf["line_id"].astype(str).to_numpy()},
                         geometry=pf.geometry.array, crs=crs)
    if "ZLDWDM" in pf and (pf["ZLDWDM"].astype(str).str.len() >= 9).all():
        town = pf["ZLDWDM"].astype(str).str[:9].to_numpy()
    else:
        if townships is not None:
            townships, tf = align_to(townships, crs, "townships (乡镇)")
            findings += tf
        town = assign_township(np.asarray(pf.geometry.array, dtype=object), townships)
    feat_area = (shapely.area(a.geometry.array) if area == "planar"
                 else geodesic_area(np.asarray(a.geometry.array, dtype=object), crs))
    codes = normalised_codes(pf, "DLBM")
    label = match_status("line_conflict", codes, pd.Series("", index=pf.index, dtype=object),
                         load_status_rules(status_rules), normalised=True)
    frames = []
    names = {"ecological_redline": "生态保护红线 / the ecological redline",
             "urban_boundary": "城镇开发边界 / the urban development boundary"}
    for layer, other in (("ecological_redline", redline), ("urban_boundary", urban_boundary)):
        if other is None:
            continue
        require_columns(other, ("line_id",), layer, _LINE_FIX)
        other2, f = align_to(other, crs, describe(other, layer))
        findings += f
        pieces = overlay_pieces(a, _line_zones(other2), by_a=None, by_b="against_id",
                                area=area)
        pos = pieces["a_index"].to_numpy(dtype=int)
        planar = shapely.area(pieces.geometry.array)
        zh, en = names[layer].split(" / ")
        frames.append(gpd.GeoDataFrame({
            "check": "line_conflict", "feature_id": a["feature_id"].to_numpy()[pos],
            "against_id": pieces["against_id"].astype(str).to_numpy(),
            "against_layer": layer,
            "relation": np.where(planar >= sliver_m2, "inside", "touching"),
            "overlap_m2": pieces["area_m2"].to_numpy(dtype=float),
            "share": pieces["area_m2"].to_numpy(dtype=float) / feat_area[pos],
            "area_basis": area, "township": town[pos],
            "DLBM": (codes.to_numpy(dtype=object)[pos] if "DLBM" in pf else ""),
            "DLMC": "", "CZCSXM": "",
            **{c: label[c].to_numpy(dtype=object)[pos] for c in _LABELS if c != "reason"},
            "reason": f"永久基本农田与{zh}重叠 / permanent basic farmland overlaps {en}",
        }, geometry=list(pieces.geometry.array), crs=crs))
    frames = [f for f in frames if len(f)]
    gdf = pd.concat(frames, ignore_index=True) if frames else _empty(crs)
    gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=crs)
    if len(gdf):
        gdf = _drop_touching(gdf, sliver_m2, include_touching, findings)
    return _finish(gdf, findings, working_crs=crs.to_string(), sliver_m2=sliver_m2)


def summarise_by_township(
    findings: pd.DataFrame, *, by: Sequence[str] = ("check", "township")
) -> pd.DataFrame:
    """Areas of findings by township and check (touching and near rows left out).

    Parameters
    ----------
    findings : DataFrame
        Findings of one or more checks (concatenated), with ``check``, ``township``,
        ``feature_id``, ``relation``, ``overlap_m2``.
    by : sequence of str
        Grouping columns; e.g. ``("check", "township", "DLBM")`` for non-farmland by class,
        ``("check", "township", "construction_type")`` for the outside-boundary types.

    Returns
    -------
    DataFrame
        ``by`` columns, ``features`` (distinct feature ids), ``overlap_m2``, ``overlap_ha``;
        sorted by ``by``. Rows are summed as they are: where features of one line overlap
        each other a patch piece counts once per feature.
    """
    by = list(by)
    require_columns(findings, [*by, "feature_id", "relation", "overlap_m2"], "findings",
                    "Pass the output of a redline check.")
    rows = findings[findings["relation"].isin(["inside", "outside"])]
    out = rows.groupby(by, sort=True).agg(features=("feature_id", "nunique"),
                                          overlap_m2=("overlap_m2", "sum")).reset_index()
    out["overlap_ha"] = m2_to_ha(out["overlap_m2"])
    return pd.DataFrame(out)
