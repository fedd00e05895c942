"""Ellipsoidal (geodesic) area of polygons on the ellipsoid of their CRS."""

from __future__ import annotations

import numpy as np
import pyproj
import shapely

__all__ = ["geodesic_area"]


def geodesic_area(geoms: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Area on the ellipsoid of ``crs`` of each polygonal geometry, in m².

    The coordinates are transformed to the geographic CRS of the datum
    (``crs.geodetic_crs``, longitude/latitude) and each ring's area is computed with
    :meth:`pyproj.Geod.polygon_area_perimeter` (geodesic edges, Karney's algorithm) on the
    ellipsoid of ``crs`` (``crs.get_geod()``): area = Σ|exterior| − Σ|holes| over the
    polygons of each geometry. Geometries already in a geographic CRS are read as
    x = longitude, y = latitude (the GIS order shapely uses), whatever the CRS axis order.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely Polygon/MultiPolygon (or None)
    crs : pyproj.CRS
        CRS of the coordinates; must have a datum ellipsoid.

    Returns
    -------
    numpy.ndarray of float64
        Area in m² (0 for missing or empty geometries).
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms), dtype=np.float64)
    if not len(geoms):
        return out
    geod = crs.get_geod()
    if geod is None:
        raise ValueError(f"the CRS {crs.to_string()} has no ellipsoid for geodesic areas")
    if not crs.is_geographic:
        transformer = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)

        def _to_lonlat(xy: np.ndarray) -> np.ndarray:
            lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([lon, lat])

        geoms = shapely.transform(geoms, _to_lonlat)
    polys, poly_parent = shapely.get_parts(geoms, return_index=True)
    rings, ring_poly = shapely.get_rings(polys, return_index=True)
    # get_rings lists the exterior of each polygon first, then its holes
    first = np.ones(len(ring_poly), dtype=bool)
    first[1:] = ring_poly[1:] != ring_poly[:-1]
    coords, ring_of_coord = shapely.get_coordinates(rings, return_index=True)
    starts = np.searchsorted(ring_of_coord, np.arange(len(rings)))
    ends = np.append(starts[1:], len(coords))
    ring_area = np.empty(len(rings), dtype=np.float64)
    for k in range(len(rings)):
        lon = coords[starts[k] : ends[k], 0]
        lat = coords[starts[k] : ends[k], 1]
        ring_area[k] = abs(geod.polygon_area_perimeter(lon, lat)[0])
    signed = np.where(first, ring_area, -ring_area)
    np.add.at(out, poly_parent[ring_poly], signed)
    return out
