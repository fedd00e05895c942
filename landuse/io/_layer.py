"""Shared machinery of the vector readers: read, rename, check, reproject, assemble.

Private to :mod:`landuse.io.vector`. A reader calls :func:`read_standard` (open the file
and layer, map field names, decode text, check numbers, bring to the working CRS), builds
its normalised columns, then :func:`finish` (repair geometry, attach ``attrs``) and
:func:`emit` (warn for every ``warning`` finding).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landuse._validate import check_numeric, raise_problems, require_crs
from landuse.errors import InputFileError, SchemaError
from landuse.findings import Finding
from landuse.io._boundary_txt_reader import read_boundary_txt
from landuse.io._curves import Linearised, linearised_finding
from landuse.io._encoding import DbfEncoding
from landuse.io._geometry import clean_geometry
from landuse.io._source import (
    LayerSource,
    file_sha256,
    open_layer,
    read_layer,
    resolve_fields,
    source_crs_label,
)
from landuse.io.crs import normalise_crs, to_working_crs
from landuse.rules import normalise_codes

__all__ = ["Layer", "codes", "dates", "emit", "finish", "ids_of", "number", "read_standard",
           "read_txt", "text"]

PathLike = str | os.PathLike[str]

@dataclass
class Layer:
    """A layer read with standard column names, in the working CRS, not yet normalised."""

    gdf: gpd.GeoDataFrame
    source: LayerSource
    encoding: DbfEncoding
    src_crs: Any
    findings: list[Finding] = field(default_factory=list)
    linearised: Linearised | None = None


def text(values: pd.Series) -> pd.Series:
    """Field values as stripped strings ('' for null; integral floats without ``.0``).

    Numeric codes (``201`` read as a number) come back as the digits written: a float
    column whose values are all integral is converted through ``Int64``.
    """
    s = values
    if pd.api.types.is_float_dtype(s):
        finite = s.dropna()
        if len(finite) and np.all(np.mod(finite.to_numpy(), 1) == 0):
            s = s.astype("Int64")
    if pd.api.types.is_integer_dtype(s) or pd.api.types.is_float_dtype(s):
        s = s.astype("str")
    elif not pd.api.types.is_string_dtype(s) or s.dtype == object:
        s = s.astype(object).where(s.notna(), None).map(
            lambda v: v if v is None else str(v)).astype("str")
    return s.str.strip().fillna("").astype("str")


def codes(values: pd.Series) -> pd.Series:
    """Land-class codes normalised with :func:`landuse.rules.normalise_codes`, as ``str``.

    The rule is applied once per distinct value (a county has a few dozen codes and
    hundreds of thousands of patches).
    """
    idx, uniq = pd.factorize(values.astype(object).where(values.notna(), ""))
    norm = normalise_codes(pd.Series(uniq, dtype=object)).to_numpy()
    return pd.Series(norm[idx] if len(uniq) else np.array([], dtype=object),
                     index=values.index, dtype="str")


def number(values: pd.Series) -> pd.Series:
    """Field values as float64 (NaN for null / empty); assumes :func:`check_numeric` passed."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    t = values.astype(object).where(values.notna(), "").map(lambda v: str(v).strip())
    return pd.to_numeric(t.where(t != "", np.nan), errors="coerce").astype("float64")


def read_standard(
    path: PathLike,
    *,
    role: str,
    what: str,
    standard: Sequence[str],
    required: Sequence[str],
    numeric: Sequence[str],
    default_layers: Sequence[str],
    layer: str | None,
    fields: Mapping[str, str] | None,
    encoding: str | None,
    working_crs: Any | None,
) -> Layer:
    """Open, read, rename to standard names, check numbers, bring to the working CRS."""
    src = open_layer(path, layer=layer, default_layers=default_layers)
    mapping = resolve_fields(src, standard, fields=fields, required=required, what=what)
    if src.features == 0:
        raise InputFileError(
            f"{src.label} is empty (0 features); give the layer that holds the {what}"
        )
    raw, enc = read_layer(src, list(mapping.values()), encoding=encoding)
    linearised = raw.attrs.pop("linearised", None)
    src = replace(src, features=len(raw))  # read_info may not count (-1) for some drivers
    if len(raw) == 0:
        raise InputFileError(f"{src.label} is empty (0 features); give the layer with data")
    gdf = raw.rename(columns={actual: std for std, actual in mapping.items()})
    raise_problems(check_numeric(gdf, [c for c in numeric if c in gdf.columns],
                                 source=src.label), SchemaError)
    require_crs(gdf, source=src.label)
    src_crs = normalise_crs(gdf.crs)
    gdf = to_working_crs(gdf.set_crs(src_crs, allow_override=True), working_crs,
                         source=src.label)
    findings = list(gdf.attrs.pop("findings", []))
    if enc.how == "detected":
        findings.append(Finding(
            code="encoding_detected",
            message=(f"{src.label}: no .cpg file and no code page in the .dbf; text decoded as "
                     f"{enc.label} (detected from the bytes; 编码检测). Pass encoding= to "
                     "override, or add a .cpg file"),
            count=len(gdf), severity="info", source=src.label,
        ))
    return Layer(gdf=gdf, source=src, encoding=enc, src_crs=src_crs, findings=findings,
                 linearised=linearised)


def ids_of(lyr: Layer, columns: Sequence[str]) -> pd.Series:
    """Feature ids from the first of ``columns`` present, else ``row-<n>`` with a finding."""
    for col in columns:
        if col in lyr.gdf.columns:
            return text(lyr.gdf[col])
    n = len(lyr.gdf)
    lyr.findings.append(Finding(
        code="ids_generated",
        message=(f"{lyr.source.label}: no id field ({' / '.join(columns)}); features are "
                 "identified as row-<n> (position in the file, from 1)"),
        count=n, severity="info", source=lyr.source.label,
    ))
    return pd.Series([f"row-{i}" for i in range(1, n + 1)], index=lyr.gdf.index, dtype="str")


def finish(
    lyr: Layer, columns: dict[str, pd.Series], *, role: str, area_column: str | None = None,
    ids: pd.Series,
) -> gpd.GeoDataFrame:
    """Assemble the normalised frame: repaired geometry and attrs (warnings not yet emitted)."""
    base = gpd.GeoDataFrame(columns, geometry=lyr.gdf.geometry.to_numpy(),
                            crs=lyr.gdf.crs, index=lyr.gdf.index)
    out, geo_findings = clean_geometry(base, ids, source=lyr.source.label,
                                       area_column=area_column)
    if lyr.linearised is not None:
        rows = lyr.linearised.rows
        geo_findings.insert(0, linearised_finding(
            lyr.linearised, ids=ids.to_numpy()[rows].astype(str).tolist(),
            area_m2=shapely.area(lyr.gdf.geometry.to_numpy()[rows]),
            source=lyr.source.label))
    out = out.reset_index(drop=True)
    return _with_attrs(out, lyr, role=role, findings=geo_findings + lyr.findings)


def _with_attrs(
    out: gpd.GeoDataFrame, lyr: Layer, *, role: str, findings: list[Finding]
) -> gpd.GeoDataFrame:
    src = lyr.source
    out.attrs = {
        "source": {
            "role": role,
            "path": str(src.path),
            "layer": src.layer,
            "sha256": file_sha256(src.path),
            "features": src.features,
            "crs": source_crs_label(lyr.src_crs),
            "encoding": lyr.encoding.label,
        },
        "findings": findings,
    }
    return out


def emit(out: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Emit every ``warning`` finding of ``out`` as a LanduseWarning (called by the readers)."""
    for f in out.attrs.get("findings", []):
        if f.severity == "warning":
            f.warn(stacklevel=4)
    return out



def dates(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Parse dates (2019-04-19, 2019/4/19, 20190419, 2019年4月19日); '' -> NaT."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.astype("datetime64[ns]"), []
    t = values.astype(object).where(values.notna(), "").map(lambda v: str(v).strip())
    t = t.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "", regex=False)
    t = t.where(~t.str.fullmatch(r"\d{8}"), t.str.slice(0, 4) + "-" + t.str.slice(4, 6) + "-"
                + t.str.slice(6, 8))
    t = t.str.replace(r"(?:\s+|T)00:00:00(?:\.0+)?$", "", regex=True)
    parsed = pd.to_datetime(t.where(t != "", None), format="%Y-%m-%d", errors="coerce")
    bad = sorted(set(values[(t != "") & parsed.isna()].astype(str)))
    return parsed.astype("datetime64[ns]"), bad


def read_txt(
    path: PathLike, *, encoding: str | None, working_crs: Any | None,
    region_code: str | None = None,
) -> Layer:
    """Read a boundary-point TXT through :mod:`landuse.io.boundary_txt` into a :class:`Layer`.

    With ``region_code``, parcels outside that province are a finding.
    """
    gdf = read_boundary_txt(path, encoding=encoding, region_code=region_code)
    findings = list(gdf.attrs.get("findings", []))
    info = dict(gdf.attrs.get("source", {}))
    p = Path(path)
    src = LayerSource(path=p, layer=None, fields=tuple(gdf.columns), features=len(gdf),
                      is_parquet=False, is_shapefile=False)
    require_crs(gdf, source=str(p))
    src_crs = normalise_crs(gdf.crs)
    moved = to_working_crs(gdf.set_crs(src_crs, allow_override=True), working_crs,
                           source=str(p))
    findings += list(moved.attrs.pop("findings", []))
    moved = moved.rename(columns={"parcel_no": "licence_no", "name": "holder"})
    enc = DbfEncoding(None, str(info.get("encoding", "")), "txt")
    return Layer(gdf=moved, source=src, encoding=enc, src_crs=src_crs, findings=findings)
