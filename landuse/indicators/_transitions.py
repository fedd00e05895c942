"""Private machinery of :mod:`landuse.indicators.change`: the vintage overlay.

Pieces of (current patch, previous patch) from the one engine
(:func:`landuse.overlay.overlay_pieces`), the same-outline fast path, the jitter test and the
deduction-first coupling of the two vintages' deductions. The rules are documented in the
module docstring of :mod:`landuse.indicators.change` and in ``docs/change.md``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from landuse import units
from landuse.errors import CRSError, SchemaError
from landuse.findings import Finding
from landuse.indicators._common import levels_for, zone_columns
from landuse.overlay import overlay_pieces

__all__ = ["couple", "pieces"]

_FIELDS = ("DLBM", "TBMJ", "TBDLMJ", "KCDLBM", "KCMJ", "CZCSXM")
_ROUNDING_M2 = 0.01  # areas are delivered to 0.01 m²


def _check_pair(previous: gpd.GeoDataFrame, current: gpd.GeoDataFrame) -> None:
    problems = []
    for frame, name in ((previous, "previous vintage"), (current, "current vintage")):
        if not isinstance(frame, gpd.GeoDataFrame):
            raise TypeError(f"the {name} must be a GeoDataFrame, got {type(frame).__name__}")
        missing = [c for c in _FIELDS if c not in frame.columns]
        if missing:
            problems.append(f"the {name} lacks the field(s) {missing} of the 三调 DLTB layer; "
                            "read it with landuse.io.vector.read_landuse")
    if problems:
        raise SchemaError("; ".join(problems))
    if previous.crs is None or current.crs is None:
        raise CRSError("both survey vintages need a CRS (the previous vintage has "
                       f"{previous.crs}, the current {current.crs}); read them with "
                       "read_landuse(..., working_crs=...)")
    if not pyproj.CRS.from_user_input(previous.crs).equals(current.crs):
        raise CRSError(
            f"the previous vintage is in {previous.crs.to_string()} and the current one in "
            f"{current.crs.to_string()}; read both with the same working_crs= (e.g. EPSG:4527)")


def _codes(frame: pd.DataFrame, col: str) -> np.ndarray:
    """Normalised codes as an object array (stripped, upper-case, '' when missing)."""
    v = frame[col]
    out = v.astype(object).where(v.notna(), "").astype(str).str.strip().str.upper()
    return out.to_numpy(dtype=object)


def _floats(frame: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(frame[col], errors="coerce").fillna(0.0).to_numpy(dtype=np.float64)


def _same_patches(cur: np.ndarray, prev: np.ndarray, tree: shapely.STRtree,
                  tol: float) -> np.ndarray:
    """For each current patch, the previous patch with the same outline (within ``tol``), or -1.

    A current patch matches a previous patch when their vertices are equal within ``tol``
    (``shapely.equals_exact``, as given or after ``shapely.normalize``) or, failing that,
    when every vertex of each lies within ``tol`` of the other's outline (GEOS discrete
    Hausdorff distance ≤ ``tol``).
    """
    match = np.full(len(cur), -1, dtype=np.int64)
    ok = ~(shapely.is_missing(cur) | shapely.is_empty(cur))
    if not ok.any() or len(prev) == 0:
        return match
    pos = np.flatnonzero(ok)
    # candidates: every vertex of each within tol of the other's outline puts each one's
    # bounding box within tol of the other's on every side, a necessary condition of all
    # three tests below (the slack only keeps pairs for the exact tests)
    ic, ip = tree.query(cur[pos])
    ic = pos[ic]
    gap = np.abs(shapely.bounds(cur)[ic] - shapely.bounds(prev)[ip])
    near = (gap <= tol * (1 + 1e-9) + 1e-9).all(axis=1)
    ic, ip = ic[near], ip[near]
    same = shapely.equals_exact(cur[ic], prev[ip], tolerance=tol)
    # same vertices in another ring order or start point (GEOS output is often normalised)
    nc, np_ = shapely.get_num_coordinates(cur[ic]), shapely.get_num_coordinates(prev[ip])
    retry = np.flatnonzero(~same & (nc == np_))
    if retry.size:
        same[retry] = shapely.equals_exact(shapely.normalize(cur[ic[retry]]),
                                           shapely.normalize(prev[ip[retry]]), tolerance=tol)
    retry = np.flatnonzero(~same)
    if retry.size and tol > 0:
        # re-digitised outlines (vertices added, removed or moved): every vertex of each
        # within tol of the other's boundary (GEOS discrete Hausdorff distance)
        same[retry] = shapely.hausdorff_distance(cur[ic[retry]], prev[ip[retry]]) <= tol
    ic, ip = ic[same], ip[same]
    first = np.unique(ic, return_index=True)[1]
    match[ic[first]] = ip[first]
    return match


def _uncovered(geoms: np.ndarray, prev: np.ndarray, tree: shapely.STRtree) -> np.ndarray:
    """Return the part of each geometry outside every previous patch (one bulk query).

    A geometry whose box meets no previous patch is its own remainder; one previous
    neighbour is subtracted as it is; several are united first.
    """
    left = geoms.copy()
    qi, qp = tree.query(geoms)
    if qi.size == 0:
        return left
    order = np.argsort(qi, kind="stable")
    qi, qp = qi[order], qp[order]
    starts = np.flatnonzero(np.r_[True, qi[1:] != qi[:-1]])
    ends = np.r_[starts[1:], len(qi)]
    rows = qi[starts]
    single = ends - starts == 1
    cover = np.empty(len(rows), dtype=object)
    cover[single] = prev[qp[starts[single]]]
    for k in np.flatnonzero(~single):
        cover[k] = shapely.union_all(prev[qp[starts[k]:ends[k]]])
    left[rows] = shapely.difference(geoms[rows], cover)
    return left


def _jitter(geoms: np.ndarray, changed: np.ndarray, min_area_m2: float,
            min_width_m: float) -> np.ndarray:
    """Flag the changed pieces that are boundary jitter: tiny or thinner than ``min_width_m``."""
    area = shapely.area(geoms)
    out = changed & (area < min_area_m2)
    if min_width_m > 0:
        # a piece of inscribed radius < w/2 has area < w × perimeter: test only those
        cand = changed & ~out & (area < min_width_m * shapely.length(geoms))
        if cand.any():
            shrunk = shapely.buffer(geoms[cand], -min_width_m / 2.0, quad_segs=2)
            thin = np.zeros(len(geoms), dtype=bool)
            thin[np.flatnonzero(cand)] = shapely.is_empty(shrunk)
            out |= thin
    return out


def pieces(previous: gpd.GeoDataFrame, current: gpd.GeoDataFrame, *, by: str,
            min_area_m2: float, min_width_m: float) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """One row per (current patch, previous patch) piece, plus uncovered remainders.

    Fast path: a current patch with the same outline as a previous patch (every vertex
    within ``min_width_m / 2``, so any difference is jitter) is one piece, all of it from
    that previous patch. The other current patches are overlaid on the previous vintage
    with :func:`landuse.overlay.overlay_pieces`.
    """
    _check_pair(previous, current)
    if min_area_m2 < 0 or min_width_m < 0:
        raise ValueError(f"min_area_m2 and min_width_m must be >= 0, got {min_area_m2} and "
                         f"{min_width_m}")
    levels = levels_for(by)
    zones = zone_columns(current, levels, what="current vintage")
    cur_tbdlmj, cur_kcmj = _floats(current, "TBDLMJ"), _floats(current, "KCMJ")
    total = cur_tbdlmj + cur_kcmj
    cur_g = np.asarray(current.geometry.array, dtype=object)
    prev_g = np.asarray(previous.geometry.array, dtype=object)
    tree = shapely.STRtree(prev_g)
    match = _same_patches(cur_g, prev_g, tree, min_width_m / 2.0)
    whole = np.flatnonzero(match >= 0)
    rest_pos = np.flatnonzero(match < 0)

    cid, pid = [whole], [match[whole]]
    main, ded, geoms = [cur_tbdlmj[whole]], [cur_kcmj[whole]], [cur_g[whole]]
    covered = np.zeros(len(current))
    covered[whole] = total[whole]
    if rest_pos.size:
        a = gpd.GeoDataFrame({"_cid": rest_pos, "TBDLMJ": cur_tbdlmj[rest_pos],
                              "KCMJ": cur_kcmj[rest_pos]}, geometry=cur_g[rest_pos],
                             crs=current.crs)
        # only the previous patches near the remaining current patches take part
        near = np.unique(tree.query(cur_g[rest_pos])[1])
        b = gpd.GeoDataFrame({"_pid": near}, geometry=prev_g[near], crs=previous.crs)
        p = overlay_pieces(a, b, by_a="_cid", by_b="_pid", area="official",
                           area_column="TBDLMJ", sum_columns=("KCMJ",))
        c = p["_cid"].to_numpy(dtype=np.int64)
        m, d = p["area_m2"].to_numpy(dtype=np.float64), p["KCMJ"].to_numpy(dtype=np.float64)
        cid.append(c)
        pid.append(p["_pid"].to_numpy(dtype=np.int64))
        main.append(m)
        ded.append(d)
        geoms.append(np.asarray(p.geometry.array, dtype=object))
        covered += np.bincount(c, weights=m + d, minlength=len(current))

    findings: list[Finding] = []
    rest = total - covered
    # previous patches that overlap each other cover parts of a current patch twice: the
    # patch's official area is shared over its pieces in proportion (Σ pieces = the patch);
    # overlaps of at least min_area_m2 in one patch are a topology error worth a warning
    over_m2 = np.maximum(-rest, 0.0)
    tiny = np.abs(rest) <= 1e-9 * np.maximum(total, 1.0)  # floating-point noise
    scale = np.divide(total, covered, out=np.ones(len(total)),
                      where=((over_m2 > 0) | tiny) & (covered > 0))
    over = np.flatnonzero(over_m2 >= max(min_area_m2, 1e-6))
    if over.size:
        findings.append(Finding(
            code="previous_vintage_overlaps",
            message=(f"{len(over)} current patch(es) are covered more than once by the "
                     f"previous vintage ({over_m2[over].sum():.2f} m² in all; 前一年度图斑重叠, "
                     "overlapping previous patches): each patch's area is shared over its "
                     "pieces in proportion; repair the previous layer's topology"),
            count=len(over), source="previous vintage",
            examples=current["BSM"].iloc[over[:5]].tolist() if "BSM" in current else []).warn())
    # remainders not covered by any previous patch: below min_area_m2 they are jitter at
    # the edge of the surveyed area (kept on the diagonal), above it they have no previous
    # class (from_code '')
    unc = np.flatnonzero(rest > 1e-9 * np.maximum(total, 1.0))
    small = unc[rest[unc] < max(min_area_m2, 1e-6)]
    large = unc[rest[unc] >= max(min_area_m2, 1e-6)]
    if large.size and min_width_m > 0:
        # the width test on the uncovered part itself: thin strips are jitter too
        left = _uncovered(cur_g[large], prev_g, tree)
        thin = _jitter(left, np.ones(len(large), dtype=bool), 0.0, min_width_m)
        small, large = np.sort(np.concatenate([small, large[thin]])), large[~thin]
    if large.size:
        findings.append(Finding(
            code="current_not_in_previous",
            message=(f"{units.m2_to_ha(rest[large].sum()):.4f} ha of {len(large)} current "
                     "patch(es) lie outside every previous patch (上一年度未覆盖, not covered by "
                     "the previous vintage); they appear with from_code '' (no previous class)"),
            count=len(large), source="previous vintage",
            examples=current["BSM"].iloc[large[:5]].tolist() if "BSM" in current else []
        ).warn())
    frac_main = np.divide(cur_tbdlmj, total, out=np.ones(len(total)), where=total > 0)
    for group, code in ((small, -2), (large, -1)):
        cid.append(group)
        pid.append(np.full(group.size, code, dtype=np.int64))
        main.append(rest[group] * frac_main[group])
        ded.append(rest[group] * (1.0 - frac_main[group]))
        geoms.append(np.full(group.size, None, dtype=object))
    cid_a, pid_a = np.concatenate(cid), np.concatenate(pid)
    main_a, ded_a, geom_a = np.concatenate(main), np.concatenate(ded), np.concatenate(geoms)
    order = np.lexsort((pid_a, cid_a))
    cid_a, pid_a, main_a, ded_a, geom_a = (x[order] for x in (cid_a, pid_a, main_a, ded_a,
                                                               geom_a))
    main_a, ded_a = main_a * scale[cid_a], ded_a * scale[cid_a]

    cur_code, cur_kc, cur_cz = (_codes(current, c) for c in ("DLBM", "KCDLBM", "CZCSXM"))
    prv_code, prv_kc, prv_cz = (_codes(previous, c) for c in ("DLBM", "KCDLBM", "CZCSXM"))
    prv_tbmj, prv_kcmj = _floats(previous, "TBMJ"), _floats(previous, "KCMJ")
    prv_ratio = np.divide(prv_kcmj, prv_tbmj, out=np.zeros(len(previous)), where=prv_tbmj > 0)
    has_prev = pid_a >= 0
    safe = np.where(has_prev, pid_a, 0)

    def prev_attr(values: np.ndarray, missing: str | float) -> np.ndarray:
        if len(previous) == 0:
            return np.full(len(pid_a), missing, dtype=values.dtype)
        return np.where(has_prev, values[safe], missing)

    cur_bsm = (current["BSM"].astype(str).to_numpy(dtype=object) if "BSM" in current
               else np.arange(len(current)).astype(str).astype(object))
    prev_bsm = (previous["BSM"].astype(str).to_numpy(dtype=object) if "BSM" in previous
                else np.arange(len(previous)).astype(str).astype(object))
    to_code, to_kc, to_cz = cur_code[cid_a], cur_kc[cid_a], cur_cz[cid_a]
    from_code, from_kc = prev_attr(prv_code, ""), prev_attr(prv_kc, "")
    from_cz, from_ratio = prev_attr(prv_cz, ""), prev_attr(prv_ratio, 0.0)
    changed = has_prev & (from_code != to_code)
    jit = _jitter(geom_a, changed, min_area_m2, min_width_m) | (pid_a == -2)
    piece_total = main_a + ded_a
    cols: dict[str, object] = {lv: zones[lv].to_numpy(dtype=object)[cid_a] for lv in levels}
    cols.update({
        "BSM": cur_bsm[cid_a], "BSM_previous": prev_attr(prev_bsm, ""),
        "from_code": np.where(jit, to_code, from_code), "from_kc": np.where(jit, to_kc, from_kc),
        "from_czcsxm": np.where(jit, to_cz, from_cz),
        "from_ratio": np.where(jit, np.divide(ded_a, piece_total, out=np.zeros(len(ded_a)),
                                              where=piece_total > 0), from_ratio),
        "to_code": to_code, "to_kc": to_kc, "to_czcsxm": to_cz,
    })
    frame = pd.DataFrame({k: pd.array(v, dtype=object) if np.asarray(v).dtype == object
                          else v for k, v in cols.items()})
    frame["main_m2"], frame["deduction_m2"], frame["jitter"] = main_a, ded_a, jit
    gdf = gpd.GeoDataFrame(frame, geometry=geom_a, crs=current.crs)
    return gdf, findings


def couple(pieces: pd.DataFrame) -> pd.DataFrame:
    """Split every piece into (from, to) flows, deduction-first on the diagonal."""
    T = (pieces["main_m2"] + pieces["deduction_m2"]).to_numpy(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(T > 0, pieces["deduction_m2"].to_numpy(np.float64) / T, 0.0)
    kp = pieces["from_ratio"].to_numpy(np.float64)
    A, B = pieces["from_code"].to_numpy(object), pieces["from_kc"].to_numpy(object)
    C, D = pieces["to_code"].to_numpy(object), pieces["to_kc"].to_numpy(object)
    # the same deduction class with ratios that differ only by the rounding of the areas
    # (KCMJ, TBMJ to 0.01 m²) is the same deduction: no spurious 田坎 flows of a few cm²
    same_kc = (B == D) & (np.abs(kp - d) * T <= _ROUNDING_M2)
    kp = np.where(same_kc, d, kp)
    a, b, c = 1.0 - kp, kp, 1.0 - d
    dAC = np.where(A == C, np.minimum(a, c), 0.0)
    dAD = np.where(A == D, np.minimum(a, d), 0.0)
    dBC = np.where(B == C, np.minimum(b, c), 0.0)
    dBD = np.where(B == D, np.minimum(b, d), 0.0)
    ra, rb = a - dAC - dAD, b - dBC - dBD
    rc, rd = c - dAC - dBC, d - dAD - dBD
    r = ra + rb
    with np.errstate(invalid="ignore", divide="ignore"):
        inv = np.where(r > 1e-15, 1.0 / r, 0.0)
    shares = {("A", "C"): dAC + ra * rc * inv, ("A", "D"): dAD + ra * rd * inv,
              ("B", "C"): dBC + rb * rc * inv, ("B", "D"): dBD + rb * rd * inv}
    code = {"A": A, "B": B, "C": C, "D": D}
    keep = [c for c in pieces.columns if c not in (
        "from_code", "from_kc", "to_code", "to_kc", "from_ratio", "main_m2", "deduction_m2",
        "geometry")]
    parts = []
    for (f, t), s in shares.items():
        area = s * T
        m = area > 0
        part = pd.DataFrame(pieces.loc[m, keep]).reset_index(drop=True)
        part.insert(0, "from_code", pd.array(code[f][m], dtype=object))
        part.insert(1, "to_code", pd.array(code[t][m], dtype=object))
        part["deduction"] = t == "D"
        part["area_m2"] = area[m]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
