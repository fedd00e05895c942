"""Readers of the county vector layers.

The 三调 land-use layer (DLTB), townships (XZQ), the three control lines, protected areas
and mining rights.

Every reader opens GeoPackage, Shapefile (``.shp`` or zipped), FileGDB (``.gdb``),
GeoJSON, FlatGeobuf or GeoParquet; matches field names case-insensitively (renames by
``fields={standard: theirs}``); decodes Shapefile text in the detected or given encoding;
brings the layer to a projected working CRS; checks and repairs polygons; and returns a
normalised GeoDataFrame with ``attrs["source"]`` (role, path, layer, sha256, features,
crs, encoding) and ``attrs["findings"]`` (list of :class:`~landuse.findings.Finding`).

Findings of severity ``warning`` are also emitted as
:class:`~landuse.errors.LanduseWarning`; ``info`` findings (documented normalisations such
as the detected encoding) are only recorded. Bad input raises one error naming the file,
layer, field and values, and the fix. See ``docs/io.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse._validate import raise_problems
from landuse.errors import ConfigError, SchemaError
from landuse.findings import Finding
from landuse.io._landuse import normalise_landuse
from landuse.io._layer import (
    PathLike,
    codes,
    dates,
    emit,
    finish,
    ids_of,
    number,
    read_standard,
    read_txt,
    text,
)
from landuse.io._survey_fields import SURVEY_FIELDS
from landuse.io._vocab import (
    CATEGORIES,
    NATURE_PARK_SUBTYPES,
    RIGHT_TYPES,
    STAGES,
    ZONES,
    normalise_category,
    normalise_vocab,
)
from landuse.io.crs import ellipsoidal_area
from landuse.rules import mark_normalised, unknown_codes

ControlLineKind = Literal["ecological_redline", "permanent_farmland", "urban_boundary",
                          "high_standard_farmland"]

__all__ = [
    "read_control_line",
    "read_landuse",
    "read_mining_rights",
    "read_protected_areas",
    "read_townships",
]


# --------------------------------------------------------------------------- land use

LANDUSE_FIELDS = ("BSM", "DLBM", "DLMC", "TBMJ", "KCDLBM", "KCXS", "KCMJ", "TBDLMJ",
                  "ZLDWDM", "ZLDWMC", "QSDWDM", "QSXZ", "CZCSXM", "SJNF", *SURVEY_FIELDS,
                  "GDDB")
_LANDUSE_NUMERIC = ("TBMJ", "KCXS", "KCMJ", "TBDLMJ")


def read_landuse(
    path: PathLike,
    *,
    layer: str | None = None,
    fields: Mapping[str, str] | None = None,
    encoding: str | None = None,
    working_crs: Any | None = None,
    scheme: str | None = None,
    repair_areas: bool = False,
) -> gpd.GeoDataFrame:
    """Read a 三调 land-use layer (DLTB, 地类图斑) into the normalised land-use frame.

    Parameters
    ----------
    path : path-like
        GeoPackage, Shapefile (``.shp`` or ``.zip``), FileGDB folder (``.gdb``), GeoJSON,
        FlatGeobuf or GeoParquet file.
    layer : str, optional
        Layer name (case-insensitive); default: the only layer, else ``DLTB``.
    fields : mapping, optional
        Renames ``{standard: theirs}``, e.g. ``{"DLBM": "dlbm_code"}``. Standard names:
        BSM, DLBM (required), DLMC, TBMJ, KCDLBM, KCXS, KCMJ, TBDLMJ, ZLDWDM, ZLDWMC, QSDWDM,
        QSXZ, CZCSXM, GDLX, GDPDJB, TBXHDM, ZZSXDM, FRDBS.
    encoding : str, optional
        Text encoding of a Shapefile's .dbf (e.g. ``"GBK"``); default: .cpg, else detected.
    working_crs : CRS-like, optional
        Projected CRS to bring the layer to; default: the layer's own projected CRS, or for
        a geographic layer the CGCS2000 3-degree GK zone containing it (with zone prefix).
    scheme : {"sandiao", "ydyh", "gb21010", "auto"}, optional
        The classification the codes are in (default 三调); 用地用海 and GB/T 21010-2017
        codes are read as 三调 codes (:mod:`landuse.rules.schemes`, with findings).
    repair_areas : bool
        Repair impossible areas (negative TBMJ, KCXS outside [0, 1], KCMJ < 0 or > TBMJ,
        negative TBDLMJ) with a ``warning`` finding each, instead of raising SchemaError
        (docs/domain.md, "Impossible areas").

    Returns
    -------
    GeoDataFrame
        Columns BSM, DLBM, DLMC, TBMJ, KCDLBM, KCXS, KCMJ, TBDLMJ, ZLDWDM, ZLDWMC, QSDWDM,
        QSXZ, CZCSXM, GDLX, GDPDJB, TBXHDM, ZZSXDM, FRDBS, county, township, village,
        geometry (see docs/architecture.md); areas in m². TBMJ is the ellipsoidal area
        (CGCS2000 ellipsoid); when absent it is computed as the ellipsoidal area of the
        geometry, TBDLMJ as TBMJ − KCMJ, KCMJ as
        round(TBMJ × KCXS, 2) (or 0 without KCXS), each with a finding.

    Raises
    ------
    InputFileError
        Missing file or layer (layers listed), empty layer, undecodable text.
    SchemaError
        Missing DLBM (fields and closest names listed), non-numeric area fields (examples),
        unknown or empty DLBM / KCDLBM codes (each with its count and TBMJ area).
    CRSError
        The layer has no CRS, or ``working_crs`` is not projected.
    GeometryError
        The layer holds points or lines.

    Warns
    -----
    LanduseWarning
        For each ``warning`` finding: repaired or dropped geometries, overlapping patches,
        TBDLMJ ≠ TBMJ − KCMJ, TBMJ off the ellipsoidal area by more than 0.5 %, duplicate
        BSM, KCMJ without KCDLBM, unknown CZCSXM, a geographic layer reprojected.

    Examples
    --------
    >>> lu = read_landuse("sample_data/huantai.gpkg", layer="DLTB")
    >>> len(lu), lu.crs.to_epsg()
    (13461, 4527)
    >>> lu.groupby("DLBM")["TBDLMJ"].sum().head(3).round(1)
    DLBM
    0101      3006350.7
    0102    261766870.2
    0103     20678303.1
    Name: TBDLMJ, dtype: float64
    """
    lyr = read_standard(path, role="landuse", what="land-use layer (三调 DLTB 地类图斑)",
                        standard=LANDUSE_FIELDS, required=("DLBM",), numeric=_LANDUSE_NUMERIC,
                        default_layers=("DLTB",), layer=layer, fields=fields, encoding=encoding,
                        working_crs=working_crs)
    ids = ids_of(lyr, ("BSM",))
    g = lyr.gdf
    cols: dict[str, pd.Series] = {"BSM": ids}
    for name in ("DLBM", "DLMC", "KCDLBM", "ZLDWDM", "ZLDWMC", "QSDWDM", "QSXZ", "CZCSXM",
                 "SJNF"):
        cols[name] = text(g[name]) if name in g.columns else pd.Series("", index=g.index,
                                                                         dtype="str")
    for name in SURVEY_FIELDS:  # optional survey fields: normalised in _survey_fields
        if name in g.columns:
            cols[name] = text(g[name])
    if "GDDB" in g.columns:  # 耕地质量等别 (1–15), only when the layer has it: checked and
        cols["GDDB"] = g["GDDB"]  # made a number in normalise_landuse
    for name in _LANDUSE_NUMERIC:
        cols[name] = number(g[name]) if name in g.columns else pd.Series(
            np.nan, index=g.index, dtype="float64")
    out = finish(lyr, cols, role="landuse", area_column="TBMJ", ids=ids)
    return emit(normalise_landuse(out, given=frozenset(c for c in _LANDUSE_NUMERIC
                                                        if c in g.columns), scheme=scheme,
                                  repair_areas=repair_areas))


# --------------------------------------------------------------------------- townships

def read_townships(
    path: PathLike,
    *,
    layer: str | None = None,
    fields: Mapping[str, str] | None = None,
    encoding: str | None = None,
    working_crs: Any | None = None,
) -> gpd.GeoDataFrame:
    """Read the township layer (XZQ, 行政区) into ``zone``, ``zone_name``, geometry.

    ``XZQDM`` must hold 9-digit township codes; 12-digit codes padded with ``000`` (as
    some XZQ layers write them) are cut to 9 digits with an ``info`` finding.

    Parameters
    ----------
    path, layer, fields, encoding, working_crs
        As for :func:`read_landuse`; default layer ``XZQ``; standard fields XZQDM
        (required), XZQMC, KZMJ (控制面积, m²).

    Returns
    -------
    GeoDataFrame
        ``zone`` (str, 9 digits), ``zone_name`` (str, '' if absent), ``control_area_m2``
        (float64, only when the layer has KZMJ), geometry (polygons in the working CRS).

    Raises
    ------
    SchemaError
        Missing XZQDM, or codes that are not township codes (examples listed).
    """
    lyr = read_standard(path, role="townships", what="township layer (XZQ 行政区)",
                        standard=("XZQDM", "XZQMC", "KZMJ"), required=("XZQDM",),
                        numeric=("KZMJ",),
                        default_layers=("XZQ",), layer=layer, fields=fields, encoding=encoding,
                        working_crs=working_crs)
    code = text(lyr.gdf["XZQDM"])
    padded = (code.str.len() > 9) & code.str.slice(9).str.fullmatch("0+")
    if padded.any():
        lyr.findings.append(Finding(
            "zone_code_padded",
            f"{lyr.source.label}: {int(padded.sum())} XZQDM codes carry trailing zeros beyond "
            "9 digits; cut to the 9-digit township code",
            int(padded.sum()), "info", lyr.source.label))
        code = code.where(~padded, code.str.slice(0, 9)).astype("str")
    bad = ~code.str.fullmatch(r"\d{9}")
    if bad.any():
        raise SchemaError(
            f"{lyr.source.label}: XZQDM must hold 9-digit township codes (乡镇代码, e.g. "
            f"370321100) but {int(bad.sum())} values do not, e.g. {sorted(set(code[bad]))[:5]}. "
            "Give the township layer, or map the right field with fields={'XZQDM': '...'}"
        )
    name = text(lyr.gdf["XZQMC"]) if "XZQMC" in lyr.gdf.columns else pd.Series(
        "", index=lyr.gdf.index, dtype="str")
    cols = {"zone": code, "zone_name": name}
    if "KZMJ" in lyr.gdf.columns:  # 控制面积, m² (optional: the control-area table reads it)
        cols["control_area_m2"] = number(lyr.gdf["KZMJ"])
    return emit(finish(lyr, cols, role="townships", ids=code))


# --------------------------------------------------------------------------- control lines

_CONTROL_LINES: dict[str, dict[str, Any]] = {
    "ecological_redline": {
        "what": "ecological redline layer (生态保护红线 STBHHX)",
        "standard": ("HXBM", "HXMC", "BSM"), "ids": ("HXBM", "BSM"), "numeric": (),
        "layers": ("STBHHX",), "out": ("HXMC",),
    },
    "permanent_farmland": {
        "what": "permanent farmland layer (永久基本农田 YJJBNTBHTB)",
        "standard": ("YJJBNTTBBH", "BSM", "DLBM", "YJJBNTMJ", "ZLDWDM"),
        "ids": ("YJJBNTTBBH", "BSM"), "numeric": ("YJJBNTMJ",),
        "layers": ("YJJBNTBHTB", "YJJBNTTB"), "out": ("DLBM", "YJJBNTMJ", "ZLDWDM"),
    },
    "urban_boundary": {
        "what": "urban development boundary layer (城镇开发边界 CZKFBJ)",
        "standard": ("BSM", "GHFQDM"), "ids": ("BSM",), "numeric": (),
        "layers": ("CZKFBJ",), "out": ("GHFQDM",),
    },
    # not one of the three lines, but read the same way: project polygons with a name
    # (项目名称 XMMC) and the year built (建设年度 JSND)
    "high_standard_farmland": {
        "what": "high-standard farmland layer (高标准农田 GBZNT)",
        "standard": ("BSM", "XMMC", "JSND"), "ids": ("BSM",), "numeric": ("JSND",),
        "layers": ("GBZNT",), "out": ("XMMC", "JSND"),
    },
}
GHFQDM_CODES = ("01", "02", "03")


def read_control_line(
    path: PathLike,
    *,
    kind: ControlLineKind,
    layer: str | None = None,
    fields: Mapping[str, str] | None = None,
    encoding: str | None = None,
    working_crs: Any | None = None,
) -> gpd.GeoDataFrame:
    """Read a control line (三区三线) or the high-standard farmland layer into a normalised frame.

    Parameters
    ----------
    path, layer, fields, encoding, working_crs
        As for :func:`read_landuse`.
    kind : {"ecological_redline", "permanent_farmland", "urban_boundary", \
"high_standard_farmland"}
        Which layer. Default layers: STBHHX; YJJBNTBHTB or YJJBNTTB; CZKFBJ; GBZNT
        (高标准农田 high-standard farmland projects).

    Returns
    -------
    GeoDataFrame
        ``line_id`` (HXBM / YJJBNTTBBH or BSM / BSM / BSM; ``row-<n>`` when absent, with a
        finding) plus, by kind: ``HXMC``; ``DLBM`` (normalised), ``YJJBNTMJ`` (m², float64;
        the ellipsoidal area when absent, with a finding), ``ZLDWDM``; ``GHFQDM``
        (two-digit string: 01 集中建设区, 02 弹性发展区, 03 特别用途区); ``XMMC`` (project
        name, 项目名称) and ``JSND`` (year built, 建设年度: nullable ``Int64``; a value
        that is not a year between 1990 and 2100 is ``<NA>`` with a ``warning`` finding).
        Text fields absent from the layer are ''.

    Raises
    ------
    ConfigError
        ``kind`` is not one of the three.

    Notes
    -----
    Unknown DLBM codes in the permanent farmland layer and GHFQDM values outside 01-03 are
    ``warning`` findings, not errors: these layers are checked against DLTB, which is
    where codes must be valid.
    """
    spec = _CONTROL_LINES.get(kind)
    if spec is None:
        raise ConfigError(f"unknown control line kind {kind!r}; use one of {list(_CONTROL_LINES)}")
    lyr = read_standard(path, role=kind, what=spec["what"], standard=spec["standard"], required=(),
                        numeric=spec["numeric"], default_layers=spec["layers"], layer=layer,
                        fields=fields, encoding=encoding, working_crs=working_crs)
    g, label = lyr.gdf, lyr.source.label
    ids = ids_of(lyr, spec["ids"])
    cols: dict[str, pd.Series] = {"line_id": ids}
    for name in spec["out"]:
        if name == "JSND":
            cols[name] = _years(g[name] if name in g.columns else None, g.index, lyr)
            continue
        if name == "YJJBNTMJ":
            area = number(g[name]) if name in g.columns else pd.Series(np.nan, index=g.index)
            missing = area.isna().to_numpy()
            if missing.any():
                area = area.where(~missing, ellipsoidal_area(g.geometry))
                lyr.findings.append(Finding(
                    "area_computed", f"{label}: YJJBNTMJ missing for {int(missing.sum())} "
                    "features; computed as the ellipsoidal area of the geometry",
                    int(missing.sum()), "info", label))
            cols[name] = area.astype("float64")
            continue
        cols[name] = text(g[name]) if name in g.columns else pd.Series("", index=g.index,
                                                                       dtype="str")
    if "DLBM" in cols:
        cols["DLBM"] = codes(cols["DLBM"])
        unknown = unknown_codes(cols["DLBM"])
        if len(unknown):
            lyr.findings.append(Finding(
                "unknown_codes", f"{label}: DLBM codes not in the 三调 table: "
                + ", ".join(f"{r.code!r} ({r.count})" for r in unknown.itertuples()),
                int(unknown["count"].sum()), "warning", label))
    if "GHFQDM" in cols:
        code = cols["GHFQDM"].where(~cols["GHFQDM"].str.fullmatch(r"\d"),
                                    "0" + cols["GHFQDM"]).astype("str")
        cols["GHFQDM"] = code
        odd = ~code.isin(GHFQDM_CODES)
        if odd.any():
            lyr.findings.append(Finding(
                "ghfqdm_unknown", f"{label}: {int(odd.sum())} GHFQDM values outside "
                f"{list(GHFQDM_CODES)} (01 集中建设区, 02 弹性发展区, 03 特别用途区): "
                f"{sorted(set(code[odd]))[:5]}", int(odd.sum()), "warning", label))
    out = finish(lyr, cols, role=kind, ids=ids)
    return emit(mark_normalised(out, ("DLBM",)) if "DLBM" in cols else out)


def _years(values: pd.Series | None, index: pd.Index, lyr: Any) -> pd.Series:
    """Year built (建设年度 JSND) as nullable Int64; implausible values become <NA>."""
    if values is None:
        return pd.Series(pd.NA, index=index, dtype="Int64")
    year = number(values)
    ok = year.notna() & (year == year.round()) & year.between(1990, 2100)
    odd = year.notna() & ~ok
    if odd.any():
        label = lyr.source.label
        lyr.findings.append(Finding(
            "year_invalid", f"{label}: {int(odd.sum())} JSND (建设年度 year built) values are "
            f"not years between 1990 and 2100: {sorted(set(year[odd].tolist()))[:5]}; "
            "left empty", int(odd.sum()), "warning", label))
    return year.where(ok).astype("Int64")


# --------------------------------------------------------------------------- protected areas

def read_protected_areas(
    path: PathLike,
    *,
    layer: str | None = None,
    fields: Mapping[str, str] | None = None,
    encoding: str | None = None,
    working_crs: Any | None = None,
) -> gpd.GeoDataFrame:
    """Read protected areas (自然保护地 and 饮用水水源保护区) with normalised category and zone.

    Parameters
    ----------
    path, layer, fields, encoding, working_crs
        As for :func:`read_landuse`; standard fields ``id``, ``name``, ``category``
        (required), ``zone``.

    Returns
    -------
    GeoDataFrame
        ``id``, ``name``, ``category`` (国家公园, 自然保护区, 自然公园, 风景名胜区,
        饮用水水源保护区), ``subtype`` (a 自然公园 subtype such as 森林公园, else ''),
        ``zone`` (核心保护区, 一般控制区, 一级保护区, 二级保护区, 准保护区 or ''), geometry.
        Level prefixes (国家级, 省级 ...) are removed; 核心区 / 缓冲区 map to 核心保护区 and
        实验区 to 一般控制区 (the two-zone system); see :mod:`landuse.io._vocab`.

    Raises
    ------
    SchemaError
        Unknown or empty categories, or unknown zones: every value listed with the allowed
        ones.
    """
    lyr = read_standard(path, role="protected_areas", what="protected-area layer (自然保护地)",
                        standard=("id", "name", "category", "zone"), required=("category",),
                        numeric=(), default_layers=(), layer=layer, fields=fields,
                        encoding=encoding, working_crs=working_crs)
    g, label = lyr.gdf, lyr.source.label
    ids = ids_of(lyr, ("id",))
    category, subtype, bad_cat = normalise_category(g["category"])
    zone_raw = g["zone"] if "zone" in g.columns else pd.Series("", index=g.index)
    zone, bad_zone = normalise_vocab(zone_raw, ZONES)
    problems = []
    if bad_cat:
        problems.append(f"category values not understood: {bad_cat}; allowed: {list(CATEGORIES)} "
                        f"or a 自然公园 subtype {list(NATURE_PARK_SUBTYPES)}")
    if bad_zone:
        problems.append(f"zone values not understood: {bad_zone}; allowed: "
                        f"{sorted(set(ZONES.values()) - {''})} or empty")
    if problems:
        raise SchemaError(f"{label}: " + "; ".join(problems)
                          + ". Correct the values or map other fields with fields=")
    name = text(g["name"]) if "name" in g.columns else pd.Series("", index=g.index, dtype="str")
    cols = {"id": ids, "name": name, "category": category.astype("str"),
            "subtype": subtype.astype("str"), "zone": zone.astype("str")}
    return emit(finish(lyr, cols, role="protected_areas", ids=ids))


# --------------------------------------------------------------------------- mining rights

MINING_FIELDS = ("licence_no", "right_type", "holder", "mineral", "valid_from", "valid_to",
                 "stage")


def read_mining_rights(
    path: PathLike,
    *,
    layer: str | None = None,
    fields: Mapping[str, str] | None = None,
    encoding: str | None = None,
    working_crs: Any | None = None,
    stage: str | None = None,
    right_type: str | None = None,
    region_code: str | None = None,
) -> gpd.GeoDataFrame:
    """Read mining rights (矿业权) from a vector layer or a boundary-point TXT file.

    Parameters
    ----------
    path, layer, fields, encoding, working_crs
        As for :func:`read_landuse`; standard fields licence_no (required for vector
        layers), right_type, holder, mineral, valid_from, valid_to, stage. A path ending in
        ``.txt`` is read with :func:`landuse.io.boundary_txt.read_boundary_txt`: licence_no
        = 地块编号, holder = 地块名称, mineral '' and dates empty.
    stage : {"existing", "application"}, optional
        Stage of every right, used when the layer has no ``stage`` field (always for TXT).
    right_type : {"采矿权", "探矿权"}, optional
        Right type of every right, used when the layer has no ``right_type`` field.
    region_code : str, optional
        The county's code (``region.code``); for a TXT file, parcels outside its province
        are a ``parcel_outside_province`` finding.

    Returns
    -------
    GeoDataFrame
        ``licence_no``, ``right_type`` (采矿权 / 探矿权), ``holder``, ``mineral`` (str),
        ``valid_from``, ``valid_to`` (datetime64, NaT when empty), ``stage`` (``existing``
        / ``application``; synonyms 已设 现有 已有 存量 / 申请 新立 拟设 新设), geometry.

    Raises
    ------
    SchemaError
        Missing stage or right type (no field and no argument), unknown values, dates that
        cannot be parsed (examples listed).
    """
    if Path(path).suffix.lower() == ".txt":
        lyr = read_txt(path, encoding=encoding, working_crs=working_crs,
                       region_code=region_code)
    else:
        lyr = read_standard(path, role="mining_rights", what="mining-right layer (矿业权)",
                            standard=MINING_FIELDS, required=("licence_no",), numeric=(),
                            default_layers=(), layer=layer, fields=fields, encoding=encoding,
                            working_crs=working_crs)
    g, label = lyr.gdf, lyr.source.label
    problems: list[str] = []
    cols: dict[str, pd.Series] = {"licence_no": text(g["licence_no"])}
    for name, given, table, allowed in (
        ("right_type", right_type, RIGHT_TYPES, ["采矿权", "探矿权"]),
        ("stage", stage, STAGES, ["existing", "application"]),
    ):
        if name in g.columns:
            values = g[name]
        elif given is not None:
            values = pd.Series(given, index=g.index)
        else:
            problems.append(f"no {name!r} field; add one or pass {name}= (one of {allowed})")
            continue
        mapped, unknown = normalise_vocab(values, table)
        if unknown:
            problems.append(f"{name} values not understood: {unknown}; allowed: {allowed} "
                            "(synonyms in landuse/io/_vocab.py)")
        cols[name] = mapped.astype("str")
    for name in ("holder", "mineral"):
        cols[name] = text(g[name]) if name in g.columns else pd.Series("", index=g.index,
                                                                       dtype="str")
    for name in ("valid_from", "valid_to"):
        parsed, bad = dates(g[name] if name in g.columns else pd.Series("", index=g.index))
        if bad:
            problems.append(f"{name} values that are not dates: {bad[:5]}; write them as "
                            "YYYY-MM-DD")
        cols[name] = parsed
    raise_problems(problems, SchemaError, header=f"cannot read the mining rights of {label}:")
    order = {k: cols[k] for k in MINING_FIELDS}
    return emit(finish(lyr, order, role="mining_rights", ids=cols["licence_no"]))
