"""Normalisation and data-quality checks of the 三调 land-use frame (docs/domain.md §2).

Private helper of :func:`landuse.io.vector.read_landuse`: codes, official areas and the
findings about them. Tolerances:

- TBDLMJ vs TBMJ − KCMJ: 0.01 m² (the survey's area precision).
- TBMJ vs the ellipsoidal area of the geometry: 0.5 % of the ellipsoidal area, and more
  than 0.01 m² (so that rounding of tiny slivers is not reported).
- Overlapping patches: intersection area above 0.01 m².
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse.errors import SchemaError
from landuse.findings import Finding
from landuse.io._geometry import overlap_finding
from landuse.io._layer import codes
from landuse.io._survey_fields import SURVEY_FIELDS, normalise_survey_fields
from landuse.io.crs import ellipsoidal_area
from landuse.rules import code_table, farmland_codes, is_grade, mark_normalised, unknown_codes
from landuse.rules.schemes import read_scheme, scheme_hint
from landuse.units import m2_to_ha

__all__ = ["CZCSXM_CODES", "normalise_landuse"]

#: 城镇村属性码 values of docs/domain.md §2 ('' outside settlements).
CZCSXM_CODES = ("201", "202", "203", "204", "205", "201A", "202A", "203A")

TBDLMJ_TOLERANCE_M2 = 0.01
TBMJ_RELATIVE_TOLERANCE = 0.005
OVERLAP_MIN_M2 = 0.01
_EX = 5

LANDUSE_COLUMNS = ("BSM", "DLBM", "DLMC", "TBMJ", "KCDLBM", "KCXS", "KCMJ", "TBDLMJ",
                   "ZLDWDM", "ZLDWMC", "QSDWDM", "QSXZ", "CZCSXM", *SURVEY_FIELDS, "county",
                   "township", "village")


def _label(gdf: gpd.GeoDataFrame) -> str:
    src = gdf.attrs.get("source", {})
    path, layer = src.get("path", "land-use layer"), src.get("layer")
    return f"{path} layer {layer}" if layer and not str(path).lower().endswith(".shp") else path


def _examples(ids: pd.Series, mask: np.ndarray | pd.Series) -> list[str]:
    return sorted(ids[np.asarray(mask)].astype(str).tolist())[:_EX]


def _code_problems(codes: pd.Series, areas: pd.Series, ids: pd.Series, field: str,
                   source: str, *, allow_empty: bool) -> list[str]:
    problems = []
    if not allow_empty:
        empty = (codes == "").to_numpy()
        if empty.any():
            problems.append(
                f"{int(empty.sum())} patches have an empty {field} (e.g. BSM "
                f"{_examples(ids, empty)}, TBMJ {areas[empty].sum():.2f} m²)"
            )
    known = code_table().index
    if pd.Index(codes.unique()).difference(known).difference([""]).empty:
        return problems
    unknown = unknown_codes(codes, areas)
    for row in unknown.itertuples(index=False):
        hint = ""
        if "0" + row.code in known:
            hint = f" — looks like {'0' + row.code!r} stored as a number (leading zero lost)"
        problems.append(
            f"{field} {row.code!r}: {row.count} patches, {row.area_m2:.2f} m² "
            f"(e.g. BSM {_examples(ids, (codes == row.code).to_numpy())}){hint}"
        )
    return problems


def _impossible_areas(tbmj: np.ndarray, kcxs: np.ndarray, kcmj: np.ndarray,
                      tbdlmj: np.ndarray) -> dict[str, np.ndarray]:
    """Masks of the area values no survey can hold (NaN = absent, not impossible)."""
    with np.errstate(invalid="ignore"):
        return {
            "TBMJ < 0": tbmj < 0,
            "KCXS outside [0, 1]": (kcxs < 0) | (kcxs > 1),
            "KCMJ < 0": kcmj < 0,
            "KCMJ > TBMJ": kcmj > tbmj + TBDLMJ_TOLERANCE_M2,
            "TBDLMJ < 0": tbdlmj < 0,
        }


def _check_areas(gdf: gpd.GeoDataFrame, ell: np.ndarray, ids: pd.Series, source: str, *,
                 repair: bool, findings: list[Finding]) -> None:
    """Refuse impossible TBMJ / KCXS / KCMJ / TBDLMJ values, or repair them (in place).

    Without ``repair``: :class:`SchemaError` listing, per rule, the count and the first
    BSMs. With ``repair`` (``[layers.landuse] repair_areas = true``, docs/domain.md "Impossible
    areas"): a negative TBMJ becomes the ellipsoidal area of the geometry; a KCXS outside
    [0, 1] is clipped to it; a negative KCMJ, or one above TBMJ, becomes
    round(TBMJ × KCXS, 2); TBDLMJ of a repaired patch becomes TBMJ − KCMJ. One ``warning``
    finding per rule, with the count and the area affected.
    """
    tbmj, kcxs = gdf["TBMJ"].to_numpy(), gdf["KCXS"].to_numpy()
    kcmj, tbdlmj = gdf["KCMJ"].to_numpy(), gdf["TBDLMJ"].to_numpy()
    masks = {k: m for k, m in _impossible_areas(tbmj, kcxs, kcmj, tbdlmj).items() if m.any()}
    if not masks:
        return
    if not repair:
        lines = [f"{rule}: {int(m.sum())} patches (e.g. BSM {_examples(ids, m)})"
                 for rule, m in masks.items()]
        raise SchemaError(
            f"{source}: impossible area values (面积值不合理):\n  - " + "\n  - ".join(lines)
            + "\nCorrect them in the source (TBMJ ≥ 0, 0 ≤ KCXS ≤ 1, 0 ≤ KCMJ ≤ TBMJ, TBDLMJ = "
            "TBMJ − KCMJ), or let landuse repair them with [layers.landuse] repair_areas = "
            "true (each repair is reported with the area affected; docs/domain.md, "
            "\"Impossible areas\")")
    tbmj, kcxs = tbmj.copy(), kcxs.copy()
    kcmj, tbdlmj = kcmj.copy(), tbdlmj.copy()
    touched = np.zeros(len(tbmj), dtype=bool)
    neg = np.nan_to_num(tbmj, nan=0.0) < 0
    tbmj[neg] = ell[neg]
    with np.errstate(invalid="ignore"):
        bad_ratio = (kcxs < 0) | (kcxs > 1)
        kcxs[bad_ratio] = np.clip(kcxs[bad_ratio], 0.0, 1.0)
        bad_kcmj = (kcmj < 0) | (kcmj > tbmj + TBDLMJ_TOLERANCE_M2)
    kcmj[bad_kcmj] = np.round(tbmj[bad_kcmj] * np.nan_to_num(kcxs[bad_kcmj]), 2)
    touched |= neg | bad_ratio | bad_kcmj
    with np.errstate(invalid="ignore"):
        touched |= tbdlmj < 0
    fix = touched & ~np.isnan(tbdlmj)
    tbdlmj[fix] = tbmj[fix] - np.nan_to_num(kcmj[fix])
    for rule, m in masks.items():
        findings.append(Finding(
            "area_repaired",
            f"{source}: {rule} in {int(m.sum())} patches (面积值不合理), repaired as "
            "[layers.landuse] repair_areas = true asks (docs/domain.md, \"Impossible areas\"); "
            f"TBMJ of these patches after repair {np.nansum(tbmj[m]):.2f} m², KCMJ "
            f"{np.nansum(kcmj[m]):.2f} m² (before: TBMJ "
            f"{np.nansum(gdf['TBMJ'].to_numpy()[m]):.2f} m², KCMJ "
            f"{np.nansum(gdf['KCMJ'].to_numpy()[m]):.2f} m²)",
            int(m.sum()), "warning", source, _examples(ids, m)))
    for name, values in (("TBMJ", tbmj), ("KCXS", kcxs), ("KCMJ", kcmj), ("TBDLMJ", tbdlmj)):
        gdf[name] = pd.Series(values, index=gdf.index, dtype="float64")


def _grades(raw: pd.Series, dlbm: pd.Series, tbdlmj: np.ndarray, ids: pd.Series,
            source: str, findings: list[Finding]) -> pd.Series:
    """GDDB (耕地质量等别) as float64: the grades 1–15, NaN where there is none.

    An empty value is no grade. Any other value that is not a number from 1 to 15
    (:func:`landuse.rules.is_grade`: ``0``, which exports write for "no grade", ``16``,
    ``七等``) is no grade either, and on farmland (耕地, :func:`landuse.rules.farmland_codes`,
    the only land a grade is averaged over) it is a ``gddb_not_a_grade`` finding with the
    count and the area: a 0 averaged in would make the farmland look better than it is.
    """
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        value = raw.astype("float64")
        given = value.notna().to_numpy()
        shown = value.astype(object)
    else:  # text: strip it; an empty string is no value
        shown = raw.astype(object).where(raw.notna(), "").map(lambda v: str(v).strip())
        given = (shown != "").to_numpy()
        value = pd.to_numeric(shown.where(given, np.nan), errors="coerce").astype("float64")
    v = value.to_numpy()
    grade = is_grade(v)
    farm = dlbm.isin(farmland_codes()).to_numpy() & given & ~grade
    if farm.any():
        found = sorted({str(t) for t in shown[farm]})[:_EX]
        findings.append(Finding(
            "gddb_not_a_grade",
            f"{source}: {int(farm.sum())} farmland patches ({m2_to_ha(tbdlmj[farm].sum()):.4f} "
            f"ha) have a GDDB (耕地质量等别) that is not a grade 1–15 (e.g. {found}); read as "
            "no grade, so the grade means rest on the other farmland (their rows show the "
            "graded area). Fill the grades from the 耕地质量等别 evaluation",
            int(farm.sum()), "warning", source, _examples(ids, farm)))
    return pd.Series(np.where(grade, v, np.nan), index=raw.index, dtype="float64")


def normalise_landuse(gdf: gpd.GeoDataFrame, *, given: frozenset[str],
                      scheme: str | None = None,
                      repair_areas: bool = False) -> gpd.GeoDataFrame:
    """Normalise codes, complete the official areas and add the data-quality findings.

    Parameters
    ----------
    gdf : GeoDataFrame
        The read frame (text fields as str, area fields float64 with NaN when missing),
        in a projected CRS, with ``attrs["source"]`` and ``attrs["findings"]``.
    given : frozenset of str
        Area fields present in the source (the others are computed).
    scheme : {"sandiao", "ydyh", "gb21010", "auto"}, optional
        The classification of the codes; other schemes are read as 三调 codes by
        :func:`landuse.rules.schemes.read_scheme` (docs/domain.md §7). Default 三调.
    repair_areas : bool
        Repair impossible areas (negative TBMJ, KCXS outside [0, 1], KCMJ < 0 or > TBMJ,
        negative TBDLMJ) with a ``warning`` finding each, instead of raising.

    Returns
    -------
    GeoDataFrame
        The normalised land-use frame (columns of docs/architecture.md), a new object.

    Raises
    ------
    SchemaError
        Empty or unknown DLBM codes, unknown KCDLBM codes: every one listed with its patch
        count and area. Impossible areas (without ``repair_areas``): count and first BSMs
        per rule.
    """
    source = _label(gdf)
    findings: list[Finding] = list(gdf.attrs.get("findings", []))
    src_attrs = dict(gdf.attrs.get("source", {}))
    gdf = gdf.copy(deep=False)
    gdf.attrs = {}  # pandas deep-copies attrs into every derived object: keep them light
    ids = gdf["BSM"]
    dlbm = codes(gdf["DLBM"])
    kcdlbm = codes(gdf["KCDLBM"])
    tbmj_in = gdf["TBMJ"]
    dlbm, kcdlbm, scheme_findings = read_scheme(dlbm, kcdlbm, scheme=scheme,
                                                areas=tbmj_in.fillna(0.0), source=source)
    findings += scheme_findings
    problems = _code_problems(dlbm, tbmj_in.fillna(0.0), ids, "DLBM", source, allow_empty=False)
    problems += _code_problems(kcdlbm, gdf["KCMJ"].fillna(0.0), ids, "KCDLBM", source,
                               allow_empty=True)
    if problems:
        raise SchemaError(
            f"{source}: land-class codes not in the 三调 code table (未知地类编码):\n  - "
            + "\n  - ".join(problems)
            + scheme_hint(sorted(set(unknown_codes(dlbm)["code"])))
            + "\nCorrect the codes in the data (the table is landuse/rules/sandiao_codes.csv, "
            "docs/domain.md §2.1); codes are compared as exact strings after stripping spaces and "
            "upper-casing (0201k = 0201K)"
        )

    ell = ellipsoidal_area(gdf.geometry).to_numpy()
    _check_areas(gdf, ell, ids, source, repair=repair_areas, findings=findings)
    tbmj_in = gdf["TBMJ"]
    tbmj = tbmj_in.to_numpy(copy=True)
    tbmj_missing = np.isnan(tbmj)
    if tbmj_missing.any():
        tbmj[tbmj_missing] = ell[tbmj_missing]
        how = "has no TBMJ field" if "TBMJ" not in given else (
            f"has {int(tbmj_missing.sum())} empty TBMJ values")
        findings.append(Finding(
            "tbmj_computed",
            f"{source} {how}; TBMJ (图斑面积) was computed as the ellipsoidal area of the "
            "geometry on the CRS's ellipsoid (CGCS2000 for the GK zones)",
            int(tbmj_missing.sum()), "info", source, _examples(ids, tbmj_missing)))

    kcxs = gdf["KCXS"].fillna(0.0).to_numpy()
    kcmj = gdf["KCMJ"].to_numpy(copy=True)
    kcmj_missing = np.isnan(kcmj)
    from_ratio = kcmj_missing & (kcxs > 0)
    kcmj[kcmj_missing] = np.round(tbmj[kcmj_missing] * kcxs[kcmj_missing], 2)
    if from_ratio.any():
        findings.append(Finding(
            "kcmj_computed",
            f"{source}: KCMJ (扣除地类面积) missing for {int(from_ratio.sum())} patches with a "
            "deduction ratio; computed as round(TBMJ × KCXS, 2) m²",
            int(from_ratio.sum()), "info", source, _examples(ids, from_ratio)))

    tbdlmj = gdf["TBDLMJ"].to_numpy(copy=True)
    tbdlmj_missing = np.isnan(tbdlmj)
    expected = tbmj - kcmj
    if tbdlmj_missing.any():
        tbdlmj[tbdlmj_missing] = expected[tbdlmj_missing]
        findings.append(Finding(
            "tbdlmj_computed",
            f"{source}: TBDLMJ (图斑地类面积) missing for {int(tbdlmj_missing.sum())} patches; "
            "computed as TBMJ − KCMJ",
            int(tbdlmj_missing.sum()), "info", source, _examples(ids, tbdlmj_missing)))

    diff = np.abs(tbdlmj - expected)
    bad = ~tbdlmj_missing & (diff > TBDLMJ_TOLERANCE_M2)
    if bad.any():
        findings.append(Finding(
            "tbdlmj_mismatch",
            f"{source}: {int(bad.sum())} patches have TBDLMJ ≠ TBMJ − KCMJ beyond "
            f"{TBDLMJ_TOLERANCE_M2} m² (面积不平衡); total difference "
            f"{(tbdlmj - expected)[bad].sum():.2f} m². Official class areas use TBDLMJ as "
            "found; correct the areas in the source",
            int(bad.sum()), "warning", source, _examples(ids, bad)))

    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.abs(tbmj - ell) / ell
    # relative tolerance, with the 0.01 m² precision of the survey as a floor (a 0.03 m²
    # sliver rounded to 0.01 m² is not a mismatch)
    bad = ~tbmj_missing & (rel > TBMJ_RELATIVE_TOLERANCE) & (
        np.abs(tbmj - ell) > TBDLMJ_TOLERANCE_M2)
    if bad.any():
        findings.append(Finding(
            "tbmj_area_mismatch",
            f"{source}: {int(bad.sum())} patches have a TBMJ more than "
            f"{TBMJ_RELATIVE_TOLERANCE:.1%} off the ellipsoidal area of their geometry "
            f"(Σ TBMJ {tbmj[bad].sum():.2f} m² vs ellipsoidal {ell[bad].sum():.2f} m²); "
            "check whether TBMJ holds a planar area or the polygons were edited",
            int(bad.sum()), "warning", source, _examples(ids, bad)))

    real_ids = ~ids.str.startswith("row-")
    dup = (ids.duplicated(keep=False) & real_ids).to_numpy()
    if dup.any():
        findings.append(Finding(
            "duplicate_bsm",
            f"{source}: {int(dup.sum())} patches share a BSM (标识码重复) with another patch "
            f"({ids[dup].nunique()} distinct values); ids must be unique to trace findings",
            int(dup.sum()), "warning", source, sorted(set(ids[dup].tolist()))[:_EX]))

    orphan = (kcmj > 0) & (kcdlbm == "").to_numpy()
    if orphan.any():
        findings.append(Finding(
            "kcmj_without_kcdlbm",
            f"{source}: {int(orphan.sum())} patches have KCMJ > 0 but no KCDLBM (扣除地类编码); "
            f"their {kcmj[orphan].sum():.2f} m² of deductions belong to no class, so class "
            "areas will not add up to Σ TBMJ. Fill KCDLBM (normally 1203 田坎)",
            int(orphan.sum()), "warning", source, _examples(ids, orphan)))

    czcsxm = gdf["CZCSXM"].str.strip().str.upper().astype("str")
    odd = (czcsxm != "") & ~czcsxm.isin(CZCSXM_CODES)
    if odd.any():
        findings.append(Finding(
            "czcsxm_unknown",
            f"{source}: {int(odd.sum())} patches have a CZCSXM (城镇村属性码) outside "
            f"{list(CZCSXM_CODES)}: {sorted(set(czcsxm[odd]))[:_EX]}; the aggregate rules will "
            "not count them in any settlement class",
            int(odd.sum()), "warning", source, _examples(ids, odd)))

    zl = gdf["ZLDWDM"]
    short = (zl != "") & (zl.str.len() != 19)
    if short.any():
        findings.append(Finding(
            "zldwdm_length",
            f"{source}: {int(short.sum())} ZLDWDM (坐落单位代码) values are not 19 characters "
            f"(e.g. {sorted(set(zl[short]))[:3]}); county/township/village codes taken from "
            "their first 6/9/12 characters may be wrong",
            int(short.sum()), "warning", source, _examples(ids, short)))

    survey = normalise_survey_fields(gdf, ids, source, findings)
    gddb = _grades(gdf["GDDB"], dlbm, tbdlmj, ids, source, findings) if "GDDB" in gdf else None

    overlap = overlap_finding(gdf.geometry, ids, source=source, min_area_m2=OVERLAP_MIN_M2)
    if overlap is not None:
        findings.append(overlap)

    out = gpd.GeoDataFrame(
        {
            "BSM": ids, "DLBM": dlbm, "DLMC": gdf["DLMC"],
            "TBMJ": pd.Series(tbmj, index=gdf.index, dtype="float64"),
            "KCDLBM": kcdlbm,
            "KCXS": pd.Series(kcxs, index=gdf.index, dtype="float64"),
            "KCMJ": pd.Series(kcmj, index=gdf.index, dtype="float64"),
            "TBDLMJ": pd.Series(tbdlmj, index=gdf.index, dtype="float64"),
            "ZLDWDM": zl, "ZLDWMC": gdf["ZLDWMC"], "QSDWDM": gdf["QSDWDM"],
            "QSXZ": gdf["QSXZ"], "CZCSXM": czcsxm, **survey,
            **({"GDDB": gddb} if gddb is not None else {}),
            "county": zl.str.slice(0, 6).astype("str"),
            "township": zl.str.slice(0, 9).astype("str"),
            "village": zl.str.slice(0, 12).astype("str"),
        },
        geometry=gdf.geometry.to_numpy(), crs=gdf.crs, index=gdf.index,
    )
    years = _survey_years(gdf["SJNF"] if "SJNF" in gdf.columns else pd.Series([], dtype="str"),
                          source)
    out.attrs = {"source": src_attrs, "findings": findings, "survey_years": years}
    return mark_normalised(out, ("DLBM", "KCDLBM", "CZCSXM"))


def _survey_years(sjnf: pd.Series, source: str) -> dict[int, int]:
    """``{year: patches}`` of the SJNF (数据年份) field ({} when absent or empty).

    Values are read as their leading 4 digits (``2022``, ``2022.0``, ``2022-12-31``); a
    non-empty value without them is a :class:`SchemaError`.
    """
    t = sjnf.astype("str").str.strip()
    t = t[t != ""]
    year = t.str.extract(r"^((?:19|20)\d\d)(?:\.0+|[-/年].*)?$")[0]
    bad = t[year.isna()]
    if len(bad):
        raise SchemaError(
            f"{source}: {len(bad)} SJNF (数据年份 survey year) values are not years, e.g. "
            f"{sorted(set(bad))[:5]}; write the 4-digit year of the survey (e.g. 2022)")
    counts = year.astype(int).value_counts()
    return {int(k): int(v) for k, v in sorted(counts.items())}
