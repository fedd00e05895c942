"""Is a parcel in its province? A coarse location check against a shipped extent table.

``landuse/rules/province_extents.csv`` gives, for each 2-digit province code (省级行政区划代码,
GB/T 2260), a longitude / latitude bounding box rounded outwards by about 0.1-0.2°. It is a
check for gross errors (a wrong 带号 moves unprefixed eastings by one zone, about 290 km at
30° N), not a boundary test: a parcel near a provincial border may lie in the neighbour's box.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from landuse.errors import CRSError
from landuse.findings import Finding
from landuse.io._txt_format import ZONES, gk_epsg

__all__ = ["outside_province", "province_extents"]

_EXAMPLES = 5


@cache
def province_extents() -> pd.DataFrame:
    """Return the extent table, indexed by the 2-digit province code (lon/lat in degrees)."""
    with resources.files("landuse.rules").joinpath("province_extents.csv").open(
            "r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"code": str})
    return df.set_index("code")


def _lonlat(points: np.ndarray, crs: pyproj.CRS) -> tuple[np.ndarray, np.ndarray]:
    to_geo = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = to_geo.transform(shapely.get_x(points), shapely.get_y(points))
    return np.asarray(lon), np.asarray(lat)


def _inside(lon: np.ndarray, lat: np.ndarray, box: pd.Series) -> np.ndarray:
    return ((lon >= box["lon_min"]) & (lon <= box["lon_max"]) & (lat >= box["lat_min"])
            & (lat <= box["lat_max"]))


def outside_province(
    gdf: gpd.GeoDataFrame, region_code: str, *, source: str, ids: pd.Series,
    zone_width: int | None = None, datum: str | None = None, prefixed: bool = True,
) -> Finding | None:
    """Report the parcels whose representative point lies outside the province's extent.

    Parameters
    ----------
    gdf : GeoDataFrame
        Parcels with a CRS.
    region_code : str
        County (6 digits) or province code; its first two digits name the province.
    source : str
        The file, for the message.
    ids : Series
        Parcel ids (same order), for the examples.
    zone_width, datum, prefixed
        The Gauss-Krüger zoning of unprefixed coordinates: when given (and ``prefixed`` is
        False), the zones whose central meridian would put every outside parcel inside the
        province are named in the message.

    Returns
    -------
    Finding or None
        ``parcel_outside_province`` (warning) with the count and the parcel ids; an ``info``
        finding when the province code is not in the table; None when all are inside.
    """
    code = str(region_code)[:2]
    table = province_extents()
    if code not in table.index:
        return Finding("province_unknown", f"{source}: province code {code!r} (from region "
                       f"code {region_code!r}) is not in landuse/rules/province_extents.csv; "
                       "parcel locations were not checked", 0, "info", source)
    if gdf.crs is None or len(gdf) == 0:
        return None
    box = table.loc[code]
    points = shapely.point_on_surface(gdf.geometry.to_numpy())
    lon, lat = _lonlat(points, pyproj.CRS.from_user_input(gdf.crs))
    out = ~_inside(lon, lat, box)
    if not out.any():
        return None
    hint = ""
    if not prefixed and zone_width in ZONES and datum is not None:
        fits = []
        for zone in ZONES[zone_width]:
            try:
                crs = pyproj.CRS.from_epsg(gk_epsg(datum, zone_width, zone, prefixed=False))
            except CRSError:  # pragma: no cover - the tables cover every zone listed
                continue
            zlon, zlat = _lonlat(points[out], crs)
            if _inside(zlon, zlat, box).all():
                fits.append(zone)
        if fits:
            hint = (f"; the eastings carry no zone prefix, and {zone_width}-degree zone(s) "
                    f"{fits} would put them inside: check 带号 (zone) in [属性描述]")
    bad = ids.astype(str).to_numpy()[out].tolist()
    return Finding(
        "parcel_outside_province",
        f"{source}: {len(bad)} parcel(s) lie outside {box['name_zh']} ({box['name_en']}, "
        f"province code {code} of region {region_code}; lon {box['lon_min']}-{box['lon_max']}, "
        f"lat {box['lat_min']}-{box['lat_max']}), e.g. {bad[0]!r} at lon {lon[out][0]:.3f}, "
        f"lat {lat[out][0]:.3f}{hint or '; check the zone (带号), the datum and the coordinates'}",
        len(bad), "warning", source, bad[:_EXAMPLES],
    )
