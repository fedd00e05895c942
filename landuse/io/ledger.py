"""The land-supply ledger (供地台账, docs/contract.md §2.1): read, validate, locate parcels.

A ledger is a CSV (UTF-8, UTF-8 with BOM, or GBK) or an XLSX sheet with one row per
parcel. English column names of docs/contract.md §2.1 and the Chinese headers of
:data:`HEADER_SYNONYMS` are accepted (case, spaces and a unit in brackets are ignored;
an area header in 亩 is converted to ha). Parcels are located either by their ``zone``
column or by a geometry (a vector layer or boundary-point TXT files joined on
``parcel_id``) overlaid on the townships, largest overlap wins.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from landuse.errors import CRSError, InputFileError, SchemaError
from landuse.findings import Finding, attach_findings
from landuse.io._curves import read_vector
from landuse.io._vocab import yes_no
from landuse.io.boundary_txt import read_boundary_txt
from landuse.io.tables import read_table_cells
from landuse.units import mu_to_ha

__all__ = [
    "HEADER_SYNONYMS",
    "LEDGER_COLUMNS",
    "assign_zones",
    "read_land_supply",
    "read_parcels",
]

LEDGER_COLUMNS = [
    "parcel_id", "batch_id", "approved_date", "approved_area_ha", "supplied_date",
    "supplied_area_ha", "supply_type", "land_source", "agreed_start_date", "actual_start_date",
    "developed_share", "invested_share", "suspended_since", "government_delay", "zone",
]
_DATES = ["approved_date", "supplied_date", "agreed_start_date", "actual_start_date",
          "suspended_since"]
_AREAS = ["approved_area_ha", "supplied_area_ha"]
_SHARES = ["developed_share", "invested_share"]

#: Accepted headers per column (compared after removing spaces, case and a bracketed unit).
HEADER_SYNONYMS: dict[str, list[str]] = {
    "parcel_id": ["地块编号", "宗地编号", "地块号", "电子监管号", "parcel_no"],
    "batch_id": ["批次", "批次号", "批次名称", "批准文号", "批复文号"],
    "approved_date": ["批准日期", "批准时间", "批复日期", "批复时间"],
    "approved_area_ha": ["批准面积", "批复面积", "approved_area"],
    "supplied_date": ["供地日期", "供应日期", "供地时间", "合同签订日期"],
    "supplied_area_ha": ["供地面积", "供应面积", "supplied_area"],
    "supply_type": ["供地方式", "供应方式"],
    "land_source": ["土地来源"],
    "agreed_start_date": ["约定动工日期", "约定开工日期", "合同约定动工日期", "约定动工开发日期"],
    "actual_start_date": ["实际动工日期", "实际开工日期", "实际动工开发日期"],
    "developed_share": ["已开发比例", "开发比例", "已开发面积比例"],
    "invested_share": ["已投资比例", "投资比例", "已投资额比例"],
    "suspended_since": ["停工日期", "中止开发日期", "停止开发日期", "中止开发建设日期"],
    "government_delay": ["政府原因", "政府原因延迟", "是否政府原因"],
    "zone": ["行政区代码", "乡镇代码", "所在乡镇代码", "zone_code"],
    "disposal_method": ["处置方式", "闲置土地处置方式"],
    "disposal_date": ["处置日期", "处置时间"],
    "idle_fee_10k_yuan": ["闲置费", "土地闲置费", "征缴闲置费"],
}
#: Optional columns of idle-land disposal (闲置土地处置); empty when the ledger lacks them.
DISPOSAL_COLUMNS = ["disposal_method", "disposal_date", "idle_fee_10k_yuan"]
#: Disposal methods of 闲置土地处置办法 Art. 12 and Art. 14 (text found -> the method).
DISPOSAL_METHODS = {"延长": "延长动工开发期限", "调整": "调整土地用途或规划条件",
                    "临时使用": "安排临时使用", "协议有偿收回": "协议有偿收回",
                    "有偿收回": "协议有偿收回", "置换": "置换土地", "无偿收回": "无偿收回",
                    "闲置费": "征缴土地闲置费", "其他": "其他"}
_UNIT_RE = re.compile(r"[(（]([^)）]*)[)）]")


def _norm(header: str) -> tuple[str, str]:
    """Return the header without spaces, case and bracketed unit, and the unit text."""
    h = str(header).replace("\ufeff", "").strip()
    m = _UNIT_RE.search(h)
    unit = m.group(1).strip() if m else ""
    return _UNIT_RE.sub("", h).replace(" ", "").lower(), unit


def _match_headers(columns: Iterable[Any], lookup: Mapping[str, str]
                   ) -> list[tuple[Any, str, str, Any | None]]:
    """Match a table's headers to its columns: the one rule of the ledger and bureau readers.

    Returns ``(header, column, unit, earlier)`` for each header whose name (without
    spaces, case and bracketed unit, :func:`_norm`) is a key of ``lookup``, in the file's
    order; ``unit`` is the bracketed unit text, ``earlier`` the first header that already
    named the same column (a duplicate the caller reports) or ``None``.
    """
    first: dict[str, Any] = {}
    out = []
    for header in columns:
        key, unit = _norm(header)
        column = lookup.get(key)
        if column is None:
            continue
        out.append((header, column, unit, first.get(column)))
        first.setdefault(column, header)
    return out


def _lookup() -> dict[str, str]:
    table = {c: c for c in [*LEDGER_COLUMNS, *DISPOSAL_COLUMNS]}
    for col, names in HEADER_SYNONYMS.items():
        table.update({_norm(n)[0]: col for n in names})
    return table


def _cells(col: pd.Series) -> list[Any]:
    return [None if (v is None or (isinstance(v, float) and np.isnan(v)) or
                     (isinstance(v, str) and not v.strip())) else v for v in col]


def _text(v: Any) -> str:
    """Return a cell as text (Excel stores codes such as 370321100 as numbers: 370321100.0)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _dates(col: pd.Series, name: str, problems: list, lines: np.ndarray) -> pd.Series:
    """Parse dates written YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYYMMDD or YYYY年M月D日."""
    cells = _cells(col)
    direct = pd.to_datetime(pd.Series([pd.Timestamp(v) if isinstance(v, _dt.date) else pd.NaT
                                       for v in cells], dtype=object)).to_numpy("datetime64[ns]")
    text = pd.Series(["" if (v is None or isinstance(v, _dt.date)) else str(v).strip()
                      for v in cells], dtype=str)
    norm = (text.str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
            .str.replace(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$", r"\1-\2-\3",
                         regex=True)
            .str.replace(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", regex=True)
            .str.replace(r"\s+0{1,2}:0{1,2}(:0{1,2})?$", "", regex=True))
    parsed = pd.to_datetime(norm, format="%Y-%m-%d", errors="coerce").to_numpy("datetime64[ns]")
    out = np.where(pd.isna(parsed), direct, parsed)
    for k in np.flatnonzero((text != "").to_numpy() & pd.isna(parsed)):
        problems.append((lines[k], name, cells[k], "write the date as YYYY-MM-DD, e.g. "
                                                   "2020-03-01 (and check that the day exists)"))
    return pd.Series(out, index=col.index).dt.normalize()


def _numbers(col: pd.Series, name: str, problems: list, lines: np.ndarray, *, share: bool,
             factor: float = 1.0, unit: str = "hectares") -> pd.Series:
    out = np.full(len(col), np.nan)
    for k, (v, ln) in enumerate(zip(_cells(col), lines, strict=True)):
        if v is None:
            continue
        text = str(v).strip().replace(",", "")
        pct = share and text.endswith("%")
        try:
            x = float(text.rstrip("%")) / (100.0 if pct else 1.0)
        except ValueError:
            problems.append((ln, name, v, "write a number" + (" between 0 and 1 (or 35%)"
                                                            if share else f" in {unit}")))
            continue
        if not np.isfinite(x) or x < 0 or (share and x > 1):
            fix = ("a share between 0 and 1 (e.g. 0.35 or 35%)" if share
                   else f"a non-negative number in {unit}")
            problems.append((ln, name, v, f"expected {fix}"))
            continue
        out[k] = x * factor
    return pd.Series(out, index=col.index)


def _choices(col: pd.Series, name: str, problems: list, lines: np.ndarray,
             allowed: dict[str, str]) -> pd.Series:
    out = []
    for v, ln in zip(_cells(col), lines, strict=True):
        text = "" if v is None else str(v).strip()
        hit = next((std for key, std in allowed.items() if key in text.lower()), None)
        if text and hit is None:
            problems.append((ln, name, v, f"expected one of {sorted(set(allowed.values()))}"))
        out.append(hit or "")
    return pd.Series(out, index=col.index, dtype=str)


def read_land_supply(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    parcels: gpd.GeoDataFrame | None = None,
    townships: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Read and validate a land-supply ledger (docs/contract.md §2.1).

    Parameters
    ----------
    path : path-like
        CSV (UTF-8, UTF-8 with BOM or GBK) or XLSX (first sheet), header in the first row.
    encoding : str, optional
        For CSV; default: BOM -> UTF-8, else strict UTF-8, else GBK.
    parcels : geopandas.GeoDataFrame, optional
        Parcel geometries with ``parcel_id`` (see :func:`read_parcels` for TXT files or a
        vector layer). With ``townships``, each ledger parcel that has a geometry gets its
        ``zone`` from the township it overlaps most (see :func:`assign_zones`).
    townships : geopandas.GeoDataFrame, optional
        Columns ``zone`` (9-digit code), ``zone_name`` and geometry, same CRS as ``parcels``.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`LEDGER_COLUMNS`: ids and ``supply_type`` (出让/划拨 or ''),
        ``land_source`` (存量/新增 or ''), ``zone`` (6- or 9-digit code or '') as str; dates
        as datetime64 (NaT when empty; an empty ``supplied_date`` = not supplied); areas in
        ha and shares in 0-1 as float (NaN when empty); ``government_delay`` as bool; plus
        ``zone_source`` (``ledger``, ``geometry`` or ''). ``attrs["source"]`` and
        ``attrs["findings"]`` as for every reader.

    Raises
    ------
    InputFileError
        The file cannot be read or decoded.
    SchemaError
        Missing columns, or bad values: every problem is listed once with its line (CSV:
        the file's line number; XLSX: the sheet's row number), column, value and fix.
    """
    path = Path(path)
    raw, enc, data, word = read_table_cells(path, encoding, what="land-supply ledger",
                                            key="tables.land_supply")
    table = _lookup()
    rename: dict[str, str] = {}
    factors: dict[str, float] = {}
    findings: list[Finding] = []
    for h, std, unit, earlier in _match_headers(raw.columns, table):
        if earlier is not None:
            raise SchemaError(f"ledger {path}: columns {h!r} and {earlier!r} both mean {std}; "
                              "keep one")
        rename[h] = std
        if std in _AREAS and "亩" in unit:
            factors[std] = mu_to_ha(1.0)
        if std == "idle_fee_10k_yuan" and unit and unit != "万元":
            raise SchemaError(f"ledger {path}: column {h!r} is in {unit!r}; the idle-land fee is "
                              "read in 万元: convert the column")
    missing = [c for c in LEDGER_COLUMNS if c not in rename.values() and c != "zone"]
    if missing:
        accepted = "; ".join(f"{c} ({'/'.join(HEADER_SYNONYMS[c][:3])})" for c in missing)
        raise SchemaError(f"ledger {path} lacks the column(s) {accepted}; found "
                          f"{[str(c) for c in raw.columns]}. Rename the headers as in "
                          "docs/contract.md §2.1")
    ignored = [str(c) for c in raw.columns if c not in rename]
    if ignored:
        findings.append(Finding("columns_ignored", f"ledger {path}: columns not used: {ignored}",
                                len(ignored), "info", str(path), ignored[:5]))
    df = raw.rename(columns=rename)
    lines = np.arange(len(df)) + 2
    problems: list[tuple[Any, str, Any, str]] = []
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for c in ("parcel_id", "batch_id", "zone"):
        out[c] = (pd.Series([_text(v) for v in _cells(df[c])], dtype=str) if c in df
                  else pd.Series([""] * len(df), dtype=str))
    for c in _DATES:
        out[c] = _dates(df[c], c, problems, lines)
    for c in _AREAS:
        out[c] = _numbers(df[c], c, problems, lines, share=False, factor=factors.get(c, 1.0))
    for c in _SHARES:
        out[c] = _numbers(df[c], c, problems, lines, share=True)
    out["supply_type"] = _choices(df["supply_type"], "supply_type", problems, lines,
                                  {"出让": "出让", "划拨": "划拨", "transfer": "出让",
                                   "allocation": "划拨"})
    out["land_source"] = _choices(df["land_source"], "land_source", problems, lines,
                                  {"存量": "存量", "新增": "新增", "stock": "存量", "new": "新增"})
    gov = []
    for v, ln in zip(_cells(df["government_delay"]), lines, strict=True):
        said = yes_no(v)
        if said is None:
            problems.append((ln, "government_delay", v, "write true/false (是/否)"))
        gov.append(bool(said))
    out["government_delay"] = np.array(gov, dtype=bool)
    _disposal(df, out, problems, lines)
    flagged = {(ln, col) for ln, col, _, _ in problems}
    cross: list[tuple[Any, str, Any, str]] = []
    _cross_checks(out, lines, cross)
    problems += [p for p in cross if (p[0], p[1]) not in flagged]
    problems.sort(key=lambda p: p[0])
    if problems:
        shown = "\n".join(f"  {word} {ln}, {col}: {val!r}: {fix}"
                          for ln, col, val, fix in problems[:25])
        more = f"\n  ... and {len(problems) - 25} more" if len(problems) > 25 else ""
        raise SchemaError(f"ledger {path}: {len(problems)} bad value(s):\n{shown}{more}")
    out["zone_source"] = np.where(out["zone"] != "", "ledger", "")
    out = out[[*LEDGER_COLUMNS, "zone_source", *DISPOSAL_COLUMNS]]
    if parcels is not None and townships is not None:
        out = assign_zones(out, parcels, townships)
    elif parcels is not None:
        findings.append(Finding("no_townships", f"ledger {path}: parcel geometries were given "
                                "without townships; zones come from the zone column", 1, "info",
                                str(path)))
    out.attrs["source"] = {"role": "land_supply", "path": str(path), "encoding": enc,
                           "sha256": hashlib.sha256(data).hexdigest(), "rows": len(out),
                           "columns": {str(k): v for k, v in rename.items()}}
    attach_findings(out, findings)
    return out


def _disposal(df: pd.DataFrame, out: pd.DataFrame, problems: list, lines: np.ndarray) -> None:
    """Parse the optional disposal columns: method (Art. 12 / 14), date, fee (万元)."""
    n = len(df)
    out["disposal_method"] = (_choices(df["disposal_method"], "disposal_method", problems, lines,
                                       DISPOSAL_METHODS) if "disposal_method" in df
                              else pd.Series([""] * n, dtype=str))
    out["disposal_date"] = (_dates(df["disposal_date"], "disposal_date", problems, lines)
                            if "disposal_date" in df
                            else pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]"))
    out["idle_fee_10k_yuan"] = (_numbers(df["idle_fee_10k_yuan"], "idle_fee_10k_yuan", problems,
                                         lines, share=False, unit="万元")
                                if "idle_fee_10k_yuan" in df else pd.Series(np.nan,
                                                                            index=out.index))
    for k in np.flatnonzero((out["disposal_method"] != "").to_numpy()
                            & out["disposal_date"].isna().to_numpy()):
        problems.append((lines[k], "disposal_date", "", "a disposal needs its date"))


def _cross_checks(out: pd.DataFrame, lines: np.ndarray, problems: list) -> None:
    """Row-level consistency: ids, supply pairs, agreed start of supplied parcels, zones."""
    for k in np.flatnonzero(out["parcel_id"].to_numpy() == ""):
        problems.append((lines[k], "parcel_id", "", "every row needs a parcel id"))
    dup = out["parcel_id"].duplicated(keep="first") & (out["parcel_id"] != "")
    for k in np.flatnonzero(dup):
        problems.append((lines[k], "parcel_id", out["parcel_id"].iat[k],
                         "parcel ids must be unique; merge or renumber the rows"))
    sup = out["supplied_date"].notna().to_numpy()
    area = out["supplied_area_ha"].notna().to_numpy()
    for k in np.flatnonzero(sup & ~area):
        problems.append((lines[k], "supplied_area_ha", "", "a supplied parcel needs its area"))
    for k in np.flatnonzero(~sup & area & (out["supplied_area_ha"].fillna(0) > 0).to_numpy()):
        problems.append((lines[k], "supplied_date", "", "an area is supplied but the date is "
                         "empty; give the supply date or clear the area"))
    for k in np.flatnonzero(sup & out["agreed_start_date"].isna().to_numpy()):
        problems.append((lines[k], "agreed_start_date", "", "a supplied parcel needs the start "
                         "date agreed in its contract or allocation decision"))
    for k in np.flatnonzero(out["approved_area_ha"].isna().to_numpy()):
        problems.append((lines[k], "approved_area_ha", "", "every row needs the approved area"))
    early = (out["supplied_date"] < out["approved_date"]).to_numpy()
    for k in np.flatnonzero(early):
        problems.append((lines[k], "supplied_date", str(out["supplied_date"].iat[k].date()),
                         f"supplied before it was approved ({out['approved_date'].iat[k].date()}); "
                         "correct one of the two dates"))
    over = (out["supplied_area_ha"] > out["approved_area_ha"] * 1.0001).to_numpy()
    for k in np.flatnonzero(over):
        problems.append((lines[k], "supplied_area_ha", out["supplied_area_ha"].iat[k],
                         f"more than the approved area ({out['approved_area_ha'].iat[k]} ha); a "
                         "parcel cannot supply more than was approved: correct the areas"))
    zone_ok = out["zone"].str.fullmatch(r"(\d{6}|\d{9}|\d{12})?").to_numpy()
    for k in np.flatnonzero(~zone_ok):
        problems.append((lines[k], "zone", out["zone"].iat[k], "a 6-digit county or 9-digit "
                         "township code, or empty"))


def read_parcels(
    sources: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    encoding: str | None = None,
    layer: str | None = None,
    working_crs: Any = None,
    region_code: str | None = None,
) -> gpd.GeoDataFrame:
    """Read parcel geometries for the ledger from boundary-point TXT files or a vector layer.

    Parameters
    ----------
    sources : path-like or iterable of path-likes
        ``.txt`` files (their ``parcel_no`` becomes ``parcel_id``) or vector files whose
        layer has a ``parcel_id`` (or ``parcel_no`` / 地块编号) column.
    encoding : str, optional
        Passed to :func:`landuse.io.boundary_txt.read_boundary_txt` for TXT files.
    layer : str, optional
        Layer of a vector file.
    working_crs : CRS-like, optional
        Reproject every file to this CRS (an ``info`` finding per file moved). Without it,
        files in different CRSs are an error.
    region_code : str, optional
        The county's code (``region.code``): TXT parcels outside its province are a finding.

    Returns
    -------
    geopandas.GeoDataFrame
        ``parcel_id`` (str) and ``geometry`` in one CRS; the readers' findings, plus
        ``duplicate_parcel_id`` (warning) when an id occurs twice (the first geometry is used
        by :func:`assign_zones` and :func:`~landuse.indicators.supply_idle.idle_parcels`).
    """
    paths = [Path(sources)] if isinstance(sources, str | os.PathLike) else [Path(p) for p in
                                                                          sources]
    if not paths:
        raise InputFileError("no parcel files were given for the land-supply ledger; give TXT "
                             "files or a vector layer with parcel_id")
    frames = []
    findings: list[Finding] = []
    for p in paths:
        if p.suffix.lower() == ".txt":
            g = read_boundary_txt(p, encoding=encoding, region_code=region_code).rename(
                columns={"parcel_no": "parcel_id"})
        else:
            try:
                g = read_vector(p, layer=layer)  # curves linearised, with a finding
            except (OSError, DataSourceError, DataLayerError) as exc:
                raise InputFileError(f"cannot read the parcel layer {layer or ''} of {p}: {exc}; "
                                     "check the path and the layer name") from None
            idcol = next((c for c in g.columns if c.lower() in ("parcel_id", "parcel_no")
                          or c == "地块编号"), None)
            if idcol is None:
                raise SchemaError(f"parcel layer {p} has no parcel_id column; found "
                                  f"{list(g.columns)}. Add parcel_id matching the ledger")
            g = g.rename(columns={idcol: "parcel_id"})
        findings += list(g.attrs.get("findings", []))
        sub = gpd.GeoDataFrame(g[["parcel_id"]].copy(), geometry=g.geometry.values, crs=g.crs)
        if working_crs is not None and sub.crs is not None and not sub.crs.equals(working_crs):
            findings.append(Finding("reprojected", f"parcels of {p} reprojected from "
                                    f"{sub.crs.to_string()} to {working_crs}", len(sub), "info",
                                    str(p)))
            sub = sub.to_crs(working_crs)
        frames.append(sub)
    crss = {str(f.crs) for f in frames}
    if len(crss) > 1:
        raise CRSError(f"parcel files {[str(p) for p in paths]} are in different CRSs {crss}; "
                       "pass working_crs= (e.g. 'EPSG:4527') or reproject them to one")
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    out["parcel_id"] = out["parcel_id"].astype(str)
    out.attrs = {"source": {"role": "land_supply_parcels", "paths": [str(p) for p in paths],
                            "features": len(out), "crs": str(out.crs)}}
    dup = out["parcel_id"].duplicated()
    if dup.any():
        ids = sorted(set(out["parcel_id"][dup]))
        findings.append(Finding(
            "duplicate_parcel_id", f"parcel ids {ids[:5]} occur more than once in the parcel "
            "files; the first geometry of each is used", int(dup.sum()), "warning",
            str(paths[0]), ids[:5]).warn())
    attach_findings(out, findings)
    return out


def assign_zones(
    ledger: pd.DataFrame, parcels: gpd.GeoDataFrame, townships: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Set each ledger parcel's ``zone`` to the township its geometry overlaps most.

    Parameters
    ----------
    ledger : pandas.DataFrame
        As returned by :func:`read_land_supply`.
    parcels : geopandas.GeoDataFrame
        ``parcel_id`` and polygon geometry, projected CRS (planar overlap areas, m²).
    townships : geopandas.GeoDataFrame
        ``zone`` (9 digits), ``zone_name``, geometry; same CRS as ``parcels``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``ledger`` whose ``zone`` is the township of largest overlap where a
        geometry exists (``zone_source = "geometry"``); other rows keep the ledger's zone.
        Findings: ``zone_conflict`` (ledger zone differs; the geometry wins),
        ``no_geometry`` (ledger parcels without geometry) and ``outside_townships``.
    """
    if parcels.crs is None or townships.crs is None or parcels.crs != townships.crs:
        raise CRSError(f"parcels ({parcels.crs}) and townships ({townships.crs}) must share one "
                       "projected CRS; reproject one of them (e.g. to EPSG:4527)")
    if parcels.crs.is_geographic:
        raise CRSError("parcel overlap areas need a projected CRS; parcels are "
                       f"{parcels.crs.to_string()}: reproject them, e.g. to EPSG:4527")
    out = ledger.copy()
    findings: list[Finding] = []
    geo = parcels[parcels["parcel_id"].astype(str).isin(set(out["parcel_id"]))]
    left, right = shapely.STRtree(townships.geometry.values).query(geo.geometry.values,
                                                                   predicate="intersects")
    area = shapely.area(shapely.intersection(geo.geometry.values[left],
                                             townships.geometry.values[right]))
    pairs = pd.DataFrame({"parcel_id": geo["parcel_id"].astype(str).to_numpy()[left],
                          "zone": townships["zone"].astype(str).to_numpy()[right], "area": area})
    best = pairs[pairs["area"] > 0].sort_values(["parcel_id", "area", "zone"],
                                                ascending=[True, False, True])
    best = best.drop_duplicates("parcel_id").set_index("parcel_id")["zone"]
    # str dtype even when no parcel overlaps any township (then ``best`` is empty and map
    # would give float64 NaN, on which fillna("") is a pandas warning)
    new = out["parcel_id"].map(best).astype("str")
    has = new.notna().to_numpy()
    conflict = has & (out["zone"] != "").to_numpy() & (out["zone"] != new.fillna("")).to_numpy()
    if conflict.any():
        ids = out["parcel_id"][conflict].tolist()
        findings.append(Finding("zone_conflict", f"{int(conflict.sum())} ledger parcel(s) have a "
                                "zone that differs from the township their geometry overlaps "
                                "most; the geometry's township is used: check the ledger",
                                int(conflict.sum()), "warning", "land_supply", ids[:5]))
    out.loc[has, "zone"] = new[has].to_numpy()
    out.loc[has, "zone_source"] = "geometry"
    with_geom = out["parcel_id"].isin(set(geo["parcel_id"].astype(str))).to_numpy()
    for code, mask, what in (("no_geometry", ~with_geom, "have no geometry (located by the zone "
                              "column)"), ("outside_townships", with_geom & ~has,
                                           "lie outside every township")):
        if mask.any():
            findings.append(Finding(code, f"{int(mask.sum())} ledger parcel(s) {what}",
                                    int(mask.sum()), "info" if code == "no_geometry"
                                    else "warning", "land_supply",
                                    out["parcel_id"][mask].tolist()[:5]))
    for f in findings:
        if f.severity == "warning":
            f.warn(stacklevel=3)
    out.attrs = dict(ledger.attrs)
    attach_findings(out, findings)
    return out
