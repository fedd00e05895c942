"""Land cover from a categorical raster: class areas by zone and development intensity.

For counties that have a land-cover raster (a national 30 m product or their own
classification) instead of, or beside, the survey layer. The functions take the raster as
a :class:`landuse.rasters.PixelSource`, opened and checked in the read phase
(:func:`landuse.rasters.open_landcover`; the run hands it over), which reads the pixels
window by window, so any size fits in bounded memory; this module reads no file itself. A
path (a notebook) is opened the same way first.
Pixel areas are exact for the grid: constant in a projected CRS, per row (geodesic, on the
CRS's ellipsoid) in a geographic CRS. The edge rule is explicit: ``edge="centre"`` (a pixel
counts when its centre is inside the zone) or ``edge="exact"`` (a pixel counts with the
fraction of its area inside the zone). See ``docs/landcover.md``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from landuse import units
from landuse.errors import SchemaError
from landuse.findings import Finding, attach_findings, get_findings
from landuse.indicators._common import make_indicator, safe_ratio
from landuse.rasters import EdgeRule, PixelSource, class_table, open_landcover

__all__ = [
    "UNCLASSIFIED",
    "development_intensity_from_areas",
    "development_intensity_from_raster",
    "landcover_areas",
]

#: class name given to raster values missing from the class mapping
UNCLASSIFIED = "unclassified"


def landcover_areas(
    raster: PixelSource | str | Path,
    zones: gpd.GeoDataFrame,
    *,
    classes: pd.DataFrame | str | Path | None = None,
    by: str = "zone",
    edge: EdgeRule = "centre",
    window_rows: int | None = None,
    county: str | None = None,
) -> pd.DataFrame:
    """Area of every land-cover class in every zone (the ``landcover_areas.csv`` rows).

    Parameters
    ----------
    raster : PixelSource, str or Path
        Single-band integer land-cover raster (GeoTIFF ...), any CRS with linear or degree
        units; nodata pixels are not counted. Opened and checked (e.g.
        :attr:`landuse.county.County.landcover` ``.source``, or
        :func:`landuse.io.raster.open_raster`), or a path, opened first.
    zones : GeoDataFrame
        Zone polygons (e.g. townships from :func:`landuse.io.vector.read_townships`) with a
        code column ``by``; reprojected to the raster's CRS when needed (a finding).
    classes : DataFrame, str or Path, optional
        Class mapping (:func:`landuse.io.raster.read_landcover_classes`, or its CSV path):
        raster value -> class name. Values found in the raster but not in the mapping are
        reported as class ``"unclassified"`` with a :class:`LanduseWarning`, never dropped.
        Without a mapping the class is the raster value as text.
    by : str, default "zone"
        Zone code column of ``zones``.
    edge : {"centre", "exact"}, default "centre"
        Pixel-centre rule or exact coverage fractions (see module docs).
    window_rows : int, optional
        Rows read per window (default: about 8 million pixels).
    county : str, optional
        When given, rows for this county code are added: the sum over all zones (zones
        must not overlap).

    Returns
    -------
    DataFrame
        ``zone``, ``class``, ``area_ha``: county rows first (when ``county`` is given), then
        the zones sorted by code, classes in mapping order. Areas in hectares; ``attrs``
        records ``edge``, ``crs``, ``raster`` and the findings.
    """
    lc = open_landcover(raster, classes)
    table = lc.classes
    raw = lc.source.value_areas(zones, by=by, edge=edge, window_rows=window_rows)
    findings = get_findings(raw)
    if table is not None:
        names = dict(zip(table["value"].tolist(), table["class"].tolist(), strict=True))
        order = {c: i for i, c in enumerate(dict.fromkeys(table["class"]))}
        unknown = sorted(set(raw["value"].tolist()) - set(names))
        if unknown:
            area = raw.loc[raw["value"].isin(unknown), "area_m2"].sum()
            findings.append(Finding(
                code="landcover_value_unmapped",
                message=(f"raster {lc.source.name} has values {unknown[:10]} "
                         f"({units.m2_to_ha(area):.4f} ha) that the class mapping does not "
                         f"list (未定义的地类值); they are reported as '{UNCLASSIFIED}'. Add "
                         "them to the class CSV"),
                count=len(unknown), source=str(raw.attrs.get("raster", lc.source.name)),
                examples=unknown[:5]).warn())
        cls = raw["value"].map(names).fillna(UNCLASSIFIED)
    else:
        cls = raw["value"].astype(str)
        order = {}
    frame = pd.DataFrame({"zone": raw["zone"].astype(str).to_numpy(dtype=object),
                          "class": cls.astype(str).to_numpy(dtype=object),
                          "area_m2": raw["area_m2"].to_numpy(np.float64)})
    parts = [frame.groupby(["zone", "class"], sort=False)["area_m2"].sum().reset_index()]
    if county is not None:
        tot = frame.groupby("class", sort=False)["area_m2"].sum().reset_index()
        tot.insert(0, "zone", str(county))
        parts.insert(0, tot)
    out = pd.concat(parts, ignore_index=True)
    rank = out["class"].map(lambda c: order.get(c, len(order)))
    out = out.assign(_county=out["zone"] != (county or ""), _rank=rank)
    out = out.sort_values(["_county", "zone", "_rank", "class"], ignore_index=True)
    out["area_ha"] = units.m2_to_ha(out["area_m2"].to_numpy())
    out = pd.DataFrame({"zone": pd.array(out["zone"].to_numpy(dtype=object), dtype=object),
                        "class": pd.array(out["class"].to_numpy(dtype=object), dtype=object),
                        "area_ha": out["area_ha"].to_numpy(np.float64)})
    out.attrs.update({k: raw.attrs[k] for k in ("edge", "crs", "raster")})
    attach_findings(out, findings)
    return out


def development_intensity_from_areas(
    areas: pd.DataFrame, classes: pd.DataFrame | str | Path | None
) -> pd.Series:
    """国土开发强度 from land-cover class areas, %.

    Formula: 100 × Σ area of classes flagged ``construction`` / Σ area of all counted
    classes (every non-nodata pixel of the zone, ``unclassified`` included) per zone.

    Parameters
    ----------
    areas : DataFrame
        The result of :func:`landcover_areas` (``zone``, ``class``, ``area_ha``).
    classes : DataFrame, str or Path
        The class mapping whose ``construction`` column says which classes are built-up.

    Returns
    -------
    Series
        ``development_intensity`` in % indexed by zone; components ``construction_land_ha``
        and ``total_area_ha``; ``attrs['area']`` is ``"raster-<edge>"``.
    """
    table = class_table(classes)
    if table is None or "construction" not in table.columns:
        raise SchemaError("development intensity from a raster needs a class mapping with a "
                          "construction column (value,class,construction)")
    built = set(table.loc[table["construction"], "class"])
    both = set(table.loc[~table["construction"], "class"]) & built
    if both:
        raise SchemaError(f"the class mapping marks the class(es) {sorted(both)} as both "
                          "construction and not construction; give each class one flag")
    zones = pd.Index(pd.unique(areas["zone"].astype(str)), name="zone", dtype=object)
    is_built = areas["class"].isin(built).to_numpy()
    total = areas.groupby("zone", sort=False)["area_ha"].sum().reindex(zones)
    con = areas.loc[is_built].groupby("zone", sort=False)["area_ha"].sum().reindex(
        zones, fill_value=0.0)
    value, reasons = safe_ratio(con, total, factor=100.0,
                                reason="zone {zone} has no land-cover pixels")
    out = make_indicator(value, indicator_id="development_intensity",
                         components=pd.DataFrame({"construction_land_ha": con,
                                                  "total_area_ha": total}),
                         reasons=reasons, area=f"raster-{areas.attrs.get('edge', 'centre')}")
    return out


def development_intensity_from_raster(
    raster: PixelSource | str | Path,
    zones: gpd.GeoDataFrame,
    *,
    classes: pd.DataFrame | str | Path,
    by: str = "zone",
    edge: EdgeRule = "centre",
    window_rows: int | None = None,
    county: str | None = None,
) -> pd.Series:
    """国土开发强度 from a land-cover raster, % (construction classes / all classes).

    One pass over the raster with :func:`landcover_areas`, then
    :func:`development_intensity_from_areas`; the parameters are those of
    :func:`landcover_areas`. The survey-based figure
    (:func:`landuse.indicators.intensity.development_intensity`) remains the official one;
    this one depends on the raster's resolution and classification.
    """
    lc = open_landcover(raster, classes)
    areas = landcover_areas(lc.source, zones, classes=lc.classes, by=by, edge=edge,
                            window_rows=window_rows, county=county)
    return development_intensity_from_areas(areas, lc.classes)
