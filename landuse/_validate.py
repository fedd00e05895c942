"""Shared validation helpers, called first by every public function (bad input fails early).

Each ``check_*`` function returns a list of problems (plain sentences, empty when all is
well) so that a caller can collect every problem of its inputs and raise once with
:func:`raise_problems`. Each ``require_*`` function is the one-call form: it checks and
raises the matching :mod:`landuse.errors` class, naming the source (file and layer), the
values found and the fix.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"DLBM": ["0101"], "TBMJ": [1.0]})
>>> check_columns(df, ["DLBM", "TBDLMJ"], source="DLTB")
["DLTB: missing field 'TBDLMJ'; fields present: ['DLBM', 'TBMJ']; closest names: ['TBMJ', 'DLBM']"]
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from landuse.errors import CRSError, GeometryError, LanduseError, SchemaError

__all__ = [
    "check_columns",
    "check_crs",
    "check_numeric",
    "check_polygonal",
    "check_projected",
    "closest_names",
    "crs_label",
    "raise_problems",
    "require_columns",
    "require_crs",
    "require_numeric",
    "require_polygonal",
    "require_projected",
    "require_same_crs",
]

POLYGONAL = ("Polygon", "MultiPolygon")


def crs_label(crs: Any) -> str:
    """Return a short label for a CRS: ``"EPSG:4527"`` when it has a code, else its name.

    ``None`` gives ``"no CRS"``.
    """
    if crs is None:
        return "no CRS"
    crs = CRS.from_user_input(crs)
    code = crs.to_epsg(min_confidence=70)
    if code is not None:
        return f"EPSG:{code}"
    return crs.name


def closest_names(name: str, candidates: Iterable[str], *, n: int = 3) -> list[str]:
    """Return up to ``n`` names from ``candidates`` that look like ``name`` (case-insensitive).

    Names containing ``name`` come first, then :func:`difflib.get_close_matches` on
    upper-cased names with cutoff 0.6.

    Examples
    --------
    >>> closest_names("DLBM", ["dlbm_code", "TBMJ", "DLMC"])
    ['dlbm_code', 'DLMC']
    """
    cands = [str(c) for c in candidates]
    upper = {c.upper(): c for c in cands}
    key = name.upper()
    hits = [u for u in upper if key and key in u and u != key]
    hits += [h for h in difflib.get_close_matches(key, list(upper), n=n, cutoff=0.6)
             if h not in hits]
    return [upper[h] for h in hits[:n]]


def raise_problems(
    problems: Sequence[str], error: type[LanduseError], *, header: str = ""
) -> None:
    """Raise ``error`` once listing every problem; do nothing when ``problems`` is empty.

    Parameters
    ----------
    problems : sequence of str
        One sentence per problem.
    error : type
        A :mod:`landuse.errors` class (``SchemaError``, ``CRSError`` ...).
    header : str
        Optional first line, e.g. ``"cannot read huantai.gpkg layer DLTB"``.
    """
    if not problems:
        return
    if len(problems) == 1 and not header:
        raise error(problems[0])
    lines = ([header] if header else []) + [f"  - {p}" for p in problems]
    raise error("\n".join(lines))


def check_columns(df: pd.DataFrame, columns: Iterable[str], *, source: str) -> list[str]:
    """List the required ``columns`` missing from ``df`` (exact names).

    Each problem names the field, the fields present and the closest names, so the user
    can see a misspelling or pass a rename (``fields={"DLBM": "their_name"}``).
    """
    present = [str(c) for c in df.columns if c != getattr(df, "_geometry_column_name", None)]
    problems = []
    for col in columns:
        if col not in df.columns:
            problems.append(
                f"{source}: missing field {col!r}; fields present: {present}; "
                f"closest names: {closest_names(col, present)}"
            )
    return problems


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, source: str) -> None:
    """Raise :class:`SchemaError` listing every required column missing from ``df``."""
    raise_problems(check_columns(df, columns, source=source), SchemaError)


def check_numeric(df: pd.DataFrame, columns: Iterable[str], *, source: str) -> list[str]:
    """List columns whose non-empty values are not numbers, with up to five examples.

    Empty strings and nulls count as missing, not as non-numeric. Columns absent from
    ``df`` are ignored (check them with :func:`check_columns`).
    """
    problems = []
    for col in columns:
        if col not in df.columns:
            continue
        s = df[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            continue
        text = s.astype(object).where(s.notna(), "").map(lambda v: str(v).strip())
        num = pd.to_numeric(text.where(text != "", np.nan), errors="coerce")
        bad = text[(text != "") & num.isna()]
        if len(bad):
            examples = list(dict.fromkeys(bad.tolist()))[:5]
            problems.append(
                f"{source}: field {col!r} must hold numbers (m² or a ratio) but {len(bad)} "
                f"value(s) are not numeric, e.g. {examples}; correct them or map another "
                f"field with fields={{{col!r}: '...'}}"
            )
    return problems


def require_numeric(df: pd.DataFrame, columns: Iterable[str], *, source: str) -> None:
    """Raise :class:`SchemaError` listing every column with non-numeric values."""
    raise_problems(check_numeric(df, columns, source=source), SchemaError)


def check_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, source: str) -> list[str]:
    """Report a missing CRS, with the fix."""
    if gdf.crs is None:
        return [
            f"{source} has no coordinate reference system (CRS); define it (e.g. add the "
            "missing .prj of a Shapefile) or reproject the layer, e.g. to EPSG:4527 "
            "(CGCS2000 3-degree Gauss-Kruger zone 39)"
        ]
    return []


def require_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries, *, source: str) -> None:
    """Raise :class:`CRSError` when ``gdf`` has no CRS."""
    raise_problems(check_crs(gdf, source=source), CRSError)


def check_projected(
    gdf: gpd.GeoDataFrame | gpd.GeoSeries, what: str, *, source: str
) -> list[str]:
    """Report a missing or non-projected (or non-metre) CRS for a planar computation ``what``."""
    problems = check_crs(gdf, source=source)
    if problems:
        return problems
    crs = CRS.from_user_input(gdf.crs)
    if not crs.is_projected:
        return [
            f"{what} needs a projected CRS in metres to measure area; {source} is "
            f"{crs_label(crs)} (geographic). Reproject it, e.g. to EPSG:4527, or read it "
            "with landuse.io readers, which bring it to a working CRS"
        ]
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if unit not in ("metre", "meter"):
        return [
            f"{what} needs a projected CRS in metres; {source} is {crs_label(crs)} in "
            f"{unit!r}. Reproject it to a metric CRS, e.g. EPSG:4527"
        ]
    return []


def require_projected(gdf: gpd.GeoDataFrame | gpd.GeoSeries, what: str, *, source: str) -> None:
    """Raise :class:`CRSError` unless ``gdf`` has a projected CRS in metres.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(117, 36, 117.1, 36.1)], crs=4490)
    >>> require_projected(g, "development_intensity", source="DLTB of a.gpkg")
    Traceback (most recent call last):
    ...
    landuse.errors.CRSError: development_intensity needs a projected CRS in metres ...
    """
    raise_problems(check_projected(gdf, what, source=source), CRSError)


def require_same_crs(
    layers: Sequence[gpd.GeoDataFrame | gpd.GeoSeries], *, names: Sequence[str], what: str
) -> None:
    """Raise :class:`CRSError` unless every layer has the same (non-missing) CRS.

    The message lists each layer with its CRS and the fix (read the layers with a
    common ``working_crs=``).
    """
    if len(layers) != len(names):
        raise ValueError("require_same_crs: give one name per layer")
    problems: list[str] = []
    for layer, name in zip(layers, names, strict=True):
        problems += check_crs(layer, source=name)
    crss = [layer.crs for layer in layers if layer.crs is not None]
    if not problems and any(not CRS.from_user_input(c).equals(crss[0]) for c in crss[1:]):
        listing = ", ".join(
            f"{n}: {crs_label(lyr.crs)}" for lyr, n in zip(layers, names, strict=True)
        )
        problems.append(
            f"{what} needs its layers in one CRS but they differ ({listing}); read them with "
            "the same working_crs= (e.g. working_crs='EPSG:4527')"
        )
    raise_problems(problems, CRSError)


def check_polygonal(geometry: gpd.GeoSeries, *, source: str) -> list[str]:
    """Report non-polygonal geometries (points, lines) with their counts by type.

    Null and empty geometries and geometry collections are not reported here (readers
    report nulls and repair collections separately).
    """
    types = shapely.get_type_id(geometry.to_numpy())
    # 0 point, 1 linestring, 2 linearring, 4 multipoint, 5 multilinestring
    bad = np.isin(types, [0, 1, 2, 4, 5])
    if not bad.any():
        return []
    names = pd.Series(geometry.geom_type.to_numpy(), dtype=object)  # (costly: only if needed)
    counts = names[bad].value_counts().sort_index()
    found = ", ".join(f"{k}: {v}" for k, v in counts.items())
    return [
        f"{source} must hold polygons (Polygon / MultiPolygon) but has {int(bad.sum())} "
        f"non-polygonal geometries ({found}); give the polygon layer (e.g. DLTB, not its "
        "boundary lines or label points) or convert the features to polygons"
    ]


def require_polygonal(geometry: gpd.GeoSeries, *, source: str) -> None:
    """Raise :class:`GeometryError` when ``geometry`` holds points or lines."""
    raise_problems(check_polygonal(geometry, source=source), GeometryError)
